"""The dashboard in a real browser: Debian's Chromium, headless, through Playwright (the system
browser; Playwright downloads none). On the toy region: zero non-local requests, a slider move
recolours exactly the units that change status, a click shows the unit's explanation, names
stay text, and the exported project file reproduces the slider state when run."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from browser import PIXELS, SCREEN, close, hex_rgb, move_slider, open_page
from dashboard_cases import IMG_NAME, SCRIPT_NAME, UNITS, launch

from metrocircle.cli.main import main
from metrocircle.dashboard import DashboardServer

pytestmark = pytest.mark.xdist_group("dashboard-browser")

STATUS = {"core": "#b2182b", "member": "#ef8a62", "outside": "#e6e6e6"}  # app.js


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def page(browser, toy_server: DashboardServer):  # noqa: ANN001, ANN201
    page, rec = open_page(browser, toy_server.url)
    yield page, rec
    assert rec.non_local() == [], "the page asked for something outside the machine"
    assert rec.failed == [] and rec.errors == [] and rec.dialogs == []
    page.context.close()


def points(page) -> list[list[float]]:  # noqa: ANN001
    feats = page.evaluate("() => window.mcDashboard.units.features.map(f => f.properties.point)")
    return feats


def statuses(page) -> list[str]:  # noqa: ANN001
    return page.evaluate("() => window.mcDashboard.current.columns.status")


def test_the_page_makes_no_request_outside_the_machine(page, toy_server) -> None:  # noqa: ANN001
    page, rec = page
    # everything a person can do: every colouring, both overlays, a slider, a click, an export
    for mode in page.eval_on_selector_all("#colour option", "os => os.map(o => o.value)"):
        page.select_option("#colour", mode)
    page.check("#show-flows")
    for layer in page.eval_on_selector_all("#flow-layer option", "os => os.map(o => o.value)"):
        page.select_option("#flow-layer", layer)
        page.wait_for_function("l => document.querySelector('#flow-label').textContent"
                               ".startsWith(l + ':')", arg=layer)
    page.check("#show-bands")
    move_slider(page, "close_share", 0.05)
    x, y = page.evaluate(SCREEN, points(page))[1]
    page.mouse.click(x, y)
    with page.expect_download():
        page.click("#export")
    page.wait_for_timeout(500)  # let the map draw what the overlays asked for
    assert len(rec.requests) >= 10  # the recorder saw the page's own requests
    assert {r.split("?")[0] for r in rec.requests} >= {
        toy_server.url, f"{toy_server.url}api/units.geojson", f"{toy_server.url}api/delineation",
        f"{toy_server.url}static/vendor/maplibre-gl/maplibre-gl-worker.mjs"}
    assert rec.non_local() == []  # checked again by the fixture, after the page closes


def test_a_slider_recolours_the_units_that_change_status(page) -> None:  # noqa: ANN001
    page, _ = page
    pts = points(page)
    before = page.evaluate(PIXELS, pts)
    run = statuses(page)
    assert run == ["core", "member", "member", "member", "outside", "outside", "outside"]
    for colour, status in zip(before, run, strict=True):
        assert close(colour, hex_rgb(STATUS[status])), (colour, status)
    # the arrow keys, one step at a time: 60 -> 40 minutes takes U3 (56.6 min) out
    timing = move_slider(page, "max_minutes", 40, keys=True)
    after_status = statuses(page)
    assert after_status == ["core", "member", "member", "outside", "outside", "outside",
                            "outside"]
    assert timing["changed"] == 1
    # the side panel names the unit that changes, its place in the run and now (as text)
    assert page.eval_on_selector_all("#changed li", "lis => lis.map(li => li.textContent)") \
        == [f"{SCRIPT_NAME}: member (metro) → outside"]
    assert page.is_visible("#changed-section")
    after = page.evaluate(PIXELS, pts)
    for i in range(len(UNITS)):
        if after_status[i] != run[i]:
            assert close(after[i], hex_rgb(STATUS[after_status[i]])), (UNITS[i], after[i])
            assert not close(after[i], before[i])
        else:
            assert close(after[i], before[i]), (UNITS[i], before[i], after[i])
    # a share and the limit together let U4 (6 %, 75.5 min) in
    move_slider(page, "max_minutes", 80)
    move_slider(page, "close_share", 0.05)
    assert statuses(page)[4] == "member"
    assert close(page.evaluate(PIXELS, pts)[4], hex_rgb(STATUS["member"]))


def test_the_runs_values_button_restores_every_slider(page) -> None:  # noqa: ANN001
    page, rec = page
    run = statuses(page)
    values = page.eval_on_selector_all("#sliders input[type=range]",
                                       "els => els.map(e => [e.id, e.value])")
    move_slider(page, "max_minutes", 80)
    move_slider(page, "close_share", 0.05)
    assert statuses(page) != run and page.is_visible("#changed-section")
    page.click("#reset")
    page.wait_for_function("() => window.mcDashboard.timings.at(-1).changed === 0 "
                           "&& Object.keys(window.mcDashboard.current.changed_params).length === 0")
    assert statuses(page) == run
    assert page.eval_on_selector_all("#sliders input[type=range]",
                                     "els => els.map(e => [e.id, e.value])") == values
    assert page.is_hidden("#changed-section") and rec.errors == []


def test_clicking_a_unit_shows_its_explanation(page, toy_run: Path) -> None:  # noqa: ANN001
    page, _ = page
    membership = pd.read_csv(toy_run / "membership.csv", dtype={"unit_id": str})
    roles = pd.read_csv(toy_run / "roles.csv", dtype={"unit_id": str}).set_index("unit_id")
    screen = page.evaluate(SCREEN, points(page))
    for i in (1, 4):
        page.mouse.click(*screen[i])
        unit = membership.iloc[i]
        page.wait_for_function("u => document.querySelector('#unit .muted')?.textContent === u",
                               arg=unit["unit_id"])
        cells = page.eval_on_selector_all(
            "#unit td", "tds => Object.fromEntries(tds.map(t => [t.dataset.field, t.textContent]))")
        assert cells["status"] == unit["status"] and cells["rule"] == unit["rule"]
        for col in ("value", "threshold", "margin"):
            assert float(cells[col]) == pytest.approx(unit[col], rel=1e-3), col
        if unit["unit_id"] in roles.index:
            assert cells["role"] == roles.at[unit["unit_id"], "role"]
            assert cells["role reason"] == roles.at[unit["unit_id"], "reason"]
        assert float(cells["minutes to the core"]) == pytest.approx(unit["travel_minutes"],
                                                                    abs=0.05)
    # the explanation follows the sliders: U4 under the 80-minute limit and a 5 % share
    move_slider(page, "max_minutes", 80)
    move_slider(page, "close_share", 0.05)
    page.wait_for_function("() => document.querySelector('#unit td[data-field=status]')"
                           ".textContent === 'member'")
    assert page.text_content("#unit td[data-field=threshold]") == "0.05"


def test_names_from_data_are_shown_as_text(page) -> None:  # noqa: ANN001
    page, rec = page
    screen = page.evaluate(SCREEN, points(page))
    for i, name in ((3, SCRIPT_NAME), (5, IMG_NAME)):
        page.mouse.click(*screen[i])
        page.wait_for_function("u => document.querySelector('#unit .muted')?.textContent === u",
                               arg=UNITS[i])
        assert page.text_content("#unit .name") == name
        assert page.eval_on_selector("#unit .name", "e => e.children.length") == 0
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("#unit script, #unit img").count() == 0
    assert rec.dialogs == []


def test_the_exported_project_reproduces_the_slider_state(page, tmp_path: Path) -> None:  # noqa: ANN001
    page, _ = page
    move_slider(page, "max_minutes", 80)
    move_slider(page, "close_share", 0.05)
    shown = page.evaluate("() => window.mcDashboard.current.columns")
    with page.expect_download() as dl:
        page.click("#export")
    exported = tmp_path / "exported" / "project.toml"
    exported.parent.mkdir()
    dl.value.save_as(exported)
    params = tomllib.loads(exported.read_text())["steps"]["delineation"]["params"]
    assert params == {"close_share": 0.05, "max_minutes": 80.0}
    assert main(["run", str(exported), "--out", str(tmp_path / "again"), "--no-progress"]) == 0
    again = pd.read_csv(tmp_path / "again" / "membership.csv", dtype=str, keep_default_na=False)
    assert again["unit_id"].tolist() == UNITS
    assert again["status"].tolist() == shown["status"]
    assert again["area_id"].tolist() == [a or "" for a in shown["area_id"]]
    assert again["rule"].tolist() == shown["rule"]
    assert "member" == again.loc[4, "status"]  # the state differs from the run's


def test_a_screenshot_of_the_toy_region(page, tmp_path: Path) -> None:  # noqa: ANN001
    page, _ = page
    page.select_option("#colour", "role")
    page.check("#show-flows")
    page.wait_for_function("() => document.querySelector('#flow-label').textContent !== ''")
    page.wait_for_timeout(300)
    shot = tmp_path / "toy.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000  # a drawn page, not a blank one
