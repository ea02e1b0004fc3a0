"""Running a project: the steps in order, each from the cache when nothing it reads changed.

:func:`run_project` writes the run folder through :class:`~metrocircle.model.output.OutputDir`
(checked before any work, swapped in whole at the end, every file listed with its SHA-256 in
``run.json``); ``docs/run-folder.md`` describes every file. Without an output folder
(``out=None``) it computes the results in memory only, which is what the ``--example`` option
of the other commands uses (:func:`metrocircle.project.examples.example_results`).
"""

from __future__ import annotations

import copy
import logging
import shutil
import tempfile
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from metrocircle.project import cache as C
from metrocircle.project.inputs import Inputs
from metrocircle.project.project import Project
from metrocircle.project.steps import STEPS, StepContext, StepResult, step_order

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]
#: ``extra(od, results) -> run.json entries``: further files of a run (see :func:`run_project`).
Extra = Callable[[Any, dict[str, StepResult]], dict[str, Any]]

#: Results of steps computed without an output folder, by cache key (the newest 32), so that
#: several ``--example`` commands in one process do not run the same steps again.
_MEMORY: OrderedDict[str, StepResult] = OrderedDict()
_MEMORY_SIZE = 32


@dataclass
class RunResult:
    """What :func:`run_project` returns: the results by step, the ``run.json`` record and the
    run folder (None for an in-memory run)."""

    project: Project
    steps: dict[str, StepResult]
    record: dict[str, Any] = field(default_factory=dict)
    out_dir: Path | None = None
    inputs: Inputs | None = None

    def table(self, step: str, name: str) -> Any:
        """A table a step handed on, e.g. ``result.table("delineation", "membership")``."""
        return self.steps[step].tables[name]

    def context(self, step: str, root: Path) -> StepContext:
        """What ``step`` would see, over these results (to call a step's helpers, as the
        ``--example`` options do); files it writes go under ``root``."""
        inputs = self.inputs if self.inputs is not None else Inputs(self.project)
        return StepContext(self.project, inputs, self.steps, root, step)


def extras_needed(project: Project, *, report: bool = True) -> dict[str, list[str]]:
    """The optional packages the project's steps need, by extra (installed or not); with
    ``report``, those of the report a run into a folder ends with (maps with matplotlib,
    the GeoPackage with geopandas when the project has boundaries)."""
    wanted: dict[str, set[str]] = {}
    if report:
        wanted.setdefault("report", set()).add("matplotlib")
    for name in step_order(project):
        for extra, mods in STEPS[name].extras.items():
            wanted.setdefault(extra, set()).update(mods)
    if project.input("boundaries") is not None:
        wanted.setdefault("geo", set()).update(("geopandas", "pyogrio"))
    if project.has_step("groups") and project.step("groups")["method"] == "infomap":
        wanted.setdefault("graph", set()).add("infomap")
    if project.has_step("signaling") and project.step("signaling")["engine"] == "spark":
        wanted.setdefault("spark", set()).add("pyspark")
    return {extra: sorted(mods) for extra, mods in sorted(wanted.items())}


def required_extras(project: Project, *, report: bool = True) -> dict[str, list[str]]:
    """Optional packages the project's steps (and its report) need and are missing, by
    extra."""
    import importlib.util

    out = {}
    for extra, mods in extras_needed(project, report=report).items():
        missing = [m for m in mods if importlib.util.find_spec(m) is None]
        if missing:
            out[extra] = missing
    return out


def _check_extras(project: Project, *, report: bool) -> None:
    from metrocircle.exceptions import MissingDependencyError

    missing = required_extras(project, report=report)
    if missing:
        mods = ", ".join(m for v in missing.values() for m in v)
        raise MissingDependencyError(
            f"The project {project.name} needs the optional package(s) {mods}. Install them "
            f"with: pip install 'metrocircle[{','.join(missing)}]'")


def needed_steps(project: Project, targets: Iterable[str] | None) -> list[str]:
    """The steps to run for ``targets`` (and every step they read from), in order."""
    order = step_order(project)
    if targets is None:
        return order
    want: set[str] = set()
    stack = list(targets)
    while stack:
        name = stack.pop()
        if name in want:
            continue
        want.add(name)
        stack.extend(STEPS[name].needs(project))
    return [s for s in order if s in want]


def _key(project: Project, inputs: Inputs, name: str, keys: dict[str, str]) -> str:
    step = STEPS[name]
    declared = project.data
    reads = {f"{sec}.{n}": inputs.digest(sec, n) for sec, n in step.reads(project)
             if (declared.get(sec) or {}).get(n) is not None}
    params = project.layers if name == "layers" else project.step(name)
    return C.step_key({"step": name, "params": params, "reads": reads,
                       "upstream": {u: keys[u] for u in step.needs(project)}})


def step_keys(project: Project, steps: Iterable[str] | None = None) -> dict[str, str]:
    """The cache key of every step the project would run, without running any (what a run's
    ``run.json`` records under ``steps.NAME.key``): a run folder whose keys are these holds the
    results of this project as it stands."""
    inputs = Inputs(project)
    keys: dict[str, str] = {}
    for name in needed_steps(project, steps):
        keys[name] = _key(project, inputs, name, keys)
    return keys


def _copy_tree(src: Path, dst: Path) -> list[str]:
    written = []
    for f in sorted(src.rglob("*")):
        if f.is_file():
            target = dst / f.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, target)
            written.append(f.relative_to(src).as_posix())
    return written


class _Runner:
    """Runs the steps of one project in order, each from the cache when its key is there."""

    def __init__(self, project: Project, inputs: Inputs, order: list[str], *,
                 root: Path | None, store: C.StepCache | None, use_cache: bool,
                 report: Progress) -> None:
        self.project, self.inputs, self.order = project, inputs, order
        self.root, self.store, self.use_cache, self.report = root, store, use_cache, report
        self.results: dict[str, StepResult] = {}
        self.keys: dict[str, str] = {}
        self.files: dict[str, list[str]] = {}

    def run(self) -> None:
        for name in self.order:
            self.keys[name] = key = _key(self.project, self.inputs, name, self.keys)
            self.results[name] = self._cached(name, key) or self._execute(name, key)

    def _cached(self, name: str, key: str) -> StepResult | None:
        if not self.use_cache:
            return None
        if self.store is None:
            if key not in _MEMORY:
                return None
            _MEMORY.move_to_end(key)
            kept = _MEMORY[key]  # copies, so that a caller changing a table cannot alter it
            result = StepResult({n: t.copy() for n, t in kept.tables.items()},
                                copy.deepcopy(kept.info), cached=True, key=key,
                                seconds=kept.seconds)
        else:
            hit = self.store.load(name, key)
            if hit is None:
                return None
            result, files = hit
            self.files[name] = _copy_tree(files, self.root) if self.root is not None else []
        log.info("%s: from the cache (%s)", name, key[:12])
        self.report(f"{name} (cached)", 1.0)
        return result

    def _execute(self, name: str, key: str) -> StepResult:
        with tempfile.TemporaryDirectory(prefix=f"metrocircle-{name}-") as tmp:
            staging = self.store.staging(name) if self.store is not None else Path(tmp)
            files = staging / "files"
            files.mkdir(parents=True, exist_ok=True)
            ctx = StepContext(self.project, self.inputs, self.results, files, name,
                              lambda what, frac: self.report(name, frac))
            self.report(name, 0.0)
            log.info("%s: running", name)
            t0 = time.perf_counter()
            try:
                result = STEPS[name].run(ctx)
            except BaseException:
                if self.store is not None:
                    shutil.rmtree(staging, ignore_errors=True)
                raise
            read = {f"{sec}.{n}" for sec, n in STEPS[name].reads(self.project)}
            aside = {k: v for k, v in self.inputs.set_aside.items() if k in read}
            if aside:
                result.info["rows_set_aside"] = aside
            result.info = C.plain(result.info)
            result.key = key
            result.seconds = round(time.perf_counter() - t0, 3)
            self.files[name] = _copy_tree(files, self.root) if self.root is not None else []
            if self.store is not None:
                self.store.store(name, key, staging, result)
            else:
                _MEMORY[key] = StepResult({n: t.copy() for n, t in result.tables.items()},
                                          copy.deepcopy(result.info), key=key,
                                          seconds=result.seconds)
                while len(_MEMORY) > _MEMORY_SIZE:
                    _MEMORY.popitem(last=False)
        self.report(name, 1.0)
        return result


def run_project(
    project: Project,
    out: str | Path | None = None,
    *,
    steps: Iterable[str] | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
    with_report: bool = True,
    extra: Extra | None = None,
) -> RunResult:
    """Run a validated project.

    Parameters
    ----------
    project
        From :func:`~metrocircle.project.load_project` (validated).
    out
        The run folder (see ``docs/run-folder.md``); None computes in memory only.
    steps
        Run only these steps and those they read from (default: every declared step).
    use_cache
        Take a step from ``OUT/.cache`` when its key is there (default). False runs every step
        again (and refreshes the cache).
    progress
        ``progress(step, fraction)``: one bar per step.
    with_report
        End a run into a folder with the report (:func:`metrocircle.report.write_report`):
        ``maps/``, ``report.html`` and ``metrocircle.gpkg``, from the folder's own files,
        cached like a step (its key: the keys of every step, the project's title and
        description, the code); when a step changed, each figure is still taken from the cache
        when nothing it reads changed (:mod:`metrocircle.report.cache`).
    extra
        ``extra(od, results)``, called after the steps with the open
        :class:`~metrocircle.model.output.OutputDir` and the step results: writes further
        files into the run folder (a scenario's comparison with its base run) and returns
        entries for ``run.json``. Only with ``out``.

    Returns
    -------
    RunResult

    Examples
    --------
    >>> from metrocircle.project import example_path, load_project, run_project
    >>> res = run_project(load_project(example_path("us-cbsa")), steps=["delineation"])
    >>> int((res.table("delineation", "membership")["status"] == "member").sum())
    578
    """
    from metrocircle.model.output import OutputDir
    from metrocircle.project.report import summary_markdown

    _check_extras(project, report=out is not None and with_report)
    report = progress or (lambda step, frac: None)
    inputs = Inputs(project)
    order = needed_steps(project, steps)
    started = time.perf_counter()
    if out is None:
        runner = _Runner(project, inputs, order, root=None, store=None, use_cache=use_cache,
                         report=report)
        runner.run()
        return RunResult(project, runner.results, inputs=inputs)
    files = {"project": project.path,
             **{k: p for k, p in inputs.files().items() if p.is_file()}}
    output = OutputDir(out, inputs=files, command=f"run {project.path.name}")
    with output as od:
        assert od.root is not None
        store = C.StepCache(output.final / ".cache")
        runner = _Runner(project, inputs, order, root=od.root, store=store,
                         use_cache=use_cache, report=report)
        runner.run()
        report("summary", 0.0)
        record = run_record(project, inputs, order, runner.results, runner.files,
                            total=round(time.perf_counter() - started, 3))
        od.write_text(project.to_toml(), "project.toml")
        if with_report:
            record["steps"]["report"] = _report(project, od, record, store, runner.keys,
                                                use_cache=use_cache, progress=report)
            record["seconds"] = round(time.perf_counter() - started, 3)
        if extra is not None:
            record.update(C.plain(extra(od, runner.results)))
        od.write_text(summary_markdown(project, runner.results, record, inputs), "summary.md")
        od.record(**record)
        store.prune()
        report("summary", 1.0)
    return RunResult(project, runner.results, record, output.final, inputs)


def _report(project: Project, od: Any, record: dict[str, Any], store: C.StepCache,
            keys: dict[str, str], *, use_cache: bool, progress: Progress) -> dict[str, Any]:
    """The run's last step: the report of the run folder being written (``od.root``), from
    the cache when no step changed. Returns its entry of ``run.json``'s ``steps``."""
    from metrocircle.report import write_report
    from metrocircle.report.cache import FigureCache

    desc = project.data.get("project", {}).get("description")
    key = C.step_key({"step": "report", "steps": keys, "title": project.title,
                      "name": project.name, "description": desc})
    hit = store.load("report", key) if use_cache else None
    if hit is not None:
        result, files = hit
        written = _copy_tree(files, od.root)
        progress("report (cached)", 1.0)
        status, seconds = "cache", 0.0
    else:
        staging = store.staging("report")
        t0 = time.perf_counter()
        progress("report", 0.0)
        # each figure from the cache when nothing it reads changed (its key: what it read,
        # the code and the library versions)
        figures = FigureCache(store.folder / C.FIGURES,
                              version=C.step_key({"step": "report-figures"}), reuse=use_cache)
        try:
            full = {**od.run_record(), **record}
            info = write_report(od.root, record=full, out=staging / "files",
                                progress=lambda what, frac: progress("report", frac),
                                cache=figures)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        figures.prune()
        seconds = round(time.perf_counter() - t0, 3)
        result = StepResult({}, C.plain(info), key=key, seconds=seconds)
        files = store.store("report", key, staging, result)
        written = _copy_tree(files, od.root)
        progress("report", 1.0)
        status = "ran"
    info = dict(result.info)
    info.pop("files", None)
    return {"status": status, "key": key, "seconds": seconds,
            "seconds_when_run": result.seconds, "parameters": {}, "files": written,
            "info": info}


def run_record(project: Project, inputs: Inputs, order: list[str],
               results: dict[str, StepResult], step_files: dict[str, list[str]],
               *, total: float) -> dict[str, Any]:
    """The entries of ``run.json`` besides those :class:`OutputDir` adds (files, inputs with
    their checksums, versions, time)."""
    from metrocircle.project import layers as L

    layers = {n: L.label(project.layers, n) for n in project.layers}
    steps = {}
    for name in order:
        r = results[name]
        steps[name] = {"status": "cache" if r.cached else "ran", "key": r.key,
                       "seconds": r.seconds if not r.cached else 0.0,
                       "seconds_when_run": r.seconds,
                       "parameters": project.layers if name == "layers" else project.step(name),
                       "files": step_files.get(name, []), "info": r.info}
    record: dict[str, Any] = {
        "project": {"name": project.name, "title": project.title,
                    "file": project.path.as_posix(),
                    "sha256": inputs.sha256(project.path),
                    "overrides": project.overrides,
                    "scenario": project.overrides.get("scenario")},
        "parameters": {"inputs": project.resolved_data().get("inputs", {}),
                       "layers": project.resolved_data().get("layers", {}),
                       "steps": {n: project.step(n) for n in project.step_names()}},
        "layers": layers,
        "versions": C.versions(),
        "steps": steps,
        "rows_set_aside": {k: v for r in results.values()
                           for k, v in r.info.get("rows_set_aside", {}).items()},
        "seconds": total,
    }
    if "signaling" in results:
        sup = results["signaling"].info.get("suppression", {})
        record["signaling_suppression"] = {
            **sup, "published": "signaling/od.csv",
            "analysis": "later steps use every pair (none suppressed): suppression protects "
                        "the published file and does not change the analysis"}
    return C.plain(record)
