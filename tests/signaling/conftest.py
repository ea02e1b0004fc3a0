"""Fixtures for the signaling tests: simulated data from three generators, a Spark session."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pandas as pd
import pytest

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data" / "signaling"
sys.path.insert(0, str(HERE))


@pytest.fixture(scope="session")
def metro_units() -> Path:
    return DATA / "chongqing_metro_units.csv"


@pytest.fixture(scope="session")
def sim_dir(tmp_path_factory, metro_units) -> Path:
    """The project's simulator: 1500 people, 14 days, Chongqing metropolitan units."""
    from metrocircle.signaling import simulate_signaling

    out = tmp_path_factory.mktemp("sim")
    simulate_signaling(metro_units, users=1500, days=14, random_state=11, out_dir=out)
    return out


@pytest.fixture(scope="session")
def independent_dir(tmp_path_factory) -> Path:
    """The independent generator: 1500 people, 14 days, a 5 x 5 grid of zones."""
    from independent_generator import generate

    out = tmp_path_factory.mktemp("independent")
    g = generate(1500, 14, seed=5)
    g.records.to_parquet(out / "records.parquet", index=False)
    g.cells.to_csv(out / "cells.csv", index=False)
    g.truth.to_csv(out / "truth_users.csv", index=False)
    return out


@pytest.fixture(scope="session")
def published_dir(tmp_path_factory) -> Path:
    """The generator from published descriptions: 1500 people, 14 days, a polar city."""
    from published_generator import generate

    out = tmp_path_factory.mktemp("published")
    g = generate(1500, 14, seed=12)
    g.records.to_parquet(out / "records.parquet", index=False)
    g.cells.to_csv(out / "cells.csv", index=False)
    g.truth.to_csv(out / "truth_users.csv", index=False)
    return out


@pytest.fixture(scope="session")
def spark():
    """One local Spark session for the whole run (real Spark, 2 cores, no UI)."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    s = (SparkSession.builder.master("local[2]").appName("metrocircle-tests")
         .config("spark.ui.enabled", "false")
         .config("spark.ui.showConsoleProgress", "false")
         .config("spark.sql.shuffle.partitions", "4")
         .config("spark.default.parallelism", "2")
         .config("spark.driver.memory", "1g")
         .getOrCreate())
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


def read_truth(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"uid": str, "home_unit": str, "work_unit": str})
