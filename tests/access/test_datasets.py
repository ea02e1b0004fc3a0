"""Loaders of the shipped Chongqing example."""

from __future__ import annotations

from metrocircle.datasets import chongqing


def test_units_partition_and_codes_are_strings():
    units = chongqing.load_units()
    assert len(units) == 58 and units["unit_id"].is_unique
    assert units["unit_id"].str.fullmatch(r"\d{6}").all()
    assert not {"500000", "511600"} & set(units["unit_id"])
    assert len(chongqing.load_units(partition=False)) == 60
    # the 38 Chongqing units sum to the census bulletin's 32,054,159
    cq = units[units["unit_id"].str.startswith("50")]
    assert len(cq) == 38 and cq["pop_2020_census"].sum() == 32_054_159


def test_boundaries_and_adjacency_match_the_units():
    b = chongqing.load_boundaries()
    assert set(b["unit_id"]) == set(chongqing.load_units()["unit_id"])
    adj = chongqing.load_adjacency()
    ids = set(b["unit_id"])
    assert set(adj["unit_a"]) | set(adj["unit_b"]) == ids
    # Yuzhong borders Jiangbei and Nan'an across the rivers
    pairs = {frozenset(p) for p in zip(adj["unit_a"], adj["unit_b"], strict=True)}
    assert frozenset({"500103", "500105"}) in pairs


def test_rail_tables_and_readmes_are_shipped():
    rail = chongqing.load_rail()
    assert (
        len(rail["stop_times"]) == 9170
        and len(rail["trips"]) == 894
        and len(rail["stations"]) == 210
    )
    assert chongqing.data_path("README.md").exists()
    assert chongqing.data_path("transport/README.md").exists()
    census = chongqing.load_census()
    assert set(chongqing.load_units()["unit_id"]) <= set(census["code"])
