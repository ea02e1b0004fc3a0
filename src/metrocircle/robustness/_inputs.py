"""The set-up shared by the many-run analyses: check the tables once, prepare them once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from metrocircle.delineate import get_method
from metrocircle.delineate.base import DelineationMethod


@dataclass
class Prepared:
    """A method, its reference parameters, and its inputs validated and prepared once."""

    cls: type[DelineationMethod]
    params: dict[str, Any]
    prepared: Any
    flows: pd.DataFrame
    units: pd.DataFrame | None

    def estimator(self, **changes: Any) -> DelineationMethod:
        """A fresh estimator with the reference parameters, ``changes`` applied."""
        return self.cls(**{**self.params, **changes})


def prepare_inputs(
    method: str,
    flows: pd.DataFrame,
    *,
    units: pd.DataFrame | None,
    cores: pd.DataFrame | None,
    adjacency: pd.DataFrame | None,
    travel_times: pd.DataFrame | None,
    params: dict[str, Any] | None,
    external: Sequence[str],
    validate: bool,
) -> Prepared:
    """Check the parameters and the tables (one error listing every problem), then prepare
    them for the method (:meth:`~metrocircle.delineate.DelineationMethod.prepare`)."""
    cls = get_method(method)
    reference = cls(**(params or {})).get_params()
    if validate:
        from metrocircle.model import validate_inputs

        flows, units, cores, adjacency, travel_times = validate_inputs(
            flows,
            units=units,
            cores=cores,
            adjacency=adjacency,
            travel_times=travel_times,
            external=external,
        )
    prepared = cls(**reference).prepare(
        flows, units=units, cores=cores, adjacency=adjacency, travel_times=travel_times
    )
    return Prepared(cls, reference, prepared, flows, units)


def unit_names(units: pd.DataFrame | None) -> pd.Series | None:
    """``name`` of each unit by ``unit_id``, when the units table has names."""
    if units is None or "name" not in units.columns:
        return None
    return pd.Series(
        units["name"].astype("string").to_numpy(), index=units["unit_id"].astype(str).to_numpy()
    )
