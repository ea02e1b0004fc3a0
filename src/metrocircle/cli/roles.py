"""``metrocircle roles``: indicators, role of every unit with its reason, polycentricity."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer

from metrocircle.exceptions import InputError, ParameterError, Problem

EXAMPLES = ("chongqing",)
#: Zoning groups of the Chongqing example in the scope of the 2022 plan (21 + 6 units).


def _read_area(path: Path, universe: list[str] | None):  # noqa: ANN202 - DataFrame
    """A delineation's membership table: ``unit_id, area_id[, status]``, read and checked by
    the model's reader (blank and repeated codes, codes outside the study, by line)."""
    import pandas as pd

    from metrocircle.model.io import read_membership

    out = read_membership(path, universe=universe)
    if "status" not in out.columns:
        out["status"] = pd.NA
    return out[["unit_id", "area_id", "status"]]


def _read_strength(path: Path, universe: list[str] | None):  # noqa: ANN202 - DataFrame
    """A link table with a ``value`` or a ``strength`` column."""
    from metrocircle.model.io import read_flows, read_table

    df, _ = read_table(path, source=path.name)
    col = "strength" if "strength" in df.columns and "value" not in df.columns else "value"
    return read_flows(path, value_col=col, universe=universe)


def roles_command(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="Output directory."),
    example: str | None = typer.Option(
        None, "--example", help=f"Run on data shipped with the package: {', '.join(EXAMPLES)}."
    ),
    flows: Path | None = typer.Option(
        None, "--flows", help="Commuting flows origin,destination,value (with the diagonal)."
    ),
    origin_col: str = typer.Option("origin", "--origin-col", help="Origin column of --flows."),
    destination_col: str = typer.Option(
        "destination", "--destination-col", help="Destination column of --flows."),
    value_col: str = typer.Option("value", "--value-col", help="Value column of --flows."),
    units: Path | None = typer.Option(None, "--units", help="Units table (unit_id + attributes)."),
    units_id_col: str = typer.Option("unit_id", "--units-id-col", help="Unit code column."),
    admin_col: str | None = typer.Option(
        None, "--admin-col", help="Column of --units (e.g. province) marking cross-border units."
    ),
    size_col: str | None = typer.Option(
        None, "--size-col", help="Column of --units for morphological polycentricity "
        "(default: jobs from the flows)."
    ),
    cores: Path | None = typer.Option(None, "--cores", help="Core C: unit_id,area_id."),
    second_core: Path | None = typer.Option(
        None, "--second-core", help="Second metropolitan core A: unit_id,area_id."
    ),
    travel_times: Path | None = typer.Option(
        None, "--travel-times", help="origin,destination,minutes."
    ),
    strength: Path | None = typer.Option(
        None, "--strength", help="Link table origin,destination,value|strength (e.g. links.csv "
        "of 'metrocircle strength') for the membership degrees; default: the flows."
    ),
    membership: Path | None = typer.Option(
        None, "--membership", help="A delineation's membership.csv: classify its area only."
    ),
    policy: Path | None = typer.Option(
        None, "--policy", help="Policy overlay unit_id,role,reason (overrides, recorded)."
    ),
    param: list[str] = typer.Option(
        [], "--param", help="Rule parameter NAME=VALUE, repeatable (see docs/roles.md)."
    ),
    centrality: str = typer.Option("pagerank", "--centrality", help="pagerank or in_strength."),
    users: int | None = typer.Option(
        None, "--users", help="--example: simulated people; sets the project's "
        "steps.signaling.simulate.users (30000)."
    ),
    random_state: int | None = typer.Option(
        None, "--random-state", help="--example: seed; sets the project's "
        "steps.signaling.simulate.random_state (2026)."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show progress bars."),
) -> None:
    """Roles of the units: roles.csv, conditions.csv, indicators.csv, quadrants.csv,
    polycentricity.json, run.json. With --example chongqing the flows, strength, delineated
    area, cores and travel times are those of the shipped project that 'metrocircle demo'
    runs, and options not given take the values of its roles step."""
    import pandas as pd

    from metrocircle import structure as R
    from metrocircle.cli._common import ReadAll, parse_param_pairs, progress_bar
    from metrocircle.model import io
    from metrocircle.model.output import OutputDir

    output = OutputDir(out, inputs={"flows": flows, "units": units, "cores": cores,
                                    "second_core": second_core, "travel_times": travel_times,
                                    "membership": membership, "policy": policy,
                                    "strength": strength}, command="roles")
    rules = R.parse_rules(parse_param_pairs(param))
    if centrality not in ("pagerank", "in_strength"):
        raise ParameterError(
            f"The 'centrality' parameter of roles must be one of ('pagerank', 'in_strength'). "
            f"Got {centrality!r}."
        )
    notes: list[str] = []
    inputs: dict[str, Any] = {}
    started = time.perf_counter()
    reader = ReadAll()
    attempt = reader.attempt
    area_codes: list[str] | None = None
    sizes = None
    with progress_bar(progress) as callback:
        if example is not None:
            if example not in EXAMPLES:
                raise ParameterError(
                    f"The 'example' parameter of roles must be one of {EXAMPLES}. "
                    f"Got {example!r}."
                )
            combined = [n for n, v in (("--flows", flows), ("--units", units),
                                       ("--cores", cores), ("--second-core", second_core),
                                       ("--travel-times", travel_times),
                                       ("--membership", membership),
                                       ("--strength", strength)) if v is not None]
            if combined:
                raise ParameterError(
                    f"--example cannot be combined with {', '.join(combined)}.")
            from metrocircle.cli._common import example_run
            from metrocircle.cli._common import given as option_given

            overrides: dict[str, Any] = {}
            if users is not None:
                overrides["steps.signaling.simulate.users"] = users
            if random_state is not None:
                overrides["steps.signaling.simulate.random_state"] = random_state
            res = example_run(example, ["delineation", "strength", "access", "layers"],
                              callback, overrides)
            import tempfile

            from metrocircle.project.steps import Roles

            with tempfile.TemporaryDirectory() as tmp:
                args = Roles.arguments(res.context("roles", Path(tmp)))
            step = res.project.step("roles")
            flows_df, cores_df, second_df = args["flows"], args["cores"], args["second_core"]
            tt_df, units_df, strength_df = args["travel_times"], args["units"], args["strength"]
            area_codes = args["restrict_to"]
            admin_col = admin_col or args["admin_col"]
            sizes = args["sizes"]
            if size_col is not None:
                if size_col not in units_df.columns:
                    raise InputError([Problem("units", f"--size-col {size_col!r} not found")])
                sizes = pd.to_numeric(units_df.set_index("unit_id")[size_col], errors="coerce")
            if not option_given(ctx, "centrality"):
                centrality = step["centrality"]
            rules = {**(step.get("params") or {}), **rules}
            sim = res.project.step("signaling")["simulate"]
            flows_label = res.steps["layers"].info["layers"][step["flows"]]
            inputs = {"example": example, "project": "chongqing (metrocircle demo)",
                      "users": sim["users"], "random_state": sim["random_state"],
                      "area": args["area"]}
            notes += [
                f"flows: layer {step['flows']} of the shipped project, "
                f"{flows_label['source'].upper()}: "
                f"{flows_label['note']} ({sim['users']:,} simulated people, seed "
                f"{sim['random_state']})",
                f"membership degrees: layer {step.get('strength') or step['flows']} (the fused "
                "index of the project's strength step)",
                "travel times: metrocircle.access on the shipped example (2019 rail timetable, "
                "real; roads modelled)",
                f"core C = the project's cores; second core A = "
                f"{', '.join(second_df['unit_id']) if second_df is not None else 'none'}; "
                f"admin attribute = {admin_col}",
                f"classified units = the {len(area_codes)} units of the delineated area "
                f"{args['area']!r} (the project's delineation); flows, first contacts and "
                "memberships use all units",
            ]
        else:
            if flows is None or cores is None:
                raise ParameterError("Give --flows FILE and --cores FILE (or --example chongqing).")
            units_df = attempt(io.read_units, units, id_col=units_id_col) if units else None
            universe = list(units_df["unit_id"]) if units_df is not None else None
            flows_df = attempt(io.read_flows, flows, universe=universe, origin_col=origin_col,
                               destination_col=destination_col, value_col=value_col)
            if universe is None and flows_df is not None:
                universe = sorted(set(flows_df["origin"]) | set(flows_df["destination"]))
            cores_df = attempt(io.read_cores, cores, universe=universe)
            second_df = (attempt(io.read_cores, second_core, universe=universe)
                         if second_core else None)
            tt_df = (attempt(io.read_travel_times, travel_times, universe=universe)
                     if travel_times else None)
            area_df = attempt(_read_area, membership, universe) if membership else None
            strength_df = attempt(_read_strength, strength, universe) if strength else None
            policy_df = attempt(R.read_policy, policy) if policy else None
            reader.raise_if_any()
            if units_df is not None:
                if admin_col is not None and admin_col not in units_df.columns:
                    raise InputError([Problem(units.name if units else "units",
                                              f"--admin-col {admin_col!r} not found")])
                if size_col is not None:
                    if size_col not in units_df.columns:
                        raise InputError([Problem(units.name if units else "units",
                                                  f"--size-col {size_col!r} not found")])
                    sizes = pd.to_numeric(
                        units_df.set_index("unit_id")[size_col], errors="coerce")
            elif admin_col is not None or size_col is not None:
                raise ParameterError("--admin-col and --size-col read columns of --units.")
            if area_df is not None:
                area_codes, note = _area(area_df, cores_df)
                notes.append(note)
            inputs = {name: {"path": str(p), "sha256": io.file_checksum(p)}
                      for name, p in (("flows", flows), ("units", units), ("cores", cores),
                                      ("second_core", second_core),
                                      ("travel_times", travel_times),
                                      ("membership", membership), ("policy", policy),
                                      ("strength", strength))
                      if p is not None}
        if example is not None:
            policy_df = attempt(R.read_policy, policy) if policy else None
            reader.raise_if_any()
        callback("indicators", 0.0)
        ind = R.indicators(flows_df, cores=cores_df, second_core=second_df,
                           travel_times=tt_df, units=units_df, admin_col=admin_col,
                           strength=strength_df,
                           centrality=centrality, restrict_to=area_codes)
        callback("indicators", 1.0)
        res = R.classify(ind, rules=rules, policy=policy_df)
        quad = R.quadrants(ind)
        # polycentricity of the classified units, the core units merged into one centre
        core_units = set(cores_df["unit_id"])
        centres = {u: ("core" if u in core_units else u) for u in ind["unit_id"]}
        poly = R.polycentricity(flows_df, centres=centres,
                                sizes=None if sizes is None else sizes.dropna())
        poly["centres_rule"] = ("every classified unit is a centre; the core units are merged "
                                "into one centre 'core'")
    elapsed = time.perf_counter() - started

    if units_df is not None:  # the units' names next to their codes, for reading
        names = [c for c in ("name", "name_en", "name_zh") if c in units_df.columns]
        if names:
            label = units_df[["unit_id", *names]].drop_duplicates("unit_id")
            res.roles = res.roles.merge(label, on="unit_id", how="left")
            res.roles = res.roles[["unit_id", *names,
                                   *[c for c in res.roles.columns
                                     if c not in ("unit_id", *names)]]]
    written = []
    with output as od:
        for name, table in (("roles.csv", res.roles), ("conditions.csv", res.conditions),
                            ("indicators.csv", ind), ("quadrants.csv", quad)):
            od.write_table(table, name)
            written.append(name)
        od.write_json(poly, "polycentricity.json")
        written.append("polycentricity.json")
        od.record(
            **({"example": inputs} if example else {}),
            parameters={**res.params, "centrality": centrality, "admin_col": admin_col,
                        "size_col": size_col},
            flows_basis=("modelled (simulated signaling, the shipped project's commuting "
                         "layer)" if example else "given file"),
            notes=notes,
            indicators=ind.attrs.get("info", {}),
            classification=res.info,
            compute_seconds=round(elapsed, 3),
            outputs=[*written, "run.json"],
        )
    counts = ", ".join(f"{n} {r}" for r, n in res.info["roles"].items())
    typer.echo(f"roles: {len(res.roles)} units: {counts}")
    for note in notes:
        typer.echo(f"note: {note}")
    typer.echo(f"wrote {', '.join(written + ['run.json'])} to {out}")


def _area(area_df, cores_df) -> tuple[list[str], str]:  # noqa: ANN001
    """Units of the delineated area that holds the cores (status other than 'outside')."""
    placed = area_df[area_df["area_id"].notna() & area_df["area_id"].ne("")]
    if "status" in placed.columns:
        placed = placed[placed["status"].fillna("").ne("outside")]
    core_areas = placed.loc[placed["unit_id"].isin(cores_df["unit_id"]), "area_id"]
    if core_areas.empty:
        raise InputError([Problem("membership", "no core unit is in a delineated area")])
    area = core_areas.mode().iloc[0]
    codes = placed.loc[placed["area_id"] == area, "unit_id"].tolist()
    others = len(area_df) - len(codes)
    return codes, (f"classified units = the {len(codes)} units of area {area!r} in the "
                   f"membership file ({others} other rows left out)")


def register(app: typer.Typer) -> None:
    """Add the ``roles`` command to the metrocircle app."""
    app.command("roles")(roles_command)
