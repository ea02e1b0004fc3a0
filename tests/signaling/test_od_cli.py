"""The ``od`` and ``simulate-signaling`` commands on tiny files."""

from __future__ import annotations

import json

import pandas as pd
from handmade import cells_table, people, write

from metrocircle.cli.main import main


def test_simulate_then_od(tmp_path, metro_units, capsys):
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
    # the console says what the published od.csv leaves out, not only what it holds
    printed = capsys.readouterr().out
    a = acc["od"]
    assert f"{a['pairs_published']} OD pairs published" in printed
    assert a["pairs"] - a["pairs_suppressed"] == len(cells)


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


def test_od_output_feeds_delineate_without_renaming(tmp_path, metro_units, capsys):
    """od.csv (origin,destination,value, with its suppressed remainders) goes straight into
    delineate; units whose decisive flow may be hidden say 'suppressed', never 'no flow'."""
    sim, out, dl = tmp_path / "sim", tmp_path / "od", tmp_path / "dl"
    assert main(["simulate-signaling", "--units", str(metro_units), "--users", "400",
                 "--days", "7", "--seed", "2", "--out", str(sim)]) == 0
    assert main(["od", "--records", str(sim / "records.parquet"), "--cells",
                 str(sim / "cells.csv"), "--out", str(out)]) == 0
    said = capsys.readouterr().out
    acc = json.loads((out / "accounting.json").read_text())["od"]
    assert acc["pairs_suppressed"] > 0
    assert f"{acc['pairs_suppressed']} pairs with {acc['commuters_suppressed']:,} commuters " \
           "suppressed" in said
    od = pd.read_csv(out / "od.csv", dtype={"origin": str, "destination": str})
    assert (od["destination"] == "(suppressed)").any()
    cores = tmp_path / "cores.csv"
    pd.DataFrame({"unit_id": ["500103", "500105"], "area_id": ["metro", "metro"]}).to_csv(
        cores, index=False)
    assert main(["delineate", "jp-uea", "--flows", str(out / "od.csv"), "--cores", str(cores),
                 "--units", str(metro_units), "--out", str(dl), "--no-progress"]) == 0
    m = pd.read_csv(dl / "membership.csv", dtype={"unit_id": str})
    assert len(m) == 27 and "(suppressed)" not in set(m["unit_id"])
    hidden = m[m["rule"] == "suppressed"]
    assert len(hidden) > 0
    assert (hidden["share_low"] <= hidden["share_high"]).all()
    assert (hidden["share_high"] >= 0.1).all()
    # with no suppression, the same run has no such rule
    out1, dl1 = tmp_path / "od1", tmp_path / "dl1"
    assert main(["od", "--records", str(sim / "records.parquet"), "--cells",
                 str(sim / "cells.csv"), "--min-count", "1", "--out", str(out1)]) == 0
    assert "none suppressed" in capsys.readouterr().out
    assert main(["delineate", "jp-uea", "--flows", str(out1 / "od.csv"), "--cores", str(cores),
                 "--units", str(metro_units), "--out", str(dl1), "--no-progress"]) == 0
    m1 = pd.read_csv(dl1 / "membership.csv", dtype={"unit_id": str})
    assert not (m1["rule"] == "suppressed").any()
