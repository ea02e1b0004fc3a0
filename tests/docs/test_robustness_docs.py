"""The Python examples of docs/sensitivity.md, docs/uncertainty.md and docs/compare.md run and
print what their comments say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("page", ["sensitivity.md", "uncertainty.md", "compare.md"])
def test_python_example_prints_its_comments(page, capsys) -> None:
    text = (DOCS / page).read_text()
    code = re.search(r"## Python\n\n```python\n(.*?)```", text, re.S).group(1)
    lines = code.splitlines()
    expected = [
        b[2:]
        for a, b in zip(lines, lines[1:], strict=False)
        if a.startswith("print(") and b.startswith("# ")
    ]
    assert expected, page
    exec(compile(code, f"docs/{page}", "exec"), {})
    assert capsys.readouterr().out.splitlines() == expected


@pytest.mark.parametrize("page", ["sensitivity.md", "uncertainty.md", "compare.md"])
def test_pages_are_linked_from_the_index_and_readme(page) -> None:
    assert f"({page})" in (DOCS / "index.md").read_text()
    assert f"(docs/{page})" in (DOCS.parent / "README.md").read_text()
