"""A plain pandas implementation of the same OMB outlying-county rule, written the way an analyst
would write it in an afternoon: groupby shares, idxmax for the strongest tie, breadth-first search
in Python for contiguity through accepted counties. Used as the peer in bench_omb.py."""

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
