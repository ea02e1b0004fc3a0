"""metrocircle's DuckDB engine against the hand-written plain DuckDB SQL of the same stages.

Usage (from the repository root)::

    PYTHONPATH=src python bench/signaling/bench_plain_sql.py --users 8000 --days 14 \\
        --out bench/results/signaling --repeat 3

Generates (once, cached under ``--out``) 8,000 people x 14 days with the independent
generator (``tests/signaling/independent_generator.py``) and with the generator from
published descriptions (``tests/signaling/published_generator.py``), then runs, in turn and
each in its own process, ``run_metrocircle.py`` (the pipeline, DuckDB, default settings) and
``plain_sql.py`` (the baseline) ``--repeat`` times per data set. Each pipeline run is divided by
the baseline run of its round; the median and range are reported, with the accuracy of both
against the generator's truth and how often they agree per user.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "signaling"))
sys.path.insert(0, str(HERE))

from bench_signaling import run  # noqa: E402


def _data(out: Path, name: str, users: int, days: int, seed: int) -> Path:
    d = out / f"{name}_{users}x{days}_s{seed}"
    if not (d / "records.parquet").exists():
        if name == "independent":
            from independent_generator import generate
        else:
            from published_generator import generate
        g = generate(users, days, seed=seed)
        d.mkdir(parents=True, exist_ok=True)
        g.records.to_parquet(d / "records.parquet", index=False)
        g.cells.to_csv(d / "cells.csv", index=False)
        g.truth.to_csv(d / "truth_users.csv", index=False)
    return d


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=8000)
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "bench/results/signaling"))
    a = ap.parse_args()
    out = Path(a.out)
    from metrocircle.signaling import evaluate

    py = sys.executable
    results = {}
    for name in ("independent", "published"):
        data = _data(out, name, a.users, a.days, a.seed)
        truth = pd.read_csv(data / "truth_users.csv", dtype={"uid": str, "home_unit": str,
                                                              "work_unit": str})
        pipe = [py, str(HERE / "run_metrocircle.py"), str(data), str(out / f"pred_{name}.csv"),
                "duckdb"]
        plain = [py, str(HERE / "plain_sql.py"), str(data), str(out / f"plain_{name}.csv")]
        times: dict[str, list[float]] = {"pipeline": [], "plain": []}
        for _ in range(a.repeat):
            for key, cmd in (("pipeline", pipe), ("plain", plain)):
                info, _rss = run(cmd)
                times[key].append(round(info["seconds"], 3))
                print(name, key, info["seconds"], flush=True)
        ratios = sorted(p / q for p, q in zip(times["pipeline"], times["plain"], strict=True))
        a_pred = pd.read_csv(out / f"pred_{name}.csv", dtype=str)
        b_pred = pd.read_csv(out / f"plain_{name}.csv", dtype=str)
        m = a_pred.merge(b_pred, on="uid", suffixes=("_a", "_b"))
        same = ((m["home_unit_a"].fillna("-") == m["home_unit_b"].fillna("-"))
                & (m["work_unit_a"].fillna("-") == m["work_unit_b"].fillna("-"))).mean()
        results[name] = {
            "records": info["records"] if "records" in info else None,
            "seconds": times,
            "ratio_pipeline_over_plain": {"median": round(statistics.median(ratios), 3),
                                          "min": round(ratios[0], 3),
                                          "max": round(ratios[-1], 3)},
            "users_same_home_and_work": round(float(same), 4),
            "accuracy_pipeline": {k: round(v, 4) for k, v in evaluate(a_pred, truth).items()},
            "accuracy_plain": {k: round(v, 4) for k, v in evaluate(b_pred, truth).items()},
        }
    (out / "plain_sql_results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
