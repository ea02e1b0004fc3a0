"""DuckDB adapter (the default engine): embedded, out of core under a memory limit."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pandas as pd

from metrocircle.exceptions import EngineError, InputError, ParameterError
from metrocircle.signaling.engines.base import ZONE_PATTERN, Engine, RecordSource

_MEMORY = re.compile(r"\s*\d+(\.\d+)?\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)\s*", re.IGNORECASE)


def check_memory_limit(value: object) -> str:
    """A DuckDB memory limit such as ``"1GB"`` or ``"512MiB"``; a clear error otherwise.

    Examples
    --------
    >>> check_memory_limit("2GB")
    '2GB'
    """
    if not isinstance(value, str) or not _MEMORY.fullmatch(value) or not any(
            ch != "0" and ch.isdigit() for ch in value):
        raise ParameterError(
            "The 'memory_limit' parameter of the duckdb engine must be a positive size with a "
            f"unit (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB), e.g. '1GB'. Got {value!r}.")
    return value.strip()


#: A typed NULL: the column of timestamp problems is text even when no record can have one.
_NO_PROBLEM = "CAST(NULL AS VARCHAR)"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def time_sql(tcol: str, kind: str, tz: str | None) -> tuple[str, str]:
    """DuckDB SQL of ``t`` (seconds of wall-clock time in the analysis zone) and ``tprob``.

    The session zone is UTC, so a text timestamp cast to ``TIMESTAMPTZ`` is read at its
    offset or zone when it has one and as UTC otherwise (Spark's ``TIMESTAMP`` cast reads
    text the same way); ``timezone(tz, ...)`` then gives the wall-clock time in ``tz``.
    """
    if kind == "text":
        raw = f"CAST({tcol} AS VARCHAR)"
        inst = f"TRY_CAST({raw} AS TIMESTAMPTZ)"
        tprob = _NO_PROBLEM if tz else (
            f"CASE WHEN {inst} IS NOT NULL AND regexp_matches({raw}, {_lit(ZONE_PATTERN)}) "
            "THEN 'time_zone_needed' ELSE NULL END")
    elif kind == "naive":
        inst, tprob = (f"CAST({tcol} AS TIMESTAMPTZ)" if tz else tcol), _NO_PROBLEM
    else:  # aware (tz is given: checked before)
        inst, tprob = tcol, _NO_PROBLEM
    ts = f"timezone({_lit(tz)}, {inst})" if tz else inst
    return f"CAST(FLOOR(epoch_ms({ts}) / 1000) AS BIGINT)", tprob


def _as_text(expr: str, sql_type: str | None) -> str:
    """``expr`` as VARCHAR: cast only when the column is not text already.

    A cast of a column to its own type is left out: DuckDB 2.0.1 fails on some of them
    ("Unimplemented type for cast (INT64 -> INT64)"), and none is needed.
    """
    return expr if sql_type == "VARCHAR" else f"CAST({expr} AS VARCHAR)"


def _microsecond_time(expr: str, sql_type: str | None) -> str:
    """A Parquet timestamp column as a microsecond TIMESTAMP / TIMESTAMPTZ.

    Nanosecond columns (what pandas writes by default) are floored to the microsecond from
    their integer nanoseconds, as the Spark adapter does. DuckDB's own conversions of
    nanosecond timestamps differ by version: 2.0 rounds a cast to TIMESTAMP where 1.x
    truncates, and 2.0.1 fails on ``epoch_ms`` of a ``TIMESTAMP_NS`` with "Unimplemented type
    for cast (INT64 -> INT64)". Other types are returned as they are.
    """
    if sql_type not in ("TIMESTAMP_NS", "TIMESTAMPTZ_NS", "TIMESTAMP_NS WITH TIME ZONE"):
        return expr
    ns = f"epoch_ns({expr})"
    micros = f"make_timestamp(({ns} - (({ns} % 1000) + 1000) % 1000) // 1000)"
    return micros if sql_type == "TIMESTAMP_NS" else f"CAST({micros} AS TIMESTAMPTZ)"


def locate_time_problems(source: RecordSource, *, limit: int = 10) -> dict[str, list[tuple]]:
    """Where the timestamps that stop a run are: ``{reason: [(row, value), ...]}``.

    Read again with DuckDB (whatever engine ran), one thread and the file's order kept, so
    ``row`` is the record's place in the file (1-based). The reasons are those of
    :func:`metrocircle.signaling.stages.time_reason`; at most ``limit`` rows each.
    """
    from metrocircle.signaling import stages

    eng = DuckDBEngine(memory_limit=None, threads=1)
    try:
        eng.con.execute("SET preserve_insertion_order = true")
        eng.load_records(source, 1.0, row_numbers=True)
        df = eng.query(f"""
SELECT reason, rn, v FROM (
  SELECT reason, rn, v, ROW_NUMBER() OVER (PARTITION BY reason ORDER BY rn) AS k FROM (
    SELECT {stages.time_reason('r')} AS reason, rn, CAST(time_raw AS VARCHAR) AS v
    FROM rec_raw r) x WHERE reason IS NOT NULL) y
WHERE k <= {int(limit)} ORDER BY reason, rn""")
    finally:
        eng.close()
    out: dict[str, list[tuple]] = {}
    for reason, rn, v in df.itertuples(index=False, name=None):
        out.setdefault(str(reason), []).append((int(rn), str(v)))
    return out


class DuckDBEngine(Engine):
    """Run the stages in an in-process DuckDB database.

    Parameters
    ----------
    memory_limit
        DuckDB ``memory_limit`` (e.g. ``"1GB"``); larger inputs spill to ``temp_directory``.
    threads
        Worker threads (``None``: DuckDB's default, all cores).
    temp_directory
        Where to spill; a fresh temporary directory by default.
    """

    name = "duckdb"
    uid_key = "hash({})"

    def __init__(
        self,
        *,
        memory_limit: str | None = "1GB",
        threads: int | None = None,
        temp_directory: str | None = None,
    ) -> None:
        try:
            import duckdb
        except ImportError as err:  # pragma: no cover - core dependency
            raise EngineError(f"The duckdb engine cannot run: {err}") from err
        self._tmp = None
        if temp_directory is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="metrocircle-duckdb-")
            temp_directory = self._tmp.name
        config: dict[str, str | bool | int | float | list[str]] = {
            "autoinstall_known_extensions": "false",
            "autoload_known_extensions": "false",
        }
        self.con = duckdb.connect(":memory:", config=config)
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET enable_progress_bar = false")
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute(f"SET temp_directory = {_lit(temp_directory)}")
        if memory_limit:
            memory_limit = check_memory_limit(memory_limit)
            self.con.execute(f"SET memory_limit = {_lit(memory_limit)}")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")

    def _reader(self, source: RecordSource) -> str:
        path = _lit(source.path)
        if source.format == "parquet":
            if Path(source.path).is_dir():  # a folder of parts (DuckDB < 2 reads no folder)
                path = _lit(str(Path(source.path) / "**" / "*.parquet"))
            return f"read_parquet({path})"
        delim = _lit(source.delimiter)
        return f"read_csv({path}, header = true, all_varchar = true, delim = {delim})"

    def load_records(self, source: RecordSource, grid_deg: float, *,
                     row_numbers: bool = False) -> None:
        import duckdb

        kind, zone = source.time_kind()
        source.check_time_zone(kind, zone)
        try:
            types = {str(r[0]): str(r[1]) for r in self.con.execute(
                f"DESCRIBE SELECT * FROM {self._reader(source)}").fetchall()}
        except duckdb.Error as err:
            source.check_file()
            raise InputError(f"records: cannot read {source.path}: {err}") from err
        source.check_columns(list(types))
        tcol = f"src.{_q(source.time_col)}"
        t, tprob = time_sql(_microsecond_time(tcol, types.get(source.time_col)), kind,
                            source.tz)
        if source.cell_col is not None:
            cell = _as_text(f"src.{_q(source.cell_col)}", types.get(source.cell_col))
        else:
            lon = f"TRY_CAST(src.{_q(source.lon_col or '')} AS DOUBLE)"
            lat = f"TRY_CAST(src.{_q(source.lat_col or '')} AS DOUBLE)"
            cell = self.grid_cell_sql(lon, lat, grid_deg)
        rn = ", ROW_NUMBER() OVER () AS rn" if row_numbers else ""
        self.con.execute(f"""
CREATE OR REPLACE TEMP VIEW rec_raw AS
SELECT {_as_text(f"src.{_q(source.user_col)}", types.get(source.user_col))} AS uid,
       {t} AS t,
       {cell} AS cell,
       {tcol} AS time_raw,
       {tprob} AS tprob{rn}
FROM {self._reader(source)} src""")
        self.con.execute("CREATE OR REPLACE TEMP VIEW rec AS SELECT uid, t, cell FROM rec_raw")

    def register(self, name: str, df: pd.DataFrame) -> None:
        tmp = f"__df_{name}"
        self.con.register(tmp, df)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {tmp}")
        self.con.unregister(tmp)

    def create(self, name: str, sql: str, *, materialize: bool = True) -> None:
        kind = "TABLE" if materialize else "VIEW"
        try:
            self.con.execute(f"CREATE OR REPLACE TEMP {kind} {name} AS {sql}")
        except Exception as err:
            raise EngineError(f"DuckDB failed in stage {name!r}: {err}") from err

    def query(self, sql: str) -> pd.DataFrame:
        try:
            return self.con.execute(sql).df()
        except Exception as err:
            raise EngineError(f"DuckDB query failed: {err}") from err

    def close(self) -> None:
        self.con.close()
        if self._tmp is not None:
            self._tmp.cleanup()
