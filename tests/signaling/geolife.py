"""Read the GeoLife fixtures and thin them to signaling density."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd

TRAJ = Path(__file__).resolve().parents[1] / "data" / "trajectories"


def read_plt_users(root: Path = TRAJ / "geolife_trackintel_long") -> pd.DataFrame:
    """All points of the ``.plt`` users: ``uid, time`` (UTC, naive), ``lon, lat``."""
    frames = []
    for user in sorted(p for p in root.iterdir() if p.is_dir()):
        for f in sorted((user / "Trajectory").glob("*.plt")):
            df = pd.read_csv(f, skiprows=6, header=None,
                             names=["lat", "lon", "zero", "alt", "days", "date", "clock"])
            df["time"] = pd.to_datetime(df["date"] + " " + df["clock"])
            df["uid"] = f"geolife-{user.name}"
            frames.append(df[["uid", "time", "lon", "lat"]])
    return pd.concat(frames, ignore_index=True)


def read_skmob_sample(path: Path = TRAJ / "geolife_skmob_sample.txt.gz") -> pd.DataFrame:
    """The 2-user scikit-mobility sample: ``uid, time`` (UTC), ``lon, lat``."""
    with gzip.open(path, "rt") as fh:
        df = pd.read_csv(fh)
    return pd.DataFrame({"uid": "skmob-" + df["uid"].astype(str),
                         "time": pd.to_datetime(df["datetime"]),
                         "lon": df["lng"], "lat": df["lat"]})


def to_signaling_density(points: pd.DataFrame, minutes: int = 30) -> pd.DataFrame:
    """Keep the first point of each user in each ``minutes`` window (signaling sparsity)."""
    p = points.sort_values(["uid", "time"], kind="stable")
    slot = p["time"].dt.floor(f"{minutes}min")
    return p[~pd.DataFrame({"u": p["uid"], "s": slot}).duplicated()].reset_index(drop=True)
