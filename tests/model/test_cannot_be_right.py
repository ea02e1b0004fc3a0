"""Issue 13 class 7: inputs that cannot be right get one clear error listing all of them, or a
loud warning where the input is legitimate; never a silent wrong result."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import metrocircle as mc
from metrocircle.cli.main import main
from metrocircle.exceptions import InputError
from metrocircle.indicators import area_indicators
from metrocircle.model import (
    read_flows,
    read_units,
    validate_flows,
    validate_travel_times,
    validate_units,
)


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def cli(args: list[str], capsys) -> tuple[int, str]:
    code = main(args)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


# -- urban population above population; zero population --------------------------------------


def test_urban_population_above_population_is_an_error_listing_every_unit() -> None:
    units = pd.DataFrame({"unit_id": ["a", "b", "c"], "population": [100, 50, 10],
                          "urban_population": [837, 50, 11]})
    with pytest.raises(InputError) as err:
        validate_units(units)
    (p,) = err.value.problems
    assert "urban_population above population" in p.message and "a, c" in p.message
    assert list(p.rows) == ["row 1", "row 3"]


def test_indicators_refuse_an_urbanisation_rate_above_100_percent() -> None:
    units = pd.DataFrame({"unit_id": ["a", "b"], "pop": [100, 50], "urban": [837, 20]})
    membership = pd.DataFrame({"unit_id": ["a", "b"], "area_id": ["A", "A"]})
    with pytest.raises(InputError, match=r"urban above pop .* for unit\(s\) a"):
        area_indicators(units, membership,
                        columns={"population": "pop", "urban_population": "urban"})


def test_zero_population_is_a_loud_warning_not_an_error(caplog) -> None:
    notes: list = []
    units = pd.DataFrame({"unit_id": ["a", "b"], "population": [0, 10]})
    with caplog.at_level(logging.WARNING):
        out = validate_units(units, notes=notes)
    assert len(out) == 2
    assert notes[0].kind == "zero_population" and notes[0].details["units"] == ["a"]
    assert any("population 0 (a)" in r.getMessage() for r in caplog.records)


# -- a column you name that is not there -------------------------------------------------------


def test_a_named_column_missing_from_the_file_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "u.csv", "unit_id,pop\na,1\n")
    with pytest.raises(InputError, match=r"column 'population' not found; the file has: unit_id"):
        read_units(path, columns={"population": "population"})
    with pytest.raises(InputError, match=r"column 'POP' \(given for population\) not found"):
        read_units(path, columns={"population": "POP"})
    flows = write(tmp_path / "f.csv", "origin,destination,value\na,a,1\n")
    with pytest.raises(InputError, match=r"column 'mode' \(given for layer\) not found"):
        read_flows(flows, layer_col="mode")


def test_indicators_col_naming_a_missing_column(tmp_path: Path, capsys) -> None:
    units = write(tmp_path / "u.csv", "unit_id,population,gdp\na,10,1\n")
    memb = write(tmp_path / "m.csv", "unit_id,area_id\na,A\n")
    code, err = cli(["indicators", "--units", str(units), "--membership", str(memb),
                     "--col", "gdp=GDP_2020", "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "column 'GDP_2020' (given for gdp) not found" in err


# -- totals that overflow --------------------------------------------------------------------


def test_totals_that_overflow_are_an_error() -> None:
    big = np.finfo(float).max / 2
    flows = pd.DataFrame({"origin": ["a", "a", "b"], "destination": ["a", "b", "b"],
                          "value": [big, big, big]})
    with pytest.raises(InputError, match="total overflows to infinity"):
        validate_flows(flows)
    units = pd.DataFrame({"unit_id": ["a", "b", "c"], "population": [big * 1.2, 1.0, big * 1.2]})
    with pytest.raises(InputError, match=r"column 'population' .* overflows.*\[row 1, row 3"):
        validate_units(units)


# -- header-only files -----------------------------------------------------------------------


def test_header_only_flows_and_cores_through_delineate(tmp_path: Path, capsys) -> None:
    flows = write(tmp_path / "flows.csv", "origin,destination,value\n")
    cores = write(tmp_path / "cores.csv", "unit_id,area_id\n")
    good = write(tmp_path / "good.csv", "origin,destination,value\na,a,10\nb,a,5\nb,b,5\n")
    code, err = cli(["delineate", "omb-cbsa", "--flows", str(flows), "--cores",
                     str(write(tmp_path / "c1.csv", "unit_id,area_id\na,A\n")),
                     "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "flows.csv: no flows: the table has no rows" in err
    code, err = cli(["delineate", "omb-cbsa", "--flows", str(good), "--cores", str(cores),
                     "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "cores.csv: no cores: the table has no rows" in err
    assert "give --cores" not in err
    for name in ("flows.csv", "cores.csv"):
        assert not (tmp_path / "o").exists(), name


# -- two columns with one name ---------------------------------------------------------------


def test_two_columns_with_one_name(tmp_path: Path) -> None:
    path = write(tmp_path / "f.csv", "origin,destination,value, origin\na,b,1,c\n")
    with pytest.raises(InputError, match=r"share one name: 'origin' \(columns 1, 4\)"):
        read_flows(path)
    frame = pd.DataFrame([["a", "b", 1, "c"]], columns=["origin", "destination", "value", "origin"])
    with pytest.raises(InputError, match=r"share one name: 'origin' \(columns 1, 4\)"):
        validate_flows(frame)


# -- a travel-time pair missing from the matrix is missing, not unreachable -------------------


def cn_inputs() -> dict:
    flows = pd.DataFrame({
        "origin": ["c", "a", "a", "b", "b", "d", "d"],
        "destination": ["c", "a", "c", "b", "c", "d", "c"],
        "value": [100, 50, 50, 60, 40, 60, 40],
    })
    cores = pd.DataFrame({"unit_id": ["c"], "area_id": ["C"]})
    # a: 30 minutes; b: unreachable (row with no minutes); d: no row at all (missing)
    tt = pd.DataFrame({"origin": ["a", "b"], "destination": ["c", "c"], "minutes": [30, None]})
    return {"flows": flows, "cores": cores, "travel_times": tt}


def test_missing_travel_time_is_reported_as_missing(caplog) -> None:
    d = cn_inputs()
    with caplog.at_level(logging.WARNING):
        r = mc.delineate("cn-commuting", d["flows"], cores=d["cores"],
                         travel_times=d["travel_times"], params={"contiguity": False})
    m = r.membership.set_index("unit_id")
    assert m.loc["a", "status"] == "member"
    assert m.loc["b", "rule"] == "rejected:travel_minutes>60"
    assert m.loc["b", "travel_minutes"] == np.inf  # unreachable
    assert m.loc["d", "rule"] == "rejected:travel_time_missing"
    assert np.isnan(m.loc["d", "travel_minutes"])
    assert r.info["travel_time_pairs_missing"] == 1 and r.info["units_travel_time_missing"] == 1
    assert any("no time for 1 pair" in rec.getMessage() for rec in caplog.records)


def test_missing_travel_time_through_the_cli(tmp_path: Path, capsys) -> None:
    d = cn_inputs()
    for name in ("flows", "cores", "travel_times"):
        d[name].to_csv(tmp_path / f"{name}.csv", index=False)
    code, err = cli(["delineate", "cn-commuting", "--flows", str(tmp_path / "flows.csv"),
                     "--cores", str(tmp_path / "cores.csv"), "--travel-times",
                     str(tmp_path / "travel_times.csv"), "--param", "contiguity=false",
                     "--out", str(tmp_path / "o"), "--no-progress"], capsys)
    assert code == 0, err
    m = pd.read_csv(tmp_path / "o" / "membership.csv", dtype={"unit_id": str}).set_index(
        "unit_id")
    assert m.loc["d", "rule"] == "rejected:travel_time_missing"
    run = json.loads((tmp_path / "o" / "run.json").read_text())
    assert run["info"]["travel_time_pairs_missing"] == 1


# -- every cell outside every unit polygon ----------------------------------------------------


def test_every_cell_outside_every_polygon_is_an_error(tmp_path: Path) -> None:
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import box

    from metrocircle.signaling.cells import units_by_polygons

    units = gpd.GeoDataFrame({"unit_id": ["A"]}, geometry=[box(106, 29, 107, 30)], crs=4326)
    units.to_file(tmp_path / "u.geojson", driver="GeoJSON")
    swapped = pd.DataFrame({"cell": ["1", "2"], "lon": [29.5, 29.6], "lat": [106.5, 106.6]})
    swapped["lat"] = [89.0, 88.0]  # in range, but nowhere near the units
    with pytest.raises(InputError, match=r"none of the 2 cells lies inside any unit polygon"):
        units_by_polygons(swapped, tmp_path / "u.geojson")
    ok = pd.DataFrame({"cell": ["1", "2"], "lon": [106.5, 120.0], "lat": [29.5, 29.5]})
    assert units_by_polygons(ok, tmp_path / "u.geojson").tolist() == ["A", None]


def test_od_cli_with_cells_outside_every_polygon(tmp_path: Path, capsys) -> None:
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import box

    gpd.GeoDataFrame({"unit_id": ["A"]}, geometry=[box(106, 29, 107, 30)], crs=4326).to_file(
        tmp_path / "u.geojson", driver="GeoJSON")
    write(tmp_path / "cells.csv", "cell_id,lon,lat\nc1,10.0,50.0\nc2,10.1,50.1\n")
    write(tmp_path / "rec.csv", "uid,time,cell\nu1,2024-01-01 01:00:00,c1\n")
    code, err = cli(["od", "--records", str(tmp_path / "rec.csv"), "--cells",
                     str(tmp_path / "cells.csv"), "--units", str(tmp_path / "u.geojson"),
                     "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "none of the 2 cells lies inside any unit polygon" in err


# ---------------------------------------------------------------------------------------------
# Property: tables with impossible values (urban > population, overflowing totals, header only,
# duplicated columns) give exit 2 / InputError naming them, never a traceback or exit 0.

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
BIG = np.finfo(float).max / 3


@SETTINGS
@given(
    values=st.lists(st.sampled_from([0.0, 1.0, 7.5, BIG]), min_size=2, max_size=5),
    urban_over=st.lists(st.booleans(), min_size=2, max_size=5),
    header_only=st.sampled_from([None, "flows", "cores"]),
    twice=st.booleans(),
)
def test_impossible_inputs_end_in_one_clear_error(
    tmp_path_factory, capsys, values, urban_over, header_only, twice
) -> None:
    d = tmp_path_factory.mktemp("c7")
    units = [f"u{i}" for i in range(len(values))]
    flows = pd.DataFrame({"origin": units, "destination": [units[0]] * len(units),
                          "value": values})
    pops = [100.0] * len(units)
    urb = [150.0 if (urban_over[i % len(urban_over)]) else 50.0 for i in range(len(units))]
    pd.DataFrame({"unit_id": units, "population": pops, "urban_population": urb}).to_csv(
        d / "units.csv", index=False)
    (flows.iloc[:0] if header_only == "flows" else flows).to_csv(d / "flows.csv", index=False)
    cores = pd.DataFrame({"unit_id": [units[0]], "area_id": ["A"]})
    (cores.iloc[:0] if header_only == "cores" else cores).to_csv(d / "cores.csv", index=False)
    if twice:
        text = (d / "flows.csv").read_text().splitlines()
        text[0] += ",value"
        (d / "flows.csv").write_text("\n".join(ln + ("," if i else "") for i, ln in
                                               enumerate(text)) + "\n")
    code = main(["delineate", "omb-cbsa", "--flows", str(d / "flows.csv"), "--units",
                 str(d / "units.csv"), "--cores", str(d / "cores.csv"),
                 "--param", "contiguity=false", "--out", str(d / "o"), "--no-progress"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    with np.errstate(over="ignore"):
        finite_total = bool(np.isfinite(np.sum(values)))
    bad_urban = any(u > p for u, p in zip(urb, pops, strict=True))
    expect_error = (not finite_total and header_only != "flows") or bad_urban or (
        header_only is not None) or twice
    if not expect_error:
        assert code == 0, err
        return
    assert code == 2, err
    assert err.startswith("Error: ") and err.count("Error: ") == 1
    if twice:
        assert "share one name: 'value'" in err
    elif header_only:
        assert f"{header_only}.csv: no {header_only}" in err
    if bad_urban:
        assert "urban_population above population" in err
    if not finite_total and header_only != "flows" and not twice:
        assert "overflows to infinity" in err


@SETTINGS
@given(times=st.lists(st.sampled_from(["missing", "none", "10", "90"]), min_size=3, max_size=3))
def test_travel_times_missing_unreachable_or_far(times) -> None:
    d = cn_inputs()
    rows = []
    for unit, t in zip(["a", "b", "d"], times, strict=True):
        if t != "missing":
            rows.append({"origin": unit, "destination": "c",
                         "minutes": None if t == "none" else float(t)})
    tt = pd.DataFrame(rows, columns=["origin", "destination", "minutes"])
    if tt.empty:
        with pytest.raises(InputError, match="no travel times"):
            validate_travel_times(tt)
        return
    r = mc.delineate("cn-commuting", d["flows"], cores=d["cores"], travel_times=tt,
                     params={"contiguity": False})
    m = r.membership.set_index("unit_id")
    for unit, t in zip(["a", "b", "d"], times, strict=True):
        rule = m.loc[unit, "rule"]
        if t == "missing":
            assert rule == "rejected:travel_time_missing"
        elif t in ("none", "90"):
            assert rule == "rejected:travel_minutes>60"
        else:
            assert m.loc[unit, "status"] == "member"
    assert r.info["units_travel_time_missing"] == times.count("missing")
