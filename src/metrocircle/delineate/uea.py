"""Japan's urban employment areas (Kanemoto & Tokuoka 2002, CSIS), ``jp-uea``.

Central municipalities are an input (``cores``; a core may hold several municipalities, whose
commuters are counted together). Outlying municipalities as CSIS defines them:

(a) first order: at least ``threshold`` (10 %) of the employed residents work in the core;
(b) second and higher order: at least 10 % work in an outlying municipality *and* that is the
    highest commuting ratio among all target municipalities (cascading);
(c) a municipality meeting (a) for several cores joins the one with the strongest tie;
(d) one meeting (a) for a core and (b) for an outlying municipality joins the one with the
    higher ratio.

Contiguity is not part of the definition (``contiguity=False`` by default).
See ``docs/methods/jp-uea.md``.
"""

from __future__ import annotations

from metrocircle.delineate import steps
from metrocircle.delineate._preset import POLICY_PARAM, CorePreset, Outcome, Params
from metrocircle.delineate.base import Param, ProgressCallback, register, share_param


@register
class JpUea(CorePreset):
    """Japan UEA: 10 % to the core, cascading through outlying municipalities."""

    name = "jp-uea"
    params = (
        share_param(
            "threshold",
            0.10,
            "Share of employed residents working in the core "
            "(first order) or in an outlying municipality (higher orders).",
        ),
        Param("cascade", bool, True, "Admit second and higher order outlying municipalities."),
        Param(
            "max_order",
            int,
            None,
            "Highest order admitted (unset = no limit).",
            low=1,
            optional=True,
        ),
        Param("contiguity", bool, False, "Also require contiguity (not in the definition)."),
        POLICY_PARAM,
    )

    def _delineate(self, ctx: steps.Context, p: Params, progress: ProgressCallback) -> Outcome:
        run = steps.share_rule(
            ctx.fm,
            ctx.cores,
            direction="outbound",
            threshold=p["threshold"],
            graph=None,
            contiguity=False,
            progress=progress,
            cache=ctx.cache,
        )
        top = 1
        if p["cascade"]:
            progress("cascade", 0.6)
            n_areas = len(run.area_labels)
            target, ratio = ctx.memo(
                ("top_targets", n_areas, run.core_area.tobytes()),
                lambda: steps.top_targets(ctx.fm, run.core_area, n_areas),
            )
            top = steps.cascade(
                run.state,
                ctx.fm,
                target,
                ratio,
                len(run.area_labels),
                p["threshold"],
                max_order=p["max_order"],
            )
        if p["contiguity"] and ctx.graph is not None:
            steps.prune_to_cores(run.state, ctx.graph)
        return run, {"highest_order": top}
