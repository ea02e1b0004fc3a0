"""jp-uea: hand-made cases worked out by hand from the CSIS definition of urban employment areas
(Kanemoto & Tokuoka 2002): first-order outlying at 10 % to the core; second and higher order at
10 % to an outlying municipality when that is the highest commuting ratio; strongest tie between
cores; between a core and an outlying municipality the higher ratio wins; of two municipalities
each sending 10 % to the other, the one with the higher ratio is the suburb of the other."""

from __future__ import annotations

import pytest
from delineate_cases import by_unit, cores_from, flows_from

from metrocircle.delineate.uea import JpUea

# Each municipality has 100 employed residents; shares in %:
#   S1: 20 to C                      -> 1st order (20 >= 10)
#   S2: 15 to S1, 5 to C             -> highest target S1 (15) -> 2nd order via S1
#   S3: 12 to S2, 11 to C            -> meets (a) at 11 but S2's 12 is higher -> 3rd order via S2
#   S4: 8 to S3, 4 to C              -> below 10 everywhere -> outside
#   S5: 20 to S1, 25 to X            -> highest target is X (not outlying) -> outside
#   X : stays home
#   M : 12 to C, 15 to D (2nd core)  -> strongest tie: D
#   P : 15 to Q, 12 to C ; Q: 20 to P -> mutual; P has the lower ratio, so Q is P's suburb:
#       P is 1st order of C (12), Q 2nd order via P
FLOWS = {
    ("C", "C"): 1000,
    ("D", "D"): 1000,
    ("X", "X"): 100,
    ("S1", "S1"): 80,
    ("S1", "C"): 20,
    ("S2", "S2"): 80,
    ("S2", "S1"): 15,
    ("S2", "C"): 5,
    ("S3", "S3"): 77,
    ("S3", "S2"): 12,
    ("S3", "C"): 11,
    ("S4", "S4"): 88,
    ("S4", "S3"): 8,
    ("S4", "C"): 4,
    ("S5", "S5"): 55,
    ("S5", "S1"): 20,
    ("S5", "X"): 25,
    ("M", "M"): 73,
    ("M", "C"): 12,
    ("M", "D"): 15,
    ("P", "P"): 73,
    ("P", "Q"): 15,
    ("P", "C"): 12,
    ("Q", "Q"): 80,
    ("Q", "P"): 20,
}


def fit(**params):
    cores = cores_from([("C", "C"), ("D", "D")])
    return JpUea(**params).fit(flows_from(FLOWS), cores=cores)


def test_cascading_orders():
    m = by_unit(fit().membership_)
    assert m.loc["S1", ["area_id", "order"]].tolist() == ["C", 1]
    assert m.loc["S2", ["area_id", "order", "via_unit"]].tolist() == ["C", 2, "S1"]
    assert m.loc["S2", "rule"] == "cascade:outbound_share_to_S1>=0.1"
    assert m.loc["S2", "value"] == pytest.approx(0.15)
    assert m.loc["S3", ["area_id", "order", "via_unit"]].tolist() == ["C", 3, "S2"]
    assert m.loc["S3", "value"] == pytest.approx(0.12)
    assert m.loc["S4", "status"] == "outside"
    assert m.loc["S5", "status"] == "outside"
    assert m.loc["M", "area_id"] == "D" and m.loc["M", "order"] == 1


def test_mutual_pair_lower_ratio_is_the_host():
    m = by_unit(fit().membership_)
    assert m.loc["P", ["area_id", "order"]].tolist() == ["C", 1]
    assert m.loc["Q", ["area_id", "order", "via_unit"]].tolist() == ["C", 2, "P"]


def test_without_cascading_and_max_order():
    m = by_unit(fit(cascade=False).membership_)
    assert m.loc["S2", "status"] == "outside" and m.loc["S3", "area_id"] == "C"
    assert m.loc["S3", "rule"] == "outbound_share>=0.1"
    m2 = by_unit(fit(max_order=2).membership_)
    assert m2.loc["S2", "order"] == 2
    # S3 cannot be 3rd order; it falls back on its own first-order tie to C (11 %)
    assert m2.loc["S3", ["area_id", "order", "rule"]].tolist() == ["C", 1, "outbound_share>=0.1"]
