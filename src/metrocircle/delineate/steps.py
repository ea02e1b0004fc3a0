"""Shared steps of the delineation methods, each written once.

A method (:mod:`~metrocircle.delineate.omb`, :mod:`~metrocircle.delineate.fua`, ...) is a short
composition of these steps. They work on positions ``0..n-1`` of the *universe* of units (the
``unit_id`` of ``units`` when given, else every code in the flows) and on integer area codes
(``-1`` = no area), so that every step is a handful of vectorised numpy / scipy.sparse operations.

Vocabulary
----------
employed residents ``R[u]``
    every flow out of ``u``: to any unit, to itself, and to places outside the universe
    (e.g. ``FOREIGN_CANADA``).
jobs ``W[u]``
    every flow into ``u``: from any unit, from itself, and from places outside the universe
    (e.g. Puerto Rico residents working in a US county).
outbound share of ``u`` to a set of units ``C``
    ``sum_{c in C} T[u, c] / R[u]``: the share of ``u``'s employed residents who work in ``C``.
inbound share of ``u`` from ``C``
    ``sum_{c in C} T[c, u] / W[u]``: the share of the jobs in ``u`` held by residents of ``C``.
tie
    the share a rule measures: outbound, inbound, the larger of the two (``either``) or the
    smaller (``both``); a unit qualifies when its tie is at least the threshold.

The :class:`Assignment` carries the per-unit result (area, status, rule, value, threshold,
margin and extra columns) from step to step; :func:`membership_frame` and :func:`areas_frame`
turn it into the output tables.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from metrocircle.exceptions import InputError, ParameterError, Problems
from metrocircle.model.schema import SUPPRESSED

logger = logging.getLogger(__name__)

DIRECTIONS = ("outbound", "inbound", "either", "both")
NO_AREA = -1

CORE = "core"
MEMBER = "member"
OUTSIDE = "outside"


# ---------------------------------------------------------------------------------------------
# Flows as a sparse matrix over the universe
# ---------------------------------------------------------------------------------------------
@dataclass
class FlowMatrix:
    """Flows between the units of the universe, with the denominators of every share.

    Attributes
    ----------
    unit_ids
        The universe, in position order (strings).
    matrix
        ``n x n`` CSR matrix, ``matrix[i, j]`` = flow from unit ``i`` to unit ``j`` (intra-unit
        flows on the diagonal).
    employed_residents
        ``R``: all flows out of each unit, including those to places outside the universe.
    jobs
        ``W``: all flows into each unit, including those from places outside the universe.
    suppressed_out, suppressed_in
        Per unit, the flows a published OD suppressed (rows to or from ``(suppressed)``,
        counted in ``R`` and ``W``): their amount, NaN where the unit's total is suppressed
        too; ``None`` when the flows carry no such row.
    """

    unit_ids: pd.Index
    matrix: sp.csr_matrix
    employed_residents: np.ndarray
    jobs: np.ndarray
    suppressed_out: np.ndarray | None = None
    suppressed_in: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.unit_ids)

    def positions(self, codes: Sequence[str] | pd.Series | np.ndarray) -> np.ndarray:
        """Positions of ``codes`` in the universe (-1 where a code is not a unit)."""
        return positions_in(self.unit_ids, codes)


def positions_in(index: pd.Index, codes: Sequence[str] | pd.Series | np.ndarray) -> np.ndarray:
    """Positions of ``codes`` in ``index`` (-1 where absent); each distinct code is looked up
    once, which is what makes 100k-row flow tables fast."""
    series = pd.Series(codes).astype("string")
    keys, uniques = pd.factorize(series, use_na_sentinel=True)
    found = index.get_indexer(pd.Index(np.asarray(uniques, dtype=object)))
    return np.where(keys >= 0, found[np.maximum(keys, 0)], -1).astype(np.int64)


def universe_of(flows: pd.DataFrame, units: pd.DataFrame | None) -> pd.Index:
    """The units a run is about: ``units.unit_id`` if given, else every code in the flows
    (never ``(suppressed)``, which stands for the suppressed cells of a published OD)."""
    if units is not None:
        ids = units["unit_id"].astype(str).to_numpy(dtype=object)
        return pd.Index(ids, dtype=object, name="unit_id")
    codes = pd.unique(
        np.concatenate(
            [
                flows["origin"].astype(str).to_numpy(dtype=object),
                flows["destination"].astype(str).to_numpy(dtype=object),
            ]
        )
    )
    return pd.Index(sorted(set(codes) - {SUPPRESSED}), dtype=object, name="unit_id")


@dataclass
class FlowLayout:
    """Where each row of a flow table lands in the :class:`FlowMatrix`, worked out once.

    Re-valuing the same flows (replicate tables drawn from margins of error, scenarios that
    scale some flows) then costs two ``bincount`` calls instead of looking every code up again:
    :meth:`matrix` gives exactly what :func:`flow_matrix` gives for the same values.

    Attributes
    ----------
    unit_ids
        The universe, in position order.
    origin, destination
        Position of each flow row's origin and destination (-1 outside the universe).
    slot
        For each row with both ends in the universe, the index of its cell among the distinct
        ``(origin, destination)`` cells (rows of different layers may share a cell).
    indptr, indices
        The CSR structure of those cells (sorted, each cell once).
    """

    unit_ids: pd.Index
    origin: np.ndarray
    destination: np.ndarray
    slot: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray

    @classmethod
    def from_flows(cls, flows: pd.DataFrame, universe: pd.Index) -> FlowLayout:
        n = len(universe)
        o = positions_in(universe, flows["origin"])
        d = positions_in(universe, flows["destination"])
        inside = (o >= 0) & (d >= 0)
        cells, slot = np.unique(o[inside] * n + d[inside], return_inverse=True)
        rows = cells // max(n, 1)
        indptr = np.searchsorted(rows, np.arange(n + 1)).astype(np.int64)
        indices = (cells % max(n, 1)).astype(np.int64)
        return cls(universe, o, d, slot.astype(np.int64), indptr, indices)

    @property
    def n(self) -> int:
        return len(self.unit_ids)

    def _rows(self) -> dict[str, np.ndarray]:
        """The rows with an origin, a destination, both in the universe, and their positions
        (worked out on first use, then kept)."""
        rows = self.__dict__.get("_rows_cache")
        if rows is None:
            o, d = self.origin, self.destination
            rows = {
                "o": np.flatnonzero(o >= 0),
                "d": np.flatnonzero(d >= 0),
                "inside": np.flatnonzero((o >= 0) & (d >= 0)),
            }
            rows["o_pos"] = o[rows["o"]]
            rows["d_pos"] = d[rows["d"]]
            self.__dict__["_rows_cache"] = rows
        return rows

    @property
    def n_rows(self) -> int:
        """The number of flow rows (the length :meth:`matrix` expects)."""
        return len(self.origin)

    def matrix(self, values: np.ndarray) -> FlowMatrix:
        """The :class:`FlowMatrix` of these flows with ``values`` (one per flow row, in order)."""
        v = np.asarray(values, dtype=float)
        if v.shape != (self.n_rows,):
            raise ValueError(f"expected {self.n_rows} flow values, got shape {v.shape}")
        n, rows = self.n, self._rows()
        residents = np.bincount(rows["o_pos"], weights=v[rows["o"]], minlength=n)
        jobs = np.bincount(rows["d_pos"], weights=v[rows["d"]], minlength=n)
        data = np.bincount(self.slot, weights=v[rows["inside"]], minlength=len(self.indices))
        m = sp.csr_matrix((data, self.indices, self.indptr), shape=(n, n))
        return FlowMatrix(self.unit_ids, m, residents, jobs)


def flow_matrix(flows: pd.DataFrame, universe: pd.Index) -> FlowMatrix:
    """Build the :class:`FlowMatrix`; flows touching codes outside the universe still count in
    the denominators ``R`` and ``W`` of the universe units they touch."""
    return matrix_of(flows, FlowLayout.from_flows(flows, universe))


def matrix_of(flows: pd.DataFrame, layout: FlowLayout) -> FlowMatrix:
    """The :class:`FlowMatrix` of ``flows`` laid out by ``layout``, with the suppressed
    remainders of a published OD (see :func:`suppressed_flows`)."""
    sup_out, sup_in = suppressed_flows(flows, layout.origin, layout.destination, layout.n)
    # only a suppressed remainder can be empty (unknown): it counts as 0 in R and W
    v = np.nan_to_num(flows["value"].to_numpy(dtype=float), nan=0.0)
    fm = layout.matrix(v)
    fm.suppressed_out, fm.suppressed_in = sup_out, sup_in
    return fm


def suppressed_flows(
    flows: pd.DataFrame, o: np.ndarray, d: np.ndarray, n: int
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Per unit, the suppressed out- and in-flows of a published OD (rows to and from
    ``(suppressed)``; NaN where the remainder is empty, i.e. unknown); ``None`` without such
    rows."""
    to_s = (flows["destination"].astype(str) == SUPPRESSED).to_numpy() & (o >= 0)
    from_s = (flows["origin"].astype(str) == SUPPRESSED).to_numpy() & (d >= 0)
    if not (to_s.any() or from_s.any()):
        return None, None
    v = flows["value"].to_numpy(dtype=float)
    out, inn = np.zeros(n), np.zeros(n)
    np.add.at(out, o[to_s], v[to_s])  # NaN stays NaN: that unit's total is unknown
    np.add.at(inn, d[from_s], v[from_s])
    return out, inn


def explain_suppressed(
    state: Assignment,
    pairs: pd.DataFrame,
    fm: FlowMatrix,
    *,
    direction: str,
    threshold: float,
    allowed: np.ndarray | None = None,
) -> None:
    """Give rule ``suppressed`` to the units left outside whose tie could reach ``threshold``
    with flows a published OD suppressed, with the interval of that tie in ``share_low`` and
    ``share_high``.

    The known tie is a lower bound (the denominators ``R``, ``W`` include the suppressed
    remainders); the upper bound puts all of a unit's suppressed flows on the area that gains
    most (an area with no published flow too, unless ``allowed`` forbids every area). Where a
    unit's remainder is unknown (its own total is suppressed), that share lies in [0, 1].
    """
    if fm.suppressed_out is None or fm.suppressed_in is None:
        return
    so, si = fm.suppressed_out, fm.suppressed_in
    # a side whose total is unknown could hold anything: its share lies in [0, 1]
    out_unknown, in_unknown = np.isnan(so), np.isnan(si)
    h_out = np.where(out_unknown, 1.0,
                     np.minimum(_safe_divide(np.nan_to_num(so), fm.employed_residents), 1.0))
    h_in = np.where(in_unknown, 1.0, np.minimum(_safe_divide(np.nan_to_num(si), fm.jobs), 1.0))
    pos = pairs["pos"].to_numpy()
    high_pair = tie_of(
        np.minimum(pairs["outbound_share"].to_numpy() + h_out[pos], 1.0),
        np.minimum(pairs["inbound_share"].to_numpy() + h_in[pos], 1.0),
        direction,
    )
    high = tie_of(h_out, h_in, direction)
    if allowed is not None:
        high = np.where(allowed.any(axis=1), high, 0.0)
    np.maximum.at(high, pos, high_pair)
    low = tie_of(np.where(out_unknown, 0.0, state.column("outbound_share", 0.0)),
                 np.where(in_unknown, 0.0, state.column("inbound_share", 0.0)), direction)
    hidden = tie_of(h_out, h_in, direction) > 0
    flip = (state.status == OUTSIDE) & hidden & (high >= threshold)
    state.set(flip, rule="suppressed", value=low, threshold=threshold)
    state.column("share_low")[flip] = low[flip]
    state.column("share_high")[flip] = high[flip]
    if flip.any():
        logger.warning(
            "%d unit(s) could pass the threshold with flows the OD suppressed; their rule is "
            "'suppressed', with the interval of their share", int(flip.sum()))


def _safe_divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.zeros_like(num, dtype=float)
    np.divide(num, den, out=out, where=den > 0)
    return out


# ---------------------------------------------------------------------------------------------
# Cores and groups
# ---------------------------------------------------------------------------------------------
@dataclass
class Cores:
    """Core units grouped into pre-merger core groups, each group labelled with its area.

    ``group_of[pos]`` is the group index of a core unit (-1 for non-core units);
    ``group_area[g]`` the ``area_id`` the user gave; ``group_label[g]`` a readable name.
    """

    group_of: np.ndarray
    group_area: list[str]
    group_label: list[str]

    @property
    def n_groups(self) -> int:
        return len(self.group_area)

    @property
    def is_core(self) -> np.ndarray:
        return self.group_of >= 0


def read_cores(cores: pd.DataFrame, fm: FlowMatrix, method: str) -> Cores:
    """Map the ``cores`` table to positions; check every code is a unit and a core once.

    Without a ``core_group`` column, each ``area_id`` is one core group.
    """
    p = Problems()
    for col in ("unit_id", "area_id"):
        if col not in cores.columns:
            p.add("cores", f"missing column '{col}' (needed by {method})")
    p.raise_if_any()
    ids = cores["unit_id"].astype(str).to_numpy(dtype=object)
    areas = cores["area_id"].astype(str).to_numpy(dtype=object)
    if "core_group" in cores.columns:
        grp = cores["core_group"].astype("string")
        grp = grp.where(grp.notna() & (grp.str.strip() != ""), cores["area_id"].astype("string"))
        groups = grp.astype(str).to_numpy(dtype=object)
    else:
        groups = areas
    pos = fm.positions(ids)
    if (pos < 0).any():
        p.add("cores", "core unit(s) not among the units", sorted(set(ids[pos < 0])))
    dup = pd.Series(ids).duplicated(keep=False).to_numpy()
    if dup.any():
        p.add("cores", "unit(s) listed as core more than once", sorted(set(ids[dup])))
    key = pd.DataFrame({"area": areas, "group": groups})
    spread = key.groupby("group")["area"].nunique()
    if (spread > 1).any():
        p.add(
            "cores",
            "core_group(s) spanning several area_id values",
            spread[spread > 1].index.tolist(),
        )
    p.raise_if_any()
    pairs = key.drop_duplicates().sort_values(["area", "group"]).reset_index(drop=True)
    index = {(a, g): i for i, (a, g) in enumerate(zip(pairs["area"], pairs["group"], strict=True))}
    group_of = np.full(fm.n, NO_AREA, dtype=np.int64)
    group_of[pos] = [index[(a, g)] for a, g in zip(areas, groups, strict=True)]
    labels = [
        g if g == a else f"{a}/{g}" for a, g in zip(pairs["area"], pairs["group"], strict=True)
    ]
    return Cores(group_of, list(pairs["area"]), labels)


def indicator(labels: np.ndarray, n_labels: int) -> sp.csr_matrix:
    """``n x n_labels`` 0/1 matrix with a 1 at ``(i, labels[i])`` for every ``labels[i] >= 0``."""
    rows = np.flatnonzero(labels >= 0)
    return sp.csr_matrix((np.ones(len(rows)), (rows, labels[rows])), shape=(len(labels), n_labels))


# ---------------------------------------------------------------------------------------------
# Step: shares of each unit's flows to the cores
# ---------------------------------------------------------------------------------------------
def tie_of(outbound: np.ndarray, inbound: np.ndarray, direction: str) -> np.ndarray:
    """The measured tie for a direction: outbound, inbound, max (either) or min (both)."""
    if direction == "outbound":
        return outbound
    if direction == "inbound":
        return inbound
    if direction == "either":
        return np.maximum(outbound, inbound)
    if direction == "both":
        return np.minimum(outbound, inbound)
    raise ParameterError(f"direction must be one of {', '.join(DIRECTIONS)}. Got {direction!r}.")


def rule_name(
    outbound: np.ndarray, inbound: np.ndarray, direction: str, threshold: float
) -> np.ndarray:
    """Name of the share test each unit is judged on, e.g. ``outbound_share>=0.25``.

    For ``either`` it names the larger share (the one that carries the tie); for ``both`` it
    names the smaller one (the binding one).
    """
    t = f"{threshold:g}"
    if direction == "outbound":
        return np.full(len(outbound), f"outbound_share>={t}", dtype=object)
    if direction == "inbound":
        return np.full(len(outbound), f"inbound_share>={t}", dtype=object)
    take_out = outbound >= inbound if direction == "either" else outbound <= inbound
    if direction == "both":
        return np.where(take_out, f"both_shares>={t}(outbound)", f"both_shares>={t}(inbound)")
    return np.where(take_out, f"outbound_share>={t}", f"inbound_share>={t}")


def shares_to_areas(
    fm: FlowMatrix, area_of_core: np.ndarray, n_areas: int, direction: str
) -> pd.DataFrame:
    """Outbound and inbound shares of every unit to the cores of every area it has flows with.

    Parameters
    ----------
    area_of_core
        Area code of each core unit (-1 elsewhere); all core units of an area count together.

    Returns
    -------
    DataFrame
        One row per (unit position ``pos``, ``area``) pair with a non-zero flow either way:
        ``outbound_share``, ``inbound_share`` and ``tie`` (the share ``direction`` measures).
    """
    p = indicator(area_of_core, n_areas)
    out = (fm.matrix @ p).tocsr()  # T[u, cores of a]
    inn = (fm.matrix.T @ p).tocsr()  # T[cores of a, u]
    out.sort_indices()
    inn.sort_indices()
    # one matrix on the union of the two patterns, outbound flows in the real part and inbound
    # in the imaginary part (products drop exact zeros and flows are >= 0, so nothing cancels);
    # its COO form is sorted by unit, then area
    both = (out + 1j * inn).tocoo()
    rows = both.row.astype(np.int64)
    keys = rows * n_areas + both.col
    o = _safe_divide(both.data.real, fm.employed_residents[rows])
    i = _safe_divide(both.data.imag, fm.jobs[rows])
    frame = pd.DataFrame(
        {
            "pos": keys // n_areas,
            "area": keys % n_areas,
            "outbound_share": o,
            "inbound_share": i,
        }
    )
    frame["tie"] = tie_of(
        frame["outbound_share"].to_numpy(), frame["inbound_share"].to_numpy(), direction
    )
    return frame


# ---------------------------------------------------------------------------------------------
# Step: strongest tie
# ---------------------------------------------------------------------------------------------
def strongest_tie(pairs: pd.DataFrame, threshold: float, n: int) -> pd.DataFrame:
    """For every unit, the area with its strongest tie and whether it qualifies.

    Ties between areas are broken by the lower area code, so results are deterministic.

    Returns
    -------
    DataFrame indexed by position ``0..n-1`` with ``best_area`` (-1 if no flow to any core),
    ``tie``, ``outbound_share``, ``inbound_share`` (to that area), ``qualifies``,
    ``n_qualifying_areas`` and ``runner_up_area`` / ``runner_up_tie`` (the next strongest
    qualifying area, -1 if none).
    """
    key = (
        pairs["pos"].to_numpy().astype(np.int64)
        * (int(pairs["area"].max()) + 1 if len(pairs) else 1)
        + pairs["area"].to_numpy()
    )
    if len(key) > 1 and not np.all(np.diff(key) > 0):
        pairs = pairs.iloc[np.argsort(key, kind="stable")]
    pos = pairs["pos"].to_numpy()
    area = pairs["area"].to_numpy()
    tie = pairs["tie"].to_numpy()
    # best per unit in O(rows): rows are sorted by (pos, area), so the first row reaching the
    # unit's maximum tie is its strongest tie with the lowest area code among equals
    best_row = np.array([], dtype=np.int64)
    if len(pos):
        starts = np.flatnonzero(np.r_[True, pos[1:] != pos[:-1]])
        run_id = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(pos)]))
        run_max = np.maximum.reduceat(tie, starts)
        rows = np.where(tie == run_max[run_id], np.arange(len(pos)), len(pos))
        best_row = np.minimum.reduceat(rows, starts)
    cols: dict[str, np.ndarray] = {}
    best_area = np.full(n, NO_AREA, dtype=np.int64)
    best_area[pos[best_row]] = area[best_row]
    cols["best_area"] = best_area
    for col in ("tie", "outbound_share", "inbound_share"):
        vals = np.zeros(n)
        vals[pos[best_row]] = pairs[col].to_numpy()[best_row]
        cols[col] = vals
    cols["qualifies"] = cols["tie"] >= threshold
    qual = tie >= threshold
    cols["n_qualifying_areas"] = np.bincount(pos[qual], minlength=n).astype(np.int64)
    # runner-up among the (few) qualifying pairs
    q = np.flatnonzero(qual)
    q = q[np.lexsort((area[q], -tie[q], pos[q]))]
    second = np.zeros(len(q), dtype=bool)
    if len(q) > 1:
        second[1:] = (pos[q][1:] == pos[q][:-1]) & np.r_[True, pos[q][1:-1] != pos[q][:-2]]
    r_area = np.full(n, NO_AREA, dtype=np.int64)
    r_tie = np.full(n, np.nan)
    r_area[pos[q][second]] = area[q][second]
    r_tie[pos[q][second]] = tie[q][second]
    cols["runner_up_area"] = r_area
    cols["runner_up_tie"] = r_tie
    return pd.DataFrame(cols, index=pd.RangeIndex(n, name="pos"))


# ---------------------------------------------------------------------------------------------
# The per-unit result carried between steps
# ---------------------------------------------------------------------------------------------
@dataclass
class Assignment:
    """Per-unit state: area code, status, rule, value, threshold, margin and extra columns."""

    n: int
    area: np.ndarray = field(init=False)
    status: np.ndarray = field(init=False)
    rule: np.ndarray = field(init=False)
    value: np.ndarray = field(init=False)
    threshold: np.ndarray = field(init=False)
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.area = np.full(self.n, NO_AREA, dtype=np.int64)
        self.status = np.full(self.n, OUTSIDE, dtype=object)
        self.rule = np.full(self.n, "", dtype=object)
        self.value = np.full(self.n, np.nan)
        self.threshold = np.full(self.n, np.nan)

    def set(
        self,
        mask: np.ndarray,
        *,
        area: np.ndarray | int | None = None,
        status: str | None = None,
        rule: np.ndarray | str | None = None,
        value: np.ndarray | float | None = None,
        threshold: np.ndarray | float | None = None,
    ) -> None:
        """Write fields for the units in ``mask`` (a boolean array or positions)."""
        idx = np.flatnonzero(mask) if np.asarray(mask).dtype == bool else np.asarray(mask)

        def pick(x: Any) -> Any:
            return x[idx] if isinstance(x, np.ndarray) and x.shape == (self.n,) else x

        if area is not None:
            self.area[idx] = pick(area)
        if status is not None:
            self.status[idx] = status
        if rule is not None:
            self.rule[idx] = pick(rule)
        if value is not None:
            self.value[idx] = pick(value)
        if threshold is not None:
            self.threshold[idx] = pick(threshold)

    def column(self, name: str, fill: Any = np.nan, dtype: Any = float) -> np.ndarray:
        """An extra output column, created filled with ``fill`` on first use."""
        if name not in self.extra:
            self.extra[name] = np.full(self.n, fill, dtype=dtype)
        return self.extra[name]

    @property
    def members(self) -> np.ndarray:
        return self.area >= 0


def assign_cores(
    state: Assignment,
    cores: Cores,
    area_of_group: np.ndarray,
    merged_rule: dict[int, tuple[str, float, float]] | None = None,
) -> None:
    """Cores belong to their (possibly merged) area with rule ``core``; cores of an absorbed
    group get ``merged_from:<group>`` with the tie and threshold that triggered the merge."""
    core = cores.is_core
    groups = cores.group_of[core]
    state.set(core, area=area_of_group[groups], status=CORE, rule="core")
    for g, (rule, value, thr) in (merged_rule or {}).items():
        mask = cores.group_of == g
        state.set(mask, rule=rule, value=value, threshold=thr)


def assign_by_tie(
    state: Assignment,
    best: pd.DataFrame,
    direction: str,
    threshold: float,
    eligible: np.ndarray | None = None,
) -> None:
    """Admit every non-core unit whose strongest tie passes ``threshold`` to that area and write
    the explanation of every non-core unit (admitted or ``rejected:below_threshold``)."""
    free = state.status != CORE
    o = best["outbound_share"].to_numpy()
    i = best["inbound_share"].to_numpy()
    tie = best["tie"].to_numpy()
    rules = rule_name(o, i, direction, threshold)
    ok = free & best["qualifies"].to_numpy()
    if eligible is not None:
        ok &= eligible
    state.set(free, value=tie, threshold=threshold)
    state.set(ok, area=best["best_area"].to_numpy(), status=MEMBER, rule=rules)
    below = free & ~best["qualifies"].to_numpy()
    state.set(below, rule="rejected:below_threshold")
    no_flow = free & (best["best_area"].to_numpy() == NO_AREA)
    state.set(no_flow, rule="rejected:no_flow_to_any_core")
    state.column("outbound_share")[:] = o
    state.column("inbound_share")[:] = i
    state.column("best_area", NO_AREA, np.int64)[:] = best["best_area"].to_numpy()
    state.column("n_qualifying_areas", 0, np.int64)[:] = best["n_qualifying_areas"].to_numpy()
    state.column("runner_up_area", NO_AREA, np.int64)[:] = best["runner_up_area"].to_numpy()


# ---------------------------------------------------------------------------------------------
# Steps on the adjacency graph: contiguity pruning, exclaves, enclaves
# ---------------------------------------------------------------------------------------------
def adjacency_matrix(adjacency: pd.DataFrame, fm: FlowMatrix) -> sp.csr_matrix:
    """Symmetric boolean ``n x n`` adjacency; pairs naming non-units raise one InputError."""
    a = fm.positions(adjacency["unit_a"].astype(str).to_numpy(dtype=object))
    b = fm.positions(adjacency["unit_b"].astype(str).to_numpy(dtype=object))
    bad = (a < 0) | (b < 0)
    if bad.any():
        codes = sorted(
            set(adjacency["unit_a"].astype(str)[a < 0])
            | set(adjacency["unit_b"].astype(str)[b < 0])
        )
        raise InputError(_problem_list("adjacency", "unit code(s) not among the units", codes))
    rows = np.concatenate([a, b])
    cols = np.concatenate([b, a])
    g = sp.csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(fm.n, fm.n))
    g.sum_duplicates()
    g.data[:] = 1
    return g


def _problem_list(source: str, message: str, rows: Sequence[object]) -> list:
    p = Problems()
    p.add(source, message, rows)
    return p.items


def prune_to_cores(
    state: Assignment, graph: sp.csr_matrix, rule: str = "rejected:not_contiguous"
) -> np.ndarray:
    """Contiguity pruning (exclave dropping): keep a member only if it is connected to a core of
    its own area through units of that same area.

    The connection may run through any number of accepted members (it is applied iteratively
    through accepted units, as one connected-components pass). Dropped units keep their measured
    value and get ``rule``; returns the boolean mask of dropped units.
    """
    area = state.area
    coo = graph.tocoo()
    same = (area[coo.row] >= 0) & (area[coo.row] == area[coo.col])
    sub = sp.csr_matrix(
        (np.ones(int(same.sum())), (coo.row[same], coo.col[same])), shape=graph.shape
    )
    _, comp = connected_components(sub, directed=False)
    has_core = np.zeros(comp.max() + 1, dtype=bool)
    has_core[comp[state.status == CORE]] = True
    dropped = (state.status == MEMBER) & ~has_core[comp]
    if dropped.any():
        state.column("rejected_area", NO_AREA, np.int64)[dropped] = area[dropped]
        state.set(dropped, area=NO_AREA, status=OUTSIDE, rule=rule)
    return dropped


def edge_units(units: pd.DataFrame | None, fm: FlowMatrix) -> tuple[np.ndarray, str]:
    """Units on the edge of the study region (sea, border, end of the data), which can never
    be enclaves.

    Taken from a boolean ``edge`` column of ``units`` if present; else derived from geometry
    (a unit whose boundary runs along the outline of all units); else none (every unit is taken
    as interior, and the returned note says so).
    """
    n = fm.n
    if units is None:
        return np.zeros(n, dtype=bool), "no units table: every unit taken as interior"
    pos = fm.positions(units["unit_id"].astype(str).to_numpy(dtype=object))
    if "edge" in units.columns:
        flag = np.zeros(n, dtype=bool)
        flag[pos] = units["edge"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        return flag, "edge column"
    if "geometry" in units.columns:
        import shapely

        geoms = np.asarray(units.geometry.values, dtype=object)
        outline = shapely.boundary(shapely.union_all(geoms))
        tol = 1e-9 * max(1.0, float(np.nanmax(np.abs(shapely.bounds(outline)))))
        shared = shapely.length(
            shapely.intersection(shapely.boundary(geoms), shapely.buffer(outline, tol))
        )
        flag = np.zeros(n, dtype=bool)
        flag[pos] = shared > 10 * tol
        return flag, "geometry outline"
    return np.zeros(n, dtype=bool), "no edge column or geometry: every unit taken as interior"


def fill_enclaves(state: Assignment, graph: sp.csr_matrix, edge: np.ndarray) -> np.ndarray:
    """Enclave filling: a connected group of non-member units all of whose neighbours belong to
    one and the same area (and none of which lies on the edge of the study region) joins that
    area with rule ``enclave_filled``. Units enclosed by two different areas stay outside.

    Returns the mask of filled units.
    """
    area = state.area
    out = area < 0
    coo = graph.tocoo()
    both_out = out[coo.row] & out[coo.col]
    sub = sp.csr_matrix(
        (np.ones(int(both_out.sum())), (coo.row[both_out], coo.col[both_out])), shape=graph.shape
    )
    _, comp = connected_components(sub, directed=False)
    border = out[coo.row] & ~out[coo.col]
    nb = pd.DataFrame({"comp": comp[coo.row[border]], "area": area[coo.col[border]]})
    n_areas = nb.drop_duplicates().groupby("comp")["area"].agg(["nunique", "first"])
    touches_edge = pd.Series(edge[out], index=comp[out]).groupby(level=0).any()
    ok = n_areas[n_areas["nunique"] == 1]
    ok = ok[~touches_edge.reindex(ok.index).fillna(False).to_numpy(dtype=bool)]
    target = np.full(comp.max() + 1, NO_AREA, dtype=np.int64)
    target[ok.index.to_numpy()] = ok["first"].to_numpy()
    filled = out & (target[comp] >= 0)
    if filled.any():
        state.set(filled, area=target[comp], status=MEMBER, rule="enclave_filled")
    return filled


def value_to_own_area(state: Assignment, pairs: pd.DataFrame, mask: np.ndarray) -> None:
    """Set ``value`` of the units in ``mask`` to their tie to the area they now belong to (e.g.
    filled enclaves, whose best tie may have been to another area or below threshold)."""
    idx = np.flatnonzero(mask & (state.area >= 0))
    if not len(idx):
        return
    lookup = pd.Series(
        pairs["tie"].to_numpy(), index=pd.MultiIndex.from_arrays([pairs["pos"], pairs["area"]])
    )
    keys = pd.MultiIndex.from_arrays([idx, state.area[idx]])
    state.value[idx] = lookup.reindex(keys).fillna(0.0).to_numpy()


def iterate_geometry(
    state: Assignment,
    graph: sp.csr_matrix,
    edge: np.ndarray,
    *,
    enclaves: bool,
    max_rounds: int = 50,
) -> int:
    """Drop exclaves and fill enclaves until nothing changes; returns the number of rounds."""
    for rounds in range(1, max_rounds + 1):
        before = state.area.copy()
        prune_to_cores(state, graph, rule="rejected:exclave")
        if enclaves:
            fill_enclaves(state, graph, edge)
        if np.array_equal(before, state.area):
            return rounds
    logger.warning("enclave/exclave treatment did not settle in %d rounds", max_rounds)
    return max_rounds


# ---------------------------------------------------------------------------------------------
# Step: merging core groups (OMB Section 4, EU-OECD polycentric cities, INSEE associated poles)
# ---------------------------------------------------------------------------------------------
def core_group_ties(
    fm: FlowMatrix, group_of_area: np.ndarray, n: int, direction: str
) -> np.ndarray:
    """``tie[a, b]``: how strongly the cores of area ``a`` (as a group) are tied to the cores of
    area ``b``, measured as the outlying test measures a unit (out = T[a->b]/R_a, in =
    T[b->a]/W_a)."""
    p = indicator(group_of_area, n)
    c = (p.T @ fm.matrix @ p).toarray()
    r = p.T @ fm.employed_residents
    w = p.T @ fm.jobs
    out = _safe_divide(c, r[:, None] * np.ones((1, n)))
    inn = _safe_divide(c.T, w[:, None] * np.ones((1, n)))
    tie = tie_of(out, inn, direction)
    np.fill_diagonal(tie, 0.0)
    return tie


def area_adjacency(area: np.ndarray, graph: sp.csr_matrix, n_areas: int) -> np.ndarray:
    """``adj[a, b]`` is True when some unit of area ``a`` touches some unit of area ``b``."""
    e = indicator(area, n_areas)
    adj = (e.T @ graph @ e).toarray() > 0
    np.fill_diagonal(adj, False)
    return adj


@dataclass
class MergeLog:
    """What the merge step did: rows of (absorbed group, into area, tie, threshold)."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        cols = ["round", "absorbed", "into", "tie", "threshold", "direction"]
        return pd.DataFrame(self.rows, columns=cols)


def pick_merge(
    tie: np.ndarray, threshold: float, allowed: np.ndarray, size: np.ndarray
) -> tuple[int, int] | None:
    """The next merge: among allowed pairs whose tie passes, the strongest; the group that
    qualifies (row) is absorbed into the other (column). Ties broken by the smaller absorbed
    group, then lowest codes."""
    cand = np.argwhere((tie >= threshold) & allowed)
    if len(cand) == 0:
        return None
    vals = tie[cand[:, 0], cand[:, 1]]
    order = np.lexsort((cand[:, 1], cand[:, 0], size[cand[:, 0]], -vals))
    a, b = cand[order[0]]
    return int(a), int(b)


def merge_round(
    tie: np.ndarray, threshold: float, allowed: np.ndarray, size: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """One round of merges, every qualifying area at once: each area whose cores qualify (at
    ``threshold`` or more) to the cores of an allowed other area joins the one it is tied to
    most strongly (equal ties: the lower code), as a county joins the area of its strongest tie.

    Returns ``target`` (the area each area joins, -1 if none) and ``host`` (the area each area
    ends in: a chain ``a -> b -> c`` ends in ``c``; in a cycle, e.g. two areas qualifying to
    each other, the one with the largest ``size`` stays, equal sizes the lower code), or None
    when no pair qualifies.
    """
    q = (tie >= threshold) & allowed
    if not q.any():
        return None
    n = len(tie)
    masked = np.where(q, tie, -np.inf)
    target = np.where(q.any(axis=1), np.argmax(masked, axis=1), NO_AREA).astype(np.int64)
    host = np.full(n, NO_AREA, dtype=np.int64)
    for start in range(n):
        path: list[int] = []
        x = start
        while host[x] < 0 and target[x] >= 0 and x not in path:
            path.append(x)
            x = int(target[x])
        if host[x] >= 0:
            end = int(host[x])
        elif target[x] < 0:
            end = x
        else:  # a cycle: the largest of its members stays
            cycle = path[path.index(x) :]
            end = max(cycle, key=lambda k: (size[k], -k))
        host[path] = end
        if host[x] < 0:
            host[x] = end
    return target, host


@dataclass
class AreaMerges:
    """Result of :func:`merge_whole_areas`.

    ``host[a]`` is the area that area ``a`` (as first delineated) ends in (``a`` itself if it
    was not absorbed); ``merges`` has one row per absorbed area (``round, absorbed, into, tie,
    threshold, direction``); ``rounds`` counts the rounds run (the last finds nothing)."""

    host: np.ndarray
    merges: pd.DataFrame
    rounds: int

    @property
    def absorbed(self) -> np.ndarray:
        return self.host != np.arange(len(self.host))


def merge_whole_areas(
    state: Assignment,
    fm: FlowMatrix,
    core_area: np.ndarray,
    labels: Sequence[str],
    *,
    direction: str,
    threshold: float,
    graph: sp.csr_matrix | None,
    size: np.ndarray,
    max_rounds: int = 1000,
) -> AreaMerges:
    """Merge whole areas whose cores, as a group, qualify as outlying to another area's cores
    (OMB Section 4, read literally), round after round until no pair qualifies.

    Each round tests every pair of areas as they stand (adjacent areas only when ``graph`` is
    given: some unit of one touches some unit of the other) with the cores' tie measured as
    :func:`core_group_ties` measures it, and merges every qualifying area into the one it is
    tied to most strongly (:func:`merge_round`). An absorbed area's cores thereby qualify as
    outlying: they and every unit of the absorbed area become members of the host, whose own
    cores remain the cores of the merged area; units are not assigned again. The next round
    tests the merged areas by their (unchanged) cores; only their adjacency has grown.

    ``state`` is updated: every unit of an absorbed area moves to its host; absorbed cores
    become members with rule ``merged_from:<absorbed label>``, their value the tie and their
    threshold ``threshold``.
    """
    n = len(labels)
    tie = core_group_ties(fm, core_area, n, direction)
    host = np.arange(n)
    log = MergeLog()
    rounds = 0
    while rounds < max_rounds:
        rounds += 1
        alive = host == np.arange(n)
        allowed = alive[:, None] & alive[None, :]
        np.fill_diagonal(allowed, False)
        if graph is not None:
            current = np.where(state.area >= 0, host[np.maximum(state.area, 0)], NO_AREA)
            allowed &= area_adjacency(current, graph, n)
        planned = merge_round(np.where(allowed, tie, 0.0), threshold, allowed, size)
        if planned is None:
            break
        target, joined = planned
        new = np.flatnonzero(joined != np.arange(n))
        for a in new[np.lexsort((new, -tie[new, target[new]]))]:
            b = int(target[a])
            log.rows.append(
                {
                    "round": rounds,
                    "absorbed": labels[a],
                    "into": labels[b],
                    "tie": float(tie[a, b]),
                    "threshold": threshold,
                    "direction": direction,
                }
            )
            cores_a = core_area == a
            state.set(
                cores_a, status=MEMBER, rule=f"merged_from:{labels[a]}", value=float(tie[a, b])
            )
            state.set(cores_a, threshold=threshold)
        host = joined[host]
        logger.info("merge round %d: %d area(s) absorbed", rounds, len(new))
    placed = state.area >= 0
    state.area[placed] = host[state.area[placed]]
    return AreaMerges(host, log.frame(), rounds)


# ---------------------------------------------------------------------------------------------
# Step: cascading through outlying units (Japan UEA)
# ---------------------------------------------------------------------------------------------
def top_targets(
    fm: FlowMatrix, core_area: np.ndarray, n_areas: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's highest outbound commuting ratio to a single target, where a target is either
    the whole core of an area (its core units counted together) or one non-core unit; the unit
    itself is not a target.

    Returns ``target`` (encoded: ``a`` for the core of area ``a``; ``n_areas + pos`` for the unit
    at ``pos``; -1 for none) and ``ratio``.
    """
    n = fm.n
    col = np.where(core_area >= 0, core_area, n_areas + np.arange(n))
    q = sp.csr_matrix((np.ones(n), (np.arange(n), col)), shape=(n, n_areas + n))
    m = (fm.matrix - sp.diags(fm.matrix.diagonal())).tocsr()
    m.eliminate_zeros()
    t = (m @ q).tocoo()
    frame = pd.DataFrame({"row": t.row, "col": t.col, "v": t.data})
    frame = frame[frame["v"] > 0].sort_values(["row", "v", "col"], ascending=[True, False, True])
    top = frame.drop_duplicates("row")
    target = np.full(n, -1, dtype=np.int64)
    ratio = np.zeros(n)
    target[top["row"].to_numpy()] = top["col"].to_numpy()
    ratio[top["row"].to_numpy()] = _safe_divide(
        top["v"].to_numpy(), fm.employed_residents[top["row"].to_numpy()]
    )
    return target, ratio


def cascade(
    state: Assignment,
    fm: FlowMatrix,
    target: np.ndarray,
    ratio: np.ndarray,
    n_areas: int,
    threshold: float,
    max_order: int | None = None,
) -> int:
    """Japan UEA cascading: a unit whose highest commuting ratio (to any single target) is to an
    outlying unit, at ``threshold`` or more, joins that unit's area as an outlying unit of the
    next order. Its own first-order tie, if any, is kept when that is at least as strong.

    A chain of such pointers that loops back on itself is broken at the unit with the lowest
    ratio (of a mutual pair, the one with the higher ratio is the suburb of the other). Returns
    the highest order reached.
    """
    n = fm.n
    order = state.column("order", 0, np.int64)
    via = state.column("via_unit", -1, np.int64)
    order[state.status == MEMBER] = 1
    free = state.status != CORE
    ptr = np.where(free & (target >= n_areas) & (ratio >= threshold), target - n_areas, -1)
    ptr[ptr >= 0] = np.where(state.status[ptr[ptr >= 0]] == CORE, -1, ptr[ptr >= 0])
    # break cycles of the pointer graph at their weakest link
    ptr = _break_cycles(ptr, ratio)
    first_area = state.area.copy()
    first_rule = state.rule.copy()
    first_value = state.value.copy()
    area = first_area.copy()
    depth = np.where(state.status == MEMBER, 1, 0)
    limit = max_order if max_order is not None else n + 1
    for _ in range(n + 1):
        has = ptr >= 0
        src = np.flatnonzero(has)
        parent_area = area[ptr[src]]
        parent_depth = depth[ptr[src]]
        ok = (parent_area >= 0) & (parent_depth + 1 <= limit)
        new_area = first_area.copy()
        new_depth = np.where(first_area >= 0, 1, 0)
        new_area[src[ok]] = parent_area[ok]
        new_depth[src[ok]] = parent_depth[ok] + 1
        new_area[~free] = area[~free]
        new_depth[~free] = 0
        if np.array_equal(new_area, area) and np.array_equal(new_depth, depth):
            break
        area, depth = new_area, new_depth
    via_mask = free & (ptr >= 0) & (area >= 0) & (depth >= 2)
    via_mask &= ~((first_area == area) & (depth == 1))
    state.area[:] = np.where(free, area, state.area)
    state.status[free & (area >= 0)] = MEMBER
    state.status[free & (area < 0)] = OUTSIDE
    t = f"{threshold:g}"
    state.rule[via_mask] = [
        f"cascade:outbound_share_to_{fm.unit_ids[p]}>={t}" for p in ptr[via_mask]
    ]
    state.value[via_mask] = ratio[via_mask]
    keep_first = free & ~via_mask
    state.rule[keep_first] = first_rule[keep_first]
    state.value[keep_first] = first_value[keep_first]
    via[via_mask] = ptr[via_mask]
    order[:] = np.where(free & (area >= 0), depth, 0)
    state.column("top_target_ratio")[:] = ratio
    return int(order.max()) if n else 0


def _break_cycles(ptr: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """Remove, in every cycle of the functional graph ``i -> ptr[i]``, the pointer of the unit
    with the lowest ratio."""
    ptr = ptr.copy()
    n = len(ptr)
    state = np.zeros(n, dtype=np.int8)  # 0 new, 1 on stack, 2 done
    for start in range(n):
        if state[start] or ptr[start] < 0:
            state[start] = max(state[start], 2 if ptr[start] < 0 else state[start])
            continue
        path = []
        x = start
        while x >= 0 and state[x] == 0:
            state[x] = 1
            path.append(x)
            x = ptr[x]
        if x >= 0 and state[x] == 1:
            cyc = path[path.index(x) :]
            weakest = min(cyc, key=lambda u: (ratio[u], u))
            ptr[weakest] = -1
        for u in path:
            state[u] = 2
    return ptr


# ---------------------------------------------------------------------------------------------
# Step: travel-time gate
# ---------------------------------------------------------------------------------------------
def minutes_to_cores(
    travel_times: pd.DataFrame, fm: FlowMatrix, core_area: np.ndarray, n_areas: int
) -> np.ndarray:
    """``minutes[u, a]``: the shortest travel time from unit ``u`` to any core unit of area
    ``a``. A row of the matrix with no minutes means *unreachable* (``inf``); a pair that has
    no row at all is *missing* (NaN), which is not the same: nobody measured it. Core units get
    0 to their own area."""
    o = fm.positions(travel_times["origin"].astype(str).to_numpy(dtype=object))
    d = fm.positions(travel_times["destination"].astype(str).to_numpy(dtype=object))
    mins = pd.to_numeric(travel_times["minutes"], errors="coerce").to_numpy(dtype=float)
    mins = np.where(np.isnan(mins), np.inf, mins)
    keep = (o >= 0) & (d >= 0)
    o, d, mins = o[keep], d[keep], mins[keep]
    a = core_area[d]
    ok = a >= 0
    frame = pd.DataFrame({"o": o[ok], "a": a[ok], "m": mins[ok]}).groupby(["o", "a"])["m"].min()
    out = np.full((fm.n, n_areas), np.nan)
    out[frame.index.get_level_values(0), frame.index.get_level_values(1)] = frame.to_numpy()
    core = np.flatnonzero(core_area >= 0)
    out[core, core_area[core]] = 0.0
    return out


@dataclass
class RulesOff:
    """The rules of a method that one run does not apply, because an input is missing or a
    parameter turned them off. Nothing switches off silently: each rule turned off is said on
    the console (a WARNING), in ``run.json`` (the method's ``info_["rules_off"]``, a list of
    ``{"rule", "reason"}``) and in every non-core unit's ``rules_off`` column (:meth:`explain`).

    Examples
    --------
    >>> off = RulesOff("cn-multisource")
    >>> off.travel_time_gate(None, apply=False, max_minutes=60.0)
    False
    >>> off.rules[0]["reason"]
    'one-hour gate (max_minutes 60) not applied: travel_time_gate=false, no travel times given'
    """

    method: str
    rules: list[dict[str, str]] = field(default_factory=list)

    def add(self, rule: str, reason: str) -> None:
        """Record that ``rule`` does not apply, and say why on the console."""
        self.rules.append({"rule": rule, "reason": reason})
        logger.warning("%s: %s; every unit's rules_off column says so", self.method, reason)

    def travel_time_gate(
        self, travel_times: pd.DataFrame | None, *, apply: bool, max_minutes: float
    ) -> bool:
        """Whether the one-hour gate applies. The gate is part of the definition of the
        methods that have it (the one-hour commuting circle), so asking for it without travel
        times is an error naming the way out; ``apply=False`` (``travel_time_gate=false``)
        records the rule as off."""
        if apply:
            if travel_times is None:
                raise ParameterError(
                    f"{self.method} applies the one-hour gate (max_minutes {max_minutes:g}), "
                    "which needs travel times: give travel_times (origin, destination, "
                    "minutes; --travel-times on the command line), or turn the rule off with "
                    "travel_time_gate=false (--param travel_time_gate=false)."
                )
            return True
        self.add("travel_time_gate",
                 f"one-hour gate (max_minutes {max_minutes:g}) not applied: "
                 "travel_time_gate=false"
                 + ("" if travel_times is not None else ", no travel times given"))
        return False

    def explain(self, state: Assignment) -> None:
        """Write the rules turned off into every non-core unit's ``rules_off`` column (a core
        unit passes no rule); no column when every rule applied."""
        if not self.rules:
            return
        column = state.column("rules_off", "", object)
        column[:] = "; ".join(r["reason"] for r in self.rules)
        column[state.status == CORE] = ""


class TravelTimeGate:
    """The travel-time gate of :func:`share_rule` (its ``gate``): a unit more than
    ``max_minutes`` from every core unit of an area cannot join it.

    A unit whose time to an area is *missing* from the matrix (no row for the pair) cannot
    join it either, but is told apart from one that is too far or unreachable: its rule is
    ``rejected:travel_time_missing`` and the missing pairs are counted (``missing_pairs``) and
    logged as a warning. The minutes of the last round are kept for :meth:`explain`.
    """

    def __init__(
        self,
        travel_times: pd.DataFrame,
        fm: FlowMatrix,
        max_minutes: float,
        cache: dict[tuple, Any] | None = None,
    ) -> None:
        self.travel_times = travel_times
        self.fm = fm
        self.max_minutes = max_minutes
        self.cache = cache
        self.minutes = np.full((fm.n, 0), np.nan)
        self.missing_pairs = 0
        self.missing_units = 0

    def __call__(self, core_area: np.ndarray, n_areas: int) -> np.ndarray:
        self.minutes = cached(
            self.cache,
            ("minutes_to_cores", n_areas, core_area.tobytes()),
            lambda: minutes_to_cores(self.travel_times, self.fm, core_area, n_areas),
        )
        return np.nan_to_num(self.minutes, nan=np.inf) <= self.max_minutes

    def explain(self, run: ShareRun, direction: str, threshold: float) -> None:
        """Record ``travel_minutes`` to each unit's best area, and give the units kept out by the
        gate only (their ungated tie would pass; not those cut off by contiguity) the rule
        ``rejected:travel_minutes>MAX`` (``inf`` minutes: unreachable), or
        ``rejected:travel_time_missing`` when the matrix has no time for the pair, with the
        shares to the area they would have joined."""
        fm, state, m = self.fm, run.state, self.minutes
        free = state.status != CORE
        n_areas = len(run.area_labels)
        pairs = cached(
            self.cache,
            ("shares", direction, n_areas, run.core_area.tobytes()),
            lambda: shares_to_areas(fm, run.core_area, n_areas, direction),
        )
        ungated = strongest_tie(pairs, threshold, fm.n)
        to_best = np.where(
            ungated["best_area"].to_numpy() >= 0,
            m[np.arange(fm.n), np.maximum(ungated["best_area"].to_numpy(), 0)],
            np.nan,
        )
        gated_out = (
            free
            & (state.area < 0)
            & ungated["qualifies"].to_numpy()
            & ~(np.nan_to_num(to_best, nan=np.inf) <= self.max_minutes)
            & ~(state.rule == "rejected:not_contiguous")
        )
        missing = gated_out & np.isnan(to_best)
        state.set(
            gated_out & ~missing,
            rule=f"rejected:travel_minutes>{self.max_minutes:g}",
            value=ungated["tie"].to_numpy(),
        )
        state.set(missing, rule="rejected:travel_time_missing", value=ungated["tie"].to_numpy())
        # pairs with a flow (either way) between a unit and an area's cores but no time
        pos, area = pairs["pos"].to_numpy(), pairs["area"].to_numpy()
        no_time = free[pos] & (
            np.isnan(m[pos, area]) if m.size else np.zeros(len(pos), dtype=bool)
        )
        self.missing_pairs = int(no_time.sum())
        self.missing_units = int(missing.sum())
        if self.missing_pairs:
            names = sorted({str(u) for u in fm.unit_ids[pos[no_time]]})[:5]
            logger.warning(
                "the travel-time matrix has no time for %d pair(s) of a unit and an area's "
                "cores that have flows between them (e.g. from %s); %d unit(s) that would "
                "qualify by their flows are kept out as rejected:travel_time_missing. Give "
                "those times, or an empty minutes cell where a pair is unreachable",
                self.missing_pairs, ", ".join(names), self.missing_units,
            )
        # units beyond the gate whose tie would not pass the threshold either: they do send
        # flows to an area, so they are below the threshold, not without flow
        below = (
            free
            & (state.area < 0)
            & (state.rule == "rejected:no_flow_to_any_core")
            & (ungated["best_area"].to_numpy() >= 0)
            & ~gated_out
        )
        state.set(below, rule="rejected:below_threshold", value=ungated["tie"].to_numpy())
        shown = gated_out | below
        best_area = state.extra["best_area"]
        state.column("travel_minutes")[:] = np.where(
            best_area >= 0, m[np.arange(fm.n), np.maximum(best_area, 0)], np.nan
        )
        state.column("travel_minutes")[shown] = to_best[shown]
        # the shares shown are those to the area the unit would have joined without the gate
        for col in ("outbound_share", "inbound_share", "best_area"):
            state.extra[col][shown] = ungated[col].to_numpy()[shown]


# ---------------------------------------------------------------------------------------------
# Step: rings by share (cn-commuting)
# ---------------------------------------------------------------------------------------------
def rings(tie: np.ndarray, bounds: Sequence[tuple[str, float]]) -> np.ndarray:
    """Name of the innermost ring whose lower bound the tie reaches ('' if none); ``bounds`` are
    ``(name, lower_share)`` from the innermost ring outwards."""
    out = np.full(len(tie), "", dtype=object)
    for name, low in reversed(list(bounds)):
        out[tie >= low] = name
    return out


def natural_breaks(values: np.ndarray, classes: int) -> np.ndarray:
    """Lower bounds of the classes of Jenks' natural breaks (Fisher's exact optimisation).

    The sorted values are cut into ``classes`` consecutive classes that minimise the sum of
    squared deviations from the class means (Fisher 1958; Jenks 1967). Returns the smallest
    value of each class, lowest class first. With fewer distinct values than ``classes``, one
    class per distinct value.

    Examples
    --------
    >>> natural_breaks(np.array([1.0, 2.0, 3.0, 10.0, 11.0, 30.0]), 3).tolist()
    [1.0, 10.0, 30.0]
    """
    x = np.sort(np.asarray(values, dtype=float))
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return np.array([])
    k = int(min(classes, len(np.unique(x))))
    n = len(x)
    s1 = np.concatenate([[0.0], np.cumsum(x)])
    s2 = np.concatenate([[0.0], np.cumsum(x * x)])

    def ssd(a: np.ndarray, b: int) -> np.ndarray:
        """Within-class squared deviations of x[a..b] for every start in ``a``."""
        cnt = b - a + 1
        tot = s1[b + 1] - s1[a]
        return s2[b + 1] - s2[a] - tot * tot / cnt

    cost = np.full((k + 1, n), np.inf)
    back = np.zeros((k + 1, n), dtype=np.int64)
    cost[1] = s2[1:] - s1[1:] ** 2 / np.arange(1, n + 1)
    for j in range(2, k + 1):
        for i in range(j - 1, n):
            m = np.arange(j - 2, i)  # the previous class ends at m
            total = cost[j - 1, m] + ssd(m + 1, i)
            best = int(np.argmin(total))
            cost[j, i] = total[best]
            back[j, i] = m[best]
    starts = []
    end = n - 1
    for j in range(k, 1, -1):
        m = back[j, end]
        starts.append(m + 1)
        end = m
    starts.append(0)
    return x[np.array(starts[::-1], dtype=np.int64)]


# ---------------------------------------------------------------------------------------------
# Step: snapping sub-units to whole parent units, and policy overrides
# ---------------------------------------------------------------------------------------------
def snap_to_parents(
    state: Assignment,
    units: pd.DataFrame,
    fm: FlowMatrix,
    *,
    share: float,
    weight: str,
    parent_col: str = "parent_id",
    level: str | None = None,
) -> pd.DataFrame:
    """Snap sub-units to whole parent units.

    For each parent, the qualifying part for an area is the ``weight`` (e.g. population) of its
    sub-units that are core or member of that area. If the largest such part is at least
    ``share`` of the parent's total, every sub-unit of the parent joins that area (the ones that
    were not in it get ``snapped_to_parent``); otherwise every member sub-unit leaves it
    (``rejected:parent_below_share``). A parent holding a core unit is always kept whole in the
    core's area. Returns one row per parent with its decision.

    ``level`` names the parent level when several are snapped one after another (e.g.
    ``"prefecture_id"``): the rules become ``snapped_to_parent:<level>`` and
    ``rejected:parent_below_share:<level>``, the parent and its share go to the columns
    ``<level>`` and ``<level>_share``. Without it, the columns are ``parent_id`` and
    ``parent_share``.
    """
    p = Problems()
    for col in (parent_col, weight):
        if col not in units.columns:
            p.add("units", f"snapping needs a '{col}' column")
    p.raise_if_any()
    pos = fm.positions(units["unit_id"].astype(str).to_numpy(dtype=object))
    parent = np.full(fm.n, None, dtype=object)
    parent[pos] = units[parent_col].astype("string").to_numpy(dtype=object, na_value=None)
    w = np.zeros(fm.n)
    wv = pd.to_numeric(units[weight], errors="coerce").to_numpy(dtype=float)
    if np.isnan(wv).any():
        bad = units["unit_id"].astype(str).to_numpy()[np.isnan(wv)]
        raise InputError(
            _problem_list(
                "units", f"missing or non-numeric '{weight}' needed for snapping", list(bad)
            )
        )
    w[pos] = wv
    # an empty cell is no parent, as a missing one is (a units table read back from CSV, e.g.
    # the run folder's delineation/inputs/units.csv, has "" where the run had NA)
    has_parent = np.array([x is not None and str(x).strip() != "" for x in parent])
    frame = pd.DataFrame(
        {
            "pos": np.flatnonzero(has_parent),
            "parent": parent[has_parent],
            "area": state.area[has_parent],
            "w": w[has_parent],
            "core": state.status[has_parent] == CORE,
        }
    )
    total = frame.groupby("parent")["w"].sum()
    inside = frame[frame["area"] >= 0].groupby(["parent", "area"])["w"].sum().reset_index()
    inside = inside.sort_values(["parent", "w", "area"], ascending=[True, False, True])
    best = inside.drop_duplicates("parent").set_index("parent")
    core_area = frame[frame["core"]].groupby("parent")["area"].agg(["first", "nunique"])
    decisions = pd.DataFrame(index=total.index)
    decisions["area"] = best["area"].reindex(total.index).fillna(NO_AREA).astype(np.int64)
    decisions["share"] = _safe_divide(
        best["w"].reindex(total.index).fillna(0).to_numpy(), total.to_numpy()
    )
    decisions["has_core"] = core_area["first"].reindex(total.index).notna()
    forced = core_area["first"].reindex(total.index)
    decisions.loc[decisions["has_core"], "area"] = forced[decisions["has_core"]].astype(np.int64)
    decisions["whole"] = decisions["has_core"] | (decisions["share"] >= share)
    split = core_area[core_area["nunique"] > 1].index.tolist()
    if split:
        logger.warning("parent unit(s) holding cores of several areas are not snapped: %s", split)
        decisions.loc[split, "whole"] = False
        decisions.loc[split, "area"] = NO_AREA
    fpar = frame["parent"].to_numpy()
    target = decisions["area"].reindex(fpar).to_numpy()
    whole = decisions["whole"].reindex(fpar).to_numpy(dtype=bool)
    psh = decisions["share"].reindex(fpar).to_numpy()
    fpos = frame["pos"].to_numpy()
    not_core = state.status[fpos] != CORE
    join = whole & not_core & (state.area[fpos] != target)
    leave = ~whole & not_core & (state.area[fpos] >= 0) & ~np.isin(fpar, split)
    id_col, share_col = (level, f"{level}_share") if level else ("parent_id", "parent_share")
    suffix = f":{level}" if level else ""
    state.column(share_col)[fpos] = psh
    state.column(id_col, None, object)[fpos] = fpar
    state.set(
        fpos[join],
        area=target[join],
        status=MEMBER,
        rule=f"snapped_to_parent{suffix}",
        value=psh[join],
        threshold=share,
    )
    state.set(
        fpos[leave],
        area=NO_AREA,
        status=OUTSIDE,
        rule=f"rejected:parent_below_share{suffix}",
        value=psh[leave],
        threshold=share,
    )
    decisions.index.name = "parent_id"
    return decisions.reset_index()


POLICY_COLUMNS = ("action", "reason")


def read_policy(path: str | Path) -> pd.DataFrame:
    """Read a policy file of overrides (CSV or JSON list of objects).

    Columns: ``unit_id`` or ``parent_id`` (which units), ``action`` (``include`` or
    ``exclude``), ``area_id`` (the area to include into; may be empty when the unit or parent
    already has exactly one area) and ``reason`` (required: every override is explained).
    Every problem is reported at once.
    """
    path = Path(path)
    p = Problems()
    if not path.exists():
        raise InputError(_problem_list(str(path), "policy file not found", []))
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                data = data.get("overrides", data)
            table = pd.DataFrame(data, dtype="string")
        else:
            table = pd.read_csv(path, dtype="string", keep_default_na=False)
    except (ValueError, json.JSONDecodeError) as err:
        raise InputError(_problem_list(str(path), f"cannot read policy file: {err}", [])) from err
    src = path.name
    if "unit_id" not in table.columns and "parent_id" not in table.columns:
        p.add(src, "needs a 'unit_id' or 'parent_id' column")
    for col in POLICY_COLUMNS:
        if col not in table.columns:
            p.add(src, f"missing column '{col}'")
    p.raise_if_any()
    for col in ("unit_id", "parent_id", "area_id"):
        if col not in table.columns:
            table[col] = ""
    table = table.fillna("")
    for col in table.columns:
        table[col] = table[col].astype(str).str.strip()
    rows = np.arange(len(table)) + 2
    act = table["action"].str.lower()
    bad = ~act.isin(["include", "exclude"])
    if bad.any():
        p.add(src, "action must be 'include' or 'exclude'", [f"line {r}" for r in rows[bad]])
    none = (table["unit_id"] == "") & (table["parent_id"] == "")
    if none.any():
        p.add(src, "row names neither unit_id nor parent_id", [f"line {r}" for r in rows[none]])
    both = (table["unit_id"] != "") & (table["parent_id"] != "")
    if both.any():
        p.add(src, "row names both unit_id and parent_id", [f"line {r}" for r in rows[both]])
    noreason = table["reason"] == ""
    if noreason.any():
        p.add(src, "every override needs a reason", [f"line {r}" for r in rows[noreason]])
    p.raise_if_any()
    table["action"] = act
    return table[["unit_id", "parent_id", "action", "area_id", "reason"]]


def apply_policy(
    state: Assignment,
    policy: pd.DataFrame,
    fm: FlowMatrix,
    units: pd.DataFrame | None,
    area_labels: list[str],
    parent_cols: Sequence[str] = ("parent_id",),
) -> int:
    """Apply overrides from :func:`read_policy`; each touched unit gets rule ``policy_override``
    and its reason in ``policy_reason``. Cores cannot be excluded. Returns the units changed.

    A row's ``parent_id`` names a parent in any of ``parent_cols`` (the parent levels of the
    units table: a prefecture, a planning group...)."""
    p = Problems()
    parent = pd.Series(dtype=object)
    if units is not None:
        ids, pars = [], []
        for col in parent_cols:
            if col in units.columns:
                ids.append(units["unit_id"].astype(str).to_numpy())
                pars.append(units[col].astype("string").to_numpy(dtype=object, na_value=None))
        if ids:
            parent = pd.Series(np.concatenate(pars), index=np.concatenate(ids))
    label_to_code = {a: i for i, a in enumerate(area_labels)}
    reason_col = state.column("policy_reason", "", object)
    changed = 0
    for k, row in enumerate(policy.itertuples(index=False)):
        line = f"line {k + 2}"
        if row.unit_id:
            pos = fm.positions([row.unit_id])
            if pos[0] < 0:
                p.add("policy", f"unknown unit {row.unit_id!r}", [line])
                continue
        else:
            codes = np.unique(parent.index[parent.to_numpy() == row.parent_id].to_numpy())
            if len(codes) == 0:
                p.add("policy", f"no unit has parent_id {row.parent_id!r}", [line])
                continue
            pos = fm.positions(codes)
        if row.action == "exclude":
            if (state.status[pos] == CORE).any():
                p.add("policy", "a core unit cannot be excluded", [line])
                continue
            state.set(pos, area=NO_AREA, status=OUTSIDE, rule="policy_override")
        else:
            if row.area_id:
                if row.area_id not in label_to_code:
                    p.add("policy", f"unknown area_id {row.area_id!r}", [line])
                    continue
                code = label_to_code[row.area_id]
            else:
                present = set(state.area[pos][state.area[pos] >= 0].tolist())
                if len(present) != 1:
                    p.add(
                        "policy",
                        "include needs an area_id (the units are not in exactly one area)",
                        [line],
                    )
                    continue
                code = present.pop()
            if ((state.status[pos] == CORE) & (state.area[pos] != code)).any():
                p.add("policy", "a core unit cannot be moved to another area", [line])
                continue
            free = pos[state.status[pos] != CORE]
            state.set(free, area=code, status=MEMBER, rule="policy_override")
        reason_col[pos] = row.reason
        changed += len(pos)
    p.raise_if_any()
    return changed


# ---------------------------------------------------------------------------------------------
# Output tables
# ---------------------------------------------------------------------------------------------
def membership_frame(
    state: Assignment,
    fm: FlowMatrix,
    area_labels: list[str],
    area_columns: Sequence[str] = ("best_area", "runner_up_area", "rejected_area"),
) -> pd.DataFrame:
    """The ``membership_`` table: one row per unit with ``unit_id, area_id, status, rule, value,
    threshold, margin`` then the extra columns (area codes turned into area ids, positions
    into unit ids)."""
    labels = np.array(list(area_labels) + [None], dtype=object)  # -1 -> None

    def lab(codes: np.ndarray) -> pd.Series:
        return pd.Series(labels[np.where(codes >= 0, codes, len(labels) - 1)], dtype="string")

    out = pd.DataFrame(
        {
            "unit_id": pd.Series(fm.unit_ids.to_numpy(), dtype="string"),
            "area_id": lab(state.area),
            "status": pd.Series(state.status, dtype="string"),
            "rule": pd.Series(state.rule, dtype="string"),
            "value": state.value,
            "threshold": state.threshold,
        }
    )
    # rounded so that a unit exactly on the threshold shows 0, not 1e-17
    out["margin"] = np.round(out["value"] - out["threshold"], 12)
    out["employed_residents"] = fm.employed_residents
    out["jobs"] = fm.jobs
    for name, col in state.extra.items():
        if name in area_columns:
            out[name] = lab(col)
        elif name == "via_unit":
            ids = np.array(list(fm.unit_ids) + [None], dtype=object)
            out[name] = pd.Series(ids[np.where(col >= 0, col, len(ids) - 1)], dtype="string")
        elif col.dtype == object:
            out[name] = pd.Series(col, dtype="string")
        else:
            out[name] = col
    return out


def areas_frame(membership: pd.DataFrame, units: pd.DataFrame | None) -> pd.DataFrame:
    """The ``areas_`` table: one row per area with its core and member units, counts, employed
    residents and jobs, and the sum of every numeric attribute of ``units``."""
    m = membership[membership["area_id"].notna()]
    g = m.groupby("area_id", sort=True)
    lists: dict[str, dict[str, list[str]]] = {CORE: {}, MEMBER: {}}
    for uid, aid, st in zip(
        m["unit_id"].to_numpy(dtype=object),
        m["area_id"].to_numpy(dtype=object),
        m["status"].to_numpy(dtype=object),
        strict=True,
    ):
        lists[st].setdefault(aid, []).append(uid)
    joined = {
        k: pd.Series({a: ";".join(sorted(v)) for a, v in d.items()}, dtype=object)
        for k, d in lists.items()
    }
    out = pd.DataFrame(
        {
            "core_units": joined[CORE],
            "member_units": joined[MEMBER],
            "n_core": (m["status"] == CORE).groupby(m["area_id"]).sum(),
            "n_members": (m["status"] == MEMBER).groupby(m["area_id"]).sum(),
            "n_units": g.size(),
            "employed_residents": g["employed_residents"].sum(),
            "jobs": g["jobs"].sum(),
        }
    )
    out["member_units"] = out["member_units"].fillna("")
    out["core_units"] = out["core_units"].fillna("")
    if units is not None:
        numeric = [
            c
            for c in units.columns
            if c not in ("unit_id", "geometry", "edge")
            and pd.api.types.is_numeric_dtype(units[c])
            and not pd.api.types.is_bool_dtype(units[c])
        ]
        if numeric:
            attrs = pd.DataFrame(
                units[numeric].to_numpy(),
                columns=numeric,
                index=units["unit_id"].astype(str).to_numpy(),
            )
            joined = attrs.reindex(m["unit_id"].astype(str).to_numpy())
            joined.index = m["area_id"].to_numpy()
            sums = joined.groupby(level=0).sum(min_count=1)
            out = out.join(sums)
    out.index.name = "area_id"
    return out.reset_index()


def summary(membership: pd.DataFrame) -> dict[str, Any]:
    """Counts for ``info_``: units by status and by rule."""
    return {
        "n_units": int(len(membership)),
        "by_status": {
            k: int(v) for k, v in membership["status"].value_counts().sort_index().items()
        },
        "by_rule": {k: int(v) for k, v in membership["rule"].value_counts().sort_index().items()},
        "n_areas": int(membership["area_id"].nunique()),
    }


# ---------------------------------------------------------------------------------------------
# Composite: the core-share rule with merging of core groups (used by omb, fua, aav, uea, cn)
# ---------------------------------------------------------------------------------------------
MERGE_SCOPES = ("within_area", "all", "none")


@dataclass
class ShareRun:
    """Result of :func:`share_rule`: the per-unit state and how areas were formed."""

    state: Assignment
    best: pd.DataFrame
    pairs: pd.DataFrame
    area_labels: list[str]
    core_area: np.ndarray
    merges: pd.DataFrame
    rounds: int


def cached(cache: dict[tuple, Any] | None, key: tuple, compute: Any, *args: Any) -> Any:
    """``cache[key]``, computed by ``compute(*args)`` the first time (always computed without a
    cache). What a cache holds is shared between runs and must never be modified."""
    if cache is None:
        return compute(*args)
    if key not in cache:
        cache[key] = compute(*args)
    return cache[key]


def _area_labels(
    root_of_group: np.ndarray, cores: Cores, size: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """Compact set roots to area codes and name each area: the largest set of an ``area_id``
    keeps that id; a further set of the same ``area_id`` (core groups kept apart) is named
    ``area_id/core_group``."""
    roots, area_of_group = np.unique(root_of_group, return_inverse=True)
    area_of_group = area_of_group.astype(np.int64)
    set_size = np.zeros(len(roots))
    np.add.at(set_size, area_of_group, size)
    area_of_root = np.asarray(cores.group_area, dtype=object)[roots]
    labels = list(area_of_root)
    # an area_id held by several sets: the largest keeps it, the others are named by group
    shared = pd.Series(area_of_root, dtype=object).duplicated(keep=False).to_numpy()
    by_area: dict[str, list[int]] = {}
    for code in np.flatnonzero(shared):
        by_area.setdefault(area_of_root[code], []).append(int(code))
    for area_id, codes in by_area.items():
        codes.sort(key=lambda c: (-set_size[c], cores.group_label[roots[c]]))
        for k, c in enumerate(codes):
            labels[c] = area_id if k == 0 else cores.group_label[roots[c]]
    return area_of_group, labels


def share_rule(
    fm: FlowMatrix,
    cores: Cores,
    *,
    direction: str,
    threshold: float,
    graph: sp.csr_matrix | None,
    contiguity: bool,
    merge_scope: str = "none",
    merge_direction: str | None = None,
    merge_threshold: float | None = None,
    gate: Any = None,
    prune_rule: str = "rejected:not_contiguous",
    progress: Any = None,
    cache: dict[tuple, Any] | None = None,
) -> ShareRun:
    """Cores, then outlying units by share with the strongest tie, then contiguity pruning;
    merging core groups whose cores qualify as outlying to another's, repeated until no pair
    qualifies.

    Each round: (1) every non-core unit's shares to each area's cores, (2) the strongest tie
    decides its area if it passes ``threshold`` (``gate(core_area, n_areas)``, if given,
    returns an ``n x n_areas`` boolean matrix whose False cells forbid an area, e.g. the
    travel-time gate), (3) members not connected to their core through members of the same
    area are dropped. Then, unless ``merge_scope`` is ``none``, the strongest qualifying pair of
    core groups (the cores of one, as a group, tied to the cores of the other at
    ``merge_threshold`` or more in ``merge_direction``; the two areas adjacent when contiguity
    applies; of the same ``area_id`` for ``within_area``) is merged, the qualifying one absorbed,
    and the round is run again on the merged cores, so the absorbed core's members come along.

    ``cache`` (e.g. :attr:`Context.cache`) keeps the shares and the core-group ties of each set
    of cores, which do not depend on the thresholds: runs of the same flows with other
    parameter values read them instead of computing them again, with identical results.
    """
    progress = progress or (lambda step, frac: None)
    merge_direction = merge_direction or direction
    merge_threshold = threshold if merge_threshold is None else merge_threshold
    root = np.arange(cores.n_groups)
    gp = indicator(cores.group_of, cores.n_groups)
    size = gp.T @ fm.jobs
    log = MergeLog()
    merged_rule: dict[int, tuple[str, float, float]] = {}
    rounds = 0
    while True:
        rounds += 1
        area_of_group, labels = _area_labels(root, cores, size)
        n_areas = len(labels)
        core_area = np.where(cores.is_core, area_of_group[np.maximum(cores.group_of, 0)], NO_AREA)
        progress("shares", 0.2)
        pairs = cached(
            cache,
            ("shares", direction, n_areas, core_area.tobytes()),
            shares_to_areas,
            fm,
            core_area,
            n_areas,
            direction,
        )
        allowed_pair = None
        if gate is not None:
            allowed_pair = gate(core_area, n_areas)
            pairs = pairs[allowed_pair[pairs["pos"].to_numpy(), pairs["area"].to_numpy()]]
        best = strongest_tie(pairs, threshold, fm.n)
        state = Assignment(fm.n)
        assign_cores(state, cores, area_of_group, merged_rule)
        progress("strongest tie", 0.5)
        assign_by_tie(state, best, direction, threshold)
        explain_suppressed(state, pairs, fm, direction=direction, threshold=threshold,
                           allowed=allowed_pair)
        if contiguity and graph is not None:
            progress("contiguity", 0.7)
            prune_to_cores(state, graph, rule=prune_rule)
        if merge_scope == "none" or n_areas < 2:
            break
        if merge_scope == "within_area":
            ids = np.empty(n_areas, dtype=object)
            ids[area_of_group] = cores.group_area  # sets merged so far share one area_id
            codes = pd.factorize(pd.Series(ids, dtype=object))[0]  # compared as integers
            allowed = codes[:, None] == codes[None, :]
        else:
            allowed = np.ones((n_areas, n_areas), dtype=bool)
        np.fill_diagonal(allowed, False)
        if not allowed.any():
            break
        if contiguity and graph is not None:
            allowed &= area_adjacency(state.area, graph, n_areas)
        tie = cached(
            cache,
            ("core_group_ties", merge_direction, n_areas, core_area.tobytes()),
            core_group_ties,
            fm,
            core_area,
            n_areas,
            merge_direction,
        )
        set_size = np.zeros(n_areas)
        np.add.at(set_size, area_of_group, size)
        pick = pick_merge(tie, merge_threshold, allowed, set_size)
        if pick is None:
            break
        a, b = pick
        absorbed_groups = np.flatnonzero(area_of_group == a)
        host_root = root[np.flatnonzero(area_of_group == b)[0]]
        log.rows.append(
            {
                "round": rounds,
                "absorbed": labels[a],
                "into": labels[b],
                "tie": float(tie[a, b]),
                "threshold": merge_threshold,
                "direction": merge_direction,
            }
        )
        for g in absorbed_groups:
            merged_rule.setdefault(
                int(g), (f"merged_from:{labels[a]}", float(tie[a, b]), merge_threshold)
            )
        root[np.isin(root, root[absorbed_groups])] = host_root
        logger.info("merged core group %s into %s (tie %.4f)", labels[a], labels[b], tie[a, b])
    state.column("core_group", None, object)[cores.is_core] = [
        cores.group_label[g] for g in cores.group_of[cores.is_core]
    ]
    return ShareRun(state, best, pairs, labels, core_area, log.frame(), rounds)


# ---------------------------------------------------------------------------------------------
# Set-up and finish shared by every method
# ---------------------------------------------------------------------------------------------
@dataclass
class Context:
    """The inputs of a run, turned into positions once.

    One context serves many runs: :meth:`~metrocircle.delineate.DelineationMethod.fit_prepared`
    runs a method on it with any parameter values, and the steps keep what does not depend on
    the parameters in :attr:`cache` (the flow shares to each set of cores, the ties between core
    groups, the minutes to the cores) so that the next run reads them instead of computing them
    again. :meth:`with_values` gives the context of the same flows with other values (replicate
    tables), sharing everything that does not depend on the values.

    Attributes
    ----------
    fm, cores, graph, units, travel_times
        The flow matrix, the cores, the adjacency graph (or None), the units table (or None)
        and the travel-time table (or None).
    layout
        Where each flow row lands in ``fm`` (for :meth:`with_values`).
    cache
        Results that depend on the flow values, by key; never modify what it holds.
    shared
        Results that depend only on the units and the adjacency (e.g. the edge units); the
        same dictionary is handed to every context made by :meth:`with_values`.
    """

    fm: FlowMatrix
    cores: Cores
    graph: sp.csr_matrix | None
    units: pd.DataFrame | None
    travel_times: pd.DataFrame | None = None
    layout: FlowLayout | None = None
    cache: dict[tuple, Any] = field(default_factory=dict)
    shared: dict[tuple, Any] = field(default_factory=dict)

    def memo(self, key: tuple, compute: Any) -> Any:
        """``cache[key]``, computed by ``compute()`` the first time."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    def edge(self) -> tuple[np.ndarray, str]:
        """:func:`edge_units` of this context, computed once for all its runs."""
        key = ("edge_units",)
        if key not in self.shared:
            self.shared[key] = edge_units(self.units, self.fm)
        return self.shared[key]

    def with_values(self, values: np.ndarray) -> Context:
        """The same context with other flow values (one per row of the prepared flow table, in
        its order): a new flow matrix and an empty :attr:`cache`; cores, graph, units, travel
        times and :attr:`shared` are reused."""
        if self.layout is None:
            raise ValueError("this context was made without a flow layout")
        fm = self.layout.matrix(values)
        # the suppressed remainders of a published OD stay those of the published table
        fm.suppressed_out, fm.suppressed_in = self.fm.suppressed_out, self.fm.suppressed_in
        return Context(
            fm,
            self.cores,
            self.graph,
            self.units,
            self.travel_times,
            layout=self.layout,
            shared=self.shared,
        )


def require_adjacency(method: str, graph: sp.csr_matrix | None, needed: bool) -> None:
    """A method asked to apply contiguity without an adjacency table fails with a clear
    message."""
    if needed and graph is None:
        raise ParameterError(
            f"{method} applies contiguity, which needs an adjacency table: give --adjacency "
            "(pairs of neighbouring units, or polygons), or --param contiguity=false."
        )


def prepare(
    method: str,
    flows: pd.DataFrame,
    *,
    units: pd.DataFrame | None,
    cores: pd.DataFrame,
    adjacency: pd.DataFrame | None,
    contiguity: bool = False,
    travel_times: pd.DataFrame | None = None,
) -> Context:
    """Build the flow matrix, the cores and the adjacency graph (``travel_times`` is kept as
    given); a method asked to apply contiguity (``contiguity=True``) without an adjacency table
    fails with a clear message."""
    if contiguity and adjacency is None:
        require_adjacency(method, None, True)
    layout = FlowLayout.from_flows(flows, universe_of(flows, units))
    fm = matrix_of(flows, layout)
    c = read_cores(cores, fm, method)
    graph = adjacency_matrix(adjacency, fm) if adjacency is not None else None
    return Context(fm, c, graph, units, travel_times, layout=layout)


def finish(
    est: Any,
    ctx: Context,
    state: Assignment,
    labels: list[str],
    *,
    policy: str | None = None,
    info: dict[str, Any] | None = None,
    parent_cols: Sequence[str] = ("parent_id",),
) -> None:
    """Apply policy overrides (if ``policy`` names a file; a preset may have applied them
    already and pass their count in ``info["policy_overrides"]``), then fill ``membership_``,
    ``areas_`` and ``info_`` of ``est``."""
    n_overrides = 0
    if policy:
        n_overrides = apply_policy(
            state, read_policy(policy), ctx.fm, ctx.units, labels, parent_cols=parent_cols
        )
    membership = membership_frame(state, ctx.fm, labels)
    est.membership_ = membership
    est.areas_ = areas_frame(membership, ctx.units)
    est.info_.update(summary(membership))
    est.info_["policy_overrides"] = n_overrides
    est.info_.update(info or {})
