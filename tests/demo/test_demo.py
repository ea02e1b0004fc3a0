"""``metrocircle demo``: the shipped Chongqing project end to end, on a small simulated sample.

The checks tie the files together: the summary's figures are recomputed from the tables the run
wrote (membership, circles, accounting, layers), the comparison with the plan's scope from the
shipped units table, and the OD the later steps use is the unsuppressed one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from metrocircle.cli.main import main
from metrocircle.datasets import chongqing
from metrocircle.datasets.chongqing import CORE_GROUP, PLAN_GROUPS

AREA = "chongqing_central"
#: one worker runs the module, so that each demo it reads runs once
pytestmark = pytest.mark.xdist_group("default-demo")


def csv(path: Path) -> pd.DataFrame:
    codes = ("unit_id", "origin", "destination", "area_id", "reference_area_id")
    return pd.read_csv(path, dtype={c: str for c in codes})


@pytest.fixture(scope="module")
def demo(small_demo: Path) -> Path:
    return small_demo  # tests/conftest.py: one run per test process


@pytest.fixture(scope="module")
def run(demo: Path) -> dict:
    return json.loads((demo / "run.json").read_text())


def test_every_output_is_written(demo: Path, run: dict) -> None:
    for name in ("summary.md", "run.json", "project.toml", "membership.csv", "areas.csv",
                 "roles.csv", "indicators.csv", "access/travel_times.csv", "access/circles.csv",
                 "access/access.gpkg", "signaling/od.csv", "signaling/units.csv",
                 "signaling/accounting.json", "layers/commuting.csv", "layers/investment.csv",
                 "layers/road_passenger.csv", "layers/road_freight.csv",
                 "layers/rail_trips.csv", "layers/labels.csv", "delineation/layers.csv",
                 "delineation/comparison.csv",
                 "delineation/delineation.gpkg", "delineation/inputs/flows.csv",
                 "strength/links.csv", "strength/membership.csv", "strength/weights.csv",
                 "strength/weights.json", "strength/centrality.csv", "structure/conditions.csv",
                 "structure/indicators.csv", "structure/polycentricity.json",
                 "groups/membership.csv", "groups/groups.csv", "groups/groups.gpkg",
                 "industry/lq.csv", "industry/specialisations.csv",
                 "industry/collaboration.csv"):
        assert (demo / name).is_file(), name
        assert (demo / name).stat().st_size > 0, name
        assert name in run["files"] or name == "run.json"
    assert {s["status"] for s in run["steps"].values()} == {"ran"}


def test_summary_matches_the_tables(demo: Path, run: dict) -> None:
    units = chongqing.load_units().set_index("unit_id")
    m = csv(demo / "membership.csv")
    members = m[m["area_id"] == AREA]
    text = (demo / "summary.md").read_text()
    assert f"{len(members)} units, {units.loc[members['unit_id'], 'pop_2020_census'].sum():,} " \
           "people" in text
    central = set(units.index[units["group"] == CORE_GROUP])
    assert set(members.loc[members["status"] == "core", "unit_id"]) == central
    # every member that is not snapped in with its whole parent is within the one-hour gate of
    # the core (the access step's matrix)
    circles = csv(demo / "access/circles.csv").set_index("unit_id")
    gated = members[~members["rule"].str.startswith("snapped_to_parent")]
    assert (circles["minutes"].astype(float).reindex(gated["unit_id"]) <= 60).all()
    n_circle = int(circles["within_1h"].fillna(False).astype(bool).sum())
    assert f"Within 60 minutes of `{AREA}`: {n_circle} units" in text
    acc = json.loads((demo / "signaling/accounting.json").read_text())
    assert acc["used_records"] + sum(acc["dropped"].values()) == acc["input_records"]
    assert f"{acc['input_records']:,} records in" in text
    assert run["steps"]["signaling"]["info"]["accounting"] == acc


def test_later_steps_use_the_unsuppressed_od(demo: Path, run: dict) -> None:
    """Suppression protects the published od.csv; the analysis uses every pair (issue 16.1)."""
    od = csv(demo / "signaling/od.csv")
    remainder = od["origin"].eq("(suppressed)") | od["destination"].eq("(suppressed)")
    published = od[~remainder]
    layer = csv(demo / "layers/commuting.csv")
    sup = run["signaling_suppression"]
    assert sup["pairs_suppressed"] > 0  # a small sample: many pairs under 10 commuters
    assert len(layer) == sup["pairs"] == len(published) + sup["pairs_suppressed"]
    # each pair is rounded to 3 decimals, the suppressed total once
    assert layer["value"].sum() == pytest.approx(published["value"].sum()
                                                 + sup["commuters_suppressed"],
                                                 abs=0.0005 * len(layer) + 0.001)
    # the delineation got the layer, not the published file
    given = csv(demo / "delineation/inputs/flows.csv")
    assert (given["layer"] == "commuting").sum() == len(layer)
    assert given.loc[given["layer"] == "commuting", "source"].eq("modelled").all()
    # out-commuting rates from the layer are those of signaling/units.csv, for every unit
    units = csv(demo / "signaling/units.csv").set_index("unit_id")
    out = layer[layer["origin"] != layer["destination"]].groupby("origin")["value"].sum()
    rate = (out / layer.groupby("origin")["value"].sum()).reindex(units.index).fillna(0.0)
    assert (rate - units["commuting_rate_out"].astype(float)).abs().max() < 1e-5
    # and no unit with out-commuting is explained as having no flow to the core when it has
    m = csv(demo / "membership.csv").set_index("unit_id")
    to_core = layer[layer["destination"].isin(m.index[m["status"] == "core"])]
    sends = set(to_core.loc[to_core["origin"] != to_core["destination"], "origin"])
    no_flow = set(m.index[m["rule"] == "rejected:no_flow_to_any_core"])
    assert not no_flow & sends
    text = (demo / "summary.md").read_text()
    assert f"leaves out {sup['pairs_suppressed']:,} of {sup['pairs']:,} pairs" in text
    assert "Every later step uses all pairs" in text


def test_strength_weights_carry_the_layer_labels(demo: Path, run: dict) -> None:
    w = csv(demo / "strength/weights.csv").set_index("layer")
    assert w.to_dict("index").keys() == {"commuting", "rail_trips", "road_passenger",
                                         "road_freight", "investment"}
    assert w.loc["commuting", "source"] == "modelled" and w.loc["rail_trips", "source"] == "real"
    assert w.loc["road_freight", ["kind", "source"]].tolist() == ["freight", "modelled"]
    assert w.loc["investment", ["kind", "source"]].tolist() == ["investment", "modelled"]
    # the delineation fused the same five layers, each with its label, in its own weights
    d = csv(demo / "delineation/layers.csv").set_index("layer")
    assert d["source"].to_dict() == w["source"].to_dict()
    assert abs(d["weight"].astype(float).sum() - 1) < 1e-9
    assert abs(w["weight"].astype(float).sum() - 1) < 1e-12
    # membership to the core: the share of a unit's fused links going to the 9 core units
    links = csv(demo / "strength/links.csv")
    links["strength"] = links["strength"].astype(float)
    core = set(chongqing.load_units().query("group == @CORE_GROUP")["unit_id"])
    total = links.groupby("origin")["strength"].sum()
    to_core = links[links["destination"].isin(core)].groupby("origin")["strength"].sum()
    expected = (to_core.reindex(total.index).fillna(0) / total).dropna()
    memb = csv(demo / "strength/membership.csv").set_index("unit_id")
    got = memb.loc[expected.index, f"{AREA}_share"].astype(float)
    assert (abs(got - expected) < 1e-12).all()
    assert run["layers"]["commuting"]["source"] == "modelled"


def test_industry_roles_groups(demo: Path, run: dict) -> None:
    lq = csv(demo / "industry/lq.csv")
    spec = csv(demo / "industry/specialisations.csv")
    lq["lq"], lq["share"] = lq["lq"].astype(float), lq["share"].astype(float)
    want = lq[(lq["lq"] > 1.25) & (lq["share"] >= 0.05)]
    assert sorted(zip(want["unit_id"], want["industry"], strict=True)) == sorted(
        zip(spec["unit_id"], spec["industry"], strict=True))
    m = csv(demo / "membership.csv")
    area = set(m.loc[m["area_id"] == AREA, "unit_id"])
    roles = csv(demo / "roles.csv")
    assert list(roles.columns[:4]) == ["unit_id", "area_id", "role", "reason"]
    assert set(roles["unit_id"]) == area and set(roles["area_id"]) == {AREA}
    core = set(m.loc[m["status"] == "core", "unit_id"])
    assert set(roles.loc[roles["role"] == "core", "unit_id"]) == core
    assert run["steps"]["roles"]["info"]["counts"] == roles["role"].value_counts().to_dict()
    assert roles["reason"].str.len().gt(0).all()
    assert run["steps"]["roles"]["info"]["indicators"]["second_core_units"] == ["510100"]
    g = csv(demo / "groups/membership.csv")
    assert len(g) == 58 and g["unit_id"].is_unique


def test_indicators_and_the_plan(demo: Path) -> None:
    ind = csv(demo / "indicators.csv").set_index("area_id")
    units = chongqing.load_units().set_index("unit_id")
    plan = units[units["group"].isin(PLAN_GROUPS)]
    assert float(ind.loc["plan_2022", "units"]) == 27
    assert float(ind.loc["plan_2022", "population"]) == plan["pop_2020_census"].sum() \
        == 24_377_253
    assert float(ind.loc["plan_2022", "gdp_units"]) == plan["gdp_100m_cny"].notna().sum()
    m = csv(demo / "membership.csv")
    members = m.loc[m["area_id"] == AREA, "unit_id"]
    assert float(ind.loc[AREA, "population"]) == units.loc[members, "pop_2020_census"].sum()
    cmp = csv(demo / "delineation/comparison.csv")
    assert len(cmp) == 58
    assert set(cmp.loc[cmp["in_reference"], "unit_id"]) == set(plan.index)
    text = (demo / "summary.md").read_text()
    assert "modelled" in text and "Simulated" in text
    names = units["name_en"]
    for u in cmp.loc[cmp["agreement"] == "reference only", "unit_id"]:
        assert names[u] in text


def test_no_output_carries_a_working_note(demo: Path) -> None:
    notes = re.compile(r"verify|recalled|TODO|FIXME|XXX|survey:", re.IGNORECASE)
    for path in demo.rglob("*"):
        if path.is_file() and path.suffix in (".csv", ".json", ".md", ".toml"):
            found = notes.search(path.read_text(encoding="utf-8"))
            assert found is None, f"{path.relative_to(demo)}: {found.group(0)!r}"


def test_cli_reports_bad_parameters(tmp_path: Path, capsys) -> None:
    assert main(["demo", "--out", str(tmp_path / "e"), "--days", "3", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "steps.signaling.simulate.days" in err and "must be an integer >= 7. Got 3" in err
    assert main(["demo", "--out", str(tmp_path / "f"), "--engine", "pandas"]) == 2
    assert "steps.signaling.engine" in capsys.readouterr().err
    assert not (tmp_path / "e").exists()


DOC = Path(__file__).resolve().parents[2] / "docs" / "demo.md"


@pytest.mark.slow
@pytest.mark.xdist_group("default-demo")
def test_default_run_is_what_the_docs_say(default_demo: Path) -> None:
    """The README's main job with its defaults; docs/demo.md names the units it adds."""
    m = csv(default_demo / "membership.csv")
    added = m[(m["area_id"] == AREA) & (m["status"] != "core")]
    units = chongqing.load_units().set_index("unit_id")
    doc = DOC.read_text()
    para = doc[doc.index("with the defaults it keeps"):doc.index("The plan itself")]
    named = {n for n in units["name_pinyin"] if n in para}
    assert named == set(units.loc[added["unit_id"], "name_pinyin"])


def _found(pattern: str, text: str) -> tuple[str, ...]:
    """The figures of ``pattern`` on the page; ``(N)`` stands for a number."""
    hit = re.search(pattern.replace("(N)", r"(\d+(?:\.\d+)?)"), text, re.S)
    assert hit, f"docs/demo.md no longer says {pattern!r}: update this test with the page"
    return hit.groups()


def _num(text: str) -> float:
    return float(text.replace(",", ""))


@pytest.mark.slow
@pytest.mark.xdist_group("default-demo")
def test_every_figure_on_the_demo_page_is_the_default_runs(default_demo: Path) -> None:
    """docs/demo.md quotes the default run (``metrocircle demo --out out/demo``): each figure
    is read from the page and compared with the table the run wrote, at the page's rounding,
    so that the page cannot go stale."""
    doc = " ".join(DOC.read_text().split())  # one line: figures may wrap
    out = default_demo
    ind = pd.read_csv(out / "indicators.csv").set_index("grouping")
    area, plan = ind.loc["delineation"], ind.loc["the 2022 plan's scope"]
    # the table "Beside the 2022 plan"
    n_area, n_plan = _found(r"\| units \| (\d+): .*? \| (\d+): ", doc)
    assert (int(n_area), int(n_plan)) == (area["units"], plan["units"])
    pop_area, pop_plan = _found(r"\| population \(2020 census\) \| (N) million \| "
                                r"(N) million", doc)
    assert _num(pop_area) == round(area["population"] / 1e6, 2)
    assert _num(pop_plan) == round(plan["population"] / 1e6, 2)
    km_area, km_plan = _found(r"\| land area \| ([\d,]+) km² \| ([\d,]+) km²", doc)
    assert _num(km_area) == round(area["area_km2"]) and _num(km_plan) == round(plan["area_km2"])
    roles = csv(out / "roles.csv")
    roles = roles[roles["area_id"] == AREA]
    core, integ, integ_names, peri, peri_names = _found(
        r"\| roles \| core (\d+), integration zone (\d+) \(([^)]*)\), periphery (\d+) "
        r"\(([^)]*)\)", doc)
    counts = roles["role"].value_counts()
    assert (int(core), int(integ), int(peri)) == (counts["core"], counts["integration"],
                                                 counts["periphery"])
    name = roles.set_index("unit_id")["name"].str.replace(" District", "")
    for role, names in (("integration", integ_names), ("periphery", peri_names)):
        assert set(names.split(", ")) == set(name[roles.set_index("unit_id")["role"] == role])
    # the entropy weights of the delineation and of the strength step
    order = ["commuting", "rail_trips", "road_passenger", "road_freight", "investment"]
    weights = pd.read_csv(out / "delineation/layers.csv").set_index("layer")["weight"]
    quoted = _found(r"are commuting (N), rail (N), road passengers (N), "
                    r"freight (N), investment (N)", doc)
    assert [_num(q) for q in quoted] == [round(weights[k], 2) for k in order]
    (rail_again,) = _found(r"only the rail services, (N), are real", doc)
    assert _num(rail_again) == round(weights["rail_trips"], 2)
    strength = pd.read_csv(out / "strength/weights.csv").set_index("layer")["weight"]
    quoted = _found(r"`strength/weights.csv` and `summary.md`, differ: (N), (N), "
                    r"(N), (N), (N)", doc)
    assert [_num(q) for q in quoted] == [round(strength[k], 2) for k in order]
    # minutes of the plan units left out, and the commuting and membership figures
    m = csv(out / "membership.csv")
    m["short"] = m["unit_id"].map(chongqing.load_units().set_index("unit_id")["name_pinyin"])
    by_name = m.set_index("short")
    left = _found(r"Fuling (N) minutes, Dazu (N), Yongchuan (N), Tongnan "
                  r"(N), Rongchang (N), and Guang'an's six units (N) to "
                  r"(N)", doc)
    five = ["Fuling", "Dazu", "Yongchuan", "Tongnan", "Rongchang"]
    assert [_num(x) for x in left[:5]] == [round(by_name.loc[n, "travel_minutes"], 1)
                                          for n in five]
    assert (by_name.loc[five, "status"] == "outside").all()
    guangan = m[m["unit_id"].str.startswith("5116") & (m["unit_id"] != "511600")]
    assert len(guangan) == 6 and (guangan["status"] == "outside").all()
    assert (_num(left[5]), _num(left[6])) == (round(guangan["travel_minutes"].min(), 1),
                                              round(guangan["travel_minutes"].max(), 1))
    rates = _found(r"Bishan \((\d+) % of its employed residents work in the core\), Jiangjin "
                   r"\((\d+) %\), Hechuan \((\d+) %\) and Tongliang \((\d+) %\)", doc)
    ring = ["Bishan", "Jiangjin", "Hechuan", "Tongliang"]
    assert [int(r) for r in rates] == [round(100 * by_name.loc[n, "commuting_rate"])
                                       for n in ring]
    fused = _found(r"Qijiang \(fused membership (N)\), Nanchuan \((N)\) and "
                   r"Changshou \((N)\) by the fused membership, above the natural-breaks "
                   r"threshold of (N)", doc)
    three = ["Qijiang", "Nanchuan", "Changshou"]
    assert [_num(f) for f in fused[:3]] == [round(by_name.loc[n, "fused_membership"], 2)
                                           for n in three]
    threshold = by_name.loc[three[0], "membership_threshold"]
    assert _num(fused[3]) == round(threshold, 3)
    assert round(by_name.loc["Tongliang", "fused_membership"], 3) == round(threshold, 3)
    # the roles paragraph
    new = roles[roles["role"] != "core"]
    lo, hi = _found(r"`job_ratio` (N)–(N)", doc)
    assert (_num(lo), _num(hi)) == (round(new["job_ratio"].min(), 2),
                                    round(new["job_ratio"].max(), 2))
    (at_most,) = _found(r"0.2 of its fused links to Chengdu \(at most (N)\)", doc)
    assert _num(at_most) == round(roles["membership_second"].max(), 2)
    t_lo, t_hi, cores = _found(r"the new districts are (\d+) to (\d+) minutes from it against "
                               r"(N) between the two cores", doc)
    assert (int(t_lo), int(t_hi)) == (int(new["tt_second_minutes"].min()),
                                      int(new["tt_second_minutes"].max()))
    assert _num(cores) == roles.loc[roles["role"] == "core", "tt_second_minutes"].min()


@pytest.mark.slow
@pytest.mark.xdist_group("default-demo")
def test_the_method_page_quotes_the_same_run(default_demo: Path) -> None:
    """docs/methods/cn-multisource.md, "On the Chongqing example": its default run (the bench
    script's, with the demo's layers, cores, gate and prefecture level) is the demo's
    delineation, so its figures are the default demo's."""
    page = DOC.parent / "methods" / "cn-multisource.md"
    doc = " ".join(page.read_text().split())
    doc = doc[doc.index("## On the Chongqing example"):]
    weights = pd.read_csv(default_demo / "delineation/layers.csv").set_index("layer")["weight"]
    quoted = _found(r"weights by entropy: commuting (N), rail (N), road passengers (N), road "
                    r"freight (N), investment (N)\)", doc)
    order = ["commuting", "rail_trips", "road_passenger", "road_freight", "investment"]
    assert [_num(q) for q in quoted] == [round(weights[k], 2) for k in order]
    m = csv(default_demo / "membership.csv")
    (n_units,) = _found(r"\*\*(\d+) units join\*\*", doc)
    assert int(n_units) == int((m["area_id"] == AREA).sum())
    m["short"] = m["unit_id"].map(chongqing.load_units().set_index("unit_id")["name_pinyin"])
    by_name = m.set_index("short")
    rates = _found(r"Bishan, Jiangjin, Hechuan and Tongliang by the commuting ring \((\d+), "
                   r"(\d+), (\d+) and (\d+) %", doc)
    assert [int(r) for r in rates] == [round(100 * by_name.loc[n, "commuting_rate"]) for n in
                                       ("Bishan", "Jiangjin", "Hechuan", "Tongliang")]
    fused = _found(r"Qijiang, Nanchuan and Changshou by the fused membership \((N), (N), (N), "
                   r"above the natural-breaks threshold of (N)", doc)
    assert [_num(f) for f in fused[:3]] == [round(by_name.loc[n, "fused_membership"], 2) for n
                                           in ("Qijiang", "Nanchuan", "Changshou")]
    assert _num(fused[3]) == round(by_name.loc["Qijiang", "membership_threshold"], 3)
