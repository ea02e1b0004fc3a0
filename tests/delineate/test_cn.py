"""cn-commuting: hand-made cases worked out by hand from the commuting-rate ring practice
(Zhao Hui et al. 2023: 30 % integration, 10 % close = metropolitan boundary, 5 % radiation),
the one-hour circle of NDRC 2019 as a travel-time gate, and snapping to whole parent units at
50 % of population (the Eurostat metro-region pattern the Chongqing plan follows)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from delineate_cases import by_unit, cores_from, flows_from, pairs_from

from metrocircle.delineate.cn import CnCommuting
from metrocircle.exceptions import InputError, ParameterError

# 100 employed residents each; % working in core C; minutes to C; parent; population
UNITS = {
    #      pct  min  parent pop
    "A": (35, 20, "P1", 100),  # integration ring, member
    "B": (15, 30, "P1", 100),  # close ring, member
    "F": (2, 30, "P1", 50),  # P1 qualifying 200/250 = 80 % >= 50 % -> snapped in
    "D": (7, 40, "P3", 80),  # radiation ring, outside
    "E": (40, 80, "P4", 90),  # 40 % but 80 minutes > 60 -> kept out by the gate
    "G": (12, 45, "P2", 40),  # close ring, but P2 qualifies 40/100 = 40 % < 50 % -> removed
    "H": (1, 50, "P2", 60),
    "K": (0, 10, "P0", 10),  # shares a parent with the core -> snapped in
}


def case():
    pairs = {("C", "C"): 1000}
    for u, (pct, *_rest) in UNITS.items():
        pairs[(u, u)] = 100 - pct
        if pct:
            pairs[(u, "C")] = pct
    units = pd.DataFrame(
        [("C", "P0", 1000.0)] + [(u, v[2], float(v[3])) for u, v in UNITS.items()],
        columns=["unit_id", "parent_id", "population"],
    )
    tt = pd.DataFrame(
        [(u, "C", float(v[1])) for u, v in UNITS.items()],
        columns=["origin", "destination", "minutes"],
    )
    adj = pairs_from([("C", u) for u in UNITS])
    return flows_from(pairs), units, cores_from([("C", "CQ")]), adj, tt


def test_rings_gate_and_snapping():
    flows, units, cores, adj, tt = case()
    est = CnCommuting().fit(flows, units=units, cores=cores, adjacency=adj, travel_times=tt)
    m = by_unit(est.membership_)
    assert m.loc["A", ["ring", "status", "rule"]].tolist() == [
        "integration",
        "member",
        "outbound_share>=0.1",
    ]
    assert m.loc["B", ["ring", "status"]].tolist() == ["close", "member"]
    assert m.loc["D", ["ring", "status"]].tolist() == ["radiation", "outside"]
    assert m.loc["E", "rule"] == "rejected:travel_minutes>60"
    assert m.loc["E", "travel_minutes"] == 80.0 and m.loc["E", "value"] == pytest.approx(0.40)
    assert m.loc["E", "outbound_share"] == pytest.approx(0.40) and m.loc["E", "best_area"] == "CQ"
    assert m.loc["F", ["rule", "area_id"]].tolist() == ["snapped_to_parent", "CQ"]
    assert m.loc["F", "value"] == pytest.approx(0.8) and m.loc["F", "margin"] == pytest.approx(0.3)
    assert m.loc["G", ["rule", "status"]].tolist() == ["rejected:parent_below_share", "outside"]
    assert m.loc["G", "parent_share"] == pytest.approx(0.4)
    assert m.loc["K", ["rule", "area_id"]].tolist() == ["snapped_to_parent", "CQ"]
    parents = est.tables_["parents"].set_index("parent_id")
    assert parents.loc["P1", "whole"] and not parents.loc["P2", "whole"]
    area = est.areas_.set_index("area_id").loc["CQ"]
    assert area["member_units"] == "A;B;F;K" and area["population"] == 1260.0


def test_without_matrix_no_gate_and_without_snapping():
    flows, units, cores, adj, _ = case()
    m = by_unit(
        CnCommuting(snap=False, travel_time_gate=False)
        .fit(flows, units=units, cores=cores, adjacency=adj).membership_
    )
    assert m.loc["E", "ring"] == "integration" and m.loc["E", "status"] == "member"
    assert m.loc["E", "rules_off"].startswith("one-hour gate (max_minutes 60) not applied")
    assert m.loc["G", "status"] == "member" and m.loc["F", "status"] == "outside"


def test_member_ring_and_ring_order_check():
    flows, units, cores, adj, tt = case()
    m = by_unit(
        CnCommuting(member_ring="integration", snap=False)
        .fit(flows, units=units, cores=cores, adjacency=adj, travel_times=tt)
        .membership_
    )
    assert m.loc["B", "status"] == "outside" and m.loc["B", "ring"] == "close"
    assert m.loc["A", "rule"] == "outbound_share>=0.3"
    with pytest.raises(ParameterError, match="integration_share >= close_share"):
        CnCommuting(close_share=0.4).fit(flows, cores=cores, adjacency=adj)


def test_policy_overrides_are_recorded(tmp_path):
    flows, units, cores, adj, tt = case()
    policy = tmp_path / "policy.csv"
    pd.DataFrame(
        [
            {
                "unit_id": "",
                "parent_id": "P3",
                "action": "include",
                "area_id": "CQ",
                "reason": "whole prefecture in the plan",
            },
            {
                "unit_id": "B",
                "parent_id": "",
                "action": "exclude",
                "area_id": "",
                "reason": "ecological protection zone",
            },
        ]
    ).to_csv(policy, index=False)
    est = CnCommuting(policy=str(policy)).fit(
        flows, units=units, cores=cores, adjacency=adj, travel_times=tt
    )
    m = by_unit(est.membership_)
    assert m.loc["D", ["area_id", "rule", "policy_reason"]].tolist() == [
        "CQ",
        "policy_override",
        "whole prefecture in the plan",
    ]
    assert m.loc["B", ["status", "rule"]].tolist() == ["outside", "policy_override"]
    assert est.info_["policy_overrides"] == 2
    js = tmp_path / "policy.json"
    js.write_text(json.dumps([{"unit_id": "C", "action": "exclude", "reason": "x"}]))
    with pytest.raises(InputError, match="core unit cannot be excluded"):
        CnCommuting(policy=str(js)).fit(flows, units=units, cores=cores, adjacency=adj,
                                        travel_times=tt)
    bad = tmp_path / "bad.csv"
    bad.write_text("unit_id,action,reason\nZZ,include,\nA,keep,why\n")
    with pytest.raises(InputError) as err:
        CnCommuting(policy=str(bad)).fit(flows, units=units, cores=cores, adjacency=adj,
                                         travel_times=tt)
    text = str(err.value)
    assert "needs a reason" in text and "include' or 'exclude" in text


def test_beyond_the_gate_and_below_the_threshold_is_not_no_flow():
    """A unit beyond the one-hour gate that sends 6 % of its workers to the core is rejected
    as below the threshold with its share and minutes, not as 'no flow to any core' with 0."""
    pairs = {("C", "C"): 1000, ("L", "L"): 94, ("L", "C"): 6, ("N", "N"): 100}
    tt = pd.DataFrame({"origin": ["L", "N"], "destination": ["C", "C"],
                       "minutes": [90.0, 90.0]})
    est = CnCommuting(snap=False, contiguity=False).fit(
        flows_from(pairs), cores=cores_from([("C", "CQ")]), travel_times=tt)
    m = by_unit(est.membership_)
    assert m.loc["L", ["rule", "status"]].tolist() == ["rejected:below_threshold", "outside"]
    assert m.loc["L", "value"] == pytest.approx(0.06)
    assert m.loc["L", "margin"] == pytest.approx(0.06 - 0.10)
    assert m.loc["L", "travel_minutes"] == 90.0 and m.loc["L", "best_area"] == "CQ"
    assert m.loc["L", "ring"] == "radiation"
    # a unit that sends nobody to the core keeps 'no flow to any core'
    assert m.loc["N", ["rule", "value"]].tolist() == ["rejected:no_flow_to_any_core", 0.0]


def test_an_empty_parent_is_no_parent():
    # units read back from CSV (a run folder's delineation/inputs/units.csv) have "" where the
    # run had no parent: the same result as with NA, not one parent named ""
    flows, units, cores, adj, tt = case()
    units.loc[units["unit_id"].isin(["D", "E", "G", "H", "K"]), "parent_id"] = pd.NA
    with_na = CnCommuting().fit(flows, units=units, cores=cores, adjacency=adj, travel_times=tt)
    units["parent_id"] = units["parent_id"].fillna("")
    empty = CnCommuting().fit(flows, units=units, cores=cores, adjacency=adj, travel_times=tt)
    pd.testing.assert_frame_equal(with_na.membership_, empty.membership_)
    m = by_unit(empty.membership_)
    # as one parent "", D, E, G, H and K would be snapped together: each keeps its own rule
    assert m.loc["E", "rule"] == "rejected:travel_minutes>60"
    assert m.loc["K", "status"] == "outside" and m.loc["D", "status"] == "outside"
    assert "" not in set(empty.tables_["parents"]["parent_id"])
