"""``metrocircle simulate-signaling``: simulated signaling records with their truth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from typer import Option as Opt


def simulate_signaling(
    units: Annotated[Path, Opt("--units", help="Units table: code, seat lon/lat, population.")],
    users: Annotated[int, Opt("--users", help="Number of people.")],
    days: Annotated[int, Opt("--days", help="Number of days.")],
    out: Annotated[Path, Opt("--out", help="Output directory.")],
    units_id_col: Annotated[
        str, Opt("--units-id-col", help="Column of the unit code in --units.")
    ] = "unit_id",
    lon_col: Annotated[str, Opt("--lon-col", help="Column of the unit's longitude.")] = "lon",
    lat_col: Annotated[str, Opt("--lat-col", help="Column of the unit's latitude.")] = "lat",
    population_col: Annotated[
        str, Opt("--population-col", help="Column of the unit's population.")
    ] = "population",
    parent_col: Annotated[
        str | None,
        Opt("--parent-col", help="Column of the parent unit's code: units that contain others "
            "(a province beside its counties) are set aside."),
    ] = None,
    seed: Annotated[int, Opt("--seed", help="Random seed.")] = 0,
    start_date: Annotated[str, Opt("--start-date", help="First day (ISO).")] = "2024-03-04",
) -> None:
    """Simulate signaling records (records.parquet, cells.csv) and truth files.

    A test aid: see docs/signaling.md for the behavioural model. The shipped Chongqing units
    run as they are: --units-id-col code --lon-col seat_lon_wgs84 --lat-col seat_lat_wgs84
    --population-col pop_2020_census --parent-col parent_code.
    """
    from metrocircle.model.output import OutputDir
    from metrocircle.signaling import simulate_signaling as simulate

    with OutputDir(out, inputs={"units": units}, command="simulate-signaling") as od:
        sim = simulate(
            units, users=users, days=days, random_state=seed, out_dir=od.path(),
            start_date=start_date, id_col=units_id_col, lon_col=lon_col, lat_col=lat_col,
            population_col=population_col, parent_col=parent_col,
        )
        od.record(parameters={"users": users, "days": days, "random_state": seed,
                              "start_date": start_date},
                  source="modelled (simulated signaling records; docs/signaling.md)")
    typer.echo(
        f"{len(sim.records)} records of {users} users over {days} days, "
        f"{len(sim.cells)} cells, written to {out}"
    )


def register(app: typer.Typer) -> None:
    """Add the ``simulate-signaling`` command."""
    app.command("simulate-signaling")(simulate_signaling)
