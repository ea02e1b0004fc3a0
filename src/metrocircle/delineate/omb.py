"""US OMB Core Based Statistical Areas (2010 and 2020 standards), ``omb-cbsa``.

The central counties are either given (``cores``: ``unit_id, area_id`` and optionally
``core_group`` for pre-merger cores) or derived from urban-area parts by county
(``urban_areas``, see :mod:`metrocircle.delineate.urban_cores`). Then the standard's sections:

0. **Central counties** (Section 2, only with ``urban_areas``): a county is central when at
   least ``central_share`` (50 %) of its population lives in urban areas of at least
   ``core_minimum`` (10,000) people, or at least ``central_part`` (5,000) of its people live in
   one such urban area; central counties are grouped by the urban area holding most of their
   people, and each group is the core of one CBSA.
1. **Outlying county** (Section 3): a county qualifies for a CBSA if at least ``threshold``
   (25 %) of its employed residents work in the CBSA's central counties, *or* at least 25 % of
   the jobs in it are held by residents of those central counties (``direction="either"``).
2. **Central beats outlying**; a county qualifying for several CBSAs joins the one with the
   **strongest tie**, measured by the larger of the two shares.
3. **Contiguity**: a county not connected to its CBSA's central counties through counties of
   the same CBSA is left out (applied through accepted counties).
4. **Merging** (Section 4): if the central counties of one CBSA, as a group, qualify as
   outlying to the central counties of another adjacent one, the two merge.
   With given cores only core groups given the same ``area_id`` merge by default
   (``merge="within_area"``), one merge at a time, and outlying counties are found again for
   the merged central counties, so the absorbed core's counties come along. With urban areas
   every pair of adjacent CBSAs is tested (``merge="all"``), round after round until no pair
   qualifies, and whole CBSAs merge: the absorbed CBSA's central counties, having qualified as
   outlying, become outlying counties of the merged CBSA (as in OMB's lists), its outlying
   counties come along, and the merged CBSA keeps the central counties of the one it merged
   into (:func:`metrocircle.delineate.steps.merge_whole_areas`).
5. **Type and title** (Sections 1 and 7, only with ``urban_areas``): a CBSA is metropolitan
   when one of its cores is an urban area of at least ``metro_minimum`` (50,000) people, else
   micropolitan; its principal urban area is its largest, and its title comes from that urban
   area's name.

See ``docs/methods/omb-cbsa.md``.

Examples
--------
>>> from metrocircle.datasets import us_cbsa
>>> from metrocircle.delineate.omb import OmbCbsa
>>> est = OmbCbsa().fit(us_cbsa.load_flows(), units=us_cbsa.load_units(),
...                     cores=us_cbsa.load_cores(), adjacency=us_cbsa.load_adjacency())
>>> est.membership_.set_index("unit_id").loc["24035", ["area_id", "rule"]].tolist()
['12580', 'outbound_share>=0.25']

From the Census 2010 urban areas instead of OMB's central counties:

>>> est = OmbCbsa().fit(us_cbsa.load_flows(2010), units=us_cbsa.load_units(2010),
...                     urban_areas=us_cbsa.load_urban_areas(2010),
...                     adjacency=us_cbsa.load_adjacency(2010))
>>> atlanta = est.areas_.set_index("title").loc["Atlanta, GA"]
>>> atlanta["type"], int(atlanta["cbsas_merged"])
('metropolitan', 3)
>>> est.membership_.set_index("unit_id").loc["13045", ["area_id", "rule", "merges"]].tolist()
['03817', 'merged_from:14023', '14023>03817']
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.delineate import steps, urban_cores
from metrocircle.delineate._preset import POLICY_PARAM, CorePreset, Outcome, Params
from metrocircle.delineate.base import Param, ProgressCallback, register, share_param
from metrocircle.exceptions import ParameterError

METROPOLITAN = "metropolitan"
MICROPOLITAN = "micropolitan"
CENTRAL = "central"
OUTLYING = "outlying"
_CENSUS_SUFFIX = re.compile(r"\s+Urban(?:ized)?\s+(?:Area|Cluster)\s*$")


def title_from_name(ua_name: str, states: list[str] | None = None) -> str:
    """A CBSA title from its principal urban area's Census name: the type of urban area is
    dropped, ``--`` becomes ``-``, and states of the CBSA that the name does not list are
    appended (alphabetically).

    Examples
    --------
    >>> title_from_name("Kingsport, TN--VA Urbanized Area", ["TN", "VA"])
    'Kingsport, TN-VA'
    >>> title_from_name("Dallas--Fort Worth--Arlington, TX Urbanized Area")
    'Dallas-Fort Worth-Arlington, TX'
    >>> title_from_name("Abbeville, LA Urban Cluster", ["LA", "TX"])
    'Abbeville, LA-TX'
    """
    name = _CENSUS_SUFFIX.sub("", ua_name or "").replace("--", "-").strip()
    places, sep, named_states = name.rpartition(", ")
    if not sep:
        return name
    listed = [s for s in named_states.split("-") if s]
    extra = sorted(set(states or []) - set(listed))
    return f"{places}, {'-'.join(listed + extra)}"


def _merge_chains(merges: pd.DataFrame) -> dict[str, str]:
    """``label -> "label>into>into2"``: the merges a pre-merge CBSA went through."""
    into = dict(zip(merges["absorbed"].astype(str), merges["into"].astype(str), strict=True))
    chains: dict[str, str] = {}
    for start in into:
        path = [start]
        while path[-1] in into and len(path) <= len(into):
            path.append(into[path[-1]])
        chains[start] = ">".join(path)
    return chains


@register
class OmbCbsa(CorePreset):
    """US OMB CBSA: central counties (given, or from urban areas), outlying counties, merging."""

    name = "omb-cbsa"
    accepts_urban_areas = True
    params = (
        share_param(
            "threshold",
            0.25,
            "Share of employed residents working in the central "
            "counties, or of jobs held by their residents, that makes a county outlying.",
        ),
        Param(
            "direction",
            str,
            "either",
            "Which share the test reads: outbound (employed "
            "residents), inbound (jobs), either (the larger; OMB), both (the smaller).",
            choices=steps.DIRECTIONS,
        ),
        Param(
            "contiguity",
            bool,
            True,
            "Require every county to connect to its central "
            "counties through counties of the same area (needs adjacency).",
        ),
        Param(
            "merge",
            str,
            "auto",
            "Which CBSAs may merge: within_area (core groups of the "
            "same area_id), all (any two adjacent areas, Section 4 in full), none; auto = "
            "within_area with --cores, all with --urban-areas.",
            choices=("auto", *steps.MERGE_SCOPES),
        ),
        share_param(
            "merge_threshold",
            None,
            "Tie at which one CBSA's central counties qualify as "
            "outlying to another's; defaults to threshold.",
            optional=True,
        ),
        Param(
            "core_minimum",
            int,
            10_000,
            "With --urban-areas: population an urban area needs to "
            "make central counties (Section 2).",
            low=1,
        ),
        share_param(
            "central_share",
            0.5,
            "With --urban-areas: share of a county's population in "
            "urban areas of core_minimum or more that makes it central (Section 2a).",
        ),
        Param(
            "central_part",
            int,
            5_000,
            "With --urban-areas: people living in a single urban "
            "area of core_minimum or more that make a county central (Section 2b).",
            low=1,
        ),
        Param(
            "metro_minimum",
            int,
            50_000,
            "With --urban-areas: population of an urban area that "
            "makes its CBSA metropolitan (else micropolitan).",
            low=1,
        ),
        POLICY_PARAM,
    )

    def _check_params(self, values: dict[str, Any]) -> None:
        if values["metro_minimum"] < values["core_minimum"]:
            raise ParameterError(
                "The 'metro_minimum' parameter of omb-cbsa must be at least core_minimum "
                f"({values['core_minimum']}). Got {values['metro_minimum']}."
            )

    # -- given cores ---------------------------------------------------------------------------
    def _delineate(self, ctx: steps.Context, p: Params, progress: ProgressCallback) -> Outcome:
        resolved = dict(p, merge="within_area" if p["merge"] == "auto" else p["merge"])
        run = self._merging_share_rule(ctx, resolved, progress)
        return run, {"merges": len(run.merges), "rounds": run.rounds}

    # -- cores from urban areas ----------------------------------------------------------------
    def _fit(
        self,
        flows: pd.DataFrame,
        *,
        units: pd.DataFrame | None,
        cores: pd.DataFrame | None,
        adjacency: pd.DataFrame | None,
        travel_times: pd.DataFrame | None,
        progress: ProgressCallback,
        urban_areas: pd.DataFrame | None = None,
    ) -> None:
        if urban_areas is None:
            super()._fit(
                flows,
                units=units,
                cores=cores,
                adjacency=adjacency,
                travel_times=travel_times,
                progress=progress,
            )
            return
        p = self.params_
        merge = "all" if p["merge"] == "auto" else p["merge"]
        if merge == "within_area":
            raise ParameterError(
                "The 'merge' parameter of omb-cbsa cannot be 'within_area' with urban areas "
                "(every CBSA derived from them is its own area): use all (Section 4) or none."
            )
        progress("central counties", 0.05)
        universe = steps.universe_of(flows, units)
        parts = urban_cores.urban_parts(urban_areas, universe, units=units)
        test = urban_cores.central_counties(
            parts,
            core_minimum=p["core_minimum"],
            central_share=p["central_share"],
            central_part=p["central_part"],
        )
        derived = urban_cores.cores_from_test(test, universe)
        ctx = steps.prepare(
            self.name,
            flows,
            units=units,
            cores=derived,
            adjacency=adjacency,
            contiguity=self._uses_adjacency(p),
            travel_times=travel_times,
        )
        run = steps.share_rule(
            ctx.fm,
            ctx.cores,
            direction=p["direction"],
            threshold=p["threshold"],
            graph=ctx.graph,
            contiguity=p["contiguity"],
            progress=progress,
        )
        state = run.state
        labels = np.array(run.area_labels + [None], dtype=object)
        pre_merge = labels[np.where(state.area >= 0, state.area, len(labels) - 1)]
        ua_pop = pd.Series(parts.ua_population, index=parts.ua_codes)
        merged = steps.AreaMerges(np.arange(len(run.area_labels)), steps.MergeLog().frame(), 0)
        if merge == "all":
            progress("merging", 0.8)
            merged = steps.merge_whole_areas(
                state,
                ctx.fm,
                run.core_area,
                run.area_labels,
                direction=p["direction"],
                threshold=p["threshold"] if p["merge_threshold"] is None else p["merge_threshold"],
                graph=ctx.graph if p["contiguity"] else None,
                size=ua_pop.reindex(run.area_labels).to_numpy(dtype=float),
            )
        merges = merged.merges.copy()
        merges["urban_area_source"] = parts.source
        self.tables_["merges"] = merges
        for col in (
            "county_population",
            "urban_share",
            "central_test",
            "central_ua",
            "largest_ua",
            "largest_ua_part",
            "runner_up_ua",
            "runner_up_ua_part",
            "n_core_uas",
        ):
            values = test[col].to_numpy()
            state.extra[col] = values.astype(object) if values.dtype == object else values
        state.extra["n_urban_areas"] = parts.n_urban_areas
        chains = _merge_chains(merged.merges)
        state.extra["pre_merge_area"] = pre_merge
        state.extra["merges"] = np.array(
            [chains.get(str(a), "") if a is not None else "" for a in pre_merge], dtype=object
        )
        state.extra["urban_area_source"] = np.full(ctx.fm.n, parts.source, dtype=object)
        cbsa = self._cbsa_table(run, merged, ctx, parts, units, p)
        n_groups = ctx.cores.n_groups
        info = {
            "urban_area_source": parts.source,
            "ua_population_from": parts.ua_population_from,
            "urban_area_rows_left_out": parts.dropped,
            "central_counties_before_merges": int(test["central"].sum()),
            "cbsas_before_merges": n_groups,
            "merge": merge,
            "merges": len(merged.merges),
            "merge_rounds": merged.rounds,
            "metropolitan": int((cbsa["type"] == METROPOLITAN).sum()),
            "micropolitan": int((cbsa["type"] == MICROPOLITAN).sum()),
        }
        steps.finish(self, ctx, state, run.area_labels, policy=p["policy"], info=info)
        m = self.membership_
        core = (m["status"] == steps.CORE).to_numpy()
        placed = m["area_id"].notna().to_numpy()
        m["central_outlying"] = pd.array(
            np.where(core, CENTRAL, np.where(placed, OUTLYING, "")), dtype="string"
        )
        areas = self.areas_
        self.areas_ = cbsa.merge(areas, on="area_id", how="right")
        progress("done", 1.0)

    @staticmethod
    def _cbsa_table(
        run: steps.ShareRun,
        merged: steps.AreaMerges,
        ctx: steps.Context,
        parts: urban_cores.UrbanParts,
        units: pd.DataFrame | None,
        p: Params,
    ) -> pd.DataFrame:
        """One row per CBSA: its urban areas, the principal one, type and title."""
        cores = ctx.cores
        core_pos = np.flatnonzero(cores.is_core)
        ua_pop = pd.Series(parts.ua_population, index=parts.ua_codes)
        ua_name = pd.Series(parts.ua_name, index=parts.ua_codes)
        rows = pd.DataFrame(
            {
                "area": merged.host[run.core_area[core_pos]],
                "ua": np.asarray(cores.group_area, dtype=object)[cores.group_of[core_pos]],
            }
        ).drop_duplicates()
        rows["ua_population"] = ua_pop.reindex(rows["ua"]).to_numpy()
        rows = rows.sort_values(["area", "ua_population", "ua"], ascending=[True, False, True])
        first = rows.drop_duplicates("area").set_index("area")
        uas: dict[int, list[str]] = {}
        for a, code in zip(rows["area"].to_numpy(), rows["ua"].to_numpy(), strict=True):
            uas.setdefault(int(a), []).append(str(code))
        states: dict[int, set[str]] = {}
        if units is not None and "state" in units.columns:
            state_of = pd.Series(
                units["state"].astype("string").to_numpy(dtype=object, na_value=None),
                index=units["unit_id"].astype(str).to_numpy(),
            )
            area = run.state.area
            placed = np.flatnonzero(area >= 0)
            st = state_of.reindex(ctx.fm.unit_ids[placed]).to_numpy(dtype=object)
            for a, code in zip(area[placed], st, strict=True):
                if isinstance(code, str) and code:
                    states.setdefault(int(a), set()).add(code)
        areas = first.index.to_numpy(dtype=np.int64)
        principal = first["ua"].to_numpy(dtype=object)
        pop = first["ua_population"].to_numpy(dtype=float)
        names = ua_name.reindex(principal).fillna("").to_numpy(dtype=object)
        titles = [
            title_from_name(n, sorted(states.get(int(a), ()))) or code
            for n, a, code in zip(names, areas, principal, strict=True)
        ]
        labels = np.asarray(run.area_labels, dtype=object)
        return pd.DataFrame(
            {
                "area_id": labels[areas],
                "type": np.where(pop >= p["metro_minimum"], METROPOLITAN, MICROPOLITAN),
                "title": titles,
                "principal_urban_area": principal,
                "principal_urban_area_name": names,
                "principal_urban_area_population": pop,
                "urban_areas": [";".join(uas[int(a)]) for a in areas],
                "cbsas_merged": [len(uas[int(a)]) - 1 for a in areas],
                "urban_area_source": parts.source,
            }
        )
