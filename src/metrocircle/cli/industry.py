"""``metrocircle industry``: location quotients, structure similarity, Krugman, localisation,
specialisations, collaboration of pairs of units, optional Ellison-Glaeser and colocation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer import Option as Opt

from metrocircle.exceptions import ParameterError, Problems


def _reference_rows(matrix_rows: Any, codes: list[str], unit_col: str) -> tuple[Any, Any]:
    """Split the rows whose unit is in ``codes`` off the table (they are the reference)."""
    ids = matrix_rows[unit_col].astype("string").str.strip()
    is_ref = ids.isin(codes).to_numpy(dtype=bool)
    missing = [c for c in codes if c not in set(ids.dropna())]
    if missing:
        p = Problems()
        p.add("table", "--reference-units not found in the table", missing)
        p.raise_if_any()
    return matrix_rows[~is_ref], matrix_rows[is_ref]


def _point_rows(points: Any, index: Any) -> Any:
    """CSV line of each point (header = line 1), from its position in the table."""
    import numpy as np

    return np.asarray(points.index.get_indexer(index)) + 2


def industry(
    ctx: typer.Context,
    out: Annotated[Path, Opt("--out", help="Output folder (created if missing).")],
    table: Annotated[
        Path | None, Opt("--table", help="Activity table: long (unit, industry, value) or wide.")
    ] = None,
    example: Annotated[
        str | None, Opt("--example", help="Run on shipped data: 'chongqing' (2020 census).")
    ] = None,
    unit_col: Annotated[str, Opt("--unit-col", help="Unit code column.")] = "unit_id",
    industry_col: Annotated[
        str, Opt("--industry-col", help="Industry column (long).")
    ] = "industry",
    value_col: Annotated[str, Opt("--value-col", help="Value column (long).")] = "value",
    industries: Annotated[
        str | None,
        Opt("--industries", help="Wide tables: industry columns or patterns, e.g. 'ind_[A-T]_*'."),
    ] = None,
    blank_as_zero: Annotated[
        bool, Opt("--blank-as-zero", help="Blank cells mean no activity (counted in run.json).")
    ] = False,
    measure: Annotated[
        str | None, Opt("--measure", help="What the values count (written to run.json).")
    ] = None,
    reference_units: Annotated[
        str | None,
        Opt(
            "--reference-units",
            help="Rows of the table that are the reference region "
            "(comma-separated codes, e.g. a province row); default: pool the units.",
        ),
    ] = None,
    units: Annotated[
        Path | None,
        Opt("--units", help="Units (unit_id; optional name, group): the units to expect."),
    ] = None,
    group_col: Annotated[
        str | None, Opt("--group-col", help="Column of --units with a group (province...).")
    ] = None,
    cross_group_only: Annotated[
        bool, Opt("--cross-group-only", help="Collaboration: only pairs across groups.")
    ] = False,
    threshold: Annotated[float, Opt("--threshold", help="Specialised: LQ above this.")] = 1.0,
    min_size: Annotated[float, Opt("--min-size", help="Floor on the value E_ik.")] = 0.0,
    min_share: Annotated[float, Opt("--min-share", help="Floor on E_ik / E_i.")] = 0.0,
    min_industry_share: Annotated[
        float, Opt("--min-industry-share", help="Floor on E_ik / sum_i E_ik.")
    ] = 0.0,
    firms: Annotated[
        Path | None,
        Opt("--firms", help="Plants (industry, value) for the Ellison-Glaeser index."),
    ] = None,
    firm_industry_col: Annotated[str, Opt("--firm-industry-col")] = "industry",
    firm_value_col: Annotated[str, Opt("--firm-value-col")] = "value",
    points: Annotated[
        Path | None, Opt("--points", help="Firm points (label; lon, lat or x, y) for colocation.")
    ] = None,
    pair: Annotated[
        list[str] | None, Opt("--pair", help="Colocation A:B (repeatable; needs --points).")
    ] = None,
    label_col: Annotated[str, Opt("--label-col", help="Category column of --points.")] = "label",
    k: Annotated[int, Opt("--k", help="Colocation neighbours.")] = 8,
    permutations: Annotated[int, Opt("--permutations", help="Colocation permutations.")] = 99,
    seed: Annotated[int, Opt("--seed", help="Seed of the permutations.")] = 0,
    progress: Annotated[bool, Opt("--progress/--no-progress", help="Show progress.")] = True,
) -> None:
    """Industrial structure of units and collaboration between them; writes lq.csv,
    similarity.csv, krugman.csv, localisation.csv, specialisations.csv, collaboration.csv and
    run.json (plus ellison_glaeser.csv with --firms, colocation*.csv with --points). With
    --example chongqing the table is that of the shipped project that 'metrocircle demo' runs,
    and options not given take the values of its industry step."""
    import pandas as pd

    from metrocircle.cli._common import given, progress_bar
    from metrocircle.industry import activity_matrix, colocation_quotient, plant_herfindahl
    from metrocircle.industry.run import analyse, write_outputs
    from metrocircle.model.io import file_checksum, read_table
    from metrocircle.model.output import OutputDir

    # every option is checked, and --out with it, before any file is read
    if example is not None:
        if example != "chongqing":
            raise ParameterError(
                f"The 'example' parameter of industry must be 'chongqing'. Got {example!r}."
            )
        if table is not None or units is not None:
            raise ParameterError(
                "The 'example' parameter of industry cannot be combined with --table or --units."
            )
    elif table is None:
        raise ParameterError(
            "The 'table' parameter of industry is required (or use --example chongqing)."
        )
    if group_col is not None and units is None:
        raise ParameterError("The 'group_col' parameter of industry needs --units.")
    pairs: list[tuple[str, str]] = []
    for item in pair or []:
        a, sep, b = item.partition(":")
        if not sep or not a.strip() or not b.strip():
            raise ParameterError(f"The 'pair' parameter of industry must be A:B. Got {item!r}.")
        pairs.append((a.strip(), b.strip()))
    if pairs and points is None:
        raise ParameterError("The 'pair' parameter of industry needs --points.")
    if points is not None and not pairs:
        raise ParameterError("The 'points' parameter of industry needs at least one --pair A:B.")
    output = OutputDir(out, command="industry", inputs={
        "table": table, "units": units, "firms": firms, "points": points})

    inputs: dict[str, Any] = {}
    names: dict[str, str] | None = None
    groups: pd.Series | None = None
    if example is not None:
        import tempfile

        from metrocircle.project import example_project
        from metrocircle.project.run import RunResult
        from metrocircle.project.steps import Industry

        project = example_project("chongqing")
        with tempfile.TemporaryDirectory() as tmp:
            act = Industry.activity(RunResult(project, {}).context("industry", Path(tmp)))
        step = project.step("industry")
        matrix, reference = act["table"], act["reference"]
        reference_name, measure = act["reference_name"], act["measure"]
        names, groups = act["names"], act["groups"]
        threshold = threshold if given(ctx, "threshold") else float(step["threshold"])
        min_size = min_size if given(ctx, "min_size") else float(step["min_size"])
        min_share = min_share if given(ctx, "min_share") else float(step["min_share"])
        min_industry_share = (min_industry_share if given(ctx, "min_industry_share")
                              else float(step["min_industry_share"]))
        cross_group_only = (cross_group_only if given(ctx, "cross_group_only")
                            else bool(step["cross_group_only"]))
        inputs["example"] = {"project": "chongqing (metrocircle demo)",
                             "census": str(project.resolve(project.input("census")["file"])),
                             "industries": step["industries"], **act["rows"],
                             "reference": reference_name}
    else:
        assert table is not None  # checked above
        raw, first_line = read_table(table)
        inputs["table"] = {"path": str(table), "sha256": file_checksum(table), "rows": len(raw)}
        # a column option given on the command line must name a column of the table (a
        # missing --value-col made the long table look wide: 'industry is not a number')
        absent = [f"--{opt.replace('_', '-')} {col!r}"
                  for opt, col in (("unit_col", unit_col), ("industry_col", industry_col),
                                   ("value_col", value_col))
                  if given(ctx, opt) and col not in raw.columns]
        if absent:
            p = Problems()
            p.add(table.name, f"{', '.join(absent)} not found; the table has: "
                              + ", ".join(map(str, raw.columns)))
            p.raise_if_any()
        reference = None
        reference_name = None
        if reference_units:
            codes = [c.strip() for c in reference_units.split(",") if c.strip()]
            if unit_col not in raw.columns:
                raise ParameterError(
                    f"The 'unit_col' parameter of industry names a column the table lacks: "
                    f"{unit_col!r}."
                )
            raw, ref_rows = _reference_rows(raw, codes, unit_col)
            ref_matrix = activity_matrix(
                ref_rows,
                unit_col=unit_col,
                industry_col=industry_col,
                value_col=value_col,
                industries=industries,
                missing="zero" if blank_as_zero else "error",
                source=f"{table.name} (reference rows)",
            )
            reference = ref_matrix.sum(axis=0)
            reference_name = "sum of the table's rows " + ", ".join(codes)
            inputs["reference_units"] = codes
        expected = None
        if units is not None:
            from metrocircle.model.io import read_units

            # the model's reader: a missing column, blank or repeated codes are one error
            uraw = read_units(units)
            inputs["units"] = {"path": str(units), "sha256": file_checksum(units)}
            ids = uraw["unit_id"].astype("string").str.strip()
            expected = ids.dropna().tolist()
            if "name" in uraw.columns:
                names = dict(zip(ids, uraw["name"].astype(str), strict=True))
            if group_col is not None:
                if group_col not in uraw.columns:
                    raise ParameterError(
                        f"The 'group_col' parameter of industry names a column --units lacks: "
                        f"{group_col!r}."
                    )
                groups = pd.Series(uraw[group_col].astype(str).to_numpy(), index=ids.to_numpy())
        matrix = activity_matrix(
            raw,
            unit_col=unit_col,
            industry_col=industry_col,
            value_col=value_col,
            industries=industries,
            units=expected,
            missing="zero" if blank_as_zero else "error",
            source=table.name,
            line_offset=first_line,
        )
    plants = None
    if firms is not None:
        fraw, _ = read_table(firms)
        inputs["firms"] = {"path": str(firms), "sha256": file_checksum(firms)}
        plants = plant_herfindahl(
            fraw, industry_col=firm_industry_col, value_col=firm_value_col, source=firms.name
        )

    with progress_bar(progress) as cb:
        result = analyse(
            matrix,
            reference=reference,
            threshold=threshold,
            min_size=min_size,
            min_share=min_share,
            min_industry_share=min_industry_share,
            groups=groups,
            cross_group_only=cross_group_only,
            plant_herfindahl=plants,
            names=names,
            reference_name=reference_name,
            progress=cb,
        )
        if points is not None:
            praw, _ = read_table(points)
            inputs["points"] = {"path": str(points), "sha256": file_checksum(points)}
            if "geometry" in praw.columns:
                praw = pd.DataFrame(praw.drop(columns="geometry"))
            glob, local = [], []
            for i, (a, b) in enumerate(pairs):
                cb(f"colocation {a}->{b}", i / len(pairs))
                res = colocation_quotient(
                    praw,
                    a,
                    b,
                    label_col=label_col,
                    k=k,
                    permutations=permutations,
                    random_state=seed,
                )
                glob.append(
                    {
                        "a": a,
                        "b": b,
                        "global_clq": res.global_clq,
                        "p_colocated": res.p_colocated,
                        "p_isolated": res.p_isolated,
                        "n_a": res.info["n_a"],
                        "n_b": res.info["n_b"],
                        "k": k,
                        "permutations": permutations,
                    }
                )
                loc = res.local.copy()
                loc.insert(0, "point_row", _point_rows(praw, loc.index))
                loc.insert(0, "b", b)
                loc.insert(0, "a", a)
                local.append(loc)
            result.tables["colocation"] = pd.DataFrame(glob)
            result.tables["colocation_local"] = pd.concat(local, ignore_index=True)
            result.info["colocation"] = {
                "k": k,
                "permutations": permutations,
                "seed": seed,
                "kernel": "gaussian over k nearest neighbours",
                "point_row": "CSV line of the point (header = 1)",
            }
    measure = measure or "not stated (pass --measure to record what the values count)"
    with output as od:
        written = write_outputs(result, od)
        od.record(measure=measure, inputs=inputs, **result.info)
    typer.echo(
        f"{result.info['units']} units x {len(result.info['industries'])} industries "
        f"({measure}); {result.info['cluster_candidates']} cluster candidates; "
        f"wrote {len(written) + 1} files to {out}"
    )
    if plants is None:
        typer.echo("Ellison-Glaeser index not computed: no plant-level data (--firms).")


def register(app: typer.Typer) -> None:
    """Add the ``industry`` command to the metrocircle app."""
    app.command("industry")(industry)
