"""metrocircle against the R packages EconGeo and REAT on the same small matrix and plants.

The R numbers are stored in tests/data/industry/r_reference.csv (see its README for how they were
produced); R is not needed here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from metrocircle.industry import (
    ellison_glaeser,
    gini,
    herfindahl,
    hoover,
    krugman,
    location_quotients,
    plant_herfindahl,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "industry"


@pytest.fixture(scope="module")
def ref() -> pd.DataFrame:
    df = pd.read_csv(DATA / "r_reference.csv", dtype=str, keep_default_na=False)
    df["value"] = df["value"].astype(float)
    return df


@pytest.fixture(scope="module")
def matrix() -> pd.DataFrame:
    return pd.read_csv(DATA / "matrix.csv", dtype={"unit_id": str})


def pick(ref: pd.DataFrame, statistic: str) -> pd.DataFrame:
    out = ref[ref["statistic"] == statistic]
    assert len(out), statistic
    return out


def test_location_quotient(ref, matrix) -> None:
    lq = location_quotients(matrix).set_index(["unit_id", "industry"])["lq"]
    r = pick(ref, "location.quotient")
    assert len(r) == len(lq) == 30
    for row in r.itertuples():
        assert lq[row.unit_a, row.industry] == pytest.approx(row.value, abs=1e-12)


def test_krugman_vs_pooled_and_pairwise(ref, matrix) -> None:
    k = krugman(matrix)
    for row in pick(ref, "Krugman.index").itertuples():
        assert k[row.unit_a] == pytest.approx(row.value, abs=1e-12)
    kp = krugman(matrix, pairwise=True)
    r = pick(ref, "krugman.spec")
    assert len(r) == 36
    for row in r.itertuples():
        assert kp.loc[row.unit_a, row.unit_b] == pytest.approx(row.value, abs=1e-12)


def test_herfindahl(ref, matrix) -> None:
    h = herfindahl(matrix)
    for stat in ("Herfindahl", "herf"):
        for row in pick(ref, stat).itertuples():
            assert h[row.unit_a] == pytest.approx(row.value, abs=1e-12)


def test_hoover(ref, matrix) -> None:
    h = hoover(matrix)
    for row in pick(ref, "hoover(ref=rowSums)").itertuples():
        assert h[row.industry] == pytest.approx(row.value, abs=1e-12)
    for row in pick(ref, "Hoover.index(pop=rowSums)").itertuples():  # percent, 2 digits
        assert round(100 * h[row.industry], 2) == pytest.approx(row.value, abs=1e-9)


def test_gini(ref, matrix) -> None:
    g = gini(matrix)
    for row in pick(ref, "locational.Gini").itertuples():  # EconGeo: half the coefficient
        assert g[row.industry] == pytest.approx(2 * row.value, abs=1e-12)
    for row in pick(ref, "Hoover.Gini(pop=rowSums)").itertuples():  # 3 digits
        assert abs(g[row.industry] - row.value) <= 0.0005 + 1e-12


def test_ellison_glaeser(ref) -> None:
    firms = pd.read_csv(DATA / "firms.csv", dtype={"unit_id": str})
    firms = firms.rename(columns={"employment": "value"})
    h = plant_herfindahl(firms)
    table = firms.groupby(["unit_id", "industry"], as_index=False)["value"].sum()
    eg = ellison_glaeser(table, h)
    for stat, col in (("gamma", "gamma"), ("G", "G"), ("HHI", "plant_herfindahl")):
        r = pick(ref, f"ellison.a2 {stat}")
        assert len(r) == 5
        for row in r.itertuples():
            assert eg.loc[row.industry, col] == pytest.approx(row.value, abs=1e-12)
