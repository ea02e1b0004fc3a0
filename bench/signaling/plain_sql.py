"""The baseline: the signaling stages as one would write them by hand in plain DuckDB SQL.

Usage (from the repository root)::

    PYTHONPATH=src python bench/signaling/plain_sql.py DATA_DIR OUT_CSV [MEMORY_LIMIT]

Same input (``records.parquet`` with naive local ``time``, ``cells.csv``), same rules and
default thresholds as ``metrocircle.signaling`` (see ``docs/signaling.md``): duplicates and
A-B-A ping-pong between neighbouring cells removed, dwell until the next record capped at 6 h
and split at midnight, night / weekday-day / evening / night-shift windows, home by
night-weighted dwell per place, work by work days (share of weekdays, weeks, time share,
distance between centres), OD per unit. Written the plain way: DuckDB's own functions
(``epoch``, ``arg_max``, ``QUALIFY``, ``FILTER``), one table per step, no packing of
integers, no accounting of dropped records, no checks of the input, no per-user output other
than the one scored. Differences from the pipeline, kept on purpose because a hand-written
query would not bother: every B of an A-B-A-B-A run is dropped (the pipeline drops every
second one), and dwell sums are plain ``SUM``s. The places (leader clustering of the cells)
come from the same Python function as the pipeline's, timed with the rest.

Prints one JSON line: seconds, records, users with home and with work.
"""

from __future__ import annotations

import json
import sys
import time

import duckdb
import pandas as pd

from metrocircle.signaling.cells import cells_from_table, prepare_cells
from metrocircle.signaling.params import SignalingParams

P = SignalingParams()


def run(data: str, memory_limit: str = "1GB") -> tuple[pd.DataFrame, float, int]:
    t0 = time.perf_counter()
    con = duckdb.connect(config={"autoinstall_known_extensions": "false",
                                 "autoload_known_extensions": "false"})
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET TimeZone = 'UTC'")
    cdf = pd.read_csv(f"{data}/cells.csv", dtype={"cell_id": str, "unit_id": str})
    cells, _ = prepare_cells(cells_from_table(cdf, id_col="cell_id", lon_col="lon",
                                              lat_col="lat", unit_col="unit_id"),
                             place_radius_km=P.place_radius_km)
    con.register("cells_df", cells)
    con.execute("CREATE TABLE cells AS SELECT * FROM cells_df")
    h = 3600
    thr = int(P.work_min_hours * h)
    day_len = (P.work_end_hour - P.work_start_hour) * h
    r2pp = int(P.pingpong_max_km * 1000) ** 2
    r2home = int(P.work_min_home_km * 1000) ** 2
    gap = int(P.max_gap_hours * h)
    sql = f"""
CREATE TABLE rec AS
SELECT DISTINCT hash(r.uid) AS u, r.uid AS uid, CAST(epoch(r.time) AS BIGINT) AS t, c.cid,
  c.place, c.x, c.y
FROM read_parquet('{data}/records.parquet') r JOIN cells c ON r.cell = c.cell;

CREATE TABLE nb AS
SELECT *, LAG(cid) OVER w AS c_1, LEAD(cid) OVER w AS c1, LAG(t) OVER w AS t_1,
  LEAD(t) OVER w AS t1, LAG(x) OVER w AS x_1, LAG(y) OVER w AS y_1
FROM rec WINDOW w AS (PARTITION BY u ORDER BY t, cid);

CREATE TABLE kept AS
SELECT u, uid, t, cid, place, x, y FROM nb
WHERE NOT (c_1 IS NOT NULL AND c_1 = c1 AND c_1 <> cid AND t1 - t_1 <= {P.pingpong_max_seconds}
           AND (x - x_1) * (x - x_1) + (y - y_1) * (y - y_1) <= {r2pp});

CREATE TABLE dwell AS
SELECT u, cid, place, x, y, t AS s,
  LEAST(COALESCE(LEAD(t) OVER (PARTITION BY u ORDER BY t, cid) - t, 0), {gap}) AS d
FROM kept;

CREATE TABLE pieces AS
SELECT u, cid, place, x, y, day, a, b FROM (
  SELECT u, cid, place, x, y, s // 86400 AS day, s % 86400 AS a,
    LEAST(s % 86400 + d, 86400) AS b FROM dwell
  UNION ALL
  SELECT u, cid, place, x, y, s // 86400 + 1, 0, s % 86400 + d - 86400 FROM dwell
  WHERE s % 86400 + d > 86400);

CREATE TABLE cell_day AS
SELECT u, cid, place, x, y, day, isodow(to_timestamp(day * 86400)) <= 5 AS weekday,
  SUM(b - a) AS total_s,
  SUM(GREATEST(0, LEAST(b, {P.night_end_hour * h}) - a)
      + GREATEST(0, b - GREATEST(a, {P.night_start_hour * h}))) AS night_s,
  SUM(GREATEST(0, LEAST(b, {P.work_end_hour * h}) - GREATEST(a, {P.work_start_hour * h})))
    AS day_s,
  SUM(GREATEST(0, b - GREATEST(a, {P.nightshift_start_hour * h}))) AS ns_late_s,
  SUM(GREATEST(0, LEAST(b, {P.nightshift_end_hour * h}) - a)) AS ns_early_s,
  SUM(GREATEST(0, LEAST(b, {P.evening_end_hour * h}) - GREATEST(a, {P.evening_start_hour * h})))
    AS ev_s
FROM pieces GROUP BY ALL;

CREATE TABLE home AS
WITH ps AS (
  SELECT u, place, SUM(100 * night_s + {int(P.home_day_weight * 100)} * (total_s - night_s))
    AS score FROM cell_day GROUP BY u, place
), hp AS (
  SELECT u, arg_max(place, (score, -place)) AS place FROM ps WHERE score > 0 GROUP BY u
), cs AS (
  SELECT d.u, d.cid, any_value(d.x) AS x, any_value(d.y) AS y,
    SUM(100 * night_s + {int(P.home_day_weight * 100)} * (total_s - night_s)) AS score
  FROM cell_day d JOIN hp USING (u, place) GROUP BY d.u, d.cid
)
SELECT cs.u, any_value(hp.place) AS place, arg_max(cid, (score, -cid)) AS cid,
  FLOOR(SUM(score * x) / SUM(score)) AS hx, FLOOR(SUM(score * y) / SUM(score)) AS hy
FROM cs JOIN hp USING (u) GROUP BY cs.u;

CREATE TABLE work AS
WITH pd AS (
  SELECT u, place, day, SUM(dw) AS dw, SUM(ns) AS ns, SUM(ev) AS ev,
    SUM((dw + ns + ev) * x) AS wx, SUM((dw + ns + ev) * y) AS wy FROM (
    SELECT u, place, day, x, y, CASE WHEN weekday THEN day_s ELSE 0 END AS dw,
      CASE WHEN weekday THEN ns_late_s ELSE 0 END AS ns,
      CASE WHEN weekday THEN ev_s ELSE 0 END AS ev FROM cell_day
    UNION ALL
    SELECT u, place, day - 1, x, y, 0, ns_early_s, 0 FROM cell_day
    WHERE isodow(to_timestamp((day - 1) * 86400)) <= 5 AND ns_early_s > 0)
  WHERE isodow(to_timestamp(day * 86400)) <= 5
  GROUP BY u, place, day
), wd AS (
  SELECT u, place,
    COUNT(*) FILTER (dw >= {thr} OR ns >= {thr} OR ev >= {thr}) AS days,
    COUNT(DISTINCT (day + 3) // 7) FILTER (dw >= {thr} OR ns >= {thr} OR ev >= {thr}) AS weeks,
    SUM(GREATEST(dw, ns, ev)) FILTER (dw >= {thr} OR ns >= {thr} OR ev >= {thr}) AS work_s,
    SUM(GREATEST(dw, ns, ev)) AS all_s,
    FLOOR(SUM(wx) FILTER (dw >= {thr} OR ns >= {thr} OR ev >= {thr})
      / SUM(dw + ns + ev) FILTER (dw >= {thr} OR ns >= {thr} OR ev >= {thr})) AS cx,
    FLOOR(SUM(wy) FILTER (dw >= {thr} OR ns >= {thr} OR ev >= {thr})
      / SUM(dw + ns + ev) FILTER (dw >= {thr} OR ns >= {thr} OR ev >= {thr})) AS cy
  FROM pd GROUP BY u, place
), obs AS (
  SELECT u, SUM(n) AS weekdays, COUNT(*) FILTER (n >= 3) AS weeks FROM (
    SELECT u, (day + 3) // 7 AS week, COUNT(DISTINCT day) AS n FROM cell_day
    WHERE weekday AND total_s > 0 GROUP BY u, week) GROUP BY u
), best AS (
  SELECT wd.u, wd.place FROM wd JOIN home h USING (u) JOIN obs USING (u)
  WHERE wd.place <> h.place AND wd.days >= {P.work_min_days}
    AND wd.days >= {P.work_min_share} * obs.weekdays
    AND wd.weeks >= {P.work_min_week_share} * obs.weeks
    AND wd.all_s >= {P.work_min_time_share} * {day_len} * obs.weekdays
    AND (wd.cx - h.hx) ^ 2 + (wd.cy - h.hy) ^ 2 >= {r2home}
  QUALIFY ROW_NUMBER() OVER (PARTITION BY wd.u ORDER BY wd.days DESC, wd.work_s DESC,
                                     wd.place) = 1
)
SELECT d.u, arg_max(d.cid, (d.s, -d.cid)) AS cid FROM (
  SELECT u, cid, SUM(day_s * weekday::INT + ns_late_s + ns_early_s + ev_s * weekday::INT) AS s
  FROM cell_day JOIN best USING (u, place) GROUP BY u, cid) d GROUP BY d.u;

CREATE TABLE users AS
SELECT k.uid, hc.unit AS home_unit, wc.unit AS work_unit
FROM (SELECT DISTINCT u, uid FROM kept) k
LEFT JOIN home h USING (u) LEFT JOIN cells hc ON h.cid = hc.cid
LEFT JOIN work w USING (u) LEFT JOIN cells wc ON w.cid = wc.cid;
"""
    con.execute(sql)
    con.execute("SELECT home_unit AS origin, work_unit AS destination, COUNT(*) AS n "
                "FROM users WHERE work_unit IS NOT NULL GROUP BY ALL").df()
    users = con.execute("SELECT * FROM users").df()
    n = con.execute("SELECT COUNT(*) FROM read_parquet(?)",
                    [f"{data}/records.parquet"]).fetchone()[0]
    con.close()
    return users, time.perf_counter() - t0, int(n)


if __name__ == "__main__":
    data, out = sys.argv[1], sys.argv[2]
    users, seconds, n = run(data, sys.argv[3] if len(sys.argv) > 3 else "1GB")
    if out != "-":
        users.to_csv(out, index=False)
    print(json.dumps({"engine": "plain-sql", "seconds": seconds, "records": n,
                      "with_home": int(users["home_unit"].notna().sum()),
                      "with_work": int(users["work_unit"].notna().sum())}))
