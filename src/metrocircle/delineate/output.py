"""Writing a delineation to a directory: membership, areas, extra tables, run record."""

from __future__ import annotations

import datetime as _dt
import platform
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from metrocircle import __version__
from metrocircle.delineate.base import DelineationResult
from metrocircle.model.io import file_checksum, write_json, write_table


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
    out_dir: str | Path,
    *,
    inputs: Mapping[str, str | Path | None] | None = None,
    extra_run_info: Mapping[str, Any] | None = None,
) -> dict[str, Path]:
    """Write ``membership.csv``, ``areas.csv``, one CSV per extra table and ``run.json``;
    with polygons also ``delineation.gpkg`` (layers ``membership`` and ``areas``) for QGIS.

    Returns the paths written, by name.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    written["membership"] = write_table(result.membership, out / "membership.csv")
    written["areas"] = write_table(result.areas, out / "areas.csv")
    for name, table in result.tables.items():
        written[name] = write_table(table, out / f"{name}.csv")
    if "geometry" in result.membership.columns and hasattr(result.membership, "crs"):
        gpkg = out / "delineation.gpkg"
        if gpkg.exists():
            gpkg.unlink()
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
        "inputs": {
            name: {"path": str(path), "sha256": file_checksum(path)}
            for name, path in (inputs or {}).items()
            if path is not None and Path(path).is_file()
        },
        "counts": {
            "units": int(len(result.membership)),
            "areas": int(len(result.areas)),
            "status": {str(k): int(v) for k, v in status.items()},
        },
        "info": result.info,
        "metrocircle_version": __version__,
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "created_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    if extra_run_info:
        run.update(extra_run_info)
    written["run"] = write_json(run, out / "run.json")
    return written
