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
from typing import Any

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


def files(vintage: int = 2020, *, urban_areas: bool = False) -> dict[str, str]:
    """The files behind each input of the example run (for checksums in ``run.json``); with
    ``urban_areas=True`` those of the run that derives the central counties from the Census
    urban areas instead of taking OMB's (the official list is then only the reference)."""
    v = _vintage(vintage)
    out = {
        "flows": path(v["flows"]),
        "units": path(GAZETTEER_FILE),
        "cores": path(v["official"]),
        "adjacency": path(v["adjacency"]),
    }
    if urban_areas:
        del out["cores"]
        if vintage == 2010:
            out["units"] = path(UA_COUNTY_2010_FILE)
            out["urban_areas"] = path(UA_COUNTY_2010_FILE)
        else:
            out["urban_areas"] = path(UA_LAND_2020_FILE)
            out["urban_area_list"] = path(UA_LIST_2020_FILE)
            out["county_urban"] = path(COUNTY_URBAN_2020_FILE)
        out["reference"] = path(v["official"])
    return out


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


def load_membership(vintage: int = 2020) -> pd.DataFrame:
    """The official CBSAs as a ``membership`` table (the input of ``metrocircle combine``):
    ``unit_id``, ``area_id`` (CBSA code), ``status`` (``core`` for OMB's central counties,
    ``member`` for outlying ones); counties outside every CBSA are not listed."""
    off = load_official(vintage)
    status = off["central_outlying"].map({"Central": "core", "Outlying": "member"})
    return pd.DataFrame(
        {"unit_id": off["unit_id"], "area_id": off["area_id"], "status": status.astype("string")}
    )


def compare_to_official_csa(combined: pd.DataFrame, vintage: int = 2020) -> dict[str, object]:
    """Compare combined CBSAs (``area_id`` = CBSA code, ``combined_id``, as in
    ``combined.csv``) with OMB's CSAs, pair by pair: "these two CBSAs are in one CSA".

    Returns ``precision``, ``recall``, ``f1``, the pair counts (``pairs_official``,
    ``pairs_found``, ``pairs_agreeing``) and the CBSA pairs found but not official
    (``extra_pairs``) and official but not found (``missed_pairs``).
    """
    from itertools import combinations

    off = load_official(vintage).drop_duplicates("area_id").set_index("area_id")["csa_code"]

    def pairs(groups: pd.Series) -> set[tuple[str, str]]:
        out: set[tuple[str, str]] = set()
        for _, members in groups.dropna().groupby(groups.dropna()):
            out |= set(combinations(sorted(members.index.astype(str)), 2))
        return out

    truth = pairs(off)
    found = pairs(combined.set_index("area_id")["combined_id"])
    agree = len(truth & found)
    precision = agree / len(found) if found else 0.0
    recall = agree / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if agree else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "pairs_official": len(truth),
        "pairs_found": len(found),
        "pairs_agreeing": agree,
        "extra_pairs": sorted(found - truth),
        "missed_pairs": sorted(truth - found),
    }


def load_units(vintage: int = 2020) -> pd.DataFrame:
    """The counties of a vintage.

    ``vintage=2020``: the 3,222 counties of the 2022 Gazetteer: ``unit_id``, ``name``,
    ``state``, land and water area (m²). (The internal points are in the file; they are left
    out here because an area total of latitudes means nothing.)

    ``vintage=2010``: the 3,221 residence counties of the 2009-2013 flows (2010 codes: old
    Connecticut counties, 02270, 46113, 51515), with ``name``, ``state`` (postal code, from the
    state FIPS code) and ``population`` (2010 Census), taken from the urban-area relationship
    file.
    """
    _vintage(vintage)
    gaz = _read(GAZETTEER_FILE, ("fips", "state_usps", "ansicode", "county_name"))
    gaz = gaz.rename(columns={"fips": "unit_id", "county_name": "name", "state_usps": "state"})
    if vintage == 2020:
        return gaz[["unit_id", "name", "state", "aland_m2", "awater_m2"]].copy()
    postal = dict(zip(gaz["unit_id"].str[:2], gaz["state"], strict=False))
    rel = load_urban_areas_2010().drop_duplicates("county_fips")
    residences = set(load_flows(2010)["origin"])
    rel = rel[rel["county_fips"].isin(residences)]
    out = pd.DataFrame(
        {
            "unit_id": rel["county_fips"].to_numpy(),
            "name": rel["CNAME"].to_numpy(),
            "state": rel["county_fips"].str[:2].map(postal).to_numpy(),
            "population": rel["CPOP"].astype("float64").to_numpy(),
        }
    )
    out = out.astype({"unit_id": "string", "name": "string", "state": "string"})
    return out.sort_values("unit_id").reset_index(drop=True)


def load_urban_areas(vintage: int = 2020) -> pd.DataFrame:
    """Urban-area parts by county, the input of the central-county rule, in the model's
    columns (``ua_code, unit_id, ua_population, ua_name, county_population`` and
    ``population`` or ``land_area``).

    ``vintage=2010``: the Census 2010 relationship file, exact: ``population`` is the people of
    the urban area in the county (rows with code 99999 are each county's rural remainder).

    ``vintage=2020`` (an approximation): no 2020 file splits urban-area populations by county.
    ``land_area`` (square miles) is each urban area's land in the county, ``ua_population`` the
    ACS 2018-2022 estimate of the urban area, and ``county_population`` /
    ``county_urban_population`` the 2020 Census county totals; the central-county step splits
    each county's urban population over its urban areas by land. Connecticut has its old
    counties here (09001-09015), not the planning regions of the 2023 list and flows.
    """
    _vintage(vintage)
    if vintage == 2010:
        rel = load_urban_areas_2010()
        out = pd.DataFrame(
            {
                "ua_code": rel["ua_code"],
                "unit_id": rel["county_fips"],
                "population": rel["POPPT"].astype("float64"),
                "ua_population": pd.to_numeric(rel["UAPOP"].replace("", None)),
                "ua_name": rel["UANAME"].astype("string"),
                "county_population": rel["CPOP"].astype("float64"),
            }
        )
        return out.reset_index(drop=True)
    land = _read(UA_LAND_2020_FILE, ("ua_code", "county_fips"))
    ual = _read(UA_LIST_2020_FILE, ("ua_code", "primary_county_fips"))
    cu = _read(COUNTY_URBAN_2020_FILE, ("county_fips", "state_fips"))
    out = land.merge(
        ual[["ua_code", "ua_name", "pop_acs5y_2018_2022"]], on="ua_code", how="left"
    ).merge(cu[["county_fips", "pop_2020", "pop_urban_2020"]], on="county_fips", how="left")
    out = out.rename(
        columns={
            "county_fips": "unit_id",
            "land_area_sqmi": "land_area",
            "pop_acs5y_2018_2022": "ua_population",
            "pop_2020": "county_population",
            "pop_urban_2020": "county_urban_population",
        }
    )
    cols = [
        "ua_code",
        "unit_id",
        "land_area",
        "ua_population",
        "ua_name",
        "county_population",
        "county_urban_population",
    ]
    out = out[cols].astype({"ua_name": "string"})
    return out.astype({c: "float64" for c in cols if c not in ("ua_code", "unit_id", "ua_name")})


def load_population(vintage: int = 2020) -> pd.DataFrame:
    """Census population by county: ``unit_id``, ``population``.

    ``vintage=2020``: the 2020 Census (``county_urban_rural_2020.csv``), which still has
    Connecticut's eight old counties, so the 2022 planning regions (09110-09190) of the 2023
    list have no row. ``vintage=2010``: the 2010 Census county totals (``CPOP`` of
    ``ua_county_rel_2010.csv``), complete for the February 2013 list.
    """
    _vintage(vintage)
    if vintage == 2020:
        df = _read(COUNTY_URBAN_2020_FILE, ("county_fips", "state_fips"))
        out = pd.DataFrame({"unit_id": df["county_fips"], "population": df["pop_2020"]})
    else:
        df = load_urban_areas_2010().drop_duplicates("county_fips")
        out = pd.DataFrame({"unit_id": df["county_fips"], "population": df["CPOP"]})
    return out.astype({"population": "float64"}).reset_index(drop=True)
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


def compare_cbsas_to_official(
    membership: pd.DataFrame,
    areas: pd.DataFrame,
    vintage: int = 2020,
    *,
    leave_out_states: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Compare a whole delineation (central counties derived from urban areas, merges, types)
    with the official list.

    Each derived area is matched to the official CBSA that shares most of its central counties
    (counties central in both; equal counts: the lower CBSA code); an area none of whose
    central counties is officially central is unmatched, and its counties count as misplaced.
    The derived central counties are those with ``central_outlying == "central"`` (central
    counties of CBSAs merged into another are outlying, as in OMB's list).

    ``leave_out_states`` are state FIPS codes whose counties are left out on both sides: by
    default Connecticut (``"09"``) for ``vintage=2020``, because the 2020 urban-area files use
    its old counties and the 2023 list its planning regions; nothing for 2010.

    Returns
    -------
    dict
        ``figures``: the counts and shares (``central_recall``, ``central_precision``,
        ``counties_right_share`` (central and outlying counties placed in the matched official
        CBSA), ``outlying_right_share``, ``areas``, ``official_areas``, ``areas_within_share``
        (relative difference), ``type_right_share`` (of matched areas), ``title_right_share``,
        ...); ``missed_central`` and ``added_central`` (DataFrames of counties with the
        official and derived status); ``matches`` (derived area -> official CBSA).
    """
    from metrocircle.delineate.reference import compare_to_reference

    if leave_out_states is None:
        leave_out_states = ("09",) if vintage == 2020 else ()
    off = load_official(vintage)
    reference = pd.DataFrame(
        {
            "unit_id": off["unit_id"],
            "area_id": off["area_id"],
            "status": off["central_outlying"],
            "type": off["cbsa_type"],
            "title": off["cbsa_title"],
        }
    )
    res = compare_to_reference(
        membership, areas, reference, leave_out=tuple(leave_out_states)
    )
    f = res["figures"]
    figures = {
        "official_central": f["reference_cores"],
        "central": f["cores"],
        "central_right": f["cores_right"],
        "central_recall": f["core_recall"],
        "central_precision": f["core_precision"],
        "official_counties": f["reference_units"],
        "counties_right": f["units_right"],
        "counties_right_share": f["units_right_share"],
        "outlying_right_share": f["members_right_share"],
        "placed_outside_official": f["placed_outside_reference"],
        "areas": f["areas"],
        "official_areas": f["reference_areas"],
        "areas_within_share": f["areas_within_share"],
        "matched_areas": f["matched_areas"],
        "official_cbsas_matched_twice": f["reference_areas_matched_twice"],
        "type_right": f["type_right"],
        "type_right_share": f["type_right_share"],
        "title_right_share": f["title_right_share"],
        "left_out_states": list(leave_out_states),
    }
    names = {"reference_area_id": "official_cbsa", "reference_status": "official_role"}
    t = res["matches"]
    return {
        "figures": figures,
        "missed_central": res["missed_cores"].rename(columns=names),
        "added_central": res["added_cores"].rename(columns=names),
        "matches": pd.DataFrame(
            {
                "ours": t["type"].astype(str).to_numpy(),
                "theirs": t["reference_type"].astype(str).to_numpy(),
                "title": t["title"].astype(str).to_numpy(),
                "official_title": t["reference_title"].astype(object).to_numpy(),
                "cbsa": t["reference_area_id"].to_numpy(),
            },
            index=pd.Index(t["area_id"].to_numpy()),
        ),
    }


__all__ = [
    "compare_cbsas_to_official",
    "compare_to_official",
    "compare_to_official_csa",
    "files",
    "EXTERNAL_CODES",
    "load_adjacency",
    "load_cores",
    "load_flows",
    "load_membership",
    "load_official",
    "load_population",
    "load_polygons",
    "NON_CONTERMINOUS_STATES",
    "load_urban_areas",
    "load_urban_areas_2010",
    "load_units",
    "path",
]
