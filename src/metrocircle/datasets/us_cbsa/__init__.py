"""US county commuting flows (ACS 2016-2020) and the official OMB CBSA list of July 2023.

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

#: Workplace codes in the flows that are not US counties (they count in denominators only).
EXTERNAL_CODES = ["FOREIGN_CANADA", "FOREIGN_MEXICO", "FOREIGN_OTHER"]


def path(name: str) -> str:
    """Path of one shipped file."""
    return str(resources.files(__name__).joinpath(name))


def files() -> dict[str, str]:
    """The files behind each input of the example run (for checksums in ``run.json``)."""
    return {
        "flows": path(FLOWS_FILE),
        "units": path(GAZETTEER_FILE),
        "cores": path(OFFICIAL_FILE),
        "adjacency": path(ADJACENCY_FILE),
    }


@cache
def _read(name: str, text_columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.read_csv(
        path(name), dtype={c: "string" for c in text_columns}, keep_default_na=False, na_values={}
    )


def load_flows() -> pd.DataFrame:
    """County-to-county commuting flows: ``origin`` (residence), ``destination`` (workplace,
    or ``FOREIGN_*``), ``value`` (workers), intra-county flows included."""
    df = _read(FLOWS_FILE, ("res_fips", "work_fips")).rename(
        columns={"res_fips": "origin", "work_fips": "destination", "workers": "value"}
    )
    return df.astype({"value": "float64"}).copy()


def load_adjacency() -> pd.DataFrame:
    """Pairs of adjacent counties in 2022 geography, water boundaries included:
    ``unit_a, unit_b, source``."""
    df = _read(ADJACENCY_FILE, ("fips_a", "fips_b", "source"))
    return df.rename(columns={"fips_a": "unit_a", "fips_b": "unit_b"}).copy()


def load_official() -> pd.DataFrame:
    """The OMB July 2023 list: one row per county in a CBSA (``unit_id``, ``area_id`` = CBSA
    code, ``central_outlying``, titles, ...)."""
    cols = ("fips", "cbsa_code", "metro_division_code", "csa_code", "state_fips", "county_fips")
    df = _read(OFFICIAL_FILE, cols).rename(columns={"fips": "unit_id", "cbsa_code": "area_id"})
    for c in ("metro_division_code", "csa_code"):
        df[c] = df[c].replace("", pd.NA)
    return df.copy()


def load_cores() -> pd.DataFrame:
    """The official central counties as cores: ``unit_id``, ``area_id`` (CBSA code)."""
    off = load_official()
    central = off[off["central_outlying"] == "Central"]
    return central[["unit_id", "area_id"]].reset_index(drop=True)


def load_units() -> pd.DataFrame:
    """The 3,222 counties of the 2022 Gazetteer: ``unit_id``, ``name``, ``state``, land and water
    area (m²). (The internal points are in the file; they are left out here because an area
    total of latitudes means nothing.)"""
    df = _read(GAZETTEER_FILE, ("fips", "state_usps", "ansicode", "county_name"))
    df = df.rename(columns={"fips": "unit_id", "county_name": "name", "state_usps": "state"})
    return df[["unit_id", "name", "state", "aland_m2", "awater_m2"]].copy()


def compare_to_official(membership: pd.DataFrame) -> dict[str, object]:
    """Compare a ``membership`` table (counties, ``area_id`` = CBSA code) with the official list.

    Returns ``outlying_official`` (590), ``outlying_correct`` (official outlying counties placed
    as member of their official CBSA), ``false_positives`` (members placed where the official
    list does not put them), and the codes of the ``missed`` and ``misplaced`` counties.
    """
    off = load_official()
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
    "load_units",
    "path",
]
