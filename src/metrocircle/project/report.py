"""``summary.md`` of a run: what is real and what is modelled first, then one section per step.

Every figure is read from the step results (the same tables the run folder holds), so the
summary and the files agree; the tests recompute them from the files.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from metrocircle.project.inputs import Inputs
from metrocircle.project.project import Project
from metrocircle.project.steps import StepResult

#: Lists longer than this are left to the files.
MAX_LISTED = 60


def _pct(v: Any) -> str:
    return "" if v is None or pd.isna(v) else f"{100 * float(v):.1f} %"


def _num(v: Any, digits: int = 0) -> str:
    return "" if v is None or pd.isna(v) else f"{float(v):,.{digits}f}"


def _names(ids: list[str], names: pd.Series) -> str:
    if not ids:
        return "none"
    if len(ids) > MAX_LISTED:
        return f"{len(ids)} units (see the files)"
    return ", ".join(f"{names.get(i, i)}" for i in ids)


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def summary_markdown(project: Project, results: dict[str, StepResult],
                     record: dict[str, Any], inputs: Inputs | None = None) -> str:
    """The run's ``summary.md`` (``inputs``: the run's, to read the units once)."""
    inputs = inputs if inputs is not None else Inputs(project)
    units = inputs.units() if "units" in project.inputs else pd.DataFrame()
    names = (units.set_index("unit_id")["name"].astype(str) if "name" in units.columns
             else pd.Series(dtype=str))
    parts = [f"# {project.title}", ""]
    desc = project.data.get("project", {}).get("description")
    if desc:
        parts += [desc.strip(), ""]
    parts += _provenance(project, record)
    sections = [("access", _access), ("signaling", _signaling), ("strength", _strength),
                ("delineation", _delineation), ("combine", _combine), ("roles", _roles),
                ("groups", _groups), ("industry", _industry), ("indicators", _indicators)]
    for name, section in sections:
        if name in results:
            parts += section(project, results, names, units)
    parts += _steps(record)
    return "\n".join(parts).rstrip() + "\n"


def _provenance(project: Project, record: dict[str, Any]) -> list[str]:
    out = ["## Real and modelled inputs", "",
           "Every flow layer carries a kind and a source; a *modelled* layer shows what the "
           "chain does with flows built by a model, not what people or firms did.", ""]
    rows = []
    for name, lab in record.get("layers", {}).items():
        rows.append([f"`{name}`", lab["kind"], f"**{lab['source']}**", lab.get("note", "")])
    if rows:
        out += [_table(["layer", "kind", "source", "how it was made"], rows), ""]
    inputs = []
    for name, decl in project.inputs.items():
        note = decl.get("note")
        if note:
            inputs.append(f"- `{name}` ({decl.get('source', 'real')}): {note}")
    if inputs:
        out += ["Inputs:", "", *inputs, ""]
    return out


def _access(project: Project, results: dict[str, StepResult], names: pd.Series,
            units: pd.DataFrame) -> list[str]:
    r = results["access"]
    net = r.info.get("network", {})
    out = ["## Accessibility (`access/`)", "",
           f"{r.info.get('units')} units, {r.info.get('pairs')} ordered pairs "
           f"({r.info.get('unreachable_pairs')} unreachable). Rail: "
           f"{net.get('rail') or 'none'}; roads: {net.get('roads') or 'none'}."]
    circles = r.tables.get("circles")
    if circles is not None and "within_1h" in circles.columns:
        for core, part in circles.groupby("core"):
            inside = part[part["within_1h"].fillna(False).astype(bool)]["unit_id"].tolist()
            pop = ""
            if "population" in units.columns:
                total = units.set_index("unit_id")["population"].reindex(inside).sum()
                pop = f" ({total:,.0f} people)"
            out.append(f"Within 60 minutes of `{core}`: {len(inside)} units{pop} "
                       "(`access/circles.csv`).")
    return out + [""]


def _signaling(project: Project, results: dict[str, StepResult], names: pd.Series,
               units: pd.DataFrame) -> list[str]:
    r = results["signaling"]
    a = r.info["accounting"]
    origin = r.info.get("origin", {})
    sup = r.info.get("suppression", {})
    dropped = ", ".join(f"{k} {v:,}" for k, v in a["dropped"].items() if v) or "none"
    if origin.get("records") == "simulated":
        what = (f"**Simulated** records ({origin['users']:,} people x {origin['days']} days, "
                f"seed {origin['random_state']}; metrocircle.signaling.simulate_signaling): "
                "no operator data ships with metrocircle, so this OD is modelled.")
    else:
        what = "Real records."
    return [
        "## Commuting from signaling (`signaling/`)", "", what,
        f"{a['input_records']:,} records in, {a['used_records']:,} used (dropped: {dropped}), "
        f"engine `{r.info.get('engine')}`. {a['users']['with_home']:,} people got a home, "
        f"{a['users']['with_work']:,} a work place; {sup.get('pairs', 0):,} home-to-work "
        "pairs.", "",
        f"**Suppression.** The published `signaling/od.csv` leaves out "
        f"{sup.get('pairs_suppressed', 0):,} of {sup.get('pairs', 0):,} pairs "
        f"({sup.get('pairs_suppressed_below_min_count', 0):,} with fewer than "
        f"{sup.get('min_count')} sampled commuters, "
        f"{sup.get('pairs_suppressed_complementary', 0):,} complementary; "
        f"{_num(sup.get('commuters_suppressed'))} of {_num(sup.get('commuters'))} commuters "
        "after expansion; see docs/privacy.md). Every later step uses all pairs: suppression "
        "protects what is published and does not change the analysis.", ""]


def _strength(project: Project, results: dict[str, StepResult], names: pd.Series,
              units: pd.DataFrame) -> list[str]:
    r = results["strength"]
    weights = r.info["weights"]
    rows = [[f"`{lab['layer']}`", lab["kind"], lab["source"], f"{weights[lab['layer']]:.3f}"]
            for lab in r.info["layers"]]
    out = ["## Connection strength (`strength/`)", "",
           f"{len(rows)} layers fused into one index (`{r.info['fusion'].get('weights_method')}` "
           f"weights, `{r.info['fusion'].get('normalise')}` normalisation); the index is "
           f"**{r.info['fused']['source']}** ({r.info['fused']['note']}).", "",
           _table(["layer", "kind", "source", "weight"], rows), ""]
    memb = r.tables.get("membership")
    if memb is not None:
        share_cols = [c for c in memb.columns if c.endswith("_share") and c not in (
            "outside_share", "top_share")]
        if share_cols:
            col = share_cols[0]
            top = memb.dropna(subset=[col]).sort_values(col, ascending=False)
            cores = set(results["delineation"].tables["membership"].query(
                "status == 'core'")["unit_id"]) if "delineation" in results else set()
            top = top[~top["unit_id"].isin(cores)].head(8)
            listed = ", ".join(f"{names.get(u, u)} {v:.2f}" for u, v in zip(
                top["unit_id"], top[col], strict=True))
            out += [f"Membership degree to `{col[:-len('_share')]}` (share of a unit's fused "
                    f"links going to its cores), highest outside the cores: {listed}.", ""]
    return out


def _delineation(project: Project, results: dict[str, StepResult], names: pd.Series,
                 units: pd.DataFrame) -> list[str]:
    r = results["delineation"]
    m = r.tables["membership"]
    labs = ", ".join(f"`{lab['layer']}` ({lab['kind']}, **{lab['source']}**)"
                     for lab in r.info["layers"])
    counts = r.info["counts"]
    status = ", ".join(f"{v:,} {k}" for k, v in counts["status"].items())
    given = project.step("delineation").get("params") or {}
    params = ", ".join(f"{k} = {v}" for k, v in given.items()) or "the method's defaults"
    out = ["## Delineation (`membership.csv`, `areas.csv`, `delineation/`)", "",
           f"Method `{r.info['method']}` on {labs}; parameters: {params} (every value in "
           f"run.json). {counts['areas']:,} area(s); units: {status}."
           + (" The method got the travel-time matrix." if r.info.get("travel_times") else ""),
           ""]
    method_info = r.info.get("info") or {}
    if method_info.get("urban_area_source"):
        out += [f"Cores derived from `inputs.urban_areas` "
                f"({method_info['urban_area_source']}): "
                f"{method_info.get('cbsas_before_merges', '')} areas before merges, "
                f"{method_info.get('merges', 0)} merged."]
        out += [f"- urban-area rows left out: {d['rows']:,} ({reason})"
                for reason, d in (method_info.get("urban_area_rows_left_out") or {}).items()]
        out.append("")
    placed = m[m["area_id"].astype("string").fillna("").ne("")]
    if 0 < len(placed) <= MAX_LISTED:
        cols = [c for c in ("status", "rule", "value", "margin") if c in placed.columns]
        rows = []
        for row in placed.sort_values(["area_id", "status", "unit_id"]).itertuples():
            rows.append([row.unit_id, names.get(row.unit_id, ""), row.area_id,
                         *[_fmt(getattr(row, c)) for c in cols]])
        out += [_table(["code", "unit", "area", *cols], rows), ""]
    if "population" in units.columns and len(placed):
        pop = units.set_index("unit_id")["population"]
        by_area = placed.groupby("area_id")["unit_id"].apply(list)
        if len(by_area) <= 10:
            out += [f"- `{a}`: {len(ids)} units, {pop.reindex(ids).sum():,.0f} people"
                    for a, ids in by_area.items()] + [""]
    comparison = r.tables.get("comparison")
    if comparison is not None:
        ref_name = (project.input("reference") or {}).get("name", "reference")
        agree = r.info.get("comparison", {})
        out += [f"### Against {ref_name} (`delineation/comparison.csv`)", "",
                ", ".join(f"{k}: {v:,}" for k, v in agree.items()) + " units.", ""]
        for label in ("reference only", "delineation only", "different area"):
            ids = comparison.loc[comparison["agreement"] == label, "unit_id"].tolist()
            if ids:
                out.append(f"- {label.replace('reference', ref_name)}: {_names(ids, names)}.")
        out.append("")
    fig = r.info.get("reference_figures")
    if fig:
        rows = [["cores found", f"{fig['cores_right']:,} of {fig['reference_cores']:,}",
                 f"recall {_pct(fig['core_recall'])}"],
                ["cores that are the reference's", f"{fig['cores_right']:,} of {fig['cores']:,}",
                 f"precision {_pct(fig['core_precision'])}"],
                ["units of reference areas in the matched area",
                 f"{fig['units_right']:,} of {fig['reference_units']:,}",
                 _pct(fig["units_right_share"])],
                ["areas", f"{fig['areas']:,} (reference {fig['reference_areas']:,})",
                 f"{_pct(fig['areas_within_share'])} off"]]
        if fig.get("type_right") is not None:
            rows.append(["type right, of matched areas",
                         f"{fig['type_right']:,} of {fig['matched_areas']:,}",
                         _pct(fig["type_right_share"])])
        out += [f"### Area by area against {fig['reference']} "
                "(`delineation/reference_figures.json`)", "",
                "Each area is matched to the reference area sharing most of its cores "
                "(`delineation/reference_matches.csv`); the cores missed and added are in "
                "`delineation/reference_missed_cores.csv` and `reference_added_cores.csv`.", "",
                _table(["measure", "count", "share"], rows), ""]
    return out


def _combine(project: Project, results: dict[str, StepResult], names: pd.Series,
             units: pd.DataFrame) -> list[str]:
    r = results["combine"]
    c = r.info["counts"]
    lab = r.info["layer"]
    given = project.step("combine").get("params") or {}
    params = ", ".join(f"{k} = {v}" for k, v in given.items()) or "the method's defaults"
    out = ["## Combined areas (`combined.csv`, `pairs.csv`)", "",
           f"Method `{r.info['method']}` on `{lab['layer']}` ({lab['kind']}, "
           f"**{lab['source']}**); parameters: {params} (every value in run.json). "
           f"{c['combined_areas']:,} combined area(s) of the {c['areas']:,} delineated areas; "
           f"{c['adjacent_pairs']:,} pairs of adjacent areas measured.", ""]
    pairs = r.info.get("reference_pairs")
    if pairs:
        out += [f"Against {pairs['reference']}, pair by pair (\"these two areas are in one "
                f"combined area\"; areas matched {pairs['matched']}): precision "
                f"{pairs['precision']:.3f}, recall {pairs['recall']:.3f}, F1 {pairs['f1']:.3f} "
                f"({pairs['pairs_agreeing']:,} of {pairs['pairs_reference']:,} reference pairs "
                f"found, {pairs['pairs_found']:,} pairs found; {pairs['areas_unmatched']} "
                "area(s) matched to no reference area are not judged). The differing pairs are "
                "in `combine/reference_pair_differences.csv`.", ""]
    return out


def _fmt(v: Any) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def _roles(project: Project, results: dict[str, StepResult], names: pd.Series,
           units: pd.DataFrame) -> list[str]:
    r = results["roles"]
    roles = r.tables["roles"]
    counts = ", ".join(f"{k} {v}" for k, v in r.info["counts"].items())
    out = ["## Roles (`roles.csv`, `structure/`)", "",
           f"The {r.info['units']} units of area `{r.info['area']}` by the rule set of "
           f"docs/roles.md, on `{r.info['layers']['flows']['layer']}` "
           f"({r.info['layers']['flows']['source']}): {counts}.", ""]
    if len(roles) <= MAX_LISTED:
        out += [_table(["unit", "role", "why"], [[names.get(u, u), role, reason] for u, role,
                                                 reason in zip(roles["unit_id"], roles["role"],
                                                               roles["reason"], strict=True)]),
                ""]
    return out


def _groups(project: Project, results: dict[str, StepResult], names: pd.Series,
            units: pd.DataFrame) -> list[str]:
    r = results["groups"]
    m = r.tables["membership"]
    out = ["## City groups (`groups/`)", "",
           f"`{r.info['method']}` on `{r.info['layer']['layer']}` ({r.info['layer']['source']}), "
           f"split into contiguous parts: {m['group'].nunique()} groups.", ""]
    if len(m) <= MAX_LISTED:
        for g, ids in m.groupby("group")["unit_id"]:
            out.append(f"- group {g}: {_names(ids.tolist(), names)}")
        out.append("")
    return out


def _industry(project: Project, results: dict[str, StepResult], names: pd.Series,
              units: pd.DataFrame) -> list[str]:
    r = results["industry"]
    spec = r.tables["specialisations"]
    p = project.step("industry")
    out = ["## Industry (`industry/`)", "",
           f"Location quotients of {r.info.get('measure')}; a unit is specialised in an "
           f"industry at LQ > {p['threshold']:g} with at least {p['min_share']:.0%} of its "
           f"activity: {len(spec)} unit-industry pairs.", ""]
    if len(spec):
        by = spec.groupby("industry")["unit_id"].apply(list)
        top = by.map(len).sort_values(ascending=False).head(8).index
        out += [f"- {ind}: {_names(sorted(by[ind]), names)}" for ind in top] + [""]
    return out


def _indicators(project: Project, results: dict[str, StepResult], names: pd.Series,
                units: pd.DataFrame) -> list[str]:
    t = results["indicators"].tables["indicators"]
    out = ["## Indicators (`indicators.csv`)", ""]
    if len(t) > 6:
        return out + [f"{len(t)} areas; see `indicators.csv`.", ""]
    spec = [("units", lambda r: _num(r.get("units"))),
            ("population", lambda r: _num(r.get("population"))),
            ("land area, km²", lambda r: _num(r.get("area_km2"))),
            ("urbanisation", lambda r: _pct(r.get("urbanisation_rate"))),
            ("urbanisation gap, core minus rest (points)",
             lambda r: _num(r.get("urbanisation_gap"), 1)),
            ("GDP (units with data)", lambda r: "" if pd.isna(r.get("gdp", float("nan")))
             else f"{r['gdp']:,.0f} ({_num(r.get('gdp_units'))} of {_num(r.get('units'))})"),
            ("residents from other provinces", lambda r: _pct(r.get("other_province_share"))),
            ("commuting self-containment (residents)",
             lambda r: _pct(r.get("supply_self_containment"))),
            ("commuting openness", lambda r: _pct(r.get("flow_openness")))]
    rows = t.to_dict("records")
    header = [""] + [f"{r['area_id']} ({r['grouping']})" for r in rows]
    body = [[label] + [f(r) for r in rows] for label, f in spec
            if any(f(r) for r in rows)]
    layer = results["indicators"].info.get("layer")
    note = (f"Commuting figures use `{layer['layer']}` ({layer['source']})." if layer else "")
    return out + [_table(header, body), "", "GDP is summed over the units that have it and "
                  "never imputed. " + note, ""]


def _steps(record: dict[str, Any]) -> list[str]:
    rows = [[name, s["status"], f"{s['seconds']:.1f}" if s["status"] == "ran" else "0 (cached)"]
            for name, s in record.get("steps", {}).items()]
    return ["## Steps", "", _table(["step", "ran or from the cache", "seconds"], rows), "",
            "Every parameter, input checksum and version is in `run.json`; `project.toml` is "
            "the resolved project (`metrocircle run project.toml --out OTHER` runs it again).",
            ""]
