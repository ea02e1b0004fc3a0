"""Industrial structure and collaboration between units (MISSION capability 8).

Indices on an activity table E_ik (unit x industry: employment, output, firms...), long or
wide: location quotients with size floors, UNIDO structure similarity, Krugman specialisation,
Hoover and Gini localisation, Herfindahl diversity, Ellison-Glaeser agglomeration (with
plant-level data); specialisations per unit and the collaboration view of pairs of units; the
colocation quotient on firm points. See ``docs/industry.md``.

Examples
--------
>>> from metrocircle.industry import chongqing_activity, specialisations
>>> table, reference, info = chongqing_activity()
>>> top = specialisations(table, reference=reference, min_share=0.05, top=1)
>>> top.set_index("unit_id").loc["500103", "industry"]
'L_leasing_business'
"""

from metrocircle.industry._table import activity_matrix
from metrocircle.industry.clusters import InvestmentClusters, investment_clusters
from metrocircle.industry.collaboration import collaboration, specialisations
from metrocircle.industry.colocation import ColocationResult, colocation_quotient
from metrocircle.industry.examples import chongqing_activity
from metrocircle.industry.indices import (
    ellison_glaeser,
    gini,
    herfindahl,
    hoover,
    krugman,
    location_quotients,
    plant_herfindahl,
    structure_similarity,
)

__all__ = [
    "ColocationResult",
    "InvestmentClusters",
    "activity_matrix",
    "chongqing_activity",
    "collaboration",
    "colocation_quotient",
    "ellison_glaeser",
    "gini",
    "herfindahl",
    "investment_clusters",
    "hoover",
    "krugman",
    "location_quotients",
    "plant_herfindahl",
    "specialisations",
    "structure_similarity",
]
