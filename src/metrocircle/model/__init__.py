"""The data model: units, flow layers, cores, adjacency and travel times, with IO and validation.

Every table is a plain pandas DataFrame (a GeoDataFrame when it has polygons); see
``docs/data-model.md`` for the columns. Readers rename your columns to the model's and raise
one :class:`~metrocircle.InputError` that lists every problem. :func:`read_inputs` reads and
checks the tables of one run together (codes normalised across tables, reference tables
restricted to the study); what it did is in the :class:`~metrocircle.model.notes.Note` list of
the :class:`~metrocircle.model.validation.Inputs` it returns.
"""

from metrocircle.model.geo import adjacency_from_polygons, attach_geometry
from metrocircle.model.investment import read_investment, validate_investment
from metrocircle.model.io import (
    csv_delimiter,
    file_checksum,
    read_adjacency,
    read_cores,
    read_flows,
    read_inputs,
    read_membership,
    read_table,
    read_travel_times,
    read_units,
    read_urban_areas,
    sniff_delimiter,
    urban_area_columns,
    write_json,
    write_table,
)
from metrocircle.model.layers import FlowLayer, combine_layers, layer_labels, read_layer
from metrocircle.model.notes import Note
from metrocircle.model.validation import (
    Inputs,
    validate_adjacency,
    validate_cores,
    validate_flows,
    validate_inputs,
    validate_membership,
    validate_travel_times,
    validate_units,
    validate_urban_areas,
)

__all__ = [
    "FlowLayer",
    "Inputs",
    "Note",
    "adjacency_from_polygons",
    "attach_geometry",
    "combine_layers",
    "csv_delimiter",
    "file_checksum",
    "layer_labels",
    "read_adjacency",
    "read_cores",
    "read_flows",
    "read_inputs",
    "read_investment",
    "read_layer",
    "read_membership",
    "read_table",
    "read_travel_times",
    "read_units",
    "read_urban_areas",
    "sniff_delimiter",
    "urban_area_columns",
    "validate_adjacency",
    "validate_cores",
    "validate_flows",
    "validate_inputs",
    "validate_investment",
    "validate_membership",
    "validate_travel_times",
    "validate_units",
    "validate_urban_areas",
    "write_json",
    "write_table",
]
