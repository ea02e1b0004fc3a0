"""City groups of every US county against the official CBSAs and CSAs (docs/groups.md).

Run: ``PYTHONPATH=src .venv/bin/python bench/groups/us_national.py [--json FILE]``

Data shipped in ``metrocircle.datasets.us_cbsa``: the ACS 2016-2020 county-to-county
commuting flows (3,222 counties of residence; the 84,706 workers abroad are ``external``:
they count in the outflow of their group, not as units), the 2023 county adjacency with water
boundaries, and OMB's July 2023 list. Every run uses ``min_size=2`` (a detached single county
joins the neighbour it exchanges most with; a county without any neighbour stays alone and
is reported) and, for Leiden and Infomap, 10 stability seeds (0-9; the reported groups come
from seed 0).

Agreement is the adjusted Rand index over the counties the official list puts in an area:
the 1,915 counties in a CBSA against their CBSA, the 1,341 counties in a CSA against their
CSA, and the 1,915 counties in a CBSA against "the CSA if the CBSA is in one, else the
CBSA" (the metropolitan region as OMB combines it).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from metrocircle.datasets import us_cbsa
from metrocircle.groups import agreement, find_groups

CONFIGS = [
    ("leiden", {"resolution": 1.0}),
    ("leiden", {"resolution": 4.0}),
    ("infomap", {}),
    ("intramax", {"k": 935}),
    ("intramax", {"min_self_containment": 0.8}),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path)
    ap.add_argument("--stability-runs", type=int, default=10)
    args = ap.parse_args()
    flows = us_cbsa.load_flows()
    units = us_cbsa.load_units()
    adjacency = us_cbsa.load_adjacency()
    official = us_cbsa.load_official()
    combined = official.assign(region=official["csa_code"].fillna(official["area_id"]))
    rows = []
    print("| method | groups (detected) | Q | ARI CBSA | ARI CSA | ARI CSA-or-CBSA | "
          "stability: mean / min pairwise ARI, groups | seconds |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for method, params in CONFIGS:
        full = {**params, "min_size": 2, "random_state": 0}
        if method != "intramax":
            full["stability_runs"] = args.stability_runs
        started = time.perf_counter()
        r = find_groups(
            flows,
            method=method,
            units=units,
            adjacency=adjacency,
            external=us_cbsa.EXTERNAL_CODES,
            params=full,
        )
        seconds = time.perf_counter() - started
        cbsa = agreement(r.membership, official, reference_col="area_id")
        csa = agreement(r.membership, official, reference_col="csa_code")
        region = agreement(r.membership, combined, reference_col="region")
        st = r.info["stability"]
        stab = (
            f"{st['pairwise_ari_mean']:.3f} / {st['pairwise_ari_min']:.3f}, "
            f"{st['n_groups_min']}-{st['n_groups_max']}"
            if isinstance(st, dict)
            else "deterministic"
        )
        label = f"{method} " + " ".join(f"{k}={v}" for k, v in params.items())
        print(
            f"| {label.strip()} | {r.info['n_groups']} ({r.info['n_groups_detected']}) | "
            f"{r.info['modularity']:.3f} | {cbsa['ari']:.3f} | {csa['ari']:.3f} | "
            f"{region['ari']:.3f} | {stab} | {seconds:.1f} |",
            flush=True,
        )
        rows.append(
            {
                "method": method,
                "params": full,
                "info": {k: v for k, v in r.info.items() if k != "params"},
                "cbsa": cbsa,
                "csa": csa,
                "csa_or_cbsa": region,
                "seconds": seconds,
            }
        )
    info = rows[0]["info"]
    print(
        f"\nunits without any neighbour (each a group of its own): "
        f"{info['units_without_neighbours']}; adjacency components: "
        f"{info['adjacency_component_sizes']}; flows abroad: {info['external']['flow']:.0f} "
        f"workers ({info['external']['share']:.4%})"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2, default=str))


if __name__ == "__main__":
    main()
