"""Parameter grids: exact decimal ranges, lists, and one clear error for every bad --vary."""

from __future__ import annotations

import pytest

from metrocircle.exceptions import ParameterError
from metrocircle.robustness.grid import MAX_VALUES, parse_vary, vary_from_text, vary_from_values


def test_range_is_exact_and_includes_both_ends():
    v = vary_from_text("threshold=0.15:0.35:0.01", "omb-cbsa")
    assert len(v.values) == 21
    assert v.values[10] == 0.25  # not 0.25000000000000006
    assert v.values[0] == 0.15 and v.values[-1] == 0.35
    assert v.numeric


def test_range_whose_step_does_not_reach_stop_ends_below_it():
    assert vary_from_text("threshold=0.1:0.3:0.08", "omb-cbsa").values == (0.1, 0.18, 0.26)


def test_integer_and_float_parameters_and_lists():
    assert vary_from_text("max_order=1:3:1", "jp-uea").values == (1, 2, 3)
    assert vary_from_text("max_minutes=45:90:15", "cn-commuting").values == (45.0, 60.0, 75.0, 90.0)
    assert vary_from_text("direction = outbound, either", "omb-cbsa").values == (
        "outbound",
        "either",
    )
    assert vary_from_text("contiguity=true,false", "omb-cbsa").values == (True, False)
    assert not vary_from_text("contiguity=true,false", "omb-cbsa").numeric


def test_python_forms():
    assert vary_from_values("threshold", [0.2, 0.3], "omb-cbsa").values == (0.2, 0.3)
    assert vary_from_values("threshold", "0.2:0.3:0.1", "omb-cbsa").values == (0.2, 0.3)
    assert [
        v.name for v in parse_vary({"threshold": [0.2], "direction": ["both"]}, "omb-cbsa")
    ] == [
        "threshold",
        "direction",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("threshold", "--vary takes NAME=START:STOP:STEP"),
        ("threshold=", "--vary takes NAME=START:STOP:STEP"),
        ("=0.1:0.2:0.1", "--vary takes NAME=START:STOP:STEP"),
        ("threshold=0.1:0.2", "could not read 'threshold=0.1:0.2'"),
        ("threshold=0.1::0.2", "could not read"),
        ("threshold=0.1,,0.2", "empty value"),
        ("thresh=0.1:0.2:0.1", "omb-cbsa has no parameter 'thresh'. Its parameters are: threshold"),
        ("threshold=0.3:0.1:0.1", "START <= STOP and STEP > 0"),
        ("threshold=0.1:0.3:0", "START <= STOP and STEP > 0"),
        ("threshold=0.1:0.3:-0.1", "START <= STOP and STEP > 0"),
        ("threshold=a:b:c", "must be numbers"),
        ("threshold=nan:1:0.1", "must be numbers"),
        ("threshold=0:1:0.00001", f"at most {MAX_VALUES}"),
        ("direction=0:1:0.5", "list its values instead"),
        ("max_order=1:2:0.5", "The 'max_order' parameter of jp-uea must be an integer"),
        ("threshold=0.2,0.2", "given twice"),
        ("direction=outbound,sideways", "must be one of 'outbound'"),
    ],
)
def test_malformed_vary(text, message):
    method = "jp-uea" if text.startswith("max_order") else "omb-cbsa"
    with pytest.raises(ParameterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        vary_from_text(text, method)


def test_out_of_range_values_are_all_named_in_the_standard_form():
    with pytest.raises(ParameterError) as err:
        vary_from_text("threshold=0.5:1.5:0.25", "omb-cbsa")
    assert str(err.value) == (
        "The 'threshold' parameter of omb-cbsa must be a float in (0, 1]. Got 1.25, 1.5 "
        "(from --vary threshold=0.5:1.5:0.25)."
    )
    with pytest.raises(ParameterError, match=r"must be a float in \(0, 1\]. Got 0 "):
        vary_from_values("threshold", [0, 0.5], "omb-cbsa")


def test_one_or_two_parameters_each_once():
    with pytest.raises(ParameterError, match="Give a parameter to vary"):
        parse_vary([], "omb-cbsa")
    with pytest.raises(ParameterError, match="varies one or two parameters; got 3"):
        parse_vary(["threshold=0.1,0.2", "direction=both", "contiguity=true,false"], "omb-cbsa")
    with pytest.raises(ParameterError, match="Each parameter may be varied once"):
        parse_vary(["threshold=0.1,0.2", "threshold=0.3"], "omb-cbsa")
    with pytest.raises(ParameterError, match="The grid has 20000 runs"):
        parse_vary(["threshold=0.005:1:0.005", "merge_threshold=0.01:1:0.01"], "omb-cbsa")
