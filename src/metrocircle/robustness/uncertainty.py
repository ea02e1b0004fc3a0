"""Sampling uncertainty of a delineation: the method run on replicate flow tables.

Survey flows are estimates. The ACS publishes a 90 % margin of error (``moe``) with every
county-to-county commuting flow; signaling-derived flows carry the error of their sample. Each
replicate table draws every flow from a normal distribution around its published value with
standard deviation ``moe / 1.645`` (the ACS's factor for a 90 % margin), or ``relative_error x
value`` when the flows have no margins, cut at 0. The method runs on each replicate; the
inputs are prepared once and each replicate only re-values the flow matrix
(:meth:`~metrocircle.delineate.steps.Context.with_values`).

Every replicate has its own random stream, spawned from ``random_state``
(:class:`numpy.random.SeedSequence`), so the result does not depend on ``jobs``.

Examples
--------
>>> from metrocircle.datasets import us_cbsa
>>> from metrocircle.robustness import uncertainty
>>> u = uncertainty("omb-cbsa", us_cbsa.load_flows(vintage=2010),
...                 units=us_cbsa.load_units(vintage=2010), cores=us_cbsa.load_cores(vintage=2010),
...                 adjacency=us_cbsa.load_adjacency(vintage=2010),
...                 external=us_cbsa.EXTERNAL_CODES, replicates=20, random_state=1)
>>> row = u.units.set_index("unit_id").loc["24035"]  # Queen Anne's County, MD
>>> row["area_id"], row["status"], float(row["p_status"])
('12580', 'core', 1.0)
>>> bool((u.units["p_status"] < 1).any())  # some counties near the 25 % line are not sure
True
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.delineate.base import DelineationResult, Placement, ProgressCallback
from metrocircle.exceptions import InputError, ParameterError, Problem
from metrocircle.robustness._inputs import Prepared, prepare_inputs, unit_names

logger = logging.getLogger(__name__)

MOE_Z = 1.645
"""The ACS's factor between a 90 % margin of error and a standard error (sd = moe / 1.645)."""
MAX_REPLICATES = 100_000


@dataclass
class UncertaintyResult:
    """What :func:`uncertainty` returns.

    Attributes
    ----------
    method, params
        The method and every parameter used.
    probabilities
        ``unit_id, area_id, probability``: one row per unit and area it is in (as core or
        member) in at least one replicate; the share of replicates.
    units
        One row per unit: ``unit_id, status, area_id`` (the run on the published flows),
        ``p_status`` (the share of replicates with that status), ``p_area`` (with that status
        in that area), ``p_in_area`` (in any area), ``share`` (the share that decided the unit on
        the published flows: its tie to its area, or to the area it was nearest to joining),
        ``share_low`` and ``share_high`` (the central ``confidence`` interval of that share over
        the replicates) and ``decided_by`` (that area).
    reference
        The full result of the run on the published flows.
    info
        ``replicates``, ``random_state``, the error model, ``seconds``, ``jobs``.
    """

    method: str
    params: dict[str, Any]
    probabilities: pd.DataFrame
    units: pd.DataFrame
    reference: DelineationResult
    info: dict[str, Any] = field(default_factory=dict)


def flow_sd(
    flows: pd.DataFrame, *, relative_error: float | None = None, moe_z: float = MOE_Z
) -> np.ndarray:
    """The standard deviation of each flow: ``moe / moe_z``, or ``relative_error * value``.

    Raises
    ------
    InputError
        Margins are needed (no ``relative_error``) and the flows have no ``moe`` column.
    ParameterError
        Both margins and a relative error are given, or the relative error is not >= 0.
    """
    if relative_error is not None:
        if (
            isinstance(relative_error, bool)
            or not (isinstance(relative_error, int | float) and math.isfinite(relative_error))
            or relative_error < 0
        ):
            raise ParameterError(
                "The 'relative_error' parameter of uncertainty must be a float in [0, inf). "
                f"Got {relative_error!r}."
            )
        if "moe" in flows.columns:
            raise ParameterError(
                "Give either margins of error (the flows' moe column) or a relative error, "
                "not both."
            )
        return float(relative_error) * flows["value"].to_numpy(dtype=float)
    if "moe" not in flows.columns:
        raise InputError(
            [
                Problem(
                    "flows",
                    "no margins of error: sampling uncertainty needs a 'moe' column (give "
                    "--moe-col COLUMN; the ACS publishes a 90 % margin with each flow), or a "
                    "relative error for flows without margins (--relative-error X)",
                )
            ]
        )
    moe = flows["moe"].to_numpy(dtype=float)
    bad = ~np.isfinite(moe) | (moe < 0)
    if bad.any():
        raise InputError(
            [Problem("flows", "missing or negative margin of error", list(np.flatnonzero(bad) + 1))]
        )
    return moe / moe_z


def nan_quantile(x: np.ndarray, q: float) -> np.ndarray:
    """The ``q`` quantile of each column of ``x``, NaN left out (linear interpolation between
    order statistics, numpy's default); NaN for a column without numbers. One sort for all
    columns instead of ``np.nanquantile``'s loop over them."""
    ordered = np.sort(x, axis=0)  # NaN last
    count = (~np.isnan(x)).sum(axis=0)
    at = q * np.maximum(count - 1, 0)
    lo = np.floor(at).astype(np.int64)
    hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
    cols = np.arange(x.shape[1])
    a, b = ordered[lo, cols], ordered[hi, cols]
    out = a + (b - a) * (at - lo)
    out[count == 0] = np.nan
    return out


def draw(values: np.ndarray, sd: np.ndarray, seed: np.random.SeedSequence) -> np.ndarray:
    """One replicate: ``max(0, value + sd * z)`` with ``z`` standard normal from ``seed``."""
    rng = np.random.default_rng(seed)
    return np.maximum(values + sd * rng.standard_normal(len(values)), 0.0)


# ---------------------------------------------------------------------------------------------
# The replicate loop (run in this process or in worker processes)
# ---------------------------------------------------------------------------------------------
@dataclass
class _Job:
    prep: Prepared
    values: np.ndarray
    sd: np.ndarray
    decided_by: np.ndarray  # area of each unit whose tie is followed (None: follow value)
    follow_value: np.ndarray  # units whose decisive share is read from the value column
    unplaced: tuple[str, ...]
    ref_status: np.ndarray
    ref_area: np.ndarray


@dataclass
class _Tally:
    """Counts over a set of replicates.

    Areas are numbered in the order they are first seen (``labels``); each replicate adds the
    keys ``area_number * n + unit`` of its placed units to ``keys``, counted at the end.
    """

    n: int
    labels: dict[str, int] = field(default_factory=dict)
    keys: list[np.ndarray] = field(default_factory=list)
    same_status: np.ndarray | None = None
    same_area: np.ndarray | None = None
    placed: np.ndarray | None = None
    shares: list[np.ndarray] = field(default_factory=list)
    replicates: int = 0

    def __post_init__(self) -> None:
        self.same_status = np.zeros(self.n, dtype=np.int64)
        self.same_area = np.zeros(self.n, dtype=np.int64)
        self.placed = np.zeros(self.n, dtype=np.int64)

    def numbers(self, area_ids: np.ndarray) -> np.ndarray:
        """The area number of each unit (-1 where it is in no area)."""
        codes, uniques = pd.factorize(pd.Series(area_ids, dtype=object), use_na_sentinel=True)
        lut = np.array(
            [self.labels.setdefault(a, len(self.labels)) for a in uniques] + [-1], dtype=np.int64
        )
        return lut[np.where(codes >= 0, codes, len(lut) - 1)]

    def add(self, job: _Job, placed: Placement) -> None:
        in_area = ~np.isin(placed.status, job.unplaced)
        number = np.where(in_area, self.numbers(placed.area_id), -1)
        same_status = placed.status == job.ref_status
        self.same_status += same_status
        self.same_area += same_status & (number == self.numbers(job.ref_area))
        self.placed += in_area
        idx = np.flatnonzero(in_area)
        self.keys.append(number[idx] * self.n + idx)
        share = placed.tie_to(job.decided_by)
        share[job.follow_value] = placed.value[job.follow_value]
        self.shares.append(share.astype(np.float32))
        self.replicates += 1

    def merge(self, other: _Tally) -> None:
        """Add ``other``'s counts (its area numbers translated to this tally's)."""
        by_number = np.empty(len(other.labels), dtype=object)
        for label, k in other.labels.items():
            by_number[k] = label
        lut = np.array([self.labels.setdefault(a, len(self.labels)) for a in by_number])
        for keys in other.keys:
            self.keys.append(lut[keys // self.n] * self.n + keys % self.n if len(lut) else keys)
        self.same_status += other.same_status
        self.same_area += other.same_area
        self.placed += other.placed
        self.shares.extend(other.shares)
        self.replicates += other.replicates

    def counts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``unit``, ``area label``, ``count`` for every unit and area seen together."""
        keys = np.concatenate(self.keys) if self.keys else np.array([], dtype=np.int64)
        uniq, count = np.unique(keys, return_counts=True)
        by_number = np.empty(len(self.labels), dtype=object)
        for label, k in self.labels.items():
            by_number[k] = label
        return uniq % self.n, by_number[uniq // self.n], count


_JOB: _Job | None = None  # the job of a worker process (set before the fork, or by _init)


def _init(job: _Job) -> None:
    global _JOB
    _JOB = job


def _run_chunk(seeds: list[np.random.SeedSequence], job: _Job | None = None) -> _Tally:
    job = job or _JOB
    if job is None:  # pragma: no cover - a worker started without its job
        raise RuntimeError("uncertainty worker has no job")
    tally = _Tally(len(job.ref_status))
    for seed in seeds:
        values = draw(job.values, job.sd, seed)
        est = job.prep.estimator()
        tally.add(job, est.place(job.prep.prepared.with_values(values)))
    return tally


def _decided_by(reference: Placement, unplaced: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The area whose share decided each unit on the published flows: its own area for a placed
    non-core unit, else the area it has the strongest tie to (None for cores and units without
    any tie); and the units whose decisive share is read from ``value`` instead (methods
    without ties)."""
    n = len(reference.unit_ids)
    if reference.ties is None:
        return np.full(n, None, dtype=object), np.ones(n, dtype=bool)
    t = reference.ties
    out = np.full(n, None, dtype=object)
    if len(t.pos):
        order = np.lexsort((t.area, -t.tie, t.pos))
        first = order[np.r_[True, t.pos[order][1:] != t.pos[order][:-1]]]
        labels = np.array(t.area_labels, dtype=object)
        out[t.pos[first]] = labels[t.area[first]]
    placed = ~np.isin(reference.status, unplaced)
    out[placed] = reference.area_id[placed]
    out[reference.status == "core"] = None
    return out, np.zeros(n, dtype=bool)


def uncertainty(
    method: str,
    flows: pd.DataFrame,
    *,
    units: pd.DataFrame | None = None,
    cores: pd.DataFrame | None = None,
    adjacency: pd.DataFrame | None = None,
    travel_times: pd.DataFrame | None = None,
    params: dict[str, Any] | None = None,
    external: Sequence[str] = (),
    relative_error: float | None = None,
    replicates: int = 1000,
    random_state: int = 0,
    confidence: float = 0.9,
    jobs: int = 1,
    progress: ProgressCallback | None = None,
    validate: bool = True,
) -> UncertaintyResult:
    """Delineate replicate flow tables drawn from the flows' margins of error.

    Parameters
    ----------
    method, flows, units, cores, adjacency, travel_times, params, external
        As for :func:`metrocircle.delineate.delineate`; ``flows`` carries a ``moe`` column
        (the published 90 % margin of each flow) unless ``relative_error`` is given.
    relative_error
        For flows without margins: the standard deviation of each flow as a share of its value
        (e.g. 0.1 for a 10 % coefficient of variation).
    replicates
        How many replicate tables to draw (at least 1).
    random_state
        Seed of the draws; the same seed gives the same result whatever ``jobs`` is.
    confidence
        Width of the interval of the decisive share (0.9: the 5th to the 95th percentile).
    jobs
        Worker processes (1 runs in this process; 0 or less uses every core).
    progress
        ``progress(step, fraction)`` callback.
    validate
        Check the tables first (one :class:`~metrocircle.InputError` listing every problem).

    Returns
    -------
    UncertaintyResult
        ``probabilities``, ``units`` and the ``reference`` run on the published flows.

    Raises
    ------
    InputError
        The flows have no margins and no relative error is given, or a margin is negative.
    ParameterError
        ``replicates``, ``confidence``, ``jobs`` or ``relative_error`` out of range.
    """
    progress = progress or (lambda step, frac: None)
    _check_int("replicates", replicates, 1, MAX_REPLICATES)
    _check_int("random_state", random_state, 0, None)
    _check_int("jobs", jobs, None, None)
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, int | float)
        or not (0 < confidence < 1)
    ):
        raise ParameterError(
            f"The 'confidence' parameter of uncertainty must be a float in (0, 1). "
            f"Got {confidence!r}."
        )
    if relative_error is None and validate and "moe" not in flows.columns:
        flow_sd(flows)  # no margins: say so before checking anything else
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
    sd = flow_sd(prep.flows, relative_error=relative_error)
    started = time.perf_counter()
    est = prep.estimator()
    reference = est.fit_prepared(prep.prepared).result()
    ref_place = prep.estimator().place(prep.prepared)
    unplaced = tuple(prep.cls.unplaced_statuses)
    decided_by, follow_value = _decided_by(ref_place, unplaced)
    job = _Job(
        prep=prep,
        values=prep.flows["value"].to_numpy(dtype=float),
        sd=sd,
        decided_by=decided_by,
        follow_value=follow_value,
        unplaced=unplaced,
        ref_status=ref_place.status,
        ref_area=ref_place.area_id,
    )
    seeds = np.random.SeedSequence(random_state).spawn(replicates)
    n_jobs = (os.cpu_count() or 1) if jobs <= 0 else jobs
    n_jobs = max(1, min(n_jobs, replicates))
    tally = _Tally(len(ref_place.unit_ids))
    chunk = max(1, min(50, math.ceil(replicates / (4 * n_jobs))))
    batches = [seeds[i : i + chunk] for i in range(0, replicates, chunk)]
    done = 0
    if n_jobs == 1:
        for batch in batches:
            tally.merge(_run_chunk(batch, job))
            done += len(batch)
            progress("replicates", done / replicates)
    else:
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
        with ProcessPoolExecutor(
            max_workers=n_jobs, mp_context=ctx, initializer=_init, initargs=(job,)
        ) as pool:
            for part in pool.map(_run_chunk, batches):
                tally.merge(part)
                done += part.replicates
                progress("replicates", done / replicates)
    seconds = time.perf_counter() - started
    probabilities, units_out = _tables(tally, job, ref_place, reference, prep, confidence)
    info = {
        "replicates": replicates,
        "random_state": random_state,
        "error_model": (
            f"normal, sd = {relative_error:g} x value, cut at 0"
            if relative_error is not None
            else f"normal, sd = moe / {MOE_Z}, cut at 0"
        ),
        "confidence": confidence,
        "jobs": n_jobs,
        "seconds": round(seconds, 3),
    }
    return UncertaintyResult(
        method=method,
        params=dict(prep.params),
        probabilities=probabilities,
        units=units_out,
        reference=reference,
        info=info,
    )


def _check_int(name: str, value: Any, low: int | None, high: int | None) -> None:
    ok = isinstance(value, int | np.integer) and not isinstance(value, bool)
    ok = ok and (low is None or value >= low) and (high is None or value <= high)
    if not ok:
        lo = "-inf" if low is None else str(low)
        hi = "inf)" if high is None else f"{high}]"
        left = "(" if low is None else "["
        raise ParameterError(
            f"The '{name}' parameter of uncertainty must be an integer in {left}{lo}, {hi}. "
            f"Got {value!r}."
        )


def _tables(
    tally: _Tally,
    job: _Job,
    ref: Placement,
    reference: DelineationResult,
    prep: Prepared,
    confidence: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    r = tally.replicates
    ids = ref.unit_ids
    unit, label, count = tally.counts()
    prob = pd.DataFrame(
        {
            "unit_id": pd.array(ids[unit], dtype="string"),
            "area_id": pd.array(label, dtype="string"),
            "probability": count / r,
        }
    )
    prob = prob.sort_values(["unit_id", "probability", "area_id"], ascending=[True, False, True])
    prob = prob.reset_index(drop=True)
    shares = np.vstack(tally.shares).astype(float)
    tail = (1 - confidence) / 2
    low = nan_quantile(shares, tail)
    high = nan_quantile(shares, 1 - tail)
    published = ref.tie_to(job.decided_by)
    published[job.follow_value] = ref.value[job.follow_value]
    units = pd.DataFrame(
        {
            "unit_id": pd.array(ids, dtype="string"),
            "status": pd.array(ref.status, dtype="string"),
            "area_id": pd.array(ref.area_id, dtype="string"),
            "p_status": tally.same_status / r,
            "p_area": tally.same_area / r,
            "p_in_area": tally.placed / r,
            "share": published,
            "share_low": low,
            "share_high": high,
            "decided_by": pd.array(job.decided_by, dtype="string"),
        }
    )
    rule = reference.membership.set_index("unit_id")["rule"]
    units.insert(4, "rule", rule.reindex(units["unit_id"].astype(str)).to_numpy())
    names = unit_names(prep.units)
    if names is not None:
        units.insert(1, "name", names.reindex(ids).to_numpy())
    return prob, units


__all__ = ["MOE_Z", "UncertaintyResult", "draw", "flow_sd", "uncertainty"]
