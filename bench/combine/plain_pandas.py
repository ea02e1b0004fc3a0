"""omb-csa's default rule written the plain way an analyst would, for the benchmark: pandas
merges and groupbys for the measure, networkx-free connected components by repeated label
propagation in pandas. Each CBSA joins the larger adjacent CBSA of its highest employment
interchange measure (>= 15); combined areas are the chains of such links."""

from __future__ import annotations

import pandas as pd


def omb_csa_plain(
    membership: pd.DataFrame, flows: pd.DataFrame, adjacency: pd.DataFrame, lower: float = 15.0
) -> pd.Series:
    """area_id -> combined id (the largest area of its combination), for combined areas only."""
    area = membership.set_index("unit_id")["area_id"]
    f = flows.assign(o=flows["origin"].map(area), d=flows["destination"].map(area))
    residents = f.dropna(subset=["o"]).groupby("o")["value"].sum()
    jobs = f.dropna(subset=["d"]).groupby("d")["value"].sum()
    between = f.dropna(subset=["o", "d"])
    between = between[between["o"] != between["d"]].groupby(["o", "d"])["value"].sum()
    adj = adjacency.assign(a=adjacency["unit_a"].map(area), b=adjacency["unit_b"].map(area))
    adj = adj.dropna(subset=["a", "b"])
    adj = adj[adj["a"] != adj["b"]]
    pairs = pd.concat(
        [adj[["a", "b"]], adj[["b", "a"]].rename(columns={"b": "a", "a": "b"})]
    ).drop_duplicates()
    size = residents.reindex(pd.unique(area)).fillna(0)
    pairs["sa"], pairs["sb"] = pairs["a"].map(size), pairs["b"].map(size)
    # keep each pair once, as (smaller s, larger L); equal sizes by id
    small = (pairs["sa"] < pairs["sb"]) | ((pairs["sa"] == pairs["sb"]) & (pairs["a"] < pairs["b"]))
    pairs = pairs[small].rename(columns={"a": "s", "b": "L"})
    ends = list(zip(pairs["s"], pairs["L"], strict=True))
    pairs["t_sl"] = [between.get((s, big), 0.0) for s, big in ends]
    pairs["t_ls"] = [between.get((big, s), 0.0) for s, big in ends]
    pairs["eim"] = 100 * (
        pairs["t_sl"] / pairs["s"].map(residents) + pairs["t_ls"] / pairs["s"].map(jobs)
    )
    best = pairs.sort_values(["s", "eim", "sb", "L"], ascending=[True, False, False, True])
    best = best.drop_duplicates("s")
    links = best[best["eim"] >= lower]
    # components: propagate the smallest label until stable
    label = pd.Series(size.index, index=size.index)
    while True:
        a = label[links["s"].to_numpy()].to_numpy()
        b = label[links["L"].to_numpy()].to_numpy()
        low = pd.Series(list(a) + list(b), index=list(links["L"]) + list(links["s"]))
        new = pd.concat([label, low.groupby(level=0).min()]).groupby(level=0).min()
        if new.equals(label.sort_index()):
            break
        label = new
    groups = label.groupby(label).filter(lambda g: len(g) > 1)
    largest = size.reindex(groups.index).groupby(groups).idxmax()
    return groups.map(largest).sort_index()
