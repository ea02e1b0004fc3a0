"""``metrocircle uncertainty``: a delineation method on replicate flow tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from metrocircle.cli._common import (
    DelineationInputs,
    input_options,
    parse_param_pairs,
    progress_bar,
)
from metrocircle.cli._figures import FigureWriter
from metrocircle.exceptions import ParameterError

_IN = input_options()


def uncertainty_command(
    method: str = typer.Argument(..., help="Method name; see 'metrocircle methods'."),
    moe_col: str | None = typer.Option(
        None,
        "--moe-col",
        help="Column of each flow's 90 % margin of error (as the ACS publishes it).",
    ),
    relative_error: float | None = typer.Option(
        None,
        "--relative-error",
        help="For flows without margins: each flow's standard deviation as a share of its "
        "value (e.g. 0.1).",
    ),
    replicates: int = typer.Option(1000, "--replicates", help="Replicate flow tables to draw."),
    random_state: int = typer.Option(0, "--random-state", help="Seed of the draws."),
    confidence: float = typer.Option(
        0.9, "--confidence", help="Width of the interval of the share that decided each unit."
    ),
    jobs: int = typer.Option(
        1, "--jobs", help="Worker processes (0 = every core); the result does not depend on it."
    ),
    flows: Path | None = _IN["flows"],
    origin_col: str = _IN["origin_col"],
    destination_col: str = _IN["destination_col"],
    value_col: str = _IN["value_col"],
    units: Path | None = _IN["units"],
    units_id_col: str = _IN["units_id_col"],
    cores: Path | None = _IN["cores"],
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
    caption: str | None = typer.Option(
        None, "--caption", help="Words for the captions, e.g. the publication of the data."
    ),
    maps: bool = typer.Option(True, "--maps/--no-maps", help="Draw the map."),
    out: Path = typer.Option(..., "--out", help="Output directory."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show progress bars."),
) -> None:
    """Delineate replicate flow tables drawn from the flows' margins of error (normal, sd =
    moe / 1.645, cut at 0) or a relative error: probabilities.csv (each unit's probability of
    each area), units.csv (status, area and probability of that status, interval of the share
    that decided it), membership.csv of the run on the published flows, and a map of membership
    probability in maps/."""
    from metrocircle.delineate import get_method
    from metrocircle.robustness import uncertainty

    cls = get_method(method)
    params = cls.parse_params(parse_param_pairs(param))
    if moe_col is None and relative_error is None:
        raise ParameterError(
            "Sampling uncertainty needs each flow's error: give --moe-col COLUMN (the flows' "
            "90 % margins of error) or --relative-error X for flows without margins."
        )
    if moe_col is not None and relative_error is not None:
        raise ParameterError("Give either --moe-col or --relative-error, not both.")
    tables, output = DelineationInputs.open(
        locals(), out=out, command=f"uncertainty {method}", needs_cores=True
    )
    with progress_bar(progress) as callback:
        result = uncertainty(
            method,
            tables.flows,
            units=tables.units,
            cores=tables.cores,
            adjacency=tables.adjacency,
            travel_times=tables.travel_times,
            params=params,
            external=tables.external,
            relative_error=relative_error,
            replicates=replicates,
            random_state=random_state,
            confidence=confidence,
            jobs=jobs,
            progress=callback,
        )
    with output:
        written = [
            output.write_table(result.probabilities, "probabilities.csv"),
            output.write_table(result.units, "units.csv"),
            output.write_table(result.reference.membership, "membership.csv"),
        ]
        figures = FigureWriter(output, enabled=maps)
        polygons = figures.polygons(tables)
        source = tables.source_note(caption)
        figures.map(
            "membership_probability",
            polygons,
            lambda: _probability_map(result, polygons, source),
        )
        output.record(
            method=method,
            params=result.params,
            example=example,
            info=result.info,
            maps=figures.record(),
        )
    u = result.units
    unsure = int((u["p_status"] < 0.9).sum())
    typer.echo(
        f"{method} on {result.info['replicates']} replicate flow tables "
        f"({result.info['error_model']}) in {result.info['seconds']} s: {unsure} of {len(u)} "
        "units keep their status in fewer than 90 % of the replicates"
    )
    written += figures.written
    typer.echo(f"wrote {', '.join(p.name for p in written)}, run.json to {out}")
    figures.echo()


def _probability_map(result: Any, polygons: Any, source: str) -> Any:
    from metrocircle.report.maps import choropleth

    info = result.info
    cores = result.units.loc[result.units["status"] == "core", "unit_id"].astype(str)
    return choropleth(
        polygons,
        result.units,
        column="p_in_area",
        title=f"Membership probability ({result.method}): share of {info['replicates']} "
        "replicate flow tables in which each unit is in an area",
        caption=f"Replicates: {info['error_model']}, random state {info['random_state']}. "
        f"{source}",
        legend_title="probability of being in an area",
        cmap="YlGnBu",
        vmin=0.0,
        vmax=1.0,
        outline=list(cores),
        outline_label="core",
    )


def register(app: typer.Typer) -> None:
    """Add the ``uncertainty`` command to the metrocircle app."""
    app.command("uncertainty")(uncertainty_command)
