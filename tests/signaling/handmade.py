"""Small hand-made records whose right answer is known exactly."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

LON0, LAT0 = 106.5, 29.5
START = pd.Timestamp("2024-03-04")  # a Monday


def at(dx_km: float, dy_km: float) -> tuple[float, float]:
    """lon/lat of a point dx_km east and dy_km north of (LON0, LAT0)."""
    lat = LAT0 + dy_km / 111.195
    lon = LON0 + dx_km / (111.195 * math.cos(math.radians(LAT0)))
    return round(lon, 7), round(lat, 7)


CELLS = {  # cell: (dx_km, dy_km, unit)
    "H1": (0.0, 0.0, "H"),
    "H2": (0.3, 0.0, "H"),
    "S1": (1.0, 0.0, "H"),
    "W1": (8.0, 0.0, "W"),
    "FAR": (5.0, 5.0, "X"),
}


def cells_table() -> pd.DataFrame:
    rows = []
    for c, (dx, dy, u) in CELLS.items():
        lon, lat = at(dx, dy)
        rows.append({"cell_id": c, "lon": lon, "lat": lat, "unit_id": u})
    return pd.DataFrame(rows)


def _t(day: int, hour: float) -> pd.Timestamp:
    return START + pd.Timedelta(days=day) + pd.Timedelta(hours=hour)


def people(days: int = 14) -> pd.DataFrame:
    """Four people, one record per hour (at :20), over ``days`` days.

    ``day_worker`` works at W1 09-18 on weekdays, ``night_worker`` at W1 22-06 on weekday
    nights, ``student`` at S1 (1 km from home) 08-16 on weekdays, ``no_job`` stays home
    except a two-hour visit to FAR on Wednesdays. All live at H1.
    """
    rows = []
    for d in range(days):
        wd = (START + pd.Timedelta(days=d)).weekday()
        for h in range(24):
            t = _t(d, h + 1 / 3)
            rows.append(("day_worker", t, "W1" if wd < 5 and 9 <= h < 18 else "H1"))
            night = (wd < 5 and h >= 22) or (0 < d and (wd - 1) % 7 < 5 and h < 6 and wd != 0)
            rows.append(("night_worker", t, "W1" if night else "H1"))
            rows.append(("student", t, "S1" if wd < 5 and 8 <= h < 16 else "H1"))
            rows.append(("no_job", t, "FAR" if wd == 2 and h in (10, 11) else "H1"))
    return pd.DataFrame(rows, columns=["uid", "time", "cell"])


def pingpong_user() -> pd.DataFrame:
    """One person whose records hold exactly three ping-pong records (see the test)."""
    secs = [(0, "H1"), (60, "H2"), (120, "H1"), (1000, "H1"), (1030, "H2"), (1060, "H1"),
            (1090, "H2"), (1120, "H1"), (2000, "H1"), (2030, "FAR"), (2060, "H1"),
            (5000, "H1"), (6000, "H2"), (7000, "H1")]
    return pd.DataFrame({"uid": "pp", "time": [START + pd.Timedelta(seconds=s) for s, _ in secs],
                         "cell": [c for _, c in secs]})


def write(df: pd.DataFrame, path: Path) -> Path:
    out = df.copy()
    out["time"] = out["time"].dt.strftime("%Y-%m-%d %H:%M:%S")
    out.to_csv(path, index=False)
    return path
