"""The contract every delineation method follows.

A method is a class with a ``name`` (the CLI's METHOD), a tuple of :class:`Param` (every threshold
is a parameter) and a ``_fit`` that fills ``membership_`` and ``areas_``. ``__init__`` only stores
parameters; :meth:`DelineationMethod.fit` validates them, runs the method and returns ``self``.

Input tables (already validated by :mod:`metrocircle.model`):

``flows``
    ``origin``, ``destination`` (str unit codes), ``value`` (float >= 0). Intra-unit flows
    (origin == destination) are rows like any other.
``units`` (optional)
    ``unit_id`` plus any attributes (``name``, ``parent_id``, ``population``, ...); may be a
    GeoDataFrame.
``cores`` (optional)
    ``unit_id``, ``area_id`` and optionally ``core_group``.
``adjacency`` (optional)
    ``unit_a``, ``unit_b``: unordered pairs of neighbouring units.
``travel_times`` (optional)
    ``origin``, ``destination``, ``minutes``.

Output tables:

``membership_``
    one row per unit seen in the inputs with at least :data:`MEMBERSHIP_COLUMNS`.
``areas_``
    one row per area.
``tables_``
    further named tables a method writes next to them (e.g. ``reserve_list``).

Many runs of the same inputs (sensitivity to a parameter, replicate flow tables) go through
:meth:`DelineationMethod.prepare` once, then :meth:`DelineationMethod.fit_prepared` (the full
outputs, identical to :meth:`~DelineationMethod.fit`) or :meth:`DelineationMethod.place` (only
where each unit went, for thousands of runs) per parameter set. A method states what it can
share between runs in ``_prepare``; the default keeps the tables as given.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from metrocircle.exceptions import ParameterError

MEMBERSHIP_COLUMNS = ["unit_id", "area_id", "status", "rule", "value", "threshold", "margin"]

ProgressCallback = Callable[[str, float], None]
"""Called as ``progress(step_name, fraction_done)``; the CLI renders it as a progress bar."""


@dataclass(frozen=True)
class Param:
    """One parameter of a method: its type, default, allowed range and meaning.

    ``low``/``high`` bound numbers; ``low_open``/``high_open`` make a bound exclusive;
    ``choices`` restricts strings. ``default=None`` with ``optional=True`` means "not set".
    """

    name: str
    kind: type
    default: Any
    doc: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] | None = None
    optional: bool = False

    def describe(self) -> str:
        """The allowed values in words, as used in error messages."""
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        kind = {float: "a float", int: "an integer", bool: "a boolean", str: "a string"}[self.kind]
        if self.low is None and self.high is None:
            return kind
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self.high is None else f"{self.high:g}"
        left = "(" if self.low_open or self.low is None else "["
        right = ")" if self.high_open or self.high is None else "]"
        return f"{kind} in {left}{lo}, {hi}{right}"

    def _fail(self, method: str, got: object) -> ParameterError:
        return ParameterError(
            f"The '{self.name}' parameter of {method} must be {self.describe()}. Got {got!r}."
        )

    def parse(self, text: str, method: str) -> Any:
        """Convert the text of ``--param NAME=VALUE`` to this parameter's type and check it."""
        text = text.strip()
        if self.optional and text.lower() in {"", "none", "null"}:
            return None
        try:
            if self.kind is bool:
                low = text.lower()
                if low in {"true", "1", "yes", "on"}:
                    value: Any = True
                elif low in {"false", "0", "no", "off"}:
                    value = False
                else:
                    raise ValueError(text)
            elif self.kind is int:
                as_float = float(text)
                if not as_float.is_integer():
                    raise ValueError(text)
                value = int(as_float)
            elif self.kind is float:
                value = float(text)
            else:
                value = text
        except ValueError as err:
            raise self._fail(method, text) from err
        return self.check(value, method)

    def check(self, value: Any, method: str) -> Any:
        """Return ``value`` converted to the parameter's type, or raise :class:`ParameterError`."""
        if value is None:
            if self.optional:
                return None
            raise self._fail(method, value)
        if self.kind is bool:
            if not isinstance(value, bool | np.bool_):
                raise self._fail(method, value)
            return bool(value)
        if self.kind in (int, float):
            # numpy scalars (np.float32(0.3), np.int64(5)) are numbers like any other; complex
            # numbers, booleans and strings are not
            if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
                raise self._fail(method, value)
            if isinstance(value, np.floating) and value.dtype.itemsize < 8:
                value = float(str(value))  # np.float32(0.3) means 0.3, not 0.30000001192...
            if self.kind is int:
                if not float(value).is_integer():
                    raise self._fail(method, value)
                value = int(value)
            else:
                value = float(value)
            if math.isnan(value):
                raise self._fail(method, value)
            if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
                raise self._fail(method, value)
            if self.high is not None and (
                value > self.high or (self.high_open and value == self.high)
            ):
                raise self._fail(method, value)
            return value
        if not isinstance(value, str):
            raise self._fail(method, value)
        if self.choices and value not in self.choices:
            raise self._fail(method, value)
        return value


def share_param(name: str, default: float | None, doc: str, *, optional: bool = False) -> Param:
    """A share in (0, 1], the usual form of a commuting threshold."""
    return Param(name, float, default, doc, low=0.0, high=1.0, low_open=True, optional=optional)


@dataclass
class DelineationResult:
    """What :func:`metrocircle.delineate.delineate` returns.

    Attributes
    ----------
    method, params
        The method name and every parameter used (defaults included).
    membership
        One row per unit: ``unit_id, area_id, status, rule, value, threshold, margin`` and more.
        A GeoDataFrame when the units carried geometry.
    areas
        One row per area with its units and totals.
    tables
        Further named tables of the method (written as ``<name>.csv``).
    info
        Figures for ``run.json`` (counts, iterations, timings).
    """

    method: str
    params: dict[str, Any]
    membership: pd.DataFrame
    areas: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class InputTables:
    """The prepared inputs of a method that shares nothing between runs: the tables as given.

    :meth:`with_values` gives the same tables with other flow values.
    """

    flows: pd.DataFrame
    units: pd.DataFrame | None = None
    cores: pd.DataFrame | None = None
    adjacency: pd.DataFrame | None = None
    travel_times: pd.DataFrame | None = None

    def with_values(self, values: np.ndarray) -> InputTables:
        """The same tables, the flows' ``value`` replaced (one per row, in order)."""
        flows = self.flows.copy()
        flows["value"] = np.asarray(values, dtype=float)
        return replace(self, flows=flows)


@dataclass
class Ties:
    """The share a core-based rule reads, for every unit and area with a flow either way.

    ``pos`` (unit position), ``area`` (area code, an index into ``area_labels``) and ``tie``,
    sorted by ``pos`` then ``area``.
    """

    pos: np.ndarray
    area: np.ndarray
    tie: np.ndarray
    area_labels: list[str]


@dataclass
class Placement:
    """Where each unit went in one run, without the output tables (for many runs).

    Attributes
    ----------
    unit_ids
        The units, in the order of the arrays below.
    area_id
        The area of each unit (None where it is in no area).
    status
        The status of each unit (``core``, ``member``, ``outside``, or the method's own).
    value
        The value each unit was judged on (the ``value`` column of ``membership_``).
    ties
        For methods built on cores, the shares the rule reads (see :meth:`tie_to`); None
        otherwise.
    """

    unit_ids: np.ndarray
    area_id: np.ndarray
    status: np.ndarray
    value: np.ndarray
    ties: Ties | None = None

    def tie_to(self, area_ids: np.ndarray) -> np.ndarray:
        """The tie of each unit to the area named in ``area_ids`` (one per unit; None = NaN):
        the share the rule reads, 0 when the unit has no flow with that area's cores, NaN when
        the area does not exist in this run or the method has no ties (then use ``value``)."""
        n = len(self.unit_ids)
        out = np.full(n, np.nan)
        t = self.ties
        if t is None:
            return out
        code_of = {label: k for k, label in enumerate(t.area_labels)}
        code = np.array([code_of.get(a, -1) for a in area_ids], dtype=np.int64)
        ok = np.flatnonzero(code >= 0)
        n_areas = max(len(t.area_labels), 1)
        keys = t.pos.astype(np.int64) * n_areas + t.area
        wanted = ok.astype(np.int64) * n_areas + code[ok]
        at = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
        found = (keys[at] == wanted) if len(keys) else np.zeros(len(ok), dtype=bool)
        out[ok] = np.where(found, t.tie[at] if len(keys) else 0.0, 0.0)
        return out


class Parametrised:
    """Parameters declared as :class:`Param` in ``params``, given as keyword arguments and
    checked by :meth:`get_params`; shared by delineation and combination methods."""

    name: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()

    def __init__(self, **params: Any) -> None:
        self._given = dict(params)

    @classmethod
    def param_spec(cls) -> dict[str, Param]:
        return {p.name: p for p in cls.params}

    @classmethod
    def _refuse_unknown(cls, names: Any) -> None:
        spec = cls.param_spec()
        unknown = sorted(set(names) - set(spec))
        if unknown:
            raise ParameterError(
                f"{cls.name} has no parameter {', '.join(repr(u) for u in unknown)}. "
                f"Its parameters are: {', '.join(spec) or '(none)'}."
            )

    @classmethod
    def parse_params(cls, texts: Mapping[str, str]) -> dict[str, Any]:
        """Parse ``NAME=VALUE`` strings from the CLI into typed, checked values."""
        cls._refuse_unknown(texts)
        spec = cls.param_spec()
        return {k: spec[k].parse(v, cls.name) for k, v in texts.items()}

    def get_params(self) -> dict[str, Any]:
        """Every parameter with its checked value (defaults filled in)."""
        self._refuse_unknown(self._given)
        values = {
            name: p.check(self._given.get(name, p.default), self.name)
            for name, p in self.param_spec().items()
        }
        self._check_params(values)
        return values

    def _check_params(self, values: dict[str, Any]) -> None:
        """Checks across parameters (e.g. ``min_size < target_size``); override when needed."""


class DelineationMethod(Parametrised):
    """Base class of every delineation method (one conformance test runs over all of them)."""

    name: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()
    needs_cores: ClassVar[bool] = True
    #: Whether the method can derive its cores from urban-area parts (``urban_areas``) instead
    #: of taking them as given (``omb-cbsa``: OMB's central-county rule).
    accepts_urban_areas: ClassVar[bool] = False
    #: The values of ``membership_["status"]`` this method uses, and those that leave a unit in
    #: no area (``area_id`` empty). Core-based methods use core/member/outside; a method without
    #: cores (ttwa-lma) has its own vocabulary.
    statuses: ClassVar[tuple[str, ...]] = ("core", "member", "outside")
    unplaced_statuses: ClassVar[tuple[str, ...]] = ("outside",)

    # Results, set by fit(); the trailing underscore marks them as fitted (scikit-learn style).
    params_: dict[str, Any]
    membership_: pd.DataFrame
    areas_: pd.DataFrame
    tables_: dict[str, pd.DataFrame]
    info_: dict[str, Any]

    # -- fitting ------------------------------------------------------------------------------
    def fit(
        self,
        flows: pd.DataFrame,
        *,
        units: pd.DataFrame | None = None,
        cores: pd.DataFrame | None = None,
        adjacency: pd.DataFrame | None = None,
        travel_times: pd.DataFrame | None = None,
        progress: ProgressCallback | None = None,
        urban_areas: pd.DataFrame | None = None,
    ) -> DelineationMethod:
        """Run the method; results are in ``membership_``, ``areas_``, ``tables_``, ``info_``.

        ``urban_areas`` (urban-area parts by unit, for methods with ``accepts_urban_areas``)
        replaces ``cores``: the method derives its cores from it. Otherwise the tables go
        through :meth:`prepare` and :meth:`fit_prepared`.
        """
        self.params_ = self.get_params()
        if urban_areas is not None:
            if not self.accepts_urban_areas:
                raise ParameterError(
                    f"{self.name} does not derive cores from urban areas: give --cores instead."
                )
            if cores is not None:
                raise ParameterError(
                    f"Give {self.name} either cores (--cores) or urban areas (--urban-areas), "
                    "not both."
                )
            self.tables_ = {}
            self.info_ = {}
            self._fit(
                flows,
                units=units,
                cores=cores,
                adjacency=adjacency,
                travel_times=travel_times,
                progress=progress or (lambda step, frac: None),
                urban_areas=urban_areas,
            )
            return self
        prepared = self.prepare(
            flows, units=units, cores=cores, adjacency=adjacency, travel_times=travel_times
        )
        return self.fit_prepared(prepared, progress=progress)

    def prepare(
        self,
        flows: pd.DataFrame,
        *,
        units: pd.DataFrame | None = None,
        cores: pd.DataFrame | None = None,
        adjacency: pd.DataFrame | None = None,
        travel_times: pd.DataFrame | None = None,
    ) -> Any:
        """Turn the (validated) tables into what the method works on, once.

        The result does not depend on the parameters: :meth:`fit_prepared` and :meth:`place`
        run the method on it with any parameter values, and its ``with_values(values)`` gives
        the prepared inputs of the same flows with other values. (Cores derived from urban
        areas depend on the parameters: that path runs through :meth:`fit` only.)

        Examples
        --------
        >>> from metrocircle.datasets import us_cbsa
        >>> from metrocircle.delineate.omb import OmbCbsa
        >>> ctx = OmbCbsa().prepare(us_cbsa.load_flows(), units=us_cbsa.load_units(),
        ...                         cores=us_cbsa.load_cores(), adjacency=us_cbsa.load_adjacency())
        >>> sizes = [int((OmbCbsa(threshold=t).fit_prepared(ctx).membership_["status"]
        ...               == "member").sum()) for t in (0.2, 0.25, 0.3)]
        >>> sizes[0] > sizes[1] > sizes[2]
        True
        """
        if self.needs_cores and (cores is None or len(cores) == 0):
            hint = " or --urban-areas (urban-area parts by unit)"
            raise ParameterError(
                f"{self.name} needs cores: give --cores (unit_id,area_id)"
                f"{hint if self.accepts_urban_areas else ''}."
            )
        return self._prepare(
            flows, units=units, cores=cores, adjacency=adjacency, travel_times=travel_times
        )

    def _prepare(
        self,
        flows: pd.DataFrame,
        *,
        units: pd.DataFrame | None,
        cores: pd.DataFrame | None,
        adjacency: pd.DataFrame | None,
        travel_times: pd.DataFrame | None,
    ) -> Any:
        """What :meth:`prepare` returns; the default keeps the tables as given."""
        return InputTables(flows, units, cores, adjacency, travel_times)

    def fit_prepared(
        self, prepared: Any, *, progress: ProgressCallback | None = None
    ) -> DelineationMethod:
        """Run the method on inputs from :meth:`prepare`; the results are those of :meth:`fit`
        on the same tables, exactly."""
        self.params_ = self.get_params()
        self.tables_ = {}
        self.info_ = {}
        self._fit_prepared(prepared, progress or (lambda step, frac: None))
        return self

    def _fit_prepared(self, prepared: Any, progress: ProgressCallback) -> None:
        t = prepared
        self._fit(
            t.flows,
            units=t.units,
            cores=t.cores,
            adjacency=t.adjacency,
            travel_times=t.travel_times,
            progress=progress,
        )

    def place(self, prepared: Any, *, progress: ProgressCallback | None = None) -> Placement:
        """Where each unit goes with these parameters, on inputs from :meth:`prepare`: the
        ``area_id``, ``status`` and ``value`` of ``membership_`` without building it (methods
        built on cores skip the output tables; others run in full)."""
        self.params_ = self.get_params()
        self.tables_ = {}
        self.info_ = {}
        return self._place(prepared, progress or (lambda step, frac: None))

    def _place(self, prepared: Any, progress: ProgressCallback) -> Placement:
        self._fit_prepared(prepared, progress)
        m = self.membership_
        return Placement(
            unit_ids=m["unit_id"].astype(str).to_numpy(dtype=object),
            area_id=m["area_id"].astype(object).where(m["area_id"].notna(), None).to_numpy(),
            status=m["status"].astype(str).to_numpy(dtype=object),
            value=m["value"].to_numpy(dtype=float),
        )

    def _fit(
        self,
        flows: pd.DataFrame,
        *,
        units: pd.DataFrame | None,
        cores: pd.DataFrame | None,
        adjacency: pd.DataFrame | None,
        travel_times: pd.DataFrame | None,
        progress: ProgressCallback,
    ) -> None:
        raise NotImplementedError

    def result(self) -> DelineationResult:
        return DelineationResult(
            method=self.name,
            params=dict(self.params_),
            membership=self.membership_,
            areas=self.areas_,
            tables=dict(self.tables_),
            info=dict(self.info_),
        )


_REGISTRY: dict[str, type[DelineationMethod]] = {}


def register(cls: type[DelineationMethod]) -> type[DelineationMethod]:
    """Class decorator: make a method available under ``cls.name``."""
    if not cls.name:
        raise TypeError(f"{cls.__name__} has no name")
    _REGISTRY[cls.name] = cls
    return cls
