"""``metrocircle groups`` on tiny files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from metrocircle.cli.main import main

FLOWS = """origin,destination,value
a,a,50
a,b,10
a,c,1
b,a,8
b,b,40
b,d,2
c,a,1
c,c,30
c,d,6
d,b,1
d,c,9
d,d,20
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    f = tmp_path / "flows.csv"
    f.write_text(FLOWS)
    u = tmp_path / "units.csv"
    u.write_text("unit_id,population\na,100\nb,200\nc,300\nd,400\n")
    adj = tmp_path / "adjacency.csv"
    adj.write_text("unit_a,unit_b\na,c\nc,b\nb,d\n")
    return {"flows": f, "units": u, "adjacency": adj}


def test_intramax_writes_tables(tmp_path: Path, files, capsys) -> None:  # noqa: ANN001
    out = tmp_path / "out"
    args = ["groups", "--flows", str(files["flows"]), "--units", str(files["units"])]
    code = main([*args, "--method", "intramax", "--param", "k=2", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    m = pd.read_csv(out / "membership.csv")
    assert m.groupby("group")["unit_id"].apply(sorted).tolist() == [["a", "b"], ["c", "d"]]
    g = pd.read_csv(out / "groups.csv")
    assert g["population"].tolist() == [300, 700]
    h = pd.read_csv(out / "history.csv")
    assert h["kept"].tolist() == ["c", "a", "a"]
    run = json.loads((out / "run.json").read_text())
    assert run["info"]["n_groups"] == 2 and set(run["inputs"]) == {"flows", "units"}
    # with contiguity (chain a - c - b - d) the regions change: b+d, then c joins
    out2 = tmp_path / "out2"
    code = main(
        [*args, "--adjacency", str(files["adjacency"]), "--method", "intramax",
         "--param", "k=2", "--out", str(out2)]
    )  # fmt: skip
    assert code == 0
    m2 = pd.read_csv(out2 / "membership.csv").set_index("unit_id")["group"]
    assert m2["b"] == m2["c"] == m2["d"] != m2["a"]


def test_leiden_and_infomap_run(tmp_path: Path, files, capsys) -> None:  # noqa: ANN001
    for method in ("leiden", "infomap"):
        out = tmp_path / method
        code = main(
            ["groups", "--flows", str(files["flows"]), "--method", method,
             "--param", "stability_runs=3", "--out", str(out), "--no-progress"]
        )  # fmt: skip
        assert code == 0, capsys.readouterr().err
        run = json.loads((out / "run.json").read_text())
        assert run["info"]["stability"]["runs"] == 3
        assert len(pd.read_csv(out / "membership.csv")) == 4


def test_bad_param_and_every_file_problem_in_one_error(tmp_path: Path, files, capsys) -> None:  # noqa: ANN001
    code = main(
        ["groups", "--flows", str(files["flows"]), "--method", "leiden",
         "--param", "resolution=abc", "--out", str(tmp_path / "o")]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "'resolution' parameter of leiden must be a float > 0" in err
    bad_flows = tmp_path / "bad.csv"
    bad_flows.write_text("origin,destination,value\na,b,-1\n")
    bad_adj = tmp_path / "bad_adj.csv"
    bad_adj.write_text("unit_a,unit_b\na,a\n")  # (a pair outside the study is set aside)
    code = main(
        ["groups", "--flows", str(bad_flows), "--units", str(files["units"]),
         "--adjacency", str(bad_adj), "--method", "intramax", "--param", "k=2",
         "--out", str(tmp_path / "o")]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "bad.csv" in err and "bad_adj.csv" in err
    code = main(
        ["groups", "--flows", str(files["flows"]), "--method", "louvain", "--out", str(tmp_path)]
    )
    assert code == 2 and "Unknown group method" in capsys.readouterr().err


def test_polygon_units_give_gpkg(tmp_path: Path, files, capsys) -> None:  # noqa: ANN001
    """Units as polygons (four squares in a row a b c d): groups.gpkg has the units and the
    dissolved groups; the polygon file also gives the adjacency (queen contiguity)."""
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import box

    units = gpd.GeoDataFrame(
        {"unit_id": list("abcd"), "population": [100, 200, 300, 400]},
        geometry=[box(k * 1000, 0, (k + 1) * 1000, 1000) for k in range(4)],
        crs="EPSG:3857",
    )
    path = tmp_path / "units.geojson"
    units.to_file(path, driver="GeoJSON")
    out = tmp_path / "out"
    code = main(
        ["groups", "--flows", str(files["flows"]), "--units", str(path), "--adjacency",
         str(path), "--method", "intramax", "--param", "k=2", "--out", str(out)]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    groups = gpd.read_file(out / "groups.gpkg", layer="groups")
    assert sorted(groups["n_units"]) == [2, 2]
    assert sorted(round(a) for a in groups.geometry.area) == [2_000_000, 2_000_000]
    assert len(gpd.read_file(out / "groups.gpkg", layer="membership")) == 4
