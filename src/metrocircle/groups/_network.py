"""Flows as a square matrix over an ordered list of units (shared by every group method)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrocircle.exceptions import InputError, Problem
from metrocircle.model import schema as S
from metrocircle.model.validation import validate_flows


@dataclass(frozen=True)
class FlowMatrix:
    """``matrix[i, j]`` is the flow from ``unit_ids[i]`` to ``unit_ids[j]`` (diagonal included)."""

    unit_ids: list[str]
    matrix: np.ndarray

    @property
    def n(self) -> int:
        return len(self.unit_ids)


def flow_matrix(
    flows: pd.DataFrame, *, unit_ids: Sequence[str] | None = None, source: str = "flows"
) -> FlowMatrix:
    """Validate ``flows`` (``origin, destination, value``) and return them as a dense matrix.

    ``unit_ids`` fixes the units (and their order); units without any flow are kept as
    isolated nodes. Without it, the units are the sorted codes found in the flows. A code
    outside ``unit_ids`` is an input problem. The matrix is dense: the group methods are meant
    for study areas of up to a few thousand units.
    """
    clean = validate_flows(flows, universe=unit_ids, source=source)
    if S.LAYER in clean.columns and clean[S.LAYER].nunique() > 1:
        raise InputError(
            [
                Problem(
                    source,
                    "the flows have several layers "
                    f"({', '.join(sorted(map(str, clean[S.LAYER].unique())))}); "
                    "give one layer, or fuse them first (metrocircle.strength)",
                )
            ]
        )
    ids = (
        [str(u) for u in unit_ids]
        if unit_ids is not None
        else sorted(set(clean[S.ORIGIN]) | set(clean[S.DESTINATION]))
    )
    if len(ids) < 2:
        raise InputError([Problem(source, f"need at least two units, got {len(ids)}")])
    pos = pd.Index(ids)
    if pos.has_duplicates:
        raise InputError([Problem("units", "duplicate unit codes")])
    i = pos.get_indexer(clean[S.ORIGIN])
    j = pos.get_indexer(clean[S.DESTINATION])
    m = np.zeros((len(ids), len(ids)), dtype=float)
    np.add.at(m, (i, j), clean[S.VALUE].to_numpy(dtype=float))
    if not m.any():
        raise InputError([Problem(source, "every flow value is zero")])
    return FlowMatrix(ids, m)


def adjacency_matrix(
    adjacency: pd.DataFrame | None, unit_ids: Sequence[str], *, source: str = "adjacency"
) -> np.ndarray | None:
    """Symmetric boolean matrix of ``unit_a, unit_b`` pairs over ``unit_ids`` (diagonal False).

    Pairs naming a unit outside ``unit_ids`` are an input problem (one error lists them)."""
    if adjacency is None:
        return None
    missing = [c for c in S.ADJACENCY_COLUMNS if c not in adjacency.columns]
    if missing:
        raise InputError([Problem(source, f"missing column(s): {', '.join(missing)}")])
    pos = pd.Index([str(u) for u in unit_ids])
    a = pos.get_indexer(adjacency[S.UNIT_A].astype(str))
    b = pos.get_indexer(adjacency[S.UNIT_B].astype(str))
    bad = np.flatnonzero((a < 0) | (b < 0))
    if bad.size:
        codes = sorted(
            (
                set(adjacency[S.UNIT_A].astype(str).iloc[bad])
                | set(adjacency[S.UNIT_B].astype(str).iloc[bad])
            )
            - set(pos)
        )
        raise InputError(
            [
                Problem(
                    source,
                    f"{bad.size} pair(s) name units not in the flows/units: "
                    + ", ".join(codes[:10])
                    + (" ..." if len(codes) > 10 else ""),
                    tuple(int(r) + 1 for r in bad[:20]),
                )
            ]
        )
    m = np.zeros((len(pos), len(pos)), dtype=bool)
    m[a, b] = True
    m[b, a] = True
    np.fill_diagonal(m, False)
    return m
