"""Writing a delineation to a directory: membership, areas, extra tables, run record."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from metrocircle.delineate.base import DelineationResult
from metrocircle.model.io import write_table
from metrocircle.model.output import OutputDir, safe_name


def _dissolve_areas(membership: pd.DataFrame) -> pd.DataFrame | None:
    """Area polygons (union of their units' polygons), for the GeoPackage."""
    if "geometry" not in membership.columns or not hasattr(membership, "crs"):
        return None
    inside = membership[membership["area_id"].notna() & (membership["area_id"].astype(str) != "")]
    if inside.empty:
        return None
    return inside[["area_id", "geometry"]].dissolve(by="area_id").reset_index()


def write_delineation(
    result: DelineationResult,
    out: str | Path | OutputDir,
    *,
    inputs: Mapping[str, str | Path | None] | None = None,
    extra_run_info: Mapping[str, Any] | None = None,
    subfolder: str | None = None,
) -> dict[str, Path]:
    """Write ``membership.csv``, ``areas.csv``, one CSV per extra table and the run record;
    with polygons also ``delineation.gpkg`` (layers ``membership`` and ``areas``) for QGIS.

    ``out`` is a folder (written atomically through :class:`~metrocircle.model.output.OutputDir`,
    with ``run.json``) or an open ``OutputDir`` (then the files go to ``subfolder`` of it and the
    delineation's record is added to its ``run.json``). Returns the paths written, by name.
    """
    if not isinstance(out, OutputDir):
        with OutputDir(out, inputs=inputs or {}, command=f"delineate {result.method}") as od:
            written = write_delineation(result, od, extra_run_info=extra_run_info)
        return {name: od.final_path(path) for name, path in written.items()}
    od = out
    parts = (subfolder,) if subfolder else ()
    written: dict[str, Path] = {}
    written["membership"] = od.write_table(result.membership, *parts, "membership.csv")
    written["areas"] = od.write_table(result.areas, *parts, "areas.csv")
    for name, table in result.tables.items():
        written[name] = od.write_table(table, *parts, f"{safe_name(name, what='table name')}.csv")
    if "geometry" in result.membership.columns and hasattr(result.membership, "crs"):
        gpkg = od.path(*parts, "delineation.gpkg")
        write_table(result.membership, gpkg, layer="membership")
        areas_geo = _dissolve_areas(result.membership)
        if areas_geo is not None:
            areas_geo = areas_geo.merge(result.areas, on="area_id", how="left")
            write_table(areas_geo, gpkg, layer="areas")
        written["gpkg"] = gpkg
    status = result.membership["status"].value_counts().to_dict() if len(result.membership) else {}
    run = {
        "method": result.method,
        "params": result.params,
        "counts": {
            "units": int(len(result.membership)),
            "areas": int(len(result.areas)),
            "status": {str(k): int(v) for k, v in status.items()},
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
