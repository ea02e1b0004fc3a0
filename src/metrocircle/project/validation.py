"""Validation of a whole project before any step runs: one error lists every problem.

In order, collecting everything:

1. the shape of the file (:func:`metrocircle.project.spec.check_shape`): unknown keys with a
   "did you mean", missing required keys, values of the wrong type or out of range;
2. every file the project names exists (paths relative to the project file's folder);
3. every column a mapping, ``id``, ``where``, ``drop`` or ``parents`` names is in its file
   (each file's header is read, not its rows);
4. each step's own checks (:meth:`metrocircle.project.steps.Step.check`): a layer nobody
   declares, an unknown method or parameter (through each method's ``param_spec``), a step
   whose input no step produces;
5. the scenarios' links and speed-ups.

Row-level checks (codes, numbers) run when a step reads the table, with the file's line
numbers, as every command does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from metrocircle.exceptions import InputError, ParameterError
from metrocircle.project import spec
from metrocircle.project.inputs import read_header
from metrocircle.project.project import Project
from metrocircle.project.spec import did_you_mean


#: Inputs with a ``file`` whose header is checked, and the model columns a mapping may name.
def _get(data: dict[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


_TABLE_INPUTS = ("units", "boundaries", "adjacency", "cores", "second_core", "reference",
                 "travel_times", "census")


def validate(project: Project, *, check_files: bool = True) -> None:
    """Raise one :class:`~metrocircle.exceptions.ProjectError` listing every problem."""
    problems: list[tuple[str, str]] = []

    def report(key: str, message: str) -> None:
        problems.append((key, message))

    spec.check_shape(project.data, report)
    shape_bad = {k for k, _ in problems}

    def bad(prefix: str) -> bool:
        return any(k == prefix or k.startswith(prefix + ".") for k in shape_bad)

    name = project.data.get("project", {}).get("name")
    if isinstance(name, str):
        from metrocircle.model.output import safe_name

        try:
            safe_name(name, what="project name")
        except ParameterError as err:
            report("project.name", str(err))
    if "inputs" not in project.data or "units" not in project.data.get("inputs", {}):
        report("inputs.units", "is required: every project reads its units")
    missing_files = set()
    for key, value in project.file_keys():
        path = project.resolve(value)
        if not path.is_file():
            missing_files.add(key)
            where = "is a folder" if path.is_dir() else "not found"
            report(key, f"file {where}: {path}")
    columns: dict[str, list[str]] = {}
    if check_files:
        columns = _check_columns(project, report, missing_files, bad)

    def mapped(name: str) -> list[str] | None:
        return columns.get(name)

    from metrocircle.project.steps import STEPS

    declared = [s for s in STEPS if project.has_step(s)]
    for step in declared:
        section = "layers" if step == "layers" else f"steps.{step}"
        try:
            STEPS[step].check(project, report, mapped)
        except (TypeError, AttributeError, KeyError, ValueError):
            # a value of the wrong type, already reported by the shape check, can stop a
            # step's own checks; anything else is a bug and is raised
            if not bad(section):
                raise
        if step == "layers":
            continue
        for need in STEPS[step].needs(project):
            if not project.has_step(need):
                report(f"steps.{step}", f"needs the output of the {need} step, which the "
                                        f"project does not run: add [steps.{need}]")
    for sname, scen in project.scenarios.items():
        if bad(f"scenarios.{sname}"):
            continue
        _check_scenario(sname, scen, report)
    if problems:
        raise project.error(_unique(problems))


def _unique(problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen, out = set(), []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def _check_scenario(name: str, scen: dict[str, Any], report: spec.Report) -> None:
    from metrocircle.access.api import parse_speed_up
    from metrocircle.access.network import parse_link

    for i, text in enumerate(scen.get("add_links", [])):
        try:
            parse_link(text)
        except (ParameterError, InputError) as err:
            report(f"scenarios.{name}.add_links[{i}]", str(err))
    for i, text in enumerate(scen.get("speed_ups", [])):
        try:
            parse_speed_up(text)
        except ParameterError as err:
            report(f"scenarios.{name}.speed_ups[{i}]", str(err))


def _missing(col: str, header: list[str], path: Path) -> str:
    shown = ", ".join(header[:12]) + (" ..." if len(header) > 12 else "")
    return f"no column {col!r} in {path.name}{did_you_mean(col, header)} (it has: {shown})"


def _check_table(key: str, decl: dict[str, Any], header: list[str], path: Path,
                 report: spec.Report, *, id_default: str | None = "unit_id",
                 required: tuple[str, ...] = ()) -> list[str]:
    """Check the columns one input names; return its columns after the mapping."""
    mapping: dict[str, str] = {}
    if id_default is not None:
        mapping["unit_id"] = decl.get("id", id_default)
    for model, col in (decl.get("columns") or {}).items():
        if isinstance(col, str):
            mapping[model] = col
        else:
            report(f"{key}.columns.{model}", f"must name a column. Got {col!r}.")
    for model, col in mapping.items():
        if col in header:
            continue
        if model == "unit_id" and model not in (decl.get("columns") or {}):
            hint = "" if "id" in decl else "; name the code column with id = \"...\""
            report(f"{key}.id" if "id" in decl else key, _missing(col, header, path) + hint)
        else:
            report(f"{key}.columns.{model}", _missing(col, header, path))
    for table in ("where", "drop"):
        for col in decl.get(table) or {}:
            if col not in header:
                report(f"{key}.{table}.{col}", _missing(col, header, path))
    source_to_model = {src: model for model, src in mapping.items()}
    after = []
    for col in header:
        if col in source_to_model:
            after.append(source_to_model[col])
        elif col not in mapping:  # a column named like a mapped model column is replaced
            after.append(col)
    for col in required:
        if col not in after:
            report(f"{key}.columns", f"{path.name} has no {col!r} column; map yours with "
                                     f"columns = {{{col} = \"...\"}}")
    return after


_COLUMN_KEYS = ("file", "id", "columns", "where", "drop", "layer", "parents", "join")


def _check_columns(project: Project, report: spec.Report, missing_files: set[str],
                   bad_key: Any) -> dict[str, list[str]]:
    def bad(key: str) -> bool:  # a key the column checks read has a shape problem
        return any(bad_key(f"{key}.{k}") for k in _COLUMN_KEYS) or not isinstance(
            _get(project.data, key), dict)

    columns: dict[str, list[str]] = {}
    for name in _TABLE_INPUTS:
        decl = project.input(name)
        key = f"inputs.{name}"
        if decl is None or bad(key) or "file" not in decl or f"{key}.file" in missing_files:
            continue
        path = project.resolve(decl["file"])
        header = _header_or_report(path, key=f"{key}.file", report=report,
                                   layer=decl.get("layer"))
        if header is None:
            continue
        if name == "adjacency":
            cols = decl.get("columns") or {}
            for model, col in cols.items():
                if col not in header:
                    report(f"{key}.columns.{model}", _missing(col, header, path))
            if not cols and len(header) < 2:
                report(f"{key}.file", f"{path.name} needs two columns of unit codes")
            columns[name] = header
            continue
        if name == "travel_times":
            after = _check_table(key, decl, header, path, report, id_default=None,
                                 required=("origin", "destination", "minutes"))
        else:
            after = _check_table(key, decl, header, path, report)
        columns[name] = after
        if name == "units":
            for i, join in enumerate(decl.get("join") or []):
                jkey = f"{key}.join.{i}"
                if f"{jkey}.file" in missing_files or bad_key(f"{key}.join"):
                    continue
                jpath = project.resolve(join["file"])
                jhead = _header_or_report(jpath, key=f"{key}.join", report=report)
                if jhead is None:
                    continue
                jid = join.get("id", "unit_id")
                if jid not in jhead:
                    report(f"{key}.join", _missing(jid, jhead, jpath))
                clash = sorted(set(jhead) - {jid} & set(after))
                if clash:
                    report(f"{key}.join", f"{jpath.name} repeats units column(s) "
                                          f"{', '.join(clash)}")
                after += [c for c in jhead if c != jid and c not in after]
            columns[name] = after
            for col in decl.get("parents") or []:
                if col not in after:
                    report(f"{key}.parents", _missing(col, after, path))
        if name in ("cores", "second_core") and "area_id" not in decl and "area_id" not in (
                decl.get("columns") or {}):
            report(key, "name the area: area_id = \"...\" (one area for every unit) or "
                        "columns = {area_id = \"...\"}")
    for name in ("cores", "second_core"):
        decl = project.input(name)
        if decl is not None and not bad(f"inputs.{name}"):
            if ("file" in decl) == ("units" in decl):
                report(f"inputs.{name}", "give either 'file' or 'units'")
            elif "units" in decl and "area_id" not in decl:
                report(f"inputs.{name}.area_id", "is required with 'units'")
    ua = project.input("urban_areas")
    if ua is not None and not bad("inputs.urban_areas") and "inputs.urban_areas.file" not in \
            missing_files:
        _check_urban_areas(project, ua, report)
    ref = project.input("reference")
    if ref is not None and not bad("inputs.reference") and ("file" in ref) == ("units" in ref):
        report("inputs.reference", "give either 'file' or 'units'")
    for lname, decl in project.layers.items():
        key = f"layers.{lname}"
        if bad(key) or "file" not in decl or f"{key}.file" in missing_files:
            continue
        path = project.resolve(decl["file"])
        header = _header_or_report(path, key=f"{key}.file", report=report)
        if header is None:
            continue
        _check_table(key, decl, header, path, report, id_default=None,
                     required=("origin", "destination", "value"))
    sig = project.data.get("steps", {}).get("signaling")
    if isinstance(sig, dict) and not any(bad_key(f"steps.signaling.{k}") for k in (
            "records", "cells", "columns", "cells_columns")):
        for fkey, ckey, defaults in (("records", "columns", ("uid", "time")),
                                     ("cells", "cells_columns", ("cell_id", "lon", "lat"))):
            if fkey not in sig or f"steps.signaling.{fkey}" in missing_files:
                continue
            path = project.resolve(sig[fkey])
            header = _header_or_report(path, key=f"steps.signaling.{fkey}", report=report)
            if header is None:
                continue
            given = dict(sig.get(ckey) or {})
            for model in defaults:
                col = given.get(model, model)
                if col not in header:
                    report(f"steps.signaling.{ckey}.{model}" if model in given
                           else f"steps.signaling.{fkey}", _missing(col, header, path))
    return columns


def _check_urban_areas(project: Project, decl: dict[str, Any], report: spec.Report) -> None:
    """The columns of ``[inputs.urban_areas]``: the mapping names model columns (those of the
    CLI's ``--urban-areas-col``) and columns of the file; after the mapping and the Census
    names, the file has ``ua_code``, ``unit_id`` and ``population`` or ``land_area``."""
    from metrocircle.model import schema as S

    key = "inputs.urban_areas"
    path = project.resolve(decl["file"])
    header = _header_or_report(path, key=f"{key}.file", report=report)
    if header is None:
        return
    known = [*S.URBAN_AREA_ALIASES, S.COUNTY_URBAN_POPULATION]
    mapping = decl.get("columns") or {}
    for model, col in mapping.items():
        if model not in known:
            report(f"{key}.columns.{model}", "unknown urban-area column"
                                             f"{did_you_mean(model, known)}; the names are: "
                                             f"{', '.join(known)}")
        elif not isinstance(col, str):
            report(f"{key}.columns.{model}", f"must name a column. Got {col!r}.")
        elif col not in header:
            report(f"{key}.columns.{model}", _missing(col, header, path))
    for table in ("where", "drop"):
        for col in decl.get(table) or {}:
            if col not in header:
                report(f"{key}.{table}.{col}", _missing(col, header, path))

    def has(model: str) -> bool:
        return model in mapping or model in header or any(
            a in header for a in S.URBAN_AREA_ALIASES.get(model, ()))

    for model in (S.UA_CODE, S.UNIT_ID):
        if not has(model):
            report(f"{key}.columns", f"{path.name} has no {model!r} column; map yours with "
                                     f"columns = {{{model} = \"...\"}}")
    if not has(S.POPULATION) and not has(S.LAND_AREA):
        report(f"{key}.columns", f"{path.name} has neither 'population' (people of the urban "
                                 "area in the unit) nor 'land_area' (its land in the unit); map "
                                 "one with columns = {population = \"...\"}")


def _header_or_report(path: Path, *, key: str, report: spec.Report,
                      layer: str | None = None) -> list[str] | None:
    """The column names of ``path``; None after reporting every problem under ``key`` when the
    file cannot be read."""
    try:
        return read_header(path, layer=layer)
    except InputError as err:
        for p in err.problems:
            report(key, p.message)
        return None
