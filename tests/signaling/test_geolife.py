"""Real GPS trajectories (GeoLife) through the same stages, thinned to signaling density.

GeoLife has no home/work truth, so this checks that real noise goes through every stage with
a complete accounting and plausible places; docs/signaling.md compares the places with
trackintel's labels (bench/signaling/geolife_trackintel.py).
"""

from __future__ import annotations

import math

import pandas as pd
from geolife import read_plt_users, read_skmob_sample, to_signaling_density

from metrocircle.signaling import od_from_records


def _cell_center(cell: str, grid: float) -> tuple[float, float]:
    ix, iy = (int(v) for v in cell[1:].split("_"))
    return (ix + 0.5) * grid, (iy + 0.5) * grid


def test_geolife_through_signaling_stages(tmp_path):
    pts = pd.concat([read_plt_users(), read_skmob_sample()], ignore_index=True)
    rec = to_signaling_density(pts, minutes=30)
    assert 0 < len(rec) < len(pts) / 20
    path = tmp_path / "geolife.parquet"
    rec.to_parquet(path, index=False)
    grid = 0.005
    res = od_from_records(path, cell_col=None, lon_col="lon", lat_col="lat", tz="Asia/Shanghai",
                          min_count=1, keep_users=True, params={"grid_deg": grid})
    acc = res.accounting
    assert acc["input_records"] == len(rec)
    assert acc["used_records"] + sum(acc["dropped"].values()) == acc["input_records"]
    assert acc["users"]["seen"] == rec["uid"].nunique() == 13
    users = res._users.set_index("uid")
    # Most GeoLife users live and work in Beijing: their home cell is in the city.
    homes = users["home_cell"].dropna()
    assert len(homes) >= 10
    near_beijing = [math.hypot(lon - 116.4, lat - 39.95) < 0.6
                    for lon, lat in (_cell_center(c, grid) for c in homes)]
    assert sum(near_beijing) >= 0.8 * len(homes)
    # A work place is never the home cell.
    both = users.dropna(subset=["home_cell", "work_cell"])
    assert (both["home_cell"] != both["work_cell"]).all()
