"""Intramax: the sparse heap against the dense numpy version it replaced, on US counties.

Run: ``PYTHONPATH=src .venv/bin/python bench/groups/bench_intramax.py``

The dense version (below, as it was in metrocircle before: ``n x n`` flow, score and
adjacency matrices, one row and column of scores updated per merge, then an argmax over the
whole matrix) is the baseline. Both run on the same matrices, the 3,222 US counties (ACS
2016-2020 flows, 2023 adjacency with water boundaries) with contiguity, then without, and the
script checks that the merges, interactions and self-containment are identical.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from metrocircle.datasets import us_cbsa
from metrocircle.groups._network import adjacency_matrix, flow_matrix
from metrocircle.groups.intramax import intramax_merges


def dense_intramax(matrix: np.ndarray, adjacency: np.ndarray | None) -> pd.DataFrame:
    """The dense implementation metrocircle used before (history only)."""
    t = np.asarray(matrix, dtype=float).copy()
    n = t.shape[0]
    o, d = t.sum(axis=1), t.sum(axis=0)
    active = np.ones(n, dtype=bool)
    allowed = np.ones((n, n), dtype=bool) if adjacency is None else adjacency.copy()
    np.fill_diagonal(allowed, False)

    def interaction(rows: np.ndarray) -> np.ndarray:
        o1, d1 = np.where(o > 0, o, 1.0), np.where(d > 0, d, 1.0)
        return t[rows, :] / (o1[rows, None] * d1[None, :]) + t[:, rows].T / (
            o1[None, :] * d1[rows, None]
        )

    score = interaction(np.arange(n))
    score[~allowed] = -np.inf
    rows = []
    for step in range(1, n):
        a, b = divmod(int(np.argmax(score)), n)
        if not np.isfinite(score[a, b]):
            break
        i, j = min(a, b), max(a, b)
        value = float(score[a, b])
        t[i, :] += t[j, :]
        t[:, i] += t[:, j]
        t[j, :] = 0.0
        t[:, j] = 0.0
        o[i] += o[j]
        d[i] += d[j]
        o[j] = d[j] = 0.0
        active[j] = False
        allowed[i, :] |= allowed[j, :]
        allowed[:, i] |= allowed[:, j]
        allowed[j, :] = allowed[:, j] = False
        allowed[i, i] = False
        new = interaction(np.array([i]))[0]
        new[~allowed[i]] = -np.inf
        score[i, :] = score[:, i] = new
        score[j, :] = score[:, j] = -np.inf
        diag = np.diagonal(t)[active]
        with np.errstate(invalid="ignore", divide="ignore"):
            sc = np.minimum(
                np.where(o[active] > 0, diag / o[active], 1.0),
                np.where(d[active] > 0, diag / d[active], 1.0),
            )
        rows.append((step, i, j, value, int(active.sum()), float(sc.min())))
    return pd.DataFrame(
        rows,
        columns=["step", "kept", "absorbed", "interaction", "n_regions", "min_self_containment"],
    )


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    flows = us_cbsa.load_flows()
    units = us_cbsa.load_units()
    fm = flow_matrix(flows, unit_ids=units["unit_id"].tolist(), external=us_cbsa.EXTERNAL_CODES)
    adj = adjacency_matrix(us_cbsa.load_adjacency(), fm.unit_ids)
    dense = fm.matrix.toarray()
    for label, a_sparse, a_dense in (
        ("contiguity", adj, adj.toarray()),
        ("no adjacency", None, None),
    ):
        c0, w0 = time.process_time(), time.perf_counter()
        old = dense_intramax(dense, a_dense)
        c1, w1 = time.process_time(), time.perf_counter()
        new = intramax_merges(fm.matrix, a_sparse)
        c2, w2 = time.process_time(), time.perf_counter()
        same = old.equals(new)
        print(
            f"{label}: {len(new)} merges; dense {c1 - c0:.1f} s CPU ({w1 - w0:.1f} wall), "
            f"sparse {c2 - c1:.1f} s CPU ({w2 - w1:.1f} wall); ratio CPU "
            f"{(c1 - c0) / (c2 - c1):.1f}; identical history: {same}",
            flush=True,
        )
        if not same:
            raise SystemExit("the histories differ")


if __name__ == "__main__":
    main()
