"""Shared fixtures. Tests are deterministic and never touch the network or ../shared."""

from __future__ import annotations

import os

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ.setdefault("PYARROW_IGNORE_TIMEZONE", "1")

import subprocess
import sys
from pathlib import Path

import pytest

#: The README's main command, as written (docs/demo.md, docs/report.md, docs/dashboard.md).
DEFAULT_DEMO = ["metrocircle", "demo", "--out", "out/demo"]


@pytest.fixture(scope="session")
def default_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``metrocircle demo --out out/demo`` run once per session (about a minute), as written,
    through the installed entry point in a fresh working directory; the run's folder.

    Tests that use it carry ``pytest.mark.xdist_group("default-demo")`` so that under xdist
    one worker runs it once."""
    work = tmp_path_factory.mktemp("default-demo")
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    done = subprocess.run(DEFAULT_DEMO, cwd=work, env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, f"{' '.join(DEFAULT_DEMO)} failed:\n{done.stderr[-3000:]}"
    return work / "out" / "demo"


#: A smaller demo (3,000 simulated people) that the demo, report and dashboard tests read.
SMALL_DEMO = ["demo", "--users", "3000", "--seed", "5", "--no-progress"]


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``metrocircle demo`` with 3,000 people, run once per test process; its folder. Tests
    only read it (one that needs to change a file copies it first)."""
    from metrocircle.cli.main import main

    out = tmp_path_factory.mktemp("small-demo") / "out"
    assert main([*SMALL_DEMO, "--out", str(out)]) in (0, None)
    return out
