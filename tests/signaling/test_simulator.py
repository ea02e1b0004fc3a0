"""The simulator: deterministic, consistent truth, the population mix it promises."""

from __future__ import annotations

import pandas as pd
import pytest

from metrocircle.exceptions import InputError, ParameterError
from metrocircle.signaling import simulate_signaling

UNITS = pd.DataFrame({"unit_id": ["A", "B", "C"], "lon": [106.50, 106.62, 106.40],
                      "lat": [29.55, 29.60, 29.45], "population": [900_000, 400_000, 200_000]})


def test_same_seed_same_records():
    a = simulate_signaling(UNITS, users=80, days=3, random_state=9)
    b = simulate_signaling(UNITS, users=80, days=3, random_state=9)
    c = simulate_signaling(UNITS, users=80, days=3, random_state=10)
    pd.testing.assert_frame_equal(a.records, b.records)
    assert not a.records.equals(c.records)


def test_truth_is_consistent():
    s = simulate_signaling(UNITS, users=600, days=7, random_state=1)
    t = s.truth_users
    workers = t["kind"].isin(["worker", "night_shift"])
    assert t.loc[workers, "work_unit"].notna().all()
    assert t.loc[~workers, "work_unit"].isna().all()
    assert s.truth_od["commuters"].sum() == workers.sum()
    assert set(t["home_unit"]) <= set(UNITS["unit_id"])
    share = t["kind"].value_counts(normalize=True)
    for kind, expected in {"worker": 0.55, "night_shift": 0.05, "student": 0.15,
                           "non_worker": 0.25}.items():
        assert share[kind] == pytest.approx(expected, abs=0.06)
    assert set(s.records["cell"]) <= set(s.cells["cell_id"])
    # cells are denser near the seat of the most populous unit
    per_unit = s.cells["unit_id"].value_counts()
    assert per_unit["A"] > per_unit["C"]
    # records per user-day: about 30, fewer for sparse users
    per_user = s.records.groupby("uid").size() / 7
    sparse = t.set_index("uid")["sparse"]
    assert per_user[~sparse.reindex(per_user.index)].median() > 20
    assert per_user[sparse.reindex(per_user.index)].median() < 12


def test_bad_simulator_input():
    with pytest.raises(InputError, match="population"):
        simulate_signaling(UNITS.drop(columns="population"), users=5, days=1)
    with pytest.raises(ParameterError, match="'users'"):
        simulate_signaling(UNITS, users=0, days=1)
    with pytest.raises(ParameterError, match="'mix'"):
        simulate_signaling(UNITS, users=5, days=1, mix={"worker": 0.5})
