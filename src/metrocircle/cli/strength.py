"""``metrocircle strength``: gravity, flow layers, fused index, membership, centrality."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer

from metrocircle.exceptions import InputError, ParameterError, Problem

EXAMPLES = ("chongqing",)


def _pairs(items: list[str] | None, option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    bad: list[str] = []
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            bad.append(item)
        elif name.strip() in out:
            bad.append(f"{item} (repeated name)")
        else:
            out[name.strip()] = value.strip()
    if bad:
        raise ParameterError(
            f"{option} takes NAME=VALUE; could not read: " + ", ".join(repr(b) for b in bad)
        )
    return out


def _read_raw(path: Path):  # noqa: ANN202 - DataFrame
    from metrocircle.model.io import read_table

    df, _ = read_table(path)
    if "geometry" in df.columns:
        import pandas as pd

        df = pd.DataFrame(df.drop(columns="geometry"))
    return df


def _read_units_raw(path: Path, id_col: str):  # noqa: ANN202 - DataFrame
    df = _read_raw(path)
    if id_col != "unit_id":
        if id_col not in df.columns:
            have = ", ".join(map(str, df.columns))
            raise InputError(
                [Problem(path.name, f"column {id_col!r} (--units-id-col) not found; has: {have}")]
            )
        df = df.drop(columns=[c for c in ["unit_id"] if c in df.columns]).rename(
            columns={id_col: "unit_id"}
        )
    return df


def _unit_codes(units_df) -> list[str] | None:  # noqa: ANN001
    from metrocircle.model.validation import as_codes

    if "unit_id" not in units_df.columns:
        return None
    return sorted(set(as_codes(units_df["unit_id"]).dropna()) - {""})


def _read_ahp(path: Path):  # noqa: ANN202 - DataFrame
    """An AHP matrix file: header row and first column are the layer names."""
    import pandas as pd

    from metrocircle.model.io import read_table

    df, _ = read_table(path)
    if df.shape[1] < 2:
        raise InputError(
            [Problem(path.name, "an AHP matrix needs a name column and one column per layer")]
        )
    names = df.iloc[:, 0].astype(str).str.strip()
    body = df.iloc[:, 1:].apply(lambda c: pd.to_numeric(c, errors="coerce"))
    if body.isna().any().any():
        raise InputError([Problem(path.name, "the AHP matrix has empty or non-numeric cells")])
    body.index = pd.Index(names)
    body.columns = [str(c).strip() for c in body.columns]
    return body


def strength_command(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="Output directory."),
    example: str | None = typer.Option(
        None, "--example", help=f"Run on data shipped with the package: {', '.join(EXAMPLES)}."
    ),
    units: Path | None = typer.Option(None, "--units", help="Units table (unit_id + masses)."),
    units_id_col: str = typer.Option("unit_id", "--units-id-col", help="Unit code column."),
    travel_times: Path | None = typer.Option(
        None, "--travel-times", help="origin,destination,minutes (e.g. from 'metrocircle access')."
    ),
    flows: list[str] = typer.Option(
        [], "--flows", help="A flow layer NAME=FILE (origin,destination,value); repeatable."
    ),
    origin_col: str = typer.Option("origin", "--origin-col", help="Origin column of --flows."),
    destination_col: str = typer.Option(
        "destination", "--destination-col", help="Destination column of --flows."),
    value_col: str = typer.Option("value", "--value-col", help="Value column of --flows."),
    cores: Path | None = typer.Option(None, "--cores", help="Cores: unit_id,area_id."),
    mass: list[str] = typer.Option(
        [], "--mass", help="Mass column of --units, repeatable (default: population, gdp)."
    ),
    direction_mass: str | None = typer.Option(
        None, "--direction-mass", help="Column of k_ij = G_i/(G_i+G_j) (default: last --mass)."
    ),
    b: float = typer.Option(2.0, "--b", help="Distance-decay exponent of the gravity model."),
    directional: bool = typer.Option(
        True, "--directional/--symmetric", help="Directional k_ij (default) or symmetric gravity."
    ),
    on_missing: str = typer.Option(
        "error", "--on-missing", help="A unit without a mass: 'error' or 'drop' (listed)."
    ),
    normalise: str = typer.Option("total", "--normalise", help="total, row or minmax."),
    weights: str = typer.Option("entropy", "--weights", help="entropy, ahp, combined or user."),
    weight: list[str] = typer.Option(
        [], "--weight", help="User weight NAME=W per layer (with --weights user); repeatable."
    ),
    ahp_matrix: Path | None = typer.Option(
        None, "--ahp-matrix", help="CSV: first column and header are the layer names."
    ),
    alpha: float = typer.Option(0.5, "--alpha", help="AHP share in --weights combined."),
    epsilon: float = typer.Option(0.0, "--epsilon", help="Entropy-method shift for zeros."),
    allow_inconsistent: bool = typer.Option(
        False, "--allow-inconsistent", help="Accept an AHP matrix with CR >= 0.10."
    ),
    strong: float = typer.Option(
        0.6, "--strong", help="First-contact share from which a flow is strong."
    ),
    weak: float = typer.Option(0.3, "--weak", help="First-contact share up to which it is weak."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show progress bars."),
) -> None:
    """Connection strength: links.csv, weights.json, membership.csv, centrality.csv,
    first_contact_<layer>.csv per flow layer, run.json. With --example chongqing the units,
    travel times, cores and flow layers are those of the shipped project that 'metrocircle
    demo' runs, and options not given take the values of its gravity layer and strength
    step."""
    import pandas as pd

    from metrocircle import strength as st
    from metrocircle.cli._common import ReadAll, progress_bar
    from metrocircle.model import io

    inputs: dict[str, Any] = {}
    notes: list[str] = []
    layers: dict[str, pd.DataFrame] = {}
    flow_files = _pairs(flows, "--flows")
    from metrocircle.model.output import OutputDir, safe_name

    bad_names = []
    for name in flow_files:  # layer names become file names (first_contact_<layer>.csv)
        try:
            safe_name(name, what="layer name")
        except ParameterError as err:
            bad_names.append(str(err))
    if bad_names:
        raise ParameterError(" ".join(bad_names))
    output = OutputDir(out, command="strength", inputs={
        "units": units, "travel_times": travel_times, "cores": cores,
        "ahp_matrix": ahp_matrix, **{f"flows_{k}": Path(v) for k, v in flow_files.items()}})
    user_weights = {k: v for k, v in _pairs(weight, "--weight").items()}
    if weights != "user" and user_weights:
        raise ParameterError("--weight NAME=W is used with --weights user only.")
    mass_cols: tuple[str, ...] = tuple(mass)
    started = time.perf_counter()
    reader = ReadAll()
    attempt = reader.attempt

    with progress_bar(progress) as callback:
        if example is not None:
            if example not in EXAMPLES:
                raise ParameterError(
                    f"The 'example' parameter of strength must be one of {EXAMPLES}. "
                    f"Got {example!r}."
                )
            if units is not None or travel_times is not None:
                raise ParameterError("Give either --example or --units/--travel-times, not both.")
            if flow_files:
                raise ParameterError("--flows cannot be combined with --example.")
            from metrocircle.cli._common import example_run, given

            res = example_run(example, ["layers", "access"], callback)
            project = res.project
            units_df = res.inputs.units()
            tt_df = res.table("access", "travel_times")
            step = project.step("strength")
            layer_names = list(step["layers"])
            grav = next((n for n in layer_names if project.layers[n].get("model") == "gravity"),
                        None)
            gparams = project.layers[grav].get("params", {}) if grav else {}
            if not mass_cols:
                mass_cols = tuple(gparams.get("mass", ["population"]))
            if not given(ctx, "b"):
                b = float(gparams.get("b", b))
            if not given(ctx, "directional"):
                directional = bool(gparams.get("directional", directional))
            if direction_mass is None:
                direction_mass = gparams.get("direction_mass")
            if not given(ctx, "normalise"):
                normalise = step["normalise"]
            if not given(ctx, "weights") and isinstance(step["weights"], str):
                weights = step["weights"]
            if not given(ctx, "epsilon"):
                epsilon = float(step["epsilon"])
            if not given(ctx, "strong"):
                strong = float(step["strong"])
            if not given(ctx, "weak"):
                weak = float(step["weak"])
            # the gravity layer: the project's, or one asked for with the gravity options
            with_gravity = grav is not None or any(
                given(ctx, o) for o in ("mass", "b", "direction_mass", "directional",
                                        "on_missing"))
            notes.append(
                "units, travel times, cores and layers: the shipped Chongqing project "
                "(metrocircle demo); travel times from metrocircle.access (2019 rail "
                "timetable, real; roads and station access modelled)")
            if with_gravity:
                gdp_units = int(units_df["gdp"].notna().sum()) \
                    if "gdp" in units_df.columns else 0
                notes.append(
                    f"gravity layer (modelled), mass = {', '.join(mass_cols)} (2020 census, "
                    f"real): gdp is filled for {gdp_units} of {len(units_df)} units; no GDP "
                    "is imputed: --mass population --mass gdp lists the units without it "
                    "(an error)")
            for name in layer_names:
                if name == grav:
                    continue  # the gravity layer is computed below with the options above
                layers[name] = res.table("layers", name)
                lab = res.steps["layers"].info["layers"][name]
                notes.append(f"layer {name}: {lab['kind']}, {lab['source']}: {lab['note']}")
            cores_df = res.inputs.unit_set("cores")
            if cores is not None:
                cores_df = attempt(io.read_cores, cores, universe=list(units_df["unit_id"]))
            inputs = {"example": example}
        else:
            if units is None and not flow_files:
                raise ParameterError(
                    "Give --units with --travel-times (gravity) and/or --flows NAME=FILE "
                    "(or --example chongqing)."
                )
            if (units is None) != (travel_times is None):
                raise ParameterError("The gravity layer needs both --units and --travel-times.")
            # units and travel times are read as they are and checked by gravity(), which
            # reports the masses, codes and minutes of both files in one error
            units_df = attempt(_read_units_raw, units, units_id_col) if units else None
            universe = _unit_codes(units_df) if units_df is not None else None
            tt_df = attempt(_read_raw, travel_times) if travel_times else None
            for name, f in flow_files.items():
                df = attempt(io.read_flows, Path(f), universe=universe, origin_col=origin_col,
                             destination_col=destination_col, value_col=value_col)
                if df is not None:
                    layers[name] = df
            if universe is None and layers:
                universe = sorted(
                    set().union(
                        *(set(t["origin"]) | set(t["destination"]) for t in layers.values())
                    )
                )
            cores_df = attempt(io.read_cores, cores, universe=universe) if cores else None
            if not mass_cols:
                mass_cols = ("population", "gdp")
            input_files = [
                ("units", units),
                ("travel_times", travel_times),
                ("cores", cores),
                *[(f"flows:{k}", Path(v)) for k, v in flow_files.items()],
            ]
        if "gravity" in layers:
            raise ParameterError("The layer name 'gravity' is taken by the gravity model.")
        grav_info = None
        if example is None:
            with_gravity = units_df is not None and tt_df is not None
        if with_gravity and units_df is not None and tt_df is not None:
            callback("gravity", 0.0)
            grav = attempt(
                st.gravity,
                units_df,
                tt_df,
                mass=list(mass_cols),
                direction_mass=direction_mass,
                b=b,
                directional=directional,
                on_missing=on_missing,
                progress=callback,
            )
            if grav is not None:
                grav_info = grav.attrs.get("info")
                layers = {"gravity": grav, **layers}
        reader.raise_if_any()
        if example is None:  # every file was read: record where from and its checksum
            inputs = {
                name: {"path": str(p), "sha256": io.file_checksum(p)}
                for name, p in input_files
                if p is not None
            }
        dropped = set((grav_info or {}).get("dropped_units", []))
        if dropped:
            # a unit left out of the gravity layer is left out of every layer, so that the
            # fused index compares the same pairs; the rows removed are counted in run.json
            removed: dict[str, int] = {}
            for name in list(layers):
                if name == "gravity":
                    continue
                t = layers[name]
                keep = ~(t["origin"].isin(dropped) | t["destination"].isin(dropped))
                removed[name] = int((~keep).sum())
                layers[name] = t[keep.to_numpy()].reset_index(drop=True)
            notes.append(
                f"{len(dropped)} unit(s) without a mass left out of every layer "
                f"(rows removed per layer: {removed})"
            )
            if cores_df is not None:
                gone = sorted(set(cores_df["unit_id"]) & dropped)
                if gone:
                    raise InputError(
                        [
                            Problem(
                                "cores",
                                "core unit(s) without a mass cannot be dropped (on_missing="
                                "'drop'); fill their masses or give --cores without them",
                                gone,
                            )
                        ]
                    )
        ahp = _read_ahp(ahp_matrix) if ahp_matrix is not None else None
        if weights == "user":
            wspec: Any = {k: _float(v, k) for k, v in user_weights.items()}
        else:
            wspec = weights
        callback("fusion", 0.0)
        fused = st.fuse(
            layers,
            normalise=normalise,
            weights=wspec,
            ahp_matrix=ahp,
            alpha=alpha,
            epsilon=epsilon,
            allow_inconsistent=allow_inconsistent,
        )
        callback("fusion", 1.0)
        all_units = None
        if units_df is not None:
            all_units = [u for u in _unit_codes(units_df) or [] if u not in dropped]
        callback("centrality", 0.0)
        cent = st.centrality(fused.links, units=all_units)
        callback("centrality", 1.0)
        memb = st.membership(fused.links, cores_df) if cores_df is not None else None
        # first-contact flows of every observed layer (not of the gravity model)
        first = {
            name: st.dominant_flows(t, strong=strong, weak=weak)
            for name, t in layers.items()
            if name != "gravity"
        }
    elapsed = time.perf_counter() - started

    written = []
    with output as od:
        od.write_table(fused.links, "links.csv")
        written.append("links.csv")
        od.write_json(
            {
                "weights": fused.weights,
                "normalise": fused.info["normalise"],
                "method": fused.info["weights_method"],
                **{k: fused.info[k] for k in ("entropy", "ahp", "alpha") if k in fused.info},
            },
            "weights.json",
        )
        written.append("weights.json")
        if memb is not None:
            od.write_table(memb, "membership.csv")
            written.append("membership.csv")
        od.write_table(cent.units, "centrality.csv")
        written.append("centrality.csv")
        first_info = {}
        for name, table in first.items():
            fname = f"first_contact_{safe_name(name, what='layer name')}.csv"
            od.write_table(table, fname)
            written.append(fname)
            first_info[name] = {
                "units": int(len(table)),
                "classes": {k: int(v) for k, v in table["strength_class"].value_counts().items()},
                "partner_pairs": int(table["reciprocal"].sum() // 2),
                "relation_rule": "partner: each other's first contact; dependent: one-way",
                "strong": strong,
                "weak": weak,
            }
        run = {
            **({"example": inputs["example"]} if "example" in inputs else {}),
            "parameters": {
                "mass": list(mass_cols),
                "direction_mass": direction_mass,
                "b": b,
                "directional": directional,
                "on_missing": on_missing,
                "normalise": normalise,
                "weights": weights,
                "user_weights": user_weights or None,
                "alpha": alpha,
                "epsilon": epsilon,
                "allow_inconsistent": allow_inconsistent,
            },
            "notes": notes,
            "gravity": grav_info,
            "fusion": fused.info,
            "centrality": cent.info,
            "first_contact": first_info,
            "compute_seconds": round(elapsed, 3),
            "outputs": written + ["run.json"],
        }
        od.record(**run)
    typer.echo(
        f"strength: {fused.info['pairs']} pairs, layers "
        + ", ".join(f"{k} (w={v:.3f})" for k, v in fused.weights.items())
    )
    for note in notes:
        typer.echo(f"note: {note}")
    if memb is not None:
        top = memb.dropna(subset=["top_share"]).sort_values("top_share", ascending=False)
        typer.echo(
            f"membership: {len(memb)} units; highest top_share {top['top_share'].iloc[0]:.3f}"
            if len(top)
            else "membership: no unit has links"
        )
    typer.echo(f"wrote {', '.join(written + ['run.json'])} to {out}")


def _float(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError as err:
        raise ParameterError(f"--weight {name}= must be a number. Got {text!r}.") from err


def register(app: typer.Typer) -> None:
    """Add the ``strength`` command to the metrocircle app."""
    app.command("strength")(strength_command)
