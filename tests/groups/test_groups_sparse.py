"""metrocircle.groups at scale: no units x units structure anywhere, places abroad, Intramax's
heap against the plain loop where flows run out, the memory guard of the full hierarchy."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from test_groups import naive_intramax, to_flows

from metrocircle.exceptions import InputError, ParameterError
from metrocircle.groups import (
    agreement,
    find_groups,
    intramax_hierarchy,
    intramax_labels,
    intramax_merges,
)


def grid(side: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Units on a side x side grid, flows to the four neighbours and a diagonal; the grid cut
    4 x 4 into 16 planted blocks, with strong flows inside a block and weak ones across."""
    rng = np.random.default_rng(seed)
    n = side * side
    x, y = np.arange(n) % side, np.arange(n) // side
    block = (x * 4 // side) + 4 * (y * 4 // side)
    ids = np.array([f"c{k:06d}" for k in range(n)])
    right = np.flatnonzero(x < side - 1)
    below = np.flatnonzero(y < side - 1)
    a = np.concatenate([right, below])
    b = np.concatenate([right + 1, below + side])
    o = np.concatenate([a, b, np.arange(n)])
    d = np.concatenate([b, a, np.arange(n)])
    value = np.where(block[o] == block[d], rng.poisson(30, o.size) + 5, rng.poisson(1, o.size) + 1)
    value[-n:] = 500
    flows = pd.DataFrame({"origin": ids[o], "destination": ids[d], "value": value.astype(float)})
    adjacency = pd.DataFrame({"unit_a": ids[a], "unit_b": ids[b]})
    return flows, adjacency, block


def test_leiden_on_10000_units_allocates_no_square_matrix() -> None:
    """10,000 units: one units x units float matrix would be 763 MiB, a boolean one 95 MiB.
    Python-side allocations (numpy included) stay below half the boolean one (about 11 MiB
    are used)."""
    flows, adjacency, block = grid(100)
    tracemalloc.start()
    try:
        r = find_groups(
            flows,
            method="leiden",
            adjacency=adjacency,
            params={"stability_runs": 2, "min_size": 2, "resolution": 0.05},
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 48 * 2**20, f"peak {peak / 2**20:.0f} MiB"
    assert r.membership["unit_id"].is_unique and len(r.membership) == 10_000
    assert r.info["stability"]["runs"] == 2


def test_intramax_on_3600_units_allocates_no_square_matrix() -> None:
    flows, adjacency, block = grid(60)
    tracemalloc.start()
    try:
        r = find_groups(flows, method="intramax", adjacency=adjacency, params={"k": 16})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # one 3,600 x 3,600 float64 matrix is 99 MiB; about 8 MiB are used
    assert peak < 40 * 2**20, f"peak {peak / 2**20:.0f} MiB"
    assert r.info["n_groups"] == 16
    got = r.membership.sort_values("unit_id")["group"].to_numpy()
    from metrocircle.groups import adjusted_rand_index

    assert adjusted_rand_index(block, got) == 1.0  # the planted blocks, found exactly


def test_full_hierarchy_refuses_before_work_naming_the_size() -> None:
    n = 20_000
    ring = np.arange(n)
    t = sparse.csr_array((np.ones(n), (ring, (ring + 1) % n)), shape=(n, n))
    with pytest.raises(ParameterError, match=r"20,000 x 20,000 integers \(3\.0 GiB\)"):
        intramax_hierarchy(t)
    # raising the limit is possible; the merges themselves need no such table
    history = intramax_merges(t[:50, :50])
    assert intramax_labels(history, 50, len(history)).tolist() == [0] * 50


@pytest.mark.parametrize("seed", range(8))
def test_intramax_heap_matches_the_naive_loop_when_flows_run_out(seed: int) -> None:
    """Blocks without any flow between them, and a unit without any flow: after the blocks
    are merged every interaction is 0, and the full argmax takes the lowest pair of region
    indices; the heap, which holds only pairs with flow, must do the same."""
    rng = np.random.default_rng(100 + seed)
    sizes = rng.integers(1, 5, size=4)
    n = int(sizes.sum()) + 1
    t = np.zeros((n, n))
    start = 0
    for s in sizes:
        t[start : start + s, start : start + s] = rng.poisson(4.0, (s, s))
        start += s
    perm = rng.permutation(n)
    t = t[np.ix_(perm, perm)]
    adj = None
    if seed % 2:
        adj = rng.random((n, n)) < 0.4
        adj = adj | adj.T
        np.fill_diagonal(adj, False)
    history, levels = intramax_hierarchy(t, adj)
    expected = naive_intramax(t, adj)
    got = list(zip(history["kept"], history["absorbed"], strict=True))
    assert got == [(a, b) for a, b, _ in expected]
    assert history["interaction"].tolist() == pytest.approx([v for _, _, v in expected])
    for s in range(len(history) + 1):
        assert intramax_labels(history, n, s).tolist() == levels[s].tolist()
    # sparse input gives the same history
    pd.testing.assert_frame_equal(
        intramax_merges(sparse.csr_array(t), None if adj is None else sparse.csr_array(adj)),
        history,
    )


def test_external_destinations_count_in_the_outflow_only() -> None:
    t = np.array([[50, 10, 1, 0], [8, 40, 0, 2], [1, 0, 30, 6], [0, 1, 9, 20]], float)
    flows = to_flows(t, ["a", "b", "c", "d"])
    abroad = pd.DataFrame({"origin": ["a", "d"], "destination": ["ABROAD", "ABROAD"],
                           "value": [11.0, 5.0]})  # fmt: skip
    units = pd.DataFrame({"unit_id": ["a", "b", "c", "d"]})
    both = pd.concat([flows, abroad], ignore_index=True)
    r = find_groups(both, method="intramax", units=units, params={"k": 2}, external=["ABROAD"])
    plain = find_groups(flows, method="intramax", units=units, params={"k": 2})
    assert r.info["external"]["flow"] == 16.0
    assert r.info["total_flow"] == plain.info["total_flow"] == t.sum()
    g = r.groups.set_index("group")
    ab = r.membership.set_index("unit_id").loc["a", "group"]
    cd = r.membership.set_index("unit_id").loc["d", "group"]
    # a+b: 108 inside, 111 to anywhere in the study + 11 abroad
    assert g.loc[ab, "outflow"] == 122 and g.loc[cd, "outflow"] == 67 + 5
    assert g.loc[ab, "self_containment_supply_share"] == pytest.approx(108 / 122)
    assert g.loc[ab, "inflow"] == plain.groups.set_index("group").loc[ab, "inflow"]
    # O_i includes the flow abroad in Intramax's margins: the first merge's interaction
    # uses O_a = 61 + 11 and O_d = 30 + 5
    assert r.history.loc[0, "interaction"] == pytest.approx(6 / (37 * 28) + 9 / (35 * 40))
    # without external=, ABROAD is an unknown code of the units
    with pytest.raises(InputError, match="ABROAD"):
        find_groups(both, method="intramax", units=units, params={"k": 2})
    # a place abroad cannot be where people live
    back = pd.DataFrame({"origin": ["ABROAD"], "destination": ["a"], "value": [1.0]})
    with pytest.raises(InputError, match="only destinations may be outside"):
        find_groups(pd.concat([both, back]), method="intramax", units=units,
                    params={"k": 2}, external=["ABROAD"])  # fmt: skip


def test_agreement_compares_the_reference_units_only() -> None:
    m = pd.DataFrame({"unit_id": ["1", "2", "3", "4", "5"], "group": [1, 1, 2, 2, 2]})
    ref = pd.DataFrame({"unit_id": ["1", "2", "3", "4", "6"], "area_id": ["x", "x", "y", "z", "w"]})
    with pytest.raises(InputError, match="units not in the membership"):
        agreement(m, ref)
    ref = ref.iloc[:4].assign(csa=["p", None, "q", "q"])
    a = agreement(m, ref)
    # {1,2},{3},{4} vs {1,2},{3,4}: index 1, margins 1 and 2 pairs, C(4,2) = 6:
    # E = 2/6, max 1.5 -> (1 - 1/3) / (1.5 - 1/3) = 4/7
    assert (a["n_units"], a["n_reference"], a["n_groups"]) == (4, 3, 2)
    assert a["ari"] == pytest.approx(4 / 7)
    # a missing reference label leaves the unit out
    assert agreement(m, ref, reference_col="csa")["n_units"] == 3
