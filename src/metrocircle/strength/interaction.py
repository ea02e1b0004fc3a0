"""Constrained spatial-interaction (gravity) models of flows between units.

Flows that a region does not observe (road passengers, freight, enterprise investment) are
commonly modelled from the units' masses and the cost of travel between them (Wilson 1967,
1971; methods survey section 2.1.1)::

    T_ij = A_i O_i B_j D_j f(c_ij)

``O_i`` is what unit ``i`` produces (trips made, goods shipped, capital invested), ``D_j`` what
unit ``j`` attracts, ``c_ij`` the travel time in minutes and ``f`` the deterrence function,
``c ** -beta`` (power, the default, scale-free: minutes or hours give the same flows) or
``exp(-beta c)`` (exponential). The balancing factors make the flows respect what is known:

* ``constraint="production"``: ``B_j = 1``, ``A_i = 1 / sum_j D_j f(c_ij)`` - every unit
  sends exactly ``O_i``;
* ``constraint="attraction"``: ``A_i = 1``, ``B_j = 1 / sum_i O_i f(c_ij)`` - every unit
  receives exactly ``D_j``;
* ``constraint="doubly"``: both, found by iterative proportional fitting (Furness), so that
  every unit sends ``O_i`` and receives ``D_j``. The totals must agree: ``D`` is rescaled to
  the total of ``O`` (the factor is reported in ``info``).

The diagonal (flows inside a unit) takes part when ``intrazonal=`` names a column of the unit
table holding each unit's internal travel time; otherwise it is left out and units only
interact with others. Pairs the travel-time table does not list, or lists as unreachable
(empty minutes), get no flow.

Examples
--------
>>> import pandas as pd
>>> from metrocircle.strength import spatial_interaction
>>> units = pd.DataFrame({"unit_id": ["A", "B", "C"], "pop": [100.0, 100.0, 100.0]})
>>> tt = pd.DataFrame({"origin": ["A", "B", "A", "C", "B", "C"],
...                    "destination": ["B", "A", "C", "A", "C", "B"],
...                    "minutes": [10.0, 10.0, 20.0, 20.0, 20.0, 20.0]})
>>> t = spatial_interaction(units, tt, production="pop", attraction="pop",
...                         constraint="production", beta=2.0)
>>> t.round(1)
  origin destination  value
0      A           B   80.0
1      A           C   20.0
2      B           A   80.0
3      B           C   20.0
4      C           A   50.0
5      C           B   50.0
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from metrocircle.exceptions import (
    InputError,
    MetrocircleWarning,
    ParameterError,
    Problem,
    Problems,
)
from metrocircle.model import schema as S
from metrocircle.model.validation import as_codes, validate_travel_times
from metrocircle.strength._links import check_choice, check_float

log = logging.getLogger(__name__)

OWNER = "spatial_interaction"
CONSTRAINTS = ("production", "attraction", "doubly")
DETERRENCE = ("power", "exponential")


def spatial_interaction(
    units: pd.DataFrame,
    travel_times: pd.DataFrame,
    *,
    production: str,
    attraction: str,
    constraint: str = "doubly",
    deterrence: str = "power",
    beta: float = 2.0,
    intrazonal: str | None = None,
    max_iterations: int = 1000,
    tolerance: float = 1e-9,
) -> pd.DataFrame:
    """Flows between units by a constrained gravity model (see the module notes).

    Parameters
    ----------
    units
        ``unit_id`` and the mass columns (numbers >= 0, no missing value).
    travel_times
        ``origin, destination, minutes`` between different units (> 0 minutes).
    production, attraction
        Columns of ``units`` with ``O_i`` and ``D_j``.
    constraint
        ``"doubly"`` (default), ``"production"`` or ``"attraction"``.
    deterrence, beta
        ``f(c) = c ** -beta`` (``"power"``, default, ``beta = 2``) or ``exp(-beta c)``.
    intrazonal
        Column of ``units`` with each unit's internal travel time in minutes (> 0); the
        diagonal then takes part. None (default): no flow inside a unit.
    max_iterations, tolerance
        Of the Furness iteration (doubly constrained): it stops when every row and column
        total is within ``tolerance`` (relative) of its target; a run that does not converge
        warns and says so in ``info``.

    Returns
    -------
    pandas.DataFrame
        ``origin, destination, value`` for every pair with a flow (code order);
        ``attrs["info"]`` holds the constraint, deterrence, iterations, convergence, the
        totals and the rescaling of ``D``.
    """
    constraint = check_choice(constraint, "constraint", OWNER, CONSTRAINTS)
    deterrence = check_choice(deterrence, "deterrence", OWNER, DETERRENCE)
    beta = check_float(beta, "beta", OWNER, low=0.0)
    tolerance = check_float(tolerance, "tolerance", OWNER, low=0.0, low_open=True)
    if isinstance(max_iterations, bool) or not isinstance(max_iterations, int) \
            or max_iterations < 1:
        raise ParameterError(f"The 'max_iterations' parameter of {OWNER} must be an int >= 1. "
                             f"Got {max_iterations!r}.")
    p = Problems()
    needed = [S.UNIT_ID, production, attraction] + ([intrazonal] if intrazonal else [])
    missing = [c for c in dict.fromkeys(needed) if c not in units.columns]
    if missing:
        p.add("units", f"missing column(s) {', '.join(map(repr, missing))}")
        p.raise_if_any()
    codes = as_codes(units[S.UNIT_ID])
    dup = codes.duplicated(keep=False).to_numpy(dtype=bool)
    if dup.any():
        p.add("units", "duplicate unit code(s)", sorted(set(codes[dup].astype(str))))
    masses = {}
    for col in dict.fromkeys([production, attraction] + ([intrazonal] if intrazonal else [])):
        v = pd.to_numeric(units[col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(v) | (v < 0)
        if col == intrazonal:
            bad |= v <= 0
        if bad.any():
            what = "a number > 0" if col == intrazonal else "a number >= 0"
            p.add("units", f"column '{col}' must be {what} for every unit",
                  codes[bad].astype(str).tolist())
        masses[col] = np.nan_to_num(v)
    universe = set(codes.astype(str))
    tt = validate_travel_times(travel_times, universe=universe, problems=p)
    p.raise_if_any()
    index = pd.Index(codes.astype(str).to_numpy(), dtype="string")
    n = len(index)
    o = index.get_indexer(tt[S.ORIGIN])
    d = index.get_indexer(tt[S.DESTINATION])
    m = tt[S.MINUTES].to_numpy(dtype=float)
    off = o != d
    zero = off & (m <= 0)
    if zero.any():
        pairs = tt.loc[zero, [S.ORIGIN, S.DESTINATION]].itertuples(index=False)
        raise InputError([Problem("travel_times", "0 minutes between two different units",
                                  [f"{a}->{b}" for a, b in pairs])])
    cost = np.full((n, n), np.nan)
    keep = off & np.isfinite(m)
    cost[o[keep], d[keep]] = m[keep]
    if intrazonal:
        np.fill_diagonal(cost, masses[intrazonal])
    with np.errstate(divide="ignore", over="ignore"):
        f = np.where(np.isfinite(cost),
                     cost ** -beta if deterrence == "power" else np.exp(-beta * cost), 0.0)
    f = np.nan_to_num(f, nan=0.0, posinf=0.0)
    o_mass, d_mass = masses[production], masses[attraction]
    info: dict = {"constraint": constraint, "deterrence": deterrence, "beta": beta,
                  "intrazonal": intrazonal, "units": n,
                  "pairs_with_cost": int(np.count_nonzero(f))}
    flows = _balance(o_mass, d_mass, f, constraint, max_iterations, tolerance, index, info)
    r, c = np.nonzero(flows > 0)
    out = pd.DataFrame({S.ORIGIN: pd.array(index.to_numpy()[r], dtype="string"),
                        S.DESTINATION: pd.array(index.to_numpy()[c], dtype="string"),
                        S.VALUE: flows[r, c]})
    order = np.lexsort((out[S.DESTINATION].to_numpy(dtype=str),
                        out[S.ORIGIN].to_numpy(dtype=str)))
    out = out.iloc[order].reset_index(drop=True)
    info["total"] = float(flows.sum())
    out.attrs["info"] = info
    return out


def _balance(o: np.ndarray, d: np.ndarray, f: np.ndarray, constraint: str, max_iter: int,
             tol: float, index: pd.Index, info: dict) -> np.ndarray:
    """Apply the constraint; returns the flow matrix."""
    p = Problems()
    if constraint in ("production", "doubly"):
        stuck = (o > 0) & ((f * d[None, :]).sum(axis=1) <= 0)
        if stuck.any():
            p.add("units", "unit(s) that produce flows but reach no unit that attracts any "
                  "(no travel time to one)", index[stuck].tolist())
    if constraint in ("attraction", "doubly"):
        stuck = (d > 0) & ((f * o[:, None]).sum(axis=0) <= 0)
        if stuck.any():
            p.add("units", "unit(s) that attract flows but are reached by no unit that "
                  "produces any (no travel time from one)", index[stuck].tolist())
    p.raise_if_any()
    if constraint == "production":
        w = f * d[None, :]
        rows = w.sum(axis=1, keepdims=True)
        info.update(iterations=0, converged=True)
        return np.divide(w, rows, out=np.zeros_like(w), where=rows > 0) * o[:, None]
    if constraint == "attraction":
        w = f * o[:, None]
        cols = w.sum(axis=0, keepdims=True)
        info.update(iterations=0, converged=True)
        return np.divide(w, cols, out=np.zeros_like(w), where=cols > 0) * d[None, :]
    total_o, total_d = o.sum(), d.sum()
    if total_o <= 0 or total_d <= 0:
        raise InputError("spatial_interaction: the production and attraction totals must be > 0")
    scale = total_o / total_d
    d = d * scale
    info["attraction_rescaled_by"] = float(scale)
    t = f * o[:, None] * d[None, :]
    converged = False
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        rows = t.sum(axis=1)
        t *= np.divide(o, rows, out=np.zeros_like(o), where=rows > 0)[:, None]
        cols = t.sum(axis=0)
        t *= np.divide(d, cols, out=np.zeros_like(d), where=cols > 0)[None, :]
        rows = t.sum(axis=1)
        err = np.max(np.abs(rows - o) / np.maximum(o, 1e-300), initial=0.0)
        if err <= tol:
            converged = True
            break
    info.update(iterations=it, converged=converged)
    if not converged:
        warnings.warn(f"spatial_interaction: the doubly constrained model did not converge in "
                      f"{max_iter} iterations (largest row error {err:.2e}); its row totals "
                      "are approximate", MetrocircleWarning, stacklevel=3)
    return t
