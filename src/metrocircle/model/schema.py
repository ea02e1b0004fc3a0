"""Column names and types of the data model (see docs/data-model.md).

Every table is a plain pandas DataFrame (a GeoDataFrame when it carries polygons) with the
columns below; unit codes are always strings so that leading zeros survive.
"""

from __future__ import annotations

UNIT_ID = "unit_id"
ORIGIN = "origin"
DESTINATION = "destination"
VALUE = "value"
LAYER = "layer"
MOE = "moe"  # optional: the published margin of error of a flow (90 % for the ACS)
AREA_ID = "area_id"
CORE_GROUP = "core_group"
UNIT_A = "unit_a"
UNIT_B = "unit_b"
MINUTES = "minutes"
STATUS = "status"
GEOMETRY = "geometry"

# Urban-area parts by unit (the input of the central-county rule, ``--urban-areas``).
UA_CODE = "ua_code"
UA_POPULATION = "ua_population"
UA_NAME = "ua_name"
POPULATION = "population"
LAND_AREA = "land_area"
COUNTY_POPULATION = "county_population"
COUNTY_URBAN_POPULATION = "county_urban_population"
#: Census code of "not in an urban area": the rural remainder of each county.
NOT_URBAN_CODE = "99999"
URBAN_AREA_COLUMNS = [UA_CODE, UNIT_ID]
#: Columns of an urban-area table and the names the Census files give them, read without
#: options: the 2010 urban-area-to-county relationship file (``UA``, ``GEOID``, ``POPPT``,
#: ``UAPOP``, ``UANAME``, ``CPOP``) and the 2020 one (``GEOID_UA_20``, ``GEOID_COUNTY_20``,
#: ``AREALAND_PART``, ``NAMELSAD_UA_20``).
URBAN_AREA_ALIASES: dict[str, tuple[str, ...]] = {
    UA_CODE: ("UA", "UACE", "UACE10", "UACE20", "GEOID_UA_20"),
    UNIT_ID: ("county_fips", "GEOID", "GEOID_COUNTY_20"),
    POPULATION: ("POPPT",),
    UA_POPULATION: ("UAPOP",),
    UA_NAME: ("UANAME", "NAMELSAD_UA_20"),
    COUNTY_POPULATION: ("CPOP",),
    LAND_AREA: ("AREALANDPT", "AREALAND_PART"),
}

FLOW_COLUMNS = [ORIGIN, DESTINATION, VALUE]
CORE_COLUMNS = [UNIT_ID, AREA_ID]
ADJACENCY_COLUMNS = [UNIT_A, UNIT_B]
TRAVEL_TIME_COLUMNS = [ORIGIN, DESTINATION, MINUTES]
MEMBERSHIP_COLUMNS = [UNIT_ID, AREA_ID, STATUS]

# Unit attributes with a known meaning: numeric and never negative when present.
NUMERIC_UNIT_ATTRIBUTES = (
    "population",
    "employment",
    "employed_residents",
    "jobs",
    "gdp",
    "area_km2",
    "urban_population",
)
# Unit attributes that are shares in [0, 1] when present.
SHARE_UNIT_ATTRIBUTES = ("urbanization_share",)

# Flow layers named in the mission; any other name is accepted too.
KNOWN_LAYERS = ("commuting", "investment", "passenger", "freight", "signaling")

# The label every flow layer carries (columns ``kind`` and ``source`` of a flows table, or the
# attributes of a :class:`metrocircle.model.layers.FlowLayer`): what the flows are, and whether
# they were observed or modelled. The label travels into every output that uses the layer.
KIND = "kind"
SOURCE = "source"
LAYER_KINDS = ("commuting", "signaling", "investment", "passenger", "freight", "other")
LAYER_SOURCES = ("real", "modelled")

# The code standing for the suppressed cells of a published OD table (``metrocircle od``):
# ``unit -> (suppressed)`` is a unit's suppressed out-flow, ``(suppressed) -> unit`` its
# suppressed in-flow. Readers treat it as a place outside the study: it counts in the
# denominators and is never a unit.
SUPPRESSED = "(suppressed)"
