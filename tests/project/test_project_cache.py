"""The step cache: a step runs again only when what it reads or its parameters changed (a
checksum decides, not a time stamp), and run.json says which steps ran."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pandas as pd

from metrocircle.cli.main import main
from metrocircle.project import load_project, run_project

# the report is the run's last step: drawn again whenever a step ran, from the cache otherwise
ALL = ["access", "layers", "strength", "delineation", "roles", "industry", "indicators",
       "report"]


def statuses(out: Path) -> dict[str, str]:
    run = json.loads((out / "run.json").read_text())
    return {name: s["status"] for name, s in run["steps"].items()}


def files(out: Path) -> dict[str, str]:
    return json.loads((out / "run.json").read_text())["files"]


def ran(out: Path) -> list[str]:
    return [n for n, s in statuses(out).items() if s == "ran"]


def test_only_the_steps_downstream_of_a_change_run_again(tiny: Path) -> None:
    out = tiny.parent / "out"
    run_project(load_project(tiny), out)
    assert ran(out) == ALL
    first = files(out)
    # the same project again: every step from the cache, every file byte for byte the same
    run_project(load_project(tiny), out)
    assert ran(out) == []
    again = files(out)
    assert {k: v for k, v in again.items() if k != "summary.md"} == {
        k: v for k, v in first.items() if k != "summary.md"}
    # one delineation threshold: the delineation and what reads it
    run_project(load_project(tiny, overrides={"steps.delineation.params.close_share": 0.15}),
                out)
    assert ran(out) == ["delineation", "roles", "indicators", "report"]
    m = pd.read_csv(out / "membership.csv")
    assert set(m.loc[m["status"] == "member", "unit_id"]) == {"U1", "U2"}  # U3 sends 12 %
    # an edited flow file: the layers and every step that reads them; not access, industry
    flows = tiny.parent / "flows.csv"
    text = flows.read_text().replace("U3,U0,4800", "U3,U0,9000")
    flows.write_text(text)
    run_project(load_project(tiny), out)
    assert ran(out) == ["layers", "strength", "delineation", "roles", "indicators",
                        "report"]
    # a file touched but not changed: the checksum is the same, nothing runs
    later = time.time() + 100
    os.utime(flows, (later, later))
    run_project(load_project(tiny), out)
    assert ran(out) == []
    # a parameter of the access step: everything that reads travel times
    run_project(load_project(tiny, overrides={"steps.access.road_speed_kmh": 50.0}), out)
    assert ran(out) == ["access", "layers", "strength", "delineation", "roles", "indicators",
                        "report"]


def test_no_cache_runs_everything_and_the_cli_says_what_ran(tiny: Path, capsys) -> None:
    out = tiny.parent / "out"
    assert main(["run", str(tiny), "--out", str(out), "--no-progress"]) == 0
    assert capsys.readouterr().out.count("ran in") == len(ALL)
    assert main(["run", str(tiny), "--out", str(out), "--no-progress"]) == 0
    assert capsys.readouterr().out.count("from the cache") == len(ALL)
    assert main(["run", str(tiny), "--out", str(out), "--no-progress", "--no-cache"]) == 0
    assert ran(out) == ALL
    run = json.loads((out / "run.json").read_text())
    for step in run["steps"].values():
        assert len(step["key"]) == 64 and step["seconds_when_run"] >= 0


def test_cache_keeps_a_few_entries_and_never_half_written_ones(tiny: Path) -> None:
    out = tiny.parent / "out"
    for share in (0.10, 0.11, 0.12, 0.13, 0.14, 0.15):
        run_project(load_project(tiny, overrides={
            "steps.delineation.params.close_share": share}), out)
    entries = sorted(p.name for p in (out / ".cache" / "delineation").iterdir())
    assert len(entries) == 4  # this run's and the 3 newest others
    assert not any(e.startswith(".tmp-") for e in entries)
    # going back to an earlier threshold that is still kept takes it from the cache
    run_project(load_project(tiny, overrides={"steps.delineation.params.close_share": 0.14}),
                out)
    assert statuses(out)["delineation"] == "cache"


def test_a_failing_step_leaves_the_earlier_run_and_no_entry(tiny: Path) -> None:
    out = tiny.parent / "out"
    run_project(load_project(tiny), out)
    before = (out / "membership.csv").read_bytes()
    # a flow row naming a unit that does not exist: the layers step stops with the problem
    flows = tiny.parent / "flows.csv"
    flows.write_text(flows.read_text() + "U9,U0,5\n")
    try:
        run_project(load_project(tiny), out)
    except Exception as err:  # noqa: BLE001 - the error is checked below
        assert "U9" in str(err)
    else:
        raise AssertionError("the run should have failed")
    assert (out / "membership.csv").read_bytes() == before
    leftovers = [p for p in (out / ".cache").rglob(".tmp-*")]
    assert leftovers == []


def test_a_scenario_reruns_from_the_access_step(tiny: Path) -> None:
    text = tiny.read_text() + ('\n[scenarios.fast_roads]\ndescription = "roads 50 % faster"\n'
                               'speed_ups = ["road:1.5"]\n')
    tiny.write_text(text)
    base = load_project(tiny)
    out = tiny.parent / "out"
    run_project(base, out)
    scenario = base.with_scenario("fast_roads")
    assert scenario.step("access")["speed_ups"] == ["road:1.5"]
    assert base.step("access")["speed_ups"] == []
    scen_out = tiny.parent / "out-fast"
    shutil.copytree(out / ".cache", scen_out / ".cache")  # share the base run's cache
    run_project(scenario, scen_out)
    # industry reads no travel time: from the cache
    assert ran(scen_out) == ["access", "layers", "strength", "delineation", "roles",
                             "indicators", "report"]
    tt = pd.read_csv(out / "access/travel_times.csv")
    fast = pd.read_csv(scen_out / "access/travel_times.csv")
    assert (fast["minutes"] < tt["minutes"]).all()
    assert json.loads((scen_out / "run.json").read_text())["project"]["scenario"] == "fast_roads"


def test_no_report_leaves_the_report_out_and_keeps_its_cache(tiny: Path, capsys) -> None:
    out = tiny.parent / "out"
    assert main(["run", str(tiny), "--out", str(out), "--no-progress"]) == 0
    assert (out / "report.html").is_file() and (out / "maps").is_dir()
    # tuning a parameter without the report: no report files of the earlier run stay behind
    assert main(["run", str(tiny), "--out", str(out), "--no-progress", "--no-report",
                 "--set", "steps.delineation.params.close_share=0.15"]) == 0
    assert "report" not in statuses(out)
    assert ran(out) == ["delineation", "roles", "indicators"]
    assert not (out / "report.html").exists() and not (out / "maps").exists()
    assert not any(k.startswith("maps/") or k == "report.html" for k in files(out))
    # back to the first value with the report: every step and the report from the cache
    assert main(["run", str(tiny), "--out", str(out), "--no-progress"]) == 0
    assert ran(out) == [] and (out / "report.html").is_file()
    capsys.readouterr()
    assert main(["run", str(tiny), "--out", str(out), "--no-report", "--scenario", "x"]) == 2
    assert "--no-report applies to a plain run" in capsys.readouterr().err
