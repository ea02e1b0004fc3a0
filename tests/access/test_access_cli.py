"""The ``metrocircle access`` command on the shipped example and on user files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from metrocircle.cli.main import main


@pytest.fixture(scope="module")
def example_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("access_example")
    assert main(["access", "--example", "chongqing", "--out", str(out)]) == 0
    return out


def test_example_writes_every_output(example_out):
    tt = pd.read_csv(example_out / "travel_times.csv", dtype={"origin": str, "destination": str})
    assert list(tt.columns) == [
        "origin",
        "destination",
        "minutes",
        "main_mode",
        "modelled",
        "reachable",
    ]
    assert len(tt) == 58 * 57
    circles = pd.read_csv(example_out / "circles.csv", dtype={"unit_id": str})
    assert list(circles.columns)[:6] == [
        "unit_id",
        "core",
        "minutes",
        "band",
        "within_1h",
        "within_half_hour",
    ]
    assert set(circles["core"]) == {"chongqing_central"}
    assert (example_out / "isochrones.csv").exists() and (example_out / "info.json").exists()
    import pyogrio

    layers = {name for name, _ in pyogrio.list_layers(example_out / "access.gpkg")}
    assert {"units", "isochrones", "stations"} <= layers
    units = pyogrio.read_dataframe(example_out / "access.gpkg", layer="units")
    assert len(units) == 58 and "within_1h" in units.columns


def test_example_scenario_writes_diff_and_circle_changes(tmp_path):
    code = main(
        [
            "access",
            "--example",
            "chongqing",
            "--out",
            str(tmp_path),
            "--no-gpkg",
            "--add-link",
            "500112:511602:35:hsr",
            "--speed-up",
            "road:1.1",
        ]
    )
    assert code == 0
    diff = pd.read_csv(tmp_path / "scenario_diff.csv", dtype={"origin": str, "destination": str})
    assert list(diff.columns)[:5] == [
        "origin",
        "destination",
        "base_minutes",
        "scenario_minutes",
        "delta",
    ]
    assert (diff["delta"] <= 0).all() and (diff["delta"] < 0).any()
    changes = pd.read_csv(tmp_path / "circle_changes.csv", dtype={"unit_id": str})
    assert "511602" in set(changes.loc[changes["limit_minutes"] == 60, "unit_id"])
    assert set(changes["change"]) == {"entered"}


def _write_user_files(d):
    pd.DataFrame(
        {
            "unit_id": ["01", "02", "03", "04"],
            "lon": [106.0, 106.3, 106.6, 106.9],
            "lat": [29.5, 29.5, 29.5, 29.5],
        }
    ).to_csv(d / "units.csv", index=False)
    pd.DataFrame(
        {
            "station": ["S1", "S4"],
            "unit_id": ["01", "04"],
            "lon": [106.01, 106.89],
            "lat": [29.5, 29.5],
        }
    ).to_csv(d / "stations.csv", index=False)
    rows = []
    for k in range(8):  # every 30 minutes from 06:00 in each direction, 30 minutes long
        t0 = 360 + 30 * k
        for trip, a, b in ((f"X{k}", "S1", "S4"), (f"Y{k}", "S4", "S1")):
            rows += [(trip, 1, a, t0, t0), (trip, 2, b, t0 + 30, t0 + 30)]
    st = pd.DataFrame(rows, columns=["trip_id", "stop_sequence", "station", "a", "d"])
    st["arrival_time"] = [f"{m // 60:02d}:{m % 60:02d}:00" for m in st["a"]]
    st["departure_time"] = [f"{m // 60:02d}:{m % 60:02d}:00" for m in st["d"]]
    st.drop(columns=["a", "d"]).to_csv(d / "stop_times.csv", index=False)
    pd.DataFrame({"trip_id": st["trip_id"].unique(), "line": "D"}).to_csv(
        d / "trips.csv", index=False
    )
    pd.DataFrame({"unit_id": ["01"], "core": ["west"]}).to_csv(d / "cores.csv", index=False)


def test_user_files(tmp_path):
    _write_user_files(tmp_path)
    out = tmp_path / "out"
    code = main(
        [
            "access",
            "--units",
            str(tmp_path / "units.csv"),
            "--stop-times",
            str(tmp_path / "stop_times.csv"),
            "--trips",
            str(tmp_path / "trips.csv"),
            "--stations",
            str(tmp_path / "stations.csv"),
            "--cores",
            str(tmp_path / "cores.csv"),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    tt = pd.read_csv(out / "travel_times.csv", dtype={"origin": str, "destination": str})
    assert len(tt) == 12 and tt["reachable"].all()
    row = tt[(tt.origin == "04") & (tt.destination == "01")].iloc[0]
    assert row["main_mode"] == "rail"
    circles = pd.read_csv(out / "circles.csv", dtype={"unit_id": str})
    assert circles.set_index("unit_id").loc["01", "minutes"] == 0


def test_bad_user_input_exits_2_with_one_message(tmp_path, capsys):
    _write_user_files(tmp_path)
    st = pd.read_csv(tmp_path / "stop_times.csv")
    st.loc[1, "arrival_time"] = "05:00:00"  # before leaving the previous stop
    st.loc[1, "station"] = "S9"
    st.to_csv(tmp_path / "stop_times.csv", index=False)
    sta = pd.read_csv(tmp_path / "stations.csv", dtype=str)
    sta.loc[1, "unit_id"] = "99"
    sta.to_csv(tmp_path / "stations.csv", index=False)
    code = main(
        [
            "access",
            "--units",
            str(tmp_path / "units.csv"),
            "--stop-times",
            str(tmp_path / "stop_times.csv"),
            "--stations",
            str(tmp_path / "stations.csv"),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "arrival before the departure from the previous stop" in err
    assert "unknown unit_id" in err and "99" in err


def test_example_and_units_are_exclusive(tmp_path):
    assert main(["access", "--out", str(tmp_path)]) == 2
    assert main(["access", "--example", "atlantis", "--out", str(tmp_path)]) == 2


def test_roads_from_a_local_osm_file(tmp_path):
    pytest.importorskip("osmnx", reason="the 'osm' extra (osmnx) is not installed")
    from pathlib import Path

    from metrocircle.access.geo import haversine_km

    osm = Path(__file__).parent / "data" / "tiny_roads.osm"
    pd.DataFrame(
        {"unit_id": ["a", "b", "c"], "lon": [106.0, 106.2, 106.1], "lat": [29.5, 29.5, 29.6]}
    ).to_csv(tmp_path / "units.csv", index=False)
    code = main(
        [
            "access",
            "--units",
            str(tmp_path / "units.csv"),
            "--roads",
            str(osm),
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert code == 0
    tt = pd.read_csv(tmp_path / "o" / "travel_times.csv").set_index(["origin", "destination"])
    # a -> b runs the whole motorway at its 100 km/h maxspeed
    km = haversine_km(106.0, 29.5, 106.1, 29.5) + haversine_km(106.1, 29.5, 106.2, 29.5)
    assert tt.loc[("a", "b"), "minutes"] == pytest.approx(km / 100 * 60, abs=0.1)
    assert not tt["modelled"].any() and set(tt["main_mode"]) == {"road"}
    # a unit far from the extract is refused, not snapped silently
    pd.DataFrame({"unit_id": ["a", "z"], "lon": [106.0, 107.5], "lat": [29.5, 29.5]}).to_csv(
        tmp_path / "far.csv", index=False
    )
    assert (
        main(
            [
                "access",
                "--units",
                str(tmp_path / "far.csv"),
                "--roads",
                str(osm),
                "--out",
                str(tmp_path / "p"),
            ]
        )
        == 2
    )


def _user_args(d: Path, out: Path) -> list[str]:
    return ["access", "--units", str(d / "units.csv"), "--stop-times", str(d / "stop_times.csv"),
            "--trips", str(d / "trips.csv"), "--stations", str(d / "stations.csv"),
            "--out", str(out)]


def test_every_bad_scenario_option_in_one_error_before_any_work(tmp_path, capsys, monkeypatch):
    """#13.9: --add-link, --speed-up, --window and --bands are all checked before any input is
    read, and one error lists every bad one."""
    _write_user_files(tmp_path)
    import metrocircle.access.io as access_io

    def no_reading(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("inputs were read before the options were checked")

    monkeypatch.setattr(access_io, "load_inputs", no_reading)
    code = main([*_user_args(tmp_path, tmp_path / "out"), "--add-link", "01:02",
                 "--add-link", "01:02:x", "--speed-up", "rail:-1", "--bands", "30,abc"])
    assert code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "'01:02'" in err and "'x'" in err and "rail:-1" in err and "30,abc" in err
    assert not (tmp_path / "out").exists()


def test_cores_in_the_shared_vocabulary(tmp_path):
    """#16.6: --cores reads unit_id,area_id as every other command does; each area is a core."""
    _write_user_files(tmp_path)
    pd.DataFrame({"unit_id": ["01", "04"], "area_id": ["west", "east"]}).to_csv(
        tmp_path / "cores.csv", index=False)
    out = tmp_path / "out"
    assert main([*_user_args(tmp_path, out), "--cores", str(tmp_path / "cores.csv")]) == 0
    circles = pd.read_csv(out / "circles.csv", dtype={"unit_id": str})
    assert set(circles["core"]) == {"west", "east"}
    run = json.loads((out / "run.json").read_text())
    assert "travel_times.csv" in run["files"]
