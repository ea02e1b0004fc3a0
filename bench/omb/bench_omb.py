"""Benchmark: omb-cbsa on the full US (3,222 counties, 122k flows) against a plain pandas
implementation of the same rule, in the same run, on the same in-memory tables.

Run from the repository root::

    PYTHONPATH=src python bench/omb/bench_omb.py --repeat 7

It checks that both give the same counties in the same CBSAs, then reports the median compute
time of each (inputs already loaded; loading is timed separately) and the ratio.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from plain_pandas import omb_plain  # noqa: E402

from metrocircle.datasets import us_cbsa  # noqa: E402
from metrocircle.delineate.omb import OmbCbsa  # noqa: E402


def timed(fn, repeat):
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.process_time()
        w0 = time.perf_counter()
        result = fn()
        times.append((time.process_time() - t0, time.perf_counter() - w0))
    return result, times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    w0 = time.perf_counter()
    flows, units = us_cbsa.load_flows(), us_cbsa.load_units()
    cores, adjacency = us_cbsa.load_cores(), us_cbsa.load_adjacency()
    load_s = time.perf_counter() - w0

    est, t_mc = timed(
        lambda: OmbCbsa().fit(flows, units=units, cores=cores, adjacency=adjacency), args.repeat
    )
    plain, t_pd = timed(lambda: omb_plain(flows, cores, adjacency), args.repeat)

    m = est.membership_
    ours = m[m["status"] == "member"].set_index("unit_id")["area_id"].astype(str).sort_index()
    same = ours.to_dict() == plain.to_dict()
    mc_cpu = statistics.median(t[0] for t in t_mc)
    mc_wall = statistics.median(t[1] for t in t_mc)
    pd_cpu = statistics.median(t[0] for t in t_pd)
    pd_wall = statistics.median(t[1] for t in t_pd)
    report = {
        "counties": len(units),
        "flows": len(flows),
        "repeat": args.repeat,
        "same_result": same,
        "members": int(len(ours)),
        "load_s": round(load_s, 3),
        "metrocircle_cpu_s": round(mc_cpu, 4),
        "metrocircle_wall_s": round(mc_wall, 4),
        "plain_pandas_cpu_s": round(pd_cpu, 4),
        "plain_pandas_wall_s": round(pd_wall, 4),
        "ratio_plain_over_metrocircle_cpu": round(pd_cpu / mc_cpu, 2),
        "python": platform.python_version(),
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    if not same:
        raise SystemExit("results differ: the benchmark compares different rules")


if __name__ == "__main__":
    main()
