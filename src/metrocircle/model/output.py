"""Output folders that never damage inputs, never mix runs and survive interruption.

Every command writes its results through :class:`OutputDir`:

>>> import tempfile, pandas as pd
>>> from pathlib import Path
>>> from metrocircle.model.output import OutputDir
>>> out = Path(tempfile.mkdtemp()) / "run"
>>> with OutputDir(out, command="example") as od:
...     _ = od.write_table(pd.DataFrame({"unit_id": ["=1+1"], "value": [3]}), "table.csv")
>>> (out / "table.csv").read_text().splitlines()[1]
"'=1+1,3"
>>> sorted(p.name for p in out.iterdir())
['run.json', 'table.csv']

What it guarantees:

- **Checked before any work.** Constructing an :class:`OutputDir` validates the folder: it may not
  be a file or lie under a file, it may not hold (or be) one of the run's input files, and, if it
  exists and is not empty, it must be a folder an earlier metrocircle run wrote (its ``run.json``
  lists every file of that run) with nothing else in it. Otherwise one
  :class:`~metrocircle.InputError` lists every problem.
- **Atomic.** Files are written into a hidden sibling folder; only when the command finishes is
  that folder moved into place, replacing the earlier run whole (no file of an earlier run is left
  beside new ones). An interrupted or failed run leaves the earlier results untouched.
- **Recorded.** ``run.json`` lists every file written with its SHA-256, the inputs with theirs,
  the command, the versions and the time.
- **Spreadsheet-safe CSV.** A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return (and is not a plain number) is written with a leading apostrophe, as the OWASP
  guidance on CSV injection recommends, so Excel shows it as text instead of running it.
  :func:`metrocircle.model.io.read_table` removes that apostrophe again, so metrocircle reads its
  own CSVs back unchanged; Parquet, GeoPackage and JSON keep the value as it is.
- **Safe names.** Names that come from data (layer names, area codes) and become file names must
  pass :func:`safe_name`.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import re
import shutil
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from metrocircle.exceptions import ParameterError, Problems

RUN_RECORD = "run.json"
#: Folders carried over from the earlier run into the new one (the step cache of a project).
DEFAULT_KEEP = (".cache",)
_PARTIAL = ".partial-"
_OLD = ".old-"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def safe_name(name: object, *, what: str = "name") -> str:
    """Return ``name`` if it is safe as a file or folder name, else raise ``ParameterError``.

    Safe: 1 to 100 characters of ``A-Z a-z 0-9 . _ -``, starting with a letter or digit (so no
    ``..``, no hidden files, no path separators, no drive letters).

    >>> safe_name("commuting")
    'commuting'
    >>> safe_name("../etc")
    Traceback (most recent call last):
    ...
    metrocircle.exceptions.ParameterError: The layer name '../etc' cannot be used in a file name: use 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit.
    """  # noqa: E501
    text = str(name)
    if not _SAFE_NAME.fullmatch(text) or ".." in text:
        raise ParameterError(
            f"The {what} {text!r} cannot be used in a file name: use 1 to 100 letters, digits, "
            "'.', '_' or '-', starting with a letter or digit."
        )
    return text


def neutralise_cell(value: object) -> object:
    """The CSV form of one cell: text a spreadsheet would run as a formula gets a leading ``'``.

    >>> neutralise_cell("=HYPERLINK(1)"), neutralise_cell("-12.5"), neutralise_cell("Yubei")
    ("'=HYPERLINK(1)", '-12.5', 'Yubei')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        if not _PLAIN_NUMBER.fullmatch(value):
            return "'" + value
    return value


def _is_text(series: pd.Series) -> bool:
    return (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)
            or isinstance(series.dtype, pd.CategoricalDtype))


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells (and column names) are safe to open in a spreadsheet.

    Text, string and categorical columns are checked (a categorical column whose categories
    need the mark is written as plain text).
    """
    out = df
    for col in df.columns:
        series = df[col]
        if not _is_text(series):
            continue
        text = series.astype("string")
        risky = text.str.startswith(_FORMULA_START).fillna(False).to_numpy(dtype=bool)
        if risky.any():
            if out is df:
                out = df.copy()
            fixed = (series.astype(object) if isinstance(series.dtype, pd.CategoricalDtype)
                     else series.copy())
            fixed.loc[risky] = [neutralise_cell(v) for v in series[risky]]
            out[col] = fixed
    names = [neutralise_cell(str(c)) for c in out.columns]
    if names != [str(c) for c in out.columns]:
        out = out.copy() if out is df else out
        out.columns = names
    return out


def restore_cell_text(df: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`neutralise_frame` on a table read from CSV (text columns only)."""
    for col in df.columns:
        series = df[col]
        if not _is_text(series):
            continue
        text = series.astype("string")
        marked = text.str.match(r"'[=+\-@\t\r]").fillna(False).to_numpy(dtype=bool)
        if marked.any():
            fixed = (series.astype(object) if isinstance(series.dtype, pd.CategoricalDtype)
                     else series.copy())
            fixed.loc[marked] = text[marked].str.slice(1).to_numpy(dtype=object)
            df[col] = fixed
    return df


def _is_within(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def _earlier_run_files(folder: Path) -> set[str] | None:
    """The files an earlier run listed in ``run.json``; None if the folder has no such record."""
    record = folder / RUN_RECORD
    if not record.is_file():
        return None
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or "metrocircle_version" not in data:
        return None
    return {str(f) for f in files}


def check_out_dir(
    out: str | Path,
    *,
    inputs: Iterable[str | Path | None] = (),
    keep: Iterable[str] = DEFAULT_KEEP,
    option: str = "--out",
) -> Path:
    """Validate an output folder before any work; return it as an absolute path.

    Raises one :class:`~metrocircle.InputError` listing every problem: ``out`` is a file or lies
    under a file; ``out`` holds or is one of ``inputs``; ``out`` exists, is not empty, and is not
    the folder of an earlier metrocircle run (or holds files that run did not write).
    """
    p = Problems()
    out_path = Path(out).expanduser()
    folder = Path(os.path.abspath(out_path))
    for parent in [folder, *folder.parents]:
        if parent.exists() and not parent.is_dir():
            if parent == folder:
                p.add(option, f"{out} is a file; give a folder for the outputs")
            else:
                p.add(option, f"{out} lies under {parent}, which is a file, not a folder")
            p.raise_if_any()
    if folder == Path(folder.anchor):
        p.add(option, f"{out} is the root of the file system; give a folder of its own")
        p.raise_if_any()
    for item in inputs:
        if item is None:
            continue
        src = Path(os.path.realpath(Path(item).expanduser()))
        real_folder = Path(os.path.realpath(folder))
        if src == real_folder or _is_within(src, real_folder):
            p.add(
                option,
                f"{out} holds the input {item}: the run would replace it; write the outputs to "
                "another folder",
            )
    p.raise_if_any()
    if folder.is_dir():
        keep_set = set(keep)
        present = {
            e.name
            for e in folder.iterdir()
            if e.name not in keep_set and not e.name.startswith(f".{folder.name}")
        }
        if present:
            earlier = _earlier_run_files(folder)
            if earlier is None:
                shown = ", ".join(sorted(present)[:8]) + (" ..." if len(present) > 8 else "")
                p.add(
                    option,
                    f"{out} already holds files that no metrocircle run listed ({shown}); give a "
                    "new or empty folder, so that no file of yours is replaced and no old file "
                    "sits beside new ones",
                )
            else:
                tops = {f.split("/", 1)[0] for f in earlier} | {RUN_RECORD}
                foreign = sorted(present - tops)
                if foreign:
                    p.add(
                        option,
                        f"{out} holds files the earlier run there did not write "
                        f"({', '.join(foreign[:8])}); move them away or give another folder",
                    )
    p.raise_if_any()
    return folder


def _sha256(path: Path) -> str:
    from metrocircle.model.io import file_checksum

    return file_checksum(path)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


class OutputDir:
    """A run's output folder, written atomically; see the module docstring.

    Parameters
    ----------
    out
        The folder the user named (``--out``).
    inputs
        The run's input files: the folder may not hold them, and their checksums go into
        ``run.json`` (give a mapping name -> path to name them there).
    command
        What produced the folder (e.g. ``"delineate omb-cbsa"``), recorded in ``run.json``.
    keep
        Sub-folders of an earlier run carried into the new folder (default: ``.cache``).
    """

    def __init__(
        self,
        out: str | Path,
        *,
        inputs: Mapping[str, str | Path | None] | Iterable[str | Path | None] = (),
        command: str,
        keep: Iterable[str] = DEFAULT_KEEP,
        option: str = "--out",
    ) -> None:
        named = (
            dict(inputs)
            if isinstance(inputs, Mapping)
            else {str(i): i for i in inputs if i is not None}
        )
        self.inputs = {k: Path(v) for k, v in named.items() if v is not None}
        self.keep = tuple(keep)
        self.final = check_out_dir(out, inputs=self.inputs.values(), keep=self.keep,
                                   option=option)
        self.command = command
        self.info: dict[str, Any] = {}
        self.root: Path | None = None
        self.started = _dt.datetime.now(_dt.UTC)

    # -- writing ---------------------------------------------------------------------------
    def __enter__(self) -> OutputDir:
        self.final.parent.mkdir(parents=True, exist_ok=True)
        self.root = self.final.parent / f".{self.final.name}{_PARTIAL}{uuid.uuid4().hex[:8]}"
        self.root.mkdir()
        return self

    def path(self, *parts: str) -> Path:
        """Where to write ``parts`` (e.g. ``od.path("access", "circles.csv")``); folders are made.

        Each part must be a plain name (no ``..``, no separators); names from data must pass
        :func:`safe_name` first.
        """
        if self.root is None:
            raise RuntimeError("use OutputDir as a context manager: with OutputDir(...) as od:")
        for part in parts:
            if not part or part in {".", ".."} or "/" in part or "\\" in part or "\x00" in part:
                raise ParameterError(f"Output names must be plain file names. Got {part!r}.")
        target = self.root.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_table(self, df: pd.DataFrame, *parts: str, layer: str | None = None) -> Path:
        """Write a table by its suffix (CSV neutralised for spreadsheets; see module docs)."""
        from metrocircle.model.io import write_table

        return write_table(df, self.path(*parts), layer=layer)

    def write_json(self, data: Mapping[str, Any], *parts: str) -> Path:
        from metrocircle.model.io import write_json

        return write_json(data, self.path(*parts))

    def write_text(self, text: str, *parts: str) -> Path:
        target = self.path(*parts)
        target.write_text(text, encoding="utf-8")
        return target

    def record(self, **info: Any) -> None:
        """Add entries to ``run.json`` (parameters, counts, notes)."""
        self.info.update(info)

    # -- finishing -------------------------------------------------------------------------
    def files(self) -> dict[str, str]:
        """Every file written so far (relative path with ``/``) and its SHA-256."""
        assert self.root is not None
        out: dict[str, str] = {}
        for f in sorted(self.root.rglob("*")):
            rel = f.relative_to(self.root).as_posix()
            if f.is_file() and rel != RUN_RECORD and rel.split("/")[0] not in self.keep:
                out[rel] = _sha256(f)
        return out

    def run_record(self) -> dict[str, Any]:
        from metrocircle import __version__

        record: dict[str, Any] = {
            "command": self.command,
            "metrocircle_version": __version__,
            "python": platform.python_version(),
            "pandas": pd.__version__,
            "created_utc": self.started.isoformat(timespec="seconds"),
            "inputs": {
                name: {"path": str(path), "sha256": _sha256(path)}
                for name, path in self.inputs.items()
                if path.is_file()
            },
        }
        record.update(_jsonable(self.info))
        record["files"] = self.files()
        return record

    def __exit__(self, exc_type, exc, tb) -> None:  # noqa: ANN001
        assert self.root is not None
        if exc_type is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            return
        try:
            from metrocircle.model.io import write_json

            write_json(self.run_record(), self.root / RUN_RECORD)
            self._swap()
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise

    def _swap(self) -> None:
        assert self.root is not None
        final = self.final
        old: Path | None = None
        if final.exists():
            for name in self.keep:
                kept = final / name
                if kept.exists() and not (self.root / name).exists():
                    shutil.move(str(kept), str(self.root / name))
            old = final.parent / f".{final.name}{_OLD}{uuid.uuid4().hex[:8]}"
            os.replace(final, old)
        os.replace(self.root, final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        self.partial, self.root = self.root, final

    def final_path(self, path: Path) -> Path:
        """Where a file written through :meth:`path` lies once the folder is in place."""
        base = getattr(self, "partial", None) or self.root
        assert base is not None
        return self.final / Path(path).relative_to(base)


__all__ = [
    "OutputDir",
    "check_out_dir",
    "neutralise_cell",
    "neutralise_frame",
    "restore_cell_text",
    "safe_name",
]
