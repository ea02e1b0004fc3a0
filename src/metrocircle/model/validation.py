"""Validation of every input table: collect all problems, raise once.

Each ``validate_*`` function takes a DataFrame already renamed to the data model's columns,
returns a clean copy (codes as strings, numbers as floats) and raises one
:class:`~metrocircle.InputError` that lists every problem with the rows or units it concerns.
Nothing is dropped here: a table either passes whole or the caller gets the full list.

Rows are reported as ``line N`` (the line of a CSV file, header = line 1) when the caller says
the table came from CSV, otherwise as ``row N`` (1 = first record).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence

import numpy as np
import pandas as pd

from metrocircle.exceptions import InputError, Problems
from metrocircle.model import schema as S

log = logging.getLogger(__name__)


class RowLabels:
    """Turns positions into the labels users see: ``line 5`` (CSV) or ``row 4``."""

    def __init__(self, line_offset: int | None = None):
        self.line_offset = line_offset

    def __call__(self, positions: Iterable[int]) -> list[str]:
        if self.line_offset is None:
            return [f"row {int(p) + 1}" for p in positions]
        return [f"line {int(p) + self.line_offset}" for p in positions]


def _missing_columns(
    df: pd.DataFrame, required: Sequence[str], source: str, p: Problems, hint: str = ""
) -> bool:
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
) -> tuple[Problems, RowLabels, bool]:
    """The opening every ``validate_*`` function shares.

    Returns the problem collector (the caller's ``problems``, or a new one when the function is
    used standalone), the row labels, and whether ``df`` has the ``required`` columns. Missing
    columns are recorded; standalone, they are raised at once, since no further check can run.
    """
    p = problems if problems is not None else Problems()
    if _missing_columns(df, required, source, p, hint):
        _raise_if_standalone(p, problems)
        return p, RowLabels(line_offset), False
    return p, RowLabels(line_offset), True


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
    """Unit codes as strings: integers stay without a decimal point, text is stripped."""
    if pd.api.types.is_float_dtype(series):
        whole = series.dropna()
        if len(whole) and (whole == np.floor(whole)).all() and (whole.abs() < 2**53).all():
            series = series.astype("Int64")
    if pd.api.types.is_integer_dtype(series):
        return series.astype("string")
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
    """Parse a column as float and record missing, non-numeric, negative, infinite cells."""
    blank = _blank(series)
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
        examples = ", ".join(repr(str(series.iloc[i])) for i in pos[:3])
        p.add(source, f"non-numeric value in column '{column}' (e.g. {examples})", labels(pos))
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
    return values


def _codes(df: pd.DataFrame, column: str, source: str, labels: RowLabels, p: Problems) -> pd.Series:
    codes = as_codes(df[column])
    # empty = NA or nothing left after stripping: the same cells _blank finds, read off the
    # stripped codes instead of stripping the column a second time
    blank = codes.isna().to_numpy() | (codes == "").fillna(False).to_numpy(dtype=bool)
    if blank.any():
        p.add(source, f"missing unit code in column '{column}'", labels(np.flatnonzero(blank)))
    return codes


def _duplicates(codes: pd.Series, source: str, what: str, labels: RowLabels, p: Problems) -> None:
    """Record codes that appear more than once (missing codes are reported as missing)."""
    dup = (
        codes.duplicated(keep=False).to_numpy(dtype=bool, na_value=False) & codes.notna().to_numpy()
    )
    if dup.any():
        names = sorted(set(codes[dup].astype(str)))
        p.add(source, f"{what}: {', '.join(names[:10])}", labels(np.flatnonzero(dup)))


def _unknown(
    codes: pd.Series,
    universe: Collection[str] | None,
    source: str,
    column: str,
    labels: RowLabels,
    p: Problems,
    external: Sequence[str] = (),
) -> None:
    if universe is None:
        return
    known = codes.isin(universe) | codes.isna()
    if external:
        known |= codes.isin(list(external))
    bad = ~known.to_numpy(dtype=bool, na_value=True)
    if bad.any():
        pos = np.flatnonzero(bad)
        names = sorted(set(codes.iloc[pos].astype(str)))
        shown = ", ".join(names[:10]) + (f", ... ({len(names)} codes)" if len(names) > 10 else "")
        p.add(
            source,
            f"unknown unit code(s) in column '{column}' (not in units): {shown}",
            labels(pos),
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


def validate_flows(
    flows: pd.DataFrame,
    *,
    universe: Collection[str] | None = None,
    external: Sequence[str] = (),
    source: str = "flows",
    line_offset: int | None = None,
    problems: Problems | None = None,
    keep_suppressed: bool = False,
) -> pd.DataFrame:
    """Check a flow table and return it clean (``origin, destination, value[, layer, kind,
    source][, moe]``).

    ``moe``, when present, is the margin of error of each flow (e.g. the ACS's 90 % margin):
    checked like ``value`` and kept.

    Problems found: missing columns, missing or non-numeric or negative or infinite values,
    missing codes, codes not in ``universe`` (unless listed in ``external``, e.g. places abroad
    that count in the denominators), duplicate pairs (per layer), and layer labels (``kind``,
    ``source``) outside their vocabulary or not constant within a layer.

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
    p, labels, has_columns = _start(
        flows,
        S.FLOW_COLUMNS,
        source=source,
        line_offset=line_offset,
        problems=problems,
        hint=" (map yours with --origin-col, --destination-col, --value-col)",
    )
    if not has_columns:
        return flows
    out = pd.DataFrame(index=pd.RangeIndex(len(flows)))
    out[S.ORIGIN] = as_text_column(_codes(flows, S.ORIGIN, source, labels, p))
    out[S.DESTINATION] = as_text_column(_codes(flows, S.DESTINATION, source, labels, p))
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
    _unknown(out[S.ORIGIN], universe, source, "origin", labels, p, external)
    _unknown(out[S.DESTINATION], universe, source, "destination", labels, p, external)
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
    units: pd.DataFrame,
    *,
    source: str = "units",
    line_offset: int | None = None,
    problems: Problems | None = None,
) -> pd.DataFrame:
    """Check a unit table: ``unit_id`` present, unique and non-empty; known numeric attributes
    numeric and non-negative; shares in [0, 1]; ``parent_id`` codes as strings; geometry valid
    and with a CRS when present. Returns a clean copy (a GeoDataFrame stays one)."""
    p, labels, has_columns = _start(
        units,
        [S.UNIT_ID],
        source=source,
        line_offset=line_offset,
        problems=problems,
        hint=" (map yours with --units-id-col)",
    )
    if not has_columns:
        return units
    out = units.copy()
    out.index = pd.RangeIndex(len(out))
    out[S.UNIT_ID] = _codes(out, S.UNIT_ID, source, labels, p)
    _duplicates(out[S.UNIT_ID], source, "duplicate unit code(s)", labels, p)
    if "parent_id" in out.columns:
        out["parent_id"] = as_codes(out["parent_id"])
    for col in S.NUMERIC_UNIT_ATTRIBUTES:
        if col in out.columns:
            out[col] = _numeric(out[col], source, col, labels, p, allow_missing=True).to_numpy()
    for col in S.SHARE_UNIT_ATTRIBUTES:
        if col in out.columns:
            out[col] = _numeric(
                out[col], source, col, labels, p, allow_missing=True, upper=1.0
            ).to_numpy()
    if S.GEOMETRY in out.columns and hasattr(out, "crs"):
        check_geometry(out, source=source, labels=labels, problems=p)
    _raise_if_standalone(p, problems)
    return out


def check_geometry(
    gdf: pd.DataFrame, *, source: str, labels: RowLabels, problems: Problems
) -> None:
    """Record missing, empty and invalid geometries and a missing CRS."""
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
    if getattr(gdf, "crs", None) is None:
        problems.add(source, "geometry has no coordinate reference system (CRS)")


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
    cores: pd.DataFrame,
    *,
    universe: Collection[str] | None = None,
    source: str = "cores",
    line_offset: int | None = None,
    problems: Problems | None = None,
) -> pd.DataFrame:
    """Check cores: ``unit_id, area_id`` (and optional ``core_group``); a unit may be the core
    of one area only; codes must be known units."""
    p, labels, has_columns = _start(
        cores, S.CORE_COLUMNS, source=source, line_offset=line_offset, problems=problems
    )
    if not has_columns:
        return cores
    out = pd.DataFrame(index=pd.RangeIndex(len(cores)))
    out[S.UNIT_ID] = as_text_column(_codes(cores, S.UNIT_ID, source, labels, p))
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
    _unknown(out[S.UNIT_ID], universe, source, S.UNIT_ID, labels, p)
    _raise_if_standalone(p, problems)
    return out


def validate_adjacency(
    adjacency: pd.DataFrame,
    *,
    universe: Collection[str] | None = None,
    source: str = "adjacency",
    line_offset: int | None = None,
    problems: Problems | None = None,
) -> pd.DataFrame:
    """Check adjacency pairs (``unit_a, unit_b``) and return them as sorted unique pairs.

    Pairs listed in both directions are the same neighbourhood and kept once; a unit paired
    with itself and unknown codes are problems.
    """
    p, labels, has_columns = _start(
        adjacency, S.ADJACENCY_COLUMNS, source=source, line_offset=line_offset, problems=problems
    )
    if not has_columns:
        return adjacency
    a = _codes(adjacency, S.UNIT_A, source, labels, p)
    b = _codes(adjacency, S.UNIT_B, source, labels, p)
    same = (a == b).to_numpy(dtype=bool, na_value=False)
    if same.any():
        p.add(source, "a unit is paired with itself", labels(np.flatnonzero(same)))
    _unknown(a, universe, source, S.UNIT_A, labels, p)
    _unknown(b, universe, source, S.UNIT_B, labels, p)
    _raise_if_standalone(p, problems)
    if p:  # collected for a joint error; the pairs are not used
        return adjacency
    a_text, b_text = a.to_numpy(dtype=object), b.to_numpy(dtype=object)
    first = a_text <= b_text
    lo = np.where(first, a_text, b_text)
    hi = np.where(first, b_text, a_text)
    out = pd.DataFrame(
        {S.UNIT_A: pd.array(lo, dtype="string"), S.UNIT_B: pd.array(hi, dtype="string")}
    )
    return out.drop_duplicates().reset_index(drop=True)


def validate_travel_times(
    travel_times: pd.DataFrame,
    *,
    universe: Collection[str] | None = None,
    source: str = "travel_times",
    line_offset: int | None = None,
    problems: Problems | None = None,
) -> pd.DataFrame:
    """Check a travel-time table (``origin, destination, minutes``). An empty ``minutes`` means
    unreachable (kept as NaN, never as a silent infinity); negative or non-numeric is a problem."""
    p, labels, has_columns = _start(
        travel_times,
        S.TRAVEL_TIME_COLUMNS,
        source=source,
        line_offset=line_offset,
        problems=problems,
    )
    if not has_columns:
        return travel_times
    out = pd.DataFrame(index=pd.RangeIndex(len(travel_times)))
    out[S.ORIGIN] = as_text_column(_codes(travel_times, S.ORIGIN, source, labels, p))
    out[S.DESTINATION] = as_text_column(_codes(travel_times, S.DESTINATION, source, labels, p))
    out[S.MINUTES] = _numeric(
        travel_times[S.MINUTES], source, S.MINUTES, labels, p, allow_missing=True
    ).to_numpy()
    dup = out.duplicated([S.ORIGIN, S.DESTINATION], keep=False).to_numpy()
    if dup.any():
        p.add(source, "duplicate origin-destination pair(s)", labels(np.flatnonzero(dup)))
    _unknown(out[S.ORIGIN], universe, source, "origin", labels, p)
    _unknown(out[S.DESTINATION], universe, source, "destination", labels, p)
    _raise_if_standalone(p, problems)
    return out


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
    flows: pd.DataFrame,
    *,
    units: pd.DataFrame | None = None,
    cores: pd.DataFrame | None = None,
    adjacency: pd.DataFrame | None = None,
    travel_times: pd.DataFrame | None = None,
    external: Sequence[str] = (),
    keep_suppressed: bool = False,
) -> tuple[
    pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None
]:
    """Validate the tables of one run together and raise once with every problem.

    Codes in cores, adjacency and travel times must be units; flows may also name ``external``
    places (e.g. ``FOREIGN_CANADA``), which count in denominators but are never units. Without a
    unit table, the units are every code that appears in the flows (never ``(suppressed)``;
    ``keep_suppressed``: see :func:`validate_flows`).
    """
    p = Problems()
    if units is not None:
        units = validate_units(units, problems=p)
    universe: set[str] | None = None
    if units is not None and S.UNIT_ID in units.columns:
        universe = set(units[S.UNIT_ID].dropna().astype(str))
    flows = validate_flows(flows, universe=universe, external=external, problems=p,
                           keep_suppressed=keep_suppressed)
    if universe is None and S.ORIGIN in flows.columns:
        universe = (set(flows[S.ORIGIN].dropna().astype(str)) | set(
            flows[S.DESTINATION].dropna().astype(str)
        )) - {S.SUPPRESSED}
    if cores is not None:
        cores = validate_cores(cores, universe=universe, problems=p)
    if adjacency is not None:
        adjacency = validate_adjacency(adjacency, universe=universe, problems=p)
    if travel_times is not None:
        travel_times = validate_travel_times(travel_times, universe=universe, problems=p)
    p.raise_if_any()
    return flows, units, cores, adjacency, travel_times


__all__ = [
    "InputError",
    "RowLabels",
    "as_codes",
    "as_text_column",
    "check_geometry",
    "check_same_crs",
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
