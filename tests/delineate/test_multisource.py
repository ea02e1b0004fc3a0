"""cn-multisource on small hand-made systems, every expected figure worked out in the comments.

The rules under test (docs/methods/cn-multisource.md): the one-hour gate (NDRC 2019), a
threshold on the fused membership to the core (entropy / AHP / user weights of the methods
survey section 2.4; natural breaks after the Southeast University patent), commuting-rate rings
(Zhao Hui et al. 2023: 30 / 10 / 5 %), hierarchical snapping at 50 % of population (Eurostat's
metro-region rule) and recorded policy overrides.
"""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pytest
from delineate_cases import by_unit, cores_from, pairs_from

from metrocircle.delineate import delineate, get_method
from metrocircle.delineate.multisource import CnMultisource
from metrocircle.exceptions import InputError, ParameterError

# Each unit has 100 employed residents. Per unit: commuters to the core C, commuters to the
# sink X (the rest work at home), investment relations to C and to X, minutes to C.
#   fused membership with user weights 0.5 / 0.5 and row normalisation:
#   M = 0.5 * c / (c + o) + 0.5 * i / (i + j)
#   commuting rate = c / 100
SYSTEM = {
    #      c   o   i  j  minutes
    "A": (35, 5, 1, 1, 20.0),  # M = .5*.875 + .5*.5 = .6875; rate .35 (integration)
    "B": (12, 28, 1, 3, 30.0),  # M = .5*.3 + .5*.25 = .275; rate .12 (close)
    "D": (2, 2, 1, 0, 10.0),  # M = .5*.5 + .5*1 = .75; rate .02 (no ring)
    "E": (40, 0, 1, 0, 80.0),  # M = 1; rate .40, but 80 minutes
    "F": (7, 13, 1, 3, 30.0),  # M = .5*.35 + .5*.25 = .30; rate .07 (radiation)
}


def system(**extra_units):
    rows = [("C", "C", 1000.0, "commuting"), ("X", "X", 100.0, "commuting")]
    for u, (c, o, i, j, _) in SYSTEM.items():
        rows += [(u, u, 100.0 - c - o, "commuting"), (u, "C", c, "commuting")]
        if o:
            rows.append((u, "X", o, "commuting"))
        rows.append((u, "C", i, "investment"))
        if j:
            rows.append((u, "X", j, "investment"))
    flows = pd.DataFrame(rows, columns=["origin", "destination", "value", "layer"])
    flows["kind"] = flows["layer"]
    flows["source"] = np.where(flows["layer"] == "investment", "modelled", "real")
    units = pd.DataFrame({"unit_id": ["C", "X", *SYSTEM], "population": 100.0})
    tt = pd.DataFrame([(u, "C", v[4]) for u, v in SYSTEM.items()] + [("X", "C", 90.0)],
                      columns=["origin", "destination", "minutes"])
    return flows, units, cores_from([("C", "CQ")]), tt


FIXED = {"membership_share": 0.5, "weights": "user",
         "layer_weights": "commuting=1,investment=1", "contiguity": False, "snap": False}


def fit(flows, units, cores, tt, **params):
    return CnMultisource(**params).fit(flows, units=units, cores=cores, travel_times=tt)


def test_gate_fused_threshold_and_rings():
    est = fit(*system(), **FIXED)
    m = by_unit(est.membership_)
    # fused membership exactly as worked out above
    assert m.loc[["A", "B", "D", "E", "F"], "fused_membership"].tolist() == pytest.approx(
        [0.6875, 0.275, 0.75, 1.0, 0.30])
    assert m.loc[["A", "B", "D", "E", "F"], "commuting_rate"].tolist() == pytest.approx(
        [0.35, 0.12, 0.02, 0.40, 0.07])
    assert m.loc[["A", "B", "D", "E", "F"], "ring"].tolist() == [
        "integration", "close", "", "integration", "radiation"]
    # A: every condition passes; relative margins gate (60-20)/60 = .667, membership
    # (.6875-.5)/.5 = .375, commuting (.35-.1)/.1 = 2.5. With 'either' the connection margin
    # is max(.375, 2.5) = 2.5, so the gate (.667) binds: 20 minutes, 40 under the limit.
    assert m.loc["A", ["status", "rule", "binding"]].tolist() == [
        "member", "travel_minutes<=60", "gate"]
    assert m.loc["A", ["value", "threshold", "margin"]].tolist() == [20.0, 60.0, -40.0]
    # B: membership fails (.275 < .5) but the commuting rate .12 reaches the close ring:
    # gate .5, commuting .2 -> commuting binds with margin .02
    assert m.loc["B", ["status", "rule", "binding"]].tolist() == [
        "member", "commuting_rate>=0.1", "commuting"]
    assert m.loc["B", "margin"] == pytest.approx(0.02)
    assert m.loc["B", "failed"] == "membership"
    # D: rate .02 fails, membership .75 passes (.5 relative) and is tighter than the gate
    # (50 of 60 minutes to spare, .833)
    assert m.loc["D", ["status", "rule", "binding"]].tolist() == [
        "member", "fused_membership>=0.5", "membership"]
    assert m.loc["D", "margin"] == pytest.approx(0.25)
    # E: strongest ties of all, but 80 minutes: the gate keeps it out, 20 minutes over
    assert m.loc["E", ["status", "rule", "binding"]].tolist() == [
        "outside", "rejected:travel_minutes>60", "gate"]
    assert m.loc["E", ["value", "margin"]].tolist() == [80.0, 20.0]
    # F: both connection conditions fail: membership (.30-.5)/.5 = -.4, commuting
    # (.07-.1)/.1 = -.3; under 'either' the closer one (commuting) is named
    assert m.loc["F", ["status", "rule", "binding", "failed"]].tolist() == [
        "outside", "rejected:commuting_rate<0.1", "commuting", "membership;commuting"]
    assert m.loc["F", "margin"] == pytest.approx(-0.03)
    # X has no link to the core in either layer and is 90 minutes away
    assert m.loc["X", ["status", "rule"]].tolist() == ["outside", "rejected:travel_minutes>60"]
    area = est.areas_.set_index("area_id").loc["CQ"]
    assert area["member_units"] == "A;B;D"


def test_both_conditions_required_with_combine_both():
    est = fit(*system(), **FIXED, combine="both")
    m = by_unit(est.membership_)
    # B now needs membership too: .275 < .5 (relative -.45 vs commuting +.2 -> min binds)
    assert m.loc["B", ["status", "rule"]].tolist() == ["outside", "rejected:fused_membership<0.5"]
    # D fails the close ring (.02 < .1): min(membership .5, commuting -.8)
    assert m.loc["D", ["status", "rule"]].tolist() == ["outside", "rejected:commuting_rate<0.1"]
    assert m.loc["A", "status"] == "member"


def test_without_travel_times_is_an_error_naming_the_way_out():
    flows, units, cores, _ = system()
    with pytest.raises(ParameterError) as err:
        CnMultisource(**FIXED).fit(flows, units=units, cores=cores)
    assert "travel_times" in str(err.value) and "travel_time_gate=false" in str(err.value)


def test_gate_turned_off_is_said_everywhere(caplog):
    flows, units, cores, _ = system()
    with caplog.at_level(logging.WARNING):
        est = CnMultisource(**FIXED, travel_time_gate=False).fit(flows, units=units,
                                                                 cores=cores)
    assert any("cn-multisource" in t and "one-hour gate" in t and "not applied" in t
               for t in caplog.messages)
    m = by_unit(est.membership_)
    # E (M = 1, rate .4) is in once there is no gate; of its two connection margins,
    # membership (1-.5)/.5 = 1 and commuting (.4-.1)/.1 = 3, 'either' keeps the larger
    assert m.loc["E", ["status", "rule"]].tolist() == ["member", "commuting_rate>=0.1"]
    assert est.info_["travel_time_gate"] is False
    assert [r["rule"] for r in est.info_["rules_off"]] == ["travel_time_gate"]
    free = m[m["status"] != "core"]
    assert len(free) == 6 and free["rules_off"].str.startswith(
        "one-hour gate (max_minutes 60) not applied: travel_time_gate=false, no travel "
        "times given").all()
    assert m.loc["C", "rules_off"] == ""
    layers = est.tables_["layers"].set_index("layer")
    assert layers.loc["investment", ["kind", "source"]].tolist() == ["investment", "modelled"]
    assert layers.loc["commuting", ["kind", "source", "weight"]].tolist() == [
        "commuting", "real", 0.5]
    assert est.info_["modelled_layers"] == ["investment"]


def test_natural_breaks_threshold():
    # one layer: M = share of a unit's investment that goes to C. Four tight groups far
    # apart: {0, .02}, {.2, .22}, {.5, .52}, {.9, .92}. Fisher-Jenks with 4 classes puts each
    # group in its own class (within-class squared deviations 4 x 2 x .01^2 = .0008; any
    # other cut joins two groups at least .3 apart, >= .02); the top 2 classes start at .5.
    shares = {"U1": (0, 10), "U2": (1, 49), "U3": (1, 4), "U4": (11, 39), "U5": (1, 1),
              "U6": (13, 12), "U7": (9, 1), "U8": (23, 2)}
    rows = [("C", "C", 5.0)]
    for u, (i, j) in shares.items():
        if i:
            rows.append((u, "C", float(i)))
        rows.append((u, "Z", float(j)))
    flows = pd.DataFrame(rows, columns=["origin", "destination", "value"])
    units = pd.DataFrame({"unit_id": ["C", "Z", *shares], "population": 1.0})
    est = CnMultisource(contiguity=False, snap=False, travel_time_gate=False).fit(
        flows, units=units, cores=cores_from([("C", "CQ")]))
    m = by_unit(est.membership_)
    assert est.info_["membership_threshold"]["CQ"] == pytest.approx(0.5)
    # one layer, not a commuting one: the rings do not apply, and every explanation says so
    assert [r["rule"] for r in est.info_["rules_off"]] == ["travel_time_gate",
                                                           "commuting_rings"]
    assert m.loc[m["status"] != "core", "rules_off"].str.contains(
        "commuting-rate rings not applied: no commuting layer").all()
    breaks = est.tables_["membership_breaks"]
    assert breaks["lower"].tolist() == pytest.approx([0.0, 0.2, 0.5, 0.9])
    # Z (no outgoing link, M = 0) is a candidate too: class 1 holds U1, U2 and Z
    assert breaks["units"].tolist() == [3, 2, 2, 2]
    members = sorted(m.index[m["status"] == "member"])
    assert members == ["U5", "U6", "U7", "U8"]
    assert m.loc["U5", ["rule", "margin"]].tolist() == ["fused_membership>=0.5", 0.0]
    assert m.loc["U4", "rule"] == "rejected:fused_membership<0.5"
    assert m.loc["U4", "margin"] == pytest.approx(0.22 - 0.5)


def two_level_case():
    """Qualifying units A (pop 60), B (30), Y (10); others do not qualify.

    level 1 (planning_group):  G0 = {C, K}     holds the core -> K snapped in
                               G1 = {A, P}     60 / 100 = .6 >= .5 -> P snapped in
                               G2 = {B, Q, R}  30 / 100 = .3 < .5 -> B leaves
    level 2 (prefecture_id):   PF1 = {A, P, S} after level 1, A + P = 100 of 200 = .5
                                               -> S snapped in (60 / 200 = .3 without level 1)
                               PF2 = {Y, T}    10 / 100 = .1 -> Y leaves
    """
    pop = {"C": 100, "K": 50, "A": 60, "P": 40, "B": 30, "Q": 40, "R": 30, "S": 100,
           "Y": 10, "T": 90}
    group = {"C": "G0", "K": "G0", "A": "G1", "P": "G1", "B": "G2", "Q": "G2", "R": "G2"}
    pref = {"A": "PF1", "P": "PF1", "S": "PF1", "Y": "PF2", "T": "PF2"}
    units = pd.DataFrame({"unit_id": list(pop), "population": [float(v) for v in pop.values()],
                          "planning_group": [group.get(u) for u in pop],
                          "prefecture_id": [pref.get(u) for u in pop]})
    qualifying = {"A", "B", "Y"}
    rows = [("C", "C", 100.0)]
    for u in pop:
        if u != "C":
            rows += [(u, u, 50.0), (u, "C", 50.0 if u in qualifying else 1.0),
                     (u, "Z", 1.0 if u in qualifying else 50.0)]
    flows = pd.DataFrame(rows, columns=["origin", "destination", "value"])
    units = pd.concat([units, pd.DataFrame({"unit_id": ["Z"], "population": [1.0]})],
                      ignore_index=True)
    return flows, units, cores_from([("C", "CQ")])


def test_two_level_snapping():
    flows, units, cores = two_level_case()
    est = CnMultisource(membership_share=0.5, contiguity=False, travel_time_gate=False,
                        parent_levels="planning_group,prefecture_id").fit(
        flows, units=units, cores=cores)
    m = by_unit(est.membership_)
    # membership: qualifying units send 50 of 51 links to C (.98), others 1 of 51 (.02)
    assert m.loc["A", "fused_membership"] == pytest.approx(50 / 51)
    assert m.loc["K", ["rule", "binding", "area_id"]].tolist() == [
        "snapped_to_parent:planning_group", "snap:planning_group:core_parent", "CQ"]
    assert m.loc["P", ["rule", "binding", "area_id"]].tolist() == [
        "snapped_to_parent:planning_group", "snap:planning_group", "CQ"]
    assert m.loc["P", ["value", "threshold"]].tolist() == pytest.approx([0.6, 0.5])
    assert m.loc["B", ["status", "rule"]].tolist() == [
        "outside", "rejected:parent_below_share:planning_group"]
    assert m.loc["B", "margin"] == pytest.approx(0.3 - 0.5)
    assert m.loc["S", ["rule", "binding", "area_id"]].tolist() == [
        "snapped_to_parent:prefecture_id", "snap:prefecture_id", "CQ"]
    assert m.loc["S", "value"] == pytest.approx(0.5) and m.loc["S", "margin"] == 0.0
    assert m.loc["Y", ["status", "rule"]].tolist() == [
        "outside", "rejected:parent_below_share:prefecture_id"]
    assert m.loc["Y", "prefecture_id_share"] == pytest.approx(0.1)
    # one row per parent and level, in the order applied
    parents = est.tables_["parents"]
    assert parents[["level", "parent_id", "whole"]].values.tolist() == [
        ["planning_group", "G0", True], ["planning_group", "G1", True],
        ["planning_group", "G2", False], ["prefecture_id", "PF1", True],
        ["prefecture_id", "PF2", False]]
    assert est.info_["parents_snapped"] == {"planning_group": 2, "prefecture_id": 1}
    area = est.areas_.set_index("area_id").loc["CQ"]
    assert area["member_units"] == "A;K;P;S" and area["population"] == 350.0


def test_level_order_matters():
    flows, units, cores = two_level_case()
    # prefecture first: PF1 has only A qualifying (60 / 200 = .3) -> A leaves, so G1 then
    # has nothing qualifying and stays out
    m = by_unit(CnMultisource(membership_share=0.5, contiguity=False, travel_time_gate=False,
                              parent_levels="prefecture_id,planning_group").fit(
        flows, units=units, cores=cores).membership_)
    assert m.loc["A", "rule"] == "rejected:parent_below_share:prefecture_id"
    assert m.loc[["A", "P", "S"], "status"].tolist() == ["outside"] * 3


def test_policy_override_recorded(tmp_path):
    flows, units, cores = two_level_case()
    policy = tmp_path / "policy.csv"
    pd.DataFrame([
        {"unit_id": "", "parent_id": "PF2", "action": "include", "area_id": "CQ",
         "reason": "whole prefecture in the plan"},
        {"unit_id": "S", "parent_id": "", "action": "exclude", "area_id": "",
         "reason": "ecological protection zone"},
    ]).to_csv(policy, index=False)
    est = CnMultisource(membership_share=0.5, contiguity=False, policy=str(policy),
                        travel_time_gate=False, parent_levels="planning_group,prefecture_id").fit(
        flows, units=units, cores=cores)
    m = by_unit(est.membership_)
    assert m.loc[["Y", "T"], "status"].tolist() == ["member", "member"]
    assert m.loc["T", ["rule", "binding", "policy_reason"]].tolist() == [
        "policy_override", "policy", "whole prefecture in the plan"]
    assert m.loc["S", ["status", "rule", "policy_reason"]].tolist() == [
        "outside", "policy_override", "ecological protection zone"]
    assert est.info_["policy_overrides"] == 3


def test_ahp_weights_from_text():
    flows, units, cores, tt = system()
    # AHP 2 x 2 with commuting 3 times as important: weights .75 / .25 (CR 0)
    est = fit(flows, units, cores, tt, membership_share=0.5, contiguity=False, snap=False,
              weights="ahp", layers="commuting,investment", ahp_matrix="1,3;1/3,1")
    m = by_unit(est.membership_)
    # B: .75 * .3 + .25 * .25 = .2875
    assert m.loc["B", "fused_membership"] == pytest.approx(0.2875)
    assert est.info_["fusion"]["weights"] == pytest.approx({"commuting": 0.75,
                                                            "investment": 0.25})


def test_errors():
    flows, units, cores, tt = system()
    with pytest.raises(ParameterError, match="'layers' parameter of cn-multisource"):
        fit(flows, units, cores, tt, **FIXED | {"layers": "freight"})
    with pytest.raises(ParameterError, match="'layer_weights'"):
        fit(flows, units, cores, tt, **FIXED | {"layer_weights": "commuting=1"})
    with pytest.raises(ParameterError, match="member_classes"):
        CnMultisource(member_classes=4).get_params()
    with pytest.raises(ParameterError, match="required with weights='ahp'"):
        CnMultisource(weights="ahp").get_params()
    with pytest.raises(InputError, match="parent_levels"):
        fit(flows, units, cores, tt, membership_share=0.5, contiguity=False,
            parent_levels="prefecture_id")
    bad = flows.copy()
    bad.loc[0, "source"] = "guessed"
    with pytest.raises(InputError, match="column 'source' must be one of real, modelled"):
        delineate("cn-multisource", bad, units=units, cores=cores, params=FIXED)


def test_run_record_names_layers(tmp_path):
    from metrocircle.delineate.output import write_delineation

    flows, units, cores, tt = system()
    res = delineate("cn-multisource", flows, units=units, cores=cores, travel_times=tt,
                    params=FIXED)
    out = tmp_path / "out"
    write_delineation(res, out)
    run = json.loads((out / "run.json").read_text())
    kinds = {r["layer"]: (r["kind"], r["source"]) for r in run["info"]["layers"]}
    assert kinds == {"commuting": ("commuting", "real"),
                     "investment": ("investment", "modelled")}
    assert (out / "layers.csv").exists()
    assert get_method("cn-multisource").name == "cn-multisource"


def test_contiguity_drops_units_cut_off_from_the_core():
    flows, units, cores, tt = system()
    # A and B touch C; D touches only X (outside): D qualifies but is not connected
    adj = pairs_from([("A", "C"), ("B", "C"), ("D", "X"), ("E", "C"), ("F", "C")])
    params = FIXED | {"contiguity": True}
    m = by_unit(CnMultisource(**params).fit(flows, units=units, cores=cores, adjacency=adj,
                                            travel_times=tt).membership_)
    assert m.loc["D", ["status", "rule", "binding"]].tolist() == [
        "outside", "rejected:not_contiguous", "contiguity"]
    assert m.loc[["A", "B"], "status"].tolist() == ["member", "member"]
    with pytest.raises(ParameterError, match="needs an adjacency table"):
        CnMultisource(**params).fit(flows, units=units, cores=cores)


def test_link_direction():
    # the core invests in U (C -> U: 4) and in V (C -> V: 1); U's own firms invest only in V
    # (U -> V: 1). Read both ways, U's links are C 4 and V 1: M = .8; read as U's outgoing
    # investment only, U's one link goes to V: M = 0.
    flows = pd.DataFrame([("C", "U", 4.0), ("C", "V", 1.0), ("U", "V", 1.0)],
                         columns=["origin", "destination", "value"])
    units = pd.DataFrame({"unit_id": ["C", "U", "V"], "population": 1.0})
    kw = {"membership_share": 0.5, "contiguity": False, "snap": False,
          "travel_time_gate": False}
    cores = cores_from([("C", "CQ")])
    both = by_unit(CnMultisource(**kw).fit(flows, units=units, cores=cores).membership_)
    assert both.loc["U", "fused_membership"] == pytest.approx(0.8)
    out = by_unit(CnMultisource(**kw, link_direction="outgoing").fit(
        flows, units=units, cores=cores).membership_)
    assert out.loc["U", ["fused_membership", "status"]].tolist() == [0.0, "outside"]
    inc = by_unit(CnMultisource(**kw, link_direction="incoming").fit(
        flows, units=units, cores=cores).membership_)
    assert inc.loc["U", "fused_membership"] == pytest.approx(1.0)  # all its investors: C


def test_command_line(tmp_path):
    from metrocircle.cli.main import main

    flows, units, cores, tt = system()
    paths = {}
    for name, table in (("flows", flows), ("units", units), ("cores", cores), ("tt", tt)):
        paths[name] = tmp_path / f"{name}.csv"
        table.to_csv(paths[name], index=False)
    out = tmp_path / "out"
    code = main(["delineate", "cn-multisource", "--flows", str(paths["flows"]),
                 "--units", str(paths["units"]), "--cores", str(paths["cores"]),
                 "--travel-times", str(paths["tt"]), "--param", "membership_share=0.5",
                 "--param", "weights=user",
                 "--param", "layer_weights=commuting=1,investment=1",
                 "--param", "contiguity=false", "--param", "snap=false",
                 "--out", str(out), "--no-progress"])
    assert code == 0
    m = pd.read_csv(out / "membership.csv", dtype={"unit_id": str}).set_index("unit_id")
    assert sorted(m.index[m["status"] == "member"]) == ["A", "B", "D"]
    layers = pd.read_csv(out / "layers.csv")
    assert layers[["layer", "kind", "source"]].values.tolist() == [
        ["commuting", "commuting", "real"], ["investment", "investment", "modelled"]]


def test_equal_weights_are_the_hand_computed_ones():
    params = FIXED | {"weights": "equal"}
    params.pop("layer_weights")
    est = fit(*system(), **params)
    m = by_unit(est.membership_)
    assert m.loc["B", "fused_membership"] == pytest.approx(0.275)
    assert est.info_["fusion"]["weights_method"] == "equal"


def test_snapping_without_a_parent_column_is_said(caplog):
    flows, units, cores, tt = system()
    params = FIXED | {"snap": True}
    with caplog.at_level(logging.WARNING):
        est = fit(flows, units, cores, tt, **params)
    assert [r["rule"] for r in est.info_["rules_off"]] == ["snap"]
    assert any("snapping to whole parents not applied" in t for t in caplog.messages)
    m = by_unit(est.membership_)
    assert m.loc[m["status"] != "core", "rules_off"].str.contains(
        "the units table has no parent_id column").all()
    no_units = CnMultisource(**params).fit(flows, cores=cores, travel_times=tt)
    assert no_units.info_["rules_off"][0]["reason"].endswith("no units table given")
    # every rule applied: no rules_off column, an empty list in run.json
    full = fit(flows, units, cores, tt, **FIXED)
    assert full.info_["rules_off"] == [] and "rules_off" not in full.membership_.columns


def test_cli_console_and_run_json_say_the_gate_is_off(tmp_path, capsys, caplog):
    from metrocircle.cli.main import main

    flows, units, cores, _ = system()
    paths = {}
    for name, table in (("flows", flows), ("units", units), ("cores", cores)):
        paths[name] = tmp_path / f"{name}.csv"
        table.to_csv(paths[name], index=False)
    base = ["delineate", "cn-multisource", "--flows", str(paths["flows"]),
            "--units", str(paths["units"]), "--cores", str(paths["cores"]),
            "--param", "membership_share=0.5", "--param", "contiguity=false",
            "--param", "snap=false", "--no-progress"]
    assert main([*base, "--out", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err
    assert "--travel-times" in err and "travel_time_gate=false" in err
    assert not (tmp_path / "a").exists()
    # the command line logs WARNING records to the console (stderr); under pytest the
    # records go to caplog
    with caplog.at_level(logging.WARNING):
        assert main([*base, "--param", "travel_time_gate=false",
                     "--out", str(tmp_path / "b")]) == 0
    assert any(r.levelno == logging.WARNING and "one-hour gate" in r.getMessage()
               and "not applied" in r.getMessage() for r in caplog.records)
    run = json.loads((tmp_path / "b" / "run.json").read_text())
    off = run["info"]["rules_off"]
    assert [r["rule"] for r in off] == ["travel_time_gate"]
    mem = pd.read_csv(tmp_path / "b" / "membership.csv", dtype={"unit_id": str})
    outside_core = mem[mem["status"] != "core"]
    assert len(outside_core) == 6
    assert outside_core["rules_off"].str.contains("one-hour gate").all()
