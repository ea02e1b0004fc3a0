"""Combination: which adjacent areas join into a larger combined area, and why.

Where :mod:`metrocircle.delineate` decides which *units* form an area, a combination method
decides which *areas* join (OMB's combined statistical areas join adjacent CBSAs). Its input is
any delineation's ``membership.csv`` or an official list. Methods are looked up by name::

    >>> from metrocircle.combine import available_methods
    >>> available_methods()
    ['omb-csa']
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

import pandas as pd

from metrocircle.combine.base import (
    _REGISTRY,
    COMBINED_COLUMNS,
    CombineMethod,
    CombineResult,
)
from metrocircle.delineate.base import ProgressCallback
from metrocircle.exceptions import ParameterError

# name -> module that defines (and registers) it. Adding a method is one line here.
_METHOD_MODULES: dict[str, str] = {
    "omb-csa": "metrocircle.combine.omb_csa",
}


def available_methods() -> list[str]:
    """Names of every combination method, as given to ``metrocircle combine METHOD``."""
    return sorted(_METHOD_MODULES)


def get_method(name: str) -> type[CombineMethod]:
    """The class of the method called ``name``."""
    if name not in _METHOD_MODULES:
        raise ParameterError(
            f"Unknown combination method {name!r}. Choose one of: "
            f"{', '.join(available_methods())}."
        )
    if name not in _REGISTRY:
        importlib.import_module(_METHOD_MODULES[name])
    return _REGISTRY[name]


def validate_combine_inputs(
    membership: pd.DataFrame,
    *,
    flows: pd.DataFrame,
    adjacency: pd.DataFrame,
    units: pd.DataFrame | None = None,
    external: Sequence[str] = (),
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """Validate the tables of one combination together and raise once with every problem.

    The units are ``units.unit_id`` when given, else every code of the flows (less
    ``external``); membership and adjacency codes must be among them.
    """
    from metrocircle.exceptions import Problems
    from metrocircle.model import validation as V

    p = Problems()
    if units is not None:
        units = V.validate_units(units, problems=p)
    universe: set[str] | None = None
    if units is not None and "unit_id" in units.columns:
        universe = set(pd.unique(units["unit_id"].dropna().astype(str).to_numpy(dtype=object)))
    flows = V.validate_flows(flows, universe=universe, external=external, problems=p)
    if universe is None and "origin" in flows.columns:
        codes = pd.concat([flows["origin"], flows["destination"]]).dropna().astype(str)
        universe = set(pd.unique(codes.to_numpy(dtype=object))) - set(external)
    membership = V.validate_membership(membership, universe=universe, problems=p,
                                        require_status=True)
    adjacency = V.validate_adjacency(adjacency, universe=universe, problems=p)
    p.raise_if_any()
    return membership, flows, adjacency, units


def combine(
    method: str,
    membership: pd.DataFrame,
    *,
    flows: pd.DataFrame,
    adjacency: pd.DataFrame,
    units: pd.DataFrame | None = None,
    params: dict[str, Any] | None = None,
    external: Sequence[str] = (),
    progress: ProgressCallback | None = None,
    validate: bool = True,
) -> CombineResult:
    """Combine adjacent areas with a named method; the one call a project step makes.

    Parameters
    ----------
    method
        One of :func:`available_methods`, e.g. ``"omb-csa"``.
    membership
        ``unit_id, area_id, status``: a delineation's ``membership`` or an official list
        (units with an empty ``area_id`` are in no area).
    flows
        ``origin, destination, value`` (intra-unit flows included).
    adjacency
        ``unit_a, unit_b``; two areas are adjacent when any of their units are.
    units
        Optional unit table (``population`` for ``size="population"``).
    params
        Method parameters by name; unset ones take their defaults.
    external
        Codes of places outside the study (e.g. ``FOREIGN_CANADA``) that flows may name: they
        count in denominators but are never units.
    progress
        ``progress(step, fraction)`` callback.
    validate
        Check the tables first and raise one :class:`~metrocircle.InputError` listing every
        problem (default). Set False only for tables that went through :mod:`metrocircle.model`.

    Returns
    -------
    CombineResult
        ``combined`` (one row per area), ``pairs`` (one row per pair of adjacent areas),
        ``tables``, ``info``.

    Examples
    --------
    >>> from metrocircle.combine import combine
    >>> from metrocircle.datasets import us_cbsa
    >>> r = combine("omb-csa", us_cbsa.load_membership(), flows=us_cbsa.load_flows(),
    ...             adjacency=us_cbsa.load_adjacency(), external=us_cbsa.EXTERNAL_CODES)
    >>> r.info["combined_areas"]
    185
    """
    cls = get_method(method)
    est = cls(**(params or {}))
    est.get_params()  # a bad parameter is reported before the tables are read
    if validate:
        membership, flows, adjacency, units = validate_combine_inputs(
            membership, flows=flows, adjacency=adjacency, units=units, external=external
        )
    est.fit(membership, flows=flows, adjacency=adjacency, units=units, progress=progress)
    return est.result()


__all__ = [
    "COMBINED_COLUMNS",
    "CombineMethod",
    "CombineResult",
    "available_methods",
    "combine",
    "get_method",
    "validate_combine_inputs",
]
