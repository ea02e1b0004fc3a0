"""Check ttwa-lma (compat mode) against R findClusters on fresh random cases and parameter sets.

Generates ``--cases`` random flow tables (fixed seed; structures unlike the shipped synthetic
cases: clustered gravity flows, zero-valued rows, isolated units, random parameter sets including
the UK TTWA one scaled down), runs R on all of them in one session and compares the final and
pre-reserve assignment, the moves and the reserve list.

    PYTHONPATH=src /work/venv/bin/python bench/lma/verify_vs_r.py --cases 60
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from metrocircle.delineate.ttwa_lma import find_clusters

ROOT = Path(__file__).resolve().parents[2]


def make_case(rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    n = int(rng.integers(8, 160))
    xy = rng.uniform(0, 100, (n, 2))
    size = np.round(rng.lognormal(rng.uniform(3, 7), 1.0, n)) + 1
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    rows = []
    for u in range(n):
        if rng.random() < 0.03:
            rows.append((u, u, size[u]))  # self flow only -> zero list
            continue
        k = int(rng.integers(0, min(n - 1, 12) + 1))
        p = np.exp(-d[u] / rng.uniform(5, 30)) * size
        p[u] = 0
        dest = rng.choice(n, size=k, replace=False, p=p / p.sum()) if k else []
        stay = rng.beta(3, 2)
        rows.append((u, u, np.floor(size[u] * stay)))
        for j in dest:
            rows.append(
                (u, j, float(rng.integers(0, max(2, int(size[u] * (1 - stay) / max(k, 1))))))
            )
    f = pd.DataFrame(rows, columns=["o", "d", "v"])
    if rng.random() < 0.5:
        f = f[f["v"] > 0]
    f = f.sample(frac=1.0, random_state=int(rng.integers(1 << 30)))
    codes = rng.choice(np.arange(1000, 99999), size=n, replace=False)
    flows = pd.DataFrame(
        {
            "origin": codes[f["o"]].astype(str),
            "destination": codes[f["d"]].astype(str),
            "value": f["v"].to_numpy(float),
        }
    )
    scale = float(rng.choice([0.03, 0.1, 0.3, 1.0]))
    min_sc = float(rng.choice([0.5, 0.6, 0.6667]))
    params = dict(
        min_size=3500 * scale,
        min_self_containment=min_sc,
        target_size=25000 * scale,
        target_self_containment=min_sc + float(rng.choice([0.05, 0.0833, 0.15])),
    )
    return flows, params


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=60)
    ap.add_argument("--seed", type=int, default=424242)
    ap.add_argument("--only", type=int, nargs="*", help="run only these case numbers")
    ap.add_argument("--r-package", type=Path, default=ROOT / "bench/.venv-r-LabourMarketAreas")
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        cases, data = [], {}
        for c in range(1, a.cases + 1):
            flows, p = make_case(rng)
            if a.only and c not in a.only:
                continue
            data[c] = (flows, p)
            flows.rename(
                columns={
                    "origin": "community_live",
                    "destination": "community_work",
                    "value": "amount",
                }
            ).to_csv(tmpd / f"flows_{c}.csv", index=False)
            cases.append(
                {
                    "case": c,
                    "minSZ": p["min_size"],
                    "minSC": p["min_self_containment"],
                    "tarSZ": p["target_size"],
                    "tarSC": p["target_self_containment"],
                }
            )
        pd.DataFrame(cases).to_csv(tmpd / "cases.csv", index=False)
        r = subprocess.run(
            ["Rscript", str(Path(__file__).with_name("verify_r.R")), str(a.r_package), str(tmpd)],
            capture_output=True,
            text=True,
        )
        print(r.stdout[-2000:], r.stderr[-2000:])
        same = diff = errors = r_fails_all_reserve = 0
        codes_seen: dict[str, int] = {}
        for c, (flows, p) in data.items():
            ra = tmpd / f"r_{c}_assignment.csv"
            try:
                out = find_clusters(flows, **p)
            except Exception as err:  # noqa: BLE001 - report and go on
                print(c, "ours failed:", err, "R ran:", ra.exists())
                errors += 1
                continue
            if not ra.exists():
                if out["info"]["all_units_in_reserve"]:
                    r_fails_all_reserve += 1  # R's known failure: no cluster left
                else:
                    print(c, "R failed, ours ran")
                    errors += 1
                continue
            rr = pd.read_csv(ra, dtype=str)
            m = out["membership"]
            m = m[m["status"] != "excluded"]
            ours = {
                (u, a_ or "0", b or "0", str(mv))
                for u, a_, b, mv in zip(
                    m["unit_id"],
                    m["area_id"].fillna("0"),
                    m["area_id_before_reserve"].fillna("0"),
                    m["moves"],
                    strict=True,
                )
            }
            theirs = set(
                zip(rr["community"], rr["cluster"], rr["before"], rr["moves"], strict=True)
            )
            rl = pd.read_csv(tmpd / f"r_{c}_reserve.csv", dtype=str, keep_default_na=False)
            mine = [
                (
                    x.code,
                    str(x.iteration),
                    x.dissolved_area,
                    f"{x.validity:.15g}",
                    x.unit_id,
                    x.second_unit_id if isinstance(x.second_unit_id, str) else "",
                )
                for x in out["reserve_list"].itertuples(index=False)
            ]
            ref = [tuple(t) for t in rl.itertuples(index=False)]
            for code in rl["code"]:
                codes_seen[code] = codes_seen.get(code, 0) + 1
            if ours == theirs and mine == ref:
                same += 1
            else:
                diff += 1
                print(c, p, "DIFFERENT", len(ours ^ theirs), mine[:3], ref[:3])
        print(
            f"identical {same}, different {diff}, errors {errors}, R failed because every unit "
            f"ended on the reserve list {r_fails_all_reserve}; reserve codes {codes_seen}"
        )


if __name__ == "__main__":
    main()
