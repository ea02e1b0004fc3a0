"""The projects shipped with metrocircle, and copying one into an editable folder.

``chongqing`` (in :mod:`metrocircle.datasets.chongqing`) runs the whole chain on the Chongqing
example; ``us-cbsa`` (in :mod:`metrocircle.datasets.us_cbsa`) runs the OMB delineation on the
US county commuting flows with OMB's central counties of July 2023, and ``us-cbsa-ua2010`` the
whole procedure from the Census 2010 urban areas, compared with OMB's February 2013 list; both
then combine the CBSAs into CSAs. ``metrocircle demo`` runs the first; the ``--example chongqing``
option of the other commands takes its inputs from it (:func:`example_results`), so that the
examples and the demo agree.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from metrocircle.exceptions import ParameterError, Problem, ProjectError
from metrocircle.project.project import Project, load_project
from metrocircle.project.run import RunResult, run_project

#: Shipped projects: name -> package holding the project file and its data (the file is
#: ``project.toml`` unless named after a colon).
EXAMPLES: dict[str, str] = {
    "chongqing": "metrocircle.datasets.chongqing",
    "us-cbsa": "metrocircle.datasets.us_cbsa",
    "us-cbsa-ua2010": "metrocircle.datasets.us_cbsa:project_ua2010.toml",
}


def example_path(name: str) -> Path:
    """The ``project.toml`` of a shipped project.

    >>> example_path("chongqing").name
    'project.toml'
    """
    if name not in EXAMPLES:
        raise ParameterError(f"The 'example' parameter must be one of "
                             f"{', '.join(repr(e) for e in EXAMPLES)}. Got {name!r}.")
    package, _, file = EXAMPLES[name].partition(":")
    return Path(str(resources.files(package))) / (file or "project.toml")


def example_project(name: str, *, overrides: Mapping[str, Any] | None = None) -> Project:
    """A shipped project, loaded and validated (``overrides`` as in
    :func:`~metrocircle.project.load_project`)."""
    return load_project(example_path(name), overrides=overrides)


def example_results(name: str, steps: Iterable[str], *,
                    overrides: Mapping[str, Any] | None = None,
                    progress: Callable[[str, float], None] | None = None) -> RunResult:
    """Run the steps of a shipped project that ``steps`` need, in memory (no files).

    This is where ``metrocircle strength --example chongqing`` and the other commands take
    their inputs from.
    """
    return run_project(example_project(name, overrides=overrides), None, steps=list(steps),
                       progress=progress)


def project_files(project: Project) -> list[Path]:
    """The project file, every file it names, and the README of each of their folders."""
    files = [project.path] + [project.resolve(v) for _, v in project.file_keys()]
    readmes = {f.parent / "README.md" for f in files if (f.parent / "README.md").is_file()}
    return sorted(set(files) | readmes)


def init_project(folder: str | Path, *, example: str) -> Path:
    """Copy a shipped project and its data into ``folder`` (new or empty) to edit it.

    Returns the path of the copied ``project.toml``.

    Examples
    --------
    >>> import tempfile
    >>> path = init_project(tempfile.mkdtemp() + "/cq", example="chongqing")
    >>> sorted(p.name for p in path.parent.iterdir())[:4]
    ['README.md', 'adjacency.csv', 'boundaries.geojson', 'census_2020.csv']
    """
    from metrocircle.model.output import check_out_dir

    project = example_project(example)
    target = Path(folder).expanduser()
    if not target.is_dir():  # the check every output folder gets: not a file, not under one
        check_out_dir(target, option="DIR")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ProjectError([Problem("DIR", f"{target} exists and is not an empty folder; "
                                           "give a new folder")], path=str(target))
    source = project.folder
    for f in project_files(project):
        rel = f.resolve().relative_to(source.resolve())
        # the project file is 'project.toml' in the copy, whatever its name in the package
        dest = target / ("project.toml" if f == project.path else rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, dest)
    return target / "project.toml"
