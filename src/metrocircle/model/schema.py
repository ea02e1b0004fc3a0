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
GEOMETRY = "geometry"

FLOW_COLUMNS = [ORIGIN, DESTINATION, VALUE]
CORE_COLUMNS = [UNIT_ID, AREA_ID]
ADJACENCY_COLUMNS = [UNIT_A, UNIT_B]
TRAVEL_TIME_COLUMNS = [ORIGIN, DESTINATION, MINUTES]

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
