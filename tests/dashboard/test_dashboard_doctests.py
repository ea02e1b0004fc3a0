"""The examples in the docstrings of metrocircle.dashboard run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["metrocircle.dashboard.run_folder", "metrocircle.dashboard.session"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name),
                             optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
