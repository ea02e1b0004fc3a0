"""Chinese multi-source practice, ``cn-multisource``.

The delineation Chinese metropolitan-area plans describe: "on the basis of the one-hour
commuting circle", several big-data layers (enterprise investment, signaling, commuting,
passenger and freight flows) measure how strongly each unit is tied to the central city, and
the result is fixed as a set of whole administrative units. Cores are an input. For every unit
and every area of cores:

1. **travel-time gate** (NDRC 2019, the one-hour commuting circle): the shortest travel time
   to a core unit of the area is at most ``max_minutes`` (60). The circle is the basis of the
   practice, so the gate needs a travel-time matrix: without one the run is an error unless
   ``travel_time_gate=False`` turns the rule off;
2. **fused membership**: the layers of the flows (``layer`` column; the whole table is one
   layer without it) are normalised and weighted into one connection index ``S_ij``
   (:func:`metrocircle.strength.fuse`: entropy, AHP, combined or user weights), and the unit's
   membership ``M_iA = sum_{c in A} S_ic / sum_{j != i} S_ij`` must reach the threshold (with
   ``link_direction="both"``, the default, each layer's two directions of a pair are summed
   first: commuting runs from home to work, investment from investor to investee, and either
   way ties the two units): a
   fixed ``membership_share``, or by default the lower bound of the top ``member_classes``
   (2) of ``jenks_classes`` (4) natural-breaks classes of the membership of every non-core
   unit (the Southeast University method, US patent 10621604: four natural-breaks classes,
   narrow and broad metropolitan area);
3. **commuting-rate rings** when a commuting layer is given (a layer of kind ``commuting``,
   else the layer named ``commuting_layer``): integration >= 30 %, close >= 10 % (the
   metropolitan boundary), radiation >= 5 % of the unit's employed residents working in the
   core (Zhao Hui et al. 2023); reaching ``member_ring`` is a connection condition;
4. the connection conditions combine with ``combine``: ``either`` (default: the fused
   membership *or* the commuting ring admits a unit) or ``both``; the gate always applies;
5. the strongest fused membership among the areas a unit qualifies for; contiguity to the
   core (needs adjacency);
6. **hierarchical snapping**: for each parent level of the units table (``parent_levels``,
   lowest first, e.g. ``planning_group,prefecture_id``), a parent whose qualifying part holds
   at least ``snap_share`` (50 %) of its ``population`` joins whole, otherwise it leaves whole;
   a parent holding a core stays whole in the core's area; level by level, every snap recorded;
7. **policy overrides** from a file, each recorded with its reason.

A rule that does not apply (the gate turned off, no commuting layer for the rings, no parent
column to snap to) is said on the console, in ``run.json`` (``rules_off``) and in every non-core
unit's ``rules_off`` column (:class:`steps.RulesOff`).

Every unit's ``rule``, ``value``, ``threshold`` and ``margin`` name its *binding* condition:
for a member, the condition closest to failing (relative margins compared); for a unit kept
out, the condition that keeps it out (the gate first; of two failed connection conditions
under ``either``, the one closest to passing). For the gate the test is ``value <=
threshold`` (minutes), so a member's margin there is negative: the minutes left under the
limit. See ``docs/methods/cn-multisource.md``.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.delineate import steps
from metrocircle.delineate._preset import (
    POLICY_PARAM,
    TRAVEL_TIME_GATE_PARAM,
    CorePreset,
    Params,
    direction_param,
)
from metrocircle.delineate.base import (
    DelineationMethod,
    InputTables,
    Param,
    ProgressCallback,
    register,
    share_param,
)
from metrocircle.exceptions import InputError, ParameterError, Problems
from metrocircle.model import schema as S

log = logging.getLogger(__name__)

RINGS = ("integration", "close", "radiation")
WEIGHTS = ("entropy", "ahp", "combined", "equal", "user")
NORMALISATIONS = ("row", "total", "minmax")
COMBINE = ("either", "both")
LINK_DIRECTIONS = ("both", "outgoing", "incoming")
GATE, MEMBERSHIP, COMMUTING = "gate", "membership", "commuting"
SINGLE_LAYER = "flows"
#: The parameters the layers and their fused index depend on (not the thresholds).
FUSION_PARAMS = ("layers", "commuting_layer", "link_direction", "weights", "normalise",
                 "layer_weights", "ahp_matrix", "alpha")


@dataclass
class PreparedLayers(InputTables):
    """The tables as given, and the split layers and fused index of each fusion setting
    (:data:`FUSION_PARAMS`) already computed: they do not depend on the thresholds, so runs
    on one prepared input (a dashboard's slider, a sensitivity grid) fuse once.
    :meth:`with_values` starts a new memo (other flow values fuse to another index)."""

    fused: dict[tuple, Any] = field(default_factory=dict, repr=False)

    def with_values(self, values: np.ndarray) -> PreparedLayers:
        return replace(InputTables.with_values(self, values), fused={})


def _names(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


@register
class CnMultisource(CorePreset):
    """One-hour gate, fused multi-layer membership, commuting rings, hierarchical snapping."""

    name = "cn-multisource"
    shares_context = False  # one flow matrix per layer, built in _fit
    params = (
        Param(
            "max_minutes",
            float,
            60.0,
            "Travel-time limit to the core (the one-hour circle).",
            low=0.0,
            low_open=True,
        ),
        TRAVEL_TIME_GATE_PARAM,
        share_param(
            "membership_share",
            None,
            "Fixed threshold on the fused membership to the core; unset = natural breaks.",
            optional=True,
        ),
        Param(
            "jenks_classes",
            int,
            4,
            "Natural-breaks classes of the fused membership of the non-core units.",
            low=2,
            high=10,
        ),
        Param(
            "member_classes",
            int,
            2,
            "How many of the top natural-breaks classes qualify (2: the broad area).",
            low=1,
            high=9,
        ),
        Param(
            "layers",
            str,
            None,
            "Comma-separated layers to fuse (default every layer of the flows).",
            optional=True,
        ),
        Param(
            "weights",
            str,
            "entropy",
            "Layer weights: entropy, ahp, combined (alpha AHP + (1 - alpha) entropy), equal, "
            "user (layer_weights).",
            choices=WEIGHTS,
        ),
        Param(
            "layer_weights",
            str,
            None,
            "User weights as NAME=W pairs, e.g. 'commuting=2,investment=1'.",
            optional=True,
        ),
        Param(
            "ahp_matrix",
            str,
            None,
            "AHP pairwise judgements in the order of 'layers': rows split by ';', cells by "
            "',', fractions allowed ('1,3;1/3,1').",
            optional=True,
        ),
        Param("alpha", float, 0.5, "Share of the AHP weights in 'combined'.", low=0.0, high=1.0),
        Param(
            "link_direction",
            str,
            "both",
            "Which flows of a pair tie a unit to another before fusion: both (T_ij + T_ji), "
            "outgoing (T_ij), incoming (T_ji).",
            choices=LINK_DIRECTIONS,
        ),
        Param(
            "normalise",
            str,
            "row",
            "Normalisation of each layer before weighting: row (share of the origin's links), "
            "total, minmax.",
            choices=NORMALISATIONS,
        ),
        Param(
            "commuting_layer",
            str,
            "commuting",
            "Layer read as commuting when no layer has kind 'commuting'.",
        ),
        share_param("integration_share", 0.30, "Commuting rate of the integration ring."),
        share_param(
            "close_share", 0.10, "Commuting rate of the close ring (metropolitan boundary)."
        ),
        share_param("radiation_share", 0.05, "Commuting rate of the radiation ring."),
        Param(
            "member_ring",
            str,
            "close",
            "Innermost ring a commuting rate must reach to count as a connection.",
            choices=RINGS,
        ),
        direction_param(
            "outbound",
            "Which share is the commuting rate: outbound (employed residents working in the "
            "core), inbound, either, both.",
        ),
        Param(
            "combine",
            str,
            "either",
            "How the connection conditions combine: either (fused membership or commuting "
            "ring) or both.",
            choices=COMBINE,
        ),
        Param(
            "contiguity", bool, True, "Require members to connect to the core (needs adjacency)."
        ),
        Param("snap", bool, True, "Snap units to whole parents at every parent level."),
        Param(
            "parent_levels",
            str,
            "parent_id",
            "Comma-separated parent columns of units, lowest level first.",
        ),
        share_param(
            "snap_share",
            0.5,
            "Share of a parent's weight that must qualify for the whole parent to join.",
        ),
        Param(
            "snap_weight", str, "population", "Column of units weighing units when snapping."
        ),
        POLICY_PARAM,
    )

    def _check_params(self, values: dict) -> None:
        if not values["integration_share"] >= values["close_share"] >= values["radiation_share"]:
            raise ParameterError(
                "The ring shares of cn-multisource must satisfy integration_share >= "
                f"close_share >= radiation_share. Got {values['integration_share']}, "
                f"{values['close_share']}, {values['radiation_share']}."
            )
        if values["member_classes"] >= values["jenks_classes"]:
            raise ParameterError(
                "The 'member_classes' parameter of cn-multisource must be smaller than "
                f"jenks_classes ({values['jenks_classes']}). Got {values['member_classes']}."
            )
        if values["weights"] == "user" and not values["layer_weights"]:
            raise ParameterError(
                "The 'layer_weights' parameter of cn-multisource is required with "
                "weights='user'."
            )
        if values["weights"] in ("ahp", "combined") and not (
            values["ahp_matrix"] and values["layers"]
        ):
            raise ParameterError(
                "The 'ahp_matrix' and 'layers' parameters of cn-multisource are required with "
                f"weights={values['weights']!r} (the matrix follows the order of 'layers')."
            )
        if not _names(values["parent_levels"]):
            raise ParameterError(
                "The 'parent_levels' parameter of cn-multisource must name at least one "
                f"column. Got {values['parent_levels']!r}."
            )

    def _uses_adjacency(self, p: Params) -> bool:
        return bool(p["contiguity"])

    def _prepare(
        self,
        flows: pd.DataFrame,
        *,
        units: pd.DataFrame | None,
        cores: pd.DataFrame | None,
        adjacency: pd.DataFrame | None,
        travel_times: pd.DataFrame | None,
    ) -> PreparedLayers:
        return PreparedLayers(flows, units, cores, adjacency, travel_times)

    def _fit_prepared(self, prepared: Any, progress: ProgressCallback) -> None:
        self._fused_memo = getattr(prepared, "fused", None)
        try:
            DelineationMethod._fit_prepared(self, prepared, progress)
        finally:
            self._fused_memo = None

    def _layers_and_fusion(self, flows: pd.DataFrame, p: Params) -> tuple[Any, ...]:
        """The split layers, their labels, the commuting layer and the fused index; from the
        prepared input's memo when these fusion parameters ran on it before."""
        memo = getattr(self, "_fused_memo", None)
        key = tuple(p[k] for k in FUSION_PARAMS)
        if memo is not None and key in memo:
            return memo[key]
        layers, labels, commuting = _split_layers(flows, p)
        out = (layers, labels, commuting, _fuse(layers, labels, p))
        if memo is not None:
            memo[key] = out
        return out

    def _fit(
        self,
        flows: pd.DataFrame,
        *,
        units: pd.DataFrame | None,
        cores: pd.DataFrame | None,
        adjacency: pd.DataFrame | None,
        travel_times: pd.DataFrame | None,
        progress: ProgressCallback,
    ) -> None:
        p = self.params_
        if p["contiguity"] and adjacency is None:
            raise ParameterError(
                f"{self.name} applies contiguity, which needs an adjacency table: give "
                "--adjacency (pairs of neighbouring units, or polygons), or "
                "--param contiguity=false."
            )
        rules_off = steps.RulesOff(self.name)
        gated = rules_off.travel_time_gate(travel_times, apply=p["travel_time_gate"],
                                           max_minutes=p["max_minutes"])
        progress("layers", 0.05)
        layers, labels, commuting, fused = self._layers_and_fusion(flows, p)
        if not commuting:
            rules_off.add("commuting_rings",
                          "commuting-rate rings not applied: no commuting layer in the flows "
                          f"(no layer of kind 'commuting', none named '{p['commuting_layer']}'; "
                          "commuting_layer=NAME names one)")
        universe = steps.universe_of(flows, units)
        comm_flows = layers[commuting] if commuting else flows.iloc[0:0]
        fm = steps.flow_matrix(comm_flows, universe)
        core_tab = steps.read_cores(cores, fm, self.name)
        graph = steps.adjacency_matrix(adjacency, fm) if adjacency is not None else None
        ctx = steps.Context(fm, core_tab, graph, units, travel_times)
        area_labels = sorted(set(core_tab.group_area))
        code = {a: i for i, a in enumerate(area_labels)}
        n_areas = len(area_labels)
        core_area = np.full(fm.n, steps.NO_AREA, dtype=np.int64)
        is_core = core_tab.is_core
        core_area[is_core] = [code[core_tab.group_area[g]] for g in core_tab.group_of[is_core]]

        progress("fusion", 0.2)
        member = _membership(fused.links, fm, core_area, n_areas)
        thresholds, breaks = _membership_thresholds(member, core_area, p, area_labels)

        progress("gate", 0.4)
        minutes = None
        if gated:
            minutes = steps.minutes_to_cores(travel_times, fm, core_area, n_areas)
        rate = None
        ring_bounds = [(r, p[f"{r}_share"]) for r in RINGS]
        ring_threshold = dict(ring_bounds)[p["member_ring"]]
        if commuting:
            pairs = steps.shares_to_areas(fm, core_area, n_areas, p["direction"])
            rate = np.zeros((fm.n, n_areas))
            rate[pairs["pos"].to_numpy(), pairs["area"].to_numpy()] = pairs["tie"].to_numpy()

        progress("conditions", 0.5)
        state = steps.Assignment(fm.n)
        state.set(is_core, area=core_area, status=steps.CORE, rule="core")
        self._judge(state, p, member, thresholds, minutes, rate, ring_threshold, is_core)
        if rate is not None:
            best = state.extra["best_area"]
            r = rate[np.arange(fm.n), np.maximum(best, 0)]
            ring = steps.rings(np.where(best >= 0, r, 0.0), ring_bounds)
            state.column("commuting_rate")[:] = np.where(best >= 0, r, np.nan)
        else:
            ring = np.full(fm.n, "", dtype=object)
        ring[is_core] = "core"
        state.column("ring", "", object)[:] = ring
        binding = state.extra["binding"]
        if p["contiguity"] and graph is not None:
            progress("contiguity", 0.6)
            dropped = steps.prune_to_cores(state, graph, rule="rejected:not_contiguous")
            binding[dropped] = "contiguity"

        snapped = []
        levels = _names(p["parent_levels"])
        if p["snap"] and units is not None:
            progress("snapping", 0.8)
            present = [lv for lv in levels if lv in units.columns]
            absent = [lv for lv in levels if lv not in units.columns]
            if absent and levels != ["parent_id"]:  # the default level may be absent
                prob = Problems()
                prob.add("units", "column(s) named by 'parent_levels' not found: "
                         f"{', '.join(absent)}")
                prob.raise_if_any()
            if not present:
                rules_off.add("snap", "snapping to whole parents not applied: the units table "
                              "has no parent_id column")
            for lv in present:
                before = state.rule.copy()
                decisions = steps.snap_to_parents(
                    state, units, fm, share=p["snap_share"], weight=p["snap_weight"],
                    parent_col=lv, level=None if levels == ["parent_id"] else lv,
                )
                moved = state.rule != before
                core_parent = decisions.set_index("parent_id")["has_core"].to_dict()
                held = np.array([bool(core_parent.get(x, False)) for x in state.extra[lv]])
                binding[moved] = np.where(held[moved], f"snap:{lv}:core_parent", f"snap:{lv}")
                decisions.insert(0, "level", lv)
                snapped.append(decisions)
        elif p["snap"]:
            rules_off.add("snap", "snapping to whole parents not applied: no units table given")
        if snapped:
            parents = pd.concat(snapped, ignore_index=True)
            parents["area_id"] = [area_labels[a] if a >= 0 else None for a in parents["area"]]
            self.tables_["parents"] = parents.drop(columns="area")

        layer_table = fused.layer_table()
        self.tables_["layers"] = layer_table
        if breaks is not None:
            self.tables_["membership_breaks"] = breaks
        info: dict[str, Any] = {
            "layers": layer_table.to_dict(orient="records"),
            "modelled_layers": layer_table.loc[layer_table["source"] == "modelled",
                                               "layer"].tolist(),
            "unlabelled_layers": layer_table.loc[layer_table["source"].isna(),
                                                 "layer"].tolist(),
            # a copy: the fused index may serve other runs of a prepared input
            "fusion": copy.deepcopy({k: v for k, v in fused.info.items() if k != "layers"}),
            "membership_threshold": dict(zip(area_labels, map(float, thresholds), strict=True)),
            "membership_threshold_from": "membership_share" if p["membership_share"]
            else f"natural breaks: top {p['member_classes']} of {p['jenks_classes']} classes",
            "travel_time_gate": gated,
            "rules_off": rules_off.rules,
            "commuting_layer": commuting,
            "parents_snapped": {lv: int(g["whole"].sum()) for lv, g in
                                (self.tables_["parents"].groupby("level")
                                 if snapped else [])},
        }
        rules_off.explain(state)
        steps.finish(self, ctx, state, area_labels, policy=p["policy"], info=info,
                     parent_cols=levels)
        overridden = (self.membership_["rule"] == "policy_override").to_numpy(dtype=bool)
        self.membership_.loc[overridden, "binding"] = "policy"
        if not commuting:
            self.membership_ = self.membership_.drop(columns=["employed_residents", "jobs"])
            self.areas_ = self.areas_.drop(columns=["employed_residents", "jobs"])
        progress("done", 1.0)

    def _judge(
        self,
        state: steps.Assignment,
        p: Params,
        member: np.ndarray,
        thresholds: np.ndarray,
        minutes: np.ndarray | None,
        rate: np.ndarray | None,
        ring_threshold: float,
        is_core: np.ndarray,
    ) -> None:
        """Test every (unit, area): gate, fused membership, commuting ring; keep each unit's
        best area and write its binding condition."""
        n, n_areas = member.shape
        max_minutes = p["max_minutes"]
        # relative margins (>= 0 passes) of each condition, units x areas
        if minutes is None:
            g = np.full((n, n_areas), np.inf)
        else:
            g = np.where(np.isfinite(minutes), (max_minutes - minutes) / max_minutes, -np.inf)
        t = thresholds[None, :]
        f = np.where(t > 0, (member - t) / np.where(t > 0, t, 1.0), member - t)
        conn = f
        c = None
        if rate is not None:
            c = (rate - ring_threshold) / ring_threshold
            conn = np.maximum(f, c) if p["combine"] == "either" else np.minimum(f, c)
        overall = np.minimum(g, conn)
        qual = overall >= 0
        # best area: the strongest fused membership among qualifying areas, else the area the
        # unit comes closest to; ties to the lower area code
        score = np.where(qual, member, -np.inf)
        best = np.argmax(score, axis=1)
        none = ~qual.any(axis=1)
        best[none] = np.argmax(overall[none], axis=1)
        best[is_core] = state.area[is_core]  # a core is reported against its own area
        rows = np.arange(n)
        ok = qual[rows, best] & ~is_core
        gb, fb = g[rows, best], f[rows, best]
        cb = c[rows, best] if c is not None else np.full(n, np.nan)
        connb = conn[rows, best]
        # binding condition: the gate when it fails (the circle is the basic scope) or is
        # tighter than the connection conditions
        which = np.where((gb < 0) | (gb <= connb), GATE, MEMBERSHIP).astype(object)
        if c is not None:
            pick_c = (cb > fb) if p["combine"] == "either" else (cb < fb)
            which = np.where((which != GATE) & pick_c, COMMUTING, which)
        mins = minutes[rows, best] if minutes is not None else np.full(n, np.nan)
        mem_b = member[rows, best]
        thr_b = thresholds[best]
        rate_b = rate[rows, best] if rate is not None else np.full(n, np.nan)
        value = np.select([which == GATE, which == MEMBERSHIP], [mins, mem_b], rate_b)
        threshold = np.select([which == GATE, which == MEMBERSHIP],
                              [np.full(n, max_minutes), thr_b], np.full(n, ring_threshold))
        rule = np.empty(n, dtype=object)
        t_txt = np.array([f"{x:.4g}" for x in thr_b], dtype=object)
        rule[which == GATE] = np.where(ok, f"travel_minutes<={max_minutes:g}",
                                       f"rejected:travel_minutes>{max_minutes:g}")[which == GATE]
        no_time = (which == GATE) & ~np.isfinite(mins) & ~ok
        rule[no_time] = "rejected:no_travel_time"
        is_m = which == MEMBERSHIP
        rule[is_m] = np.where(ok, "fused_membership>=" + t_txt,
                              "rejected:fused_membership<" + t_txt)[is_m]
        is_c = which == COMMUTING
        rule[is_c] = np.where(ok, f"commuting_rate>={ring_threshold:g}",
                              f"rejected:commuting_rate<{ring_threshold:g}")[is_c]
        free = ~is_core
        state.set(free, value=value, threshold=threshold, rule=rule)
        state.set(ok, area=best, status=steps.MEMBER)
        failed = np.full(n, "", dtype=object)
        for name, rel in ((GATE, gb), (MEMBERSHIP, fb), (COMMUTING, cb)):
            bad = np.isfinite(rel) & (rel < 0) | (rel == -np.inf)
            failed = np.where(bad & free, np.where(failed == "", name, failed + ";" + name),
                              failed)
        state.column("binding", "", object)[free] = which[free]
        state.column("binding", "", object)[is_core] = "core"
        state.column("failed", "", object)[:] = failed
        state.column("best_area", steps.NO_AREA, np.int64)[:] = np.where(free, best, -1)
        state.column("n_qualifying_areas", 0, np.int64)[:] = np.where(free, qual.sum(axis=1), 0)
        state.column("travel_minutes")[:] = mins
        state.column("fused_membership")[:] = mem_b
        state.column("membership_threshold")[:] = thr_b
        state.column("travel_minutes")[is_core] = 0.0


def _split_layers(
    flows: pd.DataFrame, p: Params
) -> tuple[dict[str, pd.DataFrame], dict[str, dict[str, Any]], str | None]:
    """The layers of the flows table, their labels, and which one is the commuting layer."""
    from metrocircle.model.layers import layer_labels

    labels_tab = layer_labels(flows)
    names = labels_tab["layer"].tolist()
    if S.LAYER in flows.columns:
        key = flows[S.LAYER].astype(str)
        layers = {n: flows.loc[(key == n).to_numpy(), S.FLOW_COLUMNS] for n in names}
    else:
        layers = {SINGLE_LAYER: flows[S.FLOW_COLUMNS]}
    wanted = _names(p["layers"]) or names
    unknown = [n for n in wanted if n not in layers]
    if unknown:
        raise ParameterError(
            f"The 'layers' parameter of cn-multisource must name layers of the flows "
            f"({', '.join(names)}). Got {', '.join(unknown)}."
        )
    labels = {r.layer: {"kind": r.kind, "source": r.source}
              for r in labels_tab.itertuples(index=False)}
    by_kind = [r.layer for r in labels_tab.itertuples(index=False) if r.kind == "commuting"]
    if len(by_kind) > 1:
        raise InputError(
            f"flows: several layers have kind 'commuting' ({', '.join(by_kind)}); give one"
        )
    commuting = by_kind[0] if by_kind else (
        p["commuting_layer"] if p["commuting_layer"] in layers else None)
    fuse_layers = {n: layers[n] for n in wanted}
    return fuse_layers | ({commuting: layers[commuting]} if commuting else {}), \
        {n: labels[n] for n in wanted}, commuting


def _parse_weights(text: str, names: list[str]) -> dict[str, float]:
    out = {}
    for item in _names(text):
        key, sep, val = item.partition("=")
        try:
            out[key.strip()] = float(val)
        except ValueError:
            sep = ""
        if not sep:
            raise ParameterError(
                "The 'layer_weights' parameter of cn-multisource must be NAME=W pairs split by "
                f"commas. Got {text!r}."
            )
    if set(out) != set(names):
        raise ParameterError(
            f"The 'layer_weights' parameter of cn-multisource must give a weight for each "
            f"fused layer ({', '.join(names)}) and no other. Got {', '.join(out)}."
        )
    return out


def _parse_matrix(text: str, n: int) -> np.ndarray:
    try:
        rows = [[float(Fraction(c.strip())) for c in r.split(",")] for r in text.split(";")]
        a = np.array(rows, dtype=float)
    except (ValueError, ZeroDivisionError) as err:
        raise ParameterError(
            "The 'ahp_matrix' parameter of cn-multisource must be rows split by ';' of numbers "
            f"split by ',' (fractions allowed). Got {text!r}."
        ) from err
    if a.shape != (n, n):
        raise ParameterError(
            f"The 'ahp_matrix' parameter of cn-multisource must be {n} x {n} (one row per "
            f"layer of 'layers'). Got shape {a.shape}."
        )
    return a


def _oriented(flows: pd.DataFrame, direction: str) -> pd.DataFrame:
    """The layer's links as read by the membership: a unit's outgoing flows, its incoming
    flows, or both directions of every pair summed."""
    swapped = flows.rename(columns={S.ORIGIN: S.DESTINATION, S.DESTINATION: S.ORIGIN})
    if direction == "outgoing":
        return flows[S.FLOW_COLUMNS]
    if direction == "incoming":
        return swapped[S.FLOW_COLUMNS]
    both = pd.concat([flows[S.FLOW_COLUMNS], swapped[S.FLOW_COLUMNS]], ignore_index=True)
    both = both[both[S.ORIGIN] != both[S.DESTINATION]]  # the diagonal is no link
    return both.groupby([S.ORIGIN, S.DESTINATION], as_index=False, sort=True)[S.VALUE].sum()


def _fuse(layers: dict[str, pd.DataFrame], labels: dict[str, dict[str, Any]], p: Params):
    """The fused connection index of the selected layers, labels kept."""
    from metrocircle.model.layers import FlowLayer
    from metrocircle.strength import fuse

    names = list(labels)
    tables: dict[str, Any] = {}
    for n in names:
        lab = labels[n]
        links = _oriented(layers[n], p["link_direction"])
        if lab["kind"] is not None and lab["source"] is not None:
            tables[n] = FlowLayer(links, name=n, kind=lab["kind"], source=lab["source"])
        else:
            tables[n] = links.assign(**{k: v for k, v in (("kind", lab["kind"]),
                                                               ("source", lab["source"]))
                                             if v is not None})
    method = p["weights"]
    kwargs: dict[str, Any] = {"normalise": p["normalise"]}
    if method == "equal":
        kwargs["weights"] = dict.fromkeys(names, 1.0)
    elif method == "user":
        kwargs["weights"] = _parse_weights(p["layer_weights"], names)
    else:
        kwargs["weights"] = method
        if method in ("ahp", "combined"):
            kwargs["ahp_matrix"] = _parse_matrix(p["ahp_matrix"], len(names))
            kwargs["alpha"] = p["alpha"]
    try:
        res = fuse(tables, **kwargs)
    except ParameterError as err:
        raise ParameterError(f"cn-multisource: {err}") from err
    if method == "equal":
        res.info["weights_method"] = "equal"
    return res


def _membership(
    links: pd.DataFrame, fm: steps.FlowMatrix, core_area: np.ndarray, n_areas: int
) -> np.ndarray:
    """``M[u, a]``: share of unit u's fused links (to any other unit) that go to the core
    units of area a; 0 for a unit without links."""
    o = fm.positions(links[S.ORIGIN].to_numpy(dtype=object))
    d = fm.positions(links[S.DESTINATION].to_numpy(dtype=object))
    s = links["strength"].to_numpy(dtype=float)
    keep = (o >= 0) & (o != d)
    total = np.bincount(o[keep], weights=s[keep], minlength=fm.n)
    to_core = keep & (d >= 0)
    to_core &= core_area[np.maximum(d, 0)] >= 0
    out = np.zeros((fm.n, n_areas))
    np.add.at(out, (o[to_core], core_area[d[to_core]]), s[to_core])
    return np.divide(out, total[:, None], out=np.zeros_like(out), where=total[:, None] > 0)


def _membership_thresholds(
    member: np.ndarray, core_area: np.ndarray, p: Params, area_labels: list[str]
) -> tuple[np.ndarray, pd.DataFrame | None]:
    """The membership threshold of each area, and the natural-breaks table behind it."""
    n_areas = member.shape[1]
    if p["membership_share"] is not None:
        return np.full(n_areas, p["membership_share"]), None
    cand = core_area < 0
    rows = []
    thresholds = np.zeros(n_areas)
    for a in range(n_areas):
        vals = member[cand, a]
        lows = steps.natural_breaks(vals, p["jenks_classes"])
        k = len(lows)
        top = min(p["member_classes"], k)
        thresholds[a] = lows[k - top] if k else 0.0
        if k < p["jenks_classes"]:
            log.warning("area %s: only %d distinct membership values, %d classes",
                        area_labels[a], k, k)
        uppers = np.r_[lows[1:], np.inf]
        for j in range(k):
            n_in = int(((vals >= lows[j]) & (vals < uppers[j])).sum())
            rows.append({"area_id": area_labels[a], "class": j + 1, "lower": float(lows[j]),
                         "upper": float(uppers[j]) if j + 1 < k else float(vals.max()),
                         "units": n_in, "qualifies": j >= k - top})
    return thresholds, pd.DataFrame(rows)
