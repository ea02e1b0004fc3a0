"""Options and helpers shared by every command (one place, per the fio pattern)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from metrocircle.exceptions import InputError, ParameterError, Problem

T = TypeVar("T")


def parse_param_pairs(pairs: list[str] | None, option: str = "--param") -> dict[str, str]:
    """``["a=1", "b=x"]`` -> ``{"a": "1", "b": "x"}``; one error lists every malformed pair
    (``option`` names the command-line option in that error), and every name given twice."""
    out: dict[str, str] = {}
    bad: list[str] = []
    twice: list[str] = []
    for item in pairs or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            bad.append(item)
            continue
        if name.strip() in out and name.strip() not in twice:
            twice.append(name.strip())
        out[name.strip()] = value
    messages = []
    if bad:
        messages.append(f"{option} takes NAME=VALUE; could not read: "
                        + ", ".join(repr(b) for b in bad))
    if twice:
        messages.append(f"{option} gives {', '.join(repr(t) for t in twice)} more than once; "
                        "give each name once")
    if messages:
        raise ParameterError(". ".join(messages) + ".")
    return out


@contextlib.contextmanager
def progress_bar(enabled: bool = True) -> Iterator:
    """Yield a ``progress(step, fraction)`` callback rendered as a rich progress bar on stderr."""
    if not enabled:
        yield lambda step, frac: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:  # nothing to draw (older rich still printed a blank line)
        yield lambda step, frac: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def callback(step: str, fraction: float) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=1.0)
            bar.update(tasks[step], completed=max(0.0, min(1.0, float(fraction))))

        yield callback


class ReadAll:
    """Read several input files and report the problems of all of them in one error.

    ``attempt(read, *args)`` calls a reader; an :class:`~metrocircle.InputError` is kept and
    ``None`` returned, so the next file is still read. ``raise_if_any()`` then raises one
    error listing every problem.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        #: what the data model did to the inputs (codes padded, rows set aside, ...), for
        #: ``run.json``; each was also logged as a warning on the console
        self.notes: list[Any] = []

    def attempt(self, read: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            return read(*args, **kwargs)
        except InputError as err:
            self.problems.extend(err.problems)
            return None

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)

    def units_and_flows(
        self,
        units: Any,
        flows: Any,
        *,
        units_id_col: str,
        origin_col: str,
        destination_col: str,
        value_col: str,
        **flow_options: Any,
    ) -> tuple[Any, Any, list[str] | None]:
        """Read the units (if given) and the flows together (:func:`metrocircle.model.read_inputs`:
        codes in one spelling, the units restricted to those the flows name); return them and
        the unit codes to check the other files against: the units' codes, else the codes the
        flow file names (even when it has problems, so the other files are checked in the same
        run), else None. ``flow_options`` are ``external``, ``encoding``, ``sep``,
        ``units_layer``."""
        from metrocircle.model import io

        inputs = self.attempt(
            io.read_inputs, flows, units=units, units_id_col=units_id_col,
            origin_col=origin_col, destination_col=destination_col, value_col=value_col,
            **flow_options,
        )
        if inputs is not None:
            self.notes.extend(inputs.notes)
            units_df, flows_df = inputs.units, inputs.flows
            universe = (
                sorted(units_df["unit_id"].astype(str)) if units_df is not None
                else _codes_in_flows(flows_df, flows, origin_col, destination_col)
            )
            return units_df, flows_df, universe
        universe = None
        if units is not None:
            raw = _raw_codes(units, [units_id_col])
            universe = raw
        if universe is None:
            universe = _codes_in_flows(None, flows, origin_col, destination_col)
        return None, None, universe


def _raw_codes(path: Any, columns: list[str]) -> list[str] | None:
    """The codes in ``columns`` of a file, even when it has problems; None if they cannot be
    read at all."""
    from metrocircle.model.io import read_table
    from metrocircle.model.validation import as_codes, code_set

    try:
        raw, _ = read_table(path)
    except (InputError, TypeError):
        return None
    if not all(c in raw.columns for c in columns):
        return None
    codes: set[str] = set()
    for c in columns:
        codes |= code_set(as_codes(raw[c]))
    return sorted(codes - {""})


def _codes_in_flows(flows_df: Any, path: Any, origin_col: str,
                    destination_col: str) -> list[str] | None:
    """The unit codes of the flows, even when the flow file has problems; None if they cannot
    be read at all."""
    from metrocircle.model.schema import SUPPRESSED
    from metrocircle.model.validation import code_set

    if flows_df is not None:
        return sorted((code_set(flows_df["origin"]) | code_set(flows_df["destination"]))
                      - {SUPPRESSED})
    codes = _raw_codes(path, [origin_col, destination_col])
    return None if codes is None else sorted(set(codes) - {SUPPRESSED})


def given(ctx: Any, name: str) -> bool:
    """Whether option ``name`` (its Python name) was given on the command line, not defaulted.

    With ``--example``, an option the user did not give takes the value of the shipped
    project's step, so that the example and the demo agree.
    """
    source = ctx.get_parameter_source(name)
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")


def example_run(example: str, steps: list[str], callback: Callable[[str, float], None],
                overrides: dict[str, Any] | None = None) -> Any:
    """Run, in memory, the steps of a shipped project that ``steps`` need (see
    :func:`metrocircle.project.example_results`)."""
    from metrocircle.project import example_results

    return example_results(example, steps, overrides=overrides, progress=callback)


# ---------------------------------------------------------------------------------------------
# The inputs of a delineation, shared by 'delineate', 'sensitivity' and 'uncertainty'
# ---------------------------------------------------------------------------------------------
#: Data shipped with the package, by --example name: (vintage of us_cbsa, what it is).
DELINEATION_EXAMPLES: dict[str, tuple[int, str]] = {
    "us-cbsa": (
        2020,
        "ACS 2016-2020 county-to-county commuting flows (US Census Bureau); central counties of "
        "OMB's July 2023 delineation (Bulletin 23-01); county adjacency with water boundaries",
    ),
    "us-cbsa-2010": (
        2010,
        "ACS 2009-2013 county-to-county commuting flows with their 90 % margins of error (US "
        "Census Bureau); central counties of OMB's February 2013 delineation (Bulletin 13-01); "
        "county adjacency in 2010 geography",
    ),
    "us-cbsa-ua2010": (
        2010,
        "ACS 2009-2013 county-to-county commuting flows (US Census Bureau); central counties "
        "derived from the Census 2010 urban areas by county; county adjacency in 2010 geography",
    ),
    "us-cbsa-ua2020": (
        2020,
        "ACS 2016-2020 county-to-county commuting flows (US Census Bureau); central counties "
        "derived from the Census 2020 urban areas (land parts by county, ACS 2018-2022 "
        "populations); county adjacency with water boundaries",
    ),
}
#: Examples that derive the central counties from the Census urban areas (not given cores).
URBAN_EXAMPLES = ("us-cbsa-ua2010", "us-cbsa-ua2020")
US_POLYGONS_NOTE = (
    "County polygons: Census 2017 cartographic boundaries (us-atlas 3.0.1); the 48 states and "
    "DC are drawn"
)


def input_options() -> dict[str, Any]:
    """The typer options of the delineation inputs, by parameter name (one definition for every
    command that reads them; their defaults are shown in --help)."""
    import typer

    return {
        "flows": typer.Option(
            None, "--flows", help="Flow table: CSV, Parquet, GeoJSON, GeoPackage."
        ),
        "origin_col": typer.Option(
            "origin", "--origin-col", help="Column of the origin (home) unit."
        ),
        "destination_col": typer.Option(
            "destination", "--destination-col", help="Column of the destination (work) unit."
        ),
        "value_col": typer.Option("value", "--value-col", help="Column of the flow value."),
        "units": typer.Option(None, "--units", help="Units table or polygon file."),
        "units_id_col": typer.Option(
            "unit_id", "--units-id-col", help="Column of the unit code in --units."
        ),
        "cores": typer.Option(None, "--cores", help="CSV with unit_id,area_id[,core_group]."),
        "adjacency": typer.Option(
            None, "--adjacency", help="CSV of unit pairs, or a polygon file."
        ),
        "contiguity": typer.Option(
            "queen", "--contiguity", help="queen or rook, when --adjacency is a polygon file."
        ),
        "tolerance_m": typer.Option(
            0.0, "--tolerance-m", help="Snapping tolerance (metres) for polygon adjacency."
        ),
        "travel_times": typer.Option(
            None, "--travel-times", help="CSV origin,destination,minutes."
        ),
        "external": typer.Option(
            [],
            "--external",
            help="Code of a place outside the study (e.g. abroad) that flows may name; "
            "repeatable.",
        ),
        "param": typer.Option(
            [], "--param", help="NAME=VALUE, repeatable; see 'metrocircle methods METHOD'."
        ),
        "encoding": typer.Option(
            None, "--encoding", help="Text encoding of the CSV inputs (e.g. gb18030, latin-1); "
            "detected when not given."
        ),
        "sep": typer.Option(
            None, "--sep", help="Delimiter of the CSV inputs (',', ';', '\\t', '|'); sniffed "
            "when not given."
        ),
        "units_layer": typer.Option(
            None, "--units-layer", help="Layer of --units when it is a GeoPackage with several."
        ),
        "adjacency_layer": typer.Option(
            None, "--adjacency-layer",
            help="Layer of --adjacency when it is a GeoPackage with several.",
        ),
        "example": typer.Option(
            None,
            "--example",
            help="Run on data shipped with the package: "
            f"{', '.join(DELINEATION_EXAMPLES)}.",
        ),
    }


#: the options of a delineation command that name its files, and those that say how to read them
_LOCATE_OPTIONS = ("example", "flows", "units", "cores", "adjacency", "travel_times", "urban_areas")
_READ_OPTIONS = (
    "origin_col", "destination_col", "value_col", "units_id_col", "contiguity", "tolerance_m",
    "external", "moe_col", "encoding", "sep", "units_layer", "adjacency_layer",
)


@dataclass
class DelineationInputs:
    """The tables of one delineation, read and checked together.

    Built in two steps so that the output folder is checked before any work:
    :meth:`locate` names the files (for ``OutputDir``), :meth:`read` reads them.
    """

    example: str | None
    paths: dict[str, Path | None]
    flows: Any = None
    units: Any = None
    cores: Any = None
    adjacency: Any = None
    travel_times: Any = None
    urban_areas: Any = None
    external: list[str] = field(default_factory=list)
    #: what the data model did to the user's files (codes padded, rows set aside), for run.json
    notes: list[dict[str, Any]] = field(default_factory=list)
    #: whether the tables were checked together already (user files: read_inputs)
    validated: bool = False

    @classmethod
    def locate(
        cls,
        *,
        example: str | None,
        flows: Path | None,
        units: Path | None = None,
        cores: Path | None = None,
        adjacency: Path | None = None,
        travel_times: Path | None = None,
        urban_areas: Path | None = None,
    ) -> DelineationInputs:
        """The input files by name (those of the example, or those given)."""
        if cores is not None and urban_areas is not None:
            raise ParameterError("Give either --cores or --urban-areas, not both.")
        if example is not None:
            if flows is not None:
                raise ParameterError("Give either --example or --flows, not both.")
            if example not in DELINEATION_EXAMPLES:
                raise ParameterError(
                    f"Unknown example {example!r}. Choose one of: "
                    f"{', '.join(DELINEATION_EXAMPLES)}."
                )
            from metrocircle.datasets import us_cbsa

            vintage = DELINEATION_EXAMPLES[example][0]
            files = us_cbsa.files(vintage, urban_areas=example in URBAN_EXAMPLES)
            return cls(example, {k: Path(v) for k, v in files.items()})
        if flows is None:
            raise ParameterError("Give --flows FILE (or --example NAME).")
        return cls(
            None,
            {
                "flows": flows,
                "units": units,
                "cores": cores,
                "urban_areas": urban_areas,
                "adjacency": adjacency,
                "travel_times": travel_times,
            },
        )

    @classmethod
    def open(
        cls,
        options: dict[str, Any],
        *,
        out: Path,
        command: str,
        needs_cores: bool = False,
        **read: Any,
    ) -> tuple[DelineationInputs, Any]:
        """Locate, check the output folder, then read: the order every delineation command
        follows. ``options`` holds the command's input options by their parameter names (those
        of :func:`input_options`; names it lacks keep their defaults); ``read`` adds keywords
        of :meth:`read`. Returns the tables and the :class:`OutputDir` to write into."""
        from metrocircle.model.output import OutputDir

        tables = cls.locate(**{k: options[k] for k in _LOCATE_OPTIONS if k in options})
        if needs_cores:
            tables.require_cores(command.split()[0])
        # The output folder is checked before any work (never replacing an input or mixing runs).
        output = OutputDir(out, inputs=tables.paths, command=command)
        tables.read(**{k: options[k] for k in _READ_OPTIONS if k in options}, **read)
        return tables, output

    @property
    def vintage(self) -> int | None:
        """The us_cbsa vintage of the example (None for user files)."""
        return DELINEATION_EXAMPLES[self.example][0] if self.example else None

    def read(
        self,
        *,
        origin_col: str = "origin",
        destination_col: str = "destination",
        value_col: str = "value",
        units_id_col: str = "unit_id",
        contiguity: str = "queen",
        tolerance_m: float = 0.0,
        external: list[str] | None = None,
        moe_col: str | None = None,
        urban_area_columns: dict[str, str] | None = None,
        keep_suppressed: bool = False,
        encoding: str | None = None,
        sep: str | None = None,
        units_layer: str | None = None,
        adjacency_layer: str | None = None,
    ) -> DelineationInputs:
        """Read every file before raising, so that one error lists the problems of all of them;
        ``moe_col`` names the flows' margin-of-error column (kept as ``moe``),
        ``urban_area_columns`` maps the columns of ``--urban-areas``, ``keep_suppressed`` keeps
        the ``(suppressed)`` rows of a published OD for the methods that count them."""
        from metrocircle.model import io

        self.external = list(external or [])
        if self.example is not None:
            from metrocircle.datasets import us_cbsa

            v = self.vintage or 2020
            self.flows = us_cbsa.load_flows(v)
            if moe_col is None:
                self.flows = self.flows.drop(columns="moe", errors="ignore")
            elif moe_col not in self.flows.columns:
                raise InputError(
                    [
                        Problem(
                            f"example {self.example}",
                            f"the flows have no column {moe_col!r} (margins of error ship "
                            "with us-cbsa-2010 as 'moe')",
                        )
                    ]
                )
            else:
                self.flows = self.flows.rename(columns={moe_col: "moe"})
            self.units = us_cbsa.load_units(v)
            if self.example in URBAN_EXAMPLES:
                self.urban_areas = us_cbsa.load_urban_areas(v)
            else:
                self.cores = us_cbsa.load_cores(v)
            self.adjacency = us_cbsa.load_adjacency(v)
            self.travel_times = None
            self.external = [*self.external, *us_cbsa.EXTERNAL_CODES]
            return self
        # Every file is read and checked together (codes in one spelling, reference tables
        # restricted to the study) before anything is raised, so one error lists the problems
        # of all of them.
        p = self.paths
        reader = ReadAll()
        self.urban_areas = (
            reader.attempt(io.read_urban_areas, p["urban_areas"], columns=urban_area_columns)
            if p.get("urban_areas")
            else None
        )
        read = reader.attempt(
            io.read_inputs, p["flows"], units=p["units"], cores=p["cores"],
            adjacency=p["adjacency"], travel_times=p["travel_times"], external=self.external,
            origin_col=origin_col, destination_col=destination_col, value_col=value_col,
            units_id_col=units_id_col, contiguity=contiguity, tolerance_m=tolerance_m,
            encoding=encoding, sep=sep, units_layer=units_layer,
            adjacency_layer=adjacency_layer, keep_suppressed=keep_suppressed, moe_col=moe_col,
        )
        reader.raise_if_any()
        read = cast(Any, read)  # not None: raise_if_any raised otherwise
        self.flows, self.units, self.cores = read.flows, read.units, read.cores
        self.adjacency, self.travel_times = read.adjacency, read.travel_times
        self.external = list(read.external)
        self.notes = read.info()
        self.validated = True
        return self

    def require_cores(self, command: str) -> None:
        """Commands that run a method many times on one prepared context need given cores."""
        if self.example in URBAN_EXAMPLES:
            raise ParameterError(
                f"{command} runs on given central counties; the example {self.example} derives "
                "them from urban areas. Use --example us-cbsa or us-cbsa-2010."
            )

    def polygons(self) -> Any:
        """Unit polygons for maps: the units' own (when --units has geometry), the example's
        counties, or None."""
        from metrocircle.report.maps import has_polygons

        if has_polygons(self.units):
            return self.units
        if self.example is not None:
            from metrocircle.datasets import us_cbsa

            return us_cbsa.load_polygons(conterminous=True)
        return None

    def source_note(self, caption: str | None = None) -> str:
        """Where the data come from, for the captions of maps and charts: the example's
        publications, or the file names (after ``caption``, the user's own words)."""
        parts = [caption.strip().rstrip(".")] if caption else []
        if self.example is not None:
            parts.append("Data: " + DELINEATION_EXAMPLES[self.example][1])
            parts.append(US_POLYGONS_NOTE)
        else:
            named = [f"{k.replace('_', ' ')} {v.name}" for k, v in self.paths.items() if v]
            parts.append("Data: " + ", ".join(named))
        return ". ".join(parts) + "."
