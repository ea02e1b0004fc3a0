"""The region with boundaries (report_cases.py), run once per test session into a folder with
its report; tests that change a run copy it first."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_cases import write_region

from metrocircle.project import load_project, run_project


@pytest.fixture(scope="session")
def region(tmp_path_factory) -> Path:
    """The region with boundaries, run once into a folder (with its report and its cache)."""
    root = tmp_path_factory.mktemp("region")
    out = root / "out"
    run_project(load_project(write_region(root / "src")), out)
    return out
