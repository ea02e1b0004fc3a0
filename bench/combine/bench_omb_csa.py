"""Benchmark: omb-csa on the US (935 official CBSAs of July 2023, 3,222 counties, 122k flows)
against a plain pandas implementation of the same rule, in the same run, on the same tables.

Run from the repository root::

    PYTHONPATH=src python bench/combine/bench_omb_csa.py --repeat 9

It checks that both give the same CBSAs in the same combined areas, then reports the median
compute time of each (inputs already loaded and validated; validation is timed separately)
and the ratio.
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

from plain_pandas import omb_csa_plain  # noqa: E402

from metrocircle.combine import validate_combine_inputs  # noqa: E402
from metrocircle.combine.omb_csa import OmbCsa  # noqa: E402
from metrocircle.datasets import us_cbsa  # noqa: E402


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
    membership = us_cbsa.load_membership()
    flows, adjacency = us_cbsa.load_flows(), us_cbsa.load_adjacency()
    load_s = time.perf_counter() - w0
    (membership, flows, adjacency, _), t_val = timed(
        lambda: validate_combine_inputs(
            membership, flows=flows, adjacency=adjacency, external=us_cbsa.EXTERNAL_CODES
        ),
        args.repeat,
    )
    est, t_mc = timed(
        lambda: OmbCsa().fit(membership, flows=flows, adjacency=adjacency), args.repeat
    )
    plain, t_pd = timed(lambda: omb_csa_plain(membership, flows, adjacency), args.repeat)

    c = est.combined_.dropna(subset=["combined_id"]).set_index("area_id")["combined_id"]
    same = c.astype(str).sort_index().to_dict() == plain.astype(str).to_dict()
    med = {
        name: (statistics.median(t[0] for t in ts), statistics.median(t[1] for t in ts))
        for name, ts in (("validate", t_val), ("metrocircle", t_mc), ("plain", t_pd))
    }
    report = {
        "cbsas": int(len(est.combined_)),
        "flows": len(flows),
        "repeat": args.repeat,
        "same_result": same,
        "cbsas_in_combined_areas": int(len(c)),
        "load_s": round(load_s, 3),
        "validate_cpu_s": round(med["validate"][0], 4),
        "metrocircle_cpu_s": round(med["metrocircle"][0], 4),
        "metrocircle_wall_s": round(med["metrocircle"][1], 4),
        "plain_pandas_cpu_s": round(med["plain"][0], 4),
        "plain_pandas_wall_s": round(med["plain"][1], 4),
        "ratio_plain_over_metrocircle_cpu": round(med["plain"][0] / med["metrocircle"][0], 2),
        "python": platform.python_version(),
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    if not same:
        sys.exit("metrocircle and the plain implementation disagree")


if __name__ == "__main__":
    main()
