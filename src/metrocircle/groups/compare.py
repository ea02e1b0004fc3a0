"""Agreement between two partitions: adjusted Rand index and normalised mutual information.

Written here (no scikit-learn) and tested against values computed by hand.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from metrocircle.exceptions import InputError, Problem
from metrocircle.model import schema as S

Labels = Sequence[object] | np.ndarray


def _contingency(a: Labels, b: Labels) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The non-zero cells of the contingency table as ``(count, row, col)`` (sparse: memory
    grows with the units, never with ``groups_a × groups_b``)."""
    x = np.asarray(a)
    y = np.asarray(b)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"two labelings of the same length are needed; got {x.shape}, {y.shape}")
    _, xi = np.unique(x, return_inverse=True)
    _, yi = np.unique(y, return_inverse=True)
    ny = int(yi.max(initial=-1)) + 1
    cells, count = np.unique(xi.astype(np.int64) * ny + yi, return_counts=True)
    return count, cells // max(ny, 1), cells % max(ny, 1)


def _pairs(n: np.ndarray) -> float:
    n = n.astype(float)
    return float((n * (n - 1) / 2).sum())


def adjusted_rand_index(labels_a: Labels, labels_b: Labels) -> float:
    """Adjusted Rand index (Hubert & Arabie 1985) of two labelings of the same units.

    ``ARI = (Σ C(n_ij,2) − E) / (½[Σ C(a_i,2) + Σ C(b_j,2)] − E)`` with
    ``E = Σ C(a_i,2) Σ C(b_j,2) / C(n,2)``, where ``n_ij`` is the contingency table and
    ``a_i``, ``b_j`` its margins. 1 means identical partitions (up to the names of the
    groups); about 0 means chance agreement. When both labelings put every unit in one group,
    or every unit alone, the index is undefined (0/0) and 1.0 is returned.

    Examples
    --------
    >>> round(adjusted_rand_index([0, 0, 1, 1], [0, 0, 1, 2]), 4)
    0.5714
    >>> adjusted_rand_index(["a", "a", "b"], [5, 5, 7])
    1.0
    """
    count, row, col = _contingency(labels_a, labels_b)
    n = int(count.sum())
    index = _pairs(count)
    sum_a = _pairs(np.bincount(row, weights=count))
    sum_b = _pairs(np.bincount(col, weights=count))
    total = n * (n - 1) / 2
    expected = sum_a * sum_b / total if total else 0.0
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:
        return 1.0
    return float((index - expected) / (maximum - expected))


def normalized_mutual_info(labels_a: Labels, labels_b: Labels) -> float:
    """Mutual information divided by the arithmetic mean of the two entropies (0..1).

    Returns 1.0 when both labelings have a single group (both entropies are zero).

    Examples
    --------
    >>> normalized_mutual_info([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    """
    count, row, col = _contingency(labels_a, labels_b)
    p = count / count.sum()
    pa = np.bincount(row, weights=p)
    pb = np.bincount(col, weights=p)
    mi = float((p * np.log(p / (pa[row] * pb[col]))).sum())
    ha = float(-(pa[pa > 0] * np.log(pa[pa > 0])).sum())
    hb = float(-(pb[pb > 0] * np.log(pb[pb > 0])).sum())
    if ha == 0 and hb == 0:
        return 1.0
    return max(0.0, mi / ((ha + hb) / 2))


def agreement(
    membership: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    group_col: str = "group",
    reference_col: str = "area_id",
) -> dict[str, float | int]:
    """Agreement of groups with a reference partition over the units the reference lists.

    ``membership`` has ``unit_id`` and ``group_col``; ``reference`` has ``unit_id`` and
    ``reference_col`` (e.g. official areas: only the units inside one are listed, and only
    they are compared). A reference row whose label is missing is left out; a reference unit
    that ``membership`` does not have is an input problem.

    Returns ``n_units`` compared, ``n_reference`` and ``n_groups`` (labels among them),
    ``ari`` and ``nmi``.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"unit_id": list("abcde"), "group": [1, 1, 2, 2, 3]})
    >>> ref = pd.DataFrame({"unit_id": list("abcd"), "area_id": ["x", "x", "y", "y"]})
    >>> agreement(m, ref)
    {'n_units': 4, 'n_reference': 2, 'n_groups': 2, 'ari': 1.0, 'nmi': 1.0}
    """
    ref = reference[[S.UNIT_ID, reference_col]].dropna()
    ref = ref.assign(**{S.UNIT_ID: ref[S.UNIT_ID].astype(str)})
    groups = membership.assign(**{S.UNIT_ID: membership[S.UNIT_ID].astype(str)}).set_index(
        S.UNIT_ID
    )[group_col]
    unknown = sorted(set(ref[S.UNIT_ID]) - set(groups.index))
    if unknown:
        raise InputError([Problem("reference", "units not in the membership", tuple(unknown))])
    got = groups.loc[ref[S.UNIT_ID]].to_numpy()
    want = ref[reference_col].astype(str).to_numpy()
    return {
        "n_units": int(len(ref)),
        "n_reference": int(pd.unique(want).size),
        "n_groups": int(pd.unique(got).size),
        "ari": adjusted_rand_index(want, got),
        "nmi": normalized_mutual_info(want, got),
    }
