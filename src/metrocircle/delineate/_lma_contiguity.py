"""Contiguity repair for labour-market areas (private; used by ``ttwa-lma`` with ``contiguity``).

The Coombes-Bond algorithm looks at flows only, so an area can come out in several pieces. Here
each area keeps its main part (the connected piece, in the adjacency, with the most employed
residents; ties to the piece holding the lowest-ranked unit) and every other piece moves, whole, to
the adjacent area with the strongest Coombes tie to it:
``tie(P, A) = F(P->A)^2 / (R_P * W_A) + F(A->P)^2 / (R_A * W_P)``. A piece adjacent to no other
area (an island) stays where it is. Rounds repeat until every area is connected or nothing can
move.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from metrocircle.delineate._lma_core import Graph, _gather

log = logging.getLogger(__name__)


def _edges(adjacency: pd.DataFrame, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    index = pd.Index(codes)
    a = index.get_indexer(adjacency["unit_a"].astype(str).to_numpy(object))
    b = index.get_indexer(adjacency["unit_b"].astype(str).to_numpy(object))
    ok = (a >= 0) & (b >= 0) & (a != b)
    return a[ok].astype(np.int64), b[ok].astype(np.int64), int((~ok).sum())


def repair_contiguity(
    area: np.ndarray, g: Graph, codes: np.ndarray, adjacency: pd.DataFrame, max_rounds: int = 100
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Return the repaired area id per unit and one record per moved unit."""
    area = area.copy()
    a, b, n_skipped = _edges(adjacency, codes)
    if n_skipped:
        log.info("contiguity: %d adjacency pairs name units that are not clustered", n_skipped)
    n = g.n
    nbrs = coo_matrix((np.ones(2 * len(a)), (np.r_[a, b], np.r_[b, a])), shape=(n, n)).tocsr()
    rows: list[dict[str, Any]] = []
    part_no = 0
    for _round in range(max_rounds):
        same = (area[a] == area[b]) & (area[a] > 0)
        m = coo_matrix((np.ones(int(same.sum())), (a[same], b[same])), shape=(n, n))
        _, comp = connected_components(m, directed=False)
        moved = False
        ids = np.unique(area[area > 0])
        res_area = {int(k): float(g.residents[area == k].sum()) for k in ids}
        job_area = {int(k): float(g.jobs[area == k].sum()) for k in ids}
        for k in ids:
            units = np.flatnonzero(area == k)
            parts = np.unique(comp[units])
            if len(parts) < 2:
                continue
            pres = {p: float(g.residents[units[comp[units] == p]].sum()) for p in parts}
            first = {p: int(units[comp[units] == p].min()) for p in parts}
            main = max(parts, key=lambda p: (pres[p], -first[p]))
            for p in sorted(parts, key=lambda p: first[p]):
                if p == main:
                    continue
                pu = units[comp[units] == p]
                touching = np.unique(area[nbrs[pu].indices])
                touching = touching[(touching > 0) & (touching != k)]
                if len(touching) == 0:
                    continue  # an island: nowhere to go
                ties = _ties(g, pu, area, touching, res_area, job_area)
                best = int(touching[np.lexsort((touching, -ties))[0]])
                part_no += 1
                for u in pu:
                    rows.append(
                        {
                            "unit_id": codes[u],
                            "from_area_id": str(int(k)),
                            "to_area_id": str(best),
                            "part": part_no,
                            "part_residents": pres[p],
                            "tie": float(ties[list(touching).index(best)]),
                        }
                    )
                area[pu] = best
                rp, wp = float(g.residents[pu].sum()), float(g.jobs[pu].sum())
                res_area[int(k)] -= rp
                job_area[int(k)] -= wp
                res_area[best] += rp
                job_area[best] += wp
                moved = True
        if not moved:
            break
    else:
        log.warning("contiguity: stopped after %d rounds", max_rounds)
    return area, rows


def _ties(
    g: Graph,
    part: np.ndarray,
    area: np.ndarray,
    targets: np.ndarray,
    res_area: dict[int, float],
    job_area: dict[int, float],
) -> np.ndarray:
    rp, wp = float(g.residents[part].sum()), float(g.jobs[part].sum())
    pos, _ = _gather(g.out_ptr, part)
    fo = pd.Series(g.out_val[pos]).groupby(area[g.out_idx[pos]]).sum()
    pos, _ = _gather(g.in_ptr, part)
    fi = pd.Series(g.in_val[pos]).groupby(area[g.in_idx[pos]]).sum()
    out = np.zeros(len(targets))
    for i, t in enumerate(targets):
        f_out = float(fo.get(t, 0.0))
        f_in = float(fi.get(t, 0.0))
        ra, wa = res_area[int(t)], job_area[int(t)]
        out[i] = (f_out**2 / (rp * wa) if rp * wa else 0.0) + (
            f_in**2 / (ra * wp) if ra * wp else 0.0
        )
    return out
