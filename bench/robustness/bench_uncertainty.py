"""Benchmark: `uncertainty` of omb-cbsa on the US counties, 2009-2013 flows with their margins
of error, February 2013 central counties, 2010-geography adjacency.

Run from the repository root::

    PYTHONPATH=src python bench/robustness/bench_uncertainty.py --replicates 1000 --jobs 2

Reports the wall and CPU seconds of the full run (the must-hold: 1,000 replicates under 60 s
on 2 cores; on a shared machine the CPU seconds per core say what the run needs of two idle
cores, the wall seconds depend on the other jobs), and, per replicate and in the same process,
a replicate through `uncertainty` (one prepared context, each replicate re-values the flow
matrix and skips the output tables) against the baseline of a plain `delineate` on the same
replicate table (validation, flow matrix, cores, graph, output tables from scratch); both give
the same placement for every replicate checked.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from pathlib import Path

import numpy as np

from metrocircle.datasets import us_cbsa
from metrocircle.delineate import delineate
from metrocircle.delineate.omb import OmbCbsa
from metrocircle.robustness import uncertainty
from metrocircle.robustness.uncertainty import draw, flow_sd


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--per-replicate", type=int, default=30)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    flows = us_cbsa.load_flows(vintage=2010)
    tables = {
        "units": us_cbsa.load_units(vintage=2010),
        "cores": us_cbsa.load_cores(vintage=2010),
        "adjacency": us_cbsa.load_adjacency(vintage=2010),
    }
    ext = us_cbsa.EXTERNAL_CODES

    # per replicate, same process: shared context + place() against a plain delineate
    from metrocircle.model import validate_inputs

    f, u, c, a, _ = validate_inputs(flows, external=ext, **tables)
    ctx = OmbCbsa().prepare(f, units=u, cores=c, adjacency=a)
    sd = flow_sd(f)
    values = f["value"].to_numpy()
    seeds = np.random.SeedSequence(0).spawn(args.per_replicate)
    draws = [draw(values, sd, s) for s in seeds]
    c0, w0 = time.process_time(), time.perf_counter()
    shared = [OmbCbsa().place(ctx.with_values(v)) for v in draws]
    shared_cpu, shared_wall = time.process_time() - c0, time.perf_counter() - w0
    c0, w0 = time.process_time(), time.perf_counter()
    plain = [
        delineate("omb-cbsa", flows.assign(value=v), external=ext, **tables).membership
        for v in draws
    ]
    plain_cpu, plain_wall = time.process_time() - c0, time.perf_counter() - w0
    same = all(
        list(s.status) == m["status"].tolist()
        and list(s.area_id)
        == m["area_id"].astype(object).where(m["area_id"].notna(), None).tolist()
        for s, m in zip(shared, plain, strict=True)
    )

    c0, w0 = time.process_time(), time.perf_counter()
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = uncertainty(
        "omb-cbsa",
        flows,
        external=ext,
        replicates=args.replicates,
        random_state=0,
        jobs=args.jobs,
        **tables,
    )
    full_cpu, full_wall = time.process_time() - c0, time.perf_counter() - w0
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers_cpu = (children1.ru_utime + children1.ru_stime) - (
        children0.ru_utime + children0.ru_stime
    )
    total_cpu = full_cpu + workers_cpu
    report = {
        "replicates": args.replicates,
        "jobs": result.info["jobs"],
        "full_run_wall_s": round(full_wall, 2),
        "full_run_cpu_s_main_process": round(full_cpu, 2),
        "full_run_cpu_s_workers": round(workers_cpu, 2),
        # what the run needs of 2 idle cores: all CPU time spread over the processes
        "full_run_cpu_s_per_core": round(total_cpu / max(result.info["jobs"], 1), 2),
        "load_average_1min": round(os.getloadavg()[0], 1),
        "per_replicate_checked": args.per_replicate,
        "same_placement_every_replicate": same,
        "shared_per_replicate_cpu_s": round(shared_cpu / args.per_replicate, 4),
        "plain_per_replicate_cpu_s": round(plain_cpu / args.per_replicate, 4),
        "ratio_plain_over_shared_cpu": round(plain_cpu / shared_cpu, 2),
        "ratio_plain_over_shared_wall": round(plain_wall / shared_wall, 2),
        "units_below_0.9_p_status": int((result.units["p_status"] < 0.9).sum()),
        "python": platform.python_version(),
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    if not same:
        raise SystemExit("a replicate's placement differs from the plain run on the same table")


if __name__ == "__main__":
    main()
