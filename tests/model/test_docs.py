"""The examples of the data model's docstrings and of docs/data-model.md run as written."""

from __future__ import annotations

import doctest
import importlib
import logging
import re
from pathlib import Path

import pytest

MODULES = [
    "metrocircle.model.io",
    "metrocircle.model.validation",
    "metrocircle.model.codes",
    "metrocircle.model.levels",
    "metrocircle.model.notes",
]
PAGE = Path(__file__).resolve().parents[2] / "docs" / "data-model.md"


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    logging.disable(logging.WARNING)  # notes are logged; the examples show their objects
    try:
        result = doctest.testmod(importlib.import_module(name),
                                 optionflags=doctest.NORMALIZE_WHITESPACE)
    finally:
        logging.disable(logging.NOTSET)
    assert result.attempted > 0
    assert result.failed == 0


BLOCKS = re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.S)


@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_data_model_page_python_blocks_run(number: int, capsys) -> None:
    code = BLOCKS[number]
    exec(compile(code, "docs/data-model.md", "exec"), {})
    out = capsys.readouterr().out
    assert out.strip()
    if "pd.read_csv(us_cbsa.path" in code:  # the README flows read by plain pandas
        assert "318 code(s) without leading zeros padded to 5 digits" in out
    if "np.float32(0.3)" in code:
        assert "member" in out


def test_the_page_shows_the_examples_this_test_checks() -> None:
    assert any("pd.read_csv(us_cbsa.path" in b for b in BLOCKS)
    assert any("np.float32(0.3)" in b for b in BLOCKS)
