"""The whole industry analysis in one call, and its files (used by ``metrocircle industry``)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from metrocircle.model.output import OutputDir

from metrocircle.industry._table import UNIT_ID, activity_matrix
from metrocircle.industry.collaboration import collaboration, specialisations
from metrocircle.industry.indices import (
    Reference,
    ellison_glaeser,
    gini,
    herfindahl,
    hoover,
    krugman,
    location_quotients,
    structure_similarity,
)

log = logging.getLogger(__name__)

__all__ = ["IndustryResult", "analyse", "write_outputs"]


@dataclass
class IndustryResult:
    """Tables of :func:`analyse` (file name stem -> DataFrame) and what was done (``info``)."""

    tables: dict[str, pd.DataFrame]
    info: dict[str, Any] = field(default_factory=dict)


def analyse(
    table: pd.DataFrame,
    *,
    reference: Reference = None,
    threshold: float = 1.0,
    min_size: float = 0.0,
    min_share: float = 0.0,
    min_industry_share: float = 0.0,
    groups: Mapping[str, str] | pd.Series | None = None,
    cross_group_only: bool = False,
    plant_herfindahl: pd.Series | pd.DataFrame | None = None,
    names: Mapping[str, str] | None = None,
    reference_name: str | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> IndustryResult:
    """Every index of :mod:`metrocircle.industry` on one activity table.

    ``names`` (unit -> name) adds name columns; ``reference_name`` describes the reference in
    ``info``. Returns the tables ``lq``, ``similarity`` (unit x unit), ``krugman`` (per unit: vs the
    reference, plus similarity to it and Herfindahl), ``krugman_pairwise``, ``localisation``
    (per industry: Hoover, Gini), ``specialisations``, ``collaboration`` and, only when plant
    Herfindahls are given, ``ellison_glaeser``; ``info`` says which were not computed and why.
    """
    step = progress or (lambda s, f: None)
    m = activity_matrix(table)
    floors: dict[str, Any] = {
        "threshold": threshold,
        "min_size": min_size,
        "min_share": min_share,
        "min_industry_share": min_industry_share,
    }
    step("location quotients", 0.1)
    lq = location_quotients(m, reference=reference, **floors)
    step("similarity and specialisation", 0.3)
    sim = structure_similarity(m).reset_index()
    kpair = krugman(m, pairwise=True).reset_index()
    per_unit = pd.DataFrame(
        {
            "krugman": krugman(m, reference=reference),
            "similarity_to_reference": structure_similarity(m, reference=reference, pairwise=False),
            "herfindahl": herfindahl(m),
            "herfindahl_normalised": herfindahl(m, normalised=True),
            "total": m.sum(axis=1),
        }
    ).reset_index()
    step("localisation", 0.5)
    loc = pd.DataFrame({"hoover": hoover(m), "gini": gini(m), "total": m.sum(axis=0)}).reset_index()
    loc["share_of_all"] = loc["total"] / loc["total"].sum()
    step("specialisations and collaboration", 0.7)
    spec = specialisations(m, reference=reference, **floors)
    collab = collaboration(
        m, reference=reference, groups=groups, cross_group_only=cross_group_only, **floors
    )
    tables = {
        "lq": lq,
        "similarity": sim,
        "krugman": per_unit,
        "krugman_pairwise": kpair,
        "localisation": loc,
        "specialisations": spec,
        "collaboration": collab,
    }
    info: dict[str, Any] = {
        "units": int(m.shape[0]),
        "industries": list(map(str, m.columns)),
        "reference": "pooled units of the table"
        if reference is None
        else (reference_name or "given industry totals"),
        "parameters": {**floors, "cross_group_only": cross_group_only},
        "blank_cells_as_zero": int(m.attrs.get("blank_cells_as_zero", 0)),
        "cluster_candidates": int(lq["cluster_candidate"].sum()),
        "units_without_candidate": sorted(set(map(str, m.index)) - set(spec[UNIT_ID].astype(str))),
        "relations": {str(k): int(v) for k, v in collab["relation"].value_counts().items()},
    }
    if plant_herfindahl is not None:
        step("Ellison-Glaeser", 0.9)
        tables["ellison_glaeser"] = ellison_glaeser(m, plant_herfindahl).reset_index()
        info["ellison_glaeser"] = "computed from the plant Herfindahls given"
    else:
        info["ellison_glaeser"] = (
            "not computed: it needs plant-level sizes (or published plant Herfindahls) per "
            "industry, which were not given"
        )
    if names:
        nm = {str(k): str(v) for k, v in names.items()}
        for key in ("lq", "specialisations", "krugman"):
            t = tables[key]
            t.insert(1, "name", t[UNIT_ID].map(nm))
        c = tables["collaboration"]
        c.insert(1, "name_a", c["unit_a"].map(nm))
        c.insert(3, "name_b", c["unit_b"].map(nm))
    step("done", 1.0)
    log.info("industry: %d units x %d industries", m.shape[0], m.shape[1])
    return IndustryResult(tables, info)


def write_outputs(result: IndustryResult, out: str | Path | OutputDir) -> list[Path]:
    """Write every table as CSV into ``out`` and return the paths.

    ``out`` is an open :class:`~metrocircle.model.output.OutputDir` (what the ``industry``
    command gives: checked before any work, written atomically, listed in ``run.json``) or a
    folder (created). Either way the CSVs are written by
    :func:`metrocircle.model.io.write_table`, so a code or name a spreadsheet would run as a
    formula is neutralised.
    """
    from metrocircle.model.io import write_table
    from metrocircle.model.output import OutputDir

    written = []
    for name, df in result.tables.items():
        if isinstance(out, OutputDir):
            written.append(out.write_table(df, f"{name}.csv"))
        else:
            written.append(write_table(df, Path(out) / f"{name}.csv"))
    return written
