"""The ``metrocircle combine`` command on tiny files and on the shipped US example."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from metrocircle.cli.main import main


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.fixture
def tiny(tmp_path: Path) -> dict[str, Path]:
    """Areas 010 (units 01, 02) and 020 (unit 03), 030 (unit 04): 03 sends 30 of its 100
    workers to 02, and 20 of its 80 jobs are held by 01's residents (EIM 55); 04 has no tie.
    Codes carry leading zeros; the flow file names its columns res, work, n."""
    membership = write(
        tmp_path / "membership.csv",
        "unit_id,area_id,status\n01,010,core\n02,010,member\n03,020,core\n04,030,core\n"
        "05,,outside\n",
    )
    flows = write(
        tmp_path / "flows.csv",
        "res,work,n\n01,01,1000\n02,02,1000\n01,03,20\n03,03,60\n03,02,30\n03,ABROAD,10\n"
        "04,04,50\n05,05,10\n",
    )
    adjacency = write(tmp_path / "adj.csv", "a,b\n02,03\n03,04\n04,05\n")
    return {"membership": membership, "flows": flows, "adjacency": adjacency}


def args(tiny: dict[str, Path], out: Path, *extra: str) -> list[str]:
    return [
        "combine", "omb-csa", "--membership", str(tiny["membership"]), "--flows",
        str(tiny["flows"]), "--origin-col", "res", "--destination-col", "work", "--value-col",
        "n", "--adjacency", str(tiny["adjacency"]), "--external", "ABROAD", "--no-progress",
        "--out", str(out), *extra,
    ]


def test_combine_writes_combined_pairs_run(tiny, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    assert main(args(tiny, out)) == 0
    assert "3 areas, 2 adjacent pairs; 1 combined areas holding 2 areas" in capsys.readouterr().out
    combined = pd.read_csv(out / "combined.csv", dtype=str).set_index("area_id")
    assert combined.loc["020", "combined_id"] == "010"
    assert combined.loc["020", "partner_area_id"] == "010"
    assert float(combined.loc["020", "eim"]) == pytest.approx(55.0)
    assert combined.loc["020", "rule"] == "eim>=25"
    assert float(combined.loc["020", "margin"]) == pytest.approx(30.0)
    assert pd.isna(combined.loc["030", "combined_id"])
    # 030 (50 workers) is smaller than 020 and has no flow with it
    assert combined.loc["030", "rule"] == "rejected:eim<15"
    assert combined.loc["030", "partner_area_id"] == "020"
    assert combined.loc["010", "rule"] == "no_larger_adjacent_area"
    pairs = pd.read_csv(out / "pairs.csv", dtype=str)
    assert len(pairs) == 2
    assert {"smaller_area_id", "larger_area_id", "eim", "rule", "threshold", "margin"} <= set(
        pairs.columns
    )
    run = json.loads((out / "run.json").read_text())
    assert run["command"] == "combine omb-csa" and run["method"] == "omb-csa"
    assert run["params"]["threshold"] == 25 and run["params"]["lower_bound"] == 15
    assert set(run["files"]) == {"combined.csv", "pairs.csv"}
    assert set(run["inputs"]) == {"membership", "flows", "adjacency"}
    assert run["info"]["flows_with_an_end_outside_every_area"] == 2  # ABROAD and 05


def test_parameters_reach_the_method(tiny, tmp_path) -> None:
    out = tmp_path / "out"
    assert main(args(tiny, out, "--param", "threshold=60", "--param", "band=keep_apart")) == 0
    combined = pd.read_csv(out / "combined.csv", dtype=str).set_index("area_id")
    assert combined.loc["020", "rule"] == "band:local_opinion"
    assert pd.isna(combined.loc["020", "combined_id"])


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--param", "lower_bound=40", "--param", "threshold=30"], "'lower_bound' parameter"),
        (["--param", "size=people"], "The 'size' parameter of omb-csa must be one of"),
        (["--param", "threshold"], "--param takes NAME=VALUE"),
    ],
)
def test_bad_parameters(tiny, tmp_path, capsys, extra, message) -> None:
    assert main(args(tiny, tmp_path / "out", *extra)) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_missing_inputs_and_conflicts(tiny, tmp_path, capsys) -> None:
    assert main(["combine", "omb-csa", "--flows", str(tiny["flows"]), "--out",
                 str(tmp_path / "o")]) == 2
    assert "omb-csa needs --membership, --adjacency" in capsys.readouterr().err
    assert main(["combine", "omb-csa", "--example", "us-cbsa", "--flows", str(tiny["flows"]),
                 "--out", str(tmp_path / "o")]) == 2
    assert "Give either --example or" in capsys.readouterr().err
    assert main(["combine", "omb-csb", "--example", "us-cbsa", "--out", str(tmp_path / "o")]) == 2
    assert "Unknown combination method 'omb-csb'" in capsys.readouterr().err


def test_every_file_problem_in_one_error(tiny, tmp_path, capsys) -> None:
    write(tiny["membership"], "unit_id,area_id,status\n01,010,core\n01,010,core\n99,020,core\n")
    # an adjacency pair naming a unit outside the study is set aside (a reference table may
    # be larger than the study); a pair with a missing code is a problem of that file
    write(tiny["adjacency"], "a,b\n02,\n")
    assert main(args(tiny, tmp_path / "out")) == 2
    err = capsys.readouterr().err
    assert "unit(s) listed more than once: 01" in err and "line 3" in err
    assert "99" in err and "adj.csv: missing unit code" in err
    assert not (tmp_path / "out").exists()


def test_out_may_not_hold_an_input(tiny, tmp_path, capsys) -> None:
    assert main(args(tiny, tmp_path)) == 2
    assert "holds the input" in capsys.readouterr().err


def test_us_example_matches_python(tmp_path, capsys) -> None:
    from metrocircle.combine import combine
    from metrocircle.datasets import us_cbsa

    out = tmp_path / "us"
    assert main(["combine", "omb-csa", "--example", "us-cbsa", "--no-progress", "--out",
                 str(out)]) == 0
    stdout = capsys.readouterr().out
    assert "precision 0.993, recall 0.992, F1 0.993" in stdout
    run = json.loads((out / "run.json").read_text())
    assert round(run["against_official_csa"]["f1"], 3) == 0.993
    written = pd.read_csv(out / "combined.csv", dtype={"area_id": str, "combined_id": str})
    r = combine("omb-csa", us_cbsa.load_membership(), flows=us_cbsa.load_flows(),
                adjacency=us_cbsa.load_adjacency(), external=us_cbsa.EXTERNAL_CODES)
    assert written["combined_id"].fillna("").tolist() == r.combined["combined_id"].fillna(
        ""
    ).tolist()
    assert written["eim"].to_numpy() == pytest.approx(r.combined["eim"].to_numpy(),
                                                      nan_ok=True)


def test_a_delineation_output_is_a_valid_membership(tmp_path, capsys) -> None:
    """The membership.csv that 'metrocircle delineate' writes (all its columns, empty area_id
    for units outside) goes into 'metrocircle combine' as it is."""
    from metrocircle.datasets import us_cbsa

    out = tmp_path / "cbsa"
    assert main(["delineate", "omb-cbsa", "--example", "us-cbsa", "--no-progress", "--out",
                 str(out)]) == 0
    files = us_cbsa.files()
    external = [x for code in us_cbsa.EXTERNAL_CODES for x in ("--external", code)]
    assert main([
        "combine", "omb-csa", "--membership", str(out / "membership.csv"), "--flows",
        files["flows"], "--origin-col", "res_fips", "--destination-col", "work_fips",
        "--value-col", "workers", "--adjacency", files["adjacency"], *external,
        "--no-progress", "--out", str(tmp_path / "csa"),
    ]) == 0
    assert "935 areas" in capsys.readouterr().out
    run = json.loads((tmp_path / "csa" / "run.json").read_text())
    assert run["info"]["units_in_no_area"] == 1319  # the counties outside every CBSA
