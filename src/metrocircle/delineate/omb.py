"""US OMB Core Based Statistical Areas (2020 standards), ``omb-cbsa``.

Central counties are an input (``cores``: ``unit_id, area_id`` and optionally ``core_group``
for pre-merger cores). The method is the standard's outlying-county and merging sections:

1. **Outlying county** (Section 4): a county qualifies for a CBSA if at least ``threshold``
   (25 %) of its employed residents work in the CBSA's central counties, *or* at least 25 % of
   the jobs in it are held by residents of those central counties (``direction="either"``).
2. **Central beats outlying**; a county qualifying for several CBSAs joins the one with the
   **strongest tie**, measured by the larger of the two shares.
3. **Contiguity**: a county not connected to its CBSA's central counties through counties of
   the same CBSA is left out (applied through accepted counties).
4. **Merging** (Section 5): if the central counties of one CBSA, as a group, qualify as
   outlying to the central counties of another adjacent one, the two merge; outlying counties
   are then found again for the merged central counties, so the absorbed core's counties come
   along. By default only core groups given the same ``area_id`` may merge (``merge=
   "within_area"``); ``merge="all"`` applies the rule to every pair of areas.

See ``docs/methods/omb-cbsa.md``.

Examples
--------
>>> from metrocircle.datasets import us_cbsa
>>> from metrocircle.delineate.omb import OmbCbsa
>>> est = OmbCbsa().fit(us_cbsa.load_flows(), units=us_cbsa.load_units(),
...                     cores=us_cbsa.load_cores(), adjacency=us_cbsa.load_adjacency())
>>> est.membership_.set_index("unit_id").loc["24035", ["area_id", "rule"]].tolist()
['12580', 'outbound_share>=0.25']
"""

from __future__ import annotations

from metrocircle.delineate import steps
from metrocircle.delineate._preset import (
    POLICY_PARAM,
    CorePreset,
    Outcome,
    Params,
    direction_param,
    merge_params,
)
from metrocircle.delineate.base import Param, ProgressCallback, register, share_param


@register
class OmbCbsa(CorePreset):
    """US OMB CBSA outlying counties, strongest tie, contiguity and merging."""

    name = "omb-cbsa"
    params = (
        share_param(
            "threshold",
            0.25,
            "Share of employed residents working in the central "
            "counties, or of jobs held by their residents, that makes a county outlying.",
        ),
        direction_param(
            "either",
            "Which share the test reads: outbound (employed "
            "residents), inbound (jobs), either (the larger; OMB), both (the smaller).",
        ),
        Param(
            "contiguity",
            bool,
            True,
            "Require every county to connect to its central "
            "counties through counties of the same area (needs adjacency).",
        ),
        *merge_params(
            "within_area",
            "Which core groups may merge: within_area (groups "
            "of the same area_id), all (any two adjacent areas, Section 5 in full), none.",
            "Tie at which one core group's central counties "
            "qualify as outlying to another's; defaults to threshold.",
        ),
        POLICY_PARAM,
    )

    def _delineate(self, ctx: steps.Context, p: Params, progress: ProgressCallback) -> Outcome:
        run = self._merging_share_rule(ctx, p, progress)
        return run, {"merges": len(run.merges), "rounds": run.rounds}
