"""The README's set-up commands and Python example stay true."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_readme_starts_with_exactly_two_setup_commands_and_ci_runs_the_second() -> None:
    block = re.search(r"## Set up on a fresh machine.*?```bash\n(.*?)```", README, re.S)
    assert block, "README must open with a set-up section"
    commands = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(commands) == 2
    assert "metrocircle demo" in commands[0]  # the main job: the Chongqing example
    # it installs every extra the demo needs (CI installs them all, so only this can tell)
    from metrocircle.project import example_project, extras_needed

    extras = re.search(r"pip install -e '\.\[([a-z,]+)\]'", commands[0])
    assert extras, commands[0]
    needed = extras_needed(example_project("chongqing"))
    assert set(needed) == {"geo", "graph"}
    assert set(needed) <= set(extras.group(1).split(","))
    assert commands[0].endswith("&& .venv/bin/metrocircle demo --out out/demo")
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1] in ci


def test_readme_python_example_runs(capsys) -> None:
    code = re.search(r"From Python:\n\n```python\n(.*?)```", README, re.S).group(1)
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert out.strip() == "578 outlying counties; 935 areas"
