"""The sensitivity, uncertainty and compare commands on tiny real files: what they write, the
maps they draw (or why not), and one clear error for each bad input."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from metrocircle.cli.main import main

SHARES = {"u1": 0.12, "u2": 0.2, "u3": 0.3, "u4": 0.45}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """Core C in the middle of a row of five square units; u1..u4 send the given shares of
    their employed residents to C, with a 90 % margin of 8 on that flow."""
    rows = [("C", "C", 500.0, 0.0)]
    for u, s in SHARES.items():
        rows += [(u, "C", 100.0 * s, 8.0), (u, u, 100.0 * (1 - s), 0.0)]
    flows = pd.DataFrame(rows, columns=["home", "work", "workers", "margin"])
    order = ["u1", "u2", "C", "u3", "u4"]
    polygons = gpd.GeoDataFrame(
        {"unit_id": order, "name": [f"unit {u}" for u in order]},
        geometry=[box(k, 0, k + 1, 1) for k in range(5)],
        crs=3857,
    )
    paths = {
        "flows": tmp_path / "flows.csv",
        "cores": tmp_path / "cores.csv",
        "adjacency": tmp_path / "adjacency.csv",
        "polygons": tmp_path / "units.geojson",
        "units": tmp_path / "units.csv",
    }
    flows.to_csv(paths["flows"], index=False)
    pd.DataFrame({"unit_id": ["C"], "area_id": ["A"]}).to_csv(paths["cores"], index=False)
    pd.DataFrame({"unit_a": order[:-1], "unit_b": order[1:]}).to_csv(
        paths["adjacency"], index=False
    )
    polygons.to_file(paths["polygons"], driver="GeoJSON")
    pd.DataFrame(polygons.drop(columns="geometry")).to_csv(paths["units"], index=False)
    return paths


def inputs(f: dict[str, Path], units: str = "polygons") -> list[str]:
    return [
        "--flows", str(f["flows"]), "--origin-col", "home", "--destination-col", "work",
        "--value-col", "workers", "--cores", str(f["cores"]), "--adjacency",
        str(f["adjacency"]), "--units", str(f[units]), "--no-progress",
    ]  # fmt: skip


def run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_sensitivity_writes_tables_map_and_chart(files, tmp_path, capsys):
    out = tmp_path / "s"
    code, text, err = run(
        [
            "sensitivity",
            "omb-cbsa",
            *inputs(files),
            "--vary",
            "threshold=0.1:0.5:0.1",
            "--caption",
            "Hand-made test data",
            "--out",
            str(out),
        ],
        capsys,
    )
    assert code == 0, err
    assert "omb-cbsa over threshold 0.1..0.5 (5 values): 6 runs" in text
    units = pd.read_csv(out / "units.csv", dtype={"unit_id": str}).set_index("unit_id")
    assert units.loc["u3", "threshold_nearest_flip"] == 0.4
    assert units.loc["u1", "name"] == "unit u1"
    assert len(pd.read_csv(out / "runs.csv")) == 6
    assert len(pd.read_csv(out / "membership_by_run.csv")) == 30
    drawn = sorted(p.name for p in (out / "maps").iterdir())
    assert drawn == ["area_size.png", "area_size.svg", "stability.png", "stability.svg"]
    svg = (out / "maps" / "stability.svg").read_text()
    assert "Hand-made test data" in svg and "units.geojson" in svg  # the caption: the source
    record = json.loads((out / "run.json").read_text())
    assert record["method"] == "omb-cbsa" and record["vary"] == {
        "threshold": [0.1, 0.2, 0.3, 0.4, 0.5]
    }
    assert "maps/stability.svg" in record["files"] and record["maps"]["notes"] == []


def test_sensitivity_without_polygons_says_so(files, tmp_path, capsys):
    out = tmp_path / "s"
    code, text, err = run(
        [
            "sensitivity",
            "omb-cbsa",
            *inputs(files, "units"),
            "--vary",
            "threshold=0.2,0.3",
            "--out",
            str(out),
        ],
        capsys,
    )
    assert code == 0, err
    assert "no maps: the units have no polygons" in text
    assert sorted(p.name for p in (out / "maps").iterdir()) == ["area_size.png", "area_size.svg"]
    assert json.loads((out / "run.json").read_text())["maps"]["notes"][0].startswith("no maps")


@pytest.mark.parametrize(
    ("vary", "message"),
    [
        ("threshold", "--vary takes NAME=START:STOP:STEP"),
        ("thresh=0.1:0.2:0.1", "omb-cbsa has no parameter 'thresh'"),
        (
            "threshold=0.5:1.5:0.5",
            "The 'threshold' parameter of omb-cbsa must be a float in (0, 1]. Got 1.5",
        ),
        ("threshold=0.3:0.1:0.1", "START <= STOP and STEP > 0"),
    ],
)
def test_sensitivity_bad_vary(files, tmp_path, capsys, vary, message):
    code, _, err = run(
        ["sensitivity", "omb-cbsa", *inputs(files), "--vary", vary, "--out", str(tmp_path / "s")],
        capsys,
    )
    assert code == 2 and err.startswith("Error: ") and message in err
    assert "Traceback" not in err and not (tmp_path / "s").exists()


def test_uncertainty_writes_probabilities_and_map(files, tmp_path, capsys):
    out = tmp_path / "u"
    code, text, err = run(
        [
            "uncertainty",
            "omb-cbsa",
            *inputs(files),
            "--moe-col",
            "margin",
            "--replicates",
            "50",
            "--random-state",
            "4",
            "--out",
            str(out),
        ],
        capsys,
    )
    assert code == 0, err
    assert "omb-cbsa on 50 replicate flow tables (normal, sd = moe / 1.645, cut at 0)" in text
    units = pd.read_csv(out / "units.csv", dtype={"unit_id": str}).set_index("unit_id")
    assert list(units.columns[:4]) == ["name", "status", "area_id", "p_status"]
    assert 0 < units.loc["u3", "p_status"] < 1  # 30 +- 8 falls below 25 now and then
    # u4's own share (45 +- 8) always passes, but it reaches C only through u3 (contiguity)
    assert units.loc["u4", "share_low"] > 0.25
    assert units.loc["u4", "p_status"] == units.loc["u3", "p_status"]
    probs = pd.read_csv(out / "probabilities.csv")
    assert list(probs.columns) == ["unit_id", "area_id", "probability"]
    assert (out / "membership.csv").exists()
    assert sorted(p.name for p in (out / "maps").iterdir()) == [
        "membership_probability.png",
        "membership_probability.svg",
    ]
    again = tmp_path / "u2"
    assert (
        main(
            [
                "uncertainty",
                "omb-cbsa",
                *inputs(files),
                "--moe-col",
                "margin",
                "--replicates",
                "50",
                "--random-state",
                "4",
                "--jobs",
                "2",
                "--no-maps",
                "--out",
                str(again),
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert (again / "units.csv").read_text() == (out / "units.csv").read_text()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "Sampling uncertainty needs each flow's error: give --moe-col COLUMN"),
        (["--moe-col", "moe"], "column 'moe' not found; the file has: home, work, workers, margin"),
        (["--moe-col", "margin", "--relative-error", "0.1"], "not both"),
        (
            ["--moe-col", "margin", "--replicates", "0"],
            "The 'replicates' parameter of uncertainty must be an integer in [1, 100000]. Got 0.",
        ),
    ],
)
def test_uncertainty_errors(files, tmp_path, capsys, extra, message):
    code, _, err = run(
        ["uncertainty", "omb-cbsa", *inputs(files), *extra, "--out", str(tmp_path / "u")], capsys
    )
    assert code == 2 and message in err and "Traceback" not in err


def test_uncertainty_example_without_margins_is_a_clear_error(tmp_path, capsys):
    code, _, err = run(
        [
            "uncertainty",
            "omb-cbsa",
            "--example",
            "us-cbsa",
            "--moe-col",
            "moe",
            "--out",
            str(tmp_path / "u"),
        ],
        capsys,
    )
    assert code == 2 and "the flows have no column 'moe'" in err


def test_compare_two_runs_with_flows_and_polygons(files, tmp_path, capsys):
    flows_b = tmp_path / "flows_b.csv"
    f = pd.read_csv(files["flows"])
    f.loc[(f["home"] == "u2") & (f["work"] == "C"), "workers"] = 35.0
    f.loc[(f["home"] == "u2") & (f["work"] == "u2"), "workers"] = 65.0
    f.to_csv(flows_b, index=False)
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["delineate", "omb-cbsa", *inputs(files), "--out", str(a)]) == 0
    b_inputs = inputs(files)
    b_inputs[1] = str(flows_b)
    assert main(["delineate", "omb-cbsa", *b_inputs, "--out", str(b)]) == 0
    capsys.readouterr()
    out = tmp_path / "c"
    code, text, err = run(
        [
            "compare",
            str(a / "membership.csv"),
            str(b / "membership.csv"),
            "--flows-a",
            str(files["flows"]),
            "--flows-b",
            str(flows_b),
            "--origin-col",
            "home",
            "--destination-col",
            "work",
            "--value-col",
            "workers",
            "--units",
            str(files["polygons"]),
            "--out",
            str(out),
        ],
        capsys,
    )
    assert code == 0, err
    assert "5 units compared: 1 joined, 0 left, 0 moved, 4 same" in text
    assert "joined: 1 flows" in text
    ch = pd.read_csv(out / "changes.csv")
    assert list(ch.columns[:5]) == ["unit_id", "change", "area_a", "area_b", "cause"]
    row = ch.set_index("unit_id").loc["u2"]
    assert (row["change"], row["area_b"], row["cause"]) == ("joined", "A", "flows")
    assert sorted(p.name for p in (out / "maps").iterdir()) == ["changes.png", "changes.svg"]
    record = json.loads((out / "run.json").read_text())
    assert record["rules"]["A"]["method"] == "omb-cbsa" and record["compared"]["same_rule"]


def test_compare_different_unit_codes_is_an_error(tmp_path, capsys):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    pd.DataFrame({"unit_id": ["01001", "01003"], "area_id": ["X", ""]}).to_csv(a, index=False)
    b.write_text("unit_id,area_id\n1001,X\n1003,\n")
    code, _, err = run(["compare", str(a), str(b), "--out", str(tmp_path / "c")], capsys)
    assert code == 2 and "the two memberships have different unit codes" in err
    assert "leading zeros" in err


def test_compare_official_lists_reports_units_in_one_input_only(tmp_path, capsys):
    from metrocircle.datasets import us_cbsa

    d = Path(us_cbsa.path(""))
    lists = [str(d / "omb_cbsa_delineation_2013.csv"), str(d / "omb_cbsa_delineation_2023.csv")]
    columns = ["--id-col", "fips", "--area-col", "cbsa_code", "--status-col", "central_outlying"]
    # the lists name only counties in a CBSA: without the units, joins and leaves are unseen
    code, text, err = run(["compare", *lists, *columns, "--out", str(tmp_path / "c0")], capsys)
    assert code == 0, err
    assert "0 joined, 0 left" in text and "joins and leaves cannot be seen" in text
    units_a, units_b = tmp_path / "units_2010.csv", tmp_path / "units_2020.csv"
    us_cbsa.load_units(vintage=2010).to_csv(units_a, index=False)
    us_cbsa.load_units().to_csv(units_b, index=False)
    code, text, err = run(
        ["compare", *lists, *columns, "--units-a", str(units_a), "--units-b", str(units_b),
         "--out", str(tmp_path / "c")],
        capsys,
    )
    assert code == 0, err
    assert "3209 units compared: 108 joined, 75 left, 80 moved, 2946 same" in text
    assert "only units present in both inputs are compared" in text
    assert "09001" in text and "09110" in text
    only = pd.read_csv(tmp_path / "c" / "only_in_one.csv", dtype=str)
    assert set(only.loc[only["present_in"] == "A", "unit_id"]) >= {"09001", "09003"}
