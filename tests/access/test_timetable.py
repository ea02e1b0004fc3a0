"""Rail timetable: exact in-vehicle times, schedule-following journeys, bad input."""

from __future__ import annotations

import csv
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from metrocircle.access.timetable import Timetable, direct_station_times, station_journeys
from metrocircle.datasets import chongqing
from metrocircle.exceptions import InputError, ParameterError


@pytest.fixture(scope="module")
def cq_timetable() -> Timetable:
    return Timetable.from_chongqing()


def _raw_fastest_from_csv() -> dict[tuple[str, str], int]:
    """Independent oracle: plain loops over the raw stop-times file."""
    stations = set()
    with open(chongqing.data_path("transport/rail_stations.csv"), encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["unit_code"]:
                stations.add(row["station_name_zh"])
    calls: dict[str, list[tuple[int, str, int, int]]] = defaultdict(list)
    with open(chongqing.data_path("transport/rail_stop_times_2019.csv"), encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            calls[row["trip_id"]].append(
                (
                    int(row["stop_sequence"]),
                    row["station_name_zh"],
                    int(row["arrival_min"]),
                    int(row["departure_min"]),
                )
            )
    best: dict[tuple[str, str], int] = {}
    for stops in calls.values():
        stops.sort()
        for i, (_, a, _, dep) in enumerate(stops):
            for _, b, arr, _ in stops[i + 1 :]:
                if a == b or a not in stations or b not in stations:
                    continue
                t = arr - dep
                if t < best.get((a, b), 10**9):
                    best[(a, b)] = t
    return best


def test_direct_times_reproduce_every_station_pair_of_the_2019_timetable(cq_timetable):
    oracle = _raw_fastest_from_csv()
    ours = direct_station_times(cq_timetable)
    got = {(r.from_station, r.to_station): r.fastest_min for r in ours.itertuples()}
    assert len(oracle) > 3000
    assert set(got) == set(oracle)
    assert all(got[k] == oracle[k] for k in oracle)


def test_direct_times_equal_the_published_station_od_table(cq_timetable):
    ref = chongqing.load_rail()["station_od"]
    ours = direct_station_times(cq_timetable)
    m = ref.merge(ours, on=["from_station", "to_station"], how="outer", indicator=True)
    assert (m["_merge"] == "both").all()
    assert (m["fastest_min_x"] == m["fastest_min_y"]).all()
    assert (m["n_trips_x"] == m["n_trips_y"]).all()


def test_time_expanded_routing_without_transfers_equals_direct_for_every_pair(cq_timetable):
    direct = direct_station_times(cq_timetable)
    j = station_journeys(
        cq_timetable, departure_window=(0, 1440), transfers=False, horizon_minutes=2880
    ).pairs
    m = direct.merge(j, on=["from_station", "to_station"], how="outer", indicator=True)
    assert (m["_merge"] == "both").all()
    assert np.array_equal(m["fastest_min"].to_numpy(float), m["journey_minutes"].to_numpy(float))


def test_transfers_never_make_a_journey_slower_and_sometimes_faster(cq_timetable):
    direct = direct_station_times(cq_timetable)
    j = station_journeys(cq_timetable, departure_window=(0, 1440), horizon_minutes=2880).pairs
    m = direct.merge(j, on=["from_station", "to_station"], how="left")
    assert m["journey_minutes"].notna().all()
    assert (m["journey_minutes"] <= m["fastest_min"]).all()
    assert (m["journey_minutes"] < m["fastest_min"]).any()
    # pairs with no direct train become reachable through transfers
    assert len(j) > len(direct)


def _tiny(rows, stations=("A", "B", "C")) -> Timetable:
    st = pd.DataFrame(
        rows, columns=["trip_id", "stop_sequence", "station", "arrival_min", "departure_min"]
    )
    sta = pd.DataFrame({"station": list(stations), "unit_id": ["u1", "u2", "u3"][: len(stations)]})
    return Timetable.from_tables(st, stations=sta, unit_ids=["u1", "u2", "u3"])


def _journey(tt, a, b, **kw):
    p = station_journeys(tt, **kw).pairs
    hit = p[(p["from_station"] == a) & (p["to_station"] == b)]
    return None if hit.empty else float(hit["journey_minutes"].iloc[0])


def test_a_train_cannot_be_boarded_before_it_arrives():
    # T1 A 08:00 -> B 09:00; T2 leaves B at 08:55 (before T1 arrives) for C;
    # T3 leaves B at 09:20 for C, arriving 10:00.
    tt = _tiny(
        [
            ("T1", 1, "A", 480, 480),
            ("T1", 2, "B", 540, 540),
            ("T2", 1, "B", 535, 535),
            ("T2", 2, "C", 560, 560),
            ("T3", 1, "B", 560, 560),
            ("T3", 2, "C", 600, 600),
        ]
    )
    # must take T3: 08:00 -> 10:00
    assert _journey(tt, "A", "C", departure_window=(420, 600), min_transfer_minutes=10) == 120
    # a 25-minute minimum transfer misses T3 too: no journey
    assert _journey(tt, "A", "C", departure_window=(420, 600), min_transfer_minutes=25) is None
    # without transfers no journey either
    assert _journey(tt, "A", "C", departure_window=(420, 600), transfers=False) is None


def test_departure_window_and_midnight_crossing():
    # a train leaving A at 23:50 reaches B at 00:20 (1460 min on its service day)
    tt = _tiny([("N", 1, "A", 1430, 1430), ("N", 2, "B", 1460, 1460)], stations=("A", "B"))
    assert _journey(tt, "A", "B", departure_window=(1380, 1440)) == 30
    # the same daily train is caught in a window after midnight only from a stop after midnight
    assert _journey(tt, "A", "B", departure_window=(0, 60)) is None
    assert _journey(tt, "A", "B", departure_window=(1320, 1380)) is None


def test_bad_stop_times_give_one_error_listing_every_problem():
    st = pd.DataFrame(
        {
            "trip_id": ["T1", "T1", "T1", "T2", "T2"],
            "stop_sequence": [1, 2, 3, 1, 1],
            "station": ["A", "B", "C", "A", "B"],
            "arrival_min": [480, 470, 520, 600, 610],  # row 3: arrives before leaving A
            "departure_min": [480, 475, 510, 600, 610],  # row 4: departs before it arrives
        }
    )
    trips = pd.DataFrame({"trip_id": ["T1"]})  # T2 unknown
    stations = pd.DataFrame({"station": ["A", "B"], "unit_id": ["u1", "nowhere"]})
    with pytest.raises(InputError) as err:
        Timetable.from_tables(st, trips, stations, unit_ids=["u1", "u2"])
    text = str(err.value)
    assert "arrival before the departure from the previous stop" in text
    assert "departure before arrival" in text
    assert "duplicate stop_sequence" in text
    assert "trip_id not in the trips table" in text and "T2" in text
    assert "unknown unit_id" in text and "nowhere" in text
    assert len(err.value.problems) == 5


def test_unparsable_times_are_reported_with_their_rows():
    st = pd.DataFrame(
        {
            "trip_id": ["T1", "T1"],
            "stop_sequence": [1, 2],
            "station": ["A", "B"],
            "arrival_time": ["08:00:00", "8h30"],
            "departure_time": ["08:00:00", "08:31:00"],
        }
    )
    with pytest.raises(InputError, match=r"not a time \[3\]"):
        Timetable.from_tables(st)


def test_speed_up_compresses_selected_trips_and_rejects_bad_factors(cq_timetable):
    fast = cq_timetable.sped_up("G", 1.25)
    d0 = direct_station_times(cq_timetable).set_index(["from_station", "to_station"])["fastest_min"]
    d1 = direct_station_times(fast).set_index(["from_station", "to_station"])["fastest_min"]
    assert (d1 <= d0 + 1e-9).all() and (d1 < d0).any()
    for bad in (0, -2.0, float("nan")):
        with pytest.raises(ParameterError, match="factor"):
            cq_timetable.sped_up("rail", bad)
    with pytest.raises(ParameterError, match="selector"):
        cq_timetable.sped_up("maglev", 2.0)
