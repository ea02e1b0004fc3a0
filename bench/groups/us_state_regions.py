"""Groups of one US state's counties from ACS 2016-2020 commuting vs the official CBSAs.

Run: ``PYTHONPATH=src python bench/groups/us_state_regions.py [STATE_FIPS ...]`` (default 39,
Ohio). Uses only data shipped in ``metrocircle.datasets.us_cbsa``; flows leaving the state
are left out (counted). The official labelling gives every county outside a CBSA its own
label; ``ari_cbsa_counties`` compares only the counties inside a CBSA.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from metrocircle.datasets import us_cbsa
from metrocircle.groups import adjusted_rand_index, find_groups


def run(state_fips: str) -> None:
    flows = us_cbsa.load_flows()
    units = us_cbsa.load_units()
    counties = sorted(u for u in units["unit_id"] if u.startswith(state_fips))
    inside = flows["origin"].isin(counties) & flows["destination"].isin(counties)
    from_state = flows["origin"].isin(counties)
    dropped = flows.loc[from_state & ~inside, "value"].sum()
    total = flows.loc[from_state, "value"].sum()
    f = flows[inside].reset_index(drop=True)
    adj = us_cbsa.load_adjacency()
    adj = adj[adj["unit_a"].isin(counties) & adj["unit_b"].isin(counties)].reset_index(drop=True)
    off = us_cbsa.load_official().set_index("unit_id")["area_id"]
    official = np.array([off.get(c, f"rural-{c}") for c in counties], dtype=object)
    in_cbsa = np.array([c in off.index for c in counties])
    n_official = len(set(official))
    n_cbsa = len(set(official[in_cbsa]))
    print(
        f"state {state_fips}: {len(counties)} counties, {n_cbsa} CBSAs "
        f"({n_official} official labels with non-CBSA counties alone); "
        f"out-of-state commuting left out: {dropped / total:.1%} of {total:,.0f} workers"
    )
    configs = [
        ("leiden", {"stability_runs": 50}),
        ("leiden", {"stability_runs": 50, "resolution": 2.0}),
        ("infomap", {"stability_runs": 50}),
        ("intramax", {"k": n_official}),
        ("intramax", {"min_self_containment": 0.75}),
    ]
    for method, params in configs:
        started = time.perf_counter()
        r = find_groups(f, method=method, adjacency=adj, params={**params, "min_size": 2})
        seconds = time.perf_counter() - started
        got = r.membership.set_index("unit_id").loc[counties, "group"].to_numpy()
        st = r.info["stability"]
        stab = f"{st['pairwise_ari_mean']:.3f}" if isinstance(st, dict) else "deterministic"
        print(
            f"  {method:8s} {str(params):45s} groups {r.info['n_groups']:3d} "
            f"(detected {r.info['n_groups_detected']:3d}) Q {r.info['modularity']:.3f} "
            f"ARI all {adjusted_rand_index(official, got):.3f} "
            f"ARI CBSA counties {adjusted_rand_index(official[in_cbsa], got[in_cbsa]):.3f} "
            f"stability {stab} ({seconds:.1f} s)"
        )


if __name__ == "__main__":
    for fips in sys.argv[1:] or ["39"]:
        run(fips)
