"""Specialisations of each unit and the collaboration view of pairs of units.

For each unit: the industries in which it is specialised (LQ above the threshold) *and* big
enough (size floors), ranked. For each pair of units: how similar their structures are (UNIDO
similarity, Krugman), the industries where both are specialised (candidates for a joint,
cross-border cluster) and those where only one is (complementarity: one can supply or host
what the other lacks).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from metrocircle.exceptions import ParameterError, Problems
from metrocircle.industry._table import INDUSTRY, UNIT_ID, activity_matrix
from metrocircle.industry.indices import (
    Reference,
    krugman,
    location_quotients,
    structure_similarity,
)

__all__ = ["collaboration", "specialisations"]


def specialisations(
    table: pd.DataFrame,
    *,
    reference: Reference = None,
    threshold: float = 1.0,
    min_size: float = 0.0,
    min_share: float = 0.0,
    min_industry_share: float = 0.0,
    top: int | None = None,
) -> pd.DataFrame:
    """Industries in which each unit is specialised and big enough, ranked by LQ.

    Parameters are those of :func:`location_quotients`; ``top`` keeps the first N per unit.

    Returns
    -------
    pandas.DataFrame
        ``unit_id, rank, industry, lq, value, share, industry_share`` for every cluster
        candidate (``lq > threshold`` and every floor met), rank 1 = highest LQ. Units with no
        candidate have no row (``collaboration`` and the CLI report them).
    """
    if top is not None and (not isinstance(top, int) or top < 1):
        raise ParameterError(
            f"The 'top' parameter of specialisations must be an int >= 1. Got {top!r}."
        )
    lq = location_quotients(
        table,
        reference=reference,
        threshold=threshold,
        min_size=min_size,
        min_share=min_share,
        min_industry_share=min_industry_share,
    )
    units = list(dict.fromkeys(lq[UNIT_ID]))
    cand = lq[lq["cluster_candidate"]].copy()
    cand["_u"] = cand[UNIT_ID].map({u: i for i, u in enumerate(units)})
    cand = cand.sort_values(["_u", "lq", INDUSTRY], ascending=[True, False, True], kind="stable")
    cand["rank"] = cand.groupby("_u").cumcount() + 1
    if top is not None:
        cand = cand[cand["rank"] <= top]
    cols = [UNIT_ID, "rank", INDUSTRY, "lq", "value", "share", "industry_share"]
    return cand[cols].reset_index(drop=True)


def collaboration(
    table: pd.DataFrame,
    *,
    reference: Reference = None,
    threshold: float = 1.0,
    min_size: float = 0.0,
    min_share: float = 0.0,
    min_industry_share: float = 0.0,
    groups: Mapping[str, str] | pd.Series | None = None,
    cross_group_only: bool = False,
    industries: list[str] | None = None,
    similar_at: float = 0.9,
) -> pd.DataFrame:
    """Pairs of units: structure similarity vs complementarity of their specialisations.

    For units a and b, with S = their cluster-candidate industries (see
    :func:`specialisations`):

    * ``shared`` = S_a ∩ S_b: both specialised and big enough — a joint (cross-border) cluster
      in that industry is plausible;
    * ``a_only`` = S_a \\ S_b and ``b_only``: complementary specialisations;
    * ``complementarity`` = |S_a Δ S_b| / |S_a ∪ S_b| in [0, 1] (1 - Jaccard; 0 when neither
      has a specialisation);
    * ``similarity`` (UNIDO cosine of structures) and ``krugman`` (pairwise, [0, 2]).

    ``relation`` sums it up, with a reason: ``"co-specialised"`` if ``shared`` is not empty;
    else ``"complementary"`` if each has a specialisation the other lacks and
    ``similarity < similar_at``; else ``"similar"`` if ``similarity >= similar_at`` (same
    structure, no shared niche: they compete for the same activities); else ``"weak"``.

    Parameters
    ----------
    table, reference, threshold, min_size, min_share, min_industry_share
        As in :func:`location_quotients`.
    groups
        Optional group of each unit (province, city...). Adds ``group_a``, ``group_b`` and
        ``cross_group``; with ``cross_group_only=True`` only pairs across groups are returned.
    industries
        Only report pairs where ``shared`` or ``a_only``/``b_only`` includes one of these
        industries (e.g. ``["C_manufacturing"]``); all pairs by default.
    similar_at
        Similarity from which two structures count as "similar" (default 0.9).
    """
    if not 0.0 <= float(similar_at) <= 1.0:
        raise ParameterError(
            "The 'similar_at' parameter of collaboration must be a float in [0, 1]. "
            f"Got {similar_at!r}."
        )
    m = activity_matrix(table)
    lq = location_quotients(
        m,
        reference=reference,
        threshold=threshold,
        min_size=min_size,
        min_share=min_share,
        min_industry_share=min_industry_share,
    )
    n_u, n_k = m.shape
    cand = lq["cluster_candidate"].to_numpy().reshape(n_u, n_k)
    names = np.asarray(m.columns, dtype=object)
    if industries is not None:
        missing = [i for i in industries if i not in set(m.columns)]
        if missing:
            p = Problems()
            p.add("industries", "not industries of the table", missing)
            p.raise_if_any()
    grp: np.ndarray | None = None
    if groups is not None:
        gser = pd.Series(groups)
        gser.index = [str(i) for i in gser.index]
        absent = [u for u in m.index if u not in gser.index]
        if absent:
            p = Problems()
            p.add("groups", "units with no group", absent)
            p.raise_if_any()
        grp = gser.reindex(list(m.index)).astype(str).to_numpy(dtype=object)
    sim = np.asarray(structure_similarity(m, pairwise=True), dtype=float)
    kru = np.asarray(krugman(m, pairwise=True), dtype=float)
    ia, ib = np.triu_indices(n_u, k=1)
    if grp is not None and cross_group_only:
        keep = grp[ia] != grp[ib]
        ia, ib = ia[keep], ib[keep]
    ca, cb = cand[ia], cand[ib]
    both = ca & cb
    a_only = ca & ~cb
    b_only = cb & ~ca
    union = (ca | cb).sum(axis=1)
    xor = (a_only | b_only).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        compl = np.where(union > 0, xor / np.where(union > 0, union, 1), 0.0)
    s = sim[ia, ib]

    def join(mask: np.ndarray) -> list[str]:
        return [";".join(names[row]) for row in mask]

    n_shared = both.sum(axis=1)
    n_a, n_b = a_only.sum(axis=1), b_only.sum(axis=1)
    relation = np.where(
        n_shared > 0,
        "co-specialised",
        np.where(
            (n_a > 0) & (n_b > 0) & (s < similar_at),
            "complementary",
            np.where(s >= similar_at, "similar", "weak"),
        ),
    )
    reason = []
    for r, ns, na, nb, sv in zip(relation, n_shared, n_a, n_b, s, strict=True):
        if r == "co-specialised":
            reason.append(f"both specialised in {ns} industr{'y' if ns == 1 else 'ies'}")
        elif r == "complementary":
            reason.append(
                f"no shared specialisation; {na} vs {nb} own ones; similarity "
                f"{sv:.3f} < {similar_at}"
            )
        elif r == "similar":
            reason.append(f"no shared specialisation; similarity {sv:.3f} >= {similar_at}")
        else:
            reason.append(
                f"no shared specialisation and not both specialised "
                f"({na} vs {nb}); similarity {sv:.3f} < {similar_at}"
            )
    units = np.asarray(m.index, dtype=object)
    out = pd.DataFrame(
        {
            "unit_a": units[ia],
            "unit_b": units[ib],
            "similarity": s,
            "krugman": kru[ia, ib],
            "n_shared": n_shared,
            "n_a_only": n_a,
            "n_b_only": n_b,
            "complementarity": compl,
            "shared": join(both),
            "a_only": join(a_only),
            "b_only": join(b_only),
            "relation": relation,
            "reason": reason,
        }
    )
    if grp is not None:
        out.insert(2, "group_a", grp[ia])
        out.insert(3, "group_b", grp[ib])
        out.insert(4, "cross_group", grp[ia] != grp[ib])
    if industries is not None:
        cols = [list(m.columns).index(i) for i in industries]
        hit = (both[:, cols] | a_only[:, cols] | b_only[:, cols]).any(axis=1)
        out = out[hit].reset_index(drop=True)
    return out
