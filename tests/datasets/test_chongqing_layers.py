"""The Chongqing layers: real where data exists, modelled (and labelled so) where it does not;
the modelled ones keep the totals their formulas promise, on the shipped real data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from metrocircle.datasets import chongqing
from metrocircle.datasets.chongqing import layers as cq


@pytest.fixture(scope="module")
def road():
    return cq.travel_times("road")


@pytest.fixture(scope="module")
def attrs():
    return cq.unit_attributes()


def test_secondary_value_added_keeps_the_official_totals(attrs):
    gdp = pd.read_csv(chongqing.data_path("gdp_prefecture_2019_2021.csv"), dtype={"code": str})
    official = gdp[gdp["year"] == 2020].set_index("code")["gdp_secondary_10k_yuan"] / 1e4
    va = attrs.set_index("unit_id")["secondary_va_100m_cny"]
    units = chongqing.load_units().set_index("unit_id")
    # Chongqing's 38 districts share the municipality's 2020 figure (9,992.21 亿元) exactly
    cq_units = units.index[units["parent_code"] == "500000"]
    assert va[cq_units].sum() == pytest.approx(official["500000"]) == pytest.approx(9992.21)
    # Guang'an's six counties share Guang'an's (417.13 亿元)
    ga = units.index[units["parent_code"] == "511600"]
    assert len(ga) == 6 and va[ga].sum() == pytest.approx(official["511600"])
    # a Sichuan prefecture keeps its own official figure
    assert va["510100"] == pytest.approx(official["510100"])
    # shares follow census secondary employment: Fuling / Wanzhou
    a = attrs.set_index("unit_id")
    ratio = a.loc["500102", "secondary_employed"] / a.loc["500101", "secondary_employed"]
    assert va["500102"] / va["500101"] == pytest.approx(ratio)
    assert not va.isna().any()


def test_intrazonal_minutes_by_hand(attrs):
    # Yuzhong, 23.4 km2: (2/3) sqrt(23.4 / pi) km * 1.3 detour / 80 km/h * 60
    expected = (2 / 3) * math.sqrt(23.4 / math.pi) * 1.3 / 80 * 60
    assert attrs.set_index("unit_id").loc["500103", "intrazonal_minutes"] == pytest.approx(
        expected)


def test_passenger_and_freight_are_modelled_and_keep_their_margins(road, attrs):
    passenger = cq.road_passenger_layer(travel_times=road)
    freight = cq.road_freight_layer(travel_times=road)
    a = attrs.set_index("unit_id")
    for layer, mass in ((passenger, "population"), (freight, "secondary_va_100m_cny")):
        assert (layer.kind, layer.source) == (
            {"road_passenger": "passenger", "road_freight": "freight"}[layer.name], "modelled")
        assert "modelled" in layer.note
        out = layer.flows.groupby("origin")["value"].sum()
        inn = layer.flows.groupby("destination")["value"].sum()
        # doubly constrained: every unit sends and receives its own mass
        assert np.allclose(out.reindex(a.index), a[mass], rtol=1e-6)
        assert np.allclose(inn.reindex(a.index), a[mass], rtol=1e-6)
        assert len(layer.flows) == 58 * 58  # every pair, the diagonal included
    # deterministic
    again = cq.road_passenger_layer(travel_times=road)
    pd.testing.assert_frame_equal(passenger.flows, again.flows)


def test_investment_records_attract_each_industry_exactly(attrs):
    multi = cq.travel_times("multimodal")
    recs = cq.investment_records(travel_times=multi, industries=["C_manufacturing"])
    assert set(recs["industry"]) == {"C_manufacturing"} and set(recs["year"]) == {2020}
    received = recs.groupby("investee")["count"].sum()
    a = attrs.set_index("unit_id")
    assert np.allclose(received.reindex(a.index), a["C_manufacturing"], rtol=1e-9)
    # the investor's share follows producer services and minutes^-1: for one investee, the
    # ratio of two investors' relations is (H_1 / c_1) / (H_2 / c_2)
    j = "511602"
    m = multi.set_index(["origin", "destination"])["minutes"]
    r = recs[recs["investee"] == j].set_index("investor")["count"]
    h = a["aps_employed"]
    expected = (h["500103"] / m[("500103", j)]) / (h["500105"] / m[("500105", j)])
    assert r["500103"] / r["500105"] == pytest.approx(expected)
    layer = cq.investment_layer(recs)
    assert (layer.kind, layer.source) == ("investment", "modelled")


def test_rail_layer_is_the_real_timetable():
    rail = cq.rail_layer()
    assert (rail.kind, rail.source) == ("passenger", "real")
    pd.testing.assert_frame_equal(
        rail.flows.reset_index(drop=True),
        chongqing.load_rail_trips().astype({"origin": "str", "destination": "str"})
        .reset_index(drop=True), check_dtype=False)


def test_units_have_two_parent_levels():
    units = cq.multisource_units()
    assert len(units) == 58
    assert units.groupby("prefecture_id").size().to_dict() == {"511600": 6}
    assert units.groupby("planning_group").size().to_dict() == {
        "cq_main_urban_area": 21, "cq_northeast_three_gorges": 11, "cq_southeast_wuling": 6}
    assert units["population"].sum() == chongqing.load_units()["pop_2020_census"].sum()


def test_what_the_docs_say_about_the_gate_and_the_layers_without_commuting():
    """docs/methods/cn-multisource.md, "On the Chongqing example": the plan units kept out by
    the one-hour gate, and the 15 units of the variant without the commuting layer (that
    variant needs no signaling simulation, so it runs here)."""
    import metrocircle as mc
    from metrocircle.model.layers import combine_layers

    units = cq.multisource_units()
    base = chongqing.load_units()
    cores = base.loc[base["group"] == chongqing.CORE_GROUP, ["unit_id"]].assign(
        area_id="chongqing")
    multi = cq.travel_times("multimodal")
    flows = combine_layers(cq.all_layers(multimodal_travel_times=multi))
    res = mc.delineate("cn-multisource", flows, units=units, cores=cores,
                       adjacency=chongqing.load_adjacency(), travel_times=multi,
                       params={"parent_levels": "prefecture_id"})
    m = res.membership.set_index("unit_id")
    gated = {"500102": 89.5, "500111": 85.2, "500118": 61.9, "500152": 69.4, "500153": 90.9}
    for code, minutes in gated.items():
        assert m.loc[code, "rule"] == "rejected:travel_minutes>60"
        assert m.loc[code, "travel_minutes"] == pytest.approx(minutes)
    guangan = m.loc[units.loc[units["prefecture_id"] == "511600", "unit_id"]]
    assert (guangan["rule"] == "rejected:travel_minutes>60").all()
    assert guangan["travel_minutes"].min() == pytest.approx(62.6)
    assert guangan["travel_minutes"].max() == pytest.approx(104.6)
    members = sorted(m.index[m["status"] == "member"])
    names = units.set_index("unit_id")["name_en"]
    assert [names[u].split()[0] for u in members] == [
        "Qijiang", "Changshou", "Jiangjin", "Hechuan", "Nanchuan", "Bishan"]
    assert {r["layer"]: r["source"] for r in res.info["layers"]} == {
        "rail_trips": "real", "road_passenger": "modelled", "road_freight": "modelled",
        "investment": "modelled"}
