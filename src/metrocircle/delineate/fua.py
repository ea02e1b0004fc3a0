"""EU-OECD functional urban areas (Dijkstra, Poelman & Veneri 2019), ``eu-fua``.

Cities are an input (``cores``: the local units of each city). The commuting zone is built as the
standard says:

1. a unit belongs to the commuting zone of a city if at least ``threshold`` (15 %) of its
   employed residents work in the city (``direction="outbound"``);
2. a unit qualifying for several cities goes to the one receiving the largest share;
3. polycentric cities: if at least 15 % of one city's employed residents work in another
   city, the two are treated as one destination (merge, ``merge="all"``);
4. enclaves (units surrounded by a single FUA) are added; non-contiguous units (exclaves) are
   dropped; the two are repeated until nothing changes.

See ``docs/methods/eu-fua.md``.
"""

from __future__ import annotations

from metrocircle.delineate._preset import GEOMETRY_PARAMS, GeometryPreset
from metrocircle.delineate.base import register, share_param


@register
class EuFua(GeometryPreset):
    """EU-OECD functional urban areas: 15 % commuting zone, enclaves added, exclaves dropped."""

    name = "eu-fua"
    params = (
        share_param(
            "threshold",
            0.15,
            "Share of a unit's employed residents working in the "
            "city that puts it in the commuting zone.",
        ),
        *GEOMETRY_PARAMS,
    )
