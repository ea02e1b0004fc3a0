"""Fixtures of the dashboard tests: the toy region run once per module, a server on a free
loopback port, and Debian's Chromium through Playwright (see dashboard_cases.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_cases import run_toy

from metrocircle.dashboard import DashboardServer, make_server, serve_in_thread


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run folder of the toy project."""
    return run_toy(tmp_path_factory.mktemp("toy"))


@pytest.fixture(scope="module")
def toy_server(toy_run: Path) -> Iterator[DashboardServer]:
    server = make_server(toy_run, port=0)
    serve_in_thread(server)
    yield server
    server.shutdown()
    server.server_close()
