"""One conformance test over every delineation method: the contract of base.py holds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from delineate_cases import cores_from, flows_from, grid_edges, pairs_from

from metrocircle.delineate import MEMBERSHIP_COLUMNS, available_methods, delineate, get_method
from metrocircle.exceptions import ParameterError

METHODS = available_methods()
CONTRACT_CASES = METHODS


def world():
    """A 4 x 4 grid with two cores and a gradient of commuting; deterministic."""
    rng = np.random.default_rng(7)
    names = [f"{r}{c}" for r in range(4) for c in range(4)]
    pairs = {}
    for u in names:
        pairs[(u, u)] = float(rng.integers(50, 100))
        for core in ("00", "33"):
            if u != core:
                pairs[(u, core)] = float(rng.integers(0, 40))
    pairs[("00", "ABROAD")] = 5.0
    units = pd.DataFrame(
        {
            "unit_id": names,
            "parent_id": [f"P{u[0]}" for u in names],
            "population": rng.integers(100, 1000, len(names)).astype(float),
        }
    )
    cores = cores_from([("00", "west"), ("33", "east")])
    tt = pd.DataFrame(
        [
            (u, c, float(10 * (abs(int(u[0]) - int(c[0])) + abs(int(u[1]) - int(c[1])))))
            for u in names
            for c in ("00", "33")
        ],
        columns=["origin", "destination", "minutes"],
    )
    return flows_from(pairs), units, cores, pairs_from(grid_edges(4, 4)), tt


@pytest.mark.parametrize("method", CONTRACT_CASES)
def test_contract(method):
    flows, units, cores, adjacency, tt = world()
    cls = get_method(method)
    est = cls().fit(flows, units=units, cores=cores, adjacency=adjacency, travel_times=tt)
    m = est.membership_
    assert list(m.columns[: len(MEMBERSHIP_COLUMNS)]) == MEMBERSHIP_COLUMNS
    assert sorted(m["unit_id"]) == sorted(units["unit_id"])  # one row per unit
    assert set(m["status"]) <= set(cls.statuses)
    unplaced = m["status"].isin(cls.unplaced_statuses)
    assert (m["area_id"].isna() == unplaced).all()
    assert (m["rule"].str.len() > 0).all()  # every unit explained
    assert np.allclose(m["margin"], m["value"] - m["threshold"], equal_nan=True)
    if cls.needs_cores:
        core_rows = m.set_index("unit_id").loc[["00", "33"]]
        assert (core_rows["status"] == "core").all()
    a = est.areas_
    assert set(a["area_id"]) == set(m["area_id"].dropna())
    assert a["n_units"].sum() == (~unplaced).sum()
    assert np.isclose(
        a["population"].sum(),
        units.set_index("unit_id")
        .loc[m.loc[~unplaced, "unit_id"], "population"]
        .sum(),
    )
    # deterministic
    again = cls().fit(flows, units=units, cores=cores, adjacency=adjacency, travel_times=tt)
    pd.testing.assert_frame_equal(m, again.membership_)


@pytest.mark.parametrize("method", METHODS)
def test_parameters(method):
    cls = get_method(method)
    spec = cls.param_spec()
    assert all(p.doc for p in spec.values())
    bounded = next(p for p in spec.values() if p.kind in (int, float) and p.high is not None)
    bad = str(bounded.high * 10 + 1)
    with pytest.raises(ParameterError, match=rf"The '{bounded.name}' parameter of {method} must"):
        cls.parse_params({bounded.name: bad})
    with pytest.raises(ParameterError, match="has no parameter"):
        cls(nonsense=1).get_params()


@pytest.mark.parametrize("method", METHODS)
def test_through_public_function(method):
    flows, units, cores, adjacency, tt = world()
    flows = flows[flows["destination"] != "ABROAD"]
    result = delineate(
        method, flows, units=units, cores=cores, adjacency=adjacency, travel_times=tt
    )
    assert result.method == method and len(result.membership) == 16
    assert set(result.params) == set(get_method(method).param_spec())
