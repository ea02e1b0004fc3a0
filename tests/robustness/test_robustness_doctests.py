"""The examples in the docstrings of the robustness analyses and the maps run and give what
they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "metrocircle.robustness.grid",
    "metrocircle.robustness.sensitivity",
    "metrocircle.robustness.uncertainty",
    "metrocircle.robustness.compare",
    "metrocircle.report.maps",
    "metrocircle.delineate.base",
    "metrocircle.model.validation",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(
        importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted > 0
    assert result.failed == 0
