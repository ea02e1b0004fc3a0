"""A run folder as the report reads it: the tables ``docs/run-folder.md`` describes, each read
once and only when a figure needs it, and ``None`` when the step that writes it did not run.

The report draws only what the folder holds, so it works for any project: the polygons of the
units come from the GeoPackages the steps wrote (``delineation/delineation.gpkg``,
``groups/groups.gpkg``, ``access/access.gpkg``); a project without boundaries has none and gets
charts and tables but no maps.

Examples
--------
>>> from metrocircle.report.folder import RunFolder
>>> folder = RunFolder("out/demo")           # doctest: +SKIP
>>> folder.table("membership.csv").columns[:3].tolist()   # doctest: +SKIP
['unit_id', 'area_id', 'status']
"""

from __future__ import annotations

import json
import logging
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from metrocircle.exceptions import InputError, Problem

log = logging.getLogger(__name__)

#: Where the unit polygons are, in the order they are looked for: (file, layer).
POLYGON_SOURCES = (
    ("delineation/delineation.gpkg", "membership"),
    ("groups/groups.gpkg", "membership"),
    ("access/access.gpkg", "units"),
)


class RunFolder:
    """The files of one run folder, read on demand.

    Parameters
    ----------
    path
        The folder ``metrocircle run`` or ``metrocircle demo`` wrote (or is writing).
    record
        The content of ``run.json``; default: read from the folder (a run that is still being
        written passes the record it is about to write).
    """

    def __init__(self, path: str | Path, *, record: dict[str, Any] | None = None) -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            raise InputError([Problem(str(path), "is not a folder (a run folder is expected)")])
        if record is None:
            run_json = self.path / "run.json"
            if not run_json.is_file():
                raise InputError([Problem(str(path), "has no run.json: not a run folder "
                                          "('metrocircle run' or 'metrocircle demo' writes one)")])
            try:
                record = json.loads(run_json.read_text(encoding="utf-8"))
            except ValueError as err:
                raise InputError([Problem(str(run_json), f"is not valid JSON: {err}")]) from err
        self.record: dict[str, Any] = record
        self._tables: dict[str, pd.DataFrame | None] = {}

    # -- tables ----------------------------------------------------------------------------
    def has(self, rel: str) -> bool:
        return (self.path / rel).is_file()

    def table(self, rel: str) -> pd.DataFrame | None:
        """The CSV ``rel`` (e.g. ``"access/circles.csv"``) with codes as text, or None."""
        if rel not in self._tables:
            f = self.path / rel
            if not f.is_file():
                self._tables[rel] = None
            else:
                from metrocircle.model.io import read_table

                self._tables[rel] = _typed(read_table(f)[0])
        return self._tables[rel]

    def json(self, rel: str) -> dict[str, Any] | None:
        f = self.path / rel
        if not f.is_file():
            return None
        return json.loads(f.read_text(encoding="utf-8"))

    # -- what the run was ------------------------------------------------------------------
    @property
    def title(self) -> str:
        proj = self.record.get("project") or {}
        return str(proj.get("title") or proj.get("name") or self.path.name)

    @property
    def steps(self) -> dict[str, Any]:
        return self.record.get("steps") or {}

    def has_step(self, step: str) -> bool:
        """Whether the run has the step ``step`` (run or from the cache)."""
        return bool(self.steps.get(step))

    def step_info(self, step: str) -> dict[str, Any]:
        return (self.steps.get(step) or {}).get("info") or {}

    def step_parameters(self, step: str) -> dict[str, Any]:
        params = (self.record.get("parameters") or {}).get("steps", {}).get(step)
        if params is None:
            params = (self.steps.get(step) or {}).get("parameters")
        return params or {}

    @property
    def layers(self) -> dict[str, dict[str, Any]]:
        """Every flow layer's label (``layer, kind, source, note``), the fused index too."""
        out = dict(self.record.get("layers") or {})
        fused = self.step_info("strength").get("fused")
        if fused:
            out.setdefault(fused.get("layer", "fused"), fused)
        return out

    def layer_label(self, layer: str) -> dict[str, Any]:
        return self.layers.get(layer) or {"layer": layer, "kind": "other", "source": "unknown",
                                          "note": ""}

    def input_declaration(self, name: str) -> Any:
        """The project's declaration of the input ``name`` as the run resolved it (in
        run.json), or None."""
        return ((self.record.get("parameters") or {}).get("inputs") or {}).get(name)

    def input_notes(self) -> list[dict[str, str]]:
        """The inputs the project declared, with their source and note (in run.json)."""
        inputs = (self.record.get("parameters") or {}).get("inputs") or {}
        out = []
        for name, decl in inputs.items():
            if not isinstance(decl, dict):
                continue
            out.append({"input": name, "source": str(decl.get("source", "real")),
                        "note": str(decl.get("note", "") or "")})
        return out

    # -- units -----------------------------------------------------------------------------
    @cached_property
    def units(self) -> pd.DataFrame | None:
        """The units table the delineation got (``delineation/inputs/units.csv``), else the
        membership's unit ids."""
        units = self.table("delineation/inputs/units.csv")
        if units is not None:
            return units
        m = self.table("membership.csv")
        return None if m is None else m[["unit_id"]].copy()

    @cached_property
    def names(self) -> pd.Series:
        """Unit names by ``unit_id`` (empty when the units have none)."""
        for rel in ("delineation/inputs/units.csv", "roles.csv", "delineation/comparison.csv"):
            t = self.table(rel)
            if t is not None and "name" in t.columns:
                s = t.dropna(subset=["name"]).drop_duplicates("unit_id")
                return s.set_index("unit_id")["name"].astype(str)
        poly = self.polygons
        if poly is not None and "name" in poly.columns:
            return poly.set_index("unit_id")["name"].astype(str)
        return pd.Series(dtype=str)

    def name(self, unit_id: str) -> str:
        return str(self.names.get(unit_id, unit_id))

    @cached_property
    def cores(self) -> list[str]:
        m = self.table("membership.csv")
        if m is None or "status" not in m.columns:
            c = self.table("delineation/inputs/cores.csv")
            return [] if c is None else c["unit_id"].tolist()
        return m.loc[m["status"].astype(str) == "core", "unit_id"].tolist()

    @cached_property
    def polygons(self) -> Any:
        """The unit polygons (a GeoDataFrame with ``unit_id`` and ``geometry``), or None."""
        for rel, layer in POLYGON_SOURCES:
            f = self.path / rel
            if not f.is_file():
                continue
            try:
                import geopandas as gpd
                import pyogrio
            except ImportError:
                log.warning("geopandas is not installed: no maps (pip install "
                            "'metrocircle[report]')")
                return None
            if layer not in {n for n, _ in pyogrio.list_layers(f)}:
                continue
            gdf = gpd.read_file(f, layer=layer, engine="pyogrio")
            if "unit_id" not in gdf.columns or gdf.crs is None:
                continue
            keep = ["unit_id", "geometry"] + (["name"] if "name" in gdf.columns else [])
            gdf = gdf[keep].copy()
            gdf["unit_id"] = _codes(gdf["unit_id"])
            gdf = gdf[~gdf.geometry.isna() & ~gdf.geometry.is_empty]
            return gdf.reset_index(drop=True)
        return None

    @cached_property
    def minutes_to_core(self) -> pd.Series | None:
        """Each unit's minutes to the nearest core: the access step's circles (every unit),
        else the delineation's ``travel_minutes``."""
        circles = self.table("access/circles.csv")
        if circles is not None and "minutes" in circles.columns:
            return pd.to_numeric(circles.groupby("unit_id")["minutes"].min(), errors="coerce")
        m = self.table("membership.csv")
        if m is not None and "travel_minutes" in m.columns and m["travel_minutes"].notna().any():
            s = pd.to_numeric(m.set_index("unit_id")["travel_minutes"], errors="coerce")
            cores = set(self.cores)
            return s.where(~s.index.isin(cores), 0.0)
        return None


#: Columns that hold codes: kept as text even when every value looks like a number.
CODE_COLUMNS = frozenset({"unit_id", "origin", "destination", "area_id", "core", "group",
                          "reference_area_id", "matched_reference_area", "best_area",
                          "runner_up_area", "top_area", "core_group", "first_contact",
                          "detected_group", "admin", "parent_id", "name", "layer"})


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    """A table read as text with numbers as numbers, ``True``/``False`` as booleans, empty
    cells as missing and codes as text."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if col in CODE_COLUMNS:
            out[col] = _codes(s)
            continue
        text = s.astype("string").str.strip()
        blank = text.isna() | text.eq("")
        if blank.all():
            out[col] = pd.Series([None] * len(s), index=s.index, dtype=object)
            continue
        present = text[~blank]
        if present.isin(["True", "False"]).all():
            out[col] = text.map({"True": True, "False": False}).astype(object).where(~blank,
                                                                                    None)
            continue
        num = pd.to_numeric(present, errors="coerce")
        if num.notna().all():
            out[col] = pd.to_numeric(text.where(~blank), errors="coerce").astype(float)
        else:
            out[col] = text.astype(object).where(~blank, None)
    return out


def _codes(s: pd.Series) -> pd.Series:
    """Codes as text, without a trailing ``.0`` that a float column gave them."""
    out = s.astype("string").str.strip()
    out = out.str.replace(r"^(-?\d+)\.0$", r"\1", regex=True)
    keep = out.notna() & out.ne("")
    return pd.Series([v if k else None for v, k in zip(out.tolist(), keep.tolist(),
                                                      strict=True)],
                     index=s.index, dtype=object)


__all__ = ["POLYGON_SOURCES", "RunFolder"]
