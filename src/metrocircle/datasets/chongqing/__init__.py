"""The Chongqing metropolitan-area example shipped with metrocircle.

Real data (see ``README.md`` and ``transport/README.md`` next to this module for provenance):
the county-level units of Chongqing and Guang'an plus 14 Sichuan prefectures, their
boundaries, the 2020 census, railway stations and the 2019 rail timetable. ``adjacency.csv``
is derived from the boundaries by ``_scripts/make_adjacency.py``.

Unit codes are returned as strings (six digits, leading zeros kept).

Examples
--------
>>> from metrocircle.datasets import chongqing
>>> units = chongqing.load_units()
>>> len(units)
58
>>> rail = chongqing.load_rail()
>>> sorted(rail)
['station_od', 'stations', 'stop_times', 'trips', 'unit_od']
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from metrocircle.exceptions import require

__all__ = [
    "CHENGDU",
    "CORE_GROUP",
    "PLAN_GROUPS",
    "data_path",
    "load_adjacency",
    "load_boundaries",
    "load_census",
    "load_corridors",
    "load_rail",
    "load_rail_trips",
    "load_railway_stations",
    "load_units",
]

#: ``group`` of the 9 central districts (中心城区), the usual core.
CORE_GROUP = "cq_main_urban_central"
#: Groups of ``units.csv`` in the scope of the 2022 Chongqing metropolitan-area plan: the 21
#: units of the main urban area (9 central + 12 new districts) and Guang'an's 6 units.
PLAN_GROUPS = (CORE_GROUP, "cq_main_urban_new", "guangan_county_level")
#: Chengdu, the second metropolitan core of the Chengdu-Chongqing region.
CHENGDU = "510100"

_CODE_COLUMNS = ("code", "parent_code", "unit_code", "from_unit_code", "to_unit_code")


def data_path(name: str = "") -> Path:
    """Path of a file shipped in this folder (``transport/...`` for the rail files)."""
    return Path(str(resources.files(__name__))) / name


def _read_csv(name: str) -> pd.DataFrame:
    path = data_path(name)
    head = pd.read_csv(path, nrows=0).columns
    dtype = {c: "string" for c in head if c in _CODE_COLUMNS or c.startswith("unit_")}
    return pd.read_csv(path, dtype=dtype)


def load_units(*, partition: bool = True) -> pd.DataFrame:
    """Units table (``units.csv``) with ``unit_id`` = the six-digit code as a string.

    Parameters
    ----------
    partition
        If True (default), keep only units that tile the study area without overlap: the
        province outline (500000) and Guang'an prefecture (511600, whose six counties are
        present) are dropped, leaving 58 units. If False, all 60 rows.
    """
    units = _read_csv("units.csv")
    if partition:
        parents = set(units["parent_code"].dropna())
        units = units[(units["level"] != "province") & ~units["code"].isin(parents)]
    units = units.reset_index(drop=True)
    units.insert(0, "unit_id", units["code"])
    return units


def load_boundaries(*, partition: bool = True):  # noqa: ANN201 - GeoDataFrame
    """Unit polygons (EPSG:4490, treat as WGS84) as a GeoDataFrame with ``unit_id``.

    Needs the ``geo`` extra (geopandas).
    """
    gpd = require("geopandas", "geo")
    gdf = gpd.read_file(data_path("boundaries.geojson"))
    for col in ("code", "parent_code"):
        gdf[col] = gdf[col].astype("string")
    if partition:
        keep = set(load_units(partition=True)["unit_id"])
        gdf = gdf[gdf["code"].isin(keep)]
    gdf = gdf.reset_index(drop=True)
    gdf.insert(0, "unit_id", gdf["code"])
    return gdf


def load_adjacency() -> pd.DataFrame:
    """Pairs of units sharing a border (derived from the boundaries; 145 pairs)."""
    return _read_csv("adjacency.csv").astype({"unit_a": "string", "unit_b": "string"})


def load_census() -> pd.DataFrame:
    """2020 census by county-level unit (``census_2020.csv``; includes total rows)."""
    return _read_csv("census_2020.csv")


def load_railway_stations() -> pd.DataFrame:
    """The 190-station 12306 list with coordinates (``railway_stations.csv``)."""
    return _read_csv("railway_stations.csv")


def load_rail() -> dict[str, pd.DataFrame]:
    """The 2019 rail timetable and derived tables of ``transport/``.

    Returns
    -------
    dict
        ``stop_times``, ``trips``, ``stations`` (the 210 study-area stations with status),
        ``station_od`` (fastest direct in-vehicle times) and ``unit_od``.
    """
    return {
        "stop_times": _read_csv("transport/rail_stop_times_2019.csv"),
        "trips": _read_csv("transport/rail_trips_2019.csv"),
        "stations": _read_csv("transport/rail_stations.csv"),
        "station_od": _read_csv("transport/rail_station_od_2019.csv"),
        "unit_od": _read_csv("transport/rail_unit_od_2019.csv"),
    }


def load_rail_trips() -> pd.DataFrame:
    """Direct trains per (nominal) day between units in the 2019 timetable, as a link table
    ``origin, destination, value`` (from ``transport/rail_unit_od_2019.csv`` alone)."""
    od = _read_csv("transport/rail_unit_od_2019.csv")
    return pd.DataFrame({"origin": od["from_unit_code"].astype("string"),
                         "destination": od["to_unit_code"].astype("string"),
                         "value": od["n_trips"].astype(float)})


def load_corridors() -> pd.DataFrame:
    """Cited facts on main railways and expressways (``transport/corridors_reference.csv``)."""
    return _read_csv("transport/corridors_reference.csv")
