"""Parameter grids: the values a sensitivity analysis runs a method with.

A parameter is varied over a range ``START:STOP:STEP`` (both ends included, computed in decimal
so that ``0.15:0.35:0.01`` gives exactly 0.25, not 0.25000000000000006) or over a list of values
``V1,V2,...`` (the only form for booleans and named choices). Every value is checked against the
method's parameter (type and allowed range) before anything runs, and one error lists every
value that fails.

Examples
--------
>>> from metrocircle.robustness.grid import vary_from_text
>>> vary_from_text("threshold=0.2:0.3:0.05", "omb-cbsa").values
(0.2, 0.25, 0.3)
>>> vary_from_text("direction=outbound,either", "omb-cbsa").values
('outbound', 'either')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from metrocircle.delineate import get_method
from metrocircle.delineate.base import Param
from metrocircle.exceptions import ParameterError

MAX_VALUES = 10_000
"""Most values one ``--vary`` may give (and most runs a grid may have)."""
MAX_PARAMETERS = 2
"""A sensitivity analysis varies one or two parameters."""

FORM = "NAME=START:STOP:STEP (both ends included) or NAME=V1,V2,..."


@dataclass(frozen=True)
class Vary:
    """One varied parameter: its name and its values, in order, each checked and typed."""

    name: str
    values: tuple[Any, ...]

    @property
    def numeric(self) -> bool:
        """Whether the values are numbers (then intervals and distances are in their units)."""
        return all(isinstance(v, int | float) and not isinstance(v, bool) for v in self.values)


def _param(method: str, name: str) -> Param:
    spec = get_method(method).param_spec()
    if name not in spec:
        raise ParameterError(
            f"{method} has no parameter {name!r}. Its parameters are: {', '.join(spec)}."
        )
    return spec[name]


def _show(value: Any) -> str:
    """A value as the error shows it: numbers plain, text quoted."""
    if isinstance(value, str):
        try:
            return (
                format(Decimal(value).normalize(), "f")
                if Decimal(value).is_finite()
                else repr(value)
            )
        except InvalidOperation:
            return repr(value)
    return (
        f"{value:g}"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else repr(value)
    )


def _check_all(param: Param, method: str, values: Sequence[Any], given: str) -> tuple[Any, ...]:
    """Every value checked; one error naming every value that fails."""
    good: list[Any] = []
    bad: list[Any] = []
    for v in values:
        try:
            good.append(
                param.check(v, method) if not isinstance(v, str) else param.parse(v, method)
            )
        except ParameterError:
            bad.append(v)
    if bad:
        shown = ", ".join(_show(b) for b in bad[:10])
        more = f" and {len(bad) - 10} more" if len(bad) > 10 else ""
        raise ParameterError(
            f"The '{param.name}' parameter of {method} must be {param.describe()}. "
            f"Got {shown}{more} (from {given})."
        )
    if param.optional and None in good:
        raise ParameterError(f"{given}: a varied parameter takes values, not 'none'.")
    if len(set(map(repr, good))) != len(good):
        raise ParameterError(f"{given}: a value is given twice.")
    return tuple(good)


def decimal_range(start: str, stop: str, step: str) -> list[Decimal]:
    """``start, start + step, ...`` up to ``stop`` included, in exact decimal arithmetic."""
    a, b, s = Decimal(start), Decimal(stop), Decimal(step)
    if not (a.is_finite() and b.is_finite() and s.is_finite()):
        raise InvalidOperation
    if s <= 0 or a > b:
        raise ValueError
    count = int((b - a) / s) + 1
    if count > MAX_VALUES:
        raise OverflowError(count)
    return [a + k * s for k in range(count)]


def vary_from_text(text: str, method: str) -> Vary:
    """Parse one ``--vary`` option: ``NAME=START:STOP:STEP`` or ``NAME=V1,V2,...``.

    Raises
    ------
    ParameterError
        The text is malformed, the method has no such parameter, a range is given for a
        parameter that is not a number, the range is empty or too long, or a value is out of
        the parameter's range (the message names every such value).
    """
    name, sep, spec = text.partition("=")
    name, spec = name.strip(), spec.strip()
    if not sep or not name or not spec:
        raise ParameterError(f"--vary takes {FORM}; could not read {text!r}.")
    param = _param(method, name)
    given = f"--vary {text.strip()}"
    if ":" in spec:
        parts = [p.strip() for p in spec.split(":")]
        if len(parts) != 3 or not all(parts):
            raise ParameterError(f"--vary takes {FORM}; could not read {text!r}.")
        if param.kind not in (int, float):
            raise ParameterError(
                f"{given}: '{name}' of {method} is {param.describe()}, not a number; "
                f"list its values instead, e.g. {name}=V1,V2."
            )
        try:
            steps = decimal_range(*parts)
        except (InvalidOperation, ValueError) as err:
            raise ParameterError(
                f"{given}: START, STOP and STEP must be numbers with START <= STOP and STEP > 0."
            ) from err
        except OverflowError as err:
            raise ParameterError(
                f"{given} gives {err.args[0]} values; at most {MAX_VALUES} are allowed."
            ) from err
        values: list[Any] = [str(v) for v in steps]
    else:
        values = [v.strip() for v in spec.split(",")]
        if not all(values):
            raise ParameterError(f"--vary takes {FORM}; could not read {text!r} (empty value).")
        if len(values) > MAX_VALUES:
            raise ParameterError(f"{given} gives {len(values)} values; at most {MAX_VALUES}.")
    return Vary(name, _check_all(param, method, values, given))


def vary_from_values(name: str, values: Sequence[Any] | str, method: str) -> Vary:
    """A :class:`Vary` from Python: ``values`` is a sequence, or a ``"START:STOP:STEP"`` or
    ``"V1,V2"`` string as on the command line."""
    if isinstance(values, str):
        return vary_from_text(f"{name}={values}", method)
    param = _param(method, name)
    if len(values) == 0:
        raise ParameterError(f"vary[{name!r}] has no values.")
    return Vary(name, _check_all(param, method, list(values), f"vary[{name!r}]"))


def parse_vary(vary: Mapping[str, Sequence[Any] | str] | Sequence[str], method: str) -> list[Vary]:
    """Every varied parameter, from a mapping ``{name: values}`` (Python) or a list of
    ``NAME=...`` texts (the CLI); one or two parameters, each once."""
    if isinstance(vary, Mapping):
        out = [vary_from_values(k, v, method) for k, v in vary.items()]
    else:
        out = [vary_from_text(t, method) for t in vary]
    if not out:
        raise ParameterError(f"Give a parameter to vary: --vary {FORM}.")
    if len(out) > MAX_PARAMETERS:
        raise ParameterError(
            f"A sensitivity analysis varies one or two parameters; got {len(out)}: "
            f"{', '.join(v.name for v in out)}."
        )
    names = [v.name for v in out]
    if len(set(names)) != len(names):
        raise ParameterError(f"Each parameter may be varied once; got {', '.join(names)}.")
    total = 1
    for v in out:
        total *= len(v.values)
    if total > MAX_VALUES:
        raise ParameterError(f"The grid has {total} runs; at most {MAX_VALUES} are allowed.")
    return out


__all__ = [
    "FORM",
    "MAX_PARAMETERS",
    "MAX_VALUES",
    "Vary",
    "decimal_range",
    "parse_vary",
    "vary_from_text",
    "vary_from_values",
]
