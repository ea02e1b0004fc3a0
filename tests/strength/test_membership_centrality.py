"""Membership to cores and network centrality, by hand and against networkx."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrocircle.exceptions import InputError
from metrocircle.strength import centrality, link_entropy, membership

LINKS = pd.DataFrame(
    {
        "origin": ["A", "A", "A", "B", "B", "C", "D", "D"],
        "destination": ["B", "C", "D", "A", "C", "A", "D", "B"],
        "strength": [6.0, 3.0, 1.0, 2.0, 2.0, 5.0, 9.0, 4.0],
    }
)
CORES = pd.DataFrame({"unit_id": ["B", "C", "A"], "area_id": ["north", "north", "south"]})


def test_membership_by_hand() -> None:
    m = membership(LINKS, CORES).set_index("unit_id")
    assert list(m.columns) == [
        "total_strength",
        "north_share",
        "south_share",
        "outside_share",
        "top_area",
        "top_share",
    ]
    # A: links 6 (B), 3 (C), 1 (D) -> north 9/10, south 0 (A is not linked to itself), out 1/10
    assert m.loc["A", "north_share"] == pytest.approx(0.9)
    assert m.loc["A", "outside_share"] == pytest.approx(0.1)
    # B: 2 to A (south), 2 to C (north)
    assert m.loc["B", ["north_share", "south_share"]].tolist() == pytest.approx([0.5, 0.5])
    assert m.loc["B", "top_area"] == "north"  # first listed among ties
    # D: the self link 9 is not a link; 4 to B
    assert m.loc["D", "total_strength"] == pytest.approx(4.0)
    assert m.loc["D", "north_share"] == pytest.approx(1.0)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(3, 8), seed=st.integers(0, 10_000))
def test_membership_rows_sum_to_one(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    codes = [f"u{i}" for i in range(n)]
    o, d = np.nonzero(rng.uniform(size=(n, n)) > 0.3)
    links = pd.DataFrame(
        {
            "origin": [codes[i] for i in o],
            "destination": [codes[j] for j in d],
            "value": rng.uniform(0, 5, len(o)),
        }
    )
    if links.empty:
        return
    present = sorted(set(links.origin) | set(links.destination))
    cores = pd.DataFrame({"unit_id": present[:2], "area_id": ["x", "y"][: len(present[:2])]})
    m = membership(links, cores)
    share_cols = [c for c in m.columns if c.endswith("_share") and c != "top_share"]
    has = m["total_strength"] > 0
    assert m.loc[has, share_cols].sum(axis=1).to_numpy() == pytest.approx(1.0)
    assert m.loc[~has, share_cols].isna().all().all()


def test_membership_unknown_core_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown unit code"):
        membership(LINKS, pd.DataFrame({"unit_id": ["Z"], "area_id": ["north"]}))


def test_centrality_by_hand() -> None:
    res = centrality(LINKS, units=["A", "B", "C", "D", "E"])
    u = res.units.set_index("unit_id")
    assert u.loc["A", "out_strength"] == 10 and u.loc["A", "in_strength"] == 7
    assert u.loc["D", "out_strength"] == 4  # self link 9 left out
    assert u.loc["A", "net_flow"] == -3 and u.loc["A", "in_out_ratio"] == pytest.approx(0.7)
    assert u.loc["E", "total_strength"] == 0 and math.isnan(u.loc["E", "in_out_ratio"])
    # dominance index on inflow: inflows A 7, B 10, C 5, D 1, E 0 -> mean 23/5
    assert u.loc["B", "dominance_index"] == pytest.approx(10 / (23 / 5))
    total = centrality(LINKS, dominance="total").units.set_index("unit_id")
    assert total.loc["A", "dominance_index"] == pytest.approx(17 / (46 / 4))
    w = LINKS.loc[LINKS.origin != LINKS.destination, "strength"].to_numpy()
    z = w / w.sum()
    assert res.info["link_entropy"] == pytest.approx(-(z * np.log(z)).sum() / math.log(7))
    assert res.info["self_links_skipped"] == 1 and res.info["links"] == 7


def test_link_entropy_extremes() -> None:
    assert link_entropy(np.ones(5)) == pytest.approx(1.0)
    assert link_entropy(np.array([1e9, 1e-9, 1e-9])) < 0.01
    assert math.isnan(link_entropy(np.array([3.0])))


@settings(max_examples=15, deadline=None)
@given(n=st.integers(3, 9), seed=st.integers(0, 10_000))
def test_pagerank_and_betweenness_match_networkx(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    codes = [f"{i:02d}" for i in range(n)]
    mask = (rng.uniform(size=(n, n)) > 0.5) & ~np.eye(n, dtype=bool)
    mask[0, 1] = True  # at least one link: a table without links is an input error
    o, d = np.nonzero(mask)
    w = rng.uniform(0.1, 10, len(o))
    links = pd.DataFrame(
        {"origin": [codes[i] for i in o], "destination": [codes[j] for j in d], "value": w}
    )
    res = centrality(links, units=codes).units.set_index("unit_id")
    g = nx.DiGraph()
    g.add_nodes_from(codes)
    for i, j, x in zip(o, d, w, strict=True):
        g.add_edge(codes[i], codes[j], weight=x, cost=1 / x)
    pr = nx.pagerank(g, alpha=0.85, weight="weight", tol=1e-12, max_iter=10_000)
    bt = nx.betweenness_centrality(g, weight="cost", normalized=False)
    assert res["pagerank"].to_numpy() == pytest.approx([pr[c] for c in codes], abs=1e-8)
    assert res["betweenness"].to_numpy() == pytest.approx([bt[c] for c in codes], abs=1e-9)


def test_pagerank_by_power_iteration_with_a_dangling_unit() -> None:
    # A->B 1, A->C 3, B->C 1; C has no outgoing link (its rank is spread evenly)
    links = pd.DataFrame(
        {"origin": ["A", "A", "B"], "destination": ["B", "C", "C"], "value": [1.0, 3.0, 1.0]}
    )
    p = np.array([[0, 0.25, 0.75], [0, 0, 1.0], [1 / 3, 1 / 3, 1 / 3]])
    r = np.full(3, 1 / 3)
    for _ in range(500):
        r = 0.15 / 3 + 0.85 * r @ p
    got = centrality(links).units["pagerank"].to_numpy()
    assert got == pytest.approx(r, abs=1e-9)
