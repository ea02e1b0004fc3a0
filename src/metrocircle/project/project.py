"""A project: one TOML file that declares the inputs, the flow layers and the steps of a run.

:func:`load_project` reads the file (Python's ``tomllib``), applies overrides (``--set
KEY=VALUE``), and validates the whole project before anything runs
(:mod:`metrocircle.project.validation`): one :class:`~metrocircle.exceptions.ProjectError`
lists every problem with its key and line. Relative paths resolve against the project file's
folder. :meth:`Project.to_toml` writes the resolved project (absolute paths, overrides applied)
that ``metrocircle run OUT/project.toml`` runs again.

Examples
--------
>>> from metrocircle.project import example_path, load_project
>>> project = load_project(example_path("us-cbsa"))
>>> project.name, project.step_names()
('us-cbsa', ['delineation', 'combine'])
>>> project.layers["commuting"]["kind"], project.layers["commuting"]["source"]
('commuting', 'real')
"""

from __future__ import annotations

import copy
import json
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from metrocircle.exceptions import Problem, ProjectError
from metrocircle.project import spec

#: The steps in the order they run (each only needs steps before it).
CHAIN = ("access", "signaling", "layers", "strength", "delineation", "combine", "roles",
         "groups", "industry", "indicators")


@dataclass
class Project:
    """A parsed project file.

    Attributes
    ----------
    path
        The project file.
    data
        The parsed tables (overrides applied; paths as written).
    text
        The file's text (to find the line of a key in error messages).
    overrides
        ``{dotted key: value}`` applied on top of the file.
    """

    path: Path
    data: dict[str, Any]
    text: str = ""
    overrides: dict[str, Any] = field(default_factory=dict)

    # -- reading -----------------------------------------------------------------------------
    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def name(self) -> str:
        return str(self.data.get("project", {}).get("name", self.path.stem))

    @property
    def title(self) -> str:
        return str(self.data.get("project", {}).get("title", self.name))

    @property
    def inputs(self) -> dict[str, dict[str, Any]]:
        return dict(self.data.get("inputs", {}))

    @property
    def layers(self) -> dict[str, dict[str, Any]]:
        return dict(self.data.get("layers", {}))

    @property
    def scenarios(self) -> dict[str, dict[str, Any]]:
        return dict(self.data.get("scenarios", {}))

    def input(self, name: str) -> dict[str, Any] | None:
        """The ``[inputs.NAME]`` table, or None."""
        value = self.data.get("inputs", {}).get(name)
        return value if isinstance(value, dict) else None

    def has_step(self, name: str) -> bool:
        """Whether the step runs: its ``[steps.NAME]`` table is present (``layers`` runs when
        the project declares a layer)."""
        if name == "layers":
            return bool(self.layers)
        return isinstance(self.data.get("steps", {}).get(name), dict)

    def step_names(self) -> list[str]:
        """The declared steps in the order they run (``layers`` is implicit)."""
        return [s for s in CHAIN if s != "layers" and self.has_step(s)]

    def step(self, name: str) -> dict[str, Any]:
        """``[steps.NAME]`` with every default filled in (a copy)."""
        section = spec.STEPS.children[name]
        given = self.data.get("steps", {}).get(name) or {}
        out = copy.deepcopy(spec.defaults(section))
        out.update(copy.deepcopy(given))
        return out

    def resolve(self, value: str | Path) -> Path:
        """A path of the file, relative to the project file's folder unless absolute."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else (self.folder / p)

    # -- paths -------------------------------------------------------------------------------
    def file_keys(self) -> list[tuple[str, str]]:
        """Every key naming a file: ``(dotted key, path as written)``."""
        out: list[tuple[str, str]] = []
        for section, prefix, table in _sections(self.data):
            for key in section.keys:
                value = table.get(key.name)
                if value is None:
                    continue
                if key.kind == "file" or (key.kind == "number_or_file" and isinstance(value,
                                                                                     str)):
                    out.append((f"{prefix}.{key.name}", str(value)))
        joins = (self.input("units") or {}).get("join")
        if isinstance(joins, list):
            out += [(f"inputs.units.join.{i}.file", str(j["file"])) for i, j in enumerate(joins)
                    if isinstance(j, dict) and isinstance(j.get("file"), str)]
        for name in ("delineation", "roles"):
            params = (self.data.get("steps", {}).get(name) or {}).get("params") or {}
            if isinstance(params, dict) and isinstance(params.get("policy"), str):
                out.append((f"steps.{name}.params.policy", params["policy"]))
        return out

    def resolved_data(self) -> dict[str, Any]:
        """:attr:`data` with every file path made absolute (what ``project.toml`` in the run
        folder holds, so that it runs from anywhere)."""
        data = copy.deepcopy(self.data)
        for dotted, value in self.file_keys():
            *parents, last = dotted.split(".")
            node = data
            for part in parents:
                node = node[int(part)] if isinstance(node, list) else node[part]
            node[last] = self.resolve(value).resolve().as_posix()
        return data

    def to_toml(self) -> str:
        """The resolved project as TOML (absolute paths, overrides applied)."""
        header = ("# The project of this run, resolved by metrocircle: absolute paths, "
                  "overrides applied.\n# Run it again with: metrocircle run project.toml "
                  "--out OTHER_FOLDER\n")
        return header + dumps(self.resolved_data())

    def with_scenario(self, name: str) -> Project:
        """The project with scenario ``name`` applied to its access step (its added links and
        speed-ups appended to those of ``[steps.access]``); see ``docs/project.md``."""
        if name not in self.scenarios:
            raise ProjectError([Problem(f"scenarios.{name}", "no such scenario"
                                        + spec.did_you_mean(name, list(self.scenarios)))],
                               path=str(self.path))
        if not self.has_step("access"):
            raise ProjectError([Problem("steps.access", "a scenario changes the access step; "
                                        "the project has none")], path=str(self.path))
        data = copy.deepcopy(self.data)
        acc = data["steps"]["access"]
        for key in ("add_links", "speed_ups"):
            acc[key] = list(acc.get(key, [])) + list(self.scenarios[name].get(key, []))
        return Project(self.path, data, self.text, {**self.overrides, "scenario": name})

    # -- errors ------------------------------------------------------------------------------
    def line_of(self, dotted: str) -> int | None:
        """The line of ``dotted`` in the project file, if it can be found."""
        return locate(self.text, dotted)

    def error(self, problems: Iterable[tuple[str, str]]) -> ProjectError:
        """A :class:`ProjectError` from ``(key, message)`` pairs, with lines where known."""
        items = []
        for key, message in problems:
            line = self.line_of(key) if key else None
            where = key or "(file)"
            if line is not None:
                where += f" (line {line})"
            items.append(Problem(where, message))
        return ProjectError(items, path=str(self.path))


def _sections(data: dict[str, Any]) -> Iterable[tuple[spec.Section, str, dict[str, Any]]]:
    """Every section of ``data`` with its dotted name and table (nested sections included)."""
    def visit(section: spec.Section, prefix: str, table: Any):
        if not isinstance(table, dict):
            return
        yield section, prefix, table
        if section.named is not None:
            for name, sub in table.items():
                yield from visit(section.named, f"{prefix}.{name}", sub)
        for name, child in section.children.items():
            if name in table:
                yield from visit(child, f"{prefix}.{name}".lstrip("."), table[name])
        for key in section.keys:
            if key.section is not None and key.name in table:
                yield from visit(key.section, f"{prefix}.{key.name}", table[key.name])

    yield from visit(spec.ROOT, "", data)


# ---------------------------------------------------------------------------- loading
_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


def parse_overrides(pairs: Iterable[str]) -> dict[str, Any]:
    """``["steps.delineation.params.close_share=0.15"]`` -> ``{key: 0.15}``.

    The value is read as a TOML value (``0.15``, ``true``, ``"text"``, ``[30, 60]``); a value
    that is not valid TOML is taken as text.
    """
    out: dict[str, Any] = {}
    bad = []
    for item in pairs:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key or any(not part for part in key.split(".")):
            bad.append(item)
            continue
        try:
            out[key] = tomllib.loads(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            out[key] = raw.strip()
    if bad:
        raise ProjectError([Problem("--set", f"takes KEY=VALUE with a dotted key, e.g. "
                                             f"steps.delineation.params.threshold=0.2; could "
                                             f"not read {b!r}") for b in bad])
    return out


def apply_overrides(data: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` with each dotted key set (tables are created as needed)."""
    data = copy.deepcopy(data)
    for dotted, value in overrides.items():
        *parents, last = dotted.split(".")
        node = data
        for part in parents:
            nxt = node.get(part)
            if not isinstance(nxt, dict):
                nxt = node[part] = {}
            node = nxt
        node[last] = value
    return data


def read_project(path: str | Path, *, overrides: Mapping[str, Any] | None = None) -> Project:
    """Parse a project file without validating it (TOML syntax errors are raised)."""
    path = Path(path).expanduser()
    if not path.is_file():
        where = "is a folder, not a file" if path.is_dir() else "not found"
        raise ProjectError([Problem("(file)", f"{path} {where}")], path=str(path))
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        m = _TOML_LINE.search(str(err))
        line = m.group(1) if m else (len(text.splitlines()) if "end of document" in str(err)
                                     else None)
        where = f"(file) (line {line})" if line else "(file)"
        raise ProjectError([Problem(where, f"not valid TOML: {err}")],
                           path=str(path)) from err
    return Project(Path(path).resolve(), apply_overrides(data, overrides or {}), text,
                   dict(overrides or {}))


def load_project(path: str | Path, *, overrides: Mapping[str, Any] | None = None,
                 check_files: bool = True) -> Project:
    """Read and validate a project file; raise one :class:`ProjectError` listing every problem.

    Parameters
    ----------
    path
        The project file (``project.toml``).
    overrides
        ``{dotted key: value}`` set on top of the file, e.g.
        ``{"steps.delineation.params.close_share": 0.15}``.
    check_files
        Also open every input file's header (missing files, unknown columns). Default True.
    """
    from metrocircle.project.validation import validate

    project = read_project(path, overrides=overrides)
    validate(project, check_files=check_files)
    return project


# ---------------------------------------------------------------------------- locating keys
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_ASSIGN = re.compile(r"^\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_\-]+)\s*(\.|=)")


def _clean(name: str) -> str:
    return name.strip().strip("\"'")


def locate(text: str, dotted: str) -> int | None:
    """The line of key ``dotted`` (``steps.delineation.params``) in TOML ``text``, or None.

    Finds the table header that is the longest prefix of the key, then the first line in that
    table that assigns the next part of the key (an inline table is found by its own line).
    """
    if not dotted:
        return None
    parts = dotted.split(".")
    headers: list[tuple[list[str], int, int]] = []  # (path, start line, end line)
    current: list[str] = []
    start = 0
    lines = text.splitlines()
    for i, line in enumerate(lines, start=1):
        m = _HEADER.match(line)
        if m:
            headers.append((current, start, i - 1))
            current = [_clean(p) for p in m.group(1).split(".")]
            start = i
    headers.append((current, start, len(lines)))
    best: tuple[int, int, int] | None = None
    for path, first, last in headers:
        n = len(path)
        if n <= len(parts) and parts[:n] == path and (best is None or n > best[0]):
            best = (n, first, last)
            if n == len(parts):
                return first
    if best is None:
        return None
    n, first, last = best
    rest = [re.sub(r"\[\d+\]$", "", p) for p in parts[n:]]  # add_links[2]: its key's line
    for i in range(max(first, 1), last + 1):
        m = _ASSIGN.match(lines[i - 1])
        if m and _clean(m.group(1)) == rest[0]:
            return i
    return first or None


# ---------------------------------------------------------------------------- writing TOML
def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ValueError(f"TOML has no value for {value!r}")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_scalar(v)}" for k, v in value.items()) + " }"
    raise ValueError(f"cannot write {type(value).__name__} as TOML")


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_\-]+", name) else json.dumps(name)


def dumps(data: Mapping[str, Any]) -> str:
    """Write ``data`` as TOML: one ``[a.b]`` table per section (two levels under ``inputs``,
    ``layers``, ``steps`` and ``scenarios``), nested tables inline.

    >>> print(dumps({"project": {"name": "x"}, "steps": {"access": {"bands": [30, 60]}}}))
    [project]
    name = "x"
    <BLANKLINE>
    [steps.access]
    bands = [30, 60]
    <BLANKLINE>
    """
    out: list[str] = []

    def table(header: str, body: Mapping[str, Any]) -> None:
        out.append(f"[{header}]")
        out.extend(f"{_key(k)} = {_scalar(v)}" for k, v in body.items())
        out.append("")

    for top, body in data.items():
        if not isinstance(body, dict):
            out.insert(0, f"{_key(top)} = {_scalar(body)}")
            continue
        if top in ("inputs", "layers", "steps", "scenarios"):
            for name, sub in body.items():
                table(f"{_key(top)}.{_key(name)}", sub)
        else:
            table(_key(top), body)
    return "\n".join(out)
