"""fr-aav: hand-made cases worked out by hand from INSEE's definition of the aires
d'attraction des villes (2020): couronne = communes sending at least 15 % of their employed
residents to the pôle, no cascading, associated pôles at 15 %, an aire d'un seul tenant et sans
enclave (enclaves attached, communes on the sea/border edge left out), iterated until stable."""

from __future__ import annotations

import pandas as pd
import pytest
from delineate_cases import by_unit, cores_from, flows_from, pairs_from

from metrocircle.delineate.aav import FrAav


def test_no_cascading_couronne_and_threshold():
    # P pôle; c1 sends 15 % to P (exactly the threshold -> in); c2 sends 40 % to c1 and 5 % to P
    # (drawn by a couronne commune only -> out, no cascading); c3 14.9 % -> out.
    flows = flows_from(
        {
            ("P", "P"): 1000,
            ("c1", "c1"): 85,
            ("c1", "P"): 15,
            ("c2", "c2"): 55,
            ("c2", "c1"): 40,
            ("c2", "P"): 5,
            ("c3", "c3"): 851,
            ("c3", "P"): 149,
        }
    )
    adj = pairs_from([("P", "c1"), ("c1", "c2"), ("P", "c3")])
    # c2 and c3 lie on the edge of the study region (the rest of the country beyond them)
    units = pd.DataFrame({"unit_id": ["P", "c1", "c2", "c3"], "edge": [False, False, True, True]})
    m = by_unit(
        FrAav().fit(flows, units=units, cores=cores_from([("P", "P")]), adjacency=adj).membership_
    )
    assert m.loc["c1", "status"] == "member" and m.loc["c1", "margin"] == pytest.approx(0.0)
    assert m.loc["c2", "status"] == "outside" and m.loc["c2", "value"] == pytest.approx(0.05)
    assert m.loc["c3", "rule"] == "rejected:below_threshold"


def test_associated_poles_form_one_core():
    # pôle Q sends 15 % of its employed residents to pôle P -> associated (P is the receiver)
    flows = flows_from(
        {("P", "P"): 1000, ("Q", "Q"): 170, ("Q", "P"): 30, ("x", "x"): 80, ("x", "Q"): 20}
    )
    adj = pairs_from([("P", "Q"), ("Q", "x")])
    est = FrAav().fit(flows, cores=cores_from([("P", "P"), ("Q", "Q")]), adjacency=adj)
    m = by_unit(est.membership_)
    assert m.loc["Q", "area_id"] == "P" and m.loc["Q", "rule"] == "merged_from:Q"
    assert m.loc["x", "area_id"] == "P"  # Q's couronne comes along
    assert est.areas_["area_id"].tolist() == ["P"]


def test_exclave_removal_then_enclave_until_stable():
    # Ring of units around pôle P (line P-a-b-c plus side units). "c" sends 20 % but is reached
    # only through "b" (5 %): exclave removed. "b" is then enclosed by a and the side unit s
    # (both couronne) plus c (now outside) -> not enclosed by one aire: stays out.
    flows = flows_from(
        {
            ("P", "P"): 1000,
            ("a", "a"): 70,
            ("a", "P"): 30,
            ("s", "s"): 70,
            ("s", "P"): 30,
            ("b", "b"): 95,
            ("b", "P"): 5,
            ("c", "c"): 80,
            ("c", "P"): 20,
        }
    )
    adj = pairs_from([("P", "a"), ("P", "s"), ("a", "b"), ("s", "b"), ("b", "c")])
    units = pd.DataFrame(
        {"unit_id": ["P", "a", "s", "b", "c"], "edge": [False, False, False, False, True]}
    )
    est = FrAav().fit(flows, units=units, cores=cores_from([("P", "P")]), adjacency=adj)
    m = by_unit(est.membership_)
    assert m.loc["c", "rule"] == "rejected:exclave"
    assert m.loc["b", "status"] == "outside"
    # if c's link to the pôle goes through a couronne commune, b becomes an enclave and the
    # enclave rule attaches it
    adj2 = pairs_from([("P", "a"), ("P", "s"), ("a", "b"), ("s", "b"), ("b", "c"), ("a", "c")])
    units2 = units.assign(edge=False)
    m2 = by_unit(
        FrAav().fit(flows, units=units2, cores=cores_from([("P", "P")]), adjacency=adj2).membership_
    )
    assert m2.loc["c", "status"] == "member" and m2.loc["b", "rule"] == "enclave_filled"
