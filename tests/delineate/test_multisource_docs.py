"""docs/methods/cn-multisource.md: its example runs and prints what the page says, and its
parameter table lists every parameter of the preset with its default."""

from __future__ import annotations

import re
from pathlib import Path

from metrocircle.delineate import get_method

DOC = Path(__file__).resolve().parents[2] / "docs" / "methods" / "cn-multisource.md"


def test_example_runs(capsys) -> None:
    text = DOC.read_text()
    code = re.search(r"## Example\n\n```python\n(.*?)```", text, re.S).group(1)
    exec(compile(code, "cn-multisource.md", "exec"), {})
    out = capsys.readouterr().out
    assert re.search(r"A\s+member\s+travel_minutes<=60\s+-35.0\s+gate\s+integration", out)
    assert re.search(r"B\s+member\s+travel_minutes<=60\s+-10.0\s+gate\s+close", out)
    assert re.search(r"investment\s+investment\s+modelled", out)


def test_every_parameter_and_default_is_documented() -> None:
    text = DOC.read_text()
    table = text.split("## Parameters and where each default comes from")[1].split("\n## ")[0]
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith("`"):
            names = re.findall(r"`([a-z_]+)`", cells[0])
            values = cells[1].split(", ")
            for k, name in enumerate(names):
                rows[name] = values[k] if len(values) == len(names) else cells[1]
    for p in get_method("cn-multisource").params:
        assert p.name in rows, p.name
        documented = rows[p.name].replace("`", "")
        if p.default is None:
            assert documented.startswith(("unset", "none")), (p.name, documented)
        elif isinstance(p.default, bool):
            assert documented == str(p.default).lower(), (p.name, documented)
        elif isinstance(p.default, int | float):
            assert float(documented) == p.default, (p.name, documented)
        else:
            assert documented == p.default, (p.name, documented)
