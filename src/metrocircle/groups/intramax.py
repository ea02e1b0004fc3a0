"""Intramax (Masser & Brown 1975): hierarchical merging of units into functional regions.

At each step the pair of regions ``(i, j)`` maximising

    I_ij = T_ij / (O_i D_j) + T_ji / (O_j D_i)

is merged, where ``T`` is the flow matrix between the current regions, ``O_i`` its row sums
(all flows leaving from ``i``, the flow staying inside included) and ``D_j`` its column sums.
The diagonal is not a candidate (a region is not merged with itself) but it stays in the
margins. After a merge, rows, columns and margins of the two regions are added. A margin that
is zero is set to 1 (the fix of Charlton's R script), which makes its terms 0 instead of 0/0.

With a contiguity constraint only adjacent regions may merge (the merged region is adjacent
to every neighbour of either part). Ties are broken by the lowest pair of region indices, so
the hierarchy is deterministic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _interaction(t: np.ndarray, o: np.ndarray, d: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``I[rows, :]`` for the current matrix (vectorised; zero margins set to 1)."""
    o1 = np.where(o > 0, o, 1.0)
    d1 = np.where(d > 0, d, 1.0)
    return t[rows, :] / (o1[rows, None] * d1[None, :]) + t[:, rows].T / (
        o1[None, :] * d1[rows, None]
    )


def intramax_hierarchy(
    matrix: np.ndarray, adjacency: np.ndarray | None = None
) -> tuple[pd.DataFrame, np.ndarray]:
    """Run Intramax to the end and return the merge history and the label of every level.

    Parameters
    ----------
    matrix
        Square flow matrix ``T`` (diagonal included; it counts in the margins only).
    adjacency
        Optional symmetric boolean matrix; when given only adjacent regions merge.

    Returns
    -------
    history
        One row per merge: ``step`` (1..), ``kept``, ``absorbed`` (region indices; a region
        keeps the index of its first member), ``interaction`` (the ``I_ij`` maximised),
        ``n_regions`` after the merge, ``min_self_containment`` of that level (the smallest
        over regions of ``min(T_rr/O_r, T_rr/D_r)``).
    levels
        ``levels[s]`` is the label (region index) of every unit after ``s`` merges.
    """
    t = np.asarray(matrix, dtype=float).copy()
    n = t.shape[0]
    o = t.sum(axis=1)
    d = t.sum(axis=0)
    active = np.ones(n, dtype=bool)
    allowed = np.ones((n, n), dtype=bool) if adjacency is None else adjacency.copy()
    np.fill_diagonal(allowed, False)
    score = _interaction(t, o, d, np.arange(n))
    score[~allowed] = -np.inf
    labels = np.arange(n)
    levels = [labels.copy()]
    rows = []
    for step in range(1, n):
        flat = int(np.argmax(score))
        a, b = divmod(flat, n)
        if not np.isfinite(score[a, b]):
            break  # no admissible pair left (adjacency has several components)
        i, j = min(a, b), max(a, b)
        value = float(score[a, b])
        # merge j into i: rows, columns, margins, adjacency
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
        allowed[j, :] = False
        allowed[:, j] = False
        allowed[i, i] = False
        labels[labels == j] = i
        levels.append(labels.copy())
        new = _interaction(t, o, d, np.array([i]))[0]
        new[~allowed[i]] = -np.inf
        score[i, :] = new
        score[:, i] = new
        score[j, :] = -np.inf
        score[:, j] = -np.inf
        diag = np.diagonal(t)[active]
        with np.errstate(invalid="ignore", divide="ignore"):
            sc = np.minimum(
                np.where(o[active] > 0, diag / o[active], 1.0),
                np.where(d[active] > 0, diag / d[active], 1.0),
            )
        rows.append((step, i, j, value, int(active.sum()), float(sc.min())))
    history = pd.DataFrame(
        rows,
        columns=[
            "step",
            "kept",
            "absorbed",
            "interaction",
            "n_regions",
            "min_self_containment",
        ],
    )
    return history, np.vstack(levels)


def initial_min_self_containment(matrix: np.ndarray) -> float:
    """``min(T_ii/O_i, T_ii/D_i)`` over the units before any merge."""
    t = np.asarray(matrix, dtype=float)
    o, d, diag = t.sum(axis=1), t.sum(axis=0), np.diagonal(t)
    with np.errstate(invalid="ignore", divide="ignore"):
        sc = np.minimum(np.where(o > 0, diag / o, 1.0), np.where(d > 0, diag / d, 1.0))
    return float(sc.min())
