"""Benchmark: `sensitivity` of omb-cbsa on the US counties over threshold 0.15..0.35 by 0.01
(21 runs on one prepared context) against the baseline of 21 plain `delineate` runs from
scratch, in the same process on the same in-memory tables.

Run from the repository root::

    PYTHONPATH=src python bench/robustness/bench_sensitivity.py --repeat 5

It first checks that every run of the sensitivity equals the plain run at the same threshold
(membership and areas), then reports the median wall and CPU seconds of each and the ratio.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import pandas as pd

from metrocircle.datasets import us_cbsa
from metrocircle.delineate import delineate
from metrocircle.robustness import sensitivity
from metrocircle.robustness.grid import vary_from_text

RANGE = "threshold=0.15:0.35:0.01"


def timed(fn, repeat):
    out, walls, cpus = None, [], []
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        out = fn()
        cpus.append(time.process_time() - c0)
        walls.append(time.perf_counter() - w0)
    return out, statistics.median(walls), statistics.median(cpus)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    flows = us_cbsa.load_flows()
    tables = {
        "units": us_cbsa.load_units(),
        "cores": us_cbsa.load_cores(),
        "adjacency": us_cbsa.load_adjacency(),
        "external": us_cbsa.EXTERNAL_CODES,
    }
    values = vary_from_text(RANGE, "omb-cbsa").values

    def shared():
        return sensitivity("omb-cbsa", flows, vary=[RANGE], keep_results=True, **tables)

    def plain():
        return [delineate("omb-cbsa", flows, params={"threshold": t}, **tables) for t in values]

    s, s_wall, s_cpu = timed(shared, args.repeat)
    p, p_wall, p_cpu = timed(plain, args.repeat)
    same = all(
        s.results[k].membership.equals(p[k].membership) and s.results[k].areas.equals(p[k].areas)
        for k in range(len(values))
    )
    pd.testing.assert_frame_equal(s.results[10].membership, p[10].membership)
    report = {
        "runs": len(values),
        "repeat": args.repeat,
        "same_result_every_run": same,
        "sensitivity_wall_s": round(s_wall, 3),
        "sensitivity_cpu_s": round(s_cpu, 3),
        "plain_runs_wall_s": round(p_wall, 3),
        "plain_runs_cpu_s": round(p_cpu, 3),
        "ratio_plain_over_sensitivity_cpu": round(p_cpu / s_cpu, 2),
        "ratio_plain_over_sensitivity_wall": round(p_wall / s_wall, 2),
        "python": platform.python_version(),
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    if not same:
        raise SystemExit("a sensitivity run differs from the plain run at the same threshold")


if __name__ == "__main__":
    main()
