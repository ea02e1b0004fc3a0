"""Static maps and charts for reports: PNG and SVG with matplotlib, no tiles, no network.

Two general figures, each with a title, a legend and a caption that states where the data come
from (every figure a planner puts in a report must say that):

- :func:`choropleth`: one column of a table over unit polygons, continuous (a colour bar) or
  categorical (a legend of classes); units without a value are drawn in grey and counted in the
  caption, units of the table without a polygon are counted too.
- :func:`line_chart`: one line per group of a table, e.g. the size of each area against a
  parameter, with optional marked values (the reference value).
- :func:`flow_map`: the strongest flows between units as lines over the unit polygons.

Maps are drawn north-up in projected coordinates (:func:`map_crs` picks a UTM zone for a
region, an equal-area conic for a continent, or keeps a projected CRS given), with a scale bar
and a north arrow, and the units' names where they fit (:func:`place_labels` leaves out a label
that would overlap another and counts it in the caption).

:func:`save` writes a figure as PNG and SVG (SVG without a date, so that the same figure gives
the same file). Figures are built on :class:`matplotlib.figure.Figure`, never through pyplot's
global state, so they can be made from any thread.

Examples
--------
>>> import geopandas as gpd, pandas as pd
>>> from shapely.geometry import box
>>> from metrocircle.report.maps import choropleth
>>> cells = gpd.GeoDataFrame({"unit_id": ["a", "b"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
...                          crs=3857)
>>> fig = choropleth(cells, pd.DataFrame({"unit_id": ["a", "b"], "share": [0.2, 0.9]}),
...                  column="share", title="Share", caption="Data: example.")
>>> fig.get_suptitle()
'Share'
"""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.exceptions import InputError, Problem, require

logger = logging.getLogger(__name__)

MISSING_COLOR = "#d9d9d9"
EDGE_COLOR = "#ffffff"
OUTLINE_COLOR = "#c2185b"
CAPTION_WIDTH = 110  # characters per caption line
FORMATS = ("png", "svg")


def _figure(width: float, height: float) -> Any:
    require("matplotlib", "report")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=150, layout="constrained")


def _title(fig: Any, title: str) -> None:
    """The title above everything (the figure's, so that the layout keeps room for it)."""
    fig.suptitle(title, fontsize=11, x=0.01, ha="left")


def _caption(fig: Any, caption: str | None) -> None:
    if caption:
        text = "\n".join(textwrap.wrap(caption, CAPTION_WIDTH, break_on_hyphens=False))
        fig.supxlabel(text, fontsize=7, ha="left", x=0.01, color="#333333")


def attach(
    polygons: pd.DataFrame, table: pd.DataFrame, *, on: str = "unit_id"
) -> tuple[Any, int, int]:
    """Join ``table`` to the unit polygons on ``on``: the GeoDataFrame of every polygon with the
    table's columns, the number of table rows without a polygon and of polygons without a row.

    Raises
    ------
    InputError
        ``polygons`` has no geometry or no ``on`` column, or ``table`` has no ``on`` column.
    """
    p = []
    if "geometry" not in polygons.columns or not hasattr(polygons, "crs"):
        p.append(Problem("polygons", "maps need unit polygons (a file with geometry)"))
    for name, frame in (("polygons", polygons), ("table", table)):
        if on not in frame.columns:
            p.append(Problem(name, f"no '{on}' column to join the map on"))
    if p:
        raise InputError(p)
    ids = polygons[on].astype(str)
    keys = table[on].astype(str)
    right = table.drop(columns=[c for c in table.columns if c in polygons.columns and c != on])
    merged = polygons.assign(**{on: ids}).merge(right.assign(**{on: keys}), on=on, how="left")
    no_polygon = int((~keys.isin(set(ids))).sum())
    no_row = int((~ids.isin(set(keys))).sum())
    return merged, no_polygon, no_row


def choropleth(
    polygons: pd.DataFrame,
    table: pd.DataFrame,
    *,
    column: str,
    title: str,
    caption: str,
    legend_title: str | None = None,
    categorical: bool = False,
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
    colors: Mapping[str, str] | None = None,
    outline: Sequence[str] = (),
    outline_label: str = "",
    outline_color: str = OUTLINE_COLOR,
    crs: Any = None,
    size: tuple[float, float] = (9.0, 6.5),
    labels: Mapping[str, str] | None = None,
    label_first: Sequence[str] = (),
    decorate: bool = False,
    zoom: Sequence[str] = (),
    missing_label: str = "no value",
) -> Any:
    """A map of ``table[column]`` over the unit polygons.

    Parameters
    ----------
    polygons
        Unit polygons (a GeoDataFrame with ``unit_id``).
    table
        ``unit_id`` and ``column``.
    column
        What to colour the units by: numbers (a colour bar from ``vmin`` to ``vmax``) or, with
        ``categorical=True``, classes (a legend; ``colors`` fixes the colour of a class, and
        its order the order of the legend).
    title, caption, legend_title
        Texts; the caption says where the data come from, and the counts of units without a
        value or without a polygon are added to it.
    outline
        Units to draw with a dark outline (e.g. the cores), named ``outline_label`` in the legend.
    crs
        Draw in this coordinate reference system (e.g. ``"EPSG:5070"``, or ``"auto"`` for
        :func:`map_crs`); default: as given.
    labels
        Names to write on the units, by ``unit_id`` (:func:`place_labels`; those of
        ``label_first`` are placed first, then the larger units).
    decorate
        Draw a scale bar and a north arrow (for a projected CRS in metres).
    zoom
        Units to show again, enlarged, beside the map (e.g. small central districts), when
        they are small on it (:func:`zoom_extent`); their names are written there too.
    missing_label
        The legend's name for units without a value (e.g. "outside the area").

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.patches import Patch

    if column not in table.columns:
        raise InputError([Problem("table", f"no column {column!r} to map")])
    gdf, no_polygon, no_row = attach(polygons, table)
    if crs is not None:
        target = map_crs(gdf) if isinstance(crs, str) and crs == "auto" else crs
        gdf = gdf.to_crs(target)
    fig = _figure(*size)
    extent = zoom_extent(gdf, zoom) if len(zoom) else None
    if extent is not None:
        grid = fig.add_gridspec(2, 2, width_ratios=[2.3, 1.2], height_ratios=[1.0, 1.6])
        ax = fig.add_subplot(grid[:, 0])
        legend_ax = fig.add_subplot(grid[0, 1])
        legend_ax.set_axis_off()
        zoom_ax = fig.add_subplot(grid[1, 1])
    else:
        ax, legend_ax, zoom_ax = fig.add_subplot(), None, None
    ax.set_axis_off()
    _title(fig, title)
    values = gdf[column]
    missing = values.isna().to_numpy()
    paint = _Painter(gdf, column, missing, categorical=categorical, colors=colors, cmap=cmap,
                     vmin=vmin, vmax=vmax, outline=outline, outline_color=outline_color)
    handles = paint(ax)
    if not categorical and paint.norm is not None:
        from matplotlib.cm import ScalarMappable

        bar = fig.colorbar(ScalarMappable(norm=paint.norm, cmap=cmap), ax=ax, shrink=0.6,
                           pad=0.01)
        bar.set_label(legend_title or column, fontsize=8)
        bar.ax.tick_params(labelsize=7)
    if missing.any():
        handles.append(Patch(facecolor=MISSING_COLOR,
                             label=f"{missing_label} ({int(missing.sum())})"))
    if paint.outlined:
        handles.append(
            Patch(facecolor="none", edgecolor=outline_color, label=outline_label or "outlined")
        )
    if handles:
        (legend_ax or ax).legend(
            handles=handles,
            title=legend_title if categorical else None,
            fontsize=7,
            title_fontsize=8,
            loc="upper left",
            bbox_to_anchor=(0.0, 1.0) if legend_ax is not None else (1.0, 1.0),
            frameon=False,
        )
    notes = []
    if decorate:
        decorate_map(ax, gdf.crs)
    labelled: set[str] = set()
    if zoom_ax is not None and extent is not None:
        zoom_ax.set_xticks([])
        zoom_ax.set_yticks([])
        for side in zoom_ax.spines.values():
            side.set_edgecolor("#555555")
        x0, y0, x1, y1 = extent
        paint(zoom_ax)
        zoom_ax.set_xlabel("")
        zoom_ax.set_ylabel("")
        zoom_ax.set_aspect("equal", adjustable="box")
        zoom_ax.set_xlim(x0, x1)
        zoom_ax.set_ylim(y0, y1)
        zoom_ax.set_title("zoom on the core", fontsize=7, loc="left")
        from matplotlib.patches import Rectangle

        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, facecolor="none",
                               edgecolor="#555555", linewidth=0.8, linestyle="--", zorder=6))
        if labels:
            pts = gdf.geometry.representative_point()
            inside = gdf[(pts.x > x0) & (pts.x < x1) & (pts.y > y0) & (pts.y < y1)]
            sub = {u: labels[u] for u in inside["unit_id"] if u in labels}
            place_labels(fig, zoom_ax, inside, sub, first=label_first)
            labelled = {t.get_text() for t in zoom_ax.texts}
    if labels:
        # the names of the zoom are outside the layout: the layout settled for them holds
        place_labels(fig, ax, gdf, labels, first=label_first, settle=not labelled)
        shown = {t.get_text() for t in ax.texts} | labelled
        hidden = sum(1 for u in gdf["unit_id"] if u in labels and labels[u] not in shown)
        if hidden:
            notes.append(f"{hidden} unit name(s) left out where they would overlap")
    if no_polygon:
        notes.append(f"{no_polygon} unit(s) of the table have no polygon and are not drawn")
    if no_row and missing_label == "no value":
        notes.append(f"{no_row} polygon(s) have no row in the table (grey)")
    _caption(fig, _sentence(caption) + (" " + "; ".join(notes).capitalize() + "." if notes else ""))
    return fig


class _Painter:
    """Draws the units of a choropleth on an axes (the map, and its zoom)."""

    def __init__(self, gdf: Any, column: str, missing: Any, *, categorical: bool,
                 colors: Mapping[str, str] | None, cmap: str, vmin: float | None,
                 vmax: float | None, outline: Sequence[str], outline_color: str) -> None:
        from matplotlib.colors import Normalize

        self.gdf, self.column, self.missing = gdf, column, missing
        self.categorical, self.cmap = categorical, cmap
        self.edge = _edge(len(gdf))
        self.shown = gdf[~missing]
        self.norm = None
        self.classes: list[str] = []
        self.palette: dict[str, str] = {}
        if categorical:
            present = set(self.shown[column].astype(str))
            given = [c for c in (colors or {}) if c in present]  # the order of ``colors`` first
            self.classes = given + sorted(present - set(given))
            self.palette = _palette(self.classes, colors, cmap)
        elif len(self.shown):
            num = pd.to_numeric(self.shown[column], errors="coerce")
            self.norm = Normalize(
                vmin=float(num.min()) if vmin is None else vmin,
                vmax=float(num.max()) if vmax is None else vmax,
            )
        self.ring = gdf[gdf["unit_id"].isin({str(u) for u in outline})]
        self.outlined = bool(len(self.ring))
        self.outline_color = outline_color

    def __call__(self, ax: Any) -> list[Any]:
        from matplotlib.patches import Patch

        handles: list[Any] = []
        if self.missing.any():
            self.gdf[self.missing].plot(ax=ax, color=MISSING_COLOR, **self.edge)
        col = self.column
        if self.categorical:
            for cls in self.classes:
                part = self.shown[self.shown[col].astype(str) == cls]
                part.plot(ax=ax, color=self.palette[cls], **self.edge)
                handles.append(Patch(facecolor=self.palette[cls], label=f"{cls} ({len(part)})"))
        elif self.norm is not None:
            num = pd.to_numeric(self.shown[col], errors="coerce")
            self.shown.assign(_v=num).plot(ax=ax, column="_v", cmap=self.cmap, norm=self.norm,
                                           **self.edge)
        if self.outlined:
            ring = self.ring
            ring.boundary.plot(ax=ax, color=self.outline_color, linewidth=0.3)
            if len(ring) > 1:  # the outer edge of the outlined units, heavier
                union = ring.geometry.union_all()
                type(ring)(geometry=[union], crs=ring.crs).boundary.plot(
                    ax=ax, color=self.outline_color, linewidth=1.1)
        return handles


#: A zoom is drawn when the zoomed units span less than this share of the map's width, on a
#: map of at least ZOOM_MIN_UNITS units.
ZOOM_BELOW = 0.3
ZOOM_MIN_UNITS = 30


def zoom_extent(gdf: Any, units: Sequence[str], *, margin: float = 0.12) -> tuple | None:
    """The box (``x0, y0, x1, y1``) around ``units`` with ``margin`` of its size on each side,
    or None when they are not small on the map (wider than :data:`ZOOM_BELOW` of it) or the
    map is small (fewer than :data:`ZOOM_MIN_UNITS` units)."""
    part = gdf[gdf["unit_id"].isin({str(u) for u in units})]
    if not len(part) or len(gdf) < ZOOM_MIN_UNITS:
        return None
    minx, miny, maxx, maxy = (float(v) for v in part.total_bounds)
    ax0, ay0, ax1, ay1 = (float(v) for v in gdf.total_bounds)
    size = max(maxx - minx, maxy - miny)
    if size <= 0 or size > ZOOM_BELOW * max(ax1 - ax0, ay1 - ay0):
        return None
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half = size * (0.5 + margin)
    return (cx - half, cy - half, cx + half, cy + half)


def _number(v: float) -> str:
    """``380,000``, ``12.5``, ``0.0123``: readable in a legend."""
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def _edge(n: int) -> dict[str, Any]:
    """Unit borders: grey and visible on a map of a region, white hairlines on a map of
    thousands of units."""
    if n > 400:
        return {"edgecolor": EDGE_COLOR, "linewidth": 0.1}
    return {"edgecolor": "#9e9e9e", "linewidth": 0.3}


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?")) else text + "."


def _palette(classes: list[str], colors: Mapping[str, str] | None, cmap: str) -> dict[str, str]:
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    given = dict(colors or {})
    rest = [c for c in classes if c not in given]
    base = colormaps["tab20" if len(rest) > 10 else "tab10"]
    auto = {c: to_hex(base(k % base.N)) for k, c in enumerate(rest)}
    return {c: given.get(c, auto.get(c, MISSING_COLOR)) for c in classes}


def line_chart(
    table: pd.DataFrame,
    *,
    x: str,
    y: str,
    title: str,
    caption: str,
    group: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    marks: Mapping[str, float] | None = None,
    size: tuple[float, float] = (8.0, 5.0),
    max_groups: int = 12,
) -> Any:
    """Lines of ``y`` against ``x``, one per value of ``group`` (the first ``max_groups`` in
    the table's order; the caption says how many more there are).

    ``marks`` draws labelled vertical lines (e.g. ``{"reference": 0.25}``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    missing = [c for c in (x, y, group) if c is not None and c not in table.columns]
    if missing:
        raise InputError([Problem("table", f"no column(s) {', '.join(missing)} to chart")])
    fig = _figure(*size)
    ax = fig.add_subplot()
    _title(fig, title)
    groups = [None] if group is None else list(dict.fromkeys(table[group].tolist()))
    for g in groups[:max_groups]:
        part = table if g is None else table[table[group] == g]
        part = part.sort_values(x)
        ax.plot(part[x], part[y], marker="o", markersize=2.5, linewidth=1.2, label=g)
    for label, value in (marks or {}).items():
        ax.axvline(value, color="#555555", linestyle="--", linewidth=0.8)
        ax.annotate(
            label,
            (value, 1.0),
            xycoords=("data", "axes fraction"),
            fontsize=7,
            ha="left",
            va="top",
            xytext=(3, -3),
            textcoords="offset points",
        )
    ax.set_xlabel(xlabel or x, fontsize=9)
    ax.set_ylabel(ylabel or y, fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(True, linewidth=0.3, alpha=0.5)
    if group is not None:
        ax.legend(fontsize=7, title=group, title_fontsize=8, frameon=False, loc="best")
    more = len(groups) - max_groups
    _caption(fig, _sentence(caption) + (f" {more} more group(s) not drawn." if more > 0 else ""))
    return fig


# ---------------------------------------------------------------------------------------------
# Projection, scale bar, north arrow, labels
# ---------------------------------------------------------------------------------------------
#: Wider than this (degrees of longitude or latitude): an equal-area conic instead of UTM.
UTM_MAX_DEGREES = 12.0


def map_crs(gdf: Any) -> Any:
    """A north-up projected CRS for drawing ``gdf``: its own when it is projected, else the UTM
    zone of its centre (a region) or an Albers equal-area conic fitted to its extent (a
    continent, wider than :data:`UTM_MAX_DEGREES`).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> map_crs(gpd.GeoDataFrame(geometry=[box(106, 29, 107, 30)], crs=4326)).to_epsg()
    32648
    """
    from pyproj import CRS

    crs = CRS.from_user_input(gdf.crs) if gdf.crs is not None else None
    if crs is not None and crs.is_projected:
        return crs
    lonlat = gdf.to_crs(4326) if crs is not None else gdf
    _, miny, _, maxy = (float(v) for v in lonlat.total_bounds)
    west, width = lon_extent(lonlat)
    if width <= UTM_MAX_DEGREES and maxy - miny <= UTM_MAX_DEGREES:
        utm = lonlat.estimate_utm_crs()
        if utm is not None:
            return utm
    lon_0 = (west + width / 2 + 180.0) % 360.0 - 180.0
    lat1 = miny + (maxy - miny) / 6
    lat2 = maxy - (maxy - miny) / 6
    return CRS.from_proj4(
        f"+proj=aea +lat_0={(miny + maxy) / 2:.4f} +lon_0={lon_0:.4f} "
        f"+lat_1={lat1:.4f} +lat_2={lat2:.4f} +datum=WGS84 +units=m +no_defs"
    )


def lon_extent(lonlat: Any) -> tuple[float, float]:
    """The smallest span of longitudes holding every part of ``lonlat`` (degrees), as its
    western edge and its width: the complement of the widest gap between the parts, so that
    units on both sides of the antimeridian (the Aleutians, Fiji, Chukotka) give the span
    across it instead of the whole globe.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> lon_extent(gpd.GeoDataFrame(geometry=[box(172, 51, 180, 53), box(-180, 51, -65, 70)],
    ...                             crs=4326))
    (172.0, 123.0)
    """
    import numpy as np

    parts = lonlat.geometry.explode(index_parts=False)
    parts = parts[~parts.is_empty]
    if not len(parts):
        return -180.0, 360.0
    b = parts.bounds
    spans = sorted(zip(b["minx"].to_numpy(dtype=float) % 360.0,
                       (b["maxx"] - b["minx"]).to_numpy(dtype=float), strict=True))
    if max(w for _, w in spans) >= 180.0:
        return -180.0, 360.0
    # sweep the parts by their western edge; the widest stretch no part covers is the gap
    starts = np.array([s for s, _ in spans])
    ends = np.maximum.accumulate(np.array([s + w for s, w in spans]))
    gaps = np.append(starts[1:] - ends[:-1], starts[0] + 360.0 - ends[-1])
    k = int(np.argmax(gaps))
    if gaps[k] <= 0:
        return -180.0, 360.0
    west = starts[(k + 1) % len(starts)]
    width = 360.0 - float(gaps[k])
    return float((west + 180.0) % 360.0 - 180.0), round(width, 9)


def crs_name(crs: Any) -> str:
    """A short name of a CRS for a caption (``"WGS 84 / UTM zone 48N (EPSG:32648)"``)."""
    from pyproj import CRS

    c = CRS.from_user_input(crs)
    epsg = c.to_epsg()
    name = c.name if c.name and c.name != "unknown" else "Albers equal-area conic"
    return f"{name} (EPSG:{epsg})" if epsg else name


def _nice_length(span_m: float) -> float:
    """A round length (m) near a fifth of ``span_m``."""
    target = span_m / 5
    for km in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000):
        if km * 1000 >= target:
            return km * 1000.0
    return 5_000_000.0


def for_drawing(gdf: Any, crs: Any = "auto", *, detail: float = 4000.0) -> Any:
    """``gdf`` in ``crs`` (``"auto"``: :func:`map_crs`) with its outlines simplified to about
    1/``detail`` of the map's width: the same picture, drawn and saved several times faster
    (each unit is simplified alone, so gaps between neighbours stay below that width)."""
    target = map_crs(gdf) if isinstance(crs, str) and crs == "auto" else crs
    out = gdf.to_crs(target) if target is not None else gdf.copy()
    minx, miny, maxx, maxy = (float(v) for v in out.total_bounds)
    tolerance = max(maxx - minx, maxy - miny) / detail
    if tolerance > 0:
        out = out.set_geometry(out.geometry.simplify(tolerance, preserve_topology=True))
    return out


def decorate_map(ax: Any, crs: Any) -> None:
    """A scale bar (lower right) and a north arrow (upper right) on a map drawn in ``crs``;
    nothing when ``crs`` is not projected in metres."""
    from matplotlib.patches import Rectangle
    from pyproj import CRS

    if crs is None:
        return
    c = CRS.from_user_input(crs)
    unit = (c.axis_info[0].unit_name if c.axis_info else "").lower()
    if not c.is_projected or unit not in ("metre", "meter"):
        return
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(x1 - x0)
    height = (y1 - y0) * 0.012
    right = x1 - (x1 - x0) * 0.04
    bottom = y0 + (y1 - y0) * 0.04
    left = right - length
    for k in range(4):
        ax.add_patch(Rectangle((left + k * length / 4, bottom), length / 4, height,
                               facecolor="#222222" if k % 2 == 0 else "#ffffff",
                               edgecolor="#222222", linewidth=0.5, zorder=6))
    for x, text in ((left, "0"), (right, f"{length / 1000:g} km")):
        ax.text(x, bottom + height * 1.6, text, fontsize=6.5, ha="center", va="bottom",
                zorder=6)
    ax.annotate("N", xy=(0.97, 0.97), xytext=(0.97, 0.88), xycoords="axes fraction",
                ha="center", va="center", fontsize=8, fontweight="bold",
                arrowprops={"arrowstyle": "-|>", "color": "#222222", "linewidth": 1.0})
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def short_names(names: Mapping[str, str]) -> dict[str, str]:
    """Names for labels: a last word that at least a quarter of the names share (``District``,
    ``County``) is left out, so that more labels fit.

    >>> short_names({"a": "Yubei District", "b": "Bishan District", "c": "Hechuan"})
    {'a': 'Yubei', 'b': 'Bishan', 'c': 'Hechuan'}
    """
    words = pd.Series([str(n).split()[-1] for n in names.values() if len(str(n).split()) > 1])
    common = set(words.value_counts()[lambda v: v >= max(2, len(names) / 4)].index)
    out = {}
    for uid, name in names.items():
        parts = str(name).split()
        out[uid] = " ".join(parts[:-1]) if len(parts) > 1 and parts[-1] in common else str(name)
    return out


def place_labels(
    fig: Any,
    ax: Any,
    gdf: Any,
    names: Mapping[str, str],
    *,
    first: Sequence[str] = (),
    fontsize: float = 6.0,
    max_labels: int = 150,
    settle: bool = True,
) -> int:
    """Write ``names[unit_id]`` on each unit of ``gdf`` where it fits: at a point inside the
    unit, else just above, below, right or left of it; a label that would overlap one already
    placed is left out. Units of ``first`` are placed first, then the larger ones. Returns the
    number of names left out (all of them beyond ``max_labels`` units). ``settle=False``: the
    figure's layout is settled already (see :func:`place_texts`)."""
    shown = gdf[gdf["unit_id"].isin(set(names))]
    if not len(shown):
        return 0
    if len(shown) > max_labels:
        return len(shown)
    order = shown.assign(_first=~shown["unit_id"].isin(set(first)),
                         _size=shown.geometry.area).sort_values(["_first", "_size"],
                                                                ascending=[True, False])
    points = order.geometry.representative_point()
    items = [(pt.x, pt.y, str(names[uid]))
             for uid, pt in zip(order["unit_id"], points, strict=True)]
    return place_texts(fig, ax, items, fontsize=fontsize, settle=settle)


def place_texts(
    fig: Any,
    ax: Any,
    items: Sequence[tuple[float, float, str]],
    *,
    fontsize: float = 6.0,
    offsets: Sequence[tuple[float, float]] = ((0, 0), (0, 7), (0, -7), (9, 0), (-9, 0)),
    ha: str = "center",
    settle: bool = True,
) -> int:
    """Write each ``(x, y, text)`` (in data coordinates, in the order given) at the first of
    ``offsets`` (points) where it overlaps no text already placed and stays inside the axes;
    leave it out otherwise. Returns the number left out. The figure's layout is settled first
    (a draw without rendering), unless ``settle=False`` says it is already and nothing in the
    layout changed since."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not items:
        return 0
    if settle or not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
        fig.draw_without_rendering()  # the boxes below are where they will be
    renderer = fig.canvas.get_renderer()
    axbox = ax.get_window_extent(renderer)
    placed: list[Any] = []
    hidden = 0
    # a light box behind each name rather than a stroked halo: the text stays text in the SVG
    # (searchable, small) and draws several times faster
    box_style = {"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none",
                 "alpha": 0.65}
    for x, y, label in items:
        text = ax.annotate(label, (x, y), xytext=(0, 0), textcoords="offset points", ha=ha,
                           va="center", fontsize=fontsize, color="#111111", bbox=box_style,
                           zorder=7)
        text.set_in_layout(False)
        for dx, dy in offsets:
            text.set_position((dx, dy))
            box = text.get_window_extent(renderer).expanded(1.05, 1.1)
            inside = (box.x0 >= axbox.x0 and box.x1 <= axbox.x1 and box.y0 >= axbox.y0
                      and box.y1 <= axbox.y1)
            if inside and not any(box.overlaps(b) for b in placed):
                placed.append(box)
                break
        else:
            text.remove()
            hidden += 1
    return hidden


def flow_map(
    polygons: Any,
    flows: pd.DataFrame,
    *,
    title: str,
    caption: str,
    top: int = 40,
    color: str = "#b2182b",
    crs: Any = "auto",
    outline: Sequence[str] = (),
    outline_label: str = "",
    labels: Mapping[str, str] | None = None,
    size: tuple[float, float] = (9.0, 6.5),
    value_label: str = "value",
) -> Any:
    """The ``top`` strongest links of ``flows`` (``origin, destination, value``) as straight
    lines between the units (a point inside each), the width by value; both directions of a
    pair are added and flows within a unit left out (the caption says so).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    missing = [c for c in ("origin", "destination", "value") if c not in flows.columns]
    if missing:
        raise InputError([Problem("flows", f"no column(s) {', '.join(missing)} to map")])
    links = strongest_links(flows, top=top)
    target = map_crs(polygons) if isinstance(crs, str) and crs == "auto" else crs
    gdf = polygons.to_crs(target) if target is not None else polygons
    pts = gdf.set_index("unit_id").geometry.representative_point()
    links = links[links["a"].isin(pts.index) & links["b"].isin(pts.index)]
    fig = _figure(*size)
    ax = fig.add_subplot()
    ax.set_axis_off()
    _title(fig, title)
    gdf.plot(ax=ax, color="#f2f2f2", edgecolor="#bdbdbd", linewidth=0.3)
    handles: list[Any] = []
    if len(outline):
        ring = gdf[gdf["unit_id"].isin({str(u) for u in outline})]
        if len(ring):
            ring.plot(ax=ax, color="#fbe3e0", edgecolor="#bdbdbd", linewidth=0.3)
            handles.append(Patch(facecolor="#fbe3e0", edgecolor="#bdbdbd",
                                 label=outline_label or "outlined"))
    if len(links):
        vmax = float(links["value"].max())
        widths = 0.4 + 4.0 * np.sqrt(links["value"].to_numpy(dtype=float) / vmax)
        segs = [[(pts[a].x, pts[a].y), (pts[b].x, pts[b].y)]
                for a, b in zip(links["a"], links["b"], strict=True)]
        ax.add_collection(LineCollection(segs, linewidths=widths, colors=color, alpha=0.75,
                                         capstyle="round", zorder=4))
        ends = pts[sorted(set(links["a"]) | set(links["b"]))]
        ax.scatter([p.x for p in ends], [p.y for p in ends], s=4, color="#333333", zorder=5)
        for q in (1.0, 0.5, 0.1):
            v = vmax * q
            handles.append(Line2D([], [], color=color, alpha=0.75,
                                  linewidth=0.4 + 4.0 * np.sqrt(q), label=_number(v)))
    ax.legend(handles=handles, title=value_label, fontsize=7, title_fontsize=8,
              loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    decorate_map(ax, gdf.crs)
    notes = [f"The {len(links)} strongest of {links.attrs.get('pairs', len(links))} unit "
             "pairs (both directions added; flows within a unit left out)"]
    if labels:
        ends_ids = set(links["a"]) | set(links["b"])
        hidden = place_labels(fig, ax, gdf[gdf["unit_id"].isin(ends_ids)],
                              {k: v for k, v in labels.items() if k in ends_ids},
                              first=list(outline))
        if hidden:
            notes.append(f"{hidden} unit name(s) left out where they would overlap")
    _caption(fig, _sentence(caption) + " " + "; ".join(notes) + ".")
    return fig


def strongest_links(flows: pd.DataFrame, *, top: int) -> pd.DataFrame:
    """The ``top`` pairs of units with the largest flow, both directions added (``a, b,
    value``, ``a`` < ``b``), flows within a unit and zero flows left out; ``attrs["pairs"]``
    is the number of pairs with a flow.

    >>> f = pd.DataFrame({"origin": ["x", "y", "x"], "destination": ["y", "x", "x"],
    ...                   "value": [2.0, 1.0, 9.0]})
    >>> strongest_links(f, top=5)[["a", "b", "value"]].values.tolist()
    [['x', 'y', 3.0]]
    """
    o = flows["origin"].astype(str)
    d = flows["destination"].astype(str)
    v = pd.to_numeric(flows["value"], errors="coerce").fillna(0.0)
    keep = (o != d) & (v > 0)
    a = np.where(o < d, o, d)[keep.to_numpy()]
    b = np.where(o < d, d, o)[keep.to_numpy()]
    pairs = pd.DataFrame({"a": a, "b": b, "value": v[keep].to_numpy()})
    summed = pairs.groupby(["a", "b"], as_index=False)["value"].sum()
    out = summed.sort_values(["value", "a", "b"], ascending=[False, True, True]).head(top)
    out = out.reset_index(drop=True)
    out.attrs["pairs"] = len(summed)
    return out


def save(fig: Any, path: str | Path, *, formats: Sequence[str] = FORMATS) -> list[Path]:
    """Write ``fig`` to ``path`` with each suffix of ``formats`` (``path`` without suffix);
    the SVG carries no date, so the same figure gives the same file."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    # a first draw settles the constrained layout, then the layout is kept: every file of the
    # figure (and every save of it) has the same positions, hence the same clip-path ids in the
    # SVG, and no save computes the layout again
    FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    if fig.get_layout_engine() is not None:
        fig.set_layout_engine("none")
    written = []
    base = Path(path)
    for fmt in formats:
        target = base.with_name(f"{base.name}.{fmt}")
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        import matplotlib

        # text as text (searchable, a tenth of the size of glyphs drawn as paths)
        with matplotlib.rc_context({"svg.hashsalt": "metrocircle", "svg.fonttype": "none"}):
            fig.savefig(target, format=fmt, metadata=metadata)
        written.append(target)
    return written


def has_polygons(table: pd.DataFrame | None) -> bool:
    """Whether ``table`` carries unit polygons (a GeoDataFrame with a geometry column)."""
    return table is not None and "geometry" in table.columns and hasattr(table, "crs")


def share_bins(values: pd.Series, edges: Sequence[float] = (0, 0.5, 0.9, 0.99, 1.0)) -> pd.Series:
    """Numbers in [0, 1] as ordered class labels (``"0.9-0.99"``, ..., ``"1"`` for exactly 1),
    for categorical maps of shares and probabilities."""
    edges = list(edges)
    labels = [f"{a:g}-{b:g}" for a, b in zip(edges[:-2], edges[1:-1], strict=True)]
    labels.append(f"{edges[-2]:g}-<{edges[-1]:g}")
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    out = pd.cut(v, bins=edges, labels=labels, right=False, include_lowest=True).astype(object)
    out = np.where(v >= edges[-1], f"{edges[-1]:g}", out)
    out = np.where(np.isnan(v), None, out)
    return pd.Series(out, index=values.index, dtype=object)


__all__ = [
    "attach",
    "choropleth",
    "crs_name",
    "decorate_map",
    "flow_map",
    "for_drawing",
    "has_polygons",
    "line_chart",
    "map_crs",
    "place_labels",
    "place_texts",
    "save",
    "share_bins",
    "short_names",
    "strongest_links",
]
