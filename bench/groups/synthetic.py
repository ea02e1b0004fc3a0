"""A synthetic commuting network on a square grid of units, for the speed and memory benches.

``make_network(n_units, n_flows, seed=...)`` lays ``n_units`` units on a square grid (rook
adjacency between grid neighbours), gives each a population (log-normal) and draws
``n_flows`` distinct off-diagonal origin-destination pairs whose destinations fall off with
distance (geometric steps along both axes, so most commuting is local and a few trips are
long), plus the diagonal (people working where they live, about 60 % of all workers). Values
are integers (Poisson around a gravity-like mean). The result has the shape of a national
county or district commuting table; nothing in it is planted, so community detection has real
work to do.

Run ``python bench/groups/synthetic.py N_UNITS N_FLOWS DIR`` to write ``flows.csv``,
``units.csv`` and ``adjacency.csv`` into ``DIR`` (for the command-line memory bench).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd


def make_network(
    n_units: int, n_flows: int, *, seed: int = 20261206
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(flows, units, adjacency)`` with ``n_flows`` off-diagonal flows plus the diagonal."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_units)))
    x = np.arange(n_units) % side
    y = np.arange(n_units) // side
    width = len(str(n_units - 1))
    ids = np.array([f"u{k:0{width}d}" for k in range(n_units)])
    population = np.round(rng.lognormal(mean=9.0, sigma=1.0, size=n_units)).astype(np.int64)
    # destinations: geometric steps along each axis (mean about 3 cells), a few long trips
    have = 0
    seen = np.zeros(0, dtype=np.int64)
    while have < n_flows:
        m = int((n_flows - have) * 1.3) + 1000
        o = rng.choice(n_units, size=m, p=population / population.sum())
        step = rng.geometric(0.3, size=(m, 2)) - 1
        sign = rng.choice([-1, 1], size=(m, 2))
        far = rng.random(m) < 0.02
        dx = np.where(far, rng.integers(-side, side, m), step[:, 0] * sign[:, 0])
        dy = np.where(far, rng.integers(-side, side, m), step[:, 1] * sign[:, 1])
        tx = np.clip(x[o] + dx, 0, side - 1)
        ty = np.clip(y[o] + dy, 0, side - 1)
        d = ty * side + tx
        ok = (d < n_units) & (d != o)
        key = np.unique(np.concatenate([seen, o[ok].astype(np.int64) * n_units + d[ok]]))
        seen = key
        have = key.size
    keep = rng.choice(seen.size, size=n_flows, replace=False)
    pairs = np.sort(seen[keep])
    o, d = pairs // n_units, pairs % n_units
    dist = np.hypot(x[o] - x[d], y[o] - y[d])
    mean = 0.02 * np.sqrt(population[o] * population[d]) / (1.0 + dist) ** 2
    value = rng.poisson(mean) + 1
    inside = np.round(population * 0.45).astype(np.int64)  # about 60 % of workers
    flows = pd.DataFrame(
        {
            "origin": np.concatenate([ids[o], ids]),
            "destination": np.concatenate([ids[d], ids]),
            "value": np.concatenate([value, inside]).astype(float),
        }
    )
    units = pd.DataFrame({"unit_id": ids, "population": population})
    right = np.flatnonzero((x < side - 1) & (np.arange(n_units) + 1 < n_units))
    below = np.flatnonzero(np.arange(n_units) + side < n_units)
    adjacency = pd.DataFrame(
        {
            "unit_a": np.concatenate([ids[right], ids[below]]),
            "unit_b": np.concatenate([ids[right + 1], ids[below + side]]),
        }
    )
    return flows, units, adjacency


def make_planted(
    n_units: int,
    n_flows: int,
    *,
    n_regions: int = 50,
    inside_share: float = 0.9,
    exclave_share: float = 0.01,
    seed: int = 20261206,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, np.ndarray]:
    """A grid of units cut into ``n_regions`` rectangular blocks (the planted regions).

    Each off-diagonal flow stays in its origin's region with probability ``inside_share`` and
    goes anywhere otherwise. A share ``exclave_share`` of the units belong by their flows to
    another, random region (exclaves: detection puts them with a distant group, and the
    contiguity post-processing has to split and merge them). Returns ``(flows, units,
    adjacency, region)`` where ``region`` is the planted region of each unit by its flows;
    the flows are ``n_flows`` distinct off-diagonal pairs plus the diagonal."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_units)))
    x = np.arange(n_units) % side
    y = np.arange(n_units) // side
    across = int(np.floor(np.sqrt(n_regions)))
    while n_regions % across:
        across -= 1
    down = n_regions // across
    region = (x * across // side) + across * (y * down // side)
    exclave = rng.random(n_units) < exclave_share
    region[exclave] = rng.integers(0, n_regions, int(exclave.sum()))
    width = len(str(n_units - 1))
    ids = np.array([f"u{k:0{width}d}" for k in range(n_units)])
    members = [np.flatnonzero(region == r) for r in range(n_regions)]
    seen = np.zeros(0, dtype=np.int64)
    while seen.size < n_flows:
        m = int((n_flows - seen.size) * 1.3) + 1000
        o = rng.integers(0, n_units, m)
        local = rng.random(m) < inside_share
        d = rng.integers(0, n_units, m)
        for r in range(n_regions):
            pick = np.flatnonzero(local & (region[o] == r))
            d[pick] = members[r][rng.integers(0, members[r].size, pick.size)]
        ok = d != o
        seen = np.unique(np.concatenate([seen, o[ok].astype(np.int64) * n_units + d[ok]]))
    pairs = np.sort(seen[rng.choice(seen.size, size=n_flows, replace=False)])
    o, d = pairs // n_units, pairs % n_units
    value = np.where(region[o] == region[d], rng.poisson(20, o.size), rng.poisson(3, o.size)) + 1
    inside = rng.poisson(300, n_units) + 1
    flows = pd.DataFrame(
        {
            "origin": np.concatenate([ids[o], ids]),
            "destination": np.concatenate([ids[d], ids]),
            "value": np.concatenate([value, inside]).astype(float),
        }
    )
    units = pd.DataFrame({"unit_id": ids, "population": inside * 2})
    right = np.flatnonzero((x < side - 1) & (np.arange(n_units) + 1 < n_units))
    below = np.flatnonzero(np.arange(n_units) + side < n_units)
    adjacency = pd.DataFrame(
        {
            "unit_a": np.concatenate([ids[right], ids[below]]),
            "unit_b": np.concatenate([ids[right + 1], ids[below + side]]),
        }
    )
    return flows, units, adjacency, region


if __name__ == "__main__":
    n_units, n_flows, folder = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    folder.mkdir(parents=True, exist_ok=True)
    flows, units, adjacency = make_network(n_units, n_flows)
    flows.to_csv(folder / "flows.csv", index=False)
    units.to_csv(folder / "units.csv", index=False)
    adjacency.to_csv(folder / "adjacency.csv", index=False)
    print(
        f"{len(units)} units, {len(flows)} flows ({n_flows} between units), "
        f"{len(adjacency)} adjacency pairs in {folder}"
    )
