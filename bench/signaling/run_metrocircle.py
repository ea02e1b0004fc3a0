"""metrocircle on the benchmark records; one JSON line with time and accounting.

Usage: python run_metrocircle.py DATA_DIR OUT_CSV ENGINE [MEMORY_LIMIT]
"""

import json
import os
import sys
import time

from metrocircle.signaling import od_from_records

data, out, engine = sys.argv[1], sys.argv[2], sys.argv[3]
opts = {"memory_limit": sys.argv[4] if len(sys.argv) > 4 else "1GB"} if engine == "duckdb" \
    else {"master": "local[2]", "shuffle_partitions": 8, "driver_memory": "4g"}
if engine == "spark":
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # time the session start separately: it is not part of the pipeline's work
    from metrocircle.signaling.engines.spark import SparkEngine

    t = time.perf_counter()
    eng = SparkEngine(**opts)
    start_s = time.perf_counter() - t
else:
    eng, start_s = engine, 0.0
t0 = time.perf_counter()
res = od_from_records(f"{data}/records.parquet", cells=f"{data}/cells.csv", engine=eng,
                      engine_options=opts if engine == "duckdb" else None, keep_users=True)
seconds = time.perf_counter() - t0
if out != "-":
    res._users[["uid", "home_unit", "work_unit"]].to_csv(out, index=False)
print(json.dumps({"engine": engine, "seconds": seconds, "session_start_s": start_s,
                  "records": res.accounting["input_records"],
                  "timings_s": res.run["timings_s"], "od_pairs": len(res.od)}))
