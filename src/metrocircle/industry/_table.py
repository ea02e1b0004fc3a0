"""Reading an activity table E_ik (unit x industry) in long or wide form, with one validation.

Every index of :mod:`metrocircle.industry` works on the same validated matrix: a float
DataFrame indexed by ``unit_id`` (strings), one column per industry, no missing, negative or
non-numeric cells, no unit with zero total activity and no industry with zero total activity.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.exceptions import ParameterError, Problems

UNIT_ID = "unit_id"
INDUSTRY = "industry"
VALUE = "value"

_VALIDATED = "_metrocircle_activity_validated"


def _numeric(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Float values, a mask of blank cells and a mask of cells that are not numbers."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        arr = values.astype("float64").to_numpy(na_value=np.nan)
        blank = np.isnan(arr)
        return arr, blank, np.zeros(len(arr), dtype=bool)
    text = values.astype("string").str.strip()
    blank = (text.isna() | (text == "")).to_numpy(dtype=bool)
    num = pd.to_numeric(text.where(~pd.Series(blank, index=text.index)), errors="coerce")
    arr = num.astype("float64").to_numpy(na_value=np.nan)
    bad = np.isnan(arr) & ~blank
    return arr, blank, bad


def _labels(index: Sequence[Any], mask: np.ndarray, line_offset: int | None) -> list[object]:
    pos = np.flatnonzero(mask)
    if line_offset is not None:  # index labels are row positions of the file as read
        return [int(index[int(p)]) + line_offset for p in pos]
    return [index[int(p)] for p in pos]


def _is_validated(table: Any) -> bool:
    return isinstance(table, pd.DataFrame) and bool(table.attrs.get(_VALIDATED, False))


def activity_matrix(
    table: pd.DataFrame,
    *,
    unit_col: str = UNIT_ID,
    industry_col: str = INDUSTRY,
    value_col: str = VALUE,
    industries: Sequence[str] | str | None = None,
    units: Iterable[str] | None = None,
    missing: str = "error",
    source: str = "table",
    line_offset: int | None = None,
) -> pd.DataFrame:
    """Validate an activity table and return it as a unit x industry float matrix.

    Parameters
    ----------
    table
        Either **long** (one row per unit and industry: ``unit_col``, ``industry_col``,
        ``value_col``) or **wide** (one row per unit, one numeric column per industry, the unit
        code in ``unit_col`` or, if that column is absent, in the index). The form is long when
        both ``industry_col`` and ``value_col`` are columns.
    unit_col, industry_col, value_col
        Column names.
    industries
        Wide form only: the industry columns, as a list or as comma-separated shell patterns
        (``"ind_[A-Z]_*"``). Default: every column except ``unit_col``.
    units
        The units expected. Every unit of the table must be among them and every one of them
        must be in the table.
    missing
        ``"error"`` (default): a blank cell is a problem. ``"zero"``: a blank cell means no
        activity (as in census tables that leave empty the sections with nobody), and
        ``info["blank_cells_as_zero"]`` counts them. Long tables may also omit zero rows.
    source
        Name used in error messages (a file name).
    line_offset
        If given, problems name CSV lines (index label + offset; the index must be the row
        positions of the file as read) instead of index labels.

    Returns
    -------
    pandas.DataFrame
        Index ``unit_id`` (str), one float column per industry (in input order). Its ``attrs``
        hold ``blank_cells_as_zero``.

    Raises
    ------
    metrocircle.exceptions.InputError
        Listing every problem at once: missing columns, blank or non-numeric or negative
        values (with rows), duplicate units or unit-industry pairs, unknown or absent units,
        units with zero total activity, industries with zero total activity.
    """
    carried = int(table.attrs.get("blank_cells_as_zero", 0)) if _is_validated(table) else 0
    if missing not in ("error", "zero"):
        raise ParameterError(
            "The 'missing' parameter of activity_matrix must be 'error' or 'zero'. "
            f"Got {missing!r}."
        )
    if not isinstance(table, pd.DataFrame):
        raise ParameterError(
            "The 'table' parameter of activity_matrix must be a pandas DataFrame. "
            f"Got {type(table).__name__}."
        )
    p = Problems()
    df = pd.DataFrame(table).copy()
    if "geometry" in df.columns:
        df = df.drop(columns="geometry")
    df.columns = [str(c) for c in df.columns]
    long = industry_col in df.columns and value_col in df.columns
    if long:
        matrix, n_blank = _from_long(
            df, unit_col, industry_col, value_col, missing, source, line_offset, p
        )
    else:
        matrix, n_blank = _from_wide(df, unit_col, industries, missing, source, line_offset, p)
    if matrix is None:
        p.raise_if_any()
        raise AssertionError("unreachable")  # pragma: no cover
    if units is not None:
        expected = [str(u) for u in units]
        have = set(matrix.index)
        unknown = [u for u in matrix.index if u not in set(expected)]
        absent = [u for u in expected if u not in have]
        if unknown:
            p.add(source, "unit codes not among the given units", unknown)
        if absent:
            p.add(source, "units given but with no row in the table", absent)
    if not p and len(matrix):
        values = matrix.to_numpy()
        zero_units = matrix.index[values.sum(axis=1) <= 0].tolist()
        if zero_units:
            p.add(
                source,
                "units with zero total activity (every industry 0): shares and "
                "location quotients are undefined; drop them",
                zero_units,
            )
        zero_ind = matrix.columns[values.sum(axis=0) <= 0].tolist()
        if zero_ind:
            p.add(
                source,
                "industries with zero activity in every unit: location quotients "
                "are undefined; drop them",
                zero_ind,
            )
    if not p and len(matrix) == 0:
        p.add(source, "no units (the table has no rows)")
    if not p and matrix.shape[1] == 0:
        p.add(source, "no industries")
    p.raise_if_any()
    matrix.attrs[_VALIDATED] = True
    matrix.attrs["blank_cells_as_zero"] = int(n_blank) + carried
    return matrix


def _from_long(
    df: pd.DataFrame,
    unit_col: str,
    industry_col: str,
    value_col: str,
    missing: str,
    source: str,
    line_offset: int | None,
    p: Problems,
) -> tuple[pd.DataFrame | None, int]:
    if unit_col not in df.columns:
        p.add(source, f"column {unit_col!r} not found; the table has: {', '.join(df.columns)}")
        return None, 0
    idx = df.index.tolist()
    units = df[unit_col].astype("string").str.strip()
    inds = df[industry_col].astype("string").str.strip()
    blank_u = (units.isna() | (units == "")).to_numpy(dtype=bool)
    blank_i = (inds.isna() | (inds == "")).to_numpy(dtype=bool)
    if blank_u.any():
        p.add(source, f"blank {unit_col}", _labels(idx, blank_u, line_offset))
    if blank_i.any():
        p.add(source, f"blank {industry_col}", _labels(idx, blank_i, line_offset))
    vals, blank, bad = _numeric(df[value_col])
    if bad.any():
        p.add(source, f"{value_col} is not a number", _labels(idx, bad, line_offset))
    if blank.any() and missing == "error":
        p.add(
            source,
            f"blank {value_col} (pass missing='zero' if blank means none)",
            _labels(idx, blank, line_offset),
        )
    neg = vals < 0
    if neg.any():
        p.add(source, f"negative {value_col}", _labels(idx, neg, line_offset))
    inf = np.isinf(vals)
    if inf.any():
        p.add(source, f"infinite {value_col}", _labels(idx, inf, line_offset))
    key = pd.DataFrame({"u": units, "i": inds})
    dup = key.duplicated(keep=False).to_numpy(dtype=bool) & ~blank_u & ~blank_i
    if dup.any():
        p.add(
            source, f"duplicate ({unit_col}, {industry_col}) pairs", _labels(idx, dup, line_offset)
        )
    if p:
        return None, 0
    vals = np.where(blank, 0.0, vals)
    long = pd.DataFrame(
        {UNIT_ID: units.to_numpy(dtype=object), INDUSTRY: inds.to_numpy(dtype=object), VALUE: vals}
    )
    unit_order = list(dict.fromkeys(long[UNIT_ID]))
    ind_order = list(dict.fromkeys(long[INDUSTRY]))
    matrix = long.pivot(index=UNIT_ID, columns=INDUSTRY, values=VALUE)
    matrix = matrix.reindex(index=unit_order, columns=ind_order).fillna(0.0).astype("float64")
    matrix.index = pd.Index([str(u) for u in matrix.index], name=UNIT_ID, dtype=object)
    matrix.columns = pd.Index([str(c) for c in matrix.columns], name=INDUSTRY, dtype=object)
    return matrix, int(blank.sum())


def _select_industries(
    columns: list[str],
    unit_col: str,
    industries: Sequence[str] | str | None,
    source: str,
    p: Problems,
) -> list[str]:
    others = [c for c in columns if c != unit_col]
    if industries is None:
        return others
    if isinstance(industries, str):
        patterns = [s.strip() for s in industries.split(",") if s.strip()]
    else:
        patterns = [str(s) for s in industries]
    chosen: list[str] = []
    for pat in patterns:
        hits = [c for c in others if fnmatch.fnmatchcase(c, pat)]
        if not hits:
            p.add(source, f"industry column {pat!r} not found; the table has: {', '.join(columns)}")
        chosen.extend(h for h in hits if h not in chosen)
    return chosen


def _from_wide(
    df: pd.DataFrame,
    unit_col: str,
    industries: Sequence[str] | str | None,
    missing: str,
    source: str,
    line_offset: int | None,
    p: Problems,
) -> tuple[pd.DataFrame | None, int]:
    if unit_col in df.columns:
        units = df[unit_col].astype("string").str.strip()
    else:
        units = pd.Series(df.index, index=df.index).astype("string").str.strip()
    cols = _select_industries(list(df.columns), unit_col, industries, source, p)
    idx = df.index.tolist()
    blank_u = (units.isna() | (units == "")).to_numpy(dtype=bool)
    if blank_u.any():
        p.add(source, f"blank {unit_col}", _labels(idx, blank_u, line_offset))
    dup = units.duplicated(keep=False).to_numpy(dtype=bool) & ~blank_u
    if dup.any():
        p.add(source, f"duplicate {unit_col}", _labels(idx, dup, line_offset))
    out = np.zeros((len(df), len(cols)))
    n_blank = 0
    for j, c in enumerate(cols):
        vals, blank, bad = _numeric(df[c])
        if bad.any():
            p.add(source, f"column {c!r} is not a number", _labels(idx, bad, line_offset))
        if blank.any() and missing == "error":
            p.add(
                source,
                f"column {c!r} is blank (pass missing='zero' if blank means none)",
                _labels(idx, blank, line_offset),
            )
        if (vals < 0).any():
            p.add(source, f"column {c!r} is negative", _labels(idx, vals < 0, line_offset))
        if np.isinf(vals).any():
            p.add(source, f"column {c!r} is infinite", _labels(idx, np.isinf(vals), line_offset))
        n_blank += int(blank.sum())
        out[:, j] = np.where(blank, 0.0, vals)
    if p:
        return None, 0
    matrix = pd.DataFrame(
        out,
        index=pd.Index([str(u) for u in units], name=UNIT_ID, dtype=object),
        columns=pd.Index(cols, name=INDUSTRY, dtype=object),
    )
    return matrix, n_blank


def reference_totals(
    reference: Mapping[str, float] | pd.Series | pd.DataFrame | None,
    matrix: pd.DataFrame,
    *,
    what: str,
) -> np.ndarray:
    """Industry totals E_k of the reference region, aligned to ``matrix.columns``.

    ``None`` pools the units of ``matrix``. A Series/Mapping gives one total per industry; a
    one-row wide DataFrame (e.g. the province row of a census table) is accepted too.
    """
    if reference is None:
        return matrix.to_numpy().sum(axis=0)
    if isinstance(reference, pd.DataFrame):
        if len(reference) != 1:
            raise ParameterError(
                f"The 'reference' parameter of {what} must be one row of industry totals. "
                f"Got {len(reference)} rows."
            )
        reference = reference.iloc[0]
    ref = pd.Series(reference)
    ref.index = [str(i) for i in ref.index]
    p = Problems()
    absent = [c for c in matrix.columns if c not in ref.index]
    if absent:
        p.add("reference", "industries with no reference total", absent)
    p.raise_if_any()
    vals, blank, bad = _numeric(ref.reindex(list(matrix.columns)))
    if (bad | blank).any():
        p.add(
            "reference",
            "reference totals that are blank or not numbers",
            list(matrix.columns[bad | blank]),
        )
    elif (vals < 0).any():
        p.add("reference", "negative reference totals", list(matrix.columns[vals < 0]))
    else:
        used = matrix.to_numpy().sum(axis=0) > 0
        zero = (vals <= 0) & used
        if zero.any():
            p.add(
                "reference",
                "reference total is 0 for industries the units have",
                list(matrix.columns[zero]),
            )
    p.raise_if_any()
    return vals


def unit_weights(
    base: Mapping[str, float] | pd.Series | None, matrix: pd.DataFrame, *, what: str
) -> np.ndarray:
    """Per-unit base distribution (default: each unit's total activity), aligned to the index."""
    if base is None:
        return matrix.to_numpy().sum(axis=1)
    ser = pd.Series(base)
    ser.index = [str(i) for i in ser.index]
    p = Problems()
    absent = [u for u in matrix.index if u not in ser.index]
    if absent:
        p.add("base", f"units with no base value for {what}", absent)
    p.raise_if_any()
    vals, blank, bad = _numeric(ser.reindex(list(matrix.index)))
    if (bad | blank).any():
        p.add("base", "base values that are blank or not numbers", list(matrix.index[bad | blank]))
    elif (vals < 0).any():
        p.add("base", "negative base values", list(matrix.index[vals < 0]))
    elif vals.sum() <= 0:
        p.add("base", "the base values sum to 0")
    p.raise_if_any()
    return vals
