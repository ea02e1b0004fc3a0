"""Accuracy of metrocircle on the three generators (the figures in docs/signaling.md).

Usage: PYTHONPATH=src:tests/signaling python bench/signaling/accuracy_table.py [USERS] [DAYS]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd
from _md import md
from independent_generator import generate
from published_generator import generate as generate_published

from metrocircle.signaling import evaluate, od_from_records, simulate_signaling

ROOT = Path(__file__).resolve().parents[2]
users = int(sys.argv[1]) if len(sys.argv) > 1 else 1500
days = int(sys.argv[2]) if len(sys.argv) > 2 else 14
rows = []
with tempfile.TemporaryDirectory() as d:
    for seed in (11, 12):
        out = Path(d) / f"sim{seed}"
        simulate_signaling(ROOT / "tests/data/signaling/chongqing_metro_units.csv", users=users,
                           days=days, random_state=seed, out_dir=out)
        res = od_from_records(out / "records.parquet", cells=out / "cells.csv", keep_users=True,
                              min_count=1)
        t = pd.read_csv(out / "truth_users.csv", dtype={"uid": str, "home_unit": str,
                                                         "work_unit": str})
        rows.append({"generator": "metrocircle simulator", "seed": seed,
                     **evaluate(res._users, t)})
        g = generate(users, days, seed=seed)
        g.records.to_parquet(Path(d) / "r.parquet", index=False)
        g.cells.to_csv(Path(d) / "c.csv", index=False)
        res = od_from_records(Path(d) / "r.parquet", cells=Path(d) / "c.csv", keep_users=True,
                              min_count=1)
        rows.append({"generator": "independent (nearest-cell zone)", "seed": seed,
                     **evaluate(res._users, g.truth)})
        z = g.truth.drop(columns=["home_unit", "work_unit"]).rename(
            columns={"home_zone": "home_unit", "work_zone": "work_unit"})
        rows.append({"generator": "independent (zone containing the point)", "seed": seed,
                     **evaluate(res._users, z)})
        g = generate_published(users, days, seed=seed)
        g.records.to_parquet(Path(d) / "p.parquet", index=False)
        g.cells.to_csv(Path(d) / "pc.csv", index=False)
        res = od_from_records(Path(d) / "p.parquet", cells=Path(d) / "pc.csv", keep_users=True,
                              min_count=1)
        rows.append({"generator": "published descriptions", "seed": seed,
                     **evaluate(res._users, g.truth)})
df = pd.DataFrame(rows)
cols = ["generator", "seed", "users", "home_right", "work_right", "work_right_night_shift",
        "false_work_non_worker", "false_work_student", "false_work_without_job", "cpc"]
print(md(df[cols]))
