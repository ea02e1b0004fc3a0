"""Static maps and charts: what is drawn, what the legend and caption say, files written."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from shapely.geometry import box

from metrocircle.exceptions import InputError
from metrocircle.report.maps import choropleth, line_chart, save, share_bins


def cells(n: int = 3) -> gpd.GeoDataFrame:
    ids = [f"u{k}" for k in range(n)]
    return gpd.GeoDataFrame(
        {"unit_id": ids}, geometry=[box(k, 0, k + 1, 1) for k in range(n)], crs=3857
    )


def caption_of(fig) -> str:
    return fig._supxlabel.get_text().replace("\n", " ")


def test_continuous_map_counts_what_it_cannot_draw(tmp_path: Path):
    table = pd.DataFrame({"unit_id": ["u0", "u1", "zz"], "share": [0.2, None, 0.5]})
    fig = choropleth(
        cells(), table, column="share", title="Share", caption="Data: a test", vmin=0, vmax=1,
        outline=["u0"], outline_label="core",
    )
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["no value (2)", "core"]  # u1 has no value, u2 no row
    assert caption_of(fig) == (
        "Data: a test. 1 unit(s) of the table have no polygon and are not drawn; 1 polygon(s) "
        "have no row in the table (grey)."
    )
    assert fig.axes[1].get_ylabel() == "share"  # the colour bar
    written = save(fig, tmp_path / "map")
    assert [p.name for p in written] == ["map.png", "map.svg"]
    assert written[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Data: a test." in written[1].read_text()
    again = save(fig, tmp_path / "again")
    assert again[1].read_bytes() == written[1].read_bytes()  # no date in the SVG


def test_categorical_map_uses_given_colours_and_counts_classes():
    table = pd.DataFrame({"unit_id": ["u0", "u1", "u2"], "kind": ["left", "joined", "left"]})
    fig = choropleth(cells(), table, column="kind", categorical=True, title="t",
                     caption="c", colors={"left": "#d73027"}, legend_title="change")
    legend = fig.axes[0].get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == ["left (2)", "joined (1)"]  # the classes of ``colors`` first
    assert legend.get_title().get_text() == "change"
    assert to_hex(legend.legend_handles[0].get_facecolor()) == "#d73027"
    assert fig.get_suptitle() == "t"


def test_line_chart_groups_and_marks():
    table = pd.DataFrame(
        {"t": [0.1, 0.2, 0.1, 0.2, 0.1], "n": [5, 4, 3, 3, 1], "area": ["a", "a", "b", "b", "c"]}
    )
    fig = line_chart(table, x="t", y="n", group="area", title="Size", caption="Data: x",
                     marks={"reference": 0.15}, max_groups=2)
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()[:2]] == ["a", "b"]
    assert list(ax.get_lines()[0].get_ydata()) == [5, 4]
    assert caption_of(fig) == "Data: x. 1 more group(s) not drawn."
    assert any(t.get_text() == "reference" for t in ax.texts)


def test_errors():
    with pytest.raises(InputError, match="maps need unit polygons"):
        choropleth(pd.DataFrame({"unit_id": ["u0"]}), pd.DataFrame({"unit_id": ["u0"], "x": [1]}),
                   column="x", title="t", caption="c")
    with pytest.raises(InputError, match="no column 'y' to map"):
        choropleth(cells(), pd.DataFrame({"unit_id": ["u0"], "x": [1]}), column="y", title="t",
                   caption="c")
    with pytest.raises(InputError, match="no column\\(s\\) z to chart"):
        line_chart(pd.DataFrame({"x": [1], "y": [2]}), x="x", y="z", title="t", caption="c")


def test_share_bins():
    s = pd.Series([0.0, 0.6, 0.95, 0.995, 1.0, None])
    assert share_bins(s).tolist() == ["0-0.5", "0.5-0.9", "0.9-0.99", "0.99-<1", "1", None]


def test_a_region_across_the_antimeridian_is_drawn_around_its_own_middle():
    # the US counties: the Aleutians reach 172 E, Alaska -130, the states -125 to -65; the
    # bounding box of the lon/lat coordinates spans the globe, the units only 123 degrees
    from metrocircle.report.maps import lon_extent, map_crs

    parts = [box(172, 51, 180, 53), box(-180, 51, -130, 70), box(-125, 25, -65, 49),
             box(-160, 19, -155, 22)]
    gdf = gpd.GeoDataFrame({"unit_id": ["a", "b", "c", "d"]}, geometry=parts, crs=4326)
    assert lon_extent(gdf) == (172.0, 123.0)
    lon_0 = map_crs(gdf).to_dict()["lon_0"]
    assert lon_0 == pytest.approx(-126.5)
    # a region on one side keeps its plain extent
    assert lon_extent(gdf.iloc[[2]]) == (-125.0, 60.0)
    # north up: the conterminous states (60 x 24 degrees) stay wider than high, as they are
    # not around the middle of the bounding box (lon 0, the far side of the globe: on its side)
    naive = map_crs(gdf).to_proj4().replace("+lon_0=-126.5 ", "+lon_0=0 ")
    assert "+lon_0=0 " in naive

    def aspect(crs) -> float:
        x0, y0, x1, y1 = gdf.iloc[[2]].to_crs(crs).total_bounds
        return float((x1 - x0) / (y1 - y0))

    assert aspect(map_crs(gdf)) > 1.2
    assert aspect(naive) < 1.0
