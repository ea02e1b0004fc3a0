"""The multimodal network: units, roads, station access and rail journeys as one graph.

Nodes are units (their seat or population-weighted point), and for every study-area station a
*board* node and an *alight* node. Edges (all directed, minutes, with a ``mode`` and a
``modelled`` flag):

* ``road``: unit to neighbouring unit. From a road-link table when given (real if the table
  says so), otherwise **modelled**: great-circle distance between the two points × a detour
  factor ÷ a speed (a speed class per link if the table gives one).
* ``access`` / ``egress``: unit point to each of its stations and back, **modelled** the same
  way at the access speed, plus fixed minutes to enter (security check, platform) or leave a
  station. Boarding adds the expected wait: half the headway of the trains leaving that
  station in the departure window (or a fixed wait).
* ``rail``: board node of one station to alight node of another, the fastest schedule-following
  journey that starts in the departure window (transfers at their real times, see
  :mod:`metrocircle.access.timetable`). **Real**: from the timetable.
* links of any mode added by the user (e.g. a planned railway), seat to seat.

Because every unit is a node that paths may pass through, unit-to-unit shortest times satisfy
the triangle inequality, and adding an edge can never make a pair slower.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from metrocircle.access.geo import delaunay_adjacency, haversine_km
from metrocircle.access.timetable import StationJourneys, Timetable, station_journeys
from metrocircle.exceptions import InputError, ParameterError, Problem, Problems

logger = logging.getLogger(__name__)

EDGE_COLUMNS = ["from_node", "to_node", "minutes", "mode", "modelled", "label"]


def _param_error(name: str, must: str, got: object) -> ParameterError:
    return ParameterError(f"The '{name}' parameter of access must be {must}. Got {got!r}.")


@dataclass(frozen=True)
class AccessParams:
    """Parameters of the network model (all times in minutes, speeds in km/h).

    Attributes
    ----------
    departure_window
        ``(start, end)`` as ``"HH:MM"`` strings or minutes after midnight.
    min_transfer_minutes
        Minimum rail-to-rail transfer time at a station.
    wait
        ``"half_headway"`` (default) or a fixed number of minutes waited before boarding.
    access_speed_kmh, access_detour
        Speed and detour factor from a unit point to its stations (modelled).
    station_entry_minutes, station_exit_minutes
        Fixed time to enter a station before boarding / to leave it after alighting.
    road_speed_kmh, road_detour
        Speed and detour factor of modelled roads (a ``speed_kmh`` column in the road or
        adjacency table overrides the speed per link).
    max_speed_kmh
        Plausibility limit: no travel time may imply a higher speed over the great-circle
        distance between the two unit points.
    """

    departure_window: tuple[str | float, str | float] = ("06:00", "10:00")
    min_transfer_minutes: float = 15.0
    wait: str | float = "half_headway"
    access_speed_kmh: float = 30.0
    access_detour: float = 1.3
    station_entry_minutes: float = 10.0
    station_exit_minutes: float = 5.0
    road_speed_kmh: float = 80.0
    road_detour: float = 1.3
    max_speed_kmh: float | None = 350.0

    def validated(self) -> AccessParams:
        """Check every value; raise :class:`ParameterError` on the first bad one."""
        for name in ("access_speed_kmh", "road_speed_kmh"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and np.isfinite(v) and v > 0):
                raise _param_error(name, "a float > 0", v)
        for name in ("access_detour", "road_detour"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and np.isfinite(v) and v >= 1):
                raise _param_error(name, "a float >= 1", v)
        for name in ("min_transfer_minutes", "station_entry_minutes", "station_exit_minutes"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and np.isfinite(v) and v >= 0):
                raise _param_error(name, "a float >= 0", v)
        if not (
            self.wait == "half_headway" or (isinstance(self.wait, int | float) and self.wait >= 0)
        ):
            raise _param_error("wait", "'half_headway' or a float >= 0", self.wait)
        if self.max_speed_kmh is not None and not (self.max_speed_kmh > 0):
            raise _param_error("max_speed_kmh", "a float > 0 or None", self.max_speed_kmh)
        window_minutes(self.departure_window)
        return self


def _clock(value: str | float) -> float:
    if isinstance(value, int | float):
        return float(value)
    parts = str(value).strip().split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        raise ValueError(value)
    return int(parts[0]) * 60 + int(parts[1]) + (int(parts[2]) / 60 if len(parts) == 3 else 0)


def window_minutes(window: tuple[str | float, str | float]) -> tuple[float, float]:
    """Departure window as minutes after midnight."""
    try:
        start, end = (_clock(v) for v in window)
    except (TypeError, ValueError) as err:
        raise _param_error("departure_window", "two times 'HH:MM' (start, end)", window) from err
    if not (end > start and end - start <= 1440 and start >= 0):
        raise _param_error(
            "departure_window", "(start, end) with start < end <= start + 24 h", window
        )
    return start, end


# ---------------------------------------------------------------------- units
_UNIT_ALIASES = {
    "unit_id": ("unit_id", "code", "unit_code"),
    "lon": ("lon", "seat_lon_wgs84", "x", "longitude"),
    "lat": ("lat", "seat_lat_wgs84", "y", "latitude"),
}


def prepare_units(units: pd.DataFrame) -> pd.DataFrame:
    """Validate a units table: ``unit_id, lon, lat`` (+ any other column, kept).

    Accepts ``code``/``unit_code`` for the id and ``seat_lon_wgs84``/``seat_lat_wgs84`` for the
    point (the Chongqing file). A GeoDataFrame without point columns uses a point inside each
    polygon (``representative_point``).
    """
    p = Problems()
    df = units.copy()
    cols = {}
    for key, names in _UNIT_ALIASES.items():
        cols[key] = next((c for c in names if c in df.columns), None)
    if cols["unit_id"] is None:
        p.add("units", "missing column 'unit_id'")
        p.raise_if_any()
    if (cols["lon"] is None or cols["lat"] is None) and hasattr(df, "geometry"):
        pts = df.geometry.to_crs(4326).representative_point()
        df["lon"], df["lat"] = pts.x.to_numpy(), pts.y.to_numpy()
        cols["lon"], cols["lat"] = "lon", "lat"
    if cols["lon"] is None or cols["lat"] is None:
        p.add("units", "missing point columns 'lon' and 'lat' (WGS84) and no polygons")
        p.raise_if_any()
    out = pd.DataFrame(
        {
            "unit_id": df[cols["unit_id"]].astype("string").str.strip().to_numpy(),
            "lon": pd.to_numeric(df[cols["lon"]], errors="coerce").to_numpy(float),
            "lat": pd.to_numeric(df[cols["lat"]], errors="coerce").to_numpy(float),
        }
    )
    for extra in (
        "name_en",
        "name_zh",
        "name",
        "area_km2",
        "pop_2020_census",
        "population",
        "group",
    ):
        if extra in df.columns:
            out[extra] = df[extra].to_numpy()
    rows = np.arange(len(out)) + 2
    if out["unit_id"].isna().any():
        p.add("units", "empty unit_id", rows[out["unit_id"].isna().to_numpy()])
    dup = out["unit_id"].duplicated(keep=False) & out["unit_id"].notna()
    if dup.any():
        p.add("units", "duplicate unit_id", sorted(set(out.loc[dup, "unit_id"])))
    bad = ~(out["lon"].between(-180, 180) & out["lat"].between(-90, 90))
    if bad.any():
        p.add(
            "units",
            "point missing or outside lon [-180, 180] / lat [-90, 90]",
            [
                f"row {r}: {u}"
                for r, u in zip(rows[bad.to_numpy()], out.loc[bad, "unit_id"], strict=True)
            ],
        )
    p.raise_if_any()
    return out


# ---------------------------------------------------------------------- network
@dataclass
class Network:
    """A built network: node table, edge table and the units in node order."""

    units: pd.DataFrame
    nodes: pd.DataFrame
    edges: pd.DataFrame
    journeys: StationJourneys | None = None
    info: dict = field(default_factory=dict)
    #: study-area stations: station, unit_id, lon, lat, departures, headway/wait/access minutes
    stations: pd.DataFrame | None = None

    @property
    def n_units(self) -> int:
        return len(self.units)

    def csr(self, exclude_modes: tuple[str, ...] = (), only_real: bool = False) -> sp.csr_array:
        """Sparse adjacency (min over parallel edges), optionally without some modes."""
        e = self.edges
        keep = ~e["mode"].isin(exclude_modes).to_numpy()
        if only_real:
            keep &= ~e["modelled"].to_numpy(bool)
        e = e[keep]
        return build_csr(
            e["from_node"].to_numpy(),
            e["to_node"].to_numpy(),
            e["minutes"].to_numpy(float),
            len(self.nodes),
        )

    def with_links(self, links: pd.DataFrame) -> Network:
        """Copy with extra unit-to-unit edges (``from_node, to_node, minutes, mode, ...``)."""
        edges = pd.concat([self.edges, links[EDGE_COLUMNS]], ignore_index=True)
        return Network(self.units, self.nodes, edges, self.journeys, dict(self.info), self.stations)


def int32_indices(m: sp.csr_array) -> sp.csr_array:
    """The matrix with 32-bit index arrays when they fit: ``scipy.sparse.csgraph`` of SciPy 1.11
    (the lowest version metrocircle supports) accepts no other."""
    if max(m.shape) < 2**31 - 1 and m.nnz < 2**31 - 1:
        m.indices = m.indices.astype(np.int32, copy=False)
        m.indptr = m.indptr.astype(np.int32, copy=False)
    return m


def build_csr(src: np.ndarray, dst: np.ndarray, w: np.ndarray, n: int) -> sp.csr_array:
    """CSR matrix keeping the minimum of parallel edges (explicit zeros stay edges)."""
    if len(src):
        order = np.lexsort((w, dst, src))
        src, dst, w = src[order], dst[order], w[order]
        first = np.r_[True, (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])]
        src, dst, w = src[first], dst[first], w[first]
    return int32_indices(sp.csr_array(
        (w.astype(float), (src.astype(np.int64), dst.astype(np.int64))), shape=(n, n)
    ))


def _road_edges(
    units: pd.DataFrame,
    roads: pd.DataFrame | None,
    adjacency: pd.DataFrame | None,
    params: AccessParams,
    problems: Problems,
) -> tuple[pd.DataFrame, str]:
    index = {u: i for i, u in enumerate(units["unit_id"])}
    lon, lat = units["lon"].to_numpy(float), units["lat"].to_numpy(float)
    if roads is not None:
        source, table, modelled_default = "roads", roads, False
    elif adjacency is not None:
        source, table, modelled_default = "adjacency", adjacency, True
    else:
        source, table, modelled_default = (
            "delaunay",
            delaunay_adjacency(units["unit_id"], lon, lat),
            True,
        )
    a_col = next((c for c in ("unit_a", "origin", "from", "from_unit") if c in table.columns), None)
    b_col = next(
        (c for c in ("unit_b", "destination", "to", "to_unit") if c in table.columns), None
    )
    if a_col is None or b_col is None:
        problems.add(source, "needs two unit columns (unit_a, unit_b or origin, destination)")
        return pd.DataFrame(columns=EDGE_COLUMNS), source
    a = table[a_col].astype("string").str.strip()
    b = table[b_col].astype("string").str.strip()
    rows = np.arange(len(table)) + 2
    unknown = ~a.isin(index) | ~b.isin(index)
    if unknown.any():
        problems.add(
            source,
            "unknown unit_id (not in the units table)",
            [
                f"row {r}: {x}-{y}"
                for r, x, y in zip(rows[unknown.to_numpy()], a[unknown], b[unknown], strict=True)
            ],
        )
    ia = a.map(index).to_numpy(dtype=float, na_value=np.nan)
    ib = b.map(index).to_numpy(dtype=float, na_value=np.nan)
    ok = ~(np.isnan(ia) | np.isnan(ib))
    ia, ib = ia[ok].astype(np.int64), ib[ok].astype(np.int64)
    km = haversine_km(lon[ia], lat[ia], lon[ib], lat[ib])
    if "minutes" in table.columns:
        minutes = pd.to_numeric(table["minutes"], errors="coerce").to_numpy(float)[ok]
        bad = ~(minutes >= 0)
        if bad.any():
            problems.add(source, "minutes missing or negative", rows[ok][bad])
    else:
        if "km" in table.columns:
            km = pd.to_numeric(table["km"], errors="coerce").to_numpy(float)[ok]
            detour = 1.0
        else:
            detour = params.road_detour
        if "speed_kmh" in table.columns:
            speed = pd.to_numeric(table["speed_kmh"], errors="coerce").to_numpy(float)[ok]
            bad = ~(speed > 0)
            if bad.any():
                problems.add(source, "speed_kmh missing, zero or negative", rows[ok][bad])
        else:
            speed = np.full(len(ia), float(params.road_speed_kmh))
        with np.errstate(divide="ignore", invalid="ignore"):
            minutes = km * detour / speed * 60.0
    if "modelled" in table.columns:
        modelled = (
            table["modelled"].astype(str).str.lower().isin(["1", "true", "yes"]).to_numpy()[ok]
        )
    else:
        modelled = np.full(len(ia), modelled_default)
    directed = (
        "directed" in table.columns
        and table["directed"].astype(str).str.lower().isin(["1", "true", "yes"]).all()
    )
    e = pd.DataFrame(
        {
            "from_node": ia,
            "to_node": ib,
            "minutes": minutes,
            "mode": "road",
            "modelled": modelled,
            "label": f"road:{source}",
        }
    )
    if not directed:
        e = pd.concat(
            [e, e.rename(columns={"from_node": "to_node", "to_node": "from_node"})],
            ignore_index=True,
        )
    e = e[e["from_node"] != e["to_node"]]
    return e[EDGE_COLUMNS], source


def build_network(
    units: pd.DataFrame,
    *,
    timetable: Timetable | None = None,
    roads: pd.DataFrame | None = None,
    adjacency: pd.DataFrame | None = None,
    links: pd.DataFrame | None = None,
    params: AccessParams | None = None,
) -> Network:
    """Build the multimodal network.

    Parameters
    ----------
    units
        ``unit_id, lon, lat`` (see :func:`prepare_units`).
    timetable
        Rail timetable (stations must carry unit ids of ``units``); None for roads only.
    roads
        Road links ``unit_a, unit_b`` with ``minutes``, or ``km`` and optional ``speed_kmh``,
        optional ``modelled`` and ``directed``. If None, roads are modelled from ``adjacency``
        (pairs of neighbouring units) or, if that is None too, from a Delaunay triangulation of
        the unit points.
    links
        Extra links ``origin, destination, minutes, mode`` (both directions), e.g. rail links.
    params
        :class:`AccessParams`.
    """
    params = (params or AccessParams()).validated()
    units = prepare_units(units)
    p = Problems()
    road, road_source = _road_edges(units, roads, adjacency, params, p)
    frames = [road]
    nodes = pd.DataFrame(
        {
            "node": np.arange(len(units)),
            "kind": "unit",
            "name": units["unit_id"].to_numpy(),
            "unit_id": units["unit_id"].to_numpy(),
        }
    )
    journeys = None
    stations_out = None
    info: dict = {
        "road_source": road_source,
        "roads_modelled": bool(road["modelled"].any()) if len(road) else False,
    }
    if timetable is not None:
        index = {u: i for i, u in enumerate(units["unit_id"])}
        sta = timetable.stations
        unknown = ~sta["unit_id"].isin(index)
        if unknown.any():
            p.add(
                "stations",
                "unknown unit_id (not in the units table)",
                [
                    f"{s} -> {u}"
                    for s, u in zip(
                        sta.loc[unknown, "station"], sta.loc[unknown, "unit_id"], strict=True
                    )
                ],
            )
        p.raise_if_any()
        start, end = window_minutes(params.departure_window)
        journeys = station_journeys(
            timetable,
            departure_window=(start, end),
            min_transfer_minutes=params.min_transfer_minutes,
        )
        served = journeys.boarding
        sta = sta.merge(served, on="station", how="left")
        n_units = len(units)
        ns = len(sta)
        board = n_units + np.arange(ns)
        alight = n_units + ns + np.arange(ns)
        nodes = pd.concat(
            [
                nodes,
                pd.DataFrame(
                    {
                        "node": board,
                        "kind": "board",
                        "name": sta["station"].to_numpy(),
                        "unit_id": sta["unit_id"].to_numpy(),
                    }
                ),
                pd.DataFrame(
                    {
                        "node": alight,
                        "kind": "alight",
                        "name": sta["station"].to_numpy(),
                        "unit_id": sta["unit_id"].to_numpy(),
                    }
                ),
            ],
            ignore_index=True,
        )
        ui = sta["unit_id"].map(index).to_numpy(np.int64)
        # access distance: seat to station; stations without coordinates get the mean
        # distance from the centre of a disc of the unit's area (2/3 of its radius), or 5 km
        km = haversine_km(
            units["lon"].to_numpy()[ui],
            units["lat"].to_numpy()[ui],
            sta["lon"].to_numpy(float),
            sta["lat"].to_numpy(float),
        )
        if "area_km2" in units.columns:
            area = pd.to_numeric(units["area_km2"], errors="coerce").to_numpy(float)[ui]
            fallback = np.where(np.isfinite(area), 2.0 / 3.0 * np.sqrt(area / np.pi), 5.0)
        else:
            fallback = np.full(ns, 5.0)
        no_xy = ~np.isfinite(km)
        km = np.where(no_xy, fallback, km)
        info["stations_without_coordinates"] = sta.loc[no_xy, "station"].tolist()
        drive = km * params.access_detour / params.access_speed_kmh * 60.0
        if params.wait == "half_headway":
            wait = sta["wait_minutes"].to_numpy(float)
        else:
            wait = np.where(sta["departures"].to_numpy(float) > 0, float(params.wait), np.nan)
        can_board = np.isfinite(wait)
        frames.append(
            pd.DataFrame(
                {
                    "from_node": ui[can_board],
                    "to_node": board[can_board],
                    "minutes": (drive + params.station_entry_minutes + wait)[can_board],
                    "mode": "access",
                    "modelled": True,
                    "label": "access+wait",
                }
            )
        )
        frames.append(
            pd.DataFrame(
                {
                    "from_node": alight,
                    "to_node": ui,
                    "minutes": drive + params.station_exit_minutes,
                    "mode": "access",
                    "modelled": True,
                    "label": "egress",
                }
            )
        )
        pos = {s: i for i, s in enumerate(sta["station"])}
        jp = journeys.pairs
        frames.append(
            pd.DataFrame(
                {
                    "from_node": board[jp["from_station"].map(pos).to_numpy(np.int64)],
                    "to_node": alight[jp["to_station"].map(pos).to_numpy(np.int64)],
                    "minutes": jp["journey_minutes"].to_numpy(float),
                    "mode": "rail",
                    "modelled": False,
                    "label": "rail:timetable",
                }
            )
        )
        stations_out = sta[
            ["station", "unit_id", "lon", "lat", "departures", "headway_minutes", "wait_minutes"]
        ].assign(
            access_minutes=np.round(drive + params.station_entry_minutes, 2),
            coordinates_known=~no_xy,
        )
        info["stations"] = ns
        info["stations_boardable_in_window"] = int(can_board.sum())
        info["rail_station_pairs"] = len(jp)
        info["timetable"] = dict(timetable.info)
    if links is not None and len(links):
        frames.append(link_edges(units, links, params, p))
    p.raise_if_any()
    edges = (
        pd.concat([f for f in frames if len(f)], ignore_index=True)
        if any(len(f) for f in frames)
        else pd.DataFrame(columns=EDGE_COLUMNS)
    )
    edges["modelled"] = edges["modelled"].astype(bool)
    bad = ~np.isfinite(edges["minutes"].to_numpy(float)) | (edges["minutes"].to_numpy(float) < 0)
    if bad.any():
        raise InputError(
            [
                Problem(
                    "network",
                    "edge with missing, infinite or negative minutes",
                    edges.loc[bad, "label"].unique().tolist(),
                )
            ]
        )
    return Network(units, nodes, edges.reset_index(drop=True), journeys, info, stations_out)


def parse_link(text: str) -> dict:
    """Parse ``FROM:TO:MINUTES[:MODE]`` (mode defaults to ``rail``)."""
    parts = text.split(":")
    if len(parts) not in (3, 4):
        raise ParameterError(
            f"The 'add-link' parameter of access must be FROM:TO:MINUTES[:MODE]. Got {text!r}."
        )
    try:
        minutes = float(parts[2])
    except ValueError as err:
        raise ParameterError(
            f"The 'add-link' MINUTES of access must be a float >= 0. Got {parts[2]!r} in {text!r}."
        ) from err
    if not (np.isfinite(minutes) and minutes >= 0):
        raise ParameterError(
            f"The 'add-link' MINUTES of access must be a float >= 0. Got {text!r}."
        )
    return {
        "origin": parts[0].strip(),
        "destination": parts[1].strip(),
        "minutes": minutes,
        "mode": (parts[3].strip() if len(parts) == 4 and parts[3].strip() else "rail"),
    }


def link_edges(
    units: pd.DataFrame, links: pd.DataFrame, params: AccessParams, problems: Problems
) -> pd.DataFrame:
    """Edges (both directions) for unit-to-unit links; checks units and plausible speed."""
    index = {u: i for i, u in enumerate(units["unit_id"])}
    o = links["origin"].astype("string").str.strip()
    d = links["destination"].astype("string").str.strip()
    minutes = pd.to_numeric(links["minutes"], errors="coerce").to_numpy(float)
    mode = (
        links["mode"].astype("string").fillna("rail").to_numpy()
        if "mode" in links.columns
        else np.full(len(links), "rail")
    )
    unknown = ~o.isin(index) | ~d.isin(index)
    if unknown.any():
        problems.add(
            "links",
            "unknown unit_id (not in the units table)",
            [f"{x}:{y}" for x, y in zip(o[unknown], d[unknown], strict=True)],
        )
    bad = ~(minutes >= 0)
    if bad.any():
        problems.add(
            "links",
            "minutes missing or negative",
            [f"{x}:{y}" for x, y in zip(o[bad], d[bad], strict=True)],
        )
    ok = ~unknown.to_numpy() & ~bad
    io = o[ok].map(index).to_numpy(np.int64)
    idd = d[ok].map(index).to_numpy(np.int64)
    if params.max_speed_kmh is not None and ok.any():
        km = haversine_km(
            units["lon"].to_numpy()[io],
            units["lat"].to_numpy()[io],
            units["lon"].to_numpy()[idd],
            units["lat"].to_numpy()[idd],
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            kmh = np.where(minutes[ok] > 0, km / minutes[ok] * 60.0, np.where(km > 0, np.inf, 0.0))
        fast = kmh > params.max_speed_kmh
        if fast.any():
            problems.add(
                "links",
                f"implies more than {params.max_speed_kmh:g} km/h over the great-circle "
                "distance between the unit points",
                [
                    f"{x}:{y} {m:g} min for {k:.0f} km"
                    for x, y, m, k in zip(
                        o[ok][fast], d[ok][fast], minutes[ok][fast], km[fast], strict=True
                    )
                ],
            )
    if "modelled" in links.columns:
        modelled = (
            links["modelled"].astype(str).str.lower().isin(["1", "true", "yes"]).to_numpy()[ok]
        )
    else:  # a link typed in for a scenario is an assumption, not observed data
        modelled = np.ones(int(ok.sum()), dtype=bool)
    e = pd.DataFrame(
        {
            "from_node": io,
            "to_node": idd,
            "minutes": minutes[ok],
            "mode": mode[ok],
            "modelled": modelled,
            "label": "link",
        }
    )
    e = pd.concat(
        [e, e.rename(columns={"from_node": "to_node", "to_node": "from_node"})], ignore_index=True
    )
    return e[e["from_node"] != e["to_node"]][EDGE_COLUMNS]
