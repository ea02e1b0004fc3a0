"""Rail timetables: validation, direct in-vehicle times and schedule-following journeys.

A :class:`Timetable` holds stop times (one row per call of a train at a station, times in
minutes after midnight of the train's service day, possibly beyond 1440), trips (one row per
train run, with its ``line``: the train class such as ``G``/``D``/``K`` or a GTFS route) and
stations (name, unit, coordinates). There is no calendar: every trip runs every day, so the
day before's and the next day's runs are added when journeys cross midnight.

Journeys are routed on a **time-expanded graph** with ``scipy.sparse.csgraph``: one node per
arrival, per departure (on board) and per boarding opportunity (waiting on the platform) of
every call. Edges only go forward in time, so a train can never be boarded before it arrives,
and every path from a departure event at time ``t0`` to an event at ``t`` has length
``t - t0``. A super-source per station links to every boarding opportunity at that station in
the departure window; one Dijkstra per origin station then yields, for every destination
station, the fastest journey that starts within the window (latest departure that still
reaches each arrival), transfers included.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from metrocircle.exceptions import ParameterError, Problems

logger = logging.getLogger(__name__)

HIGH_SPEED_CLASSES = ("G", "D", "C")

_ALIASES = {
    "trip_id": ("trip_id",),
    "stop_sequence": ("stop_sequence",),
    "station": ("station", "station_name_zh", "stop_id", "station_id"),
    "arrival_min": ("arrival_min",),
    "departure_min": ("departure_min",),
    "arrival_time": ("arrival_time",),
    "departure_time": ("departure_time",),
    "unit_id": ("unit_id", "unit_code"),
    "lon": ("lon", "lon_wgs84", "stop_lon", "longitude"),
    "lat": ("lat", "lat_wgs84", "stop_lat", "latitude"),
    "line": ("line", "train_class", "route_id"),
    "status": ("status",),
}

#: station statuses that mean "not in the study area" (see the Chongqing transport README)
EXCLUDED_STATUSES = ("false_positive_outside_study_area",)


def _pick(df: pd.DataFrame, key: str) -> str | None:
    for name in _ALIASES[key]:
        if name in df.columns:
            return name
    return None


def parse_hms_minutes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse ``HH:MM[:SS]`` (hours may exceed 24) to minutes; returns (minutes, bad mask)."""
    text = values.astype("string").str.strip()
    m = text.str.extract(r"^(\d{1,3}):(\d{2})(?::(\d{2}))?$")
    hours = pd.to_numeric(m[0], errors="coerce")
    mins = pd.to_numeric(m[1], errors="coerce")
    secs = pd.to_numeric(m[2], errors="coerce").fillna(0)
    out = (hours * 60 + mins + secs / 60.0).to_numpy(dtype=float, na_value=np.nan)
    bad = np.isnan(out) | (mins.to_numpy(dtype=float, na_value=np.nan) >= 60)
    return out, bad


@dataclass
class Timetable:
    """A validated rail timetable.

    Attributes
    ----------
    stop_times
        ``trip_id, stop_sequence, station, arrival_min, departure_min`` sorted by trip and
        sequence (float minutes after midnight of the trip's service day).
    trips
        ``trip_id, line, is_high_speed``.
    stations
        ``station, unit_id, lon, lat`` for stations of the study area (``unit_id`` known).
    info
        Counts of what was set aside and why (e.g. stations outside the study area).
    """

    stop_times: pd.DataFrame
    trips: pd.DataFrame
    stations: pd.DataFrame
    info: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_tables(
        cls,
        stop_times: pd.DataFrame,
        trips: pd.DataFrame | None = None,
        stations: pd.DataFrame | None = None,
        *,
        unit_ids: pd.Series | None = None,
    ) -> Timetable:
        """Validate GTFS-like tables and build a timetable.

        Every problem is collected and raised once as :class:`~metrocircle.InputError`:
        missing columns, unparsable times, a stop time before the previous stop of its trip,
        a departure before its arrival, duplicate stop sequences, a trip unknown to the trips
        table, a station whose unit is unknown, an unknown ``status``.
        Stations of the stop times that are absent from ``stations`` (or have no unit) are
        outside the study area: trains still run through them (transfers there are allowed)
        but no unit can board there. They are counted in ``info``.
        """
        p = Problems()
        st = stop_times.copy()
        cols = {k: _pick(st, k) for k in ("trip_id", "stop_sequence", "station")}
        for key, col in cols.items():
            if col is None:
                p.add("stop_times", f"missing column '{key}' (or one of {_ALIASES[key]})")
        has_min = _pick(st, "arrival_min") and _pick(st, "departure_min")
        has_time = _pick(st, "arrival_time") and _pick(st, "departure_time")
        if not has_min and not has_time:
            p.add(
                "stop_times",
                "missing arrival/departure columns (arrival_min/departure_min "
                "or arrival_time/departure_time)",
            )
        p.raise_if_any()
        rows = np.arange(len(st)) + 2  # spreadsheet row numbers
        if has_min:
            arr = pd.to_numeric(st[_pick(st, "arrival_min")], errors="coerce").to_numpy(float)
            dep = pd.to_numeric(st[_pick(st, "departure_min")], errors="coerce").to_numpy(float)
            bad = np.isnan(arr) | np.isnan(dep)
        else:
            arr, bad_a = parse_hms_minutes(st[_pick(st, "arrival_time")])
            dep, bad_d = parse_hms_minutes(st[_pick(st, "departure_time")])
            bad = bad_a | bad_d
        if bad.any():
            p.add("stop_times", "arrival or departure time missing or not a time", rows[bad])
        seq = pd.to_numeric(st[cols["stop_sequence"]], errors="coerce").to_numpy(float)
        if np.isnan(seq).any():
            p.add("stop_times", "stop_sequence is not a number", rows[np.isnan(seq)])
        df = pd.DataFrame(
            {
                "trip_id": st[cols["trip_id"]].astype("string").to_numpy(),
                "stop_sequence": seq,
                "station": st[cols["station"]].astype("string").str.strip().to_numpy(),
                "arrival_min": arr,
                "departure_min": dep,
                "row": rows,
            }
        )
        if df["trip_id"].isna().any() or df["station"].isna().any():
            p.add(
                "stop_times",
                "empty trip_id or station",
                rows[(df["trip_id"].isna() | df["station"].isna()).to_numpy()],
            )
        df = df.sort_values(["trip_id", "stop_sequence"], kind="stable").reset_index(drop=True)
        same = df["trip_id"].to_numpy()[1:] == df["trip_id"].to_numpy()[:-1]
        dup = same & (df["stop_sequence"].to_numpy()[1:] == df["stop_sequence"].to_numpy()[:-1])
        if dup.any():
            p.add(
                "stop_times", "duplicate stop_sequence within a trip", df["row"].to_numpy()[1:][dup]
            )
        earlier = same & (df["arrival_min"].to_numpy()[1:] < df["departure_min"].to_numpy()[:-1])
        if earlier.any():
            p.add(
                "stop_times",
                "arrival before the departure from the previous stop of the trip",
                df["row"].to_numpy()[1:][earlier],
            )
        neg_dwell = df["departure_min"].to_numpy() < df["arrival_min"].to_numpy()
        if neg_dwell.any():
            p.add(
                "stop_times",
                "departure before arrival at the same stop",
                df["row"].to_numpy()[neg_dwell],
            )
        if (df["arrival_min"] < 0).any():
            p.add(
                "stop_times",
                "negative time",
                df["row"].to_numpy()[(df["arrival_min"] < 0).to_numpy()],
            )

        # trips
        trip_ids = pd.unique(df["trip_id"].dropna())
        if trips is not None:
            tcol = _pick(trips, "trip_id")
            if tcol is None:
                p.add("trips", "missing column 'trip_id'")
                tr = pd.DataFrame({"trip_id": trip_ids})
            else:
                tr = pd.DataFrame({"trip_id": trips[tcol].astype("string").to_numpy()})
                lcol = _pick(trips, "line")
                tr["line"] = trips[lcol].astype("string").to_numpy() if lcol else pd.NA
                unknown = sorted(set(trip_ids) - set(tr["trip_id"].dropna()))
                if unknown:
                    p.add("stop_times", "trip_id not in the trips table", unknown)
                if tr["trip_id"].duplicated().any():
                    p.add(
                        "trips",
                        "duplicate trip_id",
                        tr.loc[tr["trip_id"].duplicated(), "trip_id"].tolist(),
                    )
        else:
            tr = pd.DataFrame({"trip_id": trip_ids})
        if "line" not in tr.columns:
            tr["line"] = pd.NA
        # default line: the letter prefix of the trip id (G, D, C, K, T, Z) or "numeric"
        prefix = tr["trip_id"].astype("string").str.extract(r"^([A-Za-z]+)")[0].str.upper()
        tr["line"] = tr["line"].fillna(prefix).fillna("numeric").astype("string")
        tr["is_high_speed"] = (
            tr["trip_id"]
            .astype("string")
            .map(lambda t: all(re.match(r"^[GDC]", c or "") is not None for c in str(t).split("/")))
            .astype(bool)
        )
        tr = tr[tr["trip_id"].isin(trip_ids)].reset_index(drop=True)

        # stations
        info: dict = {}
        if stations is not None:
            scol = _pick(stations, "station")
            ucol = _pick(stations, "unit_id")
            if scol is None or ucol is None:
                p.add(
                    "stations",
                    "needs a station column (station/station_name_zh/stop_id) and a "
                    "unit column (unit_id/unit_code)",
                )
                p.raise_if_any()
            sta = pd.DataFrame(
                {
                    "station": stations[scol].astype("string").str.strip().to_numpy(),
                    "unit_id": stations[ucol].astype("string").str.strip().to_numpy(),
                }
            )
            lon_c, lat_c = _pick(stations, "lon"), _pick(stations, "lat")
            sta["lon"] = (
                pd.to_numeric(stations[lon_c], errors="coerce").to_numpy(float) if lon_c else np.nan
            )
            sta["lat"] = (
                pd.to_numeric(stations[lat_c], errors="coerce").to_numpy(float) if lat_c else np.nan
            )
            srow = np.arange(len(sta)) + 2
            stat_c = _pick(stations, "status")
            if stat_c:
                excluded = stations[stat_c].astype("string").isin(EXCLUDED_STATUSES).to_numpy()
                info["stations_excluded_status"] = int(excluded.sum())
                sta.loc[excluded, "unit_id"] = pd.NA
            if sta["station"].duplicated().any():
                p.add(
                    "stations",
                    "duplicate station",
                    sta.loc[sta["station"].duplicated(), "station"].tolist(),
                )
            if unit_ids is not None:
                known = set(pd.Series(unit_ids).astype(str))
                unk = sta["unit_id"].notna() & ~sta["unit_id"].isin(known)
                if unk.any():
                    p.add(
                        "stations",
                        "unknown unit_id (not in the units table)",
                        [
                            f"row {r}: {s} -> {u}"
                            for r, s, u in zip(
                                srow[unk.to_numpy()],
                                sta["station"][unk],
                                sta["unit_id"][unk],
                                strict=True,
                            )
                        ],
                    )
            bad_ll = (sta["lon"].abs() > 180) | (sta["lat"].abs() > 90)
            if bad_ll.any():
                p.add("stations", "coordinates out of range", srow[bad_ll.to_numpy()])
            sta = sta[sta["unit_id"].notna()].reset_index(drop=True)
        else:
            sta = pd.DataFrame({"station": [], "unit_id": [], "lon": [], "lat": []})
        p.raise_if_any()

        inside = df["station"].isin(set(sta["station"]))
        info["stop_times"] = len(df)
        info["stop_times_outside_study_area"] = int((~inside).sum())
        info["stations_outside_study_area"] = int(df.loc[~inside, "station"].nunique())
        served = set(df["station"])
        info["study_area_stations_without_trains"] = sorted(set(sta["station"]) - served)
        return cls(df.drop(columns="row"), tr, sta, info)

    @classmethod
    def from_chongqing(cls) -> Timetable:
        """The 2019 timetable shipped in :mod:`metrocircle.datasets.chongqing`."""
        from metrocircle.datasets import chongqing

        rail = chongqing.load_rail()
        units = chongqing.load_units()
        return cls.from_tables(
            rail["stop_times"], rail["trips"], rail["stations"], unit_ids=units["unit_id"]
        )

    # ------------------------------------------------------------------ scenarios
    def sped_up(self, selector: str, factor: float) -> Timetable:
        """Copy with the selected trips running ``factor`` times faster.

        ``selector`` is ``rail`` (every trip), ``high_speed`` / ``conventional``, a line (train
        class such as ``G`` or a GTFS route id) or a trip id. Times are compressed around each
        trip's first departure, so the schedule stays consistent (dwell times shrink too).
        """
        if not (isinstance(factor, int | float) and np.isfinite(factor) and factor > 0):
            raise ParameterError(
                f"The 'factor' parameter of speed-up must be a float > 0. Got {factor!r}."
            )
        mask = self.select_trips(selector)
        st = self.stop_times.copy()
        sel = st["trip_id"].isin(set(self.trips.loc[mask, "trip_id"]))
        first = st.groupby("trip_id", sort=False)["departure_min"].transform("first")
        for col in ("arrival_min", "departure_min"):
            st.loc[sel, col] = first[sel] + (st.loc[sel, col] - first[sel]) / factor
        return Timetable(st, self.trips, self.stations, dict(self.info))

    def select_trips(self, selector: str) -> np.ndarray:
        """Boolean mask over ``trips`` for a speed-up selector; unknown selectors raise."""
        t = self.trips
        key = selector.strip()
        if key.lower() == "rail":
            return np.ones(len(t), dtype=bool)
        if key.lower() in ("high_speed", "hsr"):
            return t["is_high_speed"].to_numpy(bool)
        if key.lower() == "conventional":
            return ~t["is_high_speed"].to_numpy(bool)
        by_line = (t["line"] == key).to_numpy(bool)
        if by_line.any():
            return by_line
        by_trip = (t["trip_id"] == key).to_numpy(bool)
        if by_trip.any():
            return by_trip
        raise ParameterError(
            f"The 'speed-up' selector must be road, rail, high_speed, conventional, a line "
            f"({', '.join(sorted(t['line'].dropna().unique())[:12])}) or a trip id. "
            f"Got {selector!r}."
        )


# ---------------------------------------------------------------------- direct times
def direct_station_times(timetable: Timetable, *, study_area_only: bool = True) -> pd.DataFrame:
    """Fastest scheduled in-vehicle time for every ordered station pair served by one train.

    In-vehicle time = arrival at the later stop minus departure from the earlier stop of the
    same trip (intermediate dwells included, no waiting, no transfer), minimised over trips.

    Returns
    -------
    DataFrame
        ``from_station, to_station, fastest_min, n_trips`` sorted by the pair.
    """
    st = timetable.stop_times
    if study_area_only:
        inside = set(timetable.stations["station"])
    trip = st["trip_id"].to_numpy()
    station = st["station"].to_numpy(dtype=object)
    arr = st["arrival_min"].to_numpy(float)
    dep = st["departure_min"].to_numpy(float)
    starts = np.flatnonzero(np.r_[True, trip[1:] != trip[:-1]])
    lengths = np.diff(np.r_[starts, len(st)])
    trip_index = np.repeat(np.arange(len(starts)), lengths)
    frames = []
    for k in range(1, int(lengths.max(initial=1))):
        i = np.arange(len(st) - k)
        i = i[trip_index[i] == trip_index[i + k]]
        frames.append(
            pd.DataFrame(
                {
                    "from_station": station[i],
                    "to_station": station[i + k],
                    "minutes": arr[i + k] - dep[i],
                    "trip": trip_index[i],
                }
            )
        )
    pairs = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["from_station", "to_station", "minutes", "trip"])
    )
    pairs = pairs[pairs["from_station"] != pairs["to_station"]]
    if study_area_only:
        pairs = pairs[pairs["from_station"].isin(inside) & pairs["to_station"].isin(inside)]
    # a trip calling twice at a station counts once per pair
    out = (
        pairs.groupby(["from_station", "to_station"], sort=True)
        .agg(fastest_min=("minutes", "min"), n_trips=("trip", "nunique"))
        .reset_index()
    )
    return out


# ---------------------------------------------------------------------- journeys
@dataclass
class StationJourneys:
    """Result of :func:`station_journeys`."""

    #: from_station, to_station, journey_minutes (fastest journey starting in the window,
    #: transfers included), departure_min (of that journey)
    pairs: pd.DataFrame
    #: station, departures (count in the window), headway_minutes, wait_minutes (half headway)
    boarding: pd.DataFrame


def _daily_copies(st: pd.DataFrame, start: float, end: float, horizon: float) -> pd.DataFrame:
    """Add the previous and next day's runs (no calendar: every trip runs daily)."""
    parts = []
    days_long = int(np.ceil(max(float(st["arrival_min"].max()), 1.0) / 1440.0))
    for shift in [-1440.0 * k for k in range(days_long, 0, -1)] + [0.0, 1440.0]:
        c = st.copy()
        c["arrival_min"] = c["arrival_min"] + shift
        c["departure_min"] = c["departure_min"] + shift
        c["run"] = c["trip_id"] + f"@{int(shift)}"
        last = c.groupby("run", sort=False)["arrival_min"].transform("max")
        first = c.groupby("run", sort=False)["departure_min"].transform("min")
        keep = (last >= start) & (first <= end + horizon)
        # events before the window or after the horizon are unreachable from any journey
        # start; they are a prefix/suffix of their run, so consecutive stops stay consecutive
        keep &= (c["departure_min"] >= start) & (c["arrival_min"] <= end + horizon)
        parts.append(c[keep])
    return pd.concat(parts, ignore_index=True)


@dataclass
class TimeExpandedGraph:
    """The time-expanded graph of a timetable (see the module docstring).

    Node blocks: arrivals ``[0, n)``, on board ``[n, 2n)``, waiting to board ``[2n, 3n)``,
    then one super-source per study-area station at ``source_offset + station index``.
    """

    graph: sp.csr_array
    stations: np.ndarray
    #: per call: index of its study-area station (-1 outside), arrival minute, in-window flag
    sid: np.ndarray
    arr: np.ndarray
    in_window: np.ndarray
    source_offset: int


def time_expanded_graph(
    timetable: Timetable,
    *,
    start: float,
    end: float,
    min_transfer_minutes: float = 15.0,
    transfers: bool = True,
    horizon_minutes: float = 720.0,
) -> TimeExpandedGraph:
    """Build the time-expanded graph for journeys starting in ``[start, end)`` (vectorised)."""
    stations = timetable.stations["station"].to_numpy(dtype=object)
    st = _daily_copies(timetable.stop_times, start, end, horizon_minutes)
    st = st.sort_values(["run", "stop_sequence"], kind="stable").reset_index(drop=True)
    n = len(st)
    arr = st["arrival_min"].to_numpy(float)
    dep = st["departure_min"].to_numpy(float)
    run = st["run"].to_numpy(dtype=object)
    sta_codes, sta_idx = np.unique(st["station"].to_numpy(dtype=object), return_inverse=True)
    # node blocks: A (arrival) [0, n), D (on board, departing) [n, 2n),
    # W (waiting on the platform to board) [2n, 3n)
    A, D, W = 0, n, 2 * n
    idx = np.arange(n)
    src, dst, w = [], [], []
    # stay on board through the stop (dwell)
    src.append(A + idx)
    dst.append(D + idx)
    w.append(dep - arr)
    # ride to the next stop of the same run
    nxt = idx[:-1][run[1:] == run[:-1]]
    src.append(D + nxt)
    dst.append(A + nxt + 1)
    w.append(arr[nxt + 1] - dep[nxt])
    # board from the platform
    src.append(W + idx)
    dst.append(D + idx)
    w.append(np.zeros(n))
    # waiting chain: boarding opportunities at a station in time order
    order = np.lexsort((dep, sta_idx))
    same = sta_idx[order][1:] == sta_idx[order][:-1]
    a_, b_ = order[:-1][same], order[1:][same]
    src.append(W + a_)
    dst.append(W + b_)
    w.append(dep[b_] - dep[a_])
    if transfers:
        # alight and reach the first boarding opportunity >= arrival + min transfer
        dep_sorted_key = sta_idx[order] * 1e7 + dep[order]
        pos = np.searchsorted(
            dep_sorted_key, sta_idx * 1e7 + arr + min_transfer_minutes, side="left"
        )
        ok = pos < n
        ok[ok] = sta_idx[order[pos[ok]]] == sta_idx[ok]
        tgt = order[pos[ok]]
        src.append(A + idx[ok])
        dst.append(W + tgt)
        w.append(dep[tgt] - arr[ok])
    # super-sources: one per study-area station, to its boarding opportunities in the window
    station_pos = {s: i for i, s in enumerate(stations)}
    st_station = st["station"].to_numpy(dtype=object)
    sid = np.array([station_pos.get(s, -1) for s in st_station], dtype=np.int64)
    last_call = np.r_[run[1:] != run[:-1], True]  # a terminus is not a boarding opportunity
    in_window = (sid >= 0) & (dep >= start) & (dep < end) & ~last_call
    n_nodes = 3 * n + len(stations)
    S = 3 * n
    src.append(S + sid[in_window])
    dst.append(W + idx[in_window])
    w.append(np.zeros(int(in_window.sum())))
    src_a = np.concatenate(src).astype(np.int64)
    dst_a = np.concatenate(dst).astype(np.int64)
    w_a = np.concatenate(w).astype(float)
    from metrocircle.access.network import int32_indices

    graph = int32_indices(sp.csr_array((w_a, (src_a, dst_a)), shape=(n_nodes, n_nodes)))
    # duplicates cannot occur (each node pair is created by one rule), so no summing happened
    return TimeExpandedGraph(graph, stations, sid, arr, in_window, S)


def station_journeys(
    timetable: Timetable,
    *,
    departure_window: tuple[float, float] = (360.0, 600.0),
    min_transfer_minutes: float = 15.0,
    transfers: bool = True,
    horizon_minutes: float = 720.0,
) -> StationJourneys:
    """Fastest schedule-following journeys between study-area stations.

    Parameters
    ----------
    timetable
        The validated timetable.
    departure_window
        ``(start, end)`` in minutes after midnight; the journey's first boarding happens in
        this window (06:00-10:00 by default).
    min_transfer_minutes
        Minimum time between arriving on one train and boarding another at the same station.
    transfers
        If False, only one-train journeys: then ``journey_minutes`` equals the fastest direct
        in-vehicle time of trains leaving in the window.
    horizon_minutes
        How long after the window a journey may still arrive.

    Returns
    -------
    StationJourneys
    """
    start, end = (float(x) for x in departure_window)
    if not (np.isfinite(start) and np.isfinite(end) and end > start and end - start <= 1440):
        raise ParameterError(
            "The 'departure_window' parameter of access must be (start, end) minutes with "
            f"start < end <= start + 1440. Got {departure_window!r}."
        )
    if not (np.isfinite(min_transfer_minutes) and min_transfer_minutes >= 0):
        raise ParameterError(
            "The 'min_transfer_minutes' parameter of access must be a float >= 0. "
            f"Got {min_transfer_minutes!r}."
        )
    g = time_expanded_graph(
        timetable,
        start=start,
        end=end,
        min_transfer_minutes=min_transfer_minutes,
        transfers=transfers,
        horizon_minutes=horizon_minutes,
    )
    stations, sid, arr, graph = g.stations, g.sid, g.arr, g.graph
    S, A = g.source_offset, 0
    departures = np.bincount(sid[g.in_window], minlength=len(stations))
    window = end - start
    boarding = pd.DataFrame({"station": stations, "departures": departures})
    with np.errstate(divide="ignore"):
        headway = np.where(departures > 0, window / np.maximum(departures, 1), np.nan)
    boarding["headway_minutes"] = headway
    boarding["wait_minutes"] = headway / 2.0

    origins = np.flatnonzero(departures > 0)
    # arrival nodes at study-area stations, grouped by station
    arr_nodes = np.flatnonzero(sid >= 0)
    arr_station = sid[arr_nodes]
    frames = []
    if len(origins):
        chunk = 64
        for c0 in range(0, len(origins), chunk):
            o = origins[c0 : c0 + chunk]
            dist = dijkstra(graph, directed=True, indices=S + o)[:, A + arr_nodes]
            # per destination station: min over its arrival events
            best = np.full((len(o), len(stations)), np.inf)
            arg = np.full((len(o), len(stations)), -1, dtype=np.int64)
            ordr = np.argsort(arr_station, kind="stable")
            ds = dist[:, ordr]
            bounds = np.flatnonzero(np.r_[True, arr_station[ordr][1:] != arr_station[ordr][:-1]])
            mins = np.minimum.reduceat(ds, bounds, axis=1)
            best[:, arr_station[ordr][bounds]] = mins
            # node index of the argmin (for the departure time of the best journey)
            ds_masked = np.where(np.isfinite(ds), ds, np.inf)
            for j, b in enumerate(bounds):
                e = bounds[j + 1] if j + 1 < len(bounds) else ds.shape[1]
                arg[:, arr_station[ordr][b]] = ordr[b + np.argmin(ds_masked[:, b:e], axis=1)]
            oi, di = np.nonzero(np.isfinite(best))
            keep = oi.size and True
            if keep:
                node = arr_nodes[arg[oi, di]]
                frames.append(
                    pd.DataFrame(
                        {
                            "from_station": stations[o[oi]],
                            "to_station": stations[di],
                            "journey_minutes": best[oi, di],
                            "departure_min": arr[node] - best[oi, di],
                        }
                    )
                )
    pairs = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(
            columns=["from_station", "to_station", "journey_minutes", "departure_min"]
        )
    )
    pairs = pairs[pairs["from_station"] != pairs["to_station"]].reset_index(drop=True)
    pairs["departure_min"] = np.mod(pairs["departure_min"].astype(float), 1440.0)
    return StationJourneys(
        pairs.sort_values(["from_station", "to_station"]).reset_index(drop=True), boarding
    )
