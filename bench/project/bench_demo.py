"""Benchmark: `metrocircle demo` (the shipped Chongqing project) from scratch, again after one
delineation parameter changed, and again unchanged; optionally the demo of an earlier commit
(the hand-wired chain before the project) in the same run, for a ratio.

Each timing is the wall clock of a fresh `metrocircle` process (imports included), as a user
sees it. Run from the repository root, after `pip install -e '.[geo,graph]'`::

    .venv/bin/python bench/project/bench_demo.py --repeat 2 --baseline-ref db61709

``--baseline-ref`` extracts that commit's ``src/`` with ``git archive`` into a temporary folder
and runs its ``metrocircle demo`` with the same interpreter (``PYTHONPATH``); leave it out to
time this version only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def timed(args: list[str], env: dict[str, str] | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "metrocircle.cli.main", *args], check=True,
                   stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--baseline-ref", default=None,
                    help="a commit whose 'metrocircle demo' to time in the same run")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-demo-"))
    rows: dict[str, list[float]] = {"full": [], "one_parameter": [], "unchanged": []}
    baseline_env = None
    if args.baseline_ref:
        src = work / "baseline"
        src.mkdir()
        tar = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline_ref, "src"],
                             check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(src)], input=tar, check=True)
        baseline_env = {**os.environ, "PYTHONPATH": str(src / "src")}
        rows["baseline_full"] = []
    try:
        for i in range(args.repeat):
            out = work / f"run{i}"
            if baseline_env is not None:
                rows["baseline_full"].append(timed(
                    ["demo", "--out", str(work / f"base{i}"), "--no-progress"], baseline_env))
            rows["full"].append(timed(["demo", "--out", str(out), "--no-progress"]))
            rows["one_parameter"].append(timed(
                ["demo", "--out", str(out), "--no-progress",
                 "--set", f"steps.delineation.params.close_share={0.11 + i / 100}"]))
            rows["unchanged"].append(timed(
                ["demo", "--out", str(out), "--no-progress",
                 "--set", f"steps.delineation.params.close_share={0.11 + i / 100}"]))
            run = json.loads((out / "run.json").read_text())
            assert {s["status"] for s in run["steps"].values()} == {"cache"}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {k: {"median_s": round(statistics.median(v), 2), "runs_s": [round(x, 2) for x in v]}
              for k, v in rows.items()}
    if "baseline_full" in result:
        result["ratio_full_to_baseline"] = round(
            result["full"]["median_s"] / result["baseline_full"]["median_s"], 2)
    result["ratio_one_parameter_to_full"] = round(
        result["one_parameter"]["median_s"] / result["full"]["median_s"], 3)
    result["cpus"] = os.cpu_count()
    result["load_average_1min"] = round(os.getloadavg()[0], 1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
