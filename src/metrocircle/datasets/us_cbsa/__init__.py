"""US county commuting flows and the official OMB CBSA lists, with the Census urban-area files.

Two vintages ship: ``vintage=2020`` (default) pairs OMB's July 2023 list with the ACS 2016-2020
flows and the 2023 county adjacency; ``vintage=2010`` pairs OMB's February 2013 list with the
ACS 2009-2013 flows (which carry a 90 % margin of error, ``moe``) and the 2010-geography
adjacency. The Census urban-area-by-county files behind the central-county rule ship too.

Real agency data, shipped with the package to prove the ``omb-cbsa`` preset (see the README in
this folder for provenance). Every loader returns a DataFrame with codes as strings (5-digit
FIPS with leading zeros) in the data model's column names.

Examples
--------
>>> from metrocircle.datasets import us_cbsa
>>> flows = us_cbsa.load_flows()
>>> list(flows.columns), len(flows)
(['origin', 'destination', 'value'], 122335)
>>> cores = us_cbsa.load_cores()
>>> cores.head(1).to_dict("records")
[{'unit_id': '46013', 'area_id': '10100'}]
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

FLOWS_FILE = "acs_county_flows_2016_2020.csv"
ADJACENCY_FILE = "county_adjacency_2023.csv"
OFFICIAL_FILE = "omb_cbsa_delineation_2023.csv"
GAZETTEER_FILE = "county_gazetteer_2022.csv"
#: Files by vintage of the standards: 2020 (July 2023 list) and 2010 (February 2013 list).
VINTAGES: dict[int, dict[str, str]] = {
    2020: {"flows": FLOWS_FILE, "adjacency": ADJACENCY_FILE, "official": OFFICIAL_FILE},
    2010: {
        "flows": "acs_county_flows_2009_2013.csv",
        "adjacency": "county_adjacency_2010geo.csv",
        "official": "omb_cbsa_delineation_2013.csv",
    },
}
#: Census 2010 urban areas split by county, with population parts (exact).
UA_COUNTY_2010_FILE = "ua_county_rel_2010.csv"
#: 2020: county urban totals, urban-area land parts by county, urban-area list (ACS population).
COUNTY_URBAN_2020_FILE = "county_urban_rural_2020.csv"
UA_LAND_2020_FILE = "ua20_county_landarea.csv"
UA_LIST_2020_FILE = "ua20_list_acs2022pop.csv"
#: County polygons (2017 cartographic boundaries, TopoJSON, lon/lat).
COUNTIES_TOPO_FILE = "us_counties_2017_topo.json"

#: Workplace codes in the flows that are not US counties (they count in denominators only).
EXTERNAL_CODES = ["FOREIGN_CANADA", "FOREIGN_MEXICO", "FOREIGN_OTHER"]


def path(name: str) -> str:
    """Path of one shipped file."""
    return str(resources.files(__name__).joinpath(name))


def _vintage(vintage: int) -> dict[str, str]:
    if vintage not in VINTAGES:
        from metrocircle.exceptions import ParameterError

        raise ParameterError(
            f"The 'vintage' parameter of us_cbsa must be one of {sorted(VINTAGES)}. "
            f"Got {vintage!r}."
        )
    return VINTAGES[vintage]


def files(vintage: int = 2020) -> dict[str, str]:
    """The files behind each input of the example run (for checksums in ``run.json``)."""
    v = _vintage(vintage)
    return {
        "flows": path(v["flows"]),
        "units": path(GAZETTEER_FILE),
        "cores": path(v["official"]),
        "adjacency": path(v["adjacency"]),
    }


@cache
def _read(name: str, text_columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.read_csv(
        path(name), dtype={c: "string" for c in text_columns}, keep_default_na=False, na_values={}
    )


def load_flows(vintage: int = 2020) -> pd.DataFrame:
    """County-to-county commuting flows: ``origin`` (residence), ``destination`` (workplace,
    or ``FOREIGN_*``), ``value`` (workers), intra-county flows included; for ``vintage=2010``
    also ``moe``, the published 90 % margin of error of each flow."""
    df = _read(_vintage(vintage)["flows"], ("res_fips", "work_fips")).rename(
        columns={"res_fips": "origin", "work_fips": "destination", "workers": "value"}
    )
    return df.astype({c: "float64" for c in ("value", "moe") if c in df.columns}).copy()


def load_adjacency(vintage: int = 2020) -> pd.DataFrame:
    """Pairs of adjacent counties, water boundaries included: ``unit_a, unit_b, source``
    (2022 geography for ``vintage=2020``, 2010 geography for ``vintage=2010``)."""
    df = _read(_vintage(vintage)["adjacency"], ("fips_a", "fips_b", "source"))
    return df.rename(columns={"fips_a": "unit_a", "fips_b": "unit_b"}).copy()


def load_official(vintage: int = 2020) -> pd.DataFrame:
    """The OMB list (July 2023 for ``vintage=2020``, February 2013 for ``vintage=2010``): one
    row per county in a CBSA (``unit_id``, ``area_id`` = CBSA code, ``central_outlying``,
    ``csa_code``, titles, ...)."""
    cols = ("fips", "cbsa_code", "metro_division_code", "csa_code", "state_fips", "county_fips")
    df = _read(_vintage(vintage)["official"], cols).rename(
        columns={"fips": "unit_id", "cbsa_code": "area_id"}
    )
    for c in ("metro_division_code", "csa_code"):
        df[c] = df[c].replace("", pd.NA)
    return df.copy()


def load_cores(vintage: int = 2020) -> pd.DataFrame:
    """The official central counties as cores: ``unit_id``, ``area_id`` (CBSA code)."""
    off = load_official(vintage)
    central = off[off["central_outlying"] == "Central"]
    return central[["unit_id", "area_id"]].reset_index(drop=True)


def load_units(vintage: int = 2020) -> pd.DataFrame:
    """The counties of a vintage: ``unit_id``, ``name``, ``state``, land and water area (m²).

    ``vintage=2020``: the 3,222 counties of the 2022 Gazetteer (the internal points are in the
    file; they are left out here because an area total of latitudes means nothing).
    ``vintage=2010``: the 3,221 residence counties of the 2009-2013 flows (pre-2015 codes: the
    old Connecticut counties, 02270, 46113, 51515, 02261), with the Gazetteer's attributes
    where the code is the same and the 2013 list's names for the others (no area for those).
    """
    df = _read(GAZETTEER_FILE, ("fips", "state_usps", "ansicode", "county_name"))
    df = df.rename(columns={"fips": "unit_id", "county_name": "name", "state_usps": "state"})
    df = df[["unit_id", "name", "state", "aland_m2", "awater_m2"]]
    if _vintage(vintage) is VINTAGES[2020]:
        return df.copy()
    codes = sorted(set(load_flows(vintage)["origin"]))
    out = pd.DataFrame({"unit_id": pd.array(codes, dtype="string")})
    out = out.merge(df, on="unit_id", how="left")
    official = load_official(vintage).drop_duplicates("unit_id").set_index("unit_id")
    names = official["county_name"].astype("string").to_dict() | _RETIRED_NAMES
    missing = out["name"].isna()
    out.loc[missing, "name"] = out.loc[missing, "unit_id"].map(names).to_numpy()
    state_of = df.assign(prefix=df["unit_id"].str[:2]).drop_duplicates("prefix")
    state = out["unit_id"].str[:2].map(state_of.set_index("prefix")["state"])
    out["state"] = out["state"].fillna(state)
    return out


#: Names of the pre-2015 county codes outside every CBSA of 2013 (not in the 2013 list).
_RETIRED_NAMES = {
    "02261": "Valdez-Cordova Census Area",
    "02270": "Wade Hampton Census Area",
    "46113": "Shannon County",
}


#: State FIPS codes outside the conterminous United States (Alaska, Hawaii, Puerto Rico and
#: the island areas), left out of maps of the 48 states and DC.
NON_CONTERMINOUS_STATES = ("02", "15", "60", "66", "69", "72", "78")


def load_polygons(conterminous: bool = False):  # noqa: ANN201 - a GeoDataFrame (optional dep.)
    """County polygons for maps: ``unit_id``, ``name``, ``geometry``.

    The 2017 cartographic boundaries as quantised and simplified by us-atlas (see the README):
    old Connecticut counties, 46102, 02158, 02261, in EPSG:4326. The quantisation leaves a few
    rings that touch themselves; they are repaired with ``shapely.make_valid``. It also leaves
    Falls Church city, VA (51610, 5 km²) without any area: that county has no polygon here (a
    map counts it among the units it cannot draw). With
    ``conterminous=True``: only the 48 states and DC, in the Albers equal-area projection
    (EPSG:5070). Needs the ``geo`` extra.
    """
    from metrocircle.exceptions import require

    gpd = require("geopandas", "geo")
    import shapely

    g = gpd.read_file(path(COUNTIES_TOPO_FILE), layer="counties")
    g = g.rename(columns={"id": "unit_id"})[["unit_id", "name", "geometry"]]
    g["unit_id"] = g["unit_id"].astype("string")
    g = g.set_geometry(shapely.make_valid(g.geometry.to_numpy()), crs="EPSG:4326")
    g = g[~(g.geometry.is_empty | g.geometry.isna())]
    if conterminous:
        g = g[~g["unit_id"].str[:2].isin(NON_CONTERMINOUS_STATES)].to_crs("EPSG:5070")
    return g.reset_index(drop=True)


def load_urban_areas_2010() -> pd.DataFrame:
    """The Census 2010 urban-area-to-county relationship file as shipped (``county_fips``,
    ``ua_code`` and the Census columns ``UANAME, POPPT, UAPOP, CPOP, ...``); code ``99999``
    is each county's population outside every urban area."""
    return _read(UA_COUNTY_2010_FILE, ("county_fips", "ua_code", "STATE", "COUNTY")).copy()


def compare_to_official(membership: pd.DataFrame, vintage: int = 2020) -> dict[str, object]:
    """Compare a ``membership`` table (counties, ``area_id`` = CBSA code) with the official list.

    Returns ``outlying_official`` (590 in 2023), ``outlying_correct`` (official outlying counties
    placed as member of their official CBSA), ``false_positives`` (members placed where the
    official list does not put them), and the codes of the ``missed`` and ``misplaced`` counties.
    """
    off = load_official(vintage)
    outlying = off[off["central_outlying"] == "Outlying"].set_index("unit_id")["area_id"]
    m = membership[membership["status"] == "member"].set_index("unit_id")["area_id"].astype(str)
    official_for_members = outlying.reindex(m.index).astype(object)
    right = (m.astype(object) == official_for_members).to_numpy(dtype=bool)
    placed = m[right]
    return {
        "outlying_official": int(len(outlying)),
        "outlying_correct": int(right.sum()),
        "false_positives": int((~right).sum()),
        "missed": sorted(set(outlying.index) - set(placed.index)),
        "misplaced": sorted(m.index[~right]),
    }


__all__ = [
    "compare_to_official",
    "files",
    "EXTERNAL_CODES",
    "load_adjacency",
    "load_cores",
    "load_flows",
    "load_official",
    "load_polygons",
    "NON_CONTERMINOUS_STATES",
    "load_urban_areas_2010",
    "load_units",
    "path",
]
