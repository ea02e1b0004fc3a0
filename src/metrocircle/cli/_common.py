"""Options and helpers shared by every command (one place, per the fio pattern)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from metrocircle.exceptions import InputError, ParameterError, Problem

T = TypeVar("T")


def parse_param_pairs(pairs: list[str] | None) -> dict[str, str]:
    """``["a=1", "b=x"]`` -> ``{"a": "1", "b": "x"}``; one error lists every malformed pair."""
    out: dict[str, str] = {}
    bad: list[str] = []
    for item in pairs or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            bad.append(item)
            continue
        out[name.strip()] = value
    if bad:
        raise ParameterError(
            "--param takes NAME=VALUE; could not read: " + ", ".join(repr(b) for b in bad)
        )
    return out


@contextlib.contextmanager
def progress_bar(enabled: bool = True) -> Iterator:
    """Yield a ``progress(step, fraction)`` callback rendered as a rich progress bar on stderr."""
    if not enabled:
        yield lambda step, frac: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
        transient=not console.is_terminal,
        disable=not console.is_terminal,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def callback(step: str, fraction: float) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=1.0)
            bar.update(tasks[step], completed=max(0.0, min(1.0, float(fraction))))

        yield callback


class ReadAll:
    """Read several input files and report the problems of all of them in one error.

    ``attempt(read, *args)`` calls a reader; an :class:`~metrocircle.InputError` is kept and
    ``None`` returned, so the next file is still read. ``raise_if_any()`` then raises one
    error listing every problem.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def attempt(self, read: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            return read(*args, **kwargs)
        except InputError as err:
            self.problems.extend(err.problems)
            return None

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)
