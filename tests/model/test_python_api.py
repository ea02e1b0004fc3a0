"""Issue 13 class 10, the Python API: a path or records are accepted wherever a table is
(anything else is a clear TypeError); numpy scalars are parameters like Python numbers; complex
values are refused, never cut to their real part."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import metrocircle as mc
from metrocircle.delineate import get_method
from metrocircle.exceptions import InputError, ParameterError
from metrocircle.model import read_flows, validate_flows, validate_inputs

RECORDS = [
    {"origin": "a", "destination": "a", "value": 80},
    {"origin": "b", "destination": "a", "value": 40},
    {"origin": "b", "destination": "b", "value": 60},
]
CORES = [{"unit_id": "a", "area_id": "A"}]
PARAMS = {"contiguity": False}


def expected() -> pd.DataFrame:
    return mc.delineate("omb-cbsa", pd.DataFrame(RECORDS), cores=pd.DataFrame(CORES),
                        params=PARAMS).membership


def test_records_and_paths_are_tables(tmp_path: Path) -> None:
    want = expected()
    got = mc.delineate("omb-cbsa", RECORDS, cores=CORES, params=PARAMS).membership
    pd.testing.assert_frame_equal(got, want)
    pd.DataFrame(RECORDS).to_csv(tmp_path / "flows.csv", index=False)
    pd.DataFrame(CORES).to_csv(tmp_path / "cores.csv", index=False)
    for flows in (str(tmp_path / "flows.csv"), tmp_path / "flows.csv"):
        got = mc.delineate("omb-cbsa", flows, cores=str(tmp_path / "cores.csv"), params=PARAMS)
        pd.testing.assert_frame_equal(got.membership, want)
    columns = {k: [r[k] for r in RECORDS] for k in RECORDS[0]}  # a dict of columns
    assert len(validate_flows(columns)) == 3
    assert len(read_flows(RECORDS)) == 3
    assert len(validate_inputs(str(tmp_path / "flows.csv"))[0]) == 3


@pytest.mark.parametrize("bad", [42, None, [("a", "b", 1)], object(), np.zeros(3)])
def test_anything_else_is_a_clear_type_error(bad) -> None:
    with pytest.raises(TypeError, match=r"flows must be a pandas DataFrame, a path"):
        mc.delineate("omb-cbsa", bad, cores=CORES)


def test_numpy_scalars_are_parameters() -> None:
    want = mc.delineate("omb-cbsa", RECORDS, cores=CORES,
                        params={"threshold": 0.3, "contiguity": False})
    got = mc.delineate("omb-cbsa", RECORDS, cores=CORES,
                       params={"threshold": np.float32(0.3), "contiguity": np.bool_(False)})
    assert got.params["threshold"] == 0.3  # not 0.30000001192092896
    pd.testing.assert_frame_equal(got.membership, want.membership)
    max_order = get_method("jp-uea").param_spec()["max_order"]  # an int parameter
    assert max_order.check(np.int64(3), "jp-uea") == 3
    assert type(max_order.check(np.int16(3), "jp-uea")) is int
    assert max_order.check(np.float32(2.0), "jp-uea") == 2
    with pytest.raises(ParameterError, match="'max_order' parameter of jp-uea"):
        max_order.check(np.float64(2.5), "jp-uea")


@pytest.mark.parametrize("bad", [0.3 + 0j, np.complex128(0.3), np.complex64(0.3 + 1j), "0.3",
                                 np.str_("0.3"), True, np.bool_(True)])
def test_complex_strings_and_booleans_are_refused_as_numbers(bad) -> None:
    with pytest.raises(ParameterError, match=r"The 'threshold' parameter of omb-cbsa must be a "
                                             r"float in \(0, 1\]"):
        mc.delineate("omb-cbsa", RECORDS, cores=CORES, params={"threshold": bad})


def test_complex_values_in_a_table_are_refused() -> None:
    flows = pd.DataFrame(RECORDS).astype({"value": complex})
    flows.loc[1, "value"] = 40 + 3j
    with pytest.raises(InputError, match=r"complex numbers in column 'value'.*\[row 2\]"):
        mc.delineate("omb-cbsa", flows, cores=CORES)
    real = pd.DataFrame(RECORDS).astype({"value": complex})
    with pytest.raises(InputError, match=r"every imaginary part is 0: take \.real"):
        validate_flows(real)


# ---------------------------------------------------------------------------------------------
# Property: whatever Python object is given as a table or a parameter, the result is the right
# answer, a TypeError/InputError/ParameterError with one message, never another exception.

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
tables = st.sampled_from(["frame", "records", "columns", "path", "pathlib", "tuples", "int",
                          "none", "array"])
numbers = st.sampled_from([0.3, np.float32(0.3), np.float64(0.3), np.float16(0.25),
                           np.int64(1), 1, 0.3 + 0j, np.complex128(0.3), "0.3", None,
                           float("nan"), np.nan, True, 2.0, np.float32(2.0)])


@SETTINGS
@given(how=tables, threshold=numbers)
def test_any_python_object_gives_the_answer_or_one_clear_error(tmp_path_factory, how,
                                                               threshold) -> None:
    d = tmp_path_factory.mktemp("api")
    pd.DataFrame(RECORDS).to_csv(d / "flows.csv", index=False)
    flows = {
        "frame": pd.DataFrame(RECORDS), "records": RECORDS,
        "columns": {k: [r[k] for r in RECORDS] for k in RECORDS[0]},
        "path": str(d / "flows.csv"), "pathlib": d / "flows.csv",
        "tuples": [tuple(r.values()) for r in RECORDS], "int": 3, "none": None,
        "array": np.array([list(r.values()) for r in RECORDS], dtype=object),
    }[how]
    try:
        got = mc.delineate("omb-cbsa", flows, cores=CORES,
                           params={"threshold": threshold, "contiguity": False})
    except TypeError as err:
        assert how in {"tuples", "int", "none", "array"}, err
        assert "flows must be" in str(err)
        return
    except ParameterError as err:
        assert str(err).startswith("The 'threshold' parameter of omb-cbsa must be")
        ok = isinstance(threshold, int | float | np.integer | np.floating) and not isinstance(
            threshold, bool | np.bool_)
        assert not ok or not (0 < float(threshold) <= 1)
        return
    assert how not in {"tuples", "int", "none", "array"}
    value = float(str(threshold)) if isinstance(threshold, np.floating) else float(threshold)
    assert got.params["threshold"] == value
    want = mc.delineate("omb-cbsa", pd.DataFrame(RECORDS), cores=CORES,
                        params={"threshold": value, "contiguity": False})
    pd.testing.assert_frame_equal(got.membership, want.membership)
