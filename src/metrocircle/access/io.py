"""Read the accessibility inputs from files (CSV, Parquet, GeoJSON/GeoPackage, OSM)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from metrocircle.access.timetable import Timetable
from metrocircle.exceptions import InputError, Problem, require

_ID_COLUMNS = (
    "unit_id",
    "code",
    "unit_code",
    "unit_a",
    "unit_b",
    "origin",
    "destination",
    "from",
    "to",
    "core",
    "parent_code",
    "trip_id",
    "station",
    "station_name_zh",
    "stop_id",
)
_GEO_SUFFIXES = (".geojson", ".gpkg", ".shp", ".fgb", ".json")
_OSM_SUFFIXES = (".osm", ".pbf", ".graphml", ".xml")


def read_table(path: str | Path, *, source: str | None = None) -> pd.DataFrame:
    """Read a CSV/Parquet table (or a vector file, with geometry); id columns as strings."""
    path = Path(path)
    source = source or path.name
    if not path.exists():
        raise InputError([Problem(source, f"file not found: {path}")])
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            df = pd.read_parquet(path)
        elif suffix in _GEO_SUFFIXES:
            gpd = require("geopandas", "geo")
            df = gpd.read_file(path)
        else:
            df = _read_text_table(path, source)
    except InputError:
        raise  # already one clear problem of the file
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise InputError([Problem(source, f"cannot read {path}: {err}")]) from err
    for col in df.columns:
        if col in _ID_COLUMNS and col != "geometry":
            df[col] = df[col].astype("string")
    return df


def _read_text_table(path: Path, source: str) -> pd.DataFrame:
    """A CSV file read by the data model's reader (encoding detected, delimiter sniffed, two
    columns with one name refused, the apostrophe a spreadsheet-safe CSV writer put before a
    formula-like cell removed), then typed as this module expects: numbers parsed, empty cells
    missing, id columns kept as text."""
    import io as _io

    from metrocircle.model.io import read_table as read_model_table

    table, _ = read_model_table(path, source=source)
    return pd.read_csv(_io.StringIO(table.to_csv(index=False)),
                       dtype={c: "string" for c in table.columns if c in _ID_COLUMNS})


def load_inputs(
    units: str | Path,
    *,
    stop_times: str | Path | None = None,
    trips: str | Path | None = None,
    stations: str | Path | None = None,
    roads: str | Path | None = None,
    adjacency: str | Path | None = None,
    links: str | Path | None = None,
    cores: str | Path | None = None,
) -> dict:
    """Keyword arguments of :func:`~metrocircle.access.accessibility` read from files.

    ``units`` may be a table with ``unit_id, lon, lat`` or a vector file of polygons (then
    the roads are modelled from shared borders unless ``roads``/``adjacency`` are given).
    ``roads`` is a table of road links, or an OpenStreetMap file (``.osm`` XML or osmnx
    ``.graphml``; needs the ``osm`` extra; ``.pbf`` must be converted to ``.osm`` first).
    """
    out: dict = {}
    u = read_table(units, source="units")
    out["units"] = u
    if stop_times is not None:
        if stations is None:
            raise InputError(
                [Problem("stations", "--stop-times needs --stations (station, unit_id, lon, lat)")]
            )
        st = read_table(stop_times, source="stop_times")
        tr = read_table(trips, source="trips") if trips is not None else None
        sta = read_table(stations, source="stations")
        from metrocircle.access.network import prepare_units

        ids = prepare_units(u)["unit_id"]
        out["timetable"] = Timetable.from_tables(st, tr, sta, unit_ids=ids)
    elif trips is not None or stations is not None:
        raise InputError([Problem("stop_times", "--trips/--stations given without --stop-times")])
    if roads is not None:
        if Path(roads).suffix.lower() in _OSM_SUFFIXES:
            out["roads"] = roads_from_osm(roads, u)
        else:
            out["roads"] = read_table(roads, source="roads")
    if adjacency is not None:
        out["adjacency"] = read_table(adjacency, source="adjacency")
    elif roads is None and hasattr(u, "geometry") and "geometry" in getattr(u, "columns", []):
        from metrocircle.access.geo import polygon_adjacency
        from metrocircle.access.network import prepare_units

        ids = prepare_units(u)["unit_id"]
        g = u.assign(unit_id=ids.to_numpy())
        out["adjacency"] = polygon_adjacency(g)
    if links is not None:
        out["links"] = read_table(links, source="links")
    if cores is not None:
        out["cores"] = read_table(cores, source="cores")
    return out


def roads_from_osm(
    path: str | Path,
    units: pd.DataFrame,
    *,
    default_speed_kmh: float = 50.0,
    max_snap_km: float = 10.0,
) -> pd.DataFrame:
    """Unit-to-unit road times from a local OpenStreetMap extract (needs ``osmnx``).

    The drivable graph is read from the file (no download), speeds are imputed per road class
    by osmnx, each unit point is snapped to its nearest node (planar nearest neighbour on
    longitude scaled by cos(latitude)), and the shortest driving time
    between every pair of units is computed with ``scipy.sparse.csgraph``. The result is a
    ``origin, destination, minutes, modelled`` link table (``modelled`` False: times from the
    OSM network, although imputed speeds are free-flow speeds).
    """
    import numpy as np
    import scipy.sparse as sp
    from scipy.sparse.csgraph import dijkstra

    from metrocircle.access.network import prepare_units

    ox = require("osmnx", "osm")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".graphml":
        g = ox.load_graphml(path)
    elif suffix == ".pbf":
        raise InputError(
            [
                Problem(
                    "roads",
                    f"{path.name}: .pbf extracts are not read directly (pyrosm does not build "
                    "here); convert it to .osm XML first, e.g. 'osmium cat x.osm.pbf -o x.osm'",
                )
            ]
        )
    else:
        g = ox.graph_from_xml(path, simplify=True, retain_all=True)
    g = ox.routing.add_edge_speeds(g, fallback=default_speed_kmh)
    g = ox.routing.add_edge_travel_times(g)
    node_ids = np.array(list(g.nodes))
    pos = {n: i for i, n in enumerate(node_ids)}
    src, dst, w = [], [], []
    for a, b, data in g.edges(data=True):
        src.append(pos[a])
        dst.append(pos[b])
        w.append(float(data.get("travel_time", np.inf)) / 60.0)
    from metrocircle.access.network import int32_indices

    m = int32_indices(
        sp.csr_array((np.array(w), (np.array(src), np.array(dst))), shape=(len(node_ids),) * 2)
    )
    pu = prepare_units(units)
    from scipy.spatial import cKDTree

    xy = np.array([(g.nodes[n]["x"], g.nodes[n]["y"]) for n in node_ids], dtype=float)
    scale = np.cos(np.radians(np.nanmean(xy[:, 1])))
    _, idx = cKDTree(np.column_stack([xy[:, 0] * scale, xy[:, 1]])).query(
        np.column_stack([pu["lon"].to_numpy() * scale, pu["lat"].to_numpy()])
    )
    idx = np.asarray(idx, dtype=np.int64)
    from metrocircle.access.geo import haversine_km

    snap_km = haversine_km(pu["lon"].to_numpy(), pu["lat"].to_numpy(), xy[idx, 0], xy[idx, 1])
    far = snap_km > max_snap_km
    if far.any():
        raise InputError(
            [
                Problem(
                    "roads",
                    f"unit point more than {max_snap_km:g} km from the nearest OSM road node "
                    "(is the extract covering every unit?)",
                    [
                        f"{u}: {k:.1f} km"
                        for u, k in zip(pu["unit_id"][far], snap_km[far], strict=True)
                    ],
                )
            ]
        )
    t = dijkstra(m, indices=idx)[:, idx]
    ids = pu["unit_id"].to_numpy()
    oi, di = np.nonzero(np.isfinite(t) & ~np.eye(len(ids), dtype=bool))
    return pd.DataFrame(
        {
            "origin": ids[oi],
            "destination": ids[di],
            "minutes": t[oi, di],
            "modelled": False,
            "directed": True,
        }
    )
