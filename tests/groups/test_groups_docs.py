"""The Python example of docs/groups.md runs and prints what its comments say."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "groups.md"


def test_docs_example_prints_its_comments(capsys) -> None:  # noqa: ANN001
    code = re.search(r"## Python\n\n```python\n(.*?)```", DOC.read_text(), re.S).group(1)
    expected = [line[2:] for line in code.splitlines() if line.startswith("# ")]
    exec(compile(code, "docs/groups.md", "exec"), {})
    assert capsys.readouterr().out.splitlines() == expected
