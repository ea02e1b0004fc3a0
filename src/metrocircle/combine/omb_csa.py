"""US OMB combined statistical areas, ``omb-csa``.

OMB joins adjacent core based statistical areas (CBSAs) into combined statistical areas (CSAs)
on the **employment interchange measure** (EIM) between two adjacent entities: the percentage
of the employed residents of the *smaller* entity who work in the larger one, plus the
percentage of the jobs in the smaller entity held by residents of the larger one,

    EIM = 100 * (T[s -> L] / R[s] + T[L -> s] / W[s])

with ``R`` every employed resident of ``s`` (wherever they work, abroad included) and ``W``
every job in ``s`` (whoever holds it). Under the 2000 standards (Federal Register 00-32997,
section 6) two adjacent CBSAs combined when the EIM was at least 25, and at 15 to 25 only if
local opinion in both areas favoured it. The 2010 standards (2010-15605, section 8) lowered
the automatic level to 15 and dropped the local-opinion provision; the 2020 standards
(2021-15159) kept that. Both levels are parameters here: ``threshold`` (25) and
``lower_bound`` (15), and ``band`` says what a pair between them does (``combine``: the 2010
and 2020 standards; ``keep_apart``: the 2000 standards without the local opinion they ask for).

How combinations chain (``linkage``):

``strongest_larger`` (default)
    every area combines with the **larger** adjacent area with which it has its highest EIM
    (measured with it as the smaller entity), if that EIM qualifies; a combined area is a chain
    of such links, so the combination is iterated through every area that joins. This is OMB's
    strongest-tie convention applied to CSAs; on the July 2023 list it reproduces the official
    CSAs at a pair-level F1 of 0.993 (``docs/methods/omb-csa.md``).
``entity``
    a combined area is one entity: the adjacent pair of entities with the highest EIM combines
    first, the measure is computed again between the new entity and its neighbours, until no
    pair reaches the bar (pair-level F1 0.771 on the same data).
``all_pairs``
    every qualifying pair of adjacent areas combines, chains included (F1 0.503).

"Smaller" is by ``size``: employed residents (default: every flow table has them), jobs, or
``population`` from ``units``.

Examples
--------
>>> from metrocircle.combine.omb_csa import omb_csa
>>> from metrocircle.datasets import us_cbsa
>>> r = omb_csa(us_cbsa.load_membership(), flows=us_cbsa.load_flows(),
...             adjacency=us_cbsa.load_adjacency())
>>> r.combined.set_index("area_id").loc["12580", ["combined_id", "partner_area_id"]].tolist()
['47900', '47900']
"""

from __future__ import annotations

import heapq
import logging
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from metrocircle.combine.base import (
    CombineMethod,
    CombineResult,
    register,
)
from metrocircle.delineate.base import Param, ProgressCallback
from metrocircle.delineate.steps import positions_in
from metrocircle.exceptions import ParameterError, Problems

logger = logging.getLogger(__name__)

LINKAGES = ("strongest_larger", "entity", "all_pairs")
BANDS = ("combine", "keep_apart")
SIZES = ("employed_residents", "jobs", "population")
STATUSES = ("combined", "alone")


def _eim_param(name: str, default: float, doc: str) -> Param:
    return Param(name, float, default, doc, low=0.0, high=200.0, low_open=True)


@register
class OmbCsa(CombineMethod):
    """US OMB combined statistical areas: adjacent areas combine on the employment interchange
    measure."""

    name = "omb-csa"
    params = (
        _eim_param(
            "threshold",
            25.0,
            "EIM (0-200) at or above which two adjacent areas combine without condition "
            "(25 in the 2000 standards).",
        ),
        _eim_param(
            "lower_bound",
            15.0,
            "EIM below which two areas never combine; pairs from lower_bound to threshold "
            "follow 'band'.",
        ),
        Param(
            "band",
            str,
            "combine",
            "A pair with lower_bound <= EIM < threshold: combine (2010 and 2020 standards) "
            "or keep_apart (2000 standards, flagged band:local_opinion).",
            choices=BANDS,
        ),
        Param(
            "linkage",
            str,
            "strongest_larger",
            "How combinations chain: strongest_larger (each area joins the larger adjacent "
            "area of its highest EIM), entity (combined areas measured again as one entity), "
            "all_pairs (every qualifying pair).",
            choices=LINKAGES,
        ),
        Param(
            "size",
            str,
            "employed_residents",
            "What makes an area the smaller of a pair: employed_residents, jobs, or "
            "population (a 'population' column of units).",
            choices=SIZES,
        ),
    )

    def _check_params(self, values: dict[str, Any]) -> None:
        if values["lower_bound"] > values["threshold"]:
            raise ParameterError(
                f"The 'lower_bound' parameter of {self.name} must be at most 'threshold' "
                f"({values['threshold']:g}). Got {values['lower_bound']:g}."
            )

    def _fit(
        self,
        membership: pd.DataFrame,
        *,
        flows: pd.DataFrame,
        adjacency: pd.DataFrame,
        units: pd.DataFrame | None,
        progress: ProgressCallback,
    ) -> None:
        p = self.params_
        progress("areas", 0.1)
        net = AreaNetwork.build(membership, flows, adjacency, units=units, size=p["size"])
        progress("measure", 0.4)
        pairs = net.pair_table()
        progress("combine", 0.6)
        if p["linkage"] == "entity":
            # the lowest measure at which two entities still combine
            bar = p["lower_bound"] if p["band"] == "combine" else p["threshold"]
            combined, pairs, merges = _entity(net, pairs, p, bar)
            self.tables_["merges"] = merges
        else:
            combined, pairs = _linked(net, pairs, p)
        self.combined_ = combined
        self.pairs_ = pairs
        n_comb = combined["combined_id"].dropna().nunique()
        self.info_.update(
            {
                "areas": int(net.n),
                "adjacent_pairs": int(len(pairs)),
                "combined_areas": int(n_comb),
                "areas_in_combined_areas": int(combined["combined_id"].notna().sum()),
                "by_rule": {
                    str(k): int(v) for k, v in combined["rule"].value_counts().sort_index().items()
                },
                **net.counts,
            }
        )
        progress("done", 1.0)


# ---------------------------------------------------------------------------------------------
# Areas, their flows and their adjacency
# ---------------------------------------------------------------------------------------------
class AreaNetwork:
    """Areas as positions ``0..n-1`` with their employed residents ``R``, jobs ``W``, size,
    the flows between them and the pairs of adjacent areas.

    Built once by :meth:`build`; every linkage reads it.
    """

    def __init__(
        self,
        area_ids: np.ndarray,
        residents: np.ndarray,
        jobs: np.ndarray,
        size: np.ndarray,
        flow: sp.csr_matrix,
        pair_a: np.ndarray,
        pair_b: np.ndarray,
        counts: dict[str, Any],
    ) -> None:
        self.area_ids = area_ids
        self.residents = residents
        self.jobs = jobs
        self.size = size
        self.flow = flow
        self.pair_a = pair_a
        self.pair_b = pair_b
        self.counts = counts

    @property
    def n(self) -> int:
        return len(self.area_ids)

    @classmethod
    def build(
        cls,
        membership: pd.DataFrame,
        flows: pd.DataFrame,
        adjacency: pd.DataFrame,
        *,
        units: pd.DataFrame | None,
        size: str,
    ) -> AreaNetwork:
        """Map units to areas; sum the flows; find adjacent areas.

        Every flow counts in the employed residents of its origin's area and the jobs of its
        destination's area, wherever its other end is (another area, a unit in no area,
        abroad); only flows between two different areas enter the interchange.
        """
        unit = membership["unit_id"].astype(str).to_numpy(dtype=object)
        area = membership["area_id"].astype("string").str.strip()
        placed = area.notna().to_numpy() & (area.fillna("") != "").to_numpy()
        area_of = pd.Series(area[placed].to_numpy(dtype=object), index=unit[placed])
        area_ids, area_code = np.unique(area_of.to_numpy(dtype=str), return_inverse=True)
        area_ids = area_ids.astype(object)
        n = len(area_ids)
        unit_index = pd.Index(area_of.index)

        def codes(col: pd.Series) -> np.ndarray:
            pos = positions_in(unit_index, col)
            return np.where(pos >= 0, area_code[np.maximum(pos, 0)], -1).astype(np.int64)

        o = codes(flows["origin"])
        d = codes(flows["destination"])
        v = flows["value"].to_numpy(dtype=float)
        residents = np.bincount(o[o >= 0], weights=v[o >= 0], minlength=n)
        jobs = np.bincount(d[d >= 0], weights=v[d >= 0], minlength=n)
        between = (o >= 0) & (d >= 0) & (o != d)
        flow = sp.csr_matrix((v[between], (o[between], d[between])), shape=(n, n))
        flow.sum_duplicates()

        ua = codes(adjacency["unit_a"])
        ub = codes(adjacency["unit_b"])
        cross = (ua >= 0) & (ub >= 0) & (ua != ub)
        lo = np.minimum(ua[cross], ub[cross])
        hi = np.maximum(ua[cross], ub[cross])
        keys = np.unique(lo * max(n, 1) + hi)
        pair_a, pair_b = keys // max(n, 1), keys % max(n, 1)

        if size == "population":
            weight = _population(units, area_of)
            size_v = np.bincount(area_code, weights=weight, minlength=n)
        else:
            size_v = residents if size == "employed_residents" else jobs
        seen = np.zeros(len(unit_index), dtype=bool)
        for col in ("origin", "destination"):
            pos = positions_in(unit_index, flows[col])
            seen[pos[pos >= 0]] = True
        counts = {
            "units_in_areas": int(len(area_of)),
            "units_in_no_area": int((~placed).sum()),
            "units_in_areas_without_flows": int((~seen).sum()),
            "flows_between_areas": int(between.sum()),
            "flows_inside_an_area": int(((o >= 0) & (o == d)).sum()),
            "flows_with_an_end_outside_every_area": int(((o < 0) | (d < 0)).sum()),
            "adjacency_pairs_between_areas": int(cross.sum()),
            "adjacency_pairs_inside_an_area": int(((ua >= 0) & (ua == ub)).sum()),
            "adjacency_pairs_touching_a_unit_in_no_area": int(((ua < 0) | (ub < 0)).sum()),
        }
        return cls(area_ids, residents, jobs, size_v.astype(float), flow, pair_a, pair_b, counts)

    def smaller_first(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Order each pair as (smaller, larger) by size; equal sizes by area id."""
        a_small = (self.size[a] < self.size[b]) | (
            (self.size[a] == self.size[b]) & (self.area_ids[a] < self.area_ids[b])
        )
        return np.where(a_small, a, b), np.where(a_small, b, a)

    def pair_table(self) -> pd.DataFrame:
        """One row per pair of adjacent areas: smaller ``s``, larger ``L``, the two shares and
        the EIM."""
        s, big = self.smaller_first(self.pair_a, self.pair_b)
        t_sl = np.asarray(self.flow[s, big]).ravel() if len(s) else np.zeros(0)
        t_ls = np.asarray(self.flow[big, s]).ravel() if len(s) else np.zeros(0)
        out_share = _divide(t_sl, self.residents[s])
        in_share = _divide(t_ls, self.jobs[s])
        return pd.DataFrame(
            {
                "s": s,
                "L": big,
                "outbound_share": out_share,
                "inbound_share": in_share,
                "eim": 100.0 * (out_share + in_share),
            }
        )


def _divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.zeros(len(num))
    np.divide(num, den, out=out, where=den > 0)
    return out


def _population(units: pd.DataFrame | None, area_of: pd.Series) -> np.ndarray:
    """Population of every unit in an area, from ``units``; one error lists what is missing."""
    p = Problems()
    if units is None or "population" not in units.columns:
        p.add("units", "size=population needs units with a 'population' column (give --units)")
        p.raise_if_any()
    assert units is not None  # for the type checker; raise_if_any raised otherwise
    pop = pd.to_numeric(units["population"], errors="coerce")
    by_unit = pd.Series(pop.to_numpy(dtype=float), index=units["unit_id"].astype(str).to_numpy())
    weight = by_unit.reindex(area_of.index)
    bad = weight.isna() | (weight < 0)
    if bad.any():
        p.add(
            "units",
            "missing, negative or non-numeric population for unit(s) in an area",
            sorted(weight.index[bad.to_numpy()]),
        )
    p.raise_if_any()
    return weight.to_numpy(dtype=float)


# ---------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------
def _judge(eim: np.ndarray, p: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each measure: does it combine, the rule's name and the bar it was measured against."""
    thr, low = p["threshold"], p["lower_bound"]
    auto = eim >= thr
    band = (eim >= low) & ~auto
    keep = band & (p["band"] == "keep_apart")
    ok = auto | (band & (p["band"] == "combine"))
    rule = np.where(
        auto,
        f"eim>={thr:g}",
        np.where(
            band,
            np.where(keep, "band:local_opinion", f"eim>={low:g}(band)"),
            f"rejected:eim<{low:g}",
        ),
    ).astype(object)
    bar = np.where(auto | keep, thr, low).astype(float)
    return ok, rule, bar


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    g = sp.csr_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    return connected_components(g, directed=False)[1]


def _combined_ids(net: AreaNetwork, comp: np.ndarray) -> np.ndarray:
    """The id of each area's combined area: its largest area (size, then id); None alone."""
    order = np.lexsort((net.area_ids.astype(str), -net.size))  # largest first
    first: dict[int, int] = {}
    for pos in order:
        first.setdefault(int(comp[pos]), int(pos))
    n_in = np.bincount(comp, minlength=comp.max() + 1 if len(comp) else 0)
    return np.array(
        [net.area_ids[first[int(c)]] if n_in[c] > 1 else None for c in comp], dtype=object
    )


def _ids(net: AreaNetwork, pos: np.ndarray) -> pd.Series:
    labels = np.concatenate([net.area_ids, np.array([None], dtype=object)])
    return pd.Series(labels[np.where(pos >= 0, pos, len(labels) - 1)], dtype="string")


def _area_frame(net: AreaNetwork, comp: np.ndarray) -> pd.DataFrame:
    cid = _combined_ids(net, comp)
    sizes = pd.Series(cid).value_counts()
    return pd.DataFrame(
        {
            "area_id": pd.Series(net.area_ids, dtype="string"),
            "combined_id": pd.Series(cid, dtype="string"),
            "status": np.where(pd.notna(cid), "combined", "alone"),
            "n_areas": pd.Series(cid).map(sizes).fillna(1).astype(np.int64).to_numpy(),
            "size": net.size,
            "employed_residents": net.residents,
            "jobs": net.jobs,
        }
    )


def _finish_pairs(net: AreaNetwork, pairs: pd.DataFrame, comp: np.ndarray) -> pd.DataFrame:
    s, big = pairs["s"].to_numpy(), pairs["L"].to_numpy()
    out = pd.DataFrame(
        {
            "smaller_area_id": _ids(net, s),
            "larger_area_id": _ids(net, big),
            "eim": pairs["eim"].to_numpy(),
            "outbound_share": pairs["outbound_share"].to_numpy(),
            "inbound_share": pairs["inbound_share"].to_numpy(),
            "link": pairs["link"].to_numpy(dtype=bool),
            "same_combined": comp[s] == comp[big],
            "rule": pd.Series(pairs["rule"].to_numpy(), dtype="string"),
            "threshold": pairs["threshold"].to_numpy(dtype=float),
        }
    )
    out["margin"] = np.round(out["eim"] - out["threshold"], 9)
    out["smaller_size"] = net.size[s]
    out["larger_size"] = net.size[big]
    return out.sort_values(["smaller_area_id", "larger_area_id"]).reset_index(drop=True)


def _order_columns(combined: pd.DataFrame) -> pd.DataFrame:
    from metrocircle.combine.base import COMBINED_COLUMNS

    rest = [c for c in combined.columns if c not in COMBINED_COLUMNS]
    return combined[COMBINED_COLUMNS + rest].sort_values("area_id").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Linkage: strongest larger partner, or every qualifying pair
# ---------------------------------------------------------------------------------------------
def _best_per_area(
    net: AreaNetwork, eim: np.ndarray, who: np.ndarray, other: np.ndarray
) -> pd.DataFrame:
    """For each area (``who``), the row of its highest ``eim`` and the runner-up (ties: the
    larger partner, then the lower id)."""
    frame = pd.DataFrame(
        {
            "who": who,
            "other": other,
            "row": np.arange(len(who)),
            "eim": eim,
            "osize": net.size[other],
            "oid": net.area_ids[other].astype(str),
        }
    )
    frame = frame.sort_values(["who", "eim", "osize", "oid"], ascending=[True, False, False, True])
    rank = frame.groupby("who").cumcount()
    best = frame[rank == 0].set_index("who")
    second = frame[rank == 1].set_index("who")
    out = pd.DataFrame(index=pd.RangeIndex(net.n))
    out["row"] = best["row"].reindex(out.index).fillna(-1).astype(np.int64)
    out["partner"] = best["other"].reindex(out.index).fillna(-1).astype(np.int64)
    out["eim"] = best["eim"].reindex(out.index)
    out["runner_up"] = second["other"].reindex(out.index).fillna(-1).astype(np.int64)
    out["runner_up_eim"] = second["eim"].reindex(out.index)
    return out


def _linked(
    net: AreaNetwork, pairs: pd.DataFrame, p: dict[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    s, big = pairs["s"].to_numpy(), pairs["L"].to_numpy()
    ok, rule, thr = _judge(pairs["eim"].to_numpy(), p)
    n_pairs = len(pairs)
    if p["linkage"] == "strongest_larger":
        best = _best_per_area(net, pairs["eim"].to_numpy(), s, big)
        best_row = best["row"].to_numpy()
        is_best = np.zeros(n_pairs, dtype=bool)
        is_best[best_row[best_row >= 0]] = True
        link = ok & is_best
        # a qualifying pair that is not its smaller area's strongest tie loses to that tie
        lost = ok & ~is_best
        if lost.any():
            best_eim = best["eim"].to_numpy()[s[lost]]
            best_id = net.area_ids[best["partner"].to_numpy()[s[lost]]]
            rule = rule.copy()
            thr = thr.copy()
            rule[lost] = [f"rejected:stronger_tie_to:{b}" for b in best_id]
            thr[lost] = best_eim
        partner_rows = best
        note_rule_of_area = "no_larger_adjacent_area"
    else:
        link = ok
        both_who = np.concatenate([s, big])
        both_other = np.concatenate([big, s])
        eim = pairs["eim"].to_numpy()
        partner_rows = _best_per_area(net, np.concatenate([eim, eim]), both_who, both_other)
        partner_rows["row"] = np.where(
            partner_rows["row"] >= 0, partner_rows["row"] % max(n_pairs, 1), -1
        )
        note_rule_of_area = "no_adjacent_area"
    pairs = pairs.assign(link=link, rule=rule, threshold=thr)
    comp = _components(net.n, s[link], big[link])
    combined = _area_frame(net, comp)
    row = partner_rows["row"].to_numpy()
    has = row >= 0

    def take(values: np.ndarray, fill: Any) -> np.ndarray:
        """``values`` of each area's measured pair; ``fill`` where it has none."""
        out = np.full(len(row), fill, dtype=object if fill is None else values.dtype)
        out[has] = values[row[has]]
        return out

    partner = partner_rows["partner"].to_numpy()
    combined["partner_area_id"] = _ids(net, partner)
    combined["eim"] = take(pairs["eim"].to_numpy(dtype=float), np.nan)
    rules = take(pairs["rule"].to_numpy(dtype=object), None)
    degree = np.bincount(np.concatenate([s, big]), minlength=net.n)
    rules[~has] = np.where(degree[~has] > 0, note_rule_of_area, "no_adjacent_area")
    combined["rule"] = pd.Series(rules, dtype="string")
    combined["threshold"] = take(np.asarray(thr, dtype=float), np.nan)
    combined["margin"] = np.round(combined["eim"] - combined["threshold"], 9)
    for col in ("outbound_share", "inbound_share"):
        combined[col] = take(pairs[col].to_numpy(dtype=float), np.nan)
    combined["link"] = take(link, False)
    combined["runner_up_area_id"] = _ids(net, partner_rows["runner_up"].to_numpy())
    combined["runner_up_eim"] = partner_rows["runner_up_eim"].to_numpy()
    # which areas linked to this one (the chain the combination iterated through)
    linked_from: dict[int, list[str]] = {}
    for a, b in zip(s[link], big[link], strict=True):
        linked_from.setdefault(int(b), []).append(str(net.area_ids[a]))
        if p["linkage"] == "all_pairs":
            linked_from.setdefault(int(a), []).append(str(net.area_ids[b]))
    combined["linked_from"] = pd.Series(
        [";".join(sorted(linked_from.get(i, []))) for i in range(net.n)], dtype="string"
    )
    return _order_columns(combined), _finish_pairs(net, pairs, comp)


# ---------------------------------------------------------------------------------------------
# Linkage: combined areas measured again as one entity
# ---------------------------------------------------------------------------------------------
def _entity(
    net: AreaNetwork, pairs: pd.DataFrame, p: dict[str, Any], bar: float
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Greedy: merge the adjacent pair of entities with the highest EIM, measure the merged
    entity again against its neighbours, until no pair reaches ``bar``."""
    n = net.n
    residents = net.residents.astype(float).copy()
    jobs = net.jobs.astype(float).copy()
    size = net.size.astype(float).copy()
    coo = net.flow.tocoo()
    out_flow: list[dict[int, float]] = [{} for _ in range(n)]
    in_flow: list[dict[int, float]] = [{} for _ in range(n)]
    for a, b, v in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True):
        out_flow[a][b] = out_flow[a].get(b, 0.0) + v
        in_flow[b][a] = in_flow[b].get(a, 0.0) + v
    neighbours: list[set[int]] = [set() for _ in range(n)]
    for a, b in zip(net.pair_a.tolist(), net.pair_b.tolist(), strict=True):
        neighbours[a].add(b)
        neighbours[b].add(a)
    root = list(range(n))
    members: list[list[int]] = [[i] for i in range(n)]
    version = [0] * n
    ids = net.area_ids

    def key(g: int) -> tuple[float, str]:
        return (size[g], str(ids[g]))

    def measure(g: int, h: int) -> tuple[float, int, int, float, float]:
        s, big = (g, h) if key(g) < key(h) else (h, g)
        o = out_flow[s].get(big, 0.0) / residents[s] if residents[s] > 0 else 0.0
        i = out_flow[big].get(s, 0.0) / jobs[s] if jobs[s] > 0 else 0.0
        return 100.0 * (o + i), s, big, o, i

    heap: list[tuple[float, str, str, int, int, int, int]] = []

    def push(g: int, h: int) -> None:
        e = measure(g, h)[0]
        if e >= bar:
            a, b = (g, h) if ids[g] < ids[h] else (h, g)
            heapq.heappush(heap, (-e, str(ids[a]), str(ids[b]), a, b, version[a], version[b]))

    for a, b in zip(net.pair_a.tolist(), net.pair_b.tolist(), strict=True):
        push(a, b)
    first_step = np.full(n, -1, dtype=np.int64)
    first = {"partner": np.full(n, -1, dtype=np.int64), "eim": np.full(n, np.nan),
             "out": np.full(n, np.nan), "in": np.full(n, np.nan)}
    rows: list[dict[str, Any]] = []
    step = 0
    while heap:
        neg, _, _, a, b, va, vb = heapq.heappop(heap)
        if root[a] != a or root[b] != b or version[a] != va or version[b] != vb:
            continue
        step += 1
        e, s, big, o, i = measure(a, b)
        keep, gone = big, s
        largest = {g: max(members[g], key=lambda m: (net.size[m], str(ids[m]))) for g in (s, big)}
        for g, other in ((s, big), (big, s)):
            for m in members[g]:
                if first_step[m] < 0:
                    first_step[m] = step
                    first["partner"][m] = largest[other]
                    first["eim"][m], first["out"][m], first["in"][m] = e, o, i
        rows.append({
            "step": step,
            "smaller_areas": ";".join(sorted(str(ids[m]) for m in members[s])),
            "larger_areas": ";".join(sorted(str(ids[m]) for m in members[big])),
            "eim": e, "outbound_share": o, "inbound_share": i,
        })
        for x, v in out_flow[gone].items():
            if x != keep:
                out_flow[keep][x] = out_flow[keep].get(x, 0.0) + v
                in_flow[x][keep] = in_flow[x].get(keep, 0.0) + v
            in_flow[x].pop(gone, None)
        for x, v in in_flow[gone].items():
            if x != keep:
                in_flow[keep][x] = in_flow[keep].get(x, 0.0) + v
                out_flow[x][keep] = out_flow[x].get(keep, 0.0) + v
            out_flow[x].pop(gone, None)
        out_flow[keep].pop(gone, None)
        in_flow[keep].pop(gone, None)
        out_flow[gone], in_flow[gone] = {}, {}
        residents[keep] += residents[gone]
        jobs[keep] += jobs[gone]
        size[keep] += size[gone]
        for x in neighbours[gone]:
            neighbours[x].discard(gone)
            if x != keep:
                neighbours[x].add(keep)
                neighbours[keep].add(x)
        neighbours[keep].discard(gone)
        neighbours[keep].discard(keep)
        neighbours[gone] = set()
        members[keep].extend(members[gone])
        members[gone] = []
        for m in members[keep]:
            root[m] = keep
        version[keep] += 1
        for x in neighbours[keep]:
            push(keep, x)
    comp = np.array(root, dtype=np.int64)
    combined = _area_frame(net, comp)
    # areas never combined: the strongest entity-level measure left at the end
    alone = first_step < 0
    for m in np.flatnonzero(alone).tolist():
        g = root[m]
        best = max(((measure(g, x), x) for x in neighbours[g]), default=None,
                   key=lambda t: (t[0][0], -t[1]))
        if best is not None:
            (e, _, _, o, i), x = best
            first["partner"][m] = max(members[x], key=lambda q: (net.size[q], str(ids[q])))
            first["eim"][m], first["out"][m], first["in"][m] = e, o, i
    _, rule, thr = _judge(first["eim"], p)
    has = first["partner"] >= 0
    combined["partner_area_id"] = _ids(net, first["partner"])
    combined["eim"] = first["eim"]
    combined["rule"] = pd.Series(np.where(has, rule, "no_adjacent_area"), dtype="string")
    combined["threshold"] = np.where(has, thr, np.nan)
    combined["margin"] = np.round(combined["eim"] - combined["threshold"], 9)
    combined["outbound_share"] = first["out"]
    combined["inbound_share"] = first["in"]
    combined["step"] = first_step
    _, prule, pthr = _judge(pairs["eim"].to_numpy(), p)
    pairs = pairs.assign(link=np.zeros(len(pairs), dtype=bool), rule=prule, threshold=pthr)
    merges = pd.DataFrame(rows, columns=["step", "smaller_areas", "larger_areas", "eim",
                                         "outbound_share", "inbound_share"])
    return _order_columns(combined), _finish_pairs(net, pairs, comp), merges


# ---------------------------------------------------------------------------------------------
# The one function
# ---------------------------------------------------------------------------------------------
def omb_csa(
    membership: pd.DataFrame,
    *,
    flows: pd.DataFrame,
    adjacency: pd.DataFrame,
    units: pd.DataFrame | None = None,
    threshold: float = 25.0,
    lower_bound: float = 15.0,
    band: str = "combine",
    linkage: str = "strongest_larger",
    size: str = "employed_residents",
    external: tuple[str, ...] | list[str] = (),
    validate: bool = True,
    progress: ProgressCallback | None = None,
) -> CombineResult:
    """Combine adjacent areas into OMB combined statistical areas.

    Parameters
    ----------
    membership
        ``unit_id, area_id, status`` (a delineation's ``membership.csv`` or an official list);
        units with an empty ``area_id`` are in no area.
    flows
        ``origin, destination, value`` commuting flows, intra-unit flows included.
    adjacency
        ``unit_a, unit_b``: areas are adjacent when any of their units are.
    units
        Optional; its ``population`` column is read for ``size="population"``.
    threshold, lower_bound, band, linkage, size
        See :class:`OmbCsa` (``metrocircle methods omb-csa`` lists them).
    external
        Codes of places outside the study (abroad) that flows may name.
    validate
        Check the tables first and raise one :class:`~metrocircle.InputError` listing every
        problem.

    Returns
    -------
    CombineResult
        ``combined`` (one row per area), ``pairs`` (one row per adjacent pair), ``info``.

    Examples
    --------
    >>> import pandas as pd
    >>> membership = pd.DataFrame({"unit_id": ["a", "b", "c"], "area_id": ["A", "B", "C"],
    ...                            "status": "core"})
    >>> flows = pd.DataFrame({"origin": ["a", "b", "b", "c"], "destination": ["a", "b", "a", "c"],
    ...                       "value": [1000.0, 70.0, 30.0, 50.0]})
    >>> adjacency = pd.DataFrame({"unit_a": ["a", "b"], "unit_b": ["b", "c"]})
    >>> r = omb_csa(membership, flows=flows, adjacency=adjacency)
    >>> r.combined[["area_id", "combined_id", "eim", "rule"]].values.tolist()
    [['A', 'A', nan, 'no_larger_adjacent_area'], ['B', 'A', 30.0, 'eim>=25'], \
['C', <NA>, 0.0, 'rejected:eim<15']]
    """
    from metrocircle.combine import combine

    return combine(
        "omb-csa",
        membership,
        flows=flows,
        adjacency=adjacency,
        units=units,
        params={
            "threshold": threshold,
            "lower_bound": lower_bound,
            "band": band,
            "linkage": linkage,
            "size": size,
        },
        external=external,
        validate=validate,
        progress=progress,
    )


__all__ = ["LINKAGES", "AreaNetwork", "OmbCsa", "omb_csa"]
