"""The ``metrocircle delineate`` command on tiny real files and on the shipped US example."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrocircle.cli.main import main


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.fixture
def tiny(tmp_path: Path) -> dict[str, Path]:
    """Three counties in a row: C (core) - A - B. A sends 40 % of its workers to C; B sends
    30 % to A and 5 % to C. Codes carry leading zeros."""
    flows = write(
        tmp_path / "flows.csv",
        "res,work,n\n001,001,100\n002,002,60\n002,001,40\n003,003,65\n003,002,30\n003,001,5\n",
    )
    cores = write(tmp_path / "cores.csv", "unit_id,area_id\n001,M1\n")
    adj = write(tmp_path / "adj.csv", "a,b\n001,002\n002,003\n")
    return {"flows": flows, "cores": cores, "adj": adj}


# the tiny flows file names its columns res, work, n
TINY_COLUMNS = ("--origin-col", "res", "--destination-col", "work", "--value-col", "n")


def delineate_args(flows: Path, *options: str, out: Path, no_progress: bool = False) -> list[str]:
    """``delineate omb-cbsa --flows FLOWS OPTIONS... --out OUT [--no-progress]``."""
    tail = ["--no-progress"] if no_progress else []
    return ["delineate", "omb-cbsa", "--flows", str(flows), *options, "--out", str(out), *tail]


def tiny_args(tiny: dict[str, Path], *options: str, out: Path, **kw: bool) -> list[str]:
    """:func:`delineate_args` on the tiny flows with their cores."""
    return delineate_args(tiny["flows"], "--cores", str(tiny["cores"]), *options, out=out, **kw)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_delineate_writes_membership_areas_run(tiny, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    code, stdout, _ = run(
        tiny_args(tiny, *TINY_COLUMNS, "--adjacency", str(tiny["adj"]), out=out, no_progress=True),
        capsys,
    )
    assert code == 0, stdout
    m = pd.read_csv(out / "membership.csv", dtype={"unit_id": str, "area_id": str})
    assert list(m.columns[:7]) == [
        "unit_id",
        "area_id",
        "status",
        "rule",
        "value",
        "threshold",
        "margin",
    ]
    rows = m.set_index("unit_id")
    assert rows.loc["001", "status"] == "core"
    assert rows.loc["002", "status"] == "member" and rows.loc["002", "area_id"] == "M1"
    assert rows.loc["002", "value"] == pytest.approx(0.4)
    assert rows.loc["002", "margin"] == pytest.approx(0.15)
    # B: 5 % to the core, 30 % to A (not a core): outside, area empty
    assert rows.loc["003", "status"] == "outside" and pd.isna(rows.loc["003", "area_id"])
    areas = pd.read_csv(out / "areas.csv", dtype=str)
    assert areas["area_id"].tolist() == ["M1"]
    run_json = json.loads((out / "run.json").read_text())
    assert run_json["method"] == "omb-cbsa"
    assert run_json["params"]["threshold"] == 0.25
    assert set(run_json["inputs"]) == {"flows", "cores", "adjacency"}
    assert len(run_json["inputs"]["flows"]["sha256"]) == 64


def test_param_changes_result_and_is_recorded(tiny, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    args = (*TINY_COLUMNS, "--adjacency", str(tiny["adj"]), "--param", "threshold=0.5")
    code, _, _ = run(tiny_args(tiny, *args, out=out), capsys)
    assert code == 0
    m = pd.read_csv(out / "membership.csv", dtype=str).set_index("unit_id")
    assert m.loc["002", "status"] == "outside"
    assert json.loads((out / "run.json").read_text())["params"]["threshold"] == 0.5


@pytest.mark.parametrize(
    "param,message",
    [
        (
            "threshold=1.5",
            "The 'threshold' parameter of omb-cbsa must be a float in (0, 1]. Got 1.5.",
        ),
        (
            "threshold=abc",
            "The 'threshold' parameter of omb-cbsa must be a float in (0, 1]. Got 'abc'.",
        ),
        ("nosuch=1", "omb-cbsa has no parameter 'nosuch'"),
        ("threshold", "--param takes NAME=VALUE"),
    ],
)
def test_bad_parameters_one_clear_error(tiny, tmp_path, capsys, param, message) -> None:
    code, _, err = run(tiny_args(tiny, "--param", param, out=tmp_path / "o"), capsys)
    assert code == 2
    assert message in err.replace("\n", " ")
    assert "Traceback" not in err


def test_unknown_method(tiny, tmp_path, capsys) -> None:
    code, _, err = run(
        ["delineate", "nope", "--flows", str(tiny["flows"]), "--out", str(tmp_path)], capsys
    )
    assert code == 2 and "Unknown delineation method 'nope'" in err and "omb-cbsa" in err


def test_bad_files_every_problem_listed(tmp_path, capsys) -> None:
    flows = write(
        tmp_path / "flows.csv", "origin,destination,value\nA,B,1\nA,C,-4\nB,A,many\nA,B,2\n"
    )
    cores = write(tmp_path / "cores.csv", "unit_id,area_id\nZ,1\n")
    code, _, err = run(delineate_args(flows, "--cores", str(cores), out=tmp_path / "o"), capsys)
    assert code == 2
    assert "4 problems in the input" in err
    assert "negative value in column 'value' [line 3]" in err
    assert "non-numeric value in column 'value' (e.g. 'many') [line 4]" in err
    assert "duplicate origin-destination pair(s) (e.g. A->B)" in err and "[line 2, line 5]" in err
    assert (
        "cores.csv: unknown unit code(s) in column 'unit_id' (not in the study: no flow names "
        "it): Z [line 2]" in err
    )
    assert not (tmp_path / "o" / "membership.csv").exists()


def test_missing_mapped_column_names_what_the_file_has(tiny, tmp_path, capsys) -> None:
    code, _, err = run(tiny_args(tiny, "--origin-col", "home", out=tmp_path / "o"), capsys)
    assert code == 2
    assert "column 'home' (given for origin) not found; the file has: res, work, n" in err


def test_us_example_reproduces_official_figures(tmp_path, capsys) -> None:
    out = tmp_path / "us"
    code, stdout, _ = run(
        ["delineate", "omb-cbsa", "--example", "us-cbsa", "--out", str(out)], capsys
    )
    assert code == 0
    assert (
        "577 of 590 official outlying counties in their official CBSA; 1 placed where OMB has none"
        in stdout
    )
    m = pd.read_csv(out / "membership.csv", dtype={"unit_id": str, "area_id": str})
    assert len(m) == 3222
    assert m["unit_id"].str.len().eq(5).all()  # leading zeros kept (01001 ...)


def test_methods_lists_parameters(capsys) -> None:
    code, stdout, _ = run(["methods", "omb-cbsa"], capsys)
    assert code == 0 and "threshold" in stdout


cell = st.sampled_from(["001", "002", "003", "", "x", "-1", "5", "0.5", "9e9", "nan"])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.tuples(cell, cell, cell), min_size=0, max_size=8),
    header=st.sampled_from(
        [["origin", "destination", "value"], ["origin", "dest", "value"], ["o"]]
    ),
    core_rows=st.lists(st.tuples(cell, st.sampled_from(["M", ""])), max_size=3),
)
def test_cli_never_tracebacks_on_broken_input(
    tmp_path_factory, capsys, rows, header, core_rows
) -> None:
    d = tmp_path_factory.mktemp("fuzz")
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows([r[: len(header)] for r in rows])
    (d / "flows.csv").write_text(buf.getvalue())
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["unit_id", "area_id"])
    w.writerows(core_rows)
    (d / "cores.csv").write_text(buf.getvalue())
    code = main(
        delineate_args(
            d / "flows.csv", "--cores", str(d / "cores.csv"), out=d / "out", no_progress=True
        )
    )
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    if code == 0:
        m = pd.read_csv(d / "out" / "membership.csv", dtype=str)
        flows = pd.read_csv(d / "flows.csv", dtype=str, keep_default_na=False)
        seen = set(flows["origin"]) | set(flows["destination"])
        assert set(m["unit_id"]) == seen  # every unit of the input is accounted for
    else:
        assert code == 2
        assert captured.err.startswith("Error: ")


# --- --urban-areas: central counties from urban-area parts ----------------------------------
# The tiny counties again: 001 holds 9,000 of the 12,000 people of urban area 00100 ("Tinytown,
# ST Urban Cluster"); 002 holds the other 3,000, 003 none. 001 is central (75 % of its 12,000
# people, and 9,000 in one urban area), 002 is not (3,000 of 20,000; under 5,000). Written with
# the Census relationship file's own column names, and its 99999 rural remainder.
CENSUS_UA = (
    "UA,UANAME,GEOID,POPPT,UAPOP,CPOP\n"
    '00100,"Tinytown, ST Urban Cluster",001,9000,12000,12000\n'
    '00100,"Tinytown, ST Urban Cluster",002,3000,12000,20000\n'
    "99999,Not in a 2010 urban area,001,3000,,12000\n"
    "99999,Not in a 2010 urban area,002,17000,,20000\n"
    "99999,Not in a 2010 urban area,003,9000,,9000\n"
)


def test_urban_areas_read_as_census_writes_them(tiny, tmp_path, capsys) -> None:
    ua = write(tmp_path / "ua_county_rel_10.txt", CENSUS_UA)
    out = tmp_path / "out"
    args = delineate_args(
        tiny["flows"],
        *TINY_COLUMNS,
        "--urban-areas",
        str(ua),
        "--adjacency",
        str(tiny["adj"]),
        out=out,
        no_progress=True,
    )
    code, stdout, _ = run(args, capsys)
    assert code == 0, stdout
    assert "3 row(s) left out: not in an urban area (code 99999)" in stdout
    assert "1 CBSAs before merges, 0 merged; 0 metropolitan, 1 micropolitan" in stdout
    areas = pd.read_csv(out / "areas.csv", dtype=str)
    assert areas[["area_id", "type", "title", "core_units", "member_units"]].values.tolist() == [
        ["00100", "micropolitan", "Tinytown, ST", "001", "002"]
    ]
    m = pd.read_csv(out / "membership.csv", dtype=str).set_index("unit_id")
    assert m.loc["001", "central_test"] == "urban_share>=0.5;ua_part>=5000"
    assert m.loc["002", "central_outlying"] == "outlying" and m.loc["002", "value"] == "0.4"
    assert m.loc["002", "urban_share"] == "0.15"
    run_json = json.loads((out / "run.json").read_text())
    assert run_json["inputs"]["urban_areas"]["sha256"]
    assert run_json["info"]["urban_area_source"] == "census_parts"


def test_urban_areas_columns_mapped(tiny, tmp_path, capsys) -> None:
    text = CENSUS_UA.replace("UA,UANAME,GEOID,POPPT,UAPOP,CPOP", "ua,name,fips,part,total,cpop")
    ua = write(tmp_path / "ua.csv", text)
    mapping = [
        f"--urban-areas-col={k}"
        for k in (
            "ua_code=ua",
            "ua_name=name",
            "unit_id=fips",
            "population=part",
            "ua_population=total",
            "county_population=cpop",
        )
    ]
    args = delineate_args(
        tiny["flows"],
        *TINY_COLUMNS,
        "--urban-areas",
        str(ua),
        *mapping,
        "--adjacency",
        str(tiny["adj"]),
        out=tmp_path / "out",
        no_progress=True,
    )
    code, stdout, err = run(args, capsys)
    assert code == 0, err
    assert "Tinytown, ST" in (tmp_path / "out" / "areas.csv").read_text()


def test_urban_areas_errors(tiny, tmp_path, capsys) -> None:
    ua = write(tmp_path / "ua.csv", CENSUS_UA)
    code, _, err = run(
        tiny_args(tiny, *TINY_COLUMNS, "--urban-areas", str(ua), out=tmp_path / "o"), capsys
    )
    assert code == 2 and "Give either --cores or --urban-areas, not both." in err
    base = delineate_args(
        tiny["flows"], *TINY_COLUMNS, "--urban-areas", str(ua), out=tmp_path / "o"
    )
    code, _, err = run([*base, "--urban-areas-col", "people=POPPT"], capsys)
    assert code == 2 and "--urban-areas-col has no column 'people'" in err
    broken = write(tmp_path / "broken.csv", "UA,GEOID,POPPT\n00100,001,lots\n00100,001,5\n")
    code, _, err = run(
        delineate_args(
            tiny["flows"], *TINY_COLUMNS, "--urban-areas", str(broken), out=tmp_path / "o"
        ),
        capsys,
    )
    assert code == 2
    assert "broken.csv: non-numeric value in column 'population' (e.g. 'lots') [line 2]" in err
    assert "broken.csv: an urban area's part in a unit is listed twice [line 2, line 3]" in err


def test_us_example_from_2010_urban_areas(tmp_path, capsys) -> None:
    out = tmp_path / "us2010"
    code, stdout, _ = run(
        ["delineate", "omb-cbsa", "--example", "us-cbsa-ua2010", "--out", str(out)], capsys
    )
    assert code == 0
    assert "against OMB February 2013: central counties 1320 of 1339" in stdout
    areas = pd.read_csv(out / "areas.csv", dtype={"area_id": str})
    assert len(areas) == 924 and set(areas["type"]) == {"metropolitan", "micropolitan"}
    assert (areas["urban_area_source"] == "census_parts").all()


ua_cell = st.sampled_from(["001", "002", "003", "009", "", "x", "-1", "0", "5000", "12000", "nan"])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["00100", "00200", "99999", ""]), ua_cell, ua_cell, ua_cell),
        min_size=0,
        max_size=8,
    ),
    header=st.sampled_from(
        [
            ["UA", "GEOID", "POPPT", "UAPOP"],
            ["ua_code", "unit_id", "land_area", "county_urban_population"],
            ["UA", "GEOID", "POPPT", "CPOP"],
            ["UA", "county"],
        ]
    ),
)
def test_urban_areas_never_traceback(tmp_path_factory, capsys, rows, header) -> None:
    d = tmp_path_factory.mktemp("uafuzz")
    (d / "flows.csv").write_text(
        "origin,destination,value\n001,001,10\n002,001,5\n002,002,5\n003,003,7\n"
    )
    (d / "adj.csv").write_text("a,b\n001,002\n002,003\n")
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows([r[: len(header)] for r in rows])
    (d / "ua.csv").write_text(buf.getvalue())
    code = main(
        delineate_args(
            d / "flows.csv",
            "--urban-areas",
            str(d / "ua.csv"),
            "--adjacency",
            str(d / "adj.csv"),
            out=d / "out",
            no_progress=True,
        )
    )
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert code in (0, 2)
    if code == 2:
        assert captured.err.startswith("Error: ")
