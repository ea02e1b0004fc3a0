"""Ctrl-C: the command stops with "Interrupted" and exit code 130, and leaves no partial output
(outputs are written to a temporary folder and swapped in only at the end)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest


def _reading(pid: int, name: str) -> bool:
    """True once the process has the input file open (its imports are done)."""
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        return any(os.readlink(fd).endswith(name) for fd in fd_dir.iterdir())
    except (FileNotFoundError, PermissionError, OSError):
        return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs Linux /proc")
def test_ctrl_c_exits_130_and_leaves_no_partial_folder(tmp_path):
    rng = np.random.default_rng(7)
    n, m = 3000, 200_000
    o = rng.integers(0, n, m)
    d = (o + rng.integers(-30, 30, m)) % n
    flows = pd.DataFrame({"origin": o, "destination": d, "value": rng.integers(1, 50, m)})
    flows = flows[flows.origin != flows.destination].groupby(
        ["origin", "destination"], as_index=False).sum()
    diag = pd.DataFrame({"origin": range(n), "destination": range(n),
                         "value": rng.integers(500, 2000, n)})
    src = tmp_path / "inputs"
    src.mkdir()
    pd.concat([flows, diag]).to_csv(src / "big_flows.csv", index=False)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "metrocircle.cli.main", "delineate", "ttwa-lma",
         "--flows", str(src / "big_flows.csv"), "--out", str(out), "--no-progress"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # as from a terminal: pytest-xdist workers ignore SIGINT, and a child inherits that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not _reading(proc.pid, "big_flows.csv"):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the command never opened its input"
        time.sleep(0.005)
    # The signal lands while the command reads and checks its input: well before it ends (a
    # signal that arrives while the interpreter shuts down, after the work, cannot count).
    assert proc.poll() is None, "the command finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Interrupted" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inputs"]
