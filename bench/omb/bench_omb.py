"""Benchmark: omb-cbsa on the full US against a plain pandas implementation of the same rules,
in the same run, on the same in-memory tables.

Two cases:

* ``outlying``: the outlying-county rule with OMB's own central counties (3,222 counties, ACS
  2016-2020 flows, July 2023 cores);
* ``whole``: the whole procedure from the Census 2010 urban areas (central counties, outlying
  counties, merges; 3,221 counties, ACS 2009-2013 flows), the peer being
  ``plain_pandas.omb_plain_urban``.

Run from the repository root::

    PYTHONPATH=src python bench/omb/bench_omb.py --repeat 7

For each case it checks that both give the same counties in the same CBSAs, then reports the
median compute time of each (inputs already loaded; loading is timed separately) and the ratio.
For ``whole`` it also times the public ``metrocircle.delineate`` call, which validates every
input table first (the peer checks nothing).
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

from plain_pandas import omb_plain, omb_plain_urban  # noqa: E402

import metrocircle as mc  # noqa: E402
from metrocircle.datasets import us_cbsa  # noqa: E402
from metrocircle.delineate.omb import OmbCbsa  # noqa: E402
from metrocircle.model import validate_urban_areas  # noqa: E402


def timed(fn, repeat):
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.process_time()
        w0 = time.perf_counter()
        result = fn()
        times.append((time.process_time() - t0, time.perf_counter() - w0))
    return result, times


def medians(times):
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


def outlying_case(repeat: int) -> dict:
    w0 = time.perf_counter()
    flows, units = us_cbsa.load_flows(), us_cbsa.load_units()
    cores, adjacency = us_cbsa.load_cores(), us_cbsa.load_adjacency()
    load_s = time.perf_counter() - w0

    est, t_mc = timed(
        lambda: OmbCbsa().fit(flows, units=units, cores=cores, adjacency=adjacency), repeat
    )
    plain, t_pd = timed(lambda: omb_plain(flows, cores, adjacency), repeat)

    m = est.membership_
    ours = m[m["status"] == "member"].set_index("unit_id")["area_id"].astype(str).sort_index()
    mc_cpu, mc_wall = medians(t_mc)
    pd_cpu, pd_wall = medians(t_pd)
    return {
        "case": "outlying counties, OMB's 2023 central counties given",
        "counties": len(units),
        "flows": len(flows),
        "same_result": ours.to_dict() == plain.to_dict(),
        "members": int(len(ours)),
        "load_s": round(load_s, 3),
        "metrocircle_cpu_s": round(mc_cpu, 4),
        "metrocircle_wall_s": round(mc_wall, 4),
        "plain_pandas_cpu_s": round(pd_cpu, 4),
        "plain_pandas_wall_s": round(pd_wall, 4),
        "ratio_plain_over_metrocircle_cpu": round(pd_cpu / mc_cpu, 2),
    }


def whole_case(repeat: int) -> dict:
    w0 = time.perf_counter()
    flows, units = us_cbsa.load_flows(2010), us_cbsa.load_units(2010)
    urban, adjacency = us_cbsa.load_urban_areas(2010), us_cbsa.load_adjacency(2010)
    load_s = time.perf_counter() - w0
    checked = validate_urban_areas(urban)

    est, t_mc = timed(
        lambda: OmbCbsa().fit(flows, units=units, urban_areas=checked, adjacency=adjacency),
        repeat,
    )
    _, t_api = timed(
        lambda: mc.delineate(
            "omb-cbsa",
            flows,
            units=units,
            urban_areas=urban,
            adjacency=adjacency,
            external=us_cbsa.EXTERNAL_CODES,
        ),
        repeat,
    )
    (plain_area, plain_central), t_pd = timed(
        lambda: omb_plain_urban(flows, urban, adjacency), repeat
    )

    m = est.membership_.set_index("unit_id")
    ours = m["area_id"].dropna().astype(str).sort_index()
    central = set(m.index[m["central_outlying"] == "central"])
    mc_cpu, mc_wall = medians(t_mc)
    api_cpu, api_wall = medians(t_api)
    pd_cpu, pd_wall = medians(t_pd)
    return {
        "case": "whole procedure from the Census 2010 urban areas",
        "counties": len(units),
        "flows": len(flows),
        "urban_area_rows": len(urban),
        "same_result": ours.to_dict() == plain_area.to_dict()
        and central == set(plain_central.index),
        "areas": int(ours.nunique()),
        "merges": int(est.info_["merges"]),
        "load_s": round(load_s, 3),
        "metrocircle_cpu_s": round(mc_cpu, 4),
        "metrocircle_wall_s": round(mc_wall, 4),
        "metrocircle_delineate_validated_cpu_s": round(api_cpu, 4),
        "metrocircle_delineate_validated_wall_s": round(api_wall, 4),
        "plain_pandas_cpu_s": round(pd_cpu, 4),
        "plain_pandas_wall_s": round(pd_wall, 4),
        "ratio_plain_over_metrocircle_cpu": round(pd_cpu / mc_cpu, 2),
        "ratio_plain_over_metrocircle_delineate_cpu": round(pd_cpu / api_cpu, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--case", choices=("outlying", "whole", "both"), default="both")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    report: dict = {"repeat": args.repeat, "python": platform.python_version()}
    if args.case in ("outlying", "both"):
        report["outlying"] = outlying_case(args.repeat)
    if args.case in ("whole", "both"):
        report["whole"] = whole_case(args.repeat)
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    differ = [k for k in ("outlying", "whole") if k in report and not report[k]["same_result"]]
    if differ:
        raise SystemExit(
            f"results differ ({', '.join(differ)}): the benchmark compares different rules"
        )


if __name__ == "__main__":
    main()
