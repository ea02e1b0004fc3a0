"""City groups and functional regions: detection, post-processing, tables, stability."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.exceptions import InputError, ParameterError, Problem
from metrocircle.groups import post
from metrocircle.groups._network import FlowMatrix, adjacency_matrix, as_sparse, flow_matrix
from metrocircle.groups.community import (
    directed_modularity,
    infomap_labels,
    infomap_links,
    leiden_graph,
    leiden_labels,
)
from metrocircle.groups.compare import adjusted_rand_index
from metrocircle.groups.intramax import (
    initial_min_self_containment,
    intramax_labels,
    intramax_merges,
)
from metrocircle.model import schema as S

log = logging.getLogger(__name__)

METHODS = ("leiden", "infomap", "intramax")
Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class _Param:
    kind: str  # "float", "int", "bool", "choice"
    default: Any
    check: Callable[[Any], bool]
    describe: str
    choices: tuple[str, ...] = ()


_COMMON = {
    "min_size": _Param("float", 0.0, lambda v: v >= 0, "a float >= 0"),
    "size_by": _Param(
        "choice", "units", lambda v: True, "one of units, population", ("units", "population")
    ),
    "random_state": _Param("int", 0, lambda v: v >= 0, "an int >= 0"),
}
_STOCHASTIC = {
    "stability_runs": _Param("int", 50, lambda v: v == 0 or v >= 2, "0 or an int >= 2"),
    "self_loops": _Param("bool", False, lambda v: True, "true or false"),
}
PARAMS: dict[str, dict[str, _Param]] = {
    "leiden": {
        **_COMMON,
        **_STOCHASTIC,
        "resolution": _Param("float", 1.0, lambda v: v > 0, "a float > 0"),
        "n_iterations": _Param("int", -1, lambda v: v == -1 or v >= 1, "-1 or an int >= 1"),
    },
    "infomap": {
        **_COMMON,
        **_STOCHASTIC,
        "num_trials": _Param("int", 10, lambda v: v >= 1, "an int >= 1"),
        "teleportation_probability": _Param(
            "float", 0.15, lambda v: 0 < v < 1, "a float in (0, 1)"
        ),
    },
    "intramax": {
        **_COMMON,
        "k": _Param("int", None, lambda v: v >= 1, "an int >= 1"),
        "min_self_containment": _Param("float", None, lambda v: 0 < v <= 1, "a float in (0, 1]"),
    },
}


def parse_params(method: str, params: Mapping[str, object] | None) -> dict[str, Any]:
    """Check ``params`` of ``method`` (values may be strings, as from the CLI) and fill in the
    defaults; one :class:`~metrocircle.ParameterError` lists every bad parameter."""
    if method not in PARAMS:
        raise ParameterError(
            f"Unknown group method {method!r}. Choose one of: {', '.join(METHODS)}."
        )
    spec = PARAMS[method]
    out = {name: p.default for name, p in spec.items()}
    errors = []
    for name, raw in (params or {}).items():
        if name not in spec:
            errors.append(
                f"{method} has no parameter {name!r} (it has: {', '.join(sorted(spec))})."
            )
            continue
        p = spec[name]
        if raw is None and p.default is None:  # an optional parameter left unset
            continue
        try:
            value = _convert(p, raw)
            ok = p.check(value)
        except (TypeError, ValueError):
            ok = False
        if not ok:
            errors.append(f"The {name!r} parameter of {method} must be {p.describe}. Got {raw!r}.")
            continue
        out[name] = value
    if method == "intramax" and not errors:
        if (out["k"] is None) == (out["min_self_containment"] is None):
            errors.append(
                "intramax needs exactly one of 'k' (number of regions) or "
                "'min_self_containment' (cut where every region reaches it)."
            )
    if errors:
        raise ParameterError(" ".join(errors))
    return out


def _convert(p: _Param, raw: object) -> Any:
    if p.kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"true", "1", "yes"}:
            return True
        if text in {"false", "0", "no"}:
            return False
        raise ValueError(raw)
    if p.kind == "int":
        if isinstance(raw, bool):
            raise TypeError(raw)
        value = float(str(raw).strip()) if isinstance(raw, str) else raw
        if not float(value).is_integer():  # type: ignore[arg-type]
            raise ValueError(raw)
        return int(value)  # type: ignore[call-overload]
    if p.kind == "float":
        if isinstance(raw, bool):
            raise TypeError(raw)
        value = float(str(raw).strip()) if isinstance(raw, str) else float(raw)  # type: ignore[arg-type]
        if not np.isfinite(value):
            raise ValueError(raw)
        return value
    text = str(raw).strip()
    if text not in p.choices:
        raise ValueError(raw)
    return text


@dataclass
class GroupResult:
    """The result of :func:`find_groups`.

    Attributes
    ----------
    membership
        One row per unit: ``unit_id``, ``group`` (1.. by decreasing size), ``assigned``
        (``method``: as detected; ``split``: a spatially separate part of a detected group
        kept as its own group; ``merged``: a fragment below ``min_size`` merged into the
        neighbour with the strongest flow; ``island kept``: a small part with no neighbour),
        ``detected_group`` (the method's own label, before post-processing).
    groups
        One row per group: ``group``, ``n_units``, ``population`` (when the units have it),
        ``internal_flow`` (``T_gg``, the diagonal included), ``outflow`` (``O_g``),
        ``inflow`` (``D_g``), ``self_containment_supply_share`` (``T_gg/O_g``: of the flows
        that start in the group, the share that ends in it), ``self_containment_demand_share``
        (``T_gg/D_g``), ``parts_before_split`` (connected parts of the detected group it
        comes from; fragments merged into it are not counted).
    info
        Method, parameters, counts, modularity, stability and the choices made.
    history
        Intramax only: the merge history (see :func:`intramax_hierarchy`), unit codes in
        ``kept``/``absorbed`` (each region is named by its first unit).
    """

    membership: pd.DataFrame
    groups: pd.DataFrame
    info: dict[str, Any] = field(default_factory=dict)
    history: pd.DataFrame | None = None


def _units_ids_population(
    units: pd.DataFrame | None, size_by: str
) -> tuple[list[str] | None, np.ndarray | None]:
    if units is None:
        if size_by == "population":
            raise ParameterError(
                "The 'size_by' parameter is 'population', which needs units with a "
                "population column. Got no units."
            )
        return None, None
    if S.UNIT_ID not in units.columns:
        raise InputError([Problem("units", "missing column 'unit_id'")])
    ids = units[S.UNIT_ID].astype(str).tolist()
    if "population" not in units.columns:
        if size_by == "population":
            raise InputError([Problem("units", "size_by=population needs a 'population' column")])
        return ids, None
    pop = pd.to_numeric(units["population"], errors="coerce").to_numpy(dtype=float)
    if size_by == "population" and np.isnan(pop).any():
        rows = (np.flatnonzero(np.isnan(pop)) + 1).tolist()
        raise InputError([Problem("units", "population is missing or not a number", rows)])
    return ids, pop


def _detector(method: str, fm: FlowMatrix, p: Mapping[str, Any]) -> Callable[[int], np.ndarray]:
    """``detect(seed)`` for Leiden or Infomap; the graph is built once for every seed."""
    if method == "leiden":
        graph = leiden_graph(fm, self_loops=p["self_loops"])
        return lambda seed: leiden_labels(
            fm,
            resolution=p["resolution"],
            self_loops=p["self_loops"],
            random_state=seed,
            n_iterations=p["n_iterations"],
            graph=graph,
        )
    links = infomap_links(fm, self_loops=p["self_loops"])
    return lambda seed: infomap_labels(
        fm,
        self_loops=p["self_loops"],
        random_state=seed,
        num_trials=p["num_trials"],
        teleportation_probability=p["teleportation_probability"],
        links=links,
    )


def _cut_intramax(
    fm: FlowMatrix, adj: Any, p: Mapping[str, Any], progress: Progress
) -> tuple[np.ndarray, pd.DataFrame, dict[str, Any]]:
    history = intramax_merges(fm.matrix, adj, external_out=fm.external_out, progress=progress)
    info: dict[str, Any] = {"merges_possible": len(history)}
    fewest = fm.n - len(history)
    if p["k"] is not None:
        k = p["k"]
        if k < fewest or k > fm.n:
            raise ParameterError(
                f"The 'k' parameter of intramax must be an int in [{fewest}, {fm.n}] here "
                f"({fm.n} units; with the adjacency given at most {len(history)} merges). "
                f"Got {k}."
            )
        step = fm.n - k
    else:
        target = p["min_self_containment"]
        sc = np.concatenate(
            [
                [initial_min_self_containment(fm.matrix, fm.external_out)],
                history["min_self_containment"],
            ]
        )
        hits = np.flatnonzero(sc >= target)
        if hits.size == 0:
            raise ParameterError(
                f"The 'min_self_containment' parameter of intramax must be at most "
                f"{sc.max():.4f} here (the best any level of the hierarchy reaches). "
                f"Got {target}."
            )
        step = int(hits[0])
        info["min_self_containment_reached"] = float(sc[step])
    info["cut_after_merges"] = step
    named = history.copy()
    named["kept"] = [fm.unit_ids[i] for i in history["kept"]]
    named["absorbed"] = [fm.unit_ids[j] for j in history["absorbed"]]
    return intramax_labels(history, fm.n, step), named, info


def _stability(labelings: list[np.ndarray], first_seed: int) -> dict[str, Any]:
    """Pairwise adjusted Rand index of the detections with consecutive seeds."""
    runs = len(labelings)
    aris = np.array(
        [
            adjusted_rand_index(labelings[a], labelings[b])
            for a in range(runs)
            for b in range(a + 1, runs)
        ]
    )
    n_groups = np.array([np.unique(x).size for x in labelings])
    return {
        "runs": runs,
        "seeds": [first_seed, first_seed + runs - 1],
        "pairwise_ari_mean": float(aris.mean()),
        "pairwise_ari_min": float(aris.min()),
        "share_identical_to_reported": float(
            np.mean([adjusted_rand_index(labelings[0], x) == 1.0 for x in labelings])
        ),
        "n_groups_min": int(n_groups.min()),
        "n_groups_max": int(n_groups.max()),
        "compared": "detections before post-processing",
    }


def _adjacency_info(adj: Any, unit_ids: Sequence[str]) -> dict[str, Any]:
    """What the adjacency allows: its connected components (no contiguous group can span two)
    and the units without any neighbour (islands: each can only be a group of its own)."""
    from scipy.sparse.csgraph import connected_components

    n_components, comp = connected_components(adj, directed=False)
    degree = np.diff(adj.indptr)
    islands = [unit_ids[k] for k in np.flatnonzero(degree == 0)]
    if islands:
        log.info(
            "%d unit(s) without any neighbour in the adjacency, each a group of its own: %s",
            len(islands),
            ", ".join(islands[:10]),
        )
    return {
        "adjacency_components": int(n_components),
        "adjacency_component_sizes": sorted(np.bincount(comp).tolist(), reverse=True),
        "units_without_neighbours": islands,
    }


def group_table(
    final: np.ndarray,
    matrix: Any,
    *,
    population: np.ndarray | None = None,
    parts_before_split: np.ndarray | None = None,
    merged: np.ndarray | None = None,
    external_out: np.ndarray | None = None,
) -> pd.DataFrame:
    """Per group: size, population, internal flow, margins and self-containment shares.

    ``matrix`` (dense or scipy sparse) holds the flows between units; ``external_out`` the
    flow from each unit to places outside the study, which counts in the group's outflow."""
    groups, inv = np.unique(final, return_inverse=True)
    g = groups.size
    coo = as_sparse(matrix).tocoo()
    a, b = inv[coo.row], inv[coo.col]
    out = np.bincount(a, weights=coo.data, minlength=g)
    if external_out is not None:
        out = out + np.bincount(inv, weights=external_out, minlength=g)
    inn = np.bincount(b, weights=coo.data, minlength=g)
    same = a == b
    inside = np.bincount(a[same], weights=coo.data[same], minlength=g)
    table = pd.DataFrame({"group": groups, "n_units": np.bincount(inv, minlength=g)})
    if population is not None:
        table["population"] = np.bincount(inv, weights=np.nan_to_num(population), minlength=g)
    table["internal_flow"] = inside
    table["outflow"] = out
    table["inflow"] = inn
    with np.errstate(invalid="ignore", divide="ignore"):
        table["self_containment_supply_share"] = np.where(out > 0, inside / out, np.nan)
        table["self_containment_demand_share"] = np.where(inn > 0, inside / inn, np.nan)
    if parts_before_split is not None:
        own = np.ones(final.size, dtype=bool) if merged is None else ~merged
        parts = np.ones(g, dtype=np.int64)
        np.maximum.at(parts, inv[own], np.asarray(parts_before_split)[own])
        table["parts_before_split"] = parts
    return table


def find_groups(
    flows: pd.DataFrame,
    *,
    method: str = "leiden",
    units: pd.DataFrame | None = None,
    adjacency: pd.DataFrame | None = None,
    params: Mapping[str, object] | None = None,
    external: Sequence[str] = (),
    progress: Progress | None = None,
) -> GroupResult:
    """Find city groups / functional regions in a flow network of units.

    Parameters
    ----------
    flows
        ``origin, destination, value`` (one layer; flows inside a unit, ``origin ==
        destination``, are allowed and count in self-containment).
    method
        ``leiden`` (directed modularity), ``infomap`` (map equation) or ``intramax``.
    units
        Optional units (``unit_id``, optionally ``population``): fixes the set of units (a
        unit without flows is its own group) and gives group populations.
    adjacency
        Optional ``unit_a, unit_b`` pairs. With it, groups are split into connected parts and
        parts below ``min_size`` are merged into the neighbour with the strongest flow; for
        Intramax it is also the contiguity constraint of the merging.
    params
        Method parameters, see ``PARAMS`` and ``docs/groups.md``. Common ones: ``min_size``
        (units, or population with ``size_by=population``), ``random_state``; Leiden and
        Infomap: ``self_loops`` (default false: the diagonal is left out of detection),
        ``stability_runs`` (default 50: pairwise adjusted Rand index of the detections with
        seeds ``random_state, random_state+1, ...``); Leiden: ``resolution``; Infomap:
        ``num_trials``, ``teleportation_probability``; Intramax: ``k`` or
        ``min_self_containment``.
    external
        Codes of places outside the study (e.g. abroad) that may appear as destinations: their
        flows are not part of the network, but count in the outflow of the group of origin
        (and, for Intramax, in ``O_i``). ``info["external"]`` gives their total.
    progress
        Optional ``progress(step, fraction)`` callback.

    Returns
    -------
    GroupResult

    Examples
    --------
    >>> import pandas as pd
    >>> flows = pd.DataFrame({
    ...     "origin":      ["a", "a", "b", "b", "c", "c", "d", "d", "a", "c"],
    ...     "destination": ["a", "b", "b", "a", "c", "d", "d", "c", "c", "a"],
    ...     "value":       [50, 10, 40, 8, 30, 6, 20, 9, 1, 1]})
    >>> r = find_groups(flows, method="intramax", params={"k": 2})
    >>> r.membership[["unit_id", "group"]].to_dict("list")
    {'unit_id': ['a', 'b', 'c', 'd'], 'group': [1, 1, 2, 2]}
    """
    p = parse_params(method, params)
    report = progress or (lambda step, frac: None)
    ids, population = _units_ids_population(units, p["size_by"])
    fm = flow_matrix(flows, unit_ids=ids, external=external)
    adj = adjacency_matrix(adjacency, fm.unit_ids)
    if p["min_size"] > 0 and adj is None:
        raise ParameterError(
            f"The 'min_size' parameter of {method} merges small parts into their neighbours, "
            f"which needs an adjacency table. Got min_size={p['min_size']} and no adjacency."
        )
    sizes = population if p["size_by"] == "population" else None
    between = float(fm.matrix.sum())
    external_flow = float(fm.external_out.sum())
    info: dict[str, Any] = {
        "method": method,
        "params": dict(p),
        "n_units": fm.n,
        "n_flows": int(fm.matrix.nnz),
        "total_flow": between,
        "diagonal_share": float(fm.matrix.diagonal().sum() / between),
        "external": {
            "codes": sorted(str(c) for c in external),
            "flow": external_flow,
            "share": external_flow / (between + external_flow),
            "note": "flows to places outside the study count in the outflow of groups only",
        },
        "adjacency": adj is not None,
    }
    if adj is not None:
        info.update(_adjacency_info(adj, fm.unit_ids))
    history = None
    report("detect", 0.0)
    if method == "intramax":
        detected, history, extra = _cut_intramax(fm, adj, p, report)
        info.update(extra)
        info["stability"] = "deterministic (no random seed)"
        self_loops = False
    else:
        self_loops = p["self_loops"]
        detect = _detector(method, fm, p)
        detected = detect(p["random_state"])
        runs = p["stability_runs"]
        if runs:
            labelings = [detected]
            for r in range(1, runs):
                labelings.append(detect(p["random_state"] + r))
                report("stability", r / runs)
            info["stability"] = _stability(labelings, p["random_state"])
    report("detect", 1.0)
    final, assigned, parts_before = post.contiguous_groups(
        detected, fm.matrix, adj, sizes=sizes, min_size=p["min_size"]
    )
    group = post.renumber(final, sizes)
    info.update(
        {
            "self_loops": self_loops,
            "n_groups_detected": int(np.unique(detected).size),
            "n_groups": int(np.unique(group).size),
            "modularity_detected": directed_modularity(fm.matrix, detected, self_loops=self_loops),
            "modularity": directed_modularity(fm.matrix, group, self_loops=self_loops),
            "modularity_note": (
                "directed, resolution 1 (comparable between runs and methods), diagonal "
                f"{'included' if self_loops else 'left out'}"
            ),
            "assigned": {k: int(v) for k, v in pd.Series(assigned).value_counts().items()},
        }
    )
    membership = pd.DataFrame(
        {
            S.UNIT_ID: fm.unit_ids,
            "group": group,
            "assigned": assigned.astype(str),
            "detected_group": pd.Series(detected).rank(method="dense").astype(int).to_numpy(),
        }
    )
    table = group_table(
        group,
        fm.matrix,
        population=population,
        parts_before_split=parts_before,
        merged=assigned == post.MERGED,
        external_out=fm.external_out,
    )
    log.info("%s: %d groups from %d units", method, info["n_groups"], fm.n)
    return GroupResult(membership, table, info, history)


def leiden(
    flows: pd.DataFrame,
    *,
    resolution: float = 1.0,
    self_loops: bool = False,
    random_state: int = 0,
    units: pd.DataFrame | None = None,
    adjacency: pd.DataFrame | None = None,
    min_size: float = 0.0,
    stability_runs: int = 0,
    external: Sequence[str] = (),
) -> GroupResult:
    """Leiden groups (directed modularity); see :func:`find_groups` for every option."""
    return find_groups(
        flows,
        method="leiden",
        units=units,
        adjacency=adjacency,
        external=external,
        params={
            "resolution": resolution,
            "self_loops": self_loops,
            "random_state": random_state,
            "min_size": min_size,
            "stability_runs": stability_runs,
        },
    )


def infomap(
    flows: pd.DataFrame,
    *,
    self_loops: bool = False,
    random_state: int = 0,
    num_trials: int = 10,
    units: pd.DataFrame | None = None,
    adjacency: pd.DataFrame | None = None,
    min_size: float = 0.0,
    stability_runs: int = 0,
    external: Sequence[str] = (),
) -> GroupResult:
    """Infomap groups (two-level map equation); see :func:`find_groups` for every option."""
    return find_groups(
        flows,
        method="infomap",
        units=units,
        adjacency=adjacency,
        external=external,
        params={
            "self_loops": self_loops,
            "random_state": random_state,
            "num_trials": num_trials,
            "min_size": min_size,
            "stability_runs": stability_runs,
        },
    )


def intramax(
    flows: pd.DataFrame,
    *,
    adjacency: pd.DataFrame | None = None,
    k: int | None = None,
    min_self_containment: float | None = None,
    units: pd.DataFrame | None = None,
    min_size: float = 0.0,
    external: Sequence[str] = (),
) -> GroupResult:
    """Intramax regions (Masser & Brown 1975), contiguous when ``adjacency`` is given; cut at
    ``k`` regions or at the first level where every region reaches ``min_self_containment``
    (``min(T_rr/O_r, T_rr/D_r)``). ``result.history`` holds every merge."""
    params: dict[str, object] = {"min_size": min_size}
    if k is not None:
        params["k"] = k
    if min_self_containment is not None:
        params["min_self_containment"] = min_self_containment
    return find_groups(
        flows,
        method="intramax",
        units=units,
        adjacency=adjacency,
        params=params,
        external=external,
    )
