"""``metrocircle access``: travel times, commuting circles, isochrone bands and scenarios."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from metrocircle.exceptions import ParameterError


def _window(text: str) -> tuple[str, str]:
    parts = text.split("-")
    if len(parts) != 2:
        raise ParameterError(f"The 'window' parameter of access must be HH:MM-HH:MM. Got {text!r}.")
    return parts[0].strip(), parts[1].strip()


def _bands(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError as err:
        raise ParameterError(
            f"The 'bands' parameter of access must be minutes like 30,45,60,90. Got {text!r}."
        ) from err


def access(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="Output folder (created if missing).")],
    example: Annotated[
        str | None, typer.Option("--example", help="Run on shipped data: 'chongqing'.")
    ] = None,
    units: Annotated[
        Path | None,
        typer.Option("--units", help="Units: CSV/Parquet (unit_id, lon, lat) or polygons."),
    ] = None,
    stop_times: Annotated[
        Path | None, typer.Option("--stop-times", help="Rail stop times (GTFS-like).")
    ] = None,
    trips: Annotated[
        Path | None, typer.Option("--trips", help="Rail trips (trip_id, line).")
    ] = None,
    stations: Annotated[
        Path | None, typer.Option("--stations", help="Stations (station, unit_id, lon, lat).")
    ] = None,
    roads: Annotated[
        Path | None,
        typer.Option("--roads", help="Road links table, or a local .osm/.graphml file."),
    ] = None,
    adjacency: Annotated[
        Path | None, typer.Option("--adjacency", help="Neighbouring units (unit_a, unit_b).")
    ] = None,
    links: Annotated[
        Path | None,
        typer.Option("--links", help="Extra links (origin, destination, minutes, mode)."),
    ] = None,
    cores: Annotated[
        Path | None,
        typer.Option("--cores", help="Cores: unit_id,area_id (as every command reads them)."),
    ] = None,
    add_link: Annotated[
        list[str] | None,
        typer.Option("--add-link", help="Scenario link FROM:TO:MINUTES[:MODE] (repeatable)."),
    ] = None,
    speed_up: Annotated[
        list[str] | None,
        typer.Option("--speed-up", help="Scenario MODE_OR_LINE:FACTOR (repeatable)."),
    ] = None,
    window: Annotated[
        str, typer.Option("--window", help="Departure window HH:MM-HH:MM.")
    ] = "06:00-10:00",
    bands: Annotated[
        str, typer.Option("--bands", help="Isochrone band limits in minutes.")
    ] = "30,45,60,90",
    min_transfer: Annotated[
        float, typer.Option("--min-transfer", help="Minimum rail transfer minutes.")
    ] = 15.0,
    road_speed: Annotated[
        float, typer.Option("--road-speed", help="Speed (km/h) of modelled roads.")
    ] = 80.0,
    road_detour: Annotated[
        float, typer.Option("--road-detour", help="Detour factor of modelled roads.")
    ] = 1.3,
    access_speed: Annotated[
        float, typer.Option("--access-speed", help="Speed (km/h) to reach a station.")
    ] = 30.0,
    gpkg: Annotated[
        bool, typer.Option("--gpkg/--no-gpkg", help="Also write access.gpkg (needs geopandas).")
    ] = True,
) -> None:
    """Travel-time matrix, commuting circles and isochrone bands; with --add-link or
    --speed-up also a scenario and its differences (scenario_diff.csv, circle_changes.csv).
    With --example chongqing the inputs are those of the shipped project that
    'metrocircle demo' runs, and options not given take the values of its access step."""
    from rich.console import Console
    from rich.progress import Progress

    from metrocircle import access as acc
    from metrocircle.access.api import parse_speed_up
    from metrocircle.access.io import load_inputs
    from metrocircle.access.network import parse_link
    from metrocircle.model.output import OutputDir

    console = Console(stderr=True)
    add_link = add_link or []
    speed_up = speed_up or []
    # every option is checked before any work, and one error lists every bad one
    bad: list[str] = []
    for parse, items in ((parse_link, add_link), (parse_speed_up, speed_up)):
        for item in items:
            try:
                parse(item)
            except ParameterError as err:
                bad.append(str(err))
    for parse, text in ((_window, window), (_bands, bands)):
        try:
            parse(text)
        except ParameterError as err:
            bad.append(str(err))
    if bad:
        raise ParameterError("\n  - ".join([f"{len(bad)} option(s) of access are wrong:", *bad]))
    output = OutputDir(out, command="access", inputs={
        "units": units, "stop_times": stop_times, "trips": trips, "stations": stations,
        "roads": roads, "adjacency": adjacency, "links": links, "cores": cores})
    boundaries = None
    from metrocircle.project.steps import Access

    if example is not None:
        if example != "chongqing":
            raise ParameterError(
                f"The 'example' parameter of access must be 'chongqing'. Got {example!r}."
            )
        if units is not None:
            raise ParameterError(
                "The 'example' parameter of access cannot be combined with --units."
            )
        from metrocircle.cli._common import given
        from metrocircle.project import example_project
        from metrocircle.project.inputs import Inputs

        project = example_project("chongqing")
        project_inputs = Inputs(project)
        inputs = Access.arguments(project, project_inputs)
        if gpkg:
            boundaries = project_inputs.boundaries()
        step = project.step("access")
        if not given(ctx, "window"):
            window = step["departure_window"]
        if not given(ctx, "bands"):
            bands = ",".join(f"{b:g}" for b in step["bands"])
        if not given(ctx, "min_transfer"):
            min_transfer = float(step["min_transfer_minutes"])
        if not given(ctx, "road_speed"):
            road_speed = float(step["road_speed_kmh"])
        if not given(ctx, "road_detour"):
            road_detour = float(step["road_detour"])
        if not given(ctx, "access_speed"):
            access_speed = float(step["access_speed_kmh"])
    elif units is not None:
        inputs = load_inputs(
            units,
            stop_times=stop_times,
            trips=trips,
            stations=stations,
            roads=roads,
            adjacency=adjacency,
            links=links,
            cores=cores,
        )
        if gpkg and "geometry" in getattr(inputs["units"], "columns", []):
            from metrocircle.access.network import prepare_units

            b = inputs["units"]
            boundaries = b.assign(unit_id=prepare_units(b)["unit_id"].to_numpy())
    else:
        raise ParameterError(
            "The 'units' parameter of access is required (or use --example chongqing)."
        )
    import dataclasses

    # with --example the parameters without an option (detours, station times, wait) are
    # those of the project's access step as well
    params = dataclasses.replace(
        Access.access_params(project) if example is not None else acc.AccessParams(),
        departure_window=_window(window),
        min_transfer_minutes=min_transfer,
        road_speed_kmh=road_speed,
        road_detour=road_detour,
        access_speed_kmh=access_speed,
    )
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("accessibility", total=1.0)

        def progress(step: str, fraction: float) -> None:
            bar.update(task, description=step, completed=fraction)

        result: acc.AccessResult | acc.ScenarioResult
        if add_link or speed_up:
            result = acc.scenario(
                add_links=add_link,
                speed_ups=speed_up,
                params=params,
                bands=_bands(bands),
                progress=progress,
                **inputs,
            )
        else:
            result = acc.accessibility(
                params=params, bands=_bands(bands), progress=progress, **inputs
            )
        with output as written_to:
            written = acc.write_outputs(result, written_to.path(), boundaries=boundaries)
    base = result.base if isinstance(result, acc.ScenarioResult) else result
    console.print(
        f"{base.info['units']} units, {base.info['pairs']} pairs, "
        f"{base.info['unreachable_pairs']} unreachable; wrote {len(written)} files to {out}"
    )
    if isinstance(result, acc.ScenarioResult) and len(result.circle_changes):
        console.print(f"{len(result.circle_changes)} circle changes (see circle_changes.csv)")


def register(app: typer.Typer) -> None:
    """Add the ``access`` command to the metrocircle app."""
    app.command("access")(access)
