"""Engines behind one interface: ``duckdb`` (default, embedded) and ``spark``.

The engine is chosen by explicit argument. If the chosen engine cannot run, an
:class:`~metrocircle.exceptions.EngineError` is raised; there is never a silent fallback.
"""

from __future__ import annotations

from typing import Any

from metrocircle.exceptions import ParameterError
from metrocircle.signaling.engines.base import Engine, RecordSource

ENGINES = ("duckdb", "spark")


def get_engine(engine: str | Engine = "duckdb", **options: Any) -> Engine:
    """Return an engine instance from its name (or pass an instance through).

    Parameters
    ----------
    engine
        ``"duckdb"`` or ``"spark"``, or an :class:`Engine`.
    **options
        Passed to the engine class (``memory_limit``, ``threads`` for DuckDB; ``spark``,
        ``master``, ``shuffle_partitions`` for Spark).
    """
    if isinstance(engine, Engine):
        return engine
    if engine == "duckdb":
        from metrocircle.signaling.engines.duckdb import DuckDBEngine

        return DuckDBEngine(**options)
    if engine == "spark":
        from metrocircle.signaling.engines.spark import SparkEngine

        return SparkEngine(**options)
    raise ParameterError(
        f"The 'engine' parameter of signaling must be one of {', '.join(ENGINES)}. Got {engine!r}."
    )


__all__ = ["ENGINES", "Engine", "RecordSource", "get_engine"]
