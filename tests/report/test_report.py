"""The report of a run: maps and charts in maps/, a self-contained report.html and a styled
metrocircle.gpkg, written by the run itself from the run folder's files, for a project with
boundaries, one without, and the US example."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from report_cases import NAMES, UNITS, write_region

from metrocircle.model.io import read_table
from metrocircle.project import example_path, load_project, run_project
from metrocircle.report.gpkg import LAYER_STYLES_SQL
from metrocircle.report.palette import ROLE_COLORS, STATUS_COLORS

FIGURES = {"area", "comparison", "roles", "isochrones", "membership_degree",
           "flows_commuting", "flows_gravity", "flows_fused", "groups", "industry",
           "reasons", "weights", "indicators"}


def external_references(page: str) -> list[str]:
    """Every reference of a page to something outside it: URLs with a scheme or ``//``,
    ``src``/``href`` that are not ``data:`` or ``#``, CSS ``url()`` and ``@import``."""
    found = re.findall(r"(?i)\b(?:https?|ftp|file|ws|wss):", page)
    for m in re.finditer(r"(?i)\b(?:src|href|action|poster|srcset|xlink:href)\s*=\s*"
                         r"(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", page):
        value = next(g for g in m.groups() if g is not None)
        if not value.startswith(("data:", "#")):
            found.append(value)
    found += [u for u in re.findall(r"(?i)url\(\s*[\"']?([^)\"']*)", page)
              if not u.startswith(("data:", "#"))]
    found += re.findall(r"(?i)@import", page)
    found += re.findall(r"(?i)[\"'(]//[a-z0-9]", page)
    return found


class Tables(HTMLParser):
    """The text of every cell of the table with a given id."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.rows, self.cell = table_id, False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def table_rows(page: str, table_id: str) -> pd.DataFrame:
    parser = Tables(table_id)
    parser.feed(page)
    header, *rows = parser.rows
    return pd.DataFrame(rows, columns=header)


def test_the_run_writes_the_report_and_lists_it(region: Path) -> None:
    run = json.loads((region / "run.json").read_text())
    step = run["steps"]["report"]
    assert step["status"] == "ran"
    assert set(step["info"]["figures"]) == FIGURES
    assert step["info"]["notes"] == []
    assert step["info"]["gpkg_layers"] == {"units": 7, "roles": 4, "travel_time_bands": 7,
                                           "flows": step["info"]["gpkg_layers"]["flows"],
                                           "city_groups": step["info"]["gpkg_layers"][
                                               "city_groups"], "areas": 1}
    for name in FIGURES:
        for suffix in ("png", "svg"):
            rel = f"maps/{name}.{suffix}"
            assert rel in run["files"], rel
            assert hashlib.sha256((region / rel).read_bytes()).hexdigest() == run["files"][rel]
        assert (region / f"maps/{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for rel in ("report.html", "metrocircle.gpkg"):
        assert rel in run["files"]
    assert "| report | ran |" in (region / "summary.md").read_text()


def svg_text(path: Path) -> str:
    root = ET.parse(path).getroot()  # a well-formed SVG
    return " ".join(t.strip() for t in root.itertext() if t.strip())


def test_every_caption_states_the_source_of_its_data(region: Path) -> None:
    """The caption of each figure names its data as real or modelled (from run.json)."""
    expect = {
        "flows_commuting": ["commuting, REAL: hand-made commuting"],
        "flows_gravity": ["other, MODELLED: a gravity model of the population"],
        "flows_fused": ["MODELLED"],
        "area": ["Delineation 'cn-commuting'", "REAL: hand-made commuting",
                 "hand-made squares (REAL)"],
        "comparison": ["a hand-made plan (REAL)"],
        "reasons": ["REAL: hand-made commuting"],
        "weights": ["MODELLED: a gravity model", "REAL: hand-made commuting"],
        "membership_degree": ["Fused index", "MODELLED"],
        "roles": ["REAL: hand-made commuting", "MODELLED"],
        "isochrones": ["roads modelled", "(MODELLED)"],
        "groups": ["REAL: hand-made commuting"],
        "industry": ["Census (REAL)"],
        "indicators": ["Units: hand-made units (REAL)", "REAL: hand-made commuting"],
    }
    for name, parts in expect.items():
        text = re.sub(r"\s+", " ", svg_text(region / f"maps/{name}.svg"))
        for part in parts:
            assert part in text, (name, part)


def test_report_html_is_self_contained_and_escapes_names(region: Path) -> None:
    page = (region / "report.html").read_text(encoding="utf-8")
    assert external_references(page) == []
    assert page.count("<script") == 1  # ours, inline; the unit named <script> is text
    assert '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;' in page
    assert "Smith &amp; &quot;Sons&quot; &lt;b&gt;" in page
    assert "<b>\n" not in page and "alert(\"x\")" not in page
    assert "<title>A tiny region &lt;with&gt; a report</title>" in page
    # every figure inline, as PNG data
    assert page.count('src="data:image/png;base64,') == len(FIGURES)
    # print and phone-width styles
    assert "@media print" in page and "@media (max-width:640px)" in page


def test_the_explanation_table_is_every_unit_with_its_rule_margin_and_role(region: Path):
    page = (region / "report.html").read_text(encoding="utf-8")
    shown = table_rows(page, "units-table").set_index("code")
    m = read_table(region / "membership.csv")[0].set_index("unit_id")
    roles = read_table(region / "roles.csv")[0].set_index("unit_id")
    assert sorted(shown.index) == sorted(UNITS)
    for uid in UNITS:
        row = shown.loc[uid]
        assert row["name"] == NAMES[uid]  # unescaped back to the same text
        assert row["status"] == m.loc[uid, "status"]
        assert row["rule"] == m.loc[uid, "rule"]
        for col in ("value", "threshold", "margin"):
            raw = m.loc[uid, col]
            assert row[col] == ("" if raw == "" else f"{float(raw):.3f}"), (uid, col)
        if uid in roles.index:
            assert row["role"] == roles.loc[uid, "role"]
            assert row["why this role"] == roles.loc[uid, "reason"]
        else:
            assert row["role"] == ""


def test_geopackage_layers_have_a_crs_and_a_default_qgis_style(region: Path) -> None:
    gpkg = region / "metrocircle.gpkg"
    layers = {name: geom for name, geom in pyogrio.list_layers(gpkg)}
    assert list(layers) == ["units", "roles", "travel_time_bands", "flows", "city_groups",
                            "areas", "layer_styles"]
    assert layers["flows"] == "LineString" and layers["layer_styles"] is None
    for name in list(layers)[:-1]:
        info = pyogrio.read_info(gpkg, layer=name)
        assert info["crs"] == "EPSG:4326", name
        assert info["features"] > 0, name
    units = pyogrio.read_dataframe(gpkg, layer="units")
    m = read_table(region / "membership.csv")[0]
    merged = units.merge(m, on="unit_id", suffixes=("", "_csv"))
    assert (merged["status"] == merged["status_csv"]).all()
    assert set(units["name"]) == set(NAMES.values())
    con = sqlite3.connect(gpkg)
    try:
        sql = con.execute("SELECT sql FROM sqlite_master WHERE name = 'layer_styles'").fetchone()
        assert sql[0] == LAYER_STYLES_SQL.replace("IF NOT EXISTS ", "")
        assert con.execute("SELECT data_type FROM gpkg_contents WHERE table_name = "
                           "'layer_styles'").fetchone() == ("attributes",)
        rows = con.execute("SELECT f_table_name, f_geometry_column, useAsDefault, styleQML "
                           "FROM layer_styles ORDER BY id").fetchall()
    finally:
        con.close()
    assert [r[0] for r in rows] == list(layers)[:-1]
    styles = {r[0]: ET.fromstring(r[3].split("\n", 1)[1]) for r in rows}
    assert all(r[1] == "geom" and r[2] == 1 for r in rows)
    field = {"units": "status", "roles": "role", "travel_time_bands": "band",
             "flows": "layer", "city_groups": "group"}
    for name, attr in field.items():
        renderer = styles[name].find("renderer-v2")
        assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == attr
    assert styles["areas"].find("renderer-v2").get("type") == "singleSymbol"
    cats = {c.get("value"): c for c in styles["units"].iter("category")}
    assert set(cats) == {"core", "member", "outside", ""}
    # the colours of the maps: core red in QGIS too
    color = styles["units"].find(".//symbol[@name='0']//Option[@name='color']").get("value")
    assert color == "178,24,43,255" and STATUS_COLORS["core"] == "#b2182b"
    role_values = [c.get("value") for c in styles["roles"].iter("category")]
    assert role_values[0] == "core" and ROLE_COLORS["core"] == STATUS_COLORS["core"]
    for name in ("units", "roles", "travel_time_bands", "city_groups", "areas"):
        assert styles[name].get("labelsEnabled") == "1", name
    text_style = styles["units"].find(".//text-style")
    assert text_style.get("fieldName") == "name"


def test_a_second_run_takes_the_report_from_the_cache(region: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    project = load_project(region / "project.toml")
    run_project(project, again)
    first = json.loads((again / "run.json").read_text())["steps"]["report"]
    assert first["status"] == "ran"
    run_project(project, again)
    second = json.loads((again / "run.json").read_text())["steps"]["report"]
    assert second["status"] == "cache" and second["key"] == first["key"]
    assert second["files"] == first["files"]
    # a changed threshold changes the delineation, so the report is drawn again
    changed = load_project(region / "project.toml",
                           overrides={"steps.delineation.params.close_share": 0.15})
    run_project(changed, again)
    third = json.loads((again / "run.json").read_text())["steps"]["report"]
    assert third["status"] == "ran" and third["key"] != first["key"]


def test_a_project_without_boundaries_gets_charts_and_says_there_are_no_maps(
        tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_project(load_project(write_region(tmp_path / "src", boundaries=False)), out)
    run = json.loads((out / "run.json").read_text())
    info = run["steps"]["report"]["info"]
    assert set(info["figures"]) == {"reasons", "weights", "indicators"}
    assert info["gpkg_layers"] == {}
    assert not (out / "metrocircle.gpkg").exists()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "No maps: the run folder has no unit polygons" in page
    assert "No GeoPackage" in page
    assert external_references(page) == []


@pytest.mark.slow
def test_the_us_example_project_gets_its_report(tmp_path: Path) -> None:
    """The US counties (3,222 units, with the 2017 county boundaries): maps, charts and every
    unit."""
    out = tmp_path / "us"
    run_project(load_project(example_path("us-cbsa")), out)
    info = json.loads((out / "run.json").read_text())["steps"]["report"]["info"]
    # boundaries: the area map; the official list as reference: the comparison map; one
    # commuting layer: its flows; the delineation: the reasons chart. The project has no
    # access, strength, roles, groups, industry or indicators step, so none of their figures
    assert info["figures"] == ["area", "comparison", "flows_commuting", "reasons"]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert external_references(page) == []
    shown = table_rows(page, "units-table")
    m = read_table(out / "membership.csv")[0]
    assert len(shown) == len(m) == 3222
    assert shown["status"].value_counts().to_dict() == m["status"].value_counts().to_dict()


def test_the_external_reference_check_finds_each_kind() -> None:
    page = ('<img src="map.png"><a href="https://example.org">x</a><a href="#maps">ok</a>'
            '<img src="data:image/png;base64,AAAA"><style>b{background:url(x.svg)}'
            '@import "y.css";</style><script src=//cdn.example/x.js></script>')
    found = external_references(page)
    assert "map.png" in found and "https:" in found and "x.svg" in found
    assert "@import" in found and "//cdn.example/x.js" in found
    assert "#maps" not in found and not any(f.startswith("data:") for f in found)


def test_the_notebook_example_of_docs_report_runs(region: Path) -> None:
    """docs/report.md's Python example, on this run folder instead of out/demo."""
    root = Path(__file__).resolve().parents[2]
    page = (root / "docs" / "report.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", page, re.S).group(1)
    assert "out/demo" in code
    scope: dict = {}
    exec(compile(code.replace("out/demo", region.as_posix()), "docs/report.md", "exec"), scope)
    assert scope["fig"].get_suptitle() == "Status"
    assert set(scope["units"]["status"]) == {"core", "member", "outside"}
    assert "(report.md)" in (root / "docs" / "index.md").read_text()
    assert "(docs/report.md)" in (root / "README.md").read_text()
    assert (root / "docs" / "images" / "report.png").is_file()
