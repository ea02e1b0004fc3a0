"""Constrained spatial-interaction models, solved by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrocircle.exceptions import InputError, ParameterError
from metrocircle.strength import spatial_interaction


def tt(rows):
    return pd.DataFrame(rows, columns=["origin", "destination", "minutes"])


THREE = pd.DataFrame({"unit_id": ["A", "B", "C"], "pop": [100.0, 100.0, 100.0]})
TT3 = tt([("A", "B", 10.0), ("B", "A", 10.0), ("A", "C", 20.0), ("C", "A", 20.0),
          ("B", "C", 20.0), ("C", "B", 20.0)])


def values(t):
    return {(o, d): v for o, d, v in t.itertuples(index=False)}


def test_production_and_attraction_constrained():
    # f = c^-2: A sees B at 1/100 and C at 1/400, so A's 100 split 4 : 1 -> 80 / 20;
    # C sees A and B at the same 1/400 -> 50 / 50
    t = values(spatial_interaction(THREE, TT3, production="pop", attraction="pop",
                                   constraint="production"))
    assert t == pytest.approx({("A", "B"): 80, ("A", "C"): 20, ("B", "A"): 80, ("B", "C"): 20,
                               ("C", "A"): 50, ("C", "B"): 50})
    t = values(spatial_interaction(THREE, TT3, production="pop", attraction="pop",
                                   constraint="attraction"))
    # what A receives: from B at 1/100, from C at 1/400 -> 80 / 20
    assert t[("B", "A")] == pytest.approx(80) and t[("C", "A")] == pytest.approx(20)


def test_doubly_constrained_two_units_with_intrazonal_cost():
    # O = (100, 50), D = (60, 90); c_AA = c_BB = 1, c_AB = c_BA = 2, beta = 1, so the odds
    # ratio T_AA T_BB / (T_AB T_BA) is f_AA f_BB / (f_AB f_BA) = 4. With x = T_AA the
    # margins give T_AB = 100 - x, T_BA = 60 - x, T_BB = x - 10, and x (x - 10) =
    # 4 (100 - x)(60 - x) -> x^2 - 210 x + 8000 = 0 -> x = 50 (160 is infeasible)
    units = pd.DataFrame({"unit_id": ["A", "B"], "o": [100.0, 50.0], "d": [60.0, 90.0],
                          "inner": [1.0, 1.0]})
    t = spatial_interaction(units, tt([("A", "B", 2.0), ("B", "A", 2.0)]), production="o",
                            attraction="d", beta=1.0, intrazonal="inner", tolerance=1e-12)
    assert values(t) == pytest.approx({("A", "A"): 50, ("A", "B"): 50, ("B", "A"): 10,
                                       ("B", "B"): 40})
    info = t.attrs["info"]
    assert info["converged"] and info["attraction_rescaled_by"] == 1.0


def test_exponential_deterrence_and_rescaling():
    units = THREE.assign(att=[50.0, 50.0, 50.0])
    t = spatial_interaction(units, TT3, production="pop", attraction="att",
                            deterrence="exponential", beta=0.1, constraint="production")
    # A: e^-1 to B, e^-2 to C
    share = math.exp(-1) / (math.exp(-1) + math.exp(-2))
    assert values(t)[("A", "B")] == pytest.approx(100 * share)
    d = spatial_interaction(units, TT3, production="pop", attraction="att")
    assert d.attrs["info"]["attraction_rescaled_by"] == 2.0
    assert d["value"].sum() == pytest.approx(300)


def test_unreachable_and_unlisted_pairs_get_no_flow():
    # only A produces; A -> C is not listed, A -> B listed, B -> A unreachable (empty)
    units = THREE.assign(out=[100.0, 0.0, 0.0])
    t = spatial_interaction(units, TT3.iloc[:2].assign(minutes=[10.0, None]),
                            production="out", attraction="pop", constraint="production")
    assert values(t) == {("A", "B"): 100.0}


def test_errors():
    bad = THREE.assign(pop=[1.0, -1.0, None])
    with pytest.raises(InputError, match=r"column 'pop' must be a number >= 0.*\[B, C\]"):
        spatial_interaction(bad, TT3, production="pop", attraction="pop")
    with pytest.raises(InputError, match="0 minutes between two different units"):
        spatial_interaction(THREE, TT3.assign(minutes=0.0), production="pop", attraction="pop")
    with pytest.raises(InputError, match="reach no unit"):
        spatial_interaction(THREE, TT3.iloc[:1], production="pop", attraction="pop")
    with pytest.raises(ParameterError, match="'constraint' parameter of spatial_interaction"):
        spatial_interaction(THREE, TT3, production="pop", attraction="pop", constraint="none")
    with pytest.raises(InputError, match="missing column"):
        spatial_interaction(THREE, TT3, production="jobs", attraction="pop")
