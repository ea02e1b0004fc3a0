"""Polycentricity of a set of centres (methods survey 3.1).

* **Rank-size** (Burger & Meijers 2012): the OLS slope ``b`` of ``ln(size_r) = a + b ln(r)``
  over the top ``n`` centres, for ``n`` in ``(2, 3, 4)``, averaged. *Morphological* on a size
  (population, jobs); *functional* on each centre's inflow from the *other* centres. The index
  reported is ``1 - |b|``: 1 for equal centres, lower the steeper the hierarchy. This
  normalisation is metrocircle's choice, not a formula taken from the paper, so the raw mean
  slope is reported next to it (``slope``) and the index is **not** clipped (it is negative
  when ``|b| > 1``). A centre of size 0 has no logarithm: the index is then NaN
  with the reason in ``note``.
* **Primacy**: ``S2 = P1 / P2``, ``S4 = P1 / (P2 + P3 + P4)``, and the Zipf exponent ``q``
  (minus the OLS slope of ``ln P_r`` on ``ln r`` over all centres with ``P > 0``).
* **Green (2007) functional polycentricity** ``P_F = (1 - s_D / s_Dmax) * density``, with
  ``D_i`` the weighted in-degree of centre ``i`` (flows from the other centres), ``s_D`` their
  population standard deviation, and ``s_Dmax`` that of the most monocentric configuration of
  the same number of centres and total weight (one centre receives everything:
  ``s_Dmax = total * sqrt(n - 1) / n``). ``density`` is the share of the ``n (n - 1)``
  possible directed links that carry a flow (``density="links"``) or 1 (``density="none"``,
  the evenness term alone). These normalisations are metrocircle's choices, stated in every
  output. ``P_F`` is 1 for equal centres all linked, 0 when one
  centre receives every flow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.exceptions import ParameterError
from metrocircle.model import schema as S
from metrocircle.strength._links import clean_links, to_matrix

TOP_N = (2, 3, 4)


def _slope(sizes: np.ndarray) -> float:
    """OLS slope of ln(size) on ln(rank) for sizes sorted descending."""
    r = np.log(np.arange(1, len(sizes) + 1))
    y = np.log(sizes)
    rc = r - r.mean()
    return float((rc * (y - y.mean())).sum() / (rc * rc).sum())


def rank_size(sizes: Sequence[float] | np.ndarray, *, top_n: Sequence[int] = TOP_N) -> dict:
    """Burger & Meijers rank-size polycentricity of a set of sizes.

    Parameters
    ----------
    sizes
        One size per centre (any order).
    top_n
        The regressions over the top ``n`` centres that are averaged (those with more centres
        than available are skipped).

    Returns
    -------
    dict
        ``slope`` (mean OLS slope), ``slopes`` (per ``n``), ``index`` (``1 - |slope|``),
        ``centres``, ``note``.

    Examples
    --------
    >>> rank_size([5.0, 5.0, 5.0, 5.0])["index"]
    1.0
    """
    v = np.sort(np.asarray(sizes, dtype=float))[::-1]
    if np.isnan(v).any() or (v < 0).any():
        raise ParameterError("The 'sizes' parameter of rank_size must be numbers >= 0.")
    usable = [n for n in top_n if n <= len(v)]
    out: dict[str, Any] = {"centres": int(len(v)), "top_n": usable, "slopes": {},
                           "slope": None, "index": None, "note": ""}
    if not usable:
        out["note"] = "fewer than 2 centres: no rank-size slope"
        return out
    if (v[: max(usable)] <= 0).any():
        out["note"] = "a top centre has size 0: ln(0) is undefined, no slope"
        return out
    slopes = {n: _slope(v[:n]) for n in usable}
    slope = float(np.mean(list(slopes.values())))
    out.update(slopes={str(k): s for k, s in slopes.items()}, slope=slope,
               index=1.0 - abs(slope))
    return out


def primacy(sizes: Sequence[float] | np.ndarray) -> dict:
    """Primacy ratios ``S2``, ``S4`` and the Zipf exponent ``q`` of a set of sizes.

    Examples
    --------
    >>> primacy([8.0, 4.0, 2.0, 2.0])["S4"]
    1.0
    """
    v = np.sort(np.asarray(sizes, dtype=float))[::-1]
    s2 = float(v[0] / v[1]) if len(v) >= 2 and v[1] > 0 else None
    s4 = float(v[0] / v[1:4].sum()) if len(v) >= 4 and v[1:4].sum() > 0 else None
    pos = v[v > 0]
    q = -_slope(pos) if len(pos) >= 2 else None
    return {"S2": s2, "S4": s4, "zipf_q": q, "centres": int(len(v))}


def green_polycentricity(matrix: np.ndarray, *, density: str = "links") -> dict:
    """Green (2007) functional polycentricity of a flow matrix between centres.

    Parameters
    ----------
    matrix
        ``n x n`` flows between centres; the diagonal is ignored.
    density
        ``"links"`` (share of possible directed links with a flow) or ``"none"``.

    Returns
    -------
    dict
        ``index`` (``P_F``), ``sd_degree``, ``sd_degree_max``, ``density``, ``in_degree``.

    Examples
    --------
    >>> green_polycentricity(np.ones((3, 3)))["index"]
    1.0
    """
    if density not in ("links", "none"):
        raise ParameterError(
            f"The 'density' parameter of green_polycentricity must be 'links' or 'none'. "
            f"Got {density!r}."
        )
    w = np.array(matrix, dtype=float)
    n = w.shape[0]
    np.fill_diagonal(w, 0.0)
    deg = w.sum(axis=0)
    total = deg.sum()
    res: dict[str, Any] = {"centres": n, "in_degree": deg.tolist(), "index": None,
                           "sd_degree": None, "sd_degree_max": None, "density": None,
                           "degree": "weighted in-degree (flows from the other centres)",
                           "sd": "population standard deviation",
                           "sd_max": "one centre receives all the flow: total*sqrt(n-1)/n",
                           "density_basis": density}
    if n < 2 or total <= 0:
        res["note"] = "needs at least 2 centres with flows between them"
        return res
    sd = float(deg.std())
    sd_max = float(total * np.sqrt(n - 1) / n)
    dens = float((w > 0).sum() / (n * (n - 1))) if density == "links" else 1.0
    res.update(index=(1.0 - sd / sd_max) * dens, sd_degree=sd, sd_degree_max=sd_max,
               density=dens)
    return res


def polycentricity(
    flows: pd.DataFrame,
    *,
    centres: Mapping[str, str] | Sequence[str],
    sizes: Mapping[str, float] | pd.Series | None = None,
    top_n: Sequence[int] = TOP_N,
    density: str = "links",
) -> dict:
    """Every polycentricity index of a set of centres, from flows between units.

    Parameters
    ----------
    flows
        ``origin, destination, value`` between units.
    centres
        The units that are centres: a list of codes, or a mapping ``unit_id -> centre`` that
        merges several units into one centre (e.g. the central districts into "core").
    sizes
        Morphological size per unit (population, jobs); summed per centre. Default: the jobs
        ``W_i`` (inflow including the diagonal) of the flows.
    top_n, density
        See :func:`rank_size` and :func:`green_polycentricity`.

    Returns
    -------
    dict
        ``centres`` (names, morphological and functional sizes), ``morphological``
        (rank-size), ``functional`` (rank-size on inflow from the other centres),
        ``primacy`` (on the morphological sizes), ``green``.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "A"], "value": [1.0, 1.0]})
    >>> polycentricity(f, centres=["A", "B"])["green"]["index"]
    1.0
    """
    links = clean_links(flows, source="flows")
    mapping = dict(centres) if isinstance(centres, Mapping) else {str(c): str(c) for c in centres}
    codes = sorted(set(links[S.ORIGIN]) | set(links[S.DESTINATION]) | set(mapping))
    m = to_matrix(links, codes)
    names = list(dict.fromkeys(mapping.values()))
    if len(names) < 1:
        raise ParameterError("The 'centres' parameter of polycentricity must name a centre.")
    ind = np.zeros((m.n, len(names)))
    ind[m.codes.get_indexer(list(mapping)), [names.index(v) for v in mapping.values()]] = 1.0
    agg = ind.T @ m.values @ ind  # flows between centres (diagonal: within a centre)
    if sizes is None:
        unit_size = m.values.sum(axis=0)
        size_basis = "jobs (inflow including the diagonal) of the flows"
    else:
        ss = pd.Series(sizes, dtype=float)
        ss.index = ss.index.astype(str)
        unit_size = ss.reindex(m.codes).to_numpy(dtype=float)
        lacking = [
            c for c, v in zip(m.codes, unit_size, strict=True) if c in mapping and np.isnan(v)
        ]
        if lacking:
            raise ParameterError(f"The 'sizes' parameter of polycentricity has no size for "
                                 f"centre unit(s) {lacking}.")
        unit_size = np.nan_to_num(unit_size)
        size_basis = "given sizes"
    morph = ind.T @ unit_size
    off = agg.copy()
    np.fill_diagonal(off, 0.0)
    func = off.sum(axis=0)
    return {
        "centres": [{"centre": c, "units": sorted(u for u, v in mapping.items() if v == c),
                     "size": float(morph[k]), "inflow_from_centres": float(func[k])}
                    for k, c in enumerate(names)],
        "size_basis": size_basis,
        "morphological": rank_size(morph, top_n=top_n),
        "functional": rank_size(func, top_n=top_n),
        "primacy": primacy(morph),
        "green": green_polycentricity(agg, density=density),
        "normalisation": "rank-size index = 1 - |mean OLS slope| over the top 2, 3 and 4 "
                         "centres, not clipped (the slope is given beside it); Green: P_F = "
                         "(1 - sd_D / sd_Dmax) x density, D = weighted in-degree from the other "
                         "centres, sd_Dmax = that of one centre receiving all flow, density = "
                         "share of the possible directed links that carry a flow (metrocircle's "
                         "choices, docs/roles.md)",
    }
