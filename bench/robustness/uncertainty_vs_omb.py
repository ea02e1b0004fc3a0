"""How the counties that the plain OMB rule places differently from OMB are spread over
membership probability, against all the others (the table of docs/uncertainty.md).

Run from the repository root::

    PYTHONPATH=src python bench/robustness/uncertainty_vs_omb.py --replicates 1000 --jobs 2

The plain rule: omb-cbsa with the February 2013 central counties as cores, on the ACS 2009-2013
flows; the replicates are drawn from those flows' margins of error. Only the outlying decision
is compared (the cores are OMB's own central counties). For each non-central county: our
placement on the published flows (a CBSA or none), OMB's (its CBSA if listed as outlying, else
none), the probability of our placement over the replicates (``p_area``) and the probability
of OMB's placement (the share of replicates that put the county where OMB has it).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd

from metrocircle.datasets import us_cbsa
from metrocircle.robustness import uncertainty

BINS = [0.0, 0.5, 0.9, 0.99, 1.0, 1.0001]
LABELS = ["< 0.5", "0.5 - 0.9", "0.9 - 0.99", "0.99 - 1", "1 (every replicate)"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--random-state", type=int, default=0)
    args = ap.parse_args()
    v = 2010
    result = uncertainty(
        "omb-cbsa",
        us_cbsa.load_flows(v),
        units=us_cbsa.load_units(v),
        cores=us_cbsa.load_cores(v),
        adjacency=us_cbsa.load_adjacency(v),
        external=us_cbsa.EXTERNAL_CODES,
        replicates=args.replicates,
        random_state=args.random_state,
        jobs=args.jobs,
    )
    u = result.units.set_index("unit_id")
    off = us_cbsa.load_official(v)
    outlying = off[off["central_outlying"] == "Outlying"].set_index("unit_id")["area_id"]
    counties = u[u["status"] != "core"].copy()
    ours = counties["area_id"].astype(object).where(counties["area_id"].notna(), None)
    omb = outlying.reindex(counties.index).astype(object).where(lambda s: s.notna(), None)
    differs = np.array([a != b for a, b in zip(ours, omb, strict=True)])
    probs = result.probabilities.set_index(["unit_id", "area_id"])["probability"]
    p_omb = np.array(
        [
            probs.get((c, o), 0.0) if o is not None else 1.0 - counties.loc[c, "p_in_area"]
            for c, o in zip(counties.index, omb, strict=True)
        ]
    )
    counties["differs"] = differs
    counties["p_omb"] = p_omb
    kind = np.where(
        ~differs,
        "agrees",
        np.where(omb.isna(), "we add", np.where(ours.isna(), "we miss", "other CBSA")),
    )
    counties["kind"] = kind

    def spread(col: str) -> pd.DataFrame:
        b = pd.cut(counties[col], BINS, labels=LABELS, right=False)
        t = pd.crosstab(b, counties["differs"]).reindex(LABELS).fillna(0).astype(int)
        t.columns = ["all the others", "placed differently from OMB"]
        return t[["placed differently from OMB", "all the others"]]

    out = sys.stdout
    n_diff = int(differs.sum())
    out.write(
        f"{args.replicates} replicates, random state {args.random_state}: "
        f"{len(counties)} non-central counties, {n_diff} placed differently from OMB "
        f"({(kind == 'we miss').sum()} OMB outlying counties we leave out, "
        f"{(kind == 'we add').sum()} we add, {(kind == 'other CBSA').sum()} in another CBSA).\n\n"
    )
    for col, title in (
        ("p_area", "probability of the plain rule's own placement"),
        ("p_omb", "probability of OMB's placement"),
    ):
        t = spread(col)
        out.write(f"| {title} | placed differently from OMB | all the others |\n|---|---|---|\n")
        for label, row in t.iterrows():
            out.write(f"| {label} | {row.iloc[0]} | {row.iloc[1]} |\n")
        d, o = counties.loc[differs, col], counties.loc[~differs, col]
        out.write(
            f"| median | {d.median():.3f} | {o.median():.3f} |\n"
            f"| share below 0.9 | {(d < 0.9).mean():.1%} | {(o < 0.9).mean():.1%} |\n\n"
        )
    central = central_by_urban_areas()
    certain = counties[counties["differs"] & (counties["p_area"] == 1.0)]
    out.write(
        "Differing counties placed the same way in every replicate (central by the 2010 "
        "urban-area rule: at least 50 % of the population in urban areas of 10,000 or more, "
        "or 5,000 in one):\n\n| county | name | plain rule | OMB | decisive share | central "
        "by the urban-area rule |\n|---|---|---|---|---|---|\n"
    )
    for c, row in certain.iterrows():
        omb_area = outlying.get(c)
        out.write(
            f"| {c} | {row['name']} | {row['area_id'] if pd.notna(row['area_id']) else '-'} | "
            f"{omb_area if omb_area is not None else '-'} | {row['share']:.3f} | "
            f"{'yes' if c in central else 'no'} |\n"
        )
    out.write(f"\n(computed in {result.info['seconds']} s with {result.info['jobs']} processes)\n")


def central_by_urban_areas() -> set[str]:
    """Counties central by OMB's 2010 rule on the Census 2010 urban areas: at least 50 % of the
    population in urban areas of at least 10,000, or at least 5,000 in one such area."""
    ua = us_cbsa.load_urban_areas_2010()
    for col in ("POPPT", "UAPOP", "CPOP"):
        ua[col] = pd.to_numeric(ua[col])
    big = ua[(ua["ua_code"] != "99999") & (ua["UAPOP"] >= 10000)]
    share = big.groupby("county_fips")["POPPT"].sum() / big.groupby("county_fips")["CPOP"].first()
    largest = big.groupby("county_fips")["POPPT"].max()
    return set(share.index[(share >= 0.5) | (largest >= 5000)])


if __name__ == "__main__":
    main()
