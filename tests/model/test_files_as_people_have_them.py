"""Issue 13 class 8: files as people have them. Legacy encodings (GBK, GB18030, Latin-1),
semicolon- and tab-separated files (one sniffer for every reader and for both signaling
engines), GeoPackages with several layers or an empty one, and lon/lat-swapped polygons are
read, or refused with one clear error; never a traceback."""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrocircle.cli.main import main
from metrocircle.exceptions import InputError, ParameterError
from metrocircle.model import (
    csv_delimiter,
    read_adjacency,
    read_cores,
    read_flows,
    read_table,
    read_travel_times,
    read_units,
    sniff_delimiter,
)

UNITS_ZH = [("500103", "渝中区", "100"), ("500104", "大渡口区", "80"), ("500105", "江北区", "90")]
UNITS_FR = [("75056", "Paris", "100"), ("69123", "Lyon", "80"), ("13055", "Marseille Été", "90"),
            ("31555", "Toulouse Ça", "70")]


def text_file(path: Path, header: list[str], rows: list[tuple], *, sep: str = ",",
              encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


# -- encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-16"])
def test_chinese_units_in_any_common_encoding(tmp_path: Path, encoding: str, caplog) -> None:
    path = text_file(tmp_path / "units.csv", ["unit_id", "name", "population"], UNITS_ZH,
                     encoding=encoding)
    with caplog.at_level(logging.WARNING):
        units = read_units(path)
    assert units["name"].tolist() == [n for _, n, _ in UNITS_ZH]
    legacy = encoding.startswith("gb")
    assert any("read as GB18030" in r.getMessage() for r in caplog.records) == legacy


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_latin1_names(tmp_path: Path, encoding: str) -> None:
    path = text_file(tmp_path / "units.csv", ["unit_id", "name", "population"], UNITS_FR,
                     encoding=encoding)
    notes: list = []
    units = read_units(path, notes=notes)
    assert units["name"].tolist() == [n for _, n, _ in UNITS_FR]
    assert notes[0].kind == "encoding" and notes[0].details["first_non_utf8_line"] == 4


def test_encoding_given_names_the_line_not_the_byte(tmp_path: Path) -> None:
    path = text_file(tmp_path / "units.csv", ["unit_id", "name", "population"], UNITS_ZH,
                     encoding="gbk")
    with pytest.raises(InputError) as err:
        read_units(path, encoding="utf-8")
    (p,) = err.value.problems
    assert list(p.rows) == ["line 2"] and "cannot be decoded as utf-8" in p.message
    assert "position" not in str(err.value)
    assert read_units(path, encoding="gbk")["name"].iloc[0] == "渝中区"
    with pytest.raises(ParameterError, match="'encoding' parameter"):
        read_units(path, encoding="no-such-codec")


def test_cli_encoding_option(tmp_path: Path, capsys) -> None:
    units = text_file(tmp_path / "units.csv", ["unit_id", "name", "population"], UNITS_ZH,
                      encoding="gbk")
    flows = text_file(tmp_path / "flows.csv", ["origin", "destination", "value"],
                      [("500103", "500103", 10), ("500104", "500103", 5),
                       ("500104", "500104", 5), ("500105", "500105", 8)])
    cores = text_file(tmp_path / "cores.csv", ["unit_id", "area_id"], [("500103", "渝")],
                      encoding="gbk")
    base = ["delineate", "omb-cbsa", "--flows", str(flows), "--units", str(units), "--cores",
            str(cores), "--param", "contiguity=false", "--no-progress"]
    assert main([*base, "--out", str(tmp_path / "a")]) == 0  # detected
    assert main([*base, "--encoding", "gbk", "--out", str(tmp_path / "b")]) == 0
    areas = pd.read_csv(tmp_path / "b" / "areas.csv", dtype=str)
    assert areas["area_id"].tolist() == ["渝"]
    code = main([*base, "--encoding", "utf-8", "--out", str(tmp_path / "c")])
    err = capsys.readouterr().err
    assert code == 2 and "cannot be decoded as utf-8" in err and "[line 2]" in err


# -- delimiters ---------------------------------------------------------------------------------

FLOWS = [("01", "01", "10"), ("02", "01", "4"), ("02", "02", "6")]


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_every_reader_sniffs_the_delimiter(tmp_path: Path, sep: str) -> None:
    f = text_file(tmp_path / "f.csv", ["origin", "destination", "value"], FLOWS, sep=sep)
    assert read_flows(f)["value"].tolist() == [10.0, 4.0, 6.0]
    u = text_file(tmp_path / "u.csv", ["unit_id", "population"], [("01", "5"), ("02", "6")],
                  sep=sep)
    assert read_units(u)["population"].tolist() == [5.0, 6.0]
    c = text_file(tmp_path / "c.csv", ["unit_id", "area_id"], [("01", "A")], sep=sep)
    assert read_cores(c)["area_id"].tolist() == ["A"]
    a = text_file(tmp_path / "a.csv", ["unit_a", "unit_b"], [("01", "02")], sep=sep)
    assert len(read_adjacency(a)) == 1
    t = text_file(tmp_path / "t.csv", ["origin", "destination", "minutes"], [("01", "02", "12")],
                  sep=sep)
    assert read_travel_times(t)["minutes"].tolist() == [12.0]
    assert csv_delimiter(f) == sep


def test_semicolon_file_with_decimal_commas_says_so(tmp_path: Path) -> None:
    f = text_file(tmp_path / "f.csv", ["origin", "destination", "value"],
                  [("01", "01", "1,5")], sep=";")
    with pytest.raises(InputError, match="decimal comma"):
        read_flows(f)
    with pytest.raises(ParameterError, match="'sep' parameter"):
        read_flows(f, sep=";;")
    assert read_flows(text_file(tmp_path / "g.csv", ["origin", "destination", "value"],
                                [("01", "01", "1.5")], sep=";"), sep=";")["value"][0] == 1.5


def test_delineate_cli_reads_semicolon_and_tab_files(tmp_path: Path, capsys) -> None:
    flows = text_file(tmp_path / "flows.csv", ["origin", "destination", "value"], FLOWS, sep=";")
    cores = text_file(tmp_path / "cores.tsv", ["unit_id", "area_id"], [("01", "A")], sep="\t")
    code = main(["delineate", "omb-cbsa", "--flows", str(flows), "--cores", str(cores),
                 "--param", "contiguity=false", "--out", str(tmp_path / "o"), "--no-progress"])
    assert code == 0, capsys.readouterr().err
    m = pd.read_csv(tmp_path / "o" / "membership.csv", dtype=str).set_index("unit_id")
    assert m.loc["02", "status"] == "member"


def test_od_reads_a_semicolon_records_file_the_same_on_both_engines(tmp_path: Path) -> None:
    """The delimiter the data model sniffs is handed to the engine (DuckDB here; Spark gets
    the same ``sep``), and the cells table goes through the same reader."""
    from metrocircle.signaling import od_from_records
    from metrocircle.signaling.engines.base import RecordSource

    recs = [("u1", f"2024-01-0{d} {h:02d}:00:00", c) for d in range(1, 6)
            for h, c in ((2, "h"), (10, "w"), (14, "w"), (22, "h"))]
    path = text_file(tmp_path / "rec.csv", ["uid", "time", "cell"], recs, sep=";")
    cells = text_file(tmp_path / "cells.csv", ["cell_id", "lon", "lat", "unit_id"],
                      [("h", "106.5", "29.5", "A"), ("w", "106.7", "29.6", "B")], sep=";")
    assert RecordSource(str(path)).delimiter == ";"
    res = od_from_records(path, cells=cells, min_count=1)
    assert res.accounting["input_records"] == len(recs)
    assert res.accounting["used_records"] + sum(res.accounting["dropped"].values()) == len(recs)


# -- layers, empty layers, swapped coordinates --------------------------------------------------


@pytest.fixture
def gpkg(tmp_path: Path) -> dict[str, Path]:
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import box

    squares = gpd.GeoDataFrame({"unit_id": ["a", "b"]},
                               geometry=[box(106, 29, 106.5, 29.5), box(106.5, 29, 107, 29.5)],
                               crs=4326)
    multi = tmp_path / "multi.gpkg"
    squares.to_file(multi, layer="units", driver="GPKG")
    squares.iloc[:1].to_file(multi, layer="roads", driver="GPKG")
    empty = tmp_path / "empty.gpkg"
    squares.iloc[:0].to_file(empty, layer="units", driver="GPKG")
    import shapely

    swapped = squares.copy()
    swapped["geometry"] = shapely.transform(swapped.geometry.to_numpy(), lambda c: c[:, ::-1])
    swapped_path = tmp_path / "swapped.geojson"
    swapped.to_file(swapped_path, driver="GeoJSON")
    return {"multi": multi, "empty": empty, "swapped": swapped_path}


def test_several_layers_need_a_name(gpkg) -> None:
    with pytest.raises(InputError, match=r"has 2 layers \(units, roads\); name the one"):
        read_units(gpkg["multi"])
    assert read_units(gpkg["multi"], layer="roads")["unit_id"].tolist() == ["a"]
    with pytest.raises(InputError, match=r"has no layer 'rivers'; its layers: units, roads"):
        read_units(gpkg["multi"], layer="rivers")
    assert len(read_adjacency(gpkg["multi"], layer="units")) == 1


def test_empty_layer_and_swapped_coordinates_are_input_problems(gpkg) -> None:
    for reader in (read_units, read_adjacency):
        with pytest.raises(InputError, match="no units: the table has no rows"):
            reader(gpkg["empty"])
        with pytest.raises(InputError, match="longitude and latitude look swapped"):
            reader(gpkg["swapped"])


def test_cli_layers_empty_and_swapped(gpkg, tmp_path: Path, capsys) -> None:
    flows = text_file(tmp_path / "flows.csv", ["origin", "destination", "value"],
                      [("a", "a", 10), ("b", "a", 5), ("b", "b", 5)])
    cores = text_file(tmp_path / "cores.csv", ["unit_id", "area_id"], [("a", "A")])
    base = ["delineate", "omb-cbsa", "--flows", str(flows), "--cores", str(cores),
            "--no-progress", "--out", str(tmp_path / "o")]
    code = main([*base, "--units", str(gpkg["multi"]), "--adjacency", str(gpkg["multi"])])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.count("has 2 layers") == 1  # the same file given twice: its problem once
    code = main([*base, "--units", str(gpkg["multi"]), "--units-layer", "units",
                 "--adjacency", str(gpkg["multi"]), "--adjacency-layer", "units"])
    assert code == 0, capsys.readouterr().err
    for name in ("empty", "swapped"):
        code = main([*base[:-1], str(tmp_path / name), "--units", str(gpkg[name]),
                     "--adjacency", str(gpkg[name])])
        err = capsys.readouterr().err
        assert code == 2 and "Traceback" not in err and err.count("Error: ") == 1, err


# ---------------------------------------------------------------------------------------------
# Property: any table, in any encoding of those it can be written in and with any delimiter,
# reads back to the same values (or one clear error); never a traceback.

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
ALPHABET = "abcdeéèçüñ 北京重庆渝中区-"
name_text = st.text(alphabet=ALPHABET, min_size=1, max_size=8).map(str.strip).filter(bool)


@SETTINGS
@given(
    names=st.lists(name_text, min_size=1, max_size=5),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "gbk", "latin-1", "cp1252",
                              "utf-16"]),
    sep=st.sampled_from([",", ";", "\t", "|"]),
    blank_lines=st.booleans(),
)
def test_any_encoding_and_delimiter_reads_back(tmp_path_factory, names, encoding, sep,
                                               blank_lines) -> None:
    d = tmp_path_factory.mktemp("enc")
    rows = [(f"{i:03d}", n, str(10 * i)) for i, n in enumerate(names)]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\n")
    w.writerow(["unit_id", "name", "population"])
    for r in rows:
        w.writerow(r)
        if blank_lines:
            buf.write("\n")
    try:
        data = buf.getvalue().encode(encoding)
    except UnicodeEncodeError:
        return  # the names cannot be written in this encoding at all
    path = d / "units.csv"
    path.write_bytes(data)
    try:
        units = read_units(path, encoding=encoding)
    except InputError as err:  # e.g. a name that is only spaces after the delimiter
        assert err.problems
        return
    assert units["unit_id"].tolist() == [r[0] for r in rows]
    assert units["name"].tolist() == [r[1] for r in rows]
    detected = read_units(path)
    assert detected["unit_id"].tolist() == [r[0] for r in rows]
    ascii_only = all(n.isascii() for n in names)
    gb_like = encoding in {"gb18030", "gbk"} and all(
        not ch.isascii() and "\u4e00" <= ch <= "\u9fff" or ch.isascii() for n in names for ch in n
    )
    if ascii_only or encoding.startswith("utf") or gb_like:
        assert detected["name"].tolist() == [r[1] for r in rows]
    # the sniffer agrees with the writer
    assert sniff_delimiter(data.decode(encoding).lstrip("\ufeff")) == sep


@SETTINGS
@given(data=st.binary(max_size=400), sep=st.sampled_from([None, ";", "\t"]))
def test_random_bytes_in_any_reader(tmp_path_factory, data, sep) -> None:
    d = tmp_path_factory.mktemp("bytes")
    path = d / "t.csv"
    path.write_bytes(data)
    for reader in (read_flows, read_units, read_cores, read_adjacency, read_travel_times):
        try:
            reader(path, sep=sep)
        except InputError as err:
            assert err.problems and all(p.message for p in err.problems)
    try:
        read_table(path, sep=sep)
    except InputError:
        pass


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    encodings=st.tuples(*[st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])] * 3),
    seps=st.tuples(*[st.sampled_from([",", ";", "\t", "|"])] * 3),
)
def test_delineate_cli_gives_one_answer_for_any_encoding_and_delimiter(
    tmp_path_factory, capsys, encodings, seps
) -> None:
    """The same flows, units (Chinese names) and cores written in any mix of encodings and
    delimiters give the same membership through ``metrocircle delineate``."""
    d = tmp_path_factory.mktemp("cli8")
    tables = {
        "flows": (["origin", "destination", "value"],
                  [("500103", "500103", 10), ("500104", "500103", 5), ("500104", "500104", 5),
                   ("500105", "500105", 8), ("500105", "500103", 1)]),
        "units": (["unit_id", "name", "population"], UNITS_ZH),
        "cores": (["unit_id", "area_id"], [("500103", "渝中")]),
    }
    paths = {}
    for (name, (header, rows)), enc, sep in zip(tables.items(), encodings, seps, strict=True):
        paths[name] = text_file(d / f"{name}.csv", header, rows, sep=sep, encoding=enc)
    code = main(["delineate", "omb-cbsa", "--flows", str(paths["flows"]), "--units",
                 str(paths["units"]), "--cores", str(paths["cores"]), "--param",
                 "contiguity=false", "--out", str(d / "o"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 0, err
    m = pd.read_csv(d / "o" / "membership.csv", dtype=str).set_index("unit_id")
    assert m["status"].to_dict() == {"500103": "core", "500104": "member",
                                     "500105": "outside"}
    assert m.loc["500104", "area_id"] == "渝中"
