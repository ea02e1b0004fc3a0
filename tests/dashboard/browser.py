"""Driving the dashboard in Chromium: one page per test that records every request, and the few
moves a person makes (move a slider, click a unit, read the colour of the map under a unit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

LOCAL_HOSTS = {"127.0.0.1"}

#: The colour of the map's canvas at each [lon, lat] (the canvas is kept after drawing).
PIXELS = """(points) => {
  const map = window.mcDashboard.map;
  const src = map.getCanvas();
  const c = document.createElement('canvas');
  c.width = src.width; c.height = src.height;
  const ctx = c.getContext('2d');
  ctx.drawImage(src, 0, 0);
  const ratio = src.width / src.clientWidth;
  return points.map(([lon, lat]) => {
    const p = map.project([lon, lat]);
    const d = ctx.getImageData(Math.round(p.x * ratio), Math.round(p.y * ratio), 1, 1).data;
    return [d[0], d[1], d[2]];
  });
}"""

#: Screen position (page coordinates) of each [lon, lat].
SCREEN = """(points) => {
  const map = window.mcDashboard.map;
  const box = map.getContainer().getBoundingClientRect();
  return points.map(([lon, lat]) => {
    const p = map.project([lon, lat]);
    return [box.left + p.x, box.top + p.y];
  });
}"""


def hex_rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def close(a: Any, b: Any, tol: int = 6) -> bool:
    return all(abs(int(x) - int(y)) <= tol for x, y in zip(a, b, strict=True))


@dataclass
class Recorder:
    """Every request of a page, and what went wrong in it."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def non_local(self) -> list[str]:
        return [u for u in self.requests if urlsplit(u).hostname not in LOCAL_HOSTS]


def open_page(browser: Any, url: str, *, width: int = 1280, height: int = 800
              ) -> tuple[Any, Recorder]:
    """A new page on ``url``, waited until the map is drawn; nothing leaves the machine (a
    request to another host is recorded and aborted)."""
    rec = Recorder()
    context = browser.new_context(viewport={"width": width, "height": height},
                                  accept_downloads=True, service_workers="block")
    page = context.new_page()

    def route(r: Any) -> None:
        rec.requests.append(r.request.url)
        if urlsplit(r.request.url).hostname in LOCAL_HOSTS:
            r.continue_()
        else:
            r.abort()

    context.route("**/*", route)
    page.on("requestfailed", lambda r: rec.failed.append(f"{r.url} {r.failure}")
            if "ERR_ABORTED" not in str(r.failure) else None)
    page.on("pageerror", lambda e: rec.errors.append(str(e)))
    page.on("console", lambda m: rec.errors.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: (rec.dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", timeout=90_000)
    return page, rec


def move_slider(page: Any, name: str, value: float, *, keys: bool = False) -> dict[str, Any]:
    """Move slider ``name`` to ``value`` (by dragging, i.e. one input event, or with the arrow
    keys, one request per step) and wait until the map is recoloured; returns the timing the
    page recorded for that request."""
    selector = f"#slider-{name}"
    if keys:
        current = float(page.eval_on_selector(selector, "el => el.value"))
        step = float(page.eval_on_selector(selector, "el => el.step"))
        n = round(abs(value - current) / step)
        page.focus(selector)
        for _ in range(n):
            page.keyboard.press("ArrowRight" if value > current else "ArrowLeft")
    else:
        page.eval_on_selector(selector, """(el, v) => { el.value = v;
            el.dispatchEvent(new Event('input', { bubbles: true })); }""", str(value))
    page.wait_for_function(
        """([name, v]) => { const t = window.mcDashboard.timings.at(-1);
            return t && Math.abs(t.params[name] - v) < 1e-9
                && window.mcDashboard.current.params[name] === t.params[name]; }""",
        arg=[name, value], timeout=60_000)
    return page.evaluate("() => window.mcDashboard.timings.at(-1)")
