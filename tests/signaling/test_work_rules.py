"""The work-place rules on hand-made records whose right answer is known (DuckDB engine).

Each test holds one person whose records meet every rule but the one under test, so it fails
when that rule is missing: evening shifts are work; a run of visits in one week, or short
regular visits, are not; a school next to home is not, however its cells are clustered.
"""

from __future__ import annotations

import pandas as pd
import pytest
from handmade import START, at, cells_table, write

from metrocircle.signaling import od_from_records


@pytest.fixture()
def cells_csv(tmp_path):
    c = cells_table()
    extra = []
    # two cells serving one school 1.2-1.7 km from home: one place, whose leader (S5, first
    # in id order) is 1.7 km from home while the school is served mostly by S6 (1.2 km)
    for cid, dx in (("S5", 1.7), ("S6", 1.2)):
        lon, lat = at(dx, 0.0)
        extra.append({"cell_id": cid, "lon": lon, "lat": lat, "unit_id": "H"})
    p = tmp_path / "cells.csv"
    pd.concat([c, pd.DataFrame(extra)]).to_csv(p, index=False)
    return p


def _person(uid: str, where, days: int = 14) -> pd.DataFrame:
    """One record per hour (at :20); ``where(day, weekday, hour)`` gives the cell."""
    rows = []
    for d in range(days):
        wd = (START + pd.Timedelta(days=d)).weekday()
        for h in range(24):
            rows.append((uid, START + pd.Timedelta(days=d, hours=h + 1 / 3), where(d, wd, h)))
    return pd.DataFrame(rows, columns=["uid", "time", "cell"])


def _work(tmp_path, cells_csv, people: pd.DataFrame, **kw) -> pd.Series:
    res = od_from_records(write(people, tmp_path / "r.csv"), cells=cells_csv, min_count=1,
                          keep_users=True, **kw)
    return res._users.set_index("uid")["work_unit"]


def test_evening_shift_is_work(tmp_path, cells_csv):
    # 16:00-24:00 on weekdays: two hours in the day window, two in the night-shift window
    p = _person("evening", lambda d, wd, h: "W1" if wd < 5 and 16 <= h < 24 else "H1")
    assert _work(tmp_path, cells_csv, p)["evening"] == "W"


def test_visits_in_one_week_only_are_not_a_job(tmp_path, cells_csv):
    # five full days at FAR in the first week, none in the second: 5 of 10 weekdays
    p = _person("one_week", lambda d, wd, h: "FAR" if d < 5 and 9 <= h < 15 else "H1")
    assert pd.isna(_work(tmp_path, cells_csv, p)["one_week"])
    # the same five days spread over both weeks are a (part-week) job
    q = _person("both_weeks", lambda d, wd, h: "FAR" if d in (0, 2, 4, 8, 10) and 9 <= h < 15
                else "H1")
    assert _work(tmp_path, cells_csv, q)["both_weeks"] == "X"


def test_short_regular_visits_do_not_fill_a_working_day(tmp_path, cells_csv):
    # 4 h 20 min on two weekdays a week (Mon, Thu): enough days, but a fifth of the day
    p = _person("short", lambda d, wd, h: "FAR" if wd in (0, 3) and 10 <= h < 14 else "H1")
    assert pd.isna(_work(tmp_path, cells_csv, p)["short"])
    # full days on the same weekdays are a part-week job
    q = _person("long", lambda d, wd, h: "FAR" if wd in (0, 3) and 9 <= h < 17 else "H1")
    assert _work(tmp_path, cells_csv, q)["long"] == "X"


def test_home_distance_is_measured_between_centres_not_cluster_leaders(tmp_path, cells_csv):
    # school 08-16 on weekdays, served by S6 (1.2 km) three hours in four and by S5 (1.7 km,
    # the place's leader) otherwise: its centre is 1.3 km from home, under work_min_home_km
    p = _person("pupil", lambda d, wd, h: ("S5" if h % 4 == 0 else "S6")
                if wd < 5 and 8 <= h < 16 else "H1")
    assert pd.isna(_work(tmp_path, cells_csv, p)["pupil"])
    # with the rule set below that distance the school is taken for a job
    assert _work(tmp_path, cells_csv, p, params={"work_min_home_km": 1.2})["pupil"] == "H"
