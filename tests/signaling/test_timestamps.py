"""Timestamps in every form are read alike by both engines (issue 13, class 5).

The analysis time zone is ``tz``. Without it, timestamps are local wall-clock time and one that
carries an offset or a zone is an error naming the records; with it, every timestamp is
converted to that zone's wall-clock time (an offset is respected, text without one is UTC).
Dates before 1990 or from 2100 on are an error naming the records.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from handmade import cells_table, people

from metrocircle.exceptions import InputError
from metrocircle.signaling import od_from_records
from metrocircle.signaling.engines.spark import SparkEngine

TZ = "Asia/Shanghai"


@pytest.fixture(scope="module")
def local():
    """Four people over a week, in local (Beijing) wall-clock time."""
    return people(days=7)


@pytest.fixture()
def cells(tmp_path):
    p = tmp_path / "cells.csv"
    cells_table().to_csv(p, index=False)
    return p


def _utc(local: pd.DataFrame) -> pd.Series:
    return local["time"].dt.tz_localize(TZ).dt.tz_convert("UTC")


def _text_forms(local: pd.DataFrame) -> dict[str, pd.Series]:
    """The same instants written as text in several ways."""
    utc = _utc(local)
    rng = np.random.default_rng(0)
    zones = ["UTC", TZ, "America/New_York", "Asia/Kolkata"]
    pick = rng.integers(0, len(zones), len(local))
    mixed = []
    for i, (ts, k) in enumerate(zip(utc, pick, strict=True)):
        z = ts.tz_convert(zones[k])
        s = z.isoformat()
        if k == 0:
            s = z.strftime("%Y-%m-%dT%H:%M:%SZ")
        elif i % 3 == 0:
            s = z.strftime("%Y-%m-%d %H:%M:%S%z")  # +0800 without a colon
        mixed.append(s)
    return {
        "z": utc.dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "plus8": local["time"].dt.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
        "mixed": pd.Series(mixed, index=local.index),
        "naive_utc": utc.dt.strftime("%Y-%m-%d %H:%M:%S"),
    }


def _write_csv(local: pd.DataFrame, times: pd.Series, path) -> str:
    local.assign(time=times.to_numpy()).to_csv(path, index=False)
    return str(path)


def _run(records, cells, engine, **kw):
    return od_from_records(records, cells=cells, engine=engine, min_count=1, keep_users=True,
                           **kw)


def _same(a, b):
    assert a.accounting == b.accounting
    pd.testing.assert_frame_equal(a.od, b.od)
    pd.testing.assert_frame_equal(a.units, b.units)
    ua = a._users.sort_values("uid").reset_index(drop=True)
    ub = b._users.sort_values("uid").reset_index(drop=True)
    pd.testing.assert_frame_equal(ua[["uid", "home_unit", "work_unit"]],
                                  ub[["uid", "home_unit", "work_unit"]])


@pytest.fixture()
def reference(tmp_path, local, cells):
    """Local wall-clock text without tz: the result every other form must give."""
    res = _run(_write_csv(local, local["time"].dt.strftime("%Y-%m-%d %H:%M:%S"),
                          tmp_path / "ref.csv"), cells, "duckdb")
    assert res.accounting["users"]["with_work"] == 2
    return res


@pytest.mark.spark
def test_every_form_gives_the_local_result_on_both_engines(spark, tmp_path, local, cells,
                                                           reference):
    files = {name: _write_csv(local, s, tmp_path / f"{name}.csv")
             for name, s in _text_forms(local).items()}
    utc = _utc(local)
    for name, times in {"aware_utc": utc, "aware_local": utc.dt.tz_convert(TZ),
                        "naive_utc": utc.dt.tz_localize(None)}.items():
        p = tmp_path / f"{name}.parquet"
        local.assign(time=times.to_numpy() if name == "naive_utc" else times).to_parquet(p)
        files[f"parquet_{name}"] = str(p)
    for name, path in files.items():
        a = _run(path, cells, "duckdb", tz=TZ)
        b = _run(path, cells, SparkEngine(spark=spark), tz=TZ)
        _same(a, b)
        _same(a, reference), name


@pytest.mark.spark
@pytest.mark.parametrize("form", ["z", "plus8", "mixed"])
def test_offsets_without_tz_are_an_error_on_both_engines(spark, tmp_path, local, cells, form):
    times = _text_forms(local)[form]
    # the offset sits on a few records only: still every one is found
    if form == "plus8":
        times = local["time"].dt.strftime("%Y-%m-%d %H:%M:%S")
        times.iloc[[3, 10]] = local["time"].iloc[[3, 10]].dt.strftime("%Y-%m-%dT%H:%M:%S+08:00")
    path = _write_csv(local, times, tmp_path / "r.csv")
    msgs = []
    for engine in ("duckdb", SparkEngine(spark=spark)):
        with pytest.raises(InputError) as e:
            _run(path, cells, engine)
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]
    assert "no analysis time zone" in msgs[0] and "--tz" in msgs[0]
    if form == "plus8":
        assert "has 2 timestamp(s)" in msgs[0] and "[line 5, line 12]" in msgs[0], msgs[0]


@pytest.mark.spark
def test_aware_parquet_without_tz_is_an_error_before_any_work(spark, tmp_path, local, cells):
    p = tmp_path / "r.parquet"
    local.assign(time=_utc(local)).to_parquet(p)
    for engine in ("duckdb", SparkEngine(spark=spark)):
        with pytest.raises(InputError, match="time-zone-aware timestamps.*'UTC'.*--tz"):
            _run(p, cells, engine)


@pytest.mark.spark
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_implausible_dates_name_the_records(spark, tmp_path, local, cells, fmt):
    recs = local.copy()
    text = recs["time"].dt.strftime("%Y-%m-%d %H:%M:%S")
    if fmt == "csv":
        text.iloc[4] = "1970-01-01 00:00:00"  # a phone whose clock was reset
        text.iloc[8] = "2150-06-01 12:00:00"
        text.iloc[9] = "20240-03-04 10:00:00"  # a year typed wrong, past any int32 day count
        path = _write_csv(recs, text, tmp_path / "r.csv")
        rows = "[line 6, line 10, line 11]"
    else:
        t = recs["time"].astype("datetime64[us]").copy()
        t.iloc[4] = pd.Timestamp("1989-12-31 23:59:59")
        t.iloc[8] = pd.Timestamp("2100-01-01 00:00:00")
        path = tmp_path / "r.parquet"
        recs.assign(time=t).to_parquet(path)
        rows = "[row 5, row 9]"
    msgs = []
    for engine in ("duckdb", SparkEngine(spark=spark)):
        with pytest.raises(InputError) as e:
            _run(path, cells, engine)
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]
    assert "outside the plausible range 1990-01-01 to 2100-01-01" in msgs[0]
    assert rows in msgs[0], msgs[0]


def test_one_error_lists_every_kind_of_timestamp_problem(tmp_path, local, cells):
    text = local["time"].dt.strftime("%Y-%m-%d %H:%M:%S")
    text.iloc[2] = "yesterday"
    text.iloc[5] = "2024-03-04T08:00:00Z"
    text.iloc[7] = "1899-12-31 00:00:00"
    with pytest.raises(InputError) as e:
        _run(_write_csv(local, text, tmp_path / "r.csv"), cells, "duckdb")
    assert len(e.value.problems) == 3
    msg = str(e.value)
    for row, what in (("[line 4]", "cannot be parsed"), ("[line 7]", "no analysis time zone"),
                      ("[line 9]", "plausible range")):
        assert any(row in str(p) and what in str(p) for p in e.value.problems), msg
