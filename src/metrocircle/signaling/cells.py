"""Cells: read and check the cells table, assign units, group nearby cells into places."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np
import pandas as pd

from metrocircle.exceptions import InputError, Problem, Problems, require
from metrocircle.model.validation import row_labels

log = logging.getLogger(__name__)

EARTH_RADIUS_M = 6_371_008.8


def read_table(path: str | Path, what: str) -> pd.DataFrame:
    """Read a small table with every column as read (ids as strings, empty cells missing).

    The data model's reader (:func:`metrocircle.model.io.read_table`): any supported format,
    the encoding detected and the delimiter sniffed as for every other input; problems are
    reported under ``what``. ``df.attrs["line_offset"]`` is the line of a CSV file's first
    record (None for other formats), for :func:`cells_from_table`'s row labels.
    """
    from metrocircle.model.io import read_table as read_any

    df, line_offset = read_any(path, source=what)
    if "geometry" in df.columns:
        df = pd.DataFrame(df.drop(columns="geometry"))
    for c in df.columns:
        col = df[c]
        if pd.api.types.is_string_dtype(col) or pd.api.types.is_object_dtype(col):
            empty = col.astype("string").str.strip().eq("").fillna(False).to_numpy(dtype=bool)
            if empty.any():
                df[c] = col.astype(object).where(~empty, None)
    df.attrs["line_offset"] = line_offset
    return df


def cells_from_table(
    df: pd.DataFrame,
    *,
    id_col: str = "cell_id",
    lon_col: str = "lon",
    lat_col: str = "lat",
    unit_col: str | None = "unit_id",
    source: str = "cells",
) -> pd.DataFrame:
    """Check a cells table and return ``cell, lon, lat, unit`` (unit may be NULL).

    Every problem (missing columns, duplicate ids, coordinates that are not numbers or out of
    range) is listed in one :class:`InputError`. Rows are labelled as everywhere in
    metrocircle: ``line N`` for a CSV file read by :func:`read_table`, ``row N`` otherwise.
    """
    p = Problems()
    need = [id_col, lon_col, lat_col] + ([unit_col] if unit_col else [])
    missing = [c for c in need if c not in df.columns]
    if missing:
        p.add(source, f"missing column(s) {', '.join(map(repr, missing))}; "
              f"it has {', '.join(map(repr, map(str, df.columns)))}")
        p.raise_if_any()
    if len(df) == 0:
        p.add(source, "the table has no rows")
        p.raise_if_any()
    ids = df[id_col].astype("string")
    labels = row_labels(df, df.attrs.get("line_offset"))

    def rows(mask: object) -> list[str]:
        return labels(np.flatnonzero(np.asarray(mask)))

    if ids.isna().any():
        p.add(source, "empty cell id", rows(ids.isna()))
    dup = ids.duplicated(keep=False) & ids.notna()
    if dup.any():
        p.add(source, "duplicate cell id", rows(dup))
    lon = pd.to_numeric(df[lon_col], errors="coerce")
    lat = pd.to_numeric(df[lat_col], errors="coerce")
    bad = lon.isna() | lat.isna() | (lon.abs() > 180) | (lat.abs() > 90)
    if bad.any():
        p.add(source, "lon/lat missing, not a number or out of range", rows(bad))
    p.raise_if_any()
    out = pd.DataFrame({"cell": ids.astype(object), "lon": lon.astype(float),
                        "lat": lat.astype(float)})
    if unit_col:
        unit = df[unit_col].astype("string")
        out["unit"] = unit.where(unit.notna() & (unit.str.strip() != ""), None).astype(object)
    else:
        out["unit"] = None
    return out


def units_by_polygons(cells: pd.DataFrame, units_path: str | Path,
                      *, id_col: str = "unit_id") -> pd.Series:
    """Unit of each cell by point in polygon (geopandas); NULL outside every polygon.

    A cell on a shared border goes to the polygon with the smallest id, so the answer does not
    depend on file order.
    """
    gpd = require("geopandas", "geo")
    from metrocircle.model.io import read_table as read_any
    from metrocircle.model.validation import check_geometry

    source = Path(units_path).name if isinstance(units_path, str | Path) else "units"
    units, _ = read_any(units_path, source=source)
    p = Problems()
    if id_col not in units.columns:
        p.add(source, f"missing column {id_col!r}; it has {', '.join(map(str, units.columns))}")
    elif "geometry" not in units.columns or not hasattr(units, "crs"):
        p.add(source, "unit polygons are needed to place cells in units (GeoJSON, GeoPackage)")
    elif len(units) == 0:
        p.add(source, "no units: the table has no rows (only a header, or an empty layer)")
    else:
        check_geometry(units, source=source, labels=row_labels(units), problems=p)
    p.raise_if_any()
    if units.crs is not None and not units.crs.equals("EPSG:4326"):
        units = units.to_crs("EPSG:4326")
    pts = gpd.GeoDataFrame(
        {"i": np.arange(len(cells))},
        geometry=gpd.points_from_xy(cells["lon"], cells["lat"]), crs="EPSG:4326")
    hit = gpd.sjoin(pts, units[[id_col, "geometry"]].assign(
        **{id_col: units[id_col].astype(str)}), how="left", predicate="intersects")
    hit = hit.sort_values(["i", id_col]).drop_duplicates("i")
    res = pd.Series([None] * len(cells), index=cells.index, dtype=object)
    vals = hit.set_index("i")[id_col]
    res[:] = [None if pd.isna(v) else str(v) for v in vals.reindex(range(len(cells)))]
    outside = int(res.isna().sum())
    if len(cells) and outside == len(cells):
        lon, lat = cells["lon"], cells["lat"]
        x0, y0, x1, y1 = units.total_bounds
        raise InputError([Problem(
            source,
            f"none of the {len(cells)} cells lies inside any unit polygon: the cells span "
            f"longitude {lon.min():.4g}..{lon.max():.4g}, latitude {lat.min():.4g}.."
            f"{lat.max():.4g}, the units {x0:.4g}..{x1:.4g}, {y0:.4g}..{y1:.4g}. Are longitude "
            "and latitude swapped in one of them, or is a CRS wrong?")])
    if outside:
        log.warning("%d of %d cells lie outside every unit polygon of %s; their records "
                    "count as outside the units", outside, len(cells), source)
    return res


def project(lon: np.ndarray, lat: np.ndarray, lat0: float) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular projection to integer metres around latitude ``lat0``.

    Accurate to well under 1 % over a metropolitan area (a few hundred km), which is all the
    distance thresholds (ping-pong neighbours, place radius, home-work distance) need.
    """
    k = math.pi / 180 * EARTH_RADIUS_M
    x = np.round(np.asarray(lon, float) * k * math.cos(math.radians(lat0))).astype(np.int64)
    y = np.round(np.asarray(lat, float) * k).astype(np.int64)
    return x, y


def prepare_cells(
    cells: pd.DataFrame, *, place_radius_km: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add metres and places to a checked cells table.

    Places come from leader clustering in cell-id order: the first unassigned cell becomes a
    leader and takes every unassigned cell within ``place_radius_km``. The result does not
    depend on the row order of the file.

    Returns
    -------
    cells
        ``cell, cid, place, x, y, unit`` (``cid`` and ``place`` are integer ids).
    places
        ``place, px, py`` (the leader's coordinates).
    """
    c = cells.sort_values("cell", kind="stable").reset_index(drop=True)
    lat0 = float(np.median(c["lat"])) if len(c) else 0.0
    x, y = project(c["lon"].to_numpy(), c["lat"].to_numpy(), lat0)
    n = len(c)
    place = np.arange(n, dtype=np.int64)
    r = int(round(place_radius_km * 1000))
    if r > 0:
        # grid buckets of side r: a cell's neighbours lie in the 3 x 3 buckets around it
        xs, ys = x.tolist(), y.tolist()
        gx, gy = (x // r).tolist(), (y // r).tolist()
        buckets: dict[tuple[int, int], list[int]] = {}
        for i in range(n):
            buckets.setdefault((gx[i], gy[i]), []).append(i)
        r2 = r * r
        assigned = [-1] * n
        for i in range(n):
            if assigned[i] >= 0:
                continue
            xi, yi = xs[i], ys[i]
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    for j in buckets.get((gx[i] + dx, gy[i] + dy), ()):
                        if assigned[j] < 0 and (xs[j] - xi) ** 2 + (ys[j] - yi) ** 2 <= r2:
                            assigned[j] = i
        place = np.asarray(assigned, dtype=np.int64)
    out = pd.DataFrame({
        "cell": c["cell"].astype(object),
        "cid": np.arange(n, dtype=np.int64),
        "place": place,
        "x": x,
        "y": y,
        "unit": c["unit"].astype(object),
    })
    leaders = np.unique(place)
    places = pd.DataFrame({"place": leaders, "px": x[leaders], "py": y[leaders]})
    log.info("%d cells in %d places (radius %.2f km)", n, len(places), place_radius_km)
    return out, places
