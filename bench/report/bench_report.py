"""Time the report step against the chain it reports on, in the same run.

Runs the shipped Chongqing project (what `metrocircle demo` runs) into a new folder without
the report (the baseline: every step of the chain from scratch), then writes the report of
that folder (`metrocircle.report.write_report`: maps and charts, GeoPackage, report.html)
``--repeat`` times, and prints wall and CPU seconds with the ratio report / chain. CPU seconds
are the figure to read on a shared machine.

    python bench/report/bench_report.py --out out/bench-report
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path


def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - w, time.process_time() - c


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("out/bench-report"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from metrocircle.project import example_path, load_project, run_project
    from metrocircle.report import write_report

    if args.out.exists():
        shutil.rmtree(args.out)
    chain = args.out / "chain"
    load = os.getloadavg()[0]
    _, chain_wall, chain_cpu = timed(lambda: run_project(
        load_project(example_path("chongqing")), chain, use_cache=False, with_report=False))
    rows = []
    for k in range(args.repeat):
        target = args.out / f"report-{k}"
        info, wall, cpu = timed(lambda t=target: write_report(chain, out=t))
        rows.append((wall, cpu, info["seconds"]))
    walls = [r[0] for r in rows]
    cpus = [r[1] for r in rows]
    parts = {key: statistics.median(r[2][key] for r in rows) for key in rows[0][2]}
    print(f"load average at start: {load:.1f}; figures: {len(info['figures'])}, "
          f"GeoPackage layers: {len(info['gpkg_layers'])}")
    print(f"chain without the report: {chain_wall:.1f} s wall, {chain_cpu:.1f} s CPU")
    print(f"report (median of {args.repeat}): {statistics.median(walls):.1f} s wall, "
          f"{statistics.median(cpus):.1f} s CPU; parts (wall): "
          + ", ".join(f"{k} {v:.1f} s" for k, v in parts.items()))
    print(f"ratio report / chain: {statistics.median(walls) / chain_wall:.2f} wall, "
          f"{statistics.median(cpus) / chain_cpu:.2f} CPU")


if __name__ == "__main__":
    main()
