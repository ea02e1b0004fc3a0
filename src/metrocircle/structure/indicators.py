"""Unit indicators of dependence, autonomy, accessibility and centrality (survey 3.2-3.3).

For a flow matrix ``T`` (home -> work commuting; the diagonal ``T_ii`` = people who live and
work in ``i``) with residents' outflow ``R_i = sum_j T_ij`` and jobs ``W_i = sum_j T_ji`` (both
including ``T_ii``), the columns of :func:`indicators` are:

``sc_supply``
    supply self-containment ``T_ii / R_i``;
``sc_demand``
    demand self-containment ``T_ii / W_i``;
``sc_min``
    ``min(sc_supply, sc_demand)`` (the ``SC_i`` of the role rules);
``job_ratio``
    ``W_i / R_i``;
``out_rate_core``
    commuting rate to the core ``sum_{c in C, c != i} T_ic / R_i`` (share of all employed
    residents, the Chinese 通勤率);
``core_share_external``
    the core's share of the external outflow ``sum_{c in C, c != i} T_ic / sum_{j != i} T_ij``;
``core_in_rate``
    flow from the core into ``i`` over the core's residents ``sum_{c} T_ci / sum_{c} R_c``
    (the reverse direction of the FUA/OMB "both ways" merge test);
``jobs_share_of_core``
    ``W_i / sum_{c in C} W_c`` (size relative to the core, for UEA-style promotion);
``first_contact``, ``first_contact_share``, ``first_contact_is_core``
    the destination of the largest outflow to another unit (:func:`metrocircle.strength.
    dominant_flows`), its share of the external outflow and whether it is a core unit;
``hinterland_units``
    how many *other non-core* units have ``i`` as their first contact (``i`` radiates);
``tt_core_minutes``, ``tt_second_minutes``
    travel time to the nearest unit of the core C (0 for a core unit) and of the second core A;
``membership_core``, ``membership_second``
    membership degree ``M_iC``, ``M_iA`` (:func:`metrocircle.strength.membership`) on the
    flows or on a strength table (e.g. a fused index from ``metrocircle strength``);
``pagerank``, ``in_strength``, ``centrality_pct``
    weighted PageRank and in-strength on the flows between units, and the percentile of the
    chosen one among the units of the table (share of units with a value <= the unit's);
``admin``, ``cross_border``
    the unit's administrative attribute (e.g. province) and whether it differs from the
    core's (the value most core units have).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.exceptions import ParameterError, Problems
from metrocircle.model import schema as S
from metrocircle.model.validation import as_codes, validate_cores, validate_travel_times
from metrocircle.strength._links import clean_links, to_matrix

CENTRALITY_BASES = ("pagerank", "in_strength")


def _core_codes(cores: pd.DataFrame | Sequence[str] | None, name: str, p: Problems) -> list[str]:
    if cores is None:
        return []
    if isinstance(cores, pd.DataFrame):
        if S.UNIT_ID not in cores.columns:
            p.add(name, "needs a 'unit_id' column")
            return []
        if S.AREA_ID not in cores.columns:
            cores = cores.assign(area_id=name)
        frame: pd.DataFrame = cores
        c = validate_cores(frame[[S.UNIT_ID, S.AREA_ID]], source=name, problems=p)
        return sorted(set(c[S.UNIT_ID]) - {""}) if S.UNIT_ID in c.columns else []
    return sorted({str(u) for u in cores})


def _min_minutes(tt: pd.DataFrame | None, codes: pd.Index, targets: list[str]) -> np.ndarray:
    """Minutes from each unit to its nearest target (0 for a target; NaN if no time given)."""
    n = len(codes)
    if not targets:
        return np.full(n, np.nan)
    out = np.full(n, np.inf)
    if tt is not None and len(tt):
        sub = tt[tt[S.DESTINATION].isin(targets)]
        best = sub.groupby(S.ORIGIN, sort=False)[S.MINUTES].min()
        vals = best.reindex(codes).to_numpy(dtype=float)
        out = np.where(np.isnan(vals), np.inf, vals)
    out[codes.isin(targets)] = 0.0
    return np.where(np.isinf(out), np.nan, out)


def _pair_minutes(tt: pd.DataFrame | None, a: list[str], b: list[str]) -> float:
    """Shortest time between any unit of ``a`` and any unit of ``b`` (either direction)."""
    if tt is None or not a or not b:
        return float("nan")
    ab = tt[tt[S.ORIGIN].isin(a) & tt[S.DESTINATION].isin(b)][S.MINUTES]
    ba = tt[tt[S.ORIGIN].isin(b) & tt[S.DESTINATION].isin(a)][S.MINUTES]
    both = pd.concat([ab, ba])
    return float(both.min()) if len(both) else float("nan")


def percentile(values: np.ndarray) -> np.ndarray:
    """Share of the values that are <= each value (ties share the highest rank); NaN stays NaN.

    Examples
    --------
    >>> percentile(np.array([1.0, 2.0, 2.0, 4.0])).tolist()
    [0.25, 0.75, 0.75, 1.0]
    """
    v = np.asarray(values, dtype=float)
    ok = ~np.isnan(v)
    out = np.full(len(v), np.nan)
    if ok.any():
        s = np.sort(v[ok])
        out[ok] = np.searchsorted(s, v[ok], side="right") / ok.sum()
    return out


def indicators(
    flows: pd.DataFrame,
    *,
    cores: pd.DataFrame | Sequence[str],
    second_core: pd.DataFrame | Sequence[str] | None = None,
    travel_times: pd.DataFrame | None = None,
    units: pd.DataFrame | None = None,
    admin_col: str | None = None,
    strength: pd.DataFrame | None = None,
    centrality: str = "pagerank",
    restrict_to: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per unit with every indicator the role rules use.

    Parameters
    ----------
    flows
        ``origin, destination, value`` commuting flows, with the diagonal (people working where
        they live) when known: without it self-containment is 0 for every unit.
    cores
        The core C: a ``unit_id[, area_id]`` table or a list of codes.
    second_core
        A second metropolitan core A (e.g. Chengdu), for the bridgehead rule.
    travel_times
        ``origin, destination, minutes``.
    units
        Optional ``unit_id`` + attributes; its codes are listed even without flows, and
        ``admin_col`` (e.g. ``province``) is read from it.
    admin_col
        Column of ``units`` whose value marks a cross-border unit (differs from the core's).
    strength
        Link table for the membership degrees (default: the flows).
    centrality
        ``"pagerank"`` or ``"in_strength"``: the basis of ``centrality_pct``.
    restrict_to
        Codes of the units to keep in the result (e.g. the delineated area). Flows, centrality
        and first contacts are computed on the whole network; the percentile of centrality is
        taken among the kept units.

    Returns
    -------
    pandas.DataFrame
        One row per unit (code order) with the columns listed in the module docstring and
        ``is_core``, ``is_second_core``; ``attrs["info"]`` holds ``tt_core_second_minutes``
        (the C-A time of the corridor test) and the bases used.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"origin": ["A", "A", "B", "B"], "destination": ["A", "B", "B", "A"],
    ...                   "value": [60.0, 40.0, 90.0, 10.0]})
    >>> ind = indicators(f, cores=["B"])
    >>> ind[["unit_id", "sc_supply", "out_rate_core", "job_ratio"]]
      unit_id  sc_supply  out_rate_core  job_ratio
    0       A        0.6            0.4        0.7
    1       B        0.9            0.0        1.3
    """
    if centrality not in CENTRALITY_BASES:
        raise ParameterError(
            f"The 'centrality' parameter of indicators must be one of {CENTRALITY_BASES}. "
            f"Got {centrality!r}."
        )
    p = Problems()
    links = clean_links(flows, source="flows", problems=p)
    core = _core_codes(cores, "cores", p)
    second = _core_codes(second_core, "second_core", p)
    tt = None
    if travel_times is not None:
        tt = validate_travel_times(travel_times, source="travel_times", problems=p)
    unit_codes: list[str] = []
    admin: pd.Series | None = None
    if units is not None:
        if S.UNIT_ID not in units.columns:
            p.add("units", "needs a 'unit_id' column")
        else:
            unit_codes = sorted(set(as_codes(units[S.UNIT_ID]).dropna()) - {""})
            if admin_col is not None:
                if admin_col not in units.columns:
                    p.add("units", f"admin column {admin_col!r} not found")
                else:
                    admin = pd.Series(
                        units[admin_col].astype("string").to_numpy(),
                        index=as_codes(units[S.UNIT_ID]).to_numpy(),
                    )
    elif admin_col is not None:
        p.add("units", f"admin_col={admin_col!r} needs a units table")
    p.raise_if_any()
    flow_codes = set(links[S.ORIGIN]) | set(links[S.DESTINATION])
    if unit_codes:
        unknown = sorted(flow_codes - set(unit_codes))
        if unknown:
            p.add("flows", "unit code(s) not in the units table", unknown)
    everything = set(unit_codes) | flow_codes
    missing_core = sorted(set(core) - everything)
    if missing_core:
        p.add("cores", "core unit(s) not in the flows or units", missing_core)
    if not core:
        p.add("cores", "no core unit given")
    missing_second = sorted(set(second) - everything)
    if missing_second:
        p.add("second_core", "unit(s) not in the flows or units", missing_second)
    both = sorted(set(core) & set(second))
    if both:
        p.add("second_core", "unit(s) are in both cores", both)
    if restrict_to is not None:
        outside = sorted({str(u) for u in restrict_to} - everything)
        if outside:
            p.add("membership", "unit(s) of the area not in the flows or units", outside)
    p.raise_if_any()

    codes = sorted(everything)
    m = to_matrix(links, codes)
    t = m.values
    idx = m.codes
    n = m.n
    is_core = idx.isin(core)
    is_second = idx.isin(second)
    diag = np.diag(t).copy()
    r = t.sum(axis=1)
    w = t.sum(axis=0)
    off = t.copy()
    np.fill_diagonal(off, 0.0)
    external = off.sum(axis=1)
    to_core = off[:, is_core].sum(axis=1)

    def div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.divide(a, b, out=np.full(len(a), np.nan), where=b > 0)

    sc_s = div(diag, r)
    sc_d = div(diag, w)
    core_r = r[is_core].sum()
    from_core = off[is_core, :].sum(axis=0)
    # first contact: largest outflow to another unit (smallest code among ties)
    v = off.copy()
    np.fill_diagonal(v, -np.inf)
    best = np.argmax(v, axis=1) if n else np.zeros(0, dtype=int)
    has_fc = external > 0
    fc_code = np.where(has_fc, idx.to_numpy()[best], None)
    fc_share = div(v[np.arange(n), best], external)
    fc_core = has_fc & is_core[best]
    counts = np.bincount(best[has_fc & ~is_core], minlength=n)

    # membership degree to C and A on the strength table (default: the flows)
    from metrocircle.strength.membership import membership

    mtab = pd.DataFrame(
        {S.UNIT_ID: list(core) + list(second),
         S.AREA_ID: ["core"] * len(core) + ["second"] * len(second)}
    )
    mem_links = links
    if strength is not None:
        sl = clean_links(strength, source="strength")
        present = set(sl[S.ORIGIN]) | set(sl[S.DESTINATION])
        unknown = sorted(present - everything)
        if unknown:
            p.add("strength", "unit code(s) not in the flows or units", unknown)
            p.raise_if_any()
        # units without links get a zero self link so that they are listed (shares NaN)
        absent = sorted(everything - present)
        pad = pd.DataFrame({S.ORIGIN: absent, S.DESTINATION: absent, S.VALUE: 0.0})
        mem_links = pd.concat([sl, pad.astype({S.ORIGIN: "string", S.DESTINATION: "string"})],
                              ignore_index=True)
    mem = membership(mem_links, mtab).set_index(S.UNIT_ID)
    m_core = mem["core_share"].reindex(idx).to_numpy(dtype=float)
    m_second = (
        mem["second_share"].reindex(idx).to_numpy(dtype=float) if second else np.full(n, np.nan)
    )

    from metrocircle.strength.centrality import centrality as _centrality

    cent = _centrality(links, units=codes, betweenness=False).units.set_index(S.UNIT_ID)
    pr = cent["pagerank"].reindex(idx).to_numpy(dtype=float)
    ins = cent["in_strength"].reindex(idx).to_numpy(dtype=float)

    out = pd.DataFrame({S.UNIT_ID: pd.array(idx.to_numpy(), dtype="string")})
    out["is_core"] = is_core
    out["is_second_core"] = is_second
    out["residents"] = r
    out["jobs"] = w
    out["sc_supply"] = sc_s
    out["sc_demand"] = sc_d
    out["sc_min"] = np.fmin(sc_s, sc_d) if n else sc_s
    both_nan = np.isnan(sc_s) | np.isnan(sc_d)
    out.loc[both_nan, "sc_min"] = np.nan
    out["job_ratio"] = div(w, r)
    out["out_rate_core"] = div(to_core, r)
    out["core_share_external"] = div(to_core, external)
    out["core_in_rate"] = from_core / core_r if core_r > 0 else np.full(n, np.nan)
    core_w = w[is_core].sum()
    out["jobs_share_of_core"] = w / core_w if core_w > 0 else np.full(n, np.nan)
    out["first_contact"] = pd.array(fc_code, dtype="string")
    out["first_contact_share"] = np.where(has_fc, fc_share, np.nan)
    out["first_contact_is_core"] = fc_core
    out["hinterland_units"] = counts
    out["tt_core_minutes"] = _min_minutes(tt, idx, core)
    out["tt_second_minutes"] = _min_minutes(tt, idx, second)
    out["membership_core"] = m_core
    out["membership_second"] = m_second
    out["pagerank"] = pr
    out["in_strength"] = ins
    keep = np.ones(n, dtype=bool)
    if restrict_to is not None:
        keep = idx.isin([str(u) for u in restrict_to])
    basis = pr if centrality == "pagerank" else ins
    pct = np.full(n, np.nan)
    pct[keep] = percentile(basis[keep])
    out["centrality_pct"] = pct
    if admin is not None:
        adm = admin.reindex(idx)
        out["admin"] = pd.array(adm.to_numpy(), dtype="string")
        core_admin = adm[is_core].dropna()
        ref = core_admin.mode().iloc[0] if len(core_admin) else None
        out["cross_border"] = (adm.notna() & adm.ne(ref)).to_numpy(dtype=bool)
    else:
        out["admin"] = pd.array([None] * n, dtype="string")
        out["cross_border"] = pd.array([pd.NA] * n, dtype="boolean")
        ref = None
    out = out[keep].reset_index(drop=True)
    info: dict[str, Any] = {
        "units": int(keep.sum()),
        "units_in_network": n,
        "core_units": sorted(core),
        "second_core_units": sorted(second),
        "tt_core_second_minutes": _pair_minutes(tt, core, second),
        "centrality_basis": centrality,
        "membership_basis": "flows" if strength is None else "strength table",
        "admin_col": admin_col,
        "core_admin": None if ref is None else str(ref),
        "diagonal_total": float(diag.sum()),
        # interaction between the two metropolitan cores (flows between their units)
        "flow_core_to_second": float(t[np.ix_(is_core, is_second)].sum()),
        "flow_second_to_core": float(t[np.ix_(is_second, is_core)].sum()),
    }
    out.attrs["info"] = info
    return out
