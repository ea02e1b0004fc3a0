"""Time the dashboard's re-delineation: 50 slider moves in Debian's Chromium (headless, through
Playwright), each from the browser's request to the recoloured map, and on the server alone;
in the same run, a plain ``metrocircle.delineate`` call on the same tables as the baseline.

    python bench/dashboard/bench_dashboard.py out/demo --slider max_minutes
    python bench/dashboard/bench_dashboard.py out/demo --slider close_share --low 0.055 --high 0.29
    python bench/dashboard/bench_dashboard.py out/us-cbsa --slider threshold

The baseline calls are interleaved with the first moves (one after each), so that both run
under the same load. Each move goes to a slider position not visited before (the server keeps
the results of visited positions, which would answer at once). Prints a Markdown table for
docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "dashboard"))


def percentile(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs), q))


class Baseline:
    """A plain metrocircle.delineate call on the run's tables (in memory, validated by the
    call, as a user's script runs it)."""

    def __init__(self, run_dir: Path) -> None:
        from metrocircle.model.io import read_table

        d = run_dir / "delineation" / "inputs"
        self.p = json.loads((d / "params.json").read_text())
        self.t = {n: read_table(d / f"{n}.csv")[0] if (d / f"{n}.csv").exists() else None
                  for n in ("flows", "units", "cores", "adjacency", "travel_times")}

    def seconds(self, name: str, value: float) -> float:
        import metrocircle as mc

        t, p = self.t, self.p
        t0 = time.perf_counter()
        mc.delineate(p["method"], t["flows"], units=t["units"], cores=t["cores"],
                     adjacency=t["adjacency"], travel_times=t["travel_times"],
                     params={**p["params"], name: value}, external=p["external"])
        return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("--slider", required=True)
    ap.add_argument("--moves", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--low", type=float, help="lowest position (default: 0.4 x the run's)")
    ap.add_argument("--high", type=float, help="highest position (default: 1.6 x the run's)")
    ap.add_argument("--screenshot", type=Path, help="save a screenshot after the moves")
    ap.add_argument("--baseline-runs", type=int, default=10)
    args = ap.parse_args()

    from browser import move_slider, open_page
    from dashboard_cases import launch
    from playwright.sync_api import sync_playwright

    from metrocircle.dashboard import make_server, serve_in_thread

    t0 = time.perf_counter()
    server = make_server(args.run_dir, port=0)
    start_s = time.perf_counter() - t0
    serve_in_thread(server)
    spec = {s["name"]: s for s in server.dashboard.session.sliders}[args.slider]
    grid = np.round(np.arange(spec["min"], spec["max"] + spec["step"] / 2, spec["step"]), 6)
    # positions around the run's value, as a person explores: within +-60 % of it
    low = spec["value"] * 0.4 if args.low is None else args.low
    high = spec["value"] * 1.6 if args.high is None else args.high
    near = grid[(grid >= low - 1e-9) & (grid <= high + 1e-9) & (grid != spec["value"])]
    rng = np.random.default_rng(args.seed)
    values = [float(v) for v in rng.choice(near, size=min(args.moves, len(near)),
                                            replace=False)]
    timings = []
    with sync_playwright() as p:
        browser = launch(p)
        t0 = time.perf_counter()
        page, rec = open_page(browser, server.url)
        load_s = time.perf_counter() - t0
        base_calls = Baseline(args.run_dir)
        base = []
        for i, v in enumerate(values):
            timings.append(move_slider(page, args.slider, v))
            if i < args.baseline_runs:  # interleaved: the same conditions as the moves
                base.append(base_calls.seconds(args.slider, v))
        if args.screenshot:
            args.screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.screenshot))
        non_local = rec.non_local()
        browser.close()
    server.shutdown()

    def row(label: str, xs: list[float]) -> str:
        return f"| {label} | {statistics.median(xs):.0f} | {percentile(xs, 95):.0f} |"

    rec_ms = [t["recoloured_ms"] for t in timings]
    resp_ms = [t["response_ms"] for t in timings]
    server_ms = [t["server_ms"] for t in timings]
    method_ms = [t["method_ms"] for t in timings]
    base_ms = [b * 1000 for b in base]
    print(f"run folder: {args.run_dir} ({server.dashboard.session.method}, "
          f"{len(server.dashboard.folder.unit_ids)} units), slider {args.slider}, "
          f"{len(values)} moves, {len(base)} baseline calls; server start {start_s:.1f} s, "
          f"page load {load_s:.1f} s; non-local requests: {len(non_local)}; "
          f"load average {os.getloadavg()[0]:.1f}")
    print("| measure (ms) | median | p95 |\n|---|---|---|")
    print(row("request to recoloured map (browser)", rec_ms))
    print(row("request to response (browser)", resp_ms))
    print(row("server: answer", server_ms))
    print(row("server: the method alone", method_ms))
    print(row("baseline: `metrocircle.delineate` (validates the tables)", base_ms))
    print(f"ratio of medians, recoloured map / baseline: "
          f"{statistics.median(rec_ms) / statistics.median(base_ms):.2f}; "
          f"moves over 300 ms: {sum(x > 300 for x in rec_ms)} of {len(rec_ms)}; "
          f"units that changed per move: median {statistics.median(t['changed'] for t in timings)}")


if __name__ == "__main__":
    main()
