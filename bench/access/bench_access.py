"""Benchmark: metrocircle.access against a networkx implementation of the same computation.

Run from the repository root (networkx must be importable; it is a bench-only dependency)::

    PYTHONPATH=src /work/venv/bin/python bench/access/bench_access.py

Two cases, each timed for metrocircle and for networkx in the same run, results checked equal:

1. **Chongqing**: the full unit-to-unit matrix of the shipped example (58 units, 210 stations,
   9,170 stop times): time-expanded rail journeys from every station, the multimodal static
   graph, all-pairs unit times and the mode attribution run (without rail). networkx does the
   same Dijkstra searches on the same graphs (``single_source_dijkstra_path_length``); the
   static multimodal graph is built once outside its timing, which favours networkx.
2. **Synthetic**: 2,000 units with 50,000 directed road edges (each unit linked to its 12-13
   nearest neighbours, random speeds); the full 2,000 × 2,000 matrix. networkx runs from
   ``--nx-sources`` origins (default 200) and its time is scaled linearly to 2,000 origins
   (``--nx-sources 2000`` runs it all, a few minutes).

Compute time excludes reading files. Each figure is the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import networkx as nx
import numpy as np
import pandas as pd

from metrocircle.access import AccessParams, accessibility, chongqing_inputs
from metrocircle.access.network import build_network, window_minutes
from metrocircle.access.routing import unit_times
from metrocircle.access.timetable import station_journeys, time_expanded_graph


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def nx_graph(csr) -> nx.DiGraph:
    coo = csr.tocoo()
    g = nx.DiGraph()
    g.add_nodes_from(range(csr.shape[0]))
    g.add_weighted_edges_from(
        zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True)
    )
    return g


def nx_all_from(g: nx.DiGraph, sources, n_targets: int) -> np.ndarray:
    out = np.full((len(sources), n_targets), np.inf)
    for i, s in enumerate(sources):
        for node, d in nx.single_source_dijkstra_path_length(g, int(s), weight="weight").items():
            if node < n_targets:
                out[i, node] = d
    return out


# ---------------------------------------------------------------------- Chongqing
def chongqing_case(repeat: int) -> dict:
    inputs = chongqing_inputs()
    params = AccessParams()

    def ours():
        return accessibility(**inputs, params=params)

    t_ours, res = best_of(ours, repeat)

    # networkx: the same graphs, the same searches
    start, end = window_minutes(params.departure_window)
    tt = inputs["timetable"]

    # the static multimodal graph is built once outside the timing (in favour of networkx)
    net = build_network(inputs["units"], timetable=tt, adjacency=inputs["adjacency"], params=params)

    def theirs():
        teg = time_expanded_graph(
            tt, start=start, end=end, min_transfer_minutes=params.min_transfer_minutes
        )
        g = nx_graph(teg.graph)
        departures = np.bincount(teg.sid[teg.in_window], minlength=len(teg.stations))
        arr_nodes = np.flatnonzero(teg.sid >= 0)
        journeys = {}
        for s in np.flatnonzero(departures > 0):
            dist = nx.single_source_dijkstra_path_length(
                g, int(teg.source_offset + s), weight="weight"
            )
            for node in arr_nodes:
                d = dist.get(int(node))
                if d is None:
                    continue
                key = (teg.stations[s], teg.stations[teg.sid[node]])
                if key[0] != key[1] and d < journeys.get(key, np.inf):
                    journeys[key] = d
        n = net.n_units
        full = nx_all_from(nx_graph(net.csr()), range(n), n)
        no_rail = nx_all_from(nx_graph(net.csr(exclude_modes=("rail",))), range(n), n)
        return journeys, full, no_rail

    t_nx, (journeys, full, no_rail) = best_of(theirs, repeat)
    ours_j = station_journeys(
        tt, departure_window=(start, end), min_transfer_minutes=params.min_transfer_minutes
    )
    ours_map = {
        (r.from_station, r.to_station): r.journey_minutes for r in ours_j.pairs.itertuples()
    }
    same_journeys = ours_map.keys() == journeys.keys() and all(
        abs(ours_map[k] - journeys[k]) < 1e-9 for k in journeys
    )
    same_matrix = np.allclose(full, res.minutes, atol=1e-9)
    same_no_rail = np.allclose(no_rail, unit_times(res.network, exclude_modes=("rail",)), atol=1e-9)
    return {
        "case": "chongqing",
        "units": res.info["units"],
        "stations": res.info["stations"],
        "stop_times": res.info["timetable"]["stop_times"],
        "station_pairs": len(ours_map),
        "metrocircle_s": round(t_ours, 4),
        "networkx_s": round(t_nx, 4),
        "ratio_networkx_over_metrocircle": round(t_nx / t_ours, 1),
        "identical_results": bool(same_journeys and same_matrix and same_no_rail),
    }


# ---------------------------------------------------------------------- synthetic
def synthetic_inputs(n_units: int = 2000, n_edges: int = 50_000, seed: int = 42) -> dict:
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    lon = 104 + rng.uniform(0, 6, n_units)
    lat = 28 + rng.uniform(0, 4, n_units)
    units = pd.DataFrame({"unit_id": [f"s{i:05d}" for i in range(n_units)], "lon": lon, "lat": lat})
    k = int(np.ceil(n_edges / n_units)) + 2  # enough candidates left after symmetric duplicates
    _, nb = cKDTree(np.column_stack([lon * np.cos(np.radians(30)), lat])).query(
        np.column_stack([lon * np.cos(np.radians(30)), lat]), k=k + 1
    )
    a = np.repeat(np.arange(n_units), k)
    b = nb[:, 1:].ravel()
    pairs = np.unique(np.sort(np.column_stack([a, b]), axis=1), axis=0)
    pairs = pairs[rng.permutation(len(pairs))[: n_edges // 2]]
    roads = pd.DataFrame(
        {
            "unit_a": units.unit_id.to_numpy()[pairs[:, 0]],
            "unit_b": units.unit_id.to_numpy()[pairs[:, 1]],
            "speed_kmh": rng.choice([40.0, 60.0, 80.0, 100.0], len(pairs)),
        }
    )
    cores = units.unit_id.iloc[:3].tolist()
    return {"units": units, "roads": roads, "cores": cores}


def synthetic_case(repeat: int, nx_sources: int) -> dict:
    inputs = synthetic_inputs()

    def ours():
        return accessibility(**inputs)

    t_ours, res = best_of(ours, repeat)
    n = res.network.n_units
    g = nx_graph(res.network.csr())
    sources = np.arange(min(nx_sources, n))
    t_nx_part, part = best_of(lambda: nx_all_from(g, sources, n), 1)
    t_nx = t_nx_part * n / len(sources)
    return {
        "case": "synthetic",
        "units": n,
        "edges": int(res.network.csr().nnz),
        "metrocircle_s": round(t_ours, 3),
        "networkx_sources_run": int(len(sources)),
        "networkx_s_measured": round(t_nx_part, 3),
        "networkx_s_for_all_sources": round(t_nx, 2),
        "ratio_networkx_over_metrocircle": round(t_nx / t_ours, 1),
        "identical_results": bool(np.allclose(part, res.minutes[sources], atol=1e-9)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--nx-sources", type=int, default=200)
    args = ap.parse_args()
    rows = [chongqing_case(args.repeat), synthetic_case(args.repeat, args.nx_sources)]
    meta = {
        "python": platform.python_version(),
        "networkx": nx.__version__,
        "numpy": np.__version__,
    }
    print(json.dumps({"meta": meta, "results": rows}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
