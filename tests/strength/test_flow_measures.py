"""Flow shares, first-contact (dominant) flows and reciprocal pairs on a hand-made table."""

from __future__ import annotations

import pandas as pd
import pytest

from metrocircle.exceptions import InputError, ParameterError
from metrocircle.strength import dominant_flows, flow_shares, reciprocal_pairs

FLOWS = pd.DataFrame(
    {
        "origin": ["A", "A", "A", "B", "B", "C", "C", "D"],
        "destination": ["A", "B", "C", "A", "C", "A", "B", "A"],
        "value": [50.0, 30.0, 20.0, 10.0, 5.0, 40.0, 40.0, 1.0],
    }
)


def test_shares_by_hand() -> None:
    s = flow_shares(FLOWS).set_index(["origin", "destination"])
    assert ("A", "A") not in s.index  # self flow neither listed nor counted by default
    assert s.loc[("A", "B"), "out_share"] == pytest.approx(30 / 50)
    assert s.loc[("A", "C"), "out_share"] == pytest.approx(20 / 50)
    assert s.loc[("B", "A"), "out_share"] == pytest.approx(10 / 15)
    # inflow of B = 30 (A) + 40 (C); of A = 10 + 40 + 1
    assert s.loc[("A", "B"), "in_share"] == pytest.approx(30 / 70)
    assert s.loc[("D", "A"), "in_share"] == pytest.approx(1 / 51)
    with_self = flow_shares(FLOWS, include_self=True).set_index(["origin", "destination"])
    assert with_self.loc[("A", "B"), "out_share"] == pytest.approx(30 / 100)
    assert with_self.loc[("A", "A"), "in_share"] == pytest.approx(50 / 101)


def test_dominant_flows_classes_ties_and_relations() -> None:
    d = dominant_flows(FLOWS).set_index("unit_id")
    assert list(d.index) == ["A", "B", "C", "D"]
    assert d.loc["A", "destination"] == "B" and d.loc["A", "out_share"] == pytest.approx(0.6)
    assert d.loc["A", "strength_class"] == "strong"  # 0.6 is strong (>=)
    assert d.loc["B", "destination"] == "A" and d.loc["B", "strength_class"] == "strong"
    # C sends 40 to A and 40 to B: a tie, the smaller code is taken; 0.5 is medium
    assert d.loc["C", "destination"] == "A" and bool(d.loc["C", "tied"])
    assert d.loc["C", "strength_class"] == "medium"
    assert d.loc["A", "relation"] == "partner" and d.loc["B", "relation"] == "partner"
    assert d.loc["C", "relation"] == "dependent" and d.loc["D", "relation"] == "dependent"
    # with the self flow in the denominator A's share is 30/100 = 0.3 -> weak (<=)
    d2 = dominant_flows(FLOWS, include_self=True).set_index("unit_id")
    assert d2.loc["A", "out_share"] == pytest.approx(0.3)
    assert d2.loc["A", "strength_class"] == "weak"
    # thresholds are parameters
    d3 = dominant_flows(FLOWS, strong=0.7, weak=0.5).set_index("unit_id")
    assert d3.loc["A", "strength_class"] == "medium" and d3.loc["C", "strength_class"] == "weak"


def test_reciprocal_pairs() -> None:
    pairs = reciprocal_pairs(dominant_flows(FLOWS))
    assert pairs[["unit_a", "unit_b"]].values.tolist() == [["A", "B"]]
    assert pairs["share_a"].iloc[0] == pytest.approx(0.6)
    assert pairs["share_b"].iloc[0] == pytest.approx(10 / 15)


def test_bad_input() -> None:
    bad = FLOWS.assign(value=["1", "-2", "x", "1", "1", "1", "1", "1"])
    with pytest.raises(InputError) as err:
        flow_shares(bad)
    assert len(err.value.problems) == 2  # negative and non-numeric, in one error
    with pytest.raises(ParameterError, match="'weak' parameter of dominant_flows"):
        dominant_flows(FLOWS, strong=0.3, weak=0.6)
