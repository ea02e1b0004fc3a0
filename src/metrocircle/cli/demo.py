"""``metrocircle demo``: ``run`` on the Chongqing project shipped with the package."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from typer import Option as Opt

from metrocircle.cli.project import SET_HELP

#: Options of ``demo`` and the project key each sets (only when given).
SHORTHANDS = {
    "users": "steps.signaling.simulate.users",
    "days": "steps.signaling.simulate.days",
    "seed": "steps.signaling.simulate.random_state",
    "engine": "steps.signaling.engine",
    "min_count": "steps.signaling.min_count",
}


def demo(
    out: Annotated[Path, Opt("--out", help="Output folder.")] = Path("out/demo"),
    users: Annotated[int | None, Opt("--users", help="Simulated people: sets "
                                     "steps.signaling.simulate.users (project: 30000).")] = None,
    days: Annotated[int | None, Opt("--days", help="Simulated days: sets "
                                    "steps.signaling.simulate.days (project: 7).")] = None,
    seed: Annotated[int | None, Opt("--seed", help="Seed of the records: sets "
                                    "steps.signaling.simulate.random_state (project: 2026).")
                    ] = None,
    engine: Annotated[str | None, Opt("--engine", help="duckdb or spark: sets "
                                      "steps.signaling.engine (project: duckdb).")] = None,
    min_count: Annotated[int | None, Opt("--min-count", help="Suppression in the published "
                                         "signaling/od.csv: sets steps.signaling.min_count "
                                         "(project: 10).")] = None,
    set_: Annotated[list[str] | None, Opt("--set", help=SET_HELP)] = None,
    cache: Annotated[bool, Opt("--cache/--no-cache", help="Take unchanged steps from "
                                                          "OUT/.cache.")] = True,
    progress: Annotated[bool, Opt("--progress/--no-progress", help="Show a progress bar per "
                                                                   "step.")] = True,
) -> None:
    """Run the whole chain on the Chongqing example shipped with the package: the project
    'metrocircle init DIR --example chongqing' copies. summary.md says what is real and what
    is modelled."""
    from metrocircle.cli.project import run_and_report
    from metrocircle.project import example_path, load_project, parse_overrides

    overrides = parse_overrides(set_ or [])
    given = {"users": users, "days": days, "seed": seed, "engine": engine,
             "min_count": min_count}
    overrides.update({SHORTHANDS[k]: v for k, v in given.items() if v is not None})
    project = load_project(example_path("chongqing"), overrides=overrides)
    result = run_and_report(project, out, use_cache=cache, progress=progress)
    cmp = result.steps["delineation"].tables.get("comparison")
    if cmp is not None:
        agree = cmp["agreement"].value_counts()
        typer.echo(f"against the 2022 plan's scope ({int(cmp['in_reference'].sum())} units): "
                   f"{int(agree.get('both', 0))} in both, "
                   f"{int(agree.get('delineation only', 0))} in the delineation only. "
                   f"The commuting flows are modelled: see {result.out_dir / 'summary.md'}")


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to the metrocircle app."""
    app.command("demo")(demo)
