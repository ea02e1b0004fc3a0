"""docs/project.md documents every key of a project, and the Chongqing example loaders of the
other modules give what the shipped project gives."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from metrocircle.project import example_project
from metrocircle.project.inputs import Inputs
from metrocircle.project.run import RunResult
from metrocircle.project.spec import reference_markdown, walk
from metrocircle.project.steps import Access, Industry

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_key_reference_is_the_generated_one() -> None:
    page = (DOCS / "project.md").read_text()
    start = page.index("<!-- reference:start -->") + len("<!-- reference:start -->\n")
    end = page.index("<!-- reference:end -->")
    assert page[start:end] == reference_markdown(), (
        "regenerate the key reference of docs/project.md from "
        "metrocircle.project.spec.reference_markdown()")
    for name, section in walk():
        for key in section.keys:
            assert f"| `{key.name}` |" in page[start:end], f"{name}.{key.name}"


def test_shipped_projects_are_valid_and_documented() -> None:
    page = (DOCS / "project.md").read_text()
    assert "metrocircle init my-region --example chongqing" in page
    for name in ("chongqing", "us-cbsa"):
        example_project(name)


def test_chongqing_loaders_agree_with_the_shipped_project() -> None:
    from metrocircle.access import accessibility, chongqing_inputs
    from metrocircle.industry import chongqing_activity

    project = example_project("chongqing")
    inputs = Inputs(project)
    a = accessibility(**chongqing_inputs()).travel_times
    b = accessibility(**Access.arguments(project, inputs)).travel_times
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    table, reference, _ = chongqing_activity()
    with tempfile.TemporaryDirectory() as tmp:
        act = Industry.activity(RunResult(project, {}).context("industry", Path(tmp)))
    pd.testing.assert_frame_equal(table, act["table"], check_names=False)
    pd.testing.assert_series_equal(reference, act["reference"], check_names=False,
                                   check_index_type=False)


def test_the_minimal_project_of_the_guide_runs(tmp_path: Path) -> None:
    import re

    from metrocircle.project import load_project, run_project

    page = (DOCS / "project.md").read_text()
    text = re.search(r"### A minimal project.*?```toml\n(.*?)```", page, re.S).group(1)
    (tmp_path / "project.toml").write_text(text)
    codes = ["4401", "4406", "4403", "4405", "4407"]
    pd.DataFrame({"county_code": codes, "county_name": list("ABCDE"),
                  "pop_2020": [900, 800, 300, 200, 100]}).to_csv(tmp_path / "units.csv",
                                                                 index=False)
    pd.DataFrame({"unit_a": ["4401", "4401", "4406", "4403"],
                  "unit_b": ["4406", "4403", "4405", "4407"]}).to_csv(
        tmp_path / "adjacency.csv", index=False)
    rows = [(c, c, 100) for c in codes] + [("4403", "4401", 30), ("4405", "4406", 5),
                                           ("4407", "4401", 2)]
    pd.DataFrame(rows, columns=["home", "work", "persons"]).to_csv(
        tmp_path / "commuting.csv", index=False)
    res = run_project(load_project(tmp_path / "project.toml"), tmp_path / "out")
    m = res.table("delineation", "membership").set_index("unit_id")
    assert m.loc["4403", "status"] == "member"  # 30 of 130 employed residents work in the core
    assert m.loc["4405", "status"] == "outside"  # 5 of 105: under 10 %
