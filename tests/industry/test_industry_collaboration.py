"""Specialisations and the pair view on a case worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from metrocircle.exceptions import InputError
from metrocircle.industry import collaboration, specialisations

# pooled shares: elec 90/300 = 0.3, auto 90/300 = 0.3, food 120/300 = 0.4
T = pd.DataFrame(
    {
        "unit_id": ["cq1", "cq2", "ga1"],
        "elec": [60, 10, 20],  # cq1 0.6 -> LQ 2;  ga1 0.2 -> 0.67
        "auto": [10, 10, 70],  # ga1 0.7 -> LQ 2.33
        "food": [30, 80, 10],  # cq2 0.8 -> LQ 2
    }
)


def test_specialisations_ranked_with_floors() -> None:
    s = specialisations(T)
    got = {(r.unit_id, r.industry): (r.rank, r.lq) for r in s.itertuples()}
    assert got == {
        ("cq1", "elec"): (1, pytest.approx(2.0)),
        ("cq2", "food"): (1, pytest.approx(2.0)),
        ("ga1", "auto"): (1, pytest.approx(0.7 / 0.3)),
    }
    floor = specialisations(T, min_size=61)  # cq1's elec (60) falls below the floor
    assert list(floor["unit_id"]) == ["cq2", "ga1"]
    assert specialisations(T, min_size=81).empty
    two = specialisations(T, threshold=0.5)
    cq1 = two[two["unit_id"] == "cq1"]
    assert list(cq1["industry"]) == ["elec", "food"] and list(cq1["rank"]) == [1, 2]
    assert len(specialisations(T, threshold=0.5, top=1)) == 3


def test_pairs() -> None:
    groups = {"cq1": "Chongqing", "cq2": "Chongqing", "ga1": "Sichuan"}
    c = collaboration(T, groups=groups).set_index(["unit_a", "unit_b"])
    row = c.loc[("cq1", "ga1")]
    assert row["shared"] == "" and row["a_only"] == "elec" and row["b_only"] == "auto"
    assert row["complementarity"] == 1.0
    assert bool(row["cross_group"])
    s1 = pd.Series([0.6, 0.1, 0.3])
    s3 = pd.Series([0.2, 0.7, 0.1])
    cos = (s1 * s3).sum() / ((s1**2).sum() * (s3**2).sum()) ** 0.5
    assert row["similarity"] == pytest.approx(cos)
    assert row["relation"] == "complementary"  # cos = 0.39 < 0.9
    # lowering the threshold makes food shared by cq1 (LQ 0.75) and cq2
    low = collaboration(T, threshold=0.7).set_index(["unit_a", "unit_b"])
    assert low.loc[("cq1", "cq2"), "shared"] == "food"
    assert low.loc[("cq1", "cq2"), "relation"] == "co-specialised"
    cross = collaboration(T, groups=groups, cross_group_only=True)
    assert len(cross) == 2 and cross["cross_group"].all()
    only = collaboration(T, industries=["auto"])
    assert set(zip(only["unit_a"], only["unit_b"], strict=True)) == {("cq1", "ga1"), ("cq2", "ga1")}
    with pytest.raises(InputError, match=r"units with no group \[ga1\]"):
        collaboration(T, groups={"cq1": "a", "cq2": "b"})
