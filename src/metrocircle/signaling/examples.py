"""Modelled commuting for the shipped Chongqing example (no operator records ship with it)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from metrocircle.signaling.pipeline import ODResult, od_from_records
from metrocircle.signaling.simulator import simulate_signaling


def chongqing_commuting(
    *,
    users: int,
    days: int = 7,
    random_state: int = 2026,
    engine: str = "duckdb",
    min_count: int = 1,
    engine_options: dict[str, Any] | None = None,
) -> tuple[ODResult, float]:
    """Simulate signaling records for the 58 Chongqing units and turn them into commuting OD.

    The people live and work by :func:`~metrocircle.signaling.simulate_signaling` from the
    2020 census population of :func:`metrocircle.datasets.chongqing.load_units` (seats as
    points); the records go through :func:`~metrocircle.signaling.od_from_records` like real
    ones and are expanded to the population by one factor (population / ``users``). The result
    is **modelled**: say so wherever it is shown.

    Returns
    -------
    (ODResult, float)
        The pipeline's result and the market share used (``users`` / population).
    """
    from metrocircle.datasets import chongqing

    units = chongqing.load_units()
    sim_units = pd.DataFrame({"unit_id": units["unit_id"], "lon": units["seat_lon_wgs84"],
                              "lat": units["seat_lat_wgs84"],
                              "population": units["pop_2020_census"]})
    share = users / float(units["pop_2020_census"].sum())
    with tempfile.TemporaryDirectory(prefix="metrocircle-chongqing-") as tmp:
        simulate_signaling(sim_units, users=users, days=days, random_state=random_state,
                           out_dir=tmp)
        od = od_from_records(Path(tmp) / "records.parquet", cells=Path(tmp) / "cells.csv",
                             engine=engine, engine_options=engine_options,
                             min_count=min_count, market_share=share)
    return od, share
