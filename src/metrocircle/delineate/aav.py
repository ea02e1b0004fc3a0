"""INSEE aires d'attraction des villes (2020), ``fr-aav``.

Pôles are an input (``cores``). As INSEE defines the zoning:

1. the couronne is the communes of which at least ``threshold`` (15 %) of the employed residents
   (actifs occupés) work in the pôle; there is no cascading (a commune drawn to a couronne
   commune is not included);
2. a commune drawn to several pôles goes to the one receiving the largest share;
3. if a pôle sends at least 15 % of its employed residents to another pôle, the two are
   associated and form the core of one aire together (merge);
4. an aire is "d'un seul tenant et sans enclave": communes entirely enclosed by one aire are
   attached to it, communes between a couronne and the sea or a border (``edge``) and communes
   enclosed by two aires stay outside, non-contiguous communes are removed; this is iterated
   until stable.

INSEE's partial-enclave ratio (share of a commune's perimeter touching the couronne) is not
applied: it needs boundary lengths, see ``docs/methods/fr-aav.md``.
"""

from __future__ import annotations

from metrocircle.delineate._preset import GEOMETRY_PARAMS, GeometryPreset
from metrocircle.delineate.base import register, share_param


@register
class FrAav(GeometryPreset):
    """INSEE aires d'attraction des villes: 15 % to the pôle, associated pôles, no enclave."""

    name = "fr-aav"
    params = (
        share_param(
            "threshold",
            0.15,
            "Share of a commune's employed residents working in the "
            "pôle that puts it in the couronne.",
        ),
        *GEOMETRY_PARAMS,
    )
