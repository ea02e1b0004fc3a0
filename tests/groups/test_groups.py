"""metrocircle.groups: planted partitions, Intramax by hand, post-processing, ARI by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metrocircle.exceptions import InputError, ParameterError
from metrocircle.groups import (
    adjusted_rand_index,
    directed_modularity,
    find_groups,
    infomap,
    intramax,
    intramax_hierarchy,
    leiden,
    normalized_mutual_info,
)
from metrocircle.groups.post import contiguous_groups


def to_flows(matrix: np.ndarray, ids: list[str]) -> pd.DataFrame:
    i, j = np.nonzero(matrix)
    return pd.DataFrame(
        {
            "origin": [ids[a] for a in i],
            "destination": [ids[b] for b in j],
            "value": matrix[i, j],
        }
    )


def planted(
    groups: int = 4, size: int = 15, seed: int = 7, diagonal: float = 500.0
) -> tuple[pd.DataFrame, np.ndarray]:
    """Directed flows: mean 20 inside a group, 1 between groups, a heavy diagonal."""
    rng = np.random.default_rng(seed)
    truth = np.repeat(np.arange(groups), size)
    mean = np.where(truth[:, None] == truth[None, :], 20.0, 1.0)
    m = rng.poisson(mean).astype(float)
    np.fill_diagonal(m, diagonal)
    ids = [f"u{k:03d}" for k in range(truth.size)]
    return to_flows(m, ids), truth


# --- agreement indices, by hand ------------------------------------------------------------


def test_ari_hand_examples() -> None:
    # [0,0,1,1] vs [0,0,1,2]: index 1, margins 2 and 1 pairs, C(4,2)=6:
    # E = 2*1/6 = 1/3, max = 3/2, ARI = (1 - 1/3) / (3/2 - 1/3) = 4/7
    assert adjusted_rand_index([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(4 / 7)
    # [0,0,0,1,1,1] vs [0,0,1,1,2,2]: index 2, margins 6 and 3, C(6,2)=15:
    # E = 18/15 = 1.2, max = 4.5, ARI = 0.8 / 3.3 = 8/33
    assert adjusted_rand_index([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]) == pytest.approx(8 / 33)
    # names of groups do not matter; symmetric
    assert adjusted_rand_index(["x", "x", "y"], [2, 2, 1]) == 1.0
    assert adjusted_rand_index([0, 0, 1, 1], [0, 0, 1, 2]) == adjusted_rand_index(
        [0, 0, 1, 2], [0, 0, 1, 1]
    )
    # worse than chance: [0,0,1,1] vs [0,1,0,1]: index 0, E = 2*2/6, max 2 -> -(2/3)/(4/3)
    assert adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(-0.5)


def test_nmi_hand_examples() -> None:
    # b refines a: MI = H(a) = ln 2, H(b) = 1.5 ln 2 -> NMI = ln2 / (1.25 ln 2) = 0.8
    assert normalized_mutual_info([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(0.8)
    assert normalized_mutual_info([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(0.0)


def test_modularity_hand_example() -> None:
    # two directed 2-cycles, total weight 4; each group: inside 2, out 2, in 2
    # Q = 2 * (2 - 2*2/4) / 4 = 0.5; all in one group: (4 - 4*4/4)/4 = 0
    a = np.array([[9, 1, 0, 0], [1, 9, 0, 0], [0, 0, 9, 1], [0, 0, 1, 9]], float)
    assert directed_modularity(a, np.array([0, 0, 1, 1])) == pytest.approx(0.5)
    assert directed_modularity(a, np.zeros(4)) == pytest.approx(0.0)
    # with the diagonal (36 more inside, m = 40): 2 * (20 - 20*20/40) / 40 = 0.5
    assert directed_modularity(a, np.array([0, 0, 1, 1]), self_loops=True) == pytest.approx(0.5)


# --- planted partitions ------------------------------------------------------------------------


@pytest.mark.parametrize("method", [leiden, infomap])
def test_planted_partition_recovered(method) -> None:  # noqa: ANN001
    flows, truth = planted()
    result = method(flows, random_state=3)
    got = result.membership.sort_values("unit_id")["group"].to_numpy()
    assert adjusted_rand_index(truth, got) == 1.0
    assert normalized_mutual_info(truth, got) == pytest.approx(1.0)
    assert result.info["n_groups"] == 4
    # self-containment: 15*500 staying in units + about 14*15*20 inside groups, of the outflow
    sc = result.groups["self_containment_supply_share"]
    assert ((sc > 0.9) & (sc < 1.0)).all()


def test_heavy_diagonal_in_the_null_model_breaks_groups_apart() -> None:
    """Why the diagonal is left out by default. With T_ii = 2000, a unit's degree is about
    2000 + 14*20 + 45 = 2325 and m about 60*2325, so the null-model term of a pair,
    2 * 2325**2 / m ~ 78, exceeds the flow between two units of a group (~40): with
    ``self_loops=True`` modularity prefers units alone; without the diagonal the planted
    groups are found."""
    flows, truth = planted(diagonal=2000.0)
    without = leiden(flows, random_state=1)
    got = without.membership.sort_values("unit_id")["group"].to_numpy()
    assert without.info["self_loops"] is False
    assert adjusted_rand_index(truth, got) == 1.0
    with_loops = leiden(flows, random_state=1, self_loops=True)
    assert with_loops.info["self_loops"] is True
    assert with_loops.info["n_groups"] > 30


def test_leiden_resolution_gives_fewer_groups_when_lower() -> None:
    flows, _ = planted()
    low = leiden(flows, resolution=0.05, random_state=0).info["n_groups"]
    high = leiden(flows, resolution=1.0, random_state=0).info["n_groups"]
    assert low < high


def test_determinism_and_stability_report() -> None:
    flows, _ = planted(seed=11)
    a = find_groups(flows, method="leiden", params={"random_state": 5, "stability_runs": 6})
    b = find_groups(flows, method="leiden", params={"random_state": 5, "stability_runs": 6})
    pd.testing.assert_frame_equal(a.membership, b.membership)
    st = a.info["stability"]
    assert st["runs"] == 6 and st["seeds"] == [5, 10]
    assert st["pairwise_ari_mean"] == pytest.approx(1.0)  # a clear structure is stable


# --- Intramax, by hand -------------------------------------------------------------------------

# flows between a, b, c, d (rows: origin)
T = np.array([[50, 10, 1, 0], [8, 40, 0, 2], [1, 0, 30, 6], [0, 1, 9, 20]], float)
IDS = ["a", "b", "c", "d"]
# margins: O = (61, 50, 37, 30), D = (59, 51, 40, 28)


def test_intramax_steps_by_hand() -> None:
    history, levels = intramax_hierarchy(T)
    # step 1: candidates I_ab = 10/(61*51) + 8/(50*59), I_ac = 1/(61*40) + 1/(37*59),
    # I_bd = 2/(50*28) + 1/(30*51), I_cd = 6/(37*28) + 9/(30*40), I_ad = I_bc = 0 -> c+d
    assert history.loc[0, ["kept", "absorbed"]].tolist() == [2, 3]
    assert history.loc[0, "interaction"] == pytest.approx(6 / (37 * 28) + 9 / (30 * 40))
    # step 2: cd has O = 67, D = 68; I_ab unchanged beats I_a,cd = 1/(61*68) + 1/(67*59)
    # and I_b,cd = 2/(50*68) + 1/(67*51) -> a+b
    assert history.loc[1, ["kept", "absorbed"]].tolist() == [0, 1]
    assert history.loc[1, "interaction"] == pytest.approx(10 / (61 * 51) + 8 / (50 * 59))
    # step 3: ab (O 111, D 110) with cd: T = 1 + 2 = 3 one way, 1 + 1 = 2 the other
    assert history.loc[2, "interaction"] == pytest.approx(3 / (111 * 68) + 2 / (67 * 110))
    assert levels.tolist() == [[0, 1, 2, 3], [0, 1, 2, 2], [0, 0, 2, 2], [0, 0, 0, 0]]
    # self-containment min(T_rr/O_r, T_rr/D_r): after step 1 b is lowest (40/51), after step 2
    # cd: 65/68
    assert history["min_self_containment"].tolist() == pytest.approx([40 / 51, 65 / 68, 1.0])


def test_intramax_contiguity_by_hand() -> None:
    # chain a - c - b - d: c+d and a+b are not adjacent any more
    adj = np.zeros((4, 4), bool)
    for i, j in [(0, 2), (2, 1), (1, 3)]:
        adj[i, j] = adj[j, i] = True
    history, levels = intramax_hierarchy(T, adj)
    # step 1: admissible I_ac, I_bc = 0 and I_bd = 2/(50*28) + 1/(30*51) (largest) -> b+d
    assert history.loc[0, ["kept", "absorbed"]].tolist() == [1, 3]
    assert history.loc[0, "interaction"] == pytest.approx(2 / (50 * 28) + 1 / (30 * 51))
    # step 2: bd (O 80, D 79) with c: 6/(37*79) + 9/(80*40) beats I_ac -> bd+c
    assert history.loc[1, ["kept", "absorbed"]].tolist() == [1, 2]
    assert history.loc[1, "interaction"] == pytest.approx(6 / (37 * 79) + 9 / (80 * 40))
    assert levels[2].tolist() == [0, 1, 1, 1]


def test_intramax_cuts() -> None:
    flows = to_flows(T, IDS)
    by_k = intramax(flows, k=2).membership.set_index("unit_id")["group"]
    assert by_k["a"] == by_k["b"] != by_k["c"] == by_k["d"]
    # levels reach min self-containment 2/3 (units), 40/51, 65/68, 1: a target of 0.9 is
    # first met after two merges, 0.78 after one
    r = intramax(flows, min_self_containment=0.9)
    assert r.info["cut_after_merges"] == 2 and r.info["n_groups"] == 2
    assert intramax(flows, min_self_containment=0.78).info["n_groups"] == 3
    assert r.history is not None and r.history["kept"].tolist() == ["c", "a", "a"]
    g = r.groups.set_index("group")
    ab = by_k["a"]
    assert g.loc[ab, "internal_flow"] == 108
    assert g.loc[ab, "self_containment_supply_share"] == pytest.approx(108 / 111)
    assert g.loc[ab, "self_containment_demand_share"] == pytest.approx(108 / 110)


def test_intramax_zero_margin_unit() -> None:
    """A unit without any flow (zero margins, set to 1) has interaction 0 with everyone and
    is merged last."""
    flows = to_flows(T, IDS)
    units = pd.DataFrame({"unit_id": [*IDS, "e"]})
    history, _ = intramax_hierarchy(np.pad(T, ((0, 1), (0, 1))))
    assert history.loc[3, "absorbed"] == 4 and history.loc[3, "interaction"] == 0.0
    r = intramax(flows, units=units, k=2)
    assert r.membership.set_index("unit_id")["group"].nunique() == 2


# --- post-processing -------------------------------------------------------------------------


def line(n: int) -> np.ndarray:
    adj = np.zeros((n, n), bool)
    for i, j in [(k, k + 1) for k in range(n - 1)]:
        adj[i, j] = adj[j, i] = True
    return adj


def test_disconnected_group_is_split() -> None:
    labels = np.array([0, 0, 1, 0, 0])
    final, assigned, parts = contiguous_groups(labels, np.ones((5, 5)), line(5))
    # equal parts {0,1} and {3,4}: the one with the lower first unit keeps the label
    assert final[:2].tolist() == [0, 0] and final[3] == final[4] not in (0, 1)
    assert assigned.tolist() == ["method", "method", "method", "split", "split"]
    assert parts.tolist() == [2, 2, 1, 2, 2]


def test_small_fragment_merges_into_strongest_neighbour() -> None:
    # units 0-1-2 | 3-4-5 in a line, unit 6 touches 2 and 3; 6 sends 5 to group 1, 1 to group 0
    adj = np.pad(line(6), ((0, 1), (0, 1)))
    adj[6, [2, 3]] = adj[[2, 3], 6] = True
    m = np.zeros((7, 7))
    m[6, 4] = 5.0
    m[6, 0] = 1.0
    labels = np.array([0, 0, 0, 1, 1, 1, 2])
    final, assigned, _ = contiguous_groups(labels, m, adj, min_size=2)
    assert final[6] == 1 and assigned[6] == "merged"
    # the other direction of flow counts too: 4 -> 6 is 9
    m2 = np.zeros((7, 7))
    m2[6, 4] = 5.0
    m2[0, 6] = 9.0
    final2, _, _ = contiguous_groups(labels, m2, adj, min_size=2)
    assert final2[6] == 0


def test_island_is_kept_and_reported() -> None:
    adj = line(3)
    adj = np.pad(adj, ((0, 1), (0, 1)))
    final, assigned, _ = contiguous_groups(np.array([0, 0, 0, 1]), np.ones((4, 4)), adj, min_size=2)
    assert final[3] == 1 and assigned[3] == "island kept"


def test_find_groups_splits_and_merges_with_adjacency() -> None:
    """A planted group of 15 whose units lie in two places: the 3 units away from the rest
    form a separate part; below min_size 4 they join the neighbour they exchange most with."""
    flows, truth = planted(groups=3, size=15, seed=5)
    ids = sorted(set(flows["origin"]))
    # units sit on a line in order, except units 12-14 of group 0 which sit at the far end
    order = [k for k in range(45) if k not in (12, 13, 14)] + [12, 13, 14]
    pairs = [(ids[order[k]], ids[order[k + 1]]) for k in range(44)]
    adjacency = pd.DataFrame(pairs, columns=["unit_a", "unit_b"])
    kept = find_groups(flows, method="leiden", adjacency=adjacency, params={"stability_runs": 0})
    m = kept.membership.set_index("unit_id")
    assert kept.info["n_groups"] == 4
    assert set(m.loc[ids[12:15], "assigned"]) == {"split"}
    assert kept.groups["parts_before_split"].max() == 2
    merged = find_groups(
        flows,
        method="leiden",
        adjacency=adjacency,
        params={"stability_runs": 0, "min_size": 4},
    )
    mm = merged.membership.set_index("unit_id")
    assert merged.info["n_groups"] == 3
    assert set(mm.loc[ids[12:15], "assigned"]) == {"merged"}
    # their only neighbour is unit 44 (group 2)
    assert (mm.loc[ids[12:15], "group"] == mm.loc[ids[44], "group"]).all()
    # group 0 had two parts; the group that received the fragment had one
    parts = merged.groups.set_index("group")["parts_before_split"]
    assert parts[mm.loc[ids[0], "group"]] == 2 and parts[mm.loc[ids[44], "group"]] == 1


def test_population_and_size_by() -> None:
    flows = to_flows(T, IDS)
    units = pd.DataFrame({"unit_id": IDS, "population": [100, 200, 300, 400]})
    r = intramax(flows, units=units, k=2)
    g = r.groups.set_index("group")
    assert sorted(g["population"].tolist()) == [300, 700]
    # groups are numbered by size: two units each, the tie goes to the group of unit a
    assert g.loc[1, "population"] == 300
    r2 = find_groups(
        flows, method="intramax", units=units, params={"k": 2, "size_by": "population"}
    )
    # sized by population, c+d (700) comes first
    assert r2.groups.set_index("group").loc[1, "population"] == 700


# --- bad input ----------------------------------------------------------------------------------


def test_bad_flows_one_error() -> None:
    flows = pd.DataFrame(
        {"origin": ["a", "b", "zz"], "destination": ["b", "a", "a"], "value": [1, -3, 2]}
    )
    with pytest.raises(InputError) as err:
        find_groups(flows, method="leiden", units=pd.DataFrame({"unit_id": ["a", "b"]}))
    text = str(err.value)
    assert "negative" in text and "zz" in text


def test_bad_params_one_error() -> None:
    flows = to_flows(T, IDS)
    with pytest.raises(ParameterError) as err:
        find_groups(
            flows, method="leiden", params={"resolution": "-1", "foo": 1, "n_iterations": 0}
        )
    text = str(err.value)
    assert "'resolution' parameter of leiden must be a float > 0. Got '-1'" in text
    assert "'foo'" in text and "'n_iterations'" in text
    with pytest.raises(ParameterError, match="exactly one of 'k'"):
        intramax(flows)
    with pytest.raises(ParameterError, match=r"must be an int in \[1, 4\]"):
        intramax(flows, k=9)
    with pytest.raises(ParameterError, match="needs an adjacency table"):
        intramax(flows, k=2, min_size=2)
    with pytest.raises(ParameterError, match="Unknown group method"):
        find_groups(flows, method="louvain")


def test_adjacency_with_unknown_unit() -> None:
    flows = to_flows(T, IDS)
    adjacency = pd.DataFrame({"unit_a": ["a", "q"], "unit_b": ["b", "a"]})
    with pytest.raises(InputError, match="q"):
        intramax(flows, adjacency=adjacency, k=2)


def naive_intramax(t: np.ndarray, adj: np.ndarray | None) -> list[tuple[int, int, float]]:
    """Reference: recompute I for every pair at every step with plain Python loops."""
    regions = {k: [k] for k in range(t.shape[0])}
    merges = []
    while len(regions) > 1:
        keys = sorted(regions)

        def flow(a: list[int], b: list[int]) -> float:
            return float(t[np.ix_(a, b)].sum())

        every = [k for r in keys for k in regions[r]]
        best = None
        for x in range(len(keys)):
            for y in range(x + 1, len(keys)):
                i, j = keys[x], keys[y]
                if adj is not None and not adj[np.ix_(regions[i], regions[j])].any():
                    continue
                o_i = flow(regions[i], every) or 1.0
                o_j = flow(regions[j], every) or 1.0
                d_i = flow(every, regions[i]) or 1.0
                d_j = flow(every, regions[j]) or 1.0
                value = flow(regions[i], regions[j]) / (o_i * d_j) + flow(
                    regions[j], regions[i]
                ) / (o_j * d_i)
                if best is None or value > best[2] + 1e-15:
                    best = (i, j, value)
        if best is None:
            break
        regions[best[0]] += regions.pop(best[1])
        merges.append(best)
    return merges


@pytest.mark.parametrize("seed", range(6))
def test_intramax_matches_a_naive_loop(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 9
    t = rng.poisson(3.0, (n, n)) * (rng.random((n, n)) < 0.6)  # some pairs without flow
    t = t.astype(float)
    t[-1, :] = 0.0  # one unit sends nothing (zero margin)
    adj = None
    if seed % 2:
        adj = rng.random((n, n)) < 0.3
        adj = adj | adj.T
        np.fill_diagonal(adj, False)
    history, _ = intramax_hierarchy(t, adj)
    expected = naive_intramax(t, adj)
    got = list(zip(history["kept"], history["absorbed"], history["interaction"], strict=True))
    assert [(a, b) for a, b, _ in got] == [(a, b) for a, b, _ in expected]
    assert [v for _, _, v in got] == pytest.approx([v for _, _, v in expected])
