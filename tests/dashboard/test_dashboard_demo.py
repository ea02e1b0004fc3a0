"""The dashboard of ``metrocircle demo`` (the Chongqing project on a small simulated sample) in
Chromium: a slider move recolours the units that change status as ``metrocircle.delineate``
says they do, a click explains a real unit, and the page is saved as the screenshot that
docs/dashboard.md and the README show (written into docs/images/ when
METROCIRCLE_UPDATE_DOCS_IMAGES=1)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from browser import PIXELS, SCREEN, close, hex_rgb, move_slider, open_page
from dashboard_cases import launch
from test_dashboard_server import rerun

from metrocircle.dashboard import DashboardServer, make_server, serve_in_thread

pytestmark = pytest.mark.xdist_group("dashboard-browser")

STATUS = {"core": "#b2182b", "member": "#ef8a62", "outside": "#e6e6e6"}  # app.js
DOCS_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "images" / "dashboard.png"


@pytest.fixture(scope="module")
def demo(small_demo: Path) -> Path:
    return small_demo  # tests/conftest.py: one run per test process


@pytest.fixture(scope="module")
def server(demo: Path) -> Iterator[DashboardServer]:
    server = make_server(demo, port=0)
    serve_in_thread(server)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def page(server: DashboardServer):  # noqa: ANN201
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        page, rec = open_page(browser, server.url, width=1400, height=860)
        yield page, rec
        assert rec.non_local() == [] and rec.failed == [] and rec.errors == []
        browser.close()


def test_the_demo_dashboard_follows_the_sliders(page, server, demo: Path) -> None:  # noqa: ANN001
    page, rec = page
    assert server.dashboard.reproduces  # the run's values give the run's membership
    ids = server.dashboard.folder.unit_ids
    run = pd.read_csv(demo / "membership.csv", dtype=str, keep_default_na=False)
    pts = page.evaluate("() => window.mcDashboard.units.features.map(f => [f.id, "
                        "f.properties.point])")
    index = [i for i, _ in pts]
    before = dict(zip(index, page.evaluate(PIXELS, [p for _, p in pts]), strict=True))
    # a wider travel-time limit and a fixed, lower threshold on the fused membership (the run
    # leaves it unset: natural breaks): what delineate gives, the map shows
    move_slider(page, "max_minutes", 120)
    page.check("#set-membership_share")
    move_slider(page, "membership_share", 0.05)
    want = rerun(demo, max_minutes=120.0, membership_share=0.05).set_index("unit_id").loc[ids]
    shown = page.evaluate("() => window.mcDashboard.current.columns")
    assert shown["status"] == want["status"].tolist()
    assert shown["rule"] == want["rule"].tolist()
    changed = [i for i in range(len(ids)) if want["status"].iloc[i] != run.at[i, "status"]]
    assert changed, "the move should change some unit"
    after = dict(zip(index, page.evaluate(PIXELS, [p for _, p in pts]), strict=True))
    for i in index:
        if i in changed:
            assert close(after[i], hex_rgb(STATUS[shown["status"][i]])), (ids[i], after[i])
        else:
            assert close(after[i], before[i]), (ids[i], before[i], after[i])
    # the explanation of a unit that joined
    joined = next(i for i in changed if shown["status"][i] == "member")
    x, y = page.evaluate(SCREEN, [dict(pts)[joined]])[0]
    page.mouse.click(x, y)
    page.wait_for_function("u => document.querySelector('#unit .muted')?.textContent === u",
                           arg=ids[joined])
    assert page.text_content("#unit td[data-field=status]") == "member"
    assert page.text_content("#unit td[data-field=rule]") == want["rule"].iloc[joined]
    assert float(page.text_content("#unit td[data-field=value]")) == pytest.approx(
        want["value"].iloc[joined], rel=1e-3)
    assert rec.non_local() == []


def test_the_screenshot_of_the_demo_dashboard(page, tmp_path: Path) -> None:  # noqa: ANN001
    page, _ = page
    page.check("#show-flows")
    page.select_option("#flow-layer", "commuting")
    page.wait_for_function("() => document.querySelector('#flow-label').textContent"
                           ".startsWith('commuting:')")
    page.eval_on_selector("#side", "e => { e.scrollTop = 0; }")
    page.wait_for_timeout(500)
    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 50_000
    if os.environ.get("METROCIRCLE_UPDATE_DOCS_IMAGES") == "1":
        DOCS_IMAGE.parent.mkdir(parents=True, exist_ok=True)
        DOCS_IMAGE.write_bytes(shot.read_bytes())
