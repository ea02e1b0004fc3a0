"""Spatial structure: roles of the units of a metropolitan area (MISSION capability 6).

Concepts, the rule table and sources are in ``docs/roles.md``. The entry points:

* :func:`indicators` - self-containment, job ratio, commuting rate and membership to the core
  (and to a second core), first contact, travel times, centrality percentile per unit;
* :func:`classify` - the role rule set (core, bridgehead, cross-border sub-centre, strategic
  fulcrum, integration zone, periphery) with the rules fired, values, margins and a policy
  overlay;
* :func:`quadrants` - centrality x dependence, a second view;
* :func:`polycentricity` - rank-size (morphological and functional), primacy and Green's
  functional polycentricity.
"""

from metrocircle.structure.classify import (
    DEFAULTS,
    PARAMS,
    ROLE_LABELS_ZH,
    ROLES,
    RoleResult,
    check_policy,
    classify,
    parse_rules,
    quadrants,
    read_policy,
)
from metrocircle.structure.indicators import indicators, percentile
from metrocircle.structure.polycentricity import (
    green_polycentricity,
    polycentricity,
    primacy,
    rank_size,
)

__all__ = [
    "DEFAULTS",
    "PARAMS",
    "ROLES",
    "ROLE_LABELS_ZH",
    "RoleResult",
    "check_policy",
    "classify",
    "green_polycentricity",
    "indicators",
    "parse_rules",
    "percentile",
    "polycentricity",
    "primacy",
    "quadrants",
    "rank_size",
    "read_policy",
]
