"""City groups and functional regions: community detection on flow networks of units.

``find_groups(flows, method=...)`` runs Leiden (directed modularity), Infomap (map equation)
or Intramax (Masser & Brown hierarchical merging), then splits groups into spatially
connected parts, merges small fragments into the neighbour with the strongest flow, and
reports modularity, self-containment per group and stability over seeds. Every structure is
sparse (memory in proportion to the flows and adjacency pairs, never units x units). See
``docs/groups.md``.
"""

from metrocircle.groups.api import (
    METHODS,
    PARAMS,
    GroupResult,
    find_groups,
    group_table,
    infomap,
    intramax,
    leiden,
    parse_params,
)
from metrocircle.groups.community import directed_modularity
from metrocircle.groups.compare import adjusted_rand_index, agreement, normalized_mutual_info
from metrocircle.groups.intramax import intramax_hierarchy, intramax_labels, intramax_merges

__all__ = [
    "METHODS",
    "PARAMS",
    "GroupResult",
    "adjusted_rand_index",
    "agreement",
    "directed_modularity",
    "find_groups",
    "group_table",
    "infomap",
    "intramax",
    "intramax_hierarchy",
    "intramax_labels",
    "intramax_merges",
    "leiden",
    "normalized_mutual_info",
    "parse_params",
]
