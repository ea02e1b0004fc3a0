"""cn-multisource on the Chongqing example: which units join, against the 2022 plan's 27, and
what the new layers cost in time.

Inputs: the 58 units and the 2020 census (real), travel times from the 2019 timetable (real)
and modelled roads, direct trains per day (real), and four **modelled** layers: road passengers,
road freight and enterprise investment (``metrocircle.datasets.chongqing.layers``) and commuting
from simulated signaling records (the signaling step of the shipped Chongqing project, the
demo's simulation: 30,000 people, 7 days, seed 2026; every pair, as the project's later steps
use it). Cores: the 9 central
districts. Every parameter of ``cn-multisource`` is at its default except the rows of the
"variants" table, which change one thing each to show what moves the result.

Timings are wall-clock on a shared machine: read the ratios, measured in the same run, against
the steps the demo already runs (accessibility; ``cn-commuting`` on the same inputs).

Run from the repository root::

    .venv/bin/python bench/multisource/chongqing_multisource.py [--users 30000] [--out DIR]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

import metrocircle as mc
from metrocircle.datasets import chongqing
from metrocircle.datasets.chongqing import layers as cq
from metrocircle.model.layers import FlowLayer, combine_layers


def markdown(df: pd.DataFrame) -> str:
    """A markdown table (floats to 3 decimals; no extra dependency)."""
    def cell(v) -> str:
        if isinstance(v, float):
            return "" if pd.isna(v) else f"{v:.3f}"
        return "" if v is None or v is pd.NA else str(v)

    lines = ["| " + " | ".join(map(str, df.columns)) + " |",
             "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |"
              for row in df.itertuples(index=False)]
    return "\n".join(lines)


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=30000)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()

    from metrocircle.access import accessibility, chongqing_inputs
    from metrocircle.project import example_results

    t = {}
    _, t["accessibility (demo step 1, baseline)"] = timed(accessibility, **chongqing_inputs())
    multi, t["travel_times('multimodal')"] = timed(cq.travel_times, "multimodal")
    road, t["travel_times('road')"] = timed(cq.travel_times, "road")
    rail, t["rail_layer()"] = timed(cq.rail_layer)
    passenger, t["road_passenger_layer()"] = timed(cq.road_passenger_layer, travel_times=road)
    freight, t["road_freight_layer()"] = timed(cq.road_freight_layer, travel_times=road)
    records, t["investment_records()"] = timed(cq.investment_records, travel_times=multi)
    investment, t["investment_layer()"] = timed(cq.investment_layer, records)
    signaling, t["the project's signaling step (demo step 2)"] = timed(
        example_results, "chongqing", ["signaling"],
        overrides={"steps.signaling.simulate.users": args.users})
    commuting = FlowLayer(signaling.table("signaling", "od"), name="commuting",
                          kind="commuting", source="modelled",
                          note="modelled: simulated signaling records -> home/work OD")

    units = cq.multisource_units()
    base = chongqing.load_units()
    cores = base.loc[base["group"] == chongqing.CORE_GROUP, ["unit_id"]].assign(
        area_id="chongqing")
    adjacency = chongqing.load_adjacency()
    plan = set(base.loc[base["group"].isin(chongqing.PLAN_GROUPS), "unit_id"])
    names = units.set_index("unit_id")["name_en"]
    layers = [rail, passenger, freight, investment, commuting]
    flows = combine_layers(layers)

    def run(fl, **params):
        return mc.delineate("cn-multisource", fl, units=units, cores=cores,
                            adjacency=adjacency, travel_times=multi, params=params)

    res, t["cn-multisource (defaults)"] = timed(run, flows)
    _, t["cn-commuting on the commuting layer (baseline)"] = timed(
        mc.delineate, "cn-commuting", commuting.flows, units=units, cores=cores,
        adjacency=adjacency, travel_times=multi)

    def summary(r) -> dict:
        m = r.membership
        inside = set(m.loc[m["area_id"].notna(), "unit_id"])
        pop = units.set_index("unit_id")["population"]
        return {"units": len(inside), "population_m": round(pop[list(inside)].sum() / 1e6, 2),
                "in plan too": len(inside & plan),
                "plan only": ", ".join(sorted(names[list(plan - inside)])) or "-",
                "not in plan": ", ".join(sorted(names[list(inside - plan)])) or "-"}

    variants = {
        "defaults (parent_levels=parent_id: no such column, no snapping)": {},
        "parent_levels=prefecture_id": {"parent_levels": "prefecture_id"},
        "parent_levels=zone,prefecture_id": {"parent_levels": "zone,prefecture_id"},
        "parent_levels=planning_group,prefecture_id": {
            "parent_levels": "planning_group,prefecture_id"},
        "max_minutes=90, prefecture_id": {"max_minutes": 90.0,
                                          "parent_levels": "prefecture_id"},
        "member_classes=3, prefecture_id": {"member_classes": 3,
                                            "parent_levels": "prefecture_id"},
        "weights=equal, prefecture_id": {"weights": "equal", "parent_levels": "prefecture_id"},
    }
    rows = []
    for label, params in variants.items():
        rows.append({"variant": label, **summary(run(flows, **params))})
    no_comm = combine_layers(layers[:-1])
    rows.append({"variant": "without the commuting layer, prefecture_id",
                 **summary(run(no_comm, parent_levels="prefecture_id"))})
    table = pd.DataFrame(rows)

    m = res.membership.assign(name=lambda d: d["unit_id"].map(names))
    cols = ["unit_id", "name", "status", "rule", "value", "threshold", "margin", "binding",
            "travel_minutes", "fused_membership", "commuting_rate", "ring"]
    shown = m[m["unit_id"].isin(plan) | m["area_id"].notna()][cols]
    print("## Layers\n")
    print(markdown(res.tables["layers"]))
    print(f"\nmembership threshold (natural breaks): {res.info['membership_threshold']}\n")
    print("## Variants (one change each)\n")
    print(markdown(table))
    print("\n## Defaults: the plan's 27 units and every member\n")
    print(markdown(shown))
    base_t = t["accessibility (demo step 1, baseline)"]
    layer_keys = ["travel_times('road')", "rail_layer()", "road_passenger_layer()",
                  "road_freight_layer()", "investment_records()", "investment_layer()"]
    print("\n## Timings (shared machine; ratios against the same run's baselines)\n")
    print("| step | seconds | / accessibility |")
    print("|---|---|---|")
    for k, v in t.items():
        print(f"| {k} | {v:.2f} | {v / base_t:.1f} |")
    added = sum(t[k] for k in layer_keys)
    print(f"| new layers together | {added:.2f} | {added / base_t:.1f} |")
    ratio = t["cn-multisource (defaults)"] / t["cn-commuting on the commuting layer (baseline)"]
    print(f"\ncn-multisource / cn-commuting on the same units: {ratio:.1f}x")
    if args.out:
        from metrocircle.delineate.output import write_delineation
        from metrocircle.model.output import OutputDir

        with OutputDir(args.out, inputs={}, command="bench/multisource") as od:
            write_delineation(res, od)
            od.write_table(table, "variants.csv")


if __name__ == "__main__":
    main()
