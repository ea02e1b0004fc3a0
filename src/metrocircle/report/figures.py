"""Every map and chart of a run, drawn from its run folder into ``maps/``.

:func:`draw_figures` draws what the folder holds and says why it left anything out: a project
without boundaries gets the charts and no maps, a run without the access step no isochrone map.
Each figure's caption states where its data come from: the kind and source (real or modelled)
of every flow layer it uses, from ``run.json``, and the inputs' notes.

Each figure (a job: one map, or the reasons charts) reads the folder only through
:class:`~metrocircle.report.cache.Reads`, so with a :class:`~metrocircle.report.cache.FigureCache`
a figure is taken from the cache when nothing it read changed, and drawn otherwise. The figures
to draw are drawn in worker processes forked from this one, one per core, when there are
several; every file is the same as drawn in one process (the order of drawing does not matter:
each figure is a fresh :class:`matplotlib.figure.Figure` and :func:`~metrocircle.report.maps.save`
writes PNG and SVG without dates and with fixed SVG ids).

Examples
--------
>>> from metrocircle.report.folder import RunFolder
>>> from metrocircle.report.figures import draw_figures
>>> figures = draw_figures(RunFolder("out/demo"), "out/demo/maps")  # doctest: +SKIP
>>> [f.name for f in figures.drawn][:3]                             # doctest: +SKIP
['area', 'comparison', 'roles']
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from metrocircle.report import charts as C
from metrocircle.report import maps as M
from metrocircle.report import palette as P
from metrocircle.report.cache import Call, FigureCache, Reads
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
    """The figures of one run folder, each a job (:meth:`plan`) that reads the folder only
    through :class:`~metrocircle.report.cache.Reads` (``self.f``), so that what it read is
    known (its trace) and a cached copy is reused only when all of it is unchanged."""

    def __init__(self, folder: RunFolder, out: Path, formats: Sequence[str],
                 top_flows: int) -> None:
        self.folder = folder
        self.out = out
        self.formats = tuple(formats)
        self.top_flows = top_flows
        self.prints: dict[Call, str] = {}
        self.f = Reads(folder, self.prints)
        self.drawn: list[Drawn] = []
        self.notes: list[str] = []
        self._memo: dict[str, Any] = {}
        self._jobs: dict[str, Callable[[], None]] = {}

    # -- derived from what a figure reads (recorded on every use, computed once) ------------
    def _drawing(self) -> tuple[Any, Any]:
        raw = self.f.polygons
        if raw is None:
            return None, None
        memo = self._memo.get("poly")
        if memo is None or memo[0] is not raw:  # projected and simplified once per report
            crs = M.map_crs(raw)
            memo = (raw, crs, M.for_drawing(raw, crs))
            self._memo["poly"] = memo
        return memo[1], memo[2]

    @property
    def crs(self) -> Any:
        return self._drawing()[0]

    @property
    def poly(self) -> Any:
        return self._drawing()[1]

    @property
    def names(self) -> dict[str, str]:
        raw = self.f.names
        memo = self._memo.get("names")
        if memo is None or memo[0] is not raw:
            memo = (raw, M.short_names(raw.to_dict()) if len(raw) else {})
            self._memo["names"] = memo
        return memo[1]

    @property
    def boundaries_note(self) -> str:
        return self._input_note("boundaries", "unit boundaries")

    def warm(self) -> None:
        """Read and prepare what most figures use (before worker processes are forked from
        this one, so that each does not do it again)."""
        _ = self.poly, self.names, self.f.cores

    # -- jobs ------------------------------------------------------------------------------
    def plan(self) -> list[tuple[str, str]]:
        """The figures this folder allows, in the report's order: ``("job", name)`` for a
        figure to draw (or take from the cache), ``("note", text)`` for one left out."""
        f = self.folder
        items: list[tuple[str, str]] = []
        jobs: list[tuple[str, Callable[[], None]]] = []
        if f.polygons is None:
            items.append(("note",
                          "No maps: the run folder has no unit polygons (the project declares no "
                          "[inputs.boundaries], or geopandas is not installed). The charts and "
                          "tables below are complete."))
        else:
            jobs = [("area", self.area), ("comparison", self.comparison),
                    ("roles", self.roles), ("isochrones", self.isochrones),
                    ("membership_degree", self.membership_degree)]
            items += [("job", n) for n, _ in jobs]
            flows = self._flow_jobs()
            if not flows:
                items.append(("note", "No flow maps: the run has no flow layers."))
            jobs += flows
            items += [("job", n) for n, _ in flows]
            more = [("groups", self.groups), ("industry", self.industry)]
            jobs += more
            items += [("job", n) for n, _ in more]
        charts = [("reasons", self.reasons), ("weights", self.weights),
                  ("indicators", self.indicators)]
        jobs += charts
        items += [("job", n) for n, _ in charts]
        self._jobs = dict(jobs)
        return items

    def _flow_jobs(self) -> list[tuple[str, Callable[[], None]]]:
        f = self.folder
        labels = f.table("layers/labels.csv")
        layers = [] if labels is None else labels["layer"].astype(str).tolist()
        out: list[tuple[str, Callable[[], None]]] = []
        for layer in layers:
            if f.has(f"layers/{_layer_file(layer)}.csv"):
                out.append((f"flows_{_layer_file(layer)}",
                            lambda layer=layer: self._layer_flows(layer)))
        links = f.table("strength/links.csv")
        if links is not None and "strength" in links.columns:
            out.append(("flows_fused", self._fused_flows))
        return out

    def run_job(self, name: str) -> _Job:
        """Draw the job ``name`` (of :meth:`plan`): what it drew, its notes and its trace."""
        self.f = Reads(self.folder, self.prints)
        self.drawn, self.notes = [], []
        failed = False
        try:
            self._jobs[name]()
        except Exception as err:  # a figure that cannot be drawn is reported, not fatal
            log.warning("figure %s not drawn: %s", name, err, exc_info=True)
            self.notes.append(f"The figure '{name}' could not be drawn: {err}.")
            failed = True
        return _Job(name, self.drawn, self.notes, dict(self.f.trace), failed)

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
        note = self.boundaries_note
        if note:
            bits.append(note[0].upper() + note[1:])
        if self.crs is not None:
            bits.append(f"Projection: {M.crs_name(self.crs)}, north up")
        return ". ".join(bits) + "."

    def _save(self, fig: Any, name: str, kind: str, title: str) -> None:
        caption = fig._supxlabel.get_text().replace("\n", " ") if fig._supxlabel else ""
        files = M.save(fig, self.out / name, formats=self.formats)
        self.drawn.append(Drawn(name, kind, title, caption, files))
        log.info("drew %s", name)

    def _map(self, name: str, table: pd.DataFrame, column: str, *, title: str, caption: str,
             **kw: Any) -> None:
        cores = self.f.cores
        kw.setdefault("labels", self.names)
        kw.setdefault("label_first", cores)
        kw.setdefault("outline", cores)
        kw.setdefault("outline_label", "core units (outlined)")
        kw.setdefault("outline_color", P.CORE_OUTLINE)
        kw.setdefault("zoom", cores)
        fig = M.choropleth(self.poly, table, column=column, title=title, caption=caption,
                           decorate=True, **kw)
        self._save(fig, name, "map", title)

    # -- the figures -----------------------------------------------------------------------
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
        ref = self.f.input_declaration("reference")
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

    def _layer_flows(self, layer: str) -> None:
        t = self.f.table(f"layers/{_layer_file(layer)}.csv")
        if t is not None:
            self._flow(t, layer, self.f.layer_label(layer))

    def _fused_flows(self) -> None:
        links = self.f.table("strength/links.csv")
        if links is None or "strength" not in links.columns:
            return
        fused = self.f.step_info("strength").get("fused") or self.f.layer_label("fused")
        self._flow(links.rename(columns={"strength": "value"}), "fused", fused)

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
            tt = "; travel times from the access step" if self.f.has_step("access") else ""
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


@dataclass
class _Job:
    """What drawing one job gave: its figures, notes, trace and whether it failed."""

    name: str
    drawn: list[Drawn]
    notes: list[str]
    trace: dict[Call, str]
    failed: bool = False


@dataclass
class FigureSet:
    """What :func:`draw_figures` wrote: the figures in the report's order, the notes on what
    was left out, the jobs drawn now and those taken from the cache, and the number of worker
    processes that drew (0: drawn in this process)."""

    drawn: list[Drawn]
    notes: list[str]
    redrawn: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    workers: int = 0
    meanwhile: Any = None


#: Draw in worker processes only from this many figures to draw on (fewer: the fork and the
#: hand-over cost more than they save).
PARALLEL_FROM = 2


def draw_figures(
    folder: RunFolder,
    out: str | Path,
    *,
    formats: Sequence[str] = M.FORMATS,
    top_flows: int = TOP_FLOWS,
    cache: FigureCache | None = None,
    jobs: int | None = None,
    meanwhile: Callable[[], Any] | None = None,
) -> FigureSet:
    """Draw every map and chart the run folder allows into ``out`` (``maps/``).

    Parameters
    ----------
    folder
        The run folder.
    out
        Where the figures go.
    formats, top_flows
        File formats (PNG first) and flow lines per flow map.
    cache
        Take a figure from this cache when nothing it reads changed, and keep every figure
        drawn in it (:mod:`metrocircle.report.cache`).
    jobs
        Worker processes to draw in (default: the cores this process may use); 1 draws here.
        Workers are forked from this process (where ``fork`` exists) and used only for at
        least :data:`PARALLEL_FROM` figures to draw; the files are the same either way.
    meanwhile
        Called in this process while the workers draw (e.g. writing the GeoPackage); its
        result is :attr:`FigureSet.meanwhile`.

    Returns
    -------
    FigureSet

    Raises
    ------
    ReportError
        A worker process failed or ended abruptly (a figure that cannot be drawn from its data
        is a note, not an error).

    Examples
    --------
    >>> from metrocircle.report.folder import RunFolder
    >>> figures = draw_figures(RunFolder("out/demo"), "out/demo/maps")  # doctest: +SKIP
    >>> [d.name for d in figures.drawn][:2]                             # doctest: +SKIP
    ['area', 'comparison']
    """
    from metrocircle.exceptions import require

    require("matplotlib", "report")
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    figures = _Figures(folder, target, formats, top_flows)
    items = figures.plan()
    options = {"formats": list(figures.formats), "top_flows": top_flows}
    done: dict[str, _Job] = {}
    reused: list[str] = []
    for kind, name in items:
        if kind != "job" or cache is None:
            continue
        hit = cache.lookup(name, options, folder, figures.prints)
        if hit is not None:
            done[name] = _restore(name, *hit, target)
            reused.append(name)
    todo = [name for kind, name in items if kind == "job" and name not in done]
    workers = _workers(jobs, len(todo))
    extra = None
    if workers > 1:
        figures.warm()
        drawn_now, extra = _draw_in_workers(figures, todo, workers, meanwhile)
        done.update(drawn_now)
    else:
        for name in todo:
            done[name] = figures.run_job(name)
        extra = meanwhile() if meanwhile is not None else None
    if cache is not None:
        for name in todo:
            job = done[name]
            if not job.failed:
                cache.store(name, options, job.trace,
                            [{"name": d.name, "kind": d.kind, "title": d.title,
                              "caption": d.caption, "files": [p.name for p in d.files]}
                             for d in job.drawn],
                            job.notes, [p for d in job.drawn for p in d.files])
    drawn: list[Drawn] = []
    notes: list[str] = []
    for kind, name in items:
        if kind == "note":
            notes.append(name)
        else:
            drawn += done[name].drawn
            notes += done[name].notes
    return FigureSet(drawn, notes, redrawn=todo, reused=reused, workers=workers,
                     meanwhile=extra)


def _restore(name: str, record: dict[str, Any], entry: Path, target: Path) -> _Job:
    drawn = []
    for d in record["drawn"]:
        files = []
        for f in d["files"]:
            shutil.copy2(entry / f, target / f)
            files.append(target / f)
        drawn.append(Drawn(d["name"], d["kind"], d["title"], d["caption"], files))
    log.info("figure %s: from the cache", name)
    return _Job(name, drawn, list(record["notes"]), {})


def _workers(jobs: int | None, todo: int) -> int:
    """Worker processes for ``todo`` figures: 0 (draw here) unless there are at least
    :data:`PARALLEL_FROM`, more than one core and ``fork``."""
    import multiprocessing

    if jobs is not None and jobs < 1:
        from metrocircle.exceptions import ParameterError

        raise ParameterError(f"The 'jobs' parameter of draw_figures must be an int >= 1. "
                             f"Got {jobs!r}.")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
    n = min(cores if jobs is None else jobs, todo)
    if n < 2 or todo < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return n


#: The figures of the run being drawn, in a worker process (set when it starts).
_WORKER: _Figures | None = None


def _worker_start(figures: _Figures) -> None:
    global _WORKER
    # Ctrl-C reaches every process of the terminal's group: the main process stops the
    # workers and says "Interrupted."; a worker must not print a traceback of its own
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker writes nothing to the terminal: a lock of the console (the progress bar's
    # thread) held at the moment of the fork would never be released here. What a figure has
    # to say travels back in its job's notes.
    logging.disable(logging.CRITICAL)
    _WORKER = figures


def _worker_draw(name: str) -> _Job:
    assert _WORKER is not None, "the worker was started without its figures"
    return _WORKER.run_job(name)


def _draw_in_workers(figures: _Figures, todo: list[str], workers: int,
                     meanwhile: Callable[[], Any] | None) -> tuple[dict[str, _Job], Any]:
    """Draw ``todo`` in ``workers`` processes forked from this one (they inherit the tables
    already read), running ``meanwhile`` here; stop them on any error or Ctrl-C."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from metrocircle.exceptions import ReportError

    pool = ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("fork"),
                               initializer=_worker_start, initargs=(figures,))
    try:
        futures = {name: pool.submit(_worker_draw, name) for name in todo}
        extra = meanwhile() if meanwhile is not None else None
        done: dict[str, _Job] = {}
        for name, future in futures.items():
            try:
                done[name] = future.result()
            except BrokenProcessPool as err:
                raise ReportError(
                    f"A worker process drawing the report's figures ended abruptly (while "
                    f"drawing '{name}' or another figure): {err}. The run folder was not "
                    "changed.") from err
            except Exception as err:
                raise ReportError(f"Drawing the figure '{name}' failed in a worker process: "
                                  f"{type(err).__name__}: {err}") from err
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)
    return done, extra


def _stop(pool: Any) -> None:
    """End the workers of ``pool`` now (they ignore Ctrl-C) and let it go."""
    # the pool's processes (a private attribute: ProcessPoolExecutor has no public way to end
    # its workers before Python 3.14); a process still being started may have no pid yet
    processes = [p for p in list((getattr(pool, "_processes", None) or {}).values())
                 if getattr(p, "pid", None) is not None]
    for p in processes:
        try:
            p.terminate()
        except (OSError, ValueError, AssertionError):  # ended already, or closed
            continue
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        try:
            p.join(timeout=5)
        except (OSError, ValueError, AssertionError):
            continue


__all__ = ["PARALLEL_FROM", "TOP_FLOWS", "Drawn", "FigureSet", "draw_figures",
           "source_text"]
