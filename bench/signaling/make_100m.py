"""Build a ~100 M record set with DuckDB SQL: the 9 M simulated set repeated 11 times, each copy
with its own user ids (so 220 k users) and the same cells. Usage:
PYTHONPATH=src python bench/signaling/make_100m.py SIM_DIR OUT_DIR
"""

import shutil
import sys
import time
from pathlib import Path

import duckdb

src, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
t = time.perf_counter()
con = duckdb.connect(config={"memory_limit": "2GB"})
con.execute(f"""
COPY (SELECT uid || '-' || CAST(r AS VARCHAR) AS uid, time, cell
      FROM read_parquet('{src / "records.parquet"}'), range(11) AS rr(r))
TO '{out / "records.parquet"}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)""")
shutil.copy(src / "cells.csv", out / "cells.csv")
n = con.execute(f"SELECT COUNT(*) FROM read_parquet('{out / 'records.parquet'}')").fetchone()[0]
print(f"{n} records in {time.perf_counter() - t:.1f} s")
