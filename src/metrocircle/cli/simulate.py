"""``metrocircle simulate-signaling``: simulated signaling records with their truth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from typer import Option as Opt


def simulate_signaling(
    units: Annotated[Path, Opt("--units", help="CSV with unit_id, lon, lat, population.")],
    users: Annotated[int, Opt("--users", help="Number of people.")],
    days: Annotated[int, Opt("--days", help="Number of days.")],
    out: Annotated[Path, Opt("--out", help="Output directory.")],
    seed: Annotated[int, Opt("--seed", help="Random seed.")] = 0,
    start_date: Annotated[str, Opt("--start-date", help="First day (ISO).")] = "2024-03-04",
) -> None:
    """Simulate signaling records (records.parquet, cells.csv) and truth files.

    A test aid: see docs/signaling.md for the behavioural model.
    """
    from metrocircle.signaling import simulate_signaling as simulate

    sim = simulate(
        units, users=users, days=days, random_state=seed, out_dir=out, start_date=start_date
    )
    typer.echo(
        f"{len(sim.records)} records of {users} users over {days} days, "
        f"{len(sim.cells)} cells, written to {out}"
    )


def register(app: typer.Typer) -> None:
    """Add the ``simulate-signaling`` command."""
    app.command("simulate-signaling")(simulate_signaling)
