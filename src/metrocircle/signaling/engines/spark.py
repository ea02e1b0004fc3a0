"""Spark adapter: the same SQL stages on a SparkSession (``local[*]`` or a cluster)."""

from __future__ import annotations

import os

import pandas as pd

from metrocircle.exceptions import EngineError, InputError
from metrocircle.signaling.engines.base import ZONE_PATTERN, Engine, RecordSource


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _lit(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _nanosecond_column(source: RecordSource) -> bool:
    """True if the time column of the Parquet file(s) holds timestamps in nanoseconds."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    try:
        schema = ds.dataset(source.path, format="parquet").schema
    except (OSError, pa.ArrowException):
        return False  # reading fails below with the reader's own message
    if source.time_col not in schema.names:
        return False
    t = schema.field(source.time_col).type
    return pa.types.is_timestamp(t) and t.unit == "ns"


class SparkEngine(Engine):
    """Run the stages with Spark SQL.

    Parameters
    ----------
    spark
        An existing ``SparkSession`` to use (it is not stopped by :meth:`close`).
    master
        Spark master URL when a session is created (``local[*]`` by default).
    shuffle_partitions
        ``spark.sql.shuffle.partitions`` for the created session or set on the given one.
    driver_memory
        ``spark.driver.memory`` of a created session.

    The session's time zone is set to UTC: ``t`` is computed from wall-clock time, never from
    the machine's zone.
    """

    name = "spark"
    uid_key = "xxhash64({})"

    def __init__(
        self,
        *,
        spark=None,  # noqa: ANN001 - pyspark is optional
        master: str | None = None,
        shuffle_partitions: int | None = None,
        driver_memory: str = "2g",
    ) -> None:
        try:
            from pyspark.sql import SparkSession
        except ImportError as err:
            raise EngineError(
                "The spark engine cannot run: pyspark is not installed "
                "(pip install 'metrocircle[spark]')."
            ) from err
        self._own = spark is None
        if spark is None:
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            try:
                builder = (
                    SparkSession.builder.master(master or "local[*]")
                    .appName("metrocircle-signaling")
                    .config("spark.ui.enabled", "false")
                    .config("spark.ui.showConsoleProgress", "false")
                    .config("spark.driver.memory", driver_memory)
                    .config("spark.sql.shuffle.partitions", str(shuffle_partitions or 8))
                )
                spark = builder.getOrCreate()
            except Exception as err:
                raise EngineError(f"The spark engine cannot start a session: {err}") from err
        self.spark = spark
        self.spark.conf.set("spark.sql.session.timeZone", "UTC")
        if shuffle_partitions:
            self.spark.conf.set("spark.sql.shuffle.partitions", str(shuffle_partitions))
        self._views: list[str] = []

    def load_records(self, source: RecordSource, grid_deg: float) -> None:
        kind, zone = source.time_kind()
        source.check_time_zone(kind, zone)
        # Spark cannot read Parquet timestamps in nanoseconds (what pandas writes by default)
        # unless they come in as plain 64-bit integers; the time is then rebuilt below.
        nanos = source.format == "parquet" and _nanosecond_column(source)
        if nanos:
            self.spark.conf.set("spark.sql.legacy.parquet.nanosAsLong", "true")
        reader = self.spark.read
        try:
            if source.format == "parquet":
                df = reader.parquet(source.path)
            else:
                df = reader.option("header", "true").option("sep", source.delimiter).csv(
                    source.path
                )
        except Exception as err:
            source.check_file()
            raise InputError(f"records: cannot read {source.path}: {err}") from err
        source.check_columns(list(df.columns))
        df.createOrReplaceTempView("src_records")
        tcol = f"src.{_q(source.time_col)}"
        # With the session zone UTC, text is read at its offset or zone when it has one and
        # as UTC otherwise (as DuckDB's TIMESTAMPTZ cast reads it); from_utc_timestamp then
        # gives the wall-clock time in the analysis zone.
        raw = f"CAST({tcol} AS STRING)"
        if nanos:  # nanoseconds since 1970 -> microseconds (floored) -> timestamp
            ts = f"timestamp_micros(({tcol} - pmod({tcol}, 1000)) div 1000)"
        else:
            ts = f"try_cast({raw} AS TIMESTAMP)"
        tprob = "NULL"
        if kind == "text" and not source.tz:
            tprob = (f"CASE WHEN {ts} IS NOT NULL AND {raw} RLIKE {_lit(ZONE_PATTERN)} "
                     "THEN 'time_zone_needed' ELSE NULL END")
        if source.tz:
            ts = f"from_utc_timestamp({ts}, {_lit(source.tz)})"
        if source.cell_col is not None:
            cell = f"CAST(src.{_q(source.cell_col)} AS STRING)"
        else:
            lon = f"try_cast(src.{_q(source.lon_col or '')} AS DOUBLE)"
            lat = f"try_cast(src.{_q(source.lat_col or '')} AS DOUBLE)"
            cell = self.grid_cell_sql(lon, lat, grid_deg)
        self.create("rec_raw", f"""
SELECT CAST(src.{_q(source.user_col)} AS STRING) AS uid,
       unix_timestamp({ts}) AS t,
       {cell} AS cell,
       CAST({tcol} AS STRING) AS time_raw,
       {tprob} AS tprob
FROM src_records src""", materialize=False)
        self.create("rec", "SELECT uid, t, cell FROM rec_raw", materialize=False)

    def register(self, name: str, df: pd.DataFrame) -> None:
        from pyspark.sql import types as T

        fields = []
        for col, dtype in df.dtypes.items():
            if pd.api.types.is_integer_dtype(dtype):
                fields.append(T.StructField(str(col), T.LongType(), True))
            elif pd.api.types.is_float_dtype(dtype):
                fields.append(T.StructField(str(col), T.DoubleType(), True))
            else:
                fields.append(T.StructField(str(col), T.StringType(), True))
        rows = [
            tuple(None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in r)
            for r in df.itertuples(index=False, name=None)
        ]
        sdf = self.spark.createDataFrame(rows, T.StructType(fields))
        sdf.createOrReplaceTempView(name)
        self._views.append(name)

    def create(self, name: str, sql: str, *, materialize: bool = True) -> None:
        try:
            df = self.spark.sql(sql)
            if materialize:
                df = df.localCheckpoint(eager=True)
            df.createOrReplaceTempView(name)
        except Exception as err:
            raise EngineError(f"Spark failed in stage {name!r}: {err}") from err
        self._views.append(name)

    def query(self, sql: str) -> pd.DataFrame:
        try:
            df = self.spark.sql(sql)
            rows = df.collect()
        except Exception as err:
            raise EngineError(f"Spark query failed: {err}") from err
        return pd.DataFrame([r.asDict() for r in rows], columns=df.columns)

    def close(self) -> None:
        for v in set(self._views):
            self.spark.catalog.dropTempView(v)
        self._views.clear()
        if self._own:
            self.spark.stop()
