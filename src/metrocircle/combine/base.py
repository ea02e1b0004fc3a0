"""The contract every combination method follows.

A combination method joins whole *areas* (the output of a delineation, or an official list such
as OMB's CBSAs) into larger combined areas, from the flows between them; OMB's combined
statistical areas are the first. A method is a class with a ``name`` (the CLI's METHOD), a
tuple of :class:`~metrocircle.delineate.base.Param` (every threshold is a parameter) and a
``_fit`` that fills ``combined_``, ``pairs_`` and ``info_``. ``__init__`` only stores
parameters; :meth:`CombineMethod.fit` validates them, runs the method and returns ``self``
(the conventions of :mod:`metrocircle.delineate.base`).

Input tables (already validated by :mod:`metrocircle.model`):

``membership``
    ``unit_id``, ``area_id`` (empty for a unit in no area), ``status``; the ``membership.csv``
    of any delineation, or an official list.
``flows``
    ``origin``, ``destination``, ``value``; codes outside the units (places abroad) count in
    the denominators only.
``adjacency``
    ``unit_a``, ``unit_b``: two areas are adjacent when any of their units are.
``units`` (optional)
    ``unit_id`` and attributes (``population`` for ``size="population"``).

Output tables:

``combined_``
    one row per area: ``area_id, combined_id, partner_area_id, eim, rule, threshold, margin``
    and the method's own columns.
``pairs_``
    one row per pair of adjacent areas, with the measure, the rule that decided it and the
    margin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd

from metrocircle.delineate.base import Param, Parametrised, ProgressCallback

COMBINED_COLUMNS = [
    "area_id",
    "combined_id",
    "partner_area_id",
    "eim",
    "rule",
    "threshold",
    "margin",
]
"""The columns every ``combined_`` table starts with."""


@dataclass
class CombineResult:
    """What :func:`metrocircle.combine.combine` returns.

    Attributes
    ----------
    method, params
        The method name and every parameter used (defaults included).
    combined
        One row per area: its ``combined_id`` (empty when it combines with no other area), the
        ``partner_area_id`` its rule measured, the measure, the rule, threshold and margin.
    pairs
        One row per pair of adjacent areas.
    tables
        Further named tables (written as ``<name>.csv``).
    info
        Figures for ``run.json`` (counts, dropped records with their reason).
    """

    method: str
    params: dict[str, Any]
    combined: pd.DataFrame
    pairs: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


class CombineMethod(Parametrised):
    """Base class of every combination method."""

    name: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()

    params_: dict[str, Any]
    combined_: pd.DataFrame
    pairs_: pd.DataFrame
    tables_: dict[str, pd.DataFrame]
    info_: dict[str, Any]

    def fit(
        self,
        membership: pd.DataFrame,
        *,
        flows: pd.DataFrame,
        adjacency: pd.DataFrame,
        units: pd.DataFrame | None = None,
        progress: ProgressCallback | None = None,
    ) -> CombineMethod:
        """Run the method; results are in ``combined_``, ``pairs_``, ``tables_``, ``info_``."""
        self.params_ = self.get_params()
        self.tables_ = {}
        self.info_ = {}
        self._fit(
            membership,
            flows=flows,
            adjacency=adjacency,
            units=units,
            progress=progress or (lambda step, frac: None),
        )
        return self

    def _fit(
        self,
        membership: pd.DataFrame,
        *,
        flows: pd.DataFrame,
        adjacency: pd.DataFrame,
        units: pd.DataFrame | None,
        progress: ProgressCallback,
    ) -> None:
        raise NotImplementedError

    def result(self) -> CombineResult:
        return CombineResult(
            method=self.name,
            params=dict(self.params_),
            combined=self.combined_,
            pairs=self.pairs_,
            tables=dict(self.tables_),
            info=dict(self.info_),
        )


_REGISTRY: dict[str, type[CombineMethod]] = {}


def register(cls: type[CombineMethod]) -> type[CombineMethod]:
    """Class decorator: make a method available under ``cls.name``."""
    if not cls.name:
        raise TypeError(f"{cls.__name__} has no name")
    _REGISTRY[cls.name] = cls
    return cls
