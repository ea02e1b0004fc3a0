"""Issue 13 class 8: a semicolon- or tab-separated records file is read the same way by DuckDB
and by Spark (both get the delimiter the data model sniffs), and the cells table goes through the
data model's reader (same sniffing, same encodings)."""

from __future__ import annotations

import pandas as pd
import pytest
from handmade import cells_table, people

from metrocircle.signaling import od_from_records
from metrocircle.signaling.engines.spark import SparkEngine

pytestmark = pytest.mark.spark


@pytest.mark.parametrize("sep", [";", "\t"])
def test_engines_agree_on_a_semicolon_or_tab_records_file(spark, tmp_path, sep):
    cells = tmp_path / "cells.csv"
    cells_table().to_csv(cells, index=False, sep=sep, encoding="gb18030")
    recs = people(days=7)
    recs["time"] = recs["time"].dt.strftime("%Y-%m-%d %H:%M:%S")
    path = tmp_path / "records.csv"
    recs.to_csv(path, index=False, sep=sep)
    comma = tmp_path / "records_comma.csv"
    recs.to_csv(comma, index=False)
    kw = {"cells": cells, "min_count": 1}
    want = od_from_records(comma, engine="duckdb", **kw)
    a = od_from_records(path, engine="duckdb", **kw)
    b = od_from_records(path, engine=SparkEngine(spark=spark), **kw)
    assert a.accounting == b.accounting == want.accounting
    assert a.accounting["input_records"] == len(recs)
    pd.testing.assert_frame_equal(a.od, b.od)
    pd.testing.assert_frame_equal(a.od, want.od)
