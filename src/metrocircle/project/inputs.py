"""Reading the inputs a project declares, each once, into the data model's tables.

Every table input goes through the same path: the file is read as it is
(:func:`metrocircle.model.io.read_table`), rows are kept or left out by ``where`` and ``drop``
(counted), columns are renamed by the declared mapping and the table is validated by
:mod:`metrocircle.model.validation`. Codes in other tables are checked against the units.

:func:`read_header` gives the columns of a file without reading its rows; the project's
validation uses it to find unknown columns before any step runs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from metrocircle.exceptions import InputError, Problem
from metrocircle.model import io
from metrocircle.model import validation as V

if TYPE_CHECKING:
    from metrocircle.project.project import Project

log = logging.getLogger(__name__)


def read_header(path: Path, *, layer: str | None = None) -> list[str]:
    """The column names of a table file (CSV header, Parquet schema, vector fields)."""
    suffix = io._suffix(path)
    if suffix in io.CSV_SUFFIXES:
        sep = "\t" if suffix == ".tsv" else ","
        try:
            head = pd.read_csv(path, sep=sep, nrows=0, encoding="utf-8-sig")
        except pd.errors.EmptyDataError as err:
            raise InputError([Problem(path.name, "the file is empty")]) from err
        except (OSError, ValueError, UnicodeDecodeError) as err:
            raise InputError([Problem(path.name, f"cannot be read as CSV: {err}")]) from err
        return [str(c).strip() for c in head.columns]
    if suffix in io.PARQUET_SUFFIXES:
        import pyarrow.parquet as pq

        try:
            return list(pq.read_schema(path).names)
        except Exception as err:  # pyarrow raises its own classes
            raise InputError([Problem(path.name, f"cannot be read as Parquet: {err}")]) from err
    if suffix in io.VECTOR_SUFFIXES:
        from metrocircle.exceptions import require

        pyogrio = require("pyogrio", "geo")
        try:
            info = pyogrio.read_info(path, layer=layer)
        except Exception as err:  # pyogrio raises its own classes
            raise InputError([Problem(path.name, f"cannot be read: {err}")]) from err
        return [str(c) for c in info["fields"]] + ["geometry"]
    raise InputError([Problem(path.name, f"unsupported file type '{suffix}'; use one of "
                                         f"{', '.join(io.READABLE)}")])


def as_values(value: Any) -> list[str]:
    """The values of a ``where``/``drop`` entry as text."""
    items = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in items]


def select_rows(df: pd.DataFrame, *, where: Mapping[str, Any] | None,
                drop: Mapping[str, Any] | None) -> tuple[pd.DataFrame, dict[str, int]]:
    """Rows kept by ``where`` and not left out by ``drop``; counts of the rows set aside."""
    counts: dict[str, int] = {}
    keep = pd.Series(True, index=df.index)
    for col, value in (where or {}).items():
        hit = df[col].astype("string").str.strip().isin(as_values(value)).fillna(False)
        counts[f"where {col}"] = int((keep & ~hit).sum())
        keep &= hit
    for col, value in (drop or {}).items():
        hit = df[col].astype("string").str.strip().isin(as_values(value)).fillna(False)
        counts[f"drop {col}"] = int((keep & hit).sum())
        keep &= ~hit
    if keep.all():
        return df, counts
    return df[keep.to_numpy()].reset_index(drop=True), counts


def _rename(df: pd.DataFrame, mapping: Mapping[str, str]) -> pd.DataFrame:
    renames = {src: model for model, src in mapping.items() if src != model}
    clash = [m for m in renames.values() if m in df.columns and m not in renames]
    return df.drop(columns=clash).rename(columns=renames)


class Inputs:
    """The inputs of one project, read on demand and each once.

    Parameters
    ----------
    project
        A validated :class:`~metrocircle.project.project.Project`.
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        self._tables: dict[str, Any] = {}
        self._sha: dict[Path, str] = {}
        #: Rows set aside by ``where``/``drop`` and census rows of other units, by input.
        self.set_aside: dict[str, dict[str, int]] = {}

    # -- checksums -----------------------------------------------------------------------
    def sha256(self, path: Path) -> str:
        if path not in self._sha:
            self._sha[path] = io.file_checksum(path)
        return self._sha[path]

    def digest(self, section: str, name: str) -> dict[str, Any]:
        """What the cache key of a step that reads ``[section.name]`` records: the declared
        table with each file replaced by its SHA-256."""
        table = dict(self.project.data.get(section, {}).get(name) or {})
        files = {k: v for k, v in self.project.file_keys()
                 if k.startswith(f"{section}.{name}.")}
        for dotted, value in files.items():
            table[dotted.rsplit(".", 1)[1]] = {"sha256": self.sha256(self.project.resolve(value))}
        return table

    def files(self) -> dict[str, Path]:
        """Every input file by key (for ``run.json``)."""
        return {k: self.project.resolve(v) for k, v in self.project.file_keys()}

    # -- plumbing -------------------------------------------------------------------------
    def _memo(self, name: str, build):  # noqa: ANN001, ANN202
        if name not in self._tables:
            self._tables[name] = build()
        return self._tables[name]

    def _read(self, section: str, name: str, decl: Mapping[str, Any],
              key: str = "file") -> tuple[pd.DataFrame, int | None, str]:
        path = self.project.resolve(decl[key])
        source = f"{section}.{name} ({path.name})"
        df, first = io.read_table(path, source=source, layer=decl.get("layer"))
        df, counts = select_rows(df, where=decl.get("where"), drop=decl.get("drop"))
        if counts:
            self.set_aside[f"{section}.{name}"] = counts
            if any(counts.values()):
                first = None  # rows were left out: positions no longer match file lines
        return df, first, source

    # -- the inputs -----------------------------------------------------------------------
    def units(self) -> pd.DataFrame:
        """``[inputs.units]`` in model columns (``unit_id`` + mapped and other columns)."""
        def build() -> pd.DataFrame:
            decl = self.project.input("units") or {}
            df, first, source = self._read("inputs", "units", decl)
            df = _rename(df, {"unit_id": decl.get("id", "unit_id"), **(decl.get("columns") or {})})
            if "geometry" in df.columns:
                df = pd.DataFrame(df.drop(columns="geometry"))
            for i, join in enumerate(decl.get("join") or []):
                df = self._join(df, join, i)
            units = V.validate_units(df, source=source, line_offset=first)
            for col in ("lon", "lat"):
                if col in units.columns:
                    units[col] = pd.to_numeric(units[col], errors="coerce")
            for col in decl.get("parents") or []:  # a blank parent: none at that level
                codes = V.as_codes(units[col])
                units[col] = codes.where(codes.fillna("").ne(""), pd.NA)
            return units

        return self._memo("units", build)

    def _join(self, units: pd.DataFrame, join: Mapping[str, Any], i: int) -> pd.DataFrame:
        """Add the columns of a joined attribute table (``[inputs.units] join``)."""
        path = self.project.resolve(join["file"])
        key = f"inputs.units.join.{i}"
        extra, _ = io.read_table(path, source=f"{key} ({path.name})")
        extra = _rename(extra, {"unit_id": join.get("id", "unit_id")})
        extra["unit_id"] = V.as_codes(extra["unit_id"])
        codes = V.as_codes(units["unit_id"])
        dup = extra["unit_id"].duplicated(keep=False)
        if dup.any():
            raise InputError([Problem(key, "codes listed more than once",
                                      sorted(set(extra.loc[dup, "unit_id"])))])
        others = ~extra["unit_id"].isin(set(codes))
        if others.any():
            self.set_aside.setdefault("inputs.units", {})[f"join {path.name}: rows of other "
                                                          "codes"] = int(others.sum())
        lookup = extra[~others].set_index("unit_id")
        out = units.copy()
        for col in lookup.columns:
            out[col] = codes.map(lookup[col]).to_numpy()
        return out

    def unit_ids(self) -> list[str]:
        return self.units()["unit_id"].tolist()

    def boundaries(self) -> Any:
        """``[inputs.boundaries]`` as a GeoDataFrame ``unit_id, geometry`` (None if absent)."""
        decl = self.project.input("boundaries")
        if decl is None:
            return None

        def build() -> Any:
            df, _, source = self._read("inputs", "boundaries", decl)
            df = _rename(df, {"unit_id": decl.get("id", "unit_id")})
            df["unit_id"] = V.as_codes(df["unit_id"])
            unknown = sorted(set(df["unit_id"]) - set(self.unit_ids()))
            if unknown:
                raise InputError([Problem(source, "polygons of codes that are not units (leave "
                                                  "them out with 'drop')", unknown)])
            df = df[["unit_id", "geometry"]].reset_index(drop=True)
            import shapely

            invalid = ~shapely.is_valid(df.geometry.to_numpy())
            if invalid.any():
                # e.g. the rings of quantised TopoJSON that touch themselves: dissolving areas
                # would fail on them; shapely.make_valid keeps every part of the polygon
                log.info("%s: %d invalid polygon(s) repaired with make_valid: %s", source,
                            int(invalid.sum()), ", ".join(df.loc[invalid, "unit_id"][:10]))
                df.loc[invalid, "geometry"] = shapely.make_valid(
                    df.geometry.to_numpy()[invalid])
            return df

        return self._memo("boundaries", build)

    def adjacency(self) -> pd.DataFrame | None:
        """``[inputs.adjacency]``: ``unit_a, unit_b`` and the file's other columns."""
        decl = self.project.input("adjacency")
        if decl is None:
            return None

        def build() -> pd.DataFrame:
            df, first, source = self._read("inputs", "adjacency", decl)
            cols = decl.get("columns") or {}
            a = cols.get("unit_a", df.columns[0])
            b = cols.get("unit_b", df.columns[1] if df.shape[1] > 1 else None)
            if b is None:
                raise InputError([Problem(source, "an adjacency table needs two columns")])
            pairs = V.validate_adjacency(pd.DataFrame({"unit_a": df[a], "unit_b": df[b]}),
                                         universe=self.unit_ids(), source=source,
                                         line_offset=first)
            rest = df.drop(columns=[a, b]).reset_index(drop=True)
            return pd.concat([pairs.reset_index(drop=True), rest], axis=1)

        return self._memo("adjacency", build)

    def unit_set(self, name: str) -> pd.DataFrame | None:
        """``[inputs.cores]``, ``[inputs.second_core]`` or ``[inputs.reference]`` as
        ``unit_id, area_id[, core_group]``."""
        decl = self.project.input(name)
        if decl is None:
            return None

        def build() -> pd.DataFrame:
            area = decl.get("area_id")
            if area is None and name == "reference" and "area_id" not in (
                    decl.get("columns") or {}):
                area = decl.get("name", "reference")
            if "units" in decl:
                df = pd.DataFrame({"unit_id": decl["units"]})
                first, source = None, f"inputs.{name}"
            else:
                df, first, source = self._read("inputs", name, decl)
                mapping = {"unit_id": decl.get("id", "unit_id"), **(decl.get("columns") or {})}
                df = _rename(df, mapping)
            if area is not None:
                df["area_id"] = area
            keep = [c for c in ("unit_id", "area_id", "core_group") if c in df.columns]
            return V.validate_cores(df[keep], universe=self.unit_ids(), source=source,
                                    line_offset=first)

        return self._memo(f"set:{name}", build)

    def timetable(self) -> Any:
        """``[inputs.timetable]`` as a :class:`~metrocircle.access.Timetable` (None if absent)."""
        decl = self.project.input("timetable")
        if decl is None:
            return None

        def build() -> Any:
            from metrocircle.access.io import read_table
            from metrocircle.access.timetable import Timetable

            tables = {k: read_table(self.project.resolve(decl[k]), source=f"inputs.timetable.{k}")
                      if decl.get(k) else None for k in ("stop_times", "trips", "stations")}
            return Timetable.from_tables(tables["stop_times"], tables["trips"],
                                         tables["stations"],
                                         unit_ids=pd.Series(self.unit_ids()))

        return self._memo("timetable", build)

    def road_times(self, params: Any) -> pd.DataFrame:
        """Travel times on the roads alone (``[inputs.roads]``, or modelled between the
        neighbours of ``[inputs.adjacency]``), with the access parameters ``params``."""
        def build() -> pd.DataFrame:
            from metrocircle.access import accessibility

            tt = accessibility(self.units(), roads=self.plain_table("roads"),
                               adjacency=self.adjacency(), params=params).travel_times
            return tt.loc[tt["reachable"], ["origin", "destination", "minutes"]].reset_index(
                drop=True)

        return self._memo("road_times", build)

    def plain_table(self, name: str) -> pd.DataFrame | None:
        """``[inputs.roads]`` or ``[inputs.links]`` as read by :mod:`metrocircle.access.io`."""
        decl = self.project.input(name)
        if decl is None:
            return None

        def build() -> pd.DataFrame:
            from metrocircle.access.io import _OSM_SUFFIXES, read_table, roads_from_osm

            path = self.project.resolve(decl["file"])
            if name == "roads" and path.suffix.lower() in _OSM_SUFFIXES:
                return roads_from_osm(path, self.units())
            return read_table(path, source=f"inputs.{name}")

        return self._memo(name, build)

    def travel_times(self) -> pd.DataFrame | None:
        """``[inputs.travel_times]``: ``origin, destination, minutes``."""
        decl = self.project.input("travel_times")
        if decl is None:
            return None

        def build() -> pd.DataFrame:
            df, first, source = self._read("inputs", "travel_times", decl)
            df = _rename(df, decl.get("columns") or {})
            return V.validate_travel_times(df, universe=self.unit_ids(), source=source,
                                           line_offset=first)

        return self._memo("travel_times", build)

    def census(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``[inputs.census]``: the rows of the units (``unit_id`` first) and the other rows
        (e.g. province totals, used as a reference); the count of the latter is recorded."""
        def build() -> tuple[pd.DataFrame, pd.DataFrame]:
            decl = self.project.input("census") or {}
            df, _, _ = self._read("inputs", "census", decl)
            df = _rename(df, {"unit_id": decl.get("id", "unit_id")})
            df["unit_id"] = V.as_codes(df["unit_id"])
            ours = df["unit_id"].isin(self.unit_ids()).to_numpy()
            self.set_aside.setdefault("inputs.census", {})["rows of other units"] = int(
                (~ours).sum())
            return df[ours].reset_index(drop=True), df[~ours].reset_index(drop=True)

        return self._memo("census", build)

    def flow_file(self, name: str) -> pd.DataFrame:
        """The flows of ``[layers.NAME]`` read from its file (validated against the units)."""
        decl = self.project.layers[name]

        def build() -> pd.DataFrame:
            df, first, source = self._read("layers", name, decl)
            df = _rename(df, decl.get("columns") or {})
            return V.validate_flows(df[[c for c in ("origin", "destination", "value")
                                        if c in df.columns] or df.columns],
                                    universe=self.unit_ids(), external=decl.get("external", []),
                                    source=source, line_offset=first)

        return self._memo(f"layer:{name}", build)
