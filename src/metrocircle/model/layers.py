"""Flow layers and their labels: what each layer is (``kind``) and where it comes from
(``source``: observed, or modelled).

A metropolitan analysis reads several flow layers (commuting, signaling-derived trips,
enterprise investment, passengers, freight) and must be able to say, in every output, which of
them were observed and which were modelled. A :class:`FlowLayer` is one layer with that label;
:func:`combine_layers` stacks layers into one ``flows`` table whose ``layer``, ``kind`` and
``source`` columns carry the label row by row, so that any function reading the table
(:func:`metrocircle.strength.fuse`, the ``cn-multisource`` delineation) can report it;
:func:`layer_labels` reads the labels back, one row per layer.

Kinds: ``commuting``, ``signaling``, ``investment``, ``passenger``, ``freight``, ``other``.
Sources: ``real`` (observed data) and ``modelled`` (built by a model from other data).

Examples
--------
>>> import pandas as pd
>>> from metrocircle.model.layers import FlowLayer, combine_layers, layer_labels
>>> rail = FlowLayer(
...     pd.DataFrame({"origin": ["A"], "destination": ["B"], "value": [12.0]}),
...     name="rail_trips", kind="passenger", source="real", note="direct trains per day")
>>> flows = combine_layers([rail])
>>> flows.columns.tolist()
['origin', 'destination', 'value', 'layer', 'kind', 'source']
>>> layer_labels(flows)[["layer", "kind", "source", "pairs"]]
        layer       kind source  pairs
0  rail_trips  passenger   real      1
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from metrocircle.exceptions import InputError, ParameterError
from metrocircle.model import schema as S
from metrocircle.model.validation import validate_flows

__all__ = [
    "LAYER_KINDS",
    "LAYER_SOURCES",
    "FlowLayer",
    "combine_layers",
    "layer_labels",
    "read_layer",
]

LAYER_KINDS = S.LAYER_KINDS
LAYER_SOURCES = S.LAYER_SOURCES


def _check_label(name: str, kind: object, source: object, owner: str) -> None:
    if not isinstance(name, str) or not name.strip():
        raise ParameterError(f"The 'name' parameter of {owner} must be a non-empty string. "
                             f"Got {name!r}.")
    if kind not in LAYER_KINDS:
        raise ParameterError(f"The 'kind' parameter of {owner} must be one of "
                             f"{', '.join(repr(k) for k in LAYER_KINDS)}. Got {kind!r}.")
    if source not in LAYER_SOURCES:
        raise ParameterError(f"The 'source' parameter of {owner} must be one of "
                             f"{', '.join(repr(k) for k in LAYER_SOURCES)}. Got {source!r}.")


@dataclass(frozen=True, eq=False)
class FlowLayer:
    """One flow layer with its label.

    Parameters
    ----------
    flows
        ``origin, destination, value`` (validated on construction; any other column is left
        out). A unit's flow with itself (the diagonal) is a row like any other.
    name
        The layer's name, unique among the layers of a run (``commuting``, ``rail_trips``...).
    kind
        What the flows are: one of :data:`LAYER_KINDS`.
    source
        ``"real"`` (observed) or ``"modelled"``.
    note
        How the layer was made, in a sentence (shown next to the label in outputs).
    """

    flows: pd.DataFrame = field(repr=False)
    name: str
    kind: str
    source: str
    note: str = ""

    def __post_init__(self) -> None:
        _check_label(self.name, self.kind, self.source, "FlowLayer")
        if not isinstance(self.flows, pd.DataFrame):
            raise ParameterError("The 'flows' parameter of FlowLayer must be a pandas DataFrame. "
                                 f"Got {type(self.flows).__name__}.")
        clean = validate_flows(self.flows[[c for c in S.FLOW_COLUMNS if c in self.flows.columns]],
                               source=self.name)
        object.__setattr__(self, "flows", clean)

    @property
    def label(self) -> dict[str, str]:
        """``{"layer", "kind", "source", "note"}`` as written into run records."""
        return {"layer": self.name, "kind": self.kind, "source": self.source, "note": self.note}

    def labelled(self) -> pd.DataFrame:
        """The flows with ``layer``, ``kind`` and ``source`` columns."""
        return self.flows.assign(**{S.LAYER: self.name, S.KIND: self.kind,
                                    S.SOURCE: self.source})


def combine_layers(layers: Iterable[FlowLayer]) -> pd.DataFrame:
    """Stack layers into one ``flows`` table with ``layer``, ``kind`` and ``source`` columns.

    Raises
    ------
    ParameterError
        When a layer is not a :class:`FlowLayer` or two layers share a name.
    """
    layers = list(layers)
    if not layers:
        raise ParameterError("The 'layers' parameter of combine_layers must list at least one "
                             "FlowLayer.")
    bad = [type(x).__name__ for x in layers if not isinstance(x, FlowLayer)]
    if bad:
        raise ParameterError("The 'layers' parameter of combine_layers must hold FlowLayer "
                             f"objects. Got {', '.join(bad)}.")
    names = [x.name for x in layers]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ParameterError("The 'layers' parameter of combine_layers must have unique names. "
                             f"Got {', '.join(map(repr, dup))} more than once.")
    return pd.concat([x.labelled() for x in layers], ignore_index=True)


def layer_labels(flows: pd.DataFrame) -> pd.DataFrame:
    """One row per layer of a flows table: ``layer, kind, source, pairs, total``.

    Without a ``layer`` column the whole table is one layer named ``flows``. A missing
    ``kind`` or ``source`` column leaves that label empty (``None``): the table does not say,
    and outputs show it as not given rather than guess.
    """
    missing = [c for c in S.FLOW_COLUMNS if c not in flows.columns]
    if missing:
        raise InputError(f"flows: missing column(s) {', '.join(map(repr, missing))}")
    layer = flows[S.LAYER].astype(str) if S.LAYER in flows.columns else pd.Series(
        "flows", index=flows.index)
    frame = pd.DataFrame({"layer": layer.to_numpy(),
                          "value": pd.to_numeric(flows[S.VALUE], errors="coerce").to_numpy()})
    for col in (S.KIND, S.SOURCE):
        frame[col] = flows[col].to_numpy(dtype=object) if col in flows.columns else None
    rows = []
    for name, g in frame.groupby("layer", sort=False):
        labels = {}
        for col in (S.KIND, S.SOURCE):
            vals = g[col].dropna().unique().tolist()
            if len(vals) > 1:
                raise InputError(f"flows: column '{col}' has several values in layer {name!r}: "
                                 f"{', '.join(map(str, vals))}")
            labels[col] = vals[0] if vals else None
        rows.append({"layer": name, **labels, "pairs": len(g), "total": float(g["value"].sum())})
    return pd.DataFrame(rows, columns=["layer", S.KIND, S.SOURCE, "pairs", "total"])


def read_layer(
    path: str | Path,
    *,
    name: str,
    kind: str,
    source: str,
    note: str = "",
    origin_col: str = S.ORIGIN,
    destination_col: str = S.DESTINATION,
    value_col: str = S.VALUE,
    universe: Collection[str] | None = None,
    external: Sequence[str] = (),
) -> FlowLayer:
    """Read one flow layer from a file (any format :func:`~metrocircle.model.read_flows` reads)
    and label it. Bad rows raise one :class:`~metrocircle.InputError` listing every problem.

    Examples
    --------
    >>> from metrocircle.model.layers import read_layer
    >>> freight = read_layer("freight.csv", name="road_freight", kind="freight",
    ...                      source="real", value_col="tonnes")  # doctest: +SKIP
    """
    from metrocircle.model.io import read_flows

    _check_label(name, kind, source, "read_layer")
    flows = read_flows(path, origin_col=origin_col, destination_col=destination_col,
                       value_col=value_col, universe=universe, external=external)
    return FlowLayer(flows[S.FLOW_COLUMNS], name=name, kind=kind, source=source, note=note)
