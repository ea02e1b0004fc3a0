"""``metrocircle groups``: city groups and functional regions from a flow network."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, cast

import typer

from metrocircle.cli._common import ReadAll, parse_param_pairs, progress_bar
from metrocircle.exceptions import ParameterError

EXAMPLES = ("us-cbsa",)


def groups_command(
    flows: Path | None = typer.Option(
        None, "--flows", help="Flow table (origin,destination,value)."
    ),
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
    external: list[str] = typer.Option(
        [],
        "--external",
        help="Code of a place outside the study (e.g. abroad) that flows may name as "
        "destination; its flows count in the groups' outflow only. Repeatable.",
    ),
    param: list[str] = typer.Option(
        [],
        "--param",
        help="NAME=VALUE, repeatable: resolution, self_loops, stability_runs, num_trials, "
        "k, min_self_containment, min_size, size_by, random_state (see docs/groups.md).",
    ),
    example: str | None = typer.Option(
        None,
        "--example",
        help="Run on data shipped with the package: us-cbsa (all US counties, ACS 2016-2020 "
        "flows, 2023 county adjacency with water; compared with the July 2023 CBSAs and CSAs).",
    ),
    out: Path = typer.Option(..., "--out", help="Output directory."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show progress bars."),
) -> None:
    """Find groups: membership.csv, groups.csv, run.json (+ history.csv, groups.gpkg) in --out."""
    import pandas as pd

    from metrocircle.groups import METHODS, find_groups, parse_params
    from metrocircle.model import io
    from metrocircle.model.output import OutputDir

    if method not in METHODS:
        raise ParameterError(
            f"Unknown group method {method!r}. Choose one of: {', '.join(METHODS)}."
        )
    params = parse_params(method, parse_param_pairs(param))
    if example is not None:
        if flows is not None or units is not None or adjacency is not None:
            raise ParameterError(
                "Give either --example or your own --flows/--units/--adjacency, not both."
            )
        if example not in EXAMPLES:
            raise ParameterError(
                f"Unknown example {example!r}. Choose one of: {', '.join(EXAMPLES)}."
            )
        from metrocircle.datasets import us_cbsa

        files = us_cbsa.files()
        inputs: dict[str, Path | None] = {
            name: Path(files[name]) for name in ("flows", "units", "adjacency")
        }
    else:
        if flows is None:
            raise ParameterError("Give --flows FILE (or --example NAME).")
        inputs = {"flows": flows, "units": units, "adjacency": adjacency}
    # The output folder is checked before any work (never replacing an input or mixing runs).
    output = OutputDir(out, inputs=inputs, command=f"groups {method}")
    if example is not None:
        flows_df = us_cbsa.load_flows()
        units_df = us_cbsa.load_units()
        adjacency_df = us_cbsa.load_adjacency()
        external = [*external, *us_cbsa.EXTERNAL_CODES]
    else:
        reader = ReadAll()
        units_df, flows_df, universe = reader.units_and_flows(
            units, flows, units_id_col=units_id_col, origin_col=origin_col,
            destination_col=destination_col, value_col=value_col, external=external)  # fmt: skip
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
            external=external,
            progress=callback,
        )
    elapsed = time.perf_counter() - started
    comparison = _compare_with_official(result.membership) if example == "us-cbsa" else None
    with output as od:
        written = _write(od, result, units_df)
        od.record(
            method=method,
            example=example,
            info=result.info,
            compute_seconds=round(elapsed, 3),
            **({"official_comparison": comparison} if comparison else {}),
        )
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
    islands = info.get("units_without_neighbours") or []
    if islands:
        typer.echo(
            f"{len(islands)} unit(s) without any neighbour in the adjacency, each a group of its "
            f"own: {', '.join(islands[:10])}{' ...' if len(islands) > 10 else ''}"
        )
    if comparison:
        for name, c in comparison.items():
            typer.echo(
                f"against the official {name}: adjusted Rand index {c['ari']:.3f} over the "
                f"{c['n_units']} counties in one ({c['n_reference']} {name}s)"
            )
    typer.echo(f"wrote {', '.join(p.name for p in written)}, run.json to {out}")


def _write(od: Any, result: Any, units_df: Any) -> list[Path]:
    """Every file of the run, in one place."""
    written = [
        od.write_table(result.membership, "membership.csv"),
        od.write_table(result.groups, "groups.csv"),
    ]
    if result.history is not None:
        written.append(od.write_table(result.history, "history.csv"))
    if units_df is not None and "geometry" in units_df.columns and hasattr(units_df, "crs"):
        from metrocircle.model.geo import attach_geometry

        geo = attach_geometry(result.membership, units_df)
        written.append(od.write_table(geo, "groups.gpkg", layer="membership"))
        dissolved = geo[["group", "geometry"]].dissolve(by="group").reset_index()
        od.write_table(dissolved.merge(result.groups, on="group"), "groups.gpkg", layer="groups")
    return written


def _compare_with_official(membership: Any) -> dict[str, dict[str, Any]]:
    """Adjusted Rand index against the July 2023 CBSAs and CSAs, over the counties in them."""
    from metrocircle.datasets import us_cbsa
    from metrocircle.groups import agreement

    official = us_cbsa.load_official()
    return {
        "CBSA": agreement(membership, official, reference_col="area_id"),
        "CSA": agreement(membership, official, reference_col="csa_code"),
    }


def register(app: typer.Typer) -> None:
    app.command("groups")(groups_command)
