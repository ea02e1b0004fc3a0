"""Roles on a hand-built system: each role fires for a known reason; margins, parameters,
policy overlay and bad input. Expected values are computed here from the flows themselves."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import roles_systems as sysm

from metrocircle.exceptions import InputError, ParameterError
from metrocircle.structure import RoleResult, classify, indicators, quadrants


@pytest.fixture(scope="module")
def ind() -> pd.DataFrame:
    return indicators(sysm.flows(), cores=sysm.CORES, second_core=sysm.SECOND,
                      travel_times=sysm.travel_times(), units=sysm.units(),
                      admin_col="province", centrality="in_strength", restrict_to=sysm.AREA)


def T(o: str, d: str) -> float:
    return float(sum(v for a, b, v in sysm.FLOWS if a == o and b == d))


def R(u: str) -> float:
    return float(sum(v for a, _, v in sysm.FLOWS if a == u))


def W(u: str) -> float:
    return float(sum(v for _, b, v in sysm.FLOWS if b == u))


def row(table: pd.DataFrame | RoleResult, unit: str) -> pd.Series:
    if isinstance(table, RoleResult):
        table = table.roles
    return table.set_index("unit_id").loc[unit]


def test_indicators_match_the_formulas(ind: pd.DataFrame) -> None:
    assert sorted(ind["unit_id"]) == sorted(sysm.AREA)  # restricted to the area
    for u in sysm.AREA:
        r = row(ind, u)
        assert r["sc_supply"] == pytest.approx(T(u, u) / R(u))
        assert r["sc_demand"] == pytest.approx(T(u, u) / W(u))
        assert r["sc_min"] == pytest.approx(min(T(u, u) / R(u), T(u, u) / W(u)))
        assert r["job_ratio"] == pytest.approx(W(u) / R(u))
        to_core = sum(T(u, c) for c in ("C1", "C2") if c != u)
        assert r["out_rate_core"] == pytest.approx(to_core / R(u))
        ext = R(u) - T(u, u)
        assert r["core_share_external"] == pytest.approx(to_core / ext)
    b = row(ind, "B")
    assert b["membership_core"] == pytest.approx(32 / 62)
    assert b["membership_second"] == pytest.approx(30 / 62)
    assert b["tt_core_minutes"] == 60 and b["tt_second_minutes"] == 60
    assert ind.attrs["info"]["tt_core_second_minutes"] == 100
    assert row(ind, "F")["hinterland_units"] == 2  # H1 and H2 send their largest flow to F
    assert row(ind, "P")["first_contact"] == "H1"
    assert bool(row(ind, "X")["cross_border"]) and not bool(row(ind, "F")["cross_border"])
    # in-strength percentile among the 10 area units: share with a value <= the unit's
    instr = {u: sum(T(o, u) for o in {a for a, _, _ in sysm.FLOWS} if o != u) for u in sysm.AREA}
    for u in sysm.AREA:
        expect = sum(v <= instr[u] for v in instr.values()) / len(sysm.AREA)
        assert row(ind, u)["centrality_pct"] == pytest.approx(expect)


def test_every_role_fires_for_its_reason(ind: pd.DataFrame) -> None:
    res = classify(ind)
    got = dict(zip(res.roles["unit_id"], res.roles["role"], strict=True))
    assert got == sysm.EXPECTED
    fired = dict(zip(res.roles["unit_id"], res.roles["rules_fired"], strict=True))
    # B is also an integration zone (its first contact is C1), but the bridgehead comes first
    assert fired["B"] == "bridgehead;integration"
    assert fired["X"] == "cross_border_subcentre;strategic_fulcrum"
    assert fired["F"] == "strategic_fulcrum"
    assert fired["P"] == ""
    reasons = dict(zip(res.roles["unit_id"], res.roles["reason"], strict=True))
    assert reasons["I"].startswith("integration:") and "first contact C1" in reasons["I"]
    assert reasons["P"].startswith("periphery:")


def test_margins_and_binding_condition(ind: pd.DataFrame) -> None:
    res = classify(ind)
    c = res.conditions.set_index(["unit_id", "rule", "condition"])
    # integration of I: sc_min < 0.75 holds by 0.75 - 0.5
    sc_i = min(T("I", "I") / R("I"), T("I", "I") / W("I"))
    assert c.loc[("I", "integration", "sc_min<max"), "margin"] == pytest.approx(0.75 - sc_i)
    # the binding condition is the smallest margin relative to its threshold:
    # out_rate (0.5-0.1)/0.1 = 4 and time (45-30)/45 = 0.33 form an "any of" group (best 4),
    # sc_min: 0.25/0.75 = 0.33 -> sc_min is binding
    i = row(res.roles, "I")
    assert i["binding_condition"] == "sc_min<max"
    assert i["binding_margin"] == pytest.approx(0.75 - sc_i)
    # F's centrality percentile sits exactly on the threshold: margin 0
    assert c.loc[("F", "strategic_fulcrum", "centrality_pct>=min"), "margin"] == pytest.approx(0)
    f = row(res.roles, "F")
    assert f["binding_condition"] == "centrality_pct>=min"
    # bridgehead corridor: (60 + 60) / 100 <= 1.25, margin 0.05
    corr = c.loc[("B", "bridgehead", "(tt_iC+tt_iA)/tt_CA<=1+slack")]
    assert corr["value"] == pytest.approx(1.2) and corr["margin"] == pytest.approx(0.05)
    bal = c.loc[("B", "bridgehead", "min/max membership>=balance")]
    assert bal["value"] == pytest.approx(30 / 32)
    # a failed condition has a negative margin: P is 120 min from the core
    assert c.loc[("P", "integration", "tt_core_minutes<=max"), "margin"] == pytest.approx(-75)
    assert not c.loc[("P", "integration", "tt_core_minutes<=max"), "passed"]


@pytest.mark.parametrize(
    ("rules", "unit", "role"),
    [
        # integration needs 60 % to the core or 20 min: I (50 %, 30 min) drops to periphery
        ({"integration_min_out_rate": 0.6, "integration_max_minutes": 20}, "I", "periphery"),
        # F's centrality percentile is 0.8: a 0.85 threshold removes the fulcrum
        ({"fulcrum_min_centrality": 0.85}, "F", "periphery"),
        # the corridor test with 10 % slack fails for B (detour 1.2): it is an integration zone
        ({"corridor_slack": 0.1}, "B", "integration"),
        # memberships 32:30 are not balanced at 0.95
        ({"bridge_balance": 0.95}, "B", "integration"),
        # F radiates to 2 units; asking for 3 removes it
        ({"fulcrum_min_hinterland": 3}, "F", "periphery"),
    ],
)
def test_parameters_change_the_outcome_as_documented(ind, rules, unit, role) -> None:
    assert row(classify(ind), unit)["role"] == sysm.EXPECTED[unit] != role
    assert row(classify(ind, rules=rules), unit)["role"] == role


def test_core_merge_promotes_a_unit_linked_both_ways() -> None:
    f = sysm.flows()
    extra = pd.DataFrame({"origin": ["C1"], "destination": ["I"], "value": [200.0]})
    f = pd.concat([f, extra], ignore_index=True)
    ind2 = indicators(f, cores=sysm.CORES)
    # I -> core 50/100 = 0.5; core -> I 200 / (R_C1 + R_C2) = 200 / 1210
    assert row(ind2, "I")["core_in_rate"] == pytest.approx(200 / (R("C1") + 200 + R("C2")))
    assert row(classify(ind2), "I")["role"] == "integration"
    merged = classify(ind2, rules={"core_merge_share": 0.15})
    assert row(merged.roles, "I")["role"] == "core"


def test_policy_override_is_recorded(ind: pd.DataFrame) -> None:
    pol = pd.DataFrame({"unit_id": ["P"], "role": ["strategic_fulcrum"],
                        "reason": ["named a growth pole by the 2022 plan"]})
    res = classify(ind, policy=pol)
    p = row(res.roles, "P")
    assert p["role"] == "strategic_fulcrum" and p["computed_role"] == "periphery"
    assert bool(p["policy_override"])
    assert p["policy_reason"] == "named a growth pole by the 2022 plan"
    assert res.info["policy_overrides"] == 1
    assert not bool(row(res.roles, "F")["policy_override"])


def test_bad_policy_lists_every_problem(ind: pd.DataFrame) -> None:
    pol = pd.DataFrame({"unit_id": ["P", "ZZ", "F"], "role": ["capital", "periphery", "core"],
                        "reason": ["x", "y", ""]})
    with pytest.raises(InputError) as err:
        classify(ind, policy=pol)
    text = str(err.value)
    assert "3 problems" in text
    assert "role must be one of" in text and "needs a reason" in text and "ZZ" in text


def test_bad_input_is_one_error() -> None:
    f = sysm.flows()
    f.loc[0, "value"] = -1.0
    with pytest.raises(InputError) as err:
        indicators(f, cores=pd.DataFrame({"unit_id": ["Q"], "area_id": ["M"]}),
                   second_core=["C1"])
    text = str(err.value)
    assert "negative" in text  # the flows problem is reported before the cores are checked
    # ... and once the flows are fine, every core problem at once
    with pytest.raises(InputError) as err:
        indicators(sysm.flows(),
                   cores=pd.DataFrame({"unit_id": ["Q", "C1"], "area_id": ["M", "M"]}),
                   second_core=["C1", "ZZ"], restrict_to=["NOPE"])
    text = str(err.value)
    assert "Q" in text and "ZZ" in text and "both cores" in text and "NOPE" in text


def test_bad_parameters() -> None:
    ind = indicators(sysm.flows(), cores=["C1"])
    with pytest.raises(ParameterError, match="'fulcrum_min_sc' parameter of roles"):
        classify(ind, rules={"fulcrum_min_sc": 1.5})
    with pytest.raises(ParameterError, match="no parameter 'threshold'"):
        classify(ind, rules={"threshold": 0.1})
    with pytest.raises(ParameterError, match="centrality"):
        indicators(sysm.flows(), cores=["C1"], centrality="degree")
    with pytest.raises(ParameterError, match="missing columns"):
        classify(pd.DataFrame({"unit_id": ["A"]}))


def test_missing_values_fail_with_nan_margin() -> None:
    # no travel times and no second core: time and bridgehead conditions cannot hold
    res = classify(indicators(sysm.flows(), cores=sysm.CORES))
    c = res.conditions.set_index(["unit_id", "rule", "condition"])
    assert math.isnan(c.loc[("F", "strategic_fulcrum", "tt_core_minutes<=max"), "margin"])
    assert not c.loc[("F", "strategic_fulcrum", "tt_core_minutes<=max"), "passed"]
    assert (res.roles["role"] != "bridgehead").all()
    f = row(res.roles, "F")
    assert f["role"] == "periphery"  # a fulcrum needs a time to the core
    # the nearest rules (integration, fulcrum) each fail once; integration is listed first
    # and its binding condition is the commuting rate: 10/310 short of 0.10
    assert "nearest is integration" in f["reason"]
    assert f["binding_condition"] == "out_rate_core>=min"
    assert f["binding_margin"] == pytest.approx(10 / 310 - 0.10)
    # I still integrates on its commuting rate alone (the "any of" group)
    assert row(res.roles, "I")["role"] == "integration"


def test_quadrants_second_view(ind: pd.DataFrame) -> None:
    q = quadrants(ind, centrality_threshold=0.75, dependence_threshold=0.1)
    got = dict(zip(q["unit_id"], q["quadrant"], strict=True))
    assert got["C1"] == "core" and got["C2"] == "core"
    assert got["F"] == "independent_pole"  # central (0.8), 3 % to the core
    assert got["I"] == "integration_or_satellite"  # not central, 50 % to the core
    assert got["P"] == "periphery"
    b = row(ind, "B")
    expect_b = ("integrated_secondary_centre" if b["centrality_pct"] >= 0.75
                else "integration_or_satellite")
    assert got["B"] == expect_b
    by_m = quadrants(ind, dependence="membership_core", dependence_threshold=0.9)
    assert row(by_m, "I")["quadrant"] == "integration_or_satellite"  # membership 1.0
    assert np.isfinite(by_m["dependence"]).all()
    with pytest.raises(ParameterError):
        quadrants(ind, dependence="nonsense")


def test_uea_style_promotion_by_size_and_job_ratio(ind: pd.DataFrame) -> None:
    # X has more jobs than workers and W_X / (W_C1 + W_C2) of the core's jobs
    share_x = W("X") / (W("C1") + W("C2"))
    assert row(ind, "X")["jobs_share_of_core"] == pytest.approx(share_x)
    just_below = classify(ind, rules={"core_promote_size_share": share_x + 1e-9})
    assert row(just_below, "X")["role"] == "cross_border_subcentre"
    at = classify(ind, rules={"core_promote_size_share": share_x})
    assert row(at, "X")["role"] == "core"
    assert "promoted" in row(at, "X")["reason"]
    # I is smaller than that and has fewer jobs than workers: not promoted
    assert row(at, "I")["role"] == "integration"


def test_interaction_between_the_two_cores() -> None:
    extra = pd.DataFrame({"origin": ["C1", "C2", "A"], "destination": ["A", "A", "C2"],
                          "value": [7.0, 2.0, 4.0]})
    f = pd.concat([sysm.flows(), extra], ignore_index=True)
    info = indicators(f, cores=sysm.CORES, second_core=sysm.SECOND).attrs["info"]
    assert info["flow_core_to_second"] == 7.0 + 2.0
    assert info["flow_second_to_core"] == 4.0
