"""``metrocircle run PROJECT --scenario NAME``: a what-if of the access step through the whole
chain, beside the base run, with the units it changes and why.

The tiny region (project_cases.py) has its units in a row, 18.9 minutes apart by road, and
commuting to the core U0 that falls with distance (U3 sends 12 %). With a 50-minute gate, U3
(56.6 minutes away) passes the commuting test and fails the gate: a link that brings it under
50 minutes must bring it into the area, and nothing else.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from project_cases import PROJECT, write_tiny

from metrocircle.cli.main import main
from metrocircle.exceptions import ProjectError
from metrocircle.project import load_project, run_project
from metrocircle.project.scenario import check_scenario, compare_runs, run_scenario

GATED = PROJECT.replace("params = { close_share = 0.10 }",
                        "params = { close_share = 0.10, max_minutes = 50.0 }")
SCENARIOS = """
[scenarios.u3_link]
description = "a 20-minute rail link from U3 to the core"
add_links = ["U3:U0:20:rail"]

[scenarios.inner_link]
description = "a 15-minute link between U2 and U1, both inside"
add_links = ["U2:U1:15:rail"]

[scenarios.slow_roads]
speed_ups = ["road:0.5"]
"""


@pytest.fixture
def gated(tmp_path: Path) -> Path:
    return write_tiny(tmp_path / "tiny", GATED + SCENARIOS)


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def statuses(out: Path) -> dict[str, str]:
    run = json.loads((out / "run.json").read_text())
    return {name: s["status"] for name, s in run["steps"].items()}


def members(out: Path) -> set[str]:
    m = pd.read_csv(out / "membership.csv", dtype=str)
    return set(m.loc[m["area_id"].notna(), "unit_id"])


def test_a_link_that_brings_a_unit_in_changes_it_and_only_it(gated: Path) -> None:
    project = load_project(gated)
    out = gated.parent / "out"
    res = run_scenario(project, "u3_link", out)
    assert res.base_ran  # no base run yet: it runs first
    assert members(out) == {"U0", "U1", "U2"}  # U3 fails the 50-minute gate in the base
    assert res.out_dir == gated.parent / "out-u3_link"
    assert members(res.out_dir) == {"U0", "U1", "U2", "U3"}
    changes = pd.read_csv(res.out_dir / "scenario/changes.csv", dtype={"unit_id": str})
    row = changes.set_index("unit_id").loc["U3"]
    assert row["change"] == "joined" and row["cause"] == "access"
    assert row["status_base"] == "outside" and row["status_scenario"] == "member"
    assert row["minutes_base"] > 50 >= row["minutes_scenario"]
    assert "travel_minutes" in row["detail"]
    joined = changes.loc[changes["change"] == "joined", "unit_id"].tolist()
    assert joined == ["U3"]
    assert res.counts["area"] == {"joined": 1, "left": 0, "moved": 0}
    record = json.loads((res.out_dir / "run.json").read_text())
    assert record["project"]["scenario"] == "u3_link"
    assert record["scenario"]["counts"]["area"]["joined"] == 1
    assert "scenario/changes.csv" in record["files"]


def test_a_link_between_two_units_inside_changes_no_membership(gated: Path) -> None:
    res = run_scenario(load_project(gated), "inner_link", gated.parent / "out")
    assert members(res.out_dir) == members(gated.parent / "out")
    assert res.counts["area"] == {"joined": 0, "left": 0, "moved": 0}
    assert res.counts["status_changed"] == 0
    tt = pd.read_csv(res.out_dir / "access/travel_times.csv", dtype=str)
    pair = tt[(tt["origin"] == "U2") & (tt["destination"] == "U1")]
    assert float(pair["minutes"].iloc[0]) == 15.0  # the link is there, and used
    # U3 gains 3.8 minutes through it (18.9 + 15 + 18.9), and stays over the 50-minute gate
    circles = pd.read_csv(res.out_dir / "access/circles.csv", dtype={"unit_id": str})
    assert circles.set_index("unit_id").loc["U3", "minutes"] == pytest.approx(52.8, abs=0.1)
    changed = pd.read_csv(res.out_dir / "scenario/changes.csv")
    assert not changed["change"].isin(["joined", "left", "moved"]).any()


def test_only_the_steps_downstream_of_the_access_step_run_and_the_base_is_untouched(
        gated: Path) -> None:
    project = load_project(gated)
    out = gated.parent / "out"
    run_project(project, out)
    before = digests(out)
    res = run_scenario(project, "u3_link", out)
    assert not res.base_ran
    assert digests(out) == before  # not a byte of the base folder, its cache included
    steps = statuses(res.out_dir)
    # industry reads no travel time: it comes from the base run's cache; the report is drawn
    # again from the scenario's files
    assert steps == {"access": "ran", "layers": "ran", "strength": "ran", "delineation": "ran",
                     "roles": "ran", "industry": "cache", "indicators": "ran", "report": "ran"}
    # the same scenario again: everything from the scenario's own cache
    res = run_scenario(project, "u3_link", out)
    assert set(statuses(res.out_dir).values()) == {"cache"}
    assert digests(out) == before


def test_a_base_run_out_of_date_runs_again_before_the_scenario(gated: Path) -> None:
    out = gated.parent / "out"
    run_project(load_project(gated, overrides={"steps.delineation.params.close_share": 0.3}),
                out)
    assert members(out) == {"U0", "U1"}
    res = run_scenario(load_project(gated), "u3_link", out)
    assert res.base_ran and members(out) == {"U0", "U1", "U2"}
    # an edited file of the base run is not a current base either
    (out / "membership.csv").write_text("unit_id,area_id\n")
    res = run_scenario(load_project(gated), "u3_link", out)
    assert res.base_ran and members(out) == {"U0", "U1", "U2"}


def test_a_slower_network_takes_units_out_for_their_travel_time(gated: Path) -> None:
    res = run_scenario(load_project(gated), "slow_roads", gated.parent / "out")
    changes = res.changes.set_index("unit_id")
    # U2 (37.7 min) is over 50 minutes at half the road speed; U1 (18.9) is not
    assert changes.loc["U2", "change"] == "left" and changes.loc["U2", "cause"] == "access"
    assert "U1" not in changes.index or changes.loc["U1", "change"] == "same"


def test_every_problem_of_a_scenario_in_one_error_before_any_work(tmp_path: Path) -> None:
    bad = SCENARIOS + """
[scenarios.bad]
add_links = ["U3:NOPE:20", "U1:U0:0.5", "U2:U2:10", "U1-U0-10"]
speed_ups = ["tram:1.2", "road:0"]

[scenarios.empty]
description = "nothing"
"""
    path = write_tiny(tmp_path / "tiny", GATED + bad)
    with pytest.raises(ProjectError) as err:  # the format is checked when the file loads
        load_project(path)
    text = str(err.value)
    assert "scenarios.bad.add_links[3]" in text and "scenarios.bad.speed_ups[1]" in text
    fixed = bad.replace(', "U1-U0-10"', "").replace(', "road:0"', "")
    path = write_tiny(tmp_path / "tiny2", GATED + fixed)
    project = load_project(path)
    with pytest.raises(ProjectError) as err:
        check_scenario(project, "bad")
    text = str(err.value)
    assert "4 problems" in text
    assert "add_links[0]" in text and "NOPE" in text and "unknown unit_id" in text
    assert "add_links[1]" in text and "km/h" in text  # 0.5 minutes for 14 km
    assert "add_links[2]" in text and "to itself" in text
    assert "speed_ups[0]" in text and "'tram'" in text
    with pytest.raises(ProjectError, match="changes nothing"):
        check_scenario(project, "empty")
    with pytest.raises(ProjectError, match="did you mean 'u3_link'"):
        check_scenario(project, "u3_lnk")
    # the CLI says it once, runs nothing and writes nothing
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--scenario", "bad",
                 "--no-progress"]) != 0
    assert not out.exists() and not (tmp_path / "out-bad").exists()


def test_the_cli_lists_the_changes(gated: Path, capsys) -> None:
    out = gated.parent / "out"
    assert main(["run", str(gated), "--out", str(out), "--scenario", "u3_link",
                 "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "ran first" in text
    assert "1 joined, 0 left, 0 moved" in text
    assert "U3 Unit U3 [access]" in text
    assert main(["run", str(gated), "--out", str(out), "--scenario", "u3_link",
                 "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "up to date, not touched" in text and "ran in" not in text


def test_compare_runs_of_the_same_run_finds_no_change(gated: Path) -> None:
    out = gated.parent / "out"
    run_project(load_project(gated), out)
    changes, comparison = compare_runs(out, out)
    assert changes.empty
    assert comparison is not None and comparison.counts["same"] == 7


def test_a_project_of_the_access_step_only_lists_the_circles(tmp_path: Path) -> None:
    head = PROJECT.split("[inputs.census]")[0]
    path = write_tiny(tmp_path / "tiny", head + "\n[steps.access]\nroad_speed_kmh = 60.0\n"
                      + SCENARIOS)
    res = run_scenario(load_project(path), "u3_link", tmp_path / "out")
    assert set(statuses(res.out_dir)) == {"access", "report"}
    assert not (res.out_dir / "membership.csv").exists()
    # U3 (56.6 -> 20 min) enters the half-hour circle, U4 (75.5 -> 38.9) the one-hour one
    row = res.changes.set_index("unit_id")
    assert row.loc["U3", "cause"] == "circle" and bool(row.loc["U3", "within_half_hour_scenario"])
    assert bool(row.loc["U4", "within_1h_scenario"]) and not bool(row.loc["U4", "within_1h_base"])
    assert res.counts["area"] == {"joined": 0, "left": 0, "moved": 0}


def test_the_module_examples_run() -> None:
    import doctest

    from metrocircle.project import scenario

    result = doctest.testmod(scenario)
    assert result.attempted >= 3 and result.failed == 0
