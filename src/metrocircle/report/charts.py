"""Charts of a run for reports: why each unit is in or out, the fusion weights, the figures of
the area against a comparison scope. Drawn with matplotlib like :mod:`metrocircle.report.maps`
(a title, a caption stating the data's source, PNG and SVG through
:func:`metrocircle.report.maps.save`).

- :func:`reasons_chart`: each unit's tested value (commuting rate, fused membership) against
  its minutes to the core, coloured by status, with the thresholds drawn: the reason for every
  unit at a glance.
- :func:`weights_chart`: the weight of each layer in the fused index, coloured by real or
  modelled.
- :func:`comparison_chart`: small multiples of indicators, one bar per area or scope.

Examples
--------
>>> import pandas as pd
>>> from metrocircle.report.charts import weights_chart
>>> w = pd.DataFrame({"layer": ["a", "b"], "kind": ["commuting", "other"],
...                   "source": ["real", "modelled"], "weight": [0.6, 0.4]})
>>> weights_chart(w, title="Weights", caption="Data: example.").get_suptitle()
'Weights'
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.exceptions import InputError, Problem
from metrocircle.report import maps as M
from metrocircle.report.palette import SOURCE_COLORS, status_colors


def reasons_chart(
    membership: pd.DataFrame,
    *,
    x: pd.Series,
    title: str,
    caption: str,
    xlabel: str,
    y: str = "value",
    ylabel: str = "value tested by the rule",
    thresholds: Mapping[str, float] | None = None,
    max_x: float | None = None,
    max_x_label: str = "",
    names: Mapping[str, str] | None = None,
    log_x: bool = False,
    size: tuple[float, float] = (9.0, 6.0),
) -> Any:
    """Each unit's ``y`` (default ``value``; from ``membership``: ``unit_id, status, value[,
    threshold]``) against ``x`` (by ``unit_id``: minutes to the core, or another measure), one
    colour per status.

    Horizontal lines mark ``thresholds`` (label -> value; default: the distinct values of the
    ``threshold`` column) and a vertical line ``max_x`` (e.g. the travel-time limit). Units
    without a value (the cores) are not drawn, units without ``x`` are drawn at the right edge;
    the caption counts both. The value axis is a square-root scale, so that small shares near
    a low threshold stay apart. ``names`` labels the units where the labels fit.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.lines import Line2D

    missing = [c for c in ("unit_id", "status", y) if c not in membership.columns]
    if missing:
        raise InputError([Problem("membership", f"no column(s) {', '.join(missing)} to chart")])
    m = membership.copy()
    m["value"] = pd.to_numeric(m[y], errors="coerce")
    m["_x"] = pd.to_numeric(m["unit_id"].map(x), errors="coerce")
    no_value = m["value"].isna()
    drawn = m[~no_value].copy()
    no_x = drawn["_x"].isna()
    finite = drawn.loc[~no_x, "_x"]
    right = float(finite.max()) if len(finite) else 1.0
    if max_x is not None:
        right = max(right, float(max_x))
    edge = right * (1.5 if log_x else 1.08) if right > 0 else 1.0
    drawn.loc[no_x, "_x"] = edge
    fig = M._figure(*size)
    ax = fig.add_subplot()
    M._title(fig, title)
    ax.set_yscale("function", functions=(_sqrt, np.square))
    if log_x:
        ax.set_xscale("log")
    palette = status_colors(drawn["status"].astype(str))
    handles = []
    for status, color in palette.items():
        part = drawn[drawn["status"].astype(str) == status]
        if not len(part):
            continue
        ax.scatter(part["_x"], part["value"].clip(lower=0), s=22, color=color,
                   edgecolor="#444444", linewidth=0.4, zorder=4)
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=5, color=color,
                              markeredgecolor="#444444", label=f"{status} ({len(part)})"))
    if thresholds is None and y == "value" and "threshold" in m.columns:
        values = pd.to_numeric(m["threshold"], errors="coerce").dropna().unique()
        thresholds = {f"threshold {v:g}": float(v) for v in sorted(values)}
    for label, value in (thresholds or {}).items():
        ax.axhline(value, color="#555555", linestyle="--", linewidth=0.8, zorder=2)
        ax.annotate(f"{label} = {value:.3g}", (1.0, value), xycoords=("axes fraction", "data"),
                    xytext=(-3, 2), textcoords="offset points", ha="right", va="bottom",
                    fontsize=7, color="#333333")
    if max_x is not None:
        ax.axvline(max_x, color="#555555", linestyle=":", linewidth=1.0, zorder=2)
        ax.annotate(max_x_label or f"{max_x:g}", (max_x, 1.0),
                    xycoords=("data", "axes fraction"), xytext=(3, -3),
                    textcoords="offset points", ha="left", va="top", fontsize=7,
                    color="#333333")
    if no_x.any():
        ax.axvline(edge, color="#bdbdbd", linewidth=6, alpha=0.4, zorder=1)
    top = float(drawn["value"].max()) if len(drawn) else 1.0
    ax.set_ylim(0, max(top, *(thresholds or {0: 0}).values()) * 1.08 or 1.0)
    ax.set_xlim(left=(None if log_x else 0))
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel(ylabel + " (square-root scale)", fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(True, linewidth=0.3, alpha=0.5)
    ax.legend(handles=handles, title="status", fontsize=7, title_fontsize=8,
              loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    notes = []
    if no_value.any():
        notes.append(f"{int(no_value.sum())} unit(s) without a tested value (the cores) are "
                     "not drawn")
    if no_x.any():
        notes.append(f"{int(no_x.sum())} unit(s) without {xlabel.split(' (')[0]} are drawn at "
                     "the right edge (grey band)")
    hidden = 0
    if names and len(drawn) <= 150:
        order = drawn.assign(_a=drawn["value"].abs()).sort_values("_a", ascending=False)
        order = order[order["value"] > 0]
        items = [(float(xv), float(v), str(names.get(u, u)))
                 for u, xv, v in zip(order["unit_id"], order["_x"], order["value"], strict=True)]
        hidden = M.place_texts(fig, ax, items, fontsize=5.5,
                               offsets=((4, 4), (4, -4), (-4, 4), (-4, -4)), ha="left")
    if hidden:
        notes.append(f"{hidden} name(s) left out where they would overlap")
    M._caption(fig, M._sentence(caption) + ("" if not notes else
                                            " " + "; ".join(notes).capitalize() + "."))
    return fig


def _sqrt(v: Any) -> Any:
    return np.sqrt(np.clip(v, 0, None))


def weights_chart(
    weights: pd.DataFrame,
    *,
    title: str,
    caption: str,
    size: tuple[float, float] = (8.0, 3.6),
) -> Any:
    """Horizontal bars of ``weight`` by ``layer``, coloured by ``source`` (real or modelled),
    each labelled with its kind and weight.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.patches import Patch

    missing = [c for c in ("layer", "weight") if c not in weights.columns]
    if missing:
        raise InputError([Problem("weights", f"no column(s) {', '.join(missing)} to chart")])
    w = weights.copy()
    w["weight"] = pd.to_numeric(w["weight"], errors="coerce").fillna(0.0)
    w = w.iloc[::-1]
    source = w["source"].astype(str) if "source" in w.columns else pd.Series("", index=w.index)
    kind = w["kind"].astype(str) if "kind" in w.columns else pd.Series("", index=w.index)
    colors = [SOURCE_COLORS.get(s, "#777777") for s in source]
    fig = M._figure(*(size[0], max(size[1], 0.5 * len(w) + 1.6)))
    ax = fig.add_subplot()
    M._title(fig, title)
    ylabels = [f"{lay}\n{k}, {s}" for lay, k, s in zip(w["layer"], kind, source, strict=True)]
    ax.barh(range(len(w)), w["weight"], color=colors, edgecolor="#333333", linewidth=0.4)
    for k, v in enumerate(w["weight"]):
        ax.annotate(f"{v:.3f}", (v, k), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=8)
    ax.set_yticks(range(len(w)), ylabels, fontsize=8)
    ax.set_xlim(0, max(1.0, float(w["weight"].max()) * 1.15) if len(w) else 1.0)
    ax.set_xlabel("weight in the fused index (the weights add up to 1)", fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(True, axis="x", linewidth=0.3, alpha=0.5)
    present = [s for s in SOURCE_COLORS if s in set(source)]
    ax.legend(handles=[Patch(facecolor=SOURCE_COLORS[s], label=s) for s in present],
              title="data", fontsize=7, title_fontsize=8, loc="lower right", frameon=False)
    M._caption(fig, caption)
    return fig


def comparison_chart(
    table: pd.DataFrame,
    *,
    label: str,
    indicators: Sequence[tuple[str, str, str]],
    title: str,
    caption: str,
    colors: Sequence[str] = ("#b2182b", "#4d4d4d", "#4393c3", "#92c5de"),
    size: tuple[float, float] = (9.0, 5.5),
) -> Any:
    """Small multiples: one panel per indicator (``(column, title, format)`` with ``format``
    ``"pct"``, ``"int"`` or ``"num"``), one bar per row of ``table`` named by ``label``.
    Indicators no row has are left out.

    Returns
    -------
    matplotlib.figure.Figure
    """
    shown = [(c, t, f) for c, t, f in indicators
             if c in table.columns and pd.to_numeric(table[c], errors="coerce").notna().any()]
    if not shown:
        raise InputError([Problem("indicators", "none of the indicators to chart is there")])
    ncols = 3 if len(shown) in (5, 6, 9) else min(4, len(shown))
    nrows = int(np.ceil(len(shown) / ncols))
    fig = M._figure(size[0], max(size[1], 2.3 * nrows + 1.0))
    M._title(fig, title)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    names = table[label].astype(str).tolist()
    bar_colors = [colors[k % len(colors)] for k in range(len(names))]
    for k, (col, heading, fmt) in enumerate(shown):
        ax = axes[k // ncols][k % ncols]
        values = pd.to_numeric(table[col], errors="coerce")
        ax.bar(range(len(names)), values.fillna(0.0), color=bar_colors, edgecolor="#333333",
               linewidth=0.4)
        for j, v in enumerate(values):
            ax.annotate(_fmt(v, fmt), (j, 0 if pd.isna(v) else v), xytext=(0, 2),
                        textcoords="offset points", ha="center", va="bottom", fontsize=6.5)
        ax.set_title(heading, fontsize=8)
        ax.set_xticks(range(len(names)), [textwrap.fill(n, 16) for n in names], fontsize=6.5)
        ax.tick_params(labelsize=6.5)
        top = float(values.max()) if values.notna().any() else 1.0
        ax.set_ylim(0, top * 1.25 if top > 0 else 1.0)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if fmt == "pct":
            ax.yaxis.set_major_formatter(lambda v, _pos: f"{100 * v:.0f} %")
        else:
            ax.yaxis.set_major_formatter(lambda v, _pos: _short(v))
    for k in range(len(shown), nrows * ncols):
        axes[k // ncols][k % ncols].set_axis_off()
    M._caption(fig, caption)
    return fig


def _short(v: float) -> str:
    """Axis numbers: ``15 M``, ``35 k``, ``0.5``."""
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:g} G"
    if a >= 1e6:
        return f"{v / 1e6:g} M"
    if a >= 1e4:
        return f"{v / 1e3:g} k"
    return f"{v:g}"


def _fmt(v: Any, fmt: str) -> str:
    if v is None or pd.isna(v):
        return "n/a"
    if fmt == "pct":
        return f"{100 * float(v):.1f} %"
    if fmt == "int":
        return f"{float(v):,.0f}"
    return f"{float(v):,.0f}" if abs(float(v)) >= 100 else f"{float(v):.3g}"


__all__ = ["comparison_chart", "reasons_chart", "weights_chart"]
