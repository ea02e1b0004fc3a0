"""A third signaling generator, built from published descriptions of real time use and of
real mobile-phone data.

It shares no code and no modelling choice with ``metrocircle.signaling.simulator`` (unit seats,
gravity jobs, Poisson records, k-nearest serving cells) nor with ``independent_generator``
(square zones, hour slots, negative-binomial records, "nearest with probability 0.8"). What
each part follows:

Space
    A monocentric city whose residents and jobs thin out exponentially from the centre, as
    Clark, C. (1951), "Urban population densities", *Journal of the Royal Statistical
    Society A* 114(4), 490-496, found for cities in general (density ``D0 exp(-b r)``; here
    ``b`` = 0.15/km for residents and 0.30/km for jobs). Units are rings cut into sectors
    (polar, unlike both other generators); a cell's unit is the one containing it.
Workers' days
    Bureau of Labor Statistics, *American Time Use Survey -- 2012 Results* (news release
    USDL-13-1178, 20 June 2013): employed people work on 83 % of weekdays and 34 % of weekend
    days, 8.0 hours on a weekday worked and 5.7 hours on a weekend day; BLS, *ATUS charts by
    topic: work and employment* (2006 survey): on days worked, 86 % did some or all of their
    work at their workplace (so a worked day is a day at home for the other 14 %).
    Start times: Hedges, J. N. (1975), "Work schedules and the rush hour", *Monthly Labor
    Review* 98: almost two-fifths of wage and salary workers usually start at or about
    8 a.m. (here 40 % at 07:30-08:30, the rest spread evenly over 06:00-10:00). Shift work:
    BLS, *Workers on flexible and shift schedules in 2001* (news release USDL 02-225,
    18 April 2002): 14.5 % of full-time wage and salary workers usually work a shift other
    than a regular daytime one (here half of them evening shifts from 14:30-16:00 and half
    night shifts from 22:00-23:30, 8 hours each).
Students' days
    Ministry of Education of China, General Office, *Notice on further strengthening the
    sleep management of primary and secondary school students* (2021): morning classes start
    no earlier than 08:20 in primary and 08:00 in middle schools; after-school services
    (*Opinions on further reducing the burden of homework and off-campus training*, 2021)
    keep about half of the pupils until 17:00-18:00, the others leave at 15:30-16:30. School
    distance: *Standard for urban residential area planning and design* GB 50180-2018:
    primary schools within the 10-minute (500 m) and middle schools within the 15-minute
    (1,000 m) walking circle; here 60 % primary, 40 % middle school pupils, the school
    uniform in the disc of that radius around home.
Everyone's other outings (people without a job all day; others on free days and evenings)
    The exploration and preferential-return model fitted to mobile-phone records by Song, C.,
    Koren, T., Wang, P. and Barabasi, A.-L. (2010), "Modelling the scaling properties of human
    mobility", *Nature Physics* 6, 818-823: stay lengths ``P(dt) ~ dt^(-1-beta) exp(-dt/tau)``
    with beta = 0.8 and tau = 17 h; a new place with probability ``rho S^(-gamma)`` (rho = 0.6,
    gamma = 0.21, S places visited so far; home is one of them), else a return to a place
    chosen in proportion to its past visits; jump lengths ``P(dr) ~ dr^(-1-alpha)``, alpha =
    0.55 (here from 0.3 km, cut at 25 km).
Records
    Events (calls, messages, data sessions) with bursty gaps: the inter-event distribution
    ``P(dt) ~ dt^(-alpha) exp(-dt/tau_c)`` with alpha = 0.9 and tau_c = 48 h of Candia, J. et
    al. (2008), "Uncovering individual and collective human dynamics from mobile phone
    records", *Journal of Physics A* 41, 224015 (a gamma law of shape 1 - alpha), each user's
    rate scaled by a lognormal activity level; plus the periodic location update of idle
    phones (timer T3212 of 3GPP TS 24.008, set here to one hour, as operators commonly do).
Serving cell
    The strongest received signal under log-distance path loss with log-normal shadowing
    (Rappaport, T. S. (2002), *Wireless Communications: Principles and Practice*, 2nd ed.,
    ch. 4: path-loss exponent n = 3.5 in urban areas, shadowing sigma = 8 dB here). Shadowing is
    a property of a place and a cell (the same at every record from one stay), plus 2 dB of
    fast variation per record, so a phone at rest mostly keeps its cell and sometimes flips.

The kinds and their truth follow ``metrocircle.signaling.evaluate``: ``worker`` (day and evening
shifts), ``night_shift``, ``student``, ``non_worker``. The truth unit is the unit of the cell
that serves a phone at rest at the true point (the strongest signal without the fast
variation): with a cells table that maps each cell to one unit, no method can do better. (For
the other two generators, whose serving cells are drawn around the nearest one, that is the
nearest cell.) The mix (52 % employed, 16 %
pupils, 32 % without a job) and anything not named above are this generator's own choices.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree
from scipy.special import ndtri

LAT0, LON0 = 31.2, 121.4
M_LAT = 111_320.0
M_LON = M_LAT * math.cos(math.radians(LAT0))
RINGS_KM = (0.0, 3.0, 7.0, 12.0, 18.0, 25.0)
SECTORS = (1, 6, 8, 10, 12)
H = 3600


@dataclass
class Generated:
    records: pd.DataFrame  # uid, time (naive local), cell
    cells: pd.DataFrame  # cell_id, lon, lat, unit_id
    truth: pd.DataFrame  # uid, kind, subkind, home_unit, work_unit, home_x, ...


def _unit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    r = np.hypot(x, y) / 1000
    ring = np.clip(np.searchsorted(RINGS_KM, r, side="right") - 1, 0, len(SECTORS) - 1)
    ang = (np.arctan2(y, x) + 2 * np.pi) % (2 * np.pi)
    n = np.array(SECTORS)[ring]
    sec = np.minimum((ang / (2 * np.pi) * n).astype(int), n - 1)
    return np.array([f"R{a}S{b:02d}" for a, b in zip(ring, sec, strict=True)], dtype=object)


def _radial(rng: np.random.Generator, n: int, b_per_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Points of density ``exp(-b r)`` in the plane (radius ~ Gamma(2, 1/b)), within 25 km."""
    r = rng.gamma(2.0, 1 / b_per_km, 3 * n + 10) * 1000
    r = r[r < RINGS_KM[-1] * 1000][:n]
    a = rng.uniform(0, 2 * np.pi, n)
    return r * np.cos(a), r * np.sin(a)


def _hash01(a: np.ndarray, b: np.ndarray, seed: int) -> np.ndarray:
    """A deterministic uniform in (0, 1) per pair (a, b) (splitmix64)."""
    z = (a.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
         + b.astype(np.uint64) * np.uint64(0xBF58476D1CE4E5B9) + np.uint64(seed))
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return ((z >> np.uint64(11)).astype(np.float64) + 0.5) / float(1 << 53)


class _Epr:
    """Exploration and preferential return (Song et al. 2010) for one person."""

    def __init__(self, rng: np.random.Generator, home: tuple[float, float]) -> None:
        self.rng = rng
        self.places = [home]
        self.visits = [1.0]

    def stay_hours(self, lo: float = 0.25) -> float:
        while True:  # Pareto(beta) from lo, thinned by exp(-dt / 17 h)
            dt = lo * (1 - self.rng.random()) ** (-1 / 0.8)
            if self.rng.random() < math.exp(-dt / 17.0):
                return dt

    def next_place(self, cur: tuple[float, float]) -> int:
        s = len(self.places)
        if self.rng.random() < 0.6 * s ** -0.21:
            dr = min(300 * (1 - self.rng.random()) ** (-1 / 0.55), 25_000)
            a = self.rng.uniform(0, 2 * np.pi)
            self.places.append((cur[0] + dr * math.cos(a), cur[1] + dr * math.sin(a)))
            self.visits.append(1.0)
            return s
        p = np.array(self.visits)
        k = int(self.rng.choice(s, p=p / p.sum()))
        self.visits[k] += 1
        return k


def generate(n_people: int, n_days: int, seed: int, *,
             mix: tuple[float, float, float] = (0.52, 0.16, 0.32)) -> Generated:
    """Records, cells and truth for ``n_people`` over ``n_days`` from a Monday."""
    rng = np.random.default_rng([seed, 3])
    # cells: a third spread with the residents, a third with the jobs, a third evenly
    n_cells = 4000  # a city's network, whatever the size of the sample of its people
    parts = [_radial(rng, n_cells // 3, 0.15), _radial(rng, n_cells // 3, 0.30)]
    m = n_cells - 2 * (n_cells // 3)
    rr = np.sqrt(rng.random(m)) * RINGS_KM[-1] * 1000
    aa = rng.uniform(0, 2 * np.pi, m)
    parts.append((rr * np.cos(aa), rr * np.sin(aa)))
    cx = np.concatenate([p[0] for p in parts])
    cy = np.concatenate([p[1] for p in parts])
    cxy = np.column_stack([cx, cy])
    tree = cKDTree(cxy)
    cell_unit = _unit(cx, cy)

    # people
    kind = rng.choice(3, size=n_people, p=np.array(mix) / sum(mix))  # 0 employed, 1 pupil, 2 none
    hx, hy = _radial(rng, n_people, 0.15)
    wx, wy = _radial(rng, n_people, 0.30)
    shift = np.where(rng.random(n_people) < 0.145, rng.choice([1, 2], n_people), 0)
    shift[kind != 0] = 0  # 0 day, 1 evening, 2 night
    primary = rng.random(n_people) < 0.6
    rad = np.where(primary, 500.0, 1000.0) * np.sqrt(rng.random(n_people))
    ang = rng.uniform(0, 2 * np.pi, n_people)
    pupil = kind == 1
    wx[pupil] = hx[pupil] + rad[pupil] * np.cos(ang[pupil])
    wy[pupil] = hy[pupil] + rad[pupil] * np.sin(ang[pupil])
    usual_start = np.where(rng.random(n_people) < 0.4, rng.uniform(7.5, 8.5, n_people),
                           rng.uniform(6.0, 10.0, n_people))
    usual_start[shift == 1] = rng.uniform(14.5, 16.0, (shift == 1).sum())
    usual_start[shift == 2] = rng.uniform(22.0, 23.5, (shift == 2).sum())
    after_school = rng.random(n_people) < 0.5

    segs: list[tuple[int, float, float, float, float, float, float, int]] = []
    sid = 0

    def add(u: int, a: float, b: float, p0: tuple[float, float],
            p1: tuple[float, float] | None = None) -> None:
        nonlocal sid
        if b <= a:
            return
        q = p0 if p1 is None else p1
        segs.append((u, a, b, p0[0], p0[1], q[0], q[1], sid if p1 is None else -1))
        sid += 1

    def travel_h(p: tuple[float, float], q: tuple[float, float]) -> float:
        return math.hypot(q[0] - p[0], q[1] - p[1]) / 25_000 + 1 / 6

    for u in range(n_people):
        home = (float(hx[u]), float(hy[u]))
        job = (float(wx[u]), float(wy[u]))
        epr = _Epr(rng, home)
        k = kind[u]
        carry = 0.0  # hours of the day already spent (a night shift running past midnight)
        for d in range(n_days):
            base = d * 24.0
            wd = d % 7
            cur = base + carry
            carry = 0.0
            out: tuple[float, float, tuple[float, float], float] | None = None  # (start, end)
            if k == 0:
                works = rng.random() < (0.83 if wd < 5 else 0.34)
                at_work = works and rng.random() < 0.86
                if at_work:
                    hours = (float(np.clip(rng.normal(8.0, 1.0), 4, 11)) + 0.5 if wd < 5
                             else float(np.clip(rng.normal(5.7, 1.5), 3, 9)))
                    if shift[u]:
                        hours = 8.0
                    s = usual_start[u] + rng.normal(0, 0.25)
                    out = (s, s + hours, job, travel_h(home, job))
            elif k == 1 and wd < 5 and rng.random() > 0.03:
                start = 8 + 1 / 3 if primary[u] else 8.0
                s = start - rng.uniform(0.1, 0.4)
                e = rng.uniform(17.0, 18.0) if after_school[u] else rng.uniform(15.5, 16.5)
                out = (s, e, job, travel_h(home, job))
            if out is not None:
                s, e, place, tr = out
                add(u, cur, base + s - tr, home)
                add(u, base + s - tr, base + s, home, place)
                if e >= 24:  # a night shift: the rest runs into the next day
                    add(u, base + s, base + 24, place)
                    add(u, base + 24, base + e, place)
                    add(u, base + e, base + e + tr, place, home)
                    carry = e + tr - 24
                    continue
                add(u, base + s, base + e, place)
                add(u, base + e, base + e + tr, place, home)
                cur = base + e + tr
                if cur < base + 20 and rng.random() < 0.3:  # an evening outing
                    cur = _outings(epr, u, cur, base + 21.5, home, add, rng, max_stays=1)
                add(u, cur, base + 24, home)
                carry = max(0.0, cur - (base + 24))
                continue
            # a free day: outings from home (Song et al.), back home for the night
            if rng.random() < (0.75 if k == 2 else 0.6):
                leave = base + max(cur - base, rng.uniform(7.0, 11.0))
                add(u, cur, leave, home)
                cur = _outings(epr, u, leave, base + rng.uniform(17.0, 22.0), home, add, rng)
            add(u, cur, base + 24, home)

    sg = np.array(segs, dtype=float)
    su = sg[:, 0].astype(np.int64)
    sa, sb = sg[:, 1] * H, sg[:, 2] * H
    # records: bursty events (gamma gaps of shape 1 - 0.9, scale 48 h over the user's
    # activity) and an hourly periodic update with a per-user phase
    total = n_days * 86400
    act = rng.lognormal(0.0, 0.6, n_people)
    uids, times = [], []
    for u in range(n_people):
        n = int(total / (4.8 * H / act[u]) * 2.5) + 20
        t = np.cumsum(np.maximum(rng.gamma(0.1, 48 * H / act[u], n), 5.0))
        t = t[t < total]
        night = (t % 86400) < 7 * H
        t = t[~night | (rng.random(len(t)) < 0.3)]
        per = np.arange(rng.uniform(0, H), total, H)
        per = per + rng.normal(0, 60, len(per))
        t = np.concatenate([t, per[(per >= 0) & (per < total)]])
        uids.append(np.full(len(t), u))
        times.append(t)
    ru = np.concatenate(uids)
    rt = np.concatenate(times)
    # the segment each record falls in: segments are in time order per user
    key_s = su.astype(np.float64) * (total + 10 * 86400) + sa
    key_r = ru.astype(np.float64) * (total + 10 * 86400) + rt
    order = np.argsort(key_s, kind="stable")
    idx = order[np.clip(np.searchsorted(key_s[order], key_r, side="right") - 1, 0, None)]
    ok = (su[idx] == ru) & (rt < sb[idx])
    ru, rt, idx = ru[ok], rt[ok], idx[ok]
    f = (rt - sa[idx]) / np.maximum(sb[idx] - sa[idx], 1.0)
    x = sg[idx, 3] + f * (sg[idx, 5] - sg[idx, 3])
    y = sg[idx, 4] + f * (sg[idx, 6] - sg[idx, 4])
    # serving cell: strongest of the 8 nearest, log-distance path loss + shadowing
    dist, nn = tree.query(np.column_stack([x, y]), k=8)
    still = sg[idx, 7] >= 0
    # shadowing belongs to a spot and a cell: the same at every stay at that spot
    spot = ((np.round(x).astype(np.int64) + 100_000) * 1_000_003
            + np.round(y).astype(np.int64) + 100_000)
    z_slow = np.empty(nn.shape)
    for j in range(nn.shape[1]):
        u01 = np.where(still, _hash01(spot, nn[:, j], seed), rng.random(len(spot)))
        z_slow[:, j] = ndtri(u01)
    power = -35.0 * np.log10(np.maximum(dist, 30.0)) + 8.0 * z_slow \
        + 2.0 * rng.standard_normal(nn.shape)
    cell = nn[np.arange(len(nn)), np.argmax(power, axis=1)]
    start = pd.Timestamp("2024-09-02")  # a Monday
    rec = pd.DataFrame({
        "uid": np.array([f"p{u:06d}" for u in range(n_people)], dtype=object)[ru],
        "time": start + pd.to_timedelta(np.floor(rt), unit="s"),
        "cell": np.array([f"C{i:05d}" for i in range(len(cxy))], dtype=object)[cell],
    }).sort_values("time", kind="stable").reset_index(drop=True)
    cells = pd.DataFrame({"cell_id": [f"C{i:05d}" for i in range(len(cxy))],
                          "lon": np.round(LON0 + cx / M_LON, 6),
                          "lat": np.round(LAT0 + cy / M_LAT, 6), "unit_id": cell_unit})
    employed = kind == 0
    names = np.where(employed, np.where(shift == 2, "night_shift", "worker"),
                     np.where(kind == 1, "student", "non_worker"))
    sub = np.where(employed, np.array(["day", "evening", "night"])[shift],
                   np.where(kind == 1, np.where(primary, "primary", "middle"), "without_job"))

    def served(px: np.ndarray, py: np.ndarray) -> np.ndarray:
        """The unit of the cell serving a phone at rest at each point (no fast variation)."""
        dd, kk = tree.query(np.column_stack([px, py]), k=8)
        sp = ((np.round(px).astype(np.int64) + 100_000) * 1_000_003
              + np.round(py).astype(np.int64) + 100_000)
        pw = -35.0 * np.log10(np.maximum(dd, 30.0)) + 8.0 * np.column_stack(
            [ndtri(_hash01(sp, kk[:, j], seed)) for j in range(kk.shape[1])])
        return cell_unit[kk[np.arange(len(kk)), np.argmax(pw, axis=1)]]

    home_unit = served(hx, hy)
    work_unit = served(wx, wy).astype(object)
    work_unit[~employed] = None
    truth = pd.DataFrame({"uid": [f"p{u:06d}" for u in range(n_people)], "kind": names,
                          "subkind": sub, "home_unit": home_unit, "work_unit": work_unit,
                          "home_x": hx, "home_y": hy, "work_x": np.where(employed, wx, np.nan),
                          "work_y": np.where(employed, wy, np.nan)})
    return Generated(rec, cells, truth)


def _outings(epr: _Epr, u: int, cur: float, until: float, home: tuple[float, float], add,
             rng: np.random.Generator, max_stays: int = 12) -> float:
    """Stays chosen by exploration and preferential return from ``cur`` to about ``until``
    (never past 23:30 of the day); returns the time back home."""
    pos = home
    day_end = math.floor(cur / 24) * 24 + 23.5

    def leg(p: tuple[float, float], q: tuple[float, float]) -> float:
        return math.hypot(q[0] - p[0], q[1] - p[1]) / 25_000 + 1 / 6

    for _ in range(max_stays):
        k = epr.next_place(pos)
        place = epr.places[k]
        tr = leg(pos, place)
        back = leg(place, home)
        dt = min(epr.stay_hours(), day_end - cur - tr - back)
        if dt < 0.25:
            break
        add(u, cur, cur + tr, pos, place)
        add(u, cur + tr, cur + tr + dt, place)
        cur, pos = cur + tr + dt, place
        if cur >= until:
            break
    tr = min(leg(pos, home), max(day_end + 0.4 - cur, 0.0)) if pos != home else 0.0
    add(u, cur, cur + tr, pos, home)
    return cur + tr
