"""Output folders: checked before any work, atomic, recorded, spreadsheet-safe, safe names."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrocircle.exceptions import InputError, ParameterError
from metrocircle.model.io import file_checksum, read_table
from metrocircle.model.output import (
    OutputDir,
    check_out_dir,
    neutralise_cell,
    safe_name,
)


def _write_run(out: Path, files: dict[str, str]) -> None:
    with OutputDir(out, command="test") as od:
        for name, text in files.items():
            od.write_text(text, *name.split("/"))


def test_files_are_listed_with_checksums(tmp_path):
    out = tmp_path / "run"
    _write_run(out, {"a.csv": "x\n1\n", "sub/b.txt": "hello"})
    record = json.loads((out / "run.json").read_text())
    assert record["command"] == "test"
    assert set(record["files"]) == {"a.csv", "sub/b.txt"}
    for rel, sha in record["files"].items():
        assert sha == file_checksum(out / rel)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_rerun_replaces_the_earlier_run_whole_and_keeps_the_cache(tmp_path):
    out = tmp_path / "run"
    _write_run(out, {"old.gpkg": "old", "membership.csv": "old"})
    (out / ".cache").mkdir()
    (out / ".cache" / "step.json").write_text("{}")
    _write_run(out, {"membership.csv": "new"})
    assert sorted(p.name for p in out.iterdir()) == [".cache", "membership.csv", "run.json"]
    assert (out / "membership.csv").read_text() == "new"
    assert (out / ".cache" / "step.json").exists()


def test_failure_inside_leaves_the_earlier_run_untouched(tmp_path):
    out = tmp_path / "run"
    _write_run(out, {"membership.csv": "first"})
    before = (out / "run.json").read_text()
    with pytest.raises(ZeroDivisionError):
        with OutputDir(out, command="test") as od:
            od.write_text("second", "membership.csv")
            od.write_text("partial", "other.csv")
            1 / 0  # noqa: B018
    assert (out / "membership.csv").read_text() == "first"
    assert (out / "run.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_out_that_is_a_file_or_under_a_file_is_refused_before_any_work(tmp_path):
    f = tmp_path / "membership.csv"
    f.write_text("x")
    with pytest.raises(InputError, match="is a file"):
        OutputDir(f, command="test")
    with pytest.raises(InputError, match="which is a file"):
        OutputDir(f / "sub", command="test")
    assert f.read_text() == "x"


def test_out_holding_an_input_is_refused(tmp_path):
    units = tmp_path / "units.csv"
    units.write_text("unit_id\n1\n")
    with pytest.raises(InputError, match="holds the input"):
        check_out_dir(tmp_path, inputs=[units])
    with pytest.raises(InputError, match="holds the input"):
        check_out_dir(units.parent, inputs={"units": units}.values())
    assert units.read_text() == "unit_id\n1\n"


def test_folder_with_foreign_files_is_refused_and_empty_folder_accepted(tmp_path):
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "my_notes.txt").write_text("keep me")
    with pytest.raises(InputError, match="no metrocircle run listed"):
        OutputDir(mine, command="test")
    empty = tmp_path / "empty"
    empty.mkdir()
    _write_run(empty, {"a.csv": "1"})
    assert (empty / "a.csv").exists()
    # a file dropped into an earlier run's folder is not the run's: refused, not deleted
    (empty / "added_by_hand.xlsx").write_text("x")
    with pytest.raises(InputError, match="did not write"):
        OutputDir(empty, command="test")
    assert (empty / "added_by_hand.xlsx").exists()


def test_csv_cells_are_neutralised_and_read_back_unchanged(tmp_path):
    df = pd.DataFrame({"unit_id": ["=cmd|' /C calc'!A0", "+1", "-12.5", "@SUM(A1)", "ok"],
                       "name": ["\tTab", "+x", "-x", "Yubei", "=1"],
                       "value": [1.0, -2.0, 3.0, 4.0, 5.0]})
    out = tmp_path / "run"
    with OutputDir(out, command="test") as od:
        od.write_table(df, "t.csv")
        od.write_table(df, "t.parquet")
    with open(out / "t.csv", newline="", encoding="utf-8") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert "'=cmd|' /C calc'!A0" in cells and "-12.5" in cells
    risky = [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert sorted(risky) == ["+1", "-12.5", "-2.0"]  # plain numbers only: no formula runs
    back, _ = read_table(out / "t.csv")
    assert back["unit_id"].tolist() == df["unit_id"].tolist()
    assert back["name"].tolist() == df["name"].tolist()
    assert pd.read_parquet(out / "t.parquet")["unit_id"].tolist() == df["unit_id"].tolist()


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=12))
def test_neutralised_cells_never_start_a_formula(text):
    cell = neutralise_cell(text)
    if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
        float(cell)  # only plain numbers may keep their sign


@pytest.mark.parametrize("bad", ["../x", "..", ".hidden", "a/b", "a\\b", "", "x" * 101, "C:", "é"])
def test_unsafe_names_are_refused(bad):
    with pytest.raises(ParameterError, match="cannot be used in a file name"):
        safe_name(bad, what="layer name")


def test_paths_inside_the_folder_must_be_plain_names(tmp_path):
    with OutputDir(tmp_path / "run", command="test") as od, pytest.raises(ParameterError):
        od.path("..", "escape.csv")


def test_categorical_columns_are_neutralised_too(tmp_path):
    """Found by tests/cli/test_every_command_properties.py: access writes a categorical column
    of unit names; a formula-like category needs the mark like any text."""
    df = pd.DataFrame({"unit_id": pd.Categorical(["=1+1", "ok", "=1+1"]), "v": [1, 2, 3]})
    out = tmp_path / "run"
    with OutputDir(out, command="test") as od:
        od.write_table(df, "t.csv")
    assert (out / "t.csv").read_text().splitlines()[1:] == ["'=1+1,1", "ok,2", "'=1+1,3"]
    assert read_table(out / "t.csv")[0]["unit_id"].tolist() == ["=1+1", "ok", "=1+1"]
    assert df["unit_id"].tolist() == ["=1+1", "ok", "=1+1"]  # the caller's frame is unchanged
