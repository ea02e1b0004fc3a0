"""Scenarios: a what-if of the access step run through the whole chain, beside the base run.

A scenario (``[scenarios.NAME]`` of the project) adds links to the network or speeds up a mode
or a rail line. :func:`run_scenario` checks it against the project's own units and timetable
(one error listing every problem, before any work), makes sure the base run's folder ``OUT``
holds the results of the project as it stands (it runs the base only when it does not, and
otherwise leaves the folder untouched), seeds the scenario's folder ``OUT-NAME`` with the base
run's cache, and runs the scenario there: the access step and the steps that read travel times
run again, the others come from the cache. The scenario's folder then holds its own run plus
``scenario/``: the comparison with the base run.

The comparison (:func:`compare_runs`) takes every unit whose area, status, role or place in
the one-hour or half-hour circle changed. Area changes come from
:func:`metrocircle.robustness.compare` (``joined``, ``left``, ``moved``); the cores and the
delineation's parameters are the same on both sides, so what moved a unit is the travel
times, directly or through what is built on them. ``cause`` says which:

``access``
    The unit's own travel time to the core crossed the delineation's gate (``max_minutes``).
``flows``
    A connection test of the unit flipped while its gate did not: a layer built on the travel
    times (a gravity or investment model) moved its strength across the threshold.
``neighbours``
    None of its own tests flipped: contiguity or snapping to a parent unit moved it with its
    neighbours.
``circle``
    Only its place in a circle changed (its area and status did not).

A role change gets the role rules that fired on each side and the indicators that differ
(``detail``).

Examples
--------
>>> from metrocircle.project import example_path, load_project
>>> from metrocircle.project.scenario import check_scenario
>>> project = load_project(example_path("chongqing"))
>>> check_scenario(project, "guangan_rail").step("access")["add_links"]
['511602:500112:30:rail']
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.exceptions import InputError, ParameterError, Problems
from metrocircle.project.project import Project
from metrocircle.project.run import Progress, RunResult, run_project, step_keys
from metrocircle.project.steps import StepResult

log = logging.getLogger(__name__)

#: The folder of the scenario's run folder that holds its comparison with the base run.
FOLDER = "scenario"
CAUSES = ("access", "flows", "neighbours", "circle")
CHANGE_COLORS = {
    "joined": "#1a9850",
    "left": "#d73027",
    "moved": "#fc8d59",
    "role changed": "#7b3294",
    "entered a circle": "#91bfdb",
    "left a circle": "#fdae61",
    "unchanged, in the area": "#d9d9d9",
    "unchanged": "#f7f7f7",
}


@dataclass
class ScenarioResult:
    """What :func:`run_scenario` returns.

    Attributes
    ----------
    name
        The scenario.
    base_dir, out_dir
        The base run's folder and the scenario's.
    base_ran
        Whether the base had to run (False: its folder held the current results and was not
        touched).
    result
        The scenario's :class:`~metrocircle.project.run.RunResult`.
    changes
        One row per unit that changed (see :func:`compare_runs`).
    counts
        How many units changed, by kind of change and by cause.
    """

    name: str
    base_dir: Path
    out_dir: Path
    base_ran: bool
    result: RunResult
    changes: pd.DataFrame
    counts: dict[str, Any] = field(default_factory=dict)


def scenario_folder(out: str | Path, name: str) -> Path:
    """The scenario's run folder beside the base run's: ``OUT-NAME``."""
    out = Path(out)
    return out.parent / f"{out.name}-{name}"


# ---------------------------------------------------------------------------- checking
def check_scenario(project: Project, name: str) -> Project:
    """The project with scenario ``name`` applied, after checking every field of the scenario
    against the project's units, network and timetable.

    Raises
    ------
    ProjectError
        One error listing every problem: an unknown scenario, no access step, a scenario that
        changes nothing, a link naming a unit the project does not have, a link faster than
        ``max_speed_kmh`` over the distance between its units, a link from a unit to itself,
        a speed-up of a mode or line the network does not have.
    """
    from metrocircle.access.api import parse_speed_up
    from metrocircle.access.network import link_edges, parse_link
    from metrocircle.project.inputs import Inputs
    from metrocircle.project.steps import Access

    scenario = project.with_scenario(name)  # unknown name, no access step: raised here
    decl = project.scenarios[name]
    key = f"scenarios.{name}"
    problems: list[tuple[str, str]] = []
    links, speed_ups = list(decl.get("add_links") or []), list(decl.get("speed_ups") or [])
    if not links and not speed_ups:
        problems.append((key, "changes nothing: give add_links or speed_ups"))
    inputs = Inputs(project)
    units = inputs.units()
    params = Access.access_params(project)
    modes = {"road"}
    for i, text in enumerate(links):
        where = f"{key}.add_links[{i}]"
        try:
            link = parse_link(text)
        except (ParameterError, InputError) as err:
            problems.append((where, str(err)))
            continue
        modes.add(link["mode"])
        if link["origin"] == link["destination"]:
            problems.append((where, f"links unit {link['origin']} to itself"))
            continue
        found = Problems()
        link_edges(units, pd.DataFrame([link]), params, found)
        problems += [(where, f"{p.message}: {', '.join(map(str, p.rows))}")
                     for p in found.items]
    timetable = None
    for i, text in enumerate(speed_ups):
        where = f"{key}.speed_ups[{i}]"
        try:
            selector, _ = parse_speed_up(text)
        except ParameterError as err:
            problems.append((where, str(err)))
            continue
        if selector in modes or selector == "rail" and project.input("timetable"):
            continue
        if project.input("timetable") is None:
            problems.append((where, f"no mode or line {selector!r}: the network has "
                                    f"{', '.join(sorted(modes))} and no timetable"))
            continue
        timetable = timetable or inputs.timetable()
        try:
            timetable.select_trips(selector)
        except ParameterError as err:
            problems.append((where, str(err)))
    if problems:
        raise project.error(problems)
    return scenario


# ---------------------------------------------------------------------------- comparing
def _read(folder: Path, name: str) -> pd.DataFrame | None:
    from metrocircle.model.io import read_table

    path = folder / name
    if not path.is_file():
        return None
    df = read_table(path)[0]  # every column as text, blanks as ""
    return df.replace("", np.nan)


def _circles(circles: pd.DataFrame | None) -> pd.DataFrame:
    """Per unit: its minutes to the nearest core and whether it is in the 1-hour and half-hour
    circles of any core."""
    if circles is None or circles.empty:
        return pd.DataFrame(columns=["minutes", "within_1h", "within_half_hour"])
    c = circles.assign(
        minutes=pd.to_numeric(circles["minutes"], errors="coerce"),
        within_1h=circles["within_1h"].astype(str).str.lower() == "true",
        within_half_hour=circles["within_half_hour"].astype(str).str.lower() == "true")
    return c.groupby(c["unit_id"].astype(str)).agg(
        minutes=("minutes", "min"), within_1h=("within_1h", "any"),
        within_half_hour=("within_half_hour", "any"))


def _failed(row: pd.Series) -> set[str]:
    text = row.get("failed")
    return set(str(text).split(";")) - {""} if isinstance(text, str) else set()


def _gate_flipped(b: pd.Series, s: pd.Series, max_minutes: float | None) -> bool:
    """Whether the unit's own travel-time gate gave another answer."""
    if "failed" in b.index and "failed" in s.index:
        return ("gate" in _failed(b)) != ("gate" in _failed(s))
    tb = pd.to_numeric(b.get("travel_minutes"), errors="coerce")
    ts = pd.to_numeric(s.get("travel_minutes"), errors="coerce")
    if max_minutes is None or pd.isna(tb) or pd.isna(ts):
        return False
    return bool((tb <= max_minutes) != (ts <= max_minutes))


def _tests_flipped(b: pd.Series, s: pd.Series) -> bool:
    """Whether one of the unit's own connection tests gave another answer."""
    if "failed" in b.index and "failed" in s.index:
        return bool((_failed(b) ^ _failed(s)) - {"gate"})
    mb = pd.to_numeric(b.get("margin"), errors="coerce")
    ms = pd.to_numeric(s.get("margin"), errors="coerce")
    return not pd.isna(mb) and not pd.isna(ms) and bool((mb >= 0) != (ms >= 0))


def _fmt(value: Any) -> str:
    v = pd.to_numeric(value, errors="coerce")
    if pd.isna(v):
        return "-" if value is None or pd.isna(value) else str(value)
    return f"{v:.4g}"


def compare_runs(base: Path, scenario: Path, *, max_minutes: float | None = None,
                 names: pd.Series | None = None) -> tuple[pd.DataFrame, Any]:
    """The units whose area, status, role or circle differ between two run folders.

    Parameters
    ----------
    base, scenario
        Run folders of ``metrocircle run`` (``membership.csv``, ``roles.csv``,
        ``access/circles.csv``).
    max_minutes
        The delineation's travel-time gate, to tell a gate crossing from a connection test
        when the membership does not list the failed tests.
    names
        Unit names by code, for the table.

    Returns
    -------
    (changes, comparison)
        ``changes``: one row per unit that changed: ``unit_id, name, change`` (``joined``,
        ``left``, ``moved`` or ``same`` for the area, from
        :func:`metrocircle.robustness.compare`), ``area_base, area_scenario, status_base,
        status_scenario, role_base, role_scenario, minutes_base, minutes_scenario,
        within_1h_base, within_1h_scenario, within_half_hour_base,
        within_half_hour_scenario, rule_base, rule_scenario, cause, detail``.
        ``comparison``: the :class:`~metrocircle.robustness.ComparisonResult` of the two
        memberships (None when the runs have no delineation).
    """
    from metrocircle.robustness import compare

    mb, ms = _read(base, "membership.csv"), _read(scenario, "membership.csv")
    rb, rs = _read(base, "roles.csv"), _read(scenario, "roles.csv")
    cb = _circles(_read(base / "access", "circles.csv"))
    cs = _circles(_read(scenario / "access", "circles.csv"))
    comparison = None
    ids: set[str] = set(cb.index) | set(cs.index)
    if mb is not None and ms is not None:
        comparison = compare(mb, ms)
        ids |= set(comparison.changes["unit_id"].astype(str))
    if rb is not None:
        ids |= set(rb["unit_id"].astype(str))
    if rs is not None:
        ids |= set(rs["unit_id"].astype(str))
    idx = pd.Index(sorted(ids), name="unit_id")
    t = pd.DataFrame(index=idx)
    if comparison is not None:
        ch = comparison.changes.set_index(comparison.changes["unit_id"].astype(str))
        t["change"] = ch["change"].reindex(idx).astype(object)
        t["area_base"], t["area_scenario"] = ch["area_a"].reindex(idx), ch["area_b"].reindex(idx)
        t["status_base"] = ch["status_a"].reindex(idx)
        t["status_scenario"] = ch["status_b"].reindex(idx)
    else:
        for col in ("change", "area_base", "area_scenario", "status_base", "status_scenario"):
            t[col] = None
    empty = pd.DataFrame(columns=["unit_id", "role", "rules_fired", "reason"])
    roles_b = (rb if rb is not None else empty).set_index("unit_id")
    roles_s = (rs if rs is not None else empty).set_index("unit_id")
    t["role_base"] = roles_b["role"].reindex(idx)
    t["role_scenario"] = roles_s["role"].reindex(idx)
    t["minutes_base"] = cb["minutes"].reindex(idx) if len(cb) else np.nan
    t["minutes_scenario"] = cs["minutes"].reindex(idx) if len(cs) else np.nan
    for col in ("within_1h", "within_half_hour"):
        t[f"{col}_base"] = cb[col].reindex(idx).astype("boolean") if len(cb) else pd.NA
        t[f"{col}_scenario"] = cs[col].reindex(idx).astype("boolean") if len(cs) else pd.NA
    mbi = mb.set_index("unit_id") if mb is not None else None
    msi = ms.set_index("unit_id") if ms is not None else None
    if mbi is not None and msi is not None:
        t["rule_base"] = mbi["rule"].reindex(idx)
        t["rule_scenario"] = msi["rule"].reindex(idx)
    else:
        t["rule_base"] = t["rule_scenario"] = None

    def differs(a: str, b: str) -> pd.Series:
        x, y = t[a].astype(object), t[b].astype(object)
        return ~((x == y) | (x.isna() & y.isna()))

    area_changed = t["change"].isin(["joined", "left", "moved"])
    status_changed = differs("status_base", "status_scenario")
    role_changed = differs("role_base", "role_scenario")
    circle_changed = (differs("within_1h_base", "within_1h_scenario")
                      | differs("within_half_hour_base", "within_half_hour_scenario"))
    keep = area_changed | status_changed | role_changed | circle_changed
    t = t[keep].copy()
    causes, details = [], []
    for u, row in t.iterrows():
        parts = []
        cause = "circle"
        own = mbi is not None and msi is not None and u in mbi.index and u in msi.index
        if own and (area_changed[u] or status_changed[u]):
            b, s = mbi.loc[u], msi.loc[u]
            if _gate_flipped(b, s, max_minutes):
                cause = "access"
            elif _tests_flipped(b, s):
                cause = "flows"
            else:
                cause = "neighbours"
        elif role_changed[u]:
            cause = "access" if differs("minutes_base", "minutes_scenario")[u] else "flows"
        if own and (area_changed[u] or status_changed[u] or differs("rule_base",
                                                                   "rule_scenario")[u]):
            b, s = mbi.loc[u], msi.loc[u]
            parts.append(f"membership: {b.get('rule')} ({_fmt(b.get('value'))}) -> "
                         f"{s.get('rule')} ({_fmt(s.get('value'))})")
            for col in ("travel_minutes", "fused_membership", "commuting_rate"):
                if col in b.index and col in s.index and _fmt(b[col]) != _fmt(s[col]):
                    parts.append(f"{col} {_fmt(b[col])} -> {_fmt(s[col])}")
        if role_changed[u]:
            fb = roles_b["rules_fired"].get(u) if "rules_fired" in roles_b else None
            fs = roles_s["rules_fired"].get(u) if "rules_fired" in roles_s else None
            parts.append(f"role: {row['role_base']} (rules fired: {_fmt(fb)}) -> "
                         f"{row['role_scenario']} (rules fired: {_fmt(fs)})")
            for col in ("tt_core_minutes", "membership_core", "out_rate_core"):
                if col in roles_b.columns and col in roles_s.columns:
                    vb, vs = roles_b[col].get(u), roles_s[col].get(u)
                    if _fmt(vb) != _fmt(vs):
                        parts.append(f"{col} {_fmt(vb)} -> {_fmt(vs)}")
        if circle_changed[u]:
            for col, label in (("within_1h", "one-hour circle"),
                               ("within_half_hour", "half-hour circle")):
                was, now = row[f"{col}_base"], row[f"{col}_scenario"]
                if pd.notna(was) and pd.notna(now) and bool(was) != bool(now):
                    parts.append(f"{'entered' if now else 'left'} the {label} "
                                 f"({_fmt(row['minutes_base'])} -> "
                                 f"{_fmt(row['minutes_scenario'])} min)")
        causes.append(cause)
        details.append("; ".join(parts))
    t["cause"] = pd.array(causes, dtype="string")
    t["detail"] = pd.array(details, dtype="string")
    t.insert(0, "name", names.reindex(t.index).to_numpy() if names is not None else None)
    return t.reset_index(), comparison


def _counts(changes: pd.DataFrame) -> dict[str, Any]:
    def flips(col: str, now: bool) -> int:
        b, s = changes[f"{col}_base"], changes[f"{col}_scenario"]
        return int((b.notna() & s.notna() & (b != now) & (s == now)).sum())

    role = changes["role_base"].astype(object).fillna("") != changes[
        "role_scenario"].astype(object).fillna("")
    return {
        "units_changed": len(changes),
        "area": {c: int((changes["change"] == c).sum()) for c in ("joined", "left", "moved")},
        "status_changed": int((changes["status_base"].astype(object).fillna("")
                               != changes["status_scenario"].astype(object).fillna("")).sum()),
        "role_changed": int(role.sum()),
        "entered_1h": flips("within_1h", True), "left_1h": flips("within_1h", False),
        "entered_half_hour": flips("within_half_hour", True),
        "left_half_hour": flips("within_half_hour", False),
        "by_cause": {c: int((changes["cause"] == c).sum()) for c in CAUSES},
    }


def _map_kind(changes: pd.DataFrame, units: pd.DataFrame, members: set[str]) -> pd.DataFrame:
    kind = pd.Series("unchanged", index=units["unit_id"].astype(str))
    kind[kind.index.isin(members)] = "unchanged, in the area"
    for _, r in changes.iterrows():
        u = str(r["unit_id"])
        if r["change"] in ("joined", "left", "moved"):
            kind[u] = r["change"]
        elif str(r["role_base"]) != str(r["role_scenario"]):
            kind[u] = "role changed"
        elif any(pd.notna(r[f"{c}_scenario"]) and bool(r[f"{c}_scenario"])
                 and not (pd.notna(r[f"{c}_base"]) and bool(r[f"{c}_base"]))
                 for c in ("within_1h", "within_half_hour")):
            kind[u] = "entered a circle"
        else:
            kind[u] = "left a circle"
    return pd.DataFrame({"unit_id": kind.index, "kind": kind.to_numpy()})


def _draw_map(od: Any, project: Project, changes: pd.DataFrame, counts: dict[str, Any],
              polygons: Any, members: set[str], description: str) -> dict[str, Any]:
    """``scenario/changes.png`` and ``.svg`` when matplotlib and boundaries are there."""
    import importlib.util

    if polygons is None:
        return {"drawn": [], "notes": ["no map: the project has no [inputs.boundaries]"]}
    if importlib.util.find_spec("matplotlib") is None:
        return {"drawn": [], "notes": ["no map: it needs matplotlib; install it with pip "
                                       "install 'metrocircle[report]'"]}
    from metrocircle.report.maps import choropleth, save

    table = _map_kind(changes, polygons, members)
    a = counts["area"]
    fig = choropleth(
        polygons, table, column="kind", categorical=True,
        colors={k: v for k, v in CHANGE_COLORS.items() if k in set(table["kind"])},
        title=(f"Scenario {project.overrides.get('scenario')}: {a['joined']} joined, "
               f"{a['left']} left, {a['moved']} moved; {counts['role_changed']} role(s) "
               f"changed; {counts['entered_1h']} entered the one-hour circle"),
        caption=(f"{description}. Against the base run of {project.name}; the scenario's "
                 "links are assumptions (modelled). Causes: "
                 + ", ".join(f"{n} {c}" for c, n in counts["by_cause"].items() if n)),
        legend_title="change")
    written = save(fig, od.path(FOLDER, "changes"))
    return {"drawn": [f"{FOLDER}/{p.name}" for p in written], "notes": []}


# ---------------------------------------------------------------------------- running
def _base_is_current(project: Project, out: Path) -> bool:
    """Whether ``out`` holds a run of ``project`` as it stands: the same step keys, and every
    file listed in its run.json unchanged."""
    from metrocircle.model.output import _sha256

    try:
        record = json.loads((out / "run.json").read_text(encoding="utf-8"))
        # the report is drawn from the steps' files: its key follows theirs
        steps = {n: s["key"] for n, s in record["steps"].items() if n != "report"}
        files = dict(record["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if record.get("project", {}).get("scenario") or steps != step_keys(project):
        return False
    for rel, digest in files.items():
        path = out / rel
        if not path.is_file() or _sha256(path) != digest:
            return False
    return True


def _seed_cache(base: Path, target: Path) -> int:
    """Link (or copy) the base run's cache entries that ``target`` lacks; the number added."""
    src, dst = base / ".cache", target / ".cache"
    added = 0
    if not src.is_dir():
        return 0
    from metrocircle.project.cache import FIGURES

    # <step>/<key>/, and the report's figures one level down: figures/<figure>/<key>/
    folders = [p for p in sorted(src.iterdir()) if p.is_dir() and p.name != FIGURES]
    if (src / FIGURES).is_dir():
        folders += [p for p in sorted((src / FIGURES).iterdir()) if p.is_dir()]
    for step_dir in folders:
        rel = step_dir.relative_to(src)
        for entry in sorted(p for p in step_dir.iterdir() if p.is_dir()):
            if entry.name.startswith(".tmp-") or (dst / rel / entry.name).exists():
                continue
            (dst / rel).mkdir(parents=True, exist_ok=True)
            tmp = dst / rel / f".tmp-seed-{entry.name[:12]}"
            shutil.rmtree(tmp, ignore_errors=True)

            def link(s: str, d: str) -> None:
                try:
                    os.link(s, d)  # entries never change once written: a link is enough
                except OSError:
                    shutil.copy2(s, d)

            shutil.copytree(entry, tmp, copy_function=link)
            os.replace(tmp, dst / rel / entry.name)
            added += 1
    return added


def run_scenario(
    project: Project,
    name: str,
    out: str | Path,
    *,
    scenario_out: str | Path | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
) -> ScenarioResult:
    """Run scenario ``name`` of ``project`` through the whole chain and compare it with the
    base run.

    Parameters
    ----------
    project
        The base project (validated, from :func:`~metrocircle.project.load_project`).
    name
        A scenario of the project (``[scenarios.NAME]``).
    out
        The base run's folder. When it holds the results of the project as it stands it is
        not touched; otherwise the base runs into it first.
    scenario_out
        The scenario's run folder (default ``OUT-NAME``, beside the base run).
    use_cache
        False runs every step of the scenario again.
    progress
        ``progress(step, fraction)``.

    Returns
    -------
    ScenarioResult

    Examples
    --------
    >>> from metrocircle.project import example_path, load_project
    >>> from metrocircle.project.scenario import run_scenario
    >>> res = run_scenario(load_project(example_path("chongqing")), "guangan_rail",
    ...                    "out/chongqing")  # doctest: +SKIP
    >>> res.counts["entered_1h"]  # doctest: +SKIP
    4
    """
    from metrocircle.model.output import check_out_dir

    out = Path(out)
    target = Path(scenario_out) if scenario_out is not None else scenario_folder(out, name)
    scenario = check_scenario(project, name)
    if target.resolve() == out.resolve() or target.resolve().is_relative_to(out.resolve()):
        raise ParameterError(f"The scenario's folder must not be the base run's folder or "
                             f"inside it. Got {target}.")
    files = [project.path] + [p for p in _input_files(project) if p.is_file()]
    check_out_dir(out, inputs=files)
    check_out_dir(target, inputs=files)
    base_ran = False
    if not _base_is_current(project, out):
        log.info("the base run in %s is missing or out of date: running it", out)
        run_project(project, out, use_cache=use_cache, progress=progress)
        base_ran = True
    seeded = _seed_cache(out, target)
    log.info("scenario %s: %d cache entries of the base run linked into %s", name, seeded,
             target)
    description = str(project.scenarios[name].get("description") or name)
    step = project.step("delineation") if project.has_step("delineation") else {}
    gate = (step.get("params") or {}).get("max_minutes")
    found: dict[str, Any] = {}

    def compare_with_base(od: Any, results: dict[str, StepResult]) -> dict[str, Any]:
        from metrocircle.project.inputs import Inputs

        inputs = Inputs(scenario)
        units = inputs.units()
        names = (units.set_index("unit_id")["name"].astype(str) if "name" in units.columns
                 else None)
        changes, comparison = compare_runs(out, od.root, max_minutes=_gate(gate, results),
                                           names=names)
        counts = _counts(changes)
        od.write_table(changes, FOLDER, "changes.csv")
        members: set[str] = set()
        if "delineation" in results:
            m = results["delineation"].tables["membership"]
            members = set(m.loc[m["area_id"].notna(), "unit_id"].astype(str))
        maps = _draw_map(od, scenario, changes, counts, inputs.boundaries(), members,
                         description)
        found.update(changes=changes, counts=counts)
        return {"scenario": {
            "name": name, "description": description,
            "add_links": project.scenarios[name].get("add_links", []),
            "speed_ups": project.scenarios[name].get("speed_ups", []),
            "base": out.resolve().as_posix(), "base_ran": base_ran,
            "base_steps": step_keys(project), "counts": counts,
            "compared_units": None if comparison is None else comparison.info["compared"],
            "maps": maps}}

    result = run_project(scenario, target, use_cache=use_cache, progress=progress,
                         extra=compare_with_base)
    return ScenarioResult(name, out, target, base_ran, result, found["changes"],
                          found["counts"])


def _gate(given: Any, results: dict[str, StepResult]) -> float | None:
    if given is not None:
        return float(given)
    info = results["delineation"].info if "delineation" in results else {}
    value = (info.get("params") or {}).get("max_minutes")
    return None if value is None else float(value)


def _input_files(project: Project) -> list[Path]:
    from metrocircle.project.inputs import Inputs

    return list(Inputs(project).files().values())


__all__ = ["CAUSES", "ScenarioResult", "check_scenario", "compare_runs", "run_scenario",
           "scenario_folder"]
