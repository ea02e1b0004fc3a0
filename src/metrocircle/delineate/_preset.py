"""Scaffolding shared by the core-based presets (``omb-cbsa``, ``eu-fua``, ``fr-aav``,
``jp-uea``, ``cn-commuting``).

Every such preset runs the same frame: the inputs are turned into positions once
(:func:`steps.prepare`, :meth:`CorePreset.prepare`), the preset's own rule runs, then policy
overrides are applied and the output frames are written (:func:`steps.finish`). One prepared
context serves any number of runs with other parameter values (the shares to each set of cores
are computed once, in ``Context.cache``), and :meth:`CorePreset.place` skips the output frames
when only the placement of each unit is wanted. :class:`CorePreset` holds that frame, so a
preset states only its parameters and, in :meth:`CorePreset._delineate`, the composition of
shared steps that is its standard. The parameters several presets share (``policy``,
``direction``, ``merge``) and the share rule with merging and the exclave/enclave iteration of
``eu-fua`` and ``fr-aav`` are written here once.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd

from metrocircle.delineate import steps
from metrocircle.delineate.base import (
    DelineationMethod,
    Param,
    Placement,
    ProgressCallback,
    Ties,
    share_param,
)

Params = dict[str, Any]
"""A preset's checked parameter values (``params_``)."""
Outcome = tuple[steps.ShareRun, dict[str, Any]]
"""What a preset's rule returns: the run (its ``state`` is written out) and ``info_`` entries."""

POLICY_PARAM = Param(
    "policy",
    str,
    None,
    "CSV/JSON file of recorded overrides (unit_id or parent_id, "
    "action include/exclude, area_id, reason).",
    optional=True,
)

TRAVEL_TIME_GATE_PARAM = Param(
    "travel_time_gate",
    bool,
    True,
    "Apply the one-hour gate (needs travel times); false turns the rule off, and every "
    "unit's explanation says so.",
)
"""The switch of the one-hour gate of ``cn-commuting`` and ``cn-multisource``
(:meth:`steps.RulesOff.travel_time_gate`)."""


def direction_param(default: str, doc: str) -> Param:
    """The ``direction`` parameter: which share (outbound, inbound, either, both) the test reads."""
    return Param("direction", str, default, doc, choices=steps.DIRECTIONS)


def merge_params(default: str, doc: str, threshold_doc: str) -> tuple[Param, Param]:
    """The ``merge`` scope and the ``merge_threshold`` share (unset = ``threshold``)."""
    return (
        Param("merge", str, default, doc, choices=steps.MERGE_SCOPES),
        share_param("merge_threshold", None, threshold_doc, optional=True),
    )


class CorePreset(DelineationMethod):
    """A preset built on given cores: set-up, the preset's rule, policy overrides, output.

    Subclasses give ``name``, ``params`` (with a ``policy`` and usually a ``contiguity``
    parameter) and :meth:`_delineate`.
    """

    #: the suppressed remainders of a published OD count in the denominators (``(suppressed)``)
    reads_suppressed = True
    #: Whether runs share one prepared context (:class:`steps.Context`). A preset that reads
    #: the tables itself in its own ``_fit`` (e.g. one flow matrix per layer) sets it to False:
    #: then :meth:`prepare` keeps the tables as given and each run calls ``_fit``.
    shares_context: ClassVar[bool] = True

    def _uses_adjacency(self, p: Params) -> bool:
        """Whether this run needs the adjacency graph (missing adjacency is then an error)."""
        return bool(p["contiguity"])

    def _prepare(
        self,
        flows: pd.DataFrame,
        *,
        units: pd.DataFrame | None,
        cores: pd.DataFrame | None,
        adjacency: pd.DataFrame | None,
        travel_times: pd.DataFrame | None,
    ) -> steps.Context:
        """The flow matrix, cores and adjacency graph in positions (:func:`steps.prepare`);
        runs on it share the flow shares of each set of cores through ``Context.cache``."""
        if not self.shares_context:
            return DelineationMethod._prepare(
                self,
                flows,
                units=units,
                cores=cores,
                adjacency=adjacency,
                travel_times=travel_times,
            )
        return steps.prepare(
            self.name,
            flows,
            units=units,
            cores=cores,
            adjacency=adjacency,
            travel_times=travel_times,
        )

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
        """The tables prepared and run at once (what :meth:`fit` does through
        :meth:`prepare` and :meth:`fit_prepared`)."""
        ctx = self._prepare(
            flows, units=units, cores=cores, adjacency=adjacency, travel_times=travel_times
        )
        self._fit_prepared(ctx, progress)

    def _run(self, ctx: steps.Context, progress: ProgressCallback) -> Outcome:
        """The preset's rule and the policy overrides on ``ctx``, the output tables aside."""
        p = self.params_
        steps.require_adjacency(self.name, ctx.graph, self._uses_adjacency(p))
        run, info = self._delineate(ctx, p, progress)
        info["policy_overrides"] = 0
        if p["policy"]:
            policy = ctx.shared.get(("policy", p["policy"]))
            if policy is None:
                policy = ctx.shared[("policy", p["policy"])] = steps.read_policy(p["policy"])
            info["policy_overrides"] = steps.apply_policy(
                run.state, policy, ctx.fm, ctx.units, run.area_labels
            )
        return run, info

    def _fit_prepared(self, prepared: Any, progress: ProgressCallback) -> None:
        if not self.shares_context:
            DelineationMethod._fit_prepared(self, prepared, progress)
            return
        ctx: steps.Context = prepared
        run, info = self._run(ctx, progress)
        steps.finish(self, ctx, run.state, run.area_labels, info=info)
        progress("done", 1.0)

    def _place(self, prepared: Any, progress: ProgressCallback) -> Placement:
        if not self.shares_context:
            return DelineationMethod._place(self, prepared, progress)
        ctx: steps.Context = prepared
        run, _ = self._run(ctx, progress)
        labels = np.array(list(run.area_labels) + [None], dtype=object)
        area = run.state.area
        pairs = run.pairs
        return Placement(
            unit_ids=ctx.fm.unit_ids.to_numpy(dtype=object),
            area_id=labels[np.where(area >= 0, area, len(labels) - 1)],
            status=run.state.status.copy(),
            value=run.state.value.copy(),
            ties=Ties(
                pairs["pos"].to_numpy(),
                pairs["area"].to_numpy(),
                pairs["tie"].to_numpy(),
                list(run.area_labels),
            ),
        )

    def _delineate(self, ctx: steps.Context, p: Params, progress: ProgressCallback) -> Outcome:
        """The preset's rule, composed of shared steps (``ctx.travel_times`` holds the matrix,
        if given): return the run (its ``state`` is what is written out) and the preset's own
        entries of ``info_``."""
        raise NotImplementedError

    def _merging_share_rule(
        self, ctx: steps.Context, p: Params, progress: ProgressCallback, **options: Any
    ) -> steps.ShareRun:
        """:func:`steps.share_rule` read from the ``direction``, ``threshold``, ``contiguity``,
        ``merge`` and ``merge_threshold`` parameters; the merges go to ``tables_["merges"]``."""
        run = steps.share_rule(
            ctx.fm,
            ctx.cores,
            direction=p["direction"],
            threshold=p["threshold"],
            graph=ctx.graph,
            contiguity=p["contiguity"],
            merge_scope=p["merge"],
            merge_threshold=p["merge_threshold"],
            progress=progress,
            cache=ctx.cache,
            **options,
        )
        self.tables_["merges"] = run.merges
        return run


GEOMETRY_PARAMS: tuple[Param, ...] = (
    direction_param(
        "outbound",
        "Which share the test reads: outbound (employed "
        "residents; the standard), inbound, either, both.",
    ),
    Param(
        "contiguity",
        bool,
        True,
        "Drop units not connected to their core (exclaves); needs adjacency.",
    ),
    Param(
        "enclaves",
        bool,
        True,
        "Add groups of units surrounded by a single area; units "
        "flagged edge=True in units (sea, border) or on the outline of the geometry "
        "never count as enclosed.",
    ),
    *merge_params(
        "all",
        "Which cores may merge when one sends at least "
        "merge_threshold of its employed residents to another: all, within_area, none.",
        "Share for merging cores; defaults to threshold.",
    ),
    POLICY_PARAM,
)
"""Parameters of the presets whose areas are contiguous and without enclaves (FUA, AAV)."""


class GeometryPreset(CorePreset):
    """Share rule with merging, then exclaves dropped and enclaves added until stable.

    Subclasses give ``name`` and ``params`` (a ``threshold`` and :data:`GEOMETRY_PARAMS`).
    """

    def _uses_adjacency(self, p: Params) -> bool:
        return bool(p["contiguity"] or p["enclaves"])

    def _delineate(self, ctx: steps.Context, p: Params, progress: ProgressCallback) -> Outcome:
        run = self._merging_share_rule(ctx, p, progress, prune_rule="rejected:exclave")
        edge, edge_source = ctx.edge()
        rounds = 0
        if ctx.graph is not None and p["contiguity"]:
            rounds = steps.iterate_geometry(run.state, ctx.graph, edge, enclaves=p["enclaves"])
        elif ctx.graph is not None and p["enclaves"]:
            steps.fill_enclaves(run.state, ctx.graph, edge)
            rounds = 1
        steps.value_to_own_area(run.state, run.pairs, run.state.rule == "enclave_filled")
        return run, {
            "merges": len(run.merges),
            "geometry_rounds": rounds,
            "edge_units_from": edge_source,
            "edge_units": int(edge.sum()),
        }
