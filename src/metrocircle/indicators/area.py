"""Totals, gaps and commuting statistics of areas (groups of units)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from metrocircle.exceptions import Problems
from metrocircle.model.validation import check_population

#: Unit attributes :func:`area_indicators` can use, by role; the values are the default column
#: names (those of :func:`metrocircle.datasets.chongqing.load_units` where they differ).
DEFAULT_COLUMNS: dict[str, str] = {
    "population": "population",
    "urban_population": "urban_population",
    "area_km2": "area_km2",
    "gdp": "gdp",
    "other_province": "other_province",
}


def area_indicators(
    units: pd.DataFrame,
    membership: pd.DataFrame,
    *,
    flows: pd.DataFrame | None = None,
    columns: Mapping[str, str | None] | None = None,
    area_col: str = "area_id",
    core_statuses: tuple[str, ...] = ("core",),
) -> pd.DataFrame:
    """Indicators of each area of ``membership``.

    Parameters
    ----------
    units
        ``unit_id`` and attribute columns (see ``columns``).
    membership
        ``unit_id`` and ``area_id`` (a delineation's ``membership.csv``; units whose area is
        empty are outside every area). With a ``status`` column, units whose status is in
        ``core_statuses`` are the area's core.
    flows
        Optional ``origin, destination, value`` (e.g. home-to-work commuters; the diagonal is
        people working in their home unit) for the commuting statistics.
    columns
        ``{role: column}`` overriding :data:`DEFAULT_COLUMNS` (``None`` = not available). Roles:
        ``population`` (required), ``urban_population``, ``area_km2``, ``gdp``,
        ``other_province`` (residents registered in another province).
    area_col
        Column of ``membership`` naming the area.
    core_statuses
        Statuses that mark a core unit (for the core-versus-rest urbanisation gap).

    Returns
    -------
    pandas.DataFrame
        One row per area: ``units``, ``core_units``, ``area_km2``, ``population``,
        ``urban_population``, ``urbanisation_rate``, ``urbanisation_core``,
        ``urbanisation_rest``, ``urbanisation_gap`` (core minus rest, percentage points),
        ``urbanisation_min``/``max`` over its units, ``gdp`` (sum over the units that have it)
        with ``gdp_units`` and ``gdp_complete``, ``other_province_share``; with ``flows`` also
        ``employed_residents``, ``jobs``, ``internal_commuters``, ``outbound``, ``inbound``,
        ``supply_self_containment`` (internal / employed residents),
        ``demand_self_containment`` (internal / jobs) and ``flow_openness``
        ((inbound + outbound) / (internal + inbound + outbound)). A missing attribute gives
        empty columns, never a guess.

    Examples
    --------
    >>> import pandas as pd
    >>> units = pd.DataFrame({"unit_id": ["A", "B", "C"], "population": [100, 50, 30],
    ...                       "urban_population": [90, 20, 6]})
    >>> m = pd.DataFrame({"unit_id": ["A", "B", "C"], "area_id": ["M", "M", None],
    ...                   "status": ["core", "member", "outside"]})
    >>> r = area_indicators(units, m)
    >>> r.loc[0, ["population", "urbanisation_rate", "urbanisation_gap"]].tolist()
    [150.0, 0.7333333333333333, 50.0]
    """
    cols: dict[str, str | None] = {**DEFAULT_COLUMNS, **dict(columns or {})}
    p = Problems()
    for name, df, need in (("units", units, ["unit_id"]),
                           ("membership", membership, ["unit_id", area_col])):
        missing = [c for c in need if c not in df.columns]
        if missing:
            p.add(name, f"missing column(s) {', '.join(missing)}; has: "
                        f"{', '.join(map(str, df.columns))}")
    pop_col = cols.get("population")
    if pop_col is None or pop_col not in units.columns:
        p.add("units", f"the population column {pop_col!r} is missing (columns={{'population':"
                       " ...}} names it)")
    p.raise_if_any()
    u = units.copy()
    u["unit_id"] = u["unit_id"].astype(str)
    dup = u["unit_id"].duplicated()
    if dup.any():
        p.add("units", "duplicate unit codes", rows=sorted(set(u.loc[dup, "unit_id"])))
    m = membership[["unit_id", area_col] + (["status"] if "status" in membership else [])].copy()
    m["unit_id"] = m["unit_id"].astype(str)
    unknown = sorted(set(m["unit_id"]) - set(u["unit_id"]))
    if unknown:
        p.add("membership", "unit codes not in the units table", rows=unknown)
    values: dict[str, pd.Series] = {}
    for role, col in cols.items():
        if col is not None and col not in u.columns and role in dict(columns or {}):
            p.add("units", f"column {col!r} (given for {role}) not found; has: "
                           f"{', '.join(map(str, u.columns))}")
        if col is None or col not in u.columns:
            continue
        raw = u[col]
        blank = raw.isna() | (raw.astype("string").str.strip() == "").fillna(True)
        v = pd.to_numeric(raw.where(~blank), errors="coerce")
        bad = (v < 0) | (~blank & v.isna())
        if bad.any():
            p.add("units", f"{col}: negative or non-numeric values",
                  rows=sorted(u.loc[bad.to_numpy(), "unit_id"]))
        values[role] = pd.Series(v.to_numpy(float), index=u["unit_id"])
    if values["population"].isna().any():
        p.add("units", f"{pop_col}: missing population",
              rows=sorted(values["population"].index[values["population"].isna()]))
    urban = values.get("urban_population")
    check_population(values["population"].to_numpy(),
                     None if urban is None else urban.to_numpy(),
                     values["population"].index.to_numpy(dtype=object), source="units",
                     problems=p, names=(str(pop_col), str(cols.get("urban_population"))))
    p.raise_if_any()

    m = m[m[area_col].notna() & (m[area_col].astype(str) != "")]
    m[area_col] = m[area_col].astype(str)
    core = m["status"].isin(core_statuses) if "status" in m else pd.Series(False, index=m.index)
    rows = []
    for area, part in m.groupby(area_col, sort=True):
        ids = part["unit_id"].tolist()
        is_core = core.loc[part.index].to_numpy()
        row: dict[str, object] = {"area_id": area, "units": len(ids),
                                  "core_units": int(is_core.sum())}
        pop = values["population"].reindex(ids)
        total_pop = float(pop.sum())
        row["population"] = total_pop
        if "area_km2" in values:
            a = values["area_km2"].reindex(ids)
            row["area_km2"] = float(a.sum()) if a.notna().all() else np.nan
        if "urban_population" in values:
            up = values["urban_population"].reindex(ids)
            urban = float(up.sum()) if up.notna().all() else np.nan
            row["urban_population"] = urban
            rate = up / pop.replace(0, np.nan)
            row["urbanisation_rate"] = urban / total_pop if total_pop > 0 else np.nan
            c_ids, r_ids = np.array(ids)[is_core], np.array(ids)[~is_core]
            rc = up.reindex(c_ids).sum() / pop.reindex(c_ids).sum() if len(c_ids) else np.nan
            rr = up.reindex(r_ids).sum() / pop.reindex(r_ids).sum() if len(r_ids) else np.nan
            row["urbanisation_core"], row["urbanisation_rest"] = rc, rr
            row["urbanisation_gap"] = 100 * (rc - rr) if len(c_ids) and len(r_ids) else np.nan
            row["urbanisation_min"], row["urbanisation_max"] = rate.min(), rate.max()
        if "gdp" in values:
            g = values["gdp"].reindex(ids)
            row["gdp"] = float(g.sum()) if g.notna().any() else np.nan
            row["gdp_units"] = int(g.notna().sum())
            row["gdp_complete"] = bool(g.notna().all())
        if "other_province" in values:
            op = values["other_province"].reindex(ids)
            row["other_province_share"] = float(op.sum()) / total_pop \
                if op.notna().all() and total_pop > 0 else np.nan
        if flows is not None:
            row.update(_commuting(flows, set(ids)))
        rows.append(row)
    return pd.DataFrame(rows)


def _commuting(flows: pd.DataFrame, members: set[str]) -> dict[str, float]:
    o = flows["origin"].astype(str).isin(members).to_numpy()
    d = flows["destination"].astype(str).isin(members).to_numpy()
    v = pd.to_numeric(flows["value"], errors="coerce").fillna(0).to_numpy(float)
    internal, out_, in_ = v[o & d].sum(), v[o & ~d].sum(), v[~o & d].sum()
    employed, jobs = internal + out_, internal + in_
    crossing = internal + out_ + in_
    return {"employed_residents": employed, "jobs": jobs, "internal_commuters": internal,
            "outbound": out_, "inbound": in_,
            "supply_self_containment": internal / employed if employed else np.nan,
            "demand_self_containment": internal / jobs if jobs else np.nan,
            "flow_openness": (in_ + out_) / crossing if crossing else np.nan}
