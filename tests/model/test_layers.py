"""Flow layers carry a kind and a source; investment records are read with one error."""

from __future__ import annotations

import pandas as pd
import pytest

from metrocircle.exceptions import InputError, ParameterError
from metrocircle.model import validate_flows
from metrocircle.model.investment import read_investment, validate_investment
from metrocircle.model.layers import FlowLayer, combine_layers, layer_labels, read_layer


def flows(values=(3.0, 1.0)):
    return pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "A"], "value": list(values)})


def test_layer_label_travels_through_combine():
    rail = FlowLayer(flows(), name="rail_trips", kind="passenger", source="real")
    road = FlowLayer(flows((5.0, 5.0)), name="road_passenger", kind="passenger",
                     source="modelled", note="doubly constrained gravity")
    table = combine_layers([rail, road])
    assert table[["layer", "kind", "source"]].drop_duplicates().values.tolist() == [
        ["rail_trips", "passenger", "real"], ["road_passenger", "passenger", "modelled"]]
    labels = layer_labels(table)
    assert labels.to_dict(orient="records") == [
        {"layer": "rail_trips", "kind": "passenger", "source": "real", "pairs": 2,
         "total": 4.0},
        {"layer": "road_passenger", "kind": "passenger", "source": "modelled", "pairs": 2,
         "total": 10.0}]
    # validation keeps the labels
    clean = validate_flows(table)
    assert clean.columns.tolist() == ["origin", "destination", "value", "layer", "kind",
                                      "source"]


def test_unlabelled_table_is_not_guessed():
    labels = layer_labels(flows())
    assert labels.loc[0, ["layer", "kind", "source"]].tolist() == ["flows", None, None]


def test_bad_labels():
    with pytest.raises(ParameterError, match="'kind' parameter of FlowLayer"):
        FlowLayer(flows(), name="x", kind="tourism", source="real")
    with pytest.raises(ParameterError, match="'source' parameter of FlowLayer"):
        FlowLayer(flows(), name="x", kind="freight", source="estimated")
    a = FlowLayer(flows(), name="x", kind="freight", source="real")
    with pytest.raises(ParameterError, match="unique names"):
        combine_layers([a, a])
    mixed = flows().assign(layer="x", kind=["freight", "passenger"], source="real")
    with pytest.raises(InputError) as err:
        validate_flows(mixed.assign(source=["real", "nope"]))
    text = str(err.value)
    assert "column 'kind' must have one value per layer" in text
    assert "column 'source' must be one of real, modelled (got nope) [row 2]" in text


def test_read_layer(tmp_path):
    path = tmp_path / "freight.csv"
    path.write_text("from,to,tonnes\nA,B,10\nB,A,x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"non-numeric value in column 'value'.*\[line 3\]"):
        read_layer(path, name="freight", kind="freight", source="real", origin_col="from",
                   destination_col="to", value_col="tonnes")
    path.write_text("from,to,tonnes\nA,B,10\nB,A,4\n", encoding="utf-8")
    layer = read_layer(path, name="freight", kind="freight", source="real", origin_col="from",
                       destination_col="to", value_col="tonnes")
    assert layer.label == {"layer": "freight", "kind": "freight", "source": "real", "note": ""}
    assert layer.flows["value"].tolist() == [10.0, 4.0]


def test_investment_records_one_error_listing_every_problem(tmp_path):
    path = tmp_path / "shareholders.csv"
    path.write_text(
        "holder,firm,amount,sector,yr\n"
        "500103,511602,200,C,2019\n"
        ",511602,-5,C,2019\n"
        "500103,999999,abc,J,2019.5\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        read_investment(path, investor_col="holder", investee_col="firm", capital_col="amount",
                        industry_col="sector", year_col="yr", universe={"500103", "511602"})
    problems = [str(p) for p in err.value.problems]
    assert problems == [
        "shareholders.csv: missing unit code in column 'investor' [line 3]",
        "shareholders.csv: non-numeric value in column 'capital' (e.g. 'abc') [line 4]",
        "shareholders.csv: negative value in column 'capital' [line 3]",
        "shareholders.csv: column 'year' must hold whole years [line 4]",
        "shareholders.csv: unknown unit code(s) in column 'investee' (not in units): 999999 "
        "[line 4]",
    ]
    with pytest.raises(InputError, match="column 'firm_unit' .* not found"):
        read_investment(path, investor_col="holder", investee_col="firm_unit")


def test_investment_records_defaults():
    out = validate_investment(pd.DataFrame({"investor": [1, 2], "investee": ["02", "01"]}))
    assert out.columns.tolist() == ["investor", "investee", "count"]
    assert out["investor"].tolist() == ["1", "2"] and out["count"].tolist() == [1.0, 1.0]
