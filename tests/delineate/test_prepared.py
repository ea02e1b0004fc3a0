"""One prepared context, many runs: every method gives on a shared context exactly what a fresh
fit gives, whatever the order of the runs, and ``place`` agrees with ``membership_``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_conformance import world

from metrocircle.delineate import available_methods, get_method
from metrocircle.delineate.steps import FlowLayout, flow_matrix, universe_of

# parameter sets per method, run in this order on one context (thresholds up and down, so a
# cached share computed for one value is read by another)
GRIDS = {
    "omb-cbsa": [{"threshold": t} for t in (0.3, 0.1, 0.25, 0.1)]
    + [{"merge": "all", "threshold": 0.15}, {"direction": "outbound"}],
    "eu-fua": [{"threshold": t} for t in (0.05, 0.3, 0.15)] + [{"enclaves": False}],
    "fr-aav": [{"threshold": t} for t in (0.2, 0.1)] + [{"merge": "none"}],
    "jp-uea": [{"threshold": t} for t in (0.2, 0.05, 0.1)] + [{"max_order": 1}],
    "cn-commuting": [
        {"close_share": 0.2, "integration_share": 0.4},
        {"max_minutes": 25.0},
        {"max_minutes": 60.0},
        {"close_share": 0.05},
    ],
    "ttwa-lma": [{"min_size": 50, "target_size": 200}, {}],
    # the fused index is kept per fusion setting on the prepared input: thresholds up and
    # down on one fusion, another fusion, then the first again
    "cn-multisource": [{"max_minutes": 25.0}, {}, {"membership_share": 0.2},
                       {"normalise": "minmax", "max_minutes": 40.0}, {"membership_share": 0.05}],
}


def test_every_method_has_a_grid():
    assert set(GRIDS) == set(available_methods())


@pytest.mark.parametrize("method", available_methods())
def test_shared_context_equals_fresh_fit(method):
    flows, units, cores, adjacency, tt = world()
    cls = get_method(method)
    tables = {"units": units, "cores": cores, "adjacency": adjacency, "travel_times": tt}
    ctx = cls().prepare(flows, **tables)
    for params in GRIDS[method]:
        shared = cls(**params).fit_prepared(ctx)
        fresh = cls(**params).fit(flows, **tables)
        pd.testing.assert_frame_equal(shared.membership_, fresh.membership_)
        pd.testing.assert_frame_equal(shared.areas_, fresh.areas_)
        timing = {"seconds"}  # ttwa-lma records its run time
        assert {k: v for k, v in shared.info_.items() if k not in timing} == {
            k: v for k, v in fresh.info_.items() if k not in timing
        }
        assert shared.tables_.keys() == fresh.tables_.keys()
        for name in shared.tables_:
            pd.testing.assert_frame_equal(shared.tables_[name], fresh.tables_[name])
        placed = cls(**params).place(ctx)
        m = fresh.membership_
        assert list(placed.unit_ids) == list(m["unit_id"])
        assert list(placed.status) == list(m["status"])
        assert [a if a is not None else None for a in placed.area_id] == [
            None if pd.isna(a) else a for a in m["area_id"]
        ]
        np.testing.assert_array_equal(placed.value, m["value"].to_numpy(dtype=float))


@pytest.mark.parametrize("method", ["omb-cbsa", "eu-fua", "cn-commuting", "ttwa-lma"])
def test_with_values_equals_fit_on_the_new_values(method):
    flows, units, cores, adjacency, tt = world()
    cls = get_method(method)
    tables = {"units": units, "cores": cores, "adjacency": adjacency, "travel_times": tt}
    ctx = cls().prepare(flows, **tables)
    rng = np.random.default_rng(3)
    for _ in range(3):
        values = np.maximum(flows["value"].to_numpy() + rng.normal(0, 8, len(flows)), 0.0)
        new = flows.assign(value=values)
        got = cls().fit_prepared(ctx.with_values(values)).membership_
        pd.testing.assert_frame_equal(got, cls().fit(new, **tables).membership_)


def test_layout_matrix_equals_flow_matrix_with_repeated_cells_and_outside_codes():
    flows = pd.DataFrame(
        {
            "origin": ["a", "a", "b", "b", "c", "a"],
            "destination": ["b", "b", "a", "ABROAD", "c", "a"],
            "value": [1.5, 2.0, 0.0, 4.0, 3.0, 7.0],
            "layer": ["x", "y", "x", "x", "x", "x"],
        }
    )
    universe = pd.Index(["a", "b", "c"], dtype=object)
    layout = FlowLayout.from_flows(flows, universe)
    for values in (flows["value"].to_numpy(), np.arange(6.0)):
        want = flow_matrix(flows.assign(value=values), universe)
        got = layout.matrix(values)
        assert (got.matrix != want.matrix).nnz == 0
        np.testing.assert_array_equal(got.employed_residents, want.employed_residents)
        np.testing.assert_array_equal(got.jobs, want.jobs)
    m = layout.matrix(flows["value"].to_numpy()).matrix.toarray()
    assert m[0, 1] == 3.5 and m[0, 0] == 7.0 and m[2, 2] == 3.0
    assert list(universe_of(flows, None)) == ["ABROAD", "a", "b", "c"]
    with pytest.raises(ValueError, match="expected 6 flow values"):
        layout.matrix(np.ones(5))


def test_cn_multisource_fuses_once_per_fusion_setting(monkeypatch):
    from metrocircle.delineate import multisource

    calls = []
    real = multisource._fuse
    monkeypatch.setattr(multisource, "_fuse", lambda *a: calls.append(a[2]["normalise"])
                        or real(*a))
    flows, units, cores, adjacency, tt = world()
    tables = {"units": units, "cores": cores, "adjacency": adjacency, "travel_times": tt}
    cls = get_method("cn-multisource")
    ctx = cls().prepare(flows, **tables)
    for params in ({"max_minutes": 25.0}, {"membership_share": 0.2}, {}):
        cls(**params).fit_prepared(ctx)
    assert calls == ["row"]  # the thresholds re-use the fused index
    cls(normalise="total").fit_prepared(ctx)
    cls(membership_share=0.1).fit_prepared(ctx)
    assert calls == ["row", "total"]
    # other flow values are another index; a plain fit keeps nothing
    cls().fit_prepared(ctx.with_values(flows["value"].to_numpy() * 2.0))
    cls().fit(flows, **tables)
    assert calls == ["row", "total", "row", "row"]
