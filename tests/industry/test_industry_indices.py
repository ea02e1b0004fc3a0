"""Every index on small tables, against numbers computed here by hand or with plain loops."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from metrocircle.industry import (
    activity_matrix,
    ellison_glaeser,
    gini,
    herfindahl,
    hoover,
    krugman,
    location_quotients,
    plant_herfindahl,
    structure_similarity,
)

# two units, two industries: E = 100, E_1 = 50, E_2 = 50, E_u1 = 40, E_u2 = 60
SMALL = pd.DataFrame({"unit_id": ["u1", "u2"], "k1": [10, 40], "k2": [30, 20]})

TABLE = pd.DataFrame(
    {
        "unit_id": ["a", "b", "c", "d"],
        "x": [5.0, 0.0, 12.0, 3.0],
        "y": [1.0, 8.0, 2.0, 3.0],
        "z": [0.0, 2.0, 6.0, 3.0],
    }
)


def rows(table: pd.DataFrame) -> tuple[list[str], list[str], list[list[float]]]:
    units = list(table["unit_id"])
    inds = [c for c in table.columns if c != "unit_id"]
    return units, inds, [[float(table.loc[i, k]) for k in inds] for i in range(len(units))]


def test_location_quotient_by_hand() -> None:
    lq = location_quotients(SMALL).set_index(["unit_id", "industry"])["lq"]
    assert lq["u1", "k1"] == pytest.approx((10 / 40) / (50 / 100))  # 0.5
    assert lq["u1", "k2"] == pytest.approx((30 / 40) / (50 / 100))  # 1.5
    assert lq["u2", "k1"] == pytest.approx((40 / 60) / 0.5)
    assert lq["u2", "k2"] == pytest.approx((20 / 60) / 0.5)


def test_location_quotient_loops_and_reference() -> None:
    units, inds, e = rows(TABLE)
    ref = {"x": 100.0, "y": 300.0, "z": 100.0}  # a wider region: 20 % x, 60 % y, 20 % z
    got = location_quotients(TABLE, reference=ref).set_index(["unit_id", "industry"])
    pooled = location_quotients(TABLE).set_index(["unit_id", "industry"])
    total = sum(map(sum, e))
    for i, u in enumerate(units):
        for k, ind in enumerate(inds):
            share = e[i][k] / sum(e[i])
            col_total = sum(e[j][k] for j in range(len(units)))
            assert pooled.loc[(u, ind), "lq"] == pytest.approx(share / (col_total / total))
            assert got.loc[(u, ind), "lq"] == pytest.approx(share / (ref[ind] / 500.0))
            assert got.loc[(u, ind), "industry_share"] == pytest.approx(e[i][k] / col_total)


def test_location_quotient_floors() -> None:
    lq = location_quotients(TABLE, min_size=4, min_share=0.3).set_index(["unit_id", "industry"])
    # c: x = 12 of 20 (share 0.6), pooled x share 20/45 -> LQ 1.35: specialised and big
    assert lq.loc[("c", "x"), "lq"] == pytest.approx((12 / 20) / (20 / 45))
    assert bool(lq.loc[("c", "x"), "cluster_candidate"])
    # d: z = 3 of 9 -> LQ (1/3)/(11/45) = 1.36 > 1 but 3 < min_size 4: specialised, not a candidate
    assert bool(lq.loc[("d", "z"), "specialised"])
    assert not bool(lq.loc[("d", "z"), "size_ok"])
    assert not bool(lq.loc[("d", "z"), "cluster_candidate"])
    # a zero cell is never a candidate
    assert not bool(lq.loc[("b", "x"), "cluster_candidate"])


def test_similarity_krugman_by_hand() -> None:
    s1 = np.array([10, 30]) / 40
    s2 = np.array([40, 20]) / 60
    sim = structure_similarity(SMALL)
    cos = (s1 @ s2) / math.sqrt((s1 @ s1) * (s2 @ s2))
    assert sim.loc["u1", "u2"] == pytest.approx(cos)
    k = krugman(SMALL, pairwise=True)
    assert k.loc["u1", "u2"] == pytest.approx(abs(0.25 - 2 / 3) + abs(0.75 - 1 / 3))
    kr = krugman(SMALL)  # vs pooled (0.5, 0.5)
    assert kr["u1"] == pytest.approx(0.25 + 0.25)
    assert kr["u2"] == pytest.approx(abs(2 / 3 - 0.5) * 2)
    ref = structure_similarity(SMALL, pairwise=False, reference={"k1": 1, "k2": 3})
    assert ref["u1"] == pytest.approx(1.0)  # u1 has exactly the reference structure


def test_hoover_gini_by_hand() -> None:
    # base x = (0.4, 0.6); k1 y = (0.2, 0.8): Lorenz (0,0) (0.4,0.2) (1,1)
    assert hoover(SMALL)["k1"] == pytest.approx(0.5 * (0.2 + 0.2))
    assert gini(SMALL)["k1"] == pytest.approx(1 - 2 * (0.4 * 0.2 / 2 + 0.6 * 1.2 / 2))
    # with a population base (0.5, 0.5): k2 y = (0.6, 0.4) -> sorted u2, u1
    base = {"u1": 7, "u2": 7}
    assert hoover(SMALL, base=base)["k2"] == pytest.approx(0.1)
    assert gini(SMALL, base=base)["k2"] == pytest.approx(1 - 2 * (0.5 * 0.4 / 2 + 0.5 * 1.4 / 2))


def test_gini_loops_with_many_units() -> None:
    units, inds, e = rows(TABLE)
    got = gini(TABLE)
    tot_u = [sum(r) for r in e]
    for k, ind in enumerate(inds):
        col = [e[i][k] for i in range(len(units))]
        x = [t / sum(tot_u) for t in tot_u]
        y = [c / sum(col) for c in col]
        order = sorted(range(len(units)), key=lambda i: y[i] / x[i])
        cx = cy = area = 0.0
        for i in order:
            area += x[i] * (cy + cy + y[i]) / 2
            cx += x[i]
            cy += y[i]
        assert got[ind] == pytest.approx(1 - 2 * area)


def test_herfindahl_by_hand() -> None:
    h = herfindahl(SMALL)
    assert h["u1"] == pytest.approx(0.25**2 + 0.75**2)
    assert herfindahl(SMALL, normalised=True)["u1"] == pytest.approx((0.625 - 0.5) / 0.5)


def test_ellison_glaeser_by_hand() -> None:
    firms = pd.DataFrame(
        {
            "unit_id": ["u1", "u1", "u2", "u2", "u2"],
            "industry": ["k1", "k1", "k1", "k2", "k2"],
            "value": [10, 30, 20, 5, 15],
        }
    )
    h = plant_herfindahl(firms)
    assert h.loc["k1", "plant_herfindahl"] == pytest.approx((1 / 6) ** 2 + 0.5**2 + (1 / 3) ** 2)
    assert h.loc["k2", "plants"] == 2
    table = firms.groupby(["unit_id", "industry"], as_index=False)["value"].sum()
    eg = ellison_glaeser(table, h)
    # region shares x = (40, 40) / 80 = (0.5, 0.5); k1 s = (40, 20)/60; k2 s = (0, 1)
    sx2 = 0.5
    g1 = (2 / 3 - 0.5) ** 2 + (1 / 3 - 0.5) ** 2
    h1 = (1 / 6) ** 2 + 0.25 + (1 / 3) ** 2
    assert eg.loc["k1", "G"] == pytest.approx(g1)
    assert eg.loc["k1", "gamma"] == pytest.approx((g1 - (1 - sx2) * h1) / ((1 - sx2) * (1 - h1)))
    g2, h2 = 0.5, 0.25**2 + 0.75**2
    assert eg.loc["k2", "gamma"] == pytest.approx((g2 - 0.5 * h2) / (0.5 * (1 - h2)))


def test_long_and_wide_give_the_same_matrix() -> None:
    long = TABLE.melt(id_vars="unit_id", var_name="industry", value_name="value")
    long = long[long["value"] > 0]  # long tables may omit zero rows
    a = activity_matrix(TABLE)
    b = activity_matrix(long)
    pd.testing.assert_frame_equal(a, b.loc[a.index, a.columns], check_names=False)


# ---------------------------------------------------------------- properties

positive_tables = arrays(
    np.float64,
    st.tuples(st.integers(2, 7), st.integers(2, 6)),
    elements=st.floats(0, 1000, allow_subnormal=False),
).filter(lambda a: (a.sum(axis=1) > 1e-6).all() and (a.sum(axis=0) > 1e-6).all())


def frame(a: np.ndarray) -> pd.DataFrame:
    df = pd.DataFrame(a, columns=[f"k{j}" for j in range(a.shape[1])])
    df.insert(0, "unit_id", [f"u{i}" for i in range(a.shape[0])])
    return df


@settings(max_examples=40, deadline=None)
@given(positive_tables)
def test_properties(a: np.ndarray) -> None:
    df = frame(a)
    lq = location_quotients(df)
    w = lq["unit_total"] / a.sum()
    avg = (lq["lq"] * w).groupby(lq["industry"]).sum()
    np.testing.assert_allclose(avg.to_numpy(), 1.0, rtol=1e-9)  # weighted mean LQ is 1
    sim = structure_similarity(df).to_numpy()
    np.testing.assert_allclose(np.diag(sim), 1.0)
    np.testing.assert_allclose(sim, sim.T)
    assert ((sim >= 0) & (sim <= 1 + 1e-12)).all()
    k = krugman(df, pairwise=True).to_numpy()
    assert ((k >= -1e-12) & (k <= 2 + 1e-12)).all()
    np.testing.assert_allclose(np.diag(k), 0.0, atol=1e-12)
    kr = krugman(df).to_numpy()
    assert ((kr >= -1e-12) & (kr <= 2 + 1e-12)).all()
    h = hoover(df).to_numpy()
    g = gini(df).to_numpy()
    assert ((h >= -1e-12) & (h < 1)).all() and ((g >= 0) & (g < 1)).all()
    assert (g >= h - 1e-9).all()  # the Gini is never below the Hoover index
    hh = herfindahl(df).to_numpy()
    assert ((hh >= 1 / a.shape[1] - 1e-12) & (hh <= 1 + 1e-12)).all()


@settings(max_examples=25, deadline=None)
@given(positive_tables, st.floats(0.1, 10))
def test_identical_structures(a: np.ndarray, factor: float) -> None:
    b = np.vstack([a, a[:1] * factor])  # a copy of unit 0 at another scale
    df = frame(b)
    n = len(b) - 1
    assert structure_similarity(df).iloc[0, n] == pytest.approx(1.0)
    assert krugman(df, pairwise=True).iloc[0, n] == pytest.approx(0.0, abs=1e-12)
    same = frame(np.tile(a[:1] + 1.0, (3, 1)))
    np.testing.assert_allclose(krugman(same).to_numpy(), 0.0, atol=1e-12)
    np.testing.assert_allclose(hoover(same).to_numpy(), 0.0, atol=1e-12)
    np.testing.assert_allclose(location_quotients(same)["lq"].to_numpy(), 1.0)


def test_pairwise_krugman_in_blocks_equals_direct() -> None:
    rng = np.random.default_rng(5)
    a = rng.integers(1, 100, size=(300, 50)).astype(float)  # computed in two blocks
    s = a / a.sum(axis=1, keepdims=True)
    direct = np.abs(s[:, None, :] - s[None, :, :]).sum(axis=2)
    np.testing.assert_allclose(krugman(frame(a), pairwise=True).to_numpy(), direct, atol=1e-12)
