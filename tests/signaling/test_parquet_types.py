"""Parquet records as operators and pandas write them: nullable integer or text user ids with
missing values, timestamps in nanoseconds or microseconds. Both engines give the result of
the same records written as CSV, with the records without a user counted as missing.

A tester on DuckDB 2.0.1 saw "Unimplemented type for cast (INT64 -> INT64)" here: that
version fails on ``epoch_ms`` of a nanosecond timestamp, which the DuckDB adapter no longer
uses (it floors nanoseconds to microseconds itself, as the Spark adapter does, and casts a
column only when its type differs).
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from handmade import cells_table, people, write

from metrocircle.signaling import od_from_records
from metrocircle.signaling.engines.spark import SparkEngine

EVERY = 7  # every 7th record has no user


def _records(uid: str, unit: str, tz: str | None) -> tuple[pd.DataFrame, pa.Table]:
    recs = people(days=7).reset_index(drop=True)
    # a record at .9999999 s past the minute: flooring, not rounding, keeps it in that second
    recs.loc[1, "time"] = recs.loc[1, "time"] + pd.Timedelta(nanoseconds=999_999_999)
    codes = {u: i + 1 for i, u in enumerate(sorted(recs["uid"].unique()))}
    ids: list[object] = (
        [codes[u] for u in recs["uid"]] if uid == "int" else list(recs["uid"]))
    for i in range(0, len(ids), EVERY):
        ids[i] = None
    times = recs["time"] if tz is None else recs["time"] - pd.Timedelta(hours=8)
    table = pa.table({
        "uid": pa.array(ids, pa.int64() if uid == "int" else pa.string()),
        "time": pa.array(times.astype("datetime64[ns]"), pa.timestamp("ns")).cast(
            pa.timestamp(unit, tz="UTC" if tz else None), safe=False),
        "cell": pa.array(recs["cell"], pa.string()),
    })
    plain = recs.assign(uid=[None if v is None else str(v) for v in ids], time=times)
    return plain, table


def _same(a, b) -> None:
    assert a.accounting == b.accounting
    pd.testing.assert_frame_equal(a.od, b.od)
    pd.testing.assert_frame_equal(a.units, b.units)
    pd.testing.assert_frame_equal(a.remainder, b.remainder)


@pytest.mark.parametrize("tz", [None, "Asia/Shanghai"])
@pytest.mark.parametrize("unit", ["ns", "us"])
@pytest.mark.parametrize("uid", ["int", "str"])
def test_missing_user_ids_on_duckdb(tmp_path, uid, unit, tz) -> None:
    cells = tmp_path / "cells.csv"
    cells_table().to_csv(cells, index=False)
    plain, table = _records(uid, unit, tz)
    pq.write_table(table, tmp_path / "r.parquet")
    missing = int(plain["uid"].isna().sum())
    assert missing > 0 and table.schema.field("uid").nullable
    got = od_from_records(tmp_path / "r.parquet", cells=cells, engine="duckdb", min_count=1,
                          tz=tz, keep_users=True)
    assert got.accounting["dropped"]["missing_value"] == missing
    assert got.accounting["used_records"] == len(plain) - missing
    # the same records as CSV text (whole seconds: the sub-second part is floored either way)
    text = plain.assign(time=plain["time"].dt.floor("s"))
    want = od_from_records(write(text, tmp_path / "r.csv"), cells=cells, engine="duckdb",
                           min_count=1, tz=tz, keep_users=True)
    _same(got, want)
    assert got.accounting["users"]["with_work"] == 2


@pytest.mark.spark
@pytest.mark.parametrize("tz", [None, "Asia/Shanghai"])
@pytest.mark.parametrize("uid", ["int", "str"])
def test_missing_user_ids_same_on_spark(spark, tmp_path, uid, tz) -> None:
    cells = tmp_path / "cells.csv"
    cells_table().to_csv(cells, index=False)
    plain, table = _records(uid, "ns", tz)
    pq.write_table(table, tmp_path / "r.parquet")
    kw = {"cells": cells, "min_count": 1, "tz": tz}
    a = od_from_records(tmp_path / "r.parquet", engine="duckdb", **kw)
    b = od_from_records(tmp_path / "r.parquet", engine=SparkEngine(spark=spark), **kw)
    _same(a, b)
    assert a.accounting["dropped"]["missing_value"] == int(plain["uid"].isna().sum())
