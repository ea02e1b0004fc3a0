"""Compare metrocircle's home/work places (GeoLife thinned to signaling density) with
trackintel's labels on the full GPS of the same users.

Usage (repository root)::

    bench/.venv-trackintel/bin/python bench/signaling/trackintel_geolife_labels.py \
        tests/data/trajectories/geolife_trackintel_long bench/results/signaling/trackintel.csv
    PYTHONPATH=src:tests/signaling /work/venv/bin/python bench/signaling/geolife_trackintel.py \
        bench/results/signaling/trackintel.csv
"""

from __future__ import annotations

import math
import sys
import tempfile
from pathlib import Path

import pandas as pd
from _md import md
from geolife import read_plt_users, to_signaling_density

from metrocircle.signaling import od_from_records

GRID = 0.005


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dx = (a[0] - b[0]) * 111.2 * math.cos(math.radians((a[1] + b[1]) / 2))
    return math.hypot(dx, (a[1] - b[1]) * 111.2)


def center(cell: str) -> tuple[float, float]:
    ix, iy = (int(v) for v in cell[1:].split("_"))
    return (ix + 0.5) * GRID, (iy + 0.5) * GRID


def main() -> None:
    ti = pd.read_csv(sys.argv[1])
    pts = read_plt_users()
    rows = []
    for minutes in (30, 60):
        rec = to_signaling_density(pts, minutes=minutes)
        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / "r.parquet"
            rec.to_parquet(p, index=False)
            res = od_from_records(p, cell_col=None, lon_col="lon", lat_col="lat",
                                  tz="Asia/Shanghai", min_count=1, keep_users=True,
                                  params={"grid_deg": GRID})
        u = res._users.set_index("uid")
        for uid in sorted(pts["uid"].unique()):
            r = {"minutes": minutes, "uid": uid, "records": int((rec["uid"] == uid).sum())}
            for purpose, col in (("home", "home_cell"), ("work", "work_cell")):
                ours = u[col].get(uid) if uid in u.index else None
                t = ti[(ti["uid"] == uid) & (ti["purpose"] == purpose)]
                r[f"{purpose}_ours"] = isinstance(ours, str)
                r[f"{purpose}_trackintel"] = len(t) > 0
                theirs = (t["lon"].iloc[0], t["lat"].iloc[0]) if len(t) else None
                r[f"{purpose}_km"] = (round(km(center(ours), theirs), 2)
                                      if isinstance(ours, str) and theirs else None)
            rows.append(r)
    df = pd.DataFrame(rows)
    print(md(df, 2))
    for minutes, g in df.groupby("minutes"):
        both_h = g["home_km"].notna()
        both_w = g["work_km"].notna()
        print(f"\n{minutes} min: home labelled ours {g['home_ours'].sum()} / trackintel "
              f"{g['home_trackintel'].sum()}, both {both_h.sum()}, within 1 km "
              f"{(g.loc[both_h, 'home_km'] <= 1).sum()}; work ours {g['work_ours'].sum()} / "
              f"trackintel {g['work_trackintel'].sum()}, both {both_w.sum()}, within 1 km "
              f"{(g.loc[both_w, 'work_km'] <= 1).sum()}")


if __name__ == "__main__":
    main()
