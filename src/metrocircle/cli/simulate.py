"""``metrocircle simulate-signaling``: simulated signaling records with their truth."""

from __future__ import annotations

from pathlib import Path

import typer


def simulate_signaling(
    units: Path = typer.Option(
        ..., "--units", help="CSV with unit_id, lon, lat, population."),
    users: int = typer.Option(..., "--users", help="Number of people."),
    days: int = typer.Option(..., "--days", help="Number of days."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    out: Path = typer.Option(..., "--out", help="Output directory."),
    start_date: str = typer.Option("2024-03-04", "--start-date", help="First day (ISO)."),
) -> None:
    """Simulate signaling records (records.parquet, cells.csv) and truth files.

    A test aid: see docs/signaling.md for the behavioural model.
    """
    from metrocircle.signaling import simulate_signaling as simulate

    sim = simulate(units, users=users, days=days, random_state=seed, out_dir=out,
                   start_date=start_date)
    typer.echo(f"{len(sim.records)} records of {users} users over {days} days, "
               f"{len(sim.cells)} cells, written to {out}")


def register(app: typer.Typer) -> None:
    """Add the ``simulate-signaling`` command."""
    app.command("simulate-signaling")(simulate_signaling)
