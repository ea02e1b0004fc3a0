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
        #: what the data model did to the inputs (codes padded, rows set aside, ...), for
        #: ``run.json``; each was also logged as a warning on the console
        self.notes: list[Any] = []

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
        """Read the units (if given) and the flows together (:func:`metrocircle.model.read_inputs`:
        codes in one spelling, the units restricted to those the flows name); return them and
        the unit codes to check the other files against: the units' codes, else the codes the
        flow file names (even when it has problems, so the other files are checked in the same
        run), else None. ``flow_options`` are ``external``, ``encoding``, ``sep``,
        ``units_layer``."""
        from metrocircle.model import io

        inputs = self.attempt(
            io.read_inputs, flows, units=units, units_id_col=units_id_col,
            origin_col=origin_col, destination_col=destination_col, value_col=value_col,
            **flow_options,
        )
        if inputs is not None:
            self.notes.extend(inputs.notes)
            units_df, flows_df = inputs.units, inputs.flows
            universe = (
                sorted(units_df["unit_id"].astype(str)) if units_df is not None
                else _codes_in_flows(flows_df, flows, origin_col, destination_col)
            )
            return units_df, flows_df, universe
        universe = None
        if units is not None:
            raw = _raw_codes(units, [units_id_col])
            universe = raw
        if universe is None:
            universe = _codes_in_flows(None, flows, origin_col, destination_col)
        return None, None, universe


def _raw_codes(path: Any, columns: list[str]) -> list[str] | None:
    """The codes in ``columns`` of a file, even when it has problems; None if they cannot be
    read at all."""
    from metrocircle.model.io import read_table
    from metrocircle.model.validation import as_codes, code_set

    try:
        raw, _ = read_table(path)
    except (InputError, TypeError):
        return None
    if not all(c in raw.columns for c in columns):
        return None
    codes: set[str] = set()
    for c in columns:
        codes |= code_set(as_codes(raw[c]))
    return sorted(codes - {""})


def _codes_in_flows(flows_df: Any, path: Any, origin_col: str,
                    destination_col: str) -> list[str] | None:
    """The unit codes of the flows, even when the flow file has problems; None if they cannot
    be read at all."""
    from metrocircle.model.schema import SUPPRESSED
    from metrocircle.model.validation import code_set

    if flows_df is not None:
        return sorted((code_set(flows_df["origin"]) | code_set(flows_df["destination"]))
                      - {SUPPRESSED})
    codes = _raw_codes(path, [origin_col, destination_col])
    return None if codes is None else sorted(set(codes) - {SUPPRESSED})
