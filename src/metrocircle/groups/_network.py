"""Flows as a sparse square matrix over an ordered list of units (shared by every group method).

Nothing here is ``n × n`` dense: the flows are a CSR matrix with one stored entry per flow
(``O(flows)`` memory), the adjacency a CSR boolean matrix with one entry per pair and
direction. A country of 50,000 units and 2 million flows takes about 50 MB.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from metrocircle.exceptions import InputError, Problem, Problems
from metrocircle.model import schema as S
from metrocircle.model.validation import validate_flows


@dataclass(frozen=True)
class FlowMatrix:
    """``matrix[i, j]`` is the flow from ``unit_ids[i]`` to ``unit_ids[j]`` (diagonal included).

    ``matrix`` is a ``scipy.sparse.csr_array`` (float64, one stored entry per non-zero flow).
    ``external_out[i]`` is the flow from unit ``i`` to places outside the study (codes given
    as ``external``); it counts in the unit's outflow, never as a node.
    """

    unit_ids: list[str]
    matrix: sparse.csr_array
    external_out: np.ndarray

    @property
    def n(self) -> int:
        return len(self.unit_ids)

    def out_strength(self) -> np.ndarray:
        """Row sums of ``matrix`` plus the flows to external places (``O_i``)."""
        return np.asarray(self.matrix.sum(axis=1)).ravel() + self.external_out

    def in_strength(self) -> np.ndarray:
        """Column sums of ``matrix`` (``D_j``)."""
        return np.asarray(self.matrix.sum(axis=0)).ravel()


def flow_matrix(
    flows: pd.DataFrame,
    *,
    unit_ids: Sequence[str] | None = None,
    external: Sequence[str] = (),
    source: str = "flows",
) -> FlowMatrix:
    """Validate ``flows`` (``origin, destination, value``) and return them as a sparse matrix.

    ``unit_ids`` fixes the units (and their order); units without any flow are kept as
    isolated nodes. Without it, the units are the sorted codes found in the flows. A code
    outside ``unit_ids`` is an input problem, except a destination listed in ``external``
    (a place abroad): its flows are summed per origin into ``external_out``. An external
    code as an origin is a problem (its people live outside the study).
    """
    external = [str(c) for c in external]
    # codes are checked against the units below (an index lookup); only when some code is
    # unknown is the table validated again with the universe, for the full error message
    found = Problems()
    clean = validate_flows(flows, source=source, problems=found)
    if found:  # one error with every problem, unknown codes included
        validate_flows(flows, universe=unit_ids, external=external, source=source)
        found.raise_if_any()  # pragma: no cover - the call above raises
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
    ext = set(external)
    origin = clean[S.ORIGIN].to_numpy(dtype=object)
    destination = clean[S.DESTINATION].to_numpy(dtype=object)
    if ext:
        from_outside = np.flatnonzero(pd.Series(origin).isin(ext).to_numpy())
        if from_outside.size:
            raise InputError(
                [
                    Problem(
                        source,
                        "an external place (given with external=) is the origin of flows; "
                        "only destinations may be outside the study",
                        tuple(int(r) + 1 for r in from_outside),
                    )
                ]
            )
    ids = (
        [str(u) for u in unit_ids]
        if unit_ids is not None
        else sorted((set(origin) | set(destination)) - ext)
    )
    if len(ids) < 2:
        raise InputError([Problem(source, f"need at least two units, got {len(ids)}")])
    pos = pd.Index(ids, dtype=object)  # plain Python strings: fast lookups of the codes
    if pos.has_duplicates:
        raise InputError([Problem("units", "duplicate unit codes")])
    i = pos.get_indexer(origin)
    j = pos.get_indexer(destination)
    inside = j >= 0
    if (i < 0).any() or not pd.Series(destination[~inside]).isin(ext).all():
        validate_flows(flows, universe=ids, external=external, source=source)  # raises
        raise InputError([Problem(source, "codes not in the units")])  # pragma: no cover
    value = clean[S.VALUE].to_numpy(dtype=float)
    external_out = np.bincount(i[~inside], weights=value[~inside], minlength=len(ids))
    n = len(ids)
    m = sparse.csr_array((value[inside], (i[inside], j[inside])), shape=(n, n))
    m.sum_duplicates()
    m.eliminate_zeros()
    if m.nnz == 0:
        raise InputError([Problem(source, "every flow value between the units is zero")])
    return FlowMatrix(ids, m, external_out.astype(float))


def adjacency_matrix(
    adjacency: pd.DataFrame | None, unit_ids: Sequence[str], *, source: str = "adjacency"
) -> sparse.csr_array | None:
    """Symmetric sparse boolean matrix of ``unit_a, unit_b`` pairs over ``unit_ids`` (no
    diagonal).

    Pairs naming a unit outside ``unit_ids`` are an input problem (one error lists them)."""
    if adjacency is None:
        return None
    missing = [c for c in S.ADJACENCY_COLUMNS if c not in adjacency.columns]
    if missing:
        raise InputError([Problem(source, f"missing column(s): {', '.join(missing)}")])
    pos = pd.Index([str(u) for u in unit_ids], dtype=object)
    a = pos.get_indexer(adjacency[S.UNIT_A].astype(str).to_numpy(dtype=object))
    b = pos.get_indexer(adjacency[S.UNIT_B].astype(str).to_numpy(dtype=object))
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
    return symmetric_pattern(a, b, len(pos))


def symmetric_pattern(a: np.ndarray, b: np.ndarray, n: int) -> sparse.csr_array:
    """Boolean CSR matrix with ``True`` at ``(a, b)`` and ``(b, a)``, diagonal left out."""
    keep = a != b
    a, b = a[keep], b[keep]
    rows = np.concatenate([a, b])
    cols = np.concatenate([b, a])
    m = sparse.csr_array((np.ones(rows.size, dtype=bool), (rows, cols)), shape=(n, n))
    m.sum_duplicates()
    return m


def as_sparse(matrix: object) -> sparse.csr_array:
    """A dense array or any scipy sparse matrix as a float64 CSR array (no copy of a dense
    ``n × n`` is kept)."""
    if sparse.issparse(matrix):
        return sparse.csr_array(matrix, dtype=float)
    return sparse.csr_array(np.asarray(matrix, dtype=float))


def as_sparse_adjacency(adjacency: object) -> sparse.csr_array:
    """A dense or sparse symmetric adjacency as a boolean CSR array without diagonal."""
    coo = sparse.coo_array(adjacency if sparse.issparse(adjacency) else np.asarray(adjacency))
    keep = coo.data != 0
    return symmetric_pattern(coo.row[keep], coo.col[keep], coo.shape[0])
