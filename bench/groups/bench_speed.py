"""Leiden groups with contiguity post-processing against leidenalg called directly.

Run: ``PYTHONPATH=src .venv/bin/python bench/groups/bench_speed.py [--repeat 5] [--json FILE]``

The network (``synthetic.make_planted``): 10,000 units on a 100 x 100 grid cut into 50
regions, 100,000 distinct off-diagonal flows (90 % inside the origin's region) plus the
diagonal, 1 % of the units commuting into a distant region (exclaves), rook adjacency.

In each repetition, one after the other in the same process:

- **leidenalg directly**, as a user would call it: the flows mapped to vertex numbers, an
  ``igraph.Graph`` built from the off-diagonal edges with their weights, then
  ``leidenalg.find_partition(g, RBConfigurationVertexPartition, weights="weight", seed=0,
  n_iterations=-1)``. Timed with and without building the graph.
- **metrocircle**: ``find_groups(flows, method="leiden", units=..., adjacency=...,
  params={"stability_runs": 0, "min_size": 2})``: input checks, the sparse matrix, the graph,
  the same Leiden call, splitting every group into connected parts, merging the parts below 2
  units into their strongest neighbour, modularity before and after, the group table.

The script checks that both find the same partition before post-processing (adjusted Rand
index 1) and reports medians of CPU and wall seconds and their ratios. CPU time is the fairer
figure on a shared machine (both are single-threaded).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import make_network, make_planted  # noqa: E402


def _clock() -> tuple[float, float]:
    return time.process_time(), time.perf_counter()


def leidenalg_direct(flows, units):  # noqa: ANN001, ANN201
    import igraph as ig
    import leidenalg as la

    c0, w0 = _clock()
    pos = {u: k for k, u in enumerate(units["unit_id"])}
    off = flows[flows["origin"] != flows["destination"]]
    i = off["origin"].map(pos).tolist()
    j = off["destination"].map(pos).tolist()
    g = ig.Graph(n=len(pos), edges=list(zip(i, j, strict=True)), directed=True)
    g.es["weight"] = off["value"].tolist()
    c1, w1 = _clock()
    part = la.find_partition(
        g, la.RBConfigurationVertexPartition, weights="weight", seed=0, n_iterations=-1
    )
    c2, w2 = _clock()
    return part.membership, {"cpu": c2 - c0, "wall": w2 - w0, "cpu_partition": c2 - c1,
                             "wall_partition": w2 - w1}  # fmt: skip


def metrocircle_groups(flows, units, adjacency):  # noqa: ANN001, ANN201
    from metrocircle.groups import find_groups

    c0, w0 = _clock()
    r = find_groups(
        flows,
        method="leiden",
        units=units,
        adjacency=adjacency,
        params={"stability_runs": 0, "min_size": 2, "random_state": 0},
    )
    c1, w1 = _clock()
    return r, {"cpu": c1 - c0, "wall": w1 - w0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--network",
        choices=["planted", "gravity"],
        default="planted",
        help="planted regions (default) or the unplanted distance-decay network",
    )
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    from metrocircle.groups import adjusted_rand_index

    if args.network == "planted":
        flows, units, adjacency, _ = make_planted(10_000, 100_000)
    else:
        flows, units, adjacency = make_network(10_000, 100_000)
    off = int((flows["origin"] != flows["destination"]).sum())
    print(f"{len(units)} units, {off} flows between units + {len(flows) - off} diagonal, "
          f"{len(adjacency)} adjacency pairs ({args.network})")  # fmt: skip
    peer_times, ours_times = [], []
    for rep in range(args.repeat):
        membership, peer = leidenalg_direct(flows, units)
        result, ours = metrocircle_groups(flows, units, adjacency)
        same = adjusted_rand_index(membership, result.membership["detected_group"].to_numpy())
        if same != 1.0:
            raise SystemExit(f"different partitions before post-processing (ARI {same})")
        peer_times.append(peer)
        ours_times.append(ours)
        print(f"  run {rep + 1}: leidenalg {peer['cpu']:.2f} s CPU ({peer['cpu_partition']:.2f} "
              f"partition only), metrocircle {ours['cpu']:.2f} s CPU; wall {peer['wall']:.2f} / "
              f"{ours['wall']:.2f} s")  # fmt: skip

    def med(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    summary = {
        "network": args.network,
        "units": len(units),
        "flows_between_units": off,
        "repeat": args.repeat,
        "groups": result.info["n_groups"],
        "groups_detected": result.info["n_groups_detected"],
        "assigned": result.info["assigned"],
        "leidenalg_cpu": med(peer_times, "cpu"),
        "leidenalg_cpu_partition_only": med(peer_times, "cpu_partition"),
        "leidenalg_wall": med(peer_times, "wall"),
        "metrocircle_cpu": med(ours_times, "cpu"),
        "metrocircle_wall": med(ours_times, "wall"),
    }
    summary["ratio_cpu"] = summary["metrocircle_cpu"] / summary["leidenalg_cpu"]
    summary["ratio_cpu_partition_only"] = (
        summary["metrocircle_cpu"] / summary["leidenalg_cpu_partition_only"]
    )
    summary["ratio_wall"] = summary["metrocircle_wall"] / summary["leidenalg_wall"]
    print(json.dumps(summary, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
