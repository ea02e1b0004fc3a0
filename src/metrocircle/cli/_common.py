"""Options and helpers shared by every command (one place, per the fio pattern)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from metrocircle.exceptions import InputError, ParameterError, Problem

T = TypeVar("T")


def parse_param_pairs(pairs: list[str] | None, option: str = "--param") -> dict[str, str]:
    """``["a=1", "b=x"]`` -> ``{"a": "1", "b": "x"}``; one error lists every malformed pair
    (``option`` names the command-line option in that error)."""
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
            f"{option} takes NAME=VALUE; could not read: " + ", ".join(repr(b) for b in bad)
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
    if not console.is_terminal:  # nothing to draw (older rich still printed a blank line)
        yield lambda step, frac: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
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

    def units_and_flows(
        self,
        units: Any,
        flows: Any,
        *,
        units_id_col: str,
        origin_col: str,
        destination_col: str,
        value_col: str,
        **flow_options: Any,
    ) -> tuple[Any, Any, list[str] | None]:
        """Read the units (if given) and the flows; return them and the unit codes to check the
        other files against: the units' codes, else the codes the flow file names (even when it
        has problems, so the other files are checked in the same run), else None."""
        from metrocircle.model import io

        units_df = self.attempt(io.read_units, units, id_col=units_id_col) if units else None
        universe = list(units_df["unit_id"]) if units_df is not None else None
        flows_df = self.attempt(io.read_flows, flows, origin_col=origin_col,
                                destination_col=destination_col, value_col=value_col,
                                universe=universe, **flow_options)
        if universe is None:
            universe = _codes_in_flows(flows_df, flows, origin_col, destination_col)
        return units_df, flows_df, universe


def _codes_in_flows(flows_df: Any, path: Any, origin_col: str,
                    destination_col: str) -> list[str] | None:
    """The unit codes of the flows, even when the flow file has problems; None if they cannot
    be read at all."""
    from metrocircle.model.io import read_table
    from metrocircle.model.schema import SUPPRESSED
    from metrocircle.model.validation import as_codes

    if flows_df is not None:
        return sorted((set(flows_df["origin"]) | set(flows_df["destination"])) - {SUPPRESSED})
    try:
        raw, _ = read_table(path)
    except InputError:
        return None
    cols = [c for c in (origin_col, destination_col) if c in raw.columns]
    if len(cols) < 2:
        return None
    codes: set[str] = set()
    for c in cols:
        codes |= set(as_codes(raw[c]).dropna())
    return sorted(codes - {"", SUPPRESSED})


def given(ctx: Any, name: str) -> bool:
    """Whether option ``name`` (its Python name) was given on the command line, not defaulted.

    With ``--example``, an option the user did not give takes the value of the shipped
    project's step, so that the example and the demo agree.
    """
    source = ctx.get_parameter_source(name)
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")


def example_run(example: str, steps: list[str], callback: Callable[[str, float], None],
                overrides: dict[str, Any] | None = None) -> Any:
    """Run, in memory, the steps of a shipped project that ``steps`` need (see
    :func:`metrocircle.project.example_results`)."""
    from metrocircle.project import example_results

    return example_results(example, steps, overrides=overrides, progress=callback)
