"""Membership degree of every unit to every core (经济隶属度; methods survey 2.1 and 2.4).

For a link table ``S`` (gravity strength, a flow layer or a fused index) and cores grouped into
areas, the membership of unit ``i`` to area ``C`` is the share of ``i``'s links that go to the
core units of ``C``::

    M_iC = sum_{c in C} S_ic / sum_{j != i} S_ij

The remainder, links to units that are no core, is ``outside_share``, so a unit's shares sum
to 1. A core unit's membership to its own area counts its links to the *other* core units of
that area (a unit is never linked to itself). The survey's core-centred form ``F_ij = R_ij /
sum_j R_ij`` (share of core ``i``'s connection going to ``j``) is the same computation on the
transposed table (swap ``origin`` and ``destination``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrocircle.exceptions import ParameterError, Problems
from metrocircle.model import schema as S
from metrocircle.model.validation import validate_cores
from metrocircle.strength._links import clean_links, to_matrix

OUTSIDE = "outside_share"


def membership(strength: pd.DataFrame, cores: pd.DataFrame) -> pd.DataFrame:
    """Membership share of each unit to each area of cores.

    Parameters
    ----------
    strength
        Link table ``origin, destination, strength`` (or ``value``); missing pairs are 0.
    cores
        ``unit_id, area_id``: the core units of each area (every core must appear in
        ``strength``).

    Returns
    -------
    pandas.DataFrame
        One row per unit of ``strength`` (code order): ``unit_id``, ``total_strength``
        (``sum_j S_ij``), one ``<area_id>_share`` column per area (in the order areas first
        appear in ``cores``), ``outside_share``, ``top_area`` (the area with the largest share;
        first listed among ties) and ``top_share``. Shares are NaN for a unit without outgoing
        links (``total_strength`` 0).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"origin": ["A", "A", "B", "C"], "destination": ["B", "C", "A", "A"],
    ...                   "strength": [3.0, 1.0, 2.0, 1.0]})
    >>> cores = pd.DataFrame({"unit_id": ["B"], "area_id": ["M"]})
    >>> membership(s, cores)
      unit_id  total_strength  M_share  outside_share top_area  top_share
    0       A             4.0     0.75           0.25        M       0.75
    1       B             2.0     0.00           1.00        M       0.00
    2       C             1.0     0.00           1.00        M       0.00
    """
    p = Problems()
    links = clean_links(strength, source="strength", problems=p)
    universe = None
    if S.ORIGIN in links.columns and not p:
        universe = set(links[S.ORIGIN]) | set(links[S.DESTINATION])
    cores = validate_cores(cores, universe=universe, problems=p)
    p.raise_if_any()
    areas = list(dict.fromkeys(cores[S.AREA_ID].tolist()))
    if not areas:
        raise ParameterError("The 'cores' parameter of membership must list at least one core.")
    names = [f"{a}_share" for a in areas]
    clash = {S.UNIT_ID, "total_strength", OUTSIDE, "top_area", "top_share"} & set(names)
    if clash:
        raise ParameterError(
            f"The 'cores' parameter of membership has area ids that clash with output columns: "
            f"{sorted(clash)}."
        )
    m = to_matrix(links)
    v = m.values.copy()
    np.fill_diagonal(v, 0.0)
    area_index = pd.Index(areas)
    # indicator matrix units x areas
    ind = np.zeros((m.n, len(areas)))
    ind[m.codes.get_indexer(cores[S.UNIT_ID]), area_index.get_indexer(cores[S.AREA_ID])] = 1.0
    total = v.sum(axis=1)
    to_area = v @ ind
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(total[:, None] > 0, to_area / total[:, None], np.nan)
    out = pd.DataFrame({S.UNIT_ID: pd.array(m.codes.to_numpy(), dtype="string")})
    out["total_strength"] = total
    for j, name in enumerate(names):
        out[name] = shares[:, j]
    # links to units that are no core / total (exact, not 1 - the sum of the area shares)
    non_core = 1.0 - ind.sum(axis=1).clip(0, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out[OUTSIDE] = np.where(total > 0, (v @ non_core) / total, np.nan)
    has = total > 0
    best = np.argmax(np.where(np.isnan(shares), -1.0, shares), axis=1)
    out["top_area"] = pd.array(
        np.where(has, np.asarray(areas, dtype=object)[best], None), dtype="string"
    )
    out["top_share"] = np.where(has, shares[np.arange(m.n), best], np.nan)
    return out
