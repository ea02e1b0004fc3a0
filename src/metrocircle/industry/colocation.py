"""Colocation quotient (Leslie and Kronenfeld 2011) and its local form (Wang et al. 2017) on
firm points, with permutation significance.

For a category A (e.g. electronics assemblers) and a category B (parts suppliers), the local
colocation quotient of an A point i is

    LCLQ_{A_i -> B} = N_{A_i -> B} / (N'_B / (N - 1)),
    N_{A_i -> B} = sum_{j in kNN(i)} w_ij [j is B] / sum_{j in kNN(i)} w_ij,

with Gaussian kernel weights ``w_ij = exp(-0.5 d_ij^2 / d_i^2)`` over the k nearest neighbours
(``d_i`` the distance to the k-th one: an adaptive bandwidth), ``N'_B = N_B`` (``N_B - 1`` if
A = B) and N all points. The global CLQ_{A->B} is the mean of the local values over the A
points (with k = 1 and no kernel this is Leslie and Kronenfeld's ratio
``(C_{A->B}/N_A) / (N'_B/(N-1))``). Values above 1 mean B is more common around A than in
the whole set (colocation); below 1, B avoids A. The measure is asymmetric: A->B != B->A.

Significance (ArcGIS Pro *Colocation Analysis* defaults: k = 8, 99 permutations):

* global: the labels of all points are permuted; p-values are the share of permutations with
  a CLQ at least (``p_colocated``) or at most (``p_isolated``) the observed one, counting the
  observed one: ``(1 + #) / (permutations + 1)``;
* local: conditional permutation — point i keeps its label and the labels of its k neighbour
  slots are drawn without replacement from the other N - 1 points, independently for every
  point. (PySAL's ``esda`` reuses one set of draws for all points to save time; with one
  shared set the share of points called significant under the null varied from 2.8 % to 7.2 %
  between seeds in our trials, so the draws here are not shared.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.exceptions import ParameterError, Problems

__all__ = ["ColocationResult", "colocation_quotient"]

EARTH_RADIUS_KM = 6371.0088


@dataclass
class ColocationResult:
    """Result of :func:`colocation_quotient`.

    Attributes
    ----------
    global_clq
        CLQ_{A->B}.
    p_colocated, p_isolated
        Permutation p-values of the global CLQ being higher / lower than random labelling
        (NaN when ``permutations=0``).
    local
        One row per A point (index of ``points``): ``lclq``, ``b_neighbours`` (unweighted count
        of B among the k neighbours), ``p_colocated``, ``p_isolated`` and ``category``
        (``"colocated"``, ``"isolated"``, ``"not significant"`` or ``"not tested"``).
    info
        a, b, k, permutations, counts, distance unit, random_state.
    """

    global_clq: float
    p_colocated: float
    p_isolated: float
    local: pd.DataFrame
    info: dict[str, Any] = field(default_factory=dict)


def _coordinates(
    points: pd.DataFrame,
    x_col: str | None,
    y_col: str | None,
    lonlat: bool | None,
    p: Problems,
) -> tuple[np.ndarray | None, bool]:
    cols = set(points.columns)
    if x_col is None and y_col is None:
        if {"lon", "lat"} <= cols:
            x_col, y_col = "lon", "lat"
            lonlat = True if lonlat is None else lonlat
        elif {"x", "y"} <= cols:
            x_col, y_col = "x", "y"
        else:
            p.add(
                "points",
                "no coordinates: give columns lon, lat (degrees) or x, y "
                "(projected), or name them with x_col/y_col",
            )
            return None, False
    if x_col is None or y_col is None:
        p.add("points", "give both x_col and y_col")
        return None, False
    absent = [c for c in (x_col, y_col) if c not in cols]
    for c in absent:
        have = ", ".join(map(str, points.columns))
        p.add("points", f"column {c!r} not found; the table has: {have}")
    if absent:
        return None, False
    lonlat = bool(lonlat)
    xy = np.column_stack(
        [pd.to_numeric(points[c], errors="coerce").to_numpy(dtype=float) for c in (x_col, y_col)]
    )
    bad = ~np.isfinite(xy).all(axis=1)
    if bad.any():
        p.add("points", "coordinates blank or not numbers", list(points.index[bad]))
    if lonlat:
        out = ~bad & ((np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90))
        if out.any():
            p.add(
                "points",
                "lon/lat out of range (|lon| <= 180, |lat| <= 90)",
                list(points.index[out]),
            )
    return xy, lonlat


def _neighbours(xy: np.ndarray, k: int, lonlat: bool) -> tuple[np.ndarray, np.ndarray]:
    """k nearest neighbours of every point (self excluded) and their distances."""
    from scipy.spatial import cKDTree

    if lonlat:
        lon, lat = np.radians(xy[:, 0]), np.radians(xy[:, 1])
        pts = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    else:
        pts = xy
    n = len(pts)
    dist, idx = cKDTree(pts).query(pts, k=k + 1)
    self_mask = idx == np.arange(n)[:, None]
    no_self = ~self_mask.any(axis=1)  # duplicates at distance 0 can push self out
    self_mask[no_self, -1] = True
    nbr = idx[~self_mask].reshape(n, k)
    d = dist[~self_mask].reshape(n, k)
    if lonlat:  # chord on the unit sphere -> great-circle km (same order)
        d = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(d / 2.0, 0.0, 1.0))
    return nbr, d


def _draws(
    rng: np.random.Generator, ids: np.ndarray, n: int, permutations: int, k: int
) -> np.ndarray:
    """For each point in ``ids``: ``permutations`` x ``k`` distinct indices of the other points."""
    m = len(ids)
    if n - 1 <= 64:  # few points: exact sampling without replacement
        d = rng.random((m, permutations, n - 1)).argsort(axis=2)[:, :, :k]
    else:  # many points: draw with replacement, redraw the rare rows with a repeat
        d = rng.integers(0, n - 1, size=(m, permutations, k))
        while True:
            srt = np.sort(d, axis=2)
            dup = (np.diff(srt, axis=2) == 0).any(axis=2)
            if not dup.any():
                break
            d[dup] = rng.integers(0, n - 1, size=(int(dup.sum()), k))
    return d + (d >= ids[:, None, None])  # skip the point itself


def _kernel(d: np.ndarray) -> np.ndarray:
    bw = d.max(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(bw > 0, np.exp(-0.5 * (d / np.where(bw > 0, bw, 1.0)) ** 2), 1.0)
    return w / w.sum(axis=1, keepdims=True)


def colocation_quotient(
    points: pd.DataFrame,
    a: str,
    b: str,
    *,
    label_col: str = "label",
    k: int = 8,
    permutations: int = 99,
    alpha: float = 0.05,
    random_state: int | np.random.Generator | None = None,
    x_col: str | None = None,
    y_col: str | None = None,
    lonlat: bool | None = None,
) -> ColocationResult:
    """Global and local colocation quotient of category ``a`` towards category ``b``.

    Parameters
    ----------
    points
        One row per firm (or park, plant): a category in ``label_col`` and coordinates:
        ``lon, lat`` in degrees (distances on the sphere, in km) or ``x, y`` projected (distances
        in the CRS unit); other names with ``x_col``/``y_col`` (and ``lonlat=True`` if degrees).
    a, b
        The two categories (may be equal: A->A tests clustering of A).
    k
        Neighbours per point (default 8).
    permutations
        Random labellings for the p-values (default 99; 0 skips testing).
    alpha
        Level for the local ``category``.
    random_state
        Seed or numpy Generator (the permutations are deterministic for a seed).

    Returns
    -------
    ColocationResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> pts = pd.DataFrame({"x": rng.random(200), "y": rng.random(200),
    ...                     "label": rng.choice(["A", "B", "C"], 200)})
    >>> res = colocation_quotient(pts, "A", "B", k=8, permutations=99, random_state=1)
    >>> 0.7 < res.global_clq < 1.3
    True
    """
    what = "colocation_quotient"
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ParameterError(f"The 'k' parameter of {what} must be an int >= 1. Got {k!r}.")
    if (
        not isinstance(permutations, (int, np.integer))
        or isinstance(permutations, bool)
        or permutations < 0
    ):
        raise ParameterError(
            f"The 'permutations' parameter of {what} must be an int >= 0. Got {permutations!r}."
        )
    if not 0.0 < float(alpha) < 1.0:
        raise ParameterError(
            f"The 'alpha' parameter of {what} must be a float in (0, 1). Got {alpha!r}."
        )
    if not isinstance(points, pd.DataFrame):
        raise ParameterError(
            f"The 'points' parameter of {what} must be a pandas DataFrame. "
            f"Got {type(points).__name__}."
        )
    p = Problems()
    if label_col not in points.columns:
        p.add(
            "points",
            f"column {label_col!r} not found; the table has: {', '.join(map(str, points.columns))}",
        )
        p.raise_if_any()
    labels = points[label_col].astype("string").str.strip()
    blank = (labels.isna() | (labels == "")).to_numpy(dtype=bool)
    if blank.any():
        p.add("points", f"blank {label_col}", list(points.index[blank]))
    lab = labels.fillna("").to_numpy(dtype=object)
    xy, is_lonlat = _coordinates(points, x_col, y_col, lonlat, p)
    a, b = str(a), str(b)
    n = len(points)
    is_a = lab == a
    is_b = lab == b
    n_a, n_b = int(is_a.sum()), int(is_b.sum())
    if n_a == 0:
        p.add("points", f"no point has category a={a!r}")
    if n_b == 0:
        p.add("points", f"no point has category b={b!r}")
    n_b_other = n_b - 1 if a == b else n_b
    if a == b and n_a == 1:
        p.add("points", f"a = b = {a!r} needs at least 2 such points")
    if n < k + 1:
        p.add("points", f"{n} points: k={k} neighbours need at least {k + 1}")
    p.raise_if_any()
    assert xy is not None
    rng = np.random.default_rng(random_state)
    nbr, dist = _neighbours(xy, int(k), is_lonlat)
    w = _kernel(dist)
    expected = n_b_other / (n - 1)
    share = (w * is_b[nbr]).sum(axis=1)
    a_pos = np.flatnonzero(is_a)
    lclq = share[a_pos] / expected
    global_clq = float(lclq.mean())
    local = pd.DataFrame(
        {"lclq": lclq, "b_neighbours": is_b[nbr[a_pos]].sum(axis=1)},
        index=points.index[a_pos],
    )
    p_hi = p_lo = float("nan")
    if permutations > 0:
        eps = 1e-12
        # global: permute all labels
        sims = np.empty(permutations)
        block = max(1, int(2_000_000 // max(1, n * k)))
        for start in range(0, permutations, block):
            stop = min(permutations, start + block)
            order = rng.random((stop - start, n)).argsort(axis=1)
            pb = is_b[order]
            pa = is_a[order]
            sh = (w[None, :, :] * pb[:, nbr]).sum(axis=2)
            sims[start:stop] = (sh * pa).sum(axis=1) / n_a / expected
        p_hi = float((1 + (sims >= global_clq - eps).sum()) / (permutations + 1))
        p_lo = float((1 + (sims <= global_clq + eps).sum()) / (permutations + 1))
        # local: conditional permutation, independent draws for every point
        ge = np.zeros(len(a_pos), dtype=np.int64)
        le = np.zeros(len(a_pos), dtype=np.int64)
        chunk = max(1, int(2_000_000 // max(1, permutations * k)))
        for start in range(0, len(a_pos), chunk):
            ids = a_pos[start : start + chunk]
            idx = _draws(rng, ids, n, permutations, int(k))
            sh = (w[ids][:, None, :] * is_b[idx]).sum(axis=2) / expected
            obs = lclq[start : start + chunk][:, None]
            ge[start : start + chunk] = (sh >= obs - eps).sum(axis=1)
            le[start : start + chunk] = (sh <= obs + eps).sum(axis=1)
        local["p_colocated"] = (1 + ge) / (permutations + 1)
        local["p_isolated"] = (1 + le) / (permutations + 1)
        local["category"] = np.where(
            local["p_colocated"] <= alpha,
            "colocated",
            np.where(local["p_isolated"] <= alpha, "isolated", "not significant"),
        )
    else:
        local["p_colocated"] = np.nan
        local["p_isolated"] = np.nan
        local["category"] = "not tested"
    info = {
        "a": a,
        "b": b,
        "k": int(k),
        "permutations": int(permutations),
        "alpha": float(alpha),
        "points": n,
        "n_a": n_a,
        "n_b": n_b,
        "kernel": "gaussian, adaptive bandwidth = distance to the k-th neighbour",
        "distance_unit": "km (great circle)" if is_lonlat else "CRS unit",
        "random_state": random_state if isinstance(random_state, int) else None,
    }
    return ColocationResult(global_clq, p_hi, p_lo, local, info)
