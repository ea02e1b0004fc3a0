"""A plain pandas implementation of the same OMB rules, written the way an analyst would write
it in an afternoon: groupby shares, idxmax for the strongest tie, breadth-first search in Python
for contiguity through accepted counties; for the whole procedure, groupby central counties and
Python dictionaries for the merges. Used as the peer in bench_omb.py."""

from __future__ import annotations

from collections import defaultdict, deque

import pandas as pd


def omb_plain(
    flows: pd.DataFrame, cores: pd.DataFrame, adjacency: pd.DataFrame, threshold: float = 0.25
) -> pd.Series:
    """Area of every non-core county that the rule admits (index unit_id, value area_id)."""
    core = dict(zip(cores["unit_id"], cores["area_id"], strict=True))
    residents = flows.groupby("origin")["value"].sum()
    jobs = flows.groupby("destination")["value"].sum()
    f = flows.assign(work_area=flows["destination"].map(core), home_area=flows["origin"].map(core))
    out = f.dropna(subset=["work_area"]).groupby(["origin", "work_area"])["value"].sum()
    out = out / residents.reindex(out.index.get_level_values(0)).to_numpy()
    inn = f.dropna(subset=["home_area"]).groupby(["destination", "home_area"])["value"].sum()
    inn = inn / jobs.reindex(inn.index.get_level_values(0)).to_numpy()
    out.index.names = inn.index.names = ["unit", "area"]
    ties = pd.concat([out.rename("out"), inn.rename("in")], axis=1).fillna(0.0).reset_index()
    ties = ties[~ties["unit"].isin(core.keys())]
    ties["tie"] = ties[["out", "in"]].max(axis=1)
    ties = ties[ties["tie"] >= threshold]
    best = ties.sort_values(["unit", "tie", "area"], ascending=[True, False, True])
    best = best.drop_duplicates("unit").set_index("unit")["area"]
    neighbours = defaultdict(set)
    for a, b in zip(adjacency["unit_a"], adjacency["unit_b"], strict=True):
        neighbours[a].add(b)
        neighbours[b].add(a)
    area_units = defaultdict(set)
    for u, a in best.items():
        area_units[a].add(u)
    kept = {}
    for a, members in area_units.items():
        seen = {c for c, ca in core.items() if ca == a}
        queue = deque(seen)
        while queue:
            x = queue.popleft()
            for y in neighbours[x]:
                if y in members and y not in seen:
                    seen.add(y)
                    queue.append(y)
                    kept[y] = a
    return pd.Series(kept, name="area_id").sort_index()


def central_plain(
    urban_areas: pd.DataFrame,
    core_minimum: float = 10_000,
    central_share: float = 0.5,
    central_part: float = 5_000,
) -> pd.Series:
    """Central counties and their urban area (index unit_id, value ua_code), from exact parts
    (``ua_code, unit_id, population, ua_population, county_population``)."""
    ua = urban_areas[urban_areas["ua_code"] != "99999"]
    big = ua[ua["ua_population"] >= core_minimum]
    share = (
        big.groupby("unit_id")["population"].sum()
        / big.groupby("unit_id")["county_population"].first()
    )
    top = big.sort_values(
        ["unit_id", "population", "ua_population", "ua_code"],
        ascending=[True, False, False, True],
    ).drop_duplicates("unit_id")
    top = top.set_index("unit_id")
    central = (share.reindex(top.index) >= central_share) | (top["population"] >= central_part)
    return top.loc[central, "ua_code"].rename("area_id")


def omb_plain_urban(
    flows: pd.DataFrame,
    urban_areas: pd.DataFrame,
    adjacency: pd.DataFrame,
    threshold: float = 0.25,
) -> tuple[pd.Series, pd.Series]:
    """The whole procedure the way an analyst would write it: central counties, outlying
    counties (:func:`omb_plain`), then Section 4 in rounds: every CBSA whose central counties
    qualify as outlying to an adjacent CBSA's joins the one it is most tied to, until none
    qualifies; whole CBSAs merge and keep the central counties they merged into.

    Returns the area of every placed county and the set of central counties after merges
    (index unit_id, value area_id)."""
    universe = set(flows["origin"])
    central = central_plain(urban_areas[urban_areas["unit_id"].isin(universe)])
    cores = central.rename_axis("unit_id").reset_index()
    outlying = omb_plain(flows, cores, adjacency, threshold)
    area = pd.concat([central, outlying])
    # ties between the central counties of every pair of CBSAs
    residents = flows.groupby("origin")["value"].sum()
    jobs = flows.groupby("destination")["value"].sum()
    f = flows.assign(a=flows["origin"].map(central), b=flows["destination"].map(central))
    t = f.dropna(subset=["a", "b"]).groupby(["a", "b"])["value"].sum()
    r = residents.groupby(central.reindex(residents.index)).sum()
    w = jobs.groupby(central.reindex(jobs.index)).sum()
    out = t / r.reindex(t.index.get_level_values(0)).to_numpy()
    back = t.swaplevel().sort_index()  # (a, b) -> flow from b's central counties to a's
    inn = back / w.reindex(back.index.get_level_values(0)).to_numpy()
    out.index.names = inn.index.names = ["a", "b"]
    tie = pd.concat([out.rename("out"), inn.rename("in")], axis=1).fillna(0.0).max(axis=1)
    tie = tie[(tie.index.get_level_values(0) != tie.index.get_level_values(1))]
    tie = tie[tie >= threshold]
    size = urban_areas.drop_duplicates("ua_code").set_index("ua_code")["ua_population"]
    host = {a: a for a in sorted(set(central))}
    central_now = central.copy()
    while True:
        current = area.map(host)
        pairs = adjacency.assign(
            a=adjacency["unit_a"].map(current), b=adjacency["unit_b"].map(current)
        )
        pairs = pairs.dropna(subset=["a", "b"])
        touching = set(zip(pairs["a"], pairs["b"], strict=True)) | set(
            zip(pairs["b"], pairs["a"], strict=True)
        )
        alive = {a for a, h in host.items() if a == h}
        target = {}
        for (a, b), _ in sorted(tie.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1])):
            if a in alive and b in alive and a != b and (a, b) in touching and a not in target:
                target[a] = b
        if not target:
            break
        joined = {}
        for a in alive:
            path, x = [], a
            while x in target and x not in path:
                path.append(x)
                x = target[x]
            if x in path:  # a cycle: the largest urban area stays
                cycle = path[path.index(x) :]
                x = sorted(cycle, key=lambda k: (-size[k], k))[0]
            joined[a] = x
        host = {a: joined[h] for a, h in host.items()}
        central_now = central_now[[joined[a] == a for a in central_now]]
    return area.map(host).sort_index(), central_now.sort_index()
