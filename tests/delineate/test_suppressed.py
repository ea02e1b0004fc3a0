"""A published OD's suppressed remainder in a delineation: counted in the denominators, and
units whose decisive flow may be hidden are explained as ``suppressed``, not ``no flow``
(issue 16, item 1)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from metrocircle.delineate import delineate
from metrocircle.model import validate_flows
from metrocircle.model.schema import SUPPRESSED

CORES = pd.DataFrame({"unit_id": ["C"], "area_id": ["metro"]})


def _flows(rows):
    return pd.DataFrame(rows, columns=["origin", "destination", "value"])


# C is the core. A sends 20 of 100 to C (published) and 30 more in suppressed cells. B has
# published flows only to itself, 12 suppressed. D's own total is suppressed (empty value).
FLOWS = _flows([
    ("C", "C", 500), ("A", "A", 50), ("A", "C", 20), ("B", "B", 88),
    ("A", SUPPRESSED, 30), ("B", SUPPRESSED, 12), ("D", SUPPRESSED, None),
    (SUPPRESSED, "C", 30),
])


def test_remainder_counts_in_the_denominators_and_explains():
    res = delineate("jp-uea", FLOWS, cores=CORES, params={"threshold": 0.1, "cascade": False})
    m = res.membership.set_index("unit_id")
    # A: 20 / (50 + 20 + 30) = 0.2 with the remainder in the denominator (0.286 without)
    assert m.loc["A", "value"] == pytest.approx(0.2)
    assert m.loc["A", "status"] == "member"
    # B: no published flow to C, but 12 of its 100 are hidden and could go there
    assert m.loc["B", "rule"] == "suppressed" and m.loc["B", "status"] == "outside"
    assert (m.loc["B", "share_low"], m.loc["B", "share_high"]) == pytest.approx((0.0, 0.12))
    # D: its total is suppressed, nothing is known
    assert m.loc["D", "rule"] == "suppressed"
    assert (m.loc["D", "share_low"], m.loc["D", "share_high"]) == (0.0, 1.0)
    assert SUPPRESSED not in set(m.index)


def test_hidden_mass_too_small_to_matter_keeps_the_measured_rule():
    res = delineate("jp-uea", FLOWS, cores=CORES, params={"threshold": 0.15, "cascade": False})
    m = res.membership.set_index("unit_id")
    assert m.loc["B", "rule"] == "rejected:no_flow_to_any_core"  # 0.12 < 0.15 at most
    assert np.isnan(m.loc["B", "share_high"])


def test_inbound_denominator_includes_suppressed_in_flows():
    # jobs in A: 50 local + 40 from the core + 10 in suppressed cells = 100
    flows = _flows([("C", "C", 500), ("A", "A", 50), ("C", "A", 40), (SUPPRESSED, "A", 10),
                    ("C", SUPPRESSED, 10)])
    res = delineate("omb-cbsa", flows, cores=CORES,
                    params={"threshold": 0.25, "contiguity": False, "direction": "inbound"})
    m = res.membership.set_index("unit_id")
    assert m.loc["A", "inbound_share"] == pytest.approx(0.4)  # 40 / 90 = 0.444 without
    assert SUPPRESSED not in set(m.index)


def test_other_analyses_set_the_remainder_aside_loudly(caplog):
    with caplog.at_level(logging.WARNING):
        out = validate_flows(FLOWS)
    assert SUPPRESSED not in set(out["origin"]) | set(out["destination"])
    assert len(out) == 4
    assert "4 rows carry suppressed flows" in caplog.text


def test_empty_value_is_an_error_except_on_a_remainder_row():
    from metrocircle.exceptions import InputError

    bad = _flows([("A", "B", None), ("A", SUPPRESSED, None)])
    with pytest.raises(InputError, match="missing value") as err:
        validate_flows(bad, keep_suppressed=True)
    assert len(err.value.problems) == 1
    ok = validate_flows(_flows([("A", "B", 3), ("A", SUPPRESSED, None)]), keep_suppressed=True)
    assert ok["value"].isna().tolist() == [False, True]
