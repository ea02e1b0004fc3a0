"""Indices of industrial structure: location quotients, structure similarity, Krugman
specialisation, Hoover and Gini localisation, Herfindahl diversity, Ellison-Glaeser agglomeration.

Every function takes an activity table E_ik (unit x industry: employment, output, firms, ...),
long or wide (see :func:`metrocircle.industry.activity_matrix`; call it yourself for other column
names), and is vectorised over units and industries. Notation: E_ik activity of industry k in
unit i, E_i = sum_k E_ik, E_k = sum_i E_ik (or a reference total), E = sum of all.

Examples
--------
>>> from metrocircle.industry import chongqing_activity, location_quotients
>>> table, reference, info = chongqing_activity()
>>> lq = location_quotients(table, reference=reference)
>>> row = lq[lq["unit_id"].eq("500103") & lq["industry"].eq("J_finance")]
>>> round(float(row["lq"].iloc[0]), 2)
2.82
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

import numpy as np
import pandas as pd

from metrocircle.exceptions import ParameterError, Problems
from metrocircle.industry._table import (
    INDUSTRY,
    UNIT_ID,
    activity_matrix,
    reference_totals,
    unit_weights,
)

__all__ = [
    "ellison_glaeser",
    "gini",
    "herfindahl",
    "hoover",
    "krugman",
    "location_quotients",
    "plant_herfindahl",
    "structure_similarity",
]

Reference: TypeAlias = Mapping[str, float] | pd.Series | pd.DataFrame | None


def _nonneg(name: str, value: float, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as err:
        raise ParameterError(
            f"The '{name}' parameter of {what} must be a number >= 0. Got {value!r}."
        ) from err
    if not np.isfinite(v) or v < 0:
        raise ParameterError(
            f"The '{name}' parameter of {what} must be a number >= 0. Got {value!r}."
        )
    return v


def location_quotients(
    table: pd.DataFrame,
    *,
    reference: Reference = None,
    threshold: float = 1.0,
    min_size: float = 0.0,
    min_share: float = 0.0,
    min_industry_share: float = 0.0,
) -> pd.DataFrame:
    """Location quotients ``LQ_ik = (E_ik / E_i) / (E_k / E)`` with size floors for screening.

    Parameters
    ----------
    table
        Activity table, long or wide.
    reference
        The reference region: ``None`` (default) pools the units of the table; otherwise the
        industry totals of a wider region (a Series/mapping industry -> total, or a one-row
        wide DataFrame such as a province row), so ``E_k/E`` is that region's structure.
    threshold
        ``specialised`` is ``lq > threshold`` (default 1: above the reference share).
    min_size
        Floor on the absolute activity E_ik (same unit as the table: jobs, output, firms).
    min_share
        Floor on the industry's share of the unit's activity, E_ik / E_i.
    min_industry_share
        Floor on the unit's share of the industry across the table's units, E_ik / sum_i E_ik.

    Returns
    -------
    pandas.DataFrame
        One row per unit and industry: ``unit_id, industry, value, unit_total, share``
        (E_ik/E_i), ``reference_share`` (E_k/E), ``industry_share`` (E_ik / sum_i E_ik),
        ``lq``, ``specialised`` (lq > threshold), ``size_ok`` (E_ik > 0 and every floor met) and
        ``cluster_candidate`` (both). A high LQ on a tiny base is common in small units: the
        floors are there because the LQ says nothing about scale.
    """
    what = "location_quotients"
    threshold = _nonneg("threshold", threshold, what)
    min_size = _nonneg("min_size", min_size, what)
    min_share = _nonneg("min_share", min_share, what)
    min_industry_share = _nonneg("min_industry_share", min_industry_share, what)
    m = activity_matrix(table)
    e = m.to_numpy()
    ref = reference_totals(reference, m, what=what)
    unit_total = e.sum(axis=1, keepdims=True)
    share = e / unit_total
    ref_share = ref / ref.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        lq = np.where(ref_share > 0, share / np.where(ref_share > 0, ref_share, 1.0), 0.0)
    ind_share = e / e.sum(axis=0, keepdims=True)
    n_u, n_k = e.shape
    out = pd.DataFrame(
        {
            UNIT_ID: np.repeat(m.index.to_numpy(dtype=object), n_k),
            INDUSTRY: np.tile(m.columns.to_numpy(dtype=object), n_u),
            "value": e.ravel(),
            "unit_total": np.repeat(unit_total.ravel(), n_k),
            "share": share.ravel(),
            "reference_share": np.tile(ref_share, n_u),
            "industry_share": ind_share.ravel(),
            "lq": lq.ravel(),
        }
    )
    out["specialised"] = out["lq"] > threshold
    out["size_ok"] = (
        (out["value"] >= min_size)
        & (out["share"] >= min_share)
        & (out["industry_share"] >= min_industry_share)
        & (out["value"] > 0)
    )
    out["cluster_candidate"] = out["specialised"] & out["size_ok"]
    return out


def _shares(m: pd.DataFrame) -> np.ndarray:
    e = m.to_numpy()
    return e / e.sum(axis=1, keepdims=True)


def structure_similarity(
    table: pd.DataFrame, *, reference: Reference = None, pairwise: bool = True
) -> pd.DataFrame | pd.Series:
    """UNIDO structure similarity ``S_ij = sum_k x_ik x_jk / sqrt(sum x_ik^2 sum x_jk^2)``.

    ``x`` are industry shares; the coefficient is the cosine of the two structure vectors,
    in [0, 1]: 1 is an identical structure (同构), 0 no industry in common.

    Parameters
    ----------
    table
        Activity table, long or wide.
    reference
        Used when ``pairwise=False``: compare each unit with the reference structure (default:
        the pooled units; or industry totals of a wider region).
    pairwise
        True (default): the unit x unit matrix. False: one value per unit vs the reference.
    """
    m = activity_matrix(table)
    s = _shares(m)
    norm = np.sqrt((s * s).sum(axis=1))
    if pairwise:
        sim = (s @ s.T) / np.outer(norm, norm)
        np.fill_diagonal(sim, 1.0)
        sim = np.clip(sim, 0.0, 1.0)
        return pd.DataFrame(sim, index=m.index.copy(), columns=pd.Index(m.index, name="unit_b"))
    ref = reference_totals(reference, m, what="structure_similarity")
    r = ref / ref.sum()
    val = np.clip((s @ r) / (norm * np.sqrt((r * r).sum())), 0.0, 1.0)
    return pd.Series(val, index=m.index.copy(), name="similarity")


def krugman(
    table: pd.DataFrame, *, reference: Reference = None, pairwise: bool = False
) -> pd.DataFrame | pd.Series:
    """Krugman specialisation index ``K_i = sum_k |s_ik - s_k|`` or ``K_ij = sum_k |s_ik - s_jk|``.

    ``s`` are industry shares. The index is in [0, 2]: 0 identical structures, 2 no industry in
    common. (Some authors halve it to [0, 1], e.g. EconGeo's ``spec.coeff``.)

    Parameters
    ----------
    table
        Activity table, long or wide.
    reference
        Used when ``pairwise=False``: the reference structure (default: the pooled units, as
        EconGeo's ``Krugman.index``; or industry totals of a wider region).
    pairwise
        False (default): one value per unit vs the reference. True: the unit x unit matrix.
    """
    m = activity_matrix(table)
    s = _shares(m)
    if pairwise:
        n = len(s)
        k = np.empty((n, n))
        block = max(1, 4_000_000 // max(1, n * s.shape[1]))  # bounded memory for many units
        for start in range(0, n, block):
            stop = min(n, start + block)
            k[start:stop] = np.abs(s[start:stop, None, :] - s[None, :, :]).sum(axis=2)
        return pd.DataFrame(k, index=m.index.copy(), columns=pd.Index(m.index, name="unit_b"))
    ref = reference_totals(reference, m, what="krugman")
    r = ref / ref.sum()
    return pd.Series(np.abs(s - r).sum(axis=1), index=m.index.copy(), name="krugman")


def hoover(
    table: pd.DataFrame, *, base: Mapping[str, float] | pd.Series | None = None
) -> pd.Series:
    """Hoover localisation index per industry: ``H_k = 1/2 sum_i |E_ik/E_k - B_i/B|``.

    The share of the industry that would have to move for it to be spread like the base, in
    [0, 1). ``base`` is the per-unit distribution to compare with: default each unit's total
    activity (so 0 = the industry is spread like all activity); pass population or area
    (a Series indexed by unit) for other readings.
    """
    m = activity_matrix(table)
    e = m.to_numpy()
    b = unit_weights(base, m, what="hoover")
    dist = np.abs(e / e.sum(axis=0) - (b / b.sum())[:, None]).sum(axis=0) / 2.0
    return pd.Series(dist, index=m.columns.copy(), name="hoover")


def gini(table: pd.DataFrame, *, base: Mapping[str, float] | pd.Series | None = None) -> pd.Series:
    """Locational Gini coefficient per industry (Krugman 1991), from the localisation curve.

    Units are sorted by ``(E_ik/E_k) / (B_i/B)`` (the LQ when the base is total activity); the
    curve plots the cumulative base share (x) against the cumulative industry share (y); the
    coefficient is twice the area between it and the diagonal, in [0, 1): 0 = spread like the
    base, near 1 = all in a unit with a tiny base. EconGeo's ``Hoover.Gini(mat, rowSums(mat))``
    gives the same number (rounded to 3 digits); its ``locational.Gini`` gives half of it.
    """
    m = activity_matrix(table)
    e = m.to_numpy()
    b = unit_weights(base, m, what="gini")
    x = b / b.sum()
    y = e / e.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(x[:, None] > 0, y / np.where(x[:, None] > 0, x[:, None], 1.0), np.inf)
    order = np.argsort(ratio, axis=0, kind="stable")
    ys = np.take_along_axis(y, order, axis=0)
    xs = x[order]
    cy = np.vstack([np.zeros(e.shape[1]), np.cumsum(ys, axis=0)])
    cx = np.vstack([np.zeros(e.shape[1]), np.cumsum(xs, axis=0)])
    area_under = ((cx[1:] - cx[:-1]) * (cy[1:] + cy[:-1]) / 2.0).sum(axis=0)
    g = 1.0 - 2.0 * area_under
    return pd.Series(np.clip(g, 0.0, 1.0), index=m.columns.copy(), name="gini")


def herfindahl(table: pd.DataFrame, *, normalised: bool = False) -> pd.Series:
    """Herfindahl-Hirschman index of each unit's industrial structure ``H_i = sum_k s_ik^2``.

    In [1/K, 1]: 1 = one industry only (no diversity). ``normalised=True`` rescales to
    ``(H - 1/K) / (1 - 1/K)`` in [0, 1]. ``1/H`` is the "equivalent number" of equal industries.
    """
    m = activity_matrix(table)
    s = _shares(m)
    h = (s * s).sum(axis=1)
    k = s.shape[1]
    if normalised:
        h = (h - 1.0 / k) / (1.0 - 1.0 / k) if k > 1 else np.zeros_like(h)
    return pd.Series(h, index=m.index.copy(), name="herfindahl")


def plant_herfindahl(
    firms: pd.DataFrame,
    *,
    industry_col: str = INDUSTRY,
    value_col: str = "value",
    source: str = "firms",
) -> pd.DataFrame:
    """Plant-size Herfindahl per industry, ``H_k = sum_j z_j^2``, z_j = plant j's share of k.

    Parameters
    ----------
    firms
        One row per plant (establishment or firm): its industry and its size (employment, in
        the same measure as the activity table). Units are not needed here.

    Returns
    -------
    pandas.DataFrame
        Index ``industry``: ``plants`` (count with size > 0), ``plant_herfindahl``.
    """
    p = Problems()
    for c in (industry_col, value_col):
        if c not in firms.columns:
            have = ", ".join(map(str, firms.columns))
            p.add(source, f"column {c!r} not found; the table has: {have}")
    p.raise_if_any()
    vals = pd.to_numeric(firms[value_col], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(vals)
    if bad.any():
        p.add(source, f"{value_col} is blank or not a number", list(np.flatnonzero(bad)))
    if (vals < 0).any():
        p.add(source, f"negative {value_col}", list(np.flatnonzero(vals < 0)))
    ind = firms[industry_col].astype("string").str.strip()
    blank = (ind.isna() | (ind == "")).to_numpy(dtype=bool)
    if blank.any():
        p.add(source, f"blank {industry_col}", list(np.flatnonzero(blank)))
    p.raise_if_any()
    df = pd.DataFrame({INDUSTRY: ind.to_numpy(dtype=object), "v": vals})
    df = df[df["v"] > 0]
    tot = df.groupby(INDUSTRY, sort=False)["v"].transform("sum")
    df = df.assign(z2=(df["v"] / tot) ** 2)
    out = df.groupby(INDUSTRY, sort=False).agg(plants=("v", "size"), plant_herfindahl=("z2", "sum"))
    out.index = pd.Index([str(i) for i in out.index], name=INDUSTRY, dtype=object)
    return out


def ellison_glaeser(
    table: pd.DataFrame,
    plant_herfindahl: Mapping[str, float] | pd.Series,
    *,
    base: Mapping[str, float] | pd.Series | None = None,
) -> pd.DataFrame:
    """Ellison-Glaeser (1997) agglomeration index per industry.

    ``gamma_k = (G_k - (1 - sum_i x_i^2) H_k) / ((1 - sum_i x_i^2)(1 - H_k))`` with the raw
    geographic concentration ``G_k = sum_i (s_ik - x_i)^2``, ``s_ik = E_ik / E_k`` the unit's
    share of the industry, ``x_i`` the unit's share of the base (default total activity) and
    ``H_k`` the **plant-size Herfindahl** of industry k (:func:`plant_herfindahl`). It corrects
    G for the lumpiness that a few big plants create: gamma ~ 0 is what random location of the
    plants gives. Ellison and Glaeser read gamma < 0.02 as not very, 0.02-0.05 as moderately and
    > 0.05 as highly agglomerated.

    The index needs plant-level data (or published plant Herfindahls) for the same territory
    and measure as the table; without them it cannot be computed, and nothing here estimates
    H_k.

    Parameters
    ----------
    table
        Activity table, long or wide (e.g. employment by unit and industry).
    plant_herfindahl
        H_k per industry, in [0, 1), for every industry of the table (a Series, a mapping, or
        the output of :func:`plant_herfindahl`).
    base
        Per-unit distribution x_i (default: each unit's total activity in the table).

    Returns
    -------
    pandas.DataFrame
        Index ``industry``: ``gamma``, ``G``, ``plant_herfindahl``, ``agglomeration``
        (``"high"``, ``"moderate"``, ``"low"`` by the thresholds above).
    """
    m = activity_matrix(table)
    e = m.to_numpy()
    if isinstance(plant_herfindahl, pd.DataFrame):
        plant_herfindahl = plant_herfindahl["plant_herfindahl"]
    h_ser = pd.Series(plant_herfindahl)
    h_ser.index = [str(i) for i in h_ser.index]
    p = Problems()
    absent = [c for c in m.columns if c not in h_ser.index]
    if absent:
        p.add("plant_herfindahl", "industries with no plant Herfindahl", absent)
    p.raise_if_any()
    h = pd.to_numeric(h_ser.reindex(list(m.columns)), errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(h) | (h < 0) | (h >= 1)
    if bad.any():
        p.add(
            "plant_herfindahl",
            "must be a number in [0, 1) (1 = a single plant: gamma undefined)",
            list(m.columns[bad]),
        )
    p.raise_if_any()
    b = unit_weights(base, m, what="ellison_glaeser")
    x = b / b.sum()
    s = e / e.sum(axis=0)
    g = ((s - x[:, None]) ** 2).sum(axis=0)
    sx2 = float((x * x).sum())
    gamma = (g - (1.0 - sx2) * h) / ((1.0 - sx2) * (1.0 - h))
    out = pd.DataFrame(
        {"gamma": gamma, "G": g, "plant_herfindahl": h},
        index=m.columns.copy(),
    )
    out["agglomeration"] = np.where(
        gamma > 0.05, "high", np.where(gamma >= 0.02, "moderate", "low")
    )
    return out
