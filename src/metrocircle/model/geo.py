"""Geometry helpers: adjacency from polygons and joining results back to polygons."""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrocircle.exceptions import ParameterError, Problems, require
from metrocircle.model import schema as S


def _metric(gdf):  # noqa: ANN001, ANN202 - GeoDataFrame in, GeoDataFrame out
    """Project to a metric CRS (the local UTM zone) when the CRS is geographic.

    Coordinates outside the geographic range (longitude and latitude swapped, metres labelled
    as degrees) are an :class:`~metrocircle.InputError`, not a projection failure."""
    if gdf.crs is None or not gdf.crs.is_geographic or len(gdf) == 0:
        return gdf
    from metrocircle.model.validation import check_geometry, row_labels

    p = Problems()
    check_geometry(gdf, source="units", labels=row_labels(gdf), problems=p)
    p.raise_if_any()
    try:
        return gdf.to_crs(gdf.estimate_utm_crs())
    except (RuntimeError, ValueError):  # no UTM zone fits (e.g. the whole world): equal area
        return gdf.to_crs("EPSG:6933")


def adjacency_from_polygons(
    units: pd.DataFrame,
    *,
    contiguity: str = "queen",
    tolerance_m: float = 0.0,
) -> pd.DataFrame:
    """Pairs of neighbouring units built from their polygons.

    Parameters
    ----------
    units
        A GeoDataFrame with ``unit_id`` and polygon geometry.
    contiguity
        ``"queen"``: polygons that touch, even at a single point, are neighbours;
        ``"rook"``: they must share a stretch of boundary longer than ``tolerance_m`` (or
        any length when it is 0).
    tolerance_m
        Snapping tolerance in metres: gaps and overlaps up to this width (digitising slivers,
        simplified boundaries) still count as a shared boundary.

    Returns
    -------
    DataFrame
        ``unit_a, unit_b``, one row per unordered pair, ``unit_a < unit_b``.
    """
    if contiguity not in {"queen", "rook"}:
        raise ParameterError(
            f"The 'contiguity' parameter must be one of 'queen', 'rook'. Got {contiguity!r}."
        )
    if tolerance_m < 0:
        raise ParameterError(
            f"The 'tolerance_m' parameter must be a float in [0, inf). Got {tolerance_m!r}."
        )
    shapely = require("shapely", "geo")
    if len(units) == 0:
        return pd.DataFrame({S.UNIT_A: pd.array([], dtype="string"),
                             S.UNIT_B: pd.array([], dtype="string")})
    gdf = _metric(units)
    geoms = gdf.geometry.to_numpy()
    ids = gdf[S.UNIT_ID].astype(str).to_numpy()
    # a minimal tolerance absorbs floating-point noise in shared vertices
    tol = max(tolerance_m, 1e-6)
    grown = shapely.buffer(geoms, tol / 2.0)
    tree = shapely.STRtree(grown)
    left, right = tree.query(grown, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if contiguity == "rook" and len(left):
        # The overlap of the two grown polygons is a strip along a shared boundary, or a small
        # blob (at most ~2 tol across) where they only meet at a corner: half its perimeter
        # approximates the shared length.
        overlap = shapely.intersection(grown[left], grown[right])
        half_perimeter = shapely.length(overlap) / 2.0
        ok = half_perimeter > 2.0 * tol + 1e-3
        left, right = left[ok], right[ok]
    a, b = ids[left], ids[right]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    out = pd.DataFrame({S.UNIT_A: lo, S.UNIT_B: hi}).drop_duplicates()
    return out.sort_values([S.UNIT_A, S.UNIT_B]).reset_index(drop=True)


def attach_geometry(table: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Return ``table`` as a GeoDataFrame with each row's unit polygon (same CRS as ``units``)."""
    gpd = require("geopandas", "geo")
    geo = units[[S.UNIT_ID, "geometry"]].drop_duplicates(S.UNIT_ID)
    merged = table.merge(pd.DataFrame(geo), on=S.UNIT_ID, how="left")
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=units.crs)
