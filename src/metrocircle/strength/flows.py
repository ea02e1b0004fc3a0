"""Flow-based measures of connection (methods survey section 2.2).

For a flow matrix ``T`` (any layer: commuting, signaling trips, investment, passengers) with
outflow ``R_i = sum_j T_ij`` and inflow ``W_j = sum_i T_ij``:

* out-share (commuting rate) ``r_ij = T_ij / R_i`` and in-share ``s_ij = T_ij / W_j``;
* the **first-contact (dominant) flow** of a unit (Nystuen-Dacey logic): its largest outflow
  to another unit and that flow's out-share, classed strong (``>= 0.6``), medium or weak
  (``<= 0.3``) after Zhang Yu et al. (2021) [S31];
* **reciprocal first contacts**: when the dominant flow of ``i`` goes to ``j`` and that of
  ``j`` to ``i`` the pair is *partner* (伙伴型); when it is one-way, ``i`` is *dependent*
  (依附型) on ``j``. The survey names both types without the exact rule; this one-way /
  two-way reading is ours, stated wherever the result is written.

Flows of a unit with itself (the diagonal) are left out of the denominators by default
(``include_self=False``: shares of the flow that leaves the unit); with ``include_self=True``
they count, which gives the commuting rate among all residents. A unit is never its own first
contact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrocircle.exceptions import ParameterError
from metrocircle.model import schema as S
from metrocircle.strength._links import check_float, clean_links, to_matrix

OUT_SHARE = "out_share"
IN_SHARE = "in_share"


def _include_self(value: object, owner: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise ParameterError(
            f"The 'include_self' parameter of {owner} must be True or False. Got {value!r}."
        )
    return bool(value)


def flow_shares(flows: pd.DataFrame, *, include_self: bool = False) -> pd.DataFrame:
    """Out-share and in-share of every listed pair.

    Parameters
    ----------
    flows
        ``origin, destination, value``.
    include_self
        Count a unit's flow with itself in its totals (and list the self pair).

    Returns
    -------
    pandas.DataFrame
        ``origin, destination, value, out_share, in_share`` (``T_ij / R_i`` and
        ``T_ij / W_j``); a share whose total is 0 is NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"origin": ["A", "A", "B"], "destination": ["B", "C", "C"],
    ...                   "value": [3.0, 1.0, 1.0]})
    >>> flow_shares(f)[["origin", "destination", "out_share", "in_share"]]
      origin destination  out_share  in_share
    0      A           B       0.75       1.0
    1      A           C       0.25       0.5
    2      B           C       1.00       0.5
    """
    include_self = _include_self(include_self, "flow_shares")
    links = clean_links(flows, source="flows")
    m = to_matrix(links)
    v = m.values.copy()
    if not include_self:
        np.fill_diagonal(v, 0.0)
    out_total = v.sum(axis=1)
    in_total = v.sum(axis=0)
    o = m.codes.get_indexer(links[S.ORIGIN])
    d = m.codes.get_indexer(links[S.DESTINATION])
    keep = include_self | (o != d)
    o, d = o[keep], d[keep]
    val = m.values[o, d]
    with np.errstate(divide="ignore", invalid="ignore"):
        out_share = np.where(out_total[o] > 0, val / out_total[o], np.nan)
        in_share = np.where(in_total[d] > 0, val / in_total[d], np.nan)
    return pd.DataFrame(
        {
            S.ORIGIN: links[S.ORIGIN].to_numpy()[keep],
            S.DESTINATION: links[S.DESTINATION].to_numpy()[keep],
            S.VALUE: val,
            OUT_SHARE: out_share,
            IN_SHARE: in_share,
        }
    )


def dominant_flows(
    flows: pd.DataFrame,
    *,
    strong: float = 0.6,
    weak: float = 0.3,
    include_self: bool = False,
) -> pd.DataFrame:
    """The first-contact (dominant) flow of every unit with an outflow to another unit.

    Parameters
    ----------
    flows
        ``origin, destination, value``.
    strong, weak
        Class limits on the dominant out-share: ``strong`` if ``share >= strong``, ``weak`` if
        ``share <= weak``, ``medium`` between (Zhang Yu et al. 2021: 0.6 and 0.3).
    include_self
        Count the unit's flow with itself in the denominator of the share.

    Returns
    -------
    pandas.DataFrame
        One row per unit (in code order): ``unit_id``, ``destination`` (the first contact),
        ``value``, ``out_share``, ``strength_class``, ``tied`` (another destination has the
        same value; the smallest code is taken), ``reciprocal`` (the first contact's own first
        contact is this unit) and ``relation`` (``partner`` if reciprocal, else ``dependent``).
        Units whose outflow to other units is 0 are not listed.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"origin": ["A", "A", "B", "C"], "destination": ["B", "C", "A", "A"],
    ...                   "value": [7.0, 3.0, 5.0, 1.0]})
    >>> dominant_flows(f)[["unit_id", "destination", "out_share", "strength_class", "relation"]]
      unit_id destination  out_share strength_class   relation
    0       A           B        0.7         strong    partner
    1       B           A        1.0         strong    partner
    2       C           A        1.0         strong  dependent
    """
    strong = check_float(strong, "strong", "dominant_flows", low=0.0, high=1.0)
    weak = check_float(weak, "weak", "dominant_flows", low=0.0, high=1.0)
    if weak >= strong:
        raise ParameterError(
            "The 'weak' parameter of dominant_flows must be below 'strong'. "
            f"Got weak={weak:g}, strong={strong:g}."
        )
    include_self = _include_self(include_self, "dominant_flows")
    m = to_matrix(clean_links(flows, source="flows"))
    v = m.values.copy()
    np.fill_diagonal(v, -np.inf)  # never one's own first contact
    best = np.argmax(v, axis=1)  # first maximum = smallest code among ties
    rows = np.arange(m.n)
    top = v[rows, best]
    ties = (v == top[:, None]).sum(axis=1) > 1
    off = m.values.copy()
    np.fill_diagonal(off, 0.0)
    total = m.values.sum(axis=1) if include_self else off.sum(axis=1)
    has = (off.sum(axis=1) > 0) & (top > 0)
    share = np.divide(top, total, out=np.full(m.n, np.nan), where=total > 0)
    cls = np.where(share >= strong, "strong", np.where(share <= weak, "weak", "medium"))
    recip = has & has[best] & (best[best] == rows)
    codes = m.codes.to_numpy()
    out = pd.DataFrame(
        {
            S.UNIT_ID: pd.array(codes, dtype="string"),
            S.DESTINATION: pd.array(codes[best], dtype="string"),
            S.VALUE: top,
            OUT_SHARE: share,
            "strength_class": cls,
            "tied": ties & has,
            "reciprocal": recip,
            "relation": np.where(recip, "partner", "dependent"),
        }
    )
    return out[has].reset_index(drop=True)


def reciprocal_pairs(dominant: pd.DataFrame) -> pd.DataFrame:
    """Pairs of units that are each other's first contact (partner pairs), once per pair.

    Parameters
    ----------
    dominant
        The result of :func:`dominant_flows`.

    Returns
    -------
    pandas.DataFrame
        ``unit_a, unit_b`` (``unit_a < unit_b``), ``share_a`` (out-share of ``a`` to ``b``),
        ``share_b``, ``class_a``, ``class_b``.
    """
    need = {S.UNIT_ID, S.DESTINATION, OUT_SHARE, "strength_class", "reciprocal"}
    if not need <= set(dominant.columns):
        raise ParameterError(
            "The 'dominant' parameter of reciprocal_pairs must be the table of dominant_flows."
        )
    r = dominant[dominant["reciprocal"].to_numpy(dtype=bool)]
    a = r[r[S.UNIT_ID] < r[S.DESTINATION]]
    b = r.set_index(S.UNIT_ID)
    partner = b.loc[a[S.DESTINATION].to_numpy()]
    return pd.DataFrame(
        {
            S.UNIT_A: a[S.UNIT_ID].to_numpy(),
            S.UNIT_B: a[S.DESTINATION].to_numpy(),
            "share_a": a[OUT_SHARE].to_numpy(),
            "share_b": partner[OUT_SHARE].to_numpy(),
            "class_a": a["strength_class"].to_numpy(),
            "class_b": partner["strength_class"].to_numpy(),
        }
    )
