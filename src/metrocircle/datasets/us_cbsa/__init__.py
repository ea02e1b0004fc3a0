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


def load_units() -> pd.DataFrame:
    """The 3,222 counties of the 2022 Gazetteer: ``unit_id``, ``name``, ``state``, land and water
    area (m²). (The internal points are in the file; they are left out here because an area
    total of latitudes means nothing.)"""
    df = _read(GAZETTEER_FILE, ("fips", "state_usps", "ansicode", "county_name"))
    df = df.rename(columns={"fips": "unit_id", "county_name": "name", "state_usps": "state"})
    return df[["unit_id", "name", "state", "aland_m2", "awater_m2"]].copy()


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
    "load_urban_areas_2010",
    "load_units",
    "path",
]
