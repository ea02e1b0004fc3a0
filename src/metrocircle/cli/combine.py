"""``metrocircle combine``: join adjacent areas into combined areas (OMB CSAs)."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from metrocircle.cli._common import ReadAll, parse_param_pairs, progress_bar
from metrocircle.exceptions import ParameterError

EXAMPLES = ("us-cbsa",)


def combine_command(
    method: str = typer.Argument(..., help="Method name: omb-csa."),
    membership: Path | None = typer.Option(
        None,
        "--membership",
        help="unit_id,area_id,status: a delineation's membership.csv or an official list.",
    ),
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
    adjacency: Path | None = typer.Option(
        None, "--adjacency", help="CSV of unit pairs, or a polygon file."
    ),
    units: Path | None = typer.Option(
        None, "--units", help="Units table (its population column for --param size=population)."
    ),
    units_id_col: str = typer.Option(
        "unit_id", "--units-id-col", help="Column of the unit code in --units."
    ),
    external: list[str] = typer.Option(
        [],
        "--external",
        help="Code of a place outside the study (e.g. abroad) that flows may name; repeatable.",
    ),
    param: list[str] = typer.Option(
        [], "--param", help="NAME=VALUE, repeatable; see 'metrocircle methods omb-csa'."
    ),
    example: str | None = typer.Option(
        None,
        "--example",
        help=f"Run on data shipped with the package: {', '.join(EXAMPLES)} (official July "
        "2023 CBSAs, ACS 2016-2020 flows).",
    ),
    out: Path = typer.Option(..., "--out", help="Output directory."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show progress bars."),
) -> None:
    """Combine adjacent areas: combined.csv, pairs.csv and run.json in --out."""
    from metrocircle.combine import combine, get_method
    from metrocircle.combine.output import write_combination
    from metrocircle.model import io
    from metrocircle.model.output import OutputDir

    cls = get_method(method)
    params = cls.parse_params(parse_param_pairs(param))
    if example is not None:
        if any(x is not None for x in (membership, flows, adjacency)):
            raise ParameterError("Give either --example or --membership/--flows/--adjacency.")
        if example not in EXAMPLES:
            raise ParameterError(
                f"Unknown example {example!r}. Choose one of: {', '.join(EXAMPLES)}."
            )
        from metrocircle.datasets import us_cbsa

        files = us_cbsa.files()
        inputs: dict[str, Path | None] = {
            "membership": Path(files["cores"]),
            "flows": Path(files["flows"]),
            "adjacency": Path(files["adjacency"]),
        }
    else:
        missing = [
            opt
            for opt, value in (
                ("--membership", membership),
                ("--flows", flows),
                ("--adjacency", adjacency),
            )
            if value is None
        ]
        if missing:
            raise ParameterError(
                f"{method} needs {', '.join(missing)} (or --example {EXAMPLES[0]})."
            )
        inputs = {"membership": membership, "flows": flows, "adjacency": adjacency, "units": units}
    # The output folder is checked before any work (never replacing an input or mixing runs).
    output = OutputDir(out, inputs=inputs, command=f"combine {method}")
    if example is not None:
        membership_df = us_cbsa.load_membership()
        flows_df = us_cbsa.load_flows()
        adjacency_df = us_cbsa.load_adjacency()
        units_df = None
        external = [*external, *us_cbsa.EXTERNAL_CODES]
    else:
        # Read every file before raising, so one error lists the problems of all of them.
        reader = ReadAll()
        units_df, flows_df, universe = reader.units_and_flows(
            units, flows, units_id_col=units_id_col, origin_col=origin_col,
            destination_col=destination_col, value_col=value_col, external=external)
        if universe is not None:
            universe = sorted(set(universe) - set(external))
        membership_df = reader.attempt(io.read_membership, membership, universe=universe,
                                         require_status=True)
        adjacency_df = reader.attempt(
            io.read_adjacency,
            adjacency,
            universe=universe,
            id_col=units_id_col,
            units_crs=getattr(units_df, "crs", None),
        )
        reader.raise_if_any()
    started = time.perf_counter()
    with progress_bar(progress) as callback:
        result = combine(
            method,
            membership_df,
            flows=flows_df,
            adjacency=adjacency_df,
            units=units_df,
            params=params,
            external=external,
            progress=callback,
        )
    elapsed = time.perf_counter() - started
    comparison = None
    if example == "us-cbsa":
        from metrocircle.datasets import us_cbsa

        cmp = us_cbsa.compare_to_official_csa(result.combined)
        comparison = {k: cmp[k] for k in ("precision", "recall", "f1", "pairs_official",
                                          "pairs_found", "pairs_agreeing")}
    with output:
        write_combination(
            result,
            output,
            extra_run_info={
                "compute_seconds": round(elapsed, 3),
                "example": example,
                "against_official_csa": comparison,
            },
        )
    info = result.info
    typer.echo(
        f"{method}: {info['areas']} areas, {info['adjacent_pairs']} adjacent pairs; "
        f"{info['combined_areas']} combined areas holding {info['areas_in_combined_areas']} areas"
    )
    if comparison is not None:
        typer.echo(
            "against OMB's July 2023 CSAs, pairs of CBSAs in one CSA: "
            f"precision {comparison['precision']:.3f}, recall {comparison['recall']:.3f}, "
            f"F1 {comparison['f1']:.3f}"
        )
    typer.echo(f"wrote combined.csv, pairs.csv, run.json to {out}")


def register(app: typer.Typer) -> None:
    app.command("combine")(combine_command)
