"""A second signaling generator, written separately from metrocircle's simulator.

It shares no code with ``metrocircle.signaling.simulator`` and uses a different model, so the
accuracy tests do not only measure the pipeline against its own assumptions:

* Space: a square grid of zones (the units, truth by polygon: the zone that contains the
  point), cells on a jittered lattice whose spacing grows from the centre (400 m) to the edge
  (1.6 km). A cell's unit is the zone containing the cell.
* Time: an hour-slot activity model. Each hour of each day a person is in one activity
  (home, work, school, shop, travel); records per hour follow a negative binomial draw whose
  mean depends on a per-user lognormal activity level and on the hour (quiet nights).
* People: full-time workers (start ~ N(8.5 h, 0.75 h), length ~ N(9 h, 1 h), one home-office
  day a week for some), part-time workers (4 days of about 6 h), night-shift workers (four
  nights a week 22-06), students (school at an exponential distance, mean 0.7 km, from home),
  people without a job (two to three favourite places, 1-2 h visits) and holiday days.
* Serving cell: the nearest cell with probability 0.8, otherwise a random cell within 1.5 km;
  separate ping-pong noise (a neighbour for 10-90 s) and repeated rows.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np
import pandas as pd

M_PER_DEG_LAT = 111_320.0


@dataclass
class Generated:
    records: pd.DataFrame  # uid, time (naive local), cell
    cells: pd.DataFrame  # cell_id, lon, lat, unit_id
    truth: pd.DataFrame  # uid, kind, home_unit, work_unit (nearest-cell zone), home_zone...


def generate(n_people: int, n_days: int, seed: int, zones_per_side: int = 5,
             zone_km: float = 6.0) -> Generated:
    rnd = random.Random(seed)
    npr = np.random.default_rng(seed + 1)
    lat0, lon0 = 30.0, 104.0
    m_per_deg_lon = M_PER_DEG_LAT * math.cos(math.radians(lat0))
    size = zones_per_side * zone_km * 1000
    centre = size / 2

    def zone_of(x: float, y: float) -> str:
        i = min(max(int(x // (zone_km * 1000)), 0), zones_per_side - 1)
        j = min(max(int(y // (zone_km * 1000)), 0), zones_per_side - 1)
        return f"Z{i}{j}"

    # cells: jittered lattice, denser in the centre
    cells_xy: list[tuple[float, float]] = []
    y = 0.0
    while y < size:
        x = 0.0
        while x < size:
            r = math.hypot(x - centre, y - centre) / centre
            step = 400 + 1200 * min(r, 1.0)
            if rnd.random() < 400 / step * 1.0 or rnd.random() < 0.15:
                cells_xy.append((x + rnd.uniform(-150, 150), y + rnd.uniform(-150, 150)))
            x += 400
        y += 400
    cxy = np.array(cells_xy)
    from scipy.spatial import cKDTree

    tree = cKDTree(cxy)

    def point_near_centre(spread: float) -> tuple[float, float]:
        while True:
            x, y = rnd.gauss(centre, spread), rnd.gauss(centre, spread)
            if 0 <= x < size and 0 <= y < size:
                return x, y

    def near(x: float, y: float, dist: float) -> tuple[float, float]:
        while True:
            a = rnd.uniform(0, 2 * math.pi)
            px, py = x + dist * math.cos(a), y + dist * math.sin(a)
            if 0 <= px < size and 0 <= py < size:
                return px, py

    kinds = ["full_time", "part_time", "night_shift", "student", "without_job"]
    weights = [0.45, 0.08, 0.05, 0.17, 0.25]
    rows_uid: list[str] = []
    rows_t: list[int] = []
    rows_x: list[float] = []
    rows_y: list[float] = []
    truth = []
    t_start = int((pd.Timestamp("2023-09-04") - pd.Timestamp("1970-01-01")).total_seconds())
    for p in range(n_people):
        uid = f"P{p:05d}-{rnd.randrange(10**6):06d}"
        kind = rnd.choices(kinds, weights)[0]
        home = point_near_centre(size / 4)
        job = None
        if kind in ("full_time", "part_time", "night_shift"):
            job = point_near_centre(size / 6) if rnd.random() < 0.7 else point_near_centre(size / 3)
        elif kind == "student":
            job = near(*home, min(rnd.expovariate(1 / 700), 1400))
        favourites = [near(*home, rnd.uniform(300, 4000)) for _ in range(rnd.randint(2, 3))]
        activity = rnd.lognormvariate(0, 0.5)
        start_mean = rnd.gauss(8.5, 0.75)
        length = max(6.5, rnd.gauss(9, 1)) if kind == "full_time" else 6.0
        ho_day = rnd.randrange(5) if kind == "full_time" and rnd.random() < 0.3 else -1
        pt_days = set(rnd.sample(range(5), 4))
        ns_nights = set(rnd.sample(range(5), 4))
        # records per hour: negative binomial (gamma-Poisson), quiet before 07:00
        hour_mean = activity * np.where(np.arange(24) < 7, 0.35, 1.8)
        counts = npr.poisson(npr.gamma(2.0, hour_mean / 2.0, size=(n_days, 24)))
        for d in range(n_days):
            wd = d % 7
            holiday = rnd.random() < 0.04
            slots: list[tuple[float, float] | None] = [home] * 24
            if not holiday:
                if kind == "full_time" and wd < 5 and wd != ho_day:
                    s = int(round(rnd.gauss(start_mean, 0.3)))
                    for h in range(max(s, 0), min(s + int(round(length)), 24)):
                        slots[h] = job
                    if s - 1 >= 0:
                        slots[s - 1] = None
                elif kind == "part_time" and wd in pt_days:
                    s = int(round(rnd.gauss(start_mean + 1, 0.5)))
                    for h in range(s, min(s + 6, 24)):
                        slots[h] = job
                elif kind == "student" and wd < 5:
                    for h in range(8, 16):
                        slots[h] = job
                if kind == "night_shift":
                    if wd in ns_nights:
                        for h in range(22, 24):
                            slots[h] = job
                        slots[21] = None
                    if (wd - 1) % 7 in ns_nights and d > 0:
                        for h in range(0, 6):
                            slots[h] = job
                        slots[6] = None
                if kind == "without_job" or (kind != "night_shift" and wd >= 5):
                    for _ in range(rnd.randint(0, 2)):
                        f = rnd.choice(favourites)
                        h0 = rnd.randint(9, 19)
                        for h in range(h0, min(h0 + rnd.randint(1, 2), 24)):
                            if slots[h] is home:
                                slots[h] = f
            for h in range(24):
                loc = slots[h]
                if loc is None:  # travelling: a random point between home and job
                    f = rnd.random()
                    a, b = home, job if job is not None else home
                    loc = (a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]))
                n = counts[d, h]
                for _ in range(n):
                    rows_uid.append(uid)
                    rows_t.append(t_start + d * 86400 + h * 3600 + rnd.randrange(3600))
                    rows_x.append(loc[0])
                    rows_y.append(loc[1])
        worker = kind in ("full_time", "part_time", "night_shift")
        truth.append({
            "uid": uid,
            "kind": {"full_time": "worker", "part_time": "worker", "night_shift": "night_shift",
                     "student": "student", "without_job": "non_worker"}[kind],
            "subkind": kind,
            "home_zone": zone_of(*home),
            "work_zone": zone_of(*job) if worker and job is not None else None,
            "home_x": home[0], "home_y": home[1],
            "work_x": job[0] if worker and job is not None else np.nan,
            "work_y": job[1] if worker and job is not None else np.nan,
        })
    # serving cells, in one batch: nearest with probability 0.8, else any cell within 1.5 km
    g = np.random.default_rng(seed)
    pts = np.column_stack([rows_x, rows_y])
    cell = tree.query(pts)[1].astype(np.int64)
    other = np.flatnonzero(g.random(len(pts)) >= 0.8)
    for i, cand in zip(other, tree.query_ball_point(pts[other], 1500), strict=True):
        if cand:
            cell[i] = cand[g.integers(len(cand))]
    uid_a = np.array(rows_uid, dtype=object)
    t_a = np.array(rows_t, dtype=np.int64)
    # ping-pong to the nearest neighbour cell and back, and repeated rows
    pp = np.flatnonzero(g.random(len(pts)) < 0.015)
    nb = tree.query(cxy[cell[pp]], k=2)[1][:, 1]
    dt = g.integers(10, 90, len(pp))
    dup = np.flatnonzero(g.random(len(pts)) < 0.002)
    uid_a = np.concatenate([uid_a, uid_a[pp], uid_a[pp], uid_a[dup]])
    t_a = np.concatenate([t_a, t_a[pp] + dt, t_a[pp] + dt + g.integers(5, 60, len(pp)),
                          t_a[dup]])
    cell = np.concatenate([cell, nb, cell[pp], cell[dup]])
    cells = pd.DataFrame({
        "cell_id": [f"K{i}" for i in range(len(cxy))],
        "lon": lon0 + cxy[:, 0] / m_per_deg_lon,
        "lat": lat0 + cxy[:, 1] / M_PER_DEG_LAT,
        "unit_id": [zone_of(x, y) for x, y in cxy],
    })
    # Two truths: the zone containing the true point, and the zone of the cell nearest to it
    # (the best any method can do with a cells table that maps each cell to one unit).
    tr = pd.DataFrame(truth)
    cell_zone = cells["unit_id"].to_numpy()
    tr["home_unit"] = cell_zone[tree.query(tr[["home_x", "home_y"]].to_numpy())[1]]
    has_job = tr["work_x"].notna().to_numpy()
    tr["work_unit"] = None
    tr.loc[has_job, "work_unit"] = cell_zone[
        tree.query(tr.loc[has_job, ["work_x", "work_y"]].to_numpy())[1]]
    rec = pd.DataFrame({
        "uid": uid_a,
        "time": pd.to_datetime(t_a, unit="s"),
        "cell": np.array([f"K{i}" for i in range(len(cxy))], dtype=object)[cell],
    }).sample(frac=1.0, random_state=seed)  # operators' files are not sorted by user
    return Generated(rec.reset_index(drop=True), cells, tr)
