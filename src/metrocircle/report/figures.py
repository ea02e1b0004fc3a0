"""Every map and chart of a run, drawn from its run folder into ``maps/``.

:func:`draw_figures` draws what the folder holds and says why it left anything out: a project
without boundaries gets the charts and no maps, a run without the access step no isochrone map.
Each figure's caption states where its data come from: the kind and source (real or modelled)
of every flow layer it uses, from ``run.json``, and the inputs' notes.

Examples
--------
>>> from metrocircle.report.folder import RunFolder
>>> from metrocircle.report.figures import draw_figures
>>> drawn, notes = draw_figures(RunFolder("out/demo"), "out/demo/maps")  # doctest: +SKIP
>>> [f.name for f in drawn][:3]                                          # doctest: +SKIP
['area', 'reasons', 'roles']
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from metrocircle.report import charts as C
from metrocircle.report import maps as M
from metrocircle.report import palette as P
from metrocircle.report.folder import RunFolder

log = logging.getLogger(__name__)

#: Flow lines drawn per map.
TOP_FLOWS = 40


@dataclass
class Drawn:
    """One figure written to ``maps/``: its file stem, kind (``map`` or ``chart``), title,
    caption (with the data's source) and files (PNG first)."""

    name: str
    kind: str
    title: str
    caption: str
    files: list[Path] = field(default_factory=list)

    @property
    def png(self) -> Path:
        return next(f for f in self.files if f.suffix == ".png")


def source_text(label: dict[str, Any]) -> str:
    """``layer 'commuting' (commuting, modelled: home-to-work flows from ...)``."""
    note = str(label.get("note") or "").strip().rstrip(".")
    inner = f"{label.get('kind', 'other')}, {str(label.get('source', 'unknown')).upper()}"
    return f"layer '{label.get('layer')}' ({inner}{': ' + note if note else ''})"


class _Figures:
    def __init__(self, folder: RunFolder, out: Path, formats: Sequence[str],
                 top_flows: int) -> None:
        self.f = folder
        self.out = out
        self.formats = tuple(formats)
        self.top_flows = top_flows
        self.drawn: list[Drawn] = []
        self.notes: list[str] = []
        self.crs = M.map_crs(folder.polygons) if folder.polygons is not None else None
        self.poly = (M.for_drawing(folder.polygons, self.crs) if folder.polygons is not None
                     else None)
        self.names = M.short_names(folder.names.to_dict()) if len(folder.names) else {}
        self.boundaries_note = self._input_note("boundaries", "unit boundaries")

    # -- helpers ---------------------------------------------------------------------------
    def _input_note(self, name: str, what: str) -> str:
        for item in self.f.input_notes():
            if item["input"] == name:
                note = item["note"].rstrip(".")
                src = item["source"].upper()
                return f"{what}: {note} ({src})" if note else f"{what} ({src})"
        return ""

    def _map_caption(self, *parts: str) -> str:
        bits = [_cap(p.strip().rstrip(".")) for p in parts if p and p.strip()]
        if self.boundaries_note:
            bits.append(self.boundaries_note[0].upper() + self.boundaries_note[1:])
        if self.crs is not None:
            bits.append(f"Projection: {M.crs_name(self.crs)}, north up")
        return ". ".join(bits) + "."

    def _save(self, fig: Any, name: str, kind: str, title: str) -> None:
        caption = fig._supxlabel.get_text().replace("\n", " ") if fig._supxlabel else ""
        files = M.save(fig, self.out / name, formats=self.formats)
        self.drawn.append(Drawn(name, kind, title, caption, files))
        log.info("drew %s", name)

    def _run(self, name: str, draw: Callable[[], None]) -> None:
        try:
            draw()
        except Exception as err:  # a figure that cannot be drawn is reported, not fatal
            log.warning("figure %s not drawn: %s", name, err, exc_info=True)
            self.notes.append(f"The figure '{name}' could not be drawn: {err}.")

    def _map(self, name: str, table: pd.DataFrame, column: str, *, title: str, caption: str,
             **kw: Any) -> None:
        kw.setdefault("labels", self.names)
        kw.setdefault("label_first", self.f.cores)
        kw.setdefault("outline", self.f.cores)
        kw.setdefault("outline_label", "core units (outlined)")
        kw.setdefault("outline_color", P.CORE_OUTLINE)
        kw.setdefault("zoom", self.f.cores)
        fig = M.choropleth(self.poly, table, column=column, title=title, caption=caption,
                           decorate=True, **kw)
        self._save(fig, name, "map", title)

    # -- the figures -----------------------------------------------------------------------
    def all(self) -> None:
        if self.poly is None:
            self.notes.append(
                "No maps: the run folder has no unit polygons (the project declares no "
                "[inputs.boundaries], or geopandas is not installed). The charts and tables "
                "below are complete.")
        else:
            self._run("area", self.area)
            self._run("comparison", self.comparison)
            self._run("roles", self.roles)
            self._run("isochrones", self.isochrones)
            self._run("membership_degree", self.membership_degree)
            self._run("flows", self.flows)
            self._run("groups", self.groups)
            self._run("industry", self.industry)
        self._run("reasons", self.reasons)
        self._run("weights", self.weights)
        self._run("indicators", self.indicators)

    def _delineation_source(self) -> str:
        info = self.f.step_info("delineation")
        layers = info.get("layers") or []
        srcs = "; ".join(source_text(lab) for lab in layers)
        return f"Delineation '{info.get('method', '?')}' on {srcs}" if srcs else ""

    def area(self) -> None:
        m = self.f.table("membership.csv")
        if m is None:
            self.notes.append("No area map: the run has no delineation (membership.csv).")
            return
        areas = m["area_id"].dropna().nunique()
        title = (f"The metropolitan area: {areas} area(s), units by status" if areas != 1 else
                 f"The metropolitan area '{m['area_id'].dropna().iloc[0]}': units by status")
        self._map("area", m, "status", categorical=True, title=title,
                  colors=P.status_colors(m["status"].astype(str)), legend_title="status",
                  caption=self._map_caption(self._delineation_source()))

    def comparison(self) -> None:
        c = self.f.table("delineation/comparison.csv")
        if c is None:
            return
        ref = self._reference_name()
        cmp = c.assign(agreement=c["agreement"].astype(str).str.replace(
            "reference", ref, regex=False))
        colors = {k.replace("reference", ref): v for k, v in P.AGREEMENT_COLORS.items()}
        self._map("comparison", cmp, "agreement", categorical=True, colors=colors,
                  title=f"The delineation against {ref}", legend_title="in",
                  caption=self._map_caption(self._delineation_source(),
                                            self._input_note("reference", ref)))

    def _reference_name(self) -> str:
        ref = ((self.f.record.get("parameters") or {}).get("inputs") or {}).get("reference")
        if isinstance(ref, dict) and ref.get("name"):
            return str(ref["name"])
        return "the reference"

    def roles(self) -> None:
        r = self.f.table("roles.csv")
        if r is None:
            self.notes.append("No roles map: the project has no [steps.roles].")
            return
        info = self.f.step_info("roles")
        layers = info.get("layers") or {}
        srcs = "; ".join(source_text(lab) for lab in layers.values() if isinstance(lab, dict))
        self._map("roles", r, "role", categorical=True, missing_label="outside the area",
                  colors=P.role_colors(r["role"].astype(str)), legend_title="role",
                  title=f"Roles of the units of '{info.get('area', r['area_id'].iloc[0])}'",
                  caption=self._map_caption(
                      f"Roles from {srcs}"))

    def isochrones(self) -> None:
        c = self.f.table("access/circles.csv")
        if c is None:
            self.notes.append("No isochrone map: the project has no [steps.access].")
            return
        core = str(c["core"].dropna().iloc[0])
        part = c[c["core"] == core].copy()
        part["band"] = part["band"].astype(str).where(
            part["reachable"].astype(str) != "False", "unreachable")
        colors = P.band_colors(part["band"])
        net = self.f.step_info("access").get("network") or {}
        how = (f"Travel times by the access step: rail {net.get('rail', '?')} (the timetable, "
               f"{self._input_note('timetable', 'rail timetable') or 'REAL'}); roads "
               f"{net.get('roads', '?')}" + (" (MODELLED)" if self.f.step_info("access").get(
                   "roads_modelled") else ""))
        more = c["core"].nunique()
        self._map("isochrones", part, "band", categorical=True, colors=colors,
                  legend_title="minutes to the core",
                  title=f"Minutes to the core '{core}' (isochrone bands)",
                  caption=self._map_caption(
                      how, "" if more == 1 else f"The first of {more} cores is shown"))

    def membership_degree(self) -> None:
        s = self.f.table("strength/membership.csv")
        if s is None:
            return
        shares = [c for c in s.columns if c.endswith("_share")
                  and c not in ("outside_share", "top_share")]
        if not shares:
            return
        col = shares[0] if len(shares) == 1 else "top_share"
        area = col[: -len("_share")] if len(shares) == 1 else "the nearest area"
        fused = self.f.step_info("strength").get("fused") or self.f.layer_label("fused")
        self._map("membership_degree", s, col, cmap="YlOrRd", vmin=0.0, vmax=1.0,
                  legend_title="membership degree",
                  title=f"Membership degree to '{area}' (share of a unit's fused links going to "
                        "its cores)",
                  caption=self._map_caption(f"Fused index: {source_text(fused)}"))

    def flows(self) -> None:
        labels = self.f.table("layers/labels.csv")
        layers = [] if labels is None else labels["layer"].astype(str).tolist()
        for layer in layers:
            t = self.f.table(f"layers/{_layer_file(layer)}.csv")
            if t is None:
                continue
            self._run(f"flows_{layer}", lambda t=t, layer=layer: self._flow(
                t, layer, self.f.layer_label(layer)))
        links = self.f.table("strength/links.csv")
        if links is not None and "strength" in links.columns:
            fused = self.f.step_info("strength").get("fused") or self.f.layer_label("fused")
            self._run("flows_fused", lambda: self._flow(
                links.rename(columns={"strength": "value"}), "fused", fused))
        if not layers and links is None:
            self.notes.append("No flow maps: the run has no flow layers.")

    def _flow(self, table: pd.DataFrame, layer: str, label: dict[str, Any]) -> None:
        color = P.SOURCE_COLORS.get(str(label.get("source")), "#555555")
        what = "fused index" if layer == "fused" else f"layer '{layer}'"
        fig = M.flow_map(self.poly, table, top=self.top_flows, crs=None, color=color,
                         title=f"Strongest links: {what} ({label.get('kind')}, "
                               f"{label.get('source')})",
                         caption=self._map_caption(f"Flows: {source_text(label)}"),
                         outline=self.f.cores, outline_label="core units",
                         labels=self.names,
                         value_label="fused index" if layer == "fused" else "flow")
        self._save(fig, f"flows_{_layer_file(layer)}", "map", fig.get_suptitle())

    def groups(self) -> None:
        g = self.f.table("groups/membership.csv")
        if g is None:
            return
        info = self.f.step_info("groups")
        lab = info.get("layer") or {}
        g = g.assign(group=g["group"].astype(str))
        order = g["group"].value_counts().index.tolist()
        self._map("groups", g, "group", categorical=True, colors=P.classes(order),
                  legend_title="city group",
                  title=f"City groups ({info.get('method', '?')}, contiguous parts)",
                  caption=self._map_caption(f"Groups of {source_text(lab)}" if lab else ""))

    def industry(self) -> None:
        s = self.f.table("industry/specialisations.csv")
        if s is None:
            return
        top = s.sort_values(["unit_id", "rank"]).drop_duplicates("unit_id")
        top = top.assign(industry=top["industry"].astype(str).str.replace("_", " "))
        order = top["industry"].value_counts().index.tolist()
        p = self.f.step_parameters("industry")
        measure = self.f.step_info("industry").get("measure", "")
        self._map("industry", top, "industry", categorical=True, colors=P.classes(order),
                  legend_title="first specialisation", missing_label="no specialisation",
                  title="Industry: each unit's strongest specialisation (location quotient)",
                  caption=self._map_caption(
                      f"A unit is specialised at LQ > {p.get('threshold', '?')} with at least "
                      f"{p.get('min_share', '?')} of its activity; grey: none",
                      f"Measure: {measure}",
                      self._input_note("census", "census")))

    def reasons(self) -> None:
        m = self.f.table("membership.csv")
        if m is None:
            return
        info = self.f.step_info("delineation")
        params = info.get("params") or {}
        minutes = self.f.minutes_to_core
        if minutes is not None and minutes.notna().any():
            x, xlabel, log_x = minutes, "minutes to the core (travel time)", False
            tt = "; travel times from the access step" if self.f.steps.get("access") else ""
        else:
            size = m.set_index("unit_id").get("employed_residents")
            if size is None or pd.to_numeric(size, errors="coerce").notna().sum() == 0:
                x, xlabel, log_x = pd.Series(range(len(m)), index=m["unit_id"]), "unit", False
            else:
                x, xlabel, log_x = (pd.to_numeric(size, errors="coerce"),
                                    "employed residents (log scale)", True)
            tt = ""
        shares = {k: float(v) for k, v in params.items()
                  if isinstance(v, int | float) and not isinstance(v, bool)
                  and (k.endswith("_share") or k == "threshold") and 0 < float(v) <= 1
                  and not k.startswith("snap")}  # snapping shares test parents, not units
        # what each unit was tested on: the fused membership and the commuting rate when the
        # method gives them (multi-source), else the value of its rule
        measures: list[tuple[str, str, str, dict[str, float] | None]] = []
        if "fused_membership" in m.columns and m["fused_membership"].notna().any():
            limit = (pd.to_numeric(m["membership_threshold"], errors="coerce").dropna().unique()
                     if "membership_threshold" in m.columns else [])
            measures.append(("reasons", "fused_membership", "fused membership to the core",
                             {"membership threshold": float(limit[0])} if len(limit) else None))
        if "commuting_rate" in m.columns and m["commuting_rate"].notna().any():
            measures.append(("reasons_commuting" if measures else "reasons", "commuting_rate",
                             "commuting rate to the core", shares or None))
        if not measures:
            measures.append(("reasons", "value", "share tested by the rule", shares or None))
        max_x = params.get("max_minutes") if xlabel.startswith("minutes") else None
        has_max = isinstance(max_x, int | float) and not isinstance(max_x, bool)
        for name, y, ylabel, thresholds in measures:
            fig = C.reasons_chart(
                m, x=x, y=y,
                title=f"Why each unit is in or out ({info.get('method', '?')}): {ylabel}",
                xlabel=xlabel, ylabel=ylabel, thresholds=thresholds,
                max_x=float(max_x) if has_max else None,
                max_x_label=f"max_minutes = {max_x:g}" if has_max else "",
                names=self.names, log_x=log_x,
                caption=f"{self._delineation_source()}{tt}. Each point is a unit: its "
                        f"{ylabel} (membership.csv '{y}') and the thresholds of the method's "
                        "parameters (dashed); the rule, value, threshold and margin of every "
                        "unit are in the report's unit table.")
            self._save(fig, name, "chart", fig.get_suptitle())

    def weights(self) -> None:
        w = self.f.table("strength/weights.csv")
        if w is None:
            return
        fusion = self.f.step_info("strength").get("fusion") or {}
        notes = "; ".join(source_text(self.f.layer_label(str(lay))) for lay in w["layer"])
        fig = C.weights_chart(
            w, title=f"Fusion weights ({fusion.get('weights_method', '?')}, "
                     f"{fusion.get('normalise', '?')} normalisation)",
            caption=f"Layers: {notes}.")
        self._save(fig, "weights", "chart", fig.get_suptitle())

    def indicators(self) -> None:
        t = self.f.table("indicators.csv")
        if t is None:
            return
        if len(t) > 6:
            self.notes.append(f"No indicator chart: {len(t)} rows in indicators.csv (the chart "
                              "compares up to 6 areas).")
            return
        t = t.assign(_label=[a if g == "delineation" else f"{g} ({a})"
                             for a, g in zip(t["area_id"], t["grouping"], strict=True)])
        lab = self.f.step_info("indicators").get("layer")
        fig = C.comparison_chart(
            t, label="_label",
            indicators=[("units", "units", "int"), ("population", "population", "int"),
                        ("area_km2", "land area (km²)", "int"),
                        ("urbanisation_rate", "urbanisation", "pct"),
                        ("urbanisation_gap", "urbanisation gap, core - rest (points)", "num"),
                        ("gdp", "GDP (units with data)", "num"),
                        ("other_province_share", "residents from other provinces", "pct"),
                        ("supply_self_containment", "commuting self-containment", "pct"),
                        ("flow_openness", "commuting openness", "pct")],
            title=f"The area against {self._reference_name()}",
            caption=". ".join(_cap(x) for x in (
                self._input_note("units", "units"), self._input_note("census", "census"),
                self._input_note("reference", self._reference_name()),
                f"Commuting figures: {source_text(lab)}" if lab else "",
                "GDP summed over the units that have it, never imputed") if x) + ".")
        self._save(fig, "indicators", "chart", fig.get_suptitle())


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _layer_file(name: str) -> str:
    from metrocircle.model.output import safe_name

    return safe_name(name, what="layer name")


def draw_figures(
    folder: RunFolder,
    out: str | Path,
    *,
    formats: Sequence[str] = M.FORMATS,
    top_flows: int = TOP_FLOWS,
) -> tuple[list[Drawn], list[str]]:
    """Draw every map and chart the run folder allows into ``out`` (``maps/``).

    Returns
    -------
    (drawn, notes)
        The figures written, and a sentence for each figure left out and why.
    """
    from metrocircle.exceptions import require

    require("matplotlib", "report")
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    figures = _Figures(folder, target, formats, top_flows)
    figures.all()
    return figures.drawn, figures.notes


__all__ = ["TOP_FLOWS", "Drawn", "draw_figures", "source_text"]
