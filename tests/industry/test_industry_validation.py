"""Bad activity tables give ONE error that lists every problem with its row or unit."""

from __future__ import annotations

import pandas as pd
import pytest

from metrocircle.exceptions import InputError, ParameterError
from metrocircle.industry import (
    activity_matrix,
    ellison_glaeser,
    hoover,
    location_quotients,
)


def test_wide_table_every_problem_at_once() -> None:
    df = pd.DataFrame(
        {
            "unit_id": ["a", "b", "c", "c", "", "f"],
            "x": ["1", "-2", "3", "4", "5", "0"],
            "y": ["1", "2", "oops", "1", "1", "0"],
            "z": ["1", "", "1", "1", "1", "0"],
        }
    )
    with pytest.raises(InputError) as err:
        activity_matrix(df, source="jobs.csv", line_offset=2)
    msgs = [str(p) for p in err.value.problems]
    text = "\n".join(msgs)
    assert "jobs.csv: blank unit_id [6]" in text
    assert "duplicate unit_id [4, 5]" in text
    assert "column 'x' is negative [3]" in text
    assert "column 'y' is not a number [4]" in text
    assert "column 'z' is blank" in text and "[3]" in text
    assert len(err.value.problems) == 5


def test_zero_rows_and_columns_and_units() -> None:
    df = pd.DataFrame({"unit_id": ["a", "b", "c"], "x": [1, 0, 2], "y": [0, 0, 0], "w": [3, 0, 1]})
    with pytest.raises(InputError) as err:
        activity_matrix(df)
    text = str(err.value)
    assert "zero total activity" in text and "[b]" in text
    assert "industries with zero activity in every unit" in text and "[y]" in text
    with pytest.raises(InputError) as err2:
        activity_matrix(df.drop(columns="y").iloc[[0, 2]], units=["a", "q"])
    text = str(err2.value)
    assert "unit codes not among the given units [c]" in text
    assert "units given but with no row in the table [q]" in text


def test_long_table_problems() -> None:
    df = pd.DataFrame(
        {
            "unit_id": ["a", "a", "a", "b", "b"],
            "industry": ["x", "x", "y", "x", ""],
            "value": [1, 2, -1, "n/a", 3],
        }
    )
    with pytest.raises(InputError) as err:
        activity_matrix(df)
    text = str(err.value)
    assert "blank industry [4]" in text  # index labels when no line offset
    assert "value is not a number [3]" in text
    assert "negative value [2]" in text
    assert "duplicate (unit_id, industry) pairs [0, 1]" in text


def test_missing_columns() -> None:
    df = pd.DataFrame({"code": ["a"], "industry": ["x"], "value": [1]})
    with pytest.raises(InputError, match="column 'unit_id' not found"):
        activity_matrix(df)
    wide = pd.DataFrame({"unit_id": ["a"], "x": [1]})
    with pytest.raises(InputError, match="industry column 'ind_\\*' not found"):
        activity_matrix(wide, industries="ind_*")


def test_missing_zero_counts_blanks() -> None:
    df = pd.DataFrame({"unit_id": ["a", "b"], "x": ["1", ""], "y": ["2", "3"]})
    m = activity_matrix(df, missing="zero")
    assert m.loc["b", "x"] == 0.0
    assert m.attrs["blank_cells_as_zero"] == 1


def test_reference_and_base_problems() -> None:
    df = pd.DataFrame({"unit_id": ["a", "b"], "x": [1, 2], "y": [2, 3]})
    with pytest.raises(InputError, match=r"industries with no reference total \[y\]"):
        location_quotients(df, reference={"x": 10})
    with pytest.raises(InputError, match=r"reference total is 0 .*\[x\]"):
        location_quotients(df, reference={"x": 0, "y": 5})
    with pytest.raises(InputError, match=r"units with no base value .*\[b\]"):
        hoover(df, base={"a": 1})
    with pytest.raises(InputError, match=r"must be a number in \[0, 1\).*\[x\]"):
        ellison_glaeser(df, {"x": 1.0, "y": 0.2})
    with pytest.raises(ParameterError, match="The 'min_size' parameter of location_quotients"):
        location_quotients(df, min_size=-1)


def test_subset_of_a_validated_matrix_is_checked_again() -> None:
    m = activity_matrix(pd.DataFrame({"unit_id": ["a", "b"], "x": [1, 0], "y": [1, 2]}))
    with pytest.raises(InputError, match=r"zero activity in every unit: .*\[x\]"):
        location_quotients(m.loc[["b"]])  # pandas carries attrs over to the subset
