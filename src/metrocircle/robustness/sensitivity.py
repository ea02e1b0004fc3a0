"""Sensitivity of a delineation to its parameters: one method run over a grid of values.

The inputs are checked and prepared once (:meth:`~metrocircle.delineate.DelineationMethod.
prepare`); every run reads the flow shares of each set of cores from the prepared context
instead of computing them again (they do not change with the threshold), and gives exactly what
a plain run with the same parameters gives.

The *reference* run is the one with the given parameters (defaults filled in): each unit's
*placement* there (its status and area) is its current placement. Along each varied parameter,
holding the other one at its reference value, a unit keeps its placement over an interval of
values around the reference value; the nearest value outside that interval is where it flips.

Examples
--------
>>> from metrocircle.datasets import us_cbsa
>>> from metrocircle.robustness import sensitivity
>>> s = sensitivity("omb-cbsa", us_cbsa.load_flows(), units=us_cbsa.load_units(),
...                 cores=us_cbsa.load_cores(), adjacency=us_cbsa.load_adjacency(),
...                 external=us_cbsa.EXTERNAL_CODES, vary={"threshold": "0.20:0.30:0.05"})
>>> s.runs.set_index("threshold")["n_members"].to_dict()
{0.2: 765, 0.25: 578, 0.3: 402}
>>> row = s.units.set_index("unit_id").loc["24035"]  # Queen Anne's County, MD: 26 % to Baltimore
>>> row["area_id"], float(row["threshold_stable_to"]), float(row["threshold_nearest_flip"])
('12580', 0.25, 0.3)
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.delineate.base import DelineationResult, ProgressCallback
from metrocircle.exceptions import ParameterError
from metrocircle.robustness._inputs import prepare_inputs, unit_names
from metrocircle.robustness.grid import Vary, parse_vary

logger = logging.getLogger(__name__)


@dataclass
class SensitivityResult:
    """What :func:`sensitivity` returns.

    Attributes
    ----------
    method, params
        The method and the reference parameters (every parameter, defaults filled in).
    vary
        The varied parameters and their values.
    units
        One row per unit: its reference placement (``status``, ``area_id``, ``value``), the
        share of the grid's runs in which it is in an area (``in_area_share``) and in which it
        keeps its reference placement (``same_share``), then for each varied parameter ``P``:
        ``P_stable_from`` and ``P_stable_to`` (the interval of values around the reference
        value over which it keeps its placement), ``P_flip_below`` and ``P_flip_above`` (the
        nearest values outside it), ``P_nearest_flip`` (the closer of the two; the lower one
        on a tie) and ``P_flip_status``, ``P_flip_area_id`` (its placement there).
    areas
        One row per area and run: the run's parameter values and the area's ``n_units``,
        ``n_core``, ``n_members``, employed residents, jobs and the sums of the units' numeric
        attributes.
    runs
        One row per run: ``run``, the parameter values, ``in_grid`` (False for runs added on
        the axes through the reference point), ``reference``, ``n_areas``, ``n_in_area``,
        ``n_members``, ``n_outside``, ``n_changed`` (units placed otherwise than in the
        reference run) and ``seconds``.
    memberships
        One row per run and unit: ``run``, ``unit_id``, ``area_id``, ``status``, ``value``.
    reference
        The full result of the reference run.
    results
        The full result of every run, by run number, when asked for (``keep_results=True``).
    """

    method: str
    params: dict[str, Any]
    vary: list[Vary]
    units: pd.DataFrame
    areas: pd.DataFrame
    runs: pd.DataFrame
    memberships: pd.DataFrame
    reference: DelineationResult
    results: dict[int, DelineationResult] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


def _points(vary: list[Vary], reference: dict[str, Any]) -> list[tuple[tuple[Any, ...], bool]]:
    """The runs: the grid (``in_grid``), then the values of each axis through the reference
    point that the grid lacks (the reference values themselves included)."""
    grid = list(itertools.product(*(v.values for v in vary)))
    seen = {repr(p) for p in grid}
    points = [(p, True) for p in grid]
    ref = tuple(reference[v.name] for v in vary)
    extra = [ref]
    for i, v in enumerate(vary):
        for value in v.values:
            extra.append(tuple(value if j == i else ref[j] for j in range(len(vary))))
    for p in extra:
        if repr(p) not in seen:
            seen.add(repr(p))
            points.append((p, False))
    return points


def _check_points(cls: Any, params: dict[str, Any], vary: list[Vary], points: list) -> None:
    """Every run's parameters together (e.g. ring shares in order); one error lists the runs
    that fail."""
    bad: list[str] = []
    first = ""
    for p, _ in points:
        try:
            cls(**{**params, **dict(zip([v.name for v in vary], p, strict=True))}).get_params()
        except ParameterError as err:
            bad.append(", ".join(f"{v.name}={x}" for v, x in zip(vary, p, strict=True)))
            first = first or str(err)
    if bad:
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        raise ParameterError(f"{first} (at {'; '.join(bad[:5])}{more})")


def _codes(labels: np.ndarray) -> np.ndarray:
    """Area labels as integers, -1 for no area (so placements compare as numbers)."""
    codes, _ = pd.factorize(pd.Series(labels.ravel(), dtype=object), use_na_sentinel=True)
    return codes.reshape(labels.shape)


def _axis(
    vary: list[Vary], i: int, reference: dict[str, Any], run_points: list[tuple[Any, ...]]
) -> tuple[list[int], int, np.ndarray]:
    """The runs on axis ``i`` through the reference point, in the order of the values (numbers
    sorted), the position of the reference run among them, and their values."""
    ref = tuple(reference[v.name] for v in vary)
    on_axis = [
        k
        for k, p in enumerate(run_points)
        if all(p[j] == ref[j] for j in range(len(vary)) if j != i)
    ]
    v = vary[i]
    if v.numeric and isinstance(ref[i], int | float):
        on_axis.sort(key=lambda k: run_points[k][i])
    else:  # listed values in the given order, the reference value (if not listed) last
        order = {repr(x): n for n, x in enumerate(v.values)}
        on_axis.sort(key=lambda k: order.get(repr(run_points[k][i]), len(order)))
    values = np.array([run_points[k][i] for k in on_axis], dtype=object)
    ref_pos = next(n for n, k in enumerate(on_axis) if run_points[k][i] == ref[i])
    return on_axis, ref_pos, values


def _first_true(mask: np.ndarray) -> np.ndarray:
    """Index of the first True down each column of ``mask``; -1 where there is none."""
    if mask.shape[0] == 0:
        return np.full(mask.shape[1], -1)
    first = mask.argmax(axis=0)
    return np.where(mask.any(axis=0), first, -1)


def _intervals(
    name: str,
    same: np.ndarray,
    status: np.ndarray,
    area: np.ndarray,
    ref_pos: int,
    values: np.ndarray,
    numeric: bool,
) -> dict[str, np.ndarray]:
    """Per unit, the interval of ``values`` around ``ref_pos`` over which ``same`` holds, the
    nearest values outside it and the placement at the nearest one. ``same``, ``status`` and
    ``area`` are (values x units)."""
    k, n = same.shape
    below = _first_true(~same[:ref_pos][::-1])  # steps down to the first change
    above = _first_true(~same[ref_pos + 1 :])
    lo = np.where(below >= 0, ref_pos - 1 - below, -1)  # index of the flip below, -1 none
    hi = np.where(above >= 0, ref_pos + 1 + above, -1)
    stable_from = np.where(lo >= 0, lo + 1, 0)
    stable_to = np.where(hi >= 0, hi - 1, k - 1)
    if numeric:
        ref_value = float(values[ref_pos])
        num = values.astype(float)
        d_lo = np.where(lo >= 0, ref_value - num[np.maximum(lo, 0)], np.inf)
        d_hi = np.where(hi >= 0, num[np.maximum(hi, 0)] - ref_value, np.inf)
    else:
        d_lo = np.where(lo >= 0, ref_pos - lo, np.inf)
        d_hi = np.where(hi >= 0, hi - ref_pos, np.inf)
    nearest = np.where(d_lo <= d_hi, lo, hi)
    nearest = np.where(np.isinf(np.minimum(d_lo, d_hi)), -1, nearest)
    cols = np.arange(n)

    def pick(idx: np.ndarray) -> np.ndarray:
        out = values[np.maximum(idx, 0)].copy()
        out[idx < 0] = np.nan if numeric else None
        return out.astype(float) if numeric else out

    flip_status = np.where(nearest >= 0, status[np.maximum(nearest, 0), cols], None)
    flip_area = np.where(nearest >= 0, area[np.maximum(nearest, 0), cols], None)
    return {
        f"{name}_stable_from": pick(stable_from),
        f"{name}_stable_to": pick(stable_to),
        f"{name}_flip_below": pick(lo),
        f"{name}_flip_above": pick(hi),
        f"{name}_nearest_flip": pick(nearest),
        f"{name}_flip_status": flip_status,
        f"{name}_flip_area_id": flip_area,
    }


def sensitivity(
    method: str,
    flows: pd.DataFrame,
    *,
    vary: Mapping[str, Sequence[Any] | str] | Sequence[str],
    units: pd.DataFrame | None = None,
    cores: pd.DataFrame | None = None,
    adjacency: pd.DataFrame | None = None,
    travel_times: pd.DataFrame | None = None,
    params: dict[str, Any] | None = None,
    external: Sequence[str] = (),
    keep_results: bool = False,
    progress: ProgressCallback | None = None,
    validate: bool = True,
) -> SensitivityResult:
    """Run a delineation method over a grid of one or two parameters.

    Parameters
    ----------
    method
        One of :func:`~metrocircle.delineate.available_methods`.
    flows, units, cores, adjacency, travel_times, external
        As for :func:`metrocircle.delineate.delineate`.
    vary
        The varied parameters: ``{"threshold": "0.15:0.35:0.01"}`` (a range, both ends
        included), ``{"direction": ["outbound", "either"]}`` (a list), or CLI texts
        ``["threshold=0.15:0.35:0.01"]``. One or two parameters.
    params
        The reference parameters (unset ones take their defaults); a varied parameter's
        reference value is the point its interval is measured around.
    keep_results
        Keep the full result of every run in ``results`` (memory grows with the runs).
    progress
        ``progress(step, fraction)`` callback.
    validate
        Check the tables first (one :class:`~metrocircle.InputError` listing every problem).

    Returns
    -------
    SensitivityResult
        ``units``, ``areas``, ``runs``, ``memberships`` and the ``reference`` run.

    Raises
    ------
    ParameterError
        A varied parameter the method lacks, a malformed range, or a value out of range.
    """
    progress = progress or (lambda step, frac: None)
    prep = prepare_inputs(
        method,
        flows,
        units=units,
        cores=cores,
        adjacency=adjacency,
        travel_times=travel_times,
        params=params,
        external=external,
        validate=validate,
    )
    varies = parse_vary(vary, method)
    reference = prep.params
    names = [v.name for v in varies]
    points = _points(varies, reference)
    _check_points(prep.cls, reference, varies, points)
    ref_point = tuple(reference[n] for n in names)
    run_points = [p for p, _ in points]
    ref_run = run_points.index(ref_point)

    started = time.perf_counter()
    areas_rows: list[pd.DataFrame] = []
    area_ids: list[np.ndarray] = []
    statuses: list[np.ndarray] = []
    values: list[np.ndarray] = []
    seconds: list[float] = []
    info_rows: list[dict[str, Any]] = []
    results: dict[int, DelineationResult] = {}
    reference_result: DelineationResult | None = None
    unit_ids: np.ndarray | None = None
    for k, point in enumerate(run_points):
        t0 = time.perf_counter()
        est = prep.estimator(**dict(zip(names, point, strict=True)))
        est.fit_prepared(prep.prepared)
        seconds.append(time.perf_counter() - t0)
        m = est.membership_
        if unit_ids is None:
            unit_ids = m["unit_id"].astype(str).to_numpy(dtype=object)
        area_ids.append(m["area_id"].astype(object).where(m["area_id"].notna(), None).to_numpy())
        statuses.append(m["status"].astype(str).to_numpy(dtype=object))
        values.append(m["value"].to_numpy(dtype=float))
        a = est.areas_.copy()
        a.insert(0, "run", k)
        areas_rows.append(a)
        info_rows.append({"merges": est.info_.get("merges")})
        if keep_results or k == ref_run:
            res = est.result()
            if k == ref_run:
                reference_result = res
            if keep_results:
                results[k] = res
        progress("sensitivity", (k + 1) / len(run_points))
    assert unit_ids is not None and reference_result is not None  # at least the reference ran
    area = np.array(area_ids, dtype=object)
    status = np.array(statuses, dtype=object)
    value = np.array(values)
    codes = _codes(area)
    same = (codes == codes[ref_run]) & (status == status[ref_run])
    placed = ~np.isin(status, list(prep.cls.unplaced_statuses))
    in_grid = np.array([g for _, g in points])

    units_out = pd.DataFrame(
        {
            "unit_id": pd.array(unit_ids, dtype="string"),
            "status": pd.array(status[ref_run], dtype="string"),
            "area_id": pd.array(area[ref_run], dtype="string"),
            "value": value[ref_run],
            "in_area_share": placed[in_grid].mean(axis=0),
            "same_share": same[in_grid].mean(axis=0),
        }
    )
    names_by_id = unit_names(prep.units)
    if names_by_id is not None:
        units_out.insert(1, "name", names_by_id.reindex(unit_ids).to_numpy())
    for i, v in enumerate(varies):
        if reference[v.name] is None:
            logger.info("'%s' has no reference value: no interval is measured", v.name)
            continue
        on_axis, ref_pos, axis_values = _axis(varies, i, reference, run_points)
        cols = _intervals(
            v.name,
            same[on_axis],
            status[on_axis],
            area[on_axis],
            ref_pos,
            axis_values,
            v.numeric,
        )
        for col, data in cols.items():
            units_out[col] = pd.array(data, dtype="string") if data.dtype == object else data

    param_cols = {n: [p[j] for p in run_points] for j, n in enumerate(names)}
    n_members = (status == "member").sum(axis=1)
    runs = pd.DataFrame(
        {
            "run": np.arange(len(run_points)),
            **param_cols,
            "in_grid": in_grid,
            "reference": np.arange(len(run_points)) == ref_run,
            "n_areas": [len({x for x in a if x is not None}) for a in area],
            "n_in_area": placed.sum(axis=1),
            "n_members": n_members,
            "n_outside": (~placed).sum(axis=1),
            "n_changed": (~same).sum(axis=1),
            "merges": [r["merges"] for r in info_rows],
            "seconds": np.round(seconds, 4),
        }
    )
    if all(r["merges"] is None for r in info_rows):
        runs = runs.drop(columns="merges")
    areas_out = pd.concat(areas_rows, ignore_index=True)
    for n in reversed(names):
        areas_out.insert(1, n, areas_out["run"].map(dict(enumerate(param_cols[n]))))
    memberships = pd.DataFrame(
        {
            "run": np.repeat(np.arange(len(run_points)), len(unit_ids)),
            "unit_id": pd.array(np.tile(unit_ids, len(run_points)), dtype="string"),
            "area_id": pd.array(area.ravel(), dtype="string"),
            "status": pd.array(status.ravel(), dtype="string"),
            "value": value.ravel(),
        }
    )
    info = {
        "runs": len(run_points),
        "grid_runs": int(in_grid.sum()),
        "seconds": round(time.perf_counter() - started, 3),
        "shared_cache_entries": len(getattr(prep.prepared, "cache", {}) or {}),
    }
    return SensitivityResult(
        method=method,
        params=dict(reference),
        vary=varies,
        units=units_out,
        areas=areas_out,
        runs=runs,
        memberships=memberships,
        reference=reference_result,
        results=results,
        info=info,
    )


__all__ = ["SensitivityResult", "sensitivity"]
