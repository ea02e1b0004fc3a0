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

import codecs
import contextlib
import csv
import hashlib
import io
import json
import logging
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.exceptions import InputError, ParameterError, Problem, Problems, require
from metrocircle.model import schema as S
from metrocircle.model import validation as V
from metrocircle.model.notes import DeferredNotes, Note, add_note

log = logging.getLogger(__name__)

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
PARQUET_SUFFIXES = {".parquet", ".geoparquet", ".pq"}
VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".fgb"}
READABLE = sorted(CSV_SUFFIXES | PARQUET_SUFFIXES | VECTOR_SUFFIXES)
#: Delimiters a CSV file may use, in the order preferred on a tie.
DELIMITERS = (",", "\t", ";", "|")
_COMPRESSED = (".gz", ".bz2", ".zip", ".xz", ".zst")


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for compressed in _COMPRESSED:
        if name.endswith(compressed) and any(
            name[: -len(compressed)].endswith(s) for s in CSV_SUFFIXES
        ):
            return Path(name[: -len(compressed)]).suffix
    return path.suffix.lower()


# ---------------------------------------------------------------------------------------------
# Text files: bytes, encoding, delimiter, header, lines


@contextlib.contextmanager
def _raw_bytes(path: Path, source: str, limit: int | None = None) -> Iterator[bytes]:
    """The bytes of a (possibly compressed) text file; ``limit`` reads only the start. The file
    stays open while the caller works on them (it is the input being read)."""
    import bz2
    import gzip
    import lzma
    import zipfile
    import zlib

    name = path.name.lower()
    size = limit if limit is not None else -1
    try:
        with contextlib.ExitStack() as stack:
            if name.endswith(".zip"):
                z = stack.enter_context(zipfile.ZipFile(path))
                members = [n for n in z.namelist() if not n.endswith("/")]
                if len(members) != 1:
                    raise InputError(
                        [Problem(source, f"a .zip must hold exactly one file (has {len(members)})")]
                    )
                fh: Any = stack.enter_context(z.open(members[0]))
            elif name.endswith(".zst"):
                zstd = require("zstandard", "all")
                raw = stack.enter_context(open(path, "rb"))
                fh = stack.enter_context(zstd.ZstdDecompressor().stream_reader(raw))
            else:
                opener: Any = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}.get(
                    next((c for c in _COMPRESSED if name.endswith(c)), ""), open
                )
                fh = stack.enter_context(opener(path, "rb"))
            data = fh.read(size)
            yield data
    except InputError:
        raise
    except (OSError, EOFError, zlib.error, lzma.LZMAError, zipfile.BadZipFile) as err:
        raise InputError([Problem(source, f"cannot be read or decompressed: {err}")]) from err


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_HIGH_RUNS = re.compile(rb"[\x80-\xff]+")


def _looks_chinese(data: bytes, text: str) -> bool:
    """GB18030-decoded text is Chinese (not Latin-1 read wrongly) when nearly every non-ASCII
    character is a CJK character and nearly every high byte stands next to another (each
    Chinese character takes two or four bytes, an accented Latin letter one)."""
    non_ascii = len(_NON_ASCII.findall(text))
    if not non_ascii:
        return False
    runs = [len(r) for r in _HIGH_RUNS.findall(data)]
    paired = sum(n for n in runs if n >= 2) / max(sum(runs), 1)
    return len(_CJK.findall(text)) / non_ascii >= 0.9 and paired >= 0.9


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _check_encoding(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except (LookupError, TypeError) as err:
        raise ParameterError(
            "The 'encoding' parameter must be a text encoding such as 'utf-8', 'gb18030' or "
            f"'latin-1'. Got {encoding!r}."
        ) from err


def decode_text(
    data: bytes,
    *,
    source: str,
    encoding: str | None = None,
    notes: list[Note] | None = None,
) -> tuple[str, str]:
    """Decode the bytes of a text file; return the text and the encoding used.

    With ``encoding`` given, a byte it cannot decode is an error naming the line. Without
    it: a byte-order mark decides (UTF-8, UTF-16); else UTF-8; else GB18030 (a superset of GBK
    and GB2312) when the text reads as Chinese, else Windows-1252 / Latin-1. A legacy encoding
    is noted, so a wrong guess can be overridden with ``encoding=``.

    Examples
    --------
    >>> decode_text("名称".encode("gbk"), source="x.csv")
    ('名称', 'gb18030')
    """
    if encoding is not None:
        name = _check_encoding(encoding)
        if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
        try:
            return data.decode(name), name
        except UnicodeDecodeError as err:
            raise InputError(
                [
                    Problem(
                        source,
                        f"cannot be decoded as {encoding} (byte 0x{data[err.start]:02x}); give "
                        "the file's encoding (e.g. encoding='gb18030' or 'latin-1'; command "
                        "line --encoding), or save it as UTF-8",
                        [f"line {_line_of(data, err.start)}"],
                    )
                ]
            ) from err
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        first_bad = _line_of(data, err.start)
    chosen = None
    try:
        text = data.decode("gb18030")
        if _looks_chinese(data, text):
            chosen = "gb18030"
    except UnicodeDecodeError:
        pass
    if chosen is None:
        try:
            text, chosen = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            text, chosen = data.decode("latin-1"), "latin-1"
    label = {"gb18030": "GB18030 (GBK)", "cp1252": "Windows-1252 (Latin-1)"}.get(chosen, chosen)
    add_note(
        notes,
        Note(
            "encoding",
            source,
            f"not UTF-8 (line {first_bad} is the first that is not); read as {label}. If names "
            "look wrong, give the encoding (encoding=...; command line --encoding)",
            {"encoding": chosen, "first_non_utf8_line": first_bad},
        ),
    )
    return text, chosen


def sniff_delimiter(sample: str, *, default: str = ",") -> str:
    """The delimiter of CSV text: the one of ``, TAB ; |`` that splits the header into the
    most consistent number of fields (at least two) over the first lines.

    Every reader of metrocircle (the data model's and the signaling engines') uses it, so a
    semicolon- or tab-separated file is read the same way everywhere.

    Examples
    --------
    >>> sniff_delimiter("origin;destination;value\\n01;02;1,5\\n")
    ';'
    """
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()][:30]
    if not lines:
        return default
    best, best_score = default, (-1.0, 0)
    for d in (default, *[x for x in DELIMITERS if x != default]):
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=d)]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        score = (sum(c == counts[0] for c in counts) / len(counts), counts[0])
        if score[0] > best_score[0]:
            best, best_score = d, score
    return best


def _check_sep(sep: str) -> str:
    aliases = {"\\t": "\t", "tab": "\t", "TAB": "\t", "comma": ",", "semicolon": ";"}
    sep = aliases.get(sep, sep)
    if len(sep) != 1 or sep in "\r\n\"":
        raise ParameterError(
            "The 'sep' parameter must be one character such as ',', ';', '|' or a tab "
            f"('\\t'). Got {sep!r}."
        )
    return sep


def csv_delimiter(path: str | Path, *, sep: str | None = None, encoding: str | None = None) -> str:
    """The delimiter of a CSV file (see :func:`sniff_delimiter`), from its first 64 KiB;
    ``sep`` given wins."""
    if sep is not None:
        return _check_sep(sep)
    p = Path(path)
    with _raw_bytes(p, p.name, limit=1 << 16) as data:
        pass
    text = data.decode(encoding or "utf-8", errors="replace")
    if len(data) == 1 << 16:
        text = text[: text.rfind("\n") + 1] or text
    return sniff_delimiter(text.lstrip("\ufeff"), default="\t" if _suffix(p) == ".tsv" else ",")


def _record_lines(text: str, sep: str) -> np.ndarray:
    """The line on which each record (after the header) starts, skipping blank lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    starts: list[int] = []
    prev = 0
    for row in reader:
        start, prev = prev + 1, reader.line_num
        if row:
            starts.append(start)
    return np.asarray(starts[1:], dtype=np.int64)


def _read_csv(
    path: Path, source: str, *, encoding: str | None, sep: str | None, notes: list[Note] | None
) -> tuple[pd.DataFrame, int]:
    with _raw_bytes(path, source) as data:
        return _parse_csv(data, path, source, encoding=encoding, sep=sep, notes=notes)


def _parse_csv(
    data: bytes, path: Path, source: str, *, encoding: str | None, sep: str | None,
    notes: list[Note] | None,
) -> tuple[pd.DataFrame, int]:
    text, _ = decode_text(data, source=source, encoding=encoding, notes=notes)
    if not text.strip():
        raise InputError([Problem(source, "the file is empty (no header, no rows)")])
    delim = (
        _check_sep(sep)
        if sep is not None
        else sniff_delimiter(text[:65536], default="\t" if _suffix(path) == ".tsv" else ",")
    )
    first = next(ln for ln in text.splitlines() if ln.strip())
    header = [h.strip() for h in next(csv.reader([first], delimiter=delim))]
    seen: dict[str, list[int]] = {}
    for i, h in enumerate(header):
        if h:
            seen.setdefault(h, []).append(i + 1)
    twice = {h: cols for h, cols in seen.items() if len(cols) > 1}
    if twice:
        shown = "; ".join(f"{h!r} (columns {', '.join(map(str, c))})" for h, c in twice.items())
        raise InputError(
            [
                Problem(
                    source,
                    f"two or more columns share one name: {shown}; give each column its own "
                    "name",
                    ["line 1"],
                )
            ]
        )
    try:
        df = pd.read_csv(
            io.StringIO(text),
            sep=delim,
            dtype=str,
            keep_default_na=False,
            na_values=[],
            skipinitialspace=True,
        )
    except pd.errors.EmptyDataError as err:
        raise InputError([Problem(source, "the file is empty (no header, no rows)")]) from err
    df.columns = [str(c).strip() for c in df.columns]
    from metrocircle.model.output import restore_cell_text

    df = restore_cell_text(df)  # cells a spreadsheet-safe CSV writer prefixed with "'"
    n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if n_lines != len(df) + 1:  # blank lines, or records spanning lines: find each one's line
        starts = _record_lines(text, delim)
        if len(starts) == len(df):
            df.index = pd.Index(starts - 2)
    return df, 2


# ---------------------------------------------------------------------------------------------
# Any table


def _vector_layers(path: Path) -> list[str]:
    import pyogrio

    return [str(name) for name, _ in pyogrio.list_layers(path)]


def read_table(
    path: Any,
    *,
    source: str | None = None,
    layer: str | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    notes: list[Note] | None = None,
) -> tuple[pd.DataFrame, int | None]:
    """Read any supported file into a DataFrame (GeoDataFrame for vector files and GeoParquet).

    Parameters
    ----------
    path
        A file path; a DataFrame or records (a list of dicts) are taken as they are.
    source
        The name problems are reported under (default: the file name).
    layer
        The layer of a GeoPackage (or other multi-layer file). A file with several layers and
        no ``layer`` is an error that lists them.
    encoding
        The text encoding of a CSV file; by default detected (UTF-8, UTF-16 with a byte-order
        mark, GB18030/GBK, Windows-1252/Latin-1), see :func:`decode_text`.
    sep
        The delimiter of a CSV file; by default sniffed (``, TAB ; |``), see
        :func:`sniff_delimiter`.
    notes
        A list that receives a :class:`~metrocircle.model.notes.Note` when a legacy encoding
        was detected.

    Returns
    -------
    tuple
        The table, and the line of a CSV file's first record (2), or None for other formats:
        problems name ``line N`` for CSV files (the line an editor shows) and ``row N``
        otherwise. When a CSV file has blank lines or records spanning lines, the table's index
        holds each record's line minus 2 (see :func:`metrocircle.model.validation.row_labels`).

    Examples
    --------
    >>> from metrocircle.datasets import chongqing
    >>> units, first_line = read_table(chongqing.data_path("units.csv"))
    >>> len(units), first_line
    (60, 2)
    """
    if not isinstance(path, str | os.PathLike):
        frame = V.as_frame(path, what=source or "table")
        return frame, None
    path = Path(path)
    source = source or path.name
    if not path.exists():
        raise InputError([Problem(source, f"file not found: {path}")])
    if path.is_dir():
        raise InputError([Problem(source, f"expected a file, got a directory: {path}")])
    suffix = _suffix(path)
    if layer is not None and suffix not in VECTOR_SUFFIXES:
        raise InputError(
            [Problem(source, f"a layer ({layer!r}) was given, but a {suffix} file has no layers")]
        )
    try:
        if suffix in CSV_SUFFIXES:
            return _read_csv(path, source, encoding=encoding, sep=sep, notes=notes)
        if suffix in PARQUET_SUFFIXES:
            import pyarrow.parquet as pq

            meta = pq.read_schema(path).metadata or {}
            if b"geo" in meta:
                gpd = require("geopandas", "geo")
                return gpd.read_parquet(path), None
            return pd.read_parquet(path), None
        if suffix in VECTOR_SUFFIXES:
            gpd = require("geopandas", "geo")
            topology = False
            if suffix == ".json":
                text = path.read_text(encoding="utf-8", errors="replace")[:2000]
                topology = '"Topology"' in text
                if '"FeatureCollection"' not in text and '"Feature"' not in text \
                        and not topology:
                    return pd.read_json(path, dtype=False), None
            layers = _vector_layers(path)
            if layer is None and len(layers) > 1:
                raise InputError(
                    [
                        Problem(
                            source,
                            f"has {len(layers)} layers ({', '.join(layers)}); name the one to "
                            f"read (Python: layer={layers[0]!r}; command line: the file's "
                            "--...-layer option, e.g. --units-layer)",
                        )
                    ]
                )
            if layer is not None and layer not in layers:
                raise InputError(
                    [Problem(source, f"has no layer {layer!r}; its layers: {', '.join(layers)}")]
                )
            options = {"encoding": encoding} if encoding else {}
            gdf = gpd.read_file(path, layer=layer, **options)
            if topology and gdf.crs is None:
                gdf = _topojson_crs(gdf, source)
            return gdf, None
    except (InputError, ParameterError):
        raise
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as err:
        raise InputError([Problem(source, f"cannot be read as {suffix[1:]}: {err}")]) from err
    except Exception as err:  # pyogrio/pyarrow raise their own error classes
        raise InputError([Problem(source, f"cannot be read as {suffix[1:]}: {err}")]) from err
    raise InputError(
        [Problem(source, f"unsupported file type '{suffix}'; use one of {', '.join(READABLE)}")]
    )


def _topojson_crs(gdf: Any, source: str) -> Any:
    """TopoJSON carries no CRS: longitude/latitude (EPSG:4326) is its convention and what GDAL
    assumes for GeoJSON; coordinates outside those ranges are projected and need a CRS."""
    import numpy as np

    w, s, e, n = gdf.total_bounds if len(gdf) else (0.0, 0.0, 0.0, 0.0)
    if not np.isfinite([w, s, e, n]).all() or w < -180 or e > 180 or s < -90 or n > 90:
        raise InputError([Problem(source, "a TopoJSON file with projected coordinates (not "
                                          "longitude/latitude): convert it to GeoPackage or "
                                          "GeoJSON with its CRS")])
    return gdf.set_crs("EPSG:4326")


def _source_of(path: Any, default: str) -> str:
    return Path(path).name if isinstance(path, str | os.PathLike) else default


def _rename(
    df: pd.DataFrame,
    mapping: Mapping[str, str | None],
    source: str,
    *,
    required: Sequence[str] = (),
) -> pd.DataFrame:
    """Rename user columns to model columns. A mapped column that is absent is a problem, also
    when it has the model's name (only the ``required`` ones are left to the validators, which
    report every missing column at once)."""
    p = Problems()
    renames: dict[str, str] = {}
    have = ", ".join(map(str, df.columns)) or "(no columns)"
    for model_col, user_col in mapping.items():
        if user_col is None:
            continue
        if user_col not in df.columns:
            if user_col == model_col and model_col in required:
                continue
            given = "" if user_col == model_col else f" (given for {model_col})"
            p.add(source, f"column {user_col!r}{given} not found; the file has: {have}")
        elif user_col != model_col:
            renames[user_col] = model_col
    p.raise_if_any()
    if renames:
        # a model-named column that is not the mapped one would clash: keep the mapped one
        clash = [m for m in renames.values() if m in df.columns and m not in renames]
        df = df.drop(columns=clash).rename(columns=renames)
    return df


def _flows_frame(
    path: Any,
    *,
    origin_col: str,
    destination_col: str,
    value_col: str,
    layer_col: str | None,
    layer: str | None,
    encoding: str | None,
    sep: str | None,
    notes: list[Note] | None,
    moe_col: str | None = None,
) -> tuple[pd.DataFrame, str, int | None]:
    source = _source_of(path, "flows")
    df, first_line = read_table(path, source=source, encoding=encoding, sep=sep, notes=notes)
    df = _rename(
        df,
        {
            S.ORIGIN: origin_col,
            S.DESTINATION: destination_col,
            S.VALUE: value_col,
            S.LAYER: layer_col,
            S.MOE: moe_col,
        },
        source,
        required=S.FLOW_COLUMNS,
    )
    if moe_col is None and S.MOE in df.columns and isinstance(path, str | Path):
        # in a file, a column of that name is read only when asked for; a table passed in
        # Python keeps it
        df = df.drop(columns=S.MOE)
    if "geometry" in df.columns:
        df = pd.DataFrame(df.drop(columns="geometry"))
    if layer is not None:
        df = df.assign(**{S.LAYER: layer})
    return df, source, first_line


def read_flows(
    path: Any,
    *,
    origin_col: str = S.ORIGIN,
    destination_col: str = S.DESTINATION,
    value_col: str = S.VALUE,
    layer_col: str | None = None,
    layer: str | None = None,
    universe: Sequence[str] | None = None,
    external: Sequence[str] = (),
    keep_suppressed: bool = False,
    encoding: str | None = None,
    sep: str | None = None,
    notes: list[Note] | None = None,
    moe_col: str | None = None,
) -> pd.DataFrame:
    """Read a flow layer: one row per origin-destination pair.

    Parameters
    ----------
    path
        CSV, Parquet, GeoJSON/GeoPackage (attributes only); or a DataFrame or records.
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
    encoding, sep
        Encoding and delimiter of a CSV file (detected by default; see :func:`read_table`).
    notes
        A list that receives what was done to the input (codes padded, encoding detected).
    moe_col
        Column of each flow's margin of error (e.g. the ACS's 90 % margin), kept as ``moe``:
        numeric and non-negative like ``value``. Without it, the flows carry no ``moe``.

    Examples
    --------
    >>> from metrocircle.datasets import us_cbsa
    >>> flows = read_flows(us_cbsa.path(us_cbsa.FLOWS_FILE), origin_col="res_fips",
    ...                    destination_col="work_fips", value_col="workers")
    >>> flows.loc[0, "origin"], float(flows.loc[0, "value"])
    ('01001', 8671.0)
    """
    df, source, first_line = _flows_frame(
        path, origin_col=origin_col, destination_col=destination_col, value_col=value_col,
        layer_col=layer_col, layer=layer, encoding=encoding, sep=sep, notes=notes,
        moe_col=moe_col,
    )
    return V.validate_flows(
        df, universe=universe, external=external, source=source, line_offset=first_line,
        notes=notes, keep_suppressed=keep_suppressed,
    )


def _units_frame(
    path: Any,
    *,
    id_col: str,
    columns: Mapping[str, str] | None,
    layer: str | None,
    encoding: str | None,
    sep: str | None,
    notes: list[Note] | None,
) -> tuple[pd.DataFrame, str, int | None]:
    source = _source_of(path, "units")
    df, first_line = read_table(
        path, source=source, layer=layer, encoding=encoding, sep=sep, notes=notes
    )
    mapping: dict[str, str | None] = {S.UNIT_ID: id_col}
    mapping.update(columns or {})
    return _rename(df, mapping, source, required=[S.UNIT_ID]), source, first_line


def read_units(
    path: Any,
    *,
    id_col: str = S.UNIT_ID,
    columns: Mapping[str, str] | None = None,
    layer: str | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    notes: list[Note] | None = None,
) -> pd.DataFrame:
    """Read spatial units: codes, names, parent unit, attributes, optional polygons.

    ``columns`` maps model names to file names, e.g. ``{"parent_id": "prefecture_code",
    "population": "pop_2020"}``; a column it names must exist. Polygon files give a
    GeoDataFrame; ``layer`` names the layer of a GeoPackage with several. Units that contain
    other units of the table are set aside (the finest level is kept, and noted); see
    :func:`metrocircle.model.validation.validate_units` for the checks.

    Examples
    --------
    >>> from metrocircle.datasets import chongqing
    >>> units = read_units(chongqing.data_path("boundaries.geojson"), id_col="code",
    ...                    columns={"parent_id": "parent_code"})
    >>> len(units)  # the province and Guang'an prefecture are set aside
    58
    """
    df, source, first_line = _units_frame(
        path, id_col=id_col, columns=columns, layer=layer, encoding=encoding, sep=sep,
        notes=notes,
    )
    return V.validate_units(df, source=source, line_offset=first_line, notes=notes)


def _cores_frame(
    path: Any, *, unit_col: str, area_col: str, encoding: str | None, sep: str | None,
    notes: list[Note] | None,
) -> tuple[pd.DataFrame, str, int | None]:
    source = _source_of(path, "cores")
    df, first_line = read_table(path, source=source, encoding=encoding, sep=sep, notes=notes)
    df = _rename(df, {S.UNIT_ID: unit_col, S.AREA_ID: area_col}, source,
                 required=S.CORE_COLUMNS)
    return df, source, first_line


def read_cores(
    path: Any,
    *,
    unit_col: str = S.UNIT_ID,
    area_col: str = S.AREA_ID,
    universe: Sequence[str] | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    notes: list[Note] | None = None,
) -> pd.DataFrame:
    """Read cores: ``unit_id, area_id`` and optionally ``core_group`` (pre-merger cores).

    Examples
    --------
    >>> import pandas as pd
    >>> read_cores([{"unit_id": "500103", "area_id": "chongqing"}]).shape
    (1, 2)
    """
    df, source, first_line = _cores_frame(
        path, unit_col=unit_col, area_col=area_col, encoding=encoding, sep=sep, notes=notes
    )
    return V.validate_cores(
        df, universe=universe, source=source, line_offset=first_line, notes=notes
    )


def _adjacency_frame(
    path: Any,
    *,
    id_col: str,
    contiguity: str,
    tolerance_m: float,
    units_crs: object | None,
    layer: str | None,
    encoding: str | None,
    sep: str | None,
    notes: list[Note] | None,
) -> tuple[pd.DataFrame, str, int | None]:
    """Adjacency pairs (``unit_a, unit_b``) from a pair table or a polygon file, unchecked
    (polygon files are checked as units first: pairs are built from valid polygons only)."""
    source = _source_of(path, "adjacency")
    df, first_line = read_table(
        path, source=source, layer=layer, encoding=encoding, sep=sep, notes=notes
    )
    if "geometry" in df.columns and hasattr(df, "crs"):
        from metrocircle.model.geo import adjacency_from_polygons

        df = _rename(df, {S.UNIT_ID: id_col}, source, required=[S.UNIT_ID])
        p = Problems()
        if units_crs is not None:
            V.check_same_crs({"units": _with_crs(units_crs), source: df}, p)
        units = V.validate_units(df, source=source, line_offset=first_line, problems=p,
                                 notes=notes)
        p.raise_if_any()
        pairs = adjacency_from_polygons(units, contiguity=contiguity, tolerance_m=tolerance_m)
        return pairs, source, None
    if S.UNIT_A in df.columns and S.UNIT_B in df.columns:
        return df[[S.UNIT_A, S.UNIT_B]], source, first_line
    if df.shape[1] < 2:
        raise InputError(
            [
                Problem(
                    source,
                    f"an adjacency table needs two columns of unit codes (has {df.shape[1]})",
                )
            ]
        )
    pairs = pd.DataFrame({S.UNIT_A: df.iloc[:, 0], S.UNIT_B: df.iloc[:, 1]}, index=df.index)
    return pairs, source, first_line


def read_adjacency(
    path: Any,
    *,
    universe: Sequence[str] | None = None,
    id_col: str = S.UNIT_ID,
    contiguity: str = "queen",
    tolerance_m: float = 0.0,
    units_crs: object | None = None,
    layer: str | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    notes: list[Note] | None = None,
) -> pd.DataFrame:
    """Read adjacency: a table of pairs of unit codes (``unit_a, unit_b``, else its first two
    columns), or a polygon file from which queen or rook contiguity is built (see
    :func:`adjacency_from_polygons`).

    ``units_crs`` is the CRS of the unit polygons of the same run, if any: a polygon file in
    another CRS is a problem (the two layers would not describe the same places). Pairs naming
    a unit outside ``universe`` are set aside and noted (a national file used for one state).

    Examples
    --------
    >>> from metrocircle.datasets import chongqing
    >>> len(read_adjacency(chongqing.data_path("adjacency.csv")))
    145
    """
    df, source, first_line = _adjacency_frame(
        path, id_col=id_col, contiguity=contiguity, tolerance_m=tolerance_m,
        units_crs=units_crs, layer=layer, encoding=encoding, sep=sep, notes=notes,
    )
    return V.validate_adjacency(
        df, universe=universe, source=source, line_offset=first_line, notes=notes
    )


def _travel_times_frame(
    path: Any, *, origin_col: str, destination_col: str, minutes_col: str,
    encoding: str | None, sep: str | None, notes: list[Note] | None,
) -> tuple[pd.DataFrame, str, int | None]:
    source = _source_of(path, "travel_times")
    df, first_line = read_table(path, source=source, encoding=encoding, sep=sep, notes=notes)
    df = _rename(
        df,
        {S.ORIGIN: origin_col, S.DESTINATION: destination_col, S.MINUTES: minutes_col},
        source,
        required=S.TRAVEL_TIME_COLUMNS,
    )
    return df, source, first_line


def read_travel_times(
    path: Any,
    *,
    origin_col: str = S.ORIGIN,
    destination_col: str = S.DESTINATION,
    minutes_col: str = S.MINUTES,
    universe: Sequence[str] | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    notes: list[Note] | None = None,
) -> pd.DataFrame:
    """Read a travel-time matrix in long form (``origin, destination, minutes``). Rows naming a
    unit outside ``universe`` are set aside and noted.

    Examples
    --------
    >>> read_travel_times([{"origin": "a", "destination": "b", "minutes": 12}]).shape
    (1, 3)
    """
    df, source, first_line = _travel_times_frame(
        path, origin_col=origin_col, destination_col=destination_col, minutes_col=minutes_col,
        encoding=encoding, sep=sep, notes=notes,
    )
    return V.validate_travel_times(
        df, universe=universe, source=source, line_offset=first_line, notes=notes
    )


def read_inputs(
    flows: Any,
    *,
    units: Any = None,
    cores: Any = None,
    adjacency: Any = None,
    travel_times: Any = None,
    external: Sequence[str] = (),
    origin_col: str = S.ORIGIN,
    destination_col: str = S.DESTINATION,
    value_col: str = S.VALUE,
    units_id_col: str = S.UNIT_ID,
    contiguity: str = "queen",
    tolerance_m: float = 0.0,
    encoding: str | None = None,
    sep: str | None = None,
    units_layer: str | None = None,
    adjacency_layer: str | None = None,
    keep_suppressed: bool = False,
    moe_col: str | None = None,
) -> V.Inputs:
    """Read and check the tables of one run together; raise once with every problem.

    Every entry point reads through here (the ``delineate`` and ``groups`` commands,
    :func:`metrocircle.delineate.delineate`, :func:`validate_inputs`), so each gets the same
    treatment:

    1. each table is read (a path; or a DataFrame or records, taken as they are); ``encoding``,
       ``sep`` apply to every CSV file, ``units_layer``/``adjacency_layer`` to GeoPackages;
    2. unit codes are made one spelling across tables: where some are zero-padded text
       (``01001``) and others are numbers (``1001``), the numbers are padded (noted); where
       that cannot be decided, an error names the columns;
    3. each table is checked; units containing other units keep the finest level (noted);
    4. the *study* is every unit the flows name, except ``external`` places (e.g. workplaces
       abroad). A flow code missing from the units table is an error (with a hint to declare
       it external); units, adjacency pairs and travel times naming other units are set aside
       (noted, with counts); cores must lie in the study. The ``(suppressed)`` rows of a
       published OD are kept with ``keep_suppressed`` (see
       :func:`~metrocircle.model.validate_flows`). ``moe_col`` names the flows' margin of
       error, kept as ``moe``.

    Returns
    -------
    Inputs
        The clean tables and the notes (``.info()`` for ``run.json``).

    Examples
    --------
    >>> import pandas as pd
    >>> flows = pd.DataFrame({"origin": [1001, 1001], "destination": ["01001", "01003"],
    ...                       "value": [10, 5]})
    >>> i = read_inputs(flows)
    >>> sorted(set(i.flows["origin"]) | set(i.flows["destination"]))
    ['01001', '01003']
    >>> i.notes[0].kind
    'codes_padded'
    """
    problems = Problems()
    notes = DeferredNotes()
    tables: dict[str, V.Table | None] = {}

    def load(kind: str, make: Any, *args: Any, **kwargs: Any) -> None:
        try:
            frame, source, first_line = make(*args, **kwargs)
        except InputError as err:
            problems.items.extend(err.problems)
            return
        tables[kind] = V.Table(frame, source, first_line)

    text = {"encoding": encoding, "sep": sep, "notes": notes}
    load("flows", _flows_frame, flows, origin_col=origin_col, destination_col=destination_col,
         value_col=value_col, layer_col=None, layer=None, moe_col=moe_col, **text)
    units_crs = None
    if units is not None:
        load("units", _units_frame, units, id_col=units_id_col, columns=None,
             layer=units_layer, **text)
        if "units" in tables:
            units_crs = getattr(tables["units"].frame, "crs", None)  # type: ignore[union-attr]
    if cores is not None:
        load("cores", _cores_frame, cores, unit_col=S.UNIT_ID, area_col=S.AREA_ID, **text)
    if adjacency is not None:
        load("adjacency", _adjacency_frame, adjacency, id_col=units_id_col,
             contiguity=contiguity, tolerance_m=tolerance_m, units_crs=units_crs,
             layer=adjacency_layer, **text)
    if travel_times is not None:
        load("travel_times", _travel_times_frame, travel_times, origin_col=S.ORIGIN,
             destination_col=S.DESTINATION, minutes_col=S.MINUTES, **text)
    result = V.check_tables(tables, external=external, problems=problems, notes=notes,
                            keep_suppressed=keep_suppressed)
    problems.raise_if_any()
    notes.log()
    return result


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
