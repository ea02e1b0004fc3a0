"""The shipped projects: the US one gives exactly the membership of 'metrocircle delineate
omb-cbsa --example us-cbsa'; 'init' writes an editable folder that runs; a run folder's
project.toml runs the same run again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from metrocircle.cli.main import main
from metrocircle.project import example_path, load_project


@pytest.fixture(scope="module")
def us_delineate(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("us") / "delineate"
    assert main(["delineate", "omb-cbsa", "--example", "us-cbsa", "--out", str(out),
                 "--no-progress"]) == 0
    return out


def test_us_project_equals_the_delineate_example(us_delineate: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert main(["run", str(example_path("us-cbsa")), "--out", str(out), "--no-progress"]) == 0
    assert (out / "membership.csv").read_bytes() == (us_delineate / "membership.csv").read_bytes()
    # the comparison with OMB's list counts what 'delineate --example' prints: 577 of the 590
    # official outlying counties placed in their CBSA, one county placed where OMB has none
    run = json.loads((out / "run.json").read_text())
    agree = run["steps"]["delineation"]["info"]["comparison"]
    assert agree["reference only"] == 590 - 577 and agree["delineation only"] == 1


def test_init_then_run_round_trip(us_delineate: Path, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "my-us"
    assert main(["init", str(folder), "--example", "us-cbsa"]) == 0
    assert "metrocircle run" in capsys.readouterr().out
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {"project.toml", "README.md", "acs_county_flows_2016_2020.csv",
            "county_gazetteer_2022.csv", "omb_cbsa_delineation_2023.csv",
            "county_adjacency_2023.csv", "us_counties_2017_topo.json"} == names
    # the folder is editable: a stricter threshold, written into the file
    text = (folder / "project.toml").read_text()
    (folder / "project.toml").write_text(text.replace(
        'layers = ["commuting"]', 'layers = ["commuting"]\nparams = { threshold = 0.5 }'))
    out = tmp_path / "out-us"
    assert main(["run", str(folder / "project.toml"), "--out", str(out), "--no-progress"]) == 0
    member = (out / "membership.csv").read_text().count(",member,")
    assert 0 < member < 578
    # the county polygons (TopoJSON) reach the GeoPackage: every unit but the 11 of 2022
    # geography that the 2017 boundaries lack and Falls Church, VA, which they leave empty
    import pyogrio

    info = pyogrio.read_info(out / "delineation" / "delineation.gpkg", layer="membership")
    assert info["features"] == 3222 and info["crs"] == "EPSG:4326"
    assert main(["init", str(folder), "--example", "us-cbsa"]) == 2
    assert "not an empty folder" in capsys.readouterr().err
    assert main(["init", str(tmp_path / "x"), "--example", "paris"]) == 2


def test_init_chongqing_copies_the_data_and_readmes(tmp_path: Path) -> None:
    folder = tmp_path / "cq"
    assert main(["init", str(folder), "--example", "chongqing"]) == 0
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {"project.toml", "README.md", "transport/README.md", "units.csv",
            "boundaries.geojson", "adjacency.csv", "census_2020.csv",
            "transport/rail_stop_times_2019.csv", "transport/rail_unit_od_2019.csv"} <= names
    project = load_project(folder / "project.toml")
    assert project.step_names() == load_project(example_path("chongqing")).step_names()


def test_project_toml_of_a_run_reproduces_it(tiny: Path) -> None:
    out = tiny.parent / "out"
    assert main(["run", str(tiny), "--out", str(out), "--no-progress",
                 "--set", "steps.delineation.params.close_share=0.15"]) == 0
    again = tiny.parent / "again"
    assert main(["run", str(out / "project.toml"), "--out", str(again), "--no-progress"]) == 0
    first = json.loads((out / "run.json").read_text())["files"]
    second = json.loads((again / "run.json").read_text())["files"]
    skip = {"summary.md", "report.html"}  # their tables of step times (the maps are compared)
    assert {k: v for k, v in first.items() if k not in skip} == {
        k: v for k, v in second.items() if k not in skip}
    # it holds the override, with absolute paths, and cannot write into its own folder
    resolved = load_project(out / "project.toml")
    assert resolved.step("delineation")["params"]["close_share"] == 0.15
    assert Path(resolved.input("units")["file"]).is_absolute()
    assert main(["run", str(out / "project.toml"), "--out", str(out), "--no-progress"]) == 2
