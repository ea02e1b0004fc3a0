"""A small hand-made region with polygons, written as a project and run, for the dashboard tests;
and the one way the tests start Debian's Chromium.

Seven square units in a row, the core U0 at the west end; the share of each unit's employed
residents working in U0 falls with distance (U1 40 %, U2 20 %, U3 12 %, U4 6 %, U5 2 %, U6 1 %),
so that cn-commuting's ``close_share`` (10 %) admits U1-U3 and 5 % admits U4 too. Unit U3 is
named like a script and U5 like an HTML image with an ``onerror`` handler: the page must show
both names as text.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

UNITS = ["U0", "U1", "U2", "U3", "U4", "U5", "U6"]
TO_CORE = {"U1": 0.40, "U2": 0.20, "U3": 0.12, "U4": 0.06, "U5": 0.02, "U6": 0.01}
SCRIPT_NAME = "<script>window.__xss = 1</script>"
IMG_NAME = '<img src="x" onerror="window.__xss = 2">'
NAMES = {u: f"Unit {u}" for u in UNITS} | {"U3": SCRIPT_NAME, "U5": IMG_NAME}
WEST, SOUTH, SIZE = 106.0, 29.4, 0.15

PROJECT = """
[project]
name = "toy"
title = "A toy region with polygons"

[inputs.units]
file = "units.csv"
id = "code"
columns = { name = "label", population = "pop", lon = "x", lat = "y" }

[inputs.boundaries]
file = "boundaries.geojson"
id = "code"

[inputs.adjacency]
file = "adjacency.csv"

[inputs.cores]
units = ["U0"]
area_id = "metro"

[layers.commuting]
kind = "commuting"
source = "real"
file = "flows.csv"
columns = { origin = "home", destination = "work", value = "n" }
note = "hand-made commuting"

[layers.gravity]
kind = "other"
source = "modelled"
model = "gravity"
params = { mass = ["population"], b = 2.0 }

[steps.access]
road_speed_kmh = 60.0

[steps.strength]
layers = ["gravity", "commuting"]

[steps.delineation]
method = "cn-commuting"
layers = ["commuting"]
params = { close_share = 0.10 }

[steps.roles]
flows = "commuting"
strength = "fused"

[steps.groups]
method = "leiden"
flows = "commuting"
params = { random_state = 1, stability_runs = 2 }
"""


def write_toy(folder: Path) -> Path:
    """Write the toy project into ``folder``; return its project file."""
    folder.mkdir(parents=True, exist_ok=True)
    pop = [500_000, 120_000, 90_000, 80_000, 60_000, 50_000, 40_000]
    xs = [WEST + SIZE * (i + 0.5) for i in range(len(UNITS))]
    pd.DataFrame({"code": UNITS, "label": [NAMES[u] for u in UNITS], "pop": pop, "x": xs,
                  "y": [SOUTH + SIZE / 2] * len(UNITS)}).to_csv(folder / "units.csv",
                                                                 index=False)
    rows = [("U0", "U0", 200_000)]
    for u, share in TO_CORE.items():
        rows += [(u, "U0", round(40_000 * share)), (u, u, round(40_000 * (1 - share)))]
    pd.DataFrame(rows, columns=["home", "work", "n"]).to_csv(folder / "flows.csv", index=False)
    pd.DataFrame({"unit_a": UNITS[:-1], "unit_b": UNITS[1:]}).to_csv(folder / "adjacency.csv",
                                                                     index=False)
    features = []
    for i, u in enumerate(UNITS):
        w, s = WEST + SIZE * i, SOUTH
        ring = [[w, s], [w + SIZE, s], [w + SIZE, s + SIZE], [w, s + SIZE], [w, s]]
        features.append({"type": "Feature", "properties": {"code": u},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    (folder / "boundaries.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "features": features}), encoding="utf-8")
    path = folder / "project.toml"
    path.write_text(PROJECT, encoding="utf-8")
    return path


def run_toy(folder: Path) -> Path:
    """Write and run the toy project; return its run folder."""
    from metrocircle.project import load_project, run_project

    project = write_toy(folder / "project")
    out = folder / "run"
    run_project(load_project(project), out)
    return out


# ------------------------------------------------------------------------------- the browser
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
    # WebGL for MapLibre without a GPU
    "--use-gl=swiftshader", "--enable-unsafe-swiftshader",
]


def chromium_path() -> str:
    """Debian's Chromium; a clear failure (never a skip) when it is not installed."""
    found = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).is_file() else None)
    if found is None:
        pytest.fail("Debian's chromium is not installed: 'apt-get install chromium' "
                    "(scripts/test installs it when missing)")
    return found


def launch(playwright):  # noqa: ANN001, ANN201 - playwright's own types
    """Chromium headless through Playwright, with the system browser (never a download)."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS,
                                      headless=True)
