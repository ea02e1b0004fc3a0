"""Network centrality of units in a weighted directed link network (methods survey 2.5).

Per unit, from a link table ``origin, destination, strength|value`` (self links left out):

* ``out_strength = sum_j w_ij``, ``in_strength = sum_j w_ji``, ``total_strength``;
  ``out_degree``, ``in_degree`` (links with a positive weight);
* ``net_flow = in_strength - out_strength`` and ``in_out_ratio = in / out`` (NaN when
  ``out_strength`` is 0);
* weighted **PageRank** (damping 0.85; a unit without outgoing links spreads its rank evenly);
* **betweenness** on the cost ``1 / weight`` (strong links are short), directed, as the number
  of shortest paths between other units through the unit (not normalised);
* Limtanakool et al. (2007) **dominance index** ``DI_i = I_i / (sum_j I_j / N)`` with ``I`` the
  inflow (``dominance="in"``, default) or the total flow (``"total"``) [S30].

And for the network, the **entropy of link flows** ``E = -sum_l z_l ln z_l / ln L`` (``z_l`` a
link's share of the total weight, ``L`` the number of links with a positive weight): 1 when all
links carry the same weight, towards 0 when one link dominates [S30].

PageRank and betweenness use python-igraph (the ``graph`` extra).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.exceptions import Problems, require
from metrocircle.model import schema as S
from metrocircle.strength._links import check_choice, check_float, clean_links, to_matrix


@dataclass
class CentralityResult:
    """Result of :func:`centrality`: ``units`` (one row per unit) and network ``info``."""

    units: pd.DataFrame
    info: dict[str, Any] = field(default_factory=dict)


def link_entropy(weights: np.ndarray) -> float:
    """System entropy of link flows ``-sum z ln z / ln L`` over the positive weights.

    NaN when there are fewer than two links.

    Examples
    --------
    >>> round(link_entropy(np.array([1.0, 1.0, 1.0, 0.0])), 6)
    1.0
    """
    w = np.asarray(weights, dtype=float)
    w = w[w > 0]
    if len(w) < 2:
        return float("nan")
    z = w / w.sum()
    return float(-(z * np.log(z)).sum() / np.log(len(w)))


def centrality(
    links: pd.DataFrame,
    *,
    units: Sequence[str] | None = None,
    damping: float = 0.85,
    dominance: str = "in",
    betweenness: bool = True,
) -> CentralityResult:
    """Centrality of every unit in a weighted directed link network.

    Parameters
    ----------
    links
        ``origin, destination, strength`` (or ``value``), weights >= 0; pairs with weight 0
        are no links.
    units
        All unit codes, so that units without links are listed (with zeros); by default the
        codes in ``links``.
    damping
        PageRank damping factor in (0, 1).
    dominance
        ``"in"`` (dominance index on inflow) or ``"total"``.
    betweenness
        Compute betweenness (``O(n m)``; skip it on very large dense networks).

    Returns
    -------
    CentralityResult
        ``units``: ``unit_id, out_degree, in_degree, out_strength, in_strength,
        total_strength, net_flow, in_out_ratio, pagerank, betweenness, dominance_index``;
        ``info``: ``link_entropy``, the number of links, the damping and dominance basis.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"origin": ["A", "B", "C"], "destination": ["B", "C", "A"],
    ...                   "strength": [1.0, 1.0, 1.0]})
    >>> res = centrality(s)
    >>> res.units["pagerank"].round(4).tolist()
    [0.3333, 0.3333, 0.3333]
    """
    damping = check_float(
        damping, "damping", "centrality", low=0.0, high=1.0, low_open=True, high_open=True
    )
    dominance = check_choice(dominance, "dominance", "centrality", ("in", "total"))
    p = Problems()
    clean = clean_links(links, source="links", problems=p)
    codes: list[str] | None = None
    if units is not None:
        codes = sorted({str(u) for u in units})
        if S.ORIGIN in clean.columns:
            known = set(codes)
            unknown = sorted((set(clean[S.ORIGIN]) | set(clean[S.DESTINATION])) - known)
            if unknown:
                p.add("links", "unit code(s) not in 'units'", unknown)
    p.raise_if_any()
    m = to_matrix(clean, codes)
    w = m.values.copy()
    self_links = int((np.diag(w) > 0).sum())
    np.fill_diagonal(w, 0.0)
    n = m.n
    out_s = w.sum(axis=1)
    in_s = w.sum(axis=0)
    pos = w > 0
    o, d = np.nonzero(pos)
    weights = w[o, d]
    ig = require("igraph", "graph")
    g = ig.Graph(n=n, edges=np.column_stack([o, d]).tolist(), directed=True)
    pr = np.asarray(g.pagerank(weights=weights.tolist(), damping=damping, directed=True))
    if betweenness:
        # cost 1/weight, scaled so that the strongest link costs 1: the same shortest paths,
        # and no cost below igraph's path-length tolerance (1e-10) for large strengths
        cost = weights.max() / weights if len(weights) else weights
        bt = np.asarray(g.betweenness(directed=True, weights=cost.tolist()), float)
    else:
        bt = np.full(n, np.nan)
    basis = in_s if dominance == "in" else in_s + out_s
    mean = basis.mean() if n else 0.0
    di = np.divide(basis, mean, out=np.full(n, np.nan), where=mean > 0)
    units_df = pd.DataFrame(
        {
            S.UNIT_ID: pd.array(m.codes.to_numpy(), dtype="string"),
            "out_degree": pos.sum(axis=1),
            "in_degree": pos.sum(axis=0),
            "out_strength": out_s,
            "in_strength": in_s,
            "total_strength": in_s + out_s,
            "net_flow": in_s - out_s,
            "in_out_ratio": np.divide(in_s, out_s, out=np.full(n, np.nan), where=out_s > 0),
            "pagerank": pr,
            "betweenness": bt,
            "dominance_index": di,
        }
    )
    info = {
        "units": n,
        "links": int(len(weights)),
        "self_links_skipped": self_links,
        "link_entropy": link_entropy(weights),
        "pagerank_damping": damping,
        "betweenness_cost": "1 / weight" if betweenness else None,
        "dominance_basis": "inflow" if dominance == "in" else "total flow",
    }
    return CentralityResult(units=units_df, info=info)
