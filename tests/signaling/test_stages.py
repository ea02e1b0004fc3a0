"""Each stage on hand-made records whose right answer is known exactly (DuckDB engine)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from handmade import START, cells_table, people, pingpong_user, write

from metrocircle.exceptions import InputError
from metrocircle.signaling import od_from_records


@pytest.fixture()
def cells_csv(tmp_path):
    p = tmp_path / "cells.csv"
    cells_table().to_csv(p, index=False)
    return p


def run(tmp_path, records: pd.DataFrame, cells_csv, **kw):
    rec = write(records, tmp_path / "records.csv")
    kw.setdefault("min_count", 1)
    return od_from_records(rec, cells=cells_csv, keep_users=True, **kw)


def test_home_and_work_of_each_kind(tmp_path, cells_csv):
    res = run(tmp_path, people(), cells_csv)
    u = res._users.set_index("uid")
    assert (u["home_unit"] == "H").all()
    assert u.loc["day_worker", "work_unit"] == "W"
    assert u.loc["night_worker", "work_unit"] == "W"
    assert u.loc["night_worker", "night"] == 1
    assert u.loc["day_worker", "night"] == 0
    assert pd.isna(u.loc["student", "work_unit"])  # school 1 km from home
    assert pd.isna(u.loc["no_job", "work_unit"])  # irregular short visits
    assert res.od.to_dict("records") == [{"origin": "H", "destination": "W", "value": 2}]
    units = res.units.set_index("unit_id")
    assert units.loc["H", "residents"] == 4 and units.loc["H", "workers"] == 0
    assert units.loc["W", "residents"] == 0 and units.loc["W", "workers"] == 2
    assert units.loc["H", "commuting_rate_out"] == 1.0
    assert units.loc["W", "commuting_rate_in"] == 1.0
    acc = res.accounting
    assert acc["users"]["with_work"] == 2 and acc["users"]["night_shift_workers"] == 1
    assert acc["users"]["with_home_only"] == 2


def test_student_counts_as_worker_when_near_home_rule_is_off(tmp_path, cells_csv):
    res = run(tmp_path, people(), cells_csv, params={"work_min_home_km": 0.5})
    u = res._users.set_index("uid")
    assert u.loc["student", "work_unit"] == "H"  # the school is then taken for a job


def test_night_window_alone_would_put_night_workers_home_at_work(tmp_path, cells_csv):
    # With no weight on daytime dwell, home is the night place: the night-shift worker's
    # home moves to the work place. The default weight keeps it at home.
    res = run(tmp_path, people(), cells_csv, params={"home_day_weight": 0.0})
    assert res._users.set_index("uid").loc["night_worker", "home_unit"] == "W"


def test_irregular_worker_gets_no_work_place(tmp_path, cells_csv):
    recs = people()
    dw = recs["uid"] == "day_worker"
    day = (recs["time"] - START).dt.days
    # works only on the first Monday and Tuesday: 2 of 10 weekdays
    recs.loc[dw & (day >= 2) & (recs["cell"] == "W1"), "cell"] = "H1"
    res = run(tmp_path, recs, cells_csv)
    assert pd.isna(res._users.set_index("uid").loc["day_worker", "work_unit"])


def test_pingpong_duplicates_window_unknown_missing(tmp_path, cells_csv):
    pp = pingpong_user()
    extra = pd.DataFrame({
        "uid": ["pp", "pp", "pp", None],
        "time": [START + pd.Timedelta(seconds=0), START - pd.Timedelta(days=1),
                 START + pd.Timedelta(seconds=9000), START + pd.Timedelta(seconds=10)],
        "cell": ["H1", "H1", "NOPE", "H1"],
    })
    res = run(tmp_path, pd.concat([pp, extra]), cells_csv,
              params={"start_date": "2024-03-04", "end_date": "2024-03-05"})
    acc = res.accounting
    assert acc["dropped"] == {"missing_value": 1, "outside_window": 1, "unknown_cell": 1,
                              "duplicate": 1, "ping_pong": 3}
    assert acc["input_records"] == 18
    assert acc["used_records"] == 11


def test_duplicated_pingpong_record_is_a_duplicate_not_pingpong(tmp_path, cells_csv):
    # Duplicates are removed in the same pass: the kept copy of a duplicated B in A-B-A
    # follows its own copy, so it is not seen as ping-pong (documented limitation).
    pp = pingpong_user()
    recs = pd.concat([pp, pp.iloc[[1]]])
    res = run(tmp_path, recs, cells_csv)
    assert res.accounting["dropped"]["duplicate"] == 1
    assert res.accounting["dropped"]["ping_pong"] == 2


def test_pingpong_needs_neighbours_and_short_gaps(tmp_path, cells_csv):
    res = run(tmp_path, pingpong_user(), cells_csv,
              params={"pingpong_max_km": 0.1})  # H1-H2 are 0.3 km apart: not neighbours
    assert res.accounting["dropped"]["ping_pong"] == 0
    res = run(tmp_path, pingpong_user(), cells_csv, params={"pingpong_max_seconds": 30})
    assert res.accounting["dropped"]["ping_pong"] == 0


def test_no_user_id_in_any_output(tmp_path, cells_csv):
    recs = people()
    recs["uid"] = recs["uid"].map(lambda s: f"SECRET-{s}")
    res = run(tmp_path, recs, cells_csv)
    out = res.write(tmp_path / "out")
    text = "".join(p.read_text() for p in out.iterdir())
    assert "SECRET" not in text
    assert sorted(p.name for p in out.iterdir()) == ["accounting.json", "od.csv", "run.json",
                                                      "units.csv"]


def test_min_count_refuses_a_table_that_is_its_own_total(tmp_path, cells_csv):
    # one pair (H -> W, 2 people) below min_count is the study total the accounting states:
    # nothing could protect it, so nothing is published
    with pytest.raises(InputError, match="cannot be protected"):
        run(tmp_path, people(), cells_csv, min_count=3)


def test_expansion_one_factor_and_per_unit(tmp_path, cells_csv):
    res = run(tmp_path, people(), cells_csv, market_share=0.25)
    assert res.od["value"].tolist() == [8.0]
    assert res.units.set_index("unit_id").loc["H", "residents"] == 16.0
    shares = pd.DataFrame({"unit_id": ["H", "W", "X"], "market_share": [0.5, 0.1, 0.2]})
    res = run(tmp_path, people(), cells_csv, market_share=shares)
    # each person is expanded by the share of their home unit
    assert res.od["value"].tolist() == [4.0]
    assert res.units.set_index("unit_id").loc["W", "workers"] == 4.0
    assert res.accounting["od"]["expansion"] == "per unit"


def test_time_zone_conversion(tmp_path, cells_csv):
    local = people(days=7)
    utc = local.assign(time=local["time"] - pd.Timedelta(hours=8))
    a = run(tmp_path, local, cells_csv)
    b = od_from_records(write(utc, tmp_path / "utc.csv"), cells=cells_csv, min_count=1,
                        tz="Asia/Shanghai")
    assert a.accounting == b.accounting
    pd.testing.assert_frame_equal(a.od, b.od)


def test_units_by_polygon(tmp_path):
    """Cells without a unit column get their unit by point in polygon."""
    import geopandas as gpd
    from handmade import at
    from shapely.geometry import box

    c = cells_table().drop(columns="unit_id")
    c.to_csv(tmp_path / "cells.csv", index=False)
    x0, y0 = at(-1, -1)
    x1, y1 = at(4, 1)
    x2, y2 = at(10, 1)
    polys = gpd.GeoDataFrame({"unit_id": ["H", "W"]},
                             geometry=[box(x0, y0, x1, y1), box(x1, y0, x2, y1)], crs=4326)
    polys.to_file(tmp_path / "units.geojson", driver="GeoJSON")
    res = od_from_records(write(people(), tmp_path / "r.csv"), cells=tmp_path / "cells.csv",
                          units=tmp_path / "units.geojson", min_count=1)
    assert res.od.to_dict("records") == [{"origin": "H", "destination": "W", "value": 2}]
    # FAR lies outside both polygons: its records are used, its unit is empty
    assert res.accounting["users"]["home_outside_units"] == 0


def test_lonlat_records(tmp_path):
    from handmade import CELLS, at

    recs = people()
    xy = {c: at(dx, dy) for c, (dx, dy, _) in CELLS.items()}
    recs["lon"] = recs["cell"].map(lambda c: xy[c][0])
    recs["lat"] = recs["cell"].map(lambda c: xy[c][1])
    cells = cells_table()
    # units by polygon around each cell's grid square
    import geopandas as gpd
    from shapely.geometry import box

    x0, y0 = at(-1, -1)
    x1, y1 = at(4, 1)
    x2, y2 = at(10, 1)
    polys = gpd.GeoDataFrame({"unit_id": ["H", "W"]},
                             geometry=[box(x0, y0, x1, y1), box(x1, y0, x2, y1)], crs=4326)
    polys.to_file(tmp_path / "u.geojson", driver="GeoJSON")
    res = od_from_records(write(recs.drop(columns="cell"), tmp_path / "r.csv"), cell_col=None,
                          lon_col="lon", lat_col="lat", units=tmp_path / "u.geojson",
                          min_count=1, keep_users=True, params={"grid_deg": 0.002})
    u = res._users.set_index("uid")
    assert u.loc["day_worker", "work_unit"] == "W"
    assert (u["home_unit"] == "H").all()
    del cells
    json.dumps(res.run)  # run info is JSON-serialisable
