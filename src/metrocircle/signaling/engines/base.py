"""The engine interface: load records, register small tables, run the shared SQL stages."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from metrocircle.exceptions import InputError, Problems


@dataclass(frozen=True)
class RecordSource:
    """Where the records are and which columns hold what.

    Parameters
    ----------
    path
        A CSV or Parquet file (by suffix: ``.csv``, ``.csv.gz``, ``.parquet``, ``.pq``), or a
        directory of Parquet files.
    user_col, time_col
        User id and timestamp columns.
    cell_col
        Cell id column; or ``None`` with ``lon_col`` and ``lat_col`` for coordinates.
    tz
        The analysis time zone. ``None``: timestamps are local wall-clock time and must not
        carry an offset (a text timestamp ending in ``Z``, ``+08:00`` or a zone name, or a
        time-zone-aware Parquet column, is an error that asks for ``tz``). A zone name
        (``"Asia/Shanghai"``): every timestamp is converted to that zone's wall-clock time;
        one with an offset or a zone is read at that offset, one without is taken as UTC.
    """

    path: str
    user_col: str = "uid"
    time_col: str = "time"
    cell_col: str | None = "cell"
    lon_col: str | None = None
    lat_col: str | None = None
    tz: str | None = None

    @property
    def format(self) -> str:
        p = Path(self.path)
        name = p.name.lower()
        if p.is_dir() or name.endswith((".parquet", ".pq")):
            return "parquet"
        if name.endswith((".csv", ".csv.gz", ".txt", ".txt.gz")):
            return "csv"
        raise InputError(
            f"records: cannot tell the format of {self.path!r}; use a .csv or .parquet file"
        )

    @property
    def delimiter(self) -> str:
        """The delimiter of a CSV records file, sniffed once the same way as every reader of
        the data model (:func:`metrocircle.model.io.csv_delimiter`) and given to the engine, so
        that DuckDB and Spark read a semicolon- or tab-separated file alike."""
        from metrocircle.model.io import csv_delimiter

        try:
            return csv_delimiter(self.path)
        except InputError:
            return ","  # unreadable: the engine's read reports it

    def needed_columns(self) -> list[str]:
        cols = [self.user_col, self.time_col]
        if self.cell_col is not None:
            cols.append(self.cell_col)
        else:
            if self.lon_col is None or self.lat_col is None:
                raise InputError(
                    "records: give either a cell column or both a lon and a lat column"
                )
            cols += [self.lon_col, self.lat_col]
        return cols

    def time_kind(self) -> tuple[str, str | None]:
        """How the time column is stored: ``("text", None)`` (CSV, or a Parquet column that is
        not a timestamp), ``("naive", None)`` or ``("aware", zone)`` (Parquet timestamps
        without / with a time zone; ``zone`` as the file stores it)."""
        if self.format != "parquet":
            return "text", None
        import pyarrow as pa
        import pyarrow.dataset as ds

        try:
            schema = ds.dataset(self.path, format="parquet").schema
        except (OSError, pa.ArrowException):
            return "text", None  # reading fails later with the reader's own message
        if self.time_col not in schema.names:
            return "text", None
        t = schema.field(self.time_col).type
        if pa.types.is_timestamp(t):
            return ("aware", str(t.tz)) if t.tz is not None else ("naive", None)
        return "text", None

    def check_time_zone(self, kind: str, zone: str | None) -> None:
        """Stop before any work when time-zone-aware timestamps come without ``tz``."""
        if kind == "aware" and self.tz is None:
            raise InputError(
                f"records: column {self.time_col!r} holds time-zone-aware timestamps (the file "
                f"stores zone {zone!r}); give the analysis time zone (tz= in Python, --tz on "
                "the command line), e.g. 'Asia/Shanghai', to convert them to local wall-clock "
                "time"
            )

    def check_file(self) -> None:
        """Stop with one clear error if the file is missing or empty."""
        p = Problems()
        if not Path(self.path).exists():
            p.add("records", f"file not found: {self.path}")
        elif Path(self.path).is_file() and Path(self.path).stat().st_size == 0:
            p.add("records", f"the file is empty (no header, no rows): {self.path}")
        p.raise_if_any()

    def check_columns(self, present: list[str]) -> None:
        """Stop with one clear error if the file is missing or empty, or lacks columns."""
        self.check_file()
        p = Problems()
        missing = [c for c in self.needed_columns() if c not in present]
        if missing:
            p.add(
                "records",
                f"missing column(s) {', '.join(repr(c) for c in missing)}; "
                f"the file has {', '.join(repr(c) for c in present) or 'no columns'}",
            )
        p.raise_if_any()


#: Seconds of local wall-clock time (since 1970-01-01) of 1990-01-01 and 2100-01-01: a record
#: outside this range is an error (a clock reset to 1970, a year typed wrong, an overflow).
T_MIN, T_MAX = 631_152_000, 4_102_444_800

#: A text timestamp that ends with an offset or a zone after its time of day: ``Z``, ``+08``,
#: ``+0800``, ``+08:00``, ``UTC``, ``Asia/Shanghai`` (regular expression understood alike by
#: DuckDB's RE2 and Spark's Java regex; no backslash, so no escaping rules differ).
ZONE_PATTERN = (":[0-9]{2}([.][0-9]*)?[ ]*([Zz]|[+-][0-9]{1,2}(:?[0-9]{2})?"
                "|[A-Za-z][A-Za-z_/+-]*)[ ]*$")


class Engine(abc.ABC):
    """A SQL engine that runs the stages of :mod:`metrocircle.signaling.stages`."""

    name: str = "?"
    #: SQL template of a 64-bit hash of the user id (only orders and groups rows inside the
    #: engine; two ids colliding is about as likely as 1 in 3,000 at 100 million users).
    uid_key: str = "{}"

    @abc.abstractmethod
    def load_records(self, source: RecordSource, grid_deg: float) -> None:
        """Create the view ``rec(uid, t, cell)`` and ``rec_raw`` (with ``time_raw``, ``tprob``).

        ``t`` is seconds since 1970-01-01 of local wall-clock time in the analysis time zone,
        NULL when missing or unparseable. ``tprob`` is ``'time_zone_needed'`` for a text
        timestamp with an offset or zone when ``source.tz`` is None, else NULL. With lon/lat
        input, ``cell`` is the grid cell ``g<ix>_<iy>`` of step ``grid_deg``.
        """

    @abc.abstractmethod
    def register(self, name: str, df: pd.DataFrame) -> None:
        """Make a small pandas table available to SQL under ``name``."""

    @abc.abstractmethod
    def create(self, name: str, sql: str, *, materialize: bool = True) -> None:
        """Run ``sql`` (a SELECT) and keep the result as table/view ``name``."""

    @abc.abstractmethod
    def query(self, sql: str) -> pd.DataFrame:
        """Run ``sql`` and return a small result as pandas."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources the engine owns."""

    # shared SQL used by both adapters -------------------------------------------------
    @staticmethod
    def grid_cell_sql(lon: str, lat: str, grid_deg: float) -> str:
        g = repr(float(grid_deg))
        return (
            f"CONCAT('g', CAST(CAST(FLOOR({lon} / {g}) AS BIGINT) AS STRING), '_', "
            f"CAST(CAST(FLOOR({lat} / {g}) AS BIGINT) AS STRING))"
        )

