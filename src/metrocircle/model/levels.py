"""Units of several administrative levels in one table: detect them and keep the finest level.

Boundary files often carry a province and its prefectures next to their own counties (the
shipped Chongqing boundaries hold the province and Guang'an prefecture beside their districts
and counties). Used as they are, every flow, area and total would count those places twice.

A unit *contains* other units of the same table when they name it as ``parent_id``, or when
their polygons lie inside its polygon (at least 90 % of each one's area). Two units whose
polygons contain each other cover the same place twice: an error. metrocircle then uses
the finest level: the containing units are set aside, with a
:class:`~metrocircle.model.notes.Note` that names them. When the contained units cover only
part of their container (less than 95 % of its area, or of its ``population`` when there is no
geometry), neither level describes the whole study without gaps or double counting, and that
is an error naming the units.

Examples
--------
>>> import pandas as pd
>>> from metrocircle.model.levels import containers
>>> units = pd.DataFrame({"unit_id": ["50", "5001", "5002"], "parent_id": [None, "50", "50"]})
>>> containers(units)
{'50': ['5001', '5002']}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrocircle.exceptions import Problems
from metrocircle.model import schema as S
from metrocircle.model.notes import Note, add_note

#: Share of a unit's area inside another unit from which it counts as contained.
CONTAINED_SHARE = 0.9
#: Share of a container that its contained units must cover for the finest level to replace it.
COVERED_SHARE = 0.95


def _equal_area(gdf):  # noqa: ANN001, ANN202 - GeoDataFrame in and out
    if gdf.crs is not None and gdf.crs.is_geographic:
        return gdf.to_crs("EPSG:6933")  # WGS 84 / NSIDC EASE-Grid 2.0 Global (equal area)
    return gdf


def _geometry_pairs(units: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(container, contained, share of the contained unit's area inside) by polygons."""
    import shapely

    empty = np.zeros(0, dtype=np.int64)
    geom = _equal_area(units).geometry.to_numpy()
    ok = ~(shapely.is_missing(geom) | shapely.is_empty(geom)) & shapely.is_valid(geom)
    if ok.sum() < 2:
        return empty, empty, np.zeros(0)
    area = shapely.area(geom)
    points = shapely.point_on_surface(np.where(ok, geom, None))
    tree = shapely.STRtree(np.where(ok, geom, None))
    inner, outer = tree.query(points, predicate="within")
    keep = (inner != outer) & ok[inner] & ok[outer] & (area[outer] >= area[inner] * 0.999)
    inner, outer = inner[keep], outer[keep]
    if not len(inner):
        return empty, empty, np.zeros(0)
    share = shapely.area(shapely.intersection(geom[outer], geom[inner])) / area[inner]
    hit = share >= CONTAINED_SHARE
    return outer[hit], inner[hit], share[hit]


def _same_place(units: pd.DataFrame) -> list[tuple[str, str]]:
    """Pairs of units whose polygons contain each other (the same place twice)."""
    if S.GEOMETRY not in units.columns or not hasattr(units, "crs"):
        return []
    outer, inner, _ = _geometry_pairs(units)
    pairs = set(zip(outer.tolist(), inner.tolist(), strict=True))
    ids = units[S.UNIT_ID].astype(str).to_numpy(dtype=object)
    return sorted({tuple(sorted((ids[o], ids[i]))) for o, i in pairs if (i, o) in pairs})


def containers(units: pd.DataFrame) -> dict[str, list[str]]:
    """The units that contain other units of the same table, with the units they contain.

    Parameters
    ----------
    units
        A units table with ``unit_id`` (codes as text) and optionally ``parent_id`` and polygons.

    Returns
    -------
    dict
        ``{container unit_id: [contained unit_id, ...]}``, empty when the table is one level.
    """
    ids = units[S.UNIT_ID].astype("string")
    found: dict[str, set[str]] = {}
    if "parent_id" in units.columns:
        parent = units["parent_id"].astype("string")
        inside = parent.isin(ids.dropna().to_numpy(dtype=object)).fillna(False) & (
            parent != ids
        ).fillna(False)
        kids = ids[inside].to_numpy(dtype=object)
        for child, par in zip(kids, parent[inside].to_numpy(dtype=object), strict=True):
            found.setdefault(str(par), set()).add(str(child))
    if S.GEOMETRY in units.columns and hasattr(units, "crs"):
        outer, inner, _ = _geometry_pairs(units)
        pairs = set(zip(outer.tolist(), inner.tolist(), strict=True))
        arr = ids.to_numpy(dtype=object)
        for o, i in pairs:
            if (i, o) not in pairs and pd.notna(arr[o]) and pd.notna(arr[i]):
                found.setdefault(str(arr[o]), set()).add(str(arr[i]))
    return {k: sorted(v) for k, v in sorted(found.items())}


def _coverage(units: pd.DataFrame, found: dict[str, list[str]]) -> dict[str, float]:
    """Share of each container covered by the finest units it contains (NaN if unknown)."""
    ids = units[S.UNIT_ID].astype(str).to_numpy(dtype=object)
    pos = {u: i for i, u in enumerate(ids)}
    finest = {c: [u for u in kids if u not in found] for c, kids in found.items()}
    out = {c: float("nan") for c in found}
    if S.GEOMETRY in units.columns and hasattr(units, "crs"):
        import shapely

        geom = _equal_area(units).geometry.to_numpy()
        for c, kids in finest.items():
            g = geom[pos[c]]
            if g is None or shapely.is_empty(g) or not shapely.is_valid(g) or not kids:
                continue
            parts = [geom[pos[k]] for k in kids if geom[pos[k]] is not None]
            union = shapely.union_all(np.asarray(parts, dtype=object))
            out[c] = float(shapely.area(shapely.intersection(g, union)) / shapely.area(g))
        return out
    if "population" in units.columns:
        pop = pd.to_numeric(units["population"], errors="coerce").to_numpy(dtype=float)
        for c, kids in finest.items():
            whole = pop[pos[c]]
            part = np.nansum([pop[pos[k]] for k in kids]) if kids else 0.0
            if np.isfinite(whole) and whole > 0:
                out[c] = float(part / whole)
    return out


def finest_level(
    units: pd.DataFrame,
    *,
    source: str,
    problems: Problems,
    notes: list[Note] | None = None,
) -> pd.DataFrame:
    """Keep the finest level of a units table whose units contain other units of it.

    Returns ``units`` unchanged when it is one level; otherwise without the containing units
    (noted), or records a problem when the contained units do not cover their container.
    """
    same = _same_place(units)
    if same:
        shown = ", ".join(f"{a} and {b}" for a, b in same[:5])
        problems.add(
            source,
            f"units that cover the same place (their polygons contain each other): {shown}; "
            "keep one of each",
            sorted({u for pair in same for u in pair}),
        )
        return units
    found = containers(units)
    if not found:
        return units
    cover = _coverage(units, found)
    partial = {c: s for c, s in cover.items() if np.isfinite(s) and s < COVERED_SHARE}
    if partial:
        listed = "; ".join(
            f"{c} contains {', '.join(found[c][:5])}{' ...' if len(found[c]) > 5 else ''} "
            f"but they cover only {s:.0%} of it"
            for c, s in list(partial.items())[:5]
        )
        problems.add(
            source,
            "units of several levels: some units contain other units of the table "
            f"({listed}); keep one level (drop the containing units, or add the missing "
            "parts) so that no place is counted twice or left out",
            list(partial),
        )
        return units
    shown = "; ".join(
        f"{c} (contains {len(kids)}: {', '.join(kids[:3])}{' ...' if len(kids) > 3 else ''})"
        for c, kids in list(found.items())[:5]
    )
    keep = ~units[S.UNIT_ID].astype(str).isin(list(found)).to_numpy()
    add_note(
        notes,
        Note(
            "units_level",
            source,
            f"{len(found)} unit(s) contain other units of the table: {shown}. Using the "
            f"finest level: those {len(found)} set aside, {int(keep.sum())} units kept",
            {"set_aside": list(found), "contains": found, "kept": int(keep.sum())},
        ),
    )
    return units.loc[keep]


__all__ = ["containers", "finest_level"]
