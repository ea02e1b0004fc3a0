"""Cores from urban areas: the central-county rule of the OMB standards, as a shared step.

OMB's 2010 and 2020 standards (Federal Register 2010-15605, Section 2; 2021-15159, Section 2)
make a county **central** when

(a) at least 50 % of its population lives in urban areas of at least 10,000 people, or
(b) at least 5,000 of its people live in a single urban area of at least 10,000 people;

a central county is associated with the urban area that accounts for the largest portion of its
population, and the central counties associated with one urban area are grouped into one core.
Every number is a parameter here (``core_minimum``, ``central_share``, ``central_part``).

The input is a table of urban-area parts by unit (see
:func:`metrocircle.model.validation.validate_urban_areas`): either exact populations of each
part (the Census 2010 relationship file), or, for 2020, land areas of each part with each unit's
urban population, which is then split over its urban areas in proportion to land
(:data:`LAND_SPLIT`, an approximation that every output using it is labelled with).

Examples
--------
>>> import pandas as pd
>>> from metrocircle.delineate.urban_cores import central_counties, urban_parts
>>> ua = pd.DataFrame({"ua_code": ["A", "A", "S"], "unit_id": ["c1", "c2", "c3"],
...                    "population": [40000.0, 6000.0, 3000.0],
...                    "ua_population": [46000.0, 46000.0, 3000.0],
...                    "county_population": [50000.0, 30000.0, 9000.0]})
>>> parts = urban_parts(ua, pd.Index(["c1", "c2", "c3"]))
>>> test = central_counties(parts)
>>> test["central_test"].tolist()
['urban_share>=0.5;ua_part>=5000', 'ua_part>=5000', '']
>>> test["central_ua"].tolist()
['A', 'A', '']
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.exceptions import InputError, Problem, Problems
from metrocircle.model import schema as S

logger = logging.getLogger(__name__)

#: Label of urban-area parts given with their population (exact).
EXACT = "census_parts"
#: Label of parts estimated by splitting each unit's urban population over its urban areas in
#: proportion to land area (the 2020 approximation).
LAND_SPLIT = "land_area_split"


@dataclass
class UrbanParts:
    """Urban-area parts by unit, in positions of the run's universe.

    Attributes
    ----------
    pos, ua, population
        One entry per part: the unit's position, the urban area's index in ``ua_codes`` and the
        people of the urban area living in the unit (estimated for :data:`LAND_SPLIT`).
    ua_codes, ua_population, ua_name
        One entry per urban area.
    county_population
        Population of every unit of the universe (NaN where unknown).
    n_urban_areas
        Number of urban areas (of any size) each unit's urban population is spread over.
    source
        :data:`EXACT` or :data:`LAND_SPLIT`.
    ua_population_from
        ``"ua_population column"`` or ``"sum of parts"``.
    dropped
        Rows left out on purpose, by reason: ``{"reason": {"rows": k, "examples": [...]}}``.
    """

    pos: np.ndarray
    ua: np.ndarray
    population: np.ndarray
    ua_codes: pd.Index
    ua_population: np.ndarray
    ua_name: np.ndarray
    county_population: np.ndarray
    n_urban_areas: np.ndarray
    source: str
    ua_population_from: str
    dropped: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.county_population)


def _drop(dropped: dict[str, dict[str, Any]], reason: str, codes: pd.Series) -> None:
    if len(codes):
        dropped[reason] = {
            "rows": int(len(codes)),
            "examples": sorted(set(codes.astype(str)))[:20],
        }


def urban_parts(
    urban_areas: pd.DataFrame,
    universe: pd.Index,
    *,
    units: pd.DataFrame | None = None,
) -> UrbanParts:
    """Map a validated urban-area table onto the universe of units.

    Rows with the Census code 99999 ("not in an urban area") and rows of units outside the
    universe (e.g. island areas, or Connecticut's old counties in a run on its planning
    regions) are left out and counted in ``dropped``. A unit's total population comes from the
    ``county_population`` column, else from ``units.population``. With ``land_area`` parts (no
    ``population`` column), the unit's urban population (``county_urban_population``, else
    ``units.urban_population``) is split over its urban areas in proportion to their land in it.
    An urban area's total is ``ua_population`` where given, else the sum of its parts.

    Raises
    ------
    InputError
        A unit with urban parts but no known population (or, for the land split, no urban
        population), or a unit whose urban parts all have zero land.
    """
    table = urban_areas.reset_index(drop=True)
    dropped: dict[str, dict[str, Any]] = {}
    rural = (table[S.UA_CODE] == S.NOT_URBAN_CODE).to_numpy(dtype=bool, na_value=False)
    _drop(dropped, f"not in an urban area (code {S.NOT_URBAN_CODE})", table.loc[rural, S.UNIT_ID])
    table = table[~rural]
    pos_all = universe.get_indexer(pd.Index(table[S.UNIT_ID].astype(str).to_numpy(dtype=object)))
    outside = pos_all < 0
    _drop(dropped, "unit not among the units of the run", table.loc[outside, S.UNIT_ID])
    table = table[~outside].reset_index(drop=True)
    pos = pos_all[~outside]
    n = len(universe)
    p = Problems()

    def per_unit(col: str, unit_col: str) -> np.ndarray:
        values = np.full(n, np.nan)
        if col in table.columns:
            values[pos] = table[col].to_numpy(dtype=float)
        if units is not None and unit_col in units.columns:
            upos = universe.get_indexer(
                pd.Index(units["unit_id"].astype(str).to_numpy(dtype=object))
            )
            given = pd.to_numeric(units[unit_col], errors="coerce").to_numpy(dtype=float)
            ok = (upos >= 0) & np.isnan(values[np.maximum(upos, 0)])
            values[upos[ok]] = given[ok]
        return values

    county_pop = per_unit(S.COUNTY_POPULATION, "population")
    missing = np.unique(pos[np.isnan(county_pop[pos])])
    if len(missing):
        p.add(
            "urban_areas",
            "unit(s) with urban-area parts but no population (give 'county_population' in the "
            "urban-area table or 'population' in the units)",
            list(universe[missing]),
        )
    if S.POPULATION in table.columns:
        source = EXACT
        part_pop = table[S.POPULATION].to_numpy(dtype=float)
    else:
        source = LAND_SPLIT
        urban = per_unit(S.COUNTY_URBAN_POPULATION, "urban_population")
        no_urban = np.unique(pos[np.isnan(urban[pos])])
        if len(no_urban):
            p.add(
                "urban_areas",
                "land-area parts need each unit's urban population (give "
                "'county_urban_population' in the urban-area table or 'urban_population' in "
                "the units)",
                list(universe[no_urban]),
            )
        land = table[S.LAND_AREA].to_numpy(dtype=float)
        land_total = np.bincount(pos, weights=land, minlength=n)
        zero = np.unique(pos[(land_total[pos] <= 0) & (np.nan_to_num(urban[pos]) > 0)])
        if len(zero):
            p.add(
                "urban_areas",
                "urban population cannot be split: every urban-area part of the unit has zero "
                "land area",
                list(universe[zero]),
            )
        part_pop = np.nan_to_num(urban[pos]) * np.divide(
            land, land_total[pos], out=np.zeros(len(land)), where=land_total[pos] > 0
        )
    p.raise_if_any()
    codes, ua = np.unique(table[S.UA_CODE].astype(str).to_numpy(dtype=object), return_inverse=True)
    ua_codes = pd.Index(codes, dtype=object, name=S.UA_CODE)
    ua_pop: np.ndarray
    if S.UA_POPULATION in table.columns:
        ua_pop = np.zeros(len(codes))
        ua_pop[ua] = table[S.UA_POPULATION].to_numpy(dtype=float)
        ua_from = "ua_population column"
    else:
        ua_pop = np.bincount(ua, weights=part_pop, minlength=len(codes)).astype(float)
        ua_from = "sum of parts"
    names = np.full(len(codes), "", dtype=object)
    if S.UA_NAME in table.columns:
        names[ua] = table[S.UA_NAME].fillna("").astype(str).to_numpy(dtype=object)
    n_ua = np.bincount(pos, minlength=n)
    for reason, d in dropped.items():
        logger.info("urban areas: %d row(s) left out: %s", d["rows"], reason)
    return UrbanParts(
        pos=pos.astype(np.int64),
        ua=ua.astype(np.int64),
        population=part_pop,
        ua_codes=ua_codes,
        ua_population=ua_pop,
        ua_name=names,
        county_population=county_pop,
        n_urban_areas=n_ua,
        source=source,
        ua_population_from=ua_from,
        dropped=dropped,
    )


def central_counties(
    parts: UrbanParts,
    *,
    core_minimum: float = 10_000,
    central_share: float = 0.5,
    central_part: float = 5_000,
) -> pd.DataFrame:
    """The central-county test of every unit and the urban area it is grouped with.

    Parameters
    ----------
    parts
        From :func:`urban_parts`.
    core_minimum
        Population an urban area needs to count (10,000).
    central_share
        Share of the unit's population living in such urban areas that makes it central (test
        a, 50 %).
    central_part
        Population living in one such urban area that makes the unit central (test b, 5,000).

    Returns
    -------
    DataFrame
        One row per unit position: ``county_population``, ``urban_share`` (share of its
        population in urban areas of at least ``core_minimum``), ``largest_ua`` and
        ``largest_ua_part`` (the qualifying urban area holding most of its people, and how
        many), ``runner_up_ua`` and ``runner_up_ua_part`` (the next one), ``n_core_uas``
        (qualifying urban areas it has people in), ``central`` (passes test a or b),
        ``central_test`` (the tests passed, e.g. ``urban_share>=0.5;ua_part>=5000``) and
        ``central_ua`` (the urban area it is grouped with when central; '' otherwise).

    Notes
    -----
    A unit central for several urban areas is grouped with the one holding most of its
    people; equal parts go to the urban area with the larger population, then to the lower
    code. The runner-up is recorded so the choice can be checked.
    """
    n = parts.n
    big = parts.ua_population[parts.ua] >= core_minimum
    pos, ua, pop = parts.pos[big], parts.ua[big], parts.population[big]
    in_big = np.bincount(pos, weights=pop, minlength=n)
    share = np.divide(
        in_big,
        parts.county_population,
        out=np.zeros(n),
        where=np.nan_to_num(parts.county_population) > 0,
    )
    # rank each unit's qualifying parts: largest part, then larger urban area, then lower code
    order = np.lexsort((ua, -parts.ua_population[ua], -pop, pos))
    pos, ua, pop = pos[order], ua[order], pop[order]
    first = np.r_[True, pos[1:] != pos[:-1]] if len(pos) else np.zeros(0, dtype=bool)
    second = np.zeros(len(pos), dtype=bool)
    if len(pos) > 1:
        second[1:] = ~first[1:] & first[:-1]
    codes = np.asarray(parts.ua_codes, dtype=object)
    largest_ua = np.full(n, "", dtype=object)
    largest_part = np.zeros(n)
    largest_ua[pos[first]] = codes[ua[first]]
    largest_part[pos[first]] = pop[first]
    runner_ua = np.full(n, "", dtype=object)
    runner_part = np.full(n, np.nan)
    runner_ua[pos[second]] = codes[ua[second]]
    runner_part[pos[second]] = pop[second]
    test_a = share >= central_share
    test_b = largest_part >= central_part
    central = test_a | test_b
    t_a, t_b = f"urban_share>={central_share:g}", f"ua_part>={central_part:g}"
    test = np.where(
        test_a & test_b, f"{t_a};{t_b}", np.where(test_a, t_a, np.where(test_b, t_b, ""))
    ).astype(object)
    return pd.DataFrame(
        {
            "county_population": parts.county_population,
            "urban_share": share,
            "largest_ua": largest_ua,
            "largest_ua_part": largest_part,
            "runner_up_ua": runner_ua,
            "runner_up_ua_part": runner_part,
            "n_core_uas": np.bincount(pos, minlength=n).astype(np.int64),
            "central": central,
            "central_test": test,
            "central_ua": np.where(central, largest_ua, "").astype(object),
        },
        index=pd.RangeIndex(n, name="pos"),
    )


def cores_from_test(test: pd.DataFrame, universe: pd.Index) -> pd.DataFrame:
    """The ``cores`` table (``unit_id``, ``area_id`` = urban-area code) of the central units.

    Raises
    ------
    InputError
        No unit is central (nothing to delineate around).
    """
    central = test["central"].to_numpy(dtype=bool)
    if not central.any():
        raise InputError(
            [
                Problem(
                    "urban_areas",
                    "no unit is central (no unit has the required share of its population in "
                    "urban areas of the core minimum, nor the required part in one of them); "
                    "check the urban-area table and the core_minimum, central_share and "
                    "central_part parameters",
                )
            ]
        )
    return pd.DataFrame(
        {
            "unit_id": pd.array(universe[central].astype(str), dtype="string"),
            "area_id": pd.array(test.loc[central, "central_ua"].astype(str), dtype="string"),
        }
    )


__all__ = [
    "EXACT",
    "LAND_SPLIT",
    "UrbanParts",
    "central_counties",
    "cores_from_test",
    "urban_parts",
]
