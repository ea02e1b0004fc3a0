"""docs/methods/omb-csa.md and the docstrings of metrocircle.combine say what the code does."""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pandas as pd
import pytest

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "methods" / "omb-csa.md").read_text()


@pytest.mark.parametrize(
    "name", ["metrocircle.combine", "metrocircle.combine.omb_csa", "metrocircle.model.validation"]
)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_python_example_prints_its_comments(capsys) -> None:
    code = re.search(r"## Python\n.*?```python\n(.*?)```", PAGE, re.S).group(1)
    lines = code.splitlines()
    expected = [b[2:] for a, b in zip(lines, lines[1:], strict=False)
                if a.startswith("print(") and b.startswith("# ")]
    exec(compile(code, "docs/methods/omb-csa.md", "exec"), {})
    assert capsys.readouterr().out.splitlines() == expected


def test_band_table() -> None:
    """The table of adjacent pairs by EIM and how many OMB put in one CSA."""
    from metrocircle.combine import combine
    from metrocircle.datasets import us_cbsa

    r = combine("omb-csa", us_cbsa.load_membership(), flows=us_cbsa.load_flows(),
                adjacency=us_cbsa.load_adjacency(), external=us_cbsa.EXTERNAL_CODES)
    csa = us_cbsa.load_official().drop_duplicates("area_id").set_index("area_id")["csa_code"]
    p = r.pairs
    a, b = p["smaller_area_id"].map(csa), p["larger_area_id"].map(csa)
    one = (a.notna() & (a == b)).to_numpy()
    bands = pd.cut(p["eim"], [0, 5, 10, 15, 20, 25, 30, 200], right=False)
    got = pd.DataFrame({"band": bands, "one": one}).groupby("band", observed=True)["one"]
    table = re.search(r"\| EIM \| pairs \| in one official CSA \|\n\|---.*?\n(.*?)\n\n", PAGE,
                      re.S).group(1)
    shown = [(int(m.group(1)), int(m.group(2)))
             for m in re.finditer(r"\| [^|]+ \| (\d+) \| (\d+)", table)]
    assert shown == list(zip(got.size().tolist(), got.sum().tolist(), strict=True))
