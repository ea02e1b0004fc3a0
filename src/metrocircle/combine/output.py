"""Writing a combination to a folder: ``combined.csv``, ``pairs.csv``, extra tables, run record."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from metrocircle.combine.base import CombineResult
from metrocircle.model.output import OutputDir, safe_name


def write_combination(
    result: CombineResult,
    out: str | Path | OutputDir,
    *,
    inputs: Mapping[str, str | Path | None] | None = None,
    extra_run_info: Mapping[str, Any] | None = None,
    subfolder: str | None = None,
) -> dict[str, Path]:
    """Write ``combined.csv`` (one row per area), ``pairs.csv`` (one row per pair of adjacent
    areas), one CSV per extra table and the run record.

    ``out`` is a folder (written atomically through :class:`~metrocircle.model.output.OutputDir`,
    with ``run.json``) or an open ``OutputDir`` (then the files go to ``subfolder`` of it and
    the combination's record is added to its ``run.json``). Returns the paths written, by name.
    """
    if not isinstance(out, OutputDir):
        with OutputDir(out, inputs=inputs or {}, command=f"combine {result.method}") as od:
            inner = write_combination(result, od, extra_run_info=extra_run_info)
        return {name: od.final_path(path) for name, path in inner.items()}
    od = out
    parts = (subfolder,) if subfolder else ()
    written: dict[str, Path] = {
        "combined": od.write_table(result.combined, *parts, "combined.csv"),
        "pairs": od.write_table(result.pairs, *parts, "pairs.csv"),
    }
    for name, table in result.tables.items():
        written[name] = od.write_table(table, *parts, f"{safe_name(name, what='table name')}.csv")
    run: dict[str, Any] = {
        "method": result.method,
        "params": result.params,
        "counts": {
            "areas": int(len(result.combined)),
            "adjacent_pairs": int(len(result.pairs)),
            "combined_areas": int(result.combined["combined_id"].dropna().nunique()),
        },
        "info": result.info,
    }
    if extra_run_info:
        run.update(extra_run_info)
    if subfolder:
        od.record(**{subfolder: run})
    else:
        od.record(**run)
    return written
