"""Mobile-phone signaling records to home/work places and commuting OD between units.

Stages (each a SQL stage in :mod:`metrocircle.signaling.stages`, shared by every engine):
cleaning (duplicates, study window, unknown cells, ping-pong), stays (dwell per cell and
day), home (night-weighted dwell), work (regular weekday daytime or night-shift place away
from home), OD between units, commuting rates, residents and workers, expansion by market
share, minimum-count suppression. See ``docs/signaling.md``.
"""

from __future__ import annotations

from metrocircle.signaling.engines import ENGINES, Engine, RecordSource, get_engine
from metrocircle.signaling.evaluate import common_part_of_commuters, evaluate
from metrocircle.signaling.params import SignalingParams
from metrocircle.signaling.pipeline import ODResult, od_from_records
from metrocircle.signaling.simulator import Simulation, simulate_signaling

__all__ = [
    "ENGINES",
    "Engine",
    "ODResult",
    "RecordSource",
    "SignalingParams",
    "Simulation",
    "common_part_of_commuters",
    "evaluate",
    "get_engine",
    "od_from_records",
    "simulate_signaling",
]
