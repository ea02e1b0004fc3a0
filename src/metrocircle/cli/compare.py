"""``metrocircle compare``: two delineations unit by unit, each change with its cause."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from metrocircle.cli._common import ReadAll
from metrocircle.cli._figures import FigureWriter

CHANGE_COLORS = {
    "joined": "#1a9850",
    "left": "#d73027",
    "moved": "#fc8d59",
    "in an area in both": "#abd9e9",
    "in no area in both": "#f7f7f7",
}


def _run_record(membership: Path) -> dict[str, Any] | None:
    """The ``run.json`` next to a membership file, when a delineation wrote it."""
    path = membership.parent / "run.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or "method" not in data or "params" not in data:
        return None
    return data


def compare_command(
    a: Path = typer.Argument(..., help="Delineation A: a membership.csv (unit_id, area_id ...)."),
    b: Path = typer.Argument(..., help="Delineation B: a membership.csv."),
    id_col: str = typer.Option("unit_id", "--id-col", help="Unit column of A (and of B)."),
    area_col: str = typer.Option("area_id", "--area-col", help="Area column of A (and of B)."),
    status_col: str = typer.Option(
        "status", "--status-col", help="Status column (core/member, or Central/Outlying)."
    ),
    id_col_b: str | None = typer.Option(None, "--id-col-b", help="Unit column of B, if other."),
    area_col_b: str | None = typer.Option(
        None, "--area-col-b", help="Area column of B, if other."
    ),
    status_col_b: str | None = typer.Option(
        None, "--status-col-b", help="Status column of B, if other."
    ),
    flows_a: Path | None = typer.Option(None, "--flows-a", help="The flows behind A."),
    flows_b: Path | None = typer.Option(None, "--flows-b", help="The flows behind B."),
    origin_col: str = typer.Option("origin", "--origin-col", help="Origin column of the flows."),
    destination_col: str = typer.Option(
        "destination", "--destination-col", help="Destination column of the flows."
    ),
    value_col: str = typer.Option("value", "--value-col", help="Value column of the flows."),
    external: list[str] = typer.Option(
        [], "--external", help="Code in the flows that is not a unit (e.g. abroad); repeatable."
    ),
    units_a: Path | None = typer.Option(
        None, "--units-a", help="The units of A (those A does not list are in no area)."
    ),
    units_b: Path | None = typer.Option(None, "--units-b", help="The units of B."),
    units: Path | None = typer.Option(
        None, "--units", help="Units of both (if --units-a/-b are not given); polygons for the map."
    ),
    units_id_col: str = typer.Option(
        "unit_id", "--units-id-col", help="Column of the unit code in the units files."
    ),
    threshold_a: float | None = typer.Option(
        None, "--threshold-a", help="A's share threshold, if its run.json does not record it."
    ),
    direction_a: str | None = typer.Option(
        None, "--direction-a", help="A's direction: outbound, inbound, either or both."
    ),
    threshold_b: float | None = typer.Option(None, "--threshold-b", help="B's share threshold."),
    direction_b: str | None = typer.Option(None, "--direction-b", help="B's direction."),
    caption: str | None = typer.Option(
        None, "--caption", help="Words for the caption, e.g. the publication of the data."
    ),
    maps: bool = typer.Option(True, "--maps/--no-maps", help="Draw the map of changes."),
    out: Path = typer.Option(..., "--out", help="Output directory."),
) -> None:
    """Compare two delineations: changes.csv (unit_id, change joined/left/moved/same, area_a,
    area_b, cause core/flows/rule) for the units present in both, only_in_one.csv for the
    others, and a map of changes in maps/ when --units has polygons."""
    import pandas as pd

    from metrocircle.model import io
    from metrocircle.model.output import OutputDir
    from metrocircle.robustness import compare
    from metrocircle.robustness.compare import Rule

    files = {
        "membership_a": a,
        "membership_b": b,
        "flows_a": flows_a,
        "flows_b": flows_b,
        "units_a": units_a,
        "units_b": units_b,
        "units": units,
    }
    output = OutputDir(out, inputs=files, command="compare")
    reader = ReadAll()
    m_a = reader.attempt(io.read_membership, a, id_col=id_col, area_col=area_col,
                         status_col=status_col)
    m_b = reader.attempt(io.read_membership, b, id_col=id_col_b or id_col,
                         area_col=area_col_b or area_col,
                         status_col=status_col_b or status_col)
    flow_opts = {"origin_col": origin_col, "destination_col": destination_col,
                 "value_col": value_col}
    f_a = reader.attempt(io.read_flows, flows_a, **flow_opts) if flows_a else None
    f_b = reader.attempt(io.read_flows, flows_b, **flow_opts) if flows_b else None
    u_all = reader.attempt(io.read_units, units, id_col=units_id_col) if units else None
    u_a = reader.attempt(io.read_units, units_a, id_col=units_id_col) if units_a else u_all
    u_b = reader.attempt(io.read_units, units_b, id_col=units_id_col) if units_b else u_all
    reader.raise_if_any()
    rules = []
    for path, threshold, direction in ((a, threshold_a, direction_a), (b, threshold_b,
                                                                       direction_b)):
        run = _run_record(path)
        rule = Rule.from_run(run, source=f"{path.parent.name}/run.json") if run else None
        if threshold is not None or direction is not None:
            base = rule or Rule(source="options")
            rule = Rule(
                threshold=threshold if threshold is not None else base.threshold,
                direction=direction if direction is not None else base.direction,
                method=base.method,
                params=base.params,
                source="options",
            )
        rules.append(rule)
    result = compare(
        m_a,
        m_b,
        flows_a=f_a,
        flows_b=f_b,
        units_a=u_a,
        units_b=u_b,
        rule_a=rules[0],
        rule_b=rules[1],
        external=external,
    )
    unmatched = pd.DataFrame(
        {
            "unit_id": pd.array(result.only_in_a + result.only_in_b, dtype="string"),
            "present_in": ["A"] * len(result.only_in_a) + ["B"] * len(result.only_in_b),
        }
    )
    with output:
        written = [
            output.write_table(result.changes, "changes.csv"),
            output.write_table(unmatched, "only_in_one.csv"),
        ]
        figures = FigureWriter(output, enabled=maps)
        polygons = u_all if u_all is not None and _has_polygons(u_all) else None
        if polygons is None and figures.enabled and figures.available:
            figures.notes.append(
                "no map: give unit polygons as --units (a GeoPackage or GeoJSON) to draw the "
                "changes"
            )
        else:
            source = ". ".join(
                x
                for x in (
                    caption,
                    f"A: {a.parent.name}/{a.name}, B: {b.parent.name}/{b.name}; "
                    f"polygons: {units.name}",
                )
                if x
            )
            figures.map("changes", polygons, lambda: _changes_map(result, polygons, source))
        output.record(
            compared=result.info,
            counts=result.counts,
            rules={k: vars(v) for k, v in result.rules.items()},
            only_in_a=result.only_in_a,
            only_in_b=result.only_in_b,
            maps=figures.record(),
        )
    c = result.counts
    typer.echo(
        f"{result.info['compared']} units compared: {c['joined']} joined, {c['left']} left, "
        f"{c['moved']} moved, {c['same']} same"
    )
    for change in ("joined", "left", "moved"):
        causes = c["by_cause"][change]
        if causes:
            typer.echo(f"  {change}: " + ", ".join(f"{n} {k}" for k, n in causes.items()))
    if result.only_in_a or result.only_in_b:
        typer.echo(
            "only units present in both inputs are compared: "
            f"{len(result.only_in_a)} only in A ({', '.join(result.only_in_a[:8])}"
            f"{' ...' if len(result.only_in_a) > 8 else ''}), "
            f"{len(result.only_in_b)} only in B ({', '.join(result.only_in_b[:8])}"
            f"{' ...' if len(result.only_in_b) > 8 else ''}); listed in only_in_one.csv"
        )
    for note in result.info["notes"]:
        typer.echo(note)
    written += figures.written
    typer.echo(f"wrote {', '.join(p.name for p in written)}, run.json to {out}")
    figures.echo()


def _has_polygons(table: Any) -> bool:
    from metrocircle.report.maps import has_polygons

    return has_polygons(table)


def _changes_map(result: Any, polygons: Any, source: str) -> Any:
    from metrocircle.report.maps import choropleth

    ch = result.changes
    kind = ch["change"].astype(str).where(
        ch["change"] != "same",
        ch["area_a"].notna().map({True: "in an area in both", False: "in no area in both"}),
    )
    c = result.counts
    causes = "; ".join(
        f"{k}: " + ", ".join(f"{n} {cause}" for cause, n in c["by_cause"][k].items())
        for k in ("joined", "left", "moved")
        if c["by_cause"][k]
    )
    return choropleth(
        polygons,
        ch.assign(kind=kind),
        column="kind",
        categorical=True,
        colors=CHANGE_COLORS,
        title=f"Changes from A to B: {c['joined']} joined, {c['left']} left, {c['moved']} moved",
        caption=(f"Causes: {causes}. " if causes else "")
        + f"Units present in one input only are not compared. {source}",
        legend_title="change",
    )


def register(app: typer.Typer) -> None:
    """Add the ``compare`` command to the metrocircle app."""
    app.command("compare")(compare_command)
