"""Sampling uncertainty: replicates drawn as documented, probabilities against a closed form,
seeded results independent of the number of worker processes, clear errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from metrocircle.datasets import us_cbsa
from metrocircle.exceptions import InputError, ParameterError
from metrocircle.robustness import uncertainty
from metrocircle.robustness.uncertainty import MOE_Z, draw, flow_sd, nan_quantile


def two_units(moe_to_core: float = 30.0):
    """Core C; unit U sends 50 (margin ``moe_to_core``) to C and keeps 100 (exact) at home;
    unit V sends 5 of 100 (exact)."""
    flows = pd.DataFrame(
        {
            "origin": ["C", "U", "U", "V", "V"],
            "destination": ["C", "C", "U", "C", "V"],
            "value": [300.0, 50.0, 100.0, 5.0, 95.0],
            "moe": [0.0, moe_to_core, 0.0, 0.0, 0.0],
        }
    )
    cores = pd.DataFrame({"unit_id": ["C"], "area_id": ["A"]})
    return flows, cores


def normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def test_membership_probability_matches_the_closed_form():
    """U's outbound share X / (X + 100) reaches 0.25 when X >= 33.33; X ~ N(50, (30/1.645)^2)
    cut at 0, so P(member) = 1 - Phi((33.33 - 50) / sd) = 0.82. 1,000 replicates: within 4
    standard errors (0.05), which tells sd = moe / 1.645 (0.82) from sd = moe (0.71) or
    sd = moe x 1.645 (0.93)."""
    flows, cores = two_units()
    n = 1000
    u = uncertainty(
        "omb-cbsa",
        flows,
        cores=cores,
        params={"contiguity": False, "direction": "outbound"},
        replicates=n,
        random_state=11,
    )
    sd = 30.0 / MOE_Z
    p = 1 - normal_cdf((100 * 0.25 / 0.75 - 50.0) / sd)
    assert p == pytest.approx(0.82, abs=0.005)
    row = u.units.set_index("unit_id").loc["U"]
    assert row["status"] == "member" and row["area_id"] == "A"
    assert abs(row["p_status"] - p) < 4 * math.sqrt(p * (1 - p) / n)
    assert row["p_area"] == row["p_status"] == row["p_in_area"]
    # the decisive share's interval: X / (X + 100) at the 5 % and 95 % quantiles of X
    z = 1.6448536269514722
    lo, hi = max(50 - z * sd, 0), 50 + z * sd
    assert row["share"] == pytest.approx(50 / 150)
    assert row["share_low"] == pytest.approx(lo / (lo + 100), abs=0.015)
    assert row["share_high"] == pytest.approx(hi / (hi + 100), abs=0.015)
    # V has exact flows: always outside, interval of width 0
    v = u.units.set_index("unit_id").loc["V"]
    assert v["p_status"] == 1.0 and v["p_in_area"] == 0.0
    assert v["share_low"] == v["share_high"] == pytest.approx(0.05)
    probs = u.probabilities.set_index(["unit_id", "area_id"])["probability"]
    assert probs[("C", "A")] == 1.0
    assert probs[("U", "A")] == row["p_in_area"]
    assert ("V", "A") not in probs.index  # never in an area: no row


def test_zero_margins_give_certainty_and_the_published_run():
    flows, cores = two_units(moe_to_core=0.0)
    u = uncertainty("omb-cbsa", flows, cores=cores, params={"contiguity": False}, replicates=5)
    assert (u.units["p_status"] == 1.0).all() and (u.units["p_area"] == 1.0).all()
    m = u.reference.membership.set_index("unit_id")
    assert m.loc["U", "status"] == "member" and m.loc["V", "status"] == "outside"


def test_same_seed_same_result_whatever_the_number_of_processes():
    flows, cores = two_units()
    runs = [
        uncertainty(
            "omb-cbsa",
            flows,
            cores=cores,
            params={"contiguity": False},
            replicates=60,
            random_state=5,
            jobs=jobs,
        )
        for jobs in (1, 2, 1)
    ]
    for other in runs[1:]:
        pd.testing.assert_frame_equal(runs[0].units, other.units)
        pd.testing.assert_frame_equal(runs[0].probabilities, other.probabilities)
    other_seed = uncertainty(
        "omb-cbsa", flows, cores=cores, params={"contiguity": False}, replicates=60, random_state=6
    )
    assert not runs[0].units.equals(other_seed.units)


def test_draws_are_cut_at_zero_with_the_documented_spread():
    values = np.array([0.0, 2.0, 1000.0])
    sd = np.array([5.0, 5.0, 10.0])
    seeds = np.random.SeedSequence(1).spawn(4000)
    x = np.array([draw(values, sd, s) for s in seeds])
    assert (x >= 0).all()
    assert (x[:, 0] == 0).mean() == pytest.approx(0.5, abs=0.03)
    assert x[:, 2].mean() == pytest.approx(1000, abs=1.0)
    assert x[:, 2].std() == pytest.approx(10, rel=0.05)
    flows = pd.DataFrame({"value": [10.0, 200.0], "moe": [16.45, 0.0]})
    np.testing.assert_allclose(flow_sd(flows), [10.0, 0.0])
    np.testing.assert_allclose(flow_sd(flows.drop(columns="moe"), relative_error=0.1), [1, 20])


def test_relative_error_for_flows_without_margins():
    flows, cores = two_units()
    plain = flows.drop(columns="moe")
    u = uncertainty(
        "omb-cbsa",
        plain,
        cores=cores,
        params={"contiguity": False},
        relative_error=0.3,
        replicates=200,
        random_state=2,
    )
    assert u.info["error_model"] == "normal, sd = 0.3 x value, cut at 0"
    assert 0 < u.units.set_index("unit_id").loc["U", "p_status"] < 1


def test_errors():
    flows, cores = two_units()
    plain = flows.drop(columns="moe")
    with pytest.raises(
        InputError, match="no margins of error: sampling uncertainty needs a 'moe' column"
    ):
        uncertainty("omb-cbsa", plain, cores=cores)
    with pytest.raises(ParameterError, match="either margins of error .* or a relative error"):
        uncertainty("omb-cbsa", flows, cores=cores, relative_error=0.1)
    with pytest.raises(ParameterError, match="'relative_error' parameter of uncertainty must be"):
        uncertainty("omb-cbsa", plain, cores=cores, relative_error=-1)
    with pytest.raises(
        ParameterError,
        match="'replicates' parameter of uncertainty must be an "
        r"integer in \[1, 100000\]. Got 0",
    ):
        uncertainty("omb-cbsa", flows, cores=cores, replicates=0)
    with pytest.raises(ParameterError, match="'confidence' parameter"):
        uncertainty("omb-cbsa", flows, cores=cores, confidence=1.0)
    with pytest.raises(InputError, match="negative value in column 'moe'"):
        uncertainty("omb-cbsa", flows.assign(moe=[-1.0, 0, 0, 0, 0]), cores=cores)


def test_nan_quantile_agrees_with_numpy():
    rng = np.random.default_rng(0)
    x = rng.random((101, 40))
    x[rng.random(x.shape) < 0.3] = np.nan
    x[:, 3] = np.nan
    for q in (0.0, 0.05, 0.5, 0.95, 1.0):
        with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
            want = np.nanquantile(x, q, axis=0)
        np.testing.assert_allclose(nan_quantile(x, q), want, atol=1e-15)


def test_us_counties_2009_2013_margins():
    """The shipped 2009-2013 flows with their margins and the February 2013 central counties:
    the run on the published flows is the plain delineation, probabilities are consistent."""
    tables = {
        "units": us_cbsa.load_units(vintage=2010),
        "cores": us_cbsa.load_cores(vintage=2010),
        "adjacency": us_cbsa.load_adjacency(vintage=2010),
        "external": us_cbsa.EXTERNAL_CODES,
    }
    flows = us_cbsa.load_flows(vintage=2010)
    u = uncertainty("omb-cbsa", flows, replicates=12, random_state=0, **tables)
    from metrocircle.delineate import delineate

    plain = delineate("omb-cbsa", flows, **tables)
    pd.testing.assert_frame_equal(u.reference.membership, plain.membership)
    units = u.units.set_index("unit_id")
    assert len(units) == 3221
    assert (units.loc[units["status"] == "core", "p_status"] == 1.0).all()
    total = u.probabilities.groupby("unit_id")["probability"].sum()
    np.testing.assert_allclose(total.reindex(units.index).fillna(0.0), units["p_in_area"])
    assert (units["p_area"] <= units["p_status"] + 1e-12).all()
    # some counties near the 25 % line are uncertain, most are not
    assert 0 < (units["p_status"] < 1).sum() < 400
