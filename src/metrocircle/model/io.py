"""Reading and writing the data model's tables, by file format.

Readers take a path and a column mapping, read every column as it is (CSV cells as text so
that codes keep their leading zeros and non-numbers are caught, not coerced), rename to the
model's columns and validate. Supported inputs: CSV (``.csv``, ``.tsv``, ``.txt``), Parquet and
GeoParquet (``.parquet``, ``.geoparquet``), GeoJSON (``.geojson``, ``.json``), GeoPackage
(``.gpkg``), Shapefile and FlatGeobuf. Outputs: CSV, GeoParquet, GeoPackage (opens in QGIS),
GeoJSON and JSON.

Examples
--------
>>> from metrocircle.model import read_flows
>>> flows = read_flows("flows.csv", origin_col="res_fips", destination_col="work_fips",
...                    value_col="workers")  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from metrocircle.exceptions import InputError, Problem, Problems, require
from metrocircle.model import schema as S
from metrocircle.model import validation as V

log = logging.getLogger(__name__)

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
PARQUET_SUFFIXES = {".parquet", ".geoparquet", ".pq"}
VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".fgb"}
READABLE = sorted(CSV_SUFFIXES | PARQUET_SUFFIXES | VECTOR_SUFFIXES)


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for compressed in (".gz", ".bz2", ".zip", ".xz", ".zst"):
        if name.endswith(compressed) and any(
            name[: -len(compressed)].endswith(s) for s in CSV_SUFFIXES
        ):
            return Path(name[: -len(compressed)]).suffix
    return path.suffix.lower()


def read_table(
    path: str | Path, *, source: str | None = None, layer: str | None = None
) -> tuple[pd.DataFrame, int | None]:
    """Read any supported file into a DataFrame (GeoDataFrame for vector files and GeoParquet).

    Returns the table and the CSV line of its first record (2), or None for other formats, so
    that problems can name the lines a user sees in an editor.
    """
    path = Path(path)
    source = source or path.name
    if not path.exists():
        raise InputError([Problem(source, f"file not found: {path}")])
    if path.is_dir():
        raise InputError([Problem(source, f"expected a file, got a directory: {path}")])
    suffix = _suffix(path)
    try:
        if suffix in CSV_SUFFIXES:
            sep = "\t" if suffix == ".tsv" else ","
            try:
                df = pd.read_csv(
                    path,
                    sep=sep,
                    dtype=str,
                    keep_default_na=False,
                    na_values=[],
                    skipinitialspace=True,
                    encoding="utf-8-sig",
                )
            except pd.errors.EmptyDataError as err:
                raise InputError(
                    [Problem(source, "the file is empty (no header, no rows)")]
                ) from err
            df.columns = [str(c).strip() for c in df.columns]
            from metrocircle.model.output import restore_cell_text

            return restore_cell_text(df), 2
        if suffix in PARQUET_SUFFIXES:
            import pyarrow.parquet as pq

            meta = pq.read_schema(path).metadata or {}
            if b"geo" in meta:
                gpd = require("geopandas", "geo")
                return gpd.read_parquet(path), None
            return pd.read_parquet(path), None
        if suffix in VECTOR_SUFFIXES:
            gpd = require("geopandas", "geo")
            if suffix == ".json":
                text = path.read_text(encoding="utf-8", errors="replace")[:2000]
                if '"FeatureCollection"' not in text and '"Feature"' not in text:
                    return pd.read_json(path, dtype=False), None
            return gpd.read_file(path, layer=layer), None
    except InputError:
        raise
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as err:
        raise InputError([Problem(source, f"cannot be read as {suffix[1:]}: {err}")]) from err
    except Exception as err:  # pyogrio/pyarrow raise their own error classes
        raise InputError([Problem(source, f"cannot be read as {suffix[1:]}: {err}")]) from err
    raise InputError(
        [Problem(source, f"unsupported file type '{suffix}'; use one of {', '.join(READABLE)}")]
    )


def _rename(df: pd.DataFrame, mapping: Mapping[str, str | None], source: str) -> pd.DataFrame:
    """Rename user columns to model columns; a mapped column that is absent is a problem."""
    p = Problems()
    renames: dict[str, str] = {}
    for model_col, user_col in mapping.items():
        if user_col is None or user_col == model_col:
            continue
        if user_col not in df.columns:
            have = ", ".join(map(str, df.columns))
            p.add(
                source,
                f"column {user_col!r} (given for {model_col}) not found; the file has: {have}",
            )
        else:
            renames[user_col] = model_col
    p.raise_if_any()
    if renames:
        # a model-named column that is not the mapped one would clash: keep the mapped one
        clash = [m for m in renames.values() if m in df.columns and m not in renames]
        df = df.drop(columns=clash).rename(columns=renames)
    return df


def read_flows(
    path: str | Path,
    *,
    origin_col: str = S.ORIGIN,
    destination_col: str = S.DESTINATION,
    value_col: str = S.VALUE,
    layer_col: str | None = None,
    layer: str | None = None,
    universe: Sequence[str] | None = None,
    external: Sequence[str] = (),
    keep_suppressed: bool = False,
    moe_col: str | None = None,
) -> pd.DataFrame:
    """Read a flow layer: one row per origin-destination pair.

    Parameters
    ----------
    path
        CSV, Parquet, GeoJSON/GeoPackage (attributes only).
    origin_col, destination_col, value_col
        Names of the columns in the file.
    layer_col, layer
        A column naming the layer of each row, or one layer name for the whole file
        (``commuting``, ``investment``, ``passenger``, ``freight``, ``signaling``, ...).
    universe, external
        Known unit codes; codes outside them are problems unless listed in ``external``.
    keep_suppressed
        Keep the ``(suppressed)`` rows of a published OD (``metrocircle od``) instead of
        setting them aside with a warning; see :func:`~metrocircle.model.validate_flows`.
    moe_col
        Column of each flow's margin of error (e.g. the ACS's 90 % margin), kept as ``moe``:
        numeric and non-negative like ``value``. Without it, the flows carry no ``moe``.
    """
    path = Path(path)
    df, first_line = read_table(path, source=path.name)
    df = _rename(
        df,
        {
            S.ORIGIN: origin_col,
            S.DESTINATION: destination_col,
            S.VALUE: value_col,
            S.LAYER: layer_col,
            S.MOE: moe_col,
        },
        path.name,
    )
    if moe_col is None and S.MOE in df.columns:
        df = df.drop(columns=S.MOE)  # a column of that name is read only when asked for
    elif moe_col is not None and S.MOE not in df.columns:
        have = ", ".join(map(str, df.columns))
        raise InputError(
            [Problem(path.name, f"column {moe_col!r} (given for moe) not found; the file has: "
                                f"{have}")]
        )
    if "geometry" in df.columns:
        df = pd.DataFrame(df.drop(columns="geometry"))
    if layer is not None:
        df[S.LAYER] = layer
    return V.validate_flows(
        df, universe=universe, external=external, source=path.name, line_offset=first_line,
        keep_suppressed=keep_suppressed,
    )


def read_units(
    path: str | Path,
    *,
    id_col: str = S.UNIT_ID,
    columns: Mapping[str, str] | None = None,
    layer: str | None = None,
) -> pd.DataFrame:
    """Read spatial units: codes, names, parent unit, attributes, optional polygons.

    ``columns`` maps model names to file names, e.g. ``{"parent_id": "prefecture_code",
    "population": "pop_2020"}``. Polygon files give a GeoDataFrame.
    """
    path = Path(path)
    df, first_line = read_table(path, source=path.name, layer=layer)
    mapping: dict[str, str | None] = {S.UNIT_ID: id_col}
    mapping.update(columns or {})
    df = _rename(df, mapping, path.name)
    return V.validate_units(df, source=path.name, line_offset=first_line)


def read_cores(
    path: str | Path,
    *,
    unit_col: str = S.UNIT_ID,
    area_col: str = S.AREA_ID,
    universe: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read cores: ``unit_id, area_id`` and optionally ``core_group`` (pre-merger cores)."""
    path = Path(path)
    df, first_line = read_table(path, source=path.name)
    df = _rename(df, {S.UNIT_ID: unit_col, S.AREA_ID: area_col}, path.name)
    return V.validate_cores(df, universe=universe, source=path.name, line_offset=first_line)


def read_adjacency(
    path: str | Path,
    *,
    universe: Sequence[str] | None = None,
    id_col: str = S.UNIT_ID,
    contiguity: str = "queen",
    tolerance_m: float = 0.0,
    units_crs: object | None = None,
) -> pd.DataFrame:
    """Read adjacency: a table whose first two columns are pairs of unit codes, or a polygon
    file from which queen or rook contiguity is built (see :func:`adjacency_from_polygons`).

    ``units_crs`` is the CRS of the unit polygons of the same run, if any: a polygon file in
    another CRS is a problem (the two layers would not describe the same places)."""
    path = Path(path)
    df, first_line = read_table(path, source=path.name)
    if "geometry" in df.columns and hasattr(df, "crs"):
        from metrocircle.model.geo import adjacency_from_polygons

        df = _rename(df, {S.UNIT_ID: id_col}, path.name)
        p = Problems()
        if units_crs is not None:
            V.check_same_crs({"units": _with_crs(units_crs), path.name: df}, p)
        units = V.validate_units(df, source=path.name, line_offset=first_line, problems=p)
        p.raise_if_any()
        pairs = adjacency_from_polygons(units, contiguity=contiguity, tolerance_m=tolerance_m)
        return V.validate_adjacency(pairs, universe=universe, source=path.name)
    if df.shape[1] < 2:
        raise InputError(
            [
                Problem(
                    path.name,
                    f"an adjacency table needs two columns of unit codes (has {df.shape[1]})",
                )
            ]
        )
    pairs = pd.DataFrame({S.UNIT_A: df.iloc[:, 0], S.UNIT_B: df.iloc[:, 1]})
    return V.validate_adjacency(pairs, universe=universe, source=path.name, line_offset=first_line)


def read_travel_times(
    path: str | Path,
    *,
    origin_col: str = S.ORIGIN,
    destination_col: str = S.DESTINATION,
    minutes_col: str = S.MINUTES,
    universe: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read a travel-time matrix in long form (``origin, destination, minutes``)."""
    path = Path(path)
    df, first_line = read_table(path, source=path.name)
    df = _rename(
        df,
        {S.ORIGIN: origin_col, S.DESTINATION: destination_col, S.MINUTES: minutes_col},
        path.name,
    )
    return V.validate_travel_times(df, universe=universe, source=path.name, line_offset=first_line)


def read_membership(
    path: str | Path,
    *,
    id_col: str = S.UNIT_ID,
    area_col: str = S.AREA_ID,
    status_col: str | None = S.STATUS,
    universe: Sequence[str] | None = None,
    require_status: bool = False,
) -> pd.DataFrame:
    """Read a membership table: ``unit_id, area_id[, status][, threshold][, rule]`` (what
    ``metrocircle delineate`` writes), or any table with a unit and an area column, such as an
    official list (``id_col="fips", area_col="cbsa_code", status_col="central_outlying"``).

    An absent ``status_col`` is fine when it is the default ``status`` and ``require_status`` is
    False (``metrocircle compare``); a named one must exist. ``metrocircle combine`` requires
    the status. Unit codes are checked against ``universe`` when it is given.
    """
    path = Path(path)
    df, first_line = read_table(path, source=path.name)
    mapping: dict[str, str | None] = {S.UNIT_ID: id_col, S.AREA_ID: area_col}
    if status_col is not None and (
        require_status or status_col != S.STATUS or S.STATUS in df.columns
    ):
        mapping[S.STATUS] = status_col
    df = _rename(df, mapping, path.name)
    if "geometry" in df.columns:
        df = pd.DataFrame(df.drop(columns="geometry"))
    return V.validate_membership(
        df, universe=universe, source=path.name, line_offset=first_line,
        require_status=require_status,
    )


def urban_area_columns(
    df: pd.DataFrame, columns: Mapping[str, str] | None = None, *, source: str = "urban_areas"
) -> pd.DataFrame:
    """Rename an urban-area table to the model's columns.

    ``columns`` maps model names to the table's (``{"population": "pop_part"}``); a model column
    not mapped is taken from the table if present under its own name, else under the name the
    Census files give it (:data:`~metrocircle.model.schema.URBAN_AREA_ALIASES`: ``UA``,
    ``GEOID``, ``POPPT``, ``UAPOP``, ``UANAME``, ``CPOP``, ...), so the Census relationship
    files are read without options.

    Examples
    --------
    >>> import pandas as pd
    >>> census = pd.DataFrame({"UA": ["00037"], "GEOID": ["22113"], "POPPT": [19268]})
    >>> list(urban_area_columns(census).columns)
    ['ua_code', 'unit_id', 'population']
    """
    mapping: dict[str, str | None] = dict(columns or {})
    taken = set(mapping.values())
    for model_col, aliases in S.URBAN_AREA_ALIASES.items():
        if model_col in mapping or model_col in df.columns:
            continue
        found = next((a for a in aliases if a in df.columns and a not in taken), None)
        if found is not None:
            mapping[model_col] = found
            taken.add(found)
    renamed = _rename(df, mapping, source)
    # Census files carry many more columns (housing, areas, percentages); a mapped alias that
    # is also the name of a model column must not survive twice.
    return renamed.loc[:, ~renamed.columns.duplicated()]


def read_urban_areas(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read urban-area parts by unit: ``ua_code, unit_id`` and ``population`` (exact parts) or
    ``land_area`` (the approximation by land), with the optional ``ua_population, ua_name,
    county_population, county_urban_population``.

    The Census 2010 urban-area-to-county relationship file (``ua_county_rel_10.txt``) is read
    as it is; other files map their columns with ``columns`` (see
    :func:`urban_area_columns`). Unit codes are checked later, against the units of the run.

    Examples
    --------
    >>> from metrocircle.datasets import us_cbsa
    >>> ua = read_urban_areas(us_cbsa.path("ua_county_rel_2010.csv"))
    >>> ua[["ua_code", "unit_id", "population", "ua_population"]].head(2)
      ua_code unit_id  population  ua_population
    0   00037   22045       556.0        19824.0
    1   00037   22113     19268.0        19824.0
    """
    path = Path(path)
    df, first_line = read_table(path, source=path.name)
    df = urban_area_columns(df, columns, source=path.name)
    if "geometry" in df.columns:
        df = pd.DataFrame(df.drop(columns="geometry"))
    return V.validate_urban_areas(df, source=path.name, line_offset=first_line)


class _with_crs:  # noqa: N801 - a stand-in carrying only a CRS, for check_same_crs
    def __init__(self, crs: object) -> None:
        self.crs = crs


# ---------------------------------------------------------------------------------------------
# Writing


def write_table(df: pd.DataFrame, path: str | Path, *, layer: str | None = None) -> Path:
    """Write a table by the file's suffix: CSV (geometry dropped; text a spreadsheet would run
    as a formula gets a leading apostrophe, see :mod:`metrocircle.model.output`),
    GeoParquet/Parquet, GeoPackage (``layer`` names the layer), GeoJSON, JSON (records)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    is_geo = "geometry" in df.columns and hasattr(df, "crs")
    if suffix in CSV_SUFFIXES:
        from metrocircle.model.output import neutralise_frame

        plain = pd.DataFrame(df.drop(columns="geometry")) if is_geo else df
        neutralise_frame(plain).to_csv(path, index=False, sep="\t" if suffix == ".tsv" else ",")
    elif suffix in PARQUET_SUFFIXES:
        df.to_parquet(path, index=False)
    elif suffix in {".gpkg", ".geojson", ".fgb"}:
        if not is_geo:
            raise InputError(
                [Problem(str(path), "this format needs geometry; give units with polygons")]
            )
        driver = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".fgb": "FlatGeobuf"}[suffix]
        df.to_file(path, driver=driver, layer=layer if suffix == ".gpkg" else None)
    elif suffix == ".json":
        plain = pd.DataFrame(df.drop(columns="geometry")) if is_geo else df
        plain.to_json(path, orient="records", indent=1, force_ascii=False)
    else:
        raise InputError(
            [
                Problem(
                    str(path),
                    f"cannot write '{suffix}'; use .csv, .parquet, .gpkg, .geojson or .json",
                )
            ]
        )
    return path


def file_checksum(path: str | Path) -> str:
    """SHA-256 of a file, as recorded in ``run.json``."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_json(data: Mapping[str, Any], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    return path
