"""Property-based checks (hypothesis): on random small worlds, omb-cbsa agrees with a
brute-force loop implementation of the same published rule, and the FUA/AAV geometry steps
leave areas contiguous, with every enclosed gap filled and nothing else."""

from __future__ import annotations

from collections import deque

import numpy as np
import pandas as pd
from delineate_cases import grid_edges
from hypothesis import given, settings
from hypothesis import strategies as st

from metrocircle.delineate.fua import EuFua
from metrocircle.delineate.omb import OmbCbsa

SIDE = 4
NAMES = [f"{r}{c}" for r in range(SIDE) for c in range(SIDE)]
EDGES = grid_edges(SIDE, SIDE)


@st.composite
def worlds(draw):
    n = len(NAMES)
    values = draw(st.lists(st.integers(0, 30), min_size=n * n, max_size=n * n))
    mat = np.array(values, dtype=float).reshape(n, n)
    # sparse-ish: keep about a third of the off-diagonal cells
    keep = np.array(draw(st.lists(st.booleans(), min_size=n * n, max_size=n * n))).reshape(n, n)
    mat = np.where(keep | np.eye(n, dtype=bool), mat, 0.0)
    k = draw(st.integers(1, 3))
    core_pos = draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k, unique=True))
    areas = draw(st.lists(st.sampled_from(["A", "B", "C"]), min_size=k, max_size=k))
    threshold = draw(st.sampled_from([0.1, 0.15, 0.25]))
    rows = [(NAMES[i], NAMES[j], mat[i, j]) for i in range(n) for j in range(n) if mat[i, j] > 0]
    flows = pd.DataFrame(rows, columns=["origin", "destination", "value"])
    cores = pd.DataFrame({"unit_id": [NAMES[p] for p in core_pos], "area_id": areas})
    units = pd.DataFrame({"unit_id": NAMES})
    return flows, units, cores, mat, threshold


def reference_omb(mat, cores, threshold):
    """The rule as written, with loops: shares, strongest tie (lowest area id among equals),
    then contiguity from the central units through units of the same area."""
    r = mat.sum(axis=1)
    w = mat.sum(axis=0)
    core_of = dict(zip(cores["unit_id"], cores["area_id"], strict=True))
    area_ids = sorted(set(core_of.values()))
    members = {a: [NAMES.index(u) for u, x in core_of.items() if x == a] for a in area_ids}
    assign, near_tie = {}, set()
    for i, u in enumerate(NAMES):
        if u in core_of:
            continue
        ties = []
        for a in area_ids:
            out = sum(mat[i, c] for c in members[a]) / r[i] if r[i] else 0.0
            inn = sum(mat[c, i] for c in members[a]) / w[i] if w[i] else 0.0
            ties.append((max(out, inn), a))
        best = max(t for t, _ in ties)
        if best >= threshold:
            winners = [a for t, a in ties if abs(t - best) < 1e-12]
            assign[u] = min(winners)
            if len(winners) > 1 or abs(best - threshold) < 1e-12:
                near_tie.add(u)
    nb = {u: set() for u in NAMES}
    for a, b in EDGES:
        nb[a].add(b)
        nb[b].add(a)
    kept = {}
    for a in area_ids:
        seen = {u for u, x in core_of.items() if x == a}
        queue = deque(seen)
        while queue:
            x = queue.popleft()
            for y in nb[x]:
                if y not in seen and assign.get(y) == a:
                    seen.add(y)
                    kept[y] = a
                    queue.append(y)
    return kept, near_tie


NEAR_COUNT: list[bool] = []


@settings(max_examples=40, deadline=None, derandomize=True)
@given(worlds())
def test_omb_agrees_with_brute_force(world):
    flows, units, cores, mat, threshold = world
    adjacency = pd.DataFrame(EDGES, columns=["unit_a", "unit_b"])
    est = OmbCbsa(threshold=threshold).fit(flows, units=units, cores=cores, adjacency=adjacency)
    m = est.membership_.set_index("unit_id")
    ours = m[m["status"] == "member"]["area_id"].astype(str).to_dict()
    expected, near = reference_omb(mat, cores, threshold)
    differ = {u for u in set(ours) | set(expected) if ours.get(u) != expected.get(u)}
    # an exact tie (between areas, or with the threshold) may fall either way with another
    # summation order; everywhere else the two must agree unit for unit
    if not near:
        assert not differ, differ
    NEAR_COUNT.append(bool(near))


def neighbours():
    nb = {u: set() for u in NAMES}
    for a, b in EDGES:
        nb[a].add(b)
        nb[b].add(a)
    return nb


@settings(max_examples=40, deadline=None, derandomize=True)
@given(worlds())
def test_fua_areas_are_contiguous_and_without_enclaves(world):
    flows, units, cores, _, threshold = world
    rim = ("0", str(SIDE - 1))
    units = units.assign(edge=[r in rim or c in rim for r, c in NAMES])
    adjacency = pd.DataFrame(EDGES, columns=["unit_a", "unit_b"])
    est = EuFua(threshold=threshold, merge="none").fit(
        flows, units=units, cores=cores, adjacency=adjacency
    )
    m = est.membership_.set_index("unit_id")
    area = m["area_id"].astype(object).where(m["area_id"].notna(), None).to_dict()
    nb = neighbours()
    # contiguity: every member reaches a core of its area through units of that area
    for u, a in area.items():
        if a is None or m.loc[u, "status"] == "core":
            continue
        seen, queue, ok = {u}, deque([u]), False
        while queue and not ok:
            x = queue.popleft()
            for y in nb[x]:
                if area.get(y) == a and y not in seen:
                    if m.loc[y, "status"] == "core":
                        ok = True
                    seen.add(y)
                    queue.append(y)
        assert ok, u
    # members admitted by the share rule pass the threshold
    share_rule = m["rule"].str.startswith("outbound_share")
    assert (m.loc[share_rule, "value"] >= threshold - 1e-12).all()
    # no group of outside units, off the edge, is enclosed by one area
    outside = {u for u, a in area.items() if a is None}
    edge = dict(zip(units["unit_id"], units["edge"], strict=True))
    seen = set()
    for u in outside:
        if u in seen:
            continue
        comp, queue, around = {u}, deque([u]), set()
        while queue:
            x = queue.popleft()
            for y in nb[x]:
                if y in outside and y not in comp:
                    comp.add(y)
                    queue.append(y)
                elif y not in outside:
                    around.add(area[y])
        seen |= comp
        assert not (len(around) == 1 and not any(edge[x] for x in comp)), comp


def test_property_cases_are_mostly_without_exact_ties():
    """Guard against a vacuous comparison: most generated worlds must be compared exactly."""
    if not NEAR_COUNT:
        test_omb_agrees_with_brute_force()
    assert sum(NEAR_COUNT) <= len(NEAR_COUNT) // 2
