"""``metrocircle groups``: city groups and functional regions from a flow network."""

from __future__ import annotations

import datetime as _dt
import platform
import time
from pathlib import Path
from typing import cast

import typer

from metrocircle.cli._common import ReadAll, parse_param_pairs, progress_bar
from metrocircle.exceptions import ParameterError


def groups_command(
    flows: Path = typer.Option(..., "--flows", help="Flow table (origin,destination,value)."),
    method: str = typer.Option(..., "--method", help="leiden, infomap or intramax."),
    units: Path | None = typer.Option(
        None, "--units", help="Units table or polygon file (unit_id[, population])."
    ),
    units_id_col: str = typer.Option("unit_id", "--units-id-col", help="Unit code column."),
    adjacency: Path | None = typer.Option(
        None, "--adjacency", help="CSV of unit pairs, or a polygon file (queen/rook contiguity)."
    ),
    contiguity: str = typer.Option(
        "queen", "--contiguity", help="queen or rook, when --adjacency is a polygon file."
    ),
    origin_col: str = typer.Option("origin", "--origin-col", help="Origin column of --flows."),
    destination_col: str = typer.Option(
        "destination", "--destination-col", help="Destination column of --flows."
    ),
    value_col: str = typer.Option("value", "--value-col", help="Value column of --flows."),
    param: list[str] = typer.Option(
        [],
        "--param",
        help="NAME=VALUE, repeatable: resolution, self_loops, stability_runs, num_trials, "
        "k, min_self_containment, min_size, size_by, random_state (see docs/groups.md).",
    ),
    out: Path = typer.Option(..., "--out", help="Output directory."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show progress bars."),
) -> None:
    """Find groups: membership.csv, groups.csv, run.json (+ history.csv, groups.gpkg) in --out."""
    import pandas as pd

    from metrocircle import __version__
    from metrocircle.groups import METHODS, find_groups, parse_params
    from metrocircle.model import io

    if method not in METHODS:
        raise ParameterError(
            f"Unknown group method {method!r}. Choose one of: {', '.join(METHODS)}."
        )
    params = parse_params(method, parse_param_pairs(param))
    reader = ReadAll()
    units_df, flows_df, universe = reader.units_and_flows(
        units, flows, units_id_col=units_id_col, origin_col=origin_col,
        destination_col=destination_col, value_col=value_col)
    adjacency_df = (
        reader.attempt(
            io.read_adjacency,
            adjacency,
            universe=universe,
            id_col=units_id_col,
            contiguity=contiguity,
            units_crs=getattr(units_df, "crs", None),
        )
        if adjacency
        else None
    )
    reader.raise_if_any()
    started = time.perf_counter()
    with progress_bar(progress) as callback:
        result = find_groups(
            cast(pd.DataFrame, flows_df),  # not None: raise_if_any raised otherwise
            method=method,
            units=units_df,
            adjacency=adjacency_df,
            params=params,
            progress=callback,
        )
    elapsed = time.perf_counter() - started
    out.mkdir(parents=True, exist_ok=True)
    written = [
        io.write_table(result.membership, out / "membership.csv"),
        io.write_table(result.groups, out / "groups.csv"),
    ]
    if result.history is not None:
        written.append(io.write_table(result.history, out / "history.csv"))
    if units_df is not None and "geometry" in units_df.columns and hasattr(units_df, "crs"):
        from metrocircle.model.geo import attach_geometry

        gpkg = out / "groups.gpkg"
        if gpkg.exists():
            gpkg.unlink()
        geo = attach_geometry(result.membership, units_df)
        io.write_table(geo, gpkg, layer="membership")
        dissolved = geo[["group", "geometry"]].dissolve(by="group").reset_index()
        io.write_table(dissolved.merge(result.groups, on="group"), gpkg, layer="groups")
        written.append(gpkg)
    inputs = {"flows": flows, "units": units, "adjacency": adjacency}
    run = {
        "command": "groups",
        "method": method,
        "inputs": {
            name: {"path": str(path), "sha256": io.file_checksum(path)}
            for name, path in inputs.items()
            if path is not None and Path(path).is_file()
        },
        "info": result.info,
        "compute_seconds": round(elapsed, 3),
        "metrocircle_version": __version__,
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "created_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    written.append(io.write_json(run, out / "run.json"))
    info = result.info
    stab = info.get("stability")
    stab_text = (
        f"; stability over {stab['runs']} seeds: mean pairwise ARI {stab['pairwise_ari_mean']:.3f}"
        if isinstance(stab, dict)
        else ""
    )
    typer.echo(
        f"{method}: {info['n_groups']} groups from {info['n_units']} units "
        f"({info['n_groups_detected']} detected); modularity {info['modularity']:.3f}{stab_text}"
    )
    typer.echo(f"wrote {', '.join(p.name for p in written)} to {out}")


def register(app: typer.Typer) -> None:
    app.command("groups")(groups_command)
