"""``metrocircle od``: signaling records to commuting OD between units."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from typer import Option as Opt

from metrocircle.exceptions import ParameterError


def _params(items: list[str] | None) -> dict[str, str]:
    from metrocircle.cli._common import parse_param_pairs

    return {k: v.strip() for k, v in parse_param_pairs(items).items()}


def _market_share(value: str | None) -> float | str | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return value


def od(
    records: Annotated[Path, Opt("--records", help="Records file (CSV or Parquet).")],
    out: Annotated[Path, Opt("--out", help="Output directory.")],
    user_col: Annotated[str, Opt("--user-col", help="User id column.")] = "uid",
    time_col: Annotated[str, Opt("--time-col", help="Timestamp column.")] = "time",
    cell_col: Annotated[
        str | None,
        Opt("--cell-col", help="Cell id column of --records (default: cell, unless "
            "--lon-col/--lat-col are given)."),
    ] = None,
    lon_col: Annotated[str | None, Opt("--lon-col", help="Longitude column.")] = None,
    lat_col: Annotated[str | None, Opt("--lat-col", help="Latitude column.")] = None,
    tz: Annotated[
        str | None,
        Opt("--tz", help="Analysis time zone, e.g. Asia/Shanghai: timestamps are converted to "
            "it (at their offset; without one, as UTC). Not given: timestamps are local time and "
            "one with an offset (Z, +08:00) is an error."),
    ] = None,
    cells: Annotated[Path | None, Opt("--cells", help="Cells table (CSV or Parquet).")] = None,
    cells_id_col: Annotated[
        str, Opt("--cells-id-col", help="Cell id column of --cells.")
    ] = "cell_id",
    cells_lon_col: Annotated[
        str, Opt("--cells-lon-col", help="Longitude column of --cells.")
    ] = "lon",
    cells_lat_col: Annotated[
        str, Opt("--cells-lat-col", help="Latitude column of --cells.")
    ] = "lat",
    cells_unit_col: Annotated[
        str, Opt("--cells-unit-col", help="Unit code column of --cells (when it has one).")
    ] = "unit_id",
    units: Annotated[
        Path | None, Opt("--units", help="Unit polygons (GeoJSON, GPKG...) for point in polygon.")
    ] = None,
    units_id_col: Annotated[
        str, Opt("--units-id-col", help="Column of the unit code in --units.")
    ] = "unit_id",
    engine: Annotated[str, Opt("--engine", help="duckdb (default) or spark.")] = "duckdb",
    memory_limit: Annotated[str, Opt("--memory-limit", help="DuckDB memory limit.")] = "1GB",
    spark_master: Annotated[
        str | None, Opt("--spark-master", help="Spark master URL (default local[*]).")
    ] = None,
    min_count: Annotated[
        int,
        Opt("--min-count", help="Suppress OD pairs and unit totals below this many sampled "
            "users, and the complementary pairs that keep them from being derived."),
    ] = 10,
    market_share: Annotated[
        str | None,
        Opt(
            "--market-share", help="Market share: a float in (0, 1], or a CSV unit_id,market_share."
        ),
    ] = None,
    param: Annotated[
        list[str] | None, Opt("--param", help="Stage parameter NAME=VALUE (repeatable).")
    ] = None,
) -> None:
    """Turn signaling records into home-to-work commuting flows between units.

    Writes od.csv (origin,destination,value), units.csv, accounting.json and run.json to
    --out. Pairs below --min-count are suppressed with their complementary pairs, so that none
    can be derived from what is written (docs/privacy.md).
    """
    from rich.progress import Progress

    from metrocircle.model.output import OutputDir
    from metrocircle.signaling import od_from_records
    from metrocircle.signaling.engines.duckdb import check_memory_limit

    if cell_col is None and lon_col is None and lat_col is None:
        cell_col = "cell"
    if cell_col is not None and (lon_col or lat_col):
        raise ParameterError("Give either --cell-col or --lon-col/--lat-col, not both.")
    if cell_col is None and not (lon_col and lat_col):
        raise ParameterError("--lon-col and --lat-col go together.")
    if engine not in ("duckdb", "spark"):
        raise ParameterError(
            f"The 'engine' parameter of od must be one of ('duckdb', 'spark'). Got {engine!r}.")
    if engine == "duckdb":
        options: dict[str, object] = {"memory_limit": check_memory_limit(memory_limit)}
    elif engine == "spark":
        options = {"master": spark_master}
    else:
        options = {}
    stage_params = _params(param)
    share = _market_share(market_share)
    output = OutputDir(
        out, command="od",
        inputs={"records": records, "cells": cells, "units": units,
                "market_share": Path(share) if isinstance(share, str) else None},
    )
    with Progress(transient=True) as bar:
        task = bar.add_task("signaling", total=1.0)

        def progress(step: str, fraction: float) -> None:
            bar.update(task, completed=fraction, description=step)

        result = od_from_records(
            records,
            user_col=user_col,
            time_col=time_col,
            cell_col=cell_col,
            lon_col=lon_col,
            lat_col=lat_col,
            tz=tz,
            cells=cells,
            cells_id_col=cells_id_col,
            cells_lon_col=cells_lon_col,
            cells_lat_col=cells_lat_col,
            cells_unit_col=cells_unit_col,
            units=units,
            units_id_col=units_id_col,
            engine=engine,
            engine_options=options,
            min_count=min_count,
            market_share=share,
            params=stage_params,
            progress=progress,
        )
    with output as written:
        result.write(written)
    acc = result.accounting
    typer.echo(
        f"{acc['input_records']} records: {acc['used_records']} used, "
        f"{sum(acc['dropped'].values())} dropped; {acc['users']['with_home']} homes, "
        f"{acc['users']['with_work']} work places; {result.summary()}; written to {out}"
    )


def register(app: typer.Typer) -> None:
    """Add the ``od`` command."""
    app.command("od")(od)
