"""Compare: joined / left / moved counted against a plain set computation, each cause of change
on a hand-made case where each occurs once, unit codes that differ, our own two US runs."""

from __future__ import annotations

import pandas as pd
import pytest

from metrocircle.datasets import us_cbsa
from metrocircle.delineate import delineate
from metrocircle.exceptions import InputError, ParameterError
from metrocircle.robustness import compare
from metrocircle.robustness.compare import Rule, rule_from_membership


def flows_of(pairs):
    return pd.DataFrame(
        [(o, d, float(v)) for (o, d), v in pairs.items()],
        columns=["origin", "destination", "value"],
    )


def three_causes():
    """A: threshold 0.25, core C1 (area X) and C2 (area Y). B: threshold 0.2, C3 a second core
    of Y, and F sends 30 % instead of 20 % to C1. Then F joins X (the flows), R joins X (the
    rule: 22 % both times) and K joins Y (the core: 10 % to C2, 30 % to C3)."""
    base = {
        ("C1", "C1"): 500,
        ("C2", "C2"): 500,
        ("C3", "C2"): 50,
        ("C3", "C3"): 50,
        ("R", "C1"): 22,
        ("R", "R"): 78,
        ("K", "C2"): 10,
        ("K", "C3"): 30,
        ("K", "K"): 60,
        ("S", "C1"): 5,
        ("S", "S"): 95,
    }
    flows_a = flows_of({**base, ("F", "C1"): 20, ("F", "F"): 80})
    flows_b = flows_of({**base, ("F", "C1"): 30, ("F", "F"): 70})
    cores_a = pd.DataFrame({"unit_id": ["C1", "C2"], "area_id": ["X", "Y"]})
    cores_b = pd.DataFrame({"unit_id": ["C1", "C2", "C3"], "area_id": ["X", "Y", "Y"]})
    params = {"direction": "outbound", "contiguity": False}
    a = delineate("omb-cbsa", flows_a, cores=cores_a, params={**params, "threshold": 0.25})
    b = delineate("omb-cbsa", flows_b, cores=cores_b, params={**params, "threshold": 0.2})
    return a, b, flows_a, flows_b


def test_each_cause_once_on_a_hand_made_case():
    a, b, flows_a, flows_b = three_causes()
    result = compare(
        a.membership,
        b.membership,
        flows_a=flows_a,
        flows_b=flows_b,
        rule_a={"method": a.method, "params": a.params},
        rule_b={"method": b.method, "params": b.params},
    )
    ch = result.changes.set_index("unit_id")
    changed = ch[ch["change"] != "same"]
    assert changed["area_a"].isna().all()
    assert changed[["change", "area_b", "cause"]].to_dict("index") == {
        "F": {"change": "joined", "area_b": "X", "cause": "flows"},
        "K": {"change": "joined", "area_b": "Y", "cause": "core"},
        "R": {"change": "joined", "area_b": "X", "cause": "rule"},
    }
    assert ch.loc["F", "tie_a"] == pytest.approx(0.2) and ch.loc["F", "tie_b"] == pytest.approx(0.3)
    assert "crossed the threshold 0.25" in ch.loc["F", "detail"]
    assert ch.loc["K", "detail"] == "the core units of Y differ: A C2, B C2;C3"
    assert "flows alone do not make this change" in ch.loc["R", "detail"]
    assert ch.loc["R", "tie_a"] == pytest.approx(0.22) == ch.loc["R", "tie_b"]
    # C3 became a core of the area it was a member of: same area, no change
    assert ch.loc["C3", "change"] == "same" and ch.loc["C3", "status_b"] == "core"
    assert result.counts["joined"] == 3 and result.counts["same"] == 4
    assert result.counts["by_cause"]["joined"] == {"core": 1, "flows": 1, "rule": 1}
    assert not result.info["same_rule"]


def test_without_flows_only_the_core_cause_is_told():
    a, b, _, _ = three_causes()
    ch = compare(a.membership, b.membership).changes.set_index("unit_id")
    assert ch.loc["K", "cause"] == "core"
    assert pd.isna(ch.loc["F", "cause"]) and pd.isna(ch.loc["R", "cause"])
    assert "give the flows behind both" in ch.loc["F", "detail"]
    # told that both sides have the same rule, what the cores do not explain the flows do
    same = {"threshold": 0.25, "direction": "outbound"}
    ch = compare(a.membership, b.membership, rule_a=same, rule_b=same).changes
    ch = ch.set_index("unit_id")
    assert ch.loc["K", "cause"] == "core"
    assert ch.loc["F", "cause"] == ch.loc["R", "cause"] == "flows"
    assert ch.loc["F", "detail"].startswith("same rule and cores, so the flows made the change")


def test_left_moved_and_rule_read_from_the_membership():
    a = pd.DataFrame(
        {
            "unit_id": ["1", "2", "3", "4"],
            "area_id": ["P", "P", "Q", "Q"],
            "status": ["core", "member", "core", "member"],
        }
    )
    b = a.assign(area_id=["P", None, "Q", "P"], status=["core", None, "core", "member"])
    ch = compare(a, b).changes.set_index("unit_id")
    assert ch["change"].to_dict() == {"1": "same", "2": "left", "3": "same", "4": "moved"}
    assert ch.loc["2", "status_b"] == "outside"
    m = pd.DataFrame(
        {
            "unit_id": ["1", "2", "3"],
            "status": ["core", "member", "outside"],
            "threshold": [None, 0.15, 0.15],
            "rule": ["core", "outbound_share>=0.15", "inbound_share>=0.15"],
            "area_id": ["A", "A", None],
        }
    )
    rule = rule_from_membership(m)
    assert (rule.threshold, rule.direction) == (0.15, "either")


def test_errors():
    a = pd.DataFrame({"unit_id": ["01001", "01003", "01005"], "area_id": ["A", "A", None]})
    b = pd.DataFrame({"unit_id": ["1001", "1003", "1005"], "area_id": ["A", "A", None]})
    with pytest.raises(
        InputError,
        match="different unit codes: 0 in common of 3 \\(A\\) and 3 \\(B\\).*leading zeros",
    ):
        compare(a, b)
    f = flows_of({("01001", "01003"): 1})
    with pytest.raises(ParameterError, match="Give the flows behind both"):
        compare(a, a, flows_a=f)
    with pytest.raises(ParameterError, match="needs the threshold and direction of delineation A"):
        compare(a, a, flows_a=f, flows_b=f)
    dup = pd.DataFrame({"unit_id": ["1", "1"], "area_id": ["A", "B"]})
    with pytest.raises(InputError, match="unit\\(s\\) listed more than once"):
        compare(dup, dup)
    with pytest.raises(InputError, match="missing column\\(s\\) 'area_id'"):
        compare(a.drop(columns="area_id"), a)


def official(vintage: int) -> pd.DataFrame:
    off = us_cbsa.load_official(vintage)
    return off[["unit_id", "area_id", "central_outlying"]].rename(
        columns={"central_outlying": "status"}
    )


def test_official_2013_and_2023_lists_counted_like_plain_sets():
    """The two lists code Connecticut (old counties / planning regions) and a few others
    differently: those units are in one input only and are not compared."""
    a, b = official(2010), official(2020)
    units_a, units_b = us_cbsa.load_units(vintage=2010), us_cbsa.load_units()
    result = compare(a, b, units_a=units_a, units_b=units_b)
    # the same by plain set arithmetic
    in_a = dict(zip(a["unit_id"], a["area_id"], strict=True))
    in_b = dict(zip(b["unit_id"], b["area_id"], strict=True))
    all_a = set(units_a["unit_id"]) | set(in_a)
    all_b = set(units_b["unit_id"]) | set(in_b)
    common = all_a & all_b
    joined = {u for u in common if u not in in_a and u in in_b}
    left = {u for u in common if u in in_a and u not in in_b}
    moved = {u for u in common if u in in_a and u in in_b and in_a[u] != in_b[u]}
    c = result.counts
    assert (c["joined"], c["left"], c["moved"]) == (len(joined), len(left), len(moved))
    assert c["joined"] + c["left"] + c["moved"] + c["same"] == len(common)
    ch = result.changes.set_index("unit_id")
    assert set(ch.index[ch["change"] == "moved"]) == moved
    assert {f"090{k:02d}" for k in range(1, 16, 2)} <= set(result.only_in_a)
    assert {f"091{k}0" for k in range(1, 10)} <= set(result.only_in_b)
    assert set(result.only_in_a) == all_a - all_b and set(result.only_in_b) == all_b - all_a
    # cores read from OMB's Central/Outlying: a county that became central is a core change
    became_central = ch[
        (ch["status_a"] != "Central") & (ch["status_b"] == "Central") & (ch["change"] != "same")
    ]
    assert len(became_central) and (became_central["cause"] == "core").all()


def test_our_two_us_runs_each_change_has_its_cause():
    """omb-cbsa on the 2009-2013 flows with the 2013 central counties (A) and on the 2016-2020
    flows with the 2023 central counties (B): the same rule, so every change is due to the
    cores or to the flows; the shares say so."""
    runs = {}
    for v in (2010, 2020):
        runs[v] = delineate(
            "omb-cbsa",
            us_cbsa.load_flows(v),
            units=us_cbsa.load_units(v),
            cores=us_cbsa.load_cores(v),
            adjacency=us_cbsa.load_adjacency(v),
            external=us_cbsa.EXTERNAL_CODES,
        )
    a, b = runs[2010], runs[2020]
    result = compare(
        a.membership,
        b.membership,
        flows_a=us_cbsa.load_flows(2010).drop(columns="moe"),
        flows_b=us_cbsa.load_flows(2020),
        rule_a={"method": a.method, "params": a.params},
        rule_b={"method": b.method, "params": b.params},
        external=us_cbsa.EXTERNAL_CODES,
    )
    assert result.info["same_rule"]
    ch = result.changes
    changed = ch[ch["change"] != "same"]
    assert len(changed) > 100
    assert set(changed["cause"]) == {"core", "flows"}
    crossed = changed[changed["detail"].str.contains("crossed the threshold")]
    assert len(crossed) > 50
    assert ((crossed["tie_a"] >= 0.25) != (crossed["tie_b"] >= 0.25)).all()
    # a core cause is a real difference of the cores, checked on the two core lists
    ca, cb = us_cbsa.load_cores(2010), us_cbsa.load_cores(2020)
    sets_a = ca.groupby("area_id")["unit_id"].apply(frozenset).to_dict()
    sets_b = cb.groupby("area_id")["unit_id"].apply(frozenset).to_dict()
    for row in changed[changed["cause"] == "core"].itertuples():
        u = row.unit_id
        own = (u in set(ca["unit_id"])) != (u in set(cb["unit_id"]))
        areas = [x for x in (row.area_a, row.area_b) if not pd.isna(x)]
        assert own or any(sets_a.get(x) != sets_b.get(x) for x in areas), u
    assert len(result.only_in_a) == 12 and len(result.only_in_b) == 13
    # docs/compare.md quotes this run's console summary
    from pathlib import Path

    c = result.counts
    page = (Path(__file__).resolve().parents[2] / "docs" / "compare.md").read_text()
    assert (
        f"{result.info['compared']} units compared: {c['joined']} joined, {c['left']} left, "
        f"{c['moved']} moved, {c['same']} same"
    ) in page
    for change in ("joined", "left", "moved"):
        causes = ", ".join(f"{n} {k}" for k, n in c["by_cause"][change].items())
        assert f"  {change}: {causes}" in page


def test_rule_from_run_record():
    r = Rule.from_run(
        {
            "method": "cn-commuting",
            "params": {"direction": "outbound"},
            "info": {"member_threshold": 0.1},
        }
    )
    assert (r.threshold, r.direction, r.method) == (0.1, "outbound", "cn-commuting")
    assert Rule.from_run({"method": "jp-uea", "params": {"threshold": 0.1}}).direction == "outbound"
