"""A small hand-made region with boundaries, written as a project folder: seven square units in
a row (the core at one end), commuting that falls with distance, a census with two industries,
a reference scope, and unit names that an HTML page must escape."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

UNITS = ["U0", "U1", "U2", "U3", "U4", "U5", "U6"]
#: Names from data that must reach the report as text, never as markup.
NAMES = {"U0": "Core City", "U1": "Ring One", "U2": "Ring Two",
         "U3": '<script>alert("x")</script>', "U4": 'Smith & "Sons" <b>',
         "U5": "Far Five", "U6": "Far Six"}
#: share of each unit's employed residents working in the core U0
TO_CORE = {"U1": 0.40, "U2": 0.20, "U3": 0.12, "U4": 0.06, "U5": 0.02, "U6": 0.01}

PROJECT = """
[project]
name = "tiny-report"
title = "A tiny region <with> a report"
description = "Seven squares in a row; the commuting is hand-made."

[inputs.units]
file = "units.csv"
id = "code"
columns = { name = "label", population = "pop", urban_population = "urban", lon = "x", lat = "y" }
note = "hand-made units"

[inputs.boundaries]
file = "boundaries.geojson"
id = "code"
note = "hand-made squares"

[inputs.adjacency]
file = "adjacency.csv"

[inputs.cores]
units = ["U0"]
area_id = "metro"

[inputs.census]
file = "census.csv"
id = "code"

[inputs.reference]
units = ["U0", "U1", "U2", "U3"]
name = "the plan"
note = "a hand-made plan"

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
note = "a gravity model of the population"

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
params = { random_state = 1 }

[steps.industry]
industries = "ind_*"
strip_prefix = "ind_"
reference_units = ["REF"]

[steps.indicators]
flows = "commuting"
"""


def square(lon: float, lat: float, half: float = 0.075) -> dict:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half],
            [lon - half, lat + half], [lon - half, lat - half]]
    return {"type": "Polygon", "coordinates": [ring]}


def write_region(folder: Path, *, boundaries: bool = True) -> Path:
    """Write the region into ``folder`` (without ``[inputs.boundaries]`` when ``boundaries``
    is False); return the path of its project file."""
    folder.mkdir(parents=True, exist_ok=True)
    pop = [500_000, 120_000, 90_000, 80_000, 60_000, 50_000, 40_000]
    xs = [106.0 + 0.15 * i for i in range(7)]
    pd.DataFrame({
        "code": UNITS, "label": [NAMES[u] for u in UNITS], "pop": pop,
        "urban": [int(p * (0.9 if i == 0 else 0.5)) for i, p in enumerate(pop)],
        "x": xs, "y": [29.5] * 7,
    }).to_csv(folder / "units.csv", index=False)
    features = [{"type": "Feature", "properties": {"code": u}, "geometry": square(x, 29.5)}
                for u, x in zip(UNITS, xs, strict=True)]
    (folder / "boundaries.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    rows = [("U0", "U0", 200_000)]
    for u, share in TO_CORE.items():
        employed = 40_000
        rows += [(u, "U0", round(employed * share)), (u, u, round(employed * (1 - share)))]
    rows += [("U5", "U6", 3_000), ("U6", "U5", 2_500), ("U4", "U5", 1_000)]
    pd.DataFrame(rows, columns=["home", "work", "n"]).to_csv(folder / "flows.csv", index=False)
    pd.DataFrame({"unit_a": UNITS[:-1], "unit_b": UNITS[1:]}).to_csv(
        folder / "adjacency.csv", index=False)
    pd.DataFrame({"code": [*UNITS, "REF"],
                  "ind_A_agriculture": [10, 50, 60, 70, 80, 90, 95, 455],
                  "ind_C_manufacturing": [300, 80, 70, 40, 30, 20, 10, 550]}).to_csv(
        folder / "census.csv", index=False)
    text = PROJECT
    if not boundaries:
        start = text.index("[inputs.boundaries]")
        end = text.index("[inputs.adjacency]")
        text = text[:start] + text[end:]
    path = folder / "project.toml"
    path.write_text(text, encoding="utf-8")
    return path
