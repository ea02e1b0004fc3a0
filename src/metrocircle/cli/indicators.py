"""``metrocircle indicators``: totals, gaps and commuting statistics of delineated areas."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from typer import Option as Opt

from metrocircle.exceptions import ParameterError


def indicators(
    units: Annotated[Path, Opt("--units", help="Units table: unit_id + attribute columns.")],
    membership: Annotated[
        Path, Opt("--membership", help="unit_id, area_id[, status] (a delineation's output).")
    ],
    out: Annotated[Path, Opt("--out", help="Output folder (created if missing).")],
    flows: Annotated[
        Path | None, Opt("--flows", help="origin, destination, value (commuting statistics).")
    ] = None,
    units_id_col: Annotated[
        str, Opt("--units-id-col", help="Column of the unit code in --units.")
    ] = "unit_id",
    origin_col: Annotated[str, Opt("--origin-col", help="Origin column of --flows.")] = "origin",
    destination_col: Annotated[
        str, Opt("--destination-col", help="Destination column of --flows.")
    ] = "destination",
    value_col: Annotated[str, Opt("--value-col", help="Value column of --flows.")] = "value",
    col: Annotated[
        list[str] | None,
        Opt("--col", help="ROLE=COLUMN: population, urban_population, area_km2, gdp, "
                          "other_province (repeatable)."),
    ] = None,
    area_col: Annotated[str, Opt("--area-col", help="Area column of --membership.")] = "area_id",
) -> None:
    """Per area: units, land area, population, urbanisation and its core-rest gap, GDP with its
    coverage, residents from other provinces, and commuting self-containment and openness."""
    from metrocircle.cli._common import ReadAll, parse_param_pairs
    from metrocircle.indicators import area_indicators
    from metrocircle.indicators.area import DEFAULT_COLUMNS
    from metrocircle.model import io

    columns = parse_param_pairs(col) if col else {}
    unknown = sorted(set(columns) - set(DEFAULT_COLUMNS))
    if unknown:
        raise ParameterError(
            f"The 'col' option of indicators takes roles {', '.join(DEFAULT_COLUMNS)}. "
            f"Got {', '.join(unknown)}.")
    from metrocircle.model.output import OutputDir

    output = OutputDir(out, inputs={"units": units, "membership": membership, "flows": flows},
                       command="indicators")
    reader = ReadAll()
    u = reader.attempt(io.read_units, units, id_col=units_id_col)
    # the model's reader checks blank and repeated codes and codes outside the units, by line,
    # with the other files' problems in the same error
    m = reader.attempt(io.read_membership, membership, area_col=area_col,
                       universe=list(u["unit_id"]) if u is not None else None)
    f = (reader.attempt(io.read_flows, flows, origin_col=origin_col,
                        destination_col=destination_col, value_col=value_col)
         if flows is not None else None)
    reader.raise_if_any()
    assert u is not None and m is not None  # raise_if_any raised otherwise
    table = area_indicators(u, m, flows=f, columns=columns, area_col="area_id")
    with output as od:
        od.write_table(table, "indicators.csv")
        od.record(columns={**DEFAULT_COLUMNS, **columns}, areas=len(table),
                  units_id_col=units_id_col)
    typer.echo(f"{len(table)} area(s); wrote {out / 'indicators.csv'}")


def register(app: typer.Typer) -> None:
    """Add the ``indicators`` command to the metrocircle app."""
    app.command("indicators")(indicators)
