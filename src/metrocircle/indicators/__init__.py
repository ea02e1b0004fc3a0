"""Indicators of delineated areas: the figures a plan quotes (MISSION capability 9).

:func:`area_indicators` sums and compares, for each area of a delineation (or any grouping of
units): units, land area, population, urban population and urbanisation rate, GDP with its
coverage (never imputed), the urbanisation gap between the core and the rest, the share of
residents registered in another province (population openness, from the census), and, with a
flow table, commuting statistics (employed residents, jobs, self-containment both ways,
inbound and outbound commuters, flow openness). See ``docs/indicators.md``.
"""

from metrocircle.indicators.area import area_indicators

__all__ = ["area_indicators"]
