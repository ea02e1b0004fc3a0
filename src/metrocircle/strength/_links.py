"""Helpers shared by the strength modules: link tables <-> dense matrices, parameter checks.

A *link table* is long: ``origin, destination`` and one number per pair, called ``value`` (a
flow layer) or ``strength`` (a gravity or fused index). Inside the package it becomes a dense
``n x n`` float matrix over the sorted unit codes; the diagonal (a unit with itself) is never a
link between units and is reported separately.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrocircle.exceptions import InputError, ParameterError, Problem, Problems
from metrocircle.model import schema as S
from metrocircle.model.validation import validate_flows

STRENGTH = "strength"


def value_column(table: pd.DataFrame, source: str) -> str:
    """The column that holds the link values: ``value`` or, failing that, ``strength``."""
    for col in (S.VALUE, STRENGTH):
        if col in getattr(table, "columns", ()):
            return col
    have = ", ".join(map(str, getattr(table, "columns", ()))) or "(no columns)"
    raise InputError(
        [Problem(source, f"needs a 'value' or 'strength' column per pair; the table has: {have}")]
    )


def clean_links(
    table: pd.DataFrame,
    *,
    source: str,
    universe: Collection[str] | None = None,
    problems: Problems | None = None,
) -> pd.DataFrame:
    """Validate a link table with the data model's flow rules and return
    ``origin, destination, value`` (codes as strings, values as floats)."""
    if not isinstance(table, pd.DataFrame):
        raise ParameterError(
            f"The '{source}' parameter must be a pandas DataFrame. Got {type(table).__name__}."
        )
    col = value_column(table, source)
    renamed = table[[c for c in (S.ORIGIN, S.DESTINATION) if c in table.columns] + [col]]
    if col != S.VALUE:
        renamed = renamed.rename(columns={col: S.VALUE})
    return validate_flows(renamed, universe=universe, source=source, problems=problems)


@dataclass
class LinkMatrix:
    """A dense link matrix over ``codes`` (sorted unit codes)."""

    codes: pd.Index
    values: np.ndarray  # (n, n), diagonal = self links
    present: np.ndarray  # (n, n) bool: the pair is listed in the table

    @property
    def n(self) -> int:
        return len(self.codes)


def to_matrix(links: pd.DataFrame, codes: Sequence[str] | pd.Index | None = None) -> LinkMatrix:
    """Dense matrix of a clean link table; ``codes`` fixes the order (default: sorted codes)."""
    if codes is None:
        codes = sorted(set(links[S.ORIGIN]) | set(links[S.DESTINATION]))
    index = pd.Index(list(codes), dtype="string")
    o = index.get_indexer(links[S.ORIGIN])
    d = index.get_indexer(links[S.DESTINATION])
    n = len(index)
    values = np.zeros((n, n), dtype=float)
    present = np.zeros((n, n), dtype=bool)
    values[o, d] = links[S.VALUE].to_numpy(dtype=float)
    present[o, d] = True
    return LinkMatrix(index, values, present)


def from_matrix(
    codes: pd.Index, matrix: np.ndarray, mask: np.ndarray, column: str = STRENGTH
) -> pd.DataFrame:
    """Long table ``origin, destination, <column>`` of the cells where ``mask`` is true
    (row-major order: by origin, then destination, in code order)."""
    o, d = np.nonzero(mask)
    return pd.DataFrame(
        {
            S.ORIGIN: pd.array(codes.to_numpy()[o], dtype="string"),
            S.DESTINATION: pd.array(codes.to_numpy()[d], dtype="string"),
            column: matrix[o, d],
        }
    )


def check_float(
    value: object,
    name: str,
    owner: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """A finite float in the given interval, or a :class:`ParameterError` in the standard form."""
    lo = "(" if low_open else "["
    hi = ")" if high_open else "]"
    left = "-inf" if low is None else f"{low:g}"
    right = "inf" if high is None else f"{high:g}"
    interval = f"{lo}{left}, {right}{hi}"
    ok = isinstance(value, int | float | np.floating | np.integer) and not isinstance(value, bool)
    if ok:
        v = float(value)  # type: ignore[arg-type]
        ok = np.isfinite(v)
        if ok and low is not None:
            ok = v > low if low_open else v >= low
        if ok and high is not None:
            ok = v < high if high_open else v <= high
    if not ok:
        raise ParameterError(
            f"The '{name}' parameter of {owner} must be a float in {interval}. Got {value!r}."
        )
    return float(value)  # type: ignore[arg-type]


def check_choice(value: object, name: str, owner: str, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ParameterError(
            f"The '{name}' parameter of {owner} must be one of {listed}. Got {value!r}."
        )
    return value
