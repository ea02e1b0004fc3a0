"""Comparing combined areas with a reference list of combined areas (OMB's CSAs), pair by pair.

The question asked of each pair of reference areas is "are these two in one combined area?".
The reference gives each of its areas a ``combined_id`` (empty: in none). The combination's
areas are translated to reference areas first (``matches``: derived area -> reference area,
e.g. from :func:`metrocircle.delineate.reference.matched_reference_areas`; without it the codes
are taken to be the reference's own, as when a delineation ran on the official cores). A
derived area matched to no reference area cannot be judged: it is counted, not dropped silently.

Examples
--------
>>> import pandas as pd
>>> combined = pd.DataFrame({"area_id": ["a", "b", "c"], "combined_id": ["C1", "C1", None]})
>>> reference = pd.DataFrame({"area_id": ["A", "B", "C"], "combined_id": ["X", "X", "X"]})
>>> r = compare_pairs(combined, reference, matches={"a": "A", "b": "B", "c": "C"})
>>> r["pairs_reference"], r["pairs_found"], r["pairs_agreeing"], round(r["f1"], 3)
(3, 1, 1, 0.5)
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations
from typing import Any

import pandas as pd


def _pairs(groups: pd.Series) -> set[tuple[str, str]]:
    """Unordered pairs of distinct index values that share a group (empty groups: none)."""
    groups = groups.astype("string").str.strip()
    groups = groups[groups.fillna("").ne("")]
    out: set[tuple[str, str]] = set()
    for _, members in groups.groupby(groups):
        codes = sorted(set(members.index.astype(str)))
        out |= set(combinations(codes, 2))
    return out


def compare_pairs(
    combined: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    matches: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Pair-level precision, recall and F1 of a combination against reference combined areas.

    Parameters
    ----------
    combined
        ``area_id, combined_id`` (``combined.csv``).
    reference
        ``area_id, combined_id``: one row per reference area (repeated rows must agree).
    matches
        Derived area -> reference area; None: the codes are the reference's.

    Returns
    -------
    dict
        ``precision``, ``recall``, ``f1``, ``pairs_reference``, ``pairs_found``,
        ``pairs_agreeing``, ``areas_unmatched`` (derived areas with no reference area, left
        out), ``extra_pairs`` and ``missed_pairs`` (as reference codes).
    """
    ref = reference.drop_duplicates("area_id").copy()
    ref.index = ref["area_id"].astype(str).to_numpy()
    truth = _pairs(ref["combined_id"])
    comb = combined.copy()
    comb["area_id"] = comb["area_id"].astype(str)
    if matches is not None:
        comb["ref_area"] = comb["area_id"].map(dict(matches))
    else:
        comb["ref_area"] = comb["area_id"].where(comb["area_id"].isin(set(ref.index)))
    unmatched = int(comb["ref_area"].isna().sum())
    judged = comb[comb["ref_area"].notna()]
    found: set[tuple[str, str]] = set()
    groups = judged["combined_id"].astype("string").str.strip()
    for _, part in judged[groups.fillna("").ne("").to_numpy()].groupby("combined_id"):
        found |= set(combinations(sorted(set(part["ref_area"].astype(str))), 2))
    agree = len(truth & found)
    precision = agree / len(found) if found else 0.0
    recall = agree / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if agree else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "pairs_reference": len(truth),
        "pairs_found": len(found),
        "pairs_agreeing": agree,
        "areas_unmatched": unmatched,
        "extra_pairs": sorted(found - truth),
        "missed_pairs": sorted(truth - found),
    }


__all__ = ["compare_pairs"]
