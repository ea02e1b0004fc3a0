"""Static maps and charts for reports: PNG and SVG with matplotlib, no tiles, no network.

Two general figures, each with a title, a legend and a caption that states where the data come
from (every figure a planner puts in a report must say that):

- :func:`choropleth`: one column of a table over unit polygons, continuous (a colour bar) or
  categorical (a legend of classes); units without a value are drawn in grey and counted in the
  caption, units of the table without a polygon are counted too.
- :func:`line_chart`: one line per group of a table, e.g. the size of each area against a
  parameter, with optional marked values (the reference value).

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
        text = "\n".join(textwrap.wrap(caption, CAPTION_WIDTH))
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
    crs: Any = None,
    size: tuple[float, float] = (9.0, 6.5),
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
        Draw in this coordinate reference system (e.g. ``"EPSG:5070"``); default: as given.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.colors import Normalize
    from matplotlib.patches import Patch

    if column not in table.columns:
        raise InputError([Problem("table", f"no column {column!r} to map")])
    gdf, no_polygon, no_row = attach(polygons, table)
    if crs is not None:
        gdf = gdf.to_crs(crs)
    fig = _figure(*size)
    ax = fig.add_subplot()
    ax.set_axis_off()
    _title(fig, title)
    values = gdf[column]
    missing = values.isna().to_numpy()
    if missing.any():
        gdf[missing].plot(ax=ax, color=MISSING_COLOR, edgecolor=EDGE_COLOR, linewidth=0.1)
    shown = gdf[~missing]
    handles: list[Any] = []
    if categorical:
        present = set(shown[column].astype(str))
        given = [c for c in (colors or {}) if c in present]  # the order of ``colors`` first
        classes = given + sorted(present - set(given))
        palette = _palette(classes, colors, cmap)
        for cls in classes:
            part = shown[shown[column].astype(str) == cls]
            part.plot(ax=ax, color=palette[cls], edgecolor=EDGE_COLOR, linewidth=0.1)
            handles.append(Patch(facecolor=palette[cls], label=f"{cls} ({len(part)})"))
    elif len(shown):
        num = pd.to_numeric(shown[column], errors="coerce")
        norm = Normalize(
            vmin=float(num.min()) if vmin is None else vmin,
            vmax=float(num.max()) if vmax is None else vmax,
        )
        shown.assign(_v=num).plot(
            ax=ax, column="_v", cmap=cmap, norm=norm, edgecolor=EDGE_COLOR, linewidth=0.1
        )
        from matplotlib.cm import ScalarMappable

        bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.6, pad=0.01)
        bar.set_label(legend_title or column, fontsize=8)
        bar.ax.tick_params(labelsize=7)
    if missing.any():
        handles.append(Patch(facecolor=MISSING_COLOR, label=f"no value ({int(missing.sum())})"))
    if len(outline):
        ring = gdf[gdf["unit_id"].isin({str(u) for u in outline})]
        if len(ring):
            ring.boundary.plot(ax=ax, color=OUTLINE_COLOR, linewidth=0.3)
            handles.append(
                Patch(facecolor="none", edgecolor=OUTLINE_COLOR, label=outline_label or "outlined")
            )
    if handles:
        ax.legend(
            handles=handles,
            title=legend_title if categorical else None,
            fontsize=7,
            title_fontsize=8,
            loc="lower left",
            frameon=False,
        )
    notes = []
    if no_polygon:
        notes.append(f"{no_polygon} unit(s) of the table have no polygon and are not drawn")
    if no_row:
        notes.append(f"{no_row} polygon(s) have no row in the table (grey)")
    _caption(fig, _sentence(caption) + (" " + "; ".join(notes).capitalize() + "." if notes else ""))
    return fig


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


def save(fig: Any, path: str | Path, *, formats: Sequence[str] = FORMATS) -> list[Path]:
    """Write ``fig`` to ``path`` with each suffix of ``formats`` (``path`` without suffix);
    the SVG carries no date, so the same figure gives the same file."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    written = []
    base = Path(path)
    for fmt in formats:
        target = base.with_name(f"{base.name}.{fmt}")
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        import matplotlib

        with matplotlib.rc_context({"svg.hashsalt": "metrocircle"}):
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


__all__ = ["attach", "choropleth", "has_polygons", "line_chart", "save", "share_bins"]
