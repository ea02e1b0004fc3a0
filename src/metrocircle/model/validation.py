"""Validation of every input table: collect all problems, raise once.

Each ``validate_*`` function takes a table in the data model's columns (a DataFrame, records
such as a list of dicts, or a path, which is read with the matching reader), returns a clean
copy (codes as strings, numbers as floats) and raises one :class:`~metrocircle.InputError`
that lists every problem with the rows or units it concerns. Records are never dropped because
they are wrong: a table either passes whole or the caller gets the full list. What is set aside
on purpose (rows of a reference table outside the study, units of a coarser level) is counted
in a :class:`~metrocircle.model.notes.Note`.

Rows are labelled one way everywhere (see :class:`RowLabels`): ``line N`` for a text (CSV) file,
the line an editor shows with the header on line 1; ``row N`` for every other table (Parquet,
GeoPackage, GeoJSON, a DataFrame built in Python), counting records from 1.
"""

from __future__ import annotations

import logging
import numbers
import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.exceptions import InputError, Problem, Problems
from metrocircle.model import schema as S
from metrocircle.model.codes import normalise_codes
from metrocircle.model.notes import Note, add_note

log = logging.getLogger(__name__)

log = logging.getLogger(__name__)


class RowLabels:
    """Turns positions into the labels users see: ``line N`` for a text (CSV) file, ``row N``
    for anything else.

    ``line N`` is the line of the file in an editor (header = line 1): a reader passes the
    line of the first record as ``line_offset`` and, when the file has blank lines or records
    spanning several lines, each record's offset from it as ``index``. ``row N`` counts records
    from 1 (Parquet, GeoPackage, GeoJSON, a DataFrame built in Python).

    Examples
    --------
    >>> RowLabels(2)([0, 3]), RowLabels()([0, 3])
    (['line 2', 'line 5'], ['row 1', 'row 4'])
    """

    def __init__(self, line_offset: int | None = None, index: Sequence[int] | None = None):
        self.line_offset = line_offset
        self.index = None if index is None else np.asarray(index)

    def __call__(self, positions: Iterable[int]) -> list[str]:
        if self.line_offset is None:
            return [f"row {int(p) + 1}" for p in positions]
        if self.index is None:
            return [f"line {int(p) + self.line_offset}" for p in positions]
        return [f"line {int(self.index[int(p)]) + self.line_offset}" for p in positions]


def row_labels(frame: pd.DataFrame, line_offset: int | None = None) -> RowLabels:
    """The :class:`RowLabels` of a table as returned by
    :func:`metrocircle.model.io.read_table` (``line_offset`` is the second value it returns:
    the line of the first record of a CSV file, None for other formats)."""
    index = frame.index
    if (
        line_offset is not None
        and not isinstance(index, pd.RangeIndex)
        and pd.api.types.is_integer_dtype(index)
    ):
        return RowLabels(line_offset, index.to_numpy())
    return RowLabels(line_offset)


# ---------------------------------------------------------------------------------------------
# What a table may be given as


def as_frame(
    table: Any, *, what: str, read: Callable[[Any], pd.DataFrame] | None = None
) -> pd.DataFrame:
    """A table given as a DataFrame, records, or a path, as a DataFrame.

    Parameters
    ----------
    table
        A DataFrame (returned as is); records: a list of dicts or a dict of columns (what
        ``pandas.DataFrame`` takes); or a path to a file, read by ``read``.
    what
        The argument's name, for the error message (``"flows"``).
    read
        The reader of a path (e.g. :func:`metrocircle.model.io.read_flows`).

    Raises
    ------
    TypeError
        For anything else, naming what is accepted.

    Examples
    --------
    >>> as_frame([{"origin": "a", "destination": "b", "value": 1}], what="flows").shape
    (1, 3)
    """
    if isinstance(table, pd.DataFrame):
        return table
    if isinstance(table, str | os.PathLike):
        if read is None:
            raise TypeError(f"{what} must be a DataFrame or records here, not a path.")
        return read(table)
    records = isinstance(table, list | tuple) and all(isinstance(r, Mapping) for r in table)
    if records or isinstance(table, Mapping):
        try:
            return pd.DataFrame(table)
        except (ValueError, TypeError) as err:
            raise TypeError(
                f"{what} could not be made a table from the records given: {err}"
            ) from err
    raise TypeError(
        f"{what} must be a pandas DataFrame, a path to a file (CSV, Parquet, GeoJSON, "
        f"GeoPackage), or records (a list of dicts, or a dict of columns). Got "
        f"{type(table).__name__}."
    )


# ---------------------------------------------------------------------------------------------
# Shared checks


def _missing_columns(
    df: pd.DataFrame, required: Sequence[str], source: str, p: Problems, hint: str = ""
) -> bool:
    names = pd.Index([str(c).strip() for c in df.columns])
    twice = sorted(set(names[names.duplicated()]))
    if twice:
        shown = "; ".join(
            f"{n!r} (columns {', '.join(str(i + 1) for i in np.flatnonzero(names == n))})"
            for n in twice
        )
        p.add(source, f"two or more columns share one name: {shown}; give each column its own name")
        return True
    missing = [c for c in required if c not in df.columns]
    if missing:
        have = ", ".join(map(str, df.columns)) or "(no columns)"
        p.add(
            source,
            f"missing column(s) {', '.join(repr(m) for m in missing)}; the file has: {have}{hint}",
        )
        return True
    return False


def _start(
    df: pd.DataFrame,
    required: Sequence[str],
    *,
    source: str,
    line_offset: int | None,
    problems: Problems | None,
    hint: str = "",
    what: str = "records",
) -> tuple[Problems, RowLabels, bool]:
    """The opening every ``validate_*`` function shares.

    Returns the problem collector (the caller's ``problems``, or a new one when the function is
    used standalone), the row labels, and whether ``df`` has the ``required`` columns (each
    once) and at least one row. Missing columns and an empty table are recorded; standalone,
    they are raised at once, since no further check can run.
    """
    p = problems if problems is not None else Problems()
    if _missing_columns(df, required, source, p, hint):
        _raise_if_standalone(p, problems)
        return p, RowLabels(line_offset), False
    if len(df) == 0:
        p.add(source, f"no {what}: the table has no rows (only a header, or an empty layer)")
        _raise_if_standalone(p, problems)
        return p, RowLabels(line_offset), False
    return p, row_labels(df, line_offset), True


def _raise_if_standalone(p: Problems, problems: Problems | None) -> None:
    """Raise what ``p`` collected unless the caller gave its own collector (it raises once)."""
    if problems is None:
        p.raise_if_any()


def _blank(series: pd.Series) -> np.ndarray:
    """True where a cell is empty: NA, or text that is empty after stripping."""
    isna = series.isna().to_numpy()
    if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
        return isna  # numbers, booleans, times: only NA can be empty (no text to strip)
    as_text = series.astype("string").str.strip()
    return isna | (as_text == "").fillna(True).to_numpy()


def _code_text(x: object) -> object:
    """One cell of an object column as code text (``1001.0`` -> ``"1001"``)."""
    if x is None or x is pd.NA:
        return pd.NA
    if isinstance(x, bool | np.bool_):
        return str(x)
    if isinstance(x, numbers.Integral):
        return str(int(x))
    if isinstance(x, numbers.Real):
        f = float(x)
        if np.isnan(f):
            return pd.NA
        if f.is_integer() and abs(f) < 2**53:
            return str(int(f))
        return str(x)
    return str(x).strip()


#: pandas 3 stores text in Arrow by default (the ``str`` dtype); pandas 2 in object arrays.
_ARROW_TEXT = int(pd.__version__.split(".")[0]) >= 3


def as_text_column(codes: pd.Series) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """Codes as the text column a validated table holds: pandas' default text dtype, the one an
    object array of strings becomes. Under pandas 3 the cast stays in Arrow instead of passing
    through a Python object array (which costs a second per million rows)."""
    if _ARROW_TEXT:
        return codes.astype("str").array
    return codes.to_numpy()


def as_codes(series: pd.Series) -> pd.Series:
    """Unit codes as strings: integers stay without a decimal point, text is stripped.

    Examples
    --------
    >>> as_codes(pd.Series([1001.0, None])).tolist()
    ['1001', <NA>]
    """
    if pd.api.types.is_float_dtype(series):
        whole = series.dropna()
        if len(whole) and (whole == np.floor(whole)).all() and (whole.abs() < 2**53).all():
            series = series.astype("Int64")
    if pd.api.types.is_integer_dtype(series):
        return series.astype("string")
    if pd.api.types.is_object_dtype(series) and pd.api.types.infer_dtype(
        series, skipna=True
    ) not in ("string", "empty"):  # numbers mixed in (built in Python): cell by cell
        return pd.Series(
            [_code_text(x) for x in series], index=series.index, dtype="string"
        )
    return series.astype("string").str.strip()


def _numeric(
    series: pd.Series,
    source: str,
    column: str,
    labels: RowLabels,
    p: Problems,
    *,
    allow_missing: bool = False,
    allow_negative: bool = False,
    upper: float | None = None,
) -> pd.Series:
    """Parse a column as float and record missing, non-numeric, complex, negative, infinite
    cells, and values whose total overflows."""
    blank = _blank(series)
    if pd.api.types.is_complex_dtype(series):
        imag = np.imag(series.to_numpy())
        rows = np.flatnonzero(imag != 0)
        p.add(
            source,
            f"complex numbers in column '{column}'; give real numbers"
            + ("" if len(rows) else " (every imaginary part is 0: take .real)"),
            labels(rows if len(rows) else np.arange(min(len(series), 10))),
        )
        return pd.Series(np.real(series.to_numpy()).astype("float64"), index=series.index)
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        values = series.astype("float64")
        bad_text = np.zeros(len(series), dtype=bool)
    else:
        text = series.astype("string").str.strip()
        values = pd.to_numeric(text, errors="coerce").astype("float64")
        bad_text = (~blank) & values.isna().to_numpy()
    arr = values.to_numpy()
    if blank.any() and not allow_missing:
        p.add(source, f"missing value in column '{column}'", labels(np.flatnonzero(blank)))
    if bad_text.any():
        pos = np.flatnonzero(bad_text)
        examples = [str(series.iloc[i]) for i in pos[:3]]
        hint = (
            "; a decimal comma? write 1.5, not 1,5"
            if any("," in e and "." not in e for e in examples)
            else ""
        )
        shown = ", ".join(repr(e) for e in examples)
        p.add(
            source, f"non-numeric value in column '{column}' (e.g. {shown}){hint}", labels(pos)
        )
    inf = np.isinf(arr)
    if inf.any():
        p.add(source, f"infinite value in column '{column}'", labels(np.flatnonzero(inf)))
    if not allow_negative:
        neg = arr < 0
        if neg.any():
            p.add(source, f"negative value in column '{column}'", labels(np.flatnonzero(neg)))
    if upper is not None:
        over = arr > upper
        if over.any():
            p.add(
                source, f"value above {upper:g} in column '{column}'", labels(np.flatnonzero(over))
            )
    finite = arr[np.isfinite(arr)]
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(np.sum(np.abs(finite))) if len(finite) else 0.0
    if not np.isfinite(total):
        # a sum of n finite values overflows only if some are >= max / n: those are the rows
        size = np.abs(np.nan_to_num(arr, nan=0.0, posinf=0.0, neginf=0.0))
        big = np.flatnonzero(size >= np.finfo(float).max / len(finite))
        p.add(
            source,
            f"values in column '{column}' are so large that their total overflows to "
            f"infinity (largest {np.max(np.abs(finite)):.3g}); give them in a larger unit "
            "(e.g. thousands)",
            labels(big),
        )
    return values


def _codes(df: pd.DataFrame, column: str, source: str, labels: RowLabels, p: Problems) -> pd.Series:
    codes = as_codes(df[column])
    blank = (codes == "").to_numpy(dtype=bool, na_value=True)
    if blank.any():
        p.add(source, f"missing unit code in column '{column}'", labels(np.flatnonzero(blank)))
        codes = codes.mask(pd.Series(blank, index=codes.index), pd.NA)
    return codes


def _duplicates(codes: pd.Series, source: str, what: str, labels: RowLabels, p: Problems) -> None:
    """Record codes that appear more than once (missing codes are reported as missing)."""
    dup = (
        codes.duplicated(keep=False).to_numpy(dtype=bool, na_value=False) & codes.notna().to_numpy()
    )
    if dup.any():
        names = sorted(code_set(codes[dup]))
        p.add(source, f"{what}: {', '.join(names[:10])}", labels(np.flatnonzero(dup)))


def isin_codes(codes: pd.Series, values: Collection[str]) -> np.ndarray:
    """``codes.isin(values)`` as a boolean array (missing codes: False), fast on Arrow strings."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(codes.astype("string").array)
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    hit = pc.is_in(arr, value_set=pa.array([str(v) for v in values], type=arr.type))
    return hit.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)


def _outside(
    codes: pd.Series, universe: Collection[str] | None, external: Sequence[str] = ()
) -> np.ndarray:
    """True where a code is neither missing, nor in ``universe``, nor ``external``."""
    if universe is None:
        return np.zeros(len(codes), dtype=bool)
    known = isin_codes(codes, universe) | codes.isna().to_numpy(dtype=bool)
    if external:
        known |= isin_codes(codes, external)
    return ~known


def code_set(series: pd.Series) -> set[str]:
    """The distinct non-missing codes of a column, as a set of str (fast on Arrow strings)."""
    values = pd.unique(series.dropna().astype("string").to_numpy(dtype=object))
    return {str(v) for v in values}


def _shown(names: list[str]) -> str:
    return ", ".join(names[:10]) + (f", ... ({len(names)} codes)" if len(names) > 10 else "")


def _unknown(
    codes: pd.Series,
    universe: Collection[str] | None,
    source: str,
    column: str,
    labels: RowLabels,
    p: Problems,
    external: Sequence[str] = (),
    *,
    known_as: str = "not in units",
    hint: str = "",
) -> None:
    bad = _outside(codes, universe, external)
    if bad.any():
        pos = np.flatnonzero(bad)
        names = sorted(code_set(codes.iloc[pos]))
        p.add(
            source,
            f"unknown unit code(s) in column '{column}' ({known_as}): {_shown(names)}{hint}",
            labels(pos),
        )


EXTERNAL_HINT = (
    "; if they are places outside the study (e.g. workplaces abroad), declare them as external "
    "(Python: external=[...]; command line: --external CODE): they then count in the "
    "denominators but never join an area"
)


def _set_aside(
    outside: Sequence[np.ndarray],
    codes: Sequence[pd.Series],
    *,
    source: str,
    what: str,
    notes: list[Note] | None,
) -> np.ndarray:
    """Note the rows of a reference table that name units outside the study (``outside[i]``
    True where ``codes[i]`` is outside); return the rows to keep."""
    keep = ~np.logical_or.reduce([np.asarray(o, dtype=bool) for o in outside])
    n_out = int((~keep).sum())
    if not n_out:
        return keep
    names: set[str] = set()
    for o, c in zip(outside, codes, strict=True):
        names |= code_set(c[np.asarray(o, dtype=bool)])
    examples = sorted(names)[:5]
    add_note(
        notes,
        Note(
            "rows_set_aside",
            source,
            f"{n_out} of {len(keep)} {what} name units outside the study and were set aside "
            f"(e.g. {', '.join(examples)})",
            {"rows": n_out, "of": int(len(keep)), "examples": examples},
        ),
    )
    return keep


def _normalised(
    columns: Mapping[str, pd.Series],
    source: str,
    p: Problems,
    *,
    universe: Collection[str] | None = None,
    external: Sequence[str] = (),
    notes: list[Note] | None = None,
    normalise: bool = True,
) -> tuple[dict[str, pd.Series], list[str]]:
    """The code columns of one table (as text, by column name) normalised together, and
    against a fixed ``universe`` and the ``external`` codes: returns them by column name, and
    the external codes in the same spelling."""
    if not normalise:
        return dict(columns), list(external)
    named = {f"{source} column '{c}'": s for c, s in columns.items()}
    named_ext = "external codes"
    named[named_ext] = pd.Series(list(external), dtype="string")
    fixed = []
    if universe is not None:
        named["the unit codes given (universe)"] = pd.Series(list(universe), dtype="string")
        fixed.append("the unit codes given (universe)")
    try:
        out = normalise_codes(named, fixed=fixed, notes=notes)
    except InputError as err:
        for q in err.problems:
            p.add(source, q.message, q.rows)
        out = named
    return (
        {c: out[f"{source} column '{c}'"] for c in columns},
        [str(x) for x in out[named_ext].dropna()],
    )


def _label(
    values: pd.Series,
    out: pd.DataFrame,
    column: str,
    allowed: Sequence[str],
    source: str,
    labels: RowLabels,
    p: Problems,
) -> np.ndarray:
    """A layer label column (``kind`` or ``source``): every cell one of ``allowed`` and one
    value per layer (per table without a ``layer`` column)."""
    text = values.astype("string").str.strip().str.lower()
    bad = ~text.isin(list(allowed)).to_numpy(dtype=bool, na_value=False)
    if bad.any():
        shown = ", ".join(sorted({str(v) for v in values[bad].tolist()})[:5])
        p.add(
            source,
            f"column '{column}' must be one of {', '.join(allowed)} (got {shown})",
            labels(np.flatnonzero(bad)),
        )
    layer = out[S.LAYER] if S.LAYER in out.columns else pd.Series("", index=out.index)
    spread = pd.DataFrame({"layer": layer.to_numpy(), "label": text.to_numpy()})
    spread = spread[~bad].groupby("layer")["label"].nunique()
    mixed = spread[spread > 1].index.tolist()
    if mixed:
        where = ", ".join(repr(m) for m in mixed) if S.LAYER in out.columns else "the table"
        p.add(source, f"column '{column}' must have one value per layer; it varies in {where}")
    return text.to_numpy(dtype=object, na_value=None)


# ---------------------------------------------------------------------------------------------
# One table at a time


def validate_flows(
    flows: Any,
    *,
    universe: Collection[str] | None = None,
    external: Sequence[str] = (),
    source: str = "flows",
    line_offset: int | None = None,
    problems: Problems | None = None,
    notes: list[Note] | None = None,
    normalise: bool = True,
    keep_suppressed: bool = False,
) -> pd.DataFrame:
    """Check a flow table and return it clean (``origin, destination, value[, layer, kind,
    source][, moe]``).

    ``moe``, when present, is the margin of error of each flow (e.g. the ACS's 90 % margin):
    checked like ``value`` and kept.

    Problems found: missing columns, no rows, missing or non-numeric or negative or infinite
    values (or values whose total overflows), missing codes, codes not in ``universe`` (unless
    listed in ``external``, e.g. places abroad that count in the denominators), duplicate
    pairs (per layer), and layer labels (``kind``, ``source``) outside their vocabulary or not
    constant within a layer. Codes that differ only in zero-padding (``1001`` and ``01001``)
    are made one, also against ``universe`` (see :mod:`metrocircle.model.codes`), unless
    ``normalise`` is False (:func:`metrocircle.model.io.read_inputs` normalises a whole run at
    once). ``notes`` receives what was padded. The other ``validate_*`` functions take the same
    ``universe``, ``source``, ``line_offset``, ``problems``, ``notes`` and ``normalise``.

    Rows with ``(suppressed)`` (:data:`~metrocircle.model.schema.SUPPRESSED`) on one side are
    the suppressed remainders of a published OD (``metrocircle od``); their value may be empty
    (unknown). With ``keep_suppressed`` they are kept (the delineation counts them in its
    denominators); otherwise they are set aside with a warning that says so.

    Examples
    --------
    >>> import pandas as pd
    >>> validate_flows(pd.DataFrame({"origin": ["01"], "destination": ["02"], "value": ["5"]}))
      origin destination  value
    0     01          02    5.0
    """
    from metrocircle.model.io import read_flows

    flows = as_frame(flows, what="flows", read=read_flows)
    p, labels, ok = _start(
        flows,
        S.FLOW_COLUMNS,
        source=source,
        line_offset=line_offset,
        problems=problems,
        hint=(" (map yours with origin_col=, destination_col=, value_col= in Python; "
              "--origin-col, --destination-col, --value-col on the command line)"),
        what="flows",
    )
    if not ok:
        return flows
    out = pd.DataFrame(index=pd.RangeIndex(len(flows)))
    codes, external = _normalised(
        {c: _codes(flows, c, source, labels, p) for c in (S.ORIGIN, S.DESTINATION)},
        source, p, universe=universe, external=external, notes=notes, normalise=normalise,
    )
    for col in (S.ORIGIN, S.DESTINATION):
        out[col] = as_text_column(codes[col])
    # the suppressed remainder of a published OD (metrocircle od) may be empty: that unit's
    # own total is suppressed too
    marker = suppressed_rows(out)
    unknown_total = marker & _blank(flows[S.VALUE])
    value = flows[S.VALUE].where(~unknown_total, 0) if unknown_total.any() else flows[S.VALUE]
    out[S.VALUE] = _numeric(value, source, S.VALUE, labels, p).to_numpy()
    out.loc[unknown_total, S.VALUE] = np.nan
    if S.MOE in flows.columns:
        out[S.MOE] = _numeric(flows[S.MOE], source, S.MOE, labels, p).to_numpy()
    keys = [S.ORIGIN, S.DESTINATION]
    if S.LAYER in flows.columns:
        out[S.LAYER] = as_text_column(as_codes(flows[S.LAYER]).fillna(""))
        keys.append(S.LAYER)
    for col, allowed in ((S.KIND, S.LAYER_KINDS), (S.SOURCE, S.LAYER_SOURCES)):
        if col in flows.columns:
            out[col] = _label(flows[col], out, col, allowed, source, labels, p)
    dup = out.duplicated(keys, keep=False).to_numpy()
    if dup.any():
        pairs = out.loc[dup, keys].drop_duplicates().head(5)
        shown = "; ".join("->".join(map(str, r)) for r in pairs.itertuples(index=False))
        p.add(
            source,
            f"duplicate origin-destination pair(s) (e.g. {shown}); "
            "aggregate them before, or give a layer column",
            labels(np.flatnonzero(dup)),
        )
    external = [*external, S.SUPPRESSED]
    hint = EXTERNAL_HINT if universe is not None else ""
    _unknown(out[S.ORIGIN], universe, source, "origin", labels, p, external, hint=hint)
    _unknown(out[S.DESTINATION], universe, source, "destination", labels, p, external, hint=hint)
    _raise_if_standalone(p, problems)
    if marker.any() and not keep_suppressed:
        log.warning(
            "%s: %d rows carry suppressed flows (%s, written by metrocircle od); this analysis "
            "does not use them, so the suppressed commuters are missing from it",
            source, int(marker.sum()), S.SUPPRESSED)
        out = out.loc[~marker].reset_index(drop=True)
    return out


def suppressed_rows(flows: pd.DataFrame) -> np.ndarray:
    """Which rows of a flow table carry suppressed flows (``(suppressed)`` on either side).

    Examples
    --------
    >>> f = pd.DataFrame({"origin": ["A", "A"], "destination": ["B", "(suppressed)"]})
    >>> suppressed_rows(f).tolist()
    [False, True]
    """
    return (flows[S.ORIGIN].astype("string").eq(S.SUPPRESSED)
            | flows[S.DESTINATION].astype("string").eq(S.SUPPRESSED)).to_numpy(
                dtype=bool, na_value=False)


def validate_units(
    units: Any,
    *,
    source: str = "units",
    line_offset: int | None = None,
    problems: Problems | None = None,
    notes: list[Note] | None = None,
) -> pd.DataFrame:
    """Check a unit table and return a clean copy (a GeoDataFrame stays one).

    ``unit_id`` present, unique and non-empty; at least one row; known numeric attributes
    numeric and non-negative (and their totals finite); shares in [0, 1];
    ``urban_population`` at most ``population``; ``parent_id`` codes as strings; geometry
    valid, with a CRS, and inside the CRS's range (longitude and latitude not swapped). A
    unit with zero ``population`` is noted. When units contain other units of the table (by
    ``parent_id`` or polygons), the finest level is kept (see :mod:`metrocircle.model.levels`).
    """
    from metrocircle.model.io import read_units
    from metrocircle.model.levels import finest_level

    units = as_frame(units, what="units", read=read_units)
    p, labels, ok = _start(
        units,
        [S.UNIT_ID],
        source=source,
        line_offset=line_offset,
        problems=problems,
        hint=" (map yours with id_col= in Python; --units-id-col on the command line)",
        what="units",
    )
    if not ok:
        return units
    n_before = len(p.items)
    out = units.copy()
    out.index = pd.RangeIndex(len(out))
    out[S.UNIT_ID] = _codes(out, S.UNIT_ID, source, labels, p)
    _duplicates(out[S.UNIT_ID], source, "duplicate unit code(s)", labels, p)
    if "parent_id" in out.columns:
        out["parent_id"] = as_codes(out["parent_id"]).replace("", pd.NA)
    for col in S.NUMERIC_UNIT_ATTRIBUTES:
        if col in out.columns:
            out[col] = _numeric(out[col], source, col, labels, p, allow_missing=True).to_numpy()
    for col in S.SHARE_UNIT_ATTRIBUTES:
        if col in out.columns:
            out[col] = _numeric(
                out[col], source, col, labels, p, allow_missing=True, upper=1.0
            ).to_numpy()
    if "population" in out.columns:
        check_population(
            out["population"].to_numpy(dtype=float),
            out["urban_population"].to_numpy(dtype=float)
            if "urban_population" in out.columns else None,
            out[S.UNIT_ID].astype(str).to_numpy(dtype=object),
            source=source, problems=p, notes=notes, labels=labels,
        )
    if S.GEOMETRY in out.columns and hasattr(out, "crs"):
        check_geometry(out, source=source, labels=labels, problems=p)
    if len(p.items) == n_before:
        out = finest_level(out, source=source, problems=p, notes=notes)
        out.index = pd.RangeIndex(len(out))
    _raise_if_standalone(p, problems)
    return out


def check_population(
    population: np.ndarray,
    urban_population: np.ndarray | None,
    unit_ids: Sequence[str],
    *,
    source: str,
    problems: Problems,
    notes: list[Note] | None = None,
    labels: RowLabels | None = None,
    names: tuple[str, str] = ("population", "urban_population"),
) -> None:
    """Record urban population above population (an urbanisation rate above 100 % cannot be
    right) and note units with population 0 (legitimate, but every per-person share is
    undefined there). Problems name the rows (``labels``) or else the units.

    Examples
    --------
    >>> p = Problems()
    >>> check_population(np.array([10.0, 5.0]), np.array([12.0, 5.0]), ["a", "b"],
    ...                  source="units", problems=p)
    >>> print(p.items[0])
    units: urban_population above population (an urbanisation rate above 100 %) for unit(s) a [a]
    """
    ids = np.asarray(unit_ids, dtype=object)
    pop = np.asarray(population, dtype=float)
    if urban_population is not None:
        above = np.asarray(urban_population, dtype=float) > pop
        if above.any():
            pos = np.flatnonzero(above)
            problems.add(
                source,
                f"{names[1]} above {names[0]} (an urbanisation rate above 100 %) for unit(s) "
                f"{', '.join(map(str, ids[pos][:5]))}",
                labels(pos) if labels is not None else [str(u) for u in ids[pos]],
            )
    zero = pop == 0
    if zero.any():
        listed = sorted(map(str, ids[zero]))
        add_note(
            notes,
            Note(
                "zero_population",
                source,
                f"{len(listed)} unit(s) with {names[0]} 0 ({', '.join(listed[:5])}"
                f"{' ...' if len(listed) > 5 else ''}): shares per person are undefined "
                "there; check that 0 does not stand for a missing value",
                {"units": listed[:50], "count": len(listed)},
            ),
        )


def check_geometry(
    gdf: pd.DataFrame, *, source: str, labels: RowLabels, problems: Problems
) -> None:
    """Record missing, empty and invalid geometries, a missing CRS, and coordinates outside
    the range of a geographic CRS (longitude and latitude swapped, or metres labelled as
    degrees)."""
    import shapely

    geom = gdf.geometry.to_numpy()
    missing = shapely.is_missing(geom) | shapely.is_empty(geom)
    if missing.any():
        problems.add(source, "missing or empty geometry", labels(np.flatnonzero(missing)))
    invalid = ~shapely.is_valid(geom) & ~missing
    if invalid.any():
        pos = np.flatnonzero(invalid)
        reason = shapely.is_valid_reason(geom[pos[0]])
        problems.add(
            source,
            f"invalid geometry (first: {reason}); repair it, e.g. with "
            "shapely.make_valid or QGIS 'Fix geometries'",
            labels(pos),
        )
    crs = getattr(gdf, "crs", None)
    if crs is None:
        problems.add(source, "geometry has no coordinate reference system (CRS)")
    elif crs.is_geographic and (~missing).any():
        bounds = shapely.bounds(np.where(missing, None, geom))
        x_out = (np.abs(bounds[:, 0]) > 180) | (np.abs(bounds[:, 2]) > 180)
        y_out = (np.abs(bounds[:, 1]) > 90) | (np.abs(bounds[:, 3]) > 90)
        out = np.nan_to_num(x_out | y_out, nan=0).astype(bool)
        if out.any():
            swapped = (np.abs(bounds[out][:, [1, 3]]) <= 180).all() and (
                np.abs(bounds[out][:, [0, 2]]) <= 90
            ).all()
            why = (
                "longitude and latitude look swapped (x holds latitudes, y longitudes); "
                "swap them back"
                if swapped
                else "the coordinates are not degrees; set the CRS they are in"
            )
            problems.add(
                source,
                f"coordinates outside the range of {crs.name} (longitude -180..180, latitude "
                f"-90..90): {why}",
                labels(np.flatnonzero(out)),
            )


def check_same_crs(frames: dict[str, pd.DataFrame], problems: Problems) -> None:
    """Record a CRS mismatch between geometric inputs (by name)."""
    from pyproj import CRS

    crs = {
        name: CRS.from_user_input(f.crs)
        for name, f in frames.items()
        if getattr(f, "crs", None) is not None
    }
    if len({c.to_string() for c in crs.values()}) > 1:
        listed = "; ".join(f"{n}: {c.to_string()}" for n, c in crs.items())
        problems.add("inputs", f"coordinate reference systems differ ({listed}); reproject one")


def validate_cores(
    cores: Any,
    *,
    universe: Collection[str] | None = None,
    source: str = "cores",
    line_offset: int | None = None,
    problems: Problems | None = None,
    notes: list[Note] | None = None,
    known_as: str = "not in units",
    normalise: bool = True,
) -> pd.DataFrame:
    """Check cores: ``unit_id, area_id`` (and optional ``core_group``); at least one row; a
    unit may be the core of one area only; codes must be known units (the cores are the
    user's choice, so a core outside ``universe`` is an error, never set aside)."""
    from metrocircle.model.io import read_cores

    cores = as_frame(cores, what="cores", read=read_cores)
    p, labels, ok = _start(
        cores, S.CORE_COLUMNS, source=source, line_offset=line_offset, problems=problems,
        what="cores",
    )
    if not ok:
        return cores
    out = pd.DataFrame(index=pd.RangeIndex(len(cores)))
    codes, _ = _normalised(
        {S.UNIT_ID: _codes(cores, S.UNIT_ID, source, labels, p)}, source, p,
        universe=universe, notes=notes, normalise=normalise,
    )
    out[S.UNIT_ID] = as_text_column(codes[S.UNIT_ID])
    out[S.AREA_ID] = as_text_column(_codes(cores, S.AREA_ID, source, labels, p))
    if S.CORE_GROUP in cores.columns:
        grp = as_codes(cores[S.CORE_GROUP])
        # positional (a cores table with its own index must not be aligned on it)
        out[S.CORE_GROUP] = np.where(
            _blank(cores[S.CORE_GROUP]), out[S.AREA_ID].to_numpy(dtype=object),
            grp.to_numpy(dtype=object),
        )
    _duplicates(out[S.UNIT_ID], source, "unit(s) listed as core more than once", labels, p)
    if S.CORE_GROUP in out.columns:
        spread = out.groupby(S.CORE_GROUP)[S.AREA_ID].nunique()
        bad = spread[spread > 1].index.tolist()
        if bad:
            p.add(
                source,
                f"core_group(s) spanning several area_id values: {', '.join(map(str, bad[:10]))}",
            )
    _unknown(out[S.UNIT_ID], universe, source, S.UNIT_ID, labels, p, known_as=known_as)
    _raise_if_standalone(p, problems)
    return out


def validate_adjacency(
    adjacency: Any,
    *,
    universe: Collection[str] | None = None,
    source: str = "adjacency",
    line_offset: int | None = None,
    problems: Problems | None = None,
    notes: list[Note] | None = None,
    normalise: bool = True,
) -> pd.DataFrame:
    """Check adjacency pairs (``unit_a, unit_b``) and return them as sorted unique pairs.

    Pairs listed in both directions are the same neighbourhood and kept once; a unit paired
    with itself is a problem. Adjacency is a reference table: pairs naming a unit outside
    ``universe`` (a national file used for one state) are set aside and counted in a note.
    """
    from metrocircle.model.io import read_adjacency

    adjacency = as_frame(adjacency, what="adjacency", read=read_adjacency)
    p, labels, ok = _start(
        adjacency, S.ADJACENCY_COLUMNS, source=source, line_offset=line_offset,
        problems=problems, what="pairs",
    )
    if not ok:
        return adjacency
    n_before = len(p.items)
    codes, _ = _normalised(
        {c: _codes(adjacency, c, source, labels, p) for c in (S.UNIT_A, S.UNIT_B)},
        source, p, universe=universe, notes=notes, normalise=normalise,
    )
    a, b = codes[S.UNIT_A], codes[S.UNIT_B]
    same = (a == b).to_numpy(dtype=bool, na_value=False)
    if same.any():
        p.add(source, "a unit is paired with itself", labels(np.flatnonzero(same)))
    _raise_if_standalone(p, problems)
    if len(p.items) > n_before:  # collected for a joint error; the pairs are not used
        return adjacency
    keep = _set_aside(
        [_outside(a, universe), _outside(b, universe)], [a, b], source=source,
        what="adjacency pairs", notes=notes,
    )
    a_text, b_text = a[keep].to_numpy(dtype=object), b[keep].to_numpy(dtype=object)
    first = a_text <= b_text
    lo = np.where(first, a_text, b_text)
    hi = np.where(first, b_text, a_text)
    out = pd.DataFrame(
        {S.UNIT_A: pd.array(lo, dtype="string"), S.UNIT_B: pd.array(hi, dtype="string")}
    )
    return out.drop_duplicates().reset_index(drop=True)


def validate_travel_times(
    travel_times: Any,
    *,
    universe: Collection[str] | None = None,
    source: str = "travel_times",
    line_offset: int | None = None,
    problems: Problems | None = None,
    notes: list[Note] | None = None,
    normalise: bool = True,
) -> pd.DataFrame:
    """Check a travel-time table (``origin, destination, minutes``).

    An empty ``minutes`` means unreachable (kept as NaN, never as a silent infinity); a pair
    that has no row is *missing*, which the methods report as such. Negative or non-numeric
    minutes are problems. The matrix is a reference table: rows naming a unit outside
    ``universe`` are set aside and counted in a note.
    """
    from metrocircle.model.io import read_travel_times

    travel_times = as_frame(travel_times, what="travel_times", read=read_travel_times)
    p, labels, ok = _start(
        travel_times,
        S.TRAVEL_TIME_COLUMNS,
        source=source,
        line_offset=line_offset,
        problems=problems,
        what="travel times",
    )
    if not ok:
        return travel_times
    out = pd.DataFrame(index=pd.RangeIndex(len(travel_times)))
    codes, _ = _normalised(
        {c: _codes(travel_times, c, source, labels, p) for c in (S.ORIGIN, S.DESTINATION)},
        source, p, universe=universe, notes=notes, normalise=normalise,
    )
    for col in (S.ORIGIN, S.DESTINATION):
        out[col] = as_text_column(codes[col])
    out[S.MINUTES] = _numeric(
        travel_times[S.MINUTES], source, S.MINUTES, labels, p, allow_missing=True
    ).to_numpy()
    dup = out.duplicated([S.ORIGIN, S.DESTINATION], keep=False).to_numpy()
    if dup.any():
        p.add(source, "duplicate origin-destination pair(s)", labels(np.flatnonzero(dup)))
    _raise_if_standalone(p, problems)
    o, d = out[S.ORIGIN], out[S.DESTINATION]
    keep = _set_aside(
        [_outside(o, universe), _outside(d, universe)], [o, d], source=source,
        what="travel times", notes=notes,
    )
    return out[keep].reset_index(drop=True) if not keep.all() else out


# ---------------------------------------------------------------------------------------------
# The tables of one run together


@dataclass
class Inputs:
    """The checked tables of one run, and the notes on what was done to them.

    ``flows``, ``units``, ``cores``, ``adjacency``, ``travel_times`` are clean (``None`` when
    not given); ``external`` the external codes in the same spelling as the codes;
    ``notes`` what was padded, set aside or noticed (:meth:`info` gives them for ``run.json``).
    """

    flows: Any
    units: pd.DataFrame | None = None
    cores: pd.DataFrame | None = None
    adjacency: pd.DataFrame | None = None
    travel_times: pd.DataFrame | None = None
    external: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def info(self) -> list[dict[str, Any]]:
        """The notes as plain dicts, for ``run.json``."""
        return [n.to_dict() for n in self.notes]


@dataclass
class Table:
    """A table of a run before checking, with what its problems are labelled by."""

    frame: pd.DataFrame
    source: str
    line_offset: int | None = None


#: The columns of unit codes of each table, normalised together across a run.
CODE_COLUMNS: dict[str, tuple[str, ...]] = {
    "units": (S.UNIT_ID,),
    "flows": (S.ORIGIN, S.DESTINATION),
    "cores": (S.UNIT_ID,),
    "adjacency": (S.UNIT_A, S.UNIT_B),
    "travel_times": (S.ORIGIN, S.DESTINATION),
}


def _normalise_run(
    tables: dict[str, Table], external: Sequence[str], p: Problems, notes: list[Note]
) -> list[str]:
    """Normalise the unit codes of every table of a run together (in place); return the
    external codes in the same spelling."""
    named: dict[str, pd.Series] = {}
    where: dict[str, tuple[str, str]] = {}
    for kind, cols in CODE_COLUMNS.items():
        t = tables.get(kind)
        if t is None:
            continue
        for c in cols:
            if c in t.frame.columns and not isinstance(t.frame[c], pd.DataFrame):
                name = f"{t.source} column '{c}'"
                named[name] = as_codes(t.frame[c])
                where[name] = (kind, c)
    named["external codes"] = pd.Series(list(external), dtype="string")
    keys = [n for n, (kind, _) in where.items() if kind == "units"]
    try:
        out = normalise_codes(named, keys=keys, notes=notes)
    except InputError as err:
        p.items.extend(err.problems)
        return list(external)
    for name, (kind, c) in where.items():
        if out[name] is not named[name]:
            t = tables[kind]
            frame = t.frame.copy()
            frame[c] = out[name].to_numpy()
            tables[kind] = Table(frame, t.source, t.line_offset)
    return [str(x) for x in out["external codes"].dropna()]


def check_tables(
    tables: Mapping[str, Table | None],
    *,
    external: Sequence[str] = (),
    problems: Problems | None = None,
    notes: list[Note] | None = None,
    keep_suppressed: bool = False,
) -> Inputs:
    """Check the tables of one run together and raise once with every problem.

    The steps, in order: unit codes are normalised across the tables
    (:mod:`metrocircle.model.codes`); each table is checked; the *study* is every unit the
    flows name, except ``external`` places. Flows may name only units of the units table (if
    given), external places or ``(suppressed)`` (the suppressed remainders of a published OD,
    see :func:`validate_flows`). The reference tables are then restricted to the study: rows
    of the units table, the adjacency and the travel-time matrix that name other units are
    set aside and counted in a note. Cores must lie in the study.
    """
    p = problems if problems is not None else Problems()
    notes = notes if notes is not None else []
    tabs: dict[str, Table] = {k: t for k, t in tables.items() if t is not None}
    external = _normalise_run(tabs, external, p, notes)
    units = None
    universe: set[str] | None = None
    if "units" in tabs:
        t = tabs["units"]
        units = validate_units(
            t.frame, source=t.source, line_offset=t.line_offset, problems=p, notes=notes
        )
        if S.UNIT_ID in units.columns and len(units):
            universe = code_set(units[S.UNIT_ID])
    flows = None
    if "flows" in tabs:
        t = tabs["flows"]
        flows = validate_flows(
            t.frame, universe=universe, external=external, source=t.source,
            line_offset=t.line_offset, problems=p, notes=notes, normalise=False,
            keep_suppressed=keep_suppressed,
        )
    study: set[str] | None = None
    if flows is not None and S.ORIGIN in flows.columns and S.DESTINATION in flows.columns:
        codes = pd.concat([as_codes(flows[S.ORIGIN]), as_codes(flows[S.DESTINATION])])
        study = code_set(codes) - set(external) - {S.SUPPRESSED}
    if units is not None and study is not None and S.UNIT_ID in units.columns and len(units):
        ids = units[S.UNIT_ID].astype("string")
        keep = _set_aside(
            [_outside(ids, study)], [ids], source=tabs["units"].source,
            what="units (no flow names them)", notes=notes,
        )
        if not keep.all():
            units = units.loc[keep].reset_index(drop=True)
        universe = code_set(units[S.UNIT_ID])
    elif study is not None:
        universe = study
    where = "not in the study: no flow names it"
    cores = adjacency = travel_times = None
    if "cores" in tabs:
        t = tabs["cores"]
        cores = validate_cores(
            t.frame, universe=universe, source=t.source, line_offset=t.line_offset,
            problems=p, notes=notes, known_as=where, normalise=False,
        )
    if "adjacency" in tabs:
        t = tabs["adjacency"]
        adjacency = validate_adjacency(
            t.frame, universe=universe, source=t.source, line_offset=t.line_offset,
            problems=p, notes=notes, normalise=False,
        )
    if "travel_times" in tabs:
        t = tabs["travel_times"]
        travel_times = validate_travel_times(
            t.frame, universe=universe, source=t.source, line_offset=t.line_offset,
            problems=p, notes=notes, normalise=False,
        )
    if problems is None or flows is None:
        p.raise_if_any()
    return Inputs(flows, units, cores, adjacency, travel_times, list(external), notes)


def validate_membership(
    membership: pd.DataFrame,
    *,
    universe: Collection[str] | None = None,
    source: str = "membership",
    line_offset: int | None = None,
    problems: Problems | None = None,
    require_status: bool = False,
) -> pd.DataFrame:
    """Check a membership table (``unit_id, area_id[, status][, threshold][, rule]``: a
    delineation's ``membership.csv``, or an official list renamed to those columns) and return
    those columns clean, codes as text.

    ``unit_id`` must be present and unique; an empty ``area_id`` means the unit is in no area;
    ``status`` is required with ``require_status`` (``metrocircle combine``), and a unit whose
    status is ``outside`` cannot have an area; ``threshold``, when present, must be a number
    (empty allowed, e.g. for cores). Unit codes not in ``universe`` are problems. With
    ``require_status``, a table where no unit is in any area is a problem too.

    Examples
    --------
    >>> import pandas as pd
    >>> validate_membership(pd.DataFrame({"unit_id": [1, 2], "area_id": ["A", ""],
    ...                                   "status": ["core", "outside"]}))
      unit_id area_id   status
    0       1       A     core
    1       2    <NA>  outside
    """
    required = list(S.MEMBERSHIP_COLUMNS) if require_status else [S.UNIT_ID, S.AREA_ID]
    p, labels, has_columns = _start(
        membership,
        required,
        source=source,
        line_offset=line_offset,
        problems=problems,
        hint=" (a delineation's membership.csv has them; map yours with --id-col, --area-col)",
    )
    if not has_columns:
        return membership
    out = pd.DataFrame(index=pd.RangeIndex(len(membership)))
    unit = _codes(membership, S.UNIT_ID, source, labels, p)
    out[S.UNIT_ID] = pd.array(unit.where(~_blank(membership[S.UNIT_ID])), dtype="string")
    area = as_codes(membership[S.AREA_ID])
    out[S.AREA_ID] = pd.array(area.where(~_blank(membership[S.AREA_ID])), dtype="string")
    if S.STATUS in membership.columns:
        status = membership[S.STATUS].astype("string").str.strip()
        out[S.STATUS] = status.where(~pd.Series(_blank(membership[S.STATUS]))).to_numpy()
    if "threshold" in membership.columns:
        out["threshold"] = _numeric(
            membership["threshold"], source, "threshold", labels, p, allow_missing=True
        ).to_numpy()
    if "rule" in membership.columns:
        out["rule"] = membership["rule"].astype("string").to_numpy()
    _duplicates(out[S.UNIT_ID], source, "unit(s) listed more than once", labels, p)
    if S.STATUS in out.columns:
        outside = (out[S.STATUS].str.lower() == "outside").to_numpy(dtype=bool, na_value=False)
        clash = outside & out[S.AREA_ID].notna().to_numpy()
        if clash.any():
            p.add(source, "status 'outside' but an area_id is given",
                  labels(np.flatnonzero(clash)))
    if require_status and len(out) and out[S.AREA_ID].isna().all():
        p.add(source, "no unit is in an area (every area_id is empty)")
    _unknown(out[S.UNIT_ID], universe, source, S.UNIT_ID, labels, p)
    _raise_if_standalone(p, problems)
    return out


def validate_urban_areas(
    urban_areas: pd.DataFrame,
    *,
    source: str = "urban_areas",
    line_offset: int | None = None,
    problems: Problems | None = None,
) -> pd.DataFrame:
    """Check urban-area parts by unit (the input of the central-county rule).

    One row per (urban area, unit) part: ``ua_code``, ``unit_id`` and either ``population``
    (the people of the urban area living in the unit: exact parts, as in the Census 2010
    relationship file) or ``land_area`` (the land of the urban area in the unit: the unit's urban
    population is then split over its urban areas by land, an approximation). Optional:
    ``ua_population`` and ``ua_name`` (the urban area's total and name, the same on every row
    of an urban area), ``county_population`` and ``county_urban_population`` (the unit's total
    and its population in any urban area, the same on every row of a unit). Rows with
    ``ua_code`` 99999 are the Census "not in an urban area" remainder of each unit.

    Problems found: missing columns (neither ``population`` nor ``land_area``), missing codes,
    missing, non-numeric, negative or infinite numbers, a part listed twice, an urban area with
    two totals or two names, a unit with two totals, a part larger than its urban area.
    Unit codes are not checked against the units here: the central-county step leaves out, and
    counts, parts of units outside the study. Returns a clean copy.

    Examples
    --------
    >>> import pandas as pd
    >>> validate_urban_areas(pd.DataFrame({"ua_code": ["00037"], "unit_id": ["22113"],
    ...                                    "population": ["19268"], "ua_population": ["19824"]}))
      ua_code unit_id  population  ua_population
    0   00037   22113     19268.0        19824.0
    """
    p, labels, has_columns = _start(
        urban_areas,
        S.URBAN_AREA_COLUMNS,
        source=source,
        line_offset=line_offset,
        problems=problems,
        hint=" (map yours with --urban-areas-col NAME=COLUMN)",
    )
    if not has_columns:
        return urban_areas
    if S.POPULATION not in urban_areas.columns and S.LAND_AREA not in urban_areas.columns:
        have = ", ".join(map(str, urban_areas.columns))
        p.add(
            source,
            "needs a 'population' column (people of the urban area in the unit) or a "
            f"'land_area' column (its land in the unit); the file has: {have}",
        )
        _raise_if_standalone(p, problems)
        return urban_areas
    out = pd.DataFrame(index=pd.RangeIndex(len(urban_areas)))
    out[S.UA_CODE] = _codes(urban_areas, S.UA_CODE, source, labels, p).to_numpy()
    out[S.UNIT_ID] = _codes(urban_areas, S.UNIT_ID, source, labels, p).to_numpy()
    rural = (out[S.UA_CODE] == S.NOT_URBAN_CODE).to_numpy(dtype=bool, na_value=False)
    for col in (
        S.POPULATION,
        S.LAND_AREA,
        S.UA_POPULATION,
        S.COUNTY_POPULATION,
        S.COUNTY_URBAN_POPULATION,
    ):
        if col not in urban_areas.columns:
            continue
        values = urban_areas[col]
        # the rural remainder has no urban-area total (blank in the Census file)
        blank_ok = _blank(values) & rural if col == S.UA_POPULATION else None
        checked = _numeric(
            values.where(~pd.Series(blank_ok, index=values.index), "0")
            if blank_ok is not None
            else values,
            source,
            col,
            labels,
            p,
        ).to_numpy()
        if blank_ok is not None:
            checked = np.where(blank_ok, np.nan, checked)
        out[col] = checked
    if S.UA_NAME in urban_areas.columns:
        out[S.UA_NAME] = urban_areas[S.UA_NAME].astype("string").str.strip().to_numpy()
    dup = out.duplicated([S.UA_CODE, S.UNIT_ID], keep=False).to_numpy()
    if dup.any():
        p.add(source, "an urban area's part in a unit is listed twice", labels(np.flatnonzero(dup)))
    for key, cols in (
        (S.UA_CODE, (S.UA_POPULATION, S.UA_NAME)),
        (S.UNIT_ID, (S.COUNTY_POPULATION, S.COUNTY_URBAN_POPULATION)),
    ):
        for col in cols:
            if col not in out.columns:
                continue
            spread = out[~rural].groupby(key)[col].nunique()
            bad = spread[spread > 1].index
            if len(bad):
                rows = np.flatnonzero(out[key].isin(bad).to_numpy() & ~rural)
                p.add(
                    source,
                    f"'{col}' differs between rows of the same {key}: "
                    + ", ".join(map(str, list(bad)[:10])),
                    labels(rows),
                )
    if S.POPULATION in out.columns and S.UA_POPULATION in out.columns:
        over = (out[S.POPULATION] > out[S.UA_POPULATION]).to_numpy() & ~rural
        if over.any():
            p.add(
                source,
                "the population of a part is larger than its urban area's 'ua_population'",
                labels(np.flatnonzero(over)),
            )
    _raise_if_standalone(p, problems)
    return out


def validate_inputs(
    flows: Any,
    *,
    units: Any = None,
    cores: Any = None,
    adjacency: Any = None,
    travel_times: Any = None,
    external: Sequence[str] = (),
    keep_suppressed: bool = False,
) -> tuple[
    pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None
]:
    """Validate the tables of one run together and raise once with every problem.

    Each table may be a DataFrame, records or a path. Returns the clean tables; see
    :func:`metrocircle.model.io.read_inputs` for the steps and for the notes on what was
    padded or set aside. Without a unit table, the units are every code the flows name (never
    ``(suppressed)``; ``keep_suppressed``: see :func:`validate_flows`).
    """
    from metrocircle.model.io import read_inputs

    i = read_inputs(
        flows, units=units, cores=cores, adjacency=adjacency, travel_times=travel_times,
        external=external, keep_suppressed=keep_suppressed,
    )
    return i.flows, i.units, i.cores, i.adjacency, i.travel_times


__all__ = [
    "EXTERNAL_HINT",
    "InputError",
    "Inputs",
    "Problem",
    "RowLabels",
    "Table",
    "as_codes",
    "as_frame",
    "as_text_column",
    "check_geometry",
    "check_population",
    "check_same_crs",
    "check_tables",
    "row_labels",
    "validate_adjacency",
    "validate_membership",
    "validate_cores",
    "validate_flows",
    "validate_inputs",
    "validate_membership",
    "validate_travel_times",
    "validate_units",
    "validate_urban_areas",
]
