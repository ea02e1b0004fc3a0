"""``metrocircle roles`` on tiny files (the hand-built system of roles_systems.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import roles_systems as sysm

from metrocircle.cli.main import main


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    d = tmp_path / "in"
    d.mkdir()
    paths = {name: d / f"{name}.csv" for name in
             ("flows", "units", "cores", "second", "tt", "membership", "policy")}
    sysm.flows().to_csv(paths["flows"], index=False)
    sysm.units().to_csv(paths["units"], index=False)
    sysm.CORES.to_csv(paths["cores"], index=False)
    sysm.SECOND.to_csv(paths["second"], index=False)
    sysm.travel_times().to_csv(paths["tt"], index=False)
    codes = sorted(sysm.units()["unit_id"])
    pd.DataFrame({"unit_id": codes,
                  "area_id": ["" if c == "A" else "M" for c in codes],
                  "status": ["outside" if c == "A" else "member" for c in codes]}
                 ).to_csv(paths["membership"], index=False)
    pd.DataFrame({"unit_id": ["H3"], "role": ["integration"],
                  "reason": ["the plan lists it in the same-city zone"]}
                 ).to_csv(paths["policy"], index=False)
    return paths


def args(f: dict[str, Path], out: Path, *extra: str) -> list[str]:
    return ["roles", "--flows", str(f["flows"]), "--units", str(f["units"]),
            "--admin-col", "province", "--cores", str(f["cores"]),
            "--second-core", str(f["second"]), "--travel-times", str(f["tt"]),
            "--membership", str(f["membership"]), "--centrality", "in_strength",
            "--no-progress", "--out", str(out), *extra]


def read_roles(out: Path) -> dict[str, str]:
    r = pd.read_csv(out / "roles.csv", dtype={"unit_id": str})
    return dict(zip(r["unit_id"], r["role"], strict=True))


def test_cli_writes_every_output(files, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(args(files, out, "--policy", str(files["policy"]))) == 0
    expected = dict(sysm.EXPECTED, H3="integration")  # H3 overridden by the policy
    assert read_roles(out) == expected
    r = pd.read_csv(out / "roles.csv", dtype={"unit_id": str}).set_index("unit_id")
    assert r.loc["H3", "computed_role"] == "periphery"
    assert r.loc["H3", "policy_reason"] == "the plan lists it in the same-city zone"
    assert "A" not in r.index  # outside the area of the membership file
    for name in ("indicators.csv", "conditions.csv", "quadrants.csv"):
        assert (out / name).stat().st_size > 0
    poly = json.loads((out / "polycentricity.json").read_text())
    assert {"morphological", "functional", "primacy", "green"} <= set(poly)
    run = json.loads((out / "run.json").read_text())
    assert run["classification"]["policy_overrides"] == 1
    assert set(run["inputs"]) == {"flows", "units", "cores", "second_core", "travel_times",
                                  "membership", "policy"}
    assert len(run["inputs"]["flows"]["sha256"]) == 64


def test_cli_param_changes_the_outcome(files, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(args(files, out, "--param", "corridor_slack=0.1")) == 0
    assert read_roles(out)["B"] == "integration"
    run = json.loads((out / "run.json").read_text())
    assert run["parameters"]["corridor_slack"] == 0.1


def test_cli_bad_files_are_one_error(files, tmp_path: Path, capsys) -> None:
    files["flows"].write_text("origin,destination,value\nC1,C2,-3\nC2,C1,x\n")
    files["cores"].write_text("unit_id\nC1\n")
    files["policy"].write_text("unit_id,role\nP,king\n")
    code = main(args(files, tmp_path / "out", "--policy", str(files["policy"])))
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("Error: ")
    assert "flows.csv" in err and "cores.csv" in err and "policy.csv" in err
    assert not (tmp_path / "out").exists()


def test_cli_bad_param(files, tmp_path: Path, capsys) -> None:
    assert main(args(files, tmp_path / "o", "--param", "fulcrum_min_sc=2")) == 2
    assert "'fulcrum_min_sc' parameter of roles" in capsys.readouterr().err


def test_cli_example_chongqing(tmp_path: Path) -> None:
    """--example classifies the area the shipped project delineates, on its flows and fused
    index: the same roles as the roles step of 'metrocircle demo' with the same sample."""
    from metrocircle.project import example_results

    out = tmp_path / "cq"
    assert main(["roles", "--example", "chongqing", "--users", "2000", "--no-progress",
                 "--out", str(out)]) == 0
    r = pd.read_csv(out / "roles.csv", dtype={"unit_id": str})
    demo = example_results("chongqing", ["roles"],
                           overrides={"steps.signaling.simulate.users": 2000})
    m = demo.table("delineation", "membership")
    assert set(r["unit_id"]) == set(m.loc[m["area_id"] == "chongqing_central", "unit_id"])
    assert (r["role"] == "core").sum() == 9
    assert "510100" not in set(r["unit_id"])  # Chengdu is the second core, outside the area
    expected = demo.table("roles", "roles").set_index("unit_id")["role"]
    assert r.set_index("unit_id")["role"].to_dict() == expected.to_dict()
    run = json.loads((out / "run.json").read_text())
    assert run["flows_basis"].startswith("modelled")
    assert any("MODELLED" in n for n in run["notes"])
    assert run["indicators"]["second_core_units"] == ["510100"]
    # cross-border: the prefecture-level parent differs from the core's (Chongqing, 500000)
    assert (r["cross_border"] == r["unit_id"].map(
        demo.inputs.units().set_index("unit_id")["parent_code"]).ne("500000")).all()


def test_cli_strength_table_sets_the_memberships(files, tmp_path: Path) -> None:
    # a link table in which B is tied to C1 ten times more than to A: no longer balanced
    links = tmp_path / "links.csv"
    pd.DataFrame({"origin": ["B", "B", "I"], "destination": ["C1", "A", "C1"],
                  "strength": [10.0, 1.0, 1.0]}).to_csv(links, index=False)
    out = tmp_path / "out"
    assert main(args(files, out, "--strength", str(links))) == 0
    r = pd.read_csv(out / "roles.csv", dtype={"unit_id": str}).set_index("unit_id")
    assert r.loc["B", "membership_core"] == pytest.approx(10 / 11)
    assert r.loc["B", "membership_second"] == pytest.approx(1 / 11)
    assert r.loc["B", "role"] == "integration"
    assert r.loc["I", "membership_core"] == pytest.approx(1.0)
