"""``metrocircle strength`` on tiny files and on the shipped Chongqing example."""

from __future__ import annotations

import doctest
import importlib
import json
from pathlib import Path

import pandas as pd
import pytest

import metrocircle.strength as strength_pkg
from metrocircle.cli.main import main


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.fixture
def tiny(tmp_path: Path) -> dict[str, Path]:
    """Three units with leading-zero codes, travel times both ways, one commuting layer."""
    return {
        "units": write(
            tmp_path / "units.csv",
            "unit_id,population,gdp\n001,100,4\n002,25,1\n003,9,9\n",
        ),
        "tt": write(
            tmp_path / "tt.csv",
            "origin,destination,minutes\n001,002,10\n002,001,10\n001,003,30\n003,001,30\n"
            "002,003,15\n003,002,15\n",
        ),
        "flows": write(
            tmp_path / "commuting.csv",
            "origin,destination,value\n002,001,40\n003,001,5\n003,002,30\n001,002,1\n",
        ),
        "cores": write(tmp_path / "cores.csv", "unit_id,area_id\n001,M1\n"),
    }


def test_cli_tiny_files(tiny: dict[str, Path], tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    code = main(
        [
            "strength",
            "--units", str(tiny["units"]),
            "--travel-times", str(tiny["tt"]),
            "--flows", f"commuting={tiny['flows']}",
            "--cores", str(tiny["cores"]),
            "--weights", "user",
            "--weight", "gravity=1",
            "--weight", "commuting=3",
            "--out", str(out),
            "--no-progress",
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    links = pd.read_csv(out / "links.csv", dtype={"origin": str, "destination": str})
    assert list(links.columns) == ["origin", "destination", "gravity", "commuting", "strength"]
    assert len(links) == 6  # every ordered pair of the travel times
    # gravity 001->002: k = 4/5, masses 20 and 5, 10 minutes -> 0.8, share of the total
    g = {(o, d): None for o, d in zip(links.origin, links.destination, strict=True)}
    assert ("001", "002") in g
    m = {
        ("001", "002"): 0.8,
        ("002", "001"): 0.2,
        ("001", "003"): 4 / 13 * 180 / 900,
        ("003", "001"): 9 / 13 * 180 / 900,
        ("002", "003"): 1 / 10 * 45 / 225,
        ("003", "002"): 9 / 10 * 45 / 225,
    }
    total = sum(m.values())
    row = links.set_index(["origin", "destination"])
    for pair, r in m.items():
        assert row.loc[pair, "gravity"] == pytest.approx(r / total)
    c = row.loc[("002", "001"), "commuting"]
    assert c == pytest.approx(40 / 76)
    assert row.loc[("002", "001"), "strength"] == pytest.approx(0.25 * 0.2 / total + 0.75 * c)
    weights = json.loads((out / "weights.json").read_text())
    assert weights["weights"] == {"gravity": 0.25, "commuting": 0.75}
    memb = pd.read_csv(out / "membership.csv", dtype={"unit_id": str})
    assert memb["M1_share"].notna().all()
    cent = pd.read_csv(out / "centrality.csv", dtype={"unit_id": str})
    assert cent["unit_id"].tolist() == ["001", "002", "003"]
    run = json.loads((out / "run.json").read_text())
    assert run["inputs"]["units"]["sha256"] and run["fusion"]["normalise"] == "total"
    # first contacts of the commuting layer: 001 -> 002 (1 of 1), 002 -> 001 (40 of 40),
    # 003 -> 002 (30 of 35, strong); 001 and 002 are partners, 003 depends on 002
    first = pd.read_csv(out / "first_contact_commuting.csv", dtype=str).set_index("unit_id")
    assert first["destination"].to_dict() == {"001": "002", "002": "001", "003": "002"}
    assert float(first.loc["003", "out_share"]) == pytest.approx(30 / 35)
    assert first["relation"].tolist() == ["partner", "partner", "dependent"]
    assert run["first_contact"]["commuting"]["partner_pairs"] == 1


def test_cli_bad_files_one_error(tiny: dict[str, Path], tmp_path: Path, capsys) -> None:
    units = write(tmp_path / "bad_units.csv", "unit_id,population,gdp\n001,100,\n002,x,1\n")
    tt = write(tmp_path / "bad_tt.csv", "origin,destination,minutes\n001,009,10\n002,001,-3\n")
    code = main(
        ["strength", "--units", str(units), "--travel-times", str(tt), "--out", str(tmp_path / "o")]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("Error: ") and "Traceback" not in err
    for needle in (
        "missing mass in column 'gdp'",
        "non-numeric mass",
        "negative",
    ):
        assert needle in err, err
    # 009 lies outside the study: a travel-time matrix is a reference table, so its row is set
    # aside (and noted), not an error (issue 16 item 3)
    assert "unknown unit code" not in err
    code = main(["strength", "--units", str(tiny["units"]), "--out", str(tmp_path / "o")])
    assert code == 2 and "--travel-times" in capsys.readouterr().err


def test_cli_chongqing_example(tmp_path: Path, capsys) -> None:
    """--example takes the shipped project's units, travel times and layers: the same five
    layers, weights and fused links as the strength step of 'metrocircle demo'."""
    from metrocircle.project import example_results

    out = tmp_path / "cq"
    assert main(["strength", "--example", "chongqing", "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "layer investment: investment, modelled" in printed
    run = json.loads((out / "run.json").read_text())
    assert run["gravity"] is None  # the project has no gravity layer
    assert set(run["fusion"]["weights"]) == {"commuting", "rail_trips", "road_passenger",
                                             "road_freight", "investment"}
    assert sum(run["fusion"]["weights"].values()) == pytest.approx(1.0)
    demo = example_results("chongqing", ["strength"]).steps["strength"]
    assert run["fusion"]["weights"] == pytest.approx(demo.info["weights"], abs=1e-12)
    links = pd.read_csv(out / "links.csv", dtype={"origin": str, "destination": str})
    pd.testing.assert_frame_equal(links, demo.tables["links"].reset_index(drop=True),
                                  check_dtype=False, check_exact=False, rtol=1e-12)
    memb = pd.read_csv(out / "membership.csv", dtype={"unit_id": str}).set_index("unit_id")
    share = memb["chongqing_central_share"]
    # the central districts and their neighbours are bound to the core more than the
    # Sichuan prefectures far away (Yubei 500112 vs Ya'an 511800)
    assert share["500112"] > share["511800"]
    assert (memb[["chongqing_central_share", "outside_share"]].sum(axis=1) - 1).abs().max() < 1e-9
    # a gravity layer on request: population as the mass, with the note on GDP
    assert main(["strength", "--example", "chongqing", "--mass", "population", "--out",
                 str(tmp_path / "grav"), "--no-progress"]) == 0
    assert "gdp is filled for 25 of 58 units" in capsys.readouterr().out
    grav = json.loads((tmp_path / "grav" / "run.json").read_text())
    assert grav["gravity"]["units"] == 58 and grav["gravity"]["pairs"] == 58 * 57
    assert len(grav["fusion"]["weights"]) == 6
    # GDP as a mass: an error naming the units without it, or dropped and listed
    code = main(
        ["strength", "--example", "chongqing", "--mass", "population", "--mass",
         "gdp", "--out", str(tmp_path / "gdp"), "--no-progress"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "missing mass in column 'gdp' (33 of 58 units" in err
    # dropping units without GDP would drop a core district (Dadukou): one clear error
    code = main(
        ["strength", "--example", "chongqing", "--mass", "population", "--mass",
         "gdp", "--on-missing", "drop", "--out", str(tmp_path / "gdp"), "--no-progress"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "core unit(s) without a mass cannot be dropped" in err and "500104" in err


def test_cli_drop_units_without_mass(tiny: dict[str, Path], tmp_path: Path, capsys) -> None:
    units = write(tmp_path / "u.csv", "unit_id,population,gdp\n001,100,4\n002,25,1\n003,9,\n")
    out = tmp_path / "drop"
    args = ["strength", "--units", str(units), "--travel-times", str(tiny["tt"]),
            "--flows", f"commuting={tiny['flows']}", "--out", str(out),
            "--no-progress"]  # fmt: skip
    assert main(args) == 2 and "missing mass in column 'gdp'" in capsys.readouterr().err
    assert main([*args, "--on-missing", "drop"]) == 0
    run = json.loads((out / "run.json").read_text())
    assert run["gravity"]["dropped_units"] == ["003"]
    assert "rows removed per layer: {'commuting': 2}" in " ".join(run["notes"])
    links = pd.read_csv(out / "links.csv", dtype={"origin": str, "destination": str})
    assert set(links.origin) | set(links.destination) == {"001", "002"}


@pytest.mark.parametrize(
    "module",
    ["gravity", "flows", "fusion", "membership", "centrality"],
)
def test_docstring_examples_run(module: str) -> None:
    mod = importlib.import_module(f"{strength_pkg.__name__}.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_docs_page_python_examples_run(capsys) -> None:
    import re
    import warnings

    page = Path(__file__).resolve().parents[2] / "docs" / "strength.md"
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), re.S)
    assert len(blocks) == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. igraph's path-length tolerance warning
        for code in blocks:
            exec(compile(code, str(page), "exec"), {})
    out = capsys.readouterr().out
    assert "dominance_index" in out and "investment" in out


def test_cli_ahp_matrix_file(tiny: dict[str, Path], tmp_path: Path, capsys) -> None:
    # gravity 3x as important as commuting -> AHP weights 0.75 / 0.25 (n = 2: CR = 0)
    ahp = write(tmp_path / "ahp.csv", "layer,commuting,gravity\ncommuting,1,1/3\ngravity,3,1\n")
    base = ["strength", "--units", str(tiny["units"]), "--travel-times", str(tiny["tt"]),
            "--flows", f"commuting={tiny['flows']}", "--no-progress"]  # fmt: skip
    # '1/3' is not a number: one clear error
    assert (
        main([*base, "--weights", "ahp", "--ahp-matrix", str(ahp), "--out", str(tmp_path / "a")])
        == 2
    )
    assert "non-numeric" in capsys.readouterr().err
    write(ahp, f"layer,commuting,gravity\ncommuting,1,{1 / 3!r}\ngravity,3,1\n")
    out = tmp_path / "b"
    assert main([*base, "--weights", "ahp", "--ahp-matrix", str(ahp), "--out", str(out)]) == 0
    weights = json.loads((out / "weights.json").read_text())
    assert weights["weights"] == pytest.approx({"gravity": 0.75, "commuting": 0.25})
    assert weights["ahp"]["cr"] == 0.0 and weights["method"] == "ahp"
    write(ahp, "layer,commuting,gravity\ncommuting,1,2\ngravity,3,1\n")
    assert main([*base, "--weights", "ahp", "--ahp-matrix", str(ahp), "--out", str(out)]) == 2
    assert "reciprocal" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--units", "--travel-times", "--flows", "--cores"])
@pytest.mark.parametrize("content", [None, b"", b"\x00\xff\xfe garbage", b"a,b\n1\n2,3,4\n"])
def test_cli_missing_empty_or_garbage_file(
    tiny: dict[str, Path], tmp_path: Path, capsys, option: str, content: bytes | None
) -> None:
    bad = tmp_path / "bad.csv"
    if content is not None:
        bad.write_bytes(content)
    files = {"--units": str(tiny["units"]), "--travel-times": str(tiny["tt"]),
             "--flows": f"commuting={tiny['flows']}", "--cores": str(tiny["cores"])}  # fmt: skip
    files[option] = f"commuting={bad}" if option == "--flows" else str(bad)
    args = ["strength", "--out", str(tmp_path / "o"), "--no-progress"]
    for opt, value in files.items():
        args += [opt, value]
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("Error: ") and "Traceback" not in err


@pytest.mark.parametrize("name", ["../escape", "a/b", ".hidden", "x" * 101])
def test_layer_name_that_would_leave_the_folder_is_refused_first(tmp_path, capsys, name):
    """#13.4: a layer name becomes a file name (first_contact_<layer>.csv); one that is not a
    plain safe name is refused before any file is read and before --out is made."""
    code = main(["strength", "--flows", f"{name}={tmp_path / 'missing.csv'}",
                 "--out", str(tmp_path / "out"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "cannot be used in a file name" in err
    assert "missing.csv" not in err  # refused before the (missing) file was read
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.parent.glob("escape*"))
