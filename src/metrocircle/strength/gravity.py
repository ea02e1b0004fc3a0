"""The modified gravity model with a directional coefficient and time distance.

Chinese planning practice (改进引力模型; methods survey section 2.1, source [S27]) measures the
economic connection of two units from their masses and the travel time between them::

    R_ij = k_ij * sqrt(P_i G_i) * sqrt(P_j G_j) / D_ij ** b
    k_ij = G_i / (G_i + G_j)

``P`` and ``G`` are two mass columns of the units table (population and GDP in the standard
form), ``D`` the travel time in minutes and ``b`` the distance-decay exponent (2 by default).
With more or fewer than two mass columns the mass of a unit is their geometric mean
(``sqrt(P G)`` for two, the column itself for one). ``k_ij`` is the share of ``i`` in the
directional mass of the pair, so ``R_ij != R_ji`` and, for a symmetric ``D``,
``R_ij + R_ji`` equals the classic undirected gravity ``M_i M_j / D_ij ** b``
(``directional=False``).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from metrocircle.exceptions import InputError, ParameterError, Problems
from metrocircle.model import schema as S
from metrocircle.model.validation import as_codes, validate_travel_times
from metrocircle.strength._links import STRENGTH, check_choice, check_float

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]
OWNER = "gravity"


def _mass_columns(mass: str | Sequence[str]) -> list[str]:
    cols = [mass] if isinstance(mass, str) else list(mass)
    if not cols or not all(isinstance(c, str) and c for c in cols):
        raise ParameterError(
            "The 'mass' parameter of gravity must be a column name or a non-empty list of "
            f"column names. Got {mass!r}."
        )
    if len(set(cols)) != len(cols):
        raise ParameterError(f"The 'mass' parameter of gravity names a column twice. Got {mass!r}.")
    return cols


def _positions(index: pd.Index, codes: pd.Series) -> np.ndarray:
    """Position of every code in ``index`` (-1 if absent), matching each distinct code once."""
    keys, uniques = pd.factorize(codes, use_na_sentinel=True)
    where = index.get_indexer(pd.Index(uniques, dtype="string"))
    return np.where(keys >= 0, where[keys], -1)


def gravity(
    units: pd.DataFrame,
    travel_times: pd.DataFrame,
    *,
    mass: str | Sequence[str] = ("population", "gdp"),
    direction_mass: str | None = None,
    b: float = 2.0,
    directional: bool = True,
    on_missing: str = "error",
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Connection strength of every pair of units by the modified gravity model.

    Parameters
    ----------
    units
        Units table with ``unit_id`` and the mass columns.
    travel_times
        Long table ``origin, destination, minutes`` (as written by ``metrocircle access``).
        Every listed pair of two different units gets a strength; pairs of a unit with itself
        are skipped (counted in ``info``). An empty ``minutes`` means unreachable: strength 0,
        counted.
    mass
        Column(s) of ``units`` whose geometric mean is the unit's mass: ``("population",
        "gdp")`` gives ``sqrt(P_i G_i)``. Values must be positive numbers.
    direction_mass
        Column used in the directional coefficient ``k_ij = G_i / (G_i + G_j)``; default the
        last ``mass`` column (``G``). Must be one of the mass columns or another positive column.
    b
        Distance-decay exponent, ``b >= 0`` (0: no decay).
    directional
        True (default): ``R_ij = k_ij M_i M_j / D_ij^b``. False: the symmetric model
        ``R_ij = R_ji = M_i M_j / Dbar_ij^b`` with ``Dbar_ij`` the mean of the two directions'
        minutes where both are listed (the listed one otherwise).
    on_missing
        ``"error"`` (default): a missing mass is a problem. ``"drop"``: units with a missing
        mass are left out with every pair they belong to; they are listed in
        ``result.attrs["info"]["dropped_units"]``.
    progress
        Optional ``progress(step, fraction)`` callback.

    Returns
    -------
    pandas.DataFrame
        ``origin, destination, strength`` in the order of ``travel_times`` (self pairs and
        pairs of dropped units removed). ``attrs["info"]`` holds the parameters and counts.

    Raises
    ------
    ParameterError
        ``b``, ``mass``, ``directional`` or ``on_missing`` out of range.
    InputError
        One error listing every problem: mass columns absent, missing, non-numeric or
        non-positive masses (with the unit codes), duplicate unit codes, unknown codes in the
        travel times, non-positive minutes between two different units.

    Examples
    --------
    >>> import pandas as pd
    >>> units = pd.DataFrame({"unit_id": ["A", "B"], "population": [4.0, 1.0],
    ...                       "gdp": [1.0, 4.0]})
    >>> tt = pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "A"],
    ...                    "minutes": [2.0, 2.0]})
    >>> gravity(units, tt)
      origin destination  strength
    0      A           B       0.2
    1      B           A       0.8
    """
    cols = _mass_columns(mass)
    gcol = direction_mass if direction_mass is not None else cols[-1]
    if not isinstance(gcol, str) or not gcol:
        raise ParameterError(
            f"The 'direction_mass' parameter of gravity must be a column name. Got {gcol!r}."
        )
    b = check_float(b, "b", OWNER, low=0.0)
    if not isinstance(directional, bool | np.bool_):
        raise ParameterError(
            f"The 'directional' parameter of gravity must be True or False. Got {directional!r}."
        )
    on_missing = check_choice(on_missing, "on_missing", OWNER, ("error", "drop"))
    if not isinstance(units, pd.DataFrame) or not isinstance(travel_times, pd.DataFrame):
        raise ParameterError(
            "The 'units' and 'travel_times' parameters of gravity must be DataFrames."
        )

    p = Problems()
    needed = list(dict.fromkeys([*cols, gcol])) if directional else cols
    missing_cols = [c for c in [S.UNIT_ID, *needed] if c not in units.columns]
    if missing_cols:
        have = ", ".join(map(str, units.columns))
        p.add(
            "units",
            f"missing column(s) {', '.join(repr(c) for c in missing_cols)} needed for the "
            f"masses; the table has: {have}",
        )
        # the travel times can still be checked for their own problems
        validate_travel_times(travel_times, problems=p)
        p.raise_if_any()

    codes = as_codes(units[S.UNIT_ID]).reset_index(drop=True)
    blank = codes.isna() | (codes.fillna("") == "")
    if blank.any():
        p.add(
            "units",
            "missing unit code in column 'unit_id'",
            [f"row {i + 1}" for i in np.flatnonzero(blank)],
        )
    dup = codes.duplicated(keep=False) & ~blank
    if dup.any():
        p.add("units", "duplicate unit code(s)", sorted(set(codes[dup])))

    masses = {}
    missing_units: set[str] = set()
    for c in needed:
        raw = units[c].reset_index(drop=True)
        num = pd.to_numeric(
            raw.astype("string").str.strip() if not pd.api.types.is_numeric_dtype(raw) else raw,
            errors="coerce",
        ).astype("float64")
        arr = num.to_numpy(dtype=float, na_value=np.nan)
        isna_raw = (
            raw.isna().to_numpy() | (raw.astype("string").str.strip() == "").fillna(True).to_numpy()
        )
        non_numeric = ~isna_raw & np.isnan(arr)
        if non_numeric.any():
            p.add("units", f"non-numeric mass in column '{c}'", list(codes[non_numeric]))
        if isna_raw.any():
            missing_units |= set(codes[isna_raw])
            if on_missing == "error":
                p.add(
                    "units",
                    f"missing mass in column '{c}' ({int(isna_raw.sum())} of {len(raw)} units; "
                    "give another mass column, fill the values, or use on_missing='drop')",
                    list(codes[isna_raw]),
                )
        bad = ~np.isnan(arr) & ~(np.isfinite(arr) & (arr > 0))
        if bad.any():
            p.add(
                "units", f"mass must be a positive finite number in column '{c}'", list(codes[bad])
            )
        masses[c] = arr

    universe = set(codes.dropna())
    tt = validate_travel_times(travel_times, universe=universe, problems=p)
    if S.MINUTES in tt.columns and S.ORIGIN in tt.columns:
        off = (tt[S.ORIGIN] != tt[S.DESTINATION]).to_numpy(dtype=bool, na_value=True)
        minutes = tt[S.MINUTES].to_numpy(dtype=float, na_value=np.nan)
        zero = off & (minutes == 0)  # negative minutes are reported by the validator
        if zero.any():
            pairs = tt.loc[zero, [S.ORIGIN, S.DESTINATION]].head(5)
            shown = "; ".join(f"{o}->{d}" for o, d in pairs.itertuples(index=False))
            p.add(
                "travel_times",
                f"travel time of 0 minutes between two different units (e.g. {shown}); "
                "the gravity model divides by it",
                [f"row {i + 1}" for i in np.flatnonzero(zero)],
            )
    p.raise_if_any()
    if progress:
        progress("gravity", 0.1)

    keep = ~codes.isin(missing_units).to_numpy()
    index = pd.Index(codes[keep].to_numpy(), dtype="string")
    if len(index) == 0:
        raise InputError("no unit has every mass column filled; nothing to compute")
    stacked = np.column_stack([masses[c][keep] for c in cols])
    m = np.exp(np.log(stacked).mean(axis=1))  # geometric mean of the mass columns
    g = masses[gcol][keep] if directional else None

    o = _positions(index, tt[S.ORIGIN])
    d = _positions(index, tt[S.DESTINATION])
    minutes = tt[S.MINUTES].to_numpy(dtype=float, na_value=np.nan)
    self_pair = (o == d) & (o >= 0)
    dropped_pair = (o < 0) | (d < 0)
    use = ~self_pair & ~dropped_pair
    o, d, t = o[use], d[use], minutes[use]
    if not directional:
        n = len(index)
        tm = np.full((n, n), np.nan)
        tm[o, d] = t
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN pairs stay NaN
            t = np.nanmean(np.stack([tm[o, d], tm[d, o]]), axis=0)
    unreachable = np.isnan(t)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = m[o] * m[d] / np.power(t, b)
    if directional:
        assert g is not None
        r = r * (g[o] / (g[o] + g[d]))
    r = np.where(unreachable, 0.0, r)
    # the code columns are taken from the input as they are (no per-row string conversion)
    out = tt.loc[use, [S.ORIGIN, S.DESTINATION]].reset_index(drop=True)
    out[STRENGTH] = r
    dropped = sorted(missing_units) if on_missing == "drop" else []
    if dropped:
        log.warning(
            "gravity: %d unit(s) without a mass left out (on_missing='drop'): %s",
            len(dropped),
            ", ".join(dropped[:10]),
        )
    out.attrs["info"] = {
        "model": "modified gravity R_ij = k_ij * M_i * M_j / D_ij^b",
        "mass_columns": cols,
        "mass": "geometric mean of the mass columns",
        "direction_mass": gcol if directional else None,
        "directional": bool(directional),
        "b": b,
        "units": int(len(index)),
        "pairs": int(len(out)),
        "self_pairs_skipped": int(self_pair.sum()),
        "unreachable_pairs_zero": int(unreachable.sum()),
        "on_missing": on_missing,
        "dropped_units": dropped,
        "dropped_unit_reason": "missing mass" if dropped else None,
        "pairs_dropped_with_units": int(dropped_pair.sum()),
    }
    if progress:
        progress("gravity", 1.0)
    return out


__all__ = ["gravity"]
