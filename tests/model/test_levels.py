"""Issue 16 item 5: a units table that holds units of several levels (the shipped Chongqing
boundaries include the province and Guang'an prefecture beside their own counties) is detected,
by ``parent_id`` or by polygons; the finest level is used and said, or, when the finer units
do not cover their container, the run stops with a clear error. The CLI and the Python loaders
agree."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

import metrocircle as mc
from metrocircle.cli.main import main
from metrocircle.datasets import chongqing
from metrocircle.exceptions import InputError
from metrocircle.model import read_adjacency, read_units, validate_units
from metrocircle.model.levels import containers

BOUNDARIES = chongqing.data_path("boundaries.geojson")


def test_shipped_boundaries_use_the_county_level_like_the_loaders(caplog) -> None:
    notes: list = []
    with caplog.at_level(logging.WARNING):
        units = read_units(BOUNDARIES, id_col="code", notes=notes)  # by polygons alone
    loader = chongqing.load_boundaries()
    assert sorted(units["unit_id"]) == sorted(loader["unit_id"]) == sorted(
        chongqing.load_units()["unit_id"])
    assert len(units) == 58
    (note,) = notes
    assert note.kind == "units_level" and note.details["set_aside"] == ["500000", "511600"]
    assert len(note.details["contains"]["511600"]) == 6
    assert any("finest level" in r.getMessage() for r in caplog.records)


def test_units_table_by_parent_id_gives_the_same_units() -> None:
    table = pd.read_csv(chongqing.data_path("units.csv"), dtype=str)
    units = read_units(table, id_col="code", columns={"parent_id": "parent_code"})
    assert sorted(units["unit_id"]) == sorted(chongqing.load_units()["unit_id"])


def test_adjacency_from_the_boundaries_is_among_the_finest_units_only() -> None:
    adj = read_adjacency(BOUNDARIES, id_col="code")
    codes = set(adj["unit_a"]) | set(adj["unit_b"])
    assert not codes & {"500000", "511600"}
    shipped = chongqing.load_adjacency()
    assert len(adj) >= len(shipped)


def test_cli_groups_with_the_shipped_boundaries(tmp_path: Path, capsys, caplog) -> None:
    """``metrocircle groups --units boundaries.geojson``: the 58 county-level units, said."""
    units = chongqing.load_units()["unit_id"].tolist()
    chain = zip(units, units[1:], strict=False)
    rows = [(u, u, 100) for u in units] + [(a, b, 10) for a, b in chain]
    pd.DataFrame(rows, columns=["origin", "destination", "value"]).to_csv(
        tmp_path / "flows.csv", index=False)
    with caplog.at_level(logging.WARNING):
        code = main(["groups", "--flows", str(tmp_path / "flows.csv"), "--units", str(BOUNDARIES),
                     "--units-id-col", "code", "--method", "intramax", "--param", "k=5",
                     "--out", str(tmp_path / "g"), "--no-progress"])
    assert code == 0, capsys.readouterr().err
    m = pd.read_csv(tmp_path / "g" / "membership.csv", dtype=str)
    assert sorted(m["unit_id"]) == sorted(units)
    assert any("500000" in r.getMessage() and "finest level" in r.getMessage()
               for r in caplog.records)


def test_cli_delineate_records_the_level_in_run_json(tmp_path: Path, capsys) -> None:
    units = chongqing.load_units()["unit_id"].tolist()
    flows = [(u, u, 100) for u in units] + [(u, "500103", 40) for u in units if u != "500103"]
    pd.DataFrame(flows, columns=["origin", "destination", "value"]).to_csv(
        tmp_path / "flows.csv", index=False)
    (tmp_path / "cores.csv").write_text("unit_id,area_id\n500103,cq\n")
    code = main(["delineate", "omb-cbsa", "--flows", str(tmp_path / "flows.csv"),
                 "--cores", str(tmp_path / "cores.csv"), "--units", str(BOUNDARIES),
                 "--units-id-col", "code", "--param", "contiguity=false",
                 "--out", str(tmp_path / "o"), "--no-progress"])
    assert code == 0, capsys.readouterr().err
    run = json.loads((tmp_path / "o" / "run.json").read_text())
    kinds = {n["kind"] for n in run["info"]["inputs"]}
    assert "units_level" in kinds
    assert run["counts"]["units"] == 58


def test_a_container_its_units_do_not_cover_is_an_error() -> None:
    squares = [box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)]
    region = box(0, 0, 2000, 1000)
    gdf = gpd.GeoDataFrame({"unit_id": ["a", "b", "R"]}, geometry=[*squares, region], crs=3857)
    assert len(validate_units(gdf)) == 2  # a and b tile R: R is set aside
    partial = gdf[gdf["unit_id"] != "b"]
    with pytest.raises(InputError, match=r"several levels.*R contains a but they cover only 50%"):
        validate_units(partial)


def test_partial_container_by_population_is_an_error() -> None:
    units = pd.DataFrame({"unit_id": ["P", "c1", "c2"], "parent_id": [None, "P", "P"],
                          "population": [1000, 300, 200]})
    with pytest.raises(InputError, match="cover only 50%"):
        validate_units(units)
    whole = units.assign(population=[500, 300, 200])
    assert list(validate_units(whole)["unit_id"]) == ["c1", "c2"]


def test_python_delineate_and_loader_agree() -> None:
    """``mc.delineate`` given the 60 boundaries (``partition=False``) uses the same 58 units as
    given the loader's partition."""
    all60 = chongqing.load_boundaries(partition=False)
    assert len(all60) == 60
    units = chongqing.load_units()["unit_id"].tolist()
    flows = [{"origin": u, "destination": u, "value": 100} for u in units]
    flows += [{"origin": u, "destination": "500103", "value": 40} for u in units if u != "500103"]
    cores = [{"unit_id": "500103", "area_id": "cq"}]
    a = mc.delineate("omb-cbsa", flows, units=all60, cores=cores, params={"contiguity": False})
    b = mc.delineate("omb-cbsa", flows, units=chongqing.load_boundaries(), cores=cores,
                     params={"contiguity": False})
    cols = ["unit_id", "area_id", "status", "value"]
    pd.testing.assert_frame_equal(a.membership[cols], b.membership[cols])


# ---------------------------------------------------------------------------------------------
# Property: a grid of units with any set of coarser blocks added always comes back as the grid.

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def block(draw: st.DrawFn) -> tuple[int, int, int, int]:
    h, w = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return draw(st.integers(0, 4 - h)), draw(st.integers(0, 4 - w)), h, w


@SETTINGS
@given(
    blocks=st.lists(block(), max_size=3, unique=True),
    by_parent=st.booleans(),
    drop=st.booleans(),
)
def test_any_coarser_blocks_leave_the_grid_or_one_error(blocks, by_parent, drop) -> None:
    cells = [(r, c) for r in range(4) for c in range(4)]
    ids = [f"u{r}{c}" for r, c in cells]
    geoms = [box(c * 1000, r * 1000, (c + 1) * 1000, (r + 1) * 1000) for r, c in cells]
    parents: list[str | None] = [None] * len(ids)
    for k, (r0, c0, h, w) in enumerate(blocks):
        inside = [i for i, (r, c) in enumerate(cells) if r0 <= r < r0 + h and c0 <= c < c0 + w]
        ids.append(f"B{k}")
        geoms.append(box(c0 * 1000, r0 * 1000, (c0 + w) * 1000, (r0 + h) * 1000))
        parents.append(None)
        for i in inside:
            parents[i] = f"B{k}" if parents[i] is None else parents[i]
    gdf = gpd.GeoDataFrame({"unit_id": ids, "parent_id": parents}, geometry=geoms, crs=3857)
    if by_parent:
        gdf = pd.DataFrame(gdf.drop(columns="geometry"))
    removed = None
    if drop:  # take a grid cell away: a block over it is then only partly covered
        removed = "u00"
        gdf = gdf[gdf["unit_id"] != removed]
    # by polygons: a block over the removed cell is only partly covered (unless it is that
    # very cell, then it simply replaces it); a one-cell block is the same place as its cell
    at_origin = [h * w for r0, c0, h, w in blocks if r0 == 0 and c0 == 0]
    partial = drop and any(n > 1 for n in at_origin) and 1 not in at_origin
    twice = any(h * w == 1 and not (drop and r0 == 0 and c0 == 0) for r0, c0, h, w in blocks)
    found = containers(gdf)
    assert set(found) <= {f"B{k}" for k in range(len(blocks))}
    try:
        out = validate_units(gdf)
    except InputError as err:
        assert not by_parent and (partial or twice), err
        assert "several levels" in str(err) or "same place" in str(err)
        assert len(err.problems) == 1
        return
    assert by_parent or not (partial or twice)
    if by_parent:  # without polygons, the blocks named as parents are the containers
        named = {p for p in gdf["parent_id"].dropna()}
        assert set(out["unit_id"]) == set(gdf["unit_id"]) - named
    else:
        single = {f"B{k}" for k, (r0, c0, h, w) in enumerate(blocks) if h * w == 1}
        assert set(out["unit_id"]) == {f"u{r}{c}" for r, c in cells} - {removed} | single
