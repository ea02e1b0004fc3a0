"""Records to commuting OD: the stages in order, on the chosen engine, with accounting."""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from metrocircle.exceptions import InputError, ParameterError, Problems
from metrocircle.model.schema import SUPPRESSED
from metrocircle.signaling import disclosure, stages
from metrocircle.signaling.cells import (
    cells_from_table,
    prepare_cells,
    read_table,
    units_by_polygons,
)
from metrocircle.signaling.engines import Engine, RecordSource, get_engine
from metrocircle.signaling.params import SignalingParams

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]
DROP_REASONS = ("missing_value", "outside_window", "unknown_cell", "duplicate", "ping_pong")

if TYPE_CHECKING:
    from metrocircle.model.output import OutputDir


@dataclass
class ODResult:
    """What :func:`od_from_records` returns.

    Attributes
    ----------
    od
        ``origin, destination, value`` (home unit, work unit, expanded count): the
        **published** pairs. Pairs below ``min_count`` sampled users, and the complementary
        pairs that keep them from being derived, are suppressed (see ``docs/privacy.md``).
    units
        ``unit_id, residents, workers, commuting_rate_out, commuting_rate_in, suppressed``;
        a figure is blank where it would reveal a suppressed pair or is below ``min_count``,
        and ``suppressed`` names the blank ones.
    accounting
        Records in, used and dropped by reason (they add up), users with home/work/neither,
        published and suppressed OD pairs (how many; the suppressed commuters in total).
    run
        Engine, parameters, inputs and timings.
    remainder
        The suppressed mass of each unit, ``origin, destination, value`` with
        ``(suppressed)`` on one side (:data:`metrocircle.model.schema.SUPPRESSED`); value
        empty where the unit's own total is suppressed. Written to ``od.csv`` after the pairs.
    od_unsuppressed
        **Internal**: ``origin, destination, value`` for every pair, none suppressed. An
        analysis that runs inside the pipeline (a project's later steps) uses it, so that
        suppression, which protects what is published, does not change the analysis. It is
        never written by :meth:`write`.

    What is published is decided in one place, :func:`metrocircle.signaling.disclosure.protect`
    (called by ``_finish``); :meth:`suppression` says what the published ``od.csv`` leaves out.
    """

    od: pd.DataFrame
    units: pd.DataFrame
    accounting: dict[str, Any]
    run: dict[str, Any]
    _users: pd.DataFrame | None = field(default=None, repr=False)
    remainder: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"origin": [], "destination": [], "value": []}))
    od_unsuppressed: pd.DataFrame | None = field(default=None, repr=False)

    def published_od(self) -> pd.DataFrame:
        """``od.csv`` as written: the published pairs, then the suppressed remainders."""
        if self.remainder.empty:
            return self.od.copy()
        return pd.concat([self.od.astype({"value": self.remainder["value"].dtype}),
                          self.remainder], ignore_index=True)

    def suppression(self) -> dict[str, Any]:
        """What the published ``od.csv`` leaves out (the accounting's figures), and the total
        the analysis inside the pipeline keeps (``commuters``: every pair)."""
        a = self.accounting["od"]
        keys = ("min_count", "disclosure_control", "pairs", "pairs_published",
                "pairs_suppressed", "pairs_suppressed_below_min_count",
                "pairs_suppressed_complementary", "commuters", "commuters_suppressed",
                "commuters_sample", "commuters_suppressed_sample", "unit_totals_suppressed")
        return {k: a[k] for k in keys if k in a}

    def write(self, out_dir: str | Path | OutputDir) -> Path:
        """Write the published ``od.csv`` (suppressed), ``units.csv``, ``accounting.json`` and
        ``run.json`` to ``out_dir``; :attr:`od_unsuppressed` is never written. Given an open
        :class:`~metrocircle.model.output.OutputDir`, write through it (CSV cells neutralised
        for spreadsheets, ``run.json`` listing every file with its checksum)."""
        from metrocircle.model.output import OutputDir

        if isinstance(out_dir, OutputDir):
            out_dir.write_table(self.published_od(), "od.csv")
            out_dir.write_table(self.units, "units.csv")
            out_dir.write_json(self.accounting, "accounting.json")
            out_dir.record(**self.run)
            return out_dir.final
        from metrocircle.model.io import write_table

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        write_table(self.published_od(), out / "od.csv")
        write_table(self.units, out / "units.csv")
        (out / "accounting.json").write_text(json.dumps(self.accounting, indent=2) + "\n")
        (out / "run.json").write_text(json.dumps(self.run, indent=2, default=str) + "\n")
        return out

    def summary(self) -> str:
        """One line on what was published and what was suppressed (aggregates only)."""
        od = self.accounting["od"]
        text = f"{od['pairs_published']} OD pairs published"
        if od["pairs_suppressed"]:
            text += (f"; {od['pairs_suppressed']} pairs with {od['commuters_suppressed']:,}"
                     f" commuters suppressed ({od['pairs_suppressed_below_min_count']}"
                     f" below min_count {od['min_count']}, "
                     f"{od['pairs_suppressed_complementary']} complementary)")
        else:
            text += f"; none suppressed (min_count {od['min_count']})"
        tot = {k: v for k, v in od["unit_totals_suppressed"].items() if v}
        if tot:
            text += "; unit totals left blank: " + ", ".join(f"{v} {k}" for k, v in tot.items())
        return text


def _market_share(
    value: float | str | Path | pd.DataFrame | None,
) -> tuple[float | None, pd.Series | None]:
    if value is None:
        return None, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 0 < float(value) <= 1:
            raise ParameterError(
                "The 'market_share' parameter of signaling must be a float in (0, 1]. "
                f"Got {value!r}.")
        return float(value), None
    df = value if isinstance(value, pd.DataFrame) else read_table(str(value), "market_share")
    missing = [c for c in ("unit_id", "market_share") if c not in df.columns]
    if missing:
        raise InputError(f"market_share: missing column(s) {', '.join(missing)}")
    share = pd.to_numeric(df["market_share"], errors="coerce")
    bad = share.isna() | (share <= 0) | (share > 1)
    if bad.any():
        from metrocircle.exceptions import Problem
        from metrocircle.model.validation import row_labels

        labels = row_labels(df, df.attrs.get("line_offset"))
        raise InputError([Problem("market_share", "market_share must be a number in (0, 1]",
                                  labels(np.flatnonzero(bad.to_numpy())))])
    return None, pd.Series(share.to_numpy(), index=df["unit_id"].astype(str).to_numpy())


def od_from_records(
    records: str | Path,
    *,
    user_col: str = "uid",
    time_col: str = "time",
    cell_col: str | None = "cell",
    lon_col: str | None = None,
    lat_col: str | None = None,
    tz: str | None = None,
    cells: str | Path | pd.DataFrame | None = None,
    cells_id_col: str = "cell_id",
    cells_lon_col: str = "lon",
    cells_lat_col: str = "lat",
    cells_unit_col: str | None = "unit_id",
    units: str | Path | None = None,
    units_id_col: str = "unit_id",
    engine: str | Engine = "duckdb",
    engine_options: Mapping[str, Any] | None = None,
    min_count: int = 10,
    market_share: float | str | Path | pd.DataFrame | None = None,
    params: SignalingParams | Mapping[str, Any] | None = None,
    progress: Progress | None = None,
    keep_users: bool = False,
) -> ODResult:
    """Turn signaling records into home-to-work commuting flows between units.

    Parameters
    ----------
    records
        CSV or Parquet file with a user id, a timestamp and a cell id (or lon/lat).
    user_col, time_col, cell_col, lon_col, lat_col, tz
        Column names; see :class:`~metrocircle.signaling.engines.RecordSource`.
    cells
        Cells table (file or DataFrame) with id, lon, lat and optionally the unit column.
        Needed with cell ids; with lon/lat records, cells are grid squares of ``grid_deg``.
    units
        Polygon file (GeoJSON, GeoPackage...) with a ``units_id_col``; used for point in
        polygon when the cells table has no unit column, or with lon/lat records.
    engine
        ``"duckdb"`` (default) or ``"spark"``, or an engine instance.
    engine_options
        Options for the engine (``memory_limit``, ``threads``; ``spark``, ``master``).
    min_count
        OD pairs with fewer users than this (before expansion) are suppressed.
    market_share
        Expansion to the population: the operator's market share as one float (every
        count is divided by it), or a table ``unit_id, market_share`` (each user is expanded
        by the share of their home unit). ``None`` keeps sample counts.
    params
        Stage thresholds (:class:`SignalingParams` or a mapping).
    progress
        Optional callback ``progress(step, fraction)``.
    keep_users
        Keep the per-user table in ``result._users`` (for evaluation; never written).

    Returns
    -------
    ODResult

    Examples
    --------
    >>> from metrocircle.signaling import od_from_records, simulate_signaling
    >>> import pandas as pd, tempfile
    >>> d = tempfile.mkdtemp()
    >>> units = pd.DataFrame({"unit_id": ["A", "B"], "lon": [106.5, 106.7],
    ...                       "lat": [29.5, 29.6], "population": [800, 400]})
    >>> sim = simulate_signaling(units, users=300, days=7, random_state=1, out_dir=d)
    >>> res = od_from_records(f"{d}/records.parquet", cells=f"{d}/cells.csv", min_count=1)
    >>> acc = res.accounting
    >>> acc["used_records"] + sum(acc["dropped"].values()) == acc["input_records"]
    True
    """
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    prm = params if isinstance(params, SignalingParams) else SignalingParams.from_mapping(
        dict(params or {}))
    if not isinstance(min_count, int) or isinstance(min_count, bool) or min_count < 1:
        raise ParameterError(
            f"The 'min_count' parameter of signaling must be an int >= 1. Got {min_count!r}.")
    factor, shares = _market_share(market_share)
    if tz is not None:
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as err:
            raise ParameterError(
                f"The 'tz' parameter of signaling must be a time-zone name such as "
                f"'Asia/Shanghai'. Got {tz!r}.") from err
    source = RecordSource(str(records), user_col, time_col, cell_col, lon_col, lat_col, tz)
    source.needed_columns()
    if cell_col is not None and cells is None:
        raise InputError("cells: records have cell ids, so a cells table is needed (--cells)")
    if cell_col is None and cells is not None:
        raise InputError("cells: records have lon/lat; a cells table is not used with them")

    def step(name: str, frac: float) -> None:
        timings[name] = round(time.perf_counter() - t0, 3)
        if progress is not None:
            progress(name, frac)

    eng = get_engine(engine, **dict(engine_options or {}))
    own = not isinstance(engine, Engine)
    try:
        step("load", 0.0)
        eng.load_records(source, prm.grid_deg)
        # cells ------------------------------------------------------------------------
        if cell_col is not None:
            cdf = cells if isinstance(cells, pd.DataFrame) else read_table(str(cells), "cells")
            has_unit = cells_unit_col is not None and cells_unit_col in cdf.columns
            if cells_unit_col is not None and not has_unit and units is None:
                raise InputError(
                    f"cells: missing unit column {cells_unit_col!r} and no units polygons given")
            ctab = cells_from_table(cdf, id_col=cells_id_col, lon_col=cells_lon_col,
                                    lat_col=cells_lat_col,
                                    unit_col=cells_unit_col if has_unit else None)
        else:
            g = pd.DataFrame(eng.query("SELECT DISTINCT cell FROM rec WHERE cell IS NOT NULL"))
            ij = g["cell"].astype(str).str[1:].str.split("_", expand=True).astype(np.int64) \
                if len(g) else pd.DataFrame({0: [], 1: []})
            ctab = pd.DataFrame({"cell": g["cell"].astype(object),
                                 "lon": (ij[0].to_numpy() + 0.5) * prm.grid_deg,
                                 "lat": (ij[1].to_numpy() + 0.5) * prm.grid_deg,
                                 "unit": None})
        if units is not None and (cell_col is None or not has_unit):
            ctab["unit"] = units_by_polygons(ctab, units, id_col=units_id_col).to_numpy()
        gives_units = units is not None or (cell_col is not None and has_unit)
        if gives_units and len(ctab) and ctab["unit"].isna().all():
            raise InputError(
                f"cells: none of the {len(ctab)} cells has a unit (the {cells_unit_col!r} "
                "column is empty everywhere), so every record would fall outside the units; "
                "fill the column or give unit polygons (--units)")
        if len(ctab) > stages.CELL_SPACE:
            raise InputError(f"cells: more than {stages.CELL_SPACE} cells are not supported")
        cell_table, places = prepare_cells(ctab, place_radius_km=prm.place_radius_km)
        eng.register("cells", cell_table)
        eng.register("places", places)
        step("cells", 0.1)
        # cleaning ---------------------------------------------------------------------
        eng.create("flagged", stages.flag_records(prm, eng.uid_key), materialize=False)
        # A CSV file is scanned once to count the records and the drop reasons (and to stop
        # on unparseable timestamps before the heavy passes). A Parquet file's record count
        # comes from its metadata; the drop reasons are counted only when some records do
        # not reach the first window pass (below).
        dropped = {r: 0 for r in DROP_REASONS}
        if source.format == "parquet":
            input_records = int(eng.query("SELECT COUNT(*) AS n FROM rec_raw")["n"].iloc[0])
            valid = None
        else:
            input_records, valid = _count_reasons(eng, dropped, source)
        if input_records == 0:
            raise InputError(f"records: {source.path} has no records")
        eng.create("pp1", stages.pingpong_pass1(prm))
        kept = eng.query("SELECT COUNT(*) AS n, "
                         "COALESCE(SUM(CASE WHEN f >= 8 THEN 1 ELSE 0 END), 0) AS dup FROM pp1")
        reached = int(kept["n"].iloc[0])  # every valid record is a row of pp1
        if valid is None:
            valid = input_records if reached == input_records else _count_reasons(
                eng, dropped, source)[1]
        if valid != reached:
            raise RuntimeError("the first pass lost records (a bug)")  # pragma: no cover
        if dropped["unknown_cell"]:
            log.warning("%d records have cells that are not in the cells table; dropped",
                        dropped["unknown_cell"])
        dropped["duplicate"] = int(kept["dup"].iloc[0])
        rows_ = valid - dropped["duplicate"]
        step("clean", 0.3)
        eng.create("ppsub", stages.pingpong(prm))
        d = eng.query("SELECT COALESCE(SUM(pp), 0) AS pp FROM ppsub")
        dropped["ping_pong"] = int(d["pp"].iloc[0] or 0)
        used = rows_ - dropped["ping_pong"]
        if used + sum(dropped.values()) != input_records :
            raise RuntimeError("record accounting does not add up (a bug)")  # pragma: no cover
        if used == 0:
            raise InputError(
                f"records: no record is left after cleaning ({input_records} in, dropped: "
                + ", ".join(f"{k} {v}" for k, v in dropped.items() if v) + ")")
        step("pingpong", 0.45)
        # stays, home, work --------------------------------------------------------------
        eng.create("dwell", stages.dwell(prm), materialize=False)
        eng.create("cell_day", stages.cell_days(prm))
        step("stays", 0.65)
        eng.create("home", stages.home(prm))
        eng.create("work", stages.work(prm))
        step("home_work", 0.85)
        eng.create("users", stages.users())
        odc = eng.query(stages.od_counts())
        uc = eng.query(stages.user_counts()).iloc[0]
        users_df = eng.query(
            "SELECT k.uid_raw AS uid, u.home_unit AS home_unit, u.work_unit AS work_unit, "
            "hc.cell AS home_cell, wc.cell AS work_cell, u.night AS night FROM users u "
            f"JOIN (SELECT {eng.uid_key.format('r.u')} AS uid, r.u AS uid_raw FROM "
            "(SELECT DISTINCT uid AS u FROM rec WHERE uid IS NOT NULL) r) k "
            "ON u.uid = k.uid LEFT JOIN cells hc ON u.home_cell = hc.cid "
            "LEFT JOIN cells wc ON u.work_cell = wc.cid") if keep_users else None
        step("od", 0.95)
    finally:
        if own:
            eng.close()

    od, remainder, unit_table, od_acc = _finish(odc, min_count=min_count, factor=factor,
                                                shares=shares)
    everything = _all_pairs(odc, factor=factor, shares=shares)
    users = {k: int(uc[k] or 0) for k in ("users", "with_home", "with_work", "with_neither",
                                           "night_shift", "home_outside_units",
                                           "work_outside_units")}
    accounting = {
        "input_records": input_records,
        "used_records": used,
        "dropped": dropped,
        "users": {
            "seen": users["users"],
            "with_home": users["with_home"],
            "with_work": users["with_work"],
            "with_home_only": users["with_home"] - users["with_work"],
            "with_neither": users["with_neither"],
            "night_shift_workers": users["night_shift"],
            "home_outside_units": users["home_outside_units"],
            "work_outside_units": users["work_outside_units"],
        },
        "od": od_acc,
    }
    step("done", 1.0)
    run = {
        "engine": eng.name,
        "records": str(records),
        "columns": {"user": user_col, "time": time_col, "cell": cell_col, "lon": lon_col,
                    "lat": lat_col, "tz": tz},
        "cells": None if cells is None or isinstance(cells, pd.DataFrame) else str(cells),
        "units": None if units is None else str(units),
        "min_count": min_count,
        "disclosure_control": disclosure.METHOD,
        "market_share": factor if shares is None else "per unit",
        "params": prm.to_dict(),
        "timings_s": timings,
        "seconds": round(time.perf_counter() - t0, 3),
    }
    return ODResult(od, unit_table, accounting, run, users_df, remainder,
                    od_unsuppressed=everything)


def _count_reasons(eng: Engine, dropped: dict[str, int],
                   source: RecordSource) -> tuple[int, int]:
    """Count the records and the drop reasons of stage 1a into ``dropped``.

    Returns ``(input_records, valid)``; stops with one error listing every timestamp problem
    (unparseable, an offset without an analysis time zone, outside 1990-2100) with the
    records concerned.
    """
    reasons = eng.query(stages.reason_counts())
    input_records = int(reasons["n"].sum()) if len(reasons) else 0
    counts = {str(r): int(n) for r, n in zip(reasons["reason"], reasons["n"], strict=True)
              if isinstance(r, str)}
    if any(counts.get(r) for r in stages.TIME_REASONS):
        _raise_time_problems(source, counts)
    valid = 0
    for r, n in zip(reasons["reason"], reasons["n"], strict=True):
        if r is None or (isinstance(r, float) and math.isnan(r)) or pd.isna(r):
            valid = int(n)
        else:
            dropped[str(r)] = int(n)
    return input_records, valid


_TIME_MESSAGES = {
    "bad_time": "timestamp(s) that cannot be parsed (expected e.g. 2024-03-04 08:15:00, "
                "optionally with an offset such as +08:00 or Z)",
    "time_zone_needed": "timestamp(s) with a UTC offset or a zone (such as Z or +08:00) while "
                        "no analysis time zone is given; give it (tz= in Python, --tz on the "
                        "command line), e.g. 'Asia/Shanghai', to convert them to local time",
    "time_out_of_range": "timestamp(s) outside the plausible range 1990-01-01 to 2100-01-01 "
                         "(local time)",
}


def _raise_time_problems(source: RecordSource, counts: dict[str, int]) -> None:
    """One error listing each kind of timestamp problem with the records concerned."""
    from metrocircle.model.validation import RowLabels
    from metrocircle.signaling.engines.duckdb import locate_time_problems

    where = locate_time_problems(source)
    # the labelling of every reader: 'line N' of a CSV file (header = line 1), 'row N' of
    # anything else (records counted from 1)
    labels = RowLabels(2) if source.format == "csv" else RowLabels()
    p = Problems()
    for reason in stages.TIME_REASONS:
        n = counts.get(reason, 0)
        if not n:
            continue
        found = where.get(reason, [])
        rows = labels([rn - 1 for rn, _ in found])
        examples = ", ".join(f"{r}: {v!r}" for r, (_, v) in zip(rows, found[:3], strict=False))
        p.add("records", f"column {source.time_col!r} has {n} {_TIME_MESSAGES[reason]}"
                         + (f"; e.g. {examples}" if examples else ""), rows)
    p.raise_if_any()


def _finish(odc: pd.DataFrame, *, min_count: int, factor: float | None,
            shares: pd.Series | None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame,
                                                dict[str, Any]]:
    """Expansion, rates and disclosure control on the aggregated counts (same code for every
    engine): the published cells, the suppressed remainders, the unit table, the accounting.

    Disclosure control is :func:`metrocircle.signaling.disclosure.protect` (complementary
    suppression on sampled people); every figure below is blank where it would reveal a
    suppressed cell or is itself below ``min_count``.
    """
    odc = odc.copy()
    odc["origin"] = odc["origin"].astype(str)
    odc["destination"] = odc["destination"].astype(object)
    odc["n"] = odc["n"].astype(np.int64)
    if shares is not None:
        missing = sorted(set(odc["origin"]) - set(shares.index))
        if missing:
            raise InputError(f"market_share: no share for home unit(s) {', '.join(missing[:10])}")
        odc["w"] = odc["n"] / odc["origin"].map(shares).astype(float)
    elif factor is not None:
        odc["w"] = odc["n"] / factor
    else:
        odc["w"] = odc["n"].astype(float)
    has_work = odc["destination"].notna()
    odc.loc[has_work, "destination"] = odc.loc[has_work, "destination"].astype(str)
    # sorted, so that the suppression pattern does not depend on the engine's row order
    flows = odc[has_work].sort_values(["origin", "destination"]).reset_index(drop=True)
    prot = disclosure.protect(flows[["origin", "destination", "n"]], min_count=min_count,
                              residents=odc.groupby("origin")["n"].sum())
    status = flows[["origin", "destination"]].merge(
        prot.cells, on=["origin", "destination"], how="left")["status"].to_numpy()
    hidden = status != disclosure.PUBLISHED
    residents = odc.groupby("origin")["w"].sum()
    employed = flows.groupby("origin")["w"].sum()
    out_c = flows[flows["origin"] != flows["destination"]].groupby("origin")["w"].sum()
    jobs = flows.groupby("destination")["w"].sum()
    in_c = flows[flows["origin"] != flows["destination"]].groupby("destination")["w"].sum()
    ids = sorted(set(residents.index) | set(jobs.index))
    ut = pd.DataFrame({"unit_id": ids})
    ut["residents"] = ut["unit_id"].map(residents).fillna(0.0)
    ut["workers"] = ut["unit_id"].map(jobs).fillna(0.0)
    emp = ut["unit_id"].map(employed).fillna(0.0)
    ut["commuting_rate_out"] = (ut["unit_id"].map(out_c).fillna(0.0) / emp).where(emp > 0)
    ut["commuting_rate_in"] = (ut["unit_id"].map(in_c).fillna(0.0) / ut["workers"]).where(
        ut["workers"] > 0)
    # blanks: a rate is published only where the diagonal cell and the margin it is divided
    # by are (it then adds nothing an attacker could not compute already)
    diag_hidden = set(flows.loc[hidden & (flows["origin"] == flows["destination"]), "origin"])
    uid = ut["unit_id"]
    def flagged(s: pd.Series) -> pd.Series:
        return uid.isin(s.index[s.to_numpy(dtype=bool)])

    emp_sup = flagged(prot.employed_suppressed)
    wrk_sup = flagged(prot.workers_suppressed)
    blank = {
        "residents": flagged(prot.residents_suppressed),
        "workers": wrk_sup,
        "commuting_rate_out": emp_sup | uid.isin(diag_hidden),
        "commuting_rate_in": wrk_sup | uid.isin(diag_hidden),
    }
    exact = factor is None and shares is None
    kept = flows[~hidden].sort_values(["origin", "destination"])
    od = pd.DataFrame({"origin": kept["origin"].astype(str).to_numpy(),
                       "destination": kept["destination"].astype(str).to_numpy(),
                       "value": kept["w"].to_numpy()})
    rem = _remainders(flows, hidden, prot)
    if exact:
        od["value"] = od["value"].round().astype(np.int64)
        rem["value"] = rem["value"].round().astype("Int64")
        for col in ("residents", "workers"):
            ut[col] = ut[col].round().astype(np.int64).astype("Int64")
    else:
        od["value"] = od["value"].round(3)
        rem["value"] = rem["value"].round(3)
        ut["residents"] = ut["residents"].round(3)
        ut["workers"] = ut["workers"].round(3)
    ut["commuting_rate_out"] = ut["commuting_rate_out"].round(6)
    ut["commuting_rate_in"] = ut["commuting_rate_in"].round(6)
    for col, mask in blank.items():
        ut[col] = ut[col].mask(mask.to_numpy())
    ut["suppressed"] = [";".join(c for c, m in blank.items() if m.iloc[i])
                        for i in range(len(ut))]
    primary = status == disclosure.PRIMARY
    acc = {
        "min_count": min_count,
        "disclosure_control": disclosure.METHOD,
        "pairs": int(len(flows)),
        "pairs_published": int((~hidden).sum()),
        "pairs_suppressed": int(hidden.sum()),
        "pairs_suppressed_below_min_count": int(primary.sum()),
        "pairs_suppressed_complementary": int((hidden & ~primary).sum()),
        "commuters": _number(flows["w"].sum(), exact),
        "commuters_suppressed": _number(flows.loc[hidden, "w"].sum(), exact),
        "unit_totals_suppressed": {
            "residents": int(blank["residents"].sum()),
            "employed_residents": int(prot.employed_suppressed.sum()),
            "workers": int(wrk_sup.sum()),
        },
        "expansion": ("none" if exact else ("one factor" if factor is not None else "per unit")),
        "expansion_factor": None if factor is None else 1 / factor,
    }
    if shares is None:
        # in sampled people too; with a share per unit, such a total would weigh the rows
        # by their shares, an equation the suppression pattern is not built to withstand
        acc["commuters_sample"] = int(flows["n"].sum())
        acc["commuters_suppressed_sample"] = int(flows.loc[hidden, "n"].sum())
    return od, rem, ut, acc


def _all_pairs(odc: pd.DataFrame, *, factor: float | None,
               shares: pd.Series | None) -> pd.DataFrame:
    """Every home-to-work pair, none suppressed, expanded and rounded as the published ones:
    the internal OD that analyses inside the pipeline use (``ODResult.od_unsuppressed``)."""
    pairs = odc[odc["destination"].notna()]
    n = pairs["n"].astype(float).to_numpy()
    if shares is not None:
        value = n / pairs["origin"].astype(str).map(shares).astype(float).to_numpy()
    elif factor is not None:
        value = n / factor
    else:
        value = n
    out = pd.DataFrame({"origin": pairs["origin"].astype(str).to_numpy(),
                        "destination": pairs["destination"].astype(str).to_numpy(),
                        "value": value})
    out = out.sort_values(["origin", "destination"]).reset_index(drop=True)
    if factor is None and shares is None:
        out["value"] = out["value"].round().astype(np.int64)
    else:
        out["value"] = out["value"].round(3)
    return out


def _number(x: float, exact: bool) -> float | int:
    return int(round(x)) if exact else round(float(x), 3)


def _remainders(flows: pd.DataFrame, hidden: np.ndarray,
                prot: disclosure.Protection) -> pd.DataFrame:
    """The suppressed mass of each unit as flows to and from :data:`SUPPRESSED`.

    ``origin -> (suppressed)``: the unit's residents in suppressed cells (its employed
    residents minus its published cells); ``(suppressed) -> destination``: the unit's workers
    in suppressed cells. Empty where that unit margin is itself suppressed.
    """
    sup = flows[hidden]
    out = sup.groupby("origin")["w"].sum()
    out = out.mask(out.index.map(prot.employed_suppressed).to_numpy(dtype=bool))
    inn = sup.groupby("destination")["w"].sum()
    inn = inn.mask(inn.index.map(prot.workers_suppressed).to_numpy(dtype=bool))
    return pd.concat([
        pd.DataFrame({"origin": out.index.astype(str), "destination": SUPPRESSED,
                      "value": out.to_numpy(dtype=float)}),
        pd.DataFrame({"origin": SUPPRESSED, "destination": inn.index.astype(str),
                      "value": inn.to_numpy(dtype=float)}),
    ], ignore_index=True)
