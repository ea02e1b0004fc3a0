"""``metrocircle demo``: the Chongqing chain end to end, on a small simulated sample.

The checks tie the files together: the summary's figures are recomputed from the tables the
demo wrote (membership, circles, accounting), and the comparison with the plan's scope is
recomputed from the shipped units table.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from metrocircle.cli.main import main
from metrocircle.datasets import chongqing
from metrocircle.demo import PLAN_GROUPS, run_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    return run_demo(out, users=3000, days=7, random_state=5, min_count=1)


def test_every_output_is_written(demo):
    out = demo.out_dir
    for name in ("summary.md", "scope_comparison.csv", "run.json", "access/travel_times.csv",
                 "access/circles.csv", "access/access.gpkg", "signaling/od.csv",
                 "signaling/units.csv", "signaling/accounting.json",
                 "delineation/membership.csv", "delineation/areas.csv",
                 "delineation/delineation.gpkg", "strength/links.csv",
                 "strength/membership.csv", "strength/weights.json", "industry/lq.csv",
                 "industry/specialisations.csv", "industry/collaboration.csv",
                 "indicators.csv", "structure/roles.csv", "structure/conditions.csv",
                 "groups/membership.csv", "groups/groups.csv"):
        assert (out / name).is_file(), name
        assert (out / name).stat().st_size > 0, name


def test_summary_matches_the_tables(demo):
    out = demo.out_dir
    units = chongqing.load_units().set_index("unit_id")
    m = pd.read_csv(out / "delineation/membership.csv", dtype={"unit_id": str})
    members = m[m["area_id"] == "chongqing_central"]
    d = demo.summary["delineation"]
    assert d["units"] == len(members)
    assert d["core_units"] == int((members["status"] == "core").sum()) == 9
    assert d["population"] == int(units.loc[members["unit_id"], "pop_2020_census"].sum())
    # the core is the 9 central districts
    central = set(units.index[units["group"] == "cq_main_urban_central"])
    assert set(members.loc[members["status"] == "core", "unit_id"]) == central
    # every member is within the one-hour gate of the core
    circles = pd.read_csv(out / "access/circles.csv", dtype={"unit_id": str})
    mins = circles.set_index("unit_id")["minutes"]
    assert (mins.reindex(members["unit_id"]) <= 60).all()
    assert demo.summary["one_hour_circle"]["units"] == int(circles["within_1h"].sum())
    acc = json.loads((out / "signaling/accounting.json").read_text())
    assert acc["used_records"] + sum(acc["dropped"].values()) == acc["input_records"]
    assert demo.summary["signaling"]["input_records"] == acc["input_records"]
    run = json.loads((out / "run.json").read_text())
    assert run["summary"] == json.loads(json.dumps(demo.summary))


def test_strength_and_industry_steps(demo):
    out = demo.out_dir
    w = json.loads((out / "strength/weights.json").read_text())["weights"]
    assert set(w) == {"gravity", "commuting", "rail_trips"}
    assert abs(sum(w.values()) - 1) < 1e-12 and all(v >= 0 for v in w.values())
    assert demo.summary["strength"]["weights"] == {k: round(v, 4) for k, v in w.items()}
    # membership to the core: the share of a unit's fused links going to the 9 core units
    links = pd.read_csv(out / "strength/links.csv", dtype={"origin": str, "destination": str})
    units = chongqing.load_units()
    core = set(units.loc[units["group"] == "cq_main_urban_central", "unit_id"])
    total = links.groupby("origin")["strength"].sum()
    to_core = links[links["destination"].isin(core)].groupby("origin")["strength"].sum()
    expected = (to_core.reindex(total.index).fillna(0) / total).dropna()
    cmp = demo.comparison.set_index("unit_id")
    got = cmp.loc[expected.index, "membership_to_core"]
    assert (abs(got - expected) < 1e-12).all()
    # manufacturing specialisation as in industry/lq.csv (LQ > 1.25 and >= 5 % of employed)
    lq = pd.read_csv(out / "industry/lq.csv", dtype={"unit_id": str})
    manu = lq[lq["industry"] == "C_manufacturing"]
    spec = manu[(manu["lq"] > 1.25) & (manu["share"] >= 0.05)]["unit_id"]
    assert sorted(spec) == demo.summary["industry"]["manufacturing_specialised"]


def test_roles_and_groups_steps(demo):
    out = demo.out_dir
    m = pd.read_csv(out / "delineation/membership.csv", dtype={"unit_id": str})
    area = set(m.loc[m["area_id"] == "chongqing_central", "unit_id"])
    roles = pd.read_csv(out / "structure/roles.csv", dtype={"unit_id": str})
    assert set(roles["unit_id"]) == area
    core = set(m.loc[m["status"] == "core", "unit_id"])
    assert set(roles.loc[roles["role"] == "core", "unit_id"]) == core
    assert demo.summary["roles"]["counts"] == roles["role"].value_counts().to_dict()
    assert roles["reason"].str.len().gt(0).all()
    g = pd.read_csv(out / "groups/membership.csv", dtype={"unit_id": str})
    assert len(g) == 58 and g["unit_id"].is_unique
    assert demo.summary["groups"]["n_groups"] == g["group"].nunique()
    assert sum(len(v) for v in demo.summary["groups"]["members"].values()) == 58


def test_indicators_of_the_area_and_the_plan(demo):
    ind = pd.read_csv(demo.out_dir / "indicators.csv").set_index("area_id")
    units = chongqing.load_units().set_index("unit_id")
    plan = units[units["group"].isin(PLAN_GROUPS)]
    assert ind.loc["plan_2022", "units"] == 27
    assert ind.loc["plan_2022", "population"] == plan["pop_2020_census"].sum() == 24_377_253
    assert ind.loc["plan_2022", "gdp_units"] == plan["gdp_100m_cny"].notna().sum()
    d = demo.summary["delineation"]
    assert ind.loc["chongqing_central", "population"] == d["population"]
    assert ind.loc["chongqing_central", "area_km2"] == pytest.approx(d["area_km2"], abs=0.05)


def test_comparison_with_the_plan(demo):
    cmp = pd.read_csv(demo.out_dir / "scope_comparison.csv", dtype={"unit_id": str})
    units = chongqing.load_units()
    assert len(cmp) == len(units) == 58
    plan = set(units.loc[units["group"].isin(PLAN_GROUPS), "unit_id"])
    assert len(plan) == 27  # 21 units of the main urban area + 6 of Guang'an
    assert set(cmp.loc[cmp["in_plan"], "unit_id"]) == plan
    counts = cmp["agreement"].value_counts().to_dict()
    assert counts == demo.summary["agreement"]
    both = cmp["in_plan"] & cmp["in_delineation"]
    assert int(both.sum()) == counts.get("both", 0)
    text = (demo.out_dir / "summary.md").read_text()
    assert "modelled" in text and "simulated" in text
    for name in cmp.loc[cmp["agreement"] == "plan only", "name_en"]:
        assert name in text


def test_cli_runs_and_reports_bad_parameters(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path / "d"), "--users", "1500", "--min-count", "1",
                 "--no-progress"]) == 0
    assert "Delineated area:" in capsys.readouterr().out
    assert (tmp_path / "d" / "summary.md").is_file()
    assert main(["demo", "--out", str(tmp_path / "e"), "--days", "3"]) == 2
    err = capsys.readouterr().err
    assert "'days' parameter of demo must be an int >= 7" in err
    assert main(["demo", "--out", str(tmp_path / "f"), "--engine", "pandas"]) == 2
    assert "'engine' parameter of demo" in capsys.readouterr().err


def test_default_run_is_what_the_docs_say(tmp_path):
    """The README's main job with its defaults; docs/demo.md names the units it adds."""
    from pathlib import Path

    res = run_demo(tmp_path / "default")
    cmp = res.comparison
    added = cmp[cmp["in_delineation"] & (cmp["status"] != "core")]
    units = chongqing.load_units().set_index("unit_id")
    doc = (Path(__file__).resolve().parents[2] / "docs" / "demo.md").read_text()
    para = doc[doc.index("with the defaults it keeps"):doc.index("The plan itself")]
    named = {n for n in units["name_pinyin"] if n in para}
    assert named == set(units.loc[added["unit_id"], "name_pinyin"])
    assert res.summary["delineation"]["units"] == 9 + len(added)
