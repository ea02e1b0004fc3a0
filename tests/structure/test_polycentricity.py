"""Polycentricity on hand-computed cases: equal centres are maximal, one dominant centre
minimal; expected values computed here from the definitions."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest

from metrocircle.exceptions import ParameterError
from metrocircle.structure import green_polycentricity, polycentricity, primacy, rank_size


def test_rank_size_equal_centres_is_maximal() -> None:
    res = rank_size([7.0, 7.0, 7.0, 7.0])
    assert res["slope"] == pytest.approx(0.0)
    assert res["index"] == pytest.approx(1.0)


def test_rank_size_two_centres_by_hand() -> None:
    # slope over 2 centres = (ln 2 - ln 8) / (ln 2 - ln 1) = -2; index 1 - 2 = -1 (not clipped)
    res = rank_size([2.0, 8.0], top_n=[2])
    assert res["slope"] == pytest.approx((math.log(2) - math.log(8)) / math.log(2))
    assert res["index"] == pytest.approx(1 - abs(math.log(2 / 8) / math.log(2)))


def test_rank_size_averages_top_2_3_4() -> None:
    sizes = [100.0, 50.0, 30.0, 20.0, 1.0]
    expect = []
    for n in (2, 3, 4):
        x = [math.log(r) for r in range(1, n + 1)]
        y = [math.log(s) for s in sizes[:n]]
        mx, my = statistics.fmean(x), statistics.fmean(y)
        expect.append(sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
                      / sum((a - mx) ** 2 for a in x))
    res = rank_size(sizes)
    assert res["slope"] == pytest.approx(statistics.fmean(expect))
    # a more dominant first centre gives a lower index
    assert rank_size([1000.0, 50.0, 30.0, 20.0])["index"] < res["index"]


def test_rank_size_zero_size_has_no_slope() -> None:
    res = rank_size([5.0, 0.0])
    assert res["index"] is None and "ln(0)" in res["note"]
    with pytest.raises(ParameterError):
        rank_size([1.0, -2.0])


def test_primacy_by_hand() -> None:
    res = primacy([2.0, 8.0, 4.0, 2.0])
    assert res["S2"] == pytest.approx(8 / 4)
    assert res["S4"] == pytest.approx(8 / (4 + 2 + 2))
    assert primacy([3.0, 3.0, 3.0, 3.0])["S4"] == pytest.approx(1 / 3)


def test_green_equal_centres_all_linked_is_one() -> None:
    m = np.full((4, 4), 10.0)
    res = green_polycentricity(m)
    assert res["index"] == pytest.approx(1.0)
    assert res["density"] == pytest.approx(1.0)


def test_green_one_dominant_centre_is_zero() -> None:
    m = np.zeros((4, 4))
    m[1:, 0] = [10.0, 10.0, 10.0]  # every flow goes to centre 0
    res = green_polycentricity(m)
    assert res["sd_degree"] == pytest.approx(statistics.pstdev([30.0, 0.0, 0.0, 0.0]))
    assert res["sd_degree_max"] == pytest.approx(statistics.pstdev([30.0, 0.0, 0.0, 0.0]))
    assert res["index"] == pytest.approx(0.0)


def test_green_ring_by_hand() -> None:
    # 0->1, 1->2, 2->0: equal in-degrees (sd 0), 3 of 6 possible links -> 0.5
    m = np.zeros((3, 3))
    m[0, 1] = m[1, 2] = m[2, 0] = 4.0
    assert green_polycentricity(m)["index"] == pytest.approx(0.5)
    assert green_polycentricity(m, density="none")["index"] == pytest.approx(1.0)
    # uneven: in-degrees 6, 2, 0 -> 1 - sd/sd_max with sd_max from (8, 0, 0)
    m2 = np.zeros((3, 3))
    m2[1, 0], m2[2, 0], m2[0, 1] = 4.0, 2.0, 2.0
    sd = statistics.pstdev([6.0, 2.0, 0.0])
    sd_max = statistics.pstdev([8.0, 0.0, 0.0])
    assert green_polycentricity(m2)["index"] == pytest.approx((1 - sd / sd_max) * 3 / 6)


def test_polycentricity_merges_core_units_into_one_centre() -> None:
    f = pd.DataFrame({"origin": ["C1", "C2", "C1", "S", "S"],
                      "destination": ["C2", "C1", "S", "C1", "S"],
                      "value": [50.0, 40.0, 5.0, 20.0, 80.0]})
    res = polycentricity(f, centres={"C1": "core", "C2": "core", "S": "S"},
                         sizes={"C1": 300.0, "C2": 100.0, "S": 100.0})
    cent = {c["centre"]: c for c in res["centres"]}
    assert cent["core"]["size"] == 400.0 and cent["S"]["size"] == 100.0
    # flows inside the core are not flows between centres
    assert cent["core"]["inflow_from_centres"] == 20.0
    assert cent["S"]["inflow_from_centres"] == 5.0
    assert res["primacy"]["S2"] == pytest.approx(4.0)
    assert res["morphological"]["slope"] == pytest.approx(math.log(100 / 400) / math.log(2))
    assert res["functional"]["slope"] == pytest.approx(math.log(5 / 20) / math.log(2))
    sd = statistics.pstdev([20.0, 5.0])
    sd_max = statistics.pstdev([25.0, 0.0])
    assert res["green"]["index"] == pytest.approx(1 - sd / sd_max)
    with pytest.raises(ParameterError, match="no size"):
        polycentricity(f, centres=["C1", "S"], sizes={"C1": 1.0})
