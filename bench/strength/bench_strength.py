"""Benchmark: metrocircle.strength gravity + centrality against a plain pandas/networkx
implementation of the same computation, in the same run, with identical results checked.

Synthetic data: ``--units`` units (2,000 by default) at random points in a 300 km square,
population and GDP drawn from log-normal distributions, travel times = straight-line km x 1.3
/ 60 km/h + 5 min for every ordered pair (the full matrix, 4 M pairs for 2,000 units).

1. gravity on the full matrix: ``metrocircle.strength.gravity`` vs pandas (merge the masses
   onto the travel-time table, compute the columns);
2. centrality on the network of each unit's ``--top-k`` strongest outgoing links (a planner's
   usual pruning before network analysis; betweenness on the full dense graph is O(n^3)):
   ``metrocircle.strength.centrality`` (numpy + igraph) vs pandas group-bys + networkx
   (PageRank, betweenness on cost 1/weight), dominance index and link entropy.

Run from the repository root::

    PYTHONPATH=src /work/venv/bin/python bench/strength/bench_strength.py --repeat 3
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import networkx as nx
import numpy as np
import pandas as pd

from metrocircle.model.validation import validate_travel_times
from metrocircle.strength import centrality, gravity


def synthetic(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    codes = np.array([f"{i:05d}" for i in range(n)])
    xy = rng.uniform(0, 300, (n, 2))
    units = pd.DataFrame(
        {
            "unit_id": codes,
            "population": np.round(rng.lognormal(13, 0.8, n)),
            "gdp": np.round(rng.lognormal(6, 1.0, n), 2),
        }
    )
    o, d = np.nonzero(~np.eye(n, dtype=bool))
    km = np.hypot(*(xy[o] - xy[d]).T)
    tt = pd.DataFrame(
        {
            "origin": codes[o],
            "destination": codes[d],
            "minutes": np.round(km * 1.3 / 60 * 60 + 5, 1),
        }
    )
    return units, tt


def gravity_pandas(units: pd.DataFrame, tt: pd.DataFrame, b: float = 2.0) -> pd.DataFrame:
    """The modified gravity model written directly in pandas."""
    m = units.set_index("unit_id")
    df = tt[tt["origin"] != tt["destination"]]
    po, go = (
        m["population"].reindex(df["origin"]).to_numpy(),
        m["gdp"].reindex(df["origin"]).to_numpy(),
    )
    pdd, gd = (
        m["population"].reindex(df["destination"]).to_numpy(),
        m["gdp"].reindex(df["destination"]).to_numpy(),
    )
    k = go / (go + gd)
    r = k * np.sqrt(po * go) * np.sqrt(pdd * gd) / df["minutes"].to_numpy() ** b
    return pd.DataFrame(
        {
            "origin": df["origin"].to_numpy(),
            "destination": df["destination"].to_numpy(),
            "strength": r,
        }
    )


def top_k(links: pd.DataFrame, k: int) -> pd.DataFrame:
    """Each origin's k strongest outgoing links (same table for both implementations)."""
    return (
        links.sort_values(["origin", "strength"], ascending=[True, False], kind="stable")
        .groupby("origin", sort=False)
        .head(k)
        .reset_index(drop=True)
    )


def centrality_networkx(links: pd.DataFrame, units: list[str]) -> tuple[pd.DataFrame, float]:
    """Strengths with pandas, PageRank and betweenness with networkx, DI and link entropy."""
    out_s = links.groupby("origin")["strength"].sum().reindex(units, fill_value=0.0)
    in_s = links.groupby("destination")["strength"].sum().reindex(units, fill_value=0.0)
    g = nx.DiGraph()
    g.add_nodes_from(units)
    wmax = links["strength"].max()
    g.add_weighted_edges_from(
        zip(links["origin"], links["destination"], links["strength"], strict=True)
    )
    for _, _, data in g.edges(data=True):
        data["cost"] = wmax / data["weight"]
    pr = nx.pagerank(g, alpha=0.85, weight="weight", tol=1e-12, max_iter=10_000)
    bt = nx.betweenness_centrality(g, weight="cost", normalized=False)
    res = pd.DataFrame(
        {
            "unit_id": units,
            "out_strength": out_s.to_numpy(),
            "in_strength": in_s.to_numpy(),
            "net_flow": (in_s - out_s).to_numpy(),
            "pagerank": [pr[u] for u in units],
            "betweenness": [bt[u] for u in units],
            "dominance_index": (in_s / in_s.mean()).to_numpy(),
        }
    )
    z = links["strength"].to_numpy() / links["strength"].sum()
    entropy = float(-(z * np.log(z)).sum() / np.log(len(z)))
    return res, entropy


def best_of(repeat: int, fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=2000)
    ap.add_argument("--top-k", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--peer-repeat", type=int, default=1, help="repeats of the networkx run")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()

    units, tt = synthetic(args.units, args.seed)
    codes = list(units["unit_id"])

    t_mc_g, g_mc = best_of(args.repeat, gravity, units, tt)
    t_pd_g, g_pd = best_of(args.repeat, gravity_pandas, units, tt)
    # the share of metrocircle's time spent in the data model's travel-time validation
    t_val, _ = best_of(args.repeat, validate_travel_times, tt, universe=set(codes))
    same_g = np.allclose(
        g_mc["strength"].to_numpy(), g_pd["strength"].to_numpy(), rtol=1e-12, atol=0
    )
    same_g &= (g_mc["origin"].to_numpy() == g_pd["origin"].to_numpy()).all()

    net = top_k(g_mc[["origin", "destination", "strength"]], args.top_k)
    t_mc_c, c_mc = best_of(args.repeat, centrality, net, units=codes)
    t_nx_c, (c_nx, e_nx) = best_of(args.peer_repeat, centrality_networkx, net, codes)
    u = c_mc.units
    same_c = all(
        np.allclose(u[col].to_numpy(), c_nx[col].to_numpy(), rtol=1e-9, atol=1e-12)
        for col in ("out_strength", "in_strength", "net_flow", "dominance_index")
    )
    same_pr = np.allclose(u["pagerank"].to_numpy(), c_nx["pagerank"].to_numpy(), atol=1e-9)
    same_bt = np.array_equal(u["betweenness"].to_numpy(), c_nx["betweenness"].to_numpy())
    same_e = abs(c_mc.info["link_entropy"] - e_nx) < 1e-12

    report = {
        "python": platform.python_version(),
        "networkx": nx.__version__,
        "pandas": pd.__version__,
        "units": args.units,
        "pairs": int(len(g_mc)),
        "network_links": int(len(net)),
        "gravity": {
            "metrocircle_s": round(t_mc_g, 3),
            "pandas_s": round(t_pd_g, 3),
            "of_which_validate_travel_times_s": round(t_val, 3),
            "ratio": round(t_pd_g / t_mc_g, 2),
            "identical": bool(same_g),
        },
        "centrality": {
            "metrocircle_s": round(t_mc_c, 3),
            "networkx_s": round(t_nx_c, 3),
            "ratio": round(t_nx_c / t_mc_c, 2),
            "identical_strengths_di": bool(same_c),
            "pagerank_max_abs_diff": float(np.abs(u["pagerank"] - c_nx["pagerank"]).max()),
            "pagerank_within_1e-9": bool(same_pr),
            "betweenness_identical": bool(same_bt),
            "link_entropy_identical": bool(same_e),
        },
        "total": {
            "metrocircle_s": round(t_mc_g + t_mc_c, 3),
            "peer_s": round(t_pd_g + t_nx_c, 3),
            "ratio": round((t_pd_g + t_nx_c) / (t_mc_g + t_mc_c), 2),
        },
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
