"""Helpers (no tests): read the LabourMarketAreas reference runs in tests/data/lma, compare."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[1] / "data" / "lma"

PARAMS = {
    "brindisi_istat": ("brindisi", 1000, 0.6667, 10000, 0.75),
    "brindisi_vig1": ("brindisi", 50, 0.3, 100, 0.4),
    "brindisi_vig2": ("brindisi", 1000, 0.6, 10000, 0.7),
    "sardinia_2001_istat": ("sardinia_2001", 1000, 0.6667, 10000, 0.75),
    "sardinia_grid_2011_istat": ("sardinia_grid_2011", 1000, 0.6667, 10000, 0.75),
}


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def flows_of(dataset: str) -> pd.DataFrame:
    f = _read(DATA / f"{dataset}_flows.csv")
    return pd.DataFrame(
        {
            "origin": f["community_live"],
            "destination": f["community_work"],
            "value": f["amount"].astype(float),
        }
    )


def params_of(tag: str) -> dict:
    _, a, b, c, d = PARAMS[tag]
    return dict(min_size=a, min_self_containment=b, target_size=c, target_self_containment=d)


def synthetic_cases() -> list[int]:
    p = _read(DATA / "synthetic" / "params.csv")
    return [int(x) for x in p["case"]]


def synthetic(case: int) -> tuple[pd.DataFrame, dict, dict[str, pd.DataFrame]]:
    """Flows, parameters and reference tables of a synthetic case."""
    base = DATA / "synthetic"
    p = _read(base / "params.csv")
    p = p[p["case"] == str(case)].iloc[0]
    f = _read(base / "flows.csv")
    f = f[f["case"] == str(case)]
    flows = pd.DataFrame(
        {
            "origin": f["community_live"].to_numpy(),
            "destination": f["community_work"].to_numpy(),
            "value": f["amount"].astype(float).to_numpy(),
        }
    )
    params = dict(
        min_size=float(p["minSZ"]),
        min_self_containment=float(p["minSC"]),
        target_size=float(p["tarSZ"]),
        target_self_containment=float(p["tarSC"]),
    )
    ref = {}
    for name in ("assignment", "reserve_list", "iterations"):
        t = _read(base / f"{name}.csv")
        ref[name] = t[t["case"] == str(case)].drop(columns="case").reset_index(drop=True)
    return flows, params, ref


def reference(tag: str) -> dict[str, pd.DataFrame]:
    ref = {}
    for name in (
        "assignment",
        "reserve_list",
        "iterations",
        "lma_marginals",
        "lma_flows",
        "reserve_assignment_steps",
    ):
        path = DATA / f"{tag}_{name}.csv"
        if path.exists():
            ref[name] = _read(path)
    return ref


def _id(x) -> str:
    return "0" if x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x)) else str(x)


STATUS = {
    "member": "assigned_in_main_loop",
    "reserve_assigned": "reserve_then_assigned",
    "unassigned": "reserve_not_assigned",
    "excluded": "zero_list",
}


def assignment_diff(out: dict, ref: pd.DataFrame) -> list[str]:
    """Differences between our membership and R's assignment (empty list = identical)."""
    mem = out["membership"].set_index("unit_id")
    errors = []
    if sorted(mem.index) != sorted(ref["community"]):
        errors.append("different unit sets")
        return errors
    for r in ref.itertuples(index=False):
        m = mem.loc[r.community]
        if STATUS[m["status"]] != r.status:
            errors.append(f"{r.community}: status {m['status']} vs {r.status}")
        if r.status == "zero_list":
            continue
        if _id(m["area_id"]) != r.cluster:
            errors.append(f"{r.community}: area {m['area_id']} vs {r.cluster}")
        if _id(m["area_id_before_reserve"]) != r.cluster_before_reserve_assignment:
            errors.append(
                f"{r.community}: before {m['area_id_before_reserve']} vs "
                f"{r.cluster_before_reserve_assignment}"
            )
        if int(m["moves"]) != int(r.moves):
            errors.append(f"{r.community}: moves {m['moves']} vs {r.moves}")
        if float(m["residents"]) != float(r.residents):
            errors.append(f"{r.community}: residents {m['residents']} vs {r.residents}")
    return errors


def reserve_rows(out: dict, *, grid_order: bool = False) -> list[tuple]:
    rl = out["reserve_list"]
    rows = [
        (
            r.code,
            str(r.iteration),
            r.dissolved_area,
            f"{r.validity:.15g}",
            r.unit_id,
            r.second_unit_id if isinstance(r.second_unit_id, str) else "",
        )
        for r in rl.itertuples(index=False)
    ]
    if grid_order:  # the R grid output lost the order: by iteration, D first, E/F by unit
        rows.sort(key=lambda x: (int(x[1]), x[0] not in "ABCD", x[4]))
    return rows


def ref_reserve_rows(ref: pd.DataFrame) -> list[tuple]:
    return [
        (
            r.code,
            r.iteration,
            r.dissolved_cluster,
            r.dissolved_cluster_validity,
            r.community,
            r.second_community,
        )
        for r in ref.itertuples(index=False)
    ]


def _s(x) -> str:
    return "" if x is None or pd.isna(x) else str(x)


def trace_rows(out: dict) -> list[tuple]:
    t = out["iterations"]
    return [
        (
            int(r.iteration),
            _s(r.selected_area),
            float(r.selected_validity),
            _s(r.n_units),
            _s(r.unit_id),
            _s(r.target_area),
            r.outcome,
            int(r.n_areas),
            _s(r.stale_area),
            _s(r.stale_rows),
        )
        for r in t.itertuples(index=False)
    ]


def ref_trace_rows(ref: pd.DataFrame) -> list[tuple]:
    return [
        (
            int(r.iteration),
            r.selected_cluster,
            float(r.selected_validity),
            r.n_communities,
            r.moved_community,
            r.candidate_target,
            r.outcome,
            int(r.n_clusters),
            r.stale_cluster,
            r.stale_marg_rows,
        )
        for r in ref.itertuples(index=False)
    ]
