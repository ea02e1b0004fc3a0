"""``metrocircle delineate`` and ``metrocircle methods``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import cast

import typer

from metrocircle.cli._common import ReadAll, parse_param_pairs, progress_bar
from metrocircle.exceptions import ParameterError

EXAMPLES = ("us-cbsa", "us-cbsa-ua2010", "us-cbsa-ua2020")
#: Examples that derive the central counties from the Census urban areas, by vintage.
URBAN_EXAMPLES = {"us-cbsa-ua2010": 2010, "us-cbsa-ua2020": 2020}


def delineate_command(
    method: str = typer.Argument(..., help="Method name; see 'metrocircle methods'."),
    flows: Path | None = typer.Option(
        None, "--flows", help="Flow table: CSV, Parquet, GeoJSON, GeoPackage."
    ),
    origin_col: str = typer.Option(
        "origin", "--origin-col", help="Column of the origin (home) unit."
    ),
    destination_col: str = typer.Option(
        "destination", "--destination-col", help="Column of the destination (work) unit."
    ),
    value_col: str = typer.Option("value", "--value-col", help="Column of the flow value."),
    units: Path | None = typer.Option(None, "--units", help="Units table or polygon file."),
    units_id_col: str = typer.Option(
        "unit_id", "--units-id-col", help="Column of the unit code in --units."
    ),
    cores: Path | None = typer.Option(
        None, "--cores", help="CSV with unit_id,area_id[,core_group]."
    ),
    urban_areas: Path | None = typer.Option(
        None,
        "--urban-areas",
        help="Urban-area parts by unit (instead of --cores; omb-cbsa derives the central "
        "counties): ua_code, unit_id, population or land_area[, ua_population, ua_name, "
        "county_population]; the Census relationship file's own columns are read as they are.",
    ),
    urban_areas_col: list[str] = typer.Option(
        [],
        "--urban-areas-col",
        help="NAME=COLUMN: the column of --urban-areas holding NAME (ua_code, unit_id, "
        "population, land_area, ua_population, ua_name, county_population, "
        "county_urban_population); repeatable.",
    ),
    adjacency: Path | None = typer.Option(
        None, "--adjacency", help="CSV of unit pairs, or a polygon file."
    ),
    contiguity: str = typer.Option(
        "queen", "--contiguity", help="queen or rook, when --adjacency is a polygon file."
    ),
    tolerance_m: float = typer.Option(
        0.0, "--tolerance-m", help="Snapping tolerance (metres) for polygon adjacency."
    ),
    travel_times: Path | None = typer.Option(
        None, "--travel-times", help="CSV origin,destination,minutes."
    ),
    external: list[str] = typer.Option(
        [],
        "--external",
        help="Code of a place outside the study (e.g. abroad) that flows may name; repeatable.",
    ),
    param: list[str] = typer.Option(
        [], "--param", help="NAME=VALUE, repeatable; see 'metrocircle methods METHOD'."
    ),
    example: str | None = typer.Option(
        None, "--example", help=f"Run on data shipped with the package: {', '.join(EXAMPLES)}."
    ),
    encoding: str | None = typer.Option(
        None, "--encoding", help="Text encoding of the CSV inputs (e.g. gb18030, latin-1); "
        "detected when not given."
    ),
    sep: str | None = typer.Option(
        None, "--sep", help="Delimiter of the CSV inputs (',', ';', '\\t', '|'); sniffed "
        "when not given."
    ),
    units_layer: str | None = typer.Option(
        None, "--units-layer", help="Layer of --units when it is a GeoPackage with several."
    ),
    adjacency_layer: str | None = typer.Option(
        None, "--adjacency-layer",
        help="Layer of --adjacency when it is a GeoPackage with several.",
    ),
    out: Path = typer.Option(..., "--out", help="Output directory."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show progress bars."),
) -> None:
    """Delineate areas: membership.csv, areas.csv and run.json in --out."""
    from metrocircle.delineate import delineate, get_method
    from metrocircle.delineate.output import write_delineation
    from metrocircle.model import io
    from metrocircle.model.output import OutputDir
    from metrocircle.model.validation import Inputs

    cls = get_method(method)
    params = cls.parse_params(parse_param_pairs(param))
    ua_columns = _urban_area_columns(urban_areas_col)
    if cores is not None and urban_areas is not None:
        raise ParameterError("Give either --cores or --urban-areas, not both.")
    inputs: dict[str, Path | None] = {}
    notes: list[dict] = []
    validate = True
    urban_df = None
    if example is not None:
        if flows is not None:
            raise ParameterError("Give either --example or --flows, not both.")
        if example not in EXAMPLES:
            raise ParameterError(
                f"Unknown example {example!r}. Choose one of: {', '.join(EXAMPLES)}."
            )
        from metrocircle.datasets import us_cbsa

        vintage = URBAN_EXAMPLES.get(example, 2020)
        files = us_cbsa.files(vintage, urban_areas=example in URBAN_EXAMPLES)
        inputs = {name: Path(p) for name, p in files.items()}
    else:
        if flows is None:
            raise ParameterError("Give --flows FILE (or --example NAME).")
        inputs = {
            "flows": flows,
            "units": units,
            "cores": cores,
            "urban_areas": urban_areas,
            "adjacency": adjacency,
            "travel_times": travel_times,
        }
    # The output folder is checked before any work (never replacing an input or mixing runs).
    output = OutputDir(out, inputs=inputs, command=f"delineate {method}")
    if example is not None:
        flows_df = us_cbsa.load_flows(vintage)
        units_df = us_cbsa.load_units(vintage)
        adjacency_df = us_cbsa.load_adjacency(vintage)
        if example in URBAN_EXAMPLES:
            cores_df = None
            urban_df = us_cbsa.load_urban_areas(vintage)
        else:
            cores_df = us_cbsa.load_cores()
        travel_df = None
        external = [*external, *us_cbsa.EXTERNAL_CODES]
    else:
        # Every file is read and checked together (codes in one spelling, reference tables
        # restricted to the study) before anything is raised, so one error lists the problems
        # of all of them.
        reader = ReadAll()
        urban_df = (
            reader.attempt(io.read_urban_areas, urban_areas, columns=ua_columns)
            if urban_areas else None
        )
        read = reader.attempt(
            io.read_inputs, flows, units=units, cores=cores, adjacency=adjacency,
            travel_times=travel_times, external=external, origin_col=origin_col,
            destination_col=destination_col, value_col=value_col, units_id_col=units_id_col,
            contiguity=contiguity, tolerance_m=tolerance_m, encoding=encoding, sep=sep,
            units_layer=units_layer, adjacency_layer=adjacency_layer,
            keep_suppressed=getattr(cls, "reads_suppressed", False),
        )
        reader.raise_if_any()  # so read is not None below
        read = cast(Inputs, read)
        flows_df, units_df, cores_df = read.flows, read.units, read.cores
        adjacency_df, travel_df = read.adjacency, read.travel_times
        external = read.external
        notes = read.info()
        validate = False  # read_inputs checked them
    started = time.perf_counter()
    with progress_bar(progress) as callback:
        result = delineate(
            method,
            flows_df,
            units=units_df,
            cores=cores_df,
            adjacency=adjacency_df,
            travel_times=travel_df,
            params=params,
            external=external,
            progress=callback,
            validate=validate,
            urban_areas=urban_df,
        )
    if notes:
        result.info["inputs"] = notes
    elapsed = time.perf_counter() - started
    with output:
        written = write_delineation(
            result,
            output,
            extra_run_info={"compute_seconds": round(elapsed, 3), "example": example},
        )
    status = result.membership["status"].value_counts()
    summary = ", ".join(f"{n} {s}" for s, n in status.items())
    typer.echo(f"{method}: {len(result.areas)} areas; units: {summary}")
    left_out = result.info.get("urban_area_rows_left_out") or {}
    for reason, d in left_out.items():
        typer.echo(f"urban areas: {d['rows']} row(s) left out: {reason} (see run.json)")
    if "urban_area_source" in result.info:
        typer.echo(
            f"central counties from urban areas ({result.info['urban_area_source']}): "
            f"{result.info['cbsas_before_merges']} CBSAs before merges, "
            f"{result.info['merges']} merged; {result.info['metropolitan']} metropolitan, "
            f"{result.info['micropolitan']} micropolitan"
        )
    if example == "us-cbsa":
        from metrocircle.datasets import us_cbsa

        cmp = us_cbsa.compare_to_official(result.membership)
        typer.echo(
            f"against OMB July 2023: {cmp['outlying_correct']} of {cmp['outlying_official']} "
            "official outlying counties in their official CBSA; "
            f"{cmp['false_positives']} placed where OMB has none"
        )
    elif example in URBAN_EXAMPLES:
        from metrocircle.datasets import us_cbsa

        vintage = URBAN_EXAMPLES[example]
        fig = us_cbsa.compare_cbsas_to_official(result.membership, result.areas, vintage)["figures"]
        listed = "February 2013" if vintage == 2010 else "July 2023 (Connecticut left out)"
        typer.echo(
            f"against OMB {listed}: central counties {fig['central_right']} of "
            f"{fig['official_central']} (recall {fig['central_recall']:.1%}, precision "
            f"{fig['central_precision']:.1%}); counties in the matched CBSA "
            f"{fig['counties_right_share']:.1%}; {fig['areas']} areas (official "
            f"{fig['official_areas']}); type right {fig['type_right_share']:.1%}"
        )
    typer.echo(f"wrote {', '.join(p.name for p in written.values())}, run.json to {out}")


def _urban_area_columns(pairs: list[str]) -> dict[str, str]:
    """``--urban-areas-col NAME=COLUMN`` pairs, checked against the model's column names."""
    from metrocircle.model import schema as S

    mapping = parse_param_pairs(pairs, option="--urban-areas-col")
    known = [*S.URBAN_AREA_ALIASES, S.COUNTY_URBAN_POPULATION]
    unknown = sorted(set(mapping) - set(known))
    if unknown:
        raise ParameterError(
            f"--urban-areas-col has no column {', '.join(repr(u) for u in unknown)}. "
            f"Its columns are: {', '.join(known)}."
        )
    return mapping


def methods_command(
    method: str | None = typer.Argument(None, help="Show the parameters of one method."),
) -> None:
    """List delineation methods, or one method's parameters with defaults and ranges."""
    from rich.console import Console
    from rich.table import Table

    from metrocircle.delineate import available_methods, get_method

    console = Console()
    if method is None:
        for name in available_methods():
            cls = get_method(name)
            doc = (cls.__doc__ or "").strip().splitlines()
            console.print(f"[bold]{name}[/bold]  {doc[0] if doc else ''}")
        return
    cls = get_method(method)
    table = Table(title=f"{method} parameters (--param NAME=VALUE)")
    for col in ("name", "default", "allowed", "meaning"):
        table.add_column(col)
    for p in cls.params:
        table.add_row(p.name, repr(p.default), p.describe(), p.doc)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("delineate")(delineate_command)
    app.command("methods")(methods_command)
