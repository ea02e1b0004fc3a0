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
``cells(cell, cid, place, x, y, unit)``
    Known cells, ``cid`` an integer id, ``x``/``y`` in integer metres on a local plane,
    ``place`` the id of the cell cluster (see
    :func:`metrocircle.signaling.cells.prepare_cells`), ``unit`` may be NULL.
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


#: Reasons that stop a run with one error (they are never a counted drop).
TIME_REASONS = ("bad_time", "time_zone_needed", "time_out_of_range")


def time_reason(r: str = "r") -> str:
    """SQL of the timestamp problem of record ``r`` (one of :data:`TIME_REASONS`) or NULL.

    ``bad_time``: text that is not a timestamp; ``time_zone_needed``: a timestamp with an
    offset or zone while no analysis time zone was given; ``time_out_of_range``: before
    1990-01-01 or from 2100-01-01 on (local time), which also keeps every later integer key
    far from overflowing.
    """
    return f"CASE {_time_whens(r)} ELSE NULL END"


def _time_whens(r: str) -> str:
    from metrocircle.signaling.engines.base import T_MAX, T_MIN

    return f"""WHEN {r}.tprob IS NOT NULL THEN {r}.tprob
       WHEN {r}.t IS NULL AND {r}.time_raw IS NOT NULL
            AND TRIM(CAST({r}.time_raw AS STRING)) <> '' THEN 'bad_time'
       WHEN {r}.t < {T_MIN} OR {r}.t >= {T_MAX} THEN 'time_out_of_range'"""


def flag_records(params: SignalingParams, uid_key: str = "{}") -> str:
    """Stage 1a (cleaning): give every record one drop reason or NULL.

    Reasons, in priority order: a timestamp problem of :func:`time_reason` (the pipeline
    stops with one error listing the records), ``missing_value`` (no user, time or cell),
    ``outside_window``
    (before ``start_date`` or on/after ``end_date``), ``unknown_cell`` (cell not in the cells
    table). From here on the user is a 64-bit hash key (``uid_key`` is the engine's hash
    function template) and the cell its integer ``cid``: the windows sort fixed-width keys.
    """
    start, end = params.window_seconds()
    window = []
    if start is not None:
        window.append(f"r.t < {start}")
    if end is not None:
        window.append(f"r.t >= {end}")
    outside = f"WHEN {' OR '.join(window)} THEN 'outside_window'" if window else ""
    key = uid_key.format("r.uid")
    return f"""
SELECT CASE WHEN r.uid IS NULL THEN NULL ELSE {key} END AS uid, r.uid AS uid_raw, r.t AS t,
  c.cid AS cell, c.place AS place, c.x AS x, c.y AS y,
  CASE {_time_whens('r')}
       WHEN r.uid IS NULL OR r.t IS NULL OR r.cell IS NULL THEN 'missing_value'
       {outside}
       WHEN c.cid IS NULL THEN 'unknown_cell'
       ELSE NULL END AS reason
FROM rec_raw r LEFT JOIN cells c ON r.cell = c.cell"""


def reason_counts() -> str:
    """Records per drop reason (``reason`` NULL = still in)."""
    return "SELECT reason, COUNT(*) AS n FROM flagged GROUP BY reason"


#: Records are sorted by one integer key ``k = t * CELL_SPACE + cid``: time, then cell. The
#: cell is the key's low ``CELL_BITS`` bits and the time the rest, read with a bitwise AND and an
#: arithmetic shift (exact for negative times too, and much cheaper than a modulo and a
#: division on every record).
CELL_BITS = 22
CELL_SPACE = 1 << CELL_BITS  # 4,194,304 cell ids at most


def _t(k: str) -> str:
    """The time (seconds) of key ``k``."""
    return f"({k} >> {CELL_BITS})"


def _dt(a: str, b: str) -> str:
    """Seconds from key ``a`` to key ``b``."""
    return f"(({b} >> {CELL_BITS}) - ({a} >> {CELL_BITS}))"


def _flag(cond: str, bit: int) -> str:
    return f"CASE WHEN {cond} THEN {bit} ELSE 0 END"


def pingpong_pass1(params: SignalingParams) -> str:
    """Stage 1b (cleaning): one window pass over the valid records, sorted by user and ``k``.

    Exact duplicates (same user, time and cell) are adjacent; every copy but the last is a
    duplicate (its next record has the same key) and is dropped, so the kept copy's next record
    is a different one. Duplicates are removed in the same pass as ping-pong is detected: a
    ping-pong record that is itself duplicated is not detected (its kept copy's previous record
    is its own copy).

    Each record keeps only its key ``k``, its dwell ``d`` until the next record (seconds,
    capped at ``max_gap_hours``) and the bit flags ``f``: 1 = it can be ping-pong (an A-B-A
    candidate before the distance test), 2 = the next record can be, 4 = the record two
    before had flag 2 (so the record after a possible ping-pong is at hand), 8 = duplicate.
    Every record is kept (so the row count is the number of valid records); plain duplicates
    (``f`` = 8) go no further, and every other record with a flag goes to the ping-pong stage,
    where the neighbours it needs are next to it.
    """
    s = int(params.pingpong_max_seconds) * CELL_SPACE
    gap = int(round(params.max_gap_hours * 3600))
    c = _cell
    c0 = f"{c('k_1')} = {c('k1')} AND {c('k_1')} <> {c('k')} AND k1 - k_1 <= {s}"
    c0n = f"{c('k')} = {c('k2')} AND {c('k1')} <> {c('k')} AND k2 - k <= {s}"
    ext = f"{c('k_2')} = {c('k')} AND {c('k_1')} <> {c('k_2')} AND k - k_2 <= {s}"
    flags = " + ".join([_flag(c0, 1), _flag(c0n, 2), _flag(ext, 4), _flag("k1 = k", 8)])
    return f"""
SELECT uid, k, d, f FROM (
  SELECT uid, k, CAST(LEAST(COALESCE({_dt('k', 'k1')}, 0), {gap}) AS INT) AS d,
    {flags} AS f FROM (
    SELECT uid, k, LAG(k, 2) OVER w AS k_2, LAG(k, 1) OVER w AS k_1, LEAD(k, 1) OVER w AS k1,
      LEAD(k, 2) OVER w AS k2
    FROM (SELECT uid, t * {CELL_SPACE} + cell AS k FROM flagged WHERE reason IS NULL) v
    WINDOW w AS (PARTITION BY uid ORDER BY k)
  ) z
) y"""


def _cell(k: str) -> str:
    """The cell id of key ``k``."""
    return f"({k} & {CELL_SPACE - 1})"


def pingpong(params: SignalingParams) -> str:
    """Stage 1c (cleaning): flag ping-pong records among the few that can be.

    A record at cell B whose previous and next records are both at a neighbouring cell A
    (within ``pingpong_max_km``), with the two A records at most ``pingpong_max_seconds``
    apart, is a candidate. In a run of consecutive candidates (A-B-A-B-A) every second one is
    ping-pong, starting with the first, so the run collapses to A and a real move is never
    erased twice. Only the flagged records of ``pp1`` (a few per cent) reach this stage's
    windows: a candidate's previous record and a possible candidate's next two records are
    flagged too, so they are the neighbours here. Every other record of ``pp1`` is kept as it
    is. ``pp_next`` tells whether the next record is ping-pong (two ping-pong records are never
    adjacent); then the dwell ``d`` runs to the record after it (capped at ``max_gap_hours``).
    """
    r2 = int(round(params.pingpong_max_km * 1000)) ** 2
    gap = int(round(params.max_gap_hours * 3600))

    def near(ax: str, ay: str, bx: str, by: str) -> str:
        return f"(({ax} - {bx}) * ({ax} - {bx}) + ({ay} - {by}) * ({ay} - {by}) <= {r2})"

    # one join for the coordinates, then the neighbours' coordinates come with the window
    return f"""
WITH nb AS (
  SELECT uid, k, d, f, LAG(x, 1) OVER w AS x_1, LAG(y, 1) OVER w AS y_1, x, y,
    LEAD(x, 1) OVER w AS x1, LEAD(y, 1) OVER w AS y1, LEAD(k, 2) OVER w AS k2
  FROM (SELECT p.uid AS uid, p.k AS k, p.d AS d, p.f AS f, c.x AS x, c.y AS y
        FROM pp1 p JOIN cells c ON c.cid = {_cell('p.k')} WHERE p.f > 0 AND p.f <> 8) q
  WINDOW w AS (PARTITION BY uid ORDER BY k)
), sub AS (
  SELECT uid, k, d, k2,
    CASE WHEN f % 2 = 1 AND {near('x_1', 'y_1', 'x', 'y')} THEN 1 ELSE 0 END AS cand,
    CASE WHEN f % 4 >= 2 AND {near('x', 'y', 'x1', 'y1')} THEN 1 ELSE 0 END AS cand_next
  FROM nb WHERE f < 8
), sub2 AS (
  SELECT uid, k, d, k2, cand, cand_next, ROW_NUMBER() OVER w AS rn,
    MAX(CASE WHEN cand = 0 THEN k ELSE NULL END) OVER (
      PARTITION BY uid ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS last_nc_k
  FROM sub WINDOW w AS (PARTITION BY uid ORDER BY k)
), sub3 AS (
  SELECT s.uid AS uid, s.k AS k, s.d AS d, s.k2 AS k2, s.cand AS cand,
    s.cand_next AS cand_next, s.rn AS rn, a.rn AS last_nc
  FROM sub2 s LEFT JOIN sub2 a ON s.uid = a.uid AND s.last_nc_k = a.k
), sub4 AS (
  SELECT uid, k, d, k2,
    CASE WHEN cand = 1 AND (rn - last_nc) % 2 = 1 THEN 1 ELSE 0 END AS pp,
    CASE WHEN cand_next = 1
          AND (rn + 1 - CASE WHEN cand = 0 THEN rn ELSE last_nc END) % 2 = 1
         THEN 1 ELSE 0 END AS pp_next
  FROM sub3
)
SELECT uid, k, pp, pp_next,
  CASE WHEN pp_next = 1 THEN CAST(LEAST({_dt('k', 'k2')}, {gap}) AS INT) ELSE d END AS d
FROM sub4"""


def dwell(params: SignalingParams) -> str:
    """Stage 2a (stays): kept records with their start ``s`` (seconds) and dwell ``d``.

    A kept record dwells from ``s`` until the next kept record (the next one, or the one after
    when the next is ping-pong), capped at ``max_gap_hours`` (``d`` of stages 1b and 1c).
    """
    return f"""
SELECT uid, {_cell('k')} AS cell, {_t('k')} AS s, d
FROM (
  SELECT uid, k, d FROM ppsub WHERE pp = 0
  UNION ALL
  SELECT uid, k, d FROM pp1 WHERE f = 0
) z"""


_WINDOWS = ("total_s", "night_s", "daywork_s", "ns_late_s", "ns_early_s", "evening_s")


def _window_exprs(params: SignalingParams, a: str, b: str) -> list[str]:
    """Seconds of [a, b) in each time window of a day (in the order of ``_WINDOWS``).

    ``a`` and ``b`` are seconds since the day's midnight with ``0 <= a <= b <= 86400`` (a
    piece of :func:`cell_days`), so a window that reaches midnight needs one bound only, and
    the night window, when it runs over midnight, is the piece minus its overlap with the day.
    ``daywork_s`` and ``evening_s`` are the overlaps with the work hours and the evening-shift
    hours on any day: :func:`cell_days` keeps them on weekdays only, after the aggregation
    (the day is one of its keys).
    """
    p = params
    ns, ne = p.night_start_hour * 3600, p.night_end_hour * 3600
    if ns > ne:
        night = f"{b} - {a} - {_ov(a, b, str(ne), str(ns))}"
    else:
        night = _ov(a, b, str(ns), str(ne))
    ws, we = p.work_start_hour * 3600, p.work_end_hour * 3600
    nss, nse = p.nightshift_start_hour * 3600, p.nightshift_end_hour * 3600
    es, ee = p.evening_start_hour * 3600, p.evening_end_hour * 3600
    evening = (f"GREATEST(0, {b} - GREATEST({a}, {es}))" if ee == DAY
               else _ov(a, b, str(es), str(ee)))
    return [f"{b} - {a}", night, _ov(a, b, str(ws), str(we)),
            f"GREATEST(0, {b} - GREATEST({a}, {nss}))",
            f"GREATEST(0, LEAST({b}, {nse}) - {a})", evening]


#: Field width of the packed sums of :func:`cell_days` (2**20 s > 12 days).
PACK = 1_048_576


def _unpack(p: str, i: int) -> str:
    """Field ``i`` of the packed sum ``p`` (exact: the division is by a power of two)."""
    lo = f"{p} % {PACK ** i}" if i else "0"
    return f"CAST(({p} % {PACK ** (i + 1)} - {lo}) / {PACK ** i} AS BIGINT)"


def cell_days(params: SignalingParams) -> str:
    """Stage 2b (stays): dwell per user, cell (with its place) and day, in the time windows.

    A dwell interval crosses at most one midnight (``max_gap_hours`` <= 24), so it is split
    into two pieces at most. Windows: ``total_s``, ``night_s`` (night window), ``daywork_s``
    (weekday work window), ``ns_late_s`` / ``ns_early_s`` (night-shift window before / after
    midnight), ``evening_s`` (weekday evening-shift window). ``x``, ``y`` are the cell's
    position (for the centres of home and work places).

    The six sums are computed as two: three 20-bit fields in each integer. A
    user's dwell intervals never overlap, so no window sum of one user, cell and day exceeds
    86,400 s and no field carries into the next; the aggregation then keeps two sums instead of
    five, which is most of this stage's cost. Work hours count on weekdays only: the day is a
    key of the aggregation, so that test is made once per row of the result.
    """
    ex = _window_exprs(params, "a", "b")
    p1 = f"({ex[0]}) + {PACK} * ({ex[1]}) + {PACK * PACK} * ({ex[2]})"
    p2 = f"({ex[3]}) + {PACK} * ({ex[4]}) + {PACK * PACK} * ({ex[5]})"
    fields = [("p1", 0), ("p1", 1), ("p1", 2), ("p2", 0), ("p2", 1), ("p2", 2)]
    sums = [f"{_unpack('d.' + p, i)}" for p, i in fields]
    for i in (2, 5):
        sums[i] = f"CASE WHEN (d.day + 3) % 7 < 5 THEN {sums[i]} ELSE 0 END"
    cols = ", ".join(f"{e} AS {n}" for e, n in zip(sums, _WINDOWS, strict=True))
    # a and b: seconds since the midnight of the start day sd (the window bounds are constants)
    return f"""
WITH y AS (
  SELECT uid, cell, s - sd * 86400 AS a, s - sd * 86400 + d AS b, sd
  FROM (SELECT uid, cell, s, CAST(FLOOR(s / 86400) AS BIGINT) AS sd, d FROM dwell) x
), pieces AS (
  SELECT uid, cell, a, LEAST(b, 86400) AS b, sd AS day FROM y
  UNION ALL
  SELECT uid, cell, 0 AS a, b - 86400 AS b, sd + 1 AS day FROM y WHERE b > 86400
)
SELECT d.uid AS uid, d.cell AS cell, c.place AS place, d.day AS day, {cols}, c.x AS x,
  c.y AS y
FROM (
  SELECT uid, cell, day, CAST(SUM({p1}) AS BIGINT) AS p1, CAST(SUM({p2}) AS BIGINT) AS p2
  FROM pieces GROUP BY uid, cell, day
) d JOIN cells c ON c.cid = d.cell"""


def _first_per_user(cols: str, source: str, order: str) -> str:
    """``cols`` of the first row per user of ``source`` by ``order`` (ties broken by ``order``
    itself, which ends with an id, so the choice is the same on every engine)."""
    return (f"SELECT {cols} FROM (SELECT {cols}, ROW_NUMBER() OVER (PARTITION BY uid ORDER BY "
            f"{order}) AS rk FROM {source}) z WHERE rk = 1")


def home(params: SignalingParams) -> str:
    """Stage 3a (home): the place with the largest night-weighted dwell, and its busiest cell.

    Score = ``100 * night_s + round(100 * home_day_weight) * (total_s - night_s)`` (integer).
    The home unit is the unit of the cell with the largest score inside the home place; the
    home centre (``hx``, ``hy``) the score-weighted mean position of the place's cells.
    """
    wp = int(round(params.home_day_weight * 100))
    score = f"100 * SUM(night_s) + {wp} * (SUM(total_s) - SUM(night_s))"
    return f"""
WITH ps AS (
  SELECT uid, place, {score} AS score FROM cell_day GROUP BY uid, place
), hp AS (
  {_first_per_user("uid, place", "ps WHERE score > 0", "score DESC, place")}
), cs AS (
  SELECT d.uid AS uid, d.cell AS cell, {score.replace('SUM(', 'SUM(d.')} AS score
  FROM cell_day d JOIN hp ON d.uid = hp.uid AND d.place = hp.place
  GROUP BY d.uid, d.cell
), hc AS (
  {_first_per_user("uid, cell", "cs", "score DESC, cell")}
), cen AS (
  SELECT cs.uid AS uid, {_centre('cs.score', 'c.x')} AS hx, {_centre('cs.score', 'c.y')} AS hy
  FROM cs JOIN cells c ON cs.cell = c.cid GROUP BY cs.uid
)
SELECT hp.uid AS uid, hp.place AS place, hc.cell AS cell, c.unit AS unit, cen.hx AS hx,
  cen.hy AS hy
FROM hp JOIN hc ON hp.uid = hc.uid
JOIN cen ON hp.uid = cen.uid
JOIN cells c ON hc.cell = c.cid"""


def _centre(w: str, v: str) -> str:
    """Weighted mean of ``v`` (integer metres) by ``w`` within a group, floored to a metre
    (exact in both engines: the sums stay far below 2**53)."""
    return f"CAST(FLOOR(SUM({w} * {v}) / SUM({w})) AS BIGINT)"


def work(params: SignalingParams) -> str:
    """Stage 3b (work): the regular weekday work place away from home.

    A (place, weekday) is a work day when the dwell in the day window, in the evening-shift
    window or in the night-shift window (a shift starting that evening) reaches
    ``work_min_hours``. A place is a work place when it has

    * at least ``work_min_days`` work days and ``work_min_share`` of the user's observed
      weekdays;
    * work days in at least ``work_min_week_share`` of the weeks in which the user was seen on
      three weekdays or more (regular across weeks);
    * dwell in the work windows on all weekdays of at least ``work_min_time_share`` of the
      observed weekdays times the day window's length (it fills the working day);
    * a centre (work-window-dwell-weighted mean position of its cells) at least
      ``work_min_home_km`` from the home centre, and is not the home place.

    The best place has the most work days (then most work seconds, then smallest id).
    ``night`` = 1 when most of its work days were night shifts.
    """
    p = params
    thr = int(round(p.work_min_hours * 3600))
    share = int(round(p.work_min_share * 1000))
    wshare = int(round(p.work_min_week_share * 1000))
    tshare = int(round(p.work_min_time_share * 1000)) * (p.work_end_hour - p.work_start_hour) \
        * 3600
    r2 = int(round(p.work_min_home_km * 1000)) ** 2
    week = "CAST(FLOOR((day + 3) / 7) AS BIGINT)"
    is_work = f"(dw >= {thr} OR ns >= {thr} OR ev >= {thr})"
    return f"""
WITH pd AS (
  SELECT uid, place, day, SUM(dw) AS dw, SUM(ns) AS ns, SUM(ev) AS ev, SUM(wx) AS wx,
    SUM(wy) AS wy FROM (
    SELECT uid, place, day, daywork_s AS dw, ns_late_s AS ns, evening_s AS ev,
      (daywork_s + ns_late_s + evening_s) * x AS wx, (daywork_s + ns_late_s + evening_s) * y AS wy
    FROM cell_day
    WHERE (day + 3) % 7 < 5 AND (daywork_s > 0 OR ns_late_s > 0 OR evening_s > 0)
    UNION ALL
    SELECT uid, place, day - 1 AS day, 0 AS dw, ns_early_s AS ns, 0 AS ev, ns_early_s * x AS wx,
      ns_early_s * y AS wy FROM cell_day
    WHERE (day + 2) % 7 < 5 AND ns_early_s > 0
  ) u GROUP BY uid, place, day
), wd0 AS (
  SELECT uid, place, SUM(CASE WHEN {is_work} THEN 1 ELSE 0 END) AS days,
    COUNT(DISTINCT CASE WHEN {is_work} THEN {week} ELSE NULL END) AS weeks,
    SUM(CASE WHEN {is_work} THEN GREATEST(dw, ns, ev) ELSE 0 END) AS work_s,
    SUM(GREATEST(dw, ns, ev)) AS all_s,
    SUM(CASE WHEN {is_work} AND ns > GREATEST(dw, ev) THEN 1 ELSE 0 END) AS night_days,
    SUM(CASE WHEN {is_work} THEN wx ELSE 0 END) AS wx,
    SUM(CASE WHEN {is_work} THEN wy ELSE 0 END) AS wy,
    SUM(CASE WHEN {is_work} THEN dw + ns + ev ELSE 0 END) AS ww
  FROM pd WHERE (day + 3) % 7 < 5
  GROUP BY uid, place
), wd AS (
  SELECT uid, place, days, weeks, work_s, all_s, night_days,
    CAST(FLOOR(wx / NULLIF(ww, 0)) AS BIGINT) AS cx, CAST(FLOOR(wy / NULLIF(ww, 0)) AS BIGINT) AS cy
  FROM wd0 WHERE days >= {int(p.work_min_days)}
), wk AS (
  SELECT uid, {week} AS week, COUNT(*) AS n FROM (
    SELECT DISTINCT uid, day FROM cell_day WHERE (day + 3) % 7 < 5 AND total_s > 0) o
  GROUP BY uid, {week}
), obs AS (
  SELECT uid, SUM(n) AS weekdays, SUM(CASE WHEN n >= 3 THEN 1 ELSE 0 END) AS weeks
  FROM wk GROUP BY uid
), cand AS (
  SELECT wd.uid AS uid, wd.place AS place, wd.days AS days, wd.work_s AS work_s,
    wd.night_days AS night_days
  FROM wd JOIN home h ON wd.uid = h.uid
  JOIN obs ON wd.uid = obs.uid
  WHERE wd.place <> h.place
    AND wd.days * 1000 >= {share} * obs.weekdays
    AND wd.weeks * 1000 >= {wshare} * obs.weeks
    AND wd.all_s * 1000 >= {tshare} * obs.weekdays
    AND (wd.cx - h.hx) * (wd.cx - h.hx) + (wd.cy - h.hy) * (wd.cy - h.hy) >= {r2}
), wp AS (
  {_first_per_user("uid, place, night_days, days", "cand", "days DESC, work_s DESC, place")}
), cs AS (
  SELECT d.uid AS uid, d.cell AS cell,
    SUM(d.daywork_s) + SUM(d.ns_late_s) + SUM(d.ns_early_s) + SUM(d.evening_s) AS score
  FROM cell_day d JOIN wp ON d.uid = wp.uid AND d.place = wp.place
  GROUP BY d.uid, d.cell
), wc AS (
  {_first_per_user("uid, cell", "cs", "score DESC, cell")}
)
SELECT wp.uid AS uid, wp.place AS place, wc.cell AS cell, c.unit AS unit,
  CASE WHEN 2 * wp.night_days > wp.days THEN 1 ELSE 0 END AS night
FROM wp JOIN wc ON wp.uid = wc.uid JOIN cells c ON wc.cell = c.cid"""


def users() -> str:
    """Stage 4a: one row per user seen after cleaning (stays inside the engine; never output)."""
    return """
SELECT u.uid AS uid, h.unit AS home_unit, w.unit AS work_unit, h.cell AS home_cell,
  w.cell AS work_cell,
  CASE WHEN h.uid IS NULL THEN 0 ELSE 1 END AS has_home,
  CASE WHEN w.uid IS NULL THEN 0 ELSE 1 END AS has_work,
  COALESCE(w.night, 0) AS night
FROM (SELECT DISTINCT uid FROM cell_day) u
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

