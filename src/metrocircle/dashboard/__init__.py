"""The local dashboard: ``metrocircle serve RUN_DIR`` shows a run folder on a map and re-runs
its delineation with other thresholds.

The page (``static/``) and MapLibre GL JS (``static/vendor/maplibre-gl``, see its README) ship
inside the package: the page loads nothing from outside the machine. See ``docs/dashboard.md``.
"""

from __future__ import annotations

from metrocircle.dashboard.run_folder import RunFolder
from metrocircle.dashboard.server import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    Dashboard,
    DashboardServer,
    make_server,
    serve_in_thread,
)
from metrocircle.dashboard.session import Redelineation, sliders

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "Dashboard",
    "DashboardServer",
    "Redelineation",
    "RunFolder",
    "make_server",
    "serve_in_thread",
    "sliders",
]
