"""A signaling simulator with known truth (a test aid, not proof).

People live around unit seats (denser near the seat), cells are denser where people are, and
each person follows a weekly routine by kind:

``worker``
    Weekday day job (start 07:30-09:30, 8-10 h), in a unit chosen by a gravity model; some
    work Saturdays; errands after work.
``night_shift``
    Weekday night shift (start 21:00-22:30, 8 h); sleeps at home in the day.
``student``
    School 07:30-16:30 on weekdays, within about 1.2 km of home (catchment enrolment).
``non_worker``
    At home; random outings (1-3 h); some have a regular short morning place (market, park).

On top: absence days (no records), sparse users (a quarter of the record rate), serving-cell
noise (a record goes to the 1st, 2nd or 3rd nearest cell), ping-pong bursts (A-B-A within
seconds) and exact duplicates. Records follow a day/night rate (2.0/h by day, 0.4/h at night).

The truth is the unit of the cell nearest to the true home or work point, i.e. the unit a
planner would get from the operator's cells table with perfect detection.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from metrocircle.exceptions import InputError, ParameterError, Problem, Problems
from metrocircle.signaling.cells import EARTH_RADIUS_M

KINDS = ("worker", "night_shift", "student", "non_worker")
DEFAULT_MIX = {"worker": 0.55, "night_shift": 0.05, "student": 0.15, "non_worker": 0.25}


@dataclass
class Simulation:
    """Simulated records, cells and truth (paths set when written)."""

    records: pd.DataFrame
    cells: pd.DataFrame
    truth_users: pd.DataFrame
    truth_od: pd.DataFrame
    paths: dict[str, Path] | None = None


def _units_table(
    units: pd.DataFrame | str | Path,
    *,
    id_col: str = "unit_id",
    lon_col: str = "lon",
    lat_col: str = "lat",
    population_col: str = "population",
    parent_col: str | None = None,
) -> pd.DataFrame:
    """The units to simulate, read by the data model (codes normalised, units that contain
    other units set aside); the column arguments name the file's columns."""
    from metrocircle.model.io import read_units

    columns = {"lon": lon_col, "lat": lat_col, "population": population_col}
    if parent_col is not None:
        columns["parent_id"] = parent_col
    names = {"unit_id": "id_col", "lon": "lon_col", "lat": "lat_col",
             "population": "population_col"}
    source = Path(units).name if isinstance(units, str | Path) else "units"
    if not isinstance(units, str | Path | pd.DataFrame):
        raise TypeError(f"units must be a DataFrame or a path; got {type(units).__name__}")
    df = read_units(units, id_col=id_col, columns=columns)
    missing = [f"{c} ({names[c]}={dict(columns, unit_id=id_col)[c]!r})"
               for c in ("unit_id", "lon", "lat", "population") if c not in df.columns]
    if missing:
        raise InputError([Problem(source, f"missing column(s) {', '.join(missing)}")])
    out = pd.DataFrame({"unit_id": df["unit_id"].astype(str).to_numpy(),
                        "lon": pd.to_numeric(df["lon"], errors="coerce").to_numpy(),
                        "lat": pd.to_numeric(df["lat"], errors="coerce").to_numpy(),
                        "population": pd.to_numeric(df["population"], errors="coerce").to_numpy()})
    bad = out[["lon", "lat", "population"]].isna().any(axis=1) | (out["population"] <= 0)
    if bad.any():
        p = Problems()
        for i in np.flatnonzero(bad.to_numpy()):
            p.add(source, "lon, lat and a positive population are needed",
                  [out["unit_id"].iloc[i]])
        p.raise_if_any()
    return out


def simulate_signaling(
    units: pd.DataFrame | str | Path,
    *,
    users: int,
    days: int,
    random_state: int = 0,
    out_dir: str | Path | None = None,
    start_date: str = "2024-03-04",
    mix: dict[str, float] | None = None,
    sparse_share: float = 0.1,
    absence_share: float = 0.05,
    pingpong_share: float = 0.02,
    duplicate_share: float = 0.003,
    people_per_cell: float = 3000.0,
    id_col: str = "unit_id",
    lon_col: str = "lon",
    lat_col: str = "lat",
    population_col: str = "population",
    parent_col: str | None = None,
) -> Simulation:
    """Simulate signaling records with their truth.

    Parameters
    ----------
    units
        Table (or any file the data model reads) with ``unit_id, lon, lat, population``;
        ``id_col``, ``lon_col``, ``lat_col`` and ``population_col`` name other columns, and
        ``parent_col`` a parent-unit column (units that contain other units are set aside, as
        in every reader of the data model).
    users, days
        Number of people and of days (starting ``start_date``, a Monday by default).
    random_state
        Seed; the same seed gives the same files.
    out_dir
        If given, writes ``records.parquet`` (``uid, time, cell``), ``cells.csv``
        (``cell_id, lon, lat, unit_id``), ``truth_users.csv`` and ``truth_od.csv``.
    mix
        Shares of the kinds (``worker, night_shift, student, non_worker``).
    people_per_cell
        Cell density: one cell per this many inhabitants of the units (real networks have
        one cell per few hundred to a few thousand people).

    Returns
    -------
    Simulation
    """
    if not isinstance(users, int) or users < 1:
        raise ParameterError(
            f"The 'users' parameter of simulate-signaling must be an int >= 1. Got {users!r}.")
    if not isinstance(days, int) or days < 1:
        raise ParameterError(
            f"The 'days' parameter of simulate-signaling must be an int >= 1. Got {days!r}.")
    mix = dict(mix or DEFAULT_MIX)
    if set(mix) - set(KINDS) or abs(sum(mix.values()) - 1) > 1e-9:
        raise ParameterError(
            f"The 'mix' parameter of simulate-signaling must give shares of {KINDS} "
            f"summing to 1. Got {mix!r}.")
    rng = np.random.default_rng(random_state)
    ut = _units_table(units, id_col=id_col, lon_col=lon_col, lat_col=lat_col,
                      population_col=population_col, parent_col=parent_col)
    lat0 = float(np.average(ut["lat"], weights=ut["population"]))
    k = math.pi / 180 * EARTH_RADIUS_M
    kx = k * math.cos(math.radians(lat0))
    ux, uy = ut["lon"].to_numpy() * kx, ut["lat"].to_numpy() * k
    pop = ut["population"].to_numpy(float)
    sigma = 1500 + 3000 * np.sqrt(pop / 1e6)  # metres: spread of the urban area
    n_units = len(ut)

    # cells: denser where people live
    n_cells = max(int(pop.sum() / people_per_cell), 20 * n_units)
    cu = rng.choice(n_units, size=n_cells, p=pop ** 0.9 / (pop ** 0.9).sum())
    wide = rng.random(n_cells) < 0.2
    cs = sigma[cu] * np.where(wide, 2.0, 1.0)
    cx = ux[cu] + rng.normal(0, 1, n_cells) * cs
    cy = uy[cu] + rng.normal(0, 1, n_cells) * cs
    cx[: n_units], cy[: n_units] = ux, uy  # a cell at every seat
    cu[: n_units] = np.arange(n_units)
    from scipy.spatial import cKDTree

    tree = cKDTree(np.column_stack([cx, cy]))
    cell_ids = np.array([f"c{i:06d}" for i in range(n_cells)], dtype=object)
    cell_unit = ut["unit_id"].to_numpy()[cu]

    def unit_of(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        _, idx = tree.query(np.column_stack([x, y]))
        return cell_unit[idx]

    # people
    kinds = rng.choice(len(KINDS), size=users, p=[mix.get(k_, 0.0) for k_ in KINDS])
    hu = rng.choice(n_units, size=users, p=pop / pop.sum())
    hx = ux[hu] + rng.normal(0, 1, users) * sigma[hu]
    hy = uy[hu] + rng.normal(0, 1, users) * sigma[hu]
    # work places: gravity between units, location near the job unit's seat
    d = np.hypot(ux[:, None] - ux[None, :], uy[:, None] - uy[None, :]) / 1000
    grav = pop[None, :] * np.exp(-d / 12.0)
    grav /= grav.sum(axis=1, keepdims=True)
    wu = np.array([rng.choice(n_units, p=grav[h]) for h in hu])
    wx = ux[wu] + rng.normal(0, 1, users) * sigma[wu] * 0.6
    wy = uy[wu] + rng.normal(0, 1, users) * sigma[wu] * 0.6
    stud = kinds == 2
    ang = rng.uniform(0, 2 * np.pi, users)
    dist = rng.uniform(200, 1200, users)
    wx[stud] = hx[stud] + np.cos(ang[stud]) * dist[stud]
    wy[stud] = hy[stud] + np.sin(ang[stud]) * dist[stud]
    regular = (kinds == 3) & (rng.random(users) < 0.3)
    dist2 = rng.uniform(300, 3000, users)
    wx[regular] = hx[regular] + np.cos(ang[regular]) * dist2[regular]
    wy[regular] = hy[regular] + np.sin(ang[regular]) * dist2[regular]
    sparse = rng.random(users) < sparse_share
    sat = rng.random(users) < 0.1
    start_h = np.where(kinds == 1, rng.uniform(21.0, 22.5, users), rng.uniform(7.5, 9.5, users))
    dur_h = np.where(kinds == 1, 8.0, rng.uniform(8.0, 10.0, users))
    commute_h = np.clip(np.hypot(wx - hx, wy - hy) / 1000 / 25 + 0.2, 0.2, 1.5)

    d0 = date.fromisoformat(start_date)
    t0 = int((datetime(d0.year, d0.month, d0.day) - datetime(1970, 1, 1)).total_seconds())
    segs: list[tuple[int, int, int, float, float, float, float]] = []
    add = segs.append
    H = 3600
    for u in range(users):
        kind = kinds[u]
        for day in range(days):
            base = t0 + day * 86400
            wd = (date.fromordinal(d0.toordinal() + day)).weekday()
            if rng.random() < absence_share:
                continue
            h_x, h_y = hx[u], hy[u]
            jit = rng.normal(0, 0.3)
            if kind == 0 and (wd < 5 or (wd == 5 and sat[u])) or (kind == 2 and wd < 5):
                if kind == 2:
                    s, e = 7.5 + jit * 0.5, 16.5 + jit * 0.5
                else:
                    s, e = start_h[u] + jit, start_h[u] + dur_h[u] + jit
                c = commute_h[u]
                a = int(base + (s - c) * H)
                b = int(base + s * H)
                f = int(base + e * H)
                g = int(base + (e + c) * H)
                add((u, base, a, h_x, h_y, h_x, h_y))
                add((u, a, b, h_x, h_y, wx[u], wy[u]))
                add((u, b, f, wx[u], wy[u], wx[u], wy[u]))
                add((u, f, g, wx[u], wy[u], h_x, h_y))
                if kind == 0 and rng.random() < 0.2:
                    ex, ey = h_x + rng.normal(0, 3000), h_y + rng.normal(0, 3000)
                    m = g + int(rng.uniform(0.5, 1.5) * H)
                    add((u, g, m, ex, ey, ex, ey))
                    g = m
                add((u, g, base + 86400, h_x, h_y, h_x, h_y))
            elif kind == 1 and wd < 5:
                s = start_h[u] + jit * 0.5
                c = commute_h[u]
                a, b = int(base + (s - c) * H), int(base + s * H)
                add((u, base, a, h_x, h_y, h_x, h_y))
                add((u, a, b, h_x, h_y, wx[u], wy[u]))
                add((u, b, base + 86400, wx[u], wy[u], wx[u], wy[u]))
            elif kind == 1 and wd == 5:
                # morning after Friday's shift is handled by the shift running past midnight
                add((u, base, base + 86400, h_x, h_y, h_x, h_y))
            else:
                cur = base
                outs = []
                if regular[u] and wd < 6 and rng.random() < 0.7:
                    s = rng.uniform(8.0, 10.0)
                    outs.append((s, s + rng.uniform(1.5, 3.5), wx[u], wy[u]))
                for _ in range(rng.integers(0, 3)):
                    s = rng.uniform(12.0, 19.0)
                    outs.append((s, s + rng.uniform(1.0, 3.0),
                                 h_x + rng.normal(0, 2500), h_y + rng.normal(0, 2500)))
                outs.sort()
                for s, e, ox, oy in outs:
                    a, b = int(base + s * H), int(base + min(e, 23.5) * H)
                    if a <= cur or b <= a:
                        continue
                    add((u, cur, a, h_x, h_y, h_x, h_y))
                    add((u, a, b, ox, oy, ox, oy))
                    cur = b
                add((u, cur, base + 86400, h_x, h_y, h_x, h_y))
    sg = np.array([s[:3] for s in segs], dtype=np.int64)
    sxy = np.array([s[3:] for s in segs], dtype=float)
    # night shift: morning part of a shift that started the evening before
    ns_fix = (kinds[sg[:, 0]] == 1)
    # a segment starting at midnight at home, for a night-shift user whose previous day
    # ended at work, becomes work until the shift end, then a commute home
    # (handled by splitting below)
    extra = []
    if ns_fix.any():
        idx = np.flatnonzero(ns_fix & (sg[:, 1] % 86400 == t0 % 86400))
        for i in idx:
            if i == 0 or sg[i - 1, 0] != sg[i, 0] or sg[i - 1, 2] != sg[i, 1]:
                continue
            px_, py_ = sxy[i - 1, 2], sxy[i - 1, 3]
            if abs(px_ - sxy[i, 0]) < 1 and abs(py_ - sxy[i, 1]) < 1:
                continue  # previous day ended at home
            u = sg[i, 0]
            end_shift = sg[i, 1] + int((start_h[u] + dur_h[u] - 24) * 3600)
            back = end_shift + int(commute_h[u] * 3600)
            extra.append((u, sg[i, 1], end_shift, px_, py_, px_, py_))
            extra.append((u, end_shift, back, px_, py_, sxy[i, 0], sxy[i, 1]))
            sg[i, 1] = min(back, sg[i, 2])
    if extra:
        sg = np.vstack([sg, np.array([e[:3] for e in extra], dtype=np.int64)])
        sxy = np.vstack([sxy, np.array([e[3:] for e in extra], dtype=float)])
    ok = sg[:, 2] > sg[:, 1]
    sg, sxy = sg[ok], sxy[ok]

    # records: thinning of a 2.0/h Poisson process, kept with the hour's rate
    lam_max = 2.0 / 3600
    mult = np.where(sparse[sg[:, 0]], 0.25, 1.0)
    n = rng.poisson(lam_max * (sg[:, 2] - sg[:, 1]) * mult)
    rep = np.repeat(np.arange(len(sg)), n)
    frac = rng.random(len(rep))
    t = sg[rep, 1] + (frac * (sg[rep, 2] - sg[rep, 1])).astype(np.int64)
    hour = (t % 86400) // 3600
    keep = rng.random(len(t)) < np.where((hour >= 7) & (hour < 23), 1.0, 0.4 / 2.0)
    rep, frac, t = rep[keep], frac[keep], t[keep]
    x = sxy[rep, 0] + (sxy[rep, 2] - sxy[rep, 0]) * frac
    y = sxy[rep, 1] + (sxy[rep, 3] - sxy[rep, 1]) * frac
    uid = sg[rep, 0]
    _, nn = tree.query(np.column_stack([x, y]), k=3)
    pick = rng.choice(3, size=len(t), p=[0.75, 0.18, 0.07])
    cell = nn[np.arange(len(t)), pick]
    # ping-pong bursts and duplicates
    pp = rng.random(len(t)) < pingpong_share
    d1 = rng.integers(5, 60, pp.sum())
    d2 = d1 + rng.integers(5, 120, pp.sum())
    other = np.where(pick[pp] == 0, nn[pp, 1], nn[pp, 0])
    dup = rng.random(len(t)) < duplicate_share
    uid = np.concatenate([uid, uid[pp], uid[pp], uid[dup]])
    t = np.concatenate([t, t[pp] + d1, t[pp] + d2, t[dup]])
    cell = np.concatenate([cell, other, cell[pp], cell[dup]])
    order = np.lexsort((cell, uid, t))
    uid, t, cell = uid[order], t[order], cell[order]
    uid_s = np.array([f"u{i:07d}" for i in range(users)], dtype=object)
    records = pd.DataFrame({
        "uid": pd.array(uid_s[uid], dtype="string"),
        "time": (t.astype("datetime64[s]")),
        "cell": pd.array(cell_ids[cell], dtype="string"),
    })
    clon, clat = cx / kx, cy / k
    cells = pd.DataFrame({"cell_id": cell_ids, "lon": np.round(clon, 6), "lat": np.round(clat, 6),
                          "unit_id": cell_unit})
    has_work = np.isin(kinds, (0, 1))
    home_unit = unit_of(hx, hy)
    work_unit = unit_of(wx, wy).astype(object)
    work_unit[~has_work] = None
    truth = pd.DataFrame({
        "uid": uid_s, "kind": np.array(KINDS, dtype=object)[kinds], "home_unit": home_unit,
        "work_unit": work_unit, "home_lon": hx / kx, "home_lat": hy / k,
        "work_lon": np.where(has_work, wx / kx, np.nan),
        "work_lat": np.where(has_work, wy / k, np.nan),
        "sparse": sparse,
    })
    tod = (truth[has_work].groupby(["home_unit", "work_unit"]).size()
           .rename("commuters").reset_index()
           .rename(columns={"home_unit": "origin", "work_unit": "destination"}))
    sim = Simulation(records, cells, truth, tod)
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"records": out / "records.parquet", "cells": out / "cells.csv",
                 "truth_users": out / "truth_users.csv", "truth_od": out / "truth_od.csv"}
        from metrocircle.model.io import write_table

        records.to_parquet(paths["records"], index=False, compression="zstd")
        # CSVs through the model's writer: codes a spreadsheet would run are neutralised
        for name in ("cells", "truth_users", "truth_od"):
            write_table({"cells": cells, "truth_users": truth, "truth_od": tod}[name],
                        paths[name])
        sim.paths = paths
    return sim
