"""Time the report step against the chain it reports on, in the same run.

For each project (``--example``), runs the chain into a new folder without the report (the
baseline: every step from scratch, no cache), then writes the report of that folder
(`metrocircle.report.write_report`: maps and charts as PNG and SVG, the GeoPackage,
report.html) ``--repeat`` times, and prints wall and CPU seconds with the ratio report / chain.
CPU seconds are the figure to read on a shared machine.

- ``chongqing``: the shipped Chongqing project, what ``metrocircle demo`` runs (58 units).
- ``us-cbsa``: the shipped US project (3,222 counties, ``omb-cbsa`` on the ACS flows) with the
  package's 2017 county polygons (``us_cbsa.load_polygons``) added as ``[inputs.boundaries]``,
  so that the report draws its maps and writes its GeoPackage for 3,222 units (the shipped
  project has no boundaries: it gets charts and tables only). The polygons of codes that are
  not 2022 units (the old Connecticut counties, Valdez-Cordova, the island areas) are dropped;
  the 12 units of 2022 without a 2017 polygon (Connecticut's planning regions, Alaska's Chugach
  and Copper River, Falls Church city) are counted in the captions.

    python bench/report/bench_report.py --out out/bench-report --repeat 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path


def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - w, time.process_time() - c


def us_with_boundaries(folder: Path) -> Path:
    """A copy of the shipped US project with the 2017 county polygons as its boundaries."""
    import pandas as pd

    from metrocircle.datasets import us_cbsa
    from metrocircle.project.examples import init_project

    toml = init_project(folder, example="us-cbsa")
    units = pd.read_csv(toml.parent / "county_gazetteer_2022.csv", dtype=str)
    polygons = us_cbsa.load_polygons()[["unit_id", "geometry"]]
    polygons.to_file(toml.parent / "counties_2017.geojson", driver="GeoJSON")
    drop = sorted(set(polygons["unit_id"]) - set(units["fips"]))
    toml.write_text(toml.read_text() + (
        '\n[inputs.boundaries]\nfile = "counties_2017.geojson"\nid = "unit_id"\n'
        f'drop = {{ unit_id = {drop!r} }}\n'
        'note = "2017 Census cartographic boundaries as simplified by us-atlas"\n'
    ).replace("'", '"'))
    return toml


def bench(name: str, out: Path, repeat: int) -> None:
    from metrocircle.project import example_path, load_project, run_project
    from metrocircle.report import write_report

    toml = us_with_boundaries(out / "project") if name == "us-cbsa" else example_path(name)
    chain = out / "chain"
    load = os.getloadavg()[0]
    _, chain_wall, chain_cpu = timed(lambda: run_project(
        load_project(toml), chain, use_cache=False, with_report=False))
    rows = []
    for k in range(repeat):
        target = out / f"report-{k}"
        info, wall, cpu = timed(lambda t=target: write_report(chain, out=t))
        rows.append((wall, cpu, info["seconds"]))
    walls = [r[0] for r in rows]
    cpus = [r[1] for r in rows]
    parts = {key: statistics.median(r[2][key] for r in rows) for key in rows[0][2]}
    html = (out / "report-0" / "report.html").stat().st_size / 1e6
    print(f"== {name}: load average at start {load:.1f}; figures: {len(info['figures'])}, "
          f"GeoPackage layers: {info['gpkg_layers']}; report.html {html:.1f} MB")
    print(f"chain without the report: {chain_wall:.1f} s wall, {chain_cpu:.1f} s CPU")
    print(f"report (median of {repeat}): {statistics.median(walls):.1f} s wall "
          f"({', '.join(f'{w:.1f}' for w in walls)}), {statistics.median(cpus):.1f} s CPU "
          f"({', '.join(f'{c:.1f}' for c in cpus)}); parts (wall): "
          + ", ".join(f"{k} {v:.1f} s" for k, v in parts.items()))
    print(f"ratio report / chain: {statistics.median(walls) / chain_wall:.2f} wall, "
          f"{statistics.median(cpus) / chain_cpu:.2f} CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("out/bench-report"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--example", nargs="+", default=["chongqing", "us-cbsa"],
                        choices=["chongqing", "us-cbsa"])
    args = parser.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    for name in args.example:
        bench(name, args.out / name, args.repeat)


if __name__ == "__main__":
    main()
