"""Commuting circles and isochrone bands around cores."""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrocircle.exceptions import ParameterError, Problems

DEFAULT_BANDS = (30, 45, 60, 90)


def validate_bands(bands) -> tuple[float, ...]:
    """Band limits in minutes, strictly increasing and positive."""
    try:
        b = tuple(float(x) for x in bands)
    except (TypeError, ValueError) as err:
        raise ParameterError(
            f"The 'bands' parameter of access must be increasing minutes > 0. Got {bands!r}."
        ) from err
    if not b or any(x <= 0 for x in b) or any(y <= x for x, y in zip(b, b[1:], strict=False)):
        raise ParameterError(
            f"The 'bands' parameter of access must be increasing minutes > 0. Got {bands!r}."
        )
    return b


def band_labels(bands: tuple[float, ...]) -> list[str]:
    """``0-30``, ``30-45``, ..., ``>90``."""
    edges = [0.0, *bands]
    labels = [f"{a:g}-{b:g}" for a, b in zip(edges[:-1], edges[1:], strict=True)]
    return [*labels, f">{bands[-1]:g}"]


def prepare_cores(cores: pd.DataFrame | list | dict, unit_ids) -> pd.DataFrame:
    """Cores as ``unit_id, core``; a list of unit ids becomes one core named ``core``.

    A table in the shared vocabulary (``unit_id, area_id``, as every command reads cores) names
    each core by its ``area_id``; ``core`` is accepted as well. Every unit must be known; a unit
    may belong to one core only per core name.
    """
    if isinstance(cores, dict):
        cores = pd.DataFrame(
            [(u, c) for c, us in cores.items() for u in us], columns=["unit_id", "core"]
        )
    elif not isinstance(cores, pd.DataFrame):
        cores = pd.DataFrame({"unit_id": list(cores), "core": "core"})
    df = cores.copy()
    if "unit_id" not in df.columns:
        raise ParameterError("The 'cores' parameter of access must have a 'unit_id' column.")
    if "core" not in df.columns:
        df["core"] = df["area_id"] if "area_id" in df.columns else "core"
    df = pd.DataFrame(
        {
            "unit_id": df["unit_id"].astype("string").str.strip(),
            "core": df["core"].astype("string").str.strip(),
        }
    )
    p = Problems()
    known = set(pd.Series(unit_ids).astype(str))
    unknown = ~df["unit_id"].isin(known)
    if unknown.any():
        p.add(
            "cores", "unknown unit_id (not in the units table)", df.loc[unknown, "unit_id"].tolist()
        )
    if df.empty:
        p.add("cores", "no core unit given")
    p.raise_if_any()
    return df.drop_duplicates().reset_index(drop=True)


def circles_frame(
    minutes: np.ndarray,
    unit_ids,
    cores: pd.DataFrame,
    *,
    bands=DEFAULT_BANDS,
    direction: str = "to_core",
) -> pd.DataFrame:
    """Time of every unit to (or from) each core and its band.

    The time to a core made of several units is the shortest time to any of them; core units
    have 0 minutes. ``direction='to_core'`` (commuting into the core, default) reads the
    matrix row-wise from the unit, ``'from_core'`` column-wise.

    Returns
    -------
    DataFrame
        ``unit_id, core, minutes, band, within_1h, within_half_hour, reachable``.
    """
    bands = validate_bands(bands)
    if direction not in ("to_core", "from_core"):
        raise ParameterError(
            "The 'direction' parameter of access must be 'to_core' or 'from_core'. "
            f"Got {direction!r}."
        )
    ids = pd.Series(unit_ids).astype(str).to_numpy()
    pos = {u: i for i, u in enumerate(ids)}
    labels = band_labels(bands)
    frames = []
    for core, grp in cores.groupby("core", sort=True):
        cidx = np.array([pos[u] for u in grp["unit_id"]], dtype=np.int64)
        sub = minutes[:, cidx] if direction == "to_core" else minutes[cidx, :].T
        t = sub.min(axis=1).astype(float)
        t[cidx] = 0.0
        reach = np.isfinite(t)
        which = np.searchsorted(np.asarray(bands), t, side="left")  # t <= 30 -> band 0
        band = np.where(
            reach,
            np.asarray(labels, dtype=object)[np.minimum(which, len(labels) - 1)],
            "unreachable",
        )
        m = pd.array(np.where(reach, np.round(t, 1), np.nan), dtype="Float64")
        m[~reach] = pd.NA
        frames.append(
            pd.DataFrame(
                {
                    "unit_id": pd.array(ids, dtype="string"),
                    "core": str(core),
                    "minutes": m,
                    "band": band,
                    "within_1h": reach & (t <= 60.0),
                    "within_half_hour": reach & (t <= 30.0),
                    "reachable": reach,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def isochrones_frame(
    circles: pd.DataFrame, units: pd.DataFrame, bands=DEFAULT_BANDS
) -> pd.DataFrame:
    """Per core and band: units, their count, population and area, and cumulative totals."""
    bands = validate_bands(bands)
    labels = [*band_labels(bands), "unreachable"]
    u = units.set_index("unit_id")
    pop_col = next((c for c in ("pop_2020_census", "population") if c in u.columns), None)
    rows = []
    for core, grp in circles.groupby("core", sort=True):
        cum_pop = 0.0
        cum_area = 0.0
        for label in labels:
            g = grp[grp["band"] == label]
            ids = g["unit_id"].tolist()
            pop = (
                float(pd.to_numeric(u.loc[ids, pop_col], errors="coerce").sum())
                if pop_col and ids
                else np.nan
            )
            area = (
                float(pd.to_numeric(u.loc[ids, "area_km2"], errors="coerce").sum())
                if "area_km2" in u.columns and ids
                else np.nan
            )
            if label != "unreachable":
                cum_pop += 0.0 if np.isnan(pop) else pop
                cum_area += 0.0 if np.isnan(area) else area
            rows.append(
                {
                    "core": core,
                    "band": label,
                    "n_units": len(ids),
                    "population": pop,
                    "area_km2": area,
                    "cumulative_population": cum_pop if label != "unreachable" else np.nan,
                    "cumulative_area_km2": cum_area if label != "unreachable" else np.nan,
                    "unit_ids": ";".join(ids),
                }
            )
    return pd.DataFrame(rows)
