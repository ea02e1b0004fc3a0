"""Validators collect every problem and name the rows or units concerned."""

from __future__ import annotations

import pandas as pd
import pytest

from metrocircle.exceptions import InputError
from metrocircle.model import (
    validate_adjacency,
    validate_cores,
    validate_flows,
    validate_inputs,
    validate_travel_times,
    validate_units,
)


def test_flows_every_problem_reported_once() -> None:
    flows = pd.DataFrame(
        {
            "origin": ["01", "02", "03", "", "01"],
            "destination": ["02", "01", "01", "02", "02"],
            "value": ["5", "-1", "abc", "", "7"],
        }
    )
    with pytest.raises(InputError) as err:
        validate_flows(flows)
    text = str(err.value)
    messages = [p.message for p in err.value.problems]
    assert len(err.value.problems) == 5
    assert any("missing unit code" in m for m in messages)
    assert any("missing value" in m for m in messages)
    assert any("non-numeric" in m and "'abc'" in m for m in messages)
    assert any("negative" in m for m in messages)
    assert any("duplicate origin-destination" in m for m in messages)
    assert "row 2" in text and "row 3" in text and "row 4" in text and "row 5" in text


def test_flows_clean_keeps_codes_as_text_and_values_as_float() -> None:
    out = validate_flows(pd.DataFrame({"origin": ["007"], "destination": ["010"], "value": ["3"]}))
    assert out.loc[0, "origin"] == "007"
    assert out.loc[0, "destination"] == "010"
    assert out["value"].dtype == "float64"
    assert out.loc[0, "value"] == 3.0


def test_flows_integer_codes_become_text_without_decimal() -> None:
    out = validate_flows(pd.DataFrame({"origin": [74001], "destination": [74002], "value": [3]}))
    assert list(out["origin"]) == ["74001"]


def test_unknown_codes_listed_with_external_allowed() -> None:
    flows = pd.DataFrame(
        {"origin": ["A", "B", "Z"], "destination": ["B", "ABROAD", "A"], "value": [1, 2, 3]}
    )
    with pytest.raises(InputError) as err:
        validate_flows(flows, universe={"A", "B"}, external=["ABROAD"])
    assert len(err.value.problems) == 1
    assert "Z" in str(err.value) and "ABROAD" not in str(err.value)
    ok = validate_flows(flows.iloc[:2], universe={"A", "B"}, external=["ABROAD"])
    assert len(ok) == 2


def test_missing_columns_named_with_what_the_file_has() -> None:
    with pytest.raises(InputError) as err:
        validate_flows(pd.DataFrame({"res": ["a"], "work": ["b"], "n": [1]}))
    assert "'origin'" in str(err.value) and "res, work, n" in str(err.value)


def test_units_duplicates_and_bad_attributes() -> None:
    units = pd.DataFrame(
        {
            "unit_id": ["1", "1", "2"],
            "population": ["10", "x", "-5"],
            "urbanization_share": [0.5, 1.5, 0.2],
        }
    )
    with pytest.raises(InputError) as err:
        validate_units(units)
    msgs = " | ".join(p.message for p in err.value.problems)
    assert "duplicate unit code" in msgs
    assert "non-numeric value in column 'population'" in msgs
    assert "negative value in column 'population'" in msgs
    assert "above 1" in msgs


def test_cores_a_unit_in_two_areas_is_a_problem() -> None:
    cores = pd.DataFrame({"unit_id": ["a", "a"], "area_id": ["X", "Y"]})
    with pytest.raises(InputError, match="more than once"):
        validate_cores(cores)


def test_core_group_defaults_to_area() -> None:
    cores = pd.DataFrame({"unit_id": ["a", "b"], "area_id": ["X", "X"], "core_group": ["g1", ""]})
    out = validate_cores(cores)
    assert list(out["core_group"]) == ["g1", "X"]


def test_adjacency_pairs_normalised_and_self_pairs_rejected() -> None:
    out = validate_adjacency(pd.DataFrame({"unit_a": ["b", "a"], "unit_b": ["a", "b"]}))
    assert out.to_dict("records") == [{"unit_a": "a", "unit_b": "b"}]
    with pytest.raises(InputError, match="paired with itself"):
        validate_adjacency(pd.DataFrame({"unit_a": ["a"], "unit_b": ["a"]}))


def test_travel_times_empty_means_unreachable_not_infinite() -> None:
    out = validate_travel_times(
        pd.DataFrame({"origin": ["a", "a"], "destination": ["a", "b"], "minutes": ["0", ""]})
    )
    assert out["minutes"].isna().tolist() == [False, True]
    with pytest.raises(InputError, match="negative"):
        validate_travel_times(
            pd.DataFrame({"origin": ["a"], "destination": ["b"], "minutes": [-3]})
        )


def test_validate_inputs_raises_once_across_tables() -> None:
    flows = pd.DataFrame({"origin": ["a", "b"], "destination": ["b", "q"], "value": [1, -1]})
    units = pd.DataFrame({"unit_id": ["a", "b"]})
    cores = pd.DataFrame({"unit_id": ["c"], "area_id": ["1"]})
    adjacency = pd.DataFrame({"unit_a": ["a"], "unit_b": ["zz"]})
    with pytest.raises(InputError) as err:
        validate_inputs(flows, units=units, cores=cores, adjacency=adjacency)
    sources = {p.source for p in err.value.problems}
    # the adjacency is a reference table: its pair naming "zz" (outside the study) is set
    # aside and noted, not an error; the flows' unknown "q" and the core "c" are errors
    assert sources == {"flows", "cores"}
    assert len(err.value.problems) == 3
    assert any("external" in p.message for p in err.value.problems if p.source == "flows")


def test_validate_inputs_missing_codes_in_every_table_one_error() -> None:
    flows = pd.DataFrame({"origin": ["a"], "destination": ["b"], "value": [1]})
    with pytest.raises(InputError) as err:
        validate_inputs(
            flows,
            adjacency=pd.DataFrame({"unit_a": ["a", None], "unit_b": ["b", "a"]}),
            cores=pd.DataFrame({"unit_id": [None], "area_id": ["x"]}),
            travel_times=pd.DataFrame({"origin": [None], "destination": ["a"], "minutes": ["x"]}),
        )
    assert {p.source for p in err.value.problems} == {"adjacency", "cores", "travel_times"}
    assert len(err.value.problems) == 4
