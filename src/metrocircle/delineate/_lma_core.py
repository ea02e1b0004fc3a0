"""Core engine of the Coombes-Bond / Istat labour-market-area regionalisation (private).

This module works on integer unit indices only; :mod:`metrocircle.delineate.ttwa_lma` maps unit
codes to indices, calls :func:`run_lma` and builds the public tables.

The algorithm and the quirks of the reference implementation (R ``LabourMarketAreas`` 3.4,
``findClusters``) are described in ``docs/methods/ttwa-lma.md``. In ``compat="r-3.4"`` mode every
quirk is reproduced, so results are identical to the R package (cluster ids included). In
``compat="clean"`` mode dissolved clusters are re-aggregated, the D-branch puts the rest of the
cluster back together, and the final placement of the reserve list checks validity.

Speed comes from incremental bookkeeping: cluster totals (residents ``R``, jobs ``W``, internal
flow ``I``) are updated on every move from the moved unit's own flows only, validities are kept in
one array (a vectorised ``argmin`` finds the least valid cluster; ties go to the smallest id as in
R), and the flows of a unit are read from CSR arrays. Nothing is ever re-aggregated from scratch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from metrocircle.exceptions import MetrocircleError

INF = float("inf")


@dataclass(frozen=True)
class LmaSettings:
    """Numeric parameters of the validity function and the compatibility mode."""

    min_size: float
    min_sc: float
    target_size: float
    target_sc: float
    compat: str = "r-3.4"


def validity(internal: float, residents: float, jobs: float, s: LmaSettings) -> float:
    """Validity of one cluster, with R's order of floating-point operations.

    ``V >= 1`` means the cluster is valid. See :func:`validity_array` for the formula.
    """
    msc = min(internal / residents, internal / jobs)
    y = msc / s.target_sc
    if y > 1:
        y = 1.0
    size = (s.target_size - residents) / (s.target_size - s.min_size)
    if size < 0:
        size = 0.0
    z = 1 - ((1 - (s.min_sc / s.target_sc)) * size)
    v = y * z * (s.target_sc / s.min_sc)
    if msc == 1:
        v = 1.0
    return v


def validity_array(
    internal: np.ndarray, residents: np.ndarray, jobs: np.ndarray, s: LmaSettings
) -> np.ndarray:
    """Vectorised :func:`validity` (bit-identical: the same IEEE operations in the same order)."""
    internal = np.asarray(internal, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        msc = np.minimum(internal / residents, internal / jobs)
        y = msc / s.target_sc
        y = np.where(y > 1, 1.0, y)
        size = (s.target_size - residents) / (s.target_size - s.min_size)
        size = np.where(size < 0, 0.0, size)
        z = 1 - ((1 - (s.min_sc / s.target_sc)) * size)
        v = y * z * (s.target_sc / s.min_sc)
    return np.where(msc == 1, 1.0, v)


class LmaInternalError(MetrocircleError):
    """The R-compatible run reached a state where R's own behaviour is undefined."""


@dataclass
class Graph:
    """Flows between the n clustered units (indices in code order) as CSR arrays."""

    n: int
    out_ptr: np.ndarray
    out_idx: np.ndarray
    out_val: np.ndarray
    in_ptr: np.ndarray
    in_idx: np.ndarray
    in_val: np.ndarray
    self_flow: np.ndarray  # F[u, u] (0 if no row)
    self_row: np.ndarray  # bool: a (u, u) row exists (possibly with value 0)
    residents: np.ndarray  # R_u, including the self flow
    jobs: np.ndarray  # W_u


def build_graph(n: int, origin: np.ndarray, dest: np.ndarray, value: np.ndarray) -> Graph:
    """CSR out- and in-adjacency (self flows kept apart) of aggregated unit-level flows."""
    self_mask = origin == dest
    self_flow = np.zeros(n)
    self_row = np.zeros(n, dtype=bool)
    self_flow[origin[self_mask]] = value[self_mask]
    self_row[origin[self_mask]] = True
    residents = np.bincount(origin, weights=value, minlength=n)
    jobs = np.bincount(dest, weights=value, minlength=n)
    o, d, v = origin[~self_mask], dest[~self_mask], value[~self_mask]
    order = np.lexsort((d, o))
    out_idx, out_val = d[order], v[order]
    out_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(o, minlength=n), out=out_ptr[1:])
    order = np.lexsort((o, d))
    in_idx, in_val = o[order], v[order]
    in_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(d, minlength=n), out=in_ptr[1:])
    return Graph(
        n, out_ptr, out_idx, out_val, in_ptr, in_idx, in_val, self_flow, self_row, residents, jobs
    )


def _gather(ptr: np.ndarray, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in a CSR array of the rows of ``units`` and the owner (index into units)."""
    starts = ptr[units]
    lens = ptr[units + 1] - starts
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    owner = np.repeat(np.arange(len(units)), lens)
    offs = np.cumsum(lens) - lens
    pos = np.arange(total) - np.repeat(offs, lens) + np.repeat(starts, lens)
    return pos, owner


@dataclass
class LmaRun:
    """Everything a run produces, in index space (cluster ids are 1-based code ranks)."""

    cluster: np.ndarray  # final cluster id per unit (0 = not assigned)
    cluster_before: np.ndarray  # cluster id after the main loop (0 = reserve list)
    moves: np.ndarray
    reserve: list[tuple]  # (code, iteration, cluster, validity, unit, second_unit or -1)
    reserve_code: np.ndarray  # per unit: '' or the reserve code that sent it to the reserve
    steps: list[tuple]  # (step, unit, target or 0)
    trace: list[tuple]
    iterations: int
    stale_not_reselected: int = 0
    contiguity_moves: list[tuple] = field(default_factory=list)


class _Engine:
    def __init__(self, g: Graph, s: LmaSettings, progress: Callable[[str, float], None]):
        self.g = g
        self.s = s
        self.compat = s.compat == "r-3.4"
        self.progress = progress
        n = g.n
        self.cl = np.arange(1, n + 1, dtype=np.int64)  # cluster id of each unit
        self.cl_list = self.cl.tolist()  # the same as a list, for the small-degree path
        self.members: dict[int, list[int]] = {k + 1: [k] for k in range(n)}
        self.cR = np.concatenate([[0.0], g.residents])
        self.cW = np.concatenate([[0.0], g.jobs])
        self.cI = np.concatenate([[0.0], g.self_flow])
        self.V = np.empty(n + 1)
        self.V[0] = INF
        self.V[1:] = validity_array(g.self_flow, g.residents, g.jobs, s)
        self.moves = np.zeros(n, dtype=np.int64)
        self.reserve: list[tuple] = []
        self.reserve_code = np.array([""] * n, dtype=object)
        self.trace: list[tuple] = []
        self.stale: tuple[int, list[int]] | None = None
        self.stale_not_reselected = 0
        self._frac = 0.0

    # -- flows of one unit towards clusters --------------------------------------------------
    def links(self, u: int, exclude: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Clusters T > 0 (T != exclude) linked with unit u.

        Returns ``(ids, fout, fin, has_in)`` with ids in R's candidate order (clusters that send
        commuters to u first, then those that only receive, each ascending).
        """
        g, cl = self.g, self.cl
        a, b = g.out_ptr[u], g.out_ptr[u + 1]
        oc = cl[g.out_idx[a:b]]
        ov = g.out_val[a:b]
        a, b = g.in_ptr[u], g.in_ptr[u + 1]
        ic = cl[g.in_idx[a:b]]
        iv = g.in_val[a:b]
        om = (oc > 0) & (oc != exclude)
        im = (ic > 0) & (ic != exclude)
        oc, ov, ic, iv = oc[om], ov[om], ic[im], iv[im]
        if len(oc) == 0 and len(ic) == 0:
            e = np.zeros(0)
            return np.zeros(0, dtype=np.int64), e, e, np.zeros(0, dtype=bool)
        ids, inv = np.unique(np.concatenate([oc, ic]), return_inverse=True)
        k = len(ids)
        no = len(oc)
        fout = np.bincount(inv[:no], weights=ov, minlength=k)
        fin = np.bincount(inv[no:], weights=iv, minlength=k)
        has_in = np.bincount(inv[no:], minlength=k) > 0
        order = np.lexsort((ids, ~has_in))
        return ids[order], fout[order], fin[order], has_in[order]

    def best_target(self, u: int, exclude: int) -> tuple[int, float, float] | None:
        """Cluster with the strongest tie to u (R's tie rule), with the flows u->T and T->u."""
        g = self.g
        if g.out_ptr[u + 1] - g.out_ptr[u] + g.in_ptr[u + 1] - g.in_ptr[u] <= 64:
            return self._best_target_small(u, exclude)
        ids, fout, fin, has_in = self.links(u, exclude)
        if len(ids) == 0:
            return None
        g = self.g
        ru, wu = g.residents[u], g.jobs[u]
        rt, wt = self.cR[ids], self.cW[ids]
        has_out = np.ones(len(ids), dtype=bool)
        # a row exists for every link; a term is 0 when its denominator is 0
        with np.errstate(divide="ignore", invalid="ignore"):
            t_out = np.where((ru == 0) | (wt == 0), 0.0, ((fout / ru) * fout) / wt)
            t_in = np.where((rt == 0) | (wu == 0), 0.0, ((fin / rt) * fin) / wu)
        t_out = np.where(has_out, t_out, 0.0)
        t_in = np.where(has_in, t_in, 0.0)
        tie = t_in + t_out
        best = int(np.flatnonzero(tie == tie.max())[-1])
        return int(ids[best]), float(fout[best]), float(fin[best])

    def _best_target_small(self, u: int, exclude: int) -> tuple[int, float, float] | None:
        """:meth:`best_target` in plain Python for a unit with few flows (same float results)."""
        g, cl = self.g, self.cl_list
        fout: dict[int, float] = {}
        fin: dict[int, float] = {}
        a, b = g.out_ptr[u], g.out_ptr[u + 1]
        for j, v in zip(g.out_idx[a:b].tolist(), g.out_val[a:b].tolist(), strict=True):
            t = cl[j]
            if t > 0 and t != exclude:
                fout[t] = fout.get(t, 0.0) + v
        a, b = g.in_ptr[u], g.in_ptr[u + 1]
        for i, v in zip(g.in_idx[a:b].tolist(), g.in_val[a:b].tolist(), strict=True):
            t = cl[i]
            if t > 0 and t != exclude:
                fin[t] = fin.get(t, 0.0) + v
        if not fout and not fin:
            return None
        # R's candidate order: senders ascending, then receive-only ascending; last max wins
        order = sorted(fin) + sorted(t for t in fout if t not in fin)
        ru, wu = float(g.residents[u]), float(g.jobs[u])
        cR, cW = self.cR, self.cW
        best_t, best_tie = -1, -INF
        for t in order:
            fo = fout.get(t, 0.0)
            fi = fin.get(t, 0.0)
            rt, wt = float(cR[t]), float(cW[t])
            t_out = 0.0 if (ru == 0 or wt == 0) else ((fo / ru) * fo) / wt
            t_in = 0.0 if (rt == 0 or wu == 0) else ((fi / rt) * fi) / wu
            tie = t_in + t_out
            if tie >= best_tie:
                best_t, best_tie = t, tie
        return best_t, fout.get(best_t, 0.0), fin.get(best_t, 0.0)

    # -- cluster bookkeeping -------------------------------------------------------------------
    def join(self, u: int, t: int, fout: float, fin: float) -> None:
        g = self.g
        self.cR[t] += g.residents[u]
        self.cW[t] += g.jobs[u]
        self.cI[t] += g.self_flow[u] + fout + fin
        self.cl[u] = t
        self.cl_list[u] = t
        self.members[t].append(u)

    def merged_validity(self, u: int, t: int, fout: float, fin: float) -> float:
        g = self.g
        return validity(
            self.cI[t] + g.self_flow[u] + fout + fin,
            self.cR[t] + g.residents[u],
            self.cW[t] + g.jobs[u],
            self.s,
        )

    def to_reserve(self, u: int, code: str) -> None:
        self.cl[u] = 0
        self.cl_list[u] = 0
        self.reserve_code[u] = code

    def set_true_validity(self, k: int) -> None:
        self.V[k] = validity(self.cI[k], self.cR[k], self.cW[k], self.s)

    def internal_rows(self, units: np.ndarray, k: int) -> np.ndarray:
        """Values of the internal flow rows (i, j), i and j in ``units`` (all in cluster k)."""
        g = self.g
        pos, _ = _gather(g.out_ptr, units)
        vals = g.out_val[pos][self.cl[g.out_idx[pos]] == k]
        return np.concatenate([vals, g.self_flow[units][g.self_row[units]]])

    def stale_validity(self, units: list[int], k: int, want_max: bool = False) -> float:
        """R's apparent validity of a re-formed cluster whose rows were not re-aggregated (Q1).

        The minimum (or, for the merge test, every row must be beaten: the maximum) over the
        Cartesian product of one marginal row per unit and one internal row per flow pair.
        """
        g, s = self.g, self.s
        arr = np.asarray(units, dtype=np.int64)
        rows = self.internal_rows(arr, k)
        if len(rows) == 0:
            rows = np.zeros(1)
        rm, wm = g.residents[arr], g.jobs[arr]
        if len(rows) * len(arr) <= 200_000:
            v = validity_array(rows[None, :], rm[:, None], wm[:, None], s)
            return float(v.max() if want_max else v.min())
        # large: V is monotone in I for a fixed marginal row (direction given by the sign of Z)
        size = (s.target_size - rm) / (s.target_size - s.min_size)
        size = np.where(size < 0, 0.0, size)
        zpos = (1 - ((1 - (s.min_sc / s.target_sc)) * size)) >= 0
        lo, hi = rows.min(), rows.max()
        pick = np.where(zpos != want_max, lo, hi)
        v = validity_array(pick, rm, wm, s)
        msc = np.minimum(pick / rm, pick / wm)
        if np.any(msc == 1):  # the msc == 1 override breaks monotonicity: brute force
            v = np.array(
                [validity_array(rows, rm[i], wm[i], s).min() for i in range(len(arr))]
                if not want_max
                else [validity_array(rows, rm[i], wm[i], s).max() for i in range(len(arr))]
            )
        return float(v.max() if want_max else v.min())

    def dissolution_order(self, units: list[int], k: int) -> list[int]:
        """Units of cluster k sorted by In_ext(u) + R_u - F[u,u] descending, ties by code (Q6)."""
        g = self.g
        arr = np.asarray(sorted(units), dtype=np.int64)
        pos, owner = _gather(g.in_ptr, arr)
        src = g.in_idx[pos]
        m = self.cl[src] != k
        inext = np.bincount(owner[m], weights=g.in_val[pos][m], minlength=len(arr))
        key = inext + g.residents[arr] - g.self_flow[arr]
        order = np.lexsort((arr, -key))
        return [int(x) for x in arr[order]]

    def n_clusters(self) -> int:
        return int(np.count_nonzero(np.isfinite(self.V[1:])))

    # -- main loop ----------------------------------------------------------------------------
    def run_main(self) -> int:
        it = 1
        g = self.g
        while True:
            k = int(np.argmin(self.V[1:])) + 1 if g.n else 0
            vk = float(self.V[k]) if g.n else INF
            stale_top = self.stale
            if not g.n or vk >= 1:
                self.trace.append(
                    (it, 0, 1.0, None, None, None, "converged", self.n_clusters())
                    + self._stale_cols(stale_top)
                )
                return it - 1
            if it % 64 == 0:  # share of units in valid clusters, never going back
                frac = min(0.99, 1 - self._n_invalid() / max(g.n, 1))
                self._frac = max(self._frac, frac)
                self.progress("main loop", self._frac)
            self.iteration(it, k, vk, stale_top)
            it += 1

    def _n_invalid(self) -> int:
        return int(np.count_nonzero(self.V[1:] < 1))

    @staticmethod
    def _stale_cols(stale: tuple[int, list[int]] | None) -> tuple:
        if stale is None:
            return (None, None)
        return (stale[0], len(stale[1]))

    def iteration(self, it: int, k: int, vk: float, stale_top) -> None:
        g = self.g
        nclus = self.n_clusters()
        units = self.members.pop(k)
        n = len(units)
        self.V[k] = INF
        order = self.dissolution_order(units, k) if n > 1 else list(units)
        ustar = order[0]
        second = order[1] if n > 1 else -1
        # the stale cluster of the previous iteration, if it is not the one dissolved now
        other_stale = stale_top if (stale_top is not None and stale_top[0] != k) else None
        if other_stale is not None:
            self.stale_not_reselected += 1
        self.stale = None
        best = self.best_target(ustar, exclude=k)
        row = (it, k, vk, n, ustar)
        if best is None:
            if n == 1:
                self.reserve.append(("B", it, k, vk, ustar, -1))
                self.to_reserve(ustar, "B")
                self.trace.append(row + (None, "reserve_B", nclus) + self._stale_cols(stale_top))
            else:
                self.reserve.append(("D", it, k, vk, ustar, second))
                self.to_reserve(ustar, "D")
                # R aggregates every row before the D loop: a stale cluster is true again
                self._settle(other_stale)
                other_stale = None
                self.d_branch(it, k, vk, order, nclus, stale_top)
            self._settle(other_stale)
            return
        t, fout, fin = best
        v_new = self.merged_validity(ustar, t, fout, fin)
        if other_stale is not None and other_stale[0] == t:
            # R compares with every stale row of the target (recycled ``all(new >= old)``)
            v_old = self.stale_validity(other_stale[1], t, want_max=True)
        else:
            v_old = float(self.V[t])
        if v_new >= v_old:
            self.join(ustar, t, fout, fin)
            self.V[t] = v_new
            self.moves[ustar] += 1
            outcome = "merged"
            if other_stale is not None and other_stale[0] == t:
                other_stale = None  # aggregated by the merge
        else:
            code = "A" if n == 1 else "C"
            self.reserve.append((code, it, k, vk, ustar, second))
            self.to_reserve(ustar, code)
            outcome = "reserve_" + code
        self.trace.append(row + (t, outcome, nclus) + self._stale_cols(stale_top))
        if n > 1:
            rest = [u for u in units if u != ustar]
            self.members[k] = rest
            self.cR[k] -= g.residents[ustar]
            self.cW[k] -= g.jobs[ustar]
            self.cI[k] = float(self.internal_rows(np.asarray(rest, dtype=np.int64), k).sum())
            if self.compat and len(rest) > 1:
                self.V[k] = self.stale_validity(rest, k)
                self.stale = (k, sorted(rest))
            else:
                self.set_true_validity(k)
        else:
            self.cR[k] = self.cW[k] = self.cI[k] = 0.0
        self._settle(other_stale)

    def _settle(self, other_stale) -> None:
        """End of an iteration: R aggregated every row, so a stale cluster is true again."""
        if other_stale is not None and other_stale[0] in self.members:
            self.set_true_validity(other_stale[0])

    def d_branch(self, it: int, k: int, vk: float, order: list[int], nclus: int, stale_top):
        """The first unit of a multi-unit cluster has no link (R's D-branch, Q9)."""
        g, s = self.g, self.s
        cl = self.cl
        ustar = order[0]
        # temporary ids: -(position in ascending code order); u* is already in the reserve
        by_code = sorted(order)
        tmp_id = {u: -(i + 1) for i, u in enumerate(by_code)}
        rows: dict[int, tuple] = {ustar: (it, k, vk, len(order), ustar, None, "reserve_D", nclus)}
        self.cR[k] = self.cW[k] = self.cI[k] = 0.0
        if not self.compat:
            # clean: the rest is put back together like after a C
            rest = [u for u in order if u != ustar]
            self.members[k] = rest
            for u in rest:
                cl[u] = k
                self.cl_list[u] = k
            arr = np.asarray(rest, dtype=np.int64)
            self.cR[k] = float(g.residents[arr].sum())
            self.cW[k] = float(g.jobs[arr].sum())
            self.cI[k] = float(self.internal_rows(arr, k).sum())
            self.set_true_validity(k)
            for r in sorted(rows.values(), key=lambda x: x[4]):
                self.trace.append(r + self._stale_cols(stale_top))
            return
        temps = {u: float(validity(g.self_flow[u], g.residents[u], g.jobs[u], s)) for u in order}
        for u in order:
            if u != ustar:
                cl[u] = tmp_id[u]
                self.cl_list[u] = tmp_id[u]
        temps.pop(ustar)
        for j in range(1, len(order)):
            rec_unit = order[j]  # R records the j-th unit of the order (Q9)
            # least valid: temporary singletons first (most negative id), then clusters by id
            tmin, tsel = INF, None
            for u in sorted(temps, key=lambda x: tmp_id[x]):
                if temps[u] < tmin:
                    tmin, tsel = temps[u], u
            pk = int(np.argmin(self.V[1:])) + 1
            pv = float(self.V[pk])
            if tsel is not None and tmin <= pv and tmin <= 1:
                u = tsel
                best = self.best_target(u, exclude=0)
                if best is None:
                    self.reserve.append(("F", it, tmp_id[u], tmin, rec_unit, -1))
                    self.to_reserve(u, "F")
                    rows[u] = (it, k, vk, len(order), u, None, "d_inner_attempt", nclus)
                else:
                    t, fout, fin = best
                    v_new = self.merged_validity(u, t, fout, fin)
                    if v_new >= self.V[t]:
                        self.join(u, t, fout, fin)
                        self.V[t] = v_new
                        self.moves[rec_unit] += 1
                    else:
                        self.reserve.append(("E", it, tmp_id[u], tmin, rec_unit, -1))
                        self.to_reserve(u, "E")
                    rows[u] = (it, k, vk, len(order), u, t, "d_inner_attempt", nclus)
                temps.pop(u)
            elif pv > 1:
                self.reserve.append(("F", it, 0, 1.0, rec_unit, -1))
            else:
                # an ordinary cluster is the least valid
                linked = any(
                    cl[x] < 0
                    for u in self.members[pk]
                    for x in np.concatenate(
                        [
                            g.out_idx[g.out_ptr[u] : g.out_ptr[u + 1]],
                            g.in_idx[g.in_ptr[u] : g.in_ptr[u + 1]],
                        ]
                    )
                )
                if linked:
                    raise LmaInternalError(
                        "The R-compatible run reached LabourMarketAreas' undefined D-branch case "
                        "(an ordinary cluster linked to a temporary singleton is the least valid) "
                        f"at iteration {it}. Use compat='clean'."
                    )
                self.reserve.append(("F", it, pk, pv, rec_unit, -1))
                for u in self.members.pop(pk):
                    self.to_reserve(u, "F")
                self.V[pk] = INF
                self.cR[pk] = self.cW[pk] = self.cI[pk] = 0.0
        if temps:
            raise LmaInternalError(
                "The R-compatible run left temporary singletons after a D-branch at iteration "
                f"{it}; R's later behaviour is undefined there. Use compat='clean'."
            )
        for r in sorted(rows.values(), key=lambda x: x[4]):
            self.trace.append(r + self._stale_cols(stale_top))

    # -- reserve list ---------------------------------------------------------------------------
    def place_reserve(self) -> list[tuple]:
        """Final step: reserve units join their strongest tie, descending code, repeated passes."""
        todo = [int(u) for u in np.flatnonzero(self.cl == 0)[::-1]]
        for u in todo:
            self.cl[u] = -1  # temporary: not a target, not part of cluster 0
            self.cl_list[u] = -1
        steps: list[tuple] = []
        step = 0
        changed = True
        while changed and todo:
            changed = False
            left = []
            for u in todo:
                step += 1
                best = self._reserve_target(u)
                if best is None:
                    steps.append((step, u, 0))
                    left.append(u)
                    continue
                t, fout, fin = best
                self.join(u, t, fout, fin)
                self.set_true_validity(t)
                steps.append((step, u, t))
                changed = True
            todo = left
        for u in todo:
            self.cl[u] = 0
            self.cl_list[u] = 0
        return steps

    def _reserve_target(self, u: int) -> tuple[int, float, float] | None:
        if self.compat:
            return self.best_target(u, exclude=0)
        # clean: the strongest tie among targets that stay valid; else the strongest tie
        ids, fout, fin, has_in = self.links(u, exclude=0)
        if len(ids) == 0:
            return None
        g = self.g
        ru, wu = g.residents[u], g.jobs[u]
        rt, wt = self.cR[ids], self.cW[ids]
        with np.errstate(divide="ignore", invalid="ignore"):
            t_out = np.where((ru == 0) | (wt == 0), 0.0, ((fout / ru) * fout) / wt)
            t_in = np.where((rt == 0) | (wu == 0), 0.0, ((fin / rt) * fin) / wu)
        tie = t_in + t_out
        vnew = validity_array(
            self.cI[ids] + g.self_flow[u] + fout + fin, rt + g.residents[u], wt + g.jobs[u], self.s
        )
        ok = vnew >= 1
        pool = np.flatnonzero(ok) if ok.any() else np.arange(len(ids))
        best = pool[np.flatnonzero(tie[pool] == tie[pool].max())[-1]]
        return int(ids[best]), float(fout[best]), float(fin[best])


def run_lma(
    g: Graph, s: LmaSettings, progress: Callable[[str, float], None] | None = None
) -> LmaRun:
    """Run the main loop and the final placement of the reserve list."""
    eng = _Engine(g, s, progress or (lambda step, frac: None))
    iterations = eng.run_main()
    before = eng.cl.copy()
    eng.progress("reserve list", 0.99)
    steps = eng.place_reserve()
    return LmaRun(
        cluster=eng.cl.copy(),
        cluster_before=before,
        moves=eng.moves,
        reserve=eng.reserve,
        reserve_code=eng.reserve_code,
        steps=steps,
        trace=eng.trace,
        iterations=iterations,
        stale_not_reselected=eng.stale_not_reselected,
    )
