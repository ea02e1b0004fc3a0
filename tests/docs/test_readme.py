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

    extras = re.search(r"pip install (?:-c constraints/locked\.txt )?-e '\.\[([a-z,]+)\]'",
                       commands[0])
    assert extras, commands[0]
    needed = extras_needed(example_project("chongqing"))
    assert set(needed) == {"geo", "graph", "report"}
    assert set(needed) <= set(extras.group(1).split(","))
    assert commands[0].endswith("&& .venv/bin/metrocircle demo --out out/demo")
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1] in ci


def test_readme_python_example_runs(capsys) -> None:
    code = re.search(r"From Python:\n\n```python\n(.*?)```", README, re.S).group(1)
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert out.strip() == "578 outlying counties; 935 areas"


def _requirements() -> dict[str, str]:
    """Every dependency of pyproject.toml (base, extras and test tools) -> its version spec."""
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = data["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += [r for r in extra if not r.startswith("metrocircle")]
    out = {}
    for r in reqs:
        name, spec = re.match(r"([A-Za-z0-9_.-]+)\s*(.*)", r).groups()
        out[name.lower()] = spec
    return out


def test_pyproject_declares_ranges_and_the_lowest_constraints_are_its_lower_bounds() -> None:
    reqs = _requirements()
    assert not [n for n, spec in reqs.items() if "==" in spec], "exact pins belong in constraints/"
    lowest = {}
    for line in (ROOT / "constraints" / "lowest.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            lowest[name.lower()] = version
    test_only = {"pytest", "pytest-xdist", "hypothesis", "playwright"}
    runtime = {n: s for n, s in reqs.items() if n not in test_only}
    assert set(lowest) == set(runtime)
    for name, spec in runtime.items():
        low = re.search(r">=\s*([0-9][^,]*)", spec)
        assert low, f"{name} has no lower bound"
        assert lowest[name].startswith(low.group(1)), (name, spec, lowest[name])


def test_locked_constraints_satisfy_the_declared_ranges() -> None:
    from packaging.requirements import Requirement
    from packaging.version import Version

    locked = {}
    for line in (ROOT / "constraints" / "locked.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            locked[name.lower().replace("_", "-")] = Version(version)
    for name, spec in _requirements().items():
        req = Requirement(name + spec)
        assert name in locked, f"{name} is not locked"
        assert locked[name] in req.specifier, (name, spec, locked[name])
