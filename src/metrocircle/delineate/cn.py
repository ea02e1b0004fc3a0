"""Chinese metropolitan-area practice, ``cn-commuting``.

Cores are an input (the central city's districts). Following the commuting-rate practice of
Chinese metropolitan-area studies (Zhao Hui et al. 2023 for Beijing; NDRC 2019's one-hour
commuting circle):

1. **rings** by the commuting rate to the core (share of a unit's employed residents working in
   the core): integration ring >= ``integration_share`` (30 %), close ring >= ``close_share``
   (10 %, the metropolitan boundary), radiation ring >= ``radiation_share`` (5 %, occasional
   commuting); the ring is recorded in ``ring`` and units up to ``member_ring`` are members;
2. the **one-hour gate**: a unit more than ``max_minutes`` (60, the one-hour circle) from every
   core unit of an area cannot join it. The one-hour circle is part of the practice's
   definition, so it needs a travel-time matrix; without one the run stops with a clear error,
   unless ``travel_time_gate=False`` turns the rule off, which is then said on the console, in
   ``run.json`` (``rules_off``) and in every unit's ``rules_off`` column;
3. the strongest tie between several cores; contiguity to the core;
4. **snapping** to whole administrative units: when ``units`` has ``parent_id``, a parent whose
   qualifying part holds at least ``snap_share`` (50 %) of its ``population`` joins whole,
   otherwise it leaves whole (a parent holding a core always stays whole);
5. **policy overrides** from a file, each recorded with its reason.

See ``docs/methods/cn-commuting.md``.
"""

from __future__ import annotations

import logging

import numpy as np

from metrocircle.delineate import steps
from metrocircle.delineate._preset import (
    POLICY_PARAM,
    TRAVEL_TIME_GATE_PARAM,
    CorePreset,
    Outcome,
    Params,
    direction_param,
)
from metrocircle.delineate.base import Param, ProgressCallback, register, share_param
from metrocircle.exceptions import ParameterError

RINGS = ("integration", "close", "radiation")
logger = logging.getLogger(__name__)


@register
class CnCommuting(CorePreset):
    """Commuting-rate rings to the core, one-hour gate, snapping to whole parent units."""

    name = "cn-commuting"
    params = (
        share_param("integration_share", 0.30, "Commuting rate of the integration ring."),
        share_param(
            "close_share", 0.10, "Commuting rate of the close ring (metropolitan boundary)."
        ),
        share_param("radiation_share", 0.05, "Commuting rate of the radiation ring."),
        Param(
            "member_ring", str, "close", "Outermost ring whose units are members.", choices=RINGS
        ),
        direction_param(
            "outbound",
            "Which share is the commuting rate: outbound "
            "(employed residents working in the core), inbound, either, both.",
        ),
        Param(
            "max_minutes",
            float,
            60.0,
            "Travel-time limit to the core (the one-hour gate).",
            low=0.0,
            low_open=True,
        ),
        TRAVEL_TIME_GATE_PARAM,
        Param(
            "contiguity", bool, True, "Require members to connect to the core (needs adjacency)."
        ),
        Param("snap", bool, True, "Snap sub-units to whole parent units when units has parent_id."),
        share_param(
            "snap_share",
            0.5,
            "Share of a parent's weight that must qualify for the whole parent to join.",
        ),
        Param(
            "snap_weight", str, "population", "Column of units weighing sub-units when snapping."
        ),
        POLICY_PARAM,
    )

    def _check_params(self, values: dict) -> None:
        if not values["integration_share"] >= values["close_share"] >= values["radiation_share"]:
            raise ParameterError(
                "The ring shares of cn-commuting must satisfy integration_share >= close_share "
                f">= radiation_share. Got {values['integration_share']}, "
                f"{values['close_share']}, {values['radiation_share']}."
            )

    def _delineate(self, ctx: steps.Context, p: Params, progress: ProgressCallback) -> Outcome:
        bounds = [(r, p[f"{r}_share"]) for r in RINGS]
        threshold = dict(bounds)[p["member_ring"]]
        fm, units = ctx.fm, ctx.units
        rules_off = steps.RulesOff(self.name)
        gate = None
        if rules_off.travel_time_gate(ctx.travel_times, apply=p["travel_time_gate"],
                                      max_minutes=p["max_minutes"]):
            gate = steps.TravelTimeGate(ctx.travel_times, fm, p["max_minutes"], cache=ctx.cache)
        run = steps.share_rule(
            fm,
            ctx.cores,
            direction=p["direction"],
            threshold=threshold,
            graph=ctx.graph,
            contiguity=p["contiguity"],
            gate=gate,
            progress=progress,
            cache=ctx.cache,
        )
        if gate is not None:
            gate.explain(run, p["direction"], threshold)
        state = run.state
        can_snap = p["snap"] and units is not None and "parent_id" in units.columns
        if p["snap"] and not can_snap:
            rules_off.add("snap", "snapping to whole parents not applied: "
                          + ("no units table given" if units is None
                             else "the units table has no parent_id column"))
        rules_off.explain(state)
        ring = steps.rings(np.nan_to_num(state.value, nan=0.0), bounds)
        ring[state.status == steps.CORE] = "core"
        state.column("ring", "", object)[:] = ring
        snapped = None
        if can_snap:
            progress("snapping", 0.8)
            snapped = steps.snap_to_parents(
                state, units, fm, share=p["snap_share"], weight=p["snap_weight"]
            )
            self.tables_["parents"] = snapped.assign(
                area_id=[run.area_labels[a] if a >= 0 else None for a in snapped["area"]]
            ).drop(columns="area")
        return run, {
            "member_threshold": threshold,
            "travel_time_gate": gate is not None,
            "rules_off": rules_off.rules,
            "travel_time_pairs_missing": 0 if gate is None else gate.missing_pairs,
            "units_travel_time_missing": 0 if gate is None else gate.missing_units,
            "parents_snapped": 0 if snapped is None else int(snapped["whole"].sum()),
        }
