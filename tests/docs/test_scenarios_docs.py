"""docs/scenarios.md: its commands run as written on the shipped Chongqing project and print
what the page shows (step times aside), and its Python example prints its comments."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from metrocircle.cli.main import main

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGE = (DOCS / "scenarios.md").read_text()


def _timeless(lines: list[str]) -> list[str]:
    return [re.sub(r"ran in [0-9.]+ s", "ran in # s", line) for line in lines]


def test_the_worked_example_runs_as_written(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    section = PAGE[PAGE.index("## Worked example"):]
    commands = re.search(r"```bash\n(.*?)```", section, re.S).group(1).strip().splitlines()
    shown = re.search(r"```text\n(.*?)```", section, re.S).group(1).strip().splitlines()
    assert [c.split()[:2] for c in commands] == [["metrocircle", "init"], ["metrocircle", "run"]]
    for command in commands:
        assert main(shlex.split(command)[1:]) == 0, command
    printed = capsys.readouterr().out.strip().splitlines()
    assert _timeless(printed[-len(shown):]) == _timeless(shown)
    base = tmp_path / "out" / "chongqing"
    before = {p: p.read_bytes() for p in base.rglob("*") if p.is_file()}
    # the Python example: the base is current and the scenario is cached, so it is quick
    code = re.search(r"## Python\n\n```python\n(.*?)```", PAGE, re.S).group(1)
    lines = code.splitlines()
    expected = [b[2:] for a, b in zip(lines, lines[1:], strict=False)
                if a.startswith("print(") and b.startswith("# ")]
    assert expected
    exec(compile(code, "docs/scenarios.md", "exec"), {})
    assert capsys.readouterr().out.splitlines() == expected
    after = {p: p.read_bytes() for p in base.rglob("*") if p.is_file()}
    assert after == before  # the base run's folder is untouched by a scenario


def test_the_page_is_linked_and_the_scenario_ships() -> None:
    assert "(scenarios.md)" in (DOCS / "index.md").read_text()
    assert "(docs/scenarios.md)" in (DOCS.parent / "README.md").read_text()
    from metrocircle.project import example_project

    scen = example_project("chongqing").scenarios["guangan_rail"]
    assert scen["add_links"] == ["511602:500112:30:rail"]
    assert "add_links = [\"511602:500112:30:rail\"]" in PAGE
