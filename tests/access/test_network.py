"""Unit-level travel times: consistency, plausibility, scenarios, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrocircle.access import AccessParams, accessibility, chongqing_inputs, scenario
from metrocircle.access.geo import distance_matrix_km
from metrocircle.exceptions import InputError, ParameterError


@pytest.fixture(scope="module")
def cq():
    inputs = chongqing_inputs()
    return inputs, accessibility(**inputs)


def test_every_ordered_pair_is_written_once(cq):
    inputs, res = cq
    n = len(inputs["units"])
    tt = res.travel_times
    assert len(tt) == n * (n - 1)
    assert not tt.duplicated(["origin", "destination"]).any()
    assert list(tt.columns) == [
        "origin",
        "destination",
        "minutes",
        "main_mode",
        "modelled",
        "reachable",
    ]
    assert tt["reachable"].all() and tt["minutes"].notna().all()
    assert set(tt["main_mode"]) <= {"road", "rail"}
    # access and roads are modelled, so every Chongqing time contains a modelled part
    assert tt["modelled"].all()


def test_triangle_inequality_on_unit_times(cq):
    t = cq[1].minutes
    via = (t[:, :, None] + t[None, :, :]).min(axis=1)  # min over j of t[i,j] + t[j,k]
    assert np.all(t <= via + 1e-9)


def test_no_time_implies_more_than_350_kmh(cq):
    inputs, res = cq
    u = res.network.units
    km = distance_matrix_km(u["lon"], u["lat"])
    t = res.minutes
    off = ~np.eye(len(u), dtype=bool)
    assert np.all(km[off] / t[off] * 60 <= 350)


def test_rail_is_the_main_mode_for_long_rail_corridors(cq):
    tt = cq[1].travel_times.set_index(["origin", "destination"])
    # Chengdu -> Shapingba (Chengdu-Chongqing HSR) and Chongqing north -> Wanzhou
    assert tt.loc[("510100", "500106"), "main_mode"] == "rail"
    assert tt.loc[("500112", "500101"), "main_mode"] == "rail"


def test_circles_are_consistent_with_the_matrix(cq):
    inputs, res = cq
    c = res.circles
    core_units = set(inputs["cores"]["unit_id"])
    assert (c.loc[c["unit_id"].isin(core_units), "minutes"] == 0).all()
    pos = {u: i for i, u in enumerate(res.network.units["unit_id"])}
    cidx = [pos[u] for u in core_units]
    for row in c[~c["unit_id"].isin(core_units)].itertuples():
        assert row.minutes == pytest.approx(res.minutes[pos[row.unit_id], cidx].min(), abs=0.051)
    m = c["minutes"].astype(float)
    assert (c["within_1h"] == (m <= 60)).all()
    assert (c["within_half_hour"] == (m <= 30)).all()
    low = c["band"].str.split("-").str[0].str.lstrip(">").astype(float)
    assert (m >= low).all()
    iso = res.isochrones
    assert iso["n_units"].sum() == len(c)


def _toy_units(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "unit_id": [f"u{i:03d}" for i in range(n)],
            "lon": 106 + rng.uniform(0, 1.5, n),
            "lat": 29 + rng.uniform(0, 1.5, n),
        }
    )


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(4, 25),
    seed=st.integers(0, 10_000),
    a=st.integers(0, 24),
    b=st.integers(0, 24),
    slack=st.floats(1.0, 5.0),
    speedup=st.floats(1.0, 3.0),
)
def test_adding_a_link_or_speeding_up_never_makes_a_pair_slower(n, seed, a, b, slack, speedup):
    units = _toy_units(n, seed)
    a, b = a % n, b % n
    km = distance_matrix_km(units["lon"], units["lat"])[a, b]
    minutes = max(km / 300 * 60 * slack, 0.5)  # a plausible (<= 300 km/h) new link
    link = f"{units.unit_id[a]}:{units.unit_id[b]}:{minutes:.3f}:hsr"
    res = scenario(units, add_links=[link] if a != b else [], speed_ups=[f"road:{speedup}"])
    base = res.diff["base_minutes"].astype(float).to_numpy()
    scen = res.diff["scenario_minutes"].astype(float).to_numpy()
    assert np.all(scen <= base + 1e-6)
    # units only ever enter circles
    assert set(res.circle_changes.get("change", pd.Series(dtype=str))) <= {"entered"}


def test_scenario_link_shows_up_as_main_mode_and_in_the_diff():
    units = _toy_units(12, 3)
    res = scenario(units, add_links=["u000:u011:20:new_hsr"], cores=["u000"])
    d = res.diff.set_index(["origin", "destination"])
    assert (d["delta"] <= 0).all()
    row = res.scenario.travel_times.set_index(["origin", "destination"]).loc[("u011", "u000")]
    assert row["minutes"] == 20.0 and row["main_mode"] == "new_hsr"
    assert row["modelled"]  # a typed-in scenario link is an assumption


def test_disconnected_unit_is_flagged_not_infinite(tmp_path):
    units = _toy_units(6, 1)
    adjacency = pd.DataFrame(
        {"unit_a": ["u000", "u001", "u002", "u003"], "unit_b": ["u001", "u002", "u003", "u004"]}
    )
    res = accessibility(units, adjacency=adjacency, cores=["u000"])
    tt = res.travel_times
    cut = (tt["origin"] == "u005") | (tt["destination"] == "u005")
    assert (~tt.loc[cut, "reachable"]).all() and tt.loc[cut, "minutes"].isna().all()
    assert tt.loc[~cut, "reachable"].all()
    assert res.info["unreachable_pairs"] == 10
    assert res.info["units_unreachable_from_all"] == ["u005"]
    circ = res.circles.set_index("unit_id")
    assert circ.loc["u005", "band"] == "unreachable" and not circ.loc["u005", "within_1h"]
    from metrocircle.access import write_outputs

    write_outputs(res, tmp_path)
    text = (tmp_path / "travel_times.csv").read_text()
    assert "inf" not in text.lower()
    assert "u000,u005,,,False,False" in text


@pytest.mark.parametrize(
    "params",
    [
        AccessParams(road_speed_kmh=-10),
        AccessParams(access_speed_kmh=0),
        AccessParams(road_detour=0.5),
        AccessParams(departure_window=("10:00", "06:00")),
        AccessParams(wait="forever"),
    ],
)
def test_bad_parameters_raise_one_clear_error(params):
    with pytest.raises(ParameterError, match="parameter of access must be"):
        accessibility(_toy_units(5, 0), params=params)


def test_bad_network_tables_list_every_problem():
    units = _toy_units(5, 0)
    roads = pd.DataFrame(
        {
            "unit_a": ["u000", "u001", "zzz"],
            "unit_b": ["u001", "u002", "u003"],
            "km": [10, 12, 5],
            "speed_kmh": [80, -30, 60],
        }
    )
    with pytest.raises(InputError) as err:
        accessibility(units, roads=roads)
    text = str(err.value)
    assert "unknown unit_id" in text and "zzz" in text
    assert "speed_kmh missing, zero or negative" in text


def test_bad_scenario_links_are_rejected():
    units = _toy_units(5, 0)
    with pytest.raises(InputError, match="unknown unit_id"):
        scenario(units, add_links=["u000:nope:10"])
    with pytest.raises(InputError, match="km/h"):
        scenario(units, add_links=["u000:u004:0.5"])
    with pytest.raises(ParameterError, match="FROM:TO:MINUTES"):
        scenario(units, add_links=["u000-u004-10"])
    with pytest.raises(ParameterError, match="speed-up"):
        scenario(units, speed_ups=["road:-1"])
    with pytest.raises(ParameterError, match="speed-up"):
        scenario(units, speed_ups=["G:2"])  # no timetable


def test_duplicate_or_misplaced_units_are_reported():
    units = pd.DataFrame(
        {"unit_id": ["a", "a", "b"], "lon": [106, 106.1, 500], "lat": [29, 29.1, 29]}
    )
    with pytest.raises(InputError) as err:
        accessibility(units)
    assert "duplicate unit_id" in str(err.value) and "outside lon" in str(err.value)


def test_chongqing_speed_up_of_high_speed_trains_shortens_rail_times(cq):
    inputs, base = cq
    res = scenario(**inputs, speed_ups=["high_speed:1.3"])
    faster = res.diff["delta"].astype(float) < -1
    assert faster.sum() > 100
    # A sped-up train passes later stops earlier, so a timed connection can be lost: such
    # pairs are not hidden, they appear in the diff with a positive delta.
    slower = res.diff["delta"].astype(float) > 0
    t_diff = res.scenario.minutes - res.base.minutes
    assert slower.sum() == (np.round(t_diff, 1)[~np.eye(len(t_diff), dtype=bool)] > 0).sum()


def test_circles_from_the_core_read_the_matrix_the_other_way():
    units = _toy_units(8, 5)
    roads = pd.DataFrame(
        {
            "unit_a": ["u000", "u001", "u002"],
            "unit_b": ["u001", "u002", "u003"],
            "minutes": [10.0, 20.0, 30.0],
            "directed": True,
        }
    )
    links = pd.DataFrame(
        {"origin": ["u003"], "destination": ["u000"], "minutes": [200.0], "mode": ["bus"]}
    )
    kw = {
        "roads": roads,
        "links": links,
        "cores": ["u000"],
        "params": AccessParams(max_speed_kmh=None),
    }
    to_core = accessibility(units, **kw).circles.set_index("unit_id")
    from_core = accessibility(units, direction="from_core", **kw).circles.set_index("unit_id")
    # one-way roads lead away from u000; back only by the 200-minute link (and on through it)
    assert from_core.loc["u003", "minutes"] == 60.0 and to_core.loc["u003", "minutes"] == 200.0
    assert to_core.loc["u002", "minutes"] == 230.0  # 30 to u003, then the link
    assert to_core.loc["u004", "band"] == "unreachable"
    with pytest.raises(InputError, match="350 km/h"):  # the toy points are far apart
        accessibility(units, roads=roads)
