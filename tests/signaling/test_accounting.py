"""Accounting always adds up, on arbitrary messy records (hypothesis)."""

from __future__ import annotations

import pandas as pd
from handmade import START, cells_table
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrocircle.signaling import od_from_records

CELL_IDS = ["H1", "H2", "S1", "W1", "FAR", "GHOST"]

record = st.tuples(
    st.sampled_from(["a", "b", "c", None]),
    st.integers(min_value=-2 * 86400, max_value=9 * 86400),
    st.sampled_from(CELL_IDS),
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(record, min_size=1, max_size=120),
       dup=st.lists(st.integers(min_value=0, max_value=119), max_size=20),
       fmt=st.sampled_from(["csv", "parquet"]))
def test_accounting_adds_up(tmp_path_factory, rows, dup, fmt):
    """CSV files are counted by a scan; Parquet files by their metadata, with the drop reasons
    counted only when records are missing from the first window pass: both must add up."""
    rows = rows + [rows[i] for i in dup if i < len(rows)]
    d = tmp_path_factory.mktemp("acc")
    cells_table().to_csv(d / "cells.csv", index=False)
    df = pd.DataFrame(rows, columns=["uid", "sec", "cell"])
    df["time"] = START + pd.to_timedelta(df["sec"], unit="s")
    if fmt == "csv":
        df["time"] = df["time"].dt.strftime("%Y-%m-%d %H:%M:%S")
        df[["uid", "time", "cell"]].to_csv(d / "r.csv", index=False)
    else:
        df[["uid", "time", "cell"]].to_parquet(d / "r.parquet", index=False)
    try:
        res = od_from_records(d / f"r.{fmt}", cells=d / "cells.csv", min_count=1,
                              params={"start_date": "2024-03-04", "end_date": "2024-03-11"})
    except Exception as err:  # only "nothing left" is allowed, and only when it is true
        assert "no record is left" in str(err)
        return
    acc = res.accounting
    assert acc["input_records"] == len(df)
    assert acc["used_records"] + sum(acc["dropped"].values()) == acc["input_records"]
    assert acc["dropped"]["missing_value"] == int(df["uid"].isna().sum())
    valid = df[df["uid"].notna() & df["cell"].ne("GHOST") & df["sec"].between(0, 7 * 86400 - 1)]
    assert acc["dropped"]["duplicate"] == len(valid) - len(valid.drop_duplicates())
    assert acc["dropped"]["unknown_cell"] == int(
        (df["uid"].notna() & df["cell"].eq("GHOST") & df["sec"].between(0, 7 * 86400 - 1)).sum())
    assert acc["dropped"]["outside_window"] == int(
        (df["uid"].notna() & ~df["sec"].between(0, 7 * 86400 - 1)).sum())
    u = acc["users"]
    assert u["seen"] == valid["uid"].nunique()
    assert u["with_home"] + u["with_neither"] == u["seen"]
    assert u["with_home_only"] + u["with_work"] == u["with_home"]
    assert int(res.od["value"].sum()) + acc["od"]["commuters_suppressed_sample"] \
        == acc["od"]["commuters_sample"]
