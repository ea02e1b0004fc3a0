"""ttwa-lma in compat mode is identical to R LabourMarketAreas 3.4 on every reference run.

The reference files (tests/data/lma, copied with their README) were produced by running the R
package; they are only read here, never by the library.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metrocircle.delineate.ttwa_lma import find_clusters


def load_refdata():
    """The reader of the reference files, a sibling module (no package needed)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).with_name("test_ttwa_lma_refdata.py")
    spec = importlib.util.spec_from_file_location("ttwa_lma_refdata", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


L = load_refdata()

TAGS = list(L.PARAMS)


@pytest.fixture(scope="module")
def runs() -> dict[str, dict]:
    return {tag: find_clusters(L.flows_of(L.PARAMS[tag][0]), **L.params_of(tag)) for tag in TAGS}


@pytest.mark.parametrize("tag", TAGS)
def test_final_and_pre_reserve_assignment(runs, tag):
    ref = L.reference(tag)["assignment"]
    assert L.assignment_diff(runs[tag], ref) == []


@pytest.mark.parametrize("tag", TAGS)
def test_reserve_list(runs, tag):
    ref = L.reference(tag)["reserve_list"]
    got = L.reserve_rows(runs[tag], grid_order="grid" in tag)
    assert got == L.ref_reserve_rows(ref)


@pytest.mark.parametrize("tag", [t for t in TAGS if "grid" not in t])
def test_iteration_trace(runs, tag):
    ref = L.reference(tag)["iterations"]
    assert L.trace_rows(runs[tag]) == L.ref_trace_rows(ref)


@pytest.mark.parametrize("tag", [t for t in TAGS if "grid" not in t])
def test_reserve_assignment_steps(runs, tag):
    ref = L.reference(tag)["reserve_assignment_steps"]
    st = runs[tag]["reserve_assignment_steps"]
    got = [
        (str(r.step), r.unit_id, "" if pd.isna(r.target_area) else r.target_area)
        for r in st.itertuples(index=False)
    ]
    want = [(r.step, r.community, r.target_cluster) for r in ref.itertuples(index=False)]
    assert got == want


@pytest.mark.parametrize("tag", TAGS)
def test_area_marginals_and_flows(runs, tag):
    ref = L.reference(tag)
    areas = runs[tag]["areas"]
    m = ref["lma_marginals"]
    assert list(areas["area_id"]) == list(m["cluster"])
    np.testing.assert_array_equal(areas["residents"], m["amount_live"].astype(float))
    np.testing.assert_array_equal(areas["jobs"], m["amount_work"].astype(float))
    np.testing.assert_array_equal(areas["internal_flow"], m["internal"].astype(float))
    np.testing.assert_array_equal(areas["n_units"], m["n_communities"].astype(int))
    # validity bit for bit (the file has 17 significant digits)
    assert [f"{v:.17g}" for v in areas["validity"]] == [f"{float(v):.17g}" for v in m["validity"]]
    af = runs[tag]["area_flows"]
    f = ref["lma_flows"]
    got = list(zip(af["origin_area_id"], af["destination_area_id"], af["value"], strict=True))
    want = list(zip(f["cluster_live"], f["cluster_work"], f["amount"].astype(float), strict=True))
    assert got == want


def test_sardinia_has_the_one_invalid_area(runs):
    areas = runs["sardinia_2001_istat"]["areas"]
    bad = areas[~areas["valid"]]
    assert list(bad["area_id"]) == ["274"]
    assert round(float(bad["validity"].iloc[0]), 3) == 0.938


@pytest.mark.parametrize("case", L.synthetic_cases())
def test_synthetic_case(case):
    flows, params, ref = L.synthetic(case)
    out = find_clusters(flows, **params)
    assert L.assignment_diff(out, ref["assignment"]) == []
    assert L.reserve_rows(out) == L.ref_reserve_rows(ref["reserve_list"])
    assert L.trace_rows(out) == L.ref_trace_rows(ref["iterations"])
