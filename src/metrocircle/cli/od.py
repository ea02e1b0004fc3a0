"""``metrocircle od``: signaling records to commuting OD between units."""

from __future__ import annotations

from pathlib import Path

import typer

from metrocircle.exceptions import ParameterError


def _params(items: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise ParameterError(
                f"The '--param' option of od must look like NAME=VALUE. Got {item!r}.")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def _market_share(value: str | None) -> float | str | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return value


def od(
    records: Path = typer.Option(..., "--records", help="Records file (CSV or Parquet)."),
    out: Path = typer.Option(..., "--out", help="Output directory."),
    user_col: str = typer.Option("uid", "--user-col", help="User id column."),
    time_col: str = typer.Option("time", "--time-col", help="Timestamp column."),
    cell_col: str | None = typer.Option(None, "--cell-col", help="Cell id column [cell]."),
    lon_col: str | None = typer.Option(None, "--lon-col", help="Longitude column."),
    lat_col: str | None = typer.Option(None, "--lat-col", help="Latitude column."),
    tz: str | None = typer.Option(
        None, "--tz", help="Timestamps are UTC (or carry an offset); convert to this zone."),
    cells: Path | None = typer.Option(None, "--cells", help="Cells table (CSV or Parquet)."),
    cells_id_col: str = typer.Option("cell_id", "--cells-id-col"),
    cells_lon_col: str = typer.Option("lon", "--cells-lon-col"),
    cells_lat_col: str = typer.Option("lat", "--cells-lat-col"),
    cells_unit_col: str = typer.Option("unit_id", "--cells-unit-col"),
    units: Path | None = typer.Option(
        None, "--units", help="Unit polygons (GeoJSON, GeoPackage...) for point in polygon."),
    units_id_col: str = typer.Option("unit_id", "--units-id-col"),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb (default) or spark."),
    memory_limit: str = typer.Option("1GB", "--memory-limit", help="DuckDB memory limit."),
    spark_master: str | None = typer.Option(
        None, "--spark-master", help="Spark master URL (default local[*])."),
    min_count: int = typer.Option(10, "--min-count", help="Suppress OD pairs below this."),
    market_share: str | None = typer.Option(
        None, "--market-share",
        help="Operator market share: one float in (0, 1], or a CSV unit_id,market_share."),
    param: list[str] | None = typer.Option(
        None, "--param", help="Stage parameter NAME=VALUE (repeatable)."),
) -> None:
    """Turn signaling records into home-to-work commuting flows between units.

    Writes od.csv, units.csv, accounting.json and run.json to --out.
    """
    from rich.progress import Progress

    from metrocircle.signaling import od_from_records

    if cell_col is None and lon_col is None and lat_col is None:
        cell_col = "cell"
    if cell_col is not None and (lon_col or lat_col):
        raise ParameterError("Give either --cell-col or --lon-col/--lat-col, not both.")
    if cell_col is None and not (lon_col and lat_col):
        raise ParameterError("--lon-col and --lat-col go together.")
    if engine == "duckdb":
        options: dict[str, object] = {"memory_limit": memory_limit}
    elif engine == "spark":
        options = {"master": spark_master}
    else:
        options = {}
    with Progress(transient=True) as bar:
        task = bar.add_task("signaling", total=1.0)

        def progress(step: str, fraction: float) -> None:
            bar.update(task, completed=fraction, description=step)

        result = od_from_records(
            records, user_col=user_col, time_col=time_col, cell_col=cell_col,
            lon_col=lon_col, lat_col=lat_col, tz=tz, cells=cells, cells_id_col=cells_id_col,
            cells_lon_col=cells_lon_col, cells_lat_col=cells_lat_col,
            cells_unit_col=cells_unit_col, units=units, units_id_col=units_id_col,
            engine=engine, engine_options=options, min_count=min_count,
            market_share=_market_share(market_share), params=_params(param),
            progress=progress,
        )
    result.write(out)
    acc = result.accounting
    typer.echo(
        f"{acc['input_records']} records: {acc['used_records']} used, "
        f"{sum(acc['dropped'].values())} dropped; {acc['users']['with_home']} homes, "
        f"{acc['users']['with_work']} work places; {len(result.od)} OD pairs written to {out}"
    )


def register(app: typer.Typer) -> None:
    """Add the ``od`` command."""
    app.command("od")(od)
