"""The figure cache and the drawing in worker processes: after a delineation parameter changed,
exactly the figures that read the delineation are drawn again, and the report is the one drawn
from scratch; a figure is drawn again when any value it read changed; a worker that dies is a
clear error."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from metrocircle.exceptions import ReportError
from metrocircle.project import cache as C
from metrocircle.project import load_project, run_project
from metrocircle.report import figures as F
from metrocircle.report import write_report
from metrocircle.report.cache import FigureCache, Reads, file_print, fingerprint
from metrocircle.report.folder import RunFolder

#: The figures of the region that read the delineation (membership.csv, roles.csv,
#: indicators.csv, delineation/comparison.csv): area, against the reference, roles, reasons
#: and the indicators. The isochrones, flow maps, membership degree, groups, industry and
#: fusion weights read nothing the delineation writes.
READ_THE_DELINEATION = {"area", "comparison", "roles", "reasons", "indicators"}


def report_info(out: Path) -> dict:
    return json.loads((out / "run.json").read_text())["steps"]["report"]["info"]


def maps(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "maps").iterdir())}


def html_figures(folder: Path) -> list[str]:
    page = (folder / "report.html").read_text(encoding="utf-8")
    return re.findall(r"<figure id=.*?</figure>", page, flags=re.S)


@pytest.fixture(scope="module")
def changed(region: Path, tmp_path_factory) -> Path:
    """The region's run folder (with its cache) run again with another close_share."""
    out = tmp_path_factory.mktemp("changed") / "out"
    shutil.copytree(region, out)
    project = load_project(region / "project.toml",
                           overrides={"steps.delineation.params.close_share": 0.15})
    run_project(project, out)
    return out


def test_a_delineation_change_redraws_exactly_the_figures_that_read_it(
        region: Path, changed: Path) -> None:
    first, second = report_info(region), report_info(changed)
    jobs = set(first["figures_drawn"])
    assert first["figures_from_cache"] == [] and len(jobs) >= 12
    # the change does change the delineation
    before = pd.read_csv(region / "membership.csv").set_index("unit_id")["status"]
    after = pd.read_csv(changed / "membership.csv").set_index("unit_id")["status"]
    assert (before != after).any()
    assert set(second["figures_drawn"]) == READ_THE_DELINEATION
    assert set(second["figures_from_cache"]) == jobs - READ_THE_DELINEATION
    assert second["figures"] == first["figures"]
    # the figures that do not read the delineation are the same files as before
    old, new = maps(region), maps(changed)
    for name in jobs - READ_THE_DELINEATION - {"flows_commuting", "flows_gravity",
                                              "flows_fused"}:
        assert new[f"{name}.png"] == old[f"{name}.png"], name
    assert new["area.png"] != old["area.png"]


def test_the_report_after_a_change_is_the_one_drawn_from_scratch(changed: Path,
                                                                 tmp_path: Path) -> None:
    """Every figure, reused or drawn again (in workers), byte for byte the figure drawn from
    scratch in one process from the same run folder; the captions and notes too."""
    scratch = tmp_path / "scratch"
    info = write_report(changed, out=scratch, jobs=1)
    assert info["workers"] == 0 and info["figures_from_cache"] == []
    assert maps(scratch) == maps(changed)
    assert html_figures(scratch) == html_figures(changed)
    run = report_info(changed)
    assert info["figures"] == run["figures"] and info["notes"] == run["notes"]
    assert run["workers"] == 2 or os.cpu_count() == 1


def test_a_figure_is_drawn_again_when_any_value_it_read_changed(changed: Path,
                                                                tmp_path: Path) -> None:
    """One travel time changed in access/circles.csv (U2: 37.7 minutes, band 30-45, made
    18 minutes, band 0-30): the isochrone map (which reads the table) and the reasons chart
    (which reads each unit's minutes to the core) are drawn again; no other figure reads
    either."""
    folder = tmp_path / "run"
    shutil.copytree(changed, folder)
    circles = pd.read_csv(folder / "access" / "circles.csv", dtype=str)
    row = circles.index[circles["unit_id"] == "U2"][0]
    assert circles.loc[row, "band"] == "30-45"
    circles.loc[row, ["minutes", "band", "within_half_hour"]] = ["18.0", "0-30", "True"]
    circles.to_csv(folder / "access" / "circles.csv", index=False)
    cache = FigureCache(folder / ".cache" / C.FIGURES,
                        version=C.step_key({"step": "report-figures"}))
    info = write_report(folder, out=tmp_path / "report", cache=cache)
    assert set(info["figures_drawn"]) == {"isochrones", "reasons"}
    before, after = maps(changed), maps(tmp_path / "report")
    assert after["isochrones.png"] != before["isochrones.png"]
    assert after["reasons.png"] != before["reasons.png"]
    assert after["area.png"] == before["area.png"]
    # another version of the code reuses nothing
    options = {"formats": ["png", "svg"], "top_flows": F.TOP_FLOWS}
    assert cache.lookup("area", options, RunFolder(folder), {}) is not None
    other = FigureCache(folder / ".cache" / C.FIGURES, version="another version")
    assert other.lookup("area", options, RunFolder(folder), {}) is None


def test_a_figure_reads_the_folder_only_through_its_recorded_calls(changed: Path) -> None:
    reads = Reads(RunFolder(changed), {})
    m = reads.table("membership.csv")
    info = reads.step_info("delineation")
    assert list(reads.trace) == [("table", "membership.csv"), ("step_info", "delineation")]
    # a table by the bytes of its file, anything else by its value
    assert reads.trace[("table", "membership.csv")] == file_print(changed / "membership.csv")
    assert reads.trace[("step_info", "delineation")] == fingerprint(info)
    for name in ("record", "steps", "path", "layers", "json"):
        assert not hasattr(reads, name), name
    # a value that differs in one cell, or only in its type, has another fingerprint
    other = m.copy()
    other.loc[0, "value"] = 0.123456789
    assert fingerprint(other) != fingerprint(m)
    assert fingerprint(m.astype({"value": object})) != fingerprint(m)


def test_a_worker_that_dies_is_a_clear_error(changed: Path, tmp_path: Path,
                                             monkeypatch) -> None:
    def die(self, name):
        os._exit(3)

    monkeypatch.setattr(F._Figures, "run_job", die)
    with pytest.raises(ReportError, match="ended abruptly"):
        write_report(changed, out=tmp_path / "report", jobs=2)


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.add(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_ctrl_c_while_workers_draw_exits_130_and_stops_them(region: Path,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(region, out)
    before = (out / "run.json").read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-m", "metrocircle.cli.main", "run", str(region / "project.toml"),
         "--out", str(out), "--no-progress", "--set",
         "steps.delineation.params.close_share=0.2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while len(workers) < 2:  # the two workers drawing the figures of the new delineation
        assert proc.poll() is None, ("finished before two workers were seen", workers,
                                     proc.communicate())
        assert time.monotonic() < deadline, "the figures were never drawn in workers"
        workers = _children(proc.pid)
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Interrupted." in err and "Traceback" not in err, err
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(p) for p in workers), "a worker outlived the interrupted run"
    assert (out / "run.json").read_bytes() == before  # the earlier run stays as it was
