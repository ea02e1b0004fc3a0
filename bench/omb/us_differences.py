"""Generate docs/methods/us-differences.md from runs of omb-cbsa on the shipped US data:

1. every difference between omb-cbsa with the official central counties as cores (2023
   adjacency) and the official July 2023 CBSA list, with its cause and the county's margin to
   the threshold;
2. the whole procedure from the Census urban areas (central counties, outlying counties,
   merges, types) against OMB's February 2013 list (2010 urban areas, exact) and July 2023 list
   (2020 land-area approximation): the figures, and every central county missed or added with
   its cause.

    PYTHONPATH=src python bench/omb/us_differences.py > docs/methods/us-differences.md
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import metrocircle as mc
from metrocircle.datasets import us_cbsa
from metrocircle.delineate import steps
from metrocircle.delineate.omb import OmbCbsa


def pct(x: float) -> str:
    return "" if pd.isna(x) else f"{100 * x:.1f} %"


def signed(x: float) -> str:
    return "" if pd.isna(x) else f"{100 * x:+.1f} pt"


def markdown(table: pd.DataFrame) -> str:
    """A GitHub markdown table (no extra dependency)."""
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    for row in table.itertuples(index=False):
        lines.append("| " + " | ".join(str(v).replace("|", "/") for v in row) + " |")
    return "\n".join(lines)


def main() -> None:
    flows, units = us_cbsa.load_flows(), us_cbsa.load_units()
    cores, adjacency = us_cbsa.load_cores(), us_cbsa.load_adjacency()
    official = us_cbsa.load_official()
    est = OmbCbsa().fit(flows, units=units, cores=cores, adjacency=adjacency)
    m = est.membership_.set_index("unit_id")
    name = units.set_index("unit_id")["name"] + ", " + units.set_index("unit_id")["state"]
    title = official.drop_duplicates("area_id").set_index("area_id")["cbsa_title"]
    off = official.set_index("unit_id")
    outlying = off[off["central_outlying"] == "Outlying"]["area_id"]

    # shares of every county to every official CBSA's central counties
    fm = steps.flow_matrix(flows, steps.universe_of(flows, units))
    c = steps.read_cores(cores, fm, "omb-cbsa")
    area_ids = c.group_area
    pairs = steps.shares_to_areas(fm, c.group_of, len(area_ids), "either")
    pairs["unit_id"] = fm.unit_ids.to_numpy()[pairs["pos"].to_numpy()]
    pairs["area_id"] = np.asarray(area_ids, dtype=object)[pairs["area"].to_numpy()]
    share = pairs.set_index(["unit_id", "area_id"])
    # each county's largest single workplace other than itself
    f = flows[flows["origin"] != flows["destination"]]
    top = f.sort_values(["origin", "value"], ascending=[True, False]).drop_duplicates("origin")
    top = top.set_index("origin")
    top_share = top["value"] / m["employed_residents"].reindex(top.index)

    members = m[m["status"] == "member"]["area_id"]
    rows = []
    for u in sorted(set(outlying.index) | set(members.index)):
        ours = m.loc[u, "area_id"]
        theirs = outlying.get(u, pd.NA)
        if pd.notna(ours) and pd.notna(theirs) and ours == theirs:
            continue
        ref = theirs if pd.notna(theirs) else ours
        s = share.loc[(u, ref)] if (u, ref) in share.index else None
        o = float(s["outbound_share"]) if s is not None else 0.0
        i = float(s["inbound_share"]) if s is not None else 0.0
        tie = max(o, i)
        margin = tie - 0.25
        if pd.isna(theirs):
            cause = (
                f"Qualifies by the published rule ({pct(tie)} to {ref}'s central counties, "
                "contiguous) but the official list puts it in no CBSA; nothing in the "
                "standard keeps it out."
            )
        elif pd.isna(ours):
            w = top.loc[u, "destination"] if u in top.index else ""
            w_role = (
                off.loc[w, "central_outlying"] + f" county of {off.loc[w, 'area_id']}"
                if w in off.index
                else "in no CBSA"
            )
            via_outlying = (
                w in off.index
                and off.loc[w, "area_id"] == ref
                and off.loc[w, "central_outlying"] == "Outlying"
            )
            cause = (
                f"Below 25 % to the final central counties of {ref} (`{m.loc[u, 'rule']}`)."
                f" Largest workplace: {w} ({name.get(w, w)}, {pct(top_share.get(u))}, "
                f"{w_role}). "
            )
            if via_outlying:
                cause += (
                    "That workplace is itself an outlying county of the CBSA: the pattern "
                    "of a pre-merger CBSA centred there that OMB merged into this one "
                    "(Section 4), bringing this county along; its core comes from "
                    "urban-area data that is not in these inputs."
                )
            else:
                cause += (
                    "Not reproducible from these inputs by the published rule; OMB's "
                    "pre-merger cores (urban-area data) are the likely cause."
                )
            if margin > -0.02:
                cause += f" Near miss ({signed(margin)})."
        else:
            cause = (
                f"Placed in {ours} ({title.get(ours, '')}) by the strongest tie "
                f"({pct(m.loc[u, 'value'])}); official CBSA {theirs}."
            )
        rows.append(
            {
                "county": f"{u} {name.get(u, '')}",
                "official CBSA": f"{theirs} {title.get(theirs, '')}"
                if pd.notna(theirs)
                else "none",
                "omb-cbsa": f"{ours}" if pd.notna(ours) else "outside",
                "outbound to official cores": pct(o),
                "inbound from official cores": pct(i),
                "margin to 25 %": signed(margin),
                "cause": cause,
            }
        )
    table = pd.DataFrame(rows)
    right = int((members == outlying.reindex(members.index)).fillna(False).sum())

    print("# Differences between omb-cbsa and the official CBSAs\n")
    print(
        "Generated by `PYTHONPATH=src python bench/omb/us_differences.py > "
        "docs/methods/us-differences.md` from runs of `omb-cbsa` on the data shipped in "
        "`metrocircle.datasets.us_cbsa`: first with OMB's own central counties (July 2023), "
        "then [the whole procedure from the Census urban areas]"
        "(#the-whole-procedure-from-the-census-urban-areas) (February 2013 and July 2023).\n"
    )
    print("## With OMB's central counties (July 2023)\n")
    print(
        "One run with the default parameters (threshold 25 %, either direction, contiguity, "
        "merge within_area), the official central counties as cores (area_id = CBSA code), the "
        "ACS 2016-2020 flows and `county_adjacency_2023.csv`.\n"
    )
    print(
        f"- Official outlying counties: {len(outlying)}; placed in their official CBSA: "
        f"**{right}** ({100 * right / len(outlying):.1f} %)."
    )
    print(
        f"- Counties placed where the official list does not put them: "
        f"**{int((members != outlying.reindex(members.index).fillna('none')).sum())}**."
    )
    print(
        f"- Central counties: all {len(cores)} are cores of their own CBSA (they are the input).\n"
    )
    print(
        "Margins are the county's larger share (outbound: of its employed residents working "
        "in the official CBSA's central counties; inbound: of its jobs held by their "
        "residents) minus the 25 % threshold.\n"
    )
    print(markdown(table))
    print()
    # traps, measured in the same run
    tx = m.loc["29215"]
    qa = m.loc["24035"]
    print("### Known traps, as measured in this run\n")
    print(
        f"- **Harris County TX -> Texas County MO (29215).** {pct(tx['inbound_share'])} of the "
        f"jobs in Texas County, Missouri are coded as held by residents of Houston's central "
        f"counties (a coding artefact of the ACS table: 2,853 Harris County residents). "
        f"Margin {signed(tx['margin'])}; the rule gives `{tx['rule']}` because no chain of "
        "Houston counties reaches Missouri. Status: "
        f"{tx['status']}, as in the official list."
    )
    print(
        f"- **Queen Anne's County MD (24035).** It touches Anne Arundel County (Baltimore's "
        "central counties) only across Chesapeake Bay. With the water-inclusive adjacency it "
        f"joins {qa['area_id']} by `{qa['rule']}` ({pct(qa['value'])}); with land-only "
        "adjacency it would be rejected as not contiguous (tested)."
    )
    print(
        "- **Connecticut planning regions (09110-09190).** Flows, the 2023 list and the "
        "adjacency file all use the 2022 planning regions; all nine are placed as officially "
        "(tested). Mixing the old counties (090xx) with these would leave them unmatched."
    )
    allm = OmbCbsa(merge="all").fit(flows, units=units, cores=cores, adjacency=adjacency)
    mg = allm.tables_["merges"]
    print("\n### With `merge=all` (Section 4 applied across the official CBSAs)\n")
    print(f"{len(mg)} merge(s):\n")
    for r in mg.itertuples():
        print(
            f"- {r.absorbed} ({title.get(r.absorbed, '')}) into {r.into} "
            f"({title.get(r.into, '')}): tie {100 * r.tie:.3f} %, margin "
            f"{100 * (r.tie - r.threshold):+.3f} pt."
            " OMB kept them apart; the margin is within rounding of the published shares."
        )

    end_to_end()


# ---------------------------------------------------------------------------------------------
# The whole procedure from the Census urban areas
# ---------------------------------------------------------------------------------------------
LISTS = {2010: "February 2013", 2020: "July 2023"}


def group_tie(flows: pd.DataFrame, s: set[str], t: set[str]) -> dict[str, float]:
    """How the counties ``s`` (as a group) are tied to the counties ``t``: outbound (share of
    s's employed residents working in t), inbound (share of s's jobs held by t's residents), the
    larger of the two, and, where the flows carry it, the 90 % margin of error of that share
    (Census formula for a derived proportion, flows taken as independent)."""
    o = flows["origin"].isin(s)
    d = flows["destination"].isin(s)
    out_x = flows[o & flows["destination"].isin(t)]
    in_x = flows[d & flows["origin"].isin(t)]
    r, w = flows[o], flows[d]
    out = out_x["value"].sum() / r["value"].sum() if r["value"].sum() else 0.0
    inn = in_x["value"].sum() / w["value"].sum() if w["value"].sum() else 0.0
    res = {"out": out, "in": inn, "tie": max(out, inn), "moe": np.nan}
    if "moe" in flows.columns:
        x, y, p = (out_x, r, out) if out >= inn else (in_x, w, inn)
        mx2, my2 = float((x["moe"] ** 2).sum()), float((y["moe"] ** 2).sum())
        rad = mx2 - p * p * my2
        res["moe"] = np.sqrt(rad if rad > 0 else mx2 + p * p * my2) / y["value"].sum()
    return res


def split_effect(urban: pd.DataFrame, county: str, core_minimum: float = 10_000) -> str:
    """What the land-area split decides for ``county``.

    ``test`` when some division of its urban people over its urban areas (each part at most
    its urban area's population) passes the central-county test and another fails it;
    ``grouping`` when it has two or more urban areas of ``core_minimum`` or more, so which one
    holds most of its people depends on the division; ``no`` otherwise (one urban area: the
    part is exact, or the outcome is the same for every division)."""
    rows = urban[urban["unit_id"] == county]
    if len(rows) < 2:
        return "no"
    people = float(rows["county_population"].iloc[0])
    urban_people = float(rows["county_urban_population"].iloc[0])
    big = rows.loc[rows["ua_population"] >= core_minimum, "ua_population"]
    small = rows.loc[rows["ua_population"] < core_minimum, "ua_population"]
    low = max(0.0, urban_people - float(small.sum()))  # least possible in big urban areas
    high = min(urban_people, float(big.sum()))  # most possible
    a_always, a_never = low >= 0.5 * people, high < 0.5 * people
    b_always = len(big) > 0 and low / len(big) >= 5000
    b_never = len(big) == 0 or min(high, float(big.max())) < 5000
    test = not (a_always or b_always) and not (a_never and b_never)
    grouping = len(big) >= 2 and not (a_never and b_never)
    return ", ".join(n for n, f in (("test", test), ("grouping", grouping)) if f) or "no"


def split_summary(rows: list[dict[str, str]], vintage: int) -> None:
    """One line: how many of the listed counties the land-area split decides."""
    if vintage != 2020 or not rows:
        return
    effect = pd.Series([r["what the land-area split decides"] for r in rows])
    test = int(effect.str.contains("test").sum())
    grouping = int((effect == "grouping").sum())
    print(
        f"\nFrom the land-area split: {test + grouping} of {len(rows)} ({test} whose "
        f"central-county test depends on it, {grouping} more whose urban area depends on it); "
        f"for the other {len(rows) - test - grouping} it decides nothing (their urban people "
        "are in one urban area, or every division gives the same outcome)."
    )


def end_to_end() -> None:
    print("\n## The whole procedure from the Census urban areas\n")
    print(
        "Central counties derived from the Census urban areas (Section 2), outlying counties "
        "(Section 3), merges (Section 4) and metropolitan/micropolitan types (Section 1), "
        "against OMB's own lists. Each derived CBSA is matched to the official CBSA that shares "
        "most of its central counties (counties central in both); a county is placed right "
        "when its derived CBSA is matched to its official CBSA. Central counties of CBSAs "
        "merged into another count as outlying, as in OMB's lists.\n"
    )
    for vintage in (2010, 2020):
        vintage_section(vintage)


def vintage_section(vintage: int) -> None:
    flows, units = us_cbsa.load_flows(vintage), us_cbsa.load_units(vintage)
    urban, adjacency = us_cbsa.load_urban_areas(vintage), us_cbsa.load_adjacency(vintage)
    official = us_cbsa.load_official(vintage)

    def run(**params):
        return mc.delineate(
            "omb-cbsa",
            flows,
            units=units,
            urban_areas=urban,
            adjacency=adjacency,
            external=us_cbsa.EXTERNAL_CODES,
            params=params,
        )

    result = run()
    cmp = us_cbsa.compare_cbsas_to_official(result.membership, result.areas, vintage)
    fig = cmp["figures"]
    plain = us_cbsa.compare_cbsas_to_official(
        *(lambda r: (r.membership, r.areas))(run(merge="none")), vintage
    )["figures"]
    once = us_cbsa.compare_cbsas_to_official(
        *(lambda r: (r.membership, r.areas))(run(threshold=0.25)), vintage
    )["figures"]
    assert once == fig  # the run is deterministic
    m = result.membership.set_index("unit_id")
    name = (
        units.set_index("unit_id")["name"] + ", " + units.set_index("unit_id")["state"]
    ).to_dict()
    titles = official.drop_duplicates("area_id").set_index("area_id")["cbsa_title"].to_dict()
    off = official.set_index("unit_id")
    if vintage == 2010:
        print(
            f"### Census 2010 urban areas against OMB's {LISTS[vintage]} list\n\n"
            "Inputs: `ua_county_rel_2010.csv` (urban-area population parts by county, exact), "
            "`acs_county_flows_2009_2013.csv`, `county_adjacency_2010geo.csv`; "
            "`metrocircle delineate omb-cbsa --example us-cbsa-ua2010 --out out/us2010` runs "
            "it. OMB used the ACS 2006-2010 flows, which are not available; the 2009-2013 "
            "window overlaps them.\n"
        )
    else:
        left_out_rows = result.info["urban_area_rows_left_out"][
            "unit not among the units of the run"
        ]["rows"]
        print(
            f"### 2020 approximation against OMB's {LISTS[vintage]} list\n\n"
            "Inputs: `ua20_county_landarea.csv` (urban-area land parts by county), "
            "`ua20_list_acs2022pop.csv` (urban-area populations: ACS 2018-2022 estimates, not "
            "the Census count), `county_urban_rural_2020.csv` (county urban and total "
            "population), `acs_county_flows_2016_2020.csv` (the flows OMB used), "
            "`county_adjacency_2023.csv`; `metrocircle delineate omb-cbsa --example "
            "us-cbsa-ua2020 --out out/us2020` runs it. Each county's urban population is split "
            "over its urban areas in proportion to their land in it (`land_area_split`, in "
            "every output). **Connecticut is left out of the comparison**: the 2020 urban-area "
            "files give its 8 old counties (09001-09015), while the flows, the adjacency and "
            "the 2023 list use its 9 planning regions (09110-09190), which do not nest in the "
            "counties. The run leaves the old-county rows out (counted in `run.json`: "
            f"{left_out_rows} rows), so no planning region is central; the comparison drops "
            "the planning regions and the official CBSAs whose central counties are all in "
            "Connecticut.\n"
        )
    rows = [
        (
            "central counties: recall",
            fig["central_right"],
            fig["official_central"],
            fig["central_recall"],
            plain["central_recall"],
        ),
        (
            "central counties: precision",
            fig["central_right"],
            fig["central"],
            fig["central_precision"],
            plain["central_precision"],
        ),
        (
            "all counties of an official CBSA placed in the matched CBSA",
            fig["counties_right"],
            fig["official_counties"],
            fig["counties_right_share"],
            plain["counties_right_share"],
        ),
        (
            "outlying counties alone",
            "",
            "",
            fig["outlying_right_share"],
            plain["outlying_right_share"],
        ),
        (
            "areas (official: " + str(fig["official_areas"]) + ")",
            fig["areas"],
            "",
            fig["areas_within_share"],
            plain["areas_within_share"],
        ),
        (
            "type right (of matched areas)",
            fig["type_right"],
            fig["matched_areas"],
            fig["type_right_share"],
            plain["type_right_share"],
        ),
        (
            "title = official title (of matched areas)",
            "",
            "",
            fig["title_right_share"],
            plain["title_right_share"],
        ),
    ]
    table = pd.DataFrame(
        [
            {
                "measure": r[0],
                "count": r[1],
                "of": r[2],
                "share": f"{100 * r[3]:.1f} %" + (" off" if r[0].startswith("areas") else ""),
                "without merging (`merge=none`)": f"{100 * r[4]:.1f} %"
                + (" off" if r[0].startswith("areas") else ""),
            }
            for r in rows
        ]
    )
    print(markdown(table))
    print(
        f"\n{result.info['cbsas_before_merges']} CBSAs before merges, "
        f"{result.info['merges']} merged into another ({result.info['merge_rounds'] - 1} "
        f"round(s) with merges); {fig['placed_outside_official']} counties placed in a CBSA "
        "where the official list has none; "
        f"{fig['official_cbsas_matched_twice']} official CBSA(s) matched by two derived ones. "
        "Titles come from the principal urban area's Census name (OMB's come from principal "
        "cities, which these inputs do not have).\n"
    )
    left = set(fig["left_out_states"])
    ua_name = (
        urban[urban["ua_code"] != "99999"]
        .drop_duplicates("ua_code")
        .set_index("ua_code")["ua_name"]
    ).to_dict()
    matched = cmp["matches"]["cbsa"].to_dict()

    def label(code: str) -> str:
        return f"{code} {name.get(code, '')}"

    # missed central counties
    missed = cmp["missed_central"]
    out_rows = []
    for r in missed.itertuples():
        u = r.unit_id
        row = m.loc[u]
        split = split_effect(urban, u) if vintage == 2020 else "exact parts"
        if str(row["rule"]).startswith("merged_from:"):
            own = str(row["rule"]).split(":", 1)[1]
            chain = str(row["merges"]).split(">")
            into = chain[chain.index(own) + 1] if own in chain[:-1] else str(row["area_id"])
            tie = group_tie(
                flows, set(m.index[m["central_ua"] == own]), set(m.index[m["central_ua"] == into])
            )
            margin = f" ± {100 * tie['moe']:.1f} pt (90 % MOE)" if not np.isnan(tie["moe"]) else ""
            merged_text = (
                f"its CBSA (urban area {own}, {ua_name.get(own, '')}) merged into {into} "
                f"({ua_name.get(into, '')}): tie {pct(tie['tie'])}{margin}"
            )
            if matched.get(str(row["area_id"])) == r.official_cbsa:
                cause = (
                    "In the matched CBSA, but as outlying: central for urban area "
                    f"{own}, not for the official CBSA's; {merged_text}."
                )
            else:
                cause = (
                    f"{merged_text[0].upper()}{merged_text[1:]}. OMB kept {r.official_cbsa} apart"
                )
                if not np.isnan(tie["moe"]) and tie["tie"] - tie["moe"] < 0.25:
                    cause += "; within the margin of error of 25 %"
                cause += "."
        elif not str(row["central_test"] or ""):
            mine = urban[(urban["unit_id"] == u) & (urban["ua_code"] != "99999")]
            if mine.empty:
                cause = "Not central: the urban-area file has no part for this county"
            else:
                top = mine.sort_values("ua_population", ascending=False).iloc[0]
                cause = (
                    f"Not central by the rule: {pct(row['urban_share'])} of its people in urban "
                    "areas of 10,000 or more; its largest urban area, "
                    f"{top['ua_code']} {top['ua_name']}, has {int(top['ua_population']):,} people"
                )
                if top["ua_population"] < 10_000:
                    cause += " (under 10,000" + (
                        " by the ACS 2018-2022 estimate used here; OMB used the 2020 Census count)"
                        if vintage == 2020
                        else ")"
                    )
            if row["rule"] == "rejected:not_contiguous":
                cause += (
                    "; the adjacency file has no pair for it (it became part of Bedford County "
                    "in 2013)"
                )
            cause += "."
        else:
            cause = f"Central by the rule; placed {row['status']} ({row['rule']})."
        out_rows.append(
            {
                "county": label(u),
                "official CBSA": f"{r.official_cbsa} {titles.get(r.official_cbsa, '')}",
                "omb-cbsa": f"{row['area_id']} ({row['status']})"
                if pd.notna(row["area_id"])
                else "outside",
                "central test": row["central_test"] or "fails",
                "what the land-area split decides": split,
                "cause": cause,
            }
        )
    print(f"#### Official central counties missed ({len(missed)})\n")
    print(markdown(pd.DataFrame(out_rows)) if out_rows else "None.")
    split_summary(out_rows, vintage)
    # added central counties
    added = cmp["added_central"]
    add_rows = []
    for r in added.itertuples():
        u = r.unit_id
        row = m.loc[u]
        split = split_effect(urban, u) if vintage == 2020 else "exact parts"
        area = row["area_id"]
        s = set(m.index[(m["area_id"] == area) & (m["status"] == "core")])
        if r.official_role == "Outlying" and matched.get(str(area)) == r.official_cbsa:
            own = str(row["central_ua"])
            cause = (
                f"In the matched CBSA, but central: grouped with urban area {own} "
                f"({ua_name.get(own, '')}), the CBSA's own; OMB lists it outlying, that is, "
                "central for another urban area whose CBSA merged in."
            )
        elif r.official_role == "Outlying":
            host = r.official_cbsa
            t = set(off.index[(off["area_id"] == host) & (off["central_outlying"] == "Central")])
            t -= {c for c in t if c[:2] in left}
            tie = group_tie(flows, s, t)
            cause = (
                f"OMB merged it into {host} ({titles.get(host, '')}). Tie of the central "
                f"counties of {area} to {host}'s official central counties: {pct(tie['tie'])}"
                + (f" ± {100 * tie['moe']:.1f} pt" if not np.isnan(tie["moe"]) else "")
                + "."
            )
        else:
            own = str(row["central_ua"])
            pop = urban.loc[urban["ua_code"] == own, "ua_population"].iloc[0]
            cause = (
                f"OMB lists it in no CBSA. Its urban area {own} ({ua_name.get(own, '')}) has "
                f"{int(pop):,} people"
                + (" by the ACS 2018-2022 estimate used here" if vintage == 2020 else "")
                + "."
            )
        add_rows.append(
            {
                "county": label(u),
                "official": f"{r.official_role} of {r.official_cbsa} "
                f"{titles.get(r.official_cbsa, '')}"
                if r.official_role != "none"
                else "none",
                "omb-cbsa": f"central of {area}",
                "central test": row["central_test"],
                "what the land-area split decides": split,
                "cause": cause,
            }
        )
    print(f"\n#### Central counties added ({len(added)})\n")
    print(markdown(pd.DataFrame(add_rows)) if add_rows else "None.")
    split_summary(add_rows, vintage)
    # type differences
    t = cmp["matches"]
    wrong = t[t["ours"] != t["theirs"]]
    print(f"\n#### Type differences ({len(wrong)} of {len(t)} matched areas)\n")
    if len(wrong):
        a = result.areas.set_index("area_id")
        type_rows = [
            {
                "derived CBSA": f"{i} {a.loc[i, 'title']}",
                "principal urban area": f"{a.loc[i, 'principal_urban_area_name']} "
                f"({int(a.loc[i, 'principal_urban_area_population']):,})",
                "omb-cbsa": r.ours,
                "official": f"{r.theirs} ({r.cbsa} {r.official_title})",
            }
            for i, r in wrong.iterrows()
        ]
        print(markdown(pd.DataFrame(type_rows)))
        if vintage == 2020:
            print(
                "\nThe urban-area populations here are ACS 2018-2022 estimates; OMB used the "
                "2020 Census counts, so urban areas near 50,000 can fall on the other side."
            )
    else:
        print("None.")
    print()


if __name__ == "__main__":
    main()
