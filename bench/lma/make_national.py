"""Generate the national-scale synthetic commuting table for the ttwa-lma benchmark.

8,000 units scattered around 300 urban centres on a 1,000 x 1,200 km plane; employed residents are
log-normal; each unit keeps a random share of its workers at home and sends the rest to 130
distinct destinations among its 600 nearest units, chosen with probability proportional to the
destination's attractiveness times exp(-distance / 25 km). About 1.05 M origin-destination rows.
Deterministic for a given seed.

    /work/venv/bin/python bench/lma/make_national.py --out bench/results/national_flows.parquet
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree


def make_national(n_units: int = 8000, seed: int = 20261124, n_dest: int = 130) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_centres = 300
    centres = rng.uniform([0, 0], [1000, 1200], size=(n_centres, 2))
    weight = rng.pareto(1.2, n_centres) + 1
    home = rng.choice(n_centres, size=n_units, p=weight / weight.sum())
    spread = rng.uniform(5, 40, n_centres)[home]
    xy = centres[home] + rng.normal(0, 1, (n_units, 2)) * spread[:, None]
    residents = np.maximum(np.round(rng.lognormal(7.3, 1.1, n_units)), 2 * n_dest)
    dist_centre = np.hypot(*(xy - centres[home]).T)
    attract = rng.lognormal(0, 0.8, n_units) * residents * np.exp(-dist_centre / 30)
    stay_share = rng.beta(4, 4, n_units)
    tree = cKDTree(xy)
    dist, nbr = tree.query(xy, k=600)
    codes = np.array([f"{100000 + 7 * i:06d}" for i in range(n_units)])
    origins, dests, values = [], [], []
    for u in range(n_units):
        d, j = dist[u, 1:], nbr[u, 1:]
        p = attract[j] * np.exp(-d / 25)
        p = p / p.sum()
        chosen = rng.choice(len(j), size=n_dest, replace=False, p=p)
        out = int(residents[u] - round(residents[u] * stay_share[u]))
        out = max(out, n_dest)
        share = p[chosen] / p[chosen].sum()
        amounts = 1 + rng.multinomial(out - n_dest, share)
        origins.append(np.full(n_dest + 1, u))
        dests.append(np.concatenate([[u], j[chosen]]))
        values.append(np.concatenate([[residents[u] - out], amounts]))
    o = np.concatenate(origins)
    d = np.concatenate(dests)
    v = np.concatenate(values).astype(float)
    keep = v > 0
    return pd.DataFrame({"origin": codes[o[keep]], "destination": codes[d[keep]], "value": v[keep]})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=8000)
    ap.add_argument("--seed", type=int, default=20261124)
    ap.add_argument("--out", type=Path, default=Path("bench/results/national_flows.parquet"))
    a = ap.parse_args()
    df = make_national(a.units, a.seed)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    df.to_parquet(a.out, index=False)
    print(f"{len(df)} flows, {df['origin'].nunique()} units, {df['value'].sum():.0f} commuters")


if __name__ == "__main__":
    main()
