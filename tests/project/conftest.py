"""Fixtures of the project tests (the tiny region is in project_cases.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from project_cases import write_tiny


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """The tiny project written into a fresh folder; the path of its project file."""
    return write_tiny(tmp_path / "tiny")
