"""The Chongqing demo: the whole chain on the example shipped with the package.

``metrocircle demo`` (or :func:`run_demo`) runs, on the 58 county-level units of Chongqing,
Guang'an and the Sichuan prefectures around them:

1. **accessibility**: travel times from the real 2019 rail timetable and modelled roads, the
   one-hour and half-hour commuting circles around the 9 central districts
   (:mod:`metrocircle.access`);
2. **signaling to OD**: mobile-phone records for a sample of the population, *simulated* by
   :func:`metrocircle.signaling.simulate_signaling` from the 2020 census population (no
   operator data ships with the package), then turned into home-to-work flows by the DuckDB
   (or Spark) pipeline, expanded to the population (:mod:`metrocircle.signaling`);
3. **delineation**: the ``cn-commuting`` preset on those flows, cores = the 9 central
   districts, the one-hour gate from step 1 (:mod:`metrocircle.delineate`);
4. **connection strength**: three link layers — the modified gravity model (census
   population, travel times of step 1), the commuting flows of step 2 (modelled) and the
   direct trains per day of the 2019 timetable (real) — fused with entropy weights into one
   index, and each unit's membership degree to the core (:mod:`metrocircle.strength`);
5. **roles and city groups**: the role of every unit of the delineated area with the rule
   that fired (:mod:`metrocircle.structure`), and Leiden city groups of the fused index
   (:mod:`metrocircle.groups`);
6. **industry**: location quotients and specialisations from the real 2020 census employment
   by industry section (:mod:`metrocircle.industry`);
7. indicators of the area and of the plan's scope (:mod:`metrocircle.indicators`), and a
   comparison of the result with the scope of the 2022 Chongqing metropolitan-area plan
   (the 21 units of the main urban area plus the 6 units of Guang'an) and a ``summary.md``
   that says which inputs are real and which are modelled.

Every output is an ordinary file (CSV, JSON, GeoPackage for QGIS) under one folder.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from metrocircle.datasets.chongqing import CHENGDU, CORE_GROUP, PLAN_GROUPS
from metrocircle.exceptions import ParameterError

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]

#: Optional packages the demo needs, by extra: maps (GeoPackage) and the network steps
#: (PageRank, Leiden). The README's first command installs these extras.
REQUIRED_EXTRAS: dict[str, tuple[str, ...]] = {"geo": ("geopandas", "pyogrio"),
                                               "graph": ("igraph", "leidenalg")}
CORE_AREA = "chongqing_central"


@dataclass
class DemoResult:
    """What :func:`run_demo` produced (tables in memory, files under ``out_dir``)."""

    out_dir: Path
    comparison: pd.DataFrame
    summary: dict[str, Any]
    files: dict[str, Path] = field(default_factory=dict)


def _check_extras() -> None:
    """Stop before any work if an optional package the demo needs is missing (one error)."""
    import importlib.util

    from metrocircle.exceptions import MissingDependencyError

    missing = {extra: [m for m in mods if importlib.util.find_spec(m) is None]
               for extra, mods in REQUIRED_EXTRAS.items()}
    missing = {k: v for k, v in missing.items() if v}
    if missing:
        extras = ",".join(missing)
        raise MissingDependencyError(
            "metrocircle demo needs the optional package(s) "
            + ", ".join(m for v in missing.values() for m in v)
            + f". Install them with: pip install 'metrocircle[{extras}]'")


def _check(name: str, value: object, ok: bool, must: str) -> None:
    if not ok:
        raise ParameterError(f"The '{name}' parameter of demo must be {must}. Got {value!r}.")


def run_demo(
    out_dir: str | Path,
    *,
    users: int = 30000,
    days: int = 7,
    random_state: int = 2026,
    engine: str = "duckdb",
    min_count: int = 10,
    progress: Progress | None = None,
) -> DemoResult:
    """Run the Chongqing chain and write every output to ``out_dir``.

    Parameters
    ----------
    out_dir
        Output folder (created if missing): ``access/``, ``signaling/``, ``delineation/``,
        ``strength/``, ``structure/``, ``groups/``, ``industry/``, ``scope_comparison.csv``,
        ``indicators.csv``,
        ``summary.md``, ``run.json``.
    users, days, random_state
        Size and seed of the simulated signaling sample (people, days).
    engine
        ``"duckdb"`` (default) or ``"spark"`` for the signaling pipeline.
    min_count
        OD pairs with fewer sampled commuters are suppressed (privacy), as in ``metrocircle od``.
    progress
        Optional ``progress(step, fraction)`` callback.

    Examples
    --------
    >>> from metrocircle.demo import run_demo
    >>> import tempfile
    >>> res = run_demo(tempfile.mkdtemp(), users=2000, days=7, min_count=1)
    >>> int(res.summary["delineation"]["core_units"])
    9
    """
    _check("users", users, isinstance(users, int) and not isinstance(users, bool)
           and users >= 100, "an int >= 100")
    _check("days", days, isinstance(days, int) and not isinstance(days, bool) and days >= 7,
           "an int >= 7 (work places need weekdays)")
    _check("engine", engine, engine in ("duckdb", "spark"), "'duckdb' or 'spark'")
    _check("min_count", min_count, isinstance(min_count, int) and not isinstance(min_count, bool)
           and min_count >= 1, "an int >= 1")

    _check_extras()
    import metrocircle as mc
    from metrocircle.access import accessibility, chongqing_inputs, write_outputs
    from metrocircle.datasets import chongqing
    from metrocircle.delineate.output import write_delineation
    from metrocircle.signaling import chongqing_commuting

    def step(name: str, frac: float) -> None:
        log.info("demo: %s", name)
        if progress is not None:
            progress(name, frac)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    files: dict[str, Path] = {}
    boundaries = chongqing.load_boundaries()

    # 1. accessibility ----------------------------------------------------------------------
    step("accessibility", 0.0)
    inputs = chongqing_inputs()
    acc = accessibility(**inputs)
    write_outputs(acc, out / "access", boundaries=boundaries)
    timings["accessibility"] = round(time.perf_counter() - t0, 2)

    # 2. signaling -> OD (records simulated from the census population) --------------------
    step("signaling", 0.2)
    units = chongqing.load_units()
    od, share = chongqing_commuting(users=users, days=days, random_state=random_state,
                                    engine=engine, min_count=min_count)
    od.write(out / "signaling")
    timings["signaling"] = round(time.perf_counter() - t0, 2)

    # 3. delineation --------------------------------------------------------------------------
    step("delineation", 0.8)
    flows = od.od
    cores = inputs["cores"].rename(columns={"core": "area_id"})
    cores["area_id"] = CORE_AREA
    du = units[["unit_id", "name_en", "name_zh", "group", "pop_2020_census",
                "area_km2"]].rename(columns={"pop_2020_census": "population"})
    if boundaries is not None:
        du = boundaries[["unit_id", "geometry"]].merge(du, on="unit_id", how="right")
    tt = acc.travel_times[["origin", "destination", "minutes"]].dropna()
    res = mc.delineate("cn-commuting", flows, units=du, cores=cores,
                       adjacency=chongqing.load_adjacency(), travel_times=tt)
    write_delineation(res, out / "delineation", extra_run_info={
        "flows": "signaling/od.csv (simulated records, expanded to the 2020 population)",
        "travel_times": "access/travel_times.csv"})
    timings["delineation"] = round(time.perf_counter() - t0, 2)

    # 4. connection strength ----------------------------------------------------------------
    step("connection strength", 0.85)
    strength = _strength(units, tt, flows, cores, out / "strength")
    timings["strength"] = round(time.perf_counter() - t0, 2)

    # 4b. roles inside the area and city groups of the study area -----------------------------
    step("roles and city groups", 0.87)
    area_units = res.membership.loc[res.membership["area_id"] == CORE_AREA, "unit_id"].tolist()
    roles = _roles(units, flows, cores, tt, strength["links"], area_units, out / "structure")
    groups = _groups(units, strength["links"], random_state, out / "groups")
    timings["structure_groups"] = round(time.perf_counter() - t0, 2)

    # 5. industry ------------------------------------------------------------------------------
    step("industry", 0.9)
    industry = _industry(units, out / "industry")
    timings["industry"] = round(time.perf_counter() - t0, 2)

    # 6. comparison with the plan and the summary ----------------------------------------------
    step("summary", 0.95)
    comparison = _comparison(units, res.membership, acc.circles)
    comparison = comparison.merge(strength["membership"], on="unit_id", how="left").merge(
        industry["manufacturing_lq"], on="unit_id", how="left")
    indicators = _indicators(units, comparison, flows)
    indicators.to_csv(out / "indicators.csv", index=False)
    comparison.to_csv(out / "scope_comparison.csv", index=False)
    summary = _summary(units, comparison, od, acc, users=users, days=days,
                       random_state=random_state, engine=engine, min_count=min_count,
                       share=share)
    summary["strength"] = strength["summary"]
    summary["roles"] = roles
    summary["groups"] = groups
    summary["indicators"] = json.loads(indicators.to_json(orient="records"))
    summary["industry"] = industry["summary"]
    (out / "summary.md").write_text(_summary_markdown(summary, comparison), encoding="utf-8")
    timings["total"] = round(time.perf_counter() - t0, 2)
    run = {"command": "demo", "parameters": {"users": users, "days": days,
                                             "random_state": random_state, "engine": engine,
                                             "min_count": min_count},
           "summary": summary, "timings_s": timings}
    (out / "run.json").write_text(json.dumps(run, indent=2, ensure_ascii=False, default=str)
                                  + "\n", encoding="utf-8")
    for name in ("summary.md", "scope_comparison.csv", "indicators.csv", "run.json"):
        files[name] = out / name
    step("done", 1.0)
    return DemoResult(out, comparison, summary, files)


def _strength(units: pd.DataFrame, tt: pd.DataFrame, flows: pd.DataFrame,
              cores: pd.DataFrame, out: Path) -> dict[str, Any]:
    """Gravity + modelled commuting + real direct trains, fused by entropy weights."""
    from metrocircle import strength as st
    from metrocircle.datasets import chongqing

    grav = st.gravity(units, tt, mass="pop_2020_census")
    fused = st.fuse({"gravity": grav, "commuting": flows,
                     "rail_trips": chongqing.load_rail_trips()},
                    weights="entropy")
    mem = st.membership(fused.links, cores)
    out.mkdir(parents=True, exist_ok=True)
    fused.links.to_csv(out / "links.csv", index=False)
    mem.to_csv(out / "membership.csv", index=False)
    (out / "weights.json").write_text(json.dumps(
        {"weights": fused.weights, "info": fused.info,
         "layers": {"gravity": "pop_2020_census (real) over travel minutes (rail real, roads "
                               "modelled), b = 2",
                    "commuting": "signaling/od.csv (simulated records: modelled)",
                    "rail_trips": "direct trains per day, 2019 timetable (real)"}},
        indent=2, default=str) + "\n", encoding="utf-8")
    share = f"{CORE_AREA}_share"
    m = mem[["unit_id", share]].rename(columns={share: "membership_to_core"})
    return {"membership": m, "links": fused.links,
            "summary": {"weights": {k: round(float(v), 4) for k, v in fused.weights.items()},
                        "normalise": fused.info.get("normalise")}}


def _roles(units: pd.DataFrame, flows: pd.DataFrame, cores: pd.DataFrame, tt: pd.DataFrame,
           links: pd.DataFrame, area_units: list[str], out: Path) -> dict[str, Any]:
    """Roles of the delineated area's units (second core: Chengdu; admin: province)."""
    from metrocircle import structure as S

    u = units[["unit_id", "name_en", "pop_2020_census"]].copy()
    u["province"] = u["unit_id"].str.slice(0, 2) + "0000"
    ind = S.indicators(flows, cores=cores, second_core=[CHENGDU], travel_times=tt, units=u,
                       admin_col="province", strength=links, restrict_to=area_units)
    res = S.classify(ind)
    out.mkdir(parents=True, exist_ok=True)
    res.roles.to_csv(out / "roles.csv", index=False)
    res.conditions.to_csv(out / "conditions.csv", index=False)
    names = units.set_index("unit_id")["name_en"]
    return {"by_unit": {r.unit_id: {"name": names.get(r.unit_id), "role": r.role,
                                    "reason": r.reason}
                        for r in res.roles.itertuples()},
            "counts": {k: int(v) for k, v in res.roles["role"].value_counts().items()}}


def _groups(units: pd.DataFrame, links: pd.DataFrame, random_state: int,
            out: Path) -> dict[str, Any]:
    """City groups: Leiden on the fused connection index, split into contiguous parts."""
    from metrocircle import groups as G
    from metrocircle.datasets import chongqing

    flows = links[["origin", "destination", "strength"]].rename(columns={"strength": "value"})
    u = units[["unit_id", "pop_2020_census"]].rename(columns={"pop_2020_census": "population"})
    res = G.leiden(flows, units=u, adjacency=chongqing.load_adjacency(),
                   random_state=random_state, stability_runs=20)
    out.mkdir(parents=True, exist_ok=True)
    res.membership.to_csv(out / "membership.csv", index=False)
    res.groups.to_csv(out / "groups.csv", index=False)
    names = units.set_index("unit_id")["name_en"]
    members = res.membership.groupby("group")["unit_id"].apply(
        lambda ids: [str(names.get(i)) for i in ids])
    stab = res.info.get("stability", {}) if isinstance(res.info, dict) else {}
    return {"method": "leiden on the fused connection index, contiguous parts",
            "n_groups": int(res.groups["group"].nunique()),
            "members": {int(g): v for g, v in members.items()},
            "stability": stab}


def _industry(units: pd.DataFrame, out: Path) -> dict[str, Any]:
    """Location quotients and specialisations from the 2020 census (LQ > 1.25, >= 5 %)."""
    from metrocircle.industry import chongqing_activity
    from metrocircle.industry.run import analyse, write_outputs

    table, reference, info = chongqing_activity()
    names = units.set_index("unit_id")["name_pinyin"].astype(str).to_dict()
    res = analyse(table, reference=reference, threshold=1.25, min_share=0.05, names=names,
                  reference_name=info.get("reference"))
    write_outputs(res, out)
    lq = res.tables["lq"]
    manu = lq[lq["industry"] == "C_manufacturing"][["unit_id", "lq", "cluster_candidate"]]
    manu = manu.rename(columns={"lq": "manufacturing_lq",
                                "cluster_candidate": "manufacturing_specialised"})
    return {"manufacturing_lq": manu,
            "summary": {"measure": info.get("measure"), "threshold": 1.25, "min_share": 0.05,
                        "manufacturing_specialised": sorted(
                            manu.loc[manu["manufacturing_specialised"], "unit_id"].tolist())}}


def _indicators(units: pd.DataFrame, cmp: pd.DataFrame, flows: pd.DataFrame) -> pd.DataFrame:
    """Indicators of the delineated area and of the plan's scope, side by side."""
    from metrocircle.datasets import chongqing
    from metrocircle.indicators import area_indicators

    census = chongqing.load_census().set_index("code")
    u = units[["unit_id", "pop_2020_census", "urban_pop_2020_census", "area_km2",
               "gdp_100m_cny"]].copy()
    u["other_province"] = census["hukou_elsewhere_other_province"].reindex(
        u["unit_id"]).to_numpy()
    central = cmp["group"].eq(CORE_GROUP)
    member = pd.DataFrame({
        "unit_id": list(cmp["unit_id"]) * 2,
        "area_id": list(cmp["area_id"].where(cmp["in_delineation"]))
        + list(pd.Series("plan_2022", index=cmp.index).where(cmp["in_plan"])),
        "status": list(cmp["status"]) + list(central.map({True: "core", False: "member"})),
        "grouping": ["delineation"] * len(cmp) + ["plan"] * len(cmp),
    })
    cols = {"population": "pop_2020_census", "urban_population": "urban_pop_2020_census",
            "area_km2": "area_km2", "gdp": "gdp_100m_cny", "other_province": "other_province"}
    parts = [area_indicators(u, member[member["grouping"] == g], flows=flows, columns=cols)
             for g in ("delineation", "plan")]
    return pd.concat(parts, ignore_index=True)


def _comparison(units: pd.DataFrame, membership: pd.DataFrame,
                circles: pd.DataFrame | None) -> pd.DataFrame:
    """One row per unit: in the plan's scope, in the delineated area, ring, minutes to core."""
    m = pd.DataFrame(membership.drop(columns="geometry", errors="ignore"))
    keep = [c for c in ("unit_id", "area_id", "status", "ring", "outbound_share",
                        "travel_minutes", "rule", "margin") if c in m.columns]
    cmp = units[["unit_id", "name_en", "name_zh", "group", "pop_2020_census"]].merge(
        m[keep], on="unit_id", how="left")
    cmp["in_plan"] = cmp["group"].isin(PLAN_GROUPS)
    cmp["in_delineation"] = cmp["area_id"].eq(CORE_AREA).fillna(False).astype(bool)
    if circles is not None:
        c = circles[["unit_id", "minutes", "within_1h"]].rename(
            columns={"minutes": "minutes_to_core"})
        cmp = cmp.merge(c, on="unit_id", how="left")
    cmp["agreement"] = "outside both"
    cmp.loc[cmp["in_plan"] & cmp["in_delineation"], "agreement"] = "both"
    cmp.loc[cmp["in_plan"] & ~cmp["in_delineation"], "agreement"] = "plan only"
    cmp.loc[~cmp["in_plan"] & cmp["in_delineation"], "agreement"] = "delineation only"
    return cmp.rename(columns={"pop_2020_census": "population"})


def _summary(units: pd.DataFrame, cmp: pd.DataFrame, od: Any, acc: Any, **kw: Any) -> dict:
    from metrocircle.delineate import get_method

    members = cmp[cmp["in_delineation"]]
    plan = cmp[cmp["in_plan"]]
    a = od.accounting
    area = units.set_index("unit_id")["area_km2"]
    circle = acc.circles[acc.circles["within_1h"].fillna(False).astype(bool)] \
        if acc.circles is not None else pd.DataFrame(columns=["unit_id"])
    return {
        "real_inputs": ["units and boundaries", "2020 census population",
                        "2019 rail timetable (stations, trips, stop times)"],
        "modelled_inputs": [
            "roads between neighbouring units (80 km/h, detour factor 1.3)",
            f"mobile-phone signaling records: {kw['users']:,} simulated people x {kw['days']} "
            f"days, seed {kw['random_state']} (metrocircle.signaling.simulate_signaling)"],
        "one_hour_circle": {"units": int(len(circle)),
                            "population": int(cmp.loc[cmp["unit_id"].isin(circle["unit_id"]),
                                                      "population"].sum())},
        "signaling": {"engine": kw["engine"], "input_records": a["input_records"],
                      "used_records": a["used_records"], "dropped": a["dropped"],
                      "users_with_home": a["users"]["with_home"],
                      "users_with_work": a["users"]["with_work"],
                      "od_pairs": a["od"]["pairs"],
                      "od_pairs_suppressed": a["od"]["pairs_suppressed_below_min_count"],
                      "min_count": kw["min_count"],
                      "expansion_factor": round(1 / kw["share"], 1)},
        "rule": {p.name: p.default for p in get_method("cn-commuting").params
                 if p.name in ("close_share", "integration_share", "max_minutes")},
        "delineation": {
            "method": "cn-commuting", "core_units": int((members["status"] == "core").sum()),
            "units": int(len(members)), "population": int(members["population"].sum()),
            "area_km2": round(float(area.reindex(members["unit_id"]).sum()), 1)},
        "plan": {"units": int(len(plan)), "population": int(plan["population"].sum()),
                 "area_km2": round(float(area.reindex(plan["unit_id"]).sum()), 1)},
        "agreement": {k: int(v) for k, v in cmp["agreement"].value_counts().items()},
    }


def _indicator_table(s: dict) -> str:
    def pct(v: Any) -> str:
        return "" if v is None else f"{100 * v:.1f} %"

    lines = ["| | delineated area | plan's scope |", "|---|---|---|"]
    rows = {r["area_id"]: r for r in s["indicators"]}
    d, p = rows.get(CORE_AREA, {}), rows.get("plan_2022", {})
    spec = [("units", lambda r: f"{r.get('units', '')}"),
            ("population", lambda r: f"{r.get('population', 0):,.0f}"),
            ("land area, km²", lambda r: f"{r.get('area_km2', 0):,.0f}"),
            ("urbanisation", lambda r: pct(r.get("urbanisation_rate"))),
            ("urbanisation gap, core minus rest (points)",
             lambda r: "" if r.get("urbanisation_gap") is None
             else f"{r['urbanisation_gap']:.1f}"),
            ("GDP 2020 (units with data)",
             lambda r: f"{r.get('gdp', 0):,.0f} ({r.get('gdp_units')} of {r.get('units')})"),
            ("residents from other provinces", lambda r: pct(r.get("other_province_share"))),
            ("commuting self-containment (residents)",
             lambda r: pct(r.get("supply_self_containment"))),
            ("commuting openness", lambda r: pct(r.get("flow_openness")))]
    for label, f in spec:
        lines.append(f"| {label} | {f(d)} | {f(p)} |")
    return "\n".join(lines)


def _roles_md(s: dict) -> str:
    counts = ", ".join(f"{k} {v}" for k, v in s["roles"]["counts"].items())
    lines = [f"Roles by the rule set of `docs/roles.md` ({counts}):", "",
             "| unit | role | why |", "|---|---|---|"]
    for r in s["roles"]["by_unit"].values():
        lines.append(f"| {r['name']} | {r['role']} | {r['reason']} |")
    return "\n".join(lines)


def _groups_md(s: dict) -> str:
    return "\n".join(f"- group {g}: {', '.join(m)}" for g, m in s["groups"]["members"].items())


def _weights(s: dict) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in s["strength"]["weights"].items())


def _top_membership(cmp: pd.DataFrame, n: int = 8) -> str:
    rest = cmp[cmp["status"] != "core"].dropna(subset=["membership_to_core"])
    top = rest.sort_values("membership_to_core", ascending=False).head(n)
    return ", ".join(f"{r.name_en} {r.membership_to_core:.2f}" for r in top.itertuples())


def _names(df: pd.DataFrame) -> str:
    return ", ".join(f"{n} ({z})" for n, z in zip(df["name_en"], df["name_zh"], strict=True)) \
        or "none"


def _summary_markdown(s: dict, cmp: pd.DataFrame) -> str:
    d, p, sg = s["delineation"], s["plan"], s["signaling"]
    members = cmp[cmp["in_delineation"]].sort_values(["status", "unit_id"])
    rows = "\n".join(
        f"| {r.unit_id} | {r.name_en} ({r.name_zh}) | {r.status} | {r.ring or ''} | "
        f"{'' if pd.isna(r.outbound_share) else f'{100 * r.outbound_share:.1f} %'} | "
        f"{'' if pd.isna(r.minutes_to_core) else f'{r.minutes_to_core:.0f}'} | "
        f"{'yes' if r.in_plan else 'no'} |"
        for r in members.itertuples())
    dropped = ", ".join(f"{k} {v:,}" for k, v in sg["dropped"].items() if v) or "none"
    return f"""# Chongqing metropolitan area: the metrocircle demo

**Read this first.** The units, boundaries, 2020 census population and 2019 rail timetable
are real. The roads and the mobile-phone records are **modelled**: the records are simulated
from the census population by `metrocircle.signaling.simulate_signaling` (no operator data
ships with metrocircle), so the commuting flows, and the delineation built on them, show what
the chain does, not what Chongqing's commuters do. With real signaling records, run
`metrocircle od` and `metrocircle delineate` on them the same way.

- Real: {'; '.join(s['real_inputs'])}.
- Modelled: {'; '.join(s['modelled_inputs'])}.

## One-hour commuting circle (accessibility)

{s['one_hour_circle']['units']} units ({s['one_hour_circle']['population']:,} people in 2020)
are within 60 minutes of the 9 central districts by rail or road (`access/circles.csv`,
`access/access.gpkg`).

## Commuting from signaling

{sg['input_records']:,} records in, {sg['used_records']:,} used (dropped: {dropped}), engine
`{sg['engine']}`. {sg['users_with_home']:,} simulated people got a home, {sg['users_with_work']:,}
a work place. {sg['od_pairs']:,} home-to-work unit pairs, of which {sg['od_pairs_suppressed']:,}
had fewer than {sg['min_count']} sampled commuters and were suppressed; the rest are expanded
by {sg['expansion_factor']:,} (population / sample) in `signaling/od.csv`.

## Delineated metropolitan area (`cn-commuting`)

Cores: the 9 central districts. A unit joins when at least {s['rule']['close_share']:.0%} of
its employed residents work in the core ({s['rule']['integration_share']:.0%}: integration
ring) and it is within {s['rule']['max_minutes']:g} minutes of the core.
**{d['units']} units, {d['population']:,} people, {d['area_km2']:,} km²**
(`delineation/membership.csv`, `delineation/delineation.gpkg`).

| code | unit | status | ring | commuting rate to core | minutes to core | in the plan |
|---|---|---|---|---|---|---|
{rows}

## Connection strength (`strength/`)

Three link layers fused into one index with entropy weights ({_weights(s)}): the modified
gravity model on census population and travel time, the commuting flows above (modelled) and
the direct trains per day of the 2019 timetable (real). Membership degree to the core (share
of a unit's fused links that go to the 9 central districts), highest outside the core:
{_top_membership(cmp)}.

## Roles inside the area (`structure/`)

{_roles_md(s)}

## City groups (`groups/`)

Leiden communities of the fused connection index over the 58 units, split into contiguous
parts: {s['groups']['n_groups']} groups.

{_groups_md(s)}

## Industry (`industry/`)

Location quotients from the 2020 census employment by industry section (real; a unit is
specialised at LQ > 1.25 with at least 5 % of its employed). Specialised in manufacturing:
{_names(cmp[cmp['manufacturing_specialised'].fillna(False).astype(bool)])}.

## Indicators (`indicators.csv`)

{_indicator_table(s)}

GDP (100 million CNY, 2020) is summed only over the units that have it in `units.csv` and is
never imputed; "from other provinces" is the share of residents registered in another
province (2020 census); self-containment and openness use the modelled commuting flows.

## Against the 2022 plan's scope

The plan's area is the 21 units of the main urban area plus the 6 units of Guang'an:
{p['units']} units, {p['population']:,} people, {p['area_km2']:,} km².

- In both: {s['agreement'].get('both', 0)} units.
- In the plan only: {_names(cmp[cmp['agreement'] == 'plan only'])}.
- In the delineation only: {_names(cmp[cmp['agreement'] == 'delineation only'])}.

Every unit, with its ring, rate, minutes and agreement, is in `scope_comparison.csv`.
"""
