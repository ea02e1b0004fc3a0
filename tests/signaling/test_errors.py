"""Bad input gets one clear error (or a counted drop), never a silent loss."""

from __future__ import annotations

import pandas as pd
import pytest
from handmade import cells_table, people, write

from metrocircle.exceptions import EngineError, InputError, ParameterError
from metrocircle.signaling import SignalingParams, get_engine, od_from_records


@pytest.fixture()
def cells_csv(tmp_path):
    p = tmp_path / "cells.csv"
    cells_table().to_csv(p, index=False)
    return p


@pytest.fixture()
def records_csv(tmp_path):
    return write(people(days=7), tmp_path / "records.csv")


def test_missing_columns_listed(tmp_path, cells_csv):
    p = tmp_path / "r.csv"
    pd.DataFrame({"user": ["a"], "time": ["2024-03-04 10:00:00"]}).to_csv(p, index=False)
    with pytest.raises(InputError) as e:
        od_from_records(p, cells=cells_csv)
    msg = str(e.value)
    assert "'uid'" in msg and "'cell'" in msg and "'user'" in msg


def test_unparseable_timestamps(tmp_path, cells_csv):
    df = people(days=2)
    p = write(df, tmp_path / "r.csv")
    text = p.read_text().splitlines()
    text[5] = text[5].replace("2024-03-04", "04/03/2024 at noon")
    text[9] = text[9].replace("2024-03-04", "yesterday")
    p.write_text("\n".join(text) + "\n")
    with pytest.raises(InputError) as e:
        od_from_records(p, cells=cells_csv)
    assert "cannot be parsed" in str(e.value) and "yesterday" in str(e.value)


@pytest.mark.parametrize(
    "content,message", [("", "the file is empty"), ("uid,time,cell\n", "no records")]
)
def test_empty_file(tmp_path, cells_csv, content, message):
    p = tmp_path / "r.csv"
    p.write_text(content)
    with pytest.raises(InputError, match=message):
        od_from_records(p, cells=cells_csv)


def test_unknown_cells_are_counted_not_lost(tmp_path, cells_csv):
    df = people(days=7)
    df.loc[df.index[:7], "cell"] = "GHOST"
    res = od_from_records(write(df, tmp_path / "r.csv"), cells=cells_csv, min_count=1)
    acc = res.accounting
    assert acc["dropped"]["unknown_cell"] == 7
    assert acc["used_records"] + sum(acc["dropped"].values()) == acc["input_records"] == len(df)


def test_all_cells_unknown_is_an_error(tmp_path, cells_csv):
    df = people(days=2).assign(cell="GHOST")
    with pytest.raises(InputError, match="no record is left"):
        od_from_records(write(df, tmp_path / "r.csv"), cells=cells_csv)


def test_bad_cells_table(tmp_path, records_csv):
    c = cells_table().astype({"lon": object})
    c.loc[1, "cell_id"] = c.loc[0, "cell_id"]
    c.loc[2, "lon"] = "east"
    p = tmp_path / "c.csv"
    c.to_csv(p, index=False)
    with pytest.raises(InputError) as e:
        od_from_records(records_csv, cells=p)
    assert len(e.value.problems) == 2
    assert "duplicate cell id" in str(e.value) and "not a number" in str(e.value)


def test_missing_cells_and_file(tmp_path, records_csv, cells_csv):
    with pytest.raises(InputError, match="cells table is needed"):
        od_from_records(records_csv)
    with pytest.raises(InputError, match="not found"):
        od_from_records(tmp_path / "nope.csv", cells=cells_csv)


def test_parameters_checked():
    with pytest.raises(ParameterError, match="'work_min_share' parameter of signaling"):
        SignalingParams(work_min_share=1.5)
    with pytest.raises(ParameterError, match="Unknown parameter"):
        SignalingParams.from_mapping({"nigth_start_hour": "22"})
    with pytest.raises(ParameterError, match="must be a int"):
        SignalingParams.from_mapping({"work_min_days": "three"})
    assert SignalingParams.from_mapping({"work_min_days": "4"}).work_min_days == 4
    with pytest.raises(ParameterError, match="engine"):
        get_engine("polars")


def test_bad_min_count_market_share_tz(records_csv, cells_csv):
    with pytest.raises(ParameterError, match="min_count"):
        od_from_records(records_csv, cells=cells_csv, min_count=0)
    with pytest.raises(ParameterError, match="market_share"):
        od_from_records(records_csv, cells=cells_csv, market_share=1.5)
    with pytest.raises(ParameterError, match="tz"):
        od_from_records(records_csv, cells=cells_csv, tz="Mars/Olympus")
    with pytest.raises(InputError, match="no share for home unit"):
        od_from_records(records_csv, cells=cells_csv, min_count=1,
                        market_share=pd.DataFrame({"unit_id": ["W"], "market_share": [0.5]}))


def test_spark_engine_fails_loudly_without_falling_back(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *a, **k):
        if name.startswith("pyspark"):
            raise ImportError("no pyspark here")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(EngineError, match="spark engine cannot run"):
        get_engine("spark")
