"""One place that knows how to run every command on a small generated world (issue 13, "what
must hold").

A :class:`World` is a handful of units with codes and names (drawn by the property tests, so
they may start a spreadsheet formula, carry path characters or non-ASCII letters), their
seats, populations, a full flow matrix with its diagonal, cores, adjacency, travel times, a
membership, an industry table and signaling records. :func:`write_inputs` writes those tables
as files, in a given encoding and delimiter (class 8); :data:`COMMANDS` turns the files into a
valid minimal invocation of each command; :func:`run` runs it in-process and checks the
invariants every run must keep:

- exit code 0 or 2, never a traceback;
- on exit 2, one message (a single ``Error:``) and no --out folder created or changed;
- every input file byte-identical after the run;
- on exit 0, ``run.json`` lists exactly the files in --out (nothing stale, nothing unlisted),
  each with its SHA-256;
- on exit 0, no CSV cell that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from metrocircle.cli.main import main

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class World:
    """A small study area: ``codes[i]`` and ``names[i]`` of unit ``i`` on a 3-column grid."""

    codes: list[str]
    names: list[str]
    area: str = "M1"
    flows_scale: int = 10
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.codes)

    def lonlat(self, i: int) -> tuple[float, float]:
        return 106.40 + 0.12 * (i % 3), 29.40 + 0.12 * (i // 3)

    def units(self) -> pd.DataFrame:
        rows = []
        for i, (c, nm) in enumerate(zip(self.codes, self.names, strict=True)):
            lon, lat = self.lonlat(i)
            pop = 200_000 if i == 0 else 50_000 + 5_000 * i
            rows.append({"unit_id": c, "name": nm, "lon": lon, "lat": lat, "population": pop,
                         "employment": pop // 2, "urban_population": pop // 3,
                         "area_km2": 100.0 + i, "gdp": 1000.0 + 10 * i})
        return pd.DataFrame(rows)

    def flows(self) -> pd.DataFrame:
        rows = []
        for i, a in enumerate(self.codes):
            for j, b in enumerate(self.codes):
                if i == j:
                    v = 1000
                elif j == 0:  # everyone commutes to the first unit, the core
                    v = 400 - 10 * i
                elif abs(i - j) == 1:
                    v = 30
                else:
                    v = 5
                rows.append({"origin": a, "destination": b, "value": v * self.flows_scale,
                             "moe": max(1, v // 5)})
        return pd.DataFrame(rows)

    def cores(self) -> pd.DataFrame:
        return pd.DataFrame({"unit_id": [self.codes[0]], "area_id": [self.area]})

    def adjacency(self) -> pd.DataFrame:
        pairs = []
        for i in range(self.n):
            for j in range(i + 1, self.n):
                (xi, yi), (xj, yj) = divmod(i, 3)[::-1], divmod(j, 3)[::-1]
                if abs(xi - xj) + abs(yi - yj) == 1:
                    pairs.append((self.codes[i], self.codes[j]))
        return pd.DataFrame(pairs, columns=["unit_a", "unit_b"])

    def travel_times(self) -> pd.DataFrame:
        rows = []
        for i, a in enumerate(self.codes):
            for j, b in enumerate(self.codes):
                (x1, y1), (x2, y2) = self.lonlat(i), self.lonlat(j)
                rows.append({"origin": a, "destination": b,
                             "minutes": round(5 + 250 * math.hypot(x1 - x2, y1 - y2), 1)})
        return pd.DataFrame(rows)

    def membership(self, *, shift: int = 0) -> pd.DataFrame:
        rows = []
        for i, c in enumerate(self.codes):
            if i == 0:
                rows.append((c, self.area, "core"))
            elif i <= 2 + shift:
                rows.append((c, self.area, "outlying"))
            else:
                rows.append((c, "", "outside"))
        return pd.DataFrame(rows, columns=["unit_id", "area_id", "status"])

    def industry(self) -> pd.DataFrame:
        rows = []
        for i, c in enumerate(self.codes):
            for k, ind in enumerate(("agri", "manuf", "services")):
                rows.append({"unit_id": c, "industry": ind, "value": 10 + ((i + 1) * (k + 2)) % 7})
        return pd.DataFrame(rows)

    def cells(self) -> pd.DataFrame:
        rows = []
        for i, c in enumerate(self.codes):
            lon, lat = self.lonlat(i)
            rows.append({"cell_id": f"c{i}", "lon": lon, "lat": lat, "unit_id": c})
        return pd.DataFrame(rows)

    def records(self, *, days: int = 7, people: int | None = None) -> pd.DataFrame:
        """One record per hour per person; person p lives in unit p % n and works in unit 0
        (or in unit 1 when p // n is odd) on weekdays 9-17; user ids are drawn from the codes
        too."""
        start = pd.Timestamp("2024-03-04")  # a Monday
        rows = []
        people = 2 * self.n if people is None else people
        for p in range(people):
            home, work = p % self.n, (0 if (p // self.n) % 2 == 0 else 1)
            for d in range(days):
                for h in range(24):
                    at_work = d % 7 < 5 and 9 <= h < 17
                    rows.append({"uid": f"{self.codes[p % self.n]}#{p}",
                                 "time": start + pd.Timedelta(days=d, hours=h, minutes=20),
                                 "cell": f"c{work if at_work else home}"})
        return pd.DataFrame(rows)


@dataclass
class FileForm:
    """How the text files are written (class 8)."""

    encoding: str = "utf-8"
    sep: str = ","


def write_csv(df: pd.DataFrame, path: Path, form: FileForm) -> Path:
    buf = io.StringIO()
    df.to_csv(buf, index=False, sep=form.sep, quoting=csv.QUOTE_MINIMAL)
    path.write_bytes(buf.getvalue().encode(form.encoding))
    return path


def write_inputs(world: World, folder: Path, form: FileForm | None = None) -> dict[str, Path]:
    """Every input table of ``world`` as a file in ``folder``; returns name -> path."""
    form = form or FileForm()
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, df in {
        "units": world.units(), "flows": world.flows(), "cores": world.cores(),
        "adjacency": world.adjacency(), "travel_times": world.travel_times(),
        "membership": world.membership(), "membership_b": world.membership(shift=1),
        "industry": world.industry(), "cells": world.cells(),
    }.items():
        files[name] = write_csv(df, folder / f"{name}.csv", form)
    rec = world.records()
    files["records"] = folder / "records.parquet"
    rec.to_parquet(files["records"], index=False)
    files["project_units"] = files["units"]
    return files


#: command name -> (files, form) -> argv without --out. Each is a valid minimal invocation.
COMMANDS: dict[str, Callable[[dict[str, Path], FileForm], list[str]]] = {
    "delineate": lambda f, form: [
        "delineate", "omb-cbsa", "--flows", str(f["flows"]), "--cores", str(f["cores"]),
        "--units", str(f["units"]), "--adjacency", str(f["adjacency"])],
    "ttwa-lma": lambda f, form: [
        "delineate", "ttwa-lma", "--flows", str(f["flows"]),
        "--param", "min_size=100", "--param", "target_size=1000"],
    "combine": lambda f, form: [
        "combine", "omb-csa", "--membership", str(f["membership"]), "--flows", str(f["flows"]),
        "--adjacency", str(f["adjacency"]), "--no-progress"],
    "od": lambda f, form: [
        "od", "--records", str(f["records"]), "--cells", str(f["cells"]), "--min-count", "1"],
    "simulate-signaling": lambda f, form: [
        "simulate-signaling", "--units", str(f["units"]), "--lon-col", "lon", "--lat-col", "lat",
        "--population-col", "population", "--users", "20", "--days", "2", "--seed", "1"],
    "access": lambda f, form: [
        "access", "--units", str(f["units"]), "--cores", str(f["cores"]), "--no-gpkg"],
    "strength": lambda f, form: [
        "strength", "--flows", f"commuting={f['flows']}", "--cores", str(f["cores"]),
        "--no-progress"],
    "roles": lambda f, form: [
        "roles", "--flows", str(f["flows"]), "--units", str(f["units"]), "--cores",
        str(f["cores"]), "--membership", str(f["membership"]), "--travel-times",
        str(f["travel_times"]), "--no-progress"],
    "groups": lambda f, form: [
        "groups", "--method", "intramax", "--param", "k=2", "--flows", str(f["flows"]),
        "--units", str(f["units"]), "--adjacency", str(f["adjacency"]), "--no-progress"],
    "industry": lambda f, form: [
        "industry", "--table", str(f["industry"]), "--units", str(f["units"]), "--no-progress"],
    "indicators": lambda f, form: [
        "indicators", "--units", str(f["units"]), "--membership", str(f["membership"]),
        "--flows", str(f["flows"])],
    "sensitivity": lambda f, form: [
        "sensitivity", "omb-cbsa", "--flows", str(f["flows"]), "--cores", str(f["cores"]),
        "--units", str(f["units"]), "--adjacency", str(f["adjacency"]), "--vary",
        "threshold=0.2,0.3", "--no-progress"],
    "uncertainty": lambda f, form: [
        "uncertainty", "omb-cbsa", "--flows", str(f["flows"]), "--cores", str(f["cores"]),
        "--units", str(f["units"]), "--adjacency", str(f["adjacency"]), "--moe-col", "moe",
        "--replicates", "3", "--no-progress"],
    "compare": lambda f, form: [
        "compare", str(f["membership"]), str(f["membership_b"]), "--units", str(f["units"]),
       ],
}
NAMES = list(COMMANDS)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``folder`` (hidden ones included)."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): digest(p)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass
class Outcome:
    code: int
    out: str
    err: str


def run(args: list[str], capsys: pytest.CaptureFixture[str], *, inputs: list[Path],
        out: Path) -> Outcome:
    """Run ``metrocircle ARGS --out OUT`` in-process and check every invariant."""
    watched = {p: digest(p) for p in inputs if p.is_file()}
    before_out = snapshot(out) if out.is_dir() else None
    siblings = set(out.parent.iterdir()) if out.parent.is_dir() else set()
    code = main([*args, "--out", str(out)])
    cap = capsys.readouterr()
    text = cap.out + cap.err
    assert code in (0, 2), f"exit {code}: {text[-3000:]}"
    assert "Traceback" not in text, text[-3000:]
    for p, sha in watched.items():
        assert digest(p) == sha, f"{p.name} changed by {args[0]}"
    # no temporary folder left beside --out, whatever happened
    left = {p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}")} \
        if out.parent.is_dir() else set()
    assert not left, left
    if code == 2:
        assert cap.err.lstrip().startswith("Error: "), cap.err
        assert cap.err.count("Error: ") == 1, cap.err
        after_out = snapshot(out) if out.is_dir() else None
        assert after_out == before_out, "a refused run changed --out"
        if before_out is None:
            new = set(out.parent.iterdir()) - siblings if out.parent.is_dir() else set()
            assert not new, f"a refused run left {new}"
    else:
        check_run_folder(out)
    return Outcome(code, cap.out, cap.err)


def check_run_folder(out: Path) -> dict[str, str]:
    """run.json lists exactly the files in ``out`` with their SHA-256; no formula in a CSV."""
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    listed = record["files"]
    present = {k: v for k, v in snapshot(out).items()
               if k != "run.json" and not k.startswith(".cache/")}
    assert present == listed, (sorted(present), sorted(listed))
    for rel in listed:
        if rel.endswith(".csv"):
            with open(out / rel, newline="", encoding="utf-8") as fh:
                for row in csv.reader(fh):
                    for cell in row:
                        if cell.startswith(FORMULA_START):
                            try:  # only a plain number may keep its sign
                                float(cell)
                            except ValueError:
                                raise AssertionError(f"{rel}: formula cell {cell!r}") from None
    return listed
