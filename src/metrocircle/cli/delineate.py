"""``metrocircle delineate`` and ``metrocircle methods``."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from metrocircle.cli._common import (
    DELINEATION_EXAMPLES,
    URBAN_EXAMPLES,
    DelineationInputs,
    input_options,
    parse_param_pairs,
    progress_bar,
)
from metrocircle.exceptions import ParameterError

_IN = input_options()
EXAMPLES = tuple(DELINEATION_EXAMPLES)


def delineate_command(
    method: str = typer.Argument(..., help="Method name; see 'metrocircle methods'."),
    flows: Path | None = _IN["flows"],
    origin_col: str = _IN["origin_col"],
    destination_col: str = _IN["destination_col"],
    value_col: str = _IN["value_col"],
    units: Path | None = _IN["units"],
    units_id_col: str = _IN["units_id_col"],
    cores: Path | None = _IN["cores"],
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
    adjacency: Path | None = _IN["adjacency"],
    contiguity: str = _IN["contiguity"],
    tolerance_m: float = _IN["tolerance_m"],
    travel_times: Path | None = _IN["travel_times"],
    external: list[str] = _IN["external"],
    param: list[str] = _IN["param"],
    example: str | None = _IN["example"],
    encoding: str | None = _IN["encoding"],
    sep: str | None = _IN["sep"],
    units_layer: str | None = _IN["units_layer"],
    adjacency_layer: str | None = _IN["adjacency_layer"],
    out: Path = typer.Option(..., "--out", help="Output directory."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show progress bars."),
) -> None:
    """Delineate areas: membership.csv, areas.csv and run.json in --out."""
    from metrocircle.delineate import delineate, get_method
    from metrocircle.delineate.output import write_delineation

    cls = get_method(method)
    params = cls.parse_params(parse_param_pairs(param))
    ua_columns = _urban_area_columns(urban_areas_col)
    tables, output = DelineationInputs.open(
        locals(),
        out=out,
        command=f"delineate {method}",
        urban_area_columns=ua_columns,
        keep_suppressed=getattr(cls, "reads_suppressed", False),
    )
    started = time.perf_counter()
    with progress_bar(progress) as callback:
        result = delineate(
            method,
            tables.flows,
            units=tables.units,
            cores=tables.cores,
            adjacency=tables.adjacency,
            travel_times=tables.travel_times,
            params=params,
            external=tables.external,
            progress=callback,
            validate=not tables.validated,
            urban_areas=tables.urban_areas,
        )
    if tables.notes:
        result.info["inputs"] = tables.notes
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
    if example in URBAN_EXAMPLES:
        from metrocircle.datasets import us_cbsa

        vintage = tables.vintage or 2020
        fig = us_cbsa.compare_cbsas_to_official(result.membership, result.areas, vintage)["figures"]
        listed = "February 2013" if vintage == 2010 else "July 2023 (Connecticut left out)"
        typer.echo(
            f"against OMB {listed}: central counties {fig['central_right']} of "
            f"{fig['official_central']} (recall {fig['central_recall']:.1%}, precision "
            f"{fig['central_precision']:.1%}); counties in the matched CBSA "
            f"{fig['counties_right_share']:.1%}; {fig['areas']} areas (official "
            f"{fig['official_areas']}); type right {fig['type_right_share']:.1%}"
        )
    elif tables.vintage is not None:
        from metrocircle.datasets import us_cbsa

        cmp = us_cbsa.compare_to_official(result.membership, vintage=tables.vintage)
        which = "July 2023" if tables.vintage == 2020 else "February 2013"
        typer.echo(
            f"against OMB {which}: {cmp['outlying_correct']} of {cmp['outlying_official']} "
            "official outlying counties in their official CBSA; "
            f"{cmp['false_positives']} placed where OMB has none"
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
    """List delineation and combination methods, or one method's parameters with defaults and
    ranges."""
    import importlib

    from rich.console import Console
    from rich.table import Table

    combination = importlib.import_module("metrocircle.combine")
    delineation = importlib.import_module("metrocircle.delineate")

    console = Console()
    families = (("delineate", delineation), ("combine", combination))
    if method is None:
        for command, family in families:
            for name in family.available_methods():
                cls = family.get_method(name)
                doc = (cls.__doc__ or "").strip().splitlines()
                console.print(f"[bold]{name}[/bold] ({command})  {doc[0] if doc else ''}")
        return
    if method in combination.available_methods():
        cls = combination.get_method(method)
    else:
        cls = delineation.get_method(method)  # its error lists the delineation methods
    table = Table(title=f"{method} parameters (--param NAME=VALUE)")
    for col in ("name", "default", "allowed", "meaning"):
        table.add_column(col)
    for p in cls.params:
        table.add_row(p.name, repr(p.default), p.describe(), p.doc)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("delineate")(delineate_command)
    app.command("methods")(methods_command)
