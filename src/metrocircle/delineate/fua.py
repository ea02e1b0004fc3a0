"""EU-OECD functional urban areas (Dijkstra, Poelman & Veneri 2019), ``eu-fua``.

Cities are an input (``cores``: the local units of each city). The commuting zone is built as the
standard says:

1. a unit belongs to the commuting zone of a city if at least ``threshold`` (15 %) of its
   employed residents work in the city (``direction="outbound"``);
2. a unit qualifying for several cities goes to the one receiving the largest share;
3. polycentric cities: if at least 15 % of one city's employed residents work in another
   city, the two are treated as one destination (merge, ``merge="all"``);
4. enclaves (units surrounded by a single FUA) are added; non-contiguous units (exclaves) are
   dropped; the two are repeated until nothing changes.

See ``docs/methods/eu-fua.md``.
"""

from __future__ import annotations

import pandas as pd

from metrocircle.delineate import steps
from metrocircle.delineate.base import (
    DelineationMethod,
    Param,
    ProgressCallback,
    register,
    share_param,
)


def geometry_params(merge_default: str) -> tuple[Param, ...]:
    """Parameters shared by the FUA and AAV presets."""
    return (
        Param(
            "direction",
            str,
            "outbound",
            "Which share the test reads: outbound (employed "
            "residents; the standard), inbound, either, both.",
            choices=steps.DIRECTIONS,
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
        Param(
            "merge",
            str,
            merge_default,
            "Which cores may merge when one sends at least "
            "merge_threshold of its employed residents to another: all, within_area, none.",
            choices=steps.MERGE_SCOPES,
        ),
        Param(
            "merge_threshold",
            float,
            None,
            "Share for merging cores; defaults to threshold.",
            low=0.0,
            high=1.0,
            low_open=True,
            optional=True,
        ),
        Param(
            "policy",
            str,
            None,
            "CSV/JSON file of recorded overrides (unit_id or parent_id, "
            "action include/exclude, area_id, reason).",
            optional=True,
        ),
    )


def fit_with_geometry(
    est: DelineationMethod,
    flows: pd.DataFrame,
    *,
    units: pd.DataFrame | None,
    cores: pd.DataFrame,
    adjacency: pd.DataFrame | None,
    progress: ProgressCallback,
) -> None:
    """Share rule with merging, then exclaves dropped and enclaves added until stable."""
    p = est.params_
    ctx = steps.prepare(
        est.name,
        flows,
        units=units,
        cores=cores,
        adjacency=adjacency,
        contiguity=p["contiguity"] or p["enclaves"],
    )
    run = steps.share_rule(
        ctx.fm,
        ctx.cores,
        direction=p["direction"],
        threshold=p["threshold"],
        graph=ctx.graph,
        contiguity=p["contiguity"],
        merge_scope=p["merge"],
        merge_threshold=p["merge_threshold"],
        prune_rule="rejected:exclave",
        progress=progress,
    )
    edge, edge_source = steps.edge_units(units, ctx.fm)
    rounds = 0
    if ctx.graph is not None and p["contiguity"]:
        rounds = steps.iterate_geometry(run.state, ctx.graph, edge, enclaves=p["enclaves"])
    elif ctx.graph is not None and p["enclaves"]:
        steps.fill_enclaves(run.state, ctx.graph, edge)
        rounds = 1
    steps.value_to_own_area(run.state, run.pairs, run.state.rule == "enclave_filled")
    est.tables_["merges"] = run.merges
    steps.finish(
        est,
        ctx,
        run.state,
        run.area_labels,
        policy=p["policy"],
        info={
            "merges": len(run.merges),
            "geometry_rounds": rounds,
            "edge_units_from": edge_source,
            "edge_units": int(edge.sum()),
        },
    )
    progress("done", 1.0)


@register
class EuFua(DelineationMethod):
    """EU-OECD functional urban areas: 15 % commuting zone, enclaves added, exclaves dropped."""

    name = "eu-fua"
    params = (
        share_param(
            "threshold",
            0.15,
            "Share of a unit's employed residents working in the "
            "city that puts it in the commuting zone.",
        ),
        *geometry_params("all"),
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
        fit_with_geometry(
            self, flows, units=units, cores=cores, adjacency=adjacency, progress=progress
        )
