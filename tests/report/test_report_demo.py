"""The report of `metrocircle demo` opened by the programs planners use: every layer of
metrocircle.gpkg in real QGIS (Debian's PyQGIS, headless), report.html in Debian's Chromium
with the network off."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pyogrio
import pytest
from report_browser import visit
from test_report import external_references

from metrocircle.model.io import read_table
from metrocircle.report.palette import STATUS_COLORS, band_colors, role_colors

SYSTEM_PYTHON = "/usr/bin/python3"
HERE = Path(__file__).parent

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("report_demo")]


@pytest.fixture(scope="module")
def demo(small_demo: Path) -> Path:
    return small_demo  # tests/conftest.py: one run per test process


def test_qgis_opens_every_layer_valid_with_its_crs_count_and_default_style(
        demo: Path, tmp_path: Path) -> None:
    gpkg = tmp_path / "metrocircle.gpkg"  # QGIS opens a copy: the run folder is shared
    shutil.copy2(demo / "metrocircle.gpkg", gpkg)
    png = tmp_path / "qgis.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([SYSTEM_PYTHON, str(HERE / "qgis_check.py"), str(gpkg), str(png)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, (
        f"PyQGIS failed (scripts/test installs python3-qgis and qgis-providers): "
        f"{proc.stderr[-2000:]}")
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["qgis"].startswith("3.")
    layers = seen["layers"]
    expected = [name for name, _ in pyogrio.list_layers(gpkg) if name != "layer_styles"]
    assert list(layers) == expected == ["units", "roles", "travel_time_bands", "flows",
                                        "city_groups", "areas"]
    roles = read_table(demo / "roles.csv")[0]
    groups = read_table(demo / "groups/membership.csv")[0]
    counts = {"units": 58, "roles": len(roles), "travel_time_bands": 58,
              "city_groups": groups["group"].nunique(), "areas": 1}
    for name, info in layers.items():
        assert info["valid"] and info["crs_valid"], name
        assert info["crs"] == "EPSG:4490", name  # the boundaries' CGCS2000
        assert info["features"] == pyogrio.read_info(gpkg, layer=name)["features"], name
        if name in counts:
            assert info["features"] == counts[name], name
    # the default style of layer_styles is applied: QGIS's renderer is ours
    assert layers["units"]["renderer"] == "categorizedSymbol"
    assert layers["units"]["field"] == "status" and layers["units"]["label_field"] == "name"
    colours = {c["value"]: c["color"] for c in layers["units"]["categories"]}
    assert colours["core"] == STATUS_COLORS["core"] and colours["member"] == STATUS_COLORS[
        "member"]
    assert layers["roles"]["field"] == "role"
    assert {c["value"]: c["color"] for c in layers["roles"]["categories"] if c["value"]} == \
        role_colors(roles["role"].unique())
    bands = {c["value"]: c["color"] for c in layers["travel_time_bands"]["categories"]
             if c["value"]}
    assert bands == band_colors(bands)
    assert layers["flows"]["renderer"] == "categorizedSymbol" and layers["flows"]["field"] == \
        "layer"
    shown = [c["value"] for c in layers["flows"]["categories"] if c["render"]]
    assert shown == ["fused"]  # the other layers are listed, ticked off
    assert layers["city_groups"]["field"] == "group"
    assert layers["areas"]["renderer"] == "singleSymbol"
    for name in ("units", "roles", "travel_time_bands", "city_groups", "areas"):
        assert layers[name]["labels"], name
    # the map rendered: a PNG of the requested size with the colours of the layers in it
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert seen["png_size"] == [1000, 800]
    assert seen["png_colours"] > 20


def test_report_opens_offline_in_chromium_without_a_failed_request(
        demo: Path, tmp_path: Path) -> None:
    page = demo / "report.html"
    assert external_references(page.read_text(encoding="utf-8")) == []
    shots = {1280: tmp_path / "desktop.png", 390: tmp_path / "phone.png"}
    seen = visit(page, screenshots=shots, filter_text="Yubei")
    assert seen.failed == []
    assert seen.console_errors == []
    assert {u for u in seen.requests if not u.startswith("data:")} == {page.resolve().as_uri()}
    assert seen.images and all(i["done"] and i["w"] > 0 for i in seen.images)
    # at phone width the page does not scroll sideways (wide tables scroll inside)
    assert seen.widths[390] <= 390
    assert seen.print_nav_display == "none"
    assert seen.filtered_rows == 1
    for png in shots.values():
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
