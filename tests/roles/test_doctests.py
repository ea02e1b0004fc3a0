"""The examples in the docstrings of metrocircle.roles run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "metrocircle.roles.indicators",
    "metrocircle.roles.classify",
    "metrocircle.roles.polycentricity",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(
        importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted > 0
    assert result.failed == 0
