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
        sym = matrix + matrix.T
        np.fill_diagonal(sym, 0.0)
        while True:
            groups, inv = np.unique(final, return_inverse=True)
            gsize = np.bincount(inv, weights=size)
            onehot = np.zeros((n, groups.size))
            onehot[np.arange(n), inv] = 1.0
            touch = (onehot.T @ adjacency.astype(float) @ onehot) > 0
            np.fill_diagonal(touch, False)
            small = [
                g
                for g in np.argsort(gsize, kind="stable")
                if gsize[g] < min_size and touch[g].any()
            ]
            if not small:
                break
            g = small[0]
            flow = onehot.T @ sym @ onehot
            cand = np.flatnonzero(touch[g])
            best = cand[np.lexsort((groups[cand], -gsize[cand], -flow[g, cand]))[0]]
            sel = inv == g
            final[sel] = groups[best]
            assigned[sel] = MERGED
        groups, inv = np.unique(final, return_inverse=True)
        gsize = np.bincount(inv, weights=size)
        lonely = (gsize < min_size)[inv] & (assigned != MERGED)
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
