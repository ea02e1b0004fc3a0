"""Records to commuting OD: the stages in order, on the chosen engine, with accounting."""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.exceptions import InputError, ParameterError, Problems
from metrocircle.signaling import stages
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


@dataclass
class ODResult:
    """What :func:`od_from_records` returns.

    Attributes
    ----------
    od
        ``origin, destination, commuters`` (home unit, work unit, expanded count): the
        **published** table, in which pairs below ``min_count`` sampled users are suppressed.
    units
        ``unit_id, residents, workers, commuting_rate_out, commuting_rate_in``.
    accounting
        Records in, used and dropped by reason (they add up), users with home/work/neither,
        suppressed OD pairs.
    run
        Engine, parameters, inputs and timings.
    od_unsuppressed
        **Internal**: the same OD with every pair, none suppressed. An analysis that runs
        inside the pipeline (a project's later steps) uses it, so that suppression, which
        protects what is published, does not change the analysis. It is never written by
        :meth:`write`.

    Suppression (what is published and what is kept inside) is decided in one place,
    :func:`publishable`; :meth:`suppression` says what it left out of ``od.csv``.
    """

    od: pd.DataFrame
    units: pd.DataFrame
    accounting: dict[str, Any]
    run: dict[str, Any]
    _users: pd.DataFrame | None = field(default=None, repr=False)
    od_unsuppressed: pd.DataFrame | None = field(default=None, repr=False)

    def suppression(self) -> dict[str, Any]:
        """What the published ``od.csv`` leaves out: pairs and sampled commuters below
        ``min_count``, and the expanded commuters of those pairs."""
        a = self.accounting["od"]
        out = {"min_count": a["min_count"], "pairs": a["pairs"],
               "pairs_published": a["pairs"] - a["pairs_suppressed"],
               "pairs_suppressed": a["pairs_suppressed"],
               "commuters_sample": a["commuters_sample"],
               "commuters_suppressed_sample": a["commuters_suppressed_sample"]}
        if self.od_unsuppressed is not None:
            total = float(self.od_unsuppressed["commuters"].sum())
            out["commuters_suppressed"] = round(total - float(self.od["commuters"].sum()), 3)
            out["commuters"] = round(total, 3)
        return out

    def write(self, out_dir: str | Path) -> Path:
        """Write the published ``od.csv`` (suppressed), ``units.csv``, ``accounting.json`` and
        ``run.json`` to ``out_dir``; :attr:`od_unsuppressed` is never written."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.od.to_csv(out / "od.csv", index=False)
        self.units.to_csv(out / "units.csv", index=False)
        (out / "accounting.json").write_text(json.dumps(self.accounting, indent=2) + "\n")
        (out / "run.json").write_text(json.dumps(self.run, indent=2, default=str) + "\n")
        return out


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

        raise InputError([Problem("market_share", "market_share must be a number in (0, 1]",
                                  (np.flatnonzero(bad.to_numpy()) + 2).tolist())])
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

    full, unit_table, od_acc = _finish(odc, min_count=min_count, factor=factor, shares=shares)
    od = publishable(full, min_count=min_count)
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
        "market_share": factor if shares is None else "per unit",
        "params": prm.to_dict(),
        "timings_s": timings,
        "seconds": round(time.perf_counter() - t0, 3),
    }
    return ODResult(od, unit_table, accounting, run, users_df,
                    od_unsuppressed=full.drop(columns="sampled"))


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
    from metrocircle.signaling.engines.duckdb import locate_time_problems

    where = locate_time_problems(source)
    csv = source.format == "csv"
    label = "rows (header = row 1)" if csv else "records (1-based, in file order)"
    p = Problems()
    for reason in stages.TIME_REASONS:
        n = counts.get(reason, 0)
        if not n:
            continue
        found = where.get(reason, [])
        rows = [rn + 1 if csv else rn for rn, _ in found]
        examples = ", ".join(f"{r}: {v!r}" for r, (_, v) in zip(rows, found[:3], strict=False))
        p.add("records", f"column {source.time_col!r} has {n} {_TIME_MESSAGES[reason]}; "
                         f"{label}" + (f", e.g. {examples}" if examples else ""), rows)
    p.raise_if_any()


def _finish(odc: pd.DataFrame, *, min_count: int, factor: float | None,
            shares: pd.Series | None) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Expansion, rates and suppression on the aggregated counts (same code for every engine)."""
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
    flows = odc[has_work]
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
    keep = flows["n"] >= min_count
    od = flows.sort_values(["origin", "destination"])
    od = pd.DataFrame({"origin": od["origin"].astype(str).to_numpy(),
                       "destination": od["destination"].astype(str).to_numpy(),
                       "commuters": od["w"].to_numpy(),
                       "sampled": od["n"].to_numpy()})
    exact = factor is None and shares is None
    if exact:
        od["commuters"] = od["commuters"].round().astype(np.int64)
        ut["residents"] = ut["residents"].round().astype(np.int64)
        ut["workers"] = ut["workers"].round().astype(np.int64)
    else:
        od["commuters"] = od["commuters"].round(3)
        ut["residents"] = ut["residents"].round(3)
        ut["workers"] = ut["workers"].round(3)
    ut["commuting_rate_out"] = ut["commuting_rate_out"].round(6)
    ut["commuting_rate_in"] = ut["commuting_rate_in"].round(6)
    acc = {
        "min_count": min_count,
        "pairs": int(len(flows)),
        "pairs_suppressed": int((~keep).sum()),
        "commuters_sample": int(flows["n"].sum()),
        "commuters_suppressed_sample": int(flows.loc[~keep, "n"].sum()),
        "expansion": ("none" if exact else ("one factor" if factor is not None else "per unit")),
        "expansion_factor": None if factor is None else 1 / factor,
    }
    return od, ut, acc


def publishable(od: pd.DataFrame, *, min_count: int) -> pd.DataFrame:
    """The published OD: the pairs with at least ``min_count`` sampled users.

    ``od`` is the internal table of every pair with its ``sampled`` users; the published one
    drops the pairs below ``min_count`` and the sample counts. This is the one place where
    what is published is separated from what the analysis inside the pipeline uses.
    """
    keep = od["sampled"].to_numpy() >= min_count
    return od.loc[keep, ["origin", "destination", "commuters"]].reset_index(drop=True)
