"""The step cache: a step re-runs only when what it reads or its parameters changed.

A step's key is the SHA-256 of (as JSON): the step's name and resolved parameters, the
declared inputs it reads with each file's SHA-256 (not its time stamp), the keys of the steps
it reads from, and the code that runs it (metrocircle's version and a checksum of its source
files, and the versions of Python, pandas and NumPy). Change one delineation threshold and the
keys of the delineation and of every step downstream change; the others stay.

An entry is a folder ``<cache>/<step>/<key>/`` holding the files the step wrote (``files/``,
copied into the run folder on a hit, so a cached step's files are byte for byte those it wrote),
the tables later steps read (``tables/*.parquet``) and ``result.json`` (its info and time).
Entries are written to a temporary folder and renamed into place, so an interrupted run never
leaves a half entry. The cache lives in ``OUT/.cache/``, which
:class:`~metrocircle.model.output.OutputDir` carries over between runs of the same folder.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import math
import os
import shutil
import uuid
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.project.steps import StepResult

log = logging.getLogger(__name__)

#: Entries kept per step besides those of the latest run (the newest first).
KEEP = 3
#: The report's figure cache (:class:`metrocircle.report.cache.FigureCache`, which prunes it):
#: ``<cache>/figures/<figure>/<key>/``.
FIGURES = "figures"
_RESULT = "result.json"


def plain(value: Any) -> Any:
    """``value`` with NumPy scalars, NaN, paths and time stamps as plain JSON values."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(float(value)) or math.isinf(float(value)) else float(value)
    if value is None or isinstance(value, str):
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, Path):
        return value.as_posix()
    if isinstance(value, pd.Timestamp | _dt.datetime | _dt.date):
        return value.isoformat()
    return str(value)


@cache
def code_fingerprint() -> str:
    """SHA-256 over metrocircle's source files (so an edited install never reuses results)."""
    import metrocircle

    root = Path(metrocircle.__file__).parent
    h = hashlib.sha256()
    for f in sorted(root.rglob("*.py")):
        h.update(f.relative_to(root).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def versions() -> dict[str, str]:
    """Versions that can change a result."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    from metrocircle import __version__

    out = {"metrocircle": __version__, "python": platform.python_version(),
           "pandas": pd.__version__, "numpy": np.__version__}
    for dist in ("duckdb", "pyarrow", "scipy", "igraph", "leidenalg", "geopandas", "pyogrio"):
        try:  # the installed version, without importing the package
            out[dist] = version(dist)
        except PackageNotFoundError:
            continue
    return out


def step_key(payload: dict[str, Any]) -> str:
    """SHA-256 of ``payload`` (plus the code fingerprint and versions) as canonical JSON."""
    full = {**payload, "code": code_fingerprint(), "versions": versions()}
    text = json.dumps(plain(full), sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


class StepCache:
    """Entries of one run folder's cache (``OUT/.cache``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: dict[str, set[str]] = {}

    def entry(self, step: str, key: str) -> Path:
        return self.folder / step / key

    def load(self, step: str, key: str) -> tuple[StepResult, Path] | None:
        """The cached result and its ``files/`` folder, or None."""
        entry = self.entry(step, key)
        record = entry / _RESULT
        if not record.is_file():
            return None
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
            tables = {name: pd.read_parquet(entry / "tables" / f"{name}.parquet")
                      for name in data["tables"]}
        except (OSError, ValueError, KeyError) as err:  # a damaged entry is run again
            log.warning("cache entry %s/%s unreadable (%s); running the step", step, key[:12],
                        err)
            return None
        self.used.setdefault(step, set()).add(key)
        os.utime(entry)
        result = StepResult(tables, data["info"], cached=True, key=key,
                            seconds=float(data.get("seconds", 0.0)))
        return result, entry / "files"

    def staging(self, step: str) -> Path:
        """A new folder to run ``step`` in (becomes an entry by :meth:`store`)."""
        path = self.folder / step / f".tmp-{uuid.uuid4().hex[:10]}"
        (path / "files").mkdir(parents=True)
        return path

    def store(self, step: str, key: str, staging: Path, result: StepResult) -> Path:
        """Turn ``staging`` (with the step's ``files/``) into the entry of ``key``."""
        tables = staging / "tables"
        tables.mkdir(exist_ok=True)
        for name, df in result.tables.items():
            df.to_parquet(tables / f"{name}.parquet")
        record = {"step": step, "key": key, "info": result.info, "seconds": result.seconds,
                  "tables": list(result.tables),
                  "created_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")}
        (staging / _RESULT).write_text(json.dumps(plain(record), indent=1), encoding="utf-8")
        entry = self.entry(step, key)
        if entry.exists():
            shutil.rmtree(entry)
        os.replace(staging, entry)
        self.used.setdefault(step, set()).add(key)
        return entry / "files"

    def prune(self) -> None:
        """Keep, per step, the entries of this run and the :data:`KEEP` newest others."""
        if not self.folder.is_dir():
            return
        for step_dir in self.folder.iterdir():
            if not step_dir.is_dir() or step_dir.name == FIGURES:
                continue
            used = self.used.get(step_dir.name, set())
            others = sorted((e for e in step_dir.iterdir() if e.name not in used),
                            key=lambda e: e.stat().st_mtime, reverse=True)
            for stale in others[KEEP:] + [e for e in others if e.name.startswith(".tmp-")]:
                shutil.rmtree(stale, ignore_errors=True)
