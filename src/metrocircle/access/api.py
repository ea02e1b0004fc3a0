"""One call from inputs to every accessibility output, scenarios included."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from metrocircle.access.circles import (
    DEFAULT_BANDS,
    circles_frame,
    isochrones_frame,
    prepare_cores,
    validate_bands,
)
from metrocircle.access.network import AccessParams, Network, build_network, parse_link
from metrocircle.access.routing import check_speeds, travel_time_matrix, travel_times_frame
from metrocircle.access.timetable import Timetable
from metrocircle.exceptions import ParameterError

logger = logging.getLogger(__name__)

Progress = Callable[[str, float], None]


@dataclass
class AccessResult:
    """Outputs of :func:`accessibility` (DataFrames; ``minutes`` is the raw matrix)."""

    travel_times: pd.DataFrame
    circles: pd.DataFrame | None
    isochrones: pd.DataFrame | None
    network: Network
    minutes: np.ndarray
    info: dict = field(default_factory=dict)

    @property
    def stations(self) -> pd.DataFrame | None:
        """Study-area stations with their unit, departures in the window and wait."""
        return self.network.stations


@dataclass
class ScenarioResult:
    """Base and scenario results with their comparison."""

    base: AccessResult
    scenario: AccessResult
    diff: pd.DataFrame
    circle_changes: pd.DataFrame


def parse_speed_up(text: str) -> tuple[str, float]:
    """Parse ``MODE_OR_LINE:FACTOR`` (factor > 0; 1.25 = 25 % faster)."""
    key, sep, value = text.rpartition(":")
    try:
        factor = float(value)
    except ValueError:
        factor = float("nan")
    if not sep or not key or not (np.isfinite(factor) and factor > 0):
        raise ParameterError(
            "The 'speed-up' parameter of access must be MODE_OR_LINE:FACTOR with a factor > 0. "
            f"Got {text!r}."
        )
    return key.strip(), factor


def accessibility(
    units: pd.DataFrame,
    *,
    timetable: Timetable | None = None,
    roads: pd.DataFrame | None = None,
    adjacency: pd.DataFrame | None = None,
    links: pd.DataFrame | None = None,
    cores=None,
    params: AccessParams | None = None,
    bands: Sequence[float] = DEFAULT_BANDS,
    direction: str = "to_core",
    speed_ups: Sequence[str | tuple[str, float]] = (),
    progress: Progress | None = None,
) -> AccessResult:
    """Travel-time matrix, circles and isochrone bands for one network.

    Parameters
    ----------
    units
        ``unit_id, lon, lat`` (+ ``area_km2``, population columns used in summaries).
    timetable
        Rail :class:`~metrocircle.access.timetable.Timetable` or None.
    roads, adjacency, links
        See :func:`~metrocircle.access.network.build_network`.
    cores
        ``unit_id, core`` table, a list of unit ids, or a ``{core: [unit ids]}`` dict; None
        skips circles.
    direction
        ``"to_core"`` (default: the commute from each unit into the core) or ``"from_core"``.
    speed_ups
        ``"MODE_OR_LINE:FACTOR"`` strings (or tuples): ``road``, the mode of a link, ``rail``,
        ``high_speed``, ``conventional``, a train class (``G``) or a trip id.

    Examples
    --------
    >>> from metrocircle.access import accessibility, chongqing_inputs
    >>> res = accessibility(**chongqing_inputs())
    >>> sorted(res.travel_times.columns)
    ['destination', 'main_mode', 'minutes', 'modelled', 'origin', 'reachable']
    """
    t0 = time.perf_counter()
    params = (params or AccessParams()).validated()
    bands = validate_bands(bands)
    road_factor: float = 1.0
    mode_factors: dict[str, float] = {}
    link_modes = (
        set(links["mode"].astype(str))
        if links is not None and "mode" in links.columns
        else ({"rail"} if links is not None and len(links) else set())
    )
    for item in speed_ups:
        key, factor = parse_speed_up(item) if isinstance(item, str) else (item[0], float(item[1]))
        if not (np.isfinite(factor) and factor > 0):
            raise ParameterError(
                f"The 'speed-up' factor of access must be a float > 0. Got {factor!r}."
            )
        if key == "road":
            road_factor *= factor
        elif key in link_modes and key != "rail":
            mode_factors[key] = mode_factors.get(key, 1.0) * factor
        elif timetable is not None:
            timetable = timetable.sped_up(key, factor)
            if key == "rail" and "rail" in link_modes:
                mode_factors["rail"] = mode_factors.get("rail", 1.0) * factor
        elif key in link_modes:
            mode_factors[key] = mode_factors.get(key, 1.0) * factor
        else:
            raise ParameterError(
                f"The 'speed-up' selector of access must be road, a link mode or a rail line; "
                f"there is no timetable. Got {key!r}."
            )
    if progress:
        progress("network", 0.0)
    net = build_network(
        units, timetable=timetable, roads=roads, adjacency=adjacency, links=links, params=params
    )
    if road_factor != 1.0 or mode_factors:
        e = net.edges.copy()
        factor_by_edge = np.ones(len(e))
        factor_by_edge[(e["mode"] == "road").to_numpy()] = road_factor
        for m, f in mode_factors.items():
            factor_by_edge[(e["mode"] == m).to_numpy() & (e["label"] == "link").to_numpy()] = f
        e["minutes"] = e["minutes"] / factor_by_edge
        net = Network(net.units, net.nodes, e, net.journeys, net.info, net.stations)
    t_net = time.perf_counter()
    if progress:
        progress("shortest paths", 0.4)
    matrix = travel_time_matrix(net)
    check_speeds(net, matrix["minutes"], params.max_speed_kmh)
    t_paths = time.perf_counter()
    if progress:
        progress("tables", 0.8)
    tt = travel_times_frame(net, matrix)
    circles = isochrones = None
    if cores is not None:
        cores_df = prepare_cores(cores, net.units["unit_id"])
        circles = circles_frame(
            matrix["minutes"], net.units["unit_id"], cores_df, bands=bands, direction=direction
        )
        isochrones = isochrones_frame(circles, net.units, bands)
    info = dict(net.info)
    unreachable = int((~tt["reachable"]).sum())
    info.update(
        {
            "units": net.n_units,
            "nodes": len(net.nodes),
            "edges": len(net.edges),
            "pairs": len(tt),
            "unreachable_pairs": unreachable,
            "units_unreachable_from_all": sorted(
                net.units["unit_id"][
                    np.all(
                        ~np.isfinite(matrix["minutes"]) | np.eye(net.n_units, dtype=bool), axis=0
                    )
                    & (net.n_units > 1)
                ].tolist()
            ),
            "seconds_network": round(t_net - t0, 4),
            "seconds_paths": round(t_paths - t_net, 4),
            "params": {k: getattr(params, k) for k in params.__dataclass_fields__},
            "speed_ups": [str(s) for s in speed_ups],
        }
    )
    if unreachable:
        logger.warning(
            "%d unit pairs are unreachable (written with empty minutes, reachable=false)",
            unreachable,
        )
    if progress:
        progress("done", 1.0)
    return AccessResult(tt, circles, isochrones, net, matrix["minutes"], info)


def scenario(
    units: pd.DataFrame,
    *,
    add_links: Sequence[str] = (),
    speed_ups: Sequence[str] = (),
    links: pd.DataFrame | None = None,
    progress: Progress | None = None,
    **kwargs,
) -> ScenarioResult:
    """Compute the base network and a scenario with added links and/or speed-ups, and compare.

    ``add_links`` are ``"FROM:TO:MINUTES[:MODE]"`` strings (unit ids, seat-to-seat minutes,
    both directions, mode ``rail`` by default). Other keyword arguments go to
    :func:`accessibility`.

    Returns
    -------
    ScenarioResult
        ``diff`` has ``origin, destination, base_minutes, scenario_minutes, delta`` for every
        ordered pair (``delta`` = scenario − base, empty if either is unreachable, with
        ``base_reachable``/``scenario_reachable``); ``circle_changes`` lists the units that
        enter or leave each circle (``limit_minutes`` 30/45/60/90) of each core.
    """
    base = accessibility(units, links=links, progress=progress, **kwargs)
    extra = pd.DataFrame(
        [parse_link(s) for s in add_links], columns=["origin", "destination", "minutes", "mode"]
    )
    all_links = pd.concat([links, extra], ignore_index=True) if links is not None else extra
    scen = accessibility(
        units,
        links=all_links if len(all_links) else None,
        speed_ups=speed_ups,
        progress=progress,
        **kwargs,
    )
    b, s = base.travel_times, scen.travel_times
    diff = pd.DataFrame(
        {
            "origin": b["origin"],
            "destination": b["destination"],
            "base_minutes": b["minutes"],
            "scenario_minutes": s["minutes"],
        }
    )
    diff["delta"] = (diff["scenario_minutes"] - diff["base_minutes"]).round(1)
    diff["base_reachable"] = b["reachable"].to_numpy()
    diff["scenario_reachable"] = s["reachable"].to_numpy()
    changes = (
        circle_changes(base.circles, scen.circles, kwargs.get("bands", DEFAULT_BANDS))
        if base.circles is not None
        else pd.DataFrame()
    )
    return ScenarioResult(base, scen, diff, changes)


def circle_changes(base: pd.DataFrame, scen: pd.DataFrame, bands=DEFAULT_BANDS) -> pd.DataFrame:
    """Units entering or leaving the circle of each limit (minutes) around each core."""
    m = base.merge(scen, on=["unit_id", "core"], suffixes=("_base", "_scenario"))
    rows = []
    for limit in validate_bands(bands):
        inside_b = m["reachable_base"] & (m["minutes_base"].astype(float).fillna(np.inf) <= limit)
        inside_s = m["reachable_scenario"] & (
            m["minutes_scenario"].astype(float).fillna(np.inf) <= limit
        )
        for change, mask in (("entered", ~inside_b & inside_s), ("left", inside_b & ~inside_s)):
            g = m[mask.to_numpy()]
            rows.append(
                pd.DataFrame(
                    {
                        "core": g["core"],
                        "limit_minutes": limit,
                        "unit_id": g["unit_id"],
                        "change": change,
                        "base_minutes": g["minutes_base"],
                        "scenario_minutes": g["minutes_scenario"],
                    }
                )
            )
    cols = ["core", "limit_minutes", "unit_id", "change", "base_minutes", "scenario_minutes"]
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)
    return (
        out[cols].sort_values(["core", "limit_minutes", "change", "unit_id"]).reset_index(drop=True)
    )


# ---------------------------------------------------------------------- Chongqing example
CHONGQING_CORE = "chongqing_central"


def chongqing_inputs() -> dict:
    """Keyword arguments of :func:`accessibility` for the shipped Chongqing example.

    Units: the 58 units that tile the study area (seat points); rail: the real 2019
    timetable; roads: **modelled** from the shared borders; core: the 9 central districts.
    """
    from metrocircle.datasets import chongqing

    units = chongqing.load_units()
    cores = units.loc[units["group"] == chongqing.CORE_GROUP, ["unit_id"]].assign(
        core=CHONGQING_CORE
    )
    return {
        "units": units,
        "timetable": Timetable.from_chongqing(),
        "adjacency": chongqing.load_adjacency(),
        "cores": cores,
    }


# ---------------------------------------------------------------------- writing
def write_outputs(
    result: AccessResult | ScenarioResult, out_dir: str | Path, *, boundaries=None
) -> list[Path]:
    """Write CSV tables (and a GeoPackage if ``boundaries`` is given) to ``out_dir``.

    Files: ``travel_times.csv``, ``circles.csv``, ``isochrones.csv``, ``stations.csv``,
    ``info.json``; for a scenario also ``scenario_travel_times.csv``, ``scenario_circles.csv``,
    ``scenario_diff.csv``, ``circle_changes.csv``; ``access.gpkg`` with layers ``units``,
    ``isochrones``, ``stations`` (and ``scenario_units``) when boundaries are given.
    """
    import json

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def _csv(df: pd.DataFrame | None, name: str) -> None:
        if df is None:
            return
        from metrocircle.model.io import write_table

        # through the model's writer: a cell a spreadsheet would run as a formula is neutralised
        written.append(write_table(df, out / name))

    base = result.base if isinstance(result, ScenarioResult) else result
    _csv(base.travel_times, "travel_times.csv")
    _csv(base.circles, "circles.csv")
    _csv(base.isochrones, "isochrones.csv")
    _csv(base.stations, "stations.csv")
    info = {"base": base.info}
    if isinstance(result, ScenarioResult):
        _csv(result.scenario.travel_times, "scenario_travel_times.csv")
        _csv(result.scenario.circles, "scenario_circles.csv")
        _csv(result.diff, "scenario_diff.csv")
        _csv(result.circle_changes, "circle_changes.csv")
        info["scenario"] = result.scenario.info
    path = out / "info.json"
    path.write_text(json.dumps(info, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    written.append(path)
    if boundaries is not None:
        written.append(write_geopackage(result, out / "access.gpkg", boundaries))
    return written


def write_geopackage(result: AccessResult | ScenarioResult, path: str | Path, boundaries) -> Path:
    """GeoPackage for QGIS: unit polygons with circle columns, dissolved bands, stations."""
    from metrocircle.exceptions import require

    gpd = require("geopandas", "geo")
    base = result.base if isinstance(result, ScenarioResult) else result
    path = Path(path)
    if path.exists():
        path.unlink()
    b = boundaries[["unit_id", "geometry"]].copy()
    b["unit_id"] = b["unit_id"].astype(str)
    units = base.network.units.copy()
    units["unit_id"] = units["unit_id"].astype(str)

    def _layer(res: AccessResult, name: str) -> None:
        if res.circles is None:
            layer = b.merge(units, on="unit_id", how="left")
        else:
            c = res.circles.copy()
            c["unit_id"] = c["unit_id"].astype(str)
            c["minutes"] = c["minutes"].astype(float)
            layer = b.merge(units, on="unit_id", how="left").merge(c, on="unit_id", how="left")
        layer = gpd.GeoDataFrame(layer, geometry="geometry", crs=boundaries.crs)
        layer.to_file(path, layer=name, driver="GPKG", engine="pyogrio")

    _layer(base, "units")
    if base.circles is not None:
        c = base.circles.copy()
        c["unit_id"] = c["unit_id"].astype(str)
        g = gpd.GeoDataFrame(
            b.merge(c[["unit_id", "core", "band"]], on="unit_id"),
            geometry="geometry",
            crs=boundaries.crs,
        )
        iso = g.dissolve(by=["core", "band"], as_index=False)
        iso.to_file(path, layer="isochrones", driver="GPKG", engine="pyogrio")
    st = base.stations
    if st is not None and st["lon"].notna().any():
        has = st["lon"].notna()
        pts = gpd.GeoDataFrame(
            st[has],
            geometry=gpd.points_from_xy(st.loc[has, "lon"], st.loc[has, "lat"]),
            crs="EPSG:4326",
        )
        pts.to_file(path, layer="stations", driver="GPKG", engine="pyogrio")
    if isinstance(result, ScenarioResult):
        _layer(result.scenario, "scenario_units")
    return path
