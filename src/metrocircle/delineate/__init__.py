"""Delineation: which units belong to which area, and why.

Each method lives in its own module and is a short composition of the shared steps in
:mod:`metrocircle.delineate.steps`. Methods are looked up by name::

    >>> from metrocircle.delineate import available_methods
    >>> "omb-cbsa" in available_methods()
    True
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

import pandas as pd

from metrocircle.delineate.base import (
    _REGISTRY,
    MEMBERSHIP_COLUMNS,
    DelineationMethod,
    DelineationResult,
    Param,
    ProgressCallback,
)
from metrocircle.exceptions import ParameterError

# name -> module that defines (and registers) it. Adding a method is one line here.
_METHOD_MODULES: dict[str, str] = {
    "omb-cbsa": "metrocircle.delineate.omb",
    "eu-fua": "metrocircle.delineate.fua",
    "fr-aav": "metrocircle.delineate.aav",
    "jp-uea": "metrocircle.delineate.uea",
    "cn-commuting": "metrocircle.delineate.cn",
    "cn-multisource": "metrocircle.delineate.multisource",
    "ttwa-lma": "metrocircle.delineate.ttwa_lma",
}


def available_methods() -> list[str]:
    """Names of every delineation method, as given to ``metrocircle delineate METHOD``."""
    return sorted(_METHOD_MODULES)


def get_method(name: str) -> type[DelineationMethod]:
    """The class of the method called ``name``."""
    if name not in _METHOD_MODULES:
        raise ParameterError(
            f"Unknown delineation method {name!r}. Choose one of: {', '.join(available_methods())}."
        )
    if name not in _REGISTRY:
        importlib.import_module(_METHOD_MODULES[name])
    return _REGISTRY[name]


def delineate(
    method: str,
    flows: Any,
    *,
    units: Any = None,
    cores: Any = None,
    adjacency: Any = None,
    travel_times: Any = None,
    params: dict[str, Any] | None = None,
    external: Sequence[str] = (),
    progress: ProgressCallback | None = None,
    validate: bool = True,
    urban_areas: pd.DataFrame | None = None,
) -> DelineationResult:
    """Delineate areas from flows with a named method.

    Parameters
    ----------
    method
        One of :func:`available_methods`, e.g. ``"omb-cbsa"``.
    flows
        ``origin, destination, value``: a DataFrame, records (a list of dicts) or a path.
    units, cores, adjacency, travel_times
        Optional tables (each a DataFrame, records or a path), see
        :mod:`metrocircle.delineate.base`. They are checked together by
        :func:`metrocircle.model.read_inputs`: codes that differ only by zero-padding are made
        one, the units table, adjacency and travel times are restricted to the units the
        flows name, and what was done is listed in ``result.info["inputs"]``.
    params
        Method parameters by name; every threshold is one. Unset ones take their defaults.
    external
        Codes of places outside the study (e.g. ``FOREIGN_CANADA``) that flows may name: they
        count in denominators but are never units. ``(suppressed)``, the suppressed
        remainder of an OD written by ``metrocircle od``, is read that way without being
        listed; a unit whose tie could pass with it gets rule ``suppressed``.
    progress
        ``progress(step, fraction)`` callback.
    validate
        Check the tables first and raise one :class:`~metrocircle.InputError` listing every
        problem (default). Set False only for tables that went through :mod:`metrocircle.model`.
    urban_areas
        Urban-area parts by unit (``ua_code, unit_id, population`` or ``land_area``, ...; see
        :func:`metrocircle.model.validate_urban_areas`), for methods that derive their cores
        from them instead of taking ``cores`` (``omb-cbsa``: OMB's central-county rule).

    Returns
    -------
    DelineationResult
        ``membership`` (a GeoDataFrame when ``units`` has geometry), ``areas``, ``tables``.
    """
    cls = get_method(method)
    notes: list[dict[str, Any]] = []
    if validate:
        from metrocircle.exceptions import InputError
        from metrocircle.model import read_inputs, urban_area_columns, validate_urban_areas

        problems = []  # one error for every table
        if urban_areas is not None:
            try:
                urban_areas = validate_urban_areas(urban_area_columns(urban_areas))
            except InputError as err:
                problems.extend(err.problems)
        try:
            inputs = read_inputs(
                flows,
                units=units,
                cores=cores,
                adjacency=adjacency,
                travel_times=travel_times,
                external=external,
                keep_suppressed=getattr(cls, "reads_suppressed", False),
            )
        except InputError as err:
            raise InputError([*err.problems, *problems]) from err
        if problems:
            raise InputError(problems)
        flows, units, cores = inputs.flows, inputs.units, inputs.cores
        adjacency, travel_times = inputs.adjacency, inputs.travel_times
        notes = inputs.info()
    est = cls(**(params or {})).fit(
        flows,
        units=units,
        cores=cores,
        adjacency=adjacency,
        travel_times=travel_times,
        progress=progress,
        urban_areas=urban_areas,
    )
    result = est.result()
    if notes:
        result.info["inputs"] = notes
    if units is not None and "geometry" in getattr(units, "columns", []):
        from metrocircle.model.geo import attach_geometry

        result.membership = attach_geometry(result.membership, units)
    return result


__all__ = [
    "MEMBERSHIP_COLUMNS",
    "DelineationMethod",
    "DelineationResult",
    "Param",
    "available_methods",
    "delineate",
    "get_method",
]
