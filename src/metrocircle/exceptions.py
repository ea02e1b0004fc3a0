"""Public exceptions and warnings of metrocircle.

Every error the package raises on purpose derives from :class:`MetrocircleError`, so a caller can
catch one class. Input problems are collected first and raised once as :class:`InputError`, which
lists every problem with the row or unit it concerns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


class MetrocircleError(Exception):
    """Base class of every error raised on purpose by metrocircle."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input.

    Parameters
    ----------
    source
        The input it concerns, e.g. ``"flows"`` or the file name.
    message
        What is wrong, in plain words.
    rows
        Row numbers (1-based, as a spreadsheet shows them, header = row 1) or unit codes concerned.
    """

    source: str
    message: str
    rows: Sequence[object] = field(default_factory=tuple)

    def __str__(self) -> str:
        text = f"{self.source}: {self.message}"
        if self.rows:
            shown = ", ".join(str(r) for r in list(self.rows)[:10])
            more = len(self.rows) - 10
            text += f" [{shown}{f', ... and {more} more' if more > 0 else ''}]"
        return text


class InputError(MetrocircleError, ValueError):
    """One or more problems in the input data; ``problems`` lists all of them."""

    def __init__(self, problems: Iterable[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem("input", problems)]
        self.problems: list[Problem] = _unique(problems)
        n = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the input:\n{lines}")


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    """The problems in order, each once: a file given for two inputs reports its problems once."""
    out: list[Problem] = []
    seen: set[object] = set()
    for p in problems:
        try:
            key: object = (p.source, p.message, tuple(str(r) for r in p.rows))
        except TypeError:  # pragma: no cover - rows that cannot be listed
            key = id(p)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
class ProjectError(InputError):
    """Problems in a project file (:mod:`metrocircle.project`), all found before any step runs.

    Each problem names the TOML key it concerns and, where it can be found, its line.
    """

    def __init__(self, problems: Iterable[Problem], *, path: str = "project.toml"):
        super().__init__(problems)
        n = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        self.path = path
        self.args = (f"{n} problem{'s' if n != 1 else ''} in the project file {path}:\n{lines}",)

    def __str__(self) -> str:
        return str(self.args[0])


class ParameterError(MetrocircleError, ValueError):
    """A parameter is out of range or of the wrong type.

    The message follows one form: *The 'threshold' parameter of omb-cbsa must be a float in
    (0, 1]. Got 1.5.*
    """


class EngineError(MetrocircleError, RuntimeError):
    """The chosen computation engine (DuckDB, Spark) cannot run; never falls back silently."""


class ReportError(MetrocircleError, RuntimeError):
    """The report could not be written: a process drawing its figures failed or ended."""


class MissingDependencyError(MetrocircleError, ImportError):
    """An optional dependency is needed for this call; the message names the extra to install."""


class MetrocircleWarning(UserWarning):
    """Base class of warnings issued by metrocircle."""


class Problems:
    """Collector used by validators: add problems, then :meth:`raise_if_any` once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, source: str, message: str, rows: Sequence[object] = ()) -> None:
        self.items.append(Problem(source, message, tuple(rows)))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(self.items)


def require(module: str, extra: str):  # noqa: ANN201 - returns a module
    """Import an optional dependency or raise :class:`MissingDependencyError` naming the extra."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise MissingDependencyError(
            f"This feature needs the optional package '{module}'. "
            f"Install it with: pip install 'metrocircle[{extra}]'"
        ) from err
