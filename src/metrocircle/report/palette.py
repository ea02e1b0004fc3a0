"""The colours of every class a planner sees, one place for the maps, the charts, the HTML
report and the QGIS styles of the GeoPackage, so that a core is the same red everywhere.

- :data:`STATUS_COLORS`: delineation status (``core``, ``member``, ``outside``, and the
  statuses other methods use).
- :data:`ROLE_COLORS`: the roles of :mod:`metrocircle.structure` (``core`` ... ``periphery``).
- :func:`band_colors`: isochrone bands (``0-30``, ``30-45``, ..., ``>90``, ``unreachable``),
  from dark (near the core) to light.
- :data:`SOURCE_COLORS`: ``real`` and ``modelled`` data.
- :data:`AGREEMENT_COLORS`: a delineation against a reference scope.
- :func:`classes`: colours for classes without a fixed palette (city groups, industries).

Examples
--------
>>> from metrocircle.report.palette import STATUS_COLORS, band_colors
>>> STATUS_COLORS["core"]
'#b2182b'
>>> list(band_colors(["0-30", "30-45", ">45"]))
['0-30', '30-45', '>45']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

#: No value (a unit outside the classified area, a unit without data).
MISSING = "#e0e0e0"
#: Unit borders on maps.
EDGE = "#ffffff"
#: Outline of the core units.
CORE_OUTLINE = "#1a1a1a"

STATUS_COLORS: dict[str, str] = {
    "core": "#b2182b",
    "member": "#ef8a62",
    "enclave_filled": "#fddbc7",
    "unassigned": "#bababa",
    "excluded": "#878787",
    "outside": "#f0f0f0",
}

ROLE_COLORS: dict[str, str] = {
    "core": "#b2182b",
    "second_core": "#762a83",
    "bridgehead": "#1b7837",
    "cross_border_subcentre": "#e08214",
    "strategic_fulcrum": "#2166ac",
    "integration": "#f4a582",
    "periphery": "#d1e5f0",
}

SOURCE_COLORS: dict[str, str] = {"real": "#1b7837", "modelled": "#b35806"}

AGREEMENT_COLORS: dict[str, str] = {
    "both": "#4d9221",
    "different area": "#c51b7d",
    "delineation only": "#e9a3c9",
    "reference only": "#a1d76a",
    "outside both": "#f0f0f0",
}

#: Isochrone bands, nearest first (a sequential palette, dark near the core).
_BAND_RAMP = ("#0c2c84", "#225ea8", "#1d91c0", "#41b6c4", "#7fcdbb", "#c7e9b4", "#ffffcc")
UNREACHABLE = "#bdbdbd"

#: Classes without a fixed meaning (city groups, industries): Paul Tol's "muted" and "light"
#: schemes, readable on paper and by most colour-blind readers.
QUALITATIVE = (
    "#332288", "#88ccee", "#44aa99", "#117733", "#999933", "#ddcc77", "#cc6677", "#882255",
    "#aa4499", "#77aadd", "#ee8866", "#eedd88", "#ffaabb", "#99ddff", "#bbcc33", "#aaaa00",
)


def band_colors(bands: Iterable[str]) -> dict[str, str]:
    """Colours of isochrone bands in the order given (nearest first); ``unreachable`` grey.

    Bands are ordered by their first number (``"0-30"`` < ``"30-45"`` < ``">90"``) when they
    come from a table in no particular order: see :func:`band_order`.
    """
    out: dict[str, str] = {}
    ordered = band_order(bands)
    reach = [b for b in ordered if b != "unreachable"]
    for k, band in enumerate(reach):
        pos = 0 if len(reach) == 1 else round(k * (len(_BAND_RAMP) - 1) / (len(reach) - 1))
        out[band] = _BAND_RAMP[pos]
    if "unreachable" in ordered:
        out["unreachable"] = UNREACHABLE
    return out


def band_order(bands: Iterable[str]) -> list[str]:
    """Band labels sorted by their lower limit (``">90"`` after ``"60-90"``), unknown last."""

    def lower(label: str) -> tuple[int, float]:
        if label == "unreachable":
            return (2, 0.0)
        m = re.match(r"^\s*(>)?\s*([0-9.]+)", label)
        if m is None:
            return (1, 0.0)
        return (0, float(m.group(2)) + (0.5 if m.group(1) else 0.0))

    return sorted(dict.fromkeys(str(b) for b in bands), key=lower)


def classes(names: Iterable[object], *, fixed: Mapping[str, str] | None = None) -> dict[str, str]:
    """A colour for each class (in the order given): ``fixed`` first, then :data:`QUALITATIVE`
    in turn (repeating after 16 classes)."""
    fixed = dict(fixed or {})
    out: dict[str, str] = {}
    k = 0
    for name in dict.fromkeys(str(n) for n in names):
        if name in fixed:
            out[name] = fixed[name]
        else:
            out[name] = QUALITATIVE[k % len(QUALITATIVE)]
            k += 1
    return out


def status_colors(statuses: Iterable[object]) -> dict[str, str]:
    """Colours of the delineation statuses present, in a fixed order (core first)."""
    present = list(dict.fromkeys(str(s) for s in statuses))
    order = [s for s in STATUS_COLORS if s in present] + [s for s in present
                                                          if s not in STATUS_COLORS]
    return classes(order, fixed=STATUS_COLORS)


def role_colors(roles: Iterable[object]) -> dict[str, str]:
    """Colours of the roles present, in the order of :data:`ROLE_COLORS` (core first)."""
    present = list(dict.fromkeys(str(s) for s in roles))
    order = [r for r in ROLE_COLORS if r in present] + [r for r in present
                                                        if r not in ROLE_COLORS]
    return classes(order, fixed=ROLE_COLORS)


__all__ = [
    "AGREEMENT_COLORS",
    "CORE_OUTLINE",
    "EDGE",
    "MISSING",
    "QUALITATIVE",
    "ROLE_COLORS",
    "SOURCE_COLORS",
    "STATUS_COLORS",
    "band_colors",
    "band_order",
    "classes",
    "role_colors",
    "status_colors",
]
