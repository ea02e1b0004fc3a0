"""The floor: how fast can DuckDB do the unavoidable work of the signaling pipeline here?

Usage (from the repository root)::

    PYTHONPATH=src /work/venv/bin/python bench/signaling/floor.py \
        bench/results/signaling/sim_20000x14_s2026 [--repeat 5] [--memory-limit 1GB]

Times, on the benchmark's records (``records.parquet`` + ``cells.csv``), with the same DuckDB
settings as :class:`metrocircle.signaling.engines.duckdb.DuckDBEngine` in the benchmark
(``memory_limit=1GB``, DuckDB's default threads, insertion order not preserved), the work
every correct pipeline has to do, each query on its own and from the Parquet file:

``read``
    decode the three columns (user, time, cell);
``read_keys``
    the same plus the fixed-width keys the stages work on (64-bit user hash, seconds, integer
    cell id through a join with the cells table);
``lead_window``
    ``read_keys`` plus each record's successor time per user
    (``LEAD(t) OVER (PARTITION BY user ORDER BY t, cell)``), summed so nothing is written;
``lead_window_k``
    the same window sorted by one packed integer ``k = t * 2**22 + cell`` (as the pipeline's
    first pass does) instead of two keys;
``order_by``
    ``read_keys`` plus a full ``ORDER BY user, t, cell`` of all records, written to a
    temporary table (the alternative to the partitioned window);
``group_only``
    the ``GROUP BY user, cell, day`` of the dwell alone (one sum), over a table already
    holding each record's dwell;
``lead_group``
    ``lead_window`` and the ``GROUP BY user, cell, day`` in one query: the smallest version of
    the pipeline's core (no cleaning, no day split, no time windows, no home or work).

Prints one JSON line per query with the median and every run, then a summary line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import duckdb

QUERIES: dict[str, str] = {
    # "|| ''" and "+ 1": force decoding (a bare MAX is answered from the Parquet statistics)
    "read": "SELECT MAX(uid || ''), MAX(epoch(time) + 1), MAX(cell || '') FROM src",
    "read_keys": "SELECT SUM(u % 1000), SUM(t), SUM(cid) FROM keys",
    "lead_window": """
SELECT SUM(COALESCE(nt - t, 0)) FROM (
  SELECT t, LEAD(t) OVER (PARTITION BY u ORDER BY t, cid) AS nt FROM keys) z""",
    "lead_window_k": """
SELECT SUM(COALESCE(nk - k, 0)) FROM (
  SELECT k, LEAD(k) OVER (PARTITION BY u ORDER BY k) AS nk
  FROM (SELECT u, t * 4194304 + cid AS k FROM keys) v) z""",
    "order_by": "CREATE OR REPLACE TEMP TABLE sorted AS SELECT u, t, cid FROM keys "
                "ORDER BY u, t, cid",
    "group_only": """
SELECT COUNT(*), SUM(s) FROM (
  SELECT u, cid, day, SUM(d) AS s FROM dwell_tab GROUP BY u, cid, day) z""",
    "lead_group": """
SELECT COUNT(*), SUM(s) FROM (
  SELECT u, cid, CAST(FLOOR(t / 86400) AS BIGINT) AS day, SUM(LEAST(nt - t, 21600)) AS s
  FROM (SELECT u, cid, t, LEAD(t) OVER (PARTITION BY u ORDER BY t, cid) AS nt FROM keys) z
  GROUP BY u, cid, day) y""",
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", help="directory with records.parquet and cells.csv")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--memory-limit", default="1GB")
    ap.add_argument("--threads", type=int, default=None)
    a = ap.parse_args()
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": "false",
                                             "autoload_known_extensions": "false"})
    con.execute("SET enable_progress_bar = false")
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"SET memory_limit = '{a.memory_limit}'")
    if a.threads:
        con.execute(f"SET threads = {a.threads}")
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.execute(f"CREATE TEMP VIEW src AS SELECT * FROM read_parquet('{a.data}/records.parquet')")
    con.execute(f"""CREATE TEMP TABLE cells AS SELECT CAST(cell_id AS VARCHAR) AS cell,
        CAST(ROW_NUMBER() OVER (ORDER BY cell_id) AS INTEGER) AS cid
        FROM read_csv('{a.data}/cells.csv', header = true)""")
    con.execute("""CREATE TEMP VIEW keys AS
        SELECT hash(s.uid) AS u, CAST(epoch(s.time) AS BIGINT) AS t, c.cid AS cid
        FROM src s JOIN cells c ON s.cell = c.cell""")
    # the table that group_only reads (not timed)
    con.execute("""CREATE TEMP TABLE dwell_tab AS
        SELECT u, cid, CAST(FLOOR(t / 86400) AS BIGINT) AS day,
          CAST(LEAST(COALESCE(LEAD(t) OVER (PARTITION BY u ORDER BY t, cid) - t, 0), 21600)
               AS INTEGER) AS d FROM keys""")
    n = con.execute("SELECT COUNT(*) FROM src").fetchone()[0]
    medians = {}
    for name, sql in QUERIES.items():
        runs = []
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            con.execute(sql).fetchall()
            runs.append(round(time.perf_counter() - t0, 3))
        medians[name] = statistics.median(runs)
        print(json.dumps({"query": name, "median_s": medians[name], "runs_s": runs}), flush=True)
    print(json.dumps({"records": n, "memory_limit": a.memory_limit, "threads": threads,
                      "median_s": medians}))


if __name__ == "__main__":
    main()
