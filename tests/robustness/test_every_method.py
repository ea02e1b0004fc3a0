"""Sensitivity and uncertainty run for every delineation method (one conformance test)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from robustness_worlds import grid_world

from metrocircle.delineate import available_methods, delineate, get_method
from metrocircle.robustness import sensitivity, uncertainty


def first_share_parameter(method: str) -> str:
    spec = get_method(method).param_spec()
    return next(
        p.name
        for p in spec.values()
        if p.kind is float and p.high == 1.0 and p.default is not None
    )


@pytest.mark.parametrize("method", available_methods())
def test_sensitivity_runs_equal_plain_runs(method):
    flows, tables = grid_world()
    flows = flows.drop(columns="moe")
    name = first_share_parameter(method)
    default = get_method(method).param_spec()[name].default
    values = sorted({round(default * 0.8, 4), round(default * 0.9, 4), default})
    s = sensitivity(method, flows, vary={name: values}, keep_results=True, **tables)
    assert len(s.units) == 16 and s.runs[name].tolist() == values
    for k, v in enumerate(values):
        plain = delineate(method, flows, params={name: v}, **tables)
        pd.testing.assert_frame_equal(s.results[k].membership, plain.membership)
    assert s.units["in_area_share"].between(0, 1).all()
    assert s.units["same_share"].between(0, 1).all()


@pytest.mark.parametrize("method", available_methods())
def test_uncertainty_probabilities_are_consistent(method):
    flows, tables = grid_world()
    u = uncertainty(method, flows, replicates=8, random_state=1, **tables)
    units = u.units.set_index("unit_id")
    assert len(units) == 16
    for col in ("p_status", "p_area", "p_in_area"):
        assert units[col].between(0, 1).all(), col
    total = u.probabilities.groupby("unit_id")["probability"].sum()
    np.testing.assert_allclose(total.reindex(units.index).fillna(0.0), units["p_in_area"])
    assert (units["p_area"] <= units["p_status"] + 1e-12).all()
    pd.testing.assert_frame_equal(
        u.reference.membership, delineate(method, flows.drop(columns="moe"), **tables).membership
    )
