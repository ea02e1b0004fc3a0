"""Travel-to-work areas / labour-market areas: the Coombes-Bond regionalisation (``ttwa-lma``).

The method used for the UK travel-to-work areas, Istat's *sistemi locali del lavoro* and
Eurostat's EU labour-market areas. Every unit starts as its own cluster; the least valid cluster
(validity mixes self-containment and size, see :func:`lma_validity`) is dissolved and its units
join the cluster they are most tied to, as long as that does not lower the target's validity;
rejected units wait on a reserve list and are placed at the end.

``compat="r-3.4"`` (the default) reproduces R's ``LabourMarketAreas::findClusters`` 3.4 exactly,
quirks included (cluster ids are R's: the code rank of a surviving member). ``compat="clean"``
re-aggregates dissolved clusters and checks validity when placing the reserve list. The
concepts, the quirks and how the modes differ are in ``docs/methods/ttwa-lma.md``.

Example
-------
>>> import pandas as pd
>>> from metrocircle.delineate.ttwa_lma import find_clusters
>>> flows = pd.DataFrame({"origin": ["1", "1", "2", "2", "3"],
...                       "destination": ["1", "2", "2", "1", "3"],
...                       "value": [900.0, 200.0, 700.0, 150.0, 50.0]})
>>> out = find_clusters(flows, min_size=100, min_self_containment=0.5,
...                     target_size=1000, target_self_containment=0.6)
>>> out["membership"][["unit_id", "area_id", "status"]].to_dict("records")[0]
{'unit_id': '1', 'area_id': '1', 'status': 'member'}
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.delineate._lma_core import (
    Graph,
    LmaRun,
    LmaSettings,
    build_graph,
    run_lma,
    validity,
    validity_array,
)
from metrocircle.delineate.base import (
    DelineationMethod,
    Param,
    ProgressCallback,
    register,
    share_param,
)
from metrocircle.exceptions import ParameterError, Problems
from metrocircle.model.validation import RowLabels

log = logging.getLogger(__name__)

METHOD = "ttwa-lma"

PARAMS: tuple[Param, ...] = (
    Param(
        "min_size",
        float,
        1000.0,
        "Minimum size (employed residents) of an area; an area this small needs "
        "target_self_containment (R: minSZ).",
        low=0.0,
        low_open=True,
    ),
    share_param(
        "min_self_containment",
        0.6667,
        "Self-containment accepted for an area of target_size or more (R: minSC).",
    ),
    Param(
        "target_size",
        float,
        10000.0,
        "Size (employed residents) from which min_self_containment suffices (R: tarSZ).",
        low=0.0,
        low_open=True,
    ),
    share_param(
        "target_self_containment",
        0.75,
        "Self-containment required of an area of min_size (R: tarSC).",
    ),
    Param(
        "compat",
        str,
        "r-3.4",
        "'r-3.4' reproduces R LabourMarketAreas 3.4 exactly (quirks included); 'clean' "
        "re-aggregates dissolved clusters and checks validity when placing the reserve list.",
        choices=("r-3.4", "clean"),
    ),
    Param(
        "code_order",
        str,
        "auto",
        "How unit codes are ranked (the rank is the initial cluster id and breaks ties): "
        "'numeric' (R with integer codes), 'string' (R with idcom_type='char', C-locale order) "
        "or 'auto' (numeric when every code is a distinct whole number, else string).",
        choices=("auto", "numeric", "string"),
    ),
    Param(
        "contiguity",
        bool,
        False,
        "After the run, give every part of an area that is not connected (in the adjacency) "
        "to the area's main part to the adjacent area with the strongest tie. Needs adjacency.",
    ),
)


def lma_validity(
    internal_flow: float,
    residents: float,
    jobs: float,
    *,
    min_size: float,
    min_self_containment: float,
    target_size: float,
    target_self_containment: float,
) -> float:
    """Validity of an area (>= 1 means valid), exactly as R's ``getLeastSelfContained``.

    ``msc = min(I/R, I/W)``; ``Y = min(msc/tarSC, 1)``; ``S = max((tarSZ-R)/(tarSZ-minSZ), 0)``;
    ``Z = 1 - (1 - minSC/tarSC) * S``; ``V = Y * Z * tarSC/minSC``, and ``V = 1`` when msc == 1.

    >>> round(lma_validity(8215, 10316, 9119, min_size=1000, min_self_containment=0.6667,
    ...                    target_size=10000, target_self_containment=0.75), 6)
    1.124944
    """
    s = LmaSettings(min_size, min_self_containment, target_size, target_self_containment)
    return validity(internal_flow, residents, jobs, s)


# -- input -------------------------------------------------------------------------------------
def _check_flows(flows: pd.DataFrame) -> pd.DataFrame:
    """One InputError listing every problem in the flows table."""
    p = Problems()
    missing = [c for c in ("origin", "destination", "value") if c not in flows.columns]
    if missing:
        p.add(
            "flows",
            f"missing column(s) {', '.join(missing)}; the columns are "
            f"{', '.join(map(str, flows.columns))} (map yours with --origin-col, "
            "--destination-col, --value-col)",
        )
        p.raise_if_any()
    df = flows[["origin", "destination", "value"]].copy()
    rows = RowLabels()  # a table built in Python: "row N", as every validator labels it
    for col in ("origin", "destination"):
        na = df[col].isna().to_numpy()
        if na.any():
            p.add("flows", f"empty {col} code", rows=rows(np.flatnonzero(na)))
    val = pd.to_numeric(df["value"], errors="coerce")
    bad = (val.isna() & df["value"].notna()).to_numpy() | df["value"].isna().to_numpy()
    if bad.any():
        p.add("flows", "value is not a number", rows=rows(np.flatnonzero(bad)))
    vv = val.to_numpy(dtype=np.float64, na_value=np.nan)
    neg = vv < 0
    if neg.any():
        p.add("flows", "negative value", rows=rows(np.flatnonzero(neg)))
    inf = np.isinf(vv)
    if inf.any():
        p.add("flows", "infinite value", rows=rows(np.flatnonzero(inf)))
    p.raise_if_any()
    df["origin"] = df["origin"].astype(str)
    df["destination"] = df["destination"].astype(str)
    df["value"] = vv
    return df


_DIGITS = re.compile(r"^[0-9]+$")


def _rank_codes(codes: np.ndarray, code_order: str) -> np.ndarray:
    """The codes sorted in R's order: numeric (integer codes) or C-locale string order."""
    uniq = np.unique(codes.astype(object))
    if code_order in ("auto", "numeric"):
        digits = all(_DIGITS.match(c) for c in uniq)
        ints = [int(c) for c in uniq] if digits else []
        if digits and len(set(ints)) == len(ints):
            return np.array(sorted(uniq, key=int), dtype=object)
        if code_order == "numeric":
            raise ParameterError(
                f"The 'code_order' parameter of {METHOD} is 'numeric' but some unit codes are not "
                "distinct whole numbers. Use code_order='string'."
            )
    # C locale: compare UTF-8 bytes, which is code-point order
    return np.array(sorted(uniq), dtype=object)


def _zero_list(
    n: int, o: np.ndarray, d: np.ndarray, v: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """R's zero list: repeatedly drop units with no residents, no jobs or only a self flow.

    Returns (alive mask, reason code per unit, round per unit).
    """
    alive = np.ones(n, dtype=bool)
    reason = np.zeros(n, dtype=np.int8)  # 1 no residents, 2 no jobs, 3 only a self flow
    rnd = np.zeros(n, dtype=np.int64)
    r = 0
    while True:
        r += 1
        m = alive[o] & alive[d]
        om, dm, vm = o[m], d[m], v[m]
        res = np.bincount(om, weights=vm, minlength=n)
        job = np.bincount(dm, weights=vm, minlength=n)
        selfv = np.full(n, np.nan)
        sm = om == dm
        selfv[om[sm]] = vm[sm]
        only_self = (selfv == res) & (selfv == job)
        z = alive & ((res == 0) | (job == 0) | only_self)
        if not z.any():
            return alive, reason, rnd
        reason[z & only_self] = 3
        reason[z & (job == 0)] = 2
        reason[z & (res == 0)] = 1
        rnd[z] = r
        alive &= ~z


_ZERO_REASON = {1: "zero_list:no_residents", 2: "zero_list:no_jobs", 3: "zero_list:self_flow_only"}


def find_clusters(
    flows: pd.DataFrame,
    *,
    min_size: float = 1000.0,
    min_self_containment: float = 0.6667,
    target_size: float = 10000.0,
    target_self_containment: float = 0.75,
    compat: str = "r-3.4",
    code_order: str = "auto",
    contiguity: bool = False,
    adjacency: pd.DataFrame | None = None,
    units: pd.DataFrame | None = None,
    progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Labour-market areas from commuting flows (the function behind :class:`TtwaLma`).

    Parameters
    ----------
    flows
        ``origin`` (unit of residence), ``destination`` (unit of work), ``value`` (commuters).
        Codes are strings; duplicate pairs are summed.
    min_size, min_self_containment, target_size, target_self_containment
        R's ``minSZ, minSC, tarSZ, tarSC`` (Istat: 1000, 0.6667, 10000, 0.75; UK ONS TTWA:
        3500, 0.6667, 25000, 0.75).
    compat
        ``"r-3.4"`` or ``"clean"`` (see the module docstring).
    code_order
        ``"auto"``, ``"numeric"`` or ``"string"``: how codes are ranked (R's initial cluster ids).
    contiguity, adjacency
        Optional contiguity repair with ``adjacency`` (``unit_a, unit_b``).
    units
        Optional; units listed here but absent from the flows are reported as excluded.
    progress
        ``progress(step, fraction)`` callback.

    Returns
    -------
    dict
        ``membership``, ``areas`` and the tables ``reserve_list``, ``membership_before_reserve``,
        ``iterations``, ``reserve_assignment_steps``, ``area_flows``, ``zero_list``, ``contiguity``
        (DataFrames) and ``info`` (a dict).
    """
    spec = {p.name: p for p in PARAMS}
    vals: dict[str, Any] = {
        "min_size": min_size,
        "min_self_containment": min_self_containment,
        "target_size": target_size,
        "target_self_containment": target_self_containment,
        "compat": compat,
        "code_order": code_order,
        "contiguity": contiguity,
    }
    vals = {k: spec[k].check(v, METHOD) for k, v in vals.items()}
    _check_cross(vals)
    if vals["contiguity"] and adjacency is None:
        raise ParameterError(
            f"The 'contiguity' parameter of {METHOD} needs adjacency (unit_a, unit_b): give "
            "--adjacency or units with polygons."
        )
    prog = progress or (lambda step, frac: None)
    t0 = time.perf_counter()
    df = _check_flows(flows)
    settings = LmaSettings(
        vals["min_size"],
        vals["min_self_containment"],
        vals["target_size"],
        vals["target_self_containment"],
        vals["compat"],
    )
    # -- codes and ranks ---------------------------------------------------------------------
    extra_units: list[str] = []
    outside_codes: list[str] = []
    n_flows_outside = 0
    if units is not None and "unit_id" in units.columns:
        # flows naming a place that is not a unit (e.g. abroad) are left out, as R's zero list
        # does for a place with no residents; they are counted and listed, never clustered
        universe = {str(u) for u in units["unit_id"]}
        inside = df["origin"].isin(universe) & df["destination"].isin(universe)
        n_flows_outside = int((~inside).sum())
        if n_flows_outside:
            dropped = df.loc[~inside]
            outside_codes = sorted(
                (set(dropped["origin"]) | set(dropped["destination"])) - universe
            )
            log.info(
                "ttwa-lma: %d flows name %d places that are not units; left out",
                n_flows_outside,
                len(outside_codes),
            )
            df = df.loc[inside]
    all_codes = np.concatenate([df["origin"].to_numpy(object), df["destination"].to_numpy(object)])
    if units is not None and "unit_id" in units.columns:
        extra_units = sorted(universe - set(all_codes.tolist()))
    ranked = _rank_codes(all_codes, vals["code_order"]) if len(all_codes) else np.array([], object)
    pos = pd.Index(ranked)
    o = pos.get_indexer(df["origin"].to_numpy(object)).astype(np.int64)
    d = pos.get_indexer(df["destination"].to_numpy(object)).astype(np.int64)
    v = df["value"].to_numpy(np.float64)
    n_all = len(ranked)
    # duplicate pairs are summed (R would carry them as separate rows with the same sums)
    key = o * max(n_all, 1) + d
    uk, inv = np.unique(key, return_inverse=True)
    n_dup = len(key) - len(uk)
    v = np.bincount(inv, weights=v, minlength=len(uk))
    o, d = uk // max(n_all, 1), uk % max(n_all, 1)
    prog("zero list", 0.0)
    alive, reason, zround = _zero_list(n_all, o, d, v)
    keep_units = np.flatnonzero(alive)
    new_index = np.full(n_all, -1, dtype=np.int64)
    new_index[keep_units] = np.arange(len(keep_units))
    m = alive[o] & alive[d]
    g = build_graph(len(keep_units), new_index[o[m]], new_index[d[m]], v[m])
    prog("main loop", 0.01)
    run = run_lma(g, settings, prog)
    codes = ranked[keep_units]
    all_reserve = bool(g.n) and not bool(np.any(run.cluster_before > 0))
    if all_reserve:
        log.warning(
            "ttwa-lma: every unit ended on the reserve list, so no area can be formed with these "
            "parameters (R's findClusters stops with a data.table error in this case)."
        )
    contig_rows: list[dict[str, Any]] = []
    final = run.cluster.copy()
    if vals["contiguity"]:
        from metrocircle.delineate._lma_contiguity import repair_contiguity

        final, contig_rows = repair_contiguity(final, g, codes, adjacency)
    out = _tables(run, final, g, codes, ranked, alive, reason, zround, settings, extra_units)
    if outside_codes:
        out["zero_list"] = pd.concat(
            [
                out["zero_list"],
                pd.DataFrame(
                    {
                        "unit_id": pd.array(outside_codes, dtype="string"),
                        "reason": "not_a_unit",
                        "round": 0,
                    }
                ),
            ],
            ignore_index=True,
        )
    if units is not None and "unit_id" in units.columns:
        out["areas"] = _with_unit_totals(out["areas"], out["membership"], units)
    if vals["contiguity"]:
        out["contiguity"] = pd.DataFrame(
            contig_rows,
            columns=["unit_id", "from_area_id", "to_area_id", "part", "part_residents", "tie"],
        )
    out["info"] = {
        "n_units": int(n_all + len(extra_units)),
        "n_clustered": int(g.n),
        "n_excluded": int(n_all - g.n + len(extra_units)),
        "n_flows": len(df),
        "n_flows_not_between_units": n_flows_outside,
        "n_duplicate_pairs_summed": int(n_dup),
        "n_areas": int(len(out["areas"])),
        "n_valid_areas": int(out["areas"]["valid"].sum()),
        "n_reserve": len(run.reserve),
        "n_unassigned": int(np.count_nonzero(final == 0)),
        "iterations": int(run.iterations),
        "stale_cluster_not_reselected": int(run.stale_not_reselected),
        "all_units_in_reserve": all_reserve,
        "n_contiguity_moves": len(contig_rows),
        "seconds": round(time.perf_counter() - t0, 4),
    }
    log.info(
        "ttwa-lma (%s): %d units clustered, %d excluded, %d areas (%d valid), %d reserve, "
        "%d iterations, %.2f s",
        settings.compat,
        g.n,
        out["info"]["n_excluded"],
        out["info"]["n_areas"],
        out["info"]["n_valid_areas"],
        len(run.reserve),
        run.iterations,
        out["info"]["seconds"],
    )
    prog("done", 1.0)
    return out


def _with_unit_totals(
    areas: pd.DataFrame, membership: pd.DataFrame, units: pd.DataFrame
) -> pd.DataFrame:
    """Add the per-area sum of every numeric attribute of ``units`` (population, ...)."""
    numeric = [
        c
        for c in units.columns
        if c not in ("unit_id", "geometry")
        and c not in areas.columns
        and pd.api.types.is_numeric_dtype(units[c])
        and not pd.api.types.is_bool_dtype(units[c])
    ]
    if not numeric:
        return areas
    attrs = pd.DataFrame(
        units[numeric].to_numpy(), columns=numeric, index=units["unit_id"].astype(str).to_numpy()
    )
    m = membership[membership["area_id"].notna()]
    joined = attrs.reindex(m["unit_id"].astype(str).to_numpy())
    joined.index = m["area_id"].astype(str).to_numpy()
    sums = joined.groupby(level=0).sum(min_count=1)
    return areas.join(sums, on=areas["area_id"].astype(str))


def _check_cross(vals: dict[str, Any]) -> None:
    if not vals["min_size"] < vals["target_size"]:
        raise ParameterError(
            f"The 'min_size' parameter of {METHOD} must be a float smaller than target_size "
            f"({vals['target_size']:g}). Got {vals['min_size']!r}."
        )
    if not vals["min_self_containment"] <= vals["target_self_containment"]:
        raise ParameterError(
            f"The 'min_self_containment' parameter of {METHOD} must be a float not above "
            f"target_self_containment ({vals['target_self_containment']:g}). "
            f"Got {vals['min_self_containment']!r}."
        )


def _sid(x: int) -> str | None:
    return None if x == 0 else str(int(x))


def _tables(
    run: LmaRun,
    final: np.ndarray,
    g: Graph,
    codes: np.ndarray,
    ranked: np.ndarray,
    alive: np.ndarray,
    reason: np.ndarray,
    zround: np.ndarray,
    s: LmaSettings,
    extra_units: list[str],
) -> dict[str, Any]:
    n = g.n
    # -- areas -------------------------------------------------------------------------------
    assigned = final > 0
    ids = np.unique(final[assigned])
    idx = np.searchsorted(ids, final[assigned])
    res = np.bincount(idx, weights=g.residents[assigned], minlength=len(ids))
    job = np.bincount(idx, weights=g.jobs[assigned], minlength=len(ids))
    nun = np.bincount(idx, minlength=len(ids))
    area_of = np.zeros(n, dtype=np.int64) - 1
    area_of[assigned] = idx
    # internal flows and area-to-area flows from the unit flows
    src = np.repeat(np.arange(n), np.diff(g.out_ptr))
    fo = np.concatenate([src, np.flatnonzero(g.self_row)])
    fd = np.concatenate([g.out_idx, np.flatnonzero(g.self_row)])
    fv = np.concatenate([g.out_val, g.self_flow[g.self_row]])
    ao, ad = final[fo], final[fd]
    intern = np.bincount(
        area_of[fo][(ao == ad) & (ao > 0)], weights=fv[(ao == ad) & (ao > 0)], minlength=len(ids)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        scs = intern / res
        scd = intern / job
    val = validity_array(intern, res, job, s)
    areas = pd.DataFrame(
        {
            "area_id": pd.array([str(i) for i in ids], dtype="string"),
            "n_units": nun,
            "residents": res,
            "jobs": job,
            "internal_flow": intern,
            "self_containment_supply_share": scs,
            "self_containment_demand_share": scd,
            "self_containment_min_share": np.minimum(scs, scd),
            "validity": val,
            "valid": val >= 1,
        }
    )
    flows_tab = (
        pd.DataFrame({"o": ao, "d": ad, "value": fv})
        .groupby(["o", "d"], sort=True)["value"]
        .sum()
        .reset_index()
    )
    flows_tab = flows_tab[~((flows_tab["o"] == 0) & (flows_tab["d"] == 0))]
    area_flows = pd.DataFrame(
        {
            "origin_area_id": pd.array([str(x) for x in flows_tab["o"]], dtype="string"),
            "destination_area_id": pd.array([str(x) for x in flows_tab["d"]], dtype="string"),
            "value": flows_tab["value"].to_numpy(),
        }
    )
    # -- reserve list ------------------------------------------------------------------------
    res_rows = [
        {
            "code": c,
            "iteration": it,
            "dissolved_area": str(int(k)),
            "validity": float(vv),
            "unit_id": codes[u],
            "second_unit_id": codes[s2] if s2 >= 0 else None,
        }
        for (c, it, k, vv, u, s2) in run.reserve
    ]
    reserve_list = pd.DataFrame(
        res_rows,
        columns=["code", "iteration", "dissolved_area", "validity", "unit_id", "second_unit_id"],
    )
    reserve_iter = np.zeros(n, dtype=np.int64)
    for c, it, _k, _v, u, _s in run.reserve:
        if c in ("A", "B", "C", "D"):
            reserve_iter[u] = it
    # -- membership --------------------------------------------------------------------------
    vmap = dict(zip(ids.tolist(), val.tolist(), strict=True))
    status, rule, value = [], [], []
    for u in range(n):
        a = int(final[u])
        rc = run.reserve_code[u]
        if run.cluster_before[u] > 0:
            st, ru = "member", "main_loop"
        elif a > 0:
            st, ru = "reserve_assigned", f"reserve_{rc}:strongest_tie"
        else:
            st, ru = "unassigned", f"reserve_{rc}:no_link"
        if a > 0 and run.cluster[u] != a:
            ru = "contiguity"
        status.append(st)
        rule.append(ru)
        value.append(vmap[a] if a > 0 else np.nan)
    value_arr = np.asarray(value, dtype=float)
    mem = pd.DataFrame(
        {
            "unit_id": pd.array(codes.tolist(), dtype="string"),
            "area_id": pd.array([_sid(a) for a in final], dtype="string"),
            "status": status,
            "rule": rule,
            "value": value_arr,
            "threshold": np.where(final > 0, 1.0, np.nan),
            "margin": value_arr - 1.0,
            "moves": run.moves,
            "area_id_before_reserve": pd.array(
                [_sid(a) for a in run.cluster_before], dtype="string"
            ),
            "residents": g.residents,
            "jobs": g.jobs,
            "self_flow": g.self_flow,
            "reserve_code": pd.array([c or None for c in run.reserve_code], dtype="string"),
            "reserve_iteration": pd.array(
                [int(x) if x else None for x in reserve_iter], dtype="Int64"
            ),
        }
    )
    if not np.array_equal(final, run.cluster):
        mem["area_id_before_contiguity"] = pd.array([_sid(a) for a in run.cluster], dtype="string")
    dead = np.flatnonzero(~alive)
    excl_codes = ranked[dead].tolist() + extra_units
    excl_rule = [_ZERO_REASON[int(reason[i])] for i in dead] + ["no_flows"] * len(extra_units)
    zero = pd.DataFrame(
        {
            "unit_id": pd.array(excl_codes, dtype="string"),
            "reason": excl_rule,
            "round": np.concatenate([zround[dead], np.zeros(len(extra_units), dtype=np.int64)]),
        }
    )
    if len(excl_codes):
        ex = pd.DataFrame(
            {
                "unit_id": pd.array(excl_codes, dtype="string"),
                "area_id": pd.array([None] * len(excl_codes), dtype="string"),
                "status": "excluded",
                "rule": excl_rule,
                "value": np.nan,
                "threshold": np.nan,
                "margin": np.nan,
                "moves": 0,
            }
        )
        mem = pd.concat([mem, ex], ignore_index=True)
    before = pd.DataFrame(
        {
            "unit_id": pd.array(codes.tolist(), dtype="string"),
            "area_id": pd.array([_sid(a) for a in run.cluster_before], dtype="string"),
        }
    )
    trace = pd.DataFrame(
        [
            {
                "iteration": r[0],
                "selected_area": str(r[1]),
                "selected_validity": r[2],
                "n_units": r[3],
                "unit_id": None if r[4] is None else codes[r[4]],
                "target_area": None if r[5] is None else str(r[5]),
                "outcome": r[6],
                "n_areas": r[7],
                "stale_area": None if r[8] is None else str(r[8]),
                "stale_rows": r[9],
            }
            for r in run.trace
        ]
    )
    trace["n_units"] = trace["n_units"].astype("Int64")
    trace["stale_rows"] = trace["stale_rows"].astype("Int64")
    steps = pd.DataFrame(
        {
            "step": [st[0] for st in run.steps],
            "unit_id": [codes[st[1]] for st in run.steps],
            "target_area": pd.array([_sid(st[2]) for st in run.steps], dtype="string"),
        }
    )
    return {
        "membership": mem,
        "areas": areas,
        "reserve_list": reserve_list,
        "membership_before_reserve": before,
        "iterations": trace,
        "reserve_assignment_steps": steps,
        "area_flows": area_flows,
        "zero_list": zero,
    }


@register
class TtwaLma(DelineationMethod):
    """Travel-to-work areas / labour-market areas (Coombes-Bond), as Istat's LabourMarketAreas.

    Parameters are those of :func:`find_clusters` (``min_size``, ``min_self_containment``,
    ``target_size``, ``target_self_containment``, ``compat``, ``code_order``, ``contiguity``).
    After :meth:`fit`: ``membership_``, ``areas_``, ``tables_`` (``reserve_list``,
    ``membership_before_reserve``, ``iterations``, ``reserve_assignment_steps``, ``area_flows``,
    ``zero_list``, ``contiguity``) and ``info_``.
    """

    name = METHOD
    needs_cores = False
    statuses = ("member", "reserve_assigned", "unassigned", "excluded")
    unplaced_statuses = ("unassigned", "excluded")
    params = PARAMS

    def _check_params(self, values: dict[str, Any]) -> None:
        _check_cross(values)

    def _fit(
        self,
        flows: pd.DataFrame,
        *,
        units: pd.DataFrame | None,
        cores: pd.DataFrame | None,
        adjacency: pd.DataFrame | None,
        travel_times: pd.DataFrame | None,
        progress: ProgressCallback,
    ) -> None:
        out = find_clusters(
            flows, adjacency=adjacency, units=units, progress=progress, **self.params_
        )
        self.membership_ = out.pop("membership")
        self.areas_ = out.pop("areas")
        self.info_ = out.pop("info")
        self.tables_ = out
