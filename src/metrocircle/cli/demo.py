"""``metrocircle demo``: the whole chain on the Chongqing example shipped with the package."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from typer import Option as Opt


def demo(
    out: Annotated[Path, Opt("--out", help="Output folder (created if missing).")] = Path(
        "out/demo"),
    users: Annotated[int, Opt("--users", help="Simulated people for the signaling step.")] = 30000,
    days: Annotated[int, Opt("--days", help="Simulated days (at least 7).")] = 7,
    seed: Annotated[int, Opt("--seed", help="Seed of the simulated records.")] = 2026,
    engine: Annotated[str, Opt("--engine", help="Signaling engine: duckdb or spark.")] = "duckdb",
    min_count: Annotated[
        int, Opt("--min-count", help="Suppress OD pairs with fewer sampled commuters.")
    ] = 10,
    progress: Annotated[bool, Opt("--progress/--no-progress", help="Show progress.")] = True,
) -> None:
    """Run accessibility, signaling to OD and the delineation on the Chongqing example and
    compare the result with the 2022 plan's scope (summary.md says what is real and what is
    modelled)."""
    from metrocircle.cli._common import progress_bar
    from metrocircle.demo import run_demo

    with progress_bar(progress) as cb:
        res = run_demo(out, users=users, days=days, random_state=seed, engine=engine,
                       min_count=min_count, progress=cb)
    d, p = res.summary["delineation"], res.summary["plan"]
    agree = res.summary["agreement"]
    typer.echo(
        f"Delineated area: {d['units']} units, {d['population']:,} people "
        f"({agree.get('both', 0)} of the plan's {p['units']} units; "
        f"{agree.get('delineation only', 0)} outside the plan). Flows are modelled: "
        f"see {res.out_dir / 'summary.md'}")


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to the metrocircle app."""
    app.command("demo")(demo)
