"""The Python example of docs/groups.md runs and prints what its comments say."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "groups.md"


def test_docs_example_prints_its_comments(capsys) -> None:  # noqa: ANN001
    code = re.search(r"## Python\n\n```python\n(.*?)```", DOC.read_text(), re.S).group(1)
    # output lines are the comments right after a print(...) line
    lines = code.splitlines()
    expected = [
        b[2:]
        for a, b in zip(lines, lines[1:], strict=False)
        if a.startswith("print(") and b.startswith("# ")
    ]
    exec(compile(code, "docs/groups.md", "exec"), {})
    assert capsys.readouterr().out.splitlines() == expected
