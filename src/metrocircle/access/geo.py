"""Small geometry helpers: great-circle distances and modelled adjacency (no GIS needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in km between points given in degrees (arrays broadcast)."""
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2)
    )
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def distance_matrix_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """All-pairs great-circle distances (km) of points."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return haversine_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])


def delaunay_adjacency(unit_ids: pd.Series, lon: np.ndarray, lat: np.ndarray) -> pd.DataFrame:
    """Neighbour pairs from a Delaunay triangulation of the unit points.

    Used only when neither polygons nor an adjacency table are given; the result is a
    modelled stand-in for shared borders.
    """
    from scipy.spatial import Delaunay

    ids = np.asarray(unit_ids, dtype=object)
    if len(ids) < 2:
        return pd.DataFrame({"unit_a": [], "unit_b": []}, dtype="string")
    if len(ids) < 4:
        a, b = np.triu_indices(len(ids), 1)
    else:
        lat0 = np.radians(np.nanmean(lat))
        pts = np.column_stack([np.asarray(lon) * np.cos(lat0), np.asarray(lat)])
        from scipy.spatial import QhullError

        try:
            tri = Delaunay(pts)
        except QhullError:  # collinear or duplicate points: joggle the input
            tri = Delaunay(pts, qhull_options="QJ")
        s = tri.simplices
        pairs = np.vstack([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]])
        pairs = np.sort(pairs, axis=1)
        pairs = np.unique(pairs, axis=0)
        a, b = pairs[:, 0], pairs[:, 1]
    return pd.DataFrame({"unit_a": ids[a], "unit_b": ids[b]}).astype("string")


def polygon_adjacency(gdf, id_column: str = "unit_id", min_shared_km: float = 0.1) -> pd.DataFrame:
    """Pairs of polygons sharing more than ``min_shared_km`` of border (needs geopandas)."""
    metric = gdf.to_crs(gdf.estimate_utm_crs()).reset_index(drop=True)
    ids = metric[id_column].astype(str).to_numpy()
    left, right = metric.sindex.query(metric.geometry, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    geoms = metric.geometry.to_numpy()
    import shapely

    shared = shapely.intersection(shapely.boundary(geoms[left]), shapely.boundary(geoms[right]))
    length_km = shapely.length(shared) / 1000.0
    ok = length_km > min_shared_km
    return pd.DataFrame({"unit_a": ids[left[ok]], "unit_b": ids[right[ok]]}).astype("string")
