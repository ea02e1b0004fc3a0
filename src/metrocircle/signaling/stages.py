"""The signaling stages, written once as SQL that DuckDB and Spark SQL both accept.

Each function returns the SQL text of one stage (a ``SELECT``). The engine adapters in
:mod:`metrocircle.signaling.engines` only load the records and run these statements, so the
two engines cannot drift apart. The SQL keeps to the common subset of both dialects:
``WITH``, ``CASE``, ``LAG``/``LEAD``/``ROW_NUMBER``/``SUM`` window functions with a named
``WINDOW`` clause, ``GREATEST``/``LEAST``/``COALESCE``/``FLOOR``/``CAST``, and integer
arithmetic on seconds. Time is an integer ``t``: seconds since 1970-01-01 00:00 of the
*local wall-clock* time, so the day is ``FLOOR(t / 86400)``, the weekday ``(day + 3) % 7``
(0 = Monday) and no time-zone function is needed inside the stages. Every decision compares
integers (seconds, metres), so both engines give bit-identical results.

Tables the stages read (prepared by the pipeline):

``rec(uid, t, cell)``
    The records, one row per input record, ``t`` NULL if missing.
``cells(cell, place, x, y, unit)``
    Known cells, ``x``/``y`` in integer metres on a local plane, ``place`` the id of the cell
    cluster (see :func:`metrocircle.signaling.cells.prepare_cells`), ``unit`` may be NULL.
``places(place, px, py)``
    Place (cluster leader) coordinates in integer metres.
"""

from __future__ import annotations

from metrocircle.signaling.params import SignalingParams

DAY = 86400
_W = "WINDOW w AS (PARTITION BY uid ORDER BY t, cell)"


def _ov(a: str, b: str, x: str, y: str) -> str:
    """Seconds of overlap between [a, b) and [x, y)."""
    return f"GREATEST(0, LEAST({b}, {y}) - GREATEST({a}, {x}))"


def flag_records(params: SignalingParams) -> str:
    """Stage 1a (cleaning): give every record one drop reason or NULL.

    Reasons, in priority order: ``missing_value`` (no user, time or cell), ``outside_window``
    (before ``start_date`` or on/after ``end_date``), ``unknown_cell`` (cell not in the cells
    table).
    """
    start, end = params.window_seconds()
    window = []
    if start is not None:
        window.append(f"r.t < {start}")
    if end is not None:
        window.append(f"r.t >= {end}")
    outside = f"WHEN {' OR '.join(window)} THEN 'outside_window'" if window else ""
    return f"""
SELECT r.uid AS uid, r.t AS t, r.cell AS cell, c.place AS place, c.x AS x, c.y AS y,
  CASE WHEN r.uid IS NULL OR r.t IS NULL OR r.cell IS NULL THEN 'missing_value'
       {outside}
       WHEN c.cell IS NULL THEN 'unknown_cell'
       ELSE NULL END AS reason
FROM rec r LEFT JOIN cells c ON r.cell = c.cell"""


def reason_counts() -> str:
    """Records per drop reason (``reason`` NULL = still in)."""
    return "SELECT reason, COUNT(*) AS n FROM flagged GROUP BY reason"


def deduplicate() -> str:
    """Stage 1b (cleaning): one row per (user, time, cell); ``n`` counts the copies."""
    return """
SELECT uid, t, cell, place, x, y, COUNT(*) AS n
FROM flagged WHERE reason IS NULL
GROUP BY uid, t, cell, place, x, y"""


def pingpong(params: SignalingParams) -> str:
    """Stage 1c (cleaning): flag ping-pong records.

    A record at cell B whose previous and next records are both at a neighbouring cell A
    (within ``pingpong_max_km``), with the two A records at most ``pingpong_max_seconds``
    apart, is a candidate. In a run of consecutive candidates (A-B-A-B-A) every second one is
    ping-pong, starting with the first, so the run collapses to A and a real move is never
    erased twice.
    """
    r2 = int(round(params.pingpong_max_km * 1000)) ** 2
    s = int(params.pingpong_max_seconds)
    return f"""
WITH c0 AS (
  SELECT uid, t, cell, place, x, y,
    LAG(cell) OVER w AS prev_cell, LEAD(cell) OVER w AS next_cell,
    LAG(t) OVER w AS prev_t, LEAD(t) OVER w AS next_t,
    LAG(x) OVER w AS prev_x, LAG(y) OVER w AS prev_y
  FROM dedup {_W}
), c1 AS (
  SELECT uid, t, cell, place, x, y,
    CASE WHEN prev_cell = next_cell AND prev_cell <> cell AND next_t - prev_t <= {s}
          AND (prev_x - x) * (prev_x - x) + (prev_y - y) * (prev_y - y) <= {r2}
         THEN 1 ELSE 0 END AS cand
  FROM c0
), c2 AS (
  SELECT uid, t, cell, place, x, y, cand,
    SUM(1 - cand) OVER (PARTITION BY uid ORDER BY t, cell
                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS grp
  FROM c1
)
SELECT uid, t, cell, place,
  CASE WHEN cand = 1 AND ROW_NUMBER() OVER (PARTITION BY uid, grp ORDER BY t, cell) % 2 = 0
       THEN 1 ELSE 0 END AS pp
FROM c2"""


def dwell(params: SignalingParams) -> str:
    """Stage 2a (stays): each kept record dwells until the next one, capped at ``max_gap_hours``."""
    gap = int(round(params.max_gap_hours * 3600))
    return f"""
SELECT uid, cell, place, t AS s, t + LEAST(COALESCE(next_t - t, 0), {gap}) AS e
FROM (SELECT uid, cell, place, t, LEAD(t) OVER w AS next_t FROM clean {_W}) z"""


def cell_days(params: SignalingParams) -> str:
    """Stage 2b (stays): dwell per user, cell and day, split into the time windows.

    A dwell interval crosses at most one midnight (``max_gap_hours`` <= 24), so it is split in
    two pieces at most. Columns: ``total_s``, ``night_s`` (night window), ``daywork_s`` (weekday
    work window), ``ns_late_s`` / ``ns_early_s`` (night-shift window before / after midnight).
    """
    p = params
    day = "CAST(FLOOR(s / 86400) AS BIGINT)"
    d0 = "day * 86400"
    ns, ne = p.night_start_hour * 3600, p.night_end_hour * 3600
    if ns > ne:
        early = _ov("a", "b", d0, f"{d0} + {ne}")
        late = _ov("a", "b", f"{d0} + {ns}", f"{d0} + {DAY}")
        night = f"{early} + {late}"
    else:
        night = _ov("a", "b", f"{d0} + {ns}", f"{d0} + {ne}")
    ws, we = p.work_start_hour * 3600, p.work_end_hour * 3600
    in_hours = _ov("a", "b", f"{d0} + {ws}", f"{d0} + {we}")
    daywork = f"CASE WHEN (day + 3) % 7 < 5 THEN {in_hours} ELSE 0 END"
    nss, nse = p.nightshift_start_hour * 3600, p.nightshift_end_hour * 3600
    return f"""
WITH pieces AS (
  SELECT uid, cell, place, s AS a, LEAST(e, ({day} + 1) * 86400) AS b, {day} AS day FROM dwell
  UNION ALL
  SELECT uid, cell, place, ({day} + 1) * 86400 AS a, e AS b, {day} + 1 AS day FROM dwell
  WHERE e > ({day} + 1) * 86400
)
SELECT uid, cell, place, day,
  SUM(b - a) AS total_s,
  SUM({night}) AS night_s,
  SUM({daywork}) AS daywork_s,
  SUM({_ov('a', 'b', f'{d0} + {nss}', f'{d0} + {DAY}')}) AS ns_late_s,
  SUM({_ov('a', 'b', d0, f'{d0} + {nse}')}) AS ns_early_s
FROM pieces GROUP BY uid, cell, place, day"""


def home(params: SignalingParams) -> str:
    """Stage 3a (home): the place with the largest night-weighted dwell, and its busiest cell.

    Score = ``100 * night_s + round(100 * home_day_weight) * (total_s - night_s)`` (integer).
    The home unit is the unit of the cell with the largest score inside the home place.
    """
    wp = int(round(params.home_day_weight * 100))
    score = f"100 * SUM(night_s) + {wp} * (SUM(total_s) - SUM(night_s))"
    return f"""
WITH ps AS (
  SELECT uid, place, {score} AS score FROM cell_day GROUP BY uid, place
), hp AS (
  SELECT uid, place FROM (
    SELECT uid, place, score, ROW_NUMBER() OVER (PARTITION BY uid ORDER BY score DESC, place) AS rk
    FROM ps WHERE score > 0) z
  WHERE rk = 1
), cs AS (
  SELECT d.uid AS uid, d.cell AS cell, {score.replace('SUM(', 'SUM(d.')} AS score
  FROM cell_day d JOIN hp ON d.uid = hp.uid AND d.place = hp.place
  GROUP BY d.uid, d.cell
), hc AS (
  SELECT uid, cell FROM (
    SELECT uid, cell, ROW_NUMBER() OVER (PARTITION BY uid ORDER BY score DESC, cell) AS rk
    FROM cs) z
  WHERE rk = 1
)
SELECT hp.uid AS uid, hp.place AS place, hc.cell AS cell, c.unit AS unit, pl.px AS px, pl.py AS py
FROM hp JOIN hc ON hp.uid = hc.uid
JOIN cells c ON hc.cell = c.cell
JOIN places pl ON hp.place = pl.place"""


def work(params: SignalingParams) -> str:
    """Stage 3b (work): the regular weekday work place away from home.

    A (place, day) is a work day when the weekday daytime dwell or the night-shift dwell
    (shift starting on a weekday evening) reaches ``work_min_hours``. A place needs at least
    ``work_min_days`` work days and ``work_min_share`` of the user's observed weekdays, must
    not be the home place nor closer than ``work_min_home_km`` to it. The best place has the
    most work days (then most work seconds, then smallest id). ``night`` = 1 when most of its
    work days were night shifts.
    """
    p = params
    thr = int(round(p.work_min_hours * 3600))
    share = int(round(p.work_min_share * 1000))
    r2 = int(round(p.work_min_home_km * 1000)) ** 2
    return f"""
WITH pd AS (
  SELECT uid, place, day, SUM(dw) AS dw, SUM(ns) AS ns FROM (
    SELECT uid, place, day, daywork_s AS dw, ns_late_s AS ns FROM cell_day
    UNION ALL
    SELECT uid, place, day - 1 AS day, 0 AS dw, ns_early_s AS ns FROM cell_day
  ) u GROUP BY uid, place, day
), wd AS (
  SELECT uid, place, COUNT(*) AS days, SUM(GREATEST(dw, ns)) AS work_s,
    SUM(CASE WHEN ns > dw THEN 1 ELSE 0 END) AS night_days
  FROM pd WHERE (day + 3) % 7 < 5 AND (dw >= {thr} OR ns >= {thr})
  GROUP BY uid, place
), obs AS (
  SELECT uid, COUNT(DISTINCT day) AS weekdays FROM cell_day
  WHERE (day + 3) % 7 < 5 AND total_s > 0 GROUP BY uid
), cand AS (
  SELECT wd.uid AS uid, wd.place AS place, wd.days AS days, wd.work_s AS work_s,
    wd.night_days AS night_days
  FROM wd JOIN home h ON wd.uid = h.uid
  JOIN places pl ON wd.place = pl.place
  JOIN obs ON wd.uid = obs.uid
  WHERE wd.place <> h.place
    AND (pl.px - h.px) * (pl.px - h.px) + (pl.py - h.py) * (pl.py - h.py) >= {r2}
    AND wd.days >= {int(p.work_min_days)}
    AND wd.days * 1000 >= {share} * obs.weekdays
), wp AS (
  SELECT uid, place, night_days, days FROM (
    SELECT uid, place, night_days, days,
      ROW_NUMBER() OVER (PARTITION BY uid ORDER BY days DESC, work_s DESC, place) AS rk
    FROM cand) z
  WHERE rk = 1
), cs AS (
  SELECT d.uid AS uid, d.cell AS cell,
    SUM(d.daywork_s) + SUM(d.ns_late_s) + SUM(d.ns_early_s) AS score
  FROM cell_day d JOIN wp ON d.uid = wp.uid AND d.place = wp.place
  GROUP BY d.uid, d.cell
), wc AS (
  SELECT uid, cell FROM (
    SELECT uid, cell, ROW_NUMBER() OVER (PARTITION BY uid ORDER BY score DESC, cell) AS rk
    FROM cs) z
  WHERE rk = 1
)
SELECT wp.uid AS uid, wp.place AS place, wc.cell AS cell, c.unit AS unit,
  CASE WHEN 2 * wp.night_days > wp.days THEN 1 ELSE 0 END AS night
FROM wp JOIN wc ON wp.uid = wc.uid JOIN cells c ON wc.cell = c.cell"""


def users() -> str:
    """Stage 4a: one row per user seen after cleaning (stays inside the engine; never output)."""
    return """
SELECT u.uid AS uid, h.unit AS home_unit, w.unit AS work_unit, h.cell AS home_cell,
  w.cell AS work_cell,
  CASE WHEN h.uid IS NULL THEN 0 ELSE 1 END AS has_home,
  CASE WHEN w.uid IS NULL THEN 0 ELSE 1 END AS has_work,
  COALESCE(w.night, 0) AS night
FROM (SELECT DISTINCT uid FROM clean) u
LEFT JOIN home h ON u.uid = h.uid
LEFT JOIN work w ON u.uid = w.uid"""


def od_counts() -> str:
    """Stage 4b: users per (home unit, work unit); work unit NULL = no work place."""
    return """
SELECT home_unit AS origin, work_unit AS destination, COUNT(*) AS n
FROM users WHERE has_home = 1 AND home_unit IS NOT NULL
GROUP BY home_unit, work_unit"""


def user_counts() -> str:
    """Stage 4c: user counts for the accounting (aggregates only)."""
    return """
SELECT COUNT(*) AS users, SUM(has_home) AS with_home, SUM(has_work) AS with_work,
  SUM(CASE WHEN has_home = 0 AND has_work = 0 THEN 1 ELSE 0 END) AS with_neither,
  SUM(night) AS night_shift,
  SUM(CASE WHEN has_home = 1 AND home_unit IS NULL THEN 1 ELSE 0 END) AS home_outside_units,
  SUM(CASE WHEN has_work = 1 AND work_unit IS NULL THEN 1 ELSE 0 END) AS work_outside_units
FROM users"""

