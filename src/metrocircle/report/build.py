"""What a planner looks at, written into a run folder: ``maps/`` (every map and chart, PNG and
SVG), ``report.html`` (self-contained) and ``metrocircle.gpkg`` (styled for QGIS).

:func:`write_report` reads only the run folder's files (``docs/run-folder.md``), so it works
for any project. ``metrocircle run`` and ``metrocircle demo`` call it as the run's last step
(:func:`metrocircle.project.run_project`), before ``run.json`` lists the files.

Examples
--------
>>> from metrocircle.report import write_report
>>> written = write_report("out/demo")           # doctest: +SKIP
>>> sorted(written["files"])[:2]                 # doctest: +SKIP
['maps/area.png', 'maps/area.svg']
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from metrocircle.report.cache import FigureCache
from metrocircle.report.folder import RunFolder

log = logging.getLogger(__name__)

#: The files the report writes at the top of the run folder.
REPORT_HTML = "report.html"
GEOPACKAGE = "metrocircle.gpkg"
MAPS = "maps"


def write_report(
    run_dir: str | Path,
    *,
    record: dict[str, Any] | None = None,
    out: str | Path | None = None,
    formats: Sequence[str] = ("png", "svg"),
    progress: Callable[[str, float], None] | None = None,
    cache: FigureCache | None = None,
    jobs: int | None = None,
) -> dict[str, Any]:
    """Draw the maps and charts, write ``report.html`` and ``metrocircle.gpkg``.

    Parameters
    ----------
    run_dir
        A run folder (read).
    record
        The run's ``run.json`` content, when the folder is still being written.
    out
        Where to write (default: ``run_dir``): ``maps/``, ``report.html``,
        ``metrocircle.gpkg``.
    formats
        Figure formats (PNG is needed for the HTML report).
    progress
        ``progress(what, fraction)``.
    cache
        Take each figure whose reads did not change from this cache and keep those drawn
        (:mod:`metrocircle.report.cache`; ``metrocircle run`` passes ``OUT/.cache/figures``).
    jobs
        Worker processes for the figures to draw (default: one per core;
        :func:`~metrocircle.report.figures.draw_figures`). The GeoPackage is written in this
        process meanwhile.

    Returns
    -------
    dict
        ``files`` (paths relative to ``out``), ``figures`` (names), ``figures_drawn`` and
        ``figures_from_cache`` (the jobs: a map, or the reasons charts), ``workers``,
        ``gpkg_layers`` (name -> features), ``notes`` (what was left out and why) and
        ``seconds`` (maps, charts and GeoPackage together, then the GeoPackage alone, HTML).
    """
    from metrocircle.report.figures import draw_figures
    from metrocircle.report.gpkg import write_gpkg

    report = progress or (lambda what, frac: None)
    folder = RunFolder(run_dir, record=record)
    target = Path(out) if out is not None else folder.path
    target.mkdir(parents=True, exist_ok=True)
    formats = tuple(dict.fromkeys(["png", *formats]))
    seconds: dict[str, float] = {}

    def geopackage() -> dict[str, int]:
        t1 = time.perf_counter()
        layers = write_gpkg(folder, target / GEOPACKAGE) if folder.polygons is not None else {}
        seconds["geopackage"] = round(time.perf_counter() - t1, 3)
        return layers

    t0 = time.perf_counter()
    report("maps, charts and geopackage", 0.0)
    figures = draw_figures(folder, target / MAPS, formats=formats, cache=cache, jobs=jobs,
                           meanwhile=geopackage)
    layers: dict[str, int] = figures.meanwhile
    notes = figures.notes
    if folder.polygons is None:
        notes.append("No GeoPackage: the run has no unit polygons to put in it.")
    seconds["maps_charts_and_geopackage"] = round(time.perf_counter() - t0, 3)
    report("report.html", 0.8)
    t2 = time.perf_counter()
    from metrocircle.report.html import report_html

    page = report_html(folder, figures.drawn, notes, gpkg_layers=layers)
    (target / REPORT_HTML).write_text(page, encoding="utf-8")
    seconds["html"] = round(time.perf_counter() - t2, 3)
    report("report.html", 1.0)
    files = sorted(p.relative_to(target).as_posix() for d in figures.drawn for p in d.files)
    files.append(REPORT_HTML)
    if layers:
        files.append(GEOPACKAGE)
    log.info("report: %d figures (%d jobs drawn, %d from the cache), %d GeoPackage layers in "
             "%.1f s", len(figures.drawn), len(figures.redrawn), len(figures.reused),
             len(layers), time.perf_counter() - t0)
    return {"files": files, "figures": [d.name for d in figures.drawn],
            "figures_drawn": figures.redrawn, "figures_from_cache": figures.reused,
            "workers": figures.workers, "gpkg_layers": layers, "notes": notes,
            "seconds": seconds}


__all__ = ["GEOPACKAGE", "MAPS", "REPORT_HTML", "write_report"]
