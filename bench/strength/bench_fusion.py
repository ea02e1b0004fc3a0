"""Benchmark: connection strength and fusion of 1,000 units x 5 layers with metrocircle against
plain pandas, in the same run, on the same tables, with the results checked equal.

Synthetic data (seeded): ``--units`` units (1,000) at random points in a 300 km square,
log-normal population and GDP, travel times for every ordered pair (999,000 pairs). Five link
layers: ``gravity`` (the modified gravity model on the full travel-time matrix, computed in the
timed step) and four flow layers, ``commuting``, ``signaling``, ``investment`` and ``freight``,
each with ``--links`` destinations per origin drawn with gravity-like probabilities (30,000
pairs a layer by default) and Poisson counts.

The timed step is what a planner runs: ``gravity(units, travel_times)`` then
``fuse({five layers}, normalise="total", weights="entropy")`` (every table validated, pairs
aligned, normalised, entropy weights, weighted sum). The pandas version does the same
computation the way an analyst writes it: merge the masses, compute the gravity column,
outer-merge the five layers on ``origin, destination``, normalise by each layer's total,
entropy weights with numpy, weighted sum.

Run from the repository root::

    PYTHONPATH=src python bench/strength/bench_fusion.py --repeat 5
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from bench_strength import gravity_pandas, synthetic  # noqa: E402

from metrocircle.strength import fuse, gravity  # noqa: E402

FLOW_LAYERS = ("commuting", "signaling", "investment", "freight")


def flow_layers(units: pd.DataFrame, tt: pd.DataFrame, links: int, seed: int) -> dict:
    """Four sparse flow layers: each origin's ``links`` destinations drawn with probability
    proportional to population / minutes^2, Poisson counts with a layer-specific scale."""
    rng = np.random.default_rng(seed + 1)
    n = len(units)
    codes = units["unit_id"].to_numpy()
    minutes = np.full((n, n), np.inf)
    pos = {c: i for i, c in enumerate(codes)}
    o = tt["origin"].map(pos).to_numpy()
    d = tt["destination"].map(pos).to_numpy()
    minutes[o, d] = tt["minutes"].to_numpy()
    pull = units["population"].to_numpy()[None, :] / minutes**2
    prob = pull / pull.sum(axis=1, keepdims=True)
    out = {}
    for k, name in enumerate(FLOW_LAYERS):
        rows = []
        for i in range(n):
            dest = rng.choice(n, size=links, replace=False, p=prob[i])
            val = rng.poisson(50 * (k + 1), size=links) + 1
            rows.append((np.full(links, i), dest, val))
        oi = np.concatenate([r[0] for r in rows])
        di = np.concatenate([r[1] for r in rows])
        vv = np.concatenate([r[2] for r in rows]).astype(float)
        out[name] = pd.DataFrame({"origin": codes[oi], "destination": codes[di], "value": vv})
    return out


def metrocircle_run(units: pd.DataFrame, tt: pd.DataFrame, flows: dict) -> pd.DataFrame:
    g = gravity(units, tt)
    res = fuse({"gravity": g, **flows}, normalise="total", weights="entropy")
    return res.links


def pandas_run(units: pd.DataFrame, tt: pd.DataFrame, flows: dict) -> pd.DataFrame:
    g = gravity_pandas(units, tt).rename(columns={"strength": "gravity"})
    table = g
    for name, layer in flows.items():
        table = table.merge(layer.rename(columns={"value": name}), on=["origin", "destination"],
                            how="outer")
    names = ["gravity", *flows]
    table[names] = table[names].fillna(0.0)
    table[names] = table[names] / table[names].sum()
    x = table[names].to_numpy()
    p = x / x.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = -plogp.sum(axis=0) / np.log(len(x))
    w = (1 - e) / (1 - e).sum()
    table["strength"] = x @ w
    return table.sort_values(["origin", "destination"]).reset_index(drop=True)


def timed(fn, repeat: int):  # noqa: ANN001, ANN201
    times, result = [], None
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        result = fn()
        times.append((time.process_time() - c0, time.perf_counter() - w0))
    return result, times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--links", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    units, tt = synthetic(args.units, args.seed)
    flows = flow_layers(units, tt, args.links, args.seed)
    mc, t_mc = timed(lambda: metrocircle_run(units, tt, flows), args.repeat)
    pdv, t_pd = timed(lambda: pandas_run(units, tt, flows), args.repeat)
    same_pairs = (mc["origin"].to_numpy() == pdv["origin"].to_numpy()).all() and (
        mc["destination"].to_numpy() == pdv["destination"].to_numpy()
    ).all()
    same = bool(same_pairs) and np.allclose(
        mc["strength"].to_numpy(), pdv["strength"].to_numpy(), rtol=1e-9, atol=0
    )
    med = {k: (statistics.median(t[0] for t in ts), statistics.median(t[1] for t in ts),
               min(t[0] for t in ts))
           for k, ts in (("metrocircle", t_mc), ("pandas", t_pd))}
    report = {
        "units": args.units,
        "layers": 1 + len(flows),
        "travel_time_pairs": int(len(tt)),
        "flow_pairs_per_layer": int(len(next(iter(flows.values())))),
        "fused_pairs": int(len(mc)),
        "repeat": args.repeat,
        "identical_strength": same,
        "metrocircle_cpu_s": round(med["metrocircle"][0], 3),
        "metrocircle_best_cpu_s": round(med["metrocircle"][2], 3),
        "metrocircle_wall_s": round(med["metrocircle"][1], 3),
        "pandas_cpu_s": round(med["pandas"][0], 3),
        "pandas_best_cpu_s": round(med["pandas"][2], 3),
        "pandas_wall_s": round(med["pandas"][1], 3),
        "ratio_pandas_over_metrocircle_cpu": round(med["pandas"][0] / med["metrocircle"][0], 2),
        "python": platform.python_version(),
        "pandas": pd.__version__,
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    if not same:
        sys.exit("metrocircle and pandas disagree")


if __name__ == "__main__":
    main()
