"""leidenalg called directly on a flow CSV (the memory baseline of bench_memory.py).

Run: ``python bench/groups/peer_leidenalg.py FLOWS_CSV`` — reads the flows with pandas, maps
the codes to vertex numbers, builds a directed weighted igraph graph of the off-diagonal
flows and runs ``leidenalg.find_partition(RBConfigurationVertexPartition, seed=0,
n_iterations=-1)``; prints the number of groups and the seconds.
"""

from __future__ import annotations

import sys
import time

import igraph as ig
import leidenalg as la
import pandas as pd

started = time.perf_counter()
flows = pd.read_csv(sys.argv[1], dtype={"origin": str, "destination": str})
off = flows[flows["origin"] != flows["destination"]]
codes, index = pd.factorize(pd.concat([flows["origin"], flows["destination"]]), sort=True)
i = codes[: len(flows)][(flows["origin"] != flows["destination"]).to_numpy()]
j = codes[len(flows) :][(flows["origin"] != flows["destination"]).to_numpy()]
g = ig.Graph(n=len(index), edges=list(zip(i.tolist(), j.tolist(), strict=True)), directed=True)
g.es["weight"] = off["value"].tolist()
part = la.find_partition(
    g, la.RBConfigurationVertexPartition, weights="weight", seed=0, n_iterations=-1
)
print(f"{len(set(part.membership))} groups in {time.perf_counter() - started:.1f} s")
