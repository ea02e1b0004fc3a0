"""A small deterministic world every delineation method can run on (for the tests of this
folder): a 4 x 4 grid of units, two cores, commuting to them, travel times, parents."""

from __future__ import annotations

import numpy as np
import pandas as pd


def grid_world():
    rng = np.random.default_rng(7)
    names = [f"{r}{c}" for r in range(4) for c in range(4)]
    rows = []
    for u in names:
        rows.append((u, u, float(rng.integers(50, 100))))
        for core in ("00", "33"):
            if u != core:
                rows.append((u, core, float(rng.integers(0, 40))))
    flows = pd.DataFrame(rows, columns=["origin", "destination", "value"])
    flows["moe"] = np.round(0.3 * flows["value"], 1)
    units = pd.DataFrame(
        {
            "unit_id": names,
            "parent_id": [f"P{u[0]}" for u in names],
            "population": rng.integers(100, 1000, len(names)).astype(float),
        }
    )
    cores = pd.DataFrame({"unit_id": ["00", "33"], "area_id": ["west", "east"]})
    edges = []
    for r in range(4):
        for c in range(4):
            if r + 1 < 4:
                edges.append((f"{r}{c}", f"{r + 1}{c}"))
            if c + 1 < 4:
                edges.append((f"{r}{c}", f"{r}{c + 1}"))
    adjacency = pd.DataFrame(edges, columns=["unit_a", "unit_b"])
    tt = pd.DataFrame(
        [
            (u, c, float(10 * (abs(int(u[0]) - int(c[0])) + abs(int(u[1]) - int(c[1])))))
            for u in names
            for c in ("00", "33")
        ],
        columns=["origin", "destination", "minutes"],
    )
    return flows, {"units": units, "cores": cores, "adjacency": adjacency, "travel_times": tt}
