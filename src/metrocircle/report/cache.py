"""The figure cache: a figure of the report is drawn again only when what it reads changed.

A figure reads its run folder only through :class:`Reads`, which records every read: the call
(``table("membership.csv")``, ``step_info("access")``, ``polygons``, ...) and a SHA-256 of
what it returned (a table: the bytes of its file; anything else: the value, e.g. a polygon's
geometry as WKB, a step's info as JSON). That
record, the trace, is stored with the figure's files. A figure's cache key is the SHA-256 of
its trace, the options it was drawn with and the code that draws it (a version string from the
caller: metrocircle's source checksum and library versions; plus, here, the versions of the
drawing libraries, the default font and matplotlib's settings).

To find a figure in the cache, :meth:`FigureCache.lookup` takes each distinct trace stored for
it, reads the same things from the new run folder and computes the key again; the figure is
reused only when an entry holds that key, that is when every value it read is unchanged.
Because a figure is drawn from what it reads and nothing else (the drawing is deterministic and
:class:`Reads` is the only way to the folder), a reused figure is byte for byte what drawing it
again would give. A delineation threshold changed: the map of the area and the reasons chart
read ``membership.csv`` and are drawn again; the isochrones, flow maps, groups, industry and
fusion weights read nothing that changed and are copied from the cache.

Entries live in ``OUT/.cache/figures/<figure>/<key>/`` (the files and ``figure.json``),
written to a temporary folder and renamed into place.

Examples
--------
>>> from metrocircle.report.cache import fingerprint
>>> import pandas as pd
>>> fingerprint(pd.DataFrame({"a": [1, 2]})) == fingerprint(pd.DataFrame({"a": [1, 2]}))
True
>>> fingerprint(pd.DataFrame({"a": [1, 2]})) == fingerprint(pd.DataFrame({"a": [1.0, 2.0]}))
False
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from metrocircle.report.folder import RunFolder

log = logging.getLogger(__name__)

#: Entries kept per figure besides those of the latest report (the newest first).
KEEP = 3
_RECORD = "figure.json"

#: Every way a figure may read its run folder: name -> ``read(folder, *args)``.
CALLS: dict[str, Callable[..., Any]] = {
    "table": lambda f, rel: f.table(rel),
    "step_info": lambda f, step: f.step_info(step),
    "step_parameters": lambda f, step: f.step_parameters(step),
    "has_step": lambda f, step: f.has_step(step),
    "layer_label": lambda f, layer: f.layer_label(layer),
    "input_notes": lambda f: f.input_notes(),
    "input_declaration": lambda f, name: f.input_declaration(name),
    "names": lambda f: f.names,
    "cores": lambda f: f.cores,
    "polygons": lambda f: f.polygons,
    "minutes_to_core": lambda f: f.minutes_to_core,
}

Call = tuple[str, ...]


def file_print(path: Path) -> str:
    """SHA-256 of a file's bytes (``missing`` when there is none): what a table read from it
    holds, without parsing it."""
    if not path.is_file():
        return "missing"
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _print_of(folder: RunFolder, call: Call, value: Any = None) -> str:
    """The fingerprint of ``call``'s value: a table by its file's bytes (the table is a
    function of them), anything else by :func:`fingerprint` of the value (read when not
    given)."""
    name, *args = call
    if name == "table":
        return file_print(folder.path / args[0])
    if value is None:
        value = CALLS[name](folder, *args)
    return fingerprint(value)


def fingerprint(value: Any) -> str:
    """SHA-256 of a value a figure read: a table (its columns, their types and every cell, the
    index too; polygons as WKB with their CRS), a series, or plain JSON data."""
    h = hashlib.sha256()
    if value is None:
        h.update(b"none")
    elif isinstance(value, pd.Series):
        h.update(b"series:" + fingerprint(value.to_frame(name=str(value.name))).encode())
    elif isinstance(value, pd.DataFrame):
        geom = [c for c in value.columns if str(value[c].dtype) == "geometry"]
        plain = value.drop(columns=geom)
        h.update(json.dumps([[str(c), str(t)] for c, t in plain.dtypes.items()]).encode())
        h.update(json.dumps([str(i) for i in plain.index.names]).encode())
        # CSV text holds every cell exactly (floats as their shortest repr, missing as "")
        h.update(plain.to_csv(index=True, lineterminator="\n").encode())
        for c in geom:
            crs = value[c].crs
            h.update(f"geometry:{c}:{crs.to_wkt() if crs is not None else ''}".encode())
            for wkb in value[c].to_wkb():
                h.update(len(wkb or b"").to_bytes(8, "little"))
                h.update(wkb or b"")
    else:
        h.update(json.dumps(value, sort_keys=True, default=str).encode())
    return h.hexdigest()


class Reads:
    """What one figure reads of a run folder: the folder's own calls (:data:`CALLS`), each
    recorded in :attr:`trace` with the fingerprint of its value.

    Parameters
    ----------
    folder
        The run folder.
    prints
        Fingerprints already computed (shared between figures, so that a table read by every
        figure is hashed once).
    """

    def __init__(self, folder: RunFolder, prints: dict[Call, str]) -> None:
        self._folder = folder
        self._prints = prints
        self.trace: dict[Call, str] = {}

    def _read(self, call: str, *args: str) -> Any:
        value = CALLS[call](self._folder, *args)
        key = (call, *args)
        if key not in self.trace:
            if key not in self._prints:
                self._prints[key] = _print_of(self._folder, key, value)
            self.trace[key] = self._prints[key]
        return value

    def table(self, rel: str) -> pd.DataFrame | None:
        return self._read("table", rel)

    def step_info(self, step: str) -> dict[str, Any]:
        return self._read("step_info", step)

    def step_parameters(self, step: str) -> dict[str, Any]:
        return self._read("step_parameters", step)

    def has_step(self, step: str) -> bool:
        return self._read("has_step", step)

    def layer_label(self, layer: str) -> dict[str, Any]:
        return self._read("layer_label", layer)

    def input_notes(self) -> list[dict[str, str]]:
        return self._read("input_notes")

    def input_declaration(self, name: str) -> Any:
        return self._read("input_declaration", name)

    @property
    def names(self) -> pd.Series:
        return self._read("names")

    @property
    def cores(self) -> list[str]:
        return self._read("cores")

    @property
    def polygons(self) -> Any:
        return self._read("polygons")

    @property
    def minutes_to_core(self) -> pd.Series | None:
        return self._read("minutes_to_core")


def current_print(folder: RunFolder, call: Call, prints: dict[Call, str]) -> str:
    """The fingerprint of ``call`` on ``folder`` now (memoised in ``prints``)."""
    if call not in prints:
        prints[call] = _print_of(folder, call)
    return prints[call]


@cache
def drawing_versions() -> dict[str, str]:
    """What else decides a figure's pixels: the versions of the drawing libraries, the font
    matplotlib falls back on, and matplotlib's settings (a user's ``matplotlibrc``)."""
    from importlib.metadata import PackageNotFoundError, version

    import matplotlib
    from matplotlib import font_manager

    out = {}
    for dist in ("matplotlib", "pillow", "shapely", "pyproj", "geopandas", "pyogrio", "numpy",
                 "pandas"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            continue
    out["font"] = Path(font_manager.findfont(font_manager.FontProperties())).name
    rc = sorted((k, repr(v)) for k, v in matplotlib.rcParams.items())
    out["rc"] = hashlib.sha256(json.dumps(rc).encode()).hexdigest()
    return out


class FigureCache:
    """The figures of a run folder's reports (``OUT/.cache/figures``).

    Parameters
    ----------
    folder
        Where the entries are.
    version
        The code that draws (e.g. the step cache's checksum of metrocircle's source and the
        library versions): an entry of another version is never reused.
    reuse
        False: look nothing up (draw every figure) but store what is drawn.
    """

    def __init__(self, folder: str | Path, *, version: str, reuse: bool = True) -> None:
        self.folder = Path(folder)
        self.version = version
        self.reuse = reuse
        self.used: dict[str, set[str]] = {}

    def key(self, job: str, options: dict[str, Any], trace: Iterable[tuple[Call, str]]) -> str:
        payload = {"figure": job, "options": options, "version": self.version,
                   "drawing": drawing_versions(),
                   "reads": sorted([list(call), fp] for call, fp in trace)}
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def lookup(self, job: str, options: dict[str, Any], folder: RunFolder,
               prints: dict[Call, str]) -> tuple[dict[str, Any], Path] | None:
        """The record and folder of a cached ``job`` whose every read is unchanged, or None."""
        if not self.reuse:
            return None
        base = self.folder / job
        if not base.is_dir():
            return None
        shapes: set[tuple[Call, ...]] = set()
        for entry in sorted(base.iterdir(), key=_mtime, reverse=True):
            record = _read_record(entry)
            if record is None or record.get("version") != self.version:
                continue
            shapes.add(tuple(tuple(c) for c in record["reads"]))
        for shape in sorted(shapes):
            try:
                trace = [(call, current_print(folder, call, prints)) for call in shape]
            except Exception as err:  # a read that fails now: not this entry
                log.debug("figure %s: a cached trace cannot be read again (%s)", job, err)
                continue
            key = self.key(job, options, trace)
            record = _read_record(base / key)
            if record is not None and all((base / key / f).is_file()
                                          for d in record["drawn"] for f in d["files"]):
                self.used.setdefault(job, set()).add(key)
                os.utime(base / key)
                return record, base / key
        return None

    def store(self, job: str, options: dict[str, Any], trace: dict[Call, str],
              drawn: list[dict[str, Any]], notes: list[str], files: Iterable[Path]) -> str:
        """Keep a drawn ``job``: its files, what it drew (``drawn``: name, kind, title,
        caption, file names) and its notes, under the key of its trace."""
        key = self.key(job, options, trace.items())
        staging = self.folder / job / f".tmp-{uuid.uuid4().hex[:10]}"
        staging.mkdir(parents=True)
        try:
            for f in files:
                shutil.copy2(f, staging / f.name)
            record = {"figure": job, "key": key, "version": self.version,
                      "reads": [list(c) for c in trace], "drawn": drawn, "notes": notes,
                      "created_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")}
            (staging / _RECORD).write_text(json.dumps(record, indent=1), encoding="utf-8")
            entry = self.folder / job / key
            if entry.exists():
                shutil.rmtree(entry)
            os.replace(staging, entry)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self.used.setdefault(job, set()).add(key)
        return key

    def prune(self) -> None:
        """Keep, per figure, the entries of this report and the :data:`KEEP` newest others."""
        if not self.folder.is_dir():
            return
        for job_dir in self.folder.iterdir():
            if not job_dir.is_dir():
                continue
            used = self.used.get(job_dir.name, set())
            others = sorted((e for e in job_dir.iterdir() if e.name not in used), key=_mtime,
                            reverse=True)
            for stale in others[KEEP:] + [e for e in others if e.name.startswith(".tmp-")]:
                shutil.rmtree(stale, ignore_errors=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _read_record(entry: Path) -> dict[str, Any] | None:
    if entry.name.startswith(".") or not (entry / _RECORD).is_file():
        return None
    try:
        record = json.loads((entry / _RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not {"reads", "drawn", "notes"} <= set(record):
        return None
    return record


__all__ = ["CALLS", "KEEP", "FigureCache", "Reads", "current_print", "drawing_versions",
           "file_print", "fingerprint"]
