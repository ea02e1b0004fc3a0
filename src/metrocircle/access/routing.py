"""Unit-to-unit travel times on a :class:`~metrocircle.access.network.Network`.

All shortest paths are computed by ``scipy.sparse.csgraph.dijkstra`` (compiled), one call
for all origins; nothing loops over nodes in Python.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from metrocircle.access.geo import distance_matrix_km
from metrocircle.access.network import Network
from metrocircle.exceptions import InputError, Problem

BASE_MODES = ("road", "access")
_EPS = 1e-9


def unit_times(
    network: Network, *, exclude_modes: tuple[str, ...] = (), only_real: bool = False
) -> np.ndarray:
    """Matrix (units × units) of shortest travel minutes; ``inf`` where unreachable."""
    n = network.n_units
    if n == 0:
        return np.zeros((0, 0))
    g = network.csr(exclude_modes=exclude_modes, only_real=only_real)
    return dijkstra(g, directed=True, indices=np.arange(n))[:, :n]


def travel_time_matrix(network: Network) -> dict[str, np.ndarray]:
    """Times plus, per pair, the main mode and whether a modelled part is on the path.

    ``main_mode`` is the non-road mode whose removal slows the pair most (``rail``, or the
    mode of an added link); ``road`` when no such mode helps. ``modelled`` is True unless the
    same time is reached over edges from real data only.

    Returns
    -------
    dict
        ``minutes`` (float, inf = unreachable), ``main_mode_code`` (int8 codes into
        ``mode_names``), ``modelled`` (bool), ``modes`` (the modes tested).
    """
    t = unit_times(network)
    modes = [str(m) for m in pd.unique(network.edges["mode"]) if m not in BASE_MODES]
    has_road = bool((network.edges["mode"] == "road").any())
    # codes into mode_names: 0 = "" (unreachable or same unit), 1 = road (or none), 2.. = modes
    mode_names = np.asarray(["", "road" if has_road else "none", *modes], dtype=object)
    code = np.ones(t.shape, dtype=np.int8)
    if modes:
        best_gain = np.zeros(t.shape)
        for k, m in enumerate(modes):
            tm = unit_times(network, exclude_modes=(m,))
            with np.errstate(invalid="ignore"):
                gain = np.where(np.isfinite(t), tm - t, 0.0)  # inf when only m connects
            gain = np.nan_to_num(gain, nan=0.0, posinf=np.inf)
            better = (gain > best_gain) & (gain > _EPS)
            code[better] = k + 2
            best_gain = np.where(better, gain, best_gain)
    flags = network.edges["modelled"].to_numpy(bool)
    if flags.all():  # every path has a modelled part
        modelled = np.isfinite(t)
    elif not flags.any():  # all edges from real data
        modelled = np.zeros(t.shape, dtype=bool)
    else:
        real = unit_times(network, only_real=True)
        modelled = np.isfinite(t) & ~(real <= t + _EPS)
    code[~np.isfinite(t)] = 0
    np.fill_diagonal(code, 0)
    return {
        "minutes": t,
        "main_mode_code": code,
        "mode_names": mode_names,
        "modelled": modelled,
        "modes": np.asarray(modes, dtype=object),
    }


def check_speeds(network: Network, minutes: np.ndarray, max_speed_kmh: float | None) -> None:
    """Raise :class:`InputError` listing pairs whose time implies more than ``max_speed_kmh``."""
    if max_speed_kmh is None or minutes.size == 0:
        return
    u = network.units
    km = distance_matrix_km(u["lon"].to_numpy(), u["lat"].to_numpy())
    with np.errstate(divide="ignore", invalid="ignore"):
        kmh = np.where(minutes > 0, km / minutes * 60.0, np.where(km > 0.001, np.inf, 0.0))
    kmh = np.where(np.isfinite(minutes), kmh, 0.0)
    np.fill_diagonal(kmh, 0.0)
    bad = np.argwhere(kmh > max_speed_kmh)
    if len(bad):
        ids = u["unit_id"].to_numpy()
        raise InputError(
            [
                Problem(
                    "travel times",
                    f"{len(bad)} pairs imply more than {max_speed_kmh:g} km/h over the "
                    "great-circle distance between unit points (check station units and "
                    "coordinates, road minutes or added links)",
                    [
                        f"{ids[i]}->{ids[j]}: {minutes[i, j]:.1f} min for {km[i, j]:.0f} km"
                        for i, j in bad
                    ],
                )
            ]
        )


def travel_times_frame(network: Network, matrix: dict[str, np.ndarray]) -> pd.DataFrame:
    """Long table ``origin, destination, minutes, main_mode, modelled, reachable`` (i != j).

    Unreachable pairs have empty ``minutes`` and ``reachable = False``; no infinity is written.
    """
    ids = network.units["unit_id"].to_numpy(dtype=object)
    n = len(ids)
    oi, di = np.nonzero(~np.eye(n, dtype=bool))
    t = matrix["minutes"][oi, di]
    reach = np.isfinite(t)
    minutes = pd.array(np.where(reach, np.round(t, 1), np.nan), dtype="Float64")
    minutes[~reach] = pd.NA
    # categoricals: 4 million rows of 2,000 ids cost nothing this way
    id_cat = pd.CategoricalDtype(pd.array(ids, dtype="string"))
    main = pd.Categorical.from_codes(
        matrix["main_mode_code"][oi, di],
        dtype=pd.CategoricalDtype(pd.array(matrix["mode_names"], dtype="string")),
    )
    return pd.DataFrame(
        {
            "origin": pd.Categorical.from_codes(oi, dtype=id_cat),
            "destination": pd.Categorical.from_codes(di, dtype=id_cat),
            "minutes": minutes,
            "main_mode": main,
            "modelled": matrix["modelled"][oi, di],
            "reachable": reach,
        }
    )
