"""The time-window arithmetic of the dwell stage against the definition, for any valid windows.

:func:`metrocircle.signaling.stages._window_exprs` works on seconds since the piece's midnight
and uses shortcuts that hold only there (a window reaching midnight needs one bound; a night
window over midnight is the piece minus its day part). Here each of its six sums is compared
with the overlap of the piece with the windows written out literally, on random pieces (ends
included) and random valid window hours, evaluated by DuckDB.
"""

from __future__ import annotations

import random

import duckdb

from metrocircle.exceptions import ParameterError
from metrocircle.signaling import stages
from metrocircle.signaling.params import SignalingParams

DAY = 86400


def _ov(a: int, b: int, x: int, y: int) -> int:
    return max(0, min(b, y) - max(a, x))


def _expected(p: SignalingParams, a: int, b: int) -> tuple[int, ...]:
    h = 3600
    ns, ne = p.night_start_hour * h, p.night_end_hour * h
    if ns > ne:
        night = _ov(a, b, 0, ne) + _ov(a, b, ns, DAY)
    else:
        night = _ov(a, b, ns, ne)
    daywork = _ov(a, b, p.work_start_hour * h, p.work_end_hour * h)
    return (b - a, night, daywork, _ov(a, b, p.nightshift_start_hour * h, DAY),
            _ov(a, b, 0, p.nightshift_end_hour * h),
            _ov(a, b, p.evening_start_hour * h, p.evening_end_hour * h))


def _params(rng: random.Random) -> SignalingParams:
    while True:
        kw = {k: rng.randint(0, 24) for k in (
            "night_start_hour", "night_end_hour", "work_start_hour", "work_end_hour",
            "nightshift_start_hour", "nightshift_end_hour", "evening_start_hour",
            "evening_end_hour")}
        try:
            return SignalingParams(**kw)
        except ParameterError:
            continue


def test_window_sums_match_the_definition() -> None:
    rng = random.Random(7)
    pieces = [(0, 0, 20000), (0, DAY, 20001), (DAY, DAY, 20002), (3600, 3600, 20003)]
    for _ in range(400):
        a = rng.choice([0, DAY, rng.randint(0, DAY), rng.randint(0, 24) * 3600])
        b = rng.choice([a, DAY, rng.randint(a, DAY), max(a, rng.randint(0, 24) * 3600)])
        pieces.append((a, b, rng.randint(19000, 21000)))
    con = duckdb.connect()
    con.execute("CREATE TABLE pieces (a BIGINT, b BIGINT, day BIGINT)")
    con.executemany("INSERT INTO pieces VALUES (?, ?, ?)", pieces)
    checked = 0
    for p in [SignalingParams()] + [_params(rng) for _ in range(60)]:
        exprs = stages._window_exprs(p, "a", "b")
        got = con.execute(f"SELECT a, b, day, {', '.join(exprs)} FROM pieces").fetchall()
        for a, b, day, *sums in got:
            assert tuple(sums) == _expected(p, a, b), (p, a, b, day)
            checked += 1
    assert checked == 61 * len(pieces)
