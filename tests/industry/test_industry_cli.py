"""``metrocircle industry`` on tiny files and on the shipped Chongqing census."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metrocircle.cli.main import main
from metrocircle.datasets import chongqing

LONG = """unit_id,industry,value
001,agri,10
001,manuf,30
002,agri,40
002,manuf,20
003,agri,5
003,manuf,5
"""


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["industry", "--no-progress", *args])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_long_table(tmp_path: Path, capsys) -> None:
    f = tmp_path / "jobs.csv"
    f.write_text(LONG)
    code, out, err = run(
        ["--table", str(f), "--out", str(tmp_path / "o"), "--measure", "jobs"], capsys
    )
    assert code == 0, err
    o = tmp_path / "o"
    for name in ("lq", "similarity", "krugman", "localisation", "specialisations", "collaboration"):
        assert (o / f"{name}.csv").exists()
    lq = pd.read_csv(o / "lq.csv", dtype={"unit_id": str}).set_index(["unit_id", "industry"])
    assert lq.loc[("001", "agri"), "lq"] == pytest.approx((10 / 40) / (55 / 110))
    sim = pd.read_csv(o / "similarity.csv", dtype={"unit_id": str}).set_index("unit_id")
    assert list(sim.columns) == ["001", "002", "003"]
    run_json = json.loads((o / "run.json").read_text())
    assert run_json["measure"] == "jobs"
    assert run_json["ellison_glaeser"].startswith("not computed")
    assert "Ellison-Glaeser index not computed" in out


def test_wide_with_reference_rows_units_firms_points(tmp_path: Path, capsys) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text(
        "code,pop,ind_a,ind_b,ind_c\n"
        "P,999,100,300,100\n"  # the province row: the reference
        "x1,5,10,30,\n"
        "x2,6,40,20,5\n"
        "x3,7,5,5,5\n"
    )
    units = tmp_path / "units.csv"
    units.write_text("unit_id,name,prov\nx1,One,S\nx2,Two,S\nx3,Three,T\n")
    firms = tmp_path / "firms.csv"
    firms.write_text("industry,value\nind_a,10\nind_a,45\nind_b,30\nind_b,25\nind_c,10\nind_c,4\n")
    rng = np.random.default_rng(0)
    pts = pd.DataFrame(
        {"x": rng.random(40), "y": rng.random(40), "label": rng.choice(["E", "P"], 40)}
    )
    points = tmp_path / "points.csv"
    pts.to_csv(points, index=False)
    o = tmp_path / "o"
    code, out, err = run(
        [
            "--table",
            str(wide),
            "--unit-col",
            "code",
            "--industries",
            "ind_*",
            "--blank-as-zero",
            "--reference-units",
            "P",
            "--units",
            str(units),
            "--group-col",
            "prov",
            "--firms",
            str(firms),
            "--points",
            str(points),
            "--pair",
            "E:P",
            "--permutations",
            "19",
            "--out",
            str(o),
        ],
        capsys,
    )
    assert code == 0, err
    lq = pd.read_csv(o / "lq.csv").set_index(["unit_id", "industry"])
    assert lq.loc[("x1", "ind_b"), "lq"] == pytest.approx((30 / 40) / (300 / 500))
    assert lq.loc[("x1", "ind_b"), "name"] == "One"
    assert len(lq) == 9  # the province row is the reference, not a unit
    eg = pd.read_csv(o / "ellison_glaeser.csv").set_index("industry")
    assert eg.loc["ind_a", "plant_herfindahl"] == pytest.approx((10 / 55) ** 2 + (45 / 55) ** 2)
    col = pd.read_csv(o / "colocation.csv")
    assert list(col["a"]) == ["E"] and col.loc[0, "permutations"] == 19
    local = pd.read_csv(o / "colocation_local.csv")
    assert len(local) == (pts["label"] == "E").sum()
    assert set(local["point_row"]) <= set(range(2, 42))
    pairs = pd.read_csv(o / "collaboration.csv")
    assert pairs["cross_group"].sum() == 2
    info = json.loads((o / "run.json").read_text())
    assert info["blank_cells_as_zero"] == 1
    assert info["inputs"]["reference_units"] == ["P"]
    assert info["reference"] == "sum of the table's rows P"


def test_bad_table_one_error(tmp_path: Path, capsys) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("unit_id,a,b\nu1,1,-3\nu2,x,1\nu3,0,0\nu4,2,\n")
    units = tmp_path / "units.csv"
    units.write_text("unit_id\nu1\nu2\nu4\nu9\n")
    code, out, err = run(
        ["--table", str(f), "--units", str(units), "--out", str(tmp_path / "o")], capsys
    )
    assert code == 2
    assert err.startswith("Error: ") and "Traceback" not in err
    assert "column 'b' is negative [2]" in err  # CSV line numbers
    assert "column 'a' is not a number [3]" in err
    assert "column 'b' is blank" in err
    assert err.count("\n  - ") == 3
    # reference rows taken out do not shift the line numbers
    f.write_text("unit_id,a,b\nP,10,10\nu1,1,-3\nu2,1,1\nu4,2,1\n")
    code, out, err = run(
        ["--table", str(f), "--reference-units", "P", "--out", str(tmp_path / "o")], capsys
    )
    assert code == 2 and "column 'b' is negative [3]" in err
    # the same table without value problems: unknown and absent units, zero rows
    f.write_text("unit_id,a,b\nu1,1,3\nu2,1,1\nu3,0,0\nu4,2,1\n")
    code, out, err = run(
        ["--table", str(f), "--units", str(units), "--out", str(tmp_path / "o")], capsys
    )
    assert code == 2
    assert "unit codes not among the given units [u3]" in err
    assert "units given but with no row in the table [u9]" in err
    for content in (None, "", "\x00\xff garbage", "a,b\n1\n2,3,4\n"):
        g = tmp_path / "g.csv"
        if content is None:
            g.unlink(missing_ok=True)
        else:
            g.write_text(content, errors="surrogateescape")
        code, out, err = run(["--table", str(g), "--out", str(tmp_path / "o")], capsys)
        assert code == 2 and err.startswith("Error: "), (content, err)


def test_parameter_errors(tmp_path: Path, capsys) -> None:
    code, _, err = run(["--out", str(tmp_path)], capsys)
    assert code == 2 and "The 'table' parameter of industry is required" in err
    code, _, err = run(["--example", "paris", "--out", str(tmp_path)], capsys)
    assert code == 2 and "'chongqing'" in err
    code, _, err = run(["--example", "chongqing", "--pair", "A-B", "--out", str(tmp_path)], capsys)
    assert code == 2 and "A:B" in err


def test_example_chongqing(tmp_path: Path, capsys) -> None:
    o = tmp_path / "cq"
    code, out, err = run(
        ["--example", "chongqing", "--threshold", "1.25", "--min-share", "0.05", "--out", str(o)],
        capsys,
    )
    assert code == 0, err
    assert "2020 census" in out and "58 units x 20 industries" in out
    info = json.loads((o / "run.json").read_text())
    assert "10 % sample" in info["measure"]
    assert info["inputs"]["example"]["census_rows_of_units"] == 58
    # recompute one LQ straight from the shipped census file
    census = pd.read_csv(chongqing.data_path("census_2020.csv"), dtype={"code": str})
    cols = [c for c in census.columns if c.startswith("ind_") and c != "ind_total"]
    c = census.set_index("code")[cols].fillna(0)
    ref = c.loc["500000"] + c.loc["510000"]
    beibei = c.loc["500109"]
    want = (beibei["ind_C_manufacturing"] / beibei.sum()) / (ref["ind_C_manufacturing"] / ref.sum())
    lq = pd.read_csv(o / "lq.csv", dtype={"unit_id": str}).set_index(["unit_id", "industry"])
    assert lq.loc[("500109", "C_manufacturing"), "lq"] == pytest.approx(want)
    assert len(lq) == 58 * 20
    spec = pd.read_csv(o / "specialisations.csv", dtype={"unit_id": str})
    assert (spec["lq"] > 1.25).all() and (spec["share"] >= 0.05).all()
    pairs = pd.read_csv(o / "collaboration.csv", dtype={"unit_a": str, "unit_b": str})
    assert len(pairs) == 58 * 57 // 2


def test_example_defaults_are_the_demos(tmp_path: Path, capsys) -> None:
    """Without options, --example uses the industry step of the shipped project: the same
    specialisations as 'metrocircle demo' (LQ > 1.25 and at least 5 % of the employed)."""
    from metrocircle.project import example_results

    o = tmp_path / "cq"
    code, _, err = run(["--example", "chongqing", "--out", str(o)], capsys)
    assert code == 0, err
    got = pd.read_csv(o / "specialisations.csv", dtype={"unit_id": str})
    want = example_results("chongqing", ["industry"]).table("industry", "specialisations")
    assert sorted(zip(got["unit_id"], got["industry"], strict=True)) == sorted(
        zip(want["unit_id"], want["industry"], strict=True))
    assert len(got) > 0 and (got["lq"] > 1.25).all() and (got["share"] >= 0.05).all()
    loc = pd.read_csv(o / "localisation.csv").set_index("industry")
    assert (loc["gini"] >= loc["hoover"] - 1e-12).all()


# -- the output folder: the same guarantees as every other command (model/output.py) -----------


def test_outputs_are_recorded_and_spreadsheet_safe(tmp_path: Path, capsys) -> None:
    from metrocircle.model.io import file_checksum

    f = tmp_path / "jobs.csv"
    f.write_text(LONG.replace("001", "=1+1").replace("agri", "@agri"))
    o = tmp_path / "o"
    code, _, err = run(["--table", str(f), "--out", str(o)], capsys)
    assert code == 0, err
    record = json.loads((o / "run.json").read_text())
    assert record["command"] == "industry"
    on_disk = sorted(p.name for p in o.iterdir() if p.name != "run.json")
    assert sorted(record["files"]) == on_disk
    for name, sha in record["files"].items():
        assert sha == file_checksum(o / name)
    assert record["inputs"]["table"]["sha256"] == file_checksum(f)
    text = (o / "lq.csv").read_text()
    assert "'=1+1" in text and "'@agri" in text
    assert "\n=1+1" not in text and ",@agri" not in text
    lq = pd.read_csv(o / "lq.csv")  # read back by metrocircle, the values are intact
    from metrocircle.model.io import read_table

    assert "=1+1" in set(read_table(o / "lq.csv")[0]["unit_id"]) and len(lq) == 6


def test_out_holding_the_table_is_refused_before_any_work(tmp_path: Path, capsys) -> None:
    f = tmp_path / "jobs.csv"
    f.write_text(LONG)
    code, _, err = run(["--table", str(f), "--out", str(tmp_path)], capsys)
    assert code == 2 and "holds the input" in err
    assert f.read_text() == LONG and sorted(p.name for p in tmp_path.iterdir()) == ["jobs.csv"]


@pytest.mark.parametrize("where", ["file", "under-file"])
def test_out_that_is_a_file_is_refused_before_reading(tmp_path: Path, capsys, where) -> None:
    target = tmp_path / "taken.csv"
    target.write_text("x")
    out = target if where == "file" else target / "sub"
    # the table does not exist: the folder is refused first, before any file is read
    code, _, err = run(["--table", str(tmp_path / "missing.csv"), "--out", str(out)], capsys)
    assert code == 2 and "file" in err and "missing.csv" not in err
    assert target.read_text() == "x"


def test_a_rerun_leaves_no_file_of_the_earlier_run(tmp_path: Path, capsys) -> None:
    f = tmp_path / "jobs.csv"
    f.write_text(LONG)
    pts = tmp_path / "points.csv"
    pts.write_text("label,lon,lat\n" + "".join(
        f"{'AB'[i % 2]},{106 + i * 0.01},{29 + (i % 3) * 0.01}\n" for i in range(12)))
    o = tmp_path / "o"
    code, _, err = run(["--table", str(f), "--points", str(pts), "--pair", "A:B",
                        "--permutations", "9", "--k", "3", "--out", str(o)], capsys)
    assert code == 0, err
    assert (o / "colocation.csv").exists()
    code, _, err = run(["--table", str(f), "--out", str(o)], capsys)
    assert code == 0, err
    assert not (o / "colocation.csv").exists() and not (o / "colocation_local.csv").exists()
    assert sorted(json.loads((o / "run.json").read_text())["files"]) == sorted(
        p.name for p in o.iterdir() if p.name != "run.json")


def test_a_folder_of_foreign_files_is_refused(tmp_path: Path, capsys) -> None:
    f = tmp_path / "jobs.csv"
    f.write_text(LONG)
    o = tmp_path / "o"
    o.mkdir()
    (o / "my_notes.txt").write_text("keep")
    code, _, err = run(["--table", str(f), "--out", str(o)], capsys)
    assert code == 2 and "no metrocircle run listed" in err
    assert (o / "my_notes.txt").read_text() == "keep"


def test_a_failed_run_leaves_the_earlier_results(tmp_path: Path, capsys) -> None:
    f = tmp_path / "jobs.csv"
    f.write_text(LONG)
    o = tmp_path / "o"
    assert run(["--table", str(f), "--out", str(o)], capsys)[0] == 0
    before = {p.name: p.read_bytes() for p in o.iterdir()}
    f.write_text(LONG.replace("40", "-40"))
    code, _, err = run(["--table", str(f), "--out", str(o)], capsys)
    assert code == 2, err
    assert {p.name: p.read_bytes() for p in o.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jobs.csv", "o"]
