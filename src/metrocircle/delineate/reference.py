"""Comparing a delineation with a reference list of areas (an agency's official list), area by
area: which derived area is which reference area, and how many cores, units, areas and types
agree.

The reference names, for each unit in one of its areas, the area and the unit's role there
(``core`` or ``member``; OMB's lists say ``Central`` and ``Outlying``), and optionally each
area's ``type`` and ``title``. Each derived area is **matched** to the reference area that
shares most of its cores (units that are cores in both; equal counts: the lower reference code);
an area none of whose cores is a reference core is unmatched, and its units count as misplaced.
This is how :func:`metrocircle.datasets.us_cbsa.compare_cbsas_to_official` scores a whole US
delineation against OMB's lists, and what a project's delineation step writes to
``delineation/reference_figures.json`` when ``[inputs.reference]`` maps ``status``.

Examples
--------
>>> import pandas as pd
>>> m = pd.DataFrame({"unit_id": ["a", "b", "c", "d"], "area_id": ["X", "X", "Y", None],
...                   "status": ["core", "member", "core", "outside"]})
>>> areas = pd.DataFrame({"area_id": ["X", "Y"], "type": ["metropolitan", "micropolitan"]})
>>> ref = pd.DataFrame({"unit_id": ["a", "b", "c"], "area_id": ["100", "100", "100"],
...                     "status": ["Central", "Outlying", "Central"],
...                     "type": ["Metropolitan"] * 3})
>>> f = compare_to_reference(m, areas, ref)["figures"]
>>> f["core_recall"], f["core_precision"], f["units_right"], f["type_right"]
(1.0, 1.0, 3, 1)
>>> f["areas"], f["reference_areas"], f["reference_areas_matched_twice"]
(2, 1, 1)
"""

from __future__ import annotations

from typing import Any

import pandas as pd

#: Reference statuses read as a core (compared without case).
CORE_STATUSES = ("core", "central")


def _cores(membership: pd.DataFrame) -> pd.Index:
    """The derived cores: ``central_outlying == "central"`` when the method writes OMB's column
    (the central counties of merged CBSAs are outlying then), else ``status == "core"``."""
    placed = membership[membership["area_id"].notna()]
    if "central_outlying" in placed.columns:
        flag = placed["central_outlying"].astype("string").str.lower() == "central"
    else:
        flag = placed["status"].astype("string").str.lower() == "core"
    return pd.Index(placed.index[flag.fillna(False).to_numpy(dtype=bool)])


def compare_to_reference(
    membership: pd.DataFrame,
    areas: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    leave_out: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Compare a delineation with a reference list of areas.

    Parameters
    ----------
    membership
        ``unit_id, area_id, status`` (and ``central_outlying`` for ``omb-cbsa``).
    areas
        ``area_id`` and, for the type and title figures, ``type`` and ``title``.
    reference
        ``unit_id, area_id, status`` (``core``/``member`` or ``Central``/``Outlying``) for
        every unit in a reference area; optional ``type`` and ``title`` (of its area).
    leave_out
        Prefixes of unit codes left out on both sides (e.g. a state's FIPS code).

    Returns
    -------
    dict
        ``figures``: ``reference_cores``, ``cores``, ``cores_right``, ``core_recall``,
        ``core_precision``, ``reference_units``, ``units_right`` and ``units_right_share``
        (reference units placed in the matched area), ``members_right_share`` (the reference's
        members alone), ``placed_outside_reference``, ``areas``, ``reference_areas`` (those
        with a core), ``areas_within_share`` (relative difference), ``matched_areas``,
        ``reference_areas_matched_twice``, ``type_right``, ``type_right_share`` and
        ``title_right_share`` (of matched areas); ``missed_cores`` and ``added_cores``
        (DataFrames); ``matches`` (one row per matched area).
    """
    ref = reference.copy()
    ref["unit_id"] = ref["unit_id"].astype(str)
    m = membership.copy()
    m["unit_id"] = m["unit_id"].astype(str)
    if leave_out:
        ref = ref[~ref["unit_id"].str.startswith(leave_out)]
        m = m[~m["unit_id"].str.startswith(leave_out)]
    m = m.set_index("unit_id")
    area = m["area_id"].astype("string").str.strip()
    m["area_id"] = area.where(area.fillna("").ne(""), pd.NA)
    placed = m[m["area_id"].notna()]
    area_of = placed["area_id"].astype(str)
    central = _cores(m)
    ref_area = ref.set_index("unit_id")["area_id"].astype(str)
    ref_role = ref.set_index("unit_id")["status"].astype(str)
    is_core = ref_role.str.lower().isin(CORE_STATUSES)
    ref_central = ref_role.index[is_core.to_numpy(dtype=bool)]
    shared = central.intersection(ref_central)
    pairs = pd.DataFrame({"area": area_of.reindex(shared), "ref": ref_area.reindex(shared)})
    counts = pairs.dropna().groupby(["area", "ref"]).size().reset_index(name="n")
    counts = counts.sort_values(["area", "n", "ref"], ascending=[True, False, True])
    matches = counts.drop_duplicates("area").set_index("area")["ref"]
    matched = area_of.map(matches)
    right = (matched.reindex(ref_area.index) == ref_area).fillna(False).astype(bool)
    members = ref_role.index[~is_core.to_numpy(dtype=bool)]
    extra_placed = placed.index.difference(ref_area.index)
    a = areas.copy()
    a["area_id"] = a["area_id"].astype(str)
    a = a[a["area_id"].isin(set(area_of))].set_index("area_id")
    ref_areas = ref.drop_duplicates("area_id").set_index("area_id")
    ref_areas.index = ref_areas.index.astype(str)
    n_ref_areas = int(ref_areas.index.isin(set(ref_area.reindex(ref_central))).sum())

    def column(frame: pd.DataFrame, col: str, index: Any) -> pd.Series:
        if col not in frame.columns:
            return pd.Series(pd.NA, index=range(len(index)), dtype="string")
        return frame[col].reindex(index).astype("string").reset_index(drop=True)

    typed = pd.DataFrame({
        "area_id": matches.index.astype(str),
        "reference_area_id": matches.to_numpy(),
        "type": column(a, "type", matches.index),
        "reference_type": column(ref_areas, "type", matches.to_numpy()).str.lower(),
        "title": column(a, "title", matches.index),
        "reference_title": column(ref_areas, "title", matches.to_numpy()),
    })
    both = central.intersection(ref_central)
    type_ok = (typed["type"] == typed["reference_type"]).fillna(False)
    title_ok = (typed["title"] == typed["reference_title"]).fillna(False)

    def listing(codes: pd.Index) -> pd.DataFrame:
        out = pd.DataFrame({"unit_id": codes,
                            "reference_area_id": ref_area.reindex(codes).to_numpy(),
                            "reference_status": ref_role.reindex(codes).fillna("none")
                            .to_numpy()})
        for col in ("status", "rule", "area_id", "central_test"):
            if col in m.columns:
                out[col] = m[col].reindex(codes).to_numpy()
        return out

    n_areas = int(area_of.nunique())
    has_type = "type" in a.columns and "type" in ref_areas.columns
    has_title = "title" in a.columns and "title" in ref_areas.columns
    figures = {
        "reference_cores": int(len(ref_central)),
        "cores": int(len(central)),
        "cores_right": int(len(both)),
        "core_recall": len(both) / max(len(ref_central), 1),
        "core_precision": len(both) / max(len(central), 1),
        "reference_units": int(len(ref_area)),
        "units_right": int(right.sum()),
        "units_right_share": float(right.mean()) if len(right) else 0.0,
        "members_right_share": float(right.reindex(members).mean()) if len(members) else 0.0,
        "placed_outside_reference": int(len(extra_placed)),
        "areas": n_areas,
        "reference_areas": n_ref_areas,
        "areas_within_share": abs(n_areas - n_ref_areas) / max(n_ref_areas, 1),
        "matched_areas": int(len(matches)),
        "reference_areas_matched_twice": int((matches.value_counts() > 1).sum()),
        "type_right": int(type_ok.sum()) if has_type else None,
        "type_right_share": float(type_ok.mean()) if has_type and len(typed) else None,
        "title_right_share": float(title_ok.mean()) if has_title and len(typed) else None,
        "left_out": list(leave_out),
    }
    return {"figures": figures, "missed_cores": listing(ref_central.difference(central)),
            "added_cores": listing(central.difference(ref_central)), "matches": typed}


def matched_reference_areas(membership: pd.DataFrame, areas: pd.DataFrame,
                            reference: pd.DataFrame) -> dict[str, str]:
    """Derived area -> the reference area it is matched to (see :func:`compare_to_reference`)."""
    typed = compare_to_reference(membership, areas, reference)["matches"]
    return dict(zip(typed["area_id"].astype(str), typed["reference_area_id"].astype(str),
                    strict=True))


__all__ = ["CORE_STATUSES", "compare_to_reference", "matched_reference_areas"]
