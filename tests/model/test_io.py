"""Readers and writers: every format, column mapping, leading zeros, polygon adjacency."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon, box

from metrocircle.exceptions import InputError
from metrocircle.model import (
    adjacency_from_polygons,
    read_adjacency,
    read_cores,
    read_flows,
    read_units,
    write_table,
)


def grid(n: int = 3, gap: float = 0.0) -> gpd.GeoDataFrame:
    """n x n squares of 1 km in a metric CRS; ids r{row}c{col}."""
    cells, ids = [], []
    for r in range(n):
        for c in range(n):
            cells.append(
                box(c * 1000 + gap, r * 1000 + gap, (c + 1) * 1000 - gap, (r + 1) * 1000 - gap)
            )
            ids.append(f"r{r}c{c}")
    return gpd.GeoDataFrame({"unit_id": ids, "population": range(n * n)}, geometry=cells, crs=3857)


def test_csv_flows_with_column_mapping_keep_leading_zeros(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("res_fips,work_fips,workers\n01001,01001,8671\n01001,01003,8\n")
    flows = read_flows(
        path, origin_col="res_fips", destination_col="work_fips", value_col="workers"
    )
    assert flows["origin"].tolist() == ["01001", "01001"]
    assert flows["value"].tolist() == [8671.0, 8.0]


def test_csv_problems_are_reported_with_file_lines(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("origin,destination,value\na,b,1\na,c,-2\nb,a,x\n")
    with pytest.raises(InputError) as err:
        read_flows(path)
    text = str(err.value)
    assert "f.csv: negative value in column 'value' [line 3]" in text
    assert "[line 4]" in text


def test_margin_of_error_column_is_read_only_when_asked_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("o,d,v,margin,moe\na,b,10,4,x\nb,a,5,0,x\n")
    flows = read_flows(path, origin_col="o", destination_col="d", value_col="v", moe_col="margin")
    assert flows["moe"].tolist() == [4.0, 0.0]
    # without moe_col the flows carry no margin, whatever the file's columns are called
    plain = read_flows(path, origin_col="o", destination_col="d", value_col="v")
    assert list(plain.columns) == ["origin", "destination", "value"]
    bad = tmp_path / "g.csv"
    bad.write_text("origin,destination,value,moe\na,b,1,-3\na,c,2,\nb,a,4,lots\n")
    with pytest.raises(InputError) as err:
        read_flows(bad, moe_col="moe")
    text = str(err.value)
    assert "negative value in column 'moe' [line 2]" in text
    assert "missing value in column 'moe' [line 3]" in text
    assert "non-numeric value in column 'moe' (e.g. 'lots') [line 4]" in text
    with pytest.raises(InputError, match="column 'err' \\(given for moe\\) not found"):
        read_flows(path, origin_col="o", destination_col="d", value_col="v", moe_col="err")


def test_mapped_column_absent(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("o,d,v\na,b,1\n")
    with pytest.raises(InputError, match="column 'workers' \\(given for value\\) not found"):
        read_flows(path, origin_col="o", destination_col="d", value_col="workers")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_flows_round_trip(tmp_path: Path, suffix: str) -> None:
    df = pd.DataFrame(
        {"origin": ["001", "002"], "destination": ["002", "001"], "value": [1.5, 2.0]}
    )
    path = write_table(df, tmp_path / f"flows{suffix}")
    back = read_flows(path)
    pd.testing.assert_frame_equal(back, df, check_dtype=False)


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".parquet"])
def test_units_geometry_round_trip(tmp_path: Path, suffix: str) -> None:
    g = grid(2)
    path = write_table(g, tmp_path / f"units{suffix}", layer="units")
    back = read_units(path)
    assert isinstance(back, gpd.GeoDataFrame)
    assert back["unit_id"].tolist() == g["unit_id"].tolist()
    assert back.crs.to_epsg() == 3857
    assert back.geometry.area.round(3).tolist() == g.geometry.area.round(3).tolist()


def test_invalid_geometry_and_missing_crs_reported(tmp_path: Path) -> None:
    bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    g = gpd.GeoDataFrame({"unit_id": ["a", "b"]}, geometry=[bowtie, box(2, 2, 3, 3)], crs=None)
    path = tmp_path / "u.geojson"
    g.to_file(path)
    # GeoJSON always reads back as WGS84, so check CRS on an in-memory frame too
    with pytest.raises(InputError, match="invalid geometry") as err:
        read_units(path)
    assert "row 1" in str(err.value)
    from metrocircle.model import validate_units

    with pytest.raises(InputError, match="no coordinate reference system"):
        validate_units(g)


def test_queen_and_rook_adjacency_on_a_grid() -> None:
    g = grid(3)
    queen = adjacency_from_polygons(g, contiguity="queen")
    rook = adjacency_from_polygons(g, contiguity="rook")
    # 3x3 lattice: 12 rook pairs, plus 8 diagonal pairs for queen
    assert len(rook) == 12
    assert len(queen) == 20
    assert {"unit_a": "r0c0", "unit_b": "r1c1"} in queen.to_dict("records")
    assert {"unit_a": "r0c0", "unit_b": "r1c1"} not in rook.to_dict("records")


def test_snapping_tolerance_closes_slivers() -> None:
    g = grid(2, gap=2.0)  # 4 m gaps between cells
    assert len(adjacency_from_polygons(g, contiguity="rook")) == 0
    assert len(adjacency_from_polygons(g, contiguity="rook", tolerance_m=5.0)) == 4


def test_adjacency_from_polygon_file_and_from_pairs(tmp_path: Path) -> None:
    gpkg = write_table(grid(2), tmp_path / "units.gpkg", layer="units")
    from_poly = read_adjacency(gpkg, contiguity="rook")
    csv = tmp_path / "adj.csv"
    from_poly.to_csv(csv, index=False)
    from_pairs = read_adjacency(csv)
    pd.testing.assert_frame_equal(from_poly, from_pairs, check_dtype=False)


def test_cores_unknown_units(tmp_path: Path) -> None:
    path = tmp_path / "cores.csv"
    path.write_text("unit_id,area_id\n01,A\n99,A\n")
    with pytest.raises(InputError, match="unknown unit code.*99"):
        read_cores(path, universe=["01", "02"])


def test_unsupported_and_empty_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        read_flows(empty)
    odd = tmp_path / "flows.xlsx"
    odd.write_bytes(b"PK")
    with pytest.raises(InputError, match="unsupported file type"):
        read_flows(odd)
    with pytest.raises(InputError, match="file not found"):
        read_flows(tmp_path / "nope.csv")


def test_crs_mismatch_between_units_and_adjacency_polygons(tmp_path: Path) -> None:
    g = grid(2)
    path = write_table(g.to_crs(4326), tmp_path / "adj.gpkg", layer="units")
    with pytest.raises(InputError, match="coordinate reference systems differ"):
        read_adjacency(path, units_crs=g.crs)
    assert len(read_adjacency(path, units_crs="EPSG:4326")) == 6


def _topology(coordinates: list[list[float]]) -> dict:
    """One square as TopoJSON (no transform: arcs in plain coordinates)."""
    return {"type": "Topology", "arcs": [coordinates],
            "objects": {"units": {"type": "GeometryCollection", "geometries": [
                {"type": "Polygon", "arcs": [[0]], "id": "A", "properties": {"name": "a"}}]}}}


def test_topojson_is_read_as_longitude_latitude(tmp_path: Path) -> None:
    import json

    from metrocircle.model.io import read_table

    f = tmp_path / "units_topo.json"
    f.write_text(json.dumps(_topology([[106.0, 29.0], [106.5, 29.0], [106.5, 29.5],
                                       [106.0, 29.5], [106.0, 29.0]])))
    gdf, _ = read_table(f, layer="units")
    assert gdf.crs == "EPSG:4326" and list(gdf["id"]) == ["A"]
    assert gdf.geometry.iloc[0].area == pytest.approx(0.25)
    # projected coordinates cannot be placed without a CRS: one clear problem
    f.write_text(json.dumps(_topology([[0.0, 0.0], [5e5, 0.0], [5e5, 5e5], [0.0, 5e5],
                                       [0.0, 0.0]])))
    with pytest.raises(InputError, match="TopoJSON file with projected coordinates"):
        read_table(f, layer="units")
