"""One vocabulary (issue 16.6): the commands chain on the shipped Chongqing example with no
renaming in between. Each command's output file is fed to the next command as it is; the only
column options used are those that name the shipped ``units.csv``'s own columns (its code is
``code``), the same options every command has, with the same defaults shown in --help."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from metrocircle.cli.main import app, main
from metrocircle.datasets import chongqing

UNITS = chongqing.data_path("units.csv")
ADJACENCY = chongqing.data_path("adjacency.csv")
#: the column options of the shipped units table (same names in every command)
UNITS_COLS = ["--units", str(UNITS), "--units-id-col", "code"]


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(args)
    captured = capsys.readouterr()
    assert code == 0, f"{args[0]} failed ({code}): {captured.err[-2000:]}"
    assert "Traceback" not in captured.err
    return captured.out


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _listed(folder: Path) -> dict[str, str]:
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    files = run["files"]
    for name, digest in files.items():
        assert _digest(folder / name) == digest, name
    return files


def test_chain_without_renaming(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _digest(UNITS)
    cores = tmp_path / "cores.csv"  # the user's input: the project's 9 central districts
    with cores.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["unit_id", "area_id"])
        for row in csv.DictReader(UNITS.open(encoding="utf-8")):
            if row["group"] == "cq_main_urban_central":
                w.writerow([row["code"], "chongqing_central"])

    sim, od, dl, st, ro, gr, ind = (tmp_path / n for n in
                                    ("sim", "od", "del", "str", "roles", "groups", "ind"))
    _run(["simulate-signaling", *UNITS_COLS, "--lon-col", "seat_lon_wgs84",
          "--lat-col", "seat_lat_wgs84", "--population-col", "pop_2020_census",
          "--parent-col", "parent_code", "--users", "1500", "--days", "7", "--seed", "3",
          "--out", str(sim)], capsys)
    assert set(_listed(sim)) >= {"records.parquet", "cells.csv"}
    cells = pd.read_csv(sim / "cells.csv", dtype=str)
    # the province and the Guang'an prefecture contain other units: set aside, not simulated
    assert not set(cells["unit_id"]) & {"500000", "511600"}

    _run(["od", "--records", str(sim / "records.parquet"), "--cells", str(sim / "cells.csv"),
          "--min-count", "1", "--out", str(od)], capsys)
    assert set(_listed(od)) == {"od.csv", "units.csv", "accounting.json"}
    flows = pd.read_csv(od / "od.csv", dtype={"origin": str, "destination": str})
    assert list(flows.columns) == ["origin", "destination", "value"]

    out = _run(["delineate", "cn-commuting", "--flows", str(od / "od.csv"), *UNITS_COLS,
                "--cores", str(cores), "--adjacency", str(ADJACENCY),
                "--param", "travel_time_gate=false", "--out", str(dl)], capsys)
    assert "cn-commuting" in out
    member = pd.read_csv(dl / "membership.csv", dtype={"unit_id": str, "area_id": str})
    assert set(member.loc[member["status"] == "core", "unit_id"]) == set(
        pd.read_csv(cores, dtype=str)["unit_id"])

    _run(["strength", "--flows", f"commuting={od / 'od.csv'}", "--cores", str(cores),
          "--out", str(st), "--no-progress"], capsys)
    links = pd.read_csv(st / "links.csv")
    assert {"origin", "destination", "strength"} <= set(links.columns)

    _run(["roles", "--flows", str(od / "od.csv"), *UNITS_COLS, "--cores", str(cores),
          "--strength", str(st / "links.csv"), "--membership", str(dl / "membership.csv"),
          "--out", str(ro), "--no-progress"], capsys)
    roles = pd.read_csv(ro / "roles.csv", dtype={"unit_id": str})
    in_area = set(member.loc[member["area_id"] == "chongqing_central", "unit_id"])
    assert set(roles["unit_id"]) == in_area
    assert set(_listed(ro)) >= {"roles.csv", "polycentricity.json"}

    _run(["groups", "--method", "leiden", "--flows", str(st / "links.csv"),
          "--value-col", "strength", *UNITS_COLS, "--adjacency", str(ADJACENCY),
          "--out", str(gr), "--no-progress"], capsys)
    groups = pd.read_csv(gr / "membership.csv", dtype={"unit_id": str})
    # every unit the links name is in one group, under the code 'strength' wrote
    assert set(groups["unit_id"]) == set(links["origin"].astype(str)) | set(
        links["destination"].astype(str))

    _run(["indicators", *UNITS_COLS, "--col", "population=pop_2020_census",
          "--membership", str(dl / "membership.csv"), "--flows", str(od / "od.csv"),
          "--out", str(ind)], capsys)
    table = pd.read_csv(ind / "indicators.csv")
    assert list(table["area_id"]) == ["chongqing_central"]
    # the area's commuting statistics are those of the published OD, as written by 'od'
    inside = flows["origin"].isin(in_area) & flows["destination"].isin(in_area)
    assert table.loc[0, "internal_commuters"] == flows.loc[inside, "value"].sum()
    assert _listed(ind) == {"indicators.csv": _digest(ind / "indicators.csv")}
    assert _digest(UNITS) == before  # no input changed


#: The column options that name a column of a flow or units table, and their one default.
COLUMN_DEFAULTS = {"--origin-col": "origin", "--destination-col": "destination",
                   "--value-col": "value", "--units-id-col": "unit_id"}
#: Commands that read a flow table (all four options) or a units table (--units-id-col).
FLOW_COMMANDS = [["delineate", "omb-cbsa"], ["groups"], ["strength"], ["roles"],
                 ["indicators"], ["combine", "omb-csa"], ["sensitivity", "omb-cbsa"],
                 ["uncertainty", "omb-cbsa"]]
UNITS_COMMANDS = [["simulate-signaling"], ["od"]]


def _help(cmd: list[str]) -> str:
    result = CliRunner().invoke(app, [*cmd, "--help"], env={"COLUMNS": "200",
                                                              "NO_COLOR": "1", "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    return re.sub(r"[│╭╮╰╯─]", " ", result.output)


def _default_of(help_text: str, option: str) -> str | None:
    options = help_text.split(" Options ", 1)[1]  # not the command's description
    if option not in options:
        return None
    block = options.split(option, 1)[1]
    block = re.split(r"\n\s+--[a-z]", block, maxsplit=1)[0]
    found = re.search(r"\[default:\s*([^\]]+)\]", " ".join(block.split()))
    return found.group(1).strip() if found else None


@pytest.mark.parametrize("cmd", FLOW_COMMANDS, ids=lambda c: " ".join(c))
def test_flow_column_options_same_defaults(cmd: list[str]) -> None:
    text = _help(cmd)
    for option, default in COLUMN_DEFAULTS.items():
        if option == "--units-id-col" and cmd[0] in ("combine",):
            continue
        assert option in text, f"{' '.join(cmd)} lacks {option}"
        assert _default_of(text, option) == default, (cmd, option)


@pytest.mark.parametrize("cmd", UNITS_COMMANDS, ids=lambda c: " ".join(c))
def test_units_id_option_same_default(cmd: list[str]) -> None:
    text = _help(cmd)
    assert _default_of(text, "--units-id-col") == "unit_id"


def test_od_shows_its_column_defaults() -> None:
    text = _help(["od"])
    assert "default: cell" in " ".join(text.split())
    for option, default in {"--cells-id-col": "cell_id", "--user-col": "uid",
                            "--time-col": "time", "--cells-unit-col": "unit_id"}.items():
        assert _default_of(text, option) == default, option
