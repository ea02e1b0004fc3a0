"""The Python example of docs/industry.md runs and prints what the page says."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "industry.md"


def test_docs_example_runs(capsys) -> None:
    text = DOC.read_text()
    code = re.search(r"From Python:\n\n```python\n(.*?)```", text, re.S).group(1)
    exec(compile(code, "docs/industry.md", "exec"), {})
    out = capsys.readouterr().out
    assert "'Beibei'" in out and "'Qianfeng'" in out and "'Deyang'" in out
    assert "26 cross-border pairs both specialised in manufacturing" in out
    assert "26 cross-border pairs" in text
    # the four most localised sections named on the page
    for name in ("T_international", "M_research_technical", "B_mining", "I_information_software"):
        assert name in out
