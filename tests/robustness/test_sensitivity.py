"""Sensitivity: exact agreement with plain runs, intervals and flips worked out by hand, and the
property that raising a threshold never adds a member where nothing merges."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrocircle.datasets import us_cbsa
from metrocircle.delineate import delineate
from metrocircle.exceptions import ParameterError
from metrocircle.robustness import sensitivity

SHARES = {"u1": 0.12, "u2": 0.2, "u3": 0.3, "u4": 0.45}


def star():
    """Core C and four units sending the given shares of their employed residents to C."""
    rows = [("C", "C", 500.0)]
    for u, s in SHARES.items():
        rows += [(u, "C", 100.0 * s), (u, u, 100.0 * (1 - s))]
    flows = pd.DataFrame(rows, columns=["origin", "destination", "value"])
    cores = pd.DataFrame({"unit_id": ["C"], "area_id": ["A"]})
    adjacency = pd.DataFrame({"unit_a": list(SHARES), "unit_b": ["C"] * 4})
    units = pd.DataFrame({"unit_id": ["C", *SHARES], "name": ["core", "one", "two", "3", "4"]})
    return flows, units, cores, adjacency


def test_intervals_and_flips_by_hand():
    flows, units, cores, adjacency = star()
    s = sensitivity(
        "omb-cbsa",
        flows,
        units=units,
        cores=cores,
        adjacency=adjacency,
        vary={"threshold": "0.1:0.5:0.1"},
    )
    # the reference 0.25 is not on the grid: it is run too, but not counted in the shares
    assert s.runs["threshold"].tolist() == [0.1, 0.2, 0.3, 0.4, 0.5, 0.25]
    assert s.runs["in_grid"].tolist() == [True] * 5 + [False]
    assert s.runs["reference"].tolist() == [False] * 5 + [True]
    assert s.runs["n_members"].tolist() == [4, 3, 2, 1, 0, 2]
    u = s.units.set_index("unit_id")
    assert u.loc["C", "status"] == "core" and u.loc["C", "in_area_share"] == 1.0
    want = {
        #        status     in_area same   from  to    below  above  nearest flip_status
        "u1": ("outside", 0.2, 0.8, 0.2, 0.5, 0.1, np.nan, 0.1, "member"),
        "u2": ("outside", 0.4, 0.6, 0.25, 0.5, 0.2, np.nan, 0.2, "member"),
        "u3": ("member", 0.6, 0.6, 0.1, 0.3, np.nan, 0.4, 0.4, "outside"),
        "u4": ("member", 0.8, 0.8, 0.1, 0.4, np.nan, 0.5, 0.5, "outside"),
    }
    cols = [
        "status",
        "in_area_share",
        "same_share",
        "threshold_stable_from",
        "threshold_stable_to",
        "threshold_flip_below",
        "threshold_flip_above",
        "threshold_nearest_flip",
        "threshold_flip_status",
    ]
    for unit, row in want.items():
        got = u.loc[unit, cols].tolist()
        assert got[0] == row[0] and got[-1] == row[-1], unit
        np.testing.assert_allclose(np.array(got[1:-1], dtype=float), row[1:-1], err_msg=unit)
    assert u.loc["u1", "threshold_flip_area_id"] == "A"
    assert pd.isna(u.loc["u3", "threshold_flip_area_id"])
    # per area and run: the size against the threshold
    a = s.areas.set_index("run")
    assert a.loc[range(5), "n_units"].tolist() == [5, 4, 3, 2, 1]
    assert s.memberships.groupby("run").size().tolist() == [5] * 6


def test_two_parameters_intervals_along_each_axis_through_the_reference():
    flows, units, cores, adjacency = star()
    s = sensitivity(
        "omb-cbsa",
        flows,
        units=units,
        cores=cores,
        adjacency=adjacency,
        vary=["threshold=0.1:0.5:0.1", "direction=outbound,inbound"],
    )
    # 5 x 2 grid, then the threshold axis at the reference direction ('either', 5 + 1 runs)
    # and the direction axis at the reference threshold (0.25: 2 runs)
    assert len(s.runs) == 18 and int(s.runs["in_grid"].sum()) == 10
    u = s.units.set_index("unit_id")
    # inbound shares are 0 (C sends nobody): u3 is out under 'inbound', the first listed
    # value away from the reference 'either'... listed values come first, the reference last
    assert u.loc["u3", "direction_nearest_flip"] == "inbound"
    assert u.loc["u3", "direction_stable_from"] == "either"
    assert u.loc["u3", "threshold_stable_to"] == 0.3
    # the shares count the grid only: u4 is in at 0.1-0.4 with 'outbound' (4 of 10 runs)
    assert u.loc["u4", "in_area_share"] == 0.4


def test_reference_parameters_and_errors():
    flows, units, cores, adjacency = star()
    s = sensitivity(
        "omb-cbsa",
        flows,
        units=units,
        cores=cores,
        adjacency=adjacency,
        params={"threshold": 0.35},
        vary={"threshold": [0.2, 0.4]},
    )
    assert s.params["threshold"] == 0.35
    assert s.units.set_index("unit_id").loc["u3", "status"] == "outside"
    with pytest.raises(ParameterError, match="omb-cbsa has no parameter 'max_minutes'"):
        sensitivity("omb-cbsa", flows, cores=cores, vary={"max_minutes": [30, 60]})
    with pytest.raises(ParameterError, match="integration_share >= close_share"):
        sensitivity(
            "cn-commuting",
            flows,
            cores=cores,
            vary={"close_share": [0.1, 0.4]},
            params={"contiguity": False},
        )


def test_us_counties_threshold_range_reproduces_every_plain_run_exactly():
    """The must-hold of the issue: 2016-2020 flows, official central counties, omb-cbsa,
    threshold 0.15 to 0.35 by 0.01; at 0.25 (and at the ends) exactly the plain delineation."""
    tables = {
        "units": us_cbsa.load_units(),
        "cores": us_cbsa.load_cores(),
        "adjacency": us_cbsa.load_adjacency(),
        "external": us_cbsa.EXTERNAL_CODES,
    }
    flows = us_cbsa.load_flows()
    s = sensitivity(
        "omb-cbsa", flows, vary={"threshold": "0.15:0.35:0.01"}, keep_results=True, **tables
    )
    assert len(s.runs) == 21 and s.runs["in_grid"].all()
    for t in (0.15, 0.25, 0.35):
        k = int(s.runs.loc[s.runs["threshold"] == t, "run"].iloc[0])
        plain = delineate("omb-cbsa", flows, params={"threshold": t}, **tables)
        pd.testing.assert_frame_equal(s.results[k].membership, plain.membership)
        pd.testing.assert_frame_equal(s.results[k].areas, plain.areas)
        assert s.results[k].info == plain.info
    ref = s.runs.loc[s.runs["reference"]]
    assert ref["threshold"].tolist() == [0.25] and ref["n_changed"].tolist() == [0]
    # members fall as the threshold rises (no merging with the official central counties)
    assert s.runs["n_members"].is_monotonic_decreasing
    # the long table holds every run's membership, the same as the kept results
    m = s.memberships[s.memberships["run"] == 10]
    assert m["area_id"].tolist() == s.results[10].membership["area_id"].tolist()


# ---------------------------------------------------------------------------------------------
# Property: where nothing merges, raising the threshold never adds a member
# ---------------------------------------------------------------------------------------------
SIDE = 4
NAMES = [f"{r}{c}" for r in range(SIDE) for c in range(SIDE)]


def grid_pairs():
    edges = []
    for r in range(SIDE):
        for c in range(SIDE):
            if r + 1 < SIDE:
                edges.append((f"{r}{c}", f"{r + 1}{c}"))
            if c + 1 < SIDE:
                edges.append((f"{r}{c}", f"{r}{c + 1}"))
    return pd.DataFrame(edges, columns=["unit_a", "unit_b"])


@st.composite
def systems(draw):
    n = len(NAMES)
    values = draw(st.lists(st.integers(0, 40), min_size=n * n, max_size=n * n))
    keep = draw(st.lists(st.booleans(), min_size=n * n, max_size=n * n))
    mat = np.where(
        np.array(keep).reshape(n, n) | np.eye(n, dtype=bool),
        np.array(values, dtype=float).reshape(n, n),
        0.0,
    )
    # everyone who lives in a unit and works there: every unit is in the study (a unit no flow
    # names is outside it, and a core outside the study is an input error)
    np.fill_diagonal(mat, np.maximum(np.diag(mat), 1.0))
    k = draw(st.integers(1, 3))
    core_pos = draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k, unique=True))
    areas = draw(st.lists(st.sampled_from(["A", "B", "C"]), min_size=k, max_size=k))
    thresholds = sorted(
        draw(
            st.sets(
                st.sampled_from([0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.6]), min_size=2, max_size=6
            )
        )
    )
    rows = [(NAMES[i], NAMES[j], mat[i, j]) for i in range(n) for j in range(n) if mat[i, j] > 0]
    flows = pd.DataFrame(rows, columns=["origin", "destination", "value"])
    cores = pd.DataFrame({"unit_id": [NAMES[p] for p in core_pos], "area_id": areas})
    return flows, cores, thresholds


NO_MERGING = {
    "omb-cbsa": {"merge": "none"},
    "eu-fua": {"merge": "none", "enclaves": False},
    "fr-aav": {"merge": "none", "enclaves": False},
    "jp-uea": {},
}


@pytest.mark.parametrize("method", sorted(NO_MERGING))
@settings(max_examples=25, deadline=None)
@given(system=systems())
def test_raising_the_threshold_never_adds_a_member(method, system):
    flows, cores, thresholds = system
    units = pd.DataFrame({"unit_id": NAMES})
    s = sensitivity(
        method,
        flows,
        units=units,
        cores=cores,
        adjacency=grid_pairs(),
        params=NO_MERGING[method],
        vary={"threshold": thresholds},
    )
    runs = s.runs[s.runs["in_grid"]].sort_values("threshold")
    m = s.memberships
    members = [
        set(m.loc[(m["run"] == r) & (m["status"] == "member"), "unit_id"]) for r in runs["run"]
    ]
    for low, high in zip(members, members[1:], strict=False):
        assert high <= low
    assert (np.diff(runs["n_members"].to_numpy()) <= 0).all()


def test_travel_time_limit_of_cn_commuting_equals_plain_runs():
    """``max_minutes`` 10 to 60: units 15, 25, 35 and 45 minutes from the core, each sending
    30 % of its commuters there, join one by one; every run equals the plain run (the minutes
    to the cores are computed once and shared)."""
    flows, units, cores, adjacency = star()
    flows = flows.assign(value=[500.0] + [30.0, 70.0] * 4)
    minutes = {"u1": 15.0, "u2": 25.0, "u3": 35.0, "u4": 45.0}
    tt = pd.DataFrame(
        {"origin": list(minutes), "destination": ["C"] * 4, "minutes": list(minutes.values())}
    )
    tables = {"units": units, "cores": cores, "adjacency": adjacency, "travel_times": tt}
    s = sensitivity(
        "cn-commuting", flows, vary={"max_minutes": "10:60:10"}, keep_results=True, **tables
    )
    assert s.runs["max_minutes"].tolist() == [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    assert s.runs["n_members"].tolist() == [0, 1, 2, 3, 4, 4]
    for k, t in enumerate(s.runs["max_minutes"]):
        plain = delineate("cn-commuting", flows, params={"max_minutes": t}, **tables)
        pd.testing.assert_frame_equal(s.results[k].membership, plain.membership)
    u = s.units.set_index("unit_id")
    # the reference is the one-hour circle: u4 (45 min) flips below 50
    assert u.loc["u4", "max_minutes_stable_from"] == 50.0
    assert u.loc["u4", "max_minutes_nearest_flip"] == 40.0
