"""Post-processing of groups for planning use: contiguous parts, small fragments merged.

1. Every group is split into its spatially connected parts (connected components of the
   adjacency graph restricted to the group's units).
2. Every part smaller than ``min_size`` (units, or population when sizes are given) is merged
   into the adjacent group with which it exchanges the most flow (both directions); ties go
   to the larger neighbour, then to the lowest group number. The smallest fragment is merged
   first and flows are recounted after each merge. A fragment without any neighbour (an
   island) is kept and reported.

Everything is sparse: memory grows with the adjacency pairs and the flows, never with
``units × units`` or ``groups × groups``.
"""

from __future__ import annotations

import heapq

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from metrocircle.groups._network import as_sparse, as_sparse_adjacency

METHOD = "method"
SPLIT = "split"
MERGED = "merged"
ISLAND = "island kept"


def split_parts(labels: np.ndarray, adjacency: object) -> tuple[np.ndarray, np.ndarray]:
    """Label every connected part of every group; return ``(part, parts_of_group)``.

    ``part[u]`` numbers the connected part of unit ``u`` (0..); ``parts_of_group[u]`` is how
    many parts the group of ``u`` had. ``adjacency`` is a symmetric boolean matrix (dense or
    sparse).
    """
    labels = np.asarray(labels)
    n = labels.size
    coo = as_sparse_adjacency(adjacency).tocoo()
    same = labels[coo.row] == labels[coo.col]
    graph = sparse.coo_array(
        (np.ones(int(same.sum())), (coo.row[same], coo.col[same])), shape=(n, n)
    )
    _, part = connected_components(graph, directed=False)
    _, lab = np.unique(labels, return_inverse=True)
    # one (group, part) pair per part: count the parts of each group
    pairs = np.unique(np.stack([lab, part]), axis=1)
    parts_per_group = np.bincount(pairs[0], minlength=lab.max() + 1)
    return part.astype(np.int64), parts_per_group[lab].astype(np.int64)


def contiguous_groups(
    labels: np.ndarray,
    matrix: object,
    adjacency: object | None,
    *,
    sizes: np.ndarray | None = None,
    min_size: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split groups into connected parts and merge the parts below ``min_size``.

    ``matrix`` (flows) and ``adjacency`` may be dense or scipy sparse. Returns ``(final,
    assigned, parts_before_split)``: the final label of each unit (values are the detected
    labels for the largest part of each group; split-off parts get new numbers), how each unit
    was assigned (``method``, ``split``, ``merged``, ``island kept``) and the number of
    connected parts of its detected group.
    """
    labels = np.asarray(labels)
    n = labels.size
    size = np.ones(n) if sizes is None else np.asarray(sizes, dtype=float)
    assigned = np.full(n, METHOD, dtype=object)
    if adjacency is None:
        return labels.copy(), assigned, np.ones(n, dtype=np.int64)
    adjacency = as_sparse_adjacency(adjacency)
    part, parts_before = split_parts(labels, adjacency)
    final = labels.copy()
    # one row per part: its group, weight and first unit; the largest part (by size, then
    # lowest first unit) keeps the group's number, the others get new numbers in the order
    # (group, part)
    n_parts = int(part.max()) + 1
    group_of_part = np.empty(n_parts, dtype=labels.dtype)
    group_of_part[part] = labels
    weight = np.bincount(part, weights=size, minlength=n_parts)
    first = np.full(n_parts, n, dtype=np.int64)
    np.minimum.at(first, part, np.arange(n))
    _, g_of_p = np.unique(group_of_part, return_inverse=True)
    by_rank = np.lexsort((first, -weight, g_of_p))  # within a group: the keeper first
    keeper = np.zeros(n_parts, dtype=bool)
    starts = np.flatnonzero(np.r_[True, g_of_p[by_rank][1:] != g_of_p[by_rank][:-1]])
    keeper[by_rank[starts]] = True
    others = np.lexsort((np.arange(n_parts), g_of_p))  # (group, part) order
    others = others[~keeper[others]]
    if others.size:
        new_label = np.empty(n_parts, dtype=np.int64)
        new_label[others] = int(labels.max()) + 1 + np.arange(others.size)
        split = ~keeper[part]
        final = final.astype(np.int64)
        final[split] = new_label[part[split]]
        assigned[split] = SPLIT
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


def group_pairs(inv: np.ndarray, matrix: object) -> sparse.coo_array:
    """Sum of ``matrix`` between groups (``inv[u]`` = group index of unit ``u``): a sparse
    ``groups × groups`` matrix with an entry only where some flow or pair exists."""
    coo = as_sparse(matrix).tocoo()
    g = int(inv.max()) + 1 if inv.size else 0
    out = sparse.coo_array((coo.data, (inv[coo.row], inv[coo.col])), shape=(g, g)).tocsr()
    out.sum_duplicates()
    return out.tocoo()


def _merge_small(
    labels: np.ndarray,
    matrix: object,
    adjacency: sparse.csr_array,
    size: np.ndarray,
    min_size: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Merge groups below ``min_size`` into their strongest neighbour, smallest first.

    Group-to-group flows (both directions) and contacts are aggregated once into one
    dictionary per group (only the pairs that exist) and then updated per merge, so a merge
    costs the number of groups the fragment exchanges flow with or touches."""
    groups, inv = np.unique(labels, return_inverse=True)
    g = groups.size
    m = as_sparse(matrix)
    between = group_pairs(inv, m + m.T)
    flow: list[dict[int, float]] = [{} for _ in range(g)]
    for a, b, v in zip(between.row.tolist(), between.col.tolist(), between.data.tolist(),
                       strict=True):  # fmt: skip
        if a != b and v != 0:
            flow[a][b] = v
    contact = group_pairs(inv, adjacency.astype(float))
    touch: list[set[int]] = [set() for _ in range(g)]
    for a, b in zip(contact.row.tolist(), contact.col.tolist(), strict=True):
        if a != b:
            touch[a].add(b)
    gsize = np.bincount(inv, weights=size, minlength=g).tolist()
    alive = [True] * g
    heap = [(gsize[k], k) for k in range(g) if gsize[k] < min_size and touch[k]]
    heapq.heapify(heap)
    merged = np.zeros(labels.size, dtype=bool)
    moved_to = list(range(g))  # group index each group ended in (resolved below)
    while heap:
        sz, s = heapq.heappop(heap)
        if not alive[s] or sz != gsize[s] or not touch[s]:
            continue  # stale entry
        fs = flow[s]
        best = min(touch[s], key=lambda k: (-fs.get(k, 0.0), -gsize[k], k))
        # flows: flow[best, k] += flow[s, k] for every k, mirrored; s disappears
        fb = flow[best]
        fb.pop(s, None)
        fs.pop(best, None)
        for k, v in fs.items():
            total = fb.get(k, 0.0) + v
            fb[k] = total
            del flow[k][s]
            flow[k][best] = total
        flow[s] = {}
        tb = touch[best]
        tb.discard(s)
        for k in touch[s]:
            if k != best:
                touch[k].discard(s)
                touch[k].add(best)
                tb.add(k)
        touch[s] = set()
        gsize[best] += gsize[s]
        alive[s] = False
        moved_to[s] = best
        if gsize[best] < min_size and tb:
            heapq.heappush(heap, (gsize[best], best))
    # a group merged into one that was merged later ends where that one ended
    target = np.array(moved_to)
    while True:
        nxt = target[target]
        if np.array_equal(nxt, target):
            break
        target = nxt
    merged = target[inv] != inv
    return groups[target[inv]], merged
