"""DuckDB adapter (the default engine): embedded, out of core under a memory limit."""

from __future__ import annotations

import tempfile

import pandas as pd

from metrocircle.exceptions import EngineError, InputError
from metrocircle.signaling.engines.base import Engine, RecordSource


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


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
            self.con.execute(f"SET memory_limit = {_lit(memory_limit)}")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")

    def _reader(self, source: RecordSource) -> str:
        path = _lit(source.path)
        if source.format == "parquet":
            return f"read_parquet({path})"
        delim = _lit(source.delimiter)
        return f"read_csv({path}, header = true, all_varchar = true, delim = {delim})"

    def load_records(self, source: RecordSource, grid_deg: float) -> None:
        import duckdb

        try:
            cols = [r[0] for r in self.con.execute(
                f"DESCRIBE SELECT * FROM {self._reader(source)}").fetchall()]
        except duckdb.Error as err:
            source.check_file()
            raise InputError(f"records: cannot read {source.path}: {err}") from err
        source.check_columns(cols)
        tcol = f"src.{_q(source.time_col)}"
        if source.tz:
            ts = f"timezone({_lit(source.tz)}, TRY_CAST({tcol} AS TIMESTAMPTZ))"
        else:
            ts = f"TRY_CAST({tcol} AS TIMESTAMP)"
        if source.cell_col is not None:
            cell = f"CAST(src.{_q(source.cell_col)} AS VARCHAR)"
        else:
            lon = f"TRY_CAST(src.{_q(source.lon_col or '')} AS DOUBLE)"
            lat = f"TRY_CAST(src.{_q(source.lat_col or '')} AS DOUBLE)"
            cell = self.grid_cell_sql(lon, lat, grid_deg)
        self.con.execute(f"""
CREATE OR REPLACE TEMP VIEW rec_raw AS
SELECT CAST(src.{_q(source.user_col)} AS VARCHAR) AS uid,
       CAST(FLOOR(epoch_ms({ts}) / 1000) AS BIGINT) AS t,
       {cell} AS cell,
       {tcol} AS time_raw
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
