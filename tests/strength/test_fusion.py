"""Fusion of link layers: entropy and AHP weights by hand and against Saaty's published example."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrocircle.exceptions import InputError, MetrocircleWarning, ParameterError
from metrocircle.strength import SAATY_RI, ahp_weights, entropy_weights, fuse


def layer(pairs: list[tuple[str, str]], values: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {"origin": [p[0] for p in pairs], "destination": [p[1] for p in pairs], "value": values}
    )


PAIRS = [("A", "B"), ("A", "C"), ("B", "A")]


def hand_entropy(columns: list[list[float]]) -> list[float]:
    """Weights by the survey's formulas, written out with plain floats."""
    n = len(columns[0])
    d = []
    for col in columns:
        total = sum(col)
        e = 0.0
        for x in col:
            p = x / total
            if p > 0:
                e -= p * math.log(p)
        d.append(1 - e / math.log(n))
    return [x / sum(d) for x in d]


def test_entropy_fusion_by_hand_with_a_missing_pair_and_a_constant_layer() -> None:
    layers = {
        "commuting": layer(PAIRS, [1.0, 2.0, 3.0]),
        "freight": layer(PAIRS, [2.0, 2.0, 2.0]),  # constant: no information
        "investment": layer([("A", "B"), ("B", "A"), ("C", "C")], [4.0, 1.0, 9.0]),
    }
    res = fuse(layers)
    # investment lists no A->C (0 there) and a self pair that is skipped
    x1 = [1 / 6, 2 / 6, 3 / 6]
    x2 = [1 / 3, 1 / 3, 1 / 3]
    x3 = [4 / 5, 0.0, 1 / 5]
    w = hand_entropy([x1, x2, x3])
    assert w[1] == pytest.approx(0.0, abs=1e-12)
    assert [res.weights[k] for k in layers] == pytest.approx(w, rel=1e-12)
    links = res.links
    assert links[["origin", "destination"]].values.tolist() == [list(p) for p in PAIRS]
    expected = [w[0] * a + w[1] * b + w[2] * c for a, b, c in zip(x1, x2, x3, strict=True)]
    assert links["strength"].tolist() == pytest.approx(expected, rel=1e-12)
    assert links["investment"].tolist() == pytest.approx(x3)
    assert res.info["normalise"] == "total" and res.info["weights_method"] == "entropy"
    assert res.info["self_pairs_skipped"]["investment"] == 1
    assert res.info["entropy"]["e"]["freight"] == pytest.approx(1.0)


def test_row_and_minmax_normalisation_by_hand() -> None:
    layers = {"a": layer(PAIRS, [1.0, 3.0, 5.0]), "b": layer(PAIRS, [2.0, 2.0, 8.0])}
    row = fuse(layers, normalise="row", weights={"a": 1.0, "b": 3.0})
    # row shares: A's total is 4 (a) and 4 (b); B's only link is B->A
    assert row.links["a"].tolist() == pytest.approx([0.25, 0.75, 1.0])
    assert row.links["b"].tolist() == pytest.approx([0.5, 0.5, 1.0])
    assert row.weights == {"a": 0.25, "b": 0.75}
    assert row.links["strength"].tolist() == pytest.approx(
        [0.25 * 0.25 + 0.75 * 0.5, 0.25 * 0.75 + 0.75 * 0.5, 1.0]
    )
    mm = fuse(layers, normalise="minmax", weights={"a": 1.0, "b": 1.0})
    assert mm.links["a"].tolist() == pytest.approx([0.0, 0.5, 1.0])
    assert mm.links["b"].tolist() == pytest.approx([0.0, 0.0, 1.0])
    assert mm.info["user_weights_given"] == {"a": 1.0, "b": 1.0}


def test_epsilon_shift() -> None:
    x = np.array([[1.0, 0.0], [3.0, 2.0], [0.0, 2.0]])
    eps = 0.01
    w, _, _ = entropy_weights(x, epsilon=eps)
    shifted = [[v + eps for v in x[:, j]] for j in range(2)]
    assert w.tolist() == pytest.approx(hand_entropy(shifted), rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 12), m=st.integers(1, 5), seed=st.integers(0, 10_000))
def test_entropy_weight_properties(n: int, m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 10, (n, m)) * (rng.uniform(size=(n, m)) > 0.2)
    x[0] += 1.0  # no all-zero column
    w, e, d = entropy_weights(x)
    assert w.sum() == pytest.approx(1.0)
    assert (w >= 0).all() and ((e >= 0) & (e <= 1)).all()
    # identical layers get equal weights; a constant layer gets ~0
    same, _, _ = entropy_weights(np.column_stack([x[:, 0], x[:, 0]]))
    assert same.tolist() == pytest.approx([0.5, 0.5])
    if x[:, 0].std() > 1e-9:
        with_const, _, _ = entropy_weights(np.column_stack([x[:, 0], np.full(n, 3.0)]))
        assert with_const[1] == pytest.approx(0.0, abs=1e-9)


def test_all_constant_layers_warn_and_use_equal_weights() -> None:
    with pytest.warns(MetrocircleWarning, match="equal weights"):
        w, _, _ = entropy_weights(np.ones((4, 3)))
    assert w.tolist() == pytest.approx([1 / 3] * 3)


# Saaty, T. L. (1990). How to make a decision: The analytic hierarchy process. European
# Journal of Operational Research 48(1), 9-26: the house-buying example (Table 2, eight
# criteria). Published: priorities .173 .054 .188 .018 .031 .036 .167 .333,
# lambda_max = 9.669, C.I. = 0.238, C.R. = 0.169 (above 0.10: an inconsistent matrix).
SAATY_1990_HOUSE = [
    [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
    [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
    [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
    [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
    [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
    [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
    [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
    [4, 7, 5, 8, 6, 6, 2, 1],
]


def test_ahp_against_saaty_1990_published_example() -> None:
    r = ahp_weights(SAATY_1990_HOUSE)
    published = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]
    assert np.round(r.weights, 3).tolist() == published
    assert round(r.lambda_max, 3) == 9.669
    assert round(r.ci, 3) == 0.238
    assert round(r.cr, 3) == 0.169
    assert r.ri == SAATY_RI[8] == 1.41


def test_ahp_consistent_matrix_by_hand_and_cr_gate() -> None:
    # a consistent matrix a_ij = w_i / w_j: weights w, lambda_max = n, CR = 0
    w = np.array([4.0, 2.0, 1.0]) / 7
    r = ahp_weights(w[:, None] / w[None, :])
    assert r.weights.tolist() == pytest.approx(w.tolist())
    assert r.lambda_max == pytest.approx(3.0) and r.cr == pytest.approx(0.0, abs=1e-12)
    pairs = [("A", "B"), ("B", "C"), ("C", "A")]
    layers = {f"l{k}": layer(pairs, [1.0 + k, 2.0, 3.0 * k + 1]) for k in range(8)}
    with pytest.raises(ParameterError, match=r"CR = 0\.169"):
        fuse(layers, weights="ahp", ahp_matrix=SAATY_1990_HOUSE)
    res = fuse(layers, weights="ahp", ahp_matrix=SAATY_1990_HOUSE, allow_inconsistent=True)
    assert res.info["ahp"]["accepted"] is False
    assert list(res.weights.values()) == pytest.approx(ahp_weights(SAATY_1990_HOUSE).weights)


def test_combined_weights_and_labelled_matrix() -> None:
    layers = {"a": layer(PAIRS, [1.0, 2.0, 3.0]), "b": layer(PAIRS, [5.0, 1.0, 1.0])}
    ahp = pd.DataFrame([[1, 1 / 3], [3, 1]], index=["b", "a"], columns=["b", "a"])
    res = fuse(layers, weights="combined", ahp_matrix=ahp, alpha=0.4)
    w_ahp = {"a": 0.75, "b": 0.25}  # a is 3x as important as b
    w_ent = fuse(layers).weights
    for k in ("a", "b"):
        assert res.weights[k] == pytest.approx(0.4 * w_ahp[k] + 0.6 * w_ent[k])


def test_bad_layers_and_parameters() -> None:
    good = layer(PAIRS, [1.0, 2.0, 3.0])
    bad1 = layer(PAIRS, [1.0, -2.0, 3.0])
    bad2 = good.drop(columns="value")
    with pytest.raises(InputError) as err:
        fuse({"x": bad1, "y": bad2.assign(strength=["a", "1", "2"])})
    assert len(err.value.problems) == 2  # both layers' problems in one error
    with pytest.raises(ParameterError, match="'normalise'"):
        fuse({"x": good}, normalise="zscore")
    with pytest.raises(ParameterError, match="'ahp_matrix' parameter of fuse is required"):
        fuse({"x": good}, weights="ahp")
    with pytest.raises(ParameterError, match="reciprocal"):
        fuse({"x": good, "y": good}, weights="ahp", ahp_matrix=[[1, 2], [2, 1]])
    with pytest.raises(ParameterError, match="a weight for each layer"):
        fuse({"x": good, "y": good}, weights={"x": 1.0})
    with pytest.raises(ParameterError, match="names other than"):
        fuse({"strength": good})
