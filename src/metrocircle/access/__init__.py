"""Transport accessibility: networks, travel-time matrices, circles, isochrones, scenarios.

Concepts and a worked example are in ``docs/access.md``. The main entry points:

* :func:`accessibility` - one network to travel times, circles and isochrone bands;
* :func:`scenario` - the same for a base and a what-if network (added links, speed-ups), and
  their differences;
* :class:`Timetable`, :func:`direct_station_times`, :func:`station_journeys` - rail timetables;
* :func:`chongqing_inputs` - the shipped Chongqing example.
"""

from metrocircle.access.api import (
    AccessResult,
    ScenarioResult,
    accessibility,
    chongqing_inputs,
    circle_changes,
    scenario,
    write_geopackage,
    write_outputs,
)
from metrocircle.access.circles import circles_frame, isochrones_frame
from metrocircle.access.network import AccessParams, Network, build_network, parse_link
from metrocircle.access.routing import travel_time_matrix, travel_times_frame, unit_times
from metrocircle.access.timetable import Timetable, direct_station_times, station_journeys

__all__ = [
    "AccessParams",
    "AccessResult",
    "Network",
    "ScenarioResult",
    "Timetable",
    "accessibility",
    "build_network",
    "chongqing_inputs",
    "circle_changes",
    "circles_frame",
    "direct_station_times",
    "isochrones_frame",
    "parse_link",
    "scenario",
    "station_journeys",
    "travel_time_matrix",
    "travel_times_frame",
    "unit_times",
    "write_geopackage",
    "write_outputs",
]
