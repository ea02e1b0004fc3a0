"""eu-fua: hand-made cases whose expected results were worked out by hand from the EU-OECD
definition (Dijkstra, Poelman & Veneri 2019): commuting zone = units sending at least 15 % of
their employed residents to the city; enclaves added; non-contiguous units dropped; polycentric
cities merged when one sends at least 15 % of its employed residents to the other."""

from __future__ import annotations

import pandas as pd
import pytest
from delineate_cases import by_unit, cores_from, flows_from, grid_edges, pairs_from

from metrocircle.delineate.fua import EuFua

# 5 x 5 grid, city = unit "22". Share (in %) of each unit's 100 employed residents working in
# the city; the rest work at home:
#   row 0:  0  0 30 20  0
#   row 1:  0 20 40  5 20
#   row 2:  0 40  C 40 20
#   row 3:  0 20 40 20 20
#   row 4: 30  0  0 20  2
# By hand: >= 15 % and connected to the city through such units -> member. "13" (5 %) has only
# members around it (03, 12, 14, 23) and is interior -> enclave added. "40" (30 %) touches only
# "30" and "41" (0 %) -> exclave dropped. "44" (2 %) is surrounded by members but lies on the
# edge of the study region (edge=True, as sea or a border) -> stays outside.
GRID = [
    [0, 0, 30, 20, 0],
    [0, 20, 40, 5, 20],
    [0, 40, None, 40, 20],
    [0, 20, 40, 20, 20],
    [30, 0, 0, 20, 2],
]


def grid_case():
    pairs = {}
    for r in range(5):
        for c in range(5):
            u = f"{r}{c}"
            pct = GRID[r][c]
            if pct is None:
                pairs[(u, u)] = 1000
                continue
            pairs[(u, u)] = 100 - pct
            if pct:
                pairs[(u, "22")] = pct
    units = pd.DataFrame({"unit_id": [f"{r}{c}" for r in range(5) for c in range(5)]})
    units["edge"] = [r in (0, 4) or c in (0, 4) for r in range(5) for c in range(5)]
    return flows_from(pairs), units, cores_from([("22", "CITY")]), pairs_from(grid_edges(5, 5))


def test_grid_commuting_zone_enclave_exclave_edge():
    flows, units, cores, adj = grid_case()
    est = EuFua().fit(flows, units=units, cores=cores, adjacency=adj)
    m = by_unit(est.membership_)
    expected_members = {
        "02",
        "03",
        "11",
        "12",
        "14",
        "21",
        "23",
        "24",
        "31",
        "32",
        "33",
        "34",
        "43",
        "13",
    }
    assert set(m.index[m["status"] == "member"]) == expected_members
    assert m.loc["13", "rule"] == "enclave_filled"
    assert m.loc["13", "margin"] == pytest.approx(-0.10)
    assert m.loc["40", "rule"] == "rejected:exclave" and m.loc["40", "margin"] == pytest.approx(
        0.15
    )
    assert m.loc["44", "status"] == "outside" and m.loc["44", "rule"] == "rejected:below_threshold"
    assert m.loc["12", "rule"] == "outbound_share>=0.15"


def test_without_edge_information_the_corner_counts_as_enclosed():
    flows, units, cores, adj = grid_case()
    est = EuFua().fit(flows, units=units.drop(columns="edge"), cores=cores, adjacency=adj)
    m = by_unit(est.membership_)
    assert m.loc["44", "rule"] == "enclave_filled"
    assert "interior" in est.info_["edge_units_from"]


def test_edge_units_derived_from_geometry():
    shapely = pytest.importorskip("shapely")
    geopandas = pytest.importorskip("geopandas")
    flows, units, cores, adj = grid_case()
    geoms = [shapely.box(c, -r, c + 1, -r + 1) for r in range(5) for c in range(5)]
    gdf = geopandas.GeoDataFrame(units.drop(columns="edge"), geometry=geoms, crs="EPSG:3857")
    est = EuFua().fit(flows, units=gdf, cores=cores, adjacency=adj)
    m = by_unit(est.membership_)
    assert est.info_["edge_units"] == 16
    assert m.loc["44", "status"] == "outside" and m.loc["13", "rule"] == "enclave_filled"


def test_enclosed_by_two_areas_stays_outside():
    # A - a1 - E - b1 - B ; a1 and b1 send 50 % to their own core, E 5 % to A
    flows = flows_from(
        {
            ("A", "A"): 100,
            ("B", "B"): 100,
            ("a1", "a1"): 50,
            ("a1", "A"): 50,
            ("b1", "b1"): 50,
            ("b1", "B"): 50,
            ("E", "E"): 95,
            ("E", "A"): 5,
        }
    )
    adj = pairs_from([("A", "a1"), ("a1", "E"), ("E", "b1"), ("b1", "B")])
    m = by_unit(
        EuFua().fit(flows, cores=cores_from([("A", "A"), ("B", "B")]), adjacency=adj).membership_
    )
    assert m.loc["E", "status"] == "outside"
    # same shape but E's two neighbours both in A's commuting zone: enclave added
    adj2 = pairs_from([("A", "a1"), ("a1", "E"), ("E", "b1"), ("A", "b1"), ("B", "A")])
    flows2 = flows_from(
        {
            ("A", "A"): 100,
            ("B", "B"): 100,
            ("a1", "a1"): 50,
            ("a1", "A"): 50,
            ("b1", "b1"): 50,
            ("b1", "A"): 50,
            ("E", "E"): 95,
            ("E", "A"): 5,
        }
    )
    m2 = by_unit(
        EuFua().fit(flows2, cores=cores_from([("A", "A"), ("B", "B")]), adjacency=adj2).membership_
    )
    assert m2.loc["E", "area_id"] == "A" and m2.loc["E", "rule"] == "enclave_filled"


def test_polycentric_cities_merge_and_largest_share_wins():
    # C2 sends 20 % of its employed residents to C1 -> one destination (default merge="all").
    # U sends 10 % to C1 and 8 % to C2: 18 % to the merged city; V sends 16 % to C2 only.
    flows = flows_from(
        {
            ("C1", "C1"): 1000,
            ("C2", "C2"): 400,
            ("C2", "C1"): 100,
            ("U", "U"): 82,
            ("U", "C1"): 10,
            ("U", "C2"): 8,
            ("V", "V"): 84,
            ("V", "C2"): 16,
        }
    )
    cores = cores_from([("C1", "C1"), ("C2", "C2")])
    adj = pairs_from([("C1", "C2"), ("U", "C1"), ("U", "C2"), ("V", "C2")])
    est = EuFua().fit(flows, cores=cores, adjacency=adj)
    m = by_unit(est.membership_)
    assert m.loc["C2", "rule"] == "merged_from:C2" and m.loc["C2", "area_id"] == "C1"
    assert m.loc["U", "area_id"] == "C1" and m.loc["U", "value"] == pytest.approx(0.18)
    assert m.loc["V", "area_id"] == "C1"
    apart = by_unit(EuFua(merge="none").fit(flows, cores=cores, adjacency=adj).membership_)
    assert apart.loc["U", "status"] == "outside" and apart.loc["V", "area_id"] == "C2"
