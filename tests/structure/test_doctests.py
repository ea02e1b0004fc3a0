"""The examples in the docstrings of metrocircle.structure run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "metrocircle.structure.indicators",
    "metrocircle.structure.classify",
    "metrocircle.structure.polycentricity",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(
        importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted > 0
    assert result.failed == 0


def test_docs_python_example_prints_what_the_page_shows(capsys) -> None:
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "roles.md").read_text()
    code = re.search(r"## Python\n\n```python\n(.*?)```", page, re.S).group(1)
    shown = re.search(r"gives\n\n```text\n(.*?)```", page, re.S).group(1)
    exec(compile(code, "docs/roles.md", "exec"), {})
    assert capsys.readouterr().out == shown
