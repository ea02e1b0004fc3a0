"""The ``od`` and ``simulate-signaling`` commands on tiny files."""

from __future__ import annotations

import json

import pandas as pd
from handmade import cells_table, people, write

from metrocircle.cli.main import main


def test_simulate_then_od(tmp_path, metro_units):
    sim = tmp_path / "sim"
    assert main(["simulate-signaling", "--units", str(metro_units), "--users", "120",
                 "--days", "7", "--seed", "4", "--out", str(sim)]) == 0
    for f in ("records.parquet", "cells.csv", "truth_users.csv", "truth_od.csv"):
        assert (sim / f).exists()
    out = tmp_path / "od"
    assert main(["od", "--records", str(sim / "records.parquet"), "--cells",
                 str(sim / "cells.csv"), "--min-count", "2", "--param", "work_min_days=3",
                 "--out", str(out)]) == 0
    od = pd.read_csv(out / "od.csv", dtype={"origin": str, "destination": str})
    assert list(od.columns) == ["origin", "destination", "value"]
    cells = od[od["origin"].ne("(suppressed)") & od["destination"].ne("(suppressed)")]
    assert (cells["value"] >= 2).all()
    units = pd.read_csv(out / "units.csv", dtype={"unit_id": str})
    assert list(units.columns) == ["unit_id", "residents", "workers", "commuting_rate_out",
                                   "commuting_rate_in", "suppressed"]
    acc = json.loads((out / "accounting.json").read_text())
    assert acc["used_records"] + sum(acc["dropped"].values()) == acc["input_records"]
    run = json.loads((out / "run.json").read_text())
    assert run["engine"] == "duckdb" and run["params"]["work_min_days"] == 3


def test_od_with_column_names_and_market_share(tmp_path):
    recs = people(days=7).rename(columns={"uid": "imsi", "time": "ts", "cell": "lac_ci"})
    rec = write(recs.rename(columns={"ts": "time"}), tmp_path / "r.csv")
    text = rec.read_text().replace("imsi,time,lac_ci", "imsi,ts,lac_ci", 1)
    rec.write_text(text)
    cells = cells_table().rename(columns={"cell_id": "id", "unit_id": "district"})
    cells.to_csv(tmp_path / "c.csv", index=False)
    out = tmp_path / "o"
    code = main(["od", "--records", str(rec), "--user-col", "imsi", "--time-col", "ts",
                 "--cell-col", "lac_ci", "--cells", str(tmp_path / "c.csv"),
                 "--cells-id-col", "id", "--cells-unit-col", "district", "--min-count", "1",
                 "--market-share", "0.5", "--out", str(out)])
    assert code == 0
    od = pd.read_csv(out / "od.csv")
    assert od.to_dict("records") == [{"origin": "H", "destination": "W", "value": 4.0}]


def test_od_bad_input_exit_code_2(tmp_path, capsys):
    p = tmp_path / "r.csv"
    p.write_text("uid,time\n")
    cells_table().to_csv(tmp_path / "c.csv", index=False)
    code = main(["od", "--records", str(p), "--cells", str(tmp_path / "c.csv"),
                 "--out", str(tmp_path / "o")])
    assert code == 2
    assert "missing column" in capsys.readouterr().err
    code = main(["od", "--records", str(p), "--cells", str(tmp_path / "c.csv"),
                 "--param", "oops", "--out", str(tmp_path / "o")])
    assert code == 2
