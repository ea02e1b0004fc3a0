"""Issue 16 item 3: reference tables larger than the study (a national adjacency file for one
state, a national units table or travel-time matrix) are restricted to the study's units, the
rows set aside are counted, and only flow codes the units table lacks stay an error."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import metrocircle as mc
from metrocircle.cli.main import main
from metrocircle.datasets import us_cbsa
from metrocircle.exceptions import InputError
from metrocircle.model import read_inputs, read_travel_times

OHIO = "39"


def ohio() -> dict[str, pd.DataFrame]:
    """Ohio's county flows (home and work in Ohio), its official central counties, the
    national adjacency file as the Census publishes it, and the Ohio part of it."""
    flows = us_cbsa.load_flows()
    flows = flows[flows["origin"].str.startswith(OHIO) & flows["destination"].str.startswith(OHIO)]
    cores = us_cbsa.load_cores()
    cores = cores[cores["unit_id"].str.startswith(OHIO)]
    national = us_cbsa.load_adjacency()
    state = national[national["unit_a"].str.startswith(OHIO)
                     & national["unit_b"].str.startswith(OHIO)]
    return {"flows": flows.reset_index(drop=True), "cores": cores.reset_index(drop=True),
            "national": national, "state": state.reset_index(drop=True)}


def test_ohio_with_the_national_adjacency_equals_ohio_only(caplog) -> None:
    d = ohio()
    assert len(d["national"]) > 9000 and len(d["state"]) < 400
    with caplog.at_level(logging.WARNING):
        national = mc.delineate("omb-cbsa", d["flows"], cores=d["cores"],
                                adjacency=d["national"])
    state = mc.delineate("omb-cbsa", d["flows"], cores=d["cores"], adjacency=d["state"])
    pd.testing.assert_frame_equal(national.membership, state.membership)
    pd.testing.assert_frame_equal(national.areas, state.areas)
    assert len(state.membership) == 88  # Ohio's 88 counties
    (note,) = [n for n in national.info["inputs"] if n["kind"] == "rows_set_aside"]
    assert note["source"] == "adjacency"
    assert note["of"] == len(d["national"]) and note["rows"] == len(d["national"]) - len(d["state"])
    assert any("set aside" in r.getMessage() for r in caplog.records)
    assert "inputs" not in state.info


def test_ohio_through_the_cli_with_the_census_files(tmp_path: Path, capsys, caplog) -> None:
    d = ohio()
    d["flows"].to_csv(tmp_path / "flows.csv", index=False)
    d["cores"].to_csv(tmp_path / "cores.csv", index=False)
    d["state"].to_csv(tmp_path / "ohio_adj.csv", index=False)
    national = us_cbsa.path(us_cbsa.ADJACENCY_FILE)  # the shipped national file, as published
    outs = {}
    for name, adj in (("national", national), ("state", str(tmp_path / "ohio_adj.csv"))):
        with caplog.at_level(logging.WARNING):
            code = main(["delineate", "omb-cbsa", "--flows", str(tmp_path / "flows.csv"),
                         "--cores", str(tmp_path / "cores.csv"), "--adjacency", adj,
                         "--out", str(tmp_path / name), "--no-progress"])
        assert code == 0, capsys.readouterr().err
        outs[name] = pd.read_csv(tmp_path / name / "membership.csv", dtype=str)
    pd.testing.assert_frame_equal(outs["national"], outs["state"])
    areas = [pd.read_csv(tmp_path / n / "areas.csv", dtype=str) for n in outs]
    pd.testing.assert_frame_equal(*areas)
    run = json.loads((tmp_path / "national" / "run.json").read_text())
    (note,) = run["info"]["inputs"]
    assert note["kind"] == "rows_set_aside" and note["source"] == us_cbsa.ADJACENCY_FILE
    assert note["rows"] == len(d["national"]) - len(d["state"])
    assert any(us_cbsa.ADJACENCY_FILE in r.getMessage() and "set aside" in r.getMessage()
               for r in caplog.records)


def test_a_national_units_table_is_restricted_and_counted() -> None:
    d = ohio()
    units = us_cbsa.load_units()
    i = read_inputs(d["flows"], units=units, cores=d["cores"])
    assert len(i.units) == 88 and i.units["unit_id"].str.startswith(OHIO).all()
    (note,) = [n for n in i.notes if n.kind == "rows_set_aside"]
    assert note.details["rows"] == len(units) - 88


def test_a_travel_time_matrix_larger_than_the_study() -> None:
    flows = pd.DataFrame({"origin": ["a", "b"], "destination": ["a", "a"], "value": [5, 3]})
    tt = pd.DataFrame({"origin": ["a", "b", "x", "a"], "destination": ["b", "a", "a", "y"],
                       "minutes": [10, 10, 20, 30]})
    i = read_inputs(flows, travel_times=tt)
    assert i.travel_times[["origin", "destination"]].values.tolist() == [["a", "b"], ["b", "a"]]
    (note,) = i.notes
    assert note.details == {"rows": 2, "of": 4, "examples": ["x", "y"]}
    # a reader given the study's codes does the same
    assert len(read_travel_times(tt, universe=["a", "b"])) == 2


def test_flow_codes_missing_from_the_units_stay_an_error_with_a_hint() -> None:
    d = ohio()
    flows = us_cbsa.load_flows()
    flows = flows[flows["origin"].str.startswith(OHIO)]  # Ohio residents working anywhere
    units = us_cbsa.load_units()
    units = units[units["unit_id"].str.startswith(OHIO)]
    with pytest.raises(InputError) as err:
        read_inputs(flows, units=units, cores=d["cores"])
    (problem,) = err.value.problems
    assert "unknown unit code(s) in column 'destination'" in problem.message
    assert "--external" in problem.message and "external=" in problem.message


def test_cores_outside_the_study_are_an_error() -> None:
    d = ohio()
    with pytest.raises(InputError, match=r"not in the study: no flow names it\): 01"):
        read_inputs(d["flows"], cores=us_cbsa.load_cores())  # the national list of cores


# ---------------------------------------------------------------------------------------------
# Property: adding rows outside the study to any reference table never changes the result.

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
STUDY = ["a", "b", "c", "d"]
FLOWS = pd.DataFrame({
    "origin": ["a", "b", "b", "c", "c", "d", "d"],
    "destination": ["a", "a", "b", "b", "c", "d", "a"],
    "value": [50, 30, 70, 40, 60, 80, 10],
})
outside = st.sampled_from(["x", "y", "z", "zz"])


@SETTINGS
@given(
    extra_pairs=st.lists(st.tuples(outside, st.sampled_from(STUDY + ["x", "y"])), max_size=6),
    extra_units=st.lists(outside, max_size=4, unique=True),
    extra_times=st.lists(st.tuples(st.sampled_from(STUDY + ["x"]), outside), max_size=4),
    method=st.sampled_from(["omb-cbsa", "cn-commuting", "eu-fua"]),
)
def test_rows_outside_the_study_never_change_the_result(
    extra_pairs, extra_units, extra_times, method
) -> None:
    adj = pd.DataFrame({"unit_a": ["a", "b", "c"], "unit_b": ["b", "c", "d"]})
    units = pd.DataFrame({"unit_id": STUDY, "population": [100, 50, 40, 30]})
    tt = pd.DataFrame({"origin": ["b", "c", "d"], "destination": ["a"] * 3,
                       "minutes": [20, 40, 70]})
    cores = pd.DataFrame({"unit_id": ["a"], "area_id": ["A"]})
    kw = {"cores": cores}
    if method == "cn-commuting":
        kw["travel_times"] = tt
    base = mc.delineate(method, FLOWS, units=units, adjacency=adj, **kw)
    adj2 = pd.concat([adj, pd.DataFrame(extra_pairs, columns=["unit_a", "unit_b"])])
    adj2 = adj2[adj2["unit_a"] != adj2["unit_b"]]
    units2 = pd.concat([units, pd.DataFrame({"unit_id": extra_units, "population": 1})])
    if method == "cn-commuting":
        kw["travel_times"] = pd.concat(
            [tt, pd.DataFrame(extra_times, columns=["origin", "destination"]).assign(minutes=5)]
        ).drop_duplicates(["origin", "destination"])
    got = mc.delineate(method, FLOWS, units=units2, adjacency=adj2, **kw)
    pd.testing.assert_frame_equal(got.membership, base.membership)
    pd.testing.assert_frame_equal(got.areas, base.areas)
    aside = sum(n["rows"] for n in got.info.get("inputs", []) if n["kind"] == "rows_set_aside")
    n_pairs = len(adj2) - len(adj)
    n_times = len(kw["travel_times"]) - len(tt) if method == "cn-commuting" else 0
    assert aside == n_pairs + len(extra_units) + n_times
