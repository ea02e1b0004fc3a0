"""omb-cbsa: proved on the official July 2023 CBSAs, and hand-made cases of the merge rule.

The US figures are the ones the data's README states the published rule gives from these inputs
(577 of 590 official outlying counties, at most one county placed where the official list does
not put one); nothing outside OMB's 2020 standards is applied to reach them.
"""

from __future__ import annotations

import pandas as pd
import pytest
from delineate_cases import by_unit, cores_from, flows_from, pairs_from

from metrocircle.datasets import us_cbsa
from metrocircle.delineate.omb import OmbCbsa
from metrocircle.exceptions import ParameterError


@pytest.fixture(scope="module")
def us():
    return {
        "flows": us_cbsa.load_flows(),
        "units": us_cbsa.load_units(),
        "cores": us_cbsa.load_cores(),
        "adjacency": us_cbsa.load_adjacency(),
        "official": us_cbsa.load_official(),
    }


@pytest.fixture(scope="module")
def us_run(us):
    est = OmbCbsa().fit(
        us["flows"], units=us["units"], cores=us["cores"], adjacency=us["adjacency"]
    )
    return est


def test_us_inputs_are_the_documented_ones(us):
    assert len(us["units"]) == 3222
    assert len(us["flows"]) == 122335
    off = us["official"]
    assert (off["central_outlying"] == "Outlying").sum() == 590
    assert off["area_id"].nunique() == 935


def test_us_official_outlying_counties_recovered(us, us_run):
    off = us["official"]
    outlying = off[off["central_outlying"] == "Outlying"].set_index("unit_id")["area_id"]
    m = by_unit(us_run.membership_)
    members = m[m["status"] == "member"]
    right = (members["area_id"] == outlying.reindex(members.index)).fillna(False)
    wrong = members.index[~right.to_numpy(dtype=bool)]
    assert int(right.sum()) >= 577  # 97.8 % of 590
    assert len(wrong) <= 1
    # every official central county is a core of its own CBSA
    central = off[off["central_outlying"] == "Central"].set_index("unit_id")["area_id"]
    assert (m.loc[central.index, "area_id"] == central).all()
    assert (m.loc[central.index, "status"] == "core").all()
    # one row per county, one area per CBSA
    assert len(m) == 3222 and us_run.areas_["area_id"].nunique() == 935


def test_us_denominators_include_abroad_puerto_rico_and_intra_county(us, us_run):
    f = us["flows"]
    m = by_unit(us_run.membership_)
    # employed residents of Wayne County MI include those working in Canada
    wayne = f[f["origin"] == "26163"]
    assert "FOREIGN_CANADA" in set(wayne["destination"])
    assert m.loc["26163", "employed_residents"] == pytest.approx(wayne["value"].sum())
    # jobs of Puerto Rico municipios and US counties count every resident, intra-county too
    for code in ("72127", "12086"):
        assert m.loc[code, "jobs"] == pytest.approx(f.loc[f["destination"] == code, "value"].sum())


def test_us_trap_harris_texas_county_kept_out_by_contiguity(us, us_run):
    m = by_unit(us_run.membership_)
    row = m.loc["29215"]  # Texas County, Missouri
    assert row["status"] == "outside"
    assert row["rule"] == "rejected:not_contiguous"
    assert row["rejected_area"] == "26420"  # Houston's central counties
    assert row["value"] >= 0.25 and row["margin"] > 0
    loose = OmbCbsa(contiguity=False).fit(us["flows"], units=us["units"], cores=us["cores"])
    assert by_unit(loose.membership_).loc["29215", "area_id"] == "26420"


def test_us_trap_queen_annes_adjacent_only_across_water(us, us_run):
    m = by_unit(us_run.membership_)
    assert m.loc["24035", "area_id"] == "12580"  # Baltimore-Columbia-Towson
    land_only = us["adjacency"][us["adjacency"]["source"] != "census_file"]
    est = OmbCbsa().fit(us["flows"], units=us["units"], cores=us["cores"], adjacency=land_only)
    row = by_unit(est.membership_).loc["24035"]
    assert row["status"] == "outside" and row["rule"] == "rejected:not_contiguous"


def test_us_trap_connecticut_planning_regions(us, us_run):
    off = us["official"].set_index("unit_id")
    m = by_unit(us_run.membership_)
    ct = [u for u in m.index if u.startswith("09")]
    assert sorted(ct) == [f"091{k}0" for k in range(1, 10)]
    assert (m.loc[ct, "area_id"] == off.loc[ct, "area_id"]).all()


def test_us_merge_all_applies_section5_across_areas(us):
    est = OmbCbsa(merge="all").fit(
        us["flows"], units=us["units"], cores=us["cores"], adjacency=us["adjacency"]
    )
    merges = est.tables_["merges"]
    assert len(merges) >= 1
    assert (merges["tie"] >= 0.25).all()
    m = by_unit(est.membership_)
    for row in merges.itertuples():
        absorbed = m[m["rule"] == f"merged_from:{row.absorbed}"]
        assert len(absorbed) and (absorbed["status"] == "core").all()


# --- hand-made merge cases (shares worked out by hand below) ---------------------------------
# Area X is given as two pre-merger core groups: g1 = {A1}, g2 = {A2}; area Y has core B.
#   A1: 900 at home, 100 to A2                  R = 1000
#   A2: 600 at home, 400 to A1                  R = 1000  -> 40 % of A2's workers work in A1
#   M2: 70 at home, 20 to A2, 10 to A1          R = 100   -> 20 % to g2, 10 % to g1, 30 % merged
#   M3: 70 at home, 30 to A2                    R = 100   -> 30 % to g2
#   B : 700 at home, 300 to A1                  R = 1000  -> 30 % to X's cores
# Jobs: W(A1) = 900+400+10+300 = 1610; W(A2) = 600+100+20+30 = 750, of which A1 holds 100
# (13.3 %); W(A1) held by A2 residents 400/1610 = 24.8 % (< 25 %: g1 does not qualify to g2).
def merge_case(a2_to_a1: float = 400):
    flows = flows_from(
        {
            ("A1", "A1"): 900,
            ("A1", "A2"): 100,
            ("A2", "A2"): 1000 - a2_to_a1,
            ("A2", "A1"): a2_to_a1,
            ("M2", "M2"): 70,
            ("M2", "A2"): 20,
            ("M2", "A1"): 10,
            ("M3", "M3"): 70,
            ("M3", "A2"): 30,
            ("B", "B"): 700,
            ("B", "A1"): 300,
        }
    )
    cores = cores_from([("A1", "X", "g1"), ("A2", "X", "g2"), ("B", "Y", "gY")])
    adj = pairs_from([("A1", "A2"), ("A2", "M2"), ("A2", "M3"), ("A1", "B")])
    return flows, cores, adj


def test_merge_joins_core_groups_and_members_come_along():
    flows, cores, adj = merge_case()
    m = by_unit(OmbCbsa().fit(flows, cores=cores, adjacency=adj).membership_)
    assert m.loc["A2", "area_id"] == "X" and m.loc["A2", "status"] == "core"
    assert m.loc["A2", "rule"] == "merged_from:X/g2"
    assert m.loc["A2", "value"] == pytest.approx(0.40)
    assert m.loc["M3", "area_id"] == "X"  # g2's own outlying unit came along
    assert m.loc["M2", "area_id"] == "X"  # 30 % to the merged core
    assert m.loc["M2", "value"] == pytest.approx(0.30)
    assert m.loc["B", "area_id"] == "Y"  # different area_id: not merged by default


def test_merge_none_keeps_groups_apart():
    flows, cores, adj = merge_case()
    est = OmbCbsa(merge="none").fit(flows, cores=cores, adjacency=adj)
    m = by_unit(est.membership_)
    # the larger group (jobs 1610 vs 750) keeps the area id
    assert m.loc["A1", "area_id"] == "X" and m.loc["A2", "area_id"] == "X/g2"
    assert m.loc["M3", "area_id"] == "X/g2"
    assert m.loc["M2", "status"] == "outside"
    assert m.loc["M2", "rule"] == "rejected:below_threshold"
    assert m.loc["M2", "value"] == pytest.approx(0.20)
    assert m.loc["M2", "margin"] == pytest.approx(-0.05)
    assert set(est.areas_["area_id"]) == {"X", "X/g2", "Y"}


def test_merge_keeps_apart_groups_that_do_not_qualify():
    # A2 sends 20 % to A1; A1 residents hold 100/950 = 10.5 % of A2's jobs: below 25 % both ways
    flows, cores, adj = merge_case(a2_to_a1=200)
    est = OmbCbsa().fit(flows, cores=cores, adjacency=adj)
    m = by_unit(est.membership_)
    assert m.loc["A2", "area_id"] == "X/g2" and m.loc["A2", "rule"] == "core"
    assert len(est.tables_["merges"]) == 0


def test_merge_all_merges_other_areas_in_turn():
    flows, cores, adj = merge_case()
    est = OmbCbsa(merge="all").fit(flows, cores=cores, adjacency=adj)
    m = by_unit(est.membership_)
    assert set(m["area_id"].dropna()) == {"X"}
    assert m.loc["B", "rule"] == "merged_from:Y"
    merges = est.tables_["merges"]
    assert list(merges["absorbed"]) == ["X/g2", "Y"]  # strongest first (0.40, then 0.30)


def test_merge_needs_adjacent_areas():
    flows, cores, _ = merge_case()
    adj = pairs_from([("A2", "M2"), ("A2", "M3"), ("A1", "B")])  # A1 and A2 do not touch
    m = by_unit(OmbCbsa().fit(flows, cores=cores, adjacency=adj).membership_)
    assert m.loc["A2", "area_id"] == "X/g2"


def test_strongest_tie_and_either_direction():
    # U sends 30 % of its workers to P's core; 40 % of U's jobs are held by Q's core residents
    flows = flows_from(
        {
            ("P", "P"): 1000,
            ("Q", "Q"): 1000,
            ("Q", "U"): 40,
            ("U", "U"): 60,
            ("U", "P"): 30,
            ("U", "Q"): 10,
        }
    )
    # jobs of U = 60 + 40 = 100 -> inbound from Q = 0.40; outbound to P = 30/100 = 0.30
    cores = cores_from([("P", "P"), ("Q", "Q")])
    adj = pairs_from([("P", "U"), ("U", "Q")])
    m = by_unit(OmbCbsa().fit(flows, cores=cores, adjacency=adj).membership_)
    assert m.loc["U", "area_id"] == "Q"
    assert m.loc["U", "rule"] == "inbound_share>=0.25"
    assert m.loc["U", "value"] == pytest.approx(0.40)
    assert m.loc["U", "runner_up_area"] == "P"
    out_only = by_unit(
        OmbCbsa(direction="outbound").fit(flows, cores=cores, adjacency=adj).membership_
    )
    assert out_only.loc["U", "area_id"] == "P"


def test_contiguity_through_accepted_units_only():
    # chain C - U1 - U2 - U3; U2 is below threshold, so U3 (qualifying) is cut off
    flows = flows_from(
        {
            ("C", "C"): 100,
            ("U1", "U1"): 50,
            ("U1", "C"): 50,
            ("U2", "U2"): 90,
            ("U2", "C"): 10,
            ("U3", "U3"): 60,
            ("U3", "C"): 40,
        }
    )
    cores = cores_from([("C", "A")])
    adj = pairs_from([("C", "U1"), ("U1", "U2"), ("U2", "U3")])
    m = by_unit(OmbCbsa().fit(flows, cores=cores, adjacency=adj).membership_)
    assert m.loc["U1", "area_id"] == "A"
    assert m.loc["U3", "rule"] == "rejected:not_contiguous"
    adj2 = pairs_from([("C", "U1"), ("U1", "U3"), ("U2", "U3")])  # now via accepted U1
    m2 = by_unit(OmbCbsa().fit(flows, cores=cores, adjacency=adj2).membership_)
    assert m2.loc["U3", "area_id"] == "A"


def test_contiguity_needs_adjacency():
    flows, cores, _ = merge_case()
    with pytest.raises(ParameterError, match="adjacency"):
        OmbCbsa().fit(flows, cores=cores)


def test_areas_table_totals():
    flows, cores, adj = merge_case()
    units = pd.DataFrame(
        {
            "unit_id": ["A1", "A2", "M2", "M3", "B"],
            "population": [5000.0, 3000.0, 400.0, 300.0, 2000.0],
        }
    )
    est = OmbCbsa().fit(flows, units=units, cores=cores, adjacency=adj)
    x = est.areas_.set_index("area_id").loc["X"]
    assert x["core_units"] == "A1;A2" and x["member_units"] == "M2;M3"
    assert x["n_units"] == 4 and x["population"] == 8700.0
    assert x["employed_residents"] == 2200.0


def test_compare_to_official_agrees(us_run):
    cmp = us_cbsa.compare_to_official(us_run.membership_)
    assert cmp["outlying_official"] == 590
    assert cmp["outlying_correct"] >= 577 and cmp["false_positives"] <= 1
    assert len(cmp["missed"]) == 590 - cmp["outlying_correct"]


def test_us_differences_page_is_generated_from_the_current_code():
    """docs/methods/us-differences.md must be the output of bench/omb/us_differences.py."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(root / "src"))
    out = subprocess.run(
        [sys.executable, str(root / "bench/omb/us_differences.py")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=300,
    )
    page = (root / "docs/methods/us-differences.md").read_text(encoding="utf-8")
    assert out.stdout == page
