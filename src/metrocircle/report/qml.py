"""QGIS layer styles (QML) for the GeoPackage of a run, written without QGIS.

A style is QGIS's own XML (``.qml``): a renderer (categories of a field with one symbol each,
or one symbol for all) and labels from a field. :func:`categorized` and :func:`single` build
it; :func:`metrocircle.report.gpkg.add_styles` stores it in the GeoPackage's ``layer_styles``
table as the layer's default, so QGIS opens the layer coloured and labelled. Only the parts
of the format a style needs are written; QGIS fills in its defaults for the rest (checked with
QGIS 3.22 by ``tests/report/test_qgis.py``).

Examples
--------
>>> from metrocircle.report.qml import categorized
>>> xml = categorized("status", {"core": "#b2182b", "outside": "#f0f0f0"}, geometry="polygon",
...                   label_field="name")
>>> 'type="categorizedSymbol"' in xml and 'fieldName="name"' in xml
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from xml.sax.saxutils import quoteattr

#: Symbol types by geometry.
_SYMBOL = {"polygon": "fill", "line": "line", "point": "marker"}


def _rgba(color: str, alpha: int = 255) -> str:
    c = color.lstrip("#")
    r, g, b = (int(c[k:k + 2], 16) for k in (0, 2, 4))
    return f"{r},{g},{b},{alpha}"


def _options(props: Mapping[str, str]) -> str:
    """A symbol layer's properties, as QGIS 3.22 writes them (an Option map and props)."""
    opts = "".join(f'<Option name={quoteattr(k)} type="QString" value={quoteattr(v)}/>'
                   for k, v in props.items())
    old = "".join(f"<prop k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in props.items())
    return f'<Option type="Map">{opts}</Option>{old}'


def _dd(properties: Mapping[str, str] | None = None) -> str:
    """Data-defined properties: ``{"outlineWidth": expression}``."""
    if not properties:
        inner = '<Option name="properties"/>'
    else:
        items = "".join(
            f'<Option name={quoteattr(k)} type="Map">'
            '<Option name="active" type="bool" value="true"/>'
            f'<Option name="expression" type="QString" value={quoteattr(expr)}/>'
            '<Option name="type" type="int" value="3"/></Option>'
            for k, expr in properties.items())
        inner = f'<Option name="properties" type="Map">{items}</Option>'
    return ('<data_defined_properties><Option type="Map">'
            '<Option name="name" type="QString" value=""/>'
            f'{inner}<Option name="type" type="QString" value="collection"/>'
            "</Option></data_defined_properties>")


def symbol(name: str, color: str, *, geometry: str, outline: str = "#808080",
           width: float = 0.2, fill_alpha: int = 255,
           width_expression: str | None = None) -> str:
    """One symbol: a filled polygon with an outline, a line, or a circle marker."""
    kind = _SYMBOL[geometry]
    if geometry == "polygon":
        layer_class = "SimpleFill"
        props = {"color": _rgba(color, fill_alpha), "outline_color": _rgba(outline),
                 "outline_style": "solid", "outline_width": f"{width:g}",
                 "outline_width_unit": "MM", "style": "solid" if fill_alpha else "no",
                 "joinstyle": "bevel"}
        dd = _dd()
    elif geometry == "line":
        layer_class = "SimpleLine"
        props = {"line_color": _rgba(color), "line_style": "solid",
                 "line_width": f"{width:g}", "line_width_unit": "MM", "capstyle": "round",
                 "joinstyle": "round"}
        dd = _dd({"outlineWidth": width_expression} if width_expression else None)
    else:
        layer_class = "SimpleMarker"
        props = {"color": _rgba(color), "name": "circle", "outline_color": _rgba(outline),
                 "outline_width": "0.2", "size": f"{max(width, 1.5):g}", "size_unit": "MM"}
        dd = _dd()
    return (f'<symbol name={quoteattr(name)} type="{kind}" alpha="1" clip_to_extent="1" '
            f'force_rhr="0">{_dd()}<layer class="{layer_class}" pass="0" enabled="1" '
            f'locked="0">{_options(props)}{dd}</layer></symbol>')


def labeling(field: str, *, geometry: str, size: float = 8.0, color: str = "#1a1a1a") -> str:
    """Labels from ``field`` with a white buffer: inside polygons, along lines, beside
    points."""
    placement = {"polygon": "0", "line": "2", "point": "6"}[geometry]
    return (
        '<labeling type="simple"><settings calloutType="simple">'
        f'<text-style fieldName={quoteattr(field)} isExpression="0" fontSize="{size:g}" '
        f'fontSizeUnit="Point" textColor="{_rgba(color)}" fontFamily="Sans Serif" '
        'namedStyle="Regular" fontWeight="50" textOpacity="1" blendMode="0" '
        'multilineHeight="1">'
        '<families><family name="Open Sans"/><family name="Liberation Sans"/>'
        '<family name="DejaVu Sans"/><family name="Arial"/><family name="Sans Serif"/>'
        '</families>'
        '<text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" '
        'bufferColor="255,255,255,255" bufferOpacity="0.8" bufferNoFill="1" '
        'bufferJoinStyle="128" bufferBlendMode="0"/>'
        '</text-style>'
        '<text-format wrapChar="" multilineAlign="3" formatNumbers="0" decimals="3" '
        'plussign="0" autoWrapLength="0" useMaxLineLengthForAutoWrap="1"/>'
        f'<placement placement="{placement}" placementFlags="10" dist="0" distUnits="MM" '
        'offsetType="0" quadOffset="4" xOffset="0" yOffset="0" offsetUnits="MM" '
        'priority="5" centroidInside="1" centroidWhole="0" fitInPolygonOnly="0" '
        'polygonPlacementFlags="2" repeatDistance="0" repeatDistanceUnits="MM"/>'
        '<rendering drawLabels="1" obstacle="1" obstacleType="1" obstacleFactor="1" '
        'displayAll="0" upsidedownLabels="0" labelPerPart="0" mergeLines="0" '
        'minFeatureSize="0" limitNumLabels="0" maxNumLabels="2000" scaleVisibility="0" '
        'scaleMin="0" scaleMax="0" fontLimitPixelSize="0" fontMinPixelSize="3" '
        'fontMaxPixelSize="10000" zIndex="0" unplacedVisibility="0"/>'
        '</settings></labeling>'
    )


def _document(renderer: str, label: str | None) -> str:
    labels_enabled = "1" if label else "0"
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        f'<qgis version="3.22.0" styleCategories="AllStyleCategories" '
        f'labelsEnabled="{labels_enabled}" hasScaleBasedVisibilityFlag="0" readOnly="0">\n'
        f"{renderer}\n{label or ''}\n"
        "<blendMode>0</blendMode><featureBlendMode>0</featureBlendMode>"
        "<layerOpacity>1</layerOpacity>\n</qgis>\n"
    )


def categorized(
    field: str,
    colors: Mapping[str, str],
    *,
    geometry: str,
    label_field: str | None = None,
    labels: Mapping[str, str] | None = None,
    hidden: Sequence[str] = (),
    outline: str = "#808080",
    width: float = 0.2,
    width_expression: str | None = None,
    other_color: str | None = "#e0e0e0",
    label_size: float = 8.0,
) -> str:
    """A style colouring the features by the value of ``field``: ``colors`` maps each value
    to a colour (in legend order; ``labels`` renames them in the legend), ``hidden`` values
    are listed but not drawn (tick them in QGIS's layer panel), ``other_color`` draws every
    other value (None: not drawn). ``label_field`` labels the features."""
    cats = []
    syms = []
    for k, (value, color) in enumerate(colors.items()):
        shown = "false" if value in set(hidden) else "true"
        legend = (labels or {}).get(value, value)
        cats.append(f'<category symbol="{k}" value={quoteattr(str(value))} '
                    f'label={quoteattr(str(legend))} render="{shown}"/>')
        syms.append(symbol(str(k), color, geometry=geometry, outline=outline, width=width,
                           width_expression=width_expression))
    if other_color is not None:
        k = len(cats)
        cats.append(f'<category symbol="{k}" value="" label="other" render="true"/>')
        syms.append(symbol(str(k), other_color, geometry=geometry, outline=outline,
                           width=width, width_expression=width_expression))
    renderer = (f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(field)} '
                'forceraster="0" symbollevels="0" enableorderby="0" referencescale="-1">'
                f'<categories>{"".join(cats)}</categories><symbols>{"".join(syms)}</symbols>'
                "</renderer-v2>")
    label = labeling(label_field, geometry=geometry, size=label_size) if label_field else None
    return _document(renderer, label)


def single(
    color: str,
    *,
    geometry: str,
    label_field: str | None = None,
    outline: str = "#1a1a1a",
    width: float = 0.6,
    fill_alpha: int = 0,
    label_size: float = 9.0,
) -> str:
    """A style drawing every feature with one symbol (e.g. area outlines without fill)."""
    renderer = ('<renderer-v2 type="singleSymbol" forceraster="0" symbollevels="0" '
                'enableorderby="0" referencescale="-1"><symbols>'
                f'{symbol("0", color, geometry=geometry, outline=outline, width=width, fill_alpha=fill_alpha)}'  # noqa: E501
                "</symbols></renderer-v2>")
    label = labeling(label_field, geometry=geometry, size=label_size) if label_field else None
    return _document(renderer, label)


__all__ = ["categorized", "labeling", "single", "symbol"]
