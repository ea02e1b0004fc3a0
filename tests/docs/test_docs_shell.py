"""Docs that run (issue 16.9): every fenced shell block of the README and docs/ runs as written.

Each page is one test. Its shell blocks (```bash, ```sh, ```shell, ```console) run in page order,
each as one ``bash -e -o pipefail`` script, in one working directory per page that holds a fresh
copy of the repository's tracked files (what a fresh clone has), with the installed
``metrocircle`` entry point (the bin folder of the interpreter running the tests) first on PATH.
A block that uses the output of an earlier block of its page finds it there.

A command is left out only when it is in :data:`SKIP`, with the reason. Every entry of
:data:`SKIP` must match exactly one documented command, so the list cannot go stale.

``metrocircle demo --out out/demo`` (the default demo, about a minute) runs once per session,
as written, through the entry point in a fresh working directory (the ``default_demo`` fixture
of ``tests/conftest.py``, also read by ``tests/demo``); a page that gives that exact command
gets a copy of that run's folder in its working directory. The demo is deterministic (seeded),
so the copy is what running the command again would write. In the same way, when several pages
start with the same blocks (the README and docs/project.md both run
``metrocircle init my-region --example chongqing`` and its run), the first page to run them
keeps a copy of the working directory and the others start from it; every page works in the
same folder path, so nothing in the copy names another folder. The pages that share a state or
the demo carry one ``xdist_group``, so that under ``-n 2 --dist loadgroup`` one worker makes it
once.

scripts/test runs the suite twice (at the locked and at the lowest versions); the shell blocks
run in the locked pass, at the versions the README installs, and say so as a skip in the other.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
FENCE = re.compile(r"^( *)```(bash|sh|shell|console)[ \t]*\n(.*?)^\1```", re.DOTALL | re.M)
DEMO = "metrocircle demo --out out/demo"

SERVER = "starts a server that runs until stopped; tests/dashboard starts it on a run folder"
TEMPLATE = ("a template for the reader's own files ({}), none of which ships; the page's "
            "runnable example with --example chongqing runs the same command")
#: (page, start of the command) -> why it does not run in the test suite. Keep it short.
SKIP: dict[tuple[str, str], str] = {
    ("README.md", "python3 -m venv .venv && .venv/bin/pip install"):
        "installs packages (the test suite runs inside that install); its last part, "
        f"'{DEMO}', runs once per session (default_demo fixture)",
    ("README.md", "bash scripts/test"): "runs the whole test suite, of which this test is one",
    ("README.md", "metrocircle serve out/demo"): SERVER,
    ("README.md", "metrocircle delineate omb-cbsa --flows flows.csv"):
        "a template for the reader's own files (flows.csv, central_counties.csv, "
        "county_adjacency.csv); docs/methods/omb-cbsa.md runs omb-cbsa on the shipped US files",
    ("docs/access.md", "metrocircle access --units units.csv"):
        TEMPLATE.format("units.csv, stop_times.csv, trips.csv, stations.csv, cores.csv"),
    ("docs/dashboard.md", "metrocircle serve out/demo"): SERVER,
    ("docs/dashboard.md", "metrocircle serve out/us-cbsa --port 8766"): SERVER,
    ("docs/dashboard.md", "metrocircle run project.toml --out out/demo-close-0.07"):
        "needs the project.toml that the dashboard's Export button downloads; "
        "tests/dashboard/test_dashboard_browser.py downloads it and runs it",
    ("docs/dashboard.md", "METROCIRCLE_UPDATE_DOCS_IMAGES=1"):
        "re-draws the page's screenshots with a browser (tests/dashboard runs that test)",
    ("docs/demo.md", "metrocircle demo --out out/demo --users 100000 --days 14 --engine spark"):
        "the large Spark variant (100,000 people, 14 days: minutes); the Spark engine is "
        "compared with DuckDB's in tests/signaling/test_parity.py",
    ("docs/industry.md", "metrocircle industry --table firms_by_sector.csv"):
        TEMPLATE.format("firms_by_sector.csv, units.csv"),
    ("docs/industry.md", "metrocircle industry --table census.csv"):
        TEMPLATE.format("census.csv"),
    ("docs/industry.md", "metrocircle industry --table jobs.csv"):
        TEMPLATE.format("jobs.csv, plants.csv, firms.csv"),
    ("docs/roles.md", "metrocircle roles --example chongqing --out roles-cq/"):
        "simulates the project's 30,000 people again (about half a minute, minutes under "
        "load); the page's quick variant with --users 2000 runs",
    ("docs/project.md", "metrocircle run my-region/project.toml --out out/my-region --no-cache"):
        "runs every step of the chain again (the whole demo's work, about a minute, several "
        "under load) only to show the option; tests/project/test_project_cache.py runs "
        "--no-cache on a small project and checks that every step ran",
    ("docs/roles.md", "metrocircle roles --flows od.csv"):
        TEMPLATE.format("od.csv, units.csv, cores.csv, chengdu.csv, travel_times.csv, "
                        "plan_overrides.csv"),
    ("docs/scenarios.md", "metrocircle init my-chongqing --example chongqing"):
        "runs as written in tests/docs/test_scenarios_docs.py, which also compares what it "
        "prints with the page",
    ("docs/scenarios.md", "metrocircle run my-chongqing/project.toml"):
        "runs as written in tests/docs/test_scenarios_docs.py, which also compares what it "
        "prints with the page",
    ("docs/signaling.md", "metrocircle od --records sim/records.parquet --cells sim/cells.csv "
                          "--engine spark"):
        "starts a Spark session (about half a minute before any work); the Spark engine's OD "
        "is compared with DuckDB's on simulated records in tests/signaling/test_parity.py",
    ("docs/signaling.md", "metrocircle od --records gps.csv"):
        "a template for the reader's own files (gps.csv, districts.geojson), none of which "
        "ships; the page's simulated records run the same command",
    ("docs/signaling.md", "bash bench/make_peer_envs.sh trackintel"):
        "installs a peer (trackintel) in its own environment under bench/",
    ("docs/signaling.md", "bench/.venv-trackintel/bin/python"):
        "runs in the peer environment that the command before it installs",
    ("docs/signaling.md", "PYTHONPATH=src:tests/signaling:bench/signaling"):
        "compares with the labels the peer environment wrote (the command before it)",
    ("docs/strength.md", "metrocircle strength --example chongqing --out out/strength"):
        "runs as written in tests/strength/test_strength_cli.py (through the CLI's main; about "
        "30 s, it simulates the project's signaling)",
    ("docs/uncertainty.md", "metrocircle uncertainty omb-cbsa --example us-cbsa-2010 --moe-col "
                            "moe --replicates 1000"):
        "1,000 replicates of the 3,221 US counties (about 35 s); the page's quick variant "
        "with 100 replicates runs",
    ("docs/uncertainty.md", "PYTHONPATH=src python bench/robustness/uncertainty_vs_omb.py"):
        "a bench/ script: 1,000 replicates again against OMB's list (about 40 s), run by hand "
        "like every benchmark",
    ("docs/methods/cn-multisource.md", "python bench/multisource/chongqing_multisource.py"):
        "a bench/ script (about 30 s: it simulates the demo's signaling again and runs every "
        "variant); its default run is the demo's delineation, whose figures "
        "tests/demo/test_demo.py checks against the same numbers on docs/demo.md, and "
        "tests/datasets/test_chongqing_layers.py checks the gate's minutes and the variant "
        "without commuting",
    ("docs/strength.md", "metrocircle strength --units units.csv --travel-times out/access"):
        TEMPLATE.format("units.csv, od.csv, firms.csv, cores.csv"),
    ("docs/strength.md", "metrocircle strength --units units.csv --travel-times tt.csv"):
        TEMPLATE.format("units.csv, tt.csv, od.csv, ahp.csv"),
}
#: Pages whose every command is a benchmark or a peer's install: minutes of work each, run by
#: hand (docs/BENCHMARKS.md says so).
SKIP_PAGES: dict[str, str] = {
    "docs/BENCHMARKS.md": "benchmarks: each runs for minutes on large inputs and installs "
                          "peers in their own environments (bench/make_peer_envs.sh)",
}


@dataclass
class Command:
    page: str
    line: int  # line number of the command's first line on the page
    text: str  # the command with its continuation lines, comments kept

    @property
    def flat(self) -> str:
        """The command on one line, its trailing comment removed."""
        lines = [x for x in self.text.splitlines() if not x.lstrip().startswith("#")]
        return " ".join("\n".join(lines).replace("\\\n", " ").split(" #")[0].split())


@dataclass
class Block:
    page: str
    line: int
    commands: list[Command]


def _rel(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def blocks_of(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    out = []
    for m in FENCE.finditer(text):
        first = text[: m.start(3)].count("\n") + 1
        indent = len(m.group(1))
        commands: list[Command] = []
        pending: list[str] = []  # lines of the command being read
        comments: list[str] = []  # comment lines before it, kept with it
        start = first
        for i, raw in enumerate(m.group(3).splitlines()):
            line = raw[indent:] if raw[:indent].strip() == "" else raw
            if not pending and (not line.strip() or line.lstrip().startswith("#")):
                comments += [line] if line.strip() else []
                continue
            if not pending:
                start = first + i
            pending.append(line)
            if line.rstrip().endswith("\\"):
                continue
            commands.append(Command(_rel(page), start, "\n".join(comments + pending)))
            pending, comments = [], []
        out.append(Block(_rel(page), first, commands))
    return out


BLOCKS = {_rel(p): blocks_of(p) for p in PAGES}
ALL_COMMANDS = [c for bs in BLOCKS.values() for b in bs for c in b.commands]


def skip_reason(cmd: Command) -> str | None:
    if cmd.page in SKIP_PAGES:
        return SKIP_PAGES[cmd.page]
    for (page, start), reason in SKIP.items():
        if page == cmd.page and cmd.flat.startswith(start):
            return reason
    return None


def test_every_skip_entry_matches_one_documented_command() -> None:
    for (page, start) in SKIP:
        hits = [c for c in ALL_COMMANDS if c.page == page and c.flat.startswith(start)]
        assert len(hits) == 1, f"SKIP entry {page}: {start!r} matches {len(hits)} commands"
    for page in SKIP_PAGES:
        assert BLOCKS.get(page), f"SKIP_PAGES entry {page} has no shell block"


def test_the_docs_have_shell_blocks_and_most_run() -> None:
    ran = [c for c in ALL_COMMANDS if skip_reason(c) is None]
    assert len(ALL_COMMANDS) >= 60 and len(ran) >= 40, (len(ALL_COMMANDS), len(ran))


def fresh_clone(dest: Path) -> Path:
    """A copy of the repository's tracked files, as a fresh clone has them."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                                capture_output=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: every file
        listed = [p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*") if p.is_file()
                  and not any(part.startswith(".") or part in ("out", "__pycache__")
                              for part in p.relative_to(ROOT).parts)]
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    return dest


def shell_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("PYTHONPATH", None)
    env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    return env


def _runnable(block: Block) -> list[Command]:
    return [c for c in block.commands if skip_reason(c) is None]


def _keys(page: str) -> list[tuple[str, ...]]:
    """After each block that runs: every command the page ran so far (its state's key)."""
    done: tuple[str, ...] = ()
    out = []
    for block in BLOCKS[page]:
        if _runnable(block):
            done += tuple(c.flat for c in _runnable(block))
            out.append(done)
    return out


#: States that several pages reach by the same commands from a fresh clone (e.g. the README
#: and docs/project.md both start with 'metrocircle init my-region --example chongqing' and
#: its run): the first page to get there keeps a copy, the others start from it.
_COUNT: dict[tuple[str, ...], set[str]] = {}
for _page in BLOCKS:
    for _key in _keys(_page):
        _COUNT.setdefault(_key, set()).add(_page)
SHARED = {k: pages for k, pages in _COUNT.items() if len(pages) > 1}
_STATES: dict[tuple[str, ...], Path] = {}


def run_page(page: str, workdir: Path, demo_folder: Path | None,
             keep: Path) -> list[tuple[int, float]]:
    """Run the page's blocks in order in ``workdir``; fail naming the block and its output.
    Returns each block's first line and seconds (0 for a state taken from another page)."""
    timings = []
    done: tuple[str, ...] = ()
    for block in BLOCKS[page]:
        commands = _runnable(block)
        if not commands:
            continue
        done += tuple(c.flat for c in commands)
        if done in _STATES:  # another page ran the same commands from a fresh clone
            shutil.rmtree(workdir)
            shutil.copytree(_STATES[done], workdir, symlinks=True)
            timings.append((block.line, 0.0))
            continue
        script = []
        for cmd in commands:
            if cmd.flat == DEMO and demo_folder is not None \
                    and not (workdir / "out" / "demo").exists():
                shutil.copytree(demo_folder, workdir / "out" / "demo", symlinks=True)
                continue
            script.append(cmd.text)
        start = time.perf_counter()
        if script:
            done_run = subprocess.run(
                ["bash", "-e", "-o", "pipefail", "-c", "\n".join(script)], cwd=workdir,
                env=shell_env(), capture_output=True, text=True, timeout=900)
            if done_run.returncode != 0:
                pytest.fail(f"{page}:{block.line}: the shell block fails (exit "
                            f"{done_run.returncode}):\n" + "\n".join(script)
                            + f"\n--- stdout ---\n{done_run.stdout[-3000:]}"
                            f"\n--- stderr ---\n{done_run.stderr[-3000:]}")
        timings.append((block.line, time.perf_counter() - start))
        if done in SHARED:
            _STATES[done] = keep / f"state-{len(_STATES)}"
            shutil.copytree(workdir, _STATES[done], symlinks=True)
    return timings


def _needs_demo(page: str) -> bool:
    return any(c.flat == DEMO for b in BLOCKS[page] for c in _runnable(b))


def _group(page: str) -> str | None:
    """The xdist group of a page: with the default demo, or with the pages it shares a state
    with (one worker runs them, so the state is made once)."""
    if _needs_demo(page):
        return "default-demo"
    sharing = sorted({p for pages in SHARED.values() if page in pages for p in pages})
    return "docs-shell:" + sharing[0] if sharing else None


RUN_PAGES = [p for p, bs in BLOCKS.items() if any(_runnable(b) for b in bs)]


@pytest.mark.parametrize(
    "page", [pytest.param(p, marks=pytest.mark.xdist_group(_group(p))) if _group(p) else p
             for p in RUN_PAGES])
def test_shell_blocks_run_as_written(page: str, tmp_path_factory: pytest.TempPathFactory,
                                     request: pytest.FixtureRequest) -> None:
    if os.environ.get("METROCIRCLE_TEST_CONSTRAINTS") == "lowest":
        pytest.skip("the docs' shell blocks run in the locked pass of scripts/test, at the "
                    "versions the README installs (constraints/locked.txt); this pass "
                    "tests the lower bounds of pyproject.toml")
    demo = request.getfixturevalue("default_demo") if _needs_demo(page) else None
    # one path for every page of this process, so that a state kept by one page (its files
    # may name their folder) is the same for another
    workdir = tmp_path_factory.getbasetemp() / "docs-shell" / "clone"
    if workdir.exists():
        shutil.rmtree(workdir)
    fresh_clone(workdir)
    keep = tmp_path_factory.getbasetemp() / "docs-shell" / "kept"
    keep.mkdir(parents=True, exist_ok=True)
    timings = run_page(page, workdir, demo, keep)
    assert timings, f"{page}: no block ran"
