"""DuckDB and Spark give identical outputs on the same input (real local Spark)."""

from __future__ import annotations

import pandas as pd
import pytest
from handmade import cells_table, people, pingpong_user, write
from test_disclosure import check_protected

from metrocircle.signaling import od_from_records
from metrocircle.signaling.engines.spark import SparkEngine

pytestmark = pytest.mark.spark


def _both(spark, records, **kw):
    a = od_from_records(records, engine="duckdb", **kw)
    b = od_from_records(records, engine=SparkEngine(spark=spark), **kw)
    return a, b


def _same(a, b):
    assert a.accounting == b.accounting
    pd.testing.assert_frame_equal(a.od, b.od)
    pd.testing.assert_frame_equal(a.units, b.units)
    pd.testing.assert_frame_equal(a.remainder, b.remainder)
    assert a.run["engine"] == "duckdb" and b.run["engine"] == "spark"


def test_parity_on_simulated_records(spark, tmp_path, metro_units):
    from metrocircle.signaling import simulate_signaling

    simulate_signaling(metro_units, users=250, days=7, random_state=3, out_dir=tmp_path)
    a, b = _both(spark, tmp_path / "records.parquet", cells=tmp_path / "cells.csv",
                 min_count=2, market_share=0.3, keep_users=True)
    _same(a, b)
    assert a.accounting["dropped"]["ping_pong"] > 0 and a.accounting["dropped"]["duplicate"] > 0
    assert len(a.od) > 5
    # the differencing audit of issue 13 on what each engine writes: the same files, and no
    # suppressed pair can be solved for from them
    users = a._users[a._users["home_unit"].notna() & a._users["work_unit"].notna()]
    truth = (users.groupby(["home_unit", "work_unit"]).size().rename("n").reset_index()
             .rename(columns={"home_unit": "origin", "work_unit": "destination"}))
    assert a.accounting["od"]["pairs_suppressed_below_min_count"] > 0
    files = {}
    for res in (a, b):
        out = res.write(tmp_path / res.run["engine"])
        ranges = check_protected(out, truth, 0.3, 2)
        assert len(ranges) == res.accounting["od"]["pairs_suppressed"]
        files[res.run["engine"]] = [(out / f).read_text() for f in ("od.csv", "units.csv",
                                                                    "accounting.json")]
    assert files["duckdb"] == files["spark"]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_parity_on_handmade_records_with_every_drop_reason(spark, tmp_path, fmt):
    cells = tmp_path / "cells.csv"
    cells_table().to_csv(cells, index=False)
    recs = pd.concat([people(days=14), pingpong_user(), pingpong_user().iloc[:3]])
    extra = pd.DataFrame({"uid": ["x", None], "time": pd.to_datetime(["2024-03-05 10:00",
                                                                      "2024-03-05 11:00"]),
                          "cell": ["NOPE", "H1"]})
    if fmt == "csv":
        rec = write(pd.concat([recs, extra]), tmp_path / "r.csv")
    else:  # counted from the file's metadata, the reasons after the first pass
        rec = tmp_path / "r.parquet"
        pd.concat([recs, extra]).to_parquet(rec, index=False)
    a, b = _both(spark, rec, cells=cells, min_count=1, params={"end_date": "2024-03-17"})
    _same(a, b)
    assert all(v > 0 for v in a.accounting["dropped"].values()), a.accounting


def test_parity_lonlat_and_time_zone(spark, tmp_path):
    from handmade import CELLS, at

    recs = people(days=7)
    xy = {c: at(dx, dy) for c, (dx, dy, _) in CELLS.items()}
    recs["lon"] = recs["cell"].map(lambda c: xy[c][0])
    recs["lat"] = recs["cell"].map(lambda c: xy[c][1])
    recs["time"] = recs["time"] - pd.Timedelta(hours=8)  # as UTC
    rec = write(recs.drop(columns="cell"), tmp_path / "r.csv")
    a, b = _both(spark, rec, cell_col=None, lon_col="lon", lat_col="lat", tz="Asia/Shanghai",
                 min_count=1, params={"grid_deg": 0.002})
    _same(a, b)
    assert a.accounting["users"]["with_work"] == 2


@pytest.mark.parametrize("aware", [False, True])
def test_parity_parquet_nanosecond_timestamps_with_time_zone(spark, tmp_path, aware):
    """pandas writes nanosecond timestamps, which Spark reads only as integers: same result."""
    cells = tmp_path / "cells.csv"
    cells_table().to_csv(cells, index=False)
    recs = people(days=7)
    recs["time"] = recs["time"] - pd.Timedelta(hours=8)  # as UTC
    if aware:
        recs["time"] = recs["time"].dt.tz_localize("UTC")
    rec = tmp_path / "r.parquet"
    recs.astype({"time": recs["time"].dtype.name.replace("[us", "[ns")}).to_parquet(rec,
                                                                                  index=False)
    import pyarrow.parquet as pq

    assert pq.read_schema(rec).field("time").type.unit == "ns"
    a, b = _both(spark, rec, cells=cells, tz="Asia/Shanghai", min_count=1)
    _same(a, b)
    assert a.accounting["users"]["with_work"] == 2
    assert a.accounting["used_records"] == len(recs)


def test_parity_directory_of_parquet_files(spark, tmp_path):
    """A directory of Parquet parts (as Spark and operators write them) is one input."""
    cells = tmp_path / "cells.csv"
    cells_table().to_csv(cells, index=False)
    recs = pd.concat([people(days=7), pingpong_user()]).reset_index(drop=True)
    parts = tmp_path / "records"
    parts.mkdir()
    half = len(recs) // 2
    recs.iloc[:half].to_parquet(parts / "part-0.parquet", index=False)
    recs.iloc[half:].to_parquet(parts / "part-1.parquet", index=False)
    a, b = _both(spark, parts, cells=cells, min_count=1)
    _same(a, b)
    assert a.accounting["input_records"] == len(recs)
    whole = tmp_path / "whole.parquet"
    recs.to_parquet(whole, index=False)
    c = od_from_records(whole, cells=cells, min_count=1)
    assert c.accounting == a.accounting
    pd.testing.assert_frame_equal(c.od, a.od)
