"""The steps of the chain: what each needs, how it is checked, what it runs and writes.

Each step is a :class:`Step` with

* ``needs(project)``: the upstream steps whose results it reads (the edges of the step graph);
* ``reads(project)``: the inputs it reads, as ``(section, name)`` (their files' SHA-256 go
  into its cache key);
* ``check(project, report, columns)``: the project-level checks (a layer nobody declares, an
  unknown parameter), run for every step before any step runs;
* ``run(ctx)``: the work. It writes its files through the :class:`StepContext` (paths relative
  to the run folder) and returns a :class:`StepResult`: the tables later steps read and the
  ``info`` that goes to ``run.json`` and ``summary.md``.

Steps run in the order of :data:`metrocircle.project.project.CHAIN`; the runner
(:mod:`metrocircle.project.run`) caches each by the checksum of what it reads.
"""

from __future__ import annotations

import fnmatch
import json
import logging
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from metrocircle.exceptions import InputError, ParameterError, Problem
from metrocircle.model import io
from metrocircle.project import layers as L
from metrocircle.project.inputs import Inputs
from metrocircle.project.project import Project
from metrocircle.project.spec import FUSED, Report, did_you_mean

log = logging.getLogger(__name__)

Columns = Callable[[str], "list[str] | None"]
"""``columns(input_name)``: the columns of an input after its mapping (None if unknown)."""


def check_method_params(cls: Any, params: dict[str, Any], key: str,
                        report: Report) -> dict[str, Any]:
    """Check a method's parameters from a project (each under ``key.NAME``, then together);
    return those that are valid, checked."""
    method = cls.name
    spec = cls.param_spec()
    good = {}
    for name, value in params.items():
        if name not in spec:
            report(f"{key}.{name}",
                   f"{method} has no parameter {name!r}{did_you_mean(name, list(spec))}; "
                   f"its parameters are: {', '.join(spec)}")
            continue
        try:
            good[name] = spec[name].check(value, method)
        except ParameterError as err:
            report(f"{key}.{name}", str(err))
    if len(good) == len(params):
        try:
            cls(**good).get_params()
        except ParameterError as err:
            report(key, str(err))
    return good


@dataclass
class StepResult:
    """What a step hands on: ``tables`` for later steps, ``info`` for run.json and the
    summary. ``cached``, ``key`` and ``seconds`` are set by the runner."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    cached: bool = False
    key: str = ""
    seconds: float = 0.0


@dataclass
class StepContext:
    """What a running step sees: the project, its inputs, the upstream results, where to write
    and a progress callback."""

    project: Project
    inputs: Inputs
    results: dict[str, StepResult]
    root: Path
    step: str
    on_progress: Callable[[str, float], None] = lambda step, frac: None

    # -- data --------------------------------------------------------------------------------
    def units(self) -> pd.DataFrame:
        return self.inputs.units()

    def params(self) -> dict[str, Any]:
        return self.project.step(self.step)

    def travel_times(self, mode: str = "network") -> pd.DataFrame | None:
        """The access step's matrix, else ``[inputs.travel_times]``, else None.

        ``mode="road"`` gives the same network's roads alone (no timetable, no links), with the
        access step's parameters: what road-borne flows (passengers by road, freight) travel
        on. It needs the access step.
        """
        if mode == "road":
            return self.inputs.road_times(Access.access_params(self.project))
        if "access" in self.results:
            return self.results["access"].tables["travel_times"]
        return self.inputs.travel_times()

    def layer(self, name: str) -> pd.DataFrame:
        """The flows of a layer (``fused``: the strength step's index as ``value``)."""
        if name == FUSED:
            links = self.results["strength"].tables["links"]
            return links[["origin", "destination", "strength"]].rename(
                columns={"strength": "value"})
        return self.results["layers"].tables[name]

    def label(self, name: str) -> dict[str, str]:
        fused_of = self.project.step("strength").get("layers") if name == FUSED else None
        return L.label(self.project.layers, name, fused_of)

    def progress(self, what: str, fraction: float) -> None:
        self.on_progress(what, fraction)

    # -- writing -----------------------------------------------------------------------------
    def path(self, *parts: str) -> Path:
        target = self.root.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_table(self, df: pd.DataFrame, *parts: str, layer: str | None = None) -> Path:
        return io.write_table(df, self.path(*parts), layer=layer)

    def write_json(self, data: Mapping[str, Any], *parts: str) -> Path:
        return io.write_json(data, self.path(*parts))


class Step:
    """Base class of the steps (see the module docstring)."""

    name: ClassVar[str] = ""
    #: Extras the step needs at run time: ``{extra: (module, ...)}``.
    extras: ClassVar[dict[str, tuple[str, ...]]] = {}

    def needs(self, project: Project) -> list[str]:
        return []

    def reads(self, project: Project) -> list[tuple[str, str]]:
        return []

    def check(self, project: Project, report: Report, columns: Columns) -> None:
        """Project-level checks; ``report(key, message)`` for each problem."""

    def run(self, ctx: StepContext) -> StepResult:
        raise NotImplementedError


# ----------------------------------------------------------------------------- helpers
def _layer_needs(project: Project, names: list[str]) -> list[str]:
    out = ["layers"] if any(n != FUSED for n in names) else []
    if FUSED in names:
        out.append("strength")
    return out


def _check_layers(project: Project, names: list[str], key: str, report: Report, *,
                  fused_ok: bool = True) -> None:
    known = list(project.layers) + ([FUSED] if fused_ok else [])
    for name in names:
        if name == FUSED and fused_ok:
            if not project.has_step("strength"):
                report(key, "the layer 'fused' is the index of the strength step; add "
                            "[steps.strength]")
        elif name not in project.layers:
            report(key, f"no layer {name!r} is declared{did_you_mean(name, known)}; "
                        f"declare [layers.{name}] (layers: {', '.join(known) or 'none'})")


def _travel_needs(project: Project) -> list[str]:
    return ["access"] if project.has_step("access") else []


def _has_travel_times(project: Project) -> bool:
    return project.has_step("access") or project.input("travel_times") is not None


def _resolve_policy(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    params = dict(params)
    if isinstance(params.get("policy"), str):
        params["policy"] = str(ctx.project.resolve(params["policy"]))
    return params


def _names(units: pd.DataFrame) -> pd.Series:
    """Display name of each unit: ``name`` if mapped, else the code."""
    if "name" in units.columns:
        return units.set_index("unit_id")["name"].astype(str)
    return pd.Series(units["unit_id"].to_numpy(), index=units["unit_id"])


# ----------------------------------------------------------------------------- access
class Access(Step):
    """Travel-time matrix, circles and isochrone bands
    (:func:`metrocircle.access.accessibility`)."""

    name = "access"

    def reads(self, project: Project) -> list[tuple[str, str]]:
        return [("inputs", n) for n in ("units", "timetable", "roads", "links", "adjacency",
                                        "cores", "boundaries")]

    def check(self, project: Project, report: Report, columns: Columns) -> None:
        from metrocircle.access.api import parse_speed_up
        from metrocircle.access.network import parse_link

        cols = columns("units") or []
        aliases = {"lon": ("lon", "seat_lon_wgs84", "x"), "lat": ("lat", "seat_lat_wgs84", "y")}
        if cols and not all(any(a in cols for a in al) for al in aliases.values()):
            report("inputs.units.columns", "the access step needs a point per unit: map 'lon' "
                                           "and 'lat' (WGS84), e.g. columns = {lon = \"x\", "
                                           "lat = \"y\"}")
        if not any(project.input(n) for n in ("timetable", "roads", "adjacency", "links")):
            report("steps.access", "the access step needs a network: [inputs.timetable], "
                                   "[inputs.roads], [inputs.adjacency] (modelled roads) or "
                                   "[inputs.links]")
        try:
            self.access_params(project).validated()
        except ParameterError as err:
            report("steps.access", str(err))
        p = project.step("access")
        for i, text in enumerate(p.get("add_links", [])):
            try:
                parse_link(text)
            except (ParameterError, InputError) as err:
                report(f"steps.access.add_links[{i}]", str(err))
        for i, text in enumerate(p.get("speed_ups", [])):
            try:
                parse_speed_up(text)
            except ParameterError as err:
                report(f"steps.access.speed_ups[{i}]", str(err))

    @staticmethod
    def access_params(project: Project) -> Any:
        from metrocircle.access import AccessParams

        p = project.step("access")
        window = str(p["departure_window"]).split("-")
        if len(window) != 2:
            raise ParameterError("The 'departure_window' parameter of access must be "
                                 f"HH:MM-HH:MM. Got {p['departure_window']!r}.")
        wait: Any = p["wait"]
        try:
            wait = float(wait)
        except ValueError:
            pass
        return AccessParams(
            departure_window=(window[0].strip(), window[1].strip()),
            min_transfer_minutes=float(p["min_transfer_minutes"]), wait=wait,
            access_speed_kmh=float(p["access_speed_kmh"]),
            access_detour=float(p["access_detour"]),
            station_entry_minutes=float(p["station_entry_minutes"]),
            station_exit_minutes=float(p["station_exit_minutes"]),
            road_speed_kmh=float(p["road_speed_kmh"]), road_detour=float(p["road_detour"]),
            max_speed_kmh=float(p["max_speed_kmh"]))

    @staticmethod
    def arguments(project: Project, inputs: Inputs) -> dict[str, Any]:
        """Keyword arguments of :func:`metrocircle.access.accessibility` from the project's
        inputs (what ``metrocircle access --example`` uses too)."""
        from metrocircle.access.network import parse_link

        cores = inputs.unit_set("cores")
        links = inputs.plain_table("links")
        added = project.step("access").get("add_links", [])
        if added:
            extra = pd.DataFrame([parse_link(s) for s in added],
                                 columns=["origin", "destination", "minutes", "mode"])
            links = extra if links is None else pd.concat([links, extra], ignore_index=True)
        return {
            "units": inputs.units(),
            "timetable": inputs.timetable(),
            "roads": inputs.plain_table("roads"),
            "adjacency": inputs.adjacency(),
            "links": links,
            "cores": None if cores is None else cores[["unit_id", "area_id"]].rename(
                columns={"area_id": "core"}),
        }

    def run(self, ctx: StepContext) -> StepResult:
        from metrocircle.access import accessibility, write_outputs

        p = ctx.params()
        res = accessibility(params=self.access_params(ctx.project), bands=p["bands"],
                            direction=p["direction"], speed_ups=p["speed_ups"],
                            progress=ctx.progress, **self.arguments(ctx.project, ctx.inputs))
        boundaries = ctx.inputs.boundaries()
        info = dict(res.info)
        # timings go to run.json only, so that a run's files are the same every time
        res.info = {k: v for k, v in res.info.items() if not k.startswith("seconds")}
        write_outputs(res, ctx.path("access"), boundaries=boundaries)
        roads = ctx.project.input("roads")
        info["network"] = {
            "rail": "timetable" if ctx.project.input("timetable") else None,
            "roads": ("given" if roads else ("modelled between neighbouring units "
                      f"({p['road_speed_kmh']:g} km/h, detour {p['road_detour']:g})"
                      if ctx.project.input("adjacency") else None)),
            "add_links": p["add_links"], "speed_ups": p["speed_ups"],
        }
        tt = res.travel_times
        tables = {"travel_times": tt[["origin", "destination", "minutes"]].dropna().reset_index(
            drop=True)}
        if res.circles is not None:
            tables["circles"] = res.circles
        return StepResult(tables, info)


# ----------------------------------------------------------------------------- signaling
class Signaling(Step):
    """Records (real or simulated) to home-to-work OD
    (:func:`metrocircle.signaling.od_from_records`).

    The published ``signaling/od.csv`` has the pairs under ``min_count`` sampled commuters
    suppressed; the layer handed to later steps has every pair (see
    :meth:`metrocircle.signaling.ODResult.write`).
    """

    name = "signaling"

    def reads(self, project: Project) -> list[tuple[str, str]]:
        return [("inputs", "units"), ("steps", "signaling")]

    def check(self, project: Project, report: Report, columns: Columns) -> None:
        from metrocircle.signaling import SignalingParams

        p = project.step("signaling")
        if ("records" in p) == ("simulate" in p):
            report("steps.signaling", "give either 'records' (real records) or a [steps."
                                      "signaling.simulate] table (simulated records)")
        if "simulate" in p:
            cols = columns("units") or []
            if cols:
                missing = [c for c in ("lon", "lat", "population") if c not in cols]
                if missing:
                    report("inputs.units.columns", "simulated signaling needs the units' "
                                                   f"{', '.join(missing)}: map them in columns")
        if "records" in p and "cells" not in p and "lon" not in (p.get("columns") or {}):
            report("steps.signaling", "records with cell ids need 'cells' (or map lon and lat "
                                      "in columns for lon/lat records)")
        ms = p.get("market_share")
        if isinstance(ms, int | float) and not isinstance(ms, bool) and not 0 < ms <= 1:
            report("steps.signaling.market_share", f"must be in (0, 1]. Got {ms!r}.")
        try:
            SignalingParams.from_mapping(p.get("params") or {})
        except ParameterError as err:
            report("steps.signaling.params", str(err))
        if p["engine"] == "spark":
            import importlib.util

            if importlib.util.find_spec("pyspark") is None:
                report("steps.signaling.engine", "engine 'spark' needs pyspark: pip install "
                                                 "'metrocircle[spark]'")

    def run(self, ctx: StepContext) -> StepResult:
        from metrocircle.signaling import od_from_records, simulate_signaling

        p = ctx.params()
        project = ctx.project
        kw: dict[str, Any] = {"engine": p["engine"], "min_count": int(p["min_count"]),
                              "params": p.get("params") or {},
                              "progress": ctx.progress}
        with tempfile.TemporaryDirectory(prefix="metrocircle-signaling-") as tmp:
            if "simulate" in p:
                sim = {"days": 7, **p["simulate"]}
                units = ctx.units()
                sim_units = units[["unit_id", "lon", "lat", "population"]]
                ctx.progress("simulating records", 0.0)
                simulate_signaling(sim_units, users=int(sim["users"]), days=int(sim["days"]),
                                   random_state=int(sim["random_state"]), out_dir=tmp)
                share = int(sim["users"]) / float(units["population"].sum())
                od = od_from_records(Path(tmp) / "records.parquet", cells=Path(tmp) / "cells.csv",
                                     market_share=share, **kw)
                origin = {"records": "simulated", "users": int(sim["users"]),
                          "days": int(sim["days"]), "random_state": int(sim["random_state"]),
                          "market_share": share}
            else:
                cols = p.get("columns") or {}
                ccols = p.get("cells_columns") or {}
                ms = p.get("market_share")
                od = od_from_records(
                    project.resolve(p["records"]),
                    user_col=cols.get("uid", "uid"), time_col=cols.get("time", "time"),
                    cell_col=None if "lon" in cols else cols.get("cell", "cell"),
                    lon_col=cols.get("lon"), lat_col=cols.get("lat"), tz=p.get("tz"),
                    cells=project.resolve(p["cells"]) if p.get("cells") else None,
                    cells_id_col=ccols.get("cell_id", "cell_id"),
                    cells_lon_col=ccols.get("lon", "lon"), cells_lat_col=ccols.get("lat", "lat"),
                    cells_unit_col=ccols.get("unit_id", "unit_id"),
                    market_share=project.resolve(ms) if isinstance(ms, str) else ms, **kw)
                origin = {"records": "real", "market_share": ms}
        od.write(ctx.path("signaling"))
        if origin["records"] == "simulated":  # the records lived in a temporary folder
            record = ctx.path("signaling", "run.json")
            data = json.loads(record.read_text(encoding="utf-8"))
            data.update(records="simulated by metrocircle.signaling.simulate_signaling (not "
                                "kept)", cells="simulated", simulation=origin)
            io.write_json(data, record)
        acc = od.accounting
        info = {"origin": origin, "accounting": acc, "engine": od.run["engine"],
                "params": od.run["params"], "timings_s": od.run["timings_s"],
                "suppression": od.suppression()}
        flows = od.od_unsuppressed
        return StepResult({"od": flows[["origin", "destination", "value"]],
                           "units": od.units}, info)


# ----------------------------------------------------------------------------- layers
class Layers(Step):
    """Every declared flow layer: read from its file, taken from a step or built by a model."""

    name = "layers"

    def needs(self, project: Project) -> list[str]:
        out = []
        decls = project.layers.values()
        if any(d.get("step") == "signaling" for d in decls):
            out.append("signaling")
        needs = {n for d in decls
                 for n in getattr(L.LAYER_MODELS.get(str(d.get("model"))), "needs", ())}
        if needs & {"travel_times", "road_times"} and project.has_step("access"):
            out.append("access")
        return out

    def reads(self, project: Project) -> list[tuple[str, str]]:
        out = [("inputs", n) for n in ("units", "travel_times", "census", "adjacency",
                                       "roads")]
        return out + [("layers", n) for n in project.layers]

    def check(self, project: Project, report: Report, columns: Columns) -> None:
        from metrocircle.model.output import safe_name

        simulated = "simulate" in (project.data.get("steps", {}).get("signaling") or {})
        for name, decl in project.layers.items():
            key = f"layers.{name}"
            try:
                safe_name(name, what="layer name")
            except ParameterError as err:
                report(key, str(err))
            if name == FUSED:
                report(key, "the name 'fused' is the strength step's index; choose another")
            given = [k for k in ("file", "step", "model") if k in decl]
            if len(given) != 1:
                report(key, "give exactly one of 'file', 'step' or 'model'"
                            + (f" (got {', '.join(given)})" if given else ""))
                continue
            if "step" in decl and not project.has_step(decl["step"]):
                report(f"{key}.step", f"the layer comes from the {decl['step']} step: add "
                                      f"[steps.{decl['step']}]")
            if decl.get("step") == "signaling" and simulated and decl.get("source") != "modelled":
                report(f"{key}.source", "the signaling step simulates its records, so this "
                                        "layer is modelled: set source = \"modelled\"")
            if "model" in decl:
                model = L.LAYER_MODELS.get(str(decl["model"]))
                if model is None:
                    known = list(L.LAYER_MODELS)
                    report(f"{key}.model", f"unknown layer model {decl['model']!r}"
                                           f"{did_you_mean(str(decl['model']), known)}; "
                                           f"known: {', '.join(known)}")
                    continue
                if decl.get("source") != "modelled":
                    report(f"{key}.source", f"a layer built by the {model.name} model is "
                                            "modelled: set source = \"modelled\"")
                for pname, problem in model.check(decl.get("params") or {}):
                    report(f"{key}.params.{pname}", problem)
                if "travel_times" in model.needs and not _has_travel_times(project):
                    report(f"{key}.model", f"the {model.name} model needs travel times: add "
                                           "[steps.access] or [inputs.travel_times]")
                elif "road_times" in model.needs and not project.has_step("access"):
                    report(f"{key}.model", f"the {model.name} model needs the road times of "
                                           "the access step: add [steps.access]")
                if "census" in model.needs and project.input("census") is None:
                    report(f"{key}.model", f"the {model.name} model needs [inputs.census]")
                cols = columns("units") or []
                params = decl.get("params") or {}
                for pname in model.unit_columns:
                    named = params.get(pname) or []
                    for col in [named] if isinstance(named, str) else named:
                        if cols and col not in cols:
                            report(f"{key}.params.{pname}", f"no units column {col!r}"
                                                            f"{did_you_mean(col, cols)}")

    def run(self, ctx: StepContext) -> StepResult:
        tables: dict[str, pd.DataFrame] = {}
        info: dict[str, Any] = {}
        names = list(ctx.project.layers)
        for i, (name, decl) in enumerate(ctx.project.layers.items()):
            ctx.progress(name, i / max(len(names), 1))
            entry: dict[str, Any] = dict(ctx.label(name))
            if "file" in decl:
                flows = ctx.inputs.flow_file(name)
                entry["from"] = f"file {Path(decl['file']).name}"
            elif "step" in decl:
                flows = ctx.results[decl["step"]].tables["od"]
                entry["from"] = f"step {decl['step']} (every pair; none suppressed)"
            else:
                model = L.LAYER_MODELS[decl["model"]]
                params = model.resolved(decl.get("params") or {})
                flows = model.build(ctx, params)
                entry["from"] = f"model {model.name}"
                entry["model"] = {"doc": model.doc, "params": params,
                                  "info": flows.attrs.get("info", {})}
            flows = flows[["origin", "destination", "value"]].reset_index(drop=True)
            entry.update(pairs=int(len(flows)), total=float(flows["value"].sum()))
            tables[name] = flows
            info[name] = entry
            ctx.write_table(flows, "layers", f"{name}.csv")
        labels = pd.DataFrame([{k: v for k, v in e.items() if k != "model"}
                               for e in info.values()])
        ctx.write_table(labels, "layers", "labels.csv")
        return StepResult(tables, {"layers": info})


# ----------------------------------------------------------------------------- strength
class Strength(Step):
    """Layers fused into one index, membership to the cores, centrality, first contacts."""

    name = "strength"
    extras = {"graph": ("igraph",)}

    def needs(self, project: Project) -> list[str]:
        return ["layers"]

    def reads(self, project: Project) -> list[tuple[str, str]]:
        return [("inputs", "units"), ("inputs", "cores"), ("steps", "strength")]

    def check(self, project: Project, report: Report, columns: Columns) -> None:
        p = project.step("strength")
        _check_layers(project, p["layers"], "steps.strength.layers", report, fused_ok=False)
        if not p["layers"]:
            report("steps.strength.layers", "name at least one layer")
        w = p["weights"]
        if isinstance(w, dict):
            extra = sorted(set(w) - set(p["layers"]))
            missing = sorted(set(p["layers"]) - set(w))
            if extra or missing:
                report("steps.strength.weights", "give one weight per layer of 'layers'"
                       + (f"; not in layers: {', '.join(extra)}" if extra else "")
                       + (f"; missing: {', '.join(missing)}" if missing else ""))
        elif w in ("ahp", "combined") and "ahp_matrix" not in p:
            report("steps.strength.ahp_matrix", f"weights = {w!r} needs an ahp_matrix file")

    def run(self, ctx: StepContext) -> StepResult:
        from metrocircle import strength as st
        from metrocircle.cli.strength import _read_ahp

        p = ctx.params()
        names = list(p["layers"])
        layers = {n: ctx.layer(n) for n in names}
        ahp = _read_ahp(ctx.project.resolve(p["ahp_matrix"])) if p.get("ahp_matrix") else None
        ctx.progress("fusion", 0.1)
        fused = st.fuse(layers, normalise=p["normalise"], weights=p["weights"], ahp_matrix=ahp,
                        alpha=p["alpha"], epsilon=p["epsilon"],
                        allow_inconsistent=p["allow_inconsistent"])
        cores = ctx.inputs.unit_set("cores")
        ctx.progress("centrality", 0.5)
        cent = st.centrality(fused.links, units=ctx.inputs.unit_ids())
        memb = st.membership(fused.links, cores) if cores is not None else None
        labels = [ctx.label(n) for n in names]
        weights = pd.DataFrame([{**lab, "weight": fused.weights[lab["layer"]]}
                                for lab in labels])[["layer", "kind", "source", "weight", "note"]]
        ctx.write_table(fused.links, "strength", "links.csv")
        ctx.write_table(weights, "strength", "weights.csv")
        ctx.write_json({"weights": fused.weights, "layers": {lab["layer"]: lab for lab in labels},
                        "fused": ctx.label(FUSED), **fused.info}, "strength", "weights.json")
        ctx.write_table(cent.units, "strength", "centrality.csv")
        if memb is not None:
            ctx.write_table(memb, "strength", "membership.csv")
        first_info = {}
        for name in names:
            if "model" in ctx.project.layers[name]:
                continue  # first contacts of observed or signaling flows, not of a model
            table = st.dominant_flows(layers[name], strong=p["strong"], weak=p["weak"])
            ctx.write_table(table, "strength", f"first_contact_{name}.csv")
            first_info[name] = {"units": int(len(table)), "classes": {
                str(k): int(v) for k, v in table["strength_class"].value_counts().items()}}
        tables = {"links": fused.links, "centrality": cent.units}
        if memb is not None:
            tables["membership"] = memb
        info = {"weights": fused.weights, "layers": labels, "fused": ctx.label(FUSED),
                "fusion": fused.info, "centrality": cent.info, "first_contact": first_info}
        return StepResult(tables, info)


# ----------------------------------------------------------------------------- delineation
class Delineation(Step):
    """Which units form each area (:func:`metrocircle.delineate`); writes ``membership.csv``,
    ``areas.csv`` at the top and, in ``delineation/inputs/``, the exact tables the method got."""

    name = "delineation"

    def needs(self, project: Project) -> list[str]:
        p = project.step("delineation")
        out = _layer_needs(project, p["layers"])
        if p["travel_times"]:
            out += _travel_needs(project)
        return out

    def reads(self, project: Project) -> list[tuple[str, str]]:
        return [("inputs", n) for n in ("units", "cores", "urban_areas", "adjacency",
                                        "travel_times", "boundaries", "reference")] + [
            ("steps", "delineation")]

    def check(self, project: Project, report: Report, columns: Columns) -> None:
        from metrocircle.delineate import available_methods, get_method

        p = project.step("delineation")
        _check_layers(project, p["layers"], "steps.delineation.layers", report)
        if not p["layers"]:
            report("steps.delineation.layers", "name at least one layer")
        method = p["method"]
        if method not in available_methods():
            report("steps.delineation.method", f"unknown method {method!r}"
                   f"{did_you_mean(method, available_methods())}; methods: "
                   f"{', '.join(available_methods())}")
            return
        cls = get_method(method)
        params = method_params(project)
        check_method_params(cls, params, "steps.delineation.params", report)
        if isinstance(params.get("policy"), str) and not project.resolve(
                params["policy"]).is_file():
            report("steps.delineation.params.policy", f"file not found: {params['policy']}")
        urban = project.input("urban_areas") is not None
        if urban and not getattr(cls, "accepts_urban_areas", False):
            report("inputs.urban_areas", f"{method} does not derive its cores from urban "
                                         "areas; give [inputs.cores] (omb-cbsa does)")
        elif urban and project.input("cores") is not None:
            report("inputs.urban_areas", "give either [inputs.cores] (the cores as given) or "
                                         "[inputs.urban_areas] (the cores derived from them), "
                                         "not both")
        elif cls.needs_cores and project.input("cores") is None and not urban:
            hint = " or [inputs.urban_areas]" if getattr(cls, "accepts_urban_areas", False) \
                else ""
            report("steps.delineation", f"{method} needs cores: add [inputs.cores]{hint}")

    def run(self, ctx: StepContext) -> StepResult:
        import metrocircle as mc

        p = ctx.params()
        names = list(p["layers"])
        labels = [ctx.label(n) for n in names]
        if len(names) == 1:
            flows = ctx.layer(names[0])
        else:
            flows = L.combined({n: ctx.layer(n) for n in names},
                               {lab["layer"]: lab for lab in labels})
        external = sorted({c for n in names if n != FUSED
                           for c in ctx.project.layers[n].get("external", [])})
        # point coordinates are not attributes to add up per area
        units = ctx.units().drop(columns=["lon", "lat"], errors="ignore")
        cores = ctx.inputs.unit_set("cores")
        adjacency = ctx.inputs.adjacency() if p["adjacency"] else None
        if adjacency is not None:
            adjacency = adjacency[["unit_a", "unit_b"]]
        tt = ctx.travel_times() if p["travel_times"] else None
        urban_areas = ctx.inputs.urban_areas()
        params = _resolve_policy(ctx, method_params(ctx.project))
        res = mc.delineate(p["method"], flows, units=units, cores=cores, adjacency=adjacency,
                           travel_times=tt, params=params, external=external,
                           progress=ctx.progress, urban_areas=urban_areas)
        membership = pd.DataFrame(res.membership.drop(columns="geometry", errors="ignore"))
        ctx.write_table(membership, "membership.csv")
        ctx.write_table(res.areas, "areas.csv")
        for name, table in res.tables.items():
            from metrocircle.model.output import safe_name

            ctx.write_table(table, "delineation", f"{safe_name(name, what='table name')}.csv")
        boundaries = ctx.inputs.boundaries()
        if boundaries is not None:
            self._geopackage(ctx, membership, res.areas, boundaries)
        # the exact tables the method got, for re-running it (a dashboard's sliders)
        ctx.write_table(flows, "delineation", "inputs", "flows.csv")
        ctx.write_table(units, "delineation", "inputs", "units.csv")
        if cores is not None:
            ctx.write_table(cores, "delineation", "inputs", "cores.csv")
        if adjacency is not None:
            ctx.write_table(adjacency, "delineation", "inputs", "adjacency.csv")
        if tt is not None:
            ctx.write_table(tt, "delineation", "inputs", "travel_times.csv")
        if urban_areas is not None:
            ctx.write_table(urban_areas, "delineation", "inputs", "urban_areas.csv")
        given = {k: (str(ctx.project.resolve(v)) if k == "policy" and isinstance(v, str) else v)
                 for k, v in method_params(ctx.project).items()}
        ctx.write_json({"method": res.method, "params": res.params, "given": given,
                        "external": external, "layers": labels,
                        "parents": (ctx.project.input("units") or {}).get("parents", []),
                        "how_to_rerun": "metrocircle.delineate(method, flows, units=units, "
                                        "cores=cores, adjacency=adjacency, travel_times="
                                        "travel_times, params=params, external=external"
                                        + (", urban_areas=urban_areas)" if urban_areas
                                           is not None else ")")},
                       "delineation", "inputs", "params.json")
        comparison = None
        reference = ctx.inputs.unit_set("reference")
        if reference is not None:
            comparison = compare_scopes(membership, reference, units)
            ctx.write_table(comparison, "delineation", "comparison.csv")
        status = membership["status"].value_counts().to_dict()
        info = {"method": res.method, "params": res.params, "layers": labels,
                "external": external, "travel_times": tt is not None,
                "counts": {"units": int(len(membership)), "areas": int(len(res.areas)),
                           "status": {str(k): int(v) for k, v in status.items()}},
                "info": res.info}
        tables = {"membership": membership, "areas": res.areas}
        if comparison is not None:
            tables["comparison"] = comparison
            info["comparison"] = {str(k): int(v) for k, v in
                                  comparison["agreement"].value_counts().items()}
        if reference is not None and "status" in reference.columns:
            info["reference_figures"] = self._reference_figures(ctx, membership, res.areas,
                                                                reference)
        return StepResult(tables, info)

    @staticmethod
    def _reference_figures(ctx: StepContext, membership: pd.DataFrame, areas: pd.DataFrame,
                           reference: pd.DataFrame) -> dict[str, Any]:
        """Area by area against the reference (its ``status`` mapped): the figures to
        ``delineation/reference_figures.json``, the matched areas and the cores missed and
        added to CSV (:func:`metrocircle.delineate.reference.compare_to_reference`)."""
        from metrocircle.delineate.reference import compare_to_reference

        cmp = compare_to_reference(membership, areas, reference)
        name = (ctx.project.input("reference") or {}).get("name", "reference")
        figures = {"reference": name, **cmp["figures"]}
        ctx.write_json(figures, "delineation", "reference_figures.json")
        ctx.write_table(cmp["matches"], "delineation", "reference_matches.csv")
        ctx.write_table(cmp["missed_cores"], "delineation", "reference_missed_cores.csv")
        ctx.write_table(cmp["added_cores"], "delineation", "reference_added_cores.csv")
        return figures

    @staticmethod
    def _geopackage(ctx: StepContext, membership: pd.DataFrame, areas: pd.DataFrame,
                    boundaries: Any) -> None:
        from metrocircle.delineate.output import _dissolve_areas
        from metrocircle.model.geo import attach_geometry

        geo = attach_geometry(membership, boundaries)
        gpkg = ctx.path("delineation", "delineation.gpkg")
        io.write_table(geo, gpkg, layer="membership")
        dissolved = _dissolve_areas(geo)
        if dissolved is not None:
            io.write_table(dissolved.merge(areas, on="area_id", how="left"), gpkg, layer="areas")


def method_params(project: Project) -> dict[str, Any]:
    """The delineation method's parameters as given, and ``parent_levels`` from ``[inputs.units]
    parents`` when the method has that parameter and the project does not set it."""
    from metrocircle.delineate import available_methods, get_method

    p = project.step("delineation")
    params = dict(p.get("params") or {})
    parents = (project.input("units") or {}).get("parents") or []
    if p["method"] in available_methods() and parents and "parent_levels" not in params \
            and "parent_levels" in get_method(p["method"]).param_spec():
        params["parent_levels"] = ",".join(parents)
    return params


def compare_scopes(membership: pd.DataFrame, reference: pd.DataFrame,
                   units: pd.DataFrame) -> pd.DataFrame:
    """One row per unit: its area in the delineation and in the reference scope, and their
    ``agreement``: ``both`` (in the matching areas), ``different area``, ``delineation
    only``, ``reference only`` or ``outside both``.

    Each delineated area is matched to the reference area with the same code if it shares a
    unit with it, else to the reference area holding most of its units
    (``matched_reference_area``).

    >>> m = pd.DataFrame({"unit_id": ["a", "b", "c"], "area_id": ["X", "X", None],
    ...                   "status": ["core", "member", "outside"]})
    >>> ref = pd.DataFrame({"unit_id": ["a", "c"], "area_id": ["PLAN", "PLAN"]})
    >>> compare_scopes(m, ref, m[["unit_id"]])["agreement"].tolist()
    ['both', 'delineation only', 'reference only']
    """
    keep = [c for c in ("unit_id", "area_id", "status", "rule", "value", "threshold", "margin")
            if c in membership.columns]
    out = units[["unit_id"] + [c for c in ("name", "population") if c in units.columns]].merge(
        membership[keep], on="unit_id", how="left")
    ref = reference.set_index("unit_id")["area_id"].astype(str)
    out["reference_area_id"] = out["unit_id"].map(ref)
    area = out["area_id"].astype("string").fillna("").str.strip()
    in_d = area.ne("").to_numpy(dtype=bool)
    in_r = out["reference_area_id"].notna().to_numpy(dtype=bool)
    both = out[in_d & in_r]
    match: dict[str, str] = {}
    for a, part in both.groupby(area[in_d & in_r].to_numpy()):
        shared = part["reference_area_id"].value_counts()
        match[str(a)] = str(a) if str(a) in shared.index else str(shared.index[0])
    out["matched_reference_area"] = area.map(match).astype(object).where(in_d, None)
    same = (out["matched_reference_area"] == out["reference_area_id"]).to_numpy(dtype=bool)
    agreement = pd.Series("outside both", index=out.index, dtype=object)
    agreement[in_d & in_r & same] = "both"
    agreement[in_d & in_r & ~same] = "different area"
    agreement[in_d & ~in_r] = "delineation only"
    agreement[~in_d & in_r] = "reference only"
    out["in_delineation"] = in_d
    out["in_reference"] = in_r
    out["agreement"] = agreement.to_numpy()
    return out


# ----------------------------------------------------------------------------- combine
class Combine(Step):
    """Adjacent areas of the delineation joined into combined areas
    (:func:`metrocircle.combine.combine`); writes ``combined.csv`` and ``pairs.csv`` at the top
    and the method's further tables in ``combine/``."""

    name = "combine"

    def needs(self, project: Project) -> list[str]:
        return ["delineation", *_layer_needs(project, [project.step("combine")["layer"]])]

    def reads(self, project: Project) -> list[tuple[str, str]]:
        return [("inputs", n) for n in ("units", "adjacency", "reference")] + [
            ("steps", "combine")]

    def check(self, project: Project, report: Report, columns: Columns) -> None:
        from metrocircle.combine import available_methods, get_method

        p = project.step("combine")
        if not project.has_step("delineation"):
            report("steps.combine", "the combine step joins the delineated areas: add "
                                    "[steps.delineation]")
        if project.input("adjacency") is None:
            report("steps.combine", "the combine step joins adjacent areas: add "
                                    "[inputs.adjacency]")
        _check_layers(project, [p["layer"]], "steps.combine.layer", report)
        method = p["method"]
        if method not in available_methods():
            report("steps.combine.method", f"unknown combination method {method!r}"
                   f"{did_you_mean(method, available_methods())}; methods: "
                   f"{', '.join(available_methods())}")
            return
        cls = get_method(method)
        params = p.get("params") or {}
        good = check_method_params(cls, params, "steps.combine.params", report)
        cols = columns("units") or []
        if good.get("size") == "population" and cols and "population" not in cols:
            report("steps.combine.params.size", "size = \"population\" reads the units' "
                                                "population: map it in [inputs.units] columns")

    def run(self, ctx: StepContext) -> StepResult:
        from metrocircle.combine import combine
        from metrocircle.model.output import safe_name

        p = ctx.params()
        layer = p["layer"]
        membership = ctx.results["delineation"].tables["membership"]
        keep = [c for c in ("unit_id", "area_id", "status") if c in membership.columns]
        adjacency = ctx.inputs.adjacency()
        external = list(ctx.project.layers.get(layer, {}).get("external", []))
        units = ctx.units()
        res = combine(p["method"], membership[keep], flows=ctx.layer(layer),
                      adjacency=adjacency[["unit_a", "unit_b"]], units=units,
                      params=p.get("params") or {}, external=external,
                      progress=ctx.progress)
        ctx.write_table(res.combined, "combined.csv")
        ctx.write_table(res.pairs, "pairs.csv")
        for name, table in res.tables.items():
            ctx.write_table(table, "combine", f"{safe_name(name, what='table name')}.csv")
        info: dict[str, Any] = {
            "method": res.method, "params": res.params, "layer": ctx.label(layer),
            "external": external,
            "counts": {"areas": int(len(res.combined)), "adjacent_pairs": int(len(res.pairs)),
                       "combined_areas": int(res.combined["combined_id"].dropna().nunique())},
            "info": res.info}
        reference = ctx.inputs.unit_set("reference")
        if reference is not None and "combined_id" in reference.columns:
            info["reference_pairs"] = self._reference_pairs(ctx, res.combined, membership,
                                                            reference)
        return StepResult({"combined": res.combined, "pairs": res.pairs}, info)

    @staticmethod
    def _reference_pairs(ctx: StepContext, combined: pd.DataFrame, membership: pd.DataFrame,
                         reference: pd.DataFrame) -> dict[str, Any]:
        """Pair by pair against the reference's combined areas (``combined_id`` mapped): each
        delineated area stands for the reference area it is matched to (by cores when the
        reference maps ``status``, else by most units); written to
        ``combine/reference_pairs.json``."""
        from metrocircle.combine.reference import compare_pairs
        from metrocircle.delineate.reference import matched_reference_areas

        areas = ctx.results["delineation"].tables["areas"]
        if "status" in reference.columns:
            matches = matched_reference_areas(membership, areas, reference)
            how = "by cores (delineation/reference_matches.csv)"
        else:
            scopes = compare_scopes(membership, reference[["unit_id", "area_id"]], ctx.units())
            both = scopes.dropna(subset=["matched_reference_area"])
            matches = dict(zip(both["area_id"].astype(str),
                               both["matched_reference_area"].astype(str), strict=True))
            how = "by most units (delineation/comparison.csv)"
        ref = reference[["area_id", "combined_id"]].drop_duplicates("area_id")
        cmp = compare_pairs(combined, ref, matches=matches)
        name = (ctx.project.input("reference") or {}).get("name", "reference")
        figures = {"reference": name, "matched": how,
                   **{k: v for k, v in cmp.items() if k not in ("extra_pairs",
                                                               "missed_pairs")}}
        pairs = pd.DataFrame(
            [(a, b, "found, not in the reference") for a, b in cmp["extra_pairs"]]
            + [(a, b, "in the reference, not found") for a, b in cmp["missed_pairs"]],
            columns=["reference_area_a", "reference_area_b", "difference"])
        ctx.write_json(figures, "combine", "reference_pairs.json")
        ctx.write_table(pairs, "combine", "reference_pair_differences.csv")
        return figures


# ----------------------------------------------------------------------------- roles
class Roles(Step):
    """The role of each unit of the delineated area (:mod:`metrocircle.structure`)."""

    name = "roles"
    extras = {"graph": ("igraph",)}

    def needs(self, project: Project) -> list[str]:
        p = project.step("roles")
        used = [p["flows"]] + ([p["strength"]] if p.get("strength") else [])
        return ["delineation", *_layer_needs(project, used), *_travel_needs(project)]

    def reads(self, project: Project) -> list[tuple[str, str]]:
        return [("inputs", n) for n in ("units", "cores", "second_core", "travel_times")] + [
            ("steps", "roles")]

    def check(self, project: Project, report: Report, columns: Columns) -> None:
        from metrocircle.structure.classify import check_rules

        p = project.step("roles")
        if not project.has_step("delineation"):
            report("steps.roles", "the roles step classifies the delineated area: add "
                                  "[steps.delineation]")
        if project.input("cores") is None:
            report("steps.roles", "the roles step needs [inputs.cores]")
        _check_layers(project, [p["flows"]], "steps.roles.flows", report)
        if p.get("strength"):
            _check_layers(project, [p["strength"]], "steps.roles.strength", report)
        cols = columns("units") or []
        for key in ("admin", "size"):
            col = p.get(key)
            if col and cols and col not in cols:
                report(f"steps.roles.{key}", f"no units column {col!r}{did_you_mean(col, cols)}")
        try:
            check_rules(p.get("params") or {})
        except ParameterError as err:
            report("steps.roles.params", str(err))

    @staticmethod
    def arguments(ctx: StepContext) -> dict[str, Any]:
        """The inputs of the role indicators from the upstream results: ``flows``, ``cores``
        (of the classified area), ``second_core``, ``travel_times``, ``units``, ``admin_col``,
        ``strength``, ``restrict_to`` (the area's units), ``area`` and ``sizes`` (what
        ``metrocircle roles --example`` uses too)."""
        p = ctx.params()
        units = ctx.units()
        membership = ctx.results["delineation"].tables["membership"]
        cores = ctx.inputs.unit_set("cores")
        area = p.get("area")
        if area is None:
            first = membership.loc[membership["unit_id"] == cores["unit_id"].iloc[0], "area_id"]
            area = str(first.iloc[0]) if len(first) and pd.notna(first.iloc[0]) else None
        if area is None:
            raise InputError([Problem("steps.roles", "the first core unit is in no delineated "
                                                     "area; name one with 'area'")])
        area_units = membership.loc[membership["area_id"].astype("string") == area,
                                    "unit_id"].tolist()
        if not area_units:
            raise InputError([Problem("steps.roles.area", f"no unit is in area {area!r}")])
        area_cores = cores[cores["area_id"] == area] if (cores["area_id"] == area).any() \
            else cores[cores["unit_id"].isin(area_units)]
        sizes = None
        if p.get("size"):
            sizes = pd.to_numeric(units.set_index("unit_id")[p["size"]], errors="coerce")
            sizes = sizes.reindex(area_units).dropna()
        return {"flows": ctx.layer(p["flows"]), "cores": area_cores,
                "second_core": ctx.inputs.unit_set("second_core"),
                "travel_times": ctx.travel_times(), "units": units,
                "admin_col": p.get("admin"),
                "strength": ctx.layer(p["strength"]) if p.get("strength") else None,
                "restrict_to": area_units, "area": area, "sizes": sizes}

    def run(self, ctx: StepContext) -> StepResult:
        from metrocircle import structure as S

        p = ctx.params()
        args = self.arguments(ctx)
        units, area, area_units = args["units"], args["area"], args["restrict_to"]
        area_cores, flows, sizes = args["cores"], args["flows"], args["sizes"]
        ctx.progress("indicators", 0.1)
        ind = S.indicators(flows, cores=area_cores, second_core=args["second_core"],
                           travel_times=args["travel_times"], units=units,
                           admin_col=args["admin_col"], strength=args["strength"],
                           centrality=p["centrality"], restrict_to=area_units)
        policy = S.read_policy(ctx.project.resolve(p["policy"])) if p.get("policy") else None
        res = S.classify(ind, rules=p.get("params") or {}, policy=policy)
        quad = S.quadrants(ind)
        core_units = set(area_cores["unit_id"])
        centres = {u: ("core" if u in core_units else u) for u in ind["unit_id"]}
        poly = S.polycentricity(flows, centres=centres, sizes=sizes)
        poly["centres_rule"] = ("every classified unit is a centre; the core units are merged "
                                "into one centre 'core'")
        roles = roles_table(res.roles, area, units)
        ctx.write_table(roles, "roles.csv")
        ctx.write_table(res.conditions, "structure", "conditions.csv")
        ctx.write_table(ind, "structure", "indicators.csv")
        ctx.write_table(quad, "structure", "quadrants.csv")
        ctx.write_json(poly, "structure", "polycentricity.json")
        labels = {"flows": ctx.label(p["flows"])}
        if p.get("strength"):
            labels["strength"] = ctx.label(p["strength"])
        info = {"area": area, "units": len(area_units), "layers": labels,
                "params": res.params, "counts": {str(k): int(v) for k, v in
                                                 roles["role"].value_counts().items()},
                "indicators": ind.attrs.get("info", {}), "classification": res.info,
                "polycentricity": {"green": poly.get("green", {}).get("index"),
                                   "primacy": poly.get("primacy")}}
        return StepResult({"roles": roles}, info)


def roles_table(roles: pd.DataFrame, area: str, units: pd.DataFrame) -> pd.DataFrame:
    """``unit_id, area_id, role, reason``, then the rule columns and the unit's name."""
    out = roles.copy()
    out.insert(1, "area_id", area)
    first = ["unit_id", "area_id", "role", "reason"]
    out = out[first + [c for c in out.columns if c not in first]]
    if "name" in units.columns and "name" not in out.columns:
        out = out.merge(units[["unit_id", "name"]], on="unit_id", how="left")
    return out


# ----------------------------------------------------------------------------- groups
class Groups(Step):
    """City groups of a flow network (:func:`metrocircle.groups.find_groups`)."""

    name = "groups"
    extras = {"graph": ("igraph", "leidenalg")}

    def needs(self, project: Project) -> list[str]:
        return _layer_needs(project, [project.step("groups")["flows"]])

    def reads(self, project: Project) -> list[tuple[str, str]]:
        return [("inputs", n) for n in ("units", "adjacency", "boundaries")] + [
            ("steps", "groups")]

    def check(self, project: Project, report: Report, columns: Columns) -> None:
        from metrocircle.groups import parse_params

        p = project.step("groups")
        _check_layers(project, [p["flows"]], "steps.groups.flows", report)
        try:
            parse_params(p["method"], p.get("params") or {})
        except ParameterError as err:
            report("steps.groups.params", str(err))

    def run(self, ctx: StepContext) -> StepResult:
        from metrocircle.groups import find_groups
        from metrocircle.model.geo import attach_geometry

        p = ctx.params()
        units = ctx.units()
        u = units[["unit_id"] + (["population"] if "population" in units.columns else [])]
        adjacency = ctx.inputs.adjacency()
        res = find_groups(ctx.layer(p["flows"]), method=p["method"], units=u,
                          adjacency=None if adjacency is None else adjacency[["unit_a",
                                                                              "unit_b"]],
                          params=p.get("params") or {}, progress=ctx.progress)
        ctx.write_table(res.membership, "groups", "membership.csv")
        ctx.write_table(res.groups, "groups", "groups.csv")
        if res.history is not None:
            ctx.write_table(res.history, "groups", "history.csv")
        boundaries = ctx.inputs.boundaries()
        if boundaries is not None:
            geo = attach_geometry(res.membership, boundaries)
            gpkg = ctx.path("groups", "groups.gpkg")
            io.write_table(geo, gpkg, layer="membership")
            dissolved = geo[["group", "geometry"]].dissolve(by="group").reset_index()
            io.write_table(dissolved.merge(res.groups, on="group"), gpkg, layer="groups")
        info = {"method": p["method"], "layer": ctx.label(p["flows"]), **res.info}
        return StepResult({"membership": res.membership, "groups": res.groups}, info)


# ----------------------------------------------------------------------------- industry
class Industry(Step):
    """Location quotients, specialisations, similarity and collaboration
    (:func:`metrocircle.industry.run.analyse`) on the census's industry columns."""

    name = "industry"

    def reads(self, project: Project) -> list[tuple[str, str]]:
        return [("inputs", "units"), ("inputs", "census"), ("steps", "industry")]

    def check(self, project: Project, report: Report, columns: Columns) -> None:
        p = project.step("industry")
        if project.input("census") is None:
            report("steps.industry", "the industry step reads [inputs.census]")
            return
        cols = columns("census")
        if cols and not industry_columns(cols, p["industries"]):
            report("steps.industry.industries", f"{p['industries']!r} matches no column of "
                                                "inputs.census")
        ucols = columns("units") or []
        if p.get("group") and ucols and p["group"] not in ucols:
            report("steps.industry.group", f"no units column {p['group']!r}"
                                           f"{did_you_mean(p['group'], ucols)}")

    @staticmethod
    def activity(ctx: StepContext) -> dict[str, Any]:
        """The activity table of the units, the reference totals and their description, the
        units' names and groups (what ``metrocircle industry --example`` uses too)."""
        from metrocircle.industry import activity_matrix

        p = ctx.params()
        ours, others = ctx.inputs.census()
        cols = industry_columns(list(ours.columns), p["industries"])
        prefix = p["strip_prefix"]
        rename = {c: c[len(prefix):] if prefix and c.startswith(prefix) else c for c in cols}
        missing = "zero" if p["blank_as_zero"] else "error"
        table = activity_matrix(ours[["unit_id", *cols]].rename(columns=rename),
                                units=ctx.inputs.unit_ids(), missing=missing,
                                source="inputs.census")
        reference, reference_name = None, None
        if p["reference_units"]:
            rows = others[others["unit_id"].isin(p["reference_units"])]
            lacking = sorted(set(p["reference_units"]) - set(rows["unit_id"]))
            if lacking:
                raise InputError([Problem("steps.industry.reference_units",
                                          "rows not found in inputs.census", lacking)])
            ref = activity_matrix(rows[["unit_id", *cols]].rename(columns=rename),
                                  missing=missing, source="inputs.census (reference rows)")
            reference = ref.sum(axis=0)
            reference_name = "sum of the census rows " + ", ".join(p["reference_units"])
        units = ctx.units()
        groups = units.set_index("unit_id")[p["group"]].astype(str) if p.get("group") else None
        return {"table": table, "reference": reference, "reference_name": reference_name,
                "names": _names(units).to_dict(), "groups": groups,
                "measure": p.get("measure") or "not stated",
                "rows": {"census_rows_of_units": int(len(ours)),
                         "census_rows_set_aside": int(len(others)),
                         "reference_rows": list(p["reference_units"])}}

    def run(self, ctx: StepContext) -> StepResult:
        from metrocircle.industry.run import analyse

        p = ctx.params()
        a = self.activity(ctx)
        res = analyse(a["table"], reference=a["reference"], threshold=p["threshold"],
                      min_size=p["min_size"], min_share=p["min_share"],
                      min_industry_share=p["min_industry_share"], groups=a["groups"],
                      cross_group_only=p["cross_group_only"], names=a["names"],
                      reference_name=a["reference_name"], progress=ctx.progress)
        for name, df in res.tables.items():
            ctx.write_table(df, "industry", f"{name}.csv")
        info = {"measure": a["measure"], **res.info, "census": a["rows"]}
        return StepResult({"lq": res.tables["lq"],
                           "specialisations": res.tables["specialisations"]}, info)


def industry_columns(columns: list[str], patterns: str) -> list[str]:
    """The columns matched by comma-separated names or shell patterns, in file order."""
    pats = [q.strip() for q in patterns.split(",") if q.strip()]
    return [c for c in columns if any(fnmatch.fnmatchcase(c, q) for q in pats)]


# ----------------------------------------------------------------------------- indicators
class Indicators(Step):
    """Indicators of every delineated area, and of the reference scope beside them."""

    name = "indicators"

    def needs(self, project: Project) -> list[str]:
        p = project.step("indicators")
        return ["delineation", *(_layer_needs(project, [p["flows"]]) if p.get("flows") else [])]

    def reads(self, project: Project) -> list[tuple[str, str]]:
        return [("inputs", n) for n in ("units", "census", "cores", "reference")] + [
            ("steps", "indicators")]

    def check(self, project: Project, report: Report, columns: Columns) -> None:
        from metrocircle.indicators.area import DEFAULT_COLUMNS

        p = project.step("indicators")
        if not project.has_step("delineation"):
            report("steps.indicators", "the indicators step reads the delineation: add "
                                       "[steps.delineation]")
        if p.get("flows"):
            _check_layers(project, [p["flows"]], "steps.indicators.flows", report)
        available = (columns("units") or []) + (columns("census") or [])
        cols = {**DEFAULT_COLUMNS, **(p.get("columns") or {})}
        for role, col in (p.get("columns") or {}).items():
            if role not in DEFAULT_COLUMNS:
                report(f"steps.indicators.columns.{role}", f"unknown indicator input"
                       f"{did_you_mean(role, list(DEFAULT_COLUMNS))}; roles: "
                       f"{', '.join(DEFAULT_COLUMNS)}")
            elif columns("units") is not None and col not in available:
                report(f"steps.indicators.columns.{role}",
                       f"no column {col!r} in the units or the census"
                       f"{did_you_mean(str(col), available)}")
        if columns("units") is not None and cols["population"] not in available:
            report("steps.indicators.columns.population", "the indicators need a population "
                   "column: map 'population' in [inputs.units] columns or name it here")

    def run(self, ctx: StepContext) -> StepResult:
        from metrocircle.indicators import area_indicators
        from metrocircle.indicators.area import DEFAULT_COLUMNS

        p = ctx.params()
        units = ctx.units()
        given = dict(p.get("columns") or {})
        cols = {**DEFAULT_COLUMNS, **given}
        u = units.copy()
        if ctx.project.input("census") is not None:
            census, _ = ctx.inputs.census()
            for col in set(cols.values()) - set(u.columns):
                if col in census.columns:
                    u[col] = u["unit_id"].map(census.set_index("unit_id")[col])
        flows = ctx.layer(p["flows"]) if p.get("flows") else None
        membership = ctx.results["delineation"].tables["membership"]
        parts = [area_indicators(u, membership, flows=flows, columns=given).assign(
            grouping="delineation")]
        reference = ctx.inputs.unit_set("reference")
        if reference is not None:
            cores = ctx.inputs.unit_set("cores")
            core_ids = set(cores["unit_id"]) if cores is not None else set()
            ref = reference.assign(status=["core" if u_ in core_ids else "member"
                                           for u_ in reference["unit_id"]])
            name = (ctx.project.input("reference") or {}).get("name", "reference")
            parts.append(area_indicators(u, ref, flows=flows, columns=given).assign(
                grouping=name))
        table = pd.concat(parts, ignore_index=True)
        table = table[["grouping"] + [c for c in table.columns if c != "grouping"]]
        ctx.write_table(table, "indicators.csv")
        ctx.write_json({"columns": cols, "flows": ctx.label(p["flows"]) if p.get("flows")
                        else None}, "indicators", "columns.json")
        info = {"columns": cols, "areas": int(len(table)),
                "layer": ctx.label(p["flows"]) if p.get("flows") else None}
        return StepResult({"indicators": table}, info)


STEPS: dict[str, Step] = {s.name: s for s in (Access(), Signaling(), Layers(), Strength(),
                                              Delineation(), Combine(), Roles(), Groups(),
                                              Industry(), Indicators())}


def step_order(project: Project) -> list[str]:
    """The steps that run, in order (``layers`` when any layer is declared)."""
    from metrocircle.project.project import CHAIN

    return [s for s in CHAIN if project.has_step(s)]

