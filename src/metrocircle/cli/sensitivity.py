"""``metrocircle sensitivity``: a delineation method over a grid of one or two parameters."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd
import typer

from metrocircle.cli._common import (
    DelineationInputs,
    input_options,
    parse_param_pairs,
    progress_bar,
)
from metrocircle.cli._figures import FigureWriter

logger = logging.getLogger(__name__)
_IN = input_options()
TOP_AREAS = 10


def sensitivity_command(
    method: str = typer.Argument(..., help="Method name; see 'metrocircle methods'."),
    vary: list[str] = typer.Option(
        ...,
        "--vary",
        help="NAME=START:STOP:STEP (both ends included) or NAME=V1,V2,...; once or twice.",
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
    maps: bool = typer.Option(True, "--maps/--no-maps", help="Draw the map and the chart."),
    out: Path = typer.Option(..., "--out", help="Output directory."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show progress bars."),
) -> None:
    """Run a method over a range of parameter values: units.csv (share of runs in an area, the
    interval over which each unit keeps its placement, the nearest value where it flips),
    areas.csv (each area's size per value), runs.csv, and a stability map and a chart of area
    size against the parameter in maps/."""
    from metrocircle.delineate import get_method
    from metrocircle.robustness import parse_vary, sensitivity

    cls = get_method(method)
    params = cls.parse_params(parse_param_pairs(param))
    varies = parse_vary(vary, method)  # malformed or unknown: fail before reading any file
    tables, output = DelineationInputs.open(
        locals(), out=out, command=f"sensitivity {method}", needs_cores=True
    )
    with progress_bar(progress) as callback:
        result = sensitivity(
            method,
            tables.flows,
            vary={v.name: list(v.values) for v in varies},
            units=tables.units,
            cores=tables.cores,
            adjacency=tables.adjacency,
            travel_times=tables.travel_times,
            params=params,
            external=tables.external,
            progress=callback,
        )
    with output:
        written = [
            output.write_table(result.units, "units.csv"),
            output.write_table(result.areas, "areas.csv"),
            output.write_table(result.runs, "runs.csv"),
            output.write_table(result.memberships, "membership_by_run.csv"),
        ]
        figures = FigureWriter(output, enabled=maps)
        source = tables.source_note(caption)
        polygons = figures.polygons(tables) if maps else None
        figures.chart("area_size", lambda: _size_chart(result, source))
        figures.map("stability", polygons, lambda: _stability_map(result, polygons, source))
        output.record(
            method=method,
            params=result.params,
            vary={v.name: list(v.values) for v in result.vary},
            example=example,
            info=result.info,
            maps=figures.record(),
        )
    _report(result)
    written += figures.written
    typer.echo(f"wrote {', '.join(p.name for p in written)}, run.json to {out}")
    figures.echo()


def _axis_runs(result: Any, name: str) -> pd.DataFrame:
    """The runs along ``name`` with every other varied parameter at its reference value."""
    runs = result.runs
    keep = pd.Series(True, index=runs.index)
    for v in result.vary:
        if v.name != name:
            keep &= runs[v.name] == result.params[v.name]
    return runs[keep]


def _size_chart(result: Any, source: str) -> Any:
    from metrocircle.report.maps import line_chart

    first = result.vary[0].name
    runs = _axis_runs(result, first)
    areas = result.areas[result.areas["run"].isin(set(runs["run"]))]
    spread = areas.groupby("area_id")["n_units"].agg(lambda s: s.max() - s.min())
    ref_run = int(result.runs.loc[result.runs["reference"], "run"].iloc[0])
    ref_size = areas[areas["run"] == ref_run].set_index("area_id")["n_units"]
    order = (
        pd.DataFrame({"spread": spread, "size": ref_size.reindex(spread.index).fillna(0)})
        .sort_values(["spread", "size"], ascending=False)
        .head(TOP_AREAS)
    )
    top = areas[areas["area_id"].isin(set(order.index))]
    top = top.assign(area_id=pd.Categorical(top["area_id"], categories=list(order.index)))
    top = top.sort_values(["area_id", first])
    others = [
        f"{v.name} = {result.params[v.name]}" for v in result.vary if v.name != first
    ]
    title = f"Units per area against {first}: the {len(order)} areas whose size changes most"
    reference = result.params[first]
    marks = {"reference": reference} if isinstance(reference, int | float) else None
    note = f" ({'; '.join(others)})" if others else ""
    return line_chart(
        top.assign(area_id=top["area_id"].astype(str)),
        x=first,
        y="n_units",
        group="area_id",
        title=title,
        caption=f"{result.method}, {first} varied{note}; cores and members counted. {source}",
        ylabel="units in the area",
        marks=marks,
    )


def _stability_map(result: Any, polygons: Any, source: str) -> Any:
    from metrocircle.report.maps import choropleth

    ranges = ", ".join(
        f"{v.name} {v.values[0]} to {v.values[-1]}" if len(v.values) > 1 else f"{v.name}"
        for v in result.vary
    )
    grid = int(result.runs["in_grid"].sum())
    cores = result.units.loc[result.units["status"] == "core", "unit_id"].astype(str)
    return choropleth(
        polygons,
        result.units,
        column="in_area_share",
        title=f"Stability of {result.method}: share of {grid} runs ({ranges}) in which each "
        "unit is in an area",
        caption=f"1 = in an area at every value, 0 = at none. {source}",
        legend_title="share of runs in an area",
        cmap="YlGnBu",
        vmin=0.0,
        vmax=1.0,
        outline=list(cores),
        outline_label="core",
    )


def _report(result: Any) -> None:
    units = result.units
    moved = int((units["same_share"] < 1).sum())
    names = ", ".join(
        f"{v.name} {v.values[0]}..{v.values[-1]} ({len(v.values)} values)" for v in result.vary
    )
    typer.echo(
        f"{result.method} over {names}: {len(result.runs)} runs in {result.info['seconds']} s; "
        f"{moved} of {len(units)} units change placement somewhere in the grid"
    )


def register(app: typer.Typer) -> None:
    """Add the ``sensitivity`` command to the metrocircle app."""
    app.command("sensitivity")(sensitivity_command)
