"""Benchmark ttwa-lma against R LabourMarketAreas::findClusters, side by side in one run.

R and its data.table come from Debian (``apt-get install r-base-core r-cran-data.table``); the
package source (cran/LabourMarketAreas 3.4) is unpacked outside git, by default in
``bench/.venv-r-LabourMarketAreas`` (ignored), and loaded with ``source()``. Each case runs R once
(``findClusters`` time measured inside R with ``proc.time``) and metrocircle ``--repeat`` times
(median; the whole ``find_clusters`` call, input checks and output tables included), checks that
both give the same assignment, and prints a Markdown table of the ratios. The national case has no R
run (R would take hours); its peak memory is measured in a fresh process.

    PYTHONPATH=src /work/venv/bin/python bench/lma/bench_lma.py --cases sardinia grid national
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "lma"
ISTAT = (1000, 0.6667, 10000, 0.75)
CASES = {
    "brindisi": ("brindisi_flows.csv", False),
    "sardinia": ("sardinia_2001_flows.csv", False),
    "grid": ("sardinia_grid_2011_flows.csv", True),
}


def _flows(path: Path) -> pd.DataFrame:
    f = pd.read_csv(path, dtype={"community_live": str, "community_work": str})
    return pd.DataFrame(
        {"origin": f["community_live"], "destination": f["community_work"], "value": f["amount"]}
    )


def run_ours(flows: pd.DataFrame, repeat: int) -> tuple[list[float], pd.DataFrame]:
    from metrocircle.delineate.ttwa_lma import find_clusters

    times = []
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = find_clusters(flows)
        times.append(time.perf_counter() - t0)
    return times, out["membership"]


def run_r(pkg: Path, csv: Path, char: bool) -> tuple[float, float, pd.DataFrame]:
    with tempfile.TemporaryDirectory() as tmp:
        res = Path(tmp) / "r.csv"
        cmd = ["Rscript", str(Path(__file__).with_name("run_r.R")), str(pkg), str(csv)]
        cmd += [str(x) for x in ISTAT] + ["1" if char else "0", str(res)]
        p = subprocess.run(cmd, capture_output=True, text=True, check=True)
        line = [x for x in p.stdout.splitlines() if x.startswith("findClusters_seconds")][0]
        _, wall, user = line.split()
        return float(wall), float(user), pd.read_csv(res, dtype=str)


def same_assignment(ours: pd.DataFrame, r: pd.DataFrame) -> bool:
    o = ours[ours["status"] != "excluded"]
    mine = dict(zip(o["unit_id"], o["area_id"].fillna("0"), strict=True))
    theirs = dict(zip(r["community"], r["cluster"], strict=True))
    return mine == theirs


def national_child(path: str) -> None:
    from metrocircle.delineate.ttwa_lma import find_clusters

    flows = pd.read_parquet(path)
    t0 = time.perf_counter()
    out = find_clusters(flows)
    el = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": el, "max_rss_mb": rss, "info": out["info"]}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", nargs="+", default=["sardinia", "grid", "national"])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--r-package", type=Path, default=ROOT / "bench/.venv-r-LabourMarketAreas")
    ap.add_argument("--national", type=Path, default=ROOT / "bench/results/national_flows.parquet")
    ap.add_argument("--json", type=Path, default=ROOT / "bench/results/lma_bench.json")
    ap.add_argument("--national-child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.national_child:
        national_child(a.national_child)
        return
    rows = []
    for case in a.cases:
        if case == "national":
            if not a.national.exists():
                subprocess.run(
                    [
                        sys.executable,
                        str(Path(__file__).with_name("make_national.py")),
                        "--out",
                        str(a.national),
                    ],
                    check=True,
                )
            p = subprocess.run(
                [sys.executable, __file__, "--national-child", str(a.national)],
                capture_output=True,
                text=True,
                check=True,
            )
            res = json.loads(p.stdout.strip().splitlines()[-1])
            rows.append(
                {
                    "case": "national synthetic (8,000 units, 1.05 M flows)",
                    "ours_s": res["seconds"],
                    "max_rss_mb": res["max_rss_mb"],
                    "iterations": res["info"]["iterations"],
                    "areas": res["info"]["n_areas"],
                }
            )
            print(rows[-1], flush=True)
            continue
        fname, char = CASES[case]
        flows = _flows(DATA / fname)
        times, mem = run_ours(flows, a.repeat)
        r_wall, r_user, r_out = run_r(a.r_package, DATA / fname, char)
        ours = statistics.median(times)
        rows.append(
            {
                "case": case,
                "ours_s": ours,
                "r_wall_s": r_wall,
                "r_user_s": r_user,
                "ratio_wall": r_wall / ours,
                "ratio_user_cpu": r_user / ours,
                "identical": same_assignment(mem, r_out),
            }
        )
        print(rows[-1], flush=True)
    a.json.parent.mkdir(parents=True, exist_ok=True)
    a.json.write_text(json.dumps(rows, indent=1))
    print(
        "\n| case | metrocircle (median) | R findClusters wall / user CPU "
        "| ratio wall / CPU | same |"
    )
    print("|---|---|---|---|---|")
    for r in rows:
        if "r_wall_s" in r:
            print(
                f"| {r['case']} | {r['ours_s']:.3f} s | {r['r_wall_s']:.1f} s / "
                f"{r['r_user_s']:.1f} s | {r['ratio_wall']:.0f}x / {r['ratio_user_cpu']:.0f}x | "
                f"{'yes' if r['identical'] else 'NO'} |"
            )
        else:
            print(
                f"| {r['case']} | {r['ours_s']:.2f} s, peak RSS {r['max_rss_mb']:.0f} MB | "
                f"no R run | - | - |"
            )


if __name__ == "__main__":
    main()
