"""An attacker's audit of what ``metrocircle od`` writes: the feasible range of every
suppressed OD cell under everything published, by linear programming.

The attacker is strong: besides every written file (od.csv, units.csv, accounting.json) and
the market shares, they know exactly which pairs are non-zero (which is more than anything
written says). The unknowns are every non-zero cell ``x[p]`` (in the published, expanded unit)
and, per home unit, ``h[i]``, the residents without a work place in the study; all are >= 0.
Every published figure gives an equation, relaxed by half a unit of its last written digit.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linprog

S = "(suppressed)"


def _half_unit(values: pd.Series) -> float:
    """Half a unit of the last digit written (integers: exact)."""
    v = values.dropna().astype(float)
    if v.empty or np.allclose(v, v.round()):
        return 0.0
    return 5e-4


def feasible_ranges(out: Path, truth: pd.DataFrame, *,
                    shares: pd.Series | None = None) -> pd.DataFrame:
    """Min and max of each suppressed cell consistent with everything written to ``out``.

    Parameters
    ----------
    out
        The folder ``metrocircle od`` wrote.
    truth
        ``origin, destination, n``: the true non-zero pairs (sampled people), which the
        attacker is assumed to know the positions (not the values) of.
    shares
        Market share per home unit (or one value for all); ``None`` = no expansion.

    Returns
    -------
    DataFrame ``origin, destination, low, high`` for every pair not published in od.csv.
    """
    od = pd.read_csv(out / "od.csv", dtype={"origin": str, "destination": str},
                     keep_default_na=False, na_values=[""])
    units = pd.read_csv(out / "units.csv", dtype={"unit_id": str}, keep_default_na=False,
                        na_values=[""])
    acc = json.loads((out / "accounting.json").read_text())
    truth = truth.reset_index(drop=True)
    pairs = list(zip(truth["origin"].astype(str), truth["destination"].astype(str),
                     strict=True))
    homes = sorted(set(units.loc[units["residents"].fillna(1) > 0, "unit_id"])
                   | {o for o, _ in pairs})
    nx = len(pairs)
    nv = nx + len(homes)
    hpos = {u: nx + k for k, u in enumerate(homes)}
    share = {u: 1.0 for u in homes}
    if shares is not None:
        share = {u: float(shares if np.isscalar(shares) else shares[u]) for u in homes}
    rows: list[np.ndarray] = []
    lo: list[float] = []
    hi: list[float] = []

    def eq(coef: dict[int, float], value: float, tol: float) -> None:
        a = np.zeros(nv)
        for k, c in coef.items():
            a[k] += c
        rows.append(a)
        lo.append(value - tol)
        hi.append(value + tol)

    cell_tol = _half_unit(od["value"])
    published = od[(od["origin"] != S) & (od["destination"] != S)]
    pub = {(o, d): v for o, d, v in published[["origin", "destination", "value"]].itertuples(
        index=False)}
    index = {p: k for k, p in enumerate(pairs)}
    for p, v in pub.items():
        eq({index[p]: 1.0}, v, cell_tol)
    hidden = [k for k, p in enumerate(pairs) if p not in pub]
    for o, d, v in od[(od["origin"] == S) | (od["destination"] == S)].itertuples(index=False):
        if pd.isna(v):
            continue
        if d == S:
            eq({k: 1.0 for k in hidden if pairs[k][0] == o}, v, cell_tol)
        else:
            eq({k: 1.0 for k in hidden if pairs[k][1] == d}, v, cell_tol)
    tol = _half_unit(units[["residents", "workers"]].stack())
    delta = 5e-7
    for u in units.itertuples(index=False):
        row = [k for k in range(nx) if pairs[k][0] == u.unit_id]
        col = [k for k in range(nx) if pairs[k][1] == u.unit_id]
        if not pd.isna(u.residents):
            coef = {k: 1.0 for k in row}
            if u.unit_id in hpos:
                coef[hpos[u.unit_id]] = 1.0
            eq(coef, u.residents, tol)
        if not pd.isna(u.workers):
            eq({k: 1.0 for k in col}, u.workers, tol)
        for rate, ks in (("commuting_rate_out", row), ("commuting_rate_in", col)):
            r = getattr(u, rate)
            if pd.isna(r) or not ks:
                continue
            # off-diagonal - r * all, within the rounding of r (6 decimals)
            for bound, sign in ((r + delta, 1), (r - delta, -1)):
                a = np.zeros(nv)
                for k in ks:
                    a[k] = (1.0 if pairs[k][0] != pairs[k][1] else 0.0) - bound
                rows.append(sign * a)
                lo.append(-np.inf)
                hi.append(0.0)
    # study totals in sampled people: x / expansion = x * share
    odacc = acc["od"]
    ctol = _half_unit(pd.Series([odacc["commuters"], odacc["commuters_suppressed"]]))
    eq({k: 1.0 for k in range(nx)}, odacc["commuters"], ctol)
    eq({k: 1.0 for k in hidden}, odacc["commuters_suppressed"], ctol)
    if "commuters_sample" in odacc:
        eq({k: share[pairs[k][0]] for k in range(nx)}, odacc["commuters_sample"], 1e-6)
        eq({k: share[pairs[k][0]] for k in hidden}, odacc["commuters_suppressed_sample"], 1e-6)
    users = acc["users"]
    coef = {k: share[pairs[k][0]] for k in range(nx)}
    coef.update({hpos[u]: share[u] for u in homes})
    eq(coef, users["with_home"] - users["home_outside_units"], 1e-6)
    if "with_work" in users:
        # users with a work place in a unit include every commuter of the table
        a = np.zeros(nv)
        for k in range(nx):
            a[k] = share[pairs[k][0]]
        rows.append(a)
        lo.append(-np.inf)
        hi.append(users["with_work"] - users["work_outside_units"] + 1e-6)
    a_ub = np.vstack([np.array(rows), -np.array(rows)])
    b_ub = np.concatenate([np.array(hi), -np.array(lo)])
    finite = np.isfinite(b_ub)
    a_ub, b_ub = a_ub[finite], b_ub[finite]
    out_rows = []
    for k in hidden:
        c = np.zeros(nv)
        c[k] = 1.0
        low = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
        high = linprog(-c, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
        if low.status != 0 or high.status not in (0, 3):
            raise AssertionError(f"the published figures are inconsistent: {low.message} "
                                 f"{high.message}")
        top = np.inf if high.status == 3 else -high.fun
        out_rows.append({"origin": pairs[k][0], "destination": pairs[k][1],
                         "low": low.fun, "high": top})
    return pd.DataFrame(out_rows, columns=["origin", "destination", "low", "high"])
