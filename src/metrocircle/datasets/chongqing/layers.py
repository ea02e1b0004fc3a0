"""Flow layers of the Chongqing example: the real ones, and models of those that ship no data.

The 2022 Chongqing plan names enterprise investment, signaling, commuting, passenger and
freight flows. The package ships real data for units, the 2020 census, the 2020 GDP of the
prefectures and the 2019 rail timetable; it ships **no** enterprise register, road passenger
count or freight count. This module builds those layers from the real attributes with
published model forms and fixed parameters, and labels every one ``source="modelled"``:

=================  ==========  =========  =================================================
layer              kind        source     how
=================  ==========  =========  =================================================
``rail_trips``     passenger   real       direct trains per day between units, 2019
                                          timetable (:func:`rail_layer`)
``road_passenger`` passenger   modelled   doubly constrained gravity, O = D = population,
                                          road minutes ** -2 (:func:`road_passenger_layer`)
``road_freight``   freight     modelled   doubly constrained gravity, O = D = secondary-
                                          sector value added, road minutes ** -2
                                          (:func:`road_freight_layer`)
``investment``     investment  modelled   per industry section, attraction-constrained:
                                          investee industry employment drawn from investors
                                          by producer-service employment and minutes ** -1
                                          (:func:`investment_records`,
                                          :func:`investment_layer`)
=================  ==========  =========  =================================================

Masses (:func:`unit_attributes`) are real: 2020 census population and employment by industry
section (a 10 % long-form sample: shares and relative sizes only), and the 2020 secondary-sector
value added of the Sichuan prefectures and of Chongqing municipality (official statistics,
``gdp_prefecture_2019_2021.csv``). County-level value added is not published in the shipped
data, so the municipality's (for the 38 Chongqing districts) and Guang'an's (for its 6 counties)
is shared out in proportion to census secondary-sector employment.

Travel times come from :mod:`metrocircle.access` on the shipped network: ``"road"`` = roads
**modelled** from shared borders (80 km/h, detour 1.3), ``"multimodal"`` = the same roads plus
the real 2019 timetable. A unit's internal travel time (needed for flows that stay inside it) is
the mean distance from the centre of a disc of the unit's area, ``(2/3) sqrt(area / pi)``, on the
same modelled roads.

Formulas, parameters and sources: ``docs/methods/cn-multisource.md`` ("The Chongqing layers").
Everything is deterministic (no random draw) and takes well under a second per layer.

Examples
--------
>>> from metrocircle.datasets.chongqing import layers as cq
>>> road = cq.travel_times("road")
>>> passenger = cq.road_passenger_layer(travel_times=road)
>>> (passenger.kind, passenger.source)
('passenger', 'modelled')
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from metrocircle.exceptions import ParameterError
from metrocircle.model.layers import FlowLayer

log = logging.getLogger(__name__)

__all__ = [
    "APS_SECTIONS",
    "INVESTMENT_BETA",
    "PASSENGER_BETA",
    "FREIGHT_BETA",
    "SECONDARY_SECTIONS",
    "all_layers",
    "investment_layer",
    "investment_records",
    "multisource_units",
    "rail_layer",
    "road_freight_layer",
    "road_passenger_layer",
    "travel_times",
    "unit_attributes",
]

#: Census industry sections of the secondary sector (GB/T 4754: mining, manufacturing,
#: utilities, construction), the carriers of industrial output.
SECONDARY_SECTIONS = ("B_mining", "C_manufacturing", "D_utilities", "E_construction")
#: Advanced producer services (finance; leasing and business services; research and technical
#: services): the corporate-control functions from which firms invest elsewhere.
APS_SECTIONS = ("J_finance", "L_leasing_business", "M_research_technical")
#: Distance-decay exponents (power deterrence, travel minutes).
PASSENGER_BETA = 2.0
FREIGHT_BETA = 2.0
INVESTMENT_BETA = 1.0
#: Year of the masses (census 2020, value added 2020); written into the investment records.
YEAR = 2020

# 一区两群 zoning of Chongqing (2020): the main urban metropolitan area and the two town groups.
_PLANNING_GROUP = {
    "cq_main_urban_central": "cq_main_urban_area",
    "cq_main_urban_new": "cq_main_urban_area",
    "cq_northeast_three_gorges": "cq_northeast_three_gorges",
    "cq_southeast_wuling": "cq_southeast_wuling",
}
GUANGAN = "511600"
CHONGQING = "500000"


def multisource_units() -> pd.DataFrame:
    """The 58 units with the columns ``cn-multisource`` reads.

    ``population`` (2020 census), ``area_km2``, ``name_en``, ``name_zh``, and two parent
    levels for snapping:

    * ``prefecture_id``: the prefecture-level parent, ``511600`` for Guang'an's six counties;
      empty for Chongqing's districts (a province-level municipality has no prefecture level)
      and for the Sichuan prefectures (each is a prefecture itself);
    * ``planning_group``: Chongqing's 2020 zoning into the main urban metropolitan area
      (主城都市区, 21 districts), the north-east (渝东北, 11) and south-east (渝东南, 6) town
      groups; empty outside Chongqing;
    * ``zone``: the finer zoning of the shipped table (``group``): central districts (9), new
      districts of the main urban area (12), north-east, south-east; empty outside Chongqing.
    """
    from metrocircle.datasets import chongqing

    u = chongqing.load_units()
    out = pd.DataFrame({
        "unit_id": u["unit_id"].astype("string"),
        "name_en": u["name_en"],
        "name_zh": u["name_zh"],
        "population": u["pop_2020_census"].astype(float),
        "area_km2": u["area_km2"].astype(float),
    })
    parent = u["parent_code"].astype("string")
    out["prefecture_id"] = parent.where(parent == GUANGAN).astype("string")
    out["planning_group"] = u["group"].map(_PLANNING_GROUP).astype("string")
    out["zone"] = u["group"].where(u["group"].isin(list(_PLANNING_GROUP))).astype("string")
    return out


def travel_times(mode: str = "multimodal") -> pd.DataFrame:
    """Unit-to-unit minutes on the shipped network: ``"road"`` (modelled roads only) or
    ``"multimodal"`` (modelled roads + the real 2019 rail timetable). Long table
    ``origin, destination, minutes`` (pairs of different units)."""
    from metrocircle.access import accessibility, chongqing_inputs

    if mode not in ("road", "multimodal"):
        raise ParameterError("The 'mode' parameter of travel_times must be 'road' or "
                             f"'multimodal'. Got {mode!r}.")
    inputs = chongqing_inputs()
    inputs.pop("cores")
    if mode == "road":
        inputs["timetable"] = None
    tt = accessibility(**inputs).travel_times
    return tt.loc[tt["reachable"], ["origin", "destination", "minutes"]].reset_index(drop=True)


def _road_params() -> tuple[float, float]:
    from metrocircle.access import AccessParams

    p = AccessParams()
    return p.road_speed_kmh, p.road_detour


def unit_attributes() -> pd.DataFrame:
    """Real masses of the 58 units and the internal travel time of each.

    Columns: ``unit_id``, ``population``, ``area_km2``, the 20 census industry sections (employed
    persons, 10 % sample; blank = 0), ``employed_sample`` (their sum), ``secondary_employed``,
    ``aps_employed``, ``secondary_va_100m_cny`` (2020 secondary-sector value added, 亿元:
    official for the Sichuan prefectures, shared out by secondary employment inside Chongqing
    and Guang'an), ``secondary_va_from`` (how) and ``intrazonal_minutes``.
    """
    from metrocircle.datasets import chongqing

    units = chongqing.load_units()
    census = chongqing.load_census().set_index("code")
    sections = [c for c in census.columns if c.startswith("ind_") and c != "ind_total"]
    out = pd.DataFrame({"unit_id": units["unit_id"].astype("string"),
                        "population": units["pop_2020_census"].astype(float),
                        "area_km2": units["area_km2"].astype(float)})
    emp = census.reindex(units["unit_id"])[sections].fillna(0).astype(float)
    emp.columns = [c[len("ind_"):] for c in sections]
    emp.index = out.index
    out = pd.concat([out, emp], axis=1)
    out["employed_sample"] = emp.sum(axis=1)
    out["secondary_employed"] = emp[list(SECONDARY_SECTIONS)].sum(axis=1)
    out["aps_employed"] = emp[list(APS_SECTIONS)].sum(axis=1)
    gdp = pd.read_csv(chongqing.data_path("gdp_prefecture_2019_2021.csv"), dtype={"code": str})
    va = gdp[gdp["year"] == YEAR].set_index("code")["gdp_secondary_10k_yuan"] / 1e4  # -> 亿元
    parent = units["parent_code"].astype(str).to_numpy()
    code = units["unit_id"].astype(str).to_numpy()
    value = np.full(len(out), np.nan)
    source = np.full(len(out), "", dtype=object)
    own = np.isin(code, va.index)
    value[own] = va.reindex(code[own]).to_numpy()
    source[own] = "official (prefecture)"
    for parent_code in (CHONGQING, GUANGAN):
        kids = (parent == parent_code) & ~own
        w = out.loc[kids, "secondary_employed"].to_numpy()
        value[kids] = va[parent_code] * w / w.sum()
        source[kids] = f"official {parent_code} total shared by census secondary employment"
    out["secondary_va_100m_cny"] = value
    out["secondary_va_from"] = source
    speed, detour = _road_params()
    radius_km = np.sqrt(out["area_km2"].to_numpy() / np.pi)
    out["intrazonal_minutes"] = (2.0 / 3.0) * radius_km * detour / speed * 60.0
    return out


def _gravity(mass_o: str, mass_d: str, *, travel_times: pd.DataFrame, beta: float,
             constraint: str) -> pd.DataFrame:
    from metrocircle.strength import spatial_interaction

    attrs = unit_attributes()
    return spatial_interaction(attrs, travel_times, production=mass_o, attraction=mass_d,
                               constraint=constraint, beta=beta,
                               intrazonal="intrazonal_minutes")


def road_passenger_layer(*, travel_times: pd.DataFrame | None = None,
                         beta: float = PASSENGER_BETA) -> FlowLayer:
    """Road passenger trips, **modelled**: a doubly constrained gravity model (Wilson 1967)
    with every unit producing and attracting in proportion to its 2020 census population and
    a power deterrence of road minutes (``beta`` = 2). Values are an index (they sum to the
    population), not counted trips. ``travel_times`` defaults to :func:`travel_times` ("road").
    """
    tt = travel_times if travel_times is not None else globals()["travel_times"]("road")
    flows = _gravity("population", "population", travel_times=tt, beta=beta,
                     constraint="doubly")
    return FlowLayer(flows, name="road_passenger", kind="passenger", source="modelled",
                     note=f"modelled: doubly constrained gravity, O = D = census population, "
                          f"road minutes ** -{beta:g}")


def road_freight_layer(*, travel_times: pd.DataFrame | None = None,
                       beta: float = FREIGHT_BETA) -> FlowLayer:
    """Road freight, **modelled**: a doubly constrained gravity model with every unit
    shipping and receiving in proportion to its 2020 secondary-sector value added (industrial
    output drives freight generation) and a power deterrence of road minutes (``beta`` = 2).
    Values are an index in 亿元 of value added, not tonnes."""
    tt = travel_times if travel_times is not None else globals()["travel_times"]("road")
    flows = _gravity("secondary_va_100m_cny", "secondary_va_100m_cny", travel_times=tt,
                     beta=beta, constraint="doubly")
    return FlowLayer(flows, name="road_freight", kind="freight", source="modelled",
                     note=f"modelled: doubly constrained gravity, O = D = secondary-sector "
                          f"value added 2020, road minutes ** -{beta:g}")


def investment_records(*, travel_times: pd.DataFrame | None = None,
                       beta: float = INVESTMENT_BETA,
                       industries: Sequence[str] | None = None) -> pd.DataFrame:
    """Enterprise-investment relations, **modelled**, in the form of investment records.

    For each census industry section ``k``, an attraction-constrained gravity model: the
    employment of ``k`` in the investee unit ``j`` (its demand for capital) is drawn from
    investor units in proportion to their advanced-producer-service employment ``H_i``
    (finance, business services, research: where corporate control sits) and a power
    deterrence of travel minutes with ``beta`` = 1, weaker than for people because firm
    links are less bound by distance (Wang Yao, Niu Xinyi et al. 2018)::

        count_ijk = E_jk * H_i c_ij ** -beta / sum_l H_l c_lj ** -beta

    The diagonal (investment inside a unit) is kept, with the internal travel time. Returns
    ``investor, investee, industry, count, year`` (``count`` is an index in census-sample
    employed persons, not a number of firms). ``travel_times`` defaults to "multimodal".
    """
    from metrocircle.strength import spatial_interaction

    tt = travel_times if travel_times is not None else globals()["travel_times"]("multimodal")
    attrs = unit_attributes()
    sections = [c for c in attrs.columns if c[:2] in {f"{x}_" for x in "ABCDEFGHIJKLMNOPQRST"}]
    chosen = list(industries) if industries is not None else sections
    unknown = [c for c in chosen if c not in sections]
    if unknown:
        raise ParameterError(f"The 'industries' parameter of investment_records must name "
                             f"census sections ({', '.join(sections)}). Got {unknown}.")
    frames = []
    for k in chosen:
        if attrs[k].sum() <= 0:
            continue
        t = spatial_interaction(attrs, tt, production="aps_employed", attraction=k,
                                constraint="attraction", beta=beta,
                                intrazonal="intrazonal_minutes")
        frames.append(pd.DataFrame({"investor": t["origin"], "investee": t["destination"],
                                    "industry": k, "count": t["value"], "year": YEAR}))
    return pd.concat(frames, ignore_index=True)


def investment_layer(records: pd.DataFrame | None = None, *,
                     industries: Sequence[str] | None = None) -> FlowLayer:
    """The modelled investment records as a flow layer (weight = count), through
    :func:`metrocircle.strength.investment_network` like real records; ``industries``
    filters the investee industry."""
    from metrocircle.strength import investment_network

    recs = records if records is not None else investment_records()
    net = investment_network(recs, weight="count", industries=industries)
    return net.as_layer(name="investment", source="modelled",
                        note=f"modelled: per industry section, attraction-constrained gravity "
                             f"from producer-service employment, minutes ** -{INVESTMENT_BETA:g}")


def rail_layer() -> FlowLayer:
    """Direct trains per day between units in the real 2019 timetable (the passenger-service
    measure of the Southeast University method: daily railway stops between cities)."""
    from metrocircle.datasets import chongqing

    return FlowLayer(chongqing.load_rail_trips(), name="rail_trips", kind="passenger",
                     source="real", note="real: direct trains per day between units, 2019 "
                                         "timetable (no calendar: an upper bound)")


def all_layers(*, road_travel_times: pd.DataFrame | None = None,
               multimodal_travel_times: pd.DataFrame | None = None) -> list[FlowLayer]:
    """The four layers above: rail (real), road passengers, road freight, investment
    (modelled). Commuting comes from signaling (the signaling step of the shipped Chongqing
    project, simulated records: modelled too)."""
    road = road_travel_times if road_travel_times is not None else travel_times("road")
    multi = (multimodal_travel_times if multimodal_travel_times is not None
             else travel_times("multimodal"))
    return [rail_layer(), road_passenger_layer(travel_times=road),
            road_freight_layer(travel_times=road),
            investment_layer(investment_records(travel_times=multi))]
