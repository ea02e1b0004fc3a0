"""Economic-connection strength between units (MISSION capability 4).

Concepts, formulas and sources are in ``docs/strength.md``. The entry points:

* :func:`gravity` - modified gravity model with a directional coefficient and travel time;
* :func:`flow_shares`, :func:`dominant_flows`, :func:`reciprocal_pairs` - flow-based measures;
* :func:`fuse` (with :func:`entropy_weights`, :func:`ahp_weights`) - several link layers into
  one index;
* :func:`membership` - membership degree of each unit to each core;
* :func:`investment_network` - the enterprise-investment network from investment records;
* :func:`spatial_interaction` - production-, attraction- or doubly-constrained gravity flows;
* :func:`centrality` - strength, PageRank, betweenness, dominance and link entropy.

Every function takes and returns long link tables (``origin, destination, value|strength``)
with unit codes as strings.
"""

from metrocircle.strength.centrality import CentralityResult, centrality, link_entropy
from metrocircle.strength.flows import dominant_flows, flow_shares, reciprocal_pairs
from metrocircle.strength.fusion import (
    SAATY_RI,
    AHPResult,
    FusionResult,
    ahp_weights,
    entropy_weights,
    fuse,
)
from metrocircle.strength.gravity import gravity
from metrocircle.strength.interaction import spatial_interaction
from metrocircle.strength.investment import InvestmentNetwork, investment_network
from metrocircle.strength.membership import membership

__all__ = [
    "SAATY_RI",
    "AHPResult",
    "CentralityResult",
    "FusionResult",
    "InvestmentNetwork",
    "ahp_weights",
    "centrality",
    "dominant_flows",
    "entropy_weights",
    "flow_shares",
    "fuse",
    "gravity",
    "investment_network",
    "link_entropy",
    "membership",
    "reciprocal_pairs",
    "spatial_interaction",
]
