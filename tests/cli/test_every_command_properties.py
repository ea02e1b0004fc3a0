"""Issue 13, "what must hold": generated inputs of each class into every command.

Each test draws a small world (:mod:`harness`), applies one class of corruption, runs a command
in-process and checks the invariants of :func:`harness.run` (exit 0 or exit 2 with one
message, no traceback, inputs byte-identical, no stale or unlisted file in --out, no formula in
a CSV). Where the run succeeds, its output is also checked against the run on a plain world:
the spelling of codes and names, the encoding and the delimiter of the files never change a
result.

Classes here: 2 (outputs that damage inputs or mix runs), 3 (formula-prefixed codes and names),
4 (names from data with path characters), 5 (timestamps with offsets, od), 7 (inputs that
cannot be right), 8 (encodings and delimiters), 9 (every problem in one error). Class 1 is in
tests/signaling/test_disclosure.py, class 6 in tests/groups, class 10 in
tests/model/test_python_api.py.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from harness import (
    COMMANDS,
    FORMULA_START,
    NAMES,
    FileForm,
    World,
    run,
    snapshot,
    write_csv,
    write_inputs,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "signaling"))
from test_disclosure import check_protected  # noqa: E402 - the audit of tests/signaling

# Few examples per command (each is a whole run); no shrinking: a failing example is printed as
# drawn, and a command run per shrinking step would take minutes.
SETTINGS = settings(max_examples=3, deadline=None, derandomize=True, database=None,
                    phases=(Phase.explicit, Phase.generate),
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
N = 6
PLAIN = World(codes=[f"U{i}" for i in range(N)], names=[f"Name {i}" for i in range(N)])

# -- strategies -----------------------------------------------------------------------------

#: how a code or name may start: formula starts (class 3), path pieces (class 4), a leading zero
STARTS = st.sampled_from(["", "=", "+", "-", "@", "=HYPERLINK(", "-2+3", "+1", "@SUM(",
                          "../", "..\\", "/etc/", "a/b", "C:", "0", "00", "é", "重庆"])
BODY = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"),
                             exclude_characters='"\',;|'),
               max_size=6)


@st.composite
def spellings(draw: st.DrawFn, *, prefix: str) -> list[str]:
    """N distinct texts without surrounding space, sorted (so the plain world's order holds)."""
    out: list[str] = []
    for i in range(N):
        text = f"{draw(STARTS)}{draw(BODY)}{prefix}{i}".strip()
        out.append(text)
    return sorted(out)


# -- reading what a run wrote ---------------------------------------------------------------


def _unmark(cell: str) -> str:
    """Undo the CSV neutralisation of a cell (what metrocircle's readers do)."""
    if cell.startswith("'") and cell[1:2] and cell[1] in "=+-@\t\r":
        return cell[1:]
    return cell


def _mapped(cell: str, mapping: dict[str, str], *, header: bool = False) -> str:
    """A cell with codes and names mapped: whole, in lists joined by ';', or inside a text
    (an explanation naming a unit, a column named after an area such as ``M1_share``; longest
    first, so no code is replaced inside another). Inside a text only in a header or a long
    cell: short cells such as simulated user ids are not codes."""
    if cell in mapping:
        return mapping[cell]
    if ";" in cell:
        parts = cell.split(";")
        if all(p in mapping for p in parts):
            return ";".join(mapping[p] for p in parts)
    if header or len(cell) > 12:
        for key in sorted(mapping, key=len, reverse=True):
            if key and key in cell:
                cell = cell.replace(key, f"\x00{mapping[key]}\x00")
        cell = cell.replace("\x00", "")
    return cell


#: columns that measure the run itself (wall-clock time), not its result
TIMING = {"seconds"}


def csv_tables(out: Path, mapping: dict[str, str] | None = None) -> dict[str, list[tuple]]:
    """Every CSV of a run folder: its rows (sorted), cells un-neutralised and mapped."""
    listed = json.loads((out / "run.json").read_text(encoding="utf-8"))["files"]
    tables = {}
    for rel in listed:
        if not rel.endswith(".csv"):
            continue
        with open(out / rel, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        if rows:
            keep = [i for i, c in enumerate(rows[0]) if c not in TIMING]
            rows = [tuple(_mapped(_unmark(row[i]), mapping or {}, header=n == 0)
                          for i in keep if i < len(row))
                    for n, row in enumerate(rows)]
        tables[rel] = [rows[0], *sorted(rows[1:])] if rows else []
    return tables


_PLAIN_RESULTS: dict[str, dict[str, list[tuple]]] = {}


def plain_result(name: str, tmp: Path, capsys) -> dict[str, list[tuple]]:
    """The run of command ``name`` on the plain world (once per test session)."""
    if name not in _PLAIN_RESULTS:
        files = write_inputs(PLAIN, tmp / "plain_in")
        res = run(COMMANDS[name](files, FileForm()), capsys, inputs=list(files.values()),
                  out=tmp / "plain_out")
        assert res.code == 0, res.err
        _PLAIN_RESULTS[name] = csv_tables(tmp / "plain_out")
    return _PLAIN_RESULTS[name]


def same_as_plain(name: str, out: Path, world: World, tmp: Path, capsys) -> None:
    mapping = dict(zip(world.codes, PLAIN.codes, strict=True))
    mapping.update(zip(world.names, PLAIN.names, strict=True))
    mapping[world.area] = PLAIN.area
    got = csv_tables(out, mapping)
    want = plain_result(name, tmp, capsys)
    assert sorted(got) == sorted(want)
    for rel in want:
        assert got[rel] == want[rel], rel


def raw_codes_intact(out: Path, world: World) -> None:
    """Parquet and GeoPackage outputs keep the codes exactly (class 3): never neutralised."""
    for p in out.rglob("*"):
        if p.suffix == ".parquet":
            df = pd.read_parquet(p)
        elif p.suffix == ".gpkg":
            import pyogrio

            df = pd.concat([pyogrio.read_dataframe(p, layer=lay, read_geometry=False)
                            for lay, _ in pyogrio.list_layers(p)], ignore_index=True)
        else:
            continue
        for col in ("unit_id", "origin", "destination", "unit_a", "unit_b"):
            if col in df.columns:
                values = set(df[col].dropna().astype(str))
                assert values <= set(world.codes), (p.name, col, values - set(world.codes))


# -- class 3 and 4: codes and names as they come --------------------------------------------


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(codes=spellings(prefix="u"), names=spellings(prefix="n"), area=spellings(prefix="a"))
def test_codes_and_names_from_data_change_nothing(tmp_path_factory, capsys, name, codes,
                                                   names, area) -> None:
    tmp = tmp_path_factory.mktemp(name)
    world = World(codes=codes, names=names, area=area[0])
    files = write_inputs(world, tmp / "in")
    out = tmp / "out"
    res = run(COMMANDS[name](files, FileForm()), capsys, inputs=list(files.values()), out=out)
    assert res.code == 0, res.err
    raw_codes_intact(out, world)
    same_as_plain(name, out, world, tmp_path_factory.getbasetemp(), capsys)


# -- class 8: files as people have them -------------------------------------------------------

FORMS = [("utf-8-sig", ";"), ("gbk", ","), ("gb18030", "\t"), ("latin-1", ";"),
         ("cp1252", "|"), ("utf-8", "\t"), ("utf-16", ",")]
#: three forms per command, in turn, so that every form meets several commands in each run
FORM_CASES = [(name, FORMS[(i + k) % len(FORMS)]) for i, name in enumerate(NAMES)
              for k in (0, 2, 4)]


@pytest.mark.parametrize(("name", "form"), FORM_CASES,
                         ids=[f"{n}-{e}-{ord(s)}" for n, (e, s) in FORM_CASES])
def test_any_encoding_and_delimiter_gives_the_same_result(tmp_path_factory, capsys, name,
                                                          form) -> None:
    encoding, sep = form
    letters = "重庆北碚" if encoding.startswith(("gb", "utf")) else "éàüß"
    world = World(codes=list(PLAIN.codes),
                  names=sorted(f"{letters[i % 4]}{letters[(i + 1) % 4]} {i}" for i in range(N)))
    tmp = tmp_path_factory.mktemp(name)
    files = write_inputs(world, tmp / "in", FileForm(encoding=encoding, sep=sep))
    out = tmp / "out"
    res = run(COMMANDS[name](files, FileForm(encoding, sep)), capsys,
              inputs=list(files.values()), out=out)
    assert res.code == 0, res.err
    same_as_plain(name, out, world, tmp_path_factory.getbasetemp(), capsys)


# -- class 2: --out ---------------------------------------------------------------------------

OUT_CASES = ["input-folder", "a-file", "under-a-file", "foreign-files", "earlier-run-stale",
             "earlier-run-plus-a-file"]


def _project_run(folder: Path) -> tuple[list[str], list[Path]]:
    """``metrocircle run`` on the tiny hand-made project of tests/project (under a second)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "project"))
    from project_cases import write_tiny

    project = write_tiny(folder)
    files = [p for p in folder.rglob("*") if p.is_file()]
    return ["run", str(project), "--no-report", "--no-progress"], files


@pytest.mark.parametrize("name", [*NAMES, "run"])
@pytest.mark.parametrize("case", OUT_CASES)
def test_out_never_damages_inputs_or_mixes_runs(tmp_path, capsys, name, case) -> None:
    if name == "run":
        args, inputs = _project_run(tmp_path / "in")
        files = {}
    else:
        files = write_inputs(PLAIN, tmp_path / "in")
        args = COMMANDS[name](files, FileForm())
        inputs = list(files.values())
    if case == "input-folder":
        out = tmp_path / "in"
    elif case in ("a-file", "under-a-file"):
        target = tmp_path / "membership.csv"
        target.write_text("keep me\n")
        inputs.append(target)
        out = target if case == "a-file" else target / "sub"
    elif case == "foreign-files":
        out = tmp_path / "mine"
        out.mkdir()
        (out / "notes.txt").write_text("keep me")
    else:  # an earlier run of the same command, then an old file listed as that run's
        out = tmp_path / "out"
        first = run(args, capsys, inputs=inputs, out=out)
        assert first.code == 0, first.err
        record = json.loads((out / "run.json").read_text(encoding="utf-8"))
        (out / "old_result.gpkg").write_bytes(b"old")
        if case == "earlier-run-stale":  # listed: it was that run's file, the next removes it
            record["files"]["old_result.gpkg"] = "0" * 64
            (out / "run.json").write_text(json.dumps(record), encoding="utf-8")
    before = snapshot(out) if out.is_dir() else None
    res = run(args, capsys, inputs=inputs, out=out)
    if case == "earlier-run-stale":
        assert res.code == 0, res.err
        assert not (out / "old_result.gpkg").exists()
        return
    assert res.code == 2
    expect = {"input-folder": "holds the input", "a-file": "is a file",
              "under-a-file": "which is a file", "foreign-files": "no metrocircle run listed",
              "earlier-run-plus-a-file": "did not write"}[case]
    assert expect in res.err, res.err
    if before is not None:
        assert snapshot(out) == before


@pytest.mark.parametrize("case", ["a-file", "under-a-file", "foreign-files"])
def test_init_refuses_a_folder_it_cannot_own(tmp_path, capsys, case) -> None:
    from metrocircle.cli.main import main

    target = tmp_path / "notes.txt"
    target.write_text("keep me")
    folder = {"a-file": target, "under-a-file": target / "project",
              "foreign-files": tmp_path}[case]
    before = snapshot(tmp_path)
    code = main(["init", str(folder), "--example", "chongqing"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and err.count("Error: ") == 1, err
    assert snapshot(tmp_path) == before


# -- class 7 and 9: inputs that cannot be right, every problem in one error -------------------

#: corruption -> (table it applies to, function on the table, what the error must say: a
#: regular expression)
CORRUPTIONS = {
    "negative-flow": ("flows", lambda df: df.assign(value=df["value"].where(df.index != 3, -5)),
                      r"negative"),
    "text-flow": ("flows", lambda df: df.astype({"value": object}).assign(
        value=df["value"].astype(object).where(df.index != 4, "many")), r"many"),
    "overflowing-total": ("flows", lambda df: df.assign(value=df["value"].astype(float).where(
        df.index > 1, 1.5e308)), r"overflow|infinit|too large"),
    "header-only-flows": ("flows", lambda df: df.iloc[:0], r"no rows|no flows|empty"),
    "duplicate-unit": ("units", lambda df: pd.concat([df, df.iloc[[2]]]),
                       r"duplicate|more than once"),
    "urban-above-population": ("units", lambda df: df.assign(
        urban_population=df["population"] * 3), r"urban"),
    "header-only-cores": ("cores", lambda df: df.iloc[:0], r"no rows|no core|empty"),
    "two-columns-one-name": ("units", lambda df: df.rename(columns={"employment": "population"}),
                             r"share one name|more than once|duplicate"),
    "two-value-columns": ("flows", lambda df: df.rename(columns={"moe": "value"}),
                          r"share one name|more than once|duplicate"),
    "missing-code": ("membership", lambda df: df.assign(
        unit_id=df["unit_id"].where(df.index != 1, "")), r"missing|blank|empty"),
}
#: which tables each command reads (so a corruption is drawn only where it can be seen)
READS = {
    "delineate": {"flows", "cores", "units"}, "ttwa-lma": {"flows"},
    "combine": {"flows", "membership"}, "access": {"units", "cores"},
    "strength": {"flows", "cores"}, "roles": {"flows", "units", "cores", "membership"},
    "groups": {"flows", "units"}, "industry": {"units"},
    "indicators": {"units", "membership", "flows"}, "sensitivity": {"flows", "cores", "units"},
    "uncertainty": {"flows", "cores", "units"}, "compare": {"membership", "units"},
    "simulate-signaling": {"units"},
}
#: corruptions a command may accept (legitimate for it): exit 0 is then allowed
TOLERATED = {
    ("simulate-signaling", "urban-above-population"), ("access", "urban-above-population"),
    ("groups", "urban-above-population"), ("industry", "urban-above-population"),
    ("compare", "urban-above-population"), ("delineate", "urban-above-population"),
    ("sensitivity", "urban-above-population"), ("uncertainty", "urban-above-population"),
    ("roles", "urban-above-population"),
}


def _cases() -> list[tuple[str, str]]:
    return [(cmd, c) for cmd, tables in READS.items() for c, (t, _, _) in CORRUPTIONS.items()
            if t in tables]


@pytest.mark.parametrize(("name", "corruption"), _cases())
def test_inputs_that_cannot_be_right(tmp_path, capsys, name, corruption) -> None:
    table, corrupt, pattern = CORRUPTIONS[corruption]
    files = write_inputs(PLAIN, tmp_path / "in")
    df = pd.read_csv(files[table], dtype=str, keep_default_na=False)
    if table in ("flows", "units"):
        df = df.astype({c: float for c in df.columns
                        if c in ("value", "population", "urban_population")})
    write_csv(corrupt(df), files[table], FileForm())
    res = run(COMMANDS[name](files, FileForm()), capsys, inputs=list(files.values()),
              out=tmp_path / "out")
    if (name, corruption) in TOLERATED and res.code == 0:
        return
    assert res.code == 2, f"{name} accepted {corruption}: {res.out[-500:]}"
    assert re.search(pattern, res.err.lower()), res.err
    assert f"{table}.csv" in res.err or table in res.err, res.err  # names the file


@pytest.mark.parametrize("name", ["delineate", "roles", "indicators", "sensitivity",
                                  "uncertainty", "combine"])
def test_two_broken_files_in_one_error(tmp_path, capsys, name) -> None:
    files = write_inputs(PLAIN, tmp_path / "in")
    flows = pd.read_csv(files["flows"], dtype=str)
    flows.loc[3, "value"] = "-5"
    write_csv(flows, files["flows"], FileForm())
    second = {"delineate": "cores", "sensitivity": "cores", "uncertainty": "cores",
              "roles": "membership", "indicators": "membership", "combine": "membership"}[name]
    other = pd.read_csv(files[second], dtype=str, keep_default_na=False)
    other = pd.concat([other, other.iloc[[0]]])  # a unit listed twice
    write_csv(other, files[second], FileForm())
    res = run(COMMANDS[name](files, FileForm()), capsys, inputs=list(files.values()),
              out=tmp_path / "out")
    assert res.code == 2
    assert "flows.csv" in res.err and f"{second}.csv" in res.err, res.err


PARAM_COMMANDS = {"delineate": "threshold=0.3", "ttwa-lma": "min_size=100",
                  "groups": "k=2", "sensitivity": "threshold=0.3", "uncertainty": "threshold=0.3"}


@pytest.mark.parametrize("name", list(PARAM_COMMANDS))
def test_the_same_param_twice_in_every_command(tmp_path, capsys, name) -> None:
    files = write_inputs(PLAIN, tmp_path / "in")
    args = COMMANDS[name](files, FileForm())
    pair = PARAM_COMMANDS[name]
    if name == "sensitivity":
        pair = "contiguity=true"
    args += ["--param", pair, "--param", pair]
    res = run(args, capsys, inputs=list(files.values()), out=tmp_path / "out")
    assert res.code == 2 and "more than once" in res.err, res.err


#: commands with column options, and one that names a column the file lacks
COLUMN_OPTIONS = {
    "delineate": "--value-col", "ttwa-lma": "--value-col", "combine": "--value-col",
    "strength": "--origin-col", "roles": "--value-col", "groups": "--value-col",
    "indicators": "--value-col", "sensitivity": "--origin-col", "uncertainty": "--value-col",
    "compare": "--units-id-col", "simulate-signaling": "--units-id-col", "od": "--user-col",
    "industry": "--value-col", "access": None,
}


@pytest.mark.parametrize("name", [n for n, o in COLUMN_OPTIONS.items() if o])
def test_a_column_option_naming_a_missing_column_is_an_error(tmp_path, capsys, name) -> None:
    files = write_inputs(PLAIN, tmp_path / "in")
    args = [*COMMANDS[name](files, FileForm()), COLUMN_OPTIONS[name], "no_such_column"]
    res = run(args, capsys, inputs=list(files.values()), out=tmp_path / "out")
    assert res.code == 2 and "no_such_column" in res.err, res.err


# -- class 1: nothing suppressed can be solved for, through the command -----------------------


@SETTINGS
@given(people=st.integers(6, 30), min_count=st.sampled_from([2, 3, 5]))
def test_od_publishes_no_recoverable_cell(tmp_path_factory, capsys, people, min_count) -> None:
    from metrocircle.signaling import od_from_records

    tmp = tmp_path_factory.mktemp("od1")
    files = write_inputs(PLAIN, tmp / "in")
    PLAIN.records(people=people).to_parquet(files["records"], index=False)
    out = tmp / "out"
    res = run(["od", "--records", str(files["records"]), "--cells", str(files["cells"]),
               "--min-count", str(min_count)], capsys, inputs=list(files.values()), out=out)
    assert res.code == 0, res.err
    users = od_from_records(files["records"], cells=files["cells"], min_count=min_count,
                            keep_users=True)._users
    users = users[users["home_unit"].notna() & users["work_unit"].notna()]
    truth = (users.groupby(["home_unit", "work_unit"]).size().rename("n").reset_index()
             .rename(columns={"home_unit": "origin", "work_unit": "destination"}))
    ranges = check_protected(out, truth, None, min_count)
    acc = json.loads((out / "accounting.json").read_text(encoding="utf-8"))
    assert len(ranges) == acc["od"]["pairs_suppressed"]


# -- class 5: timestamps with offsets through od ----------------------------------------------


@SETTINGS
@given(offset=st.sampled_from(["Z", "+08:00", "+0800", "-05:00", "+05:30"]),
       with_tz=st.booleans())
def test_od_with_offsets_is_refused_without_tz_and_right_with_it(tmp_path_factory, capsys,
                                                                 offset, with_tz) -> None:
    tmp = tmp_path_factory.mktemp("od")
    files = write_inputs(PLAIN, tmp / "in")
    local = PLAIN.records()
    sign = 1 if offset[0] == "+" else -1
    hours = 0 if offset == "Z" else sign * (int(offset[1:3]) + int(offset[-2:]) / 60)
    # the same instants as local Beijing time, written in the zone of the offset
    shown = local["time"] - pd.Timedelta(hours=8) + pd.Timedelta(hours=hours)
    text = local.assign(time=shown.dt.strftime("%Y-%m-%dT%H:%M:%S") + offset)
    rec = write_csv(text, tmp / "in" / "records.csv", FileForm())
    files["records"] = rec
    args = ["od", "--records", str(rec), "--cells", str(files["cells"]), "--min-count", "1"]
    if with_tz:
        args += ["--tz", "Asia/Shanghai"]
    res = run(args, capsys, inputs=list(files.values()), out=tmp / "out")
    if not with_tz:
        assert res.code == 2 and re.search(r"time zone|--tz", res.err), res.err
        return
    assert res.code == 0, res.err
    assert csv_tables(tmp / "out") == plain_result("od", tmp_path_factory.getbasetemp(), capsys)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("when", ["1970-01-01 08:00:00", "1989-12-31 23:00:00",
                                  "2100-01-01 00:00:00", "2262-04-11 00:00:00"])
def test_od_with_implausible_dates_names_the_records(tmp_path, capsys, fmt, when) -> None:
    files = write_inputs(PLAIN, tmp_path / "in")
    rec = PLAIN.records()
    rec["time"] = rec["time"].astype("datetime64[us]")
    rec.loc[[5, 40], "time"] = pd.Timestamp(when)
    if fmt == "csv":
        files["records"].unlink()
        files["records"] = write_csv(rec.assign(time=rec["time"].dt.strftime(
            "%Y-%m-%d %H:%M:%S")), tmp_path / "in" / "records.csv", FileForm())
    else:
        rec.to_parquet(files["records"], index=False)
    res = run(COMMANDS["od"](files, FileForm()), capsys, inputs=list(files.values()),
              out=tmp_path / "out")
    assert res.code == 2, res.out
    # one labelling everywhere: 'line N' of the CSV file (header = line 1), 'row N' of Parquet
    want = "[line 7, line 42]" if fmt == "csv" else "[row 6, row 41]"
    assert want in res.err, res.err


@pytest.mark.parametrize(("cell", "listed"), [("=1+1", True), ("ok", False)])
def test_the_run_folder_check_can_fail(tmp_path, cell, listed) -> None:
    """The invariants the harness checks are themselves able to fail: a formula in a CSV, a
    file that run.json does not list."""
    from harness import check_run_folder

    from metrocircle.model.io import file_checksum

    assert "=" in FORMULA_START
    (tmp_path / "t.csv").write_text(f"a\n{cell}\n")
    files = {"t.csv": file_checksum(tmp_path / "t.csv")} if listed else {}
    (tmp_path / "run.json").write_text(json.dumps({"files": files}))
    with pytest.raises(AssertionError):
        check_run_folder(tmp_path)
