"""A project whose delineation derives its cores from urban areas, followed by the combine step:
a hand-made region small enough to work out by hand, its cache and its validation.

The region (flows, urban areas and expected results worked out in the comments):

    OA - A - B - C          (adjacency: a row of four counties)

* A: 160,000 of its 200,000 people in UA_A (160,000 people): central (both tests), and
  UA_A has 50,000 or more: metropolitan.
* B: 20,000 of 30,000 in UA_B (20,000 people): central, micropolitan.
* C: 3,000 in UA_S (3,000 people, under 10,000): not central.
* OA: no urban part. 400 of its 1,000 workers work in A (40 %): outlying to A.
* B to A: 200 of B's 2,000 workers (10 %), and A's residents hold 200 of B's 2,100 jobs
  (9.5 %): under 25 %, so the two CBSAs do not merge.
* C: 100 of 1,100 to B (9.1 %): outside.
* The CSA measure of the smaller CBSA, B, with A (and OA): 200 of B's 2,000 workers work there
  (10 %) and its residents hold 200 of B's 2,100 jobs (9.52 %): EIM 19.52, in the 15-25 band,
  which the 2010 and 2020 standards combine; with lower_bound = 25 they stay apart.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from metrocircle.cli.main import main
from metrocircle.exceptions import ProjectError
from metrocircle.project import load_project, run_project

PROJECT = """
[project]
name = "mini-us"

[inputs.units]
file = "counties.csv"
id = "fips"
columns = { name = "county", population = "pop" }

[inputs.urban_areas]
file = "urban_parts.csv"
columns = { ua_code = "uace", unit_id = "county_code", population = "people" }

[inputs.adjacency]
file = "adjacency.csv"

[inputs.reference]
file = "official.csv"
id = "fips"
columns = { area_id = "cbsa", status = "role", type = "kind", combined_id = "csa" }
name = "the official list"

[layers.commuting]
kind = "commuting"
source = "real"
file = "flows.csv"
columns = { origin = "home", destination = "work", value = "n" }

[steps.delineation]
method = "omb-cbsa"
layers = ["commuting"]

[steps.combine]
layer = "commuting"
"""

FLOWS = {("A", "A"): 9300, ("A", "B"): 200, ("OA", "OA"): 600, ("OA", "A"): 400,
         ("B", "B"): 1800, ("B", "A"): 200, ("C", "C"): 1000, ("C", "B"): 100}


def write_mini(folder: Path, text: str = PROJECT) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"fips": ["A", "OA", "B", "C"], "county": ["Ay", "Oay", "Bee", "Cee"],
                  "pop": [200_000, 5_000, 30_000, 8_000]}).to_csv(folder / "counties.csv",
                                                                   index=False)
    # the urban-area total under the Census name UAPOP (read without a mapping)
    pd.DataFrame({"uace": ["UA_A", "UA_B", "UA_S"], "county_code": ["A", "B", "C"],
                  "people": [160_000, 20_000, 3_000], "UAPOP": [160_000, 20_000, 3_000],
                  "county_population": [200_000, 30_000, 8_000]}).to_csv(
        folder / "urban_parts.csv", index=False)
    pd.DataFrame({"a": ["OA", "A", "B"], "b": ["A", "B", "C"]}).to_csv(
        folder / "adjacency.csv", index=False)
    pd.DataFrame([(h, w, n) for (h, w), n in FLOWS.items()],
                 columns=["home", "work", "n"]).to_csv(folder / "flows.csv", index=False)
    pd.DataFrame({"fips": ["A", "OA", "B"], "cbsa": ["100", "100", "200"],
                  "role": ["Central", "Outlying", "Central"],
                  "kind": ["Metropolitan", "Metropolitan", "Micropolitan"],
                  "csa": ["900", "900", "900"]}).to_csv(folder / "official.csv", index=False)
    path = folder / "project.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return write_mini(tmp_path / "mini")


def ran(out: Path) -> list[str]:
    run = json.loads((out / "run.json").read_text())
    return [n for n, s in run["steps"].items() if s["status"] == "ran"]


def test_cores_from_urban_areas_then_combined_areas(mini: Path) -> None:
    out = mini.parent / "out"
    run_project(load_project(mini), out)
    m = pd.read_csv(out / "membership.csv", dtype=str).set_index("unit_id")
    assert m.loc["A", "area_id"] == "UA_A" and m.loc["A", "status"] == "core"
    assert m.loc["OA", "area_id"] == "UA_A" and m.loc["OA", "status"] == "member"
    assert m.loc["B", "area_id"] == "UA_B" and m.loc["B", "status"] == "core"
    assert pd.isna(m.loc["C", "area_id"]) and m.loc["C", "central_test"] != m.loc["C",
                                                                                   "central_test"]
    areas = pd.read_csv(out / "areas.csv", dtype=str).set_index("area_id")
    assert areas.loc["UA_A", "type"] == "metropolitan"
    assert areas.loc["UA_B", "type"] == "micropolitan"
    # the method got the urban areas (delineation/inputs/ holds them for a re-run)
    given = pd.read_csv(out / "delineation" / "inputs" / "urban_areas.csv", dtype=str)
    assert set(given["ua_code"]) == {"UA_A", "UA_B", "UA_S"}
    # the combine step: both CBSAs in one combined area, EIM 19.52 (the band)
    combined = pd.read_csv(out / "combined.csv", dtype=str).set_index("area_id")
    assert combined.loc["UA_A", "combined_id"] == combined.loc["UA_B", "combined_id"]
    assert combined.loc["UA_B", "rule"] == "eim>=15(band)"
    eim = 100 * (200 / 2_000 + 200 / 2_100)
    pairs = pd.read_csv(out / "pairs.csv")
    assert len(pairs) == 1 and pairs["eim"].iloc[0] == pytest.approx(eim)
    run = json.loads((out / "run.json").read_text())
    assert {"combined.csv", "pairs.csv"} <= set(run["files"])
    info = run["steps"]["combine"]["info"]
    assert info["counts"] == {"areas": 2, "adjacent_pairs": 1, "combined_areas": 1}
    assert info["layer"]["kind"] == "commuting" and info["layer"]["source"] == "real"
    # against the reference: every core, unit, type and the one CSA pair agree
    fig = run["steps"]["delineation"]["info"]["reference_figures"]
    assert (fig["core_recall"], fig["core_precision"], fig["units_right_share"],
            fig["type_right_share"], fig["areas"], fig["reference_areas"]) == (1, 1, 1, 1, 2, 2)
    assert json.loads((out / "delineation" / "reference_figures.json").read_text()) == fig
    pf = run["steps"]["combine"]["info"]["reference_pairs"]
    assert (pf["pairs_reference"], pf["pairs_found"], pf["f1"]) == (1, 1, 1.0)
    summary = (out / "summary.md").read_text()
    assert "## Combined areas" in summary and "F1 1.000" in summary
    # the rows the central-county step left out are counted, with their reason
    assert "urban-area rows left out" not in summary  # none here
    assert "Cores derived from `inputs.urban_areas` (census_parts): 2 areas before merges" \
        in summary


def test_the_reference_differs_and_the_figures_say_so(mini: Path) -> None:
    # an official list in which B is outlying to A and C is central of its own CBSA
    pd.DataFrame({"fips": ["A", "OA", "B", "C"], "cbsa": ["100", "100", "100", "300"],
                  "role": ["Central", "Outlying", "Outlying", "Central"],
                  "kind": ["Metropolitan"] * 3 + ["Micropolitan"],
                  "csa": ["", "", "", ""]}).to_csv(mini.parent / "official.csv", index=False)
    out = mini.parent / "out"
    run_project(load_project(mini), out)
    run = json.loads((out / "run.json").read_text())
    fig = run["steps"]["delineation"]["info"]["reference_figures"]
    # cores: A and B found, A and C official: 1 of 2 found, 1 of 2 right
    assert (fig["cores_right"], fig["core_recall"], fig["core_precision"]) == (1, 0.5, 0.5)
    # UA_B is matched to no official CBSA (its core is not an official core): B is misplaced
    assert fig["units_right"] == 2 and fig["matched_areas"] == 1
    pf = run["steps"]["combine"]["info"]["reference_pairs"]
    assert pf["pairs_reference"] == 0 and pf["areas_unmatched"] == 1 and pf["f1"] == 0.0


def test_the_cache_runs_only_what_a_change_reaches(mini: Path) -> None:
    out = mini.parent / "out"
    run_project(load_project(mini), out)
    assert ran(out) == ["layers", "delineation", "combine", "report"]
    run_project(load_project(mini), out)
    assert ran(out) == []
    # a combine parameter: the combine step alone; the pair now stays apart
    run_project(load_project(mini, overrides={"steps.combine.params.lower_bound": 25.0}), out)
    assert ran(out) == ["combine", "report"]
    assert pd.read_csv(out / "combined.csv")["combined_id"].isna().all()
    # a delineation parameter: the delineation and the combine step, not the layers
    run_project(load_project(mini, overrides={"steps.delineation.params.threshold": 0.5}), out)
    assert ran(out) == ["delineation", "combine", "report"]
    m = pd.read_csv(out / "membership.csv", dtype=str).set_index("unit_id")
    assert pd.isna(m.loc["OA", "area_id"])  # 40 % < 50 %
    # an edited urban-area file: B falls under the 10,000 core minimum; the layers stay
    parts = mini.parent / "urban_parts.csv"
    parts.write_text(parts.read_text().replace("UA_B,B,20000,20000", "UA_B,B,9000,9000"))
    run_project(load_project(mini), out)
    assert ran(out) == ["delineation", "combine", "report"]
    m = pd.read_csv(out / "membership.csv", dtype=str).set_index("unit_id")
    assert m.loc["B", "status"] != "core"


BROKEN = PROJECT.replace(
    'columns = { ua_code = "uace", unit_id = "county_code", population = "people" }',
    'columns = { ua_code = "uace_typo", unit_id = "county_code", popultion = "people" }',
).replace(
    "[steps.combine]\nlayer = \"commuting\"",
    "[steps.combine]\nlayer = \"comuting\"\nparams = { treshold = 20.0 }",
) + """
[inputs.cores]
units = ["A"]
area_id = "x"
"""


def test_every_problem_of_the_new_inputs_and_step_in_one_error(mini: Path) -> None:
    path = mini.parent / "broken.toml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(ProjectError) as info:
        load_project(path)
    found = [str(p) for p in info.value.problems]

    def has(*needles: str) -> bool:
        return any(all(n in p for n in needles) for p in found)

    assert has("inputs.urban_areas.columns.popultion", "unknown urban-area column",
               "did you mean 'population'")
    assert has("inputs.urban_areas.columns.ua_code", "no column 'uace_typo'",
               "urban_parts.csv")
    assert has("inputs.urban_areas.columns", "has neither 'population'")
    assert has("inputs.urban_areas", "give either [inputs.cores]", "not both")
    assert has("steps.combine.layer", "no layer 'comuting'", "did you mean 'commuting'")
    assert has("steps.combine.params.treshold", "omb-csa has no parameter 'treshold'",
               "did you mean 'threshold'")
    assert len(found) == 6, found


def test_combine_needs_a_delineation_and_an_adjacency(mini: Path) -> None:
    text = PROJECT.replace('[steps.delineation]\nmethod = "omb-cbsa"\nlayers = ["commuting"]\n',
                           "").replace('[inputs.adjacency]\nfile = "adjacency.csv"\n', "")
    text = text.replace('[steps.combine]\nlayer = "commuting"',
                        '[steps.combine]\nlayer = "commuting"\nmethod = "omb-csb"')
    path = mini.parent / "p.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProjectError) as info:
        load_project(path)
    found = [str(p) for p in info.value.problems]
    assert any("steps.combine" in p and "add [steps.delineation]" in p for p in found)
    assert any("steps.combine" in p and "add [inputs.adjacency]" in p for p in found)
    assert any("steps.combine.method" in p and "did you mean 'omb-csa'" in p for p in found)


def test_a_method_without_urban_areas_is_told_so(mini: Path) -> None:
    path = mini.parent / "p.toml"
    path.write_text(PROJECT.replace('method = "omb-cbsa"', 'method = "cn-commuting"'),
                    encoding="utf-8")
    with pytest.raises(ProjectError) as info:
        load_project(path)
    assert any("inputs.urban_areas" in str(p) and "does not derive its cores" in str(p)
               for p in info.value.problems)


def test_nothing_is_written_when_the_project_is_broken(mini: Path, capsys) -> None:
    path = mini.parent / "broken.toml"
    path.write_text(BROKEN, encoding="utf-8")
    out = mini.parent / "out"
    assert main(["run", str(path), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "6 problems in the project file" in err and "Traceback" not in err
    assert not out.exists()


def test_row_problems_of_the_urban_areas_come_with_their_lines(mini: Path) -> None:
    parts = mini.parent / "urban_parts.csv"
    parts.write_text(parts.read_text().replace("UA_S,C,3000", "UA_S,C,-3000"))
    with pytest.raises(Exception) as info:
        run_project(load_project(mini), mini.parent / "out")
    text = str(info.value)
    assert "urban_parts.csv" in text and "negative" in text.lower()


@pytest.mark.parametrize("name", ["metrocircle.delineate.reference",
                                  "metrocircle.combine.reference",
                                  "metrocircle.project.project"])
def test_docstring_examples(name: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
