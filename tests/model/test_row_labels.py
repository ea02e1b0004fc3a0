"""Issue 13 class 9, in the model layer: one row-labelling convention everywhere ("line N" for
a text file, the line an editor shows; "row N" for every other table, counting records from 1)
and a file given twice reports its problems once."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrocircle.cli.main import main
from metrocircle.exceptions import InputError, Problem
from metrocircle.model import (
    read_adjacency,
    read_cores,
    read_flows,
    read_travel_times,
    read_units,
    validate_adjacency,
    validate_cores,
    validate_flows,
    validate_travel_times,
    validate_units,
)
from metrocircle.signaling.cells import cells_from_table, read_table

LABEL = re.compile(r"^(line|row) [1-9][0-9]*$")

# one bad record on the third record of each table (a negative or missing value, a self pair)
TABLES = {
    "flows": (["origin", "destination", "value"], [["a", "a", "1"], ["a", "b", "2"],
                                                   ["b", "b", "-3"]], read_flows,
              validate_flows),
    "units": (["unit_id", "population"], [["a", "1"], ["b", "2"], ["c", "-3"]], read_units,
              validate_units),
    "cores": (["unit_id", "area_id"], [["a", "A"], ["b", "B"], ["", "C"]], read_cores,
              validate_cores),
    "adjacency": (["unit_a", "unit_b"], [["a", "b"], ["b", "c"], ["c", "c"]], read_adjacency,
                  validate_adjacency),
    "travel_times": (["origin", "destination", "minutes"], [["a", "b", "1"], ["b", "a", "2"],
                                                           ["b", "b", "-3"]], read_travel_times,
                     validate_travel_times),
}


def labels_of(err: InputError) -> list[str]:
    return [str(r) for p in err.problems for r in p.rows]


@pytest.mark.parametrize("name", list(TABLES))
def test_every_validator_labels_csv_lines_and_other_rows(tmp_path: Path, name: str) -> None:
    header, rows, read, validate = TABLES[name]
    csv = tmp_path / f"{name}.csv"
    csv.write_text(",".join(header) + "\n" + "\n".join(",".join(r) for r in rows) + "\n")
    with pytest.raises(InputError) as err:
        read(csv)
    assert labels_of(err.value) == ["line 4"]
    frame = pd.DataFrame(rows, columns=header)
    with pytest.raises(InputError) as err:
        validate(frame)
    assert labels_of(err.value) == ["row 3"]
    frame.to_parquet(tmp_path / f"{name}.parquet")
    with pytest.raises(InputError) as err:
        read(tmp_path / f"{name}.parquet")
    assert labels_of(err.value) == ["row 3"]


def test_blank_lines_and_multiline_records_count_as_an_editor_counts(tmp_path: Path) -> None:
    path = tmp_path / "flows.csv"
    path.write_text(
        'origin,destination,value,note\n'  # line 1
        'a,a,1,"two\nlines"\n'  # lines 2-3
        '\n'  # line 4
        'a,b,x,\n'  # line 5
        '\n\n'  # lines 6-7
        'b,b,-1,\n'  # line 8
    )
    with pytest.raises(InputError) as err:
        read_flows(path)
    assert sorted(labels_of(err.value)) == ["line 5", "line 8"]


def test_signaling_cells_use_the_same_labels(tmp_path: Path) -> None:
    path = tmp_path / "cells.csv"
    path.write_text("cell_id,lon,lat\nc1,106.5,29.5\nc2,500,29.5\n")
    with pytest.raises(InputError) as err:
        cells_from_table(read_table(path, "cells"), unit_col=None)
    assert labels_of(err.value) == ["line 3"]
    frame = pd.DataFrame({"cell_id": ["c1", "c2"], "lon": [106.5, 500], "lat": [29.5, 29.5]})
    with pytest.raises(InputError) as err:
        cells_from_table(frame, unit_col=None)
    assert labels_of(err.value) == ["row 2"]


def test_a_file_given_twice_reports_its_problems_once(tmp_path: Path, capsys) -> None:
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import Polygon, box

    bowtie = Polygon([(0, 0), (1000, 1000), (1000, 0), (0, 1000)])  # self-intersecting
    units = gpd.GeoDataFrame({"unit_id": ["a", "b"]}, geometry=[box(0, 0, 1000, 1000), bowtie],
                             crs=3857)
    poly = tmp_path / "units.gpkg"
    units.to_file(poly, driver="GPKG")
    flows = tmp_path / "flows.csv"
    flows.write_text("origin,destination,value\na,a,1\nb,a,1\nb,b,1\n")
    code = main(["delineate", "eu-fua", "--flows", str(flows), "--units", str(poly),
                 "--adjacency", str(poly), "--cores", str(poly), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("invalid geometry") == 1, err
    # the InputError itself keeps each distinct problem once
    p = Problem("x.csv", "bad", ("line 2",))
    assert len(InputError([p, p, Problem("x.csv", "bad", ("line 3",))]).problems) == 2


# ---------------------------------------------------------------------------------------------
# Property: whatever breaks in whichever table, every label of every problem is "line N" with
# N the broken record's editor line (CSV) or "row N" with N its position (other tables).

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(
    name=st.sampled_from(list(TABLES)),
    bad_at=st.lists(st.integers(0, 5), min_size=1, max_size=3, unique=True),
    blanks_before=st.lists(st.integers(0, 2), min_size=6, max_size=6),
    fmt=st.sampled_from(["csv", "parquet", "frame"]),
)
def test_labels_point_at_the_broken_records(tmp_path_factory, name, bad_at, blanks_before, fmt):
    header, rows, read, validate = TABLES[name]
    good, bad = rows[0], rows[2]
    n = 6
    ids = [f"u{i}" for i in range(n)]
    records = []
    for i in range(n):
        r = list(bad if i in bad_at else good)
        # make every record distinct (no duplicates) but keep the broken cell broken
        if name == "units":
            r[0] = ids[i]
        elif name == "cores":
            r[1] = f"A{i}"
            r[0] = "" if i in bad_at else ids[i]
        elif name == "adjacency":
            r = [ids[i], ids[i]] if i in bad_at else [ids[i], f"v{i}"]
        else:
            r[0], r[1] = ids[i], f"v{i}"
        records.append(r)
    d = tmp_path_factory.mktemp("labels")
    if fmt == "csv":
        lines, line_of = [",".join(header)], {}
        for i, r in enumerate(records):
            lines += [""] * blanks_before[i]
            lines.append(",".join(r))
            line_of[i] = len(lines)
        path = d / "t.csv"
        path.write_text("\n".join(lines) + "\n")
        want = {f"line {line_of[i]}" for i in bad_at}
        call = lambda: read(path)  # noqa: E731
    else:
        frame = pd.DataFrame(records, columns=header)
        want = {f"row {i + 1}" for i in bad_at}
        if fmt == "parquet":
            frame.to_parquet(d / "t.parquet")
            call = lambda: read(d / "t.parquet")  # noqa: E731
        else:
            call = lambda: validate(frame)  # noqa: E731
    with pytest.raises(InputError) as err:
        call()
    got = labels_of(err.value)
    assert all(LABEL.match(x) for x in got), got
    assert set(got) == want
