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
