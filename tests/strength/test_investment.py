"""Enterprise-investment network: weights, diagonal, filters and strengths worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrocircle.exceptions import InputError, ParameterError
from metrocircle.strength import fuse, investment_network

RECORDS = pd.DataFrame(
    [
        # investor, investee, count, capital, industry, year
        ("A", "B", 2, 100.0, "C", 2019),
        ("A", "B", 1, 50.0, "J", 2020),
        ("B", "A", 1, 30.0, "C", 2020),
        ("A", "A", 3, 10.0, "C", 2020),
        ("C", "A", 1, 0.0, "C", None),
    ],
    columns=["investor", "investee", "count", "capital", "industry", "year"],
)


def links_of(net):
    return {(o, d): v for o, d, v in net.links[["origin", "destination", "value"]].itertuples(
        index=False)}


def test_counts_with_the_diagonal_kept():
    net = investment_network(RECORDS)
    # A->B: 2 + 1 relations; A->A 3 (kept); B->A 1; C->A 1
    assert links_of(net) == {("A", "A"): 3.0, ("A", "B"): 3.0, ("B", "A"): 1.0, ("C", "A"): 1.0}
    nodes = net.nodes.set_index("unit_id")
    # control = out-strength to other units, attraction = in-strength from other units
    assert nodes.loc["A", ["out_strength", "in_strength", "self_value"]].tolist() == [3, 2, 3]
    assert nodes.loc["B", ["out_strength", "in_strength"]].tolist() == [1, 3]
    assert nodes.loc["C", ["out_strength", "in_strength", "out_degree"]].tolist() == [1, 0, 1]
    assert nodes.loc["A", "net_strength"] == 1 and nodes.loc["A", "self_share"] == 0.5
    assert net.info["intra_unit_pairs"] == 1 and net.info["records_used"] == 5


def test_capital_and_log_capital():
    cap = links_of(investment_network(RECORDS, weight="capital"))
    assert cap == {("A", "A"): 10.0, ("A", "B"): 150.0, ("B", "A"): 30.0, ("C", "A"): 0.0}
    log = links_of(investment_network(RECORDS, weight="log_capital"))
    # ln(1 + pair total), once per pair
    assert log[("A", "B")] == pytest.approx(math.log(151.0))
    assert log[("A", "A")] == pytest.approx(math.log(11.0))
    assert log[("C", "A")] == 0.0


def test_industry_and_year_filters_count_what_they_leave_out():
    net = investment_network(RECORDS, industries=["C"])
    assert links_of(net)[("A", "B")] == 2.0  # the J record is out
    assert net.info["records_left_out"] == {"industry not selected": 1}
    net = investment_network(RECORDS, years=[2020])
    assert links_of(net) == {("A", "A"): 3.0, ("A", "B"): 1.0, ("B", "A"): 1.0}
    assert net.info["records_left_out"] == {"year missing": 1, "year not selected": 1}
    both = investment_network(RECORDS, industries=["C"], years=range(2020, 2021))
    assert links_of(both) == {("A", "A"): 3.0, ("B", "A"): 1.0}
    assert both.info["records_used"] + sum(both.info["records_left_out"].values()) == 5


def test_units_give_every_node_a_row_and_codes_are_checked():
    net = investment_network(RECORDS, units=["A", "B", "C", "D"])
    assert net.nodes["unit_id"].tolist() == ["A", "B", "C", "D"]
    assert net.nodes.set_index("unit_id").loc["D", "in_strength"] == 0
    with pytest.raises(InputError, match="unknown unit code"):
        investment_network(RECORDS, units=["A", "B"])


def test_errors():
    with pytest.raises(ParameterError, match="'weight' parameter of investment_network"):
        investment_network(RECORDS, weight="shares")
    with pytest.raises(InputError, match="needs a 'capital' column"):
        investment_network(RECORDS.drop(columns="capital"), weight="capital")
    with pytest.raises(InputError, match="industry filter needs an 'industry' column"):
        investment_network(RECORDS.drop(columns="industry"), industries=["C"])
    with pytest.raises(ParameterError, match="whole years"):
        investment_network(RECORDS, years=["2020"])


def test_as_layer_is_labelled_and_fuses_with_its_label():
    layer = investment_network(RECORDS).as_layer(source="modelled")
    assert (layer.kind, layer.source) == ("investment", "modelled")
    rail = pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "C"], "value": [1.0, 1.0]})
    res = fuse({"investment": layer, "rail": rail}, weights={"investment": 1, "rail": 1})
    table = res.layer_table().set_index("layer")
    assert table.loc["investment", ["kind", "source"]].tolist() == ["investment", "modelled"]
    assert table.loc["rail", ["kind", "source"]].isna().all()  # unlabelled: not guessed
    assert res.info["layers"]["investment"]["source"] == "modelled"
