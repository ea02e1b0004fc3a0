"""With polygons, delineate() returns a GeoDataFrame and the CLI writes a GeoPackage for QGIS."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import box

import metrocircle as mc
from metrocircle.cli.main import main


def strip() -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame]:
    """Four 10 km squares in a row (EPSG:32648): core 'c', then 'a' (40 % to c),
    'b' (30 % to c), 'd' (2 % to c)."""
    ids = ["c", "a", "b", "d"]
    units = gpd.GeoDataFrame(
        {"unit_id": ids, "population": [1000, 400, 300, 200]},
        geometry=[box(i * 10_000, 0, (i + 1) * 10_000, 10_000) for i in range(4)],
        crs=32648,
    )
    flows = pd.DataFrame(
        {
            "origin": ["c", "a", "a", "b", "b", "d", "d"],
            "destination": ["c", "a", "c", "b", "c", "d", "c"],
            "value": [100, 60, 40, 70, 30, 98, 2],
        }
    )
    cores = pd.DataFrame({"unit_id": ["c"], "area_id": ["M"]})
    return units, flows, cores


def test_python_api_returns_geodataframe() -> None:
    units, flows, cores = strip()
    adjacency = mc.model.adjacency_from_polygons(units, contiguity="rook")
    result = mc.delineate("omb-cbsa", flows, units=units, cores=cores, adjacency=adjacency)
    m = result.membership
    assert isinstance(m, gpd.GeoDataFrame) and m.crs.to_epsg() == 32648
    assert m.set_index("unit_id")["status"].to_dict() == {
        "c": "core",
        "a": "member",
        "b": "member",
        "d": "outside",
    }
    assert m.geometry.notna().all()


def test_cli_writes_geopackage_with_membership_and_area_layers(tmp_path: Path, capsys) -> None:
    units, flows, cores = strip()
    units.to_file(tmp_path / "units.gpkg", layer="units")
    flows.to_csv(tmp_path / "flows.csv", index=False)
    cores.to_csv(tmp_path / "cores.csv", index=False)
    out = tmp_path / "out"
    code = main(
        [
            "delineate", "omb-cbsa", "--flows", str(tmp_path / "flows.csv"),
            "--units", str(tmp_path / "units.gpkg"), "--cores", str(tmp_path / "cores.csv"),
            "--adjacency", str(tmp_path / "units.gpkg"), "--contiguity", "rook",
            "--out", str(out), "--no-progress",
        ]
    )
    assert code == 0, capsys.readouterr().err
    layers = {name for name, _ in pyogrio.list_layers(out / "delineation.gpkg")}
    assert layers == {"membership", "areas"}
    areas = gpd.read_file(out / "delineation.gpkg", layer="areas")
    assert areas["area_id"].tolist() == ["M"]
    # the area polygon is the union of c, a and b: 30 km x 10 km
    assert abs(areas.geometry.area.iloc[0] - 3 * 10_000 * 10_000) < 1.0
    assert int(areas["population"].iloc[0]) == 1700
