"""Open a report page in Debian's Chromium through Playwright (never a downloaded browser),
with the network off, and record every request the page makes."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise RuntimeError("Debian's chromium is not installed (scripts/test installs it: "
                           "apt-get install -y chromium)")
    return path


@dataclass
class Visit:
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    widths: dict[int, int] = field(default_factory=dict)
    print_nav_display: str = ""
    filtered_rows: int = -1


def visit(page_path: Path, *, screenshots: dict[int, Path] | None = None,
          filter_text: str = "") -> Visit:
    """Open ``page_path`` offline at each width of ``screenshots`` (px -> PNG to save; the
    first also takes a full check), recording requests, failures and console errors."""
    from playwright.sync_api import sync_playwright

    out = Visit()
    url = page_path.resolve().as_uri()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), headless=True, args=ARGS)
        try:
            context = browser.new_context(offline=True)
            for width, png in (screenshots or {1280: None}).items():
                page = context.new_page()
                page.set_viewport_size({"width": width, "height": 900})
                page.on("request", lambda r: out.requests.append(r.url))
                page.on("requestfailed", lambda r: out.failed.append(
                    f"{r.url[:120]}: {r.failure}"))
                page.on("console", lambda m: out.console_errors.append(m.text)
                        if m.type == "error" else None)
                page.goto(url, wait_until="load")
                out.images = page.eval_on_selector_all(
                    "img", "els => els.map(e => ({w: e.naturalWidth, done: e.complete}))")
                out.widths[width] = page.evaluate("document.documentElement.scrollWidth")
                if png is not None:
                    page.screenshot(path=str(png), full_page=False)
                if filter_text:
                    page.fill("input.filter", filter_text)
                    out.filtered_rows = page.eval_on_selector_all(
                        "#units-table tbody tr",
                        "rows => rows.filter(r => r.style.display !== 'none').length")
                    filter_text = ""
                page.emulate_media(media="print")
                out.print_nav_display = page.eval_on_selector(
                    "nav.toc", "e => getComputedStyle(e).display")
                page.close()
        finally:
            browser.close()
    return out
