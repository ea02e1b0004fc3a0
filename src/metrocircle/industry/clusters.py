"""Investment-based industrial cluster candidates (MISSION capability 8).

A cross-border industrial cluster is plausible where units are specialised in the same
industry *and* their firms already invest in each other in that industry: co-location of
specialisations alone says two places do the same thing, intra-industry investment says they
do it together (methods survey section 4, "linked by intra-industry investment", with the
investment networks of section 2.3).

For every industry ``k``:

1. the **co-specialised** units: those that are cluster candidates in ``k`` by the location
   quotient with its size floors (:func:`metrocircle.industry.location_quotients`:
   ``LQ_ik > threshold`` and every floor met);
2. the **investment links** in ``k`` between two different such units, from the records whose
   investee industry is ``k`` (:func:`metrocircle.strength.investment_network` with that
   industry filter). Which links count is ``link=``:

   - ``"any"`` (default): a pair is linked when the investment between them, in either
     direction, is larger than ``min_value`` (0: at least one relation);
   - ``"dominant"``: a pair is linked when one of the two is the other's first contact in
     ``k`` - its largest investee or its largest investor among the other units (the
     dominant-flow logic of Nystuen and Dacey 1961, survey section 2.2). Use it for dense,
     modelled networks, where every pair has some investment;

3. the **cluster candidates**: the connected groups (two units or more) of co-specialised
   units joined by such links.

Examples
--------
>>> import pandas as pd
>>> from metrocircle.industry import investment_clusters
>>> activity = pd.DataFrame({"C": [60.0, 50.0, 10.0], "J": [40.0, 50.0, 90.0]},
...                         index=pd.Index(["A", "B", "Z"], name="unit_id"))
>>> records = pd.DataFrame({"investor": ["A", "Z"], "investee": ["B", "A"],
...                         "industry": ["C", "C"]})
>>> res = investment_clusters(activity, records)
>>> res.clusters[["industry", "units", "n_units", "investment"]]
  industry units  n_units  investment
0        C   A;B        2         1.0
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from metrocircle.exceptions import ParameterError
from metrocircle.industry._table import INDUSTRY, UNIT_ID, activity_matrix
from metrocircle.industry.indices import Reference, location_quotients

__all__ = ["InvestmentClusters", "investment_clusters"]

OWNER = "investment_clusters"
LINKS = ("any", "dominant")


@dataclass
class InvestmentClusters:
    """Result of :func:`investment_clusters`.

    Attributes
    ----------
    pairs
        One row per linked co-specialised pair and industry: ``industry, unit_a, unit_b``
        (code order), ``lq_a, lq_b``, ``value_ab`` (a invests in b), ``value_ba``, ``value``
        (both), ``dominant`` (one is the other's first contact) and ``cluster``.
    clusters
        One row per candidate: ``industry, cluster`` (numbered from 1 per industry),
        ``units`` (``;``-joined), ``n_units``, ``investment`` (sum of the links inside) and
        ``min_lq``.
    info
        Parameters, weight and the records left out by reason.
    """

    pairs: pd.DataFrame
    clusters: pd.DataFrame
    info: dict[str, Any] = field(default_factory=dict)


def investment_clusters(
    activity: pd.DataFrame,
    records: pd.DataFrame,
    *,
    reference: Reference = None,
    threshold: float = 1.0,
    min_size: float = 0.0,
    min_share: float = 0.0,
    min_industry_share: float = 0.0,
    weight: str = "count",
    link: str = "any",
    min_value: float = 0.0,
    industry_map: Mapping[str, str] | None = None,
) -> InvestmentClusters:
    """Industrial cluster candidates: co-specialised units linked by investment in the same
    industry (see the module notes).

    Parameters
    ----------
    activity
        Activity table E_ik (long or wide; :func:`metrocircle.industry.activity_matrix`).
    records
        Investment records with an ``industry`` column (the investee's industry): see
        :mod:`metrocircle.model.investment`.
    reference, threshold, min_size, min_share, min_industry_share
        The specialisation screen of :func:`metrocircle.industry.location_quotients`.
    weight
        Link weight of :func:`metrocircle.strength.investment_network`: ``"count"``,
        ``"capital"`` or ``"log_capital"``.
    link, min_value
        Which investment links count (``"any"`` above ``min_value``, or ``"dominant"``).
    industry_map
        Record industry code -> industry of the activity table (e.g. ``{"C":
        "C_manufacturing"}``); codes not mapped are used as they are.

    Returns
    -------
    InvestmentClusters
    """
    from metrocircle.strength.investment import investment_network

    if not isinstance(link, str) or link not in LINKS:
        raise ParameterError(f"The 'link' parameter of {OWNER} must be one of "
                             f"{', '.join(repr(x) for x in LINKS)}. Got {link!r}.")
    try:
        min_value = float(min_value)
    except (TypeError, ValueError) as err:
        raise ParameterError(f"The 'min_value' parameter of {OWNER} must be a number >= 0. "
                             f"Got {min_value!r}.") from err
    if not np.isfinite(min_value) or min_value < 0:
        raise ParameterError(f"The 'min_value' parameter of {OWNER} must be a number >= 0. "
                             f"Got {min_value!r}.")
    m = activity_matrix(activity)
    lq = location_quotients(m, reference=reference, threshold=threshold, min_size=min_size,
                            min_share=min_share, min_industry_share=min_industry_share)
    lq_value = lq.set_index([UNIT_ID, INDUSTRY])["lq"]
    cand = lq[lq["cluster_candidate"]]
    spec: dict[str, set[str]] = {}
    for ind, g in cand.groupby(INDUSTRY, sort=False):
        spec[str(ind)] = set(g[UNIT_ID].astype(str))
    from metrocircle.model.investment import INDUSTRY as REC_INDUSTRY
    from metrocircle.model.investment import validate_investment

    rec = validate_investment(records, universe=set(m.index.astype(str)))
    if REC_INDUSTRY not in rec.columns:
        raise ParameterError(f"The 'records' parameter of {OWNER} must have an 'industry' "
                             "column (the investee's industry).")
    mapping = {str(k): str(v) for k, v in (industry_map or {}).items()}
    rec = rec.assign(**{REC_INDUSTRY: rec[REC_INDUSTRY].map(lambda c: mapping.get(c, c)
                                                          if isinstance(c, str) else c)})
    known = set(m.columns.astype(str))
    no_ind = rec[REC_INDUSTRY].isna()
    unknown = ~no_ind & ~rec[REC_INDUSTRY].isin(known)
    left_out = {"industry missing": int(no_ind.sum()),
                "industry not in the activity table": int(unknown.sum())}
    rec = rec[~no_ind & ~unknown]
    pair_rows = []
    for ind in m.columns.astype(str):
        units = spec.get(ind, set())
        sub = rec[rec[REC_INDUSTRY] == ind]
        if len(units) < 2 or sub.empty:
            continue
        net = investment_network(sub, weight=weight).links
        off = net[net["origin"] != net["destination"]]
        v = {(a, b): x for a, b, x in off[["origin", "destination", "value"]].itertuples(
            index=False)}
        first_out = _first_contact(off, "origin", "destination")
        first_in = _first_contact(off, "destination", "origin")
        keys = {tuple(sorted(k)) for k in v if k[0] in units and k[1] in units}
        for a, b in sorted(keys):
            ab, ba = v.get((a, b), 0.0), v.get((b, a), 0.0)
            dom = (first_out.get(a) == b or first_out.get(b) == a
                   or first_in.get(a) == b or first_in.get(b) == a)
            linked = dom if link == "dominant" else (ab + ba) > min_value
            if linked:
                pair_rows.append({"industry": ind, "unit_a": a, "unit_b": b,
                                  "lq_a": float(lq_value[(a, ind)]),
                                  "lq_b": float(lq_value[(b, ind)]),
                                  "value_ab": ab, "value_ba": ba, "value": ab + ba,
                                  "dominant": bool(dom)})
    cols = ["industry", "unit_a", "unit_b", "lq_a", "lq_b", "value_ab", "value_ba", "value",
            "dominant"]
    pairs = pd.DataFrame(pair_rows, columns=cols)
    pairs, clusters = _components(pairs, lq_value)
    info = {"reference": "pooled units" if reference is None else "given", "threshold":
            threshold, "min_size": min_size, "min_share": min_share,
            "min_industry_share": min_industry_share, "weight": weight, "link": link,
            "min_value": min_value, "records_used": int(len(rec)),
            "records_left_out": {k: v for k, v in left_out.items() if v},
            "co_specialised_units": {k: len(v) for k, v in spec.items()}}
    return InvestmentClusters(pairs, clusters, info)


def _first_contact(links: pd.DataFrame, by: str, other: str) -> dict[str, str]:
    """For each unit in ``by``: the ``other`` unit with the largest value (lowest code on ties)."""
    if links.empty:
        return {}
    s = links.sort_values([by, "value", other], ascending=[True, False, True])
    top = s.drop_duplicates(by)
    return dict(zip(top[by].astype(str), top[other].astype(str), strict=True))


def _components(pairs: pd.DataFrame, lq: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = []
    cluster_of = np.zeros(len(pairs), dtype=np.int64)
    for ind, g in pairs.groupby("industry", sort=True):
        units = sorted(set(g["unit_a"]) | set(g["unit_b"]))
        idx = {u: i for i, u in enumerate(units)}
        a = np.array([idx[u] for u in g["unit_a"]])
        b = np.array([idx[u] for u in g["unit_b"]])
        graph = sp.csr_matrix((np.ones(len(a)), (a, b)), shape=(len(units), len(units)))
        _, comp = connected_components(graph, directed=False)
        # number clusters by their first unit in code order
        order = {c: k + 1 for k, c in enumerate(dict.fromkeys(comp.tolist()))}
        cluster_of[g.index.to_numpy()] = [order[comp[i]] for i in a]
        for c, k in order.items():
            members = [u for u in units if comp[idx[u]] == c]
            inside = g[[comp[idx[u]] == c for u in g["unit_a"]]]
            rows.append({"industry": ind, "cluster": k, "units": ";".join(members),
                         "n_units": len(members), "investment": float(inside["value"].sum()),
                         "min_lq": float(min(lq[(u, ind)] for u in members))})
    pairs = pairs.assign(cluster=cluster_of)
    cols = ["industry", "cluster", "units", "n_units", "investment", "min_lq"]
    return pairs, pd.DataFrame(rows, columns=cols)
