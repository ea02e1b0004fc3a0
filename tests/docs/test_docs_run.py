"""Docs that run (issue 16.9): the README and docs/ name no machine paths, cite no file outside
the repository, every peer environment they use is made by bench/make_peer_envs.sh, and every
``metrocircle`` command in their shell blocks names a real command with real options.

Which blocks are *run* (not only parsed): the shell blocks of the README and docs/ in
tests/docs/test_docs_shell.py (as written, from a fresh copy of the repository; its SKIP list
names each command left out and why), the README's Python example in tests/docs/test_readme.py,
the method pages' examples in tests/delineate/*_docs.py, tests/combine/test_omb_csa_docs.py,
tests/groups/test_groups_docs.py and tests/industry/test_industry_docs.py.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer.main

try:  # typer up to 0.2x depends on click; later ones ship their own copy
    from click.exceptions import UsageError
except ImportError:  # pragma: no cover - depends on the typer version
    from typer._click.exceptions import UsageError

from metrocircle.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md"),
                *(ROOT / "bench").rglob("README.md")])
#: paths of one machine, and files outside the repository
MACHINE = re.compile(r"(?<![\w.])/(work|tmp|home|root|Users|opt)/|\.\./shared/|shared/reference/"
                     r"|methods_survey\.md|peers\.md")
FENCE = re.compile(r"```(bash|sh|shell|console)\n(.*?)```", re.DOTALL)


def _rel(p: Path) -> str:
    return p.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("page", PAGES, ids=_rel)
def test_no_machine_paths_and_no_sources_outside_the_repo(page: Path) -> None:
    bad = [f"{_rel(page)}:{i}: {line.strip()}"
           for i, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1)
           if MACHINE.search(line)]
    assert not bad, "\n".join(bad)


def test_every_peer_environment_is_made_by_the_bench_script() -> None:
    script = (ROOT / "bench" / "make_peer_envs.sh").read_text(encoding="utf-8")
    used = set()
    for page in PAGES:
        used |= set(re.findall(r"bench/\.venv-([A-Za-z0-9_-]+)", page.read_text(encoding="utf-8")))
    assert used, "no peer environment found in the docs: the pattern is wrong"
    missing = sorted(u for u in used if f".venv-{u}" not in script
                     and not re.search(rf"make_venv {re.escape(u)} ", script))
    assert not missing, f"peer environments no script creates: {missing}"


def _commands() -> list[tuple[str, list[str]]]:
    found = []
    for page in PAGES:
        for block in FENCE.findall(page.read_text(encoding="utf-8")):
            text = block[1].replace("\\\n", " ")
            for line in text.splitlines():
                for part in re.split(r"&&|;|\|", line.split(" #")[0]):
                    try:
                        words = shlex.split(part.strip()) if part.strip() else []
                    except ValueError:  # a quote spanning lines (python -c "...")
                        words = part.split()
                    while words and "=" in words[0] and not words[0].startswith("-"):
                        words.pop(0)  # VAR=value before the command
                    if words and Path(words[0]).name == "metrocircle":
                        found.append((_rel(page), words[1:]))
    return found


COMMANDS = _commands()


def test_the_docs_have_metrocircle_commands() -> None:
    assert len(COMMANDS) >= 20


@pytest.mark.parametrize("where,args", COMMANDS,
                         ids=[f"{w}:{' '.join(a[:2])}" for w, a in COMMANDS])
def test_every_documented_command_parses(where: str, args: list[str]) -> None:
    cmd = typer.main.get_command(app)
    rest = list(args)
    while hasattr(cmd, "get_command") and rest and not rest[0].startswith("-"):
        name = rest.pop(0)
        sub = cmd.get_command(cmd.make_context("metrocircle", [name, "--help"],
                                               resilient_parsing=True), name)
        assert sub is not None, f"{where}: no command {name!r}"
        cmd = sub
    if "--help" in rest or hasattr(cmd, "get_command"):
        return  # help, or a group named alone
    try:
        cmd.make_context(cmd.name or "", rest)
    except UsageError as err:
        pytest.fail(f"{where}: metrocircle {' '.join(args)}: {err.format_message()}")
