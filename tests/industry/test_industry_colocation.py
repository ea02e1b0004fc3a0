"""Colocation quotient: a case computed by hand, random labels, planted colocation, asymmetry."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from metrocircle.exceptions import InputError, ParameterError
from metrocircle.industry import colocation_quotient


def line() -> pd.DataFrame:
    return pd.DataFrame(
        {"x": [0.0, 1.0, 3.0, 6.0, 10.0], "y": 0.0, "label": ["A", "B", "C", "B", "A"]}
    )


def test_by_hand_k2() -> None:
    res = colocation_quotient(line(), "A", "B", k=2, permutations=0)
    # point 0: neighbours at 1 (B) and 3 (C), bandwidth 3
    w_b, w_c = math.exp(-0.5 * (1 / 3) ** 2), math.exp(-0.5)
    l0 = (w_b / (w_b + w_c)) / (2 / 4)  # N_B = 2, N - 1 = 4
    # point 4: neighbours at 6 (B, d 4) and 3 (C, d 7), bandwidth 7
    w_b4, w_c4 = math.exp(-0.5 * (4 / 7) ** 2), math.exp(-0.5)
    l4 = (w_b4 / (w_b4 + w_c4)) / (2 / 4)
    assert res.local.loc[0, "lclq"] == pytest.approx(l0)
    assert res.local.loc[4, "lclq"] == pytest.approx(l4)
    assert res.global_clq == pytest.approx((l0 + l4) / 2)
    assert list(res.local["b_neighbours"]) == [1, 1]
    assert res.local["category"].eq("not tested").all()


def test_k1_is_leslie_kronenfeld() -> None:
    # k = 1: CLQ = (C_{A->B}/N_A) / (N_B/(N-1)); point 4's nearest is 6 (B), point 0's is 1 (B)
    res = colocation_quotient(line(), "A", "B", k=1, permutations=0)
    assert res.global_clq == pytest.approx((2 / 2) / (2 / 4))
    # A -> A: nearest neighbour of an A is never A; N'_A = N_A - 1
    assert colocation_quotient(line(), "A", "A", k=1, permutations=0).global_clq == 0.0
    # asymmetric: B -> A: point 1's nearest is 0 (A), point 3's nearest is 3 (C)
    res_ba = colocation_quotient(line(), "B", "A", k=1, permutations=0)
    assert res_ba.global_clq == pytest.approx((1 / 2) / (2 / 4))


def random_points(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "x": rng.random(n) * 1000,
            "y": rng.random(n) * 1000,
            "label": rng.choice(["A", "B", "C"], n, p=[0.3, 0.3, 0.4]),
        }
    )


def test_independent_labels_give_about_one() -> None:
    values = [
        colocation_quotient(random_points(600, s), "A", "B", permutations=0).global_clq
        for s in range(5)
    ]
    assert abs(np.mean(values) - 1.0) < 0.05
    res = colocation_quotient(random_points(600, 11), "A", "B", permutations=99, random_state=3)
    assert 0.85 < res.global_clq < 1.15
    assert res.p_colocated > 0.01 and res.p_isolated > 0.01
    share_sig = (res.local["category"] != "not significant").mean()
    assert share_sig < 0.2


def test_planted_colocation_is_found() -> None:
    rng = np.random.default_rng(7)
    a = rng.random((60, 2)) * 1000
    b_near = np.repeat(a, 3, axis=0) + rng.normal(0, 3, (180, 2))  # 3 suppliers by each A
    others = rng.random((1020, 2)) * 1000
    xy = np.vstack([a, b_near, others])
    labels = ["A"] * 60 + ["B"] * 180 + ["B"] * 20 + ["C"] * 1000
    pts = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "label": labels})
    res = colocation_quotient(pts, "A", "B", k=8, permutations=99, random_state=1)
    assert res.global_clq > 2.5  # B is 16 % of the points but about half of A's neighbours
    assert res.p_colocated == pytest.approx(0.01)
    assert res.p_isolated == pytest.approx(1.0)
    assert (res.local["category"] == "colocated").mean() > 0.9
    # C is spread at random, so it is under-represented next to A (B takes those places)
    c = colocation_quotient(pts, "A", "C", k=8, permutations=99, random_state=1)
    assert c.global_clq < 1 and c.p_isolated == pytest.approx(0.01)
    again = colocation_quotient(pts, "A", "B", k=8, permutations=99, random_state=1)
    pd.testing.assert_frame_equal(res.local, again.local)
    assert again.p_colocated == res.p_colocated


def test_lonlat_matches_projected_order_and_km() -> None:
    # 0.01 degree steps along the equator are about 1.11 km
    pts = pd.DataFrame(
        {
            "lon": [106.0, 106.01, 106.03, 106.06, 106.10],
            "lat": 0.0,
            "label": ["A", "B", "C", "B", "A"],
        }
    )
    geo = colocation_quotient(pts, "A", "B", k=2, permutations=0)
    flat = colocation_quotient(line(), "A", "B", k=2, permutations=0)
    assert geo.global_clq == pytest.approx(flat.global_clq, rel=1e-9)
    assert geo.info["distance_unit"].startswith("km")


def test_bad_points() -> None:
    pts = pd.DataFrame({"lon": [1.0, 200.0, None], "lat": [0.0, 0.0, 0.0], "label": ["A", "", "B"]})
    with pytest.raises(InputError) as err:
        colocation_quotient(pts, "A", "Z", k=1)
    text = str(err.value)
    assert "coordinates blank or not numbers [2]" in text
    assert "lon/lat out of range" in text and "[1]" in text
    assert "blank label [1]" in text
    assert "no point has category b='Z'" in text
    with pytest.raises(ParameterError, match="The 'k' parameter of colocation_quotient"):
        colocation_quotient(line(), "A", "B", k=0)
    with pytest.raises(InputError, match="no coordinates"):
        colocation_quotient(line().rename(columns={"x": "e"}), "A", "B")


def test_local_false_positive_rate_is_near_alpha() -> None:
    # random labels: about alpha = 5 % of the A points are called "colocated" (one-sided), for
    # every seed (the conditional draws are independent per point)
    rng = np.random.default_rng(100)
    n = 3000
    pts = pd.DataFrame(
        {"x": rng.random(n), "y": rng.random(n), "label": rng.choice(list("ABCD"), n)}
    )
    rates = [
        (colocation_quotient(pts, "A", "B", random_state=s).local["category"] == "colocated").mean()
        for s in range(3)
    ]
    assert all(0.025 < r < 0.08 for r in rates), rates
