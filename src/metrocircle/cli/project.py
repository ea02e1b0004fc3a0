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
    example: Annotated[str, Opt("--example", help="Shipped project to copy: chongqing, "
                                                  "us-cbsa or us-cbsa-ua2010.")] = "chongqing",
) -> None:
    """Write an editable project folder: project.toml and the data it reads (with their
    READMEs). Run it with 'metrocircle run FOLDER/project.toml'."""
    from metrocircle.project import init_project

    path = init_project(folder, example=example)
    n = sum(1 for p in path.parent.rglob("*") if p.is_file())
    typer.echo(f"wrote {path} and {n - 1} data files; run it with: metrocircle run {path} "
               f"--out out/{example}")


def run_and_report(project: Any, out: Path, *, use_cache: bool, progress: bool,
                   with_report: bool = True) -> Any:
    """Run a loaded project with progress bars and print what each step did."""
    from metrocircle.cli._common import progress_bar
    from metrocircle.project import run_project

    with progress_bar(progress) as callback:
        result = run_project(project, out, use_cache=use_cache, progress=callback,
                             with_report=with_report)
    for name, step in result.record["steps"].items():
        how = "from the cache" if step["status"] == "cache" else f"ran in {step['seconds']:.1f} s"
        typer.echo(f"  {name}: {how}")
    if "delineation" in result.steps:
        m = result.table("delineation", "membership")
        counts = m["status"].value_counts()
        areas = len(result.table("delineation", "areas"))
        typer.echo(f"delineation: {areas} area(s); units: "
                   + ", ".join(f"{n:,} {s}" for s, n in counts.items()))
    fig = result.steps["delineation"].info.get("reference_figures") \
        if "delineation" in result.steps else None
    if fig:
        typer.echo(_reference_line(fig))
    pairs = result.steps["combine"].info.get("reference_pairs") \
        if "combine" in result.steps else None
    if "combine" in result.steps:
        counts = result.steps["combine"].info["counts"]
        typer.echo(f"combine: {counts['combined_areas']} combined area(s) of "
                   f"{counts['areas']} areas; {counts['adjacent_pairs']} adjacent pairs")
    if pairs:
        typer.echo(f"against {pairs['reference']}, pairs of areas in one combined area: "
                   f"precision {pairs['precision']:.3f}, recall {pairs['recall']:.3f}, F1 "
                   f"{pairs['f1']:.3f} ({pairs['pairs_agreeing']} of {pairs['pairs_reference']} "
                   f"pairs; {pairs['areas_unmatched']} area(s) matched to none)")
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


def _reference_line(fig: dict[str, Any]) -> str:
    """The area-level comparison with the reference, in one line (run.json has every figure)."""
    text = (f"against {fig['reference']}: cores {fig['cores_right']:,} of "
            f"{fig['reference_cores']:,} (recall {fig['core_recall']:.1%}, precision "
            f"{fig['core_precision']:.1%}); units in the matched area "
            f"{fig['units_right_share']:.1%}; {fig['areas']} areas (reference "
            f"{fig['reference_areas']})")
    if fig.get("type_right_share") is not None:
        text += f"; type right {fig['type_right_share']:.1%}"
    return text


def run(
    project_file: Annotated[Path, typer.Argument(help="The project file (project.toml).")],
    out: Annotated[Path | None, Opt("--out", help="Output folder (default: out/NAME, NAME "
                                                  "being the project's name).")] = None,
    set_: Annotated[list[str] | None, Opt("--set", help=SET_HELP)] = None,
    cache: Annotated[bool, Opt("--cache/--no-cache", help="Take unchanged steps from "
                                                          "OUT/.cache.")] = True,
    progress: Annotated[bool, Opt("--progress/--no-progress", help="Show a progress bar per "
                                                                   "step.")] = True,
    scenario: Annotated[str | None, Opt("--scenario", help="Run the project's scenario "
                                        "NAME (its scenarios.NAME table) into OUT-NAME beside "
                                        "the base run "
                                        "(OUT, run first if missing or out of date) and list "
                                        "the units it changes (docs/scenarios.md).")] = None,
    report: Annotated[bool, Opt("--report/--no-report", help="End with maps/, report.html and "
                                "metrocircle.gpkg (docs/report.md); --no-report leaves them "
                                "out, for quick runs while a parameter is tuned.")] = True,
) -> None:
    """Run a project: every step it declares, each from the cache when nothing it reads
    changed. Writes membership.csv, roles.csv, areas.csv, indicators.csv, summary.md, run.json,
    project.toml and one folder per step (docs/run-folder.md). With --scenario, runs a
    what-if of the access step through the chain and compares it with the base run."""
    from metrocircle.exceptions import ParameterError
    from metrocircle.project import load_project, parse_overrides

    project = load_project(project_file, overrides=parse_overrides(set_ or []))
    folder = out if out is not None else Path("out") / project.name
    if scenario is not None:
        if not report:
            raise ParameterError("--no-report applies to a plain run; a scenario run writes "
                                 "its comparison map and the report of both runs.")
        run_scenario_and_report(project, scenario, folder, use_cache=cache, progress=progress)
        return
    run_and_report(project, folder, use_cache=cache, progress=progress, with_report=report)


def run_scenario_and_report(project: Any, name: str, out: Path, *, use_cache: bool,
                            progress: bool) -> Any:
    """Run a scenario beside the base run and print what it changes."""
    from metrocircle.cli._common import progress_bar
    from metrocircle.project.scenario import check_scenario, run_scenario

    check_scenario(project, name)  # every problem of the scenario before any work
    with progress_bar(progress) as callback:
        res = run_scenario(project, name, out, use_cache=use_cache, progress=callback)
    typer.echo(f"base run: {res.base_dir} ("
               + ("ran first: it was missing or out of date" if res.base_ran
                  else "up to date, not touched") + ")")
    typer.echo(f"scenario run: {res.out_dir}")
    for step, info in res.result.record["steps"].items():
        how = "from the cache" if info["status"] == "cache" else f"ran in {info['seconds']:.1f} s"
        typer.echo(f"  {step}: {how}")
    c = res.counts
    a = c["area"]
    typer.echo(f"scenario {name}: {c['units_changed']} unit(s) changed: {a['joined']} joined, "
               f"{a['left']} left, {a['moved']} moved the area; {c['status_changed']} changed "
               f"status, {c['role_changed']} changed role; one-hour circle: "
               f"+{c['entered_1h']} -{c['left_1h']}; half-hour circle: "
               f"+{c['entered_half_hour']} -{c['left_half_hour']}")
    for _, row in res.changes.iterrows():
        who = f"{row['unit_id']} {row['name']}" if isinstance(row["name"], str) else row["unit_id"]
        typer.echo(f"  {who} [{row['cause']}]: {row['detail']}")
    typer.echo(f"wrote {res.out_dir} (scenario/changes.csv, run.json)")
    return res


def register(app: typer.Typer) -> None:
    """Add the ``init`` and ``run`` commands to the metrocircle app."""
    app.command("init")(init)
    app.command("run")(run)
