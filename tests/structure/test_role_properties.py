"""Invariants of the classification on random systems: the margin sign agrees with the test,
the role is the first fired rule in the documented order, shares stay in [0, 1]."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from metrocircle.structure import ROLES, classify, indicators


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(3, 12), density=st.floats(0.2, 1.0))
def test_classification_invariants(seed: int, n: int, density: float) -> None:
    rng = np.random.default_rng(seed)
    codes = [f"U{i:02d}" for i in range(n)]
    mask = rng.random((n, n)) < density
    np.fill_diagonal(mask, True)
    o, d = np.nonzero(mask)
    flows = pd.DataFrame({"origin": np.array(codes)[o], "destination": np.array(codes)[d],
                          "value": rng.integers(0, 200, len(o)).astype(float)})
    tt = pd.DataFrame({"origin": codes[1:], "destination": codes[0],
                       "minutes": rng.uniform(5, 150, n - 1)})
    ind = indicators(flows, cores=[codes[0]], travel_times=tt)
    for col in ("sc_supply", "sc_demand", "out_rate_core", "core_share_external",
                "membership_core", "centrality_pct"):
        v = ind[col].to_numpy(dtype=float)
        v = v[~np.isnan(v)]
        assert ((v >= -1e-12) & (v <= 1 + 1e-12)).all(), col
    res = classify(ind)
    c = res.conditions
    num = c[(c["op"] != "is") & c["value"].notna()]
    ge = num["op"] == ">="
    assert (num.loc[ge, "passed"] == (num.loc[ge, "margin"] >= 0)).all()
    lt = num["op"] == "<"
    assert (num.loc[lt, "passed"] == (num.loc[lt, "margin"] > 0)).all()
    le = num["op"] == "<="
    assert (num.loc[le, "passed"] == (num.loc[le, "margin"] >= 0)).all()
    order = [r for r in ROLES if r != "periphery"]
    for role, fired in zip(res.roles["role"], res.roles["rules_fired"].fillna(""), strict=True):
        names = [f for f in fired.split(";") if f]
        assert names == [r for r in order if r in names]  # listed in the documented order
        assert role == (names[0] if names else "periphery")
    assert (res.roles.loc[res.roles["unit_id"] == codes[0], "role"] == "core").all()
