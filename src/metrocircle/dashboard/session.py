"""Re-running a run's delineation with other thresholds, and the project file that reproduces it.

The tables are read from ``delineation/inputs/`` once and validated once; each slider move only
runs the method (on the method's prepared context when it has one). The exported project is the
run's own ``project.toml`` with the changed parameters written into
``[steps.delineation] params``, so that ``metrocircle run`` gives the same ``membership.csv``.

Examples
--------
>>> from metrocircle.delineate import get_method
>>> [s["name"] for s in sliders(get_method("cn-commuting"), {"integration_share": 0.3,
...     "close_share": 0.1, "radiation_share": 0.05, "max_minutes": 60.0, "snap_share": 0.5},
...     travel_times=True)]
['integration_share', 'close_share', 'radiation_share', 'max_minutes', 'snap_share']
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
import tomllib
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from metrocircle.delineate import DelineationMethod, get_method
from metrocircle.exceptions import InputError, ParameterError, Problem

logger = logging.getLogger(__name__)

#: Travel-time limits are parameters named like this; their slider runs to at least this many
#: minutes (or twice the run's value).
MINUTES_SUFFIX = "_minutes"
MINUTES_SLIDER_MAX = 180.0
#: Results kept for slider positions already visited.
CACHE_SIZE = 64
TABLES = ("flows", "units", "cores", "adjacency", "travel_times")


def sliders(method: type[DelineationMethod], values: Mapping[str, Any], *,
            travel_times: bool) -> list[dict[str, Any]]:
    """The sliders of a method: every float parameter with a range, and the travel-time limit
    (``*_minutes``) when the run had travel times.

    Each slider is ``name, doc, min, max, step, value`` (``value``: the run's; None for an
    optional parameter the run left unset, which then starts at ``start``) and ``optional``.
    """
    out = []
    for p in method.params:
        value = values.get(p.name)
        if p.kind is not float or isinstance(value, bool):
            continue
        if value is None and not (p.optional and p.low is not None and p.high is not None):
            continue
        if p.name.endswith(MINUTES_SUFFIX):
            if not travel_times:
                continue
            low = p.low if p.low is not None else 0.0
            high = p.high if p.high is not None else max(MINUTES_SLIDER_MAX,
                                                          2 * float(value or 0))
            step = 1.0
        elif p.low is not None and p.high is not None:
            low, high = float(p.low), float(p.high)
            step = 0.005 if high - low <= 1 else (high - low) / 200
        else:
            continue
        if p.low_open:
            low += step
        if p.high_open:
            high -= step
        # an optional parameter left unset (e.g. cn-multisource's membership_share: natural
        # breaks instead of a fixed threshold) starts unset; setting it starts mid-range
        start = float(value) if value is not None else round((low + high) / 2 / step) * step
        out.append({"name": p.name, "doc": p.doc, "min": low, "max": high, "step": step,
                    "value": None if value is None else float(value), "start": start,
                    "optional": p.optional})
    return out


class Redelineation:
    """A run's delineation, ready to run again with other parameter values.

    Parameters
    ----------
    run_dir
        The run folder (``delineation/inputs/`` and ``project.toml`` are read).

    Attributes
    ----------
    method
        The method's name.
    params
        Every parameter as the run used it.
    sliders
        See :func:`sliders`.
    """

    def __init__(self, run_dir: str | Path) -> None:
        from metrocircle.model import validate_inputs
        from metrocircle.model.io import read_table

        self.run_dir = Path(run_dir)
        folder = self.run_dir / "delineation" / "inputs"
        from metrocircle.dashboard.run_folder import read_json

        spec = read_json(folder / "params.json", "delineation/inputs/params.json")
        self.spec: dict[str, Any] = spec
        self.method: str = spec["method"]
        self.params: dict[str, Any] = dict(spec["params"])
        self.given: dict[str, Any] = dict(spec.get("given") or {})
        self.external: list[str] = list(spec.get("external") or [])
        self.cls = get_method(self.method)
        tables: dict[str, pd.DataFrame | None] = {}
        for name in TABLES:
            f = folder / f"{name}.csv"
            tables[name] = read_table(f, source=f"delineation/inputs/{f.name}")[0] \
                if f.is_file() else None
        if tables["flows"] is None:
            raise InputError([Problem("delineation/inputs", "flows.csv is missing")])
        t0 = time.perf_counter()
        flows, units, cores, adjacency, travel_times = validate_inputs(
            tables["flows"], units=tables["units"], cores=tables["cores"],
            adjacency=tables["adjacency"], travel_times=tables["travel_times"],
            external=self.external)
        self._tables = {"flows": flows, "units": units, "cores": cores, "adjacency": adjacency,
                        "travel_times": travel_times}
        self._prepared: Any = None
        if hasattr(self.cls, "prepare") and hasattr(self.cls, "fit_prepared"):
            # one prepared context for every slider move (the sensitivity branch's engine)
            self._prepared = self.cls(**self.params).prepare(
                flows, units=units, cores=cores, adjacency=adjacency, travel_times=travel_times)
        logger.info("delineation inputs of %s read in %.2f s", self.run_dir,
                    time.perf_counter() - t0)
        self.sliders = sliders(self.cls, self.params, travel_times=travel_times is not None)
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple, pd.DataFrame] = OrderedDict()

    # -- parameters --------------------------------------------------------------------------
    def parse(self, texts: Mapping[str, str]) -> dict[str, float]:
        """Slider values from text (a query string); unknown names and bad values raise one
        :class:`~metrocircle.exceptions.ParameterError`."""
        names = {s["name"] for s in self.sliders}
        unknown = sorted(set(texts) - names)
        if unknown:
            raise ParameterError(f"The dashboard has no slider {', '.join(map(repr, unknown))} "
                                 f"for {self.method}; its sliders are: {', '.join(sorted(names))}.")
        spec = self.cls.param_spec()
        return {k: spec[k].parse(v, self.method) for k, v in texts.items()}

    def changes(self, values: Mapping[str, float | None]) -> dict[str, float | None]:
        """The values that differ from the run's (None: an optional parameter unset)."""
        def same(a: float | None, b: float | None) -> bool:
            if a is None or b is None:
                return a is None and b is None
            return math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-12)

        return {k: v for k, v in values.items() if not same(v, self.params[k])}

    # -- running -----------------------------------------------------------------------------
    def membership(self, values: Mapping[str, float]) -> tuple[pd.DataFrame, float]:
        """``membership`` of the delineation with ``values`` in place of the run's, and the
        seconds it took (0 when it came from the cache)."""
        params = {**self.params, **values}
        self.cls(**params).get_params()  # ParameterError before any work
        key = tuple(sorted((k, None if v is None else float(v))
                           for k, v in self.changes(values).items()))
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key], 0.0
            t0 = time.perf_counter()
            est = self.cls(**params)
            if self._prepared is not None:
                est.fit_prepared(self._prepared)
            else:
                t = self._tables
                est.fit(t["flows"], units=t["units"], cores=t["cores"], adjacency=t["adjacency"],
                        travel_times=t["travel_times"])
            seconds = time.perf_counter() - t0
            m = pd.DataFrame(est.membership_.drop(columns="geometry", errors="ignore"))
            self._cache[key] = m
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        logger.debug("%s %s: %.3f s", self.method, dict(key), seconds)
        return m, seconds

    # -- the project that reproduces it ------------------------------------------------------
    def export(self, values: Mapping[str, float]) -> str:
        """The run's ``project.toml`` with the changed values in ``[steps.delineation]
        params``: ``metrocircle run`` on it writes the membership shown for ``values``."""
        from metrocircle.project.project import dumps

        source = self.run_dir / "project.toml"
        if not source.is_file():
            raise InputError([Problem("run folder", f"{self.run_dir} has no project.toml to "
                                                    "export from")])
        data = tomllib.loads(source.read_text(encoding="utf-8"))
        step = data.get("steps", {}).get("delineation")
        if step is None:
            raise InputError([Problem("project.toml", "has no [steps.delineation]")])
        changed = self.changes(values)
        params = {**dict(step.get("params") or {}), **changed}
        # TOML has no null: a parameter set back to unset is left out (its default)
        step["params"] = {k: v for k, v in params.items() if v is not None}
        said = ", ".join(f"{k} {self.params[k]!r} -> {v!r}" for k, v in changed.items()) \
            or "none (the run's own parameters)"
        header = ("# Exported by 'metrocircle serve' from the run folder "
                  f"{json.dumps(self.run_dir.name)}: its project.toml with the dashboard's "
                  "sliders\n# written into [steps.delineation] params. Changed: "
                  f"{said}.\n# Run it with: metrocircle run project.toml --out OTHER_FOLDER\n")
        text = header + dumps(data)
        if tomllib.loads(text) != data:  # what is written reads back the same
            raise ValueError("the exported project does not read back as written")
        return text
