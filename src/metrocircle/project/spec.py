"""The keys of a project file: their types, defaults and meaning (the key reference).

A project file has five top-level tables::

    [project]              name, title, description
    [inputs.NAME]          the data: units, boundaries, adjacency, cores, second_core, timetable,
                           roads, links, travel_times, census, reference, urban_areas
    [layers.NAME]          flow layers, each with a kind and a source, from a file, a step or a
                           model
    [steps.NAME]           access, signaling, strength, delineation, combine, roles, groups,
                           industry, indicators, with their parameters
    [scenarios.NAME]       changes to the access step (added links, sped-up modes)

Every table below is a :class:`Section` of :class:`Key`; :func:`check_shape` walks a parsed file
against them and reports unknown keys (with a "did you mean"), missing required keys and values
of the wrong type or out of range. The checks that need the files or the method registries (a
column that is not in a file, a delineation parameter) are in :mod:`metrocircle.project.project`.
``docs/project.md`` documents every key listed here (a test checks it).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from metrocircle.model.schema import LAYER_KINDS, LAYER_SOURCES

__all__ = ["LAYER_KINDS", "LAYER_SOURCES", "ROOT", "Key", "Section", "check_shape",
           "reference_markdown"]

#: Layer name of the fused connection index of the strength step.
FUSED = "fused"

Report = Callable[[str, str], None]
"""``report(key, message)``: how a check records a problem."""


@dataclass(frozen=True)
class Key:
    """One key of a section.

    ``kind`` is one of ``str``, ``int``, ``float``, ``bool``, ``file`` (a path, relative to the
    project file's folder), ``list`` (of strings), ``numbers`` (list of numbers), ``table``
    (free-form ``name = value`` pairs, checked elsewhere), ``weights`` (a method name or a
    table of numbers), ``number_or_file`` and ``section`` (a nested :class:`Section`).
    """

    name: str
    kind: str
    doc: str
    default: Any = None
    required: bool = False
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    section: Section | None = None

    def describe(self) -> str:
        """The allowed values in words (as error messages give them)."""
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        base = {
            "str": "a string",
            "int": "an integer",
            "float": "a number",
            "bool": "true or false",
            "file": "a file path (relative to the project file)",
            "list": "a list of strings",
            "numbers": "a list of numbers",
            "table": "a table of name = value pairs",
            "weights": "'entropy', 'ahp', 'combined' or a table {layer = weight}",
            "number_or_file": "a number or a file path",
            "section": "a table",
            "joins": "a list of tables {file = \"...\", id = \"...\"}",
        }[self.kind]
        if self.low is None and self.high is None:
            return base
        if self.low is not None and self.high is None:
            return f"{base} {'>' if self.low_open else '>='} {self.low:g}"
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self.high is None else f"{self.high:g}"
        return f"{base} in {'(' if self.low_open else '['}{lo}, {hi}]"

    def check(self, value: Any) -> str | None:
        """None if ``value`` fits, else what is wrong (without the key's name)."""
        ok = True
        kind = self.kind
        if kind == "str":
            ok = isinstance(value, str) and (not self.choices or value in self.choices)
        elif kind == "file":
            ok = isinstance(value, str) and bool(value.strip())
        elif kind == "bool":
            ok = isinstance(value, bool)
        elif kind in ("int", "float"):
            ok = _number_ok(value, integer=kind == "int", key=self)
        elif kind == "list":
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        elif kind == "numbers":
            ok = isinstance(value, list) and all(_number_ok(v, integer=False, key=self)
                                                 for v in value)
        elif kind in ("table", "section"):
            ok = isinstance(value, dict)
        elif kind == "weights":
            ok = (isinstance(value, str) and value in ("entropy", "ahp", "combined")) or (
                isinstance(value, dict) and all(_number_ok(v, integer=False, key=None)
                                                and v >= 0 for v in value.values()))
        elif kind == "joins":
            ok = isinstance(value, list) and all(
                isinstance(v, dict) and isinstance(v.get("file"), str) and v["file"].strip()
                and isinstance(v.get("id", ""), str) and set(v) <= {"file", "id"}
                for v in value)
        elif kind == "number_or_file":
            ok = (isinstance(value, str) and bool(value.strip())) or _number_ok(
                value, integer=False, key=self)
        if ok:
            return None
        return f"must be {self.describe()}. Got {value!r}."


def _number_ok(value: Any, *, integer: bool, key: Key | None) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if integer and not (isinstance(value, int) or float(value).is_integer()):
        return False
    if math.isnan(float(value)) or math.isinf(float(value)):
        return False
    if key is not None:
        if key.low is not None and (value < key.low or (key.low_open and value == key.low)):
            return False
        if key.high is not None and value > key.high:
            return False
    return True


@dataclass(frozen=True)
class Section:
    """A table of the project file and its keys."""

    title: str
    doc: str
    keys: tuple[Key, ...] = ()
    #: For tables whose sub-tables take any name (``[layers.NAME]``): their section.
    named: Section | None = None
    #: For tables with a fixed set of sub-tables (``[inputs.units]``): name -> section.
    children: dict[str, Section] = field(default_factory=dict)

    def key(self, name: str) -> Key | None:
        return next((k for k in self.keys if k.name == name), None)

    def allowed(self) -> list[str]:
        return [k.name for k in self.keys] + list(self.children)


# ------------------------------------------------------------------------ shared keys
def _file(doc: str, *, required: bool = False) -> Key:
    return Key("file", "file", doc, required=required)


_NOTE = Key("note", "str", "How the data was made, in one sentence; shown in summary.md and "
                           "run.json next to the input.")
_SOURCE = Key("source", "str", "Whether the data is observed ('real') or built by a model "
                               "('modelled'); shown wherever the input is used.",
              default="real", choices=LAYER_SOURCES)
_ID = Key("id", "str", "Column holding the unit code.", default="unit_id")
_WHERE = Key("where", "table", "Keep only rows whose column has one of the given values: "
                               "{column = value or [values]} (values compared as text; the "
                               "rows set aside are counted in run.json).")
_DROP = Key("drop", "table", "Leave out rows whose column has one of the given values "
                             "(same form as 'where'; counted in run.json).")
_LAYER_NAME = Key("layer", "str", "Layer of a GeoPackage file to read.")
_UNIT_SET_KEYS = (
    _file("Table holding the units (e.g. a units or official delineation file); or give "
          "'units'."),
    _ID,
    Key("columns", "table", "Column of the file for 'area_id' (and 'core_group'), e.g. "
                            "{area_id = \"cbsa_code\"}."),
    Key("area_id", "str", "One area name for every listed unit (instead of an area_id "
                          "column)."),
    Key("units", "list", "The unit codes, written out (instead of a file)."),
    _WHERE,
    _DROP,
    _NOTE,
)

# ------------------------------------------------------------------------ [project]
PROJECT = Section("project", "What the project is.", keys=(
    Key("name", "str", "Short name (letters, digits, '.', '_', '-'): names the run in "
                       "run.json and the default output folder.", required=True),
    Key("title", "str", "Title shown at the top of summary.md."),
    Key("description", "str", "A paragraph on the project, shown in summary.md."),
))

# ------------------------------------------------------------------------ [inputs.*]
UNITS = Section("inputs.units", "The spatial units: one row per unit, with its attributes.",
                keys=(
    _file("Units table (CSV, Parquet, GeoJSON, GeoPackage).", required=True),
    _ID,
    Key("columns", "table", "Model name = column of the file, e.g. {name = \"name_en\", "
                            "population = \"pop_2020\", lon = \"x\", lat = \"y\"}. Columns "
                            "not mapped are kept under their own names."),
    Key("join", "joins", "Further tables of unit attributes joined on the unit code, e.g. "
                         "[{file = \"parents.csv\", id = \"unit_id\"}]: their columns (except "
                         "the code) are added to the units; a unit a table lacks gets empty "
                         "values, and rows of other codes are counted."),
    Key("parents", "list", "Columns naming the parent unit at each level, nearest first "
                           "(e.g. [\"prefecture\", \"planning_group\"]). A delineation method "
                           "with a 'parent_levels' parameter (cn-multisource) snaps to them "
                           "unless its params say otherwise; cn-commuting snaps to the column "
                           "mapped to parent_id in 'columns'."),
    _WHERE, _DROP, _LAYER_NAME, _SOURCE, _NOTE,
))
BOUNDARIES = Section("inputs.boundaries", "Unit polygons, for the GeoPackage outputs (needs "
                                          "the geo extra).", keys=(
    _file("Polygon file (GeoJSON, GeoPackage, Shapefile).", required=True),
    _ID, _WHERE, _DROP, _LAYER_NAME, _NOTE,
))
ADJACENCY = Section("inputs.adjacency", "Pairs of neighbouring units (contiguity, modelled "
                                        "roads, city groups).", keys=(
    _file("Table of unit pairs.", required=True),
    Key("columns", "table", "{unit_a = ..., unit_b = ...}; default: the first two columns."),
    _NOTE,
))
CORES = Section("inputs.cores", "The core units of each area.", keys=_UNIT_SET_KEYS)
SECOND_CORE = Section("inputs.second_core", "A second metropolitan core (e.g. Chengdu), for "
                                            "the bridgehead role.", keys=_UNIT_SET_KEYS)
REFERENCE = Section("inputs.reference", "An official scope to compare the delineation with "
                                        "(e.g. a plan's area, or an agency's list). Besides "
                                        "area_id, 'columns' may map status (core or member; "
                                        "OMB's Central or Outlying), type and title of the "
                                        "area (the area-level comparison) and combined_id "
                                        "(e.g. OMB's CSA code: the combine step's comparison).",
                    keys=(*_UNIT_SET_KEYS,
                          Key("name", "str", "How the scope is called in the outputs.",
                              default="reference")))
URBAN_AREAS = Section("inputs.urban_areas", "Urban-area parts by unit, for a delineation "
                                          "method that derives its cores from them (omb-cbsa: "
                                          "the central-county rule) instead of [inputs.cores].",
                      keys=(
    _file("One row per urban area and unit: ua_code, unit_id and population (exact parts) or "
          "land_area (the land-area split, an approximation); optional ua_population, ua_name, "
          "county_population, county_urban_population. The Census relationship file's own "
          "columns (UA, GEOID, POPPT, UAPOP, UANAME, CPOP, ...) are read without a mapping.",
          required=True),
    Key("columns", "table", "Model name = column of the file, as the CLI's --urban-areas-col, "
                            "e.g. {ua_code = \"uace\", population = \"pop_part\"}."),
    _WHERE, _DROP, _SOURCE, _NOTE,
))
TIMETABLE = Section("inputs.timetable", "A rail timetable (GTFS-like tables).", keys=(
    Key("stop_times", "file", "trip_id, stop_sequence, station, arrival/departure times.",
        required=True),
    Key("trips", "file", "trip_id, line (optional)."),
    Key("stations", "file", "station, unit_id, lon, lat.", required=True),
    _SOURCE, _NOTE,
))
ROADS = Section("inputs.roads", "Road links between units (origin, destination, minutes or "
                                "km); without it roads are modelled between neighbours.",
                keys=(_file("Road link table, or a local OpenStreetMap file (.osm, "
                            ".graphml).", required=True), _SOURCE, _NOTE))
LINKS = Section("inputs.links", "Extra links (origin, destination, minutes, mode).",
                keys=(_file("Link table.", required=True), _SOURCE, _NOTE))
TRAVEL_TIMES = Section("inputs.travel_times", "A travel-time matrix given as data (instead of "
                                              "the access step).", keys=(
    _file("origin, destination, minutes.", required=True),
    Key("columns", "table", "{origin = ..., destination = ..., minutes = ...}."),
    _SOURCE, _NOTE,
))
CENSUS = Section("inputs.census", "A table of unit attributes (e.g. employment by industry), "
                                  "one row per unit; rows of other units are set aside and "
                                  "counted.", keys=(
    _file("Census table.", required=True), _ID, _WHERE, _DROP, _SOURCE, _NOTE,
))
INPUTS = Section("inputs", "The data of the project.", children={
    "units": UNITS, "boundaries": BOUNDARIES, "adjacency": ADJACENCY, "cores": CORES,
    "second_core": SECOND_CORE, "timetable": TIMETABLE, "roads": ROADS, "links": LINKS,
    "travel_times": TRAVEL_TIMES, "census": CENSUS, "reference": REFERENCE,
    "urban_areas": URBAN_AREAS,
})

# ------------------------------------------------------------------------ [layers.NAME]
LAYER = Section("layers.NAME", "A flow layer: from a file, from a step, or from a model.", keys=(
    Key("kind", "str", "What the flows are.", required=True, choices=LAYER_KINDS),
    Key("source", "str", "Observed ('real') or built by a model ('modelled').", required=True,
        choices=LAYER_SOURCES),
    Key("note", "str", "How the layer was made, in one sentence (shown with its label)."),
    _file("Flow table (origin, destination, value); or give 'step' or 'model'."),
    Key("columns", "table", "{origin = ..., destination = ..., value = ...}."),
    _WHERE, _DROP,
    Key("external", "list", "Codes of places outside the study (e.g. abroad) that the flows "
                            "may name: they count in denominators but are never units."),
    Key("step", "str", "The step whose output the layer is: 'signaling' (its home-to-work "
                       "OD).", choices=("signaling",)),
    Key("model", "str", "A layer model that builds the layer from the units and travel "
                        "times (see 'metrocircle.project.layers.LAYER_MODELS')."),
    Key("params", "table", "Parameters of the model."),
))
LAYERS = Section("layers", "The flow layers.", named=LAYER)

# ------------------------------------------------------------------------ [steps.*]
ACCESS = Section("steps.access", "Travel times, commuting circles and isochrone bands "
                                 "(metrocircle.access).", keys=(
    Key("departure_window", "str", "Departure window of the rail journeys, HH:MM-HH:MM.",
        default="06:00-10:00"),
    Key("min_transfer_minutes", "float", "Minimum rail-to-rail transfer.", default=15.0,
        low=0.0),
    Key("wait", "str", "'half_headway', or a fixed number of minutes as text.",
        default="half_headway"),
    Key("access_speed_kmh", "float", "Speed from a unit point to its stations.", default=30.0,
        low=0.0, low_open=True),
    Key("access_detour", "float", "Detour factor to the stations.", default=1.3, low=1.0),
    Key("station_entry_minutes", "float", "Time to enter a station.", default=10.0, low=0.0),
    Key("station_exit_minutes", "float", "Time to leave a station.", default=5.0, low=0.0),
    Key("road_speed_kmh", "float", "Speed of modelled roads.", default=80.0, low=0.0,
        low_open=True),
    Key("road_detour", "float", "Detour factor of modelled roads.", default=1.3, low=1.0),
    Key("max_speed_kmh", "float", "Plausibility limit on any travel time.", default=350.0,
        low=0.0, low_open=True),
    Key("bands", "numbers", "Isochrone band limits (minutes).", default=[30, 45, 60, 90],
        low=0.0, low_open=True),
    Key("direction", "str", "Commute into the core ('to_core') or out of it.",
        default="to_core", choices=("to_core", "from_core")),
    Key("add_links", "list", "Links added to the network, FROM:TO:MINUTES[:MODE] (what a "
                             "scenario changes).", default=[]),
    Key("speed_ups", "list", "Modes or lines sped up, MODE_OR_LINE:FACTOR (what a scenario "
                             "changes).", default=[]),
))
SIMULATE = Section("steps.signaling.simulate", "Records simulated from the units' population "
                                               "(metrocircle.signaling.simulate_signaling).",
                   keys=(
    Key("users", "int", "Simulated people.", required=True, low=100),
    Key("days", "int", "Simulated days (work places need weekdays).", default=7, low=7),
    Key("random_state", "int", "Seed of the simulation (stated, so that the run can be "
                               "repeated).", required=True, low=0),
))
SIGNALING = Section("steps.signaling", "Mobile-phone records to home-to-work OD "
                                       "(metrocircle.signaling).", keys=(
    Key("records", "file", "Records file (CSV or Parquet): a user id, a time, a cell id or "
                           "lon/lat. Or give 'simulate'."),
    Key("cells", "file", "Cells table (cell_id, lon, lat, unit_id) for records with cell ids."),
    Key("columns", "table", "Record columns: {uid = ..., time = ..., cell = ...} or "
                            "{uid, time, lon, lat}."),
    Key("cells_columns", "table", "Cells columns: {cell_id = ..., lon = ..., lat = ..., "
                                  "unit_id = ...}."),
    Key("tz", "str", "Time zone of the record times, e.g. 'Asia/Shanghai'."),
    Key("market_share", "number_or_file", "Operator's market share (one number, or a file "
                                          "unit_id, market_share) for the expansion."),
    Key("simulate", "section", "Simulate the records instead of reading them.",
        section=SIMULATE),
    Key("engine", "str", "Engine of the pipeline.", default="duckdb",
        choices=("duckdb", "spark")),
    Key("min_count", "int", "Pairs with fewer sampled commuters are suppressed in the "
                            "published signaling/od.csv (later steps use every pair).",
        default=10, low=1),
    Key("params", "table", "Thresholds of the stages (metrocircle.signaling.SignalingParams)."),
))
STRENGTH = Section("steps.strength", "Connection strength: layers fused into one index, "
                                     "membership to the cores, centrality "
                                     "(metrocircle.strength).", keys=(
    Key("layers", "list", "Layers to fuse.", required=True),
    Key("normalise", "str", "Normalisation of each layer.", default="total",
        choices=("total", "row", "minmax")),
    Key("weights", "weights", "Weights: a method or {layer = weight}.", default="entropy"),
    Key("ahp_matrix", "file", "AHP comparison matrix (first column and header: the layer "
                              "names)."),
    Key("alpha", "float", "AHP share with weights = 'combined'.", default=0.5, low=0.0,
        high=1.0),
    Key("epsilon", "float", "Entropy-method shift for zeros.", default=0.0, low=0.0),
    Key("allow_inconsistent", "bool", "Accept an AHP matrix with CR >= 0.10.", default=False),
    Key("strong", "float", "First-contact share from which a flow is strong.", default=0.6,
        low=0.0, high=1.0),
    Key("weak", "float", "First-contact share up to which a flow is weak.", default=0.3,
        low=0.0, high=1.0),
))
DELINEATION = Section("steps.delineation", "Which units form each area "
                                           "(metrocircle.delineate).", keys=(
    Key("method", "str", "A delineation method ('metrocircle methods').", required=True),
    Key("layers", "list", "Layers the method reads (several are passed with their layer, "
                          "kind and source columns).", required=True),
    Key("travel_times", "bool", "Give the method the travel-time matrix (of the access step "
                                "or inputs.travel_times) when there is one.", default=True),
    Key("adjacency", "bool", "Give the method inputs.adjacency when there is one.",
        default=True),
    Key("params", "table", "Parameters of the method ('metrocircle methods METHOD')."),
))
COMBINE = Section("steps.combine", "Adjacent areas of the delineation joined into combined "
                                   "areas (metrocircle.combine; OMB's combined statistical "
                                   "areas).", keys=(
    Key("method", "str", "A combination method ('metrocircle methods').", default="omb-csa"),
    Key("layer", "str", "The commuting layer whose flows measure the interchange between "
                        "areas.", required=True),
    Key("params", "table", "Parameters of the method ('metrocircle methods omb-csa')."),
))
ROLES = Section("steps.roles", "The role of every unit of the delineated area "
                               "(metrocircle.structure).", keys=(
    Key("flows", "str", "Commuting layer of the indicators.", required=True),
    Key("strength", "str", "Layer of the membership degrees (e.g. 'fused'); default: the "
                           "flows."),
    Key("area", "str", "Area to classify; default: the area holding the first core."),
    Key("admin", "str", "Units column whose value marks a cross-border unit (e.g. a "
                        "province)."),
    Key("size", "str", "Units column of the morphological size (polycentricity); default: "
                       "jobs of the flows."),
    Key("centrality", "str", "Basis of the centrality percentile.", default="pagerank",
        choices=("pagerank", "in_strength")),
    Key("policy", "file", "Policy overlay unit_id, role, reason (recorded)."),
    Key("params", "table", "Rule parameters (docs/roles.md)."),
))
GROUPS = Section("steps.groups", "City groups: communities of a flow network, split into "
                                 "contiguous parts (metrocircle.groups).", keys=(
    Key("method", "str", "Detection method.", default="leiden",
        choices=("leiden", "infomap", "intramax")),
    Key("flows", "str", "Layer to group on (e.g. 'fused').", required=True),
    Key("params", "table", "Method parameters (docs/groups.md)."),
))
INDUSTRY = Section("steps.industry", "Location quotients, specialisations and collaboration "
                                     "from an activity table (metrocircle.industry).", keys=(
    Key("industries", "str", "Industry columns of inputs.census: names or shell patterns, "
                             "comma-separated (e.g. 'ind_[A-T]_*').", required=True),
    Key("strip_prefix", "str", "Prefix removed from the industry names in the outputs.",
        default=""),
    Key("reference_units", "list", "Census rows that form the reference region (e.g. the "
                                   "province rows); default: the units pooled.", default=[]),
    Key("blank_as_zero", "bool", "A blank cell means nobody in that industry (counted).",
        default=False),
    Key("measure", "str", "What the values count (written to run.json and summary.md)."),
    Key("threshold", "float", "Specialised: LQ above this.", default=1.0, low=0.0),
    Key("min_size", "float", "Floor on a unit's value in the industry.", default=0.0,
        low=0.0),
    Key("min_share", "float", "Floor on the industry's share of the unit.", default=0.0,
        low=0.0, high=1.0),
    Key("min_industry_share", "float", "Floor on the unit's share of the industry.",
        default=0.0, low=0.0, high=1.0),
    Key("group", "str", "Units column of a group (e.g. province) for collaboration pairs."),
    Key("cross_group_only", "bool", "Collaboration: only pairs across groups.",
        default=False),
))
INDICATORS = Section("steps.indicators", "Totals, gaps and commuting statistics of each "
                                         "area (metrocircle.indicators).", keys=(
    Key("flows", "str", "Commuting layer of the self-containment and openness figures."),
    Key("columns", "table", "{population, urban_population, area_km2, gdp, other_province} = "
                            "a column of the units or of inputs.census."),
))
STEPS = Section("steps", "The steps of the chain; a step runs when its table is present.",
                children={"access": ACCESS, "signaling": SIGNALING, "strength": STRENGTH,
                          "delineation": DELINEATION, "combine": COMBINE, "roles": ROLES,
                          "groups": GROUPS, "industry": INDUSTRY, "indicators": INDICATORS})

# ------------------------------------------------------------------------ [scenarios.NAME]
SCENARIO = Section("scenarios.NAME", "A what-if of the access step: 'metrocircle run "
                                     "PROJECT --scenario NAME' runs it through the chain "
                                     "beside the base run (docs/scenarios.md).", keys=(
    Key("description", "str", "What the scenario is."),
    Key("add_links", "list", "Links added, FROM:TO:MINUTES[:MODE].", default=[]),
    Key("speed_ups", "list", "Modes or lines sped up, MODE_OR_LINE:FACTOR.", default=[]),
))
SCENARIOS = Section("scenarios", "Scenarios.", named=SCENARIO)

ROOT = Section("", "A project file.", children={
    "project": PROJECT, "inputs": INPUTS, "layers": LAYERS, "steps": STEPS,
    "scenarios": SCENARIOS})


# ------------------------------------------------------------------------ checking
def did_you_mean(name: str, allowed: list[str]) -> str:
    """`` (did you mean 'x'?)`` when a close name exists, else ``""``."""
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def check_shape(data: dict[str, Any], report: Report) -> None:
    """Check a parsed project file against :data:`ROOT`; call ``report`` for every problem."""
    _check_section(data, ROOT, "", report)


def _check_section(data: Any, section: Section, prefix: str, report: Report) -> None:
    if not isinstance(data, dict):
        report(prefix, f"must be a table ([{prefix}]). Got {data!r}.")
        return
    if section.named is not None:
        for name, sub in data.items():
            where = _join(prefix, name)
            if not isinstance(sub, dict):
                report(where, f"must be a table ([{where}]). Got {sub!r}.")
                continue
            _check_section(sub, section.named, where, report)
        return
    allowed = section.allowed()
    for name, value in data.items():
        where = _join(prefix, name)
        if name in section.children:
            _check_section(value, section.children[name], where, report)
            continue
        key = section.key(name)
        if key is None:
            kinds = "table" if isinstance(value, dict) else "key"
            report(where, f"unknown {kinds}{did_you_mean(name, allowed)}; "
                          f"[{prefix or 'top level'}] takes: {', '.join(allowed)}")
            continue
        problem = key.check(value)
        if problem is not None:
            report(where, problem)
        elif key.kind == "section" and key.section is not None:
            _check_section(value, key.section, where, report)
    for key in section.keys:
        if key.required and key.name not in data:
            report(_join(prefix, key.name), "is required" + (f": {key.doc}" if key.doc else ""))


def walk(section: Section = ROOT, prefix: str = "") -> Iterator[tuple[str, Section]]:
    """Every section with its dotted name (``inputs.units``, ``layers.NAME``, ...)."""
    yield prefix, section
    if section.named is not None:
        yield from walk(section.named, _join(prefix, "NAME"))
    for name, child in section.children.items():
        yield from walk(child, _join(prefix, name))
    for key in section.keys:
        if key.section is not None:
            yield from walk(key.section, _join(prefix, key.name))


def defaults(section: Section) -> dict[str, Any]:
    """The default of every key of ``section`` that has one."""
    return {k.name: k.default for k in section.keys if k.default is not None}


def _default_text(key: Key) -> str:
    if key.required:
        return "required"
    if key.default is None or key.default == [] or key.default == "":
        return ""
    if isinstance(key.default, bool):
        return "true" if key.default else "false"
    if isinstance(key.default, str):
        return f'"{key.default}"'
    return str(key.default).replace("'", '"')


def reference_markdown() -> str:
    """The key reference of ``docs/project.md`` (a test checks the page holds it unchanged)."""
    from metrocircle.project.layers import LAYER_MODELS

    kinds = {"str": "text", "int": "integer", "float": "number", "bool": "true/false",
             "file": "file", "list": "list of text", "numbers": "list of numbers",
             "table": "table", "weights": "text or table", "number_or_file": "number or file",
             "section": "table", "joins": "list of tables"}
    out: list[str] = []
    for name, section in walk():
        if not section.keys:
            continue
        out += [f"### `[{name}]`", "", section.doc, "",
                "| key | type | default | meaning |", "|---|---|---|---|"]
        for key in section.keys:
            allowed = f" One of {', '.join(f'`{c}`' for c in key.choices)}." if key.choices \
                else ""
            out.append(f"| `{key.name}` | {kinds[key.kind]} | {_default_text(key)} | "
                       f"{key.doc}{allowed} |")
        out.append("")
    for model in LAYER_MODELS.values():
        out += [f"### Layer model `{model.name}`", "", model.doc, "",
                "| parameter | type | default | meaning |", "|---|---|---|---|"]
        out += [f"| `{k.name}` | {kinds[k.kind]} | {_default_text(k)} | {k.doc} |"
                for k in model.params]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
