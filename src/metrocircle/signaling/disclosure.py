"""Disclosure control of the published commuting tables: complementary cell suppression.

What the signaling pipeline publishes is one two-way table with its margins: the OD cells
``x[i, j]`` (people living in unit ``i`` and working in unit ``j``), the employed residents
``E[i] = sum_j x[i, j]`` (through the per-origin suppressed remainder of ``od.csv``), the
workers ``W[j] = sum_i x[i, j]`` (``units.csv``) and the grand total (``accounting.json``).
Suppressing the cells below ``min_count`` alone does not protect them: a row or a column
with one suppressed cell gives it away as its margin minus the published cells.

The method is the classical one for frequency tables with margins (Hundepool et al.,
*Statistical Disclosure Control*, Wiley 2012, ch. 4-5; the tau-ARGUS manual, "secondary
suppression"; Cox 1980, "Suppression methodology and statistical disclosure control",
*JASA* 75): write the table with its margins as an ``(r + 1) x (c + 1)`` table. Changing the
sign of the margins makes every row and column of that table sum to zero, so the values an
attacker cannot pin down are exactly the suppressed positions that lie on a *cycle* of
suppressed positions in the bipartite graph rows-columns (a closed path alternating between
a row and a column). Moving ``+e, -e, +e, ...`` around such a cycle keeps every published
equation true; as every suppressed position holds at least one person, ``e`` can be 1 either
way, so each suppressed cell can be any of at least three values ``v - 1, v, v + 1`` (in
sample persons; in the published, expanded unit at least ``v - 1 .. v + 1`` too, since an
expansion factor is >= 1).

1. **Primary suppression** (threshold rule): cells with ``0 < n < min_count`` sampled people,
   and margins ``E[i]`` and ``W[j]`` with ``0 < n < min_count``.
2. **Complementary suppression**: every primary position that is not yet on a cycle of
   suppressed positions gets one, along the cheapest path (cost = sampled people, so the
   smallest cells go first, and margins, which are large, only when needed) between its two
   ends in the graph without it (Dijkstra). Adding positions never breaks a cycle, so one
   pass protects them all; the complementary positions lie on the cycles they close.
3. **Residents** ``R[i] = E[i] + h[i]`` (``h``: residents without a work place in the study,
   not an OD cell): ``R[i]`` is published only when ``E[i]`` is and ``R[i]`` is not below
   the threshold; the residents left blank then hide ``E[i]`` or ``h[i]``, and because the
   study total of residents is published, one blank resident total never stands alone when
   it is sensitive (a second one, the smallest, is blanked).

Examples
--------
>>> import pandas as pd
>>> cells = pd.DataFrame({"origin": ["A", "A", "B", "B"], "destination": ["A", "B", "A", "B"],
...                       "n": [30, 2, 25, 40]})
>>> p = protect(cells, min_count=10, residents=pd.Series({"A": 35, "B": 65}))
>>> p.cells["status"].tolist()
['complementary', 'primary', 'complementary', 'complementary']
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from metrocircle.exceptions import InputError

log = logging.getLogger(__name__)

PUBLISHED = "published"
PRIMARY = "primary"
COMPLEMENTARY = "complementary"

#: What ``accounting.json`` and ``run.json`` say about the method.
METHOD = (
    "complementary cell suppression on the OD table with its margins (threshold rule on "
    "cells and margins, then a cycle of suppressed positions through every suppressed cell; "
    "Hundepool et al. 2012, ch. 5; tau-ARGUS secondary suppression)"
)
_TINY = 1e-9  # cost of an edge that is already suppressed (scipy drops explicit zeros)


@dataclass
class Protection:
    """The suppression pattern of one OD table.

    Attributes
    ----------
    cells
        ``origin, destination, n, status`` (``published``, ``primary`` or ``complementary``).
    employed_suppressed
        Boolean Series by origin: is the row margin ``E[i]`` (employed residents working in
        the study) suppressed?
    workers_suppressed
        Boolean Series by destination: is the column margin ``W[j]`` suppressed?
    residents_suppressed
        Boolean Series by unit: is the resident total ``R[i]`` left blank?
    """

    cells: pd.DataFrame
    employed_suppressed: pd.Series
    workers_suppressed: pd.Series
    residents_suppressed: pd.Series


def protect(cells: pd.DataFrame, *, min_count: int, residents: pd.Series) -> Protection:
    """The suppression pattern of an OD table of sampled people and its margins.

    Parameters
    ----------
    cells
        ``origin, destination, n``: sampled people per pair, ``n >= 1``, one row per pair.
    min_count
        Threshold: a cell or margin with ``0 < n < min_count`` is suppressed (primary).
    residents
        Sampled residents by unit (everyone with a home there, with or without a work place);
        units missing from it have none.

    Returns
    -------
    Protection

    Raises
    ------
    InputError
        When a sensitive cell cannot be protected at all: the table has a single pair, which
        then equals the study total that ``accounting.json`` states.
    """
    cells = cells.sort_values(["origin", "destination"]).reset_index(drop=True)
    origins = pd.Index(sorted(cells["origin"].unique()), dtype=object)
    dests = pd.Index(sorted(cells["destination"].unique()), dtype=object)
    n_cells = np.asarray(cells["n"], dtype=np.int64)
    emp = cells.groupby("origin")["n"].sum().reindex(origins).to_numpy(dtype=np.int64)
    wrk = cells.groupby("destination")["n"].sum().reindex(dests).to_numpy(dtype=np.int64)
    r, c = len(origins), len(dests)
    # nodes: rows 0..r-1, row total r, columns r+1..r+c, column total r+c+1
    t_row, t_col = r, r + c + 1
    a = np.concatenate([origins.get_indexer(cells["origin"]), np.arange(r),
                        np.full(c, t_row)])
    b = np.concatenate([r + 1 + dests.get_indexer(cells["destination"]), np.full(r, t_col),
                        r + 1 + np.arange(c)])
    w = np.concatenate([n_cells, emp, wrk]).astype(float)
    primary = (w > 0) & (w < min_count)
    suppressed = primary.copy()
    n_nodes = r + c + 2
    if primary.any():
        _close_cycles(a, b, w, suppressed, n_nodes, order=np.flatnonzero(primary))
    status = np.where(primary, PRIMARY, np.where(suppressed, COMPLEMENTARY, PUBLISHED))
    k = len(cells)
    out = cells[["origin", "destination", "n"]].copy()
    out["status"] = status[:k]
    emp_sup = pd.Series(suppressed[k:k + r], index=origins)
    wrk_sup = pd.Series(suppressed[k + r:], index=dests)
    res = _residents(residents, emp_sup, min_count=min_count)
    n_prim, n_comp = int(primary[:k].sum()), int((suppressed & ~primary)[:k].sum())
    if n_prim:
        log.info("disclosure control: %d cells below min_count %d, %d complementary cells, "
                 "%d margins suppressed", n_prim, min_count, n_comp, int(suppressed[k:].sum()))
    return Protection(out, emp_sup, wrk_sup, res)


def _close_cycles(a: np.ndarray, b: np.ndarray, w: np.ndarray, suppressed: np.ndarray,
                  n_nodes: int, *, order: np.ndarray) -> None:
    """Suppress more edges until every edge of ``order`` lies on a cycle of suppressed edges.

    Edges already on such a cycle (not bridges of the suppressed graph) are skipped; the
    others get the cheapest path between their ends, without them, with suppressed edges at
    (almost) no cost. Modifies ``suppressed`` in place.
    """
    on_cycle = ~_bridges(a, b, suppressed, n_nodes)
    key = {(int(min(x, y)), int(max(x, y))): e for e, (x, y) in enumerate(zip(a, b, strict=True))}
    order = order[np.lexsort((order, w[order]))]  # smallest first, then table order
    for e in order:
        if on_cycle[e]:
            continue
        keep = np.ones(len(a), dtype=bool)
        keep[e] = False
        cost = np.where(suppressed, _TINY, w)[keep]
        g = sp.csr_matrix((cost, (a[keep], b[keep])), shape=(n_nodes, n_nodes))
        dist, pred = dijkstra(g, directed=False, indices=int(a[e]), return_predecessors=True)
        if not np.isfinite(dist[b[e]]):
            raise InputError(
                "od: a figure below min_count cannot be protected from differencing: the "
                "study has fewer commuters than min_count and a single home or work unit, so "
                "that figure is the study total (which accounting.json states). Lower "
                "--min-count or widen the study.")
        node = int(b[e])
        while node != int(a[e]):
            prev = int(pred[node])
            suppressed[key[(min(prev, node), max(prev, node))]] = True
            node = prev
        suppressed[e] = True
        on_cycle[e] = True


def _bridges(a: np.ndarray, b: np.ndarray, mask: np.ndarray, n_nodes: int) -> np.ndarray:
    """Which edges of the graph ``(a[mask], b[mask])`` are bridges (on no cycle); an edge not in
    ``mask`` counts as a bridge. Iterative Tarjan, edges identified by index."""
    out = np.ones(len(a), dtype=bool)
    edges = np.flatnonzero(mask)
    adj: list[list[tuple[int, int]]] = [[] for _ in range(n_nodes)]
    for e in edges:
        adj[int(a[e])].append((int(b[e]), int(e)))
        adj[int(b[e])].append((int(a[e]), int(e)))
    disc = np.full(n_nodes, -1, dtype=np.int64)
    low = np.zeros(n_nodes, dtype=np.int64)
    t = 0
    for root in range(n_nodes):
        if disc[root] >= 0 or not adj[root]:
            continue
        disc[root] = low[root] = t
        t += 1
        stack = [(root, -1, 0)]
        while stack:
            node, via, i = stack[-1]
            if i < len(adj[node]):
                stack[-1] = (node, via, i + 1)
                nxt, e = adj[node][i]
                if e == via:
                    continue
                if disc[nxt] < 0:
                    disc[nxt] = low[nxt] = t
                    t += 1
                    stack.append((nxt, e, 0))
                else:  # an edge back to a node already seen: it closes a cycle
                    low[node] = min(low[node], disc[nxt])
                    out[e] = False
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > disc[parent]:
                        continue  # ``via`` is a bridge
                    out[via] = False
    return out


def _residents(residents: pd.Series, employed_suppressed: pd.Series, *,
               min_count: int) -> pd.Series:
    """Which resident totals are left blank (see the module docstring, step 3)."""
    res = residents.astype(np.int64)
    emp_sup = employed_suppressed.reindex(res.index, fill_value=False).astype(bool)
    sensitive = (res > 0) & (res < min_count)
    blank = emp_sup | sensitive
    # a sensitive total whose employed part is published moves only with the other blank
    # totals: with one blank total, the study total of residents would give it away
    alone = sensitive & ~emp_sup
    if alone.any() and int(blank.sum()) < 2:
        others = res[~blank & (res > 0)]
        if others.empty:
            raise InputError(
                "od: the residents of a unit below min_count cannot be protected: it is the "
                "only unit with residents. Lower --min-count or widen the study.")
        blank[others.sort_values(kind="stable").index[0]] = True
    return blank
