"""Benchmark: metrocircle (DuckDB, Spark) against transbigdata 0.5.3, same records, same run.

Usage (from the repository root)::

    PYTHONPATH=src /work/venv/bin/python bench/signaling/bench_signaling.py \
        --users 20000 --days 14 --out bench/results/signaling --repeat 5 --skip-spark

Generates the records with the project's simulator (Chongqing metropolitan units), then runs
each tool in its own process one after the other (peak memory = the process's max RSS), and
scores each against the truth. transbigdata runs from ``bench/.venv-transbigdata``
(``pip install transbigdata==0.5.3 pyarrow``) twice per repetition: as its documentation runs
it (``peer_transbigdata_api.py``: ``traj_stay_move`` then ``mobile_identify_home/work``; the
ratio ``ratio_transbigdata_over_duckdb``) and with a leaner hand-written stay step
(``peer_transbigdata.py``; ``ratio_transbigdata_lean_over_duckdb``). Each ratio pairs a peer
run with the DuckDB run of the same repetition.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def run(cmd: list[str], env: dict | None = None) -> tuple[dict, float]:
    """Run one tool in a child process; return its JSON line and its peak RSS in MB."""
    import os

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    e = dict(os.environ, PYTHONPATH=str(ROOT / "src"), **(env or {}))
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e)
    _, status, usage = os.wait4(p.pid, 0)
    out = p.stdout.read()
    err = p.stderr.read()
    if status != 0:
        raise SystemExit(f"{cmd} failed:\n{err[-3000:]}")
    del before
    line = [x for x in out.splitlines() if x.startswith("{")][-1]
    return json.loads(line), usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=20000)
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", default=str(ROOT / "bench/results/signaling"))
    ap.add_argument("--memory-limit", default="1GB",
                    help="DuckDB memory_limit (the engine's default: 1GB)")
    ap.add_argument("--skip-spark", action="store_true")
    ap.add_argument("--skip-peer", action="store_true")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run DuckDB and transbigdata alternately this many times (the machine "
                         "may be shared: the median ratio and the range are reported)")
    a = ap.parse_args()
    out = Path(a.out)
    data = out / f"sim_{a.users}x{a.days}_s{a.seed}"
    sys.path.insert(0, str(ROOT / "src"))
    from metrocircle.signaling import evaluate, simulate_signaling

    if not (data / "records.parquet").exists():
        t = time.perf_counter()
        simulate_signaling(ROOT / "tests/data/signaling/chongqing_metro_units.csv",
                           users=a.users, days=a.days, random_state=a.seed, out_dir=data)
        print(f"simulated in {time.perf_counter() - t:.1f} s", flush=True)
    truth = pd.read_csv(data / "truth_users.csv", dtype={"uid": str, "home_unit": str,
                                                         "work_unit": str})
    py = sys.executable
    results: dict = {}
    duck = ("metrocircle-duckdb", [py, str(HERE / "run_metrocircle.py"), str(data),
                                   str(out / "pred_duckdb.csv"), "duckdb", a.memory_limit])
    tbd_py = str(ROOT / "bench/.venv-transbigdata/bin/python")
    # transbigdata as its documentation runs it (traj_stay_move on a 100 m grid, then
    # mobile_identify_home / mobile_identify_work): the peer the issue names
    peer_api = ("transbigdata-0.5.3", [tbd_py, str(HERE / "peer_transbigdata_api.py"), str(data),
                                       str(out / "pred_transbigdata.csv")])
    # a leaner variant: the same home and work functions on stays per tower built with a few
    # lines of pandas (faster than the library's own stay step; reported as well)
    peer_lean = ("transbigdata-0.5.3-lean", [tbd_py, str(HERE / "peer_transbigdata.py"),
                                             str(data), str(out / "pred_transbigdata_lean.csv")])
    jobs = []
    for _ in range(a.repeat):
        jobs.append(duck)
        if not a.skip_peer:
            jobs += [peer_api, peer_lean]
    if not a.skip_spark:
        jobs.append(("metrocircle-spark", [py, str(HERE / "run_metrocircle.py"), str(data),
                                           str(out / "pred_spark.csv"), "spark"]))
    reps: dict[str, list[dict]] = {}
    for name, cmd in jobs:
        info, rss = run(cmd)
        first = name not in results
        if first:
            pred = pd.read_csv(cmd[3], dtype=str)
            acc = evaluate(pred, truth)
            results[name] = {**info, "peak_rss_mb": round(rss, 1),
                             **{k: round(v, 4) for k, v in acc.items()
                                if isinstance(v, float)}}
        reps.setdefault(name, []).append({"seconds": round(info["seconds"], 3),
                                          "peak_rss_mb": round(rss, 1)})
        print(name, json.dumps(results[name] if first else reps[name][-1]), flush=True)
    for name, r in reps.items():
        results[name]["runs"] = r
    for peer_name, key in (("transbigdata-0.5.3", "ratio_transbigdata_over_duckdb"),
                           ("transbigdata-0.5.3-lean", "ratio_transbigdata_lean_over_duckdb")):
        if peer_name not in results:
            continue
        # each peer run is paired with the DuckDB run just before it
        ratios = sorted(p["seconds"] / d["seconds"] for p, d in
                        zip(reps[peer_name], reps["metrocircle-duckdb"], strict=True))
        results[key] = {
            "median": round(statistics.median(ratios), 2), "min": round(ratios[0], 2),
            "max": round(ratios[-1], 2), "each": [round(x, 2) for x in ratios]}
    (out / "results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
