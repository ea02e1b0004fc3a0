"""Enterprise-investment networks between units (methods survey section 2.3).

From investment records (investor unit, investee unit, count or capital, optional industry
and year; see :mod:`metrocircle.model.investment`), the directed network between units:

* edge weight ``w_ij`` from investor unit ``i`` to investee unit ``j``, by ``weight=``:

  - ``"count"``: the number of relations, ``w_ij = sum of count`` (1 per record by default);
  - ``"capital"``: the subscribed capital, ``w_ij = sum of capital``;
  - ``"log_capital"``: ``w_ij = ln(1 + sum of capital)``, which damps the few very large
    deals (the transform is applied to the pair's total, once per pair);

* the intra-unit diagonal ``w_ii`` (a firm investing in a firm of its own unit) is **kept** in
  the link table, for self-containment-type statistics, and left out of the strengths between
  units;
* an industry filter (the investee's industry code, so that one network per industry can be
  built) and a year filter; every record left out is counted with its reason in ``info``;
* node strengths: **out-strength** ``sum_{j != i} w_ij`` is the unit's *control* over other
  units (its firms invest elsewhere), **in-strength** ``sum_{i != j} w_ij`` its *attraction*
  (firms elsewhere invest in it), with the degrees, the net strength (out - in) and the
  diagonal.

Examples
--------
>>> import pandas as pd
>>> from metrocircle.strength import investment_network
>>> records = pd.DataFrame({"investor": ["A", "A", "B", "A"], "investee": ["B", "B", "A", "A"],
...                         "capital": [100.0, 50.0, 30.0, 10.0]})
>>> net = investment_network(records, weight="capital")
>>> net.links
  origin destination  value  records  capital
0      A           A   10.0      1.0     10.0
1      A           B  150.0      2.0    150.0
2      B           A   30.0      1.0     30.0
>>> net.nodes[["unit_id", "out_strength", "in_strength", "self_value"]]
  unit_id  out_strength  in_strength  self_value
0       A         150.0         30.0        10.0
1       B          30.0        150.0         0.0
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.exceptions import InputError, ParameterError, Problem
from metrocircle.model import investment as inv
from metrocircle.model import schema as S
from metrocircle.model.layers import FlowLayer

log = logging.getLogger(__name__)

WEIGHTS = ("count", "capital", "log_capital")
OWNER = "investment_network"


@dataclass
class InvestmentNetwork:
    """Result of :func:`investment_network`.

    Attributes
    ----------
    links
        ``origin`` (investor unit), ``destination`` (investee unit), ``value`` (the weight),
        ``records`` (relations counted) and, when the records have capital, ``capital``; the
        diagonal (intra-unit investment) included; one row per pair with a record.
    nodes
        One row per unit: ``unit_id``, ``out_strength`` (control), ``in_strength``
        (attraction), ``self_value`` (the diagonal), ``out_degree``, ``in_degree``,
        ``net_strength`` (out - in) and ``self_share`` (diagonal / (diagonal + out-strength):
        how much of the unit's investment stays at home).
    info
        Weight, filters, records read, used and left out by reason.
    """

    links: pd.DataFrame
    nodes: pd.DataFrame
    info: dict[str, Any] = field(default_factory=dict)

    def as_layer(self, *, name: str = "investment", source: str, note: str = "") -> FlowLayer:
        """The links as a labelled flow layer of kind ``investment`` (say whether the records
        were ``"real"`` or ``"modelled"``)."""
        note = note or f"enterprise investment, weight {self.info['weight']}"
        return FlowLayer(self.links[S.FLOW_COLUMNS], name=name, kind="investment",
                         source=source, note=note)


def _as_set(values: Iterable[Any] | None, name: str, kind: type) -> set | None:
    if values is None:
        return None
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ParameterError(f"The '{name}' parameter of {OWNER} must be a list of "
                             f"{kind.__name__} values or None. Got {values!r}.")
    out = set()
    for v in values:
        if kind is int:
            if isinstance(v, bool) or not isinstance(v, int | np.integer):
                raise ParameterError(f"The '{name}' parameter of {OWNER} must be a list of "
                                     f"whole years. Got {v!r} in it.")
            out.add(int(v))
        else:
            out.add(str(v).strip())
    if not out:
        raise ParameterError(f"The '{name}' parameter of {OWNER} must not be empty (None keeps "
                             "everything).")
    return out


def filter_records(
    records: pd.DataFrame,
    *,
    industries: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Keep the records of the given industries and years; return them and the number left
    out by each reason (a record without the attribute a filter reads is left out, and
    counted apart)."""
    ind = _as_set(industries, "industries", str)
    yrs = _as_set(years, "years", int)
    p = []
    if ind is not None and inv.INDUSTRY not in records.columns:
        p.append(Problem("investment", "an industry filter needs an 'industry' column"))
    if yrs is not None and inv.YEAR not in records.columns:
        p.append(Problem("investment", "a year filter needs a 'year' column"))
    if p:
        raise InputError(p)
    keep = np.ones(len(records), dtype=bool)
    dropped: dict[str, int] = {}
    if ind is not None:
        code = records[inv.INDUSTRY]
        missing = code.isna().to_numpy()
        other = ~missing & ~code.isin(ind).to_numpy(dtype=bool, na_value=False)
        dropped["industry missing"] = int(missing.sum())
        dropped["industry not selected"] = int(other.sum())
        keep &= ~missing & ~other
    if yrs is not None:
        year = records[inv.YEAR]
        missing = year.isna().to_numpy() & keep
        other = ~year.isna().to_numpy() & ~year.isin(yrs).to_numpy(dtype=bool, na_value=False)
        other &= keep
        dropped["year missing"] = int(missing.sum())
        dropped["year not selected"] = int(other.sum())
        keep &= ~missing & ~other
    return records[keep], dropped


def investment_network(
    records: pd.DataFrame,
    *,
    weight: str = "count",
    industries: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    units: Collection[str] | None = None,
) -> InvestmentNetwork:
    """Build the directed investment network between units from investment records.

    Parameters
    ----------
    records
        ``investor, investee`` and optionally ``count``, ``capital``, ``industry``, ``year``
        (checked by :func:`metrocircle.model.investment.validate_investment`; one
        :class:`~metrocircle.InputError` lists every problem).
    weight
        ``"count"`` (default), ``"capital"`` or ``"log_capital"`` (see the module notes).
    industries
        Keep only records whose investee industry is one of these codes (None: all).
    years
        Keep only records of these years (None: all), e.g. ``range(2015, 2021)``.
    units
        The units of the study: every code of the records must be one of them, and every
        one of them gets a row in ``nodes`` (zeros when it has no record).

    Returns
    -------
    InvestmentNetwork
    """
    if not isinstance(weight, str) or weight not in WEIGHTS:
        raise ParameterError(f"The 'weight' parameter of {OWNER} must be one of "
                             f"{', '.join(repr(w) for w in WEIGHTS)}. Got {weight!r}.")
    universe = None if units is None else {str(u) for u in units}
    clean = inv.validate_investment(records, universe=universe)
    if weight != "count" and inv.CAPITAL not in clean.columns:
        raise InputError([Problem("investment", f"weight={weight!r} needs a 'capital' column")])
    kept, dropped = filter_records(clean, industries=industries, years=years)
    agg = {"records": (inv.COUNT, "sum")}
    if inv.CAPITAL in kept.columns:
        agg["capital"] = (inv.CAPITAL, "sum")
    links = (kept.groupby([inv.INVESTOR, inv.INVESTEE], sort=True).agg(**agg).reset_index()
             .rename(columns={inv.INVESTOR: S.ORIGIN, inv.INVESTEE: S.DESTINATION}))
    if weight == "count":
        value = links["records"].to_numpy(dtype=float)
    elif weight == "capital":
        value = links["capital"].to_numpy(dtype=float)
    else:
        value = np.log1p(links["capital"].to_numpy(dtype=float))
    links.insert(2, S.VALUE, value)
    for col in (S.ORIGIN, S.DESTINATION):
        links[col] = links[col].astype("string")
    nodes = _nodes(links, universe)
    info = {
        "weight": weight,
        "industries": None if industries is None else sorted(_as_set(industries, "industries",
                                                                       str) or ()),
        "years": None if years is None else sorted(_as_set(years, "years", int) or ()),
        "records_read": int(len(clean)),
        "records_used": int(len(kept)),
        "records_left_out": {k: v for k, v in dropped.items() if v},
        "relations_used": float(kept[inv.COUNT].sum()),
        "pairs": int(len(links)),
        "intra_unit_pairs": int((links[S.ORIGIN] == links[S.DESTINATION]).sum()),
    }
    log.info("investment network: %d records used of %d, %d pairs", len(kept), len(clean),
             len(links))
    return InvestmentNetwork(links, nodes, info)


def _nodes(links: pd.DataFrame, universe: set[str] | None) -> pd.DataFrame:
    codes = sorted(set(links[S.ORIGIN]) | set(links[S.DESTINATION]) | (universe or set()))
    idx = pd.Index(codes, dtype="string")
    o = idx.get_indexer(links[S.ORIGIN])
    d = idx.get_indexer(links[S.DESTINATION])
    v = links[S.VALUE].to_numpy(dtype=float)
    off = o != d
    n = len(idx)
    out_s = np.bincount(o[off], weights=v[off], minlength=n)
    in_s = np.bincount(d[off], weights=v[off], minlength=n)
    self_v = np.bincount(o[~off], weights=v[~off], minlength=n)
    nodes = pd.DataFrame({
        "unit_id": pd.array(codes, dtype="string"),
        "out_strength": out_s,
        "in_strength": in_s,
        "self_value": self_v,
        "out_degree": np.bincount(o[off], minlength=n),
        "in_degree": np.bincount(d[off], minlength=n),
    })
    nodes["net_strength"] = out_s - in_s
    den = self_v + out_s
    nodes["self_share"] = np.divide(self_v, den, out=np.full(n, np.nan), where=den > 0)
    return nodes
