"""The shared steps, each on a small case computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from delineate_cases import cores_from, flows_from, pairs_from

from metrocircle.delineate import steps
from metrocircle.exceptions import InputError


def test_denominators_count_flows_outside_the_universe():
    flows = flows_from(
        {("a", "a"): 50, ("a", "b"): 30, ("a", "ABROAD"): 20, ("PR", "b"): 10, ("b", "b"): 40}
    )
    units = pd.DataFrame({"unit_id": ["a", "b"]})
    fm = steps.flow_matrix(flows, steps.universe_of(flows, units))
    assert list(fm.unit_ids) == ["a", "b"]
    assert fm.employed_residents.tolist() == [100.0, 40.0]  # abroad and intra-unit included
    assert fm.jobs.tolist() == [50.0, 80.0]  # PR residents and intra-unit included
    assert fm.matrix.toarray().tolist() == [[50.0, 30.0], [0.0, 40.0]]
    # without units, every code in the flows is a unit
    assert len(steps.universe_of(flows, None)) == 4


def test_shares_directions_and_rule_names():
    flows = flows_from({("c", "c"): 100, ("u", "u"): 60, ("u", "c"): 40, ("c", "u"): 10})
    fm = steps.flow_matrix(flows, steps.universe_of(flows, None))
    core_area = np.where(fm.unit_ids == "c", 0, -1)
    for direction, expect in [
        ("outbound", 0.4),
        ("inbound", 10 / 70),
        ("either", 0.4),
        ("both", 10 / 70),
    ]:
        pairs = steps.shares_to_areas(fm, core_area, 1, direction)
        row = pairs[pairs["pos"] == fm.positions(["u"])[0]].iloc[0]
        assert row["outbound_share"] == pytest.approx(0.4)
        assert row["inbound_share"] == pytest.approx(10 / 70)
        assert row["tie"] == pytest.approx(expect)
    names = steps.rule_name(np.array([0.4, 0.1]), np.array([0.2, 0.3]), "either", 0.25)
    assert names.tolist() == ["outbound_share>=0.25", "inbound_share>=0.25"]


def test_strongest_tie_breaks_equal_ties_by_area_code():
    pairs = pd.DataFrame(
        {
            "pos": [0, 0, 0, 1],
            "area": [2, 1, 0, 0],
            "outbound_share": [0.3, 0.3, 0.1, 0.2],
            "inbound_share": [0, 0, 0, 0],
            "tie": [0.3, 0.3, 0.1, 0.2],
        }
    )
    best = steps.strongest_tie(pairs, 0.25, 3)
    assert best["best_area"].tolist() == [1, 0, -1]
    assert best["n_qualifying_areas"].tolist() == [2, 0, 0]
    assert best["runner_up_area"].tolist() == [2, -1, -1]
    assert best["qualifies"].tolist() == [True, False, False]


def _state(areas, statuses):
    s = steps.Assignment(len(areas))
    s.area[:] = areas
    s.status[:] = statuses
    return s


def test_prune_keeps_only_units_connected_through_their_own_area():
    # path a-b-c-d-e ; a core of area 0, e core of area 1; b, d in area 0; c in area 1.
    # c reaches e only through d (area 0) and d reaches a only through c (area 1): both dropped
    fm = steps.FlowMatrix(pd.Index(list("abcde")), None, None, None)  # type: ignore[arg-type]
    graph = steps.adjacency_matrix(pairs_from([("a", "b"), ("b", "c"), ("c", "d"), ("d", "e")]), fm)
    s = _state([0, 0, 1, 0, 1], ["core", "member", "member", "member", "core"])
    dropped = steps.prune_to_cores(s, graph)
    assert dropped.tolist() == [False, False, True, True, False]
    assert s.area.tolist() == [0, 0, -1, -1, 1]
    assert s.extra["rejected_area"].tolist() == [-1, -1, 1, 0, -1]


def test_enclaves_groups_edges_and_two_areas():
    # grid 3x3: a b c / d e f / g h i ; area 0 everywhere except e and i (outside)
    fm = steps.FlowMatrix(pd.Index(list("abcdefghi")), None, None, None)  # type: ignore[arg-type]
    edges = [
        ("a", "b"),
        ("b", "c"),
        ("d", "e"),
        ("e", "f"),
        ("g", "h"),
        ("h", "i"),
        ("a", "d"),
        ("d", "g"),
        ("b", "e"),
        ("e", "h"),
        ("c", "f"),
        ("f", "i"),
    ]
    graph = steps.adjacency_matrix(pairs_from(edges), fm)
    areas = [0, 0, 0, 0, -1, 0, 0, 0, -1]
    statuses = ["core"] + ["member"] * 3 + ["outside"] + ["member"] * 3 + ["outside"]
    s = _state(areas, statuses)
    edge = np.array([c != "e" for c in "abcdefghi"])
    filled = steps.fill_enclaves(s, graph, edge)
    assert filled.tolist() == [c == "e" for c in "abcdefghi"]  # i lies on the edge
    s2 = _state([0, 0, 0, 0, -1, 1, 0, 0, 0], statuses)  # e touches areas 0 and 1
    assert not steps.fill_enclaves(s2, graph, np.zeros(9, bool)).any()


def test_break_cycles_removes_the_weakest_pointer():
    ptr = np.array([1, 2, 0, 0, -1])
    ratio = np.array([0.3, 0.2, 0.4, 0.5, 0.0])
    out = steps._break_cycles(ptr, ratio)
    assert out.tolist() == [1, -1, 0, 0, -1]


def test_read_cores_checks_every_problem():
    flows = flows_from({("a", "a"): 1, ("b", "b"): 1})
    fm = steps.flow_matrix(flows, steps.universe_of(flows, None))
    bad = cores_from([("a", "X", "g"), ("a", "Y", "g"), ("zz", "X", "h")])
    with pytest.raises(InputError) as err:
        steps.read_cores(bad, fm, "test")
    text = str(err.value)
    assert "more than once" in text and "not among the units" in text and "spanning" in text


def test_snap_to_parents_both_ways():
    fm = steps.FlowMatrix(pd.Index(list("abcdef")), None, None, None)  # type: ignore[arg-type]
    units = pd.DataFrame(
        {
            "unit_id": list("abcdef"),
            "parent_id": list("PPQQRR"),
            "population": [60.0, 40.0, 49.0, 51.0, 10.0, 10.0],
        }
    )
    s = _state(
        [0, -1, 0, -1, -1, -1], ["member", "outside", "member", "outside", "core", "outside"]
    )
    s.area[4] = 0
    decisions = steps.snap_to_parents(s, units, fm, share=0.5, weight="population")
    assert s.area.tolist() == [0, 0, -1, -1, 0, 0]
    assert s.rule.tolist() == [
        "",
        "snapped_to_parent",
        "rejected:parent_below_share",
        "",
        "",
        "snapped_to_parent",
    ]
    assert decisions.set_index("parent_id")["share"].round(2).to_dict() == {
        "P": 0.6,
        "Q": 0.49,
        "R": 0.5,
    }  # R: the core alone, 10 of 20; kept whole for the core
