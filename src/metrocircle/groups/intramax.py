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

Sparse throughout: the flows between regions are kept as one dictionary per row and per
column (memory proportional to the non-zero flows, which merging never increases), and the
candidate pairs sit in a heap. A pair without flow in either direction has ``I = 0``; without
the constraint such pairs are not stored, and when no pair with flow is left (or the best has
``I = 0``) the two lowest-numbered regions merge, as the full ``n × n`` argmax would pick.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

import numpy as np
import pandas as pd

from metrocircle.exceptions import ParameterError
from metrocircle.groups._network import as_sparse, as_sparse_adjacency

HISTORY_COLUMNS = ["step", "kept", "absorbed", "interaction", "n_regions", "min_self_containment"]


def _self_containment(diag: float, o: float, d: float) -> float:
    """``min(T_rr/O_r, T_rr/D_r)``, a zero margin counting as 1 (fully contained)."""
    return min(diag / o if o > 0 else 1.0, diag / d if d > 0 else 1.0)


def intramax_merges(
    matrix: object,
    adjacency: object | None = None,
    *,
    external_out: np.ndarray | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> pd.DataFrame:
    """Run Intramax to the end and return the merge history (no ``n × n`` structure).

    Parameters
    ----------
    matrix
        Square flow matrix ``T`` (dense or scipy sparse; diagonal included, it counts in the
        margins only).
    adjacency
        Optional symmetric boolean matrix (dense or sparse); when given only adjacent regions
        merge.
    external_out
        Optional flow from each unit to places outside the study: added to ``O_i`` (it leaves
        the unit), never a candidate.
    progress
        Optional ``progress("intramax", fraction)`` callback.

    Returns
    -------
    pandas.DataFrame
        One row per merge: ``step`` (1..), ``kept``, ``absorbed`` (region indices; a region
        keeps the index of its first member), ``interaction`` (the ``I_ij`` maximised),
        ``n_regions`` after the merge, ``min_self_containment`` of that level (the smallest
        over regions of ``min(T_rr/O_r, T_rr/D_r)``).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([[5, 2, 0], [1, 5, 0], [0, 1, 5]], float)
    >>> intramax_merges(t)[["kept", "absorbed"]].values.tolist()
    [[0, 1], [0, 2]]
    """
    t = as_sparse(matrix)
    n = t.shape[0]
    coo = t.tocoo()
    o_arr = np.asarray(t.sum(axis=1)).ravel()
    if external_out is not None:
        o_arr = o_arr + np.asarray(external_out, dtype=float)
    o = o_arr.tolist()
    d = np.asarray(t.sum(axis=0)).ravel().tolist()
    diag = t.diagonal().tolist()
    rows: list[dict[int, float]] = [{} for _ in range(n)]
    cols: list[dict[int, float]] = [{} for _ in range(n)]
    for a, b, v in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True):
        if a != b and v != 0:
            rows[a][b] = v
            cols[b][a] = v
    neighbours: list[set[int]] | None = None
    if adjacency is not None:
        adj = as_sparse_adjacency(adjacency)
        ptr, idx = adj.indptr, adj.indices
        neighbours = [set(idx[ptr[k] : ptr[k + 1]].tolist()) for k in range(n)]
    active = np.ones(n, dtype=bool)
    first_active = 0  # every index below is inactive
    version = [0] * n

    def score(i: int, k: int) -> float:
        oi = o[i] if o[i] > 0 else 1.0
        ok = o[k] if o[k] > 0 else 1.0
        di = d[i] if d[i] > 0 else 1.0
        dk = d[k] if d[k] > 0 else 1.0
        return rows[i].get(k, 0.0) / (oi * dk) + rows[k].get(i, 0.0) / (ok * di)

    def candidates(i: int) -> set[int]:
        if neighbours is not None:
            return neighbours[i]
        return rows[i].keys() | cols[i].keys()

    heap: list[tuple[float, int, int, int, int]] = []
    for i in range(n):
        for k in candidates(i):
            if k > i:
                heap.append((-score(i, k), i, k, 0, 0))
    heapq.heapify(heap)
    initial_pairs = len(heap)  # merging never makes more pairs than there were at the start
    sc_heap = [(_self_containment(diag[r], o[r], d[r]), r, 0) for r in range(n)]
    heapq.heapify(sc_heap)
    history: list[tuple[int, int, int, float, int, float]] = []
    n_active = n
    for step in range(1, n):
        best = None
        while heap:
            neg, i, j, vi, vj = heap[0]
            if active[i] and active[j] and version[i] == vi and version[j] == vj:
                best = (-neg, i, j)
                break
            heapq.heappop(heap)
        if best is None or best[0] == 0.0:
            if neighbours is not None:
                if best is None:
                    break  # no admissible pair left (adjacency has several components)
            else:
                # every pair left has I = 0: the lowest pair of region indices, as argmax would
                while not active[first_active]:
                    first_active += 1
                second = first_active + 1
                while not active[second]:
                    second += 1
                best = (0.0, first_active, second)
        value, i, j = best
        _merge(i, j, rows, cols, diag)
        o[i] += o[j]
        d[i] += d[j]
        o[j] = d[j] = 0.0
        active[j] = False
        n_active -= 1
        version[i] += 1
        if neighbours is not None:
            merged_nb = neighbours[i] | neighbours[j]
            merged_nb.discard(i)
            merged_nb.discard(j)
            for k in neighbours[j]:
                if k != i:
                    neighbours[k].discard(j)
                    neighbours[k].add(i)
            neighbours[i] = merged_nb
            neighbours[j] = set()
        for k in candidates(i):
            a, b = (i, k) if i < k else (k, i)
            heapq.heappush(heap, (-score(a, b), a, b, version[a], version[b]))
        heapq.heappush(sc_heap, (_self_containment(diag[i], o[i], d[i]), i, version[i]))
        while not (active[sc_heap[0][1]] and version[sc_heap[0][1]] == sc_heap[0][2]):
            heapq.heappop(sc_heap)
        history.append((step, i, j, float(value), n_active, float(sc_heap[0][0])))
        if len(heap) > 2 * initial_pairs + 1024:  # drop stale entries now and then
            heap = [e for e in heap if active[e[1]] and active[e[2]]
                    and version[e[1]] == e[3] and version[e[2]] == e[4]]  # fmt: skip
            heapq.heapify(heap)
        if progress is not None and step % 256 == 0:
            progress("intramax", step / max(n - 1, 1))
    return pd.DataFrame(history, columns=HISTORY_COLUMNS)


def _merge(
    i: int, j: int, rows: list[dict[int, float]], cols: list[dict[int, float]], diag: list[float]
) -> None:
    """Add region ``j`` into ``i``: rows, columns and the diagonal, as ``t[i,:] += t[j,:]``
    then ``t[:,i] += t[:,j]`` would on the full matrix (so the sums are the same floats)."""
    t_ij = rows[i].pop(j, 0.0)
    cols[j].pop(i, None)
    t_ji = rows[j].pop(i, 0.0)
    cols[i].pop(j, None)
    # row step: t[i,i] += t[j,i] and t[i,j] += t[j,j]; then column step: t[i,i] += t[i,j]
    diag[i] = (diag[i] + t_ji) + (t_ij + diag[j])
    diag[j] = 0.0
    for own, mirror in ((rows, cols), (cols, rows)):
        keys_of_j = list(own[j])
        small, large = own[j], own[i]
        if len(small) > len(large):  # add the smaller dictionary into the larger one
            small, large = large, small
        for k, v in small.items():
            large[k] = large.get(k, 0.0) + v  # a + b == b + a: the same float either way
        own[i] = large
        own[j] = {}
        for k in keys_of_j:  # only entries that j had change in the mirror
            m = mirror[k]
            del m[j]
            m[i] = large[k]


def intramax_labels(history: pd.DataFrame, n: int, step: int) -> np.ndarray:
    """The region (index of its first unit) of each of the ``n`` units after ``step`` merges.

    Examples
    --------
    >>> import numpy as np
    >>> h = intramax_merges(np.array([[5, 2, 0], [1, 5, 0], [0, 1, 5]], float))
    >>> intramax_labels(h, 3, 1).tolist()
    [0, 0, 2]
    """
    parent = np.arange(n)
    kept = history["kept"].to_numpy()[:step]
    absorbed = history["absorbed"].to_numpy()[:step]
    parent[absorbed] = kept  # a region is absorbed once, into a lower index
    for u in range(n):  # parents have lower indices: resolved before their children
        parent[u] = parent[parent[u]]
    return parent


def intramax_hierarchy(
    matrix: object, adjacency: object | None = None, *, max_memory_gib: float = 1.0
) -> tuple[pd.DataFrame, np.ndarray]:
    """Run Intramax to the end and return the merge history and the label of every level.

    Parameters
    ----------
    matrix
        Square flow matrix ``T`` (dense or scipy sparse; diagonal included, it counts in the
        margins only).
    adjacency
        Optional symmetric boolean matrix; when given only adjacent regions merge.
    max_memory_gib
        ``levels`` holds one label per unit and level: up to ``n × n`` integers. Above this
        size the call is refused before any work (use :func:`intramax_merges` and
        :func:`intramax_labels` for large networks).

    Returns
    -------
    history
        See :func:`intramax_merges`.
    levels
        ``levels[s]`` is the label (region index) of every unit after ``s`` merges.

    Examples
    --------
    >>> import numpy as np
    >>> _, levels = intramax_hierarchy(np.array([[5, 2, 0], [1, 5, 0], [0, 1, 5]], float))
    >>> levels.tolist()
    [[0, 1, 2], [0, 0, 2], [0, 0, 0]]
    """
    n = matrix.shape[0]  # type: ignore[attr-defined]
    need = n * n * 8 / 2**30
    if need > max_memory_gib:
        raise ParameterError(
            f"The 'max_memory_gib' parameter of intramax_hierarchy must be at least "
            f"{need:.1f} here: the levels of {n:,} units take {n:,} x {n:,} integers "
            f"({need:.1f} GiB). Got {max_memory_gib}. Use intramax_merges and "
            "intramax_labels, which need memory in proportion to the flows only."
        )
    history = intramax_merges(matrix, adjacency)
    levels = np.empty((len(history) + 1, n), dtype=np.int64)
    labels = np.arange(n)
    levels[0] = labels
    for s, (i, j) in enumerate(zip(history["kept"], history["absorbed"], strict=True), 1):
        labels[labels == j] = i
        levels[s] = labels
    return history, levels


def initial_min_self_containment(matrix: object, external_out: np.ndarray | None = None) -> float:
    """``min(T_ii/O_i, T_ii/D_i)`` over the units before any merge."""
    t = as_sparse(matrix)
    o = np.asarray(t.sum(axis=1)).ravel()
    if external_out is not None:
        o = o + np.asarray(external_out, dtype=float)
    d = np.asarray(t.sum(axis=0)).ravel()
    diag = t.diagonal()
    with np.errstate(invalid="ignore", divide="ignore"):
        sc = np.minimum(np.where(o > 0, diag / o, 1.0), np.where(d > 0, diag / d, 1.0))
    return float(sc.min())
