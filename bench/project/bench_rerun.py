"""Benchmark: `metrocircle run` of the shipped Chongqing project with its report, as a user
tunes the delineation: from an empty folder, then alternately again after one delineation
parameter changed and again unchanged; optionally the same with the code of an earlier commit
in the same run, for a ratio.

Each timing is a fresh `metrocircle` process (imports included), as a user sees it: its wall
clock and its CPU time (user + system, of the process and of the workers it started). Run from
the repository root, after `pip install -e '.[test]'`::

    .venv/bin/python bench/project/bench_rerun.py --repeat 5 --baseline-ref main

``--baseline-ref`` extracts that commit's ``src/`` with ``git archive`` into a temporary
folder and runs it with the same interpreter (``PYTHONPATH``); leave it out to time this
version only. Each change sets ``steps.delineation.params.max_minutes`` (or
``--parameter``) to a value the folder has not seen, so the delineation, the roles, the
indicators and the report run again and the other six steps come from ``OUT/.cache``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def timed(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the process and its children) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "metrocircle.cli.main", *args], check=True,
                   stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def report_status(out: Path) -> str:
    run = json.loads((out / "run.json").read_text())
    return run["steps"]["report"]["status"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5,
                    help="changed and unchanged runs, alternately, after the first run")
    ap.add_argument("--baseline-ref", default=None,
                    help="a commit whose code to time in the same run")
    ap.add_argument("--parameter", default="max_minutes",
                    help="the delineation parameter to change (a number)")
    ap.add_argument("--start", type=float, default=50.0, help="its first value")
    ap.add_argument("--step", type=float, default=1.0, help="added at each change")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-rerun-"))
    versions: dict[str, dict[str, str] | None] = {"this": None}
    if args.baseline_ref:
        src = work / "baseline"
        src.mkdir()
        tar = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline_ref, "src"],
                             check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(src)], input=tar, check=True)
        versions["baseline"] = {**os.environ, "PYTHONPATH": str(src / "src")}
    project = work / "project"
    subprocess.run([sys.executable, "-m", "metrocircle.cli.main", "init", str(project),
                    "--example", "chongqing"], check=True, stdout=subprocess.DEVNULL)
    toml = str(project / "project.toml")
    rows: dict[str, dict[str, list[tuple[float, float]]]] = {
        v: {"full": [], "one_parameter": [], "unchanged": []} for v in versions}
    loads = [os.getloadavg()[0]]
    try:
        for name, env in versions.items():
            out = work / f"out-{name}"
            rows[name]["full"].append(timed(["run", toml, "--out", str(out), "--no-progress"],
                                            env))
        for i in range(args.repeat):
            value = args.start + i * args.step
            for name, env in versions.items():  # alternately, so that both see the same load
                out = work / f"out-{name}"
                rows[name]["one_parameter"].append(timed(
                    ["run", toml, "--out", str(out), "--no-progress",
                     "--set", f"steps.delineation.params.{args.parameter}={value}"], env))
                assert report_status(out) == "ran", "the report should have been drawn again"
                rows[name]["unchanged"].append(timed(
                    ["run", toml, "--out", str(out), "--no-progress",
                     "--set", f"steps.delineation.params.{args.parameter}={value}"], env))
                run = json.loads((out / "run.json").read_text())
                assert {s["status"] for s in run["steps"].values()} == {"cache"}
            loads.append(os.getloadavg()[0])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result: dict[str, object] = {}
    for name, measures in rows.items():
        result[name] = {
            k: {"median_wall_s": round(statistics.median(w for w, _ in v), 2),
                "median_cpu_s": round(statistics.median(c for _, c in v), 2),
                "wall_s": [round(w, 2) for w, _ in v], "cpu_s": [round(c, 2) for _, c in v]}
            for k, v in measures.items()}
    if "baseline" in result:
        result["ratio_to_baseline"] = {
            k: {m: round(result["this"][k][m] / result["baseline"][k][m], 2)  # type: ignore[index]
                for m in ("median_wall_s", "median_cpu_s")}
            for k in ("full", "one_parameter", "unchanged")}
    result["cpus"] = os.cpu_count()
    result["load_average_1min"] = {"min": round(min(loads), 1), "max": round(max(loads), 1)}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
