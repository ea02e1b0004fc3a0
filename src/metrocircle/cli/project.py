"""``metrocircle init`` and ``metrocircle run``: a project file for any region, and running it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer import Option as Opt

SET_HELP = ("Override a key of the project, KEY=VALUE with a dotted key and a TOML value, e.g. "
            "steps.delineation.params.close_share=0.15; repeatable.")


def init(
    folder: Annotated[Path, typer.Argument(help="New or empty folder for the project.")],
    example: Annotated[str, Opt("--example", help="Shipped project to copy: chongqing or "
                                                  "us-cbsa.")] = "chongqing",
) -> None:
    """Write an editable project folder: project.toml and the data it reads (with their
    READMEs). Run it with 'metrocircle run FOLDER/project.toml'."""
    from metrocircle.project import init_project

    path = init_project(folder, example=example)
    n = sum(1 for p in path.parent.rglob("*") if p.is_file())
    typer.echo(f"wrote {path} and {n - 1} data files; run it with: metrocircle run {path} "
               f"--out out/{example}")


def run_and_report(project: Any, out: Path, *, use_cache: bool, progress: bool) -> Any:
    """Run a loaded project with progress bars and print what each step did."""
    from metrocircle.cli._common import progress_bar
    from metrocircle.project import run_project

    with progress_bar(progress) as callback:
        result = run_project(project, out, use_cache=use_cache, progress=callback)
    for name, step in result.record["steps"].items():
        how = "from the cache" if step["status"] == "cache" else f"ran in {step['seconds']:.1f} s"
        typer.echo(f"  {name}: {how}")
    if "delineation" in result.steps:
        m = result.table("delineation", "membership")
        counts = m["status"].value_counts()
        areas = len(result.table("delineation", "areas"))
        typer.echo(f"delineation: {areas} area(s); units: "
                   + ", ".join(f"{n:,} {s}" for s, n in counts.items()))
    modelled = [n for n, lab in result.record["layers"].items() if lab["source"] == "modelled"]
    if modelled:
        typer.echo(f"modelled layers (labelled so in every output): {', '.join(modelled)}")
    made = ["summary.md", "run.json"]
    if "report" in result.record["steps"]:
        made = ["report.html", "maps/", *(["metrocircle.gpkg"] if "metrocircle.gpkg" in
                                          result.record["steps"]["report"]["files"] else []),
                *made]
    typer.echo(f"wrote {result.out_dir} ({', '.join(made)})")
    return result


def run(
    project_file: Annotated[Path, typer.Argument(help="The project file (project.toml).")],
    out: Annotated[Path | None, Opt("--out", help="Output folder (default: out/NAME, NAME "
                                                  "being [project] name).")] = None,
    set_: Annotated[list[str] | None, Opt("--set", help=SET_HELP)] = None,
    cache: Annotated[bool, Opt("--cache/--no-cache", help="Take unchanged steps from "
                                                          "OUT/.cache.")] = True,
    progress: Annotated[bool, Opt("--progress/--no-progress", help="Show a progress bar per "
                                                                   "step.")] = True,
) -> None:
    """Run a project: every step it declares, each from the cache when nothing it reads
    changed. Writes membership.csv, roles.csv, areas.csv, indicators.csv, summary.md, run.json,
    project.toml and one folder per step (docs/run-folder.md)."""
    from metrocircle.project import load_project, parse_overrides

    project = load_project(project_file, overrides=parse_overrides(set_ or []))
    run_and_report(project, out if out is not None else Path("out") / project.name,
                   use_cache=cache, progress=progress)


def register(app: typer.Typer) -> None:
    """Add the ``init`` and ``run`` commands to the metrocircle app."""
    app.command("init")(init)
    app.command("run")(run)
