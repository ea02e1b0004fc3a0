"""Post-processing of groups for planning use: contiguous parts, small fragments merged.

1. Every group is split into its spatially connected parts (connected components of the
   adjacency graph restricted to the group's units).
2. Every part smaller than ``min_size`` (units, or population when sizes are given) is merged
   into the adjacent group with which it exchanges the most flow (both directions); ties go
   to the larger neighbour, then to the lowest group number. The smallest fragment is merged
   first and flows are recounted after each merge. A fragment without any neighbour (an
   island) is kept and reported.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

METHOD = "method"
SPLIT = "split"
MERGED = "merged"
ISLAND = "island kept"


def split_parts(labels: np.ndarray, adjacency: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Label every connected part of every group; return ``(part, parts_of_group)``.

    ``part[u]`` numbers the connected part of unit ``u`` (0..); ``parts_of_group[u]`` is how
    many parts the group of ``u`` had.
    """
    same = labels[:, None] == labels[None, :]
    i, j = np.nonzero(adjacency & same)
    n = labels.size
    graph = coo_matrix((np.ones(i.size), (i, j)), shape=(n, n))
    _, part = connected_components(graph, directed=False)
    _, lab = np.unique(labels, return_inverse=True)
    parts_per_group = np.array(
        [np.unique(part[lab == g]).size for g in range(lab.max() + 1)], dtype=np.int64
    )
    return part.astype(np.int64), parts_per_group[lab]


def contiguous_groups(
    labels: np.ndarray,
    matrix: np.ndarray,
    adjacency: np.ndarray | None,
    *,
    sizes: np.ndarray | None = None,
    min_size: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split groups into connected parts and merge the parts below ``min_size``.

    Returns ``(final, assigned, parts_before_split)``: the final label of each unit (values are
    the detected labels for the largest part of each group; split-off parts get new numbers),
    how each unit was assigned (``method``, ``split``, ``merged``, ``island kept``) and the
    number of connected parts of its detected group.
    """
    n = labels.size
    size = np.ones(n) if sizes is None else np.asarray(sizes, dtype=float)
    assigned = np.full(n, METHOD, dtype=object)
    if adjacency is None:
        return labels.copy(), assigned, np.ones(n, dtype=np.int64)
    part, parts_before = split_parts(labels, adjacency)
    # the largest part (by size, then lowest first unit) keeps the group's number
    final = labels.copy()
    next_label = int(labels.max()) + 1
    for g in np.unique(labels):
        members = np.flatnonzero(labels == g)
        ids = np.unique(part[members])
        if ids.size == 1:
            continue
        weight = np.array([size[members[part[members] == p]].sum() for p in ids])
        first = np.array([members[part[members] == p].min() for p in ids])
        keep = ids[np.lexsort((first, -weight))[0]]
        for p in ids:
            if p == keep:
                continue
            sel = members[part[members] == p]
            final[sel] = next_label
            assigned[sel] = SPLIT
            next_label += 1
    if min_size > 0:
        final, merged = _merge_small(final, matrix, adjacency, size, min_size)
        assigned[merged] = MERGED
        _, inv = np.unique(final, return_inverse=True)
        lonely = (np.bincount(inv, weights=size) < min_size)[inv] & ~merged
        assigned[lonely] = ISLAND
    return final, assigned, parts_before


def renumber(labels: np.ndarray, sizes: np.ndarray | None = None) -> np.ndarray:
    """Number groups 1.. by decreasing size (units or ``sizes``), ties by first unit."""
    n = labels.size
    size = np.ones(n) if sizes is None else np.asarray(sizes, dtype=float)
    groups, first, inv = np.unique(labels, return_index=True, return_inverse=True)
    total = np.bincount(inv, weights=size)
    order = np.lexsort((first, -total))
    rank = np.empty(groups.size, dtype=np.int64)
    rank[order] = np.arange(1, groups.size + 1)
    return rank[inv]


def _merge_small(
    labels: np.ndarray,
    matrix: np.ndarray,
    adjacency: np.ndarray,
    size: np.ndarray,
    min_size: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Merge groups below ``min_size`` into their strongest neighbour, smallest first.

    Group-to-group flows (both directions) and contacts are aggregated once and then updated
    by adding a row and a column per merge, so each merge costs O(groups)."""
    n = labels.size
    groups, inv = np.unique(labels, return_inverse=True)
    g = groups.size
    onehot = np.zeros((n, g))
    onehot[np.arange(n), inv] = 1.0
    sym = matrix + matrix.T
    flow = onehot.T @ sym @ onehot
    touch = (onehot.T @ adjacency.astype(float) @ onehot) > 0
    np.fill_diagonal(flow, 0.0)
    np.fill_diagonal(touch, False)
    gsize = np.bincount(inv, weights=size, minlength=g)
    merged = np.zeros(n, dtype=bool)
    while True:
        small = np.flatnonzero((gsize < min_size) & touch.any(axis=1))
        if small.size == 0:
            break
        s = small[np.argsort(gsize[small], kind="stable")[0]]
        cand = np.flatnonzero(touch[s])
        best = cand[np.lexsort((groups[cand], -gsize[cand], -flow[s, cand]))[0]]
        members = inv == s
        inv[members] = best
        merged[members] = True
        flow[best, :] += flow[s, :]
        flow[:, best] += flow[:, s]
        touch[best, :] |= touch[s, :]
        touch[:, best] |= touch[:, s]
        flow[s, :] = flow[:, s] = 0.0
        touch[s, :] = touch[:, s] = False
        flow[best, best] = 0.0
        touch[best, best] = False
        gsize[best] += gsize[s]
        gsize[s] = np.inf  # gone: never small again
    return groups[inv], merged
