"""Benchmark: a scenario of the shipped Chongqing project (`guangan_rail`) run beside its base
run with the base's cache, against the base from scratch and the scenario without the cache.

Each timing is the wall clock of a fresh `metrocircle` process (imports included), as a user
sees it, in the same run:

* ``base``: ``metrocircle run project.toml --out B --no-cache`` (every step);
* ``scenario``: ``metrocircle run project.toml --out B --scenario guangan_rail`` (the base is
  current and not touched; the scenario takes the steps upstream of the access step, and
  those that read no travel time, from the base's cache);
* ``scenario_no_cache``: the same with ``--no-cache`` (every step of the scenario runs);
* ``scenario_again``: the scenario once more (every step from its own cache).

Run from the repository root::

    .venv/bin/python bench/project/bench_scenario.py --repeat 2
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "src" / "metrocircle" / "datasets" / "chongqing" / "project.toml"


def timed(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "metrocircle.cli.main", *args], check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--scenario", default="guangan_rail")
    args = ap.parse_args()
    times: dict[str, list[float]] = {k: [] for k in ("base", "scenario", "scenario_no_cache",
                                                     "scenario_again")}
    statuses = {}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            base = Path(tmp) / "base"
            run = ["run", str(PROJECT), "--out", str(base), "--no-progress"]
            scen = [*run, "--scenario", args.scenario]
            times["base"].append(timed([*run, "--no-cache"]))
            times["scenario"].append(timed(scen))
            record = json.loads((Path(f"{base}-{args.scenario}") / "run.json").read_text())
            statuses = {n: s["status"] for n, s in record["steps"].items()}
            times["scenario_again"].append(timed(scen))
            shutil.rmtree(f"{base}-{args.scenario}")
            times["scenario_no_cache"].append(timed([*scen, "--no-cache"]))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(json.dumps({"seconds": times, "median": med, "scenario_steps": statuses,
                      "ratio_scenario_to_base": med["scenario"] / med["base"],
                      "ratio_scenario_to_scenario_no_cache":
                          med["scenario"] / med["scenario_no_cache"],
                      "ratio_scenario_again_to_base": med["scenario_again"] / med["base"]},
                     indent=1))


if __name__ == "__main__":
    main()
