"""Flow layers of a project: their labels and the models that build modelled layers.

A layer declared in ``[layers.NAME]`` comes from one of three places:

* ``file = "..."``: a flow table (read and validated against the units);
* ``step = "signaling"``: the home-to-work OD of the signaling step (all pairs, none
  suppressed: suppression protects the published ``signaling/od.csv`` only);
* ``model = "..."``: a layer model of :data:`LAYER_MODELS`, which builds the layer from the
  units (and the travel times, the census...) with its parameters.

Every layer carries a ``kind`` and a ``source`` (real or modelled); :func:`label` gives them,
and they go into every output that uses the layer. The strength step's fused index is the
layer ``fused``, labelled ``other``, modelled when any of its layers is.

Adding a layer model is one entry in :data:`LAYER_MODELS`: a :class:`LayerModel` with its
parameters (checked before any step runs), what it needs and a ``build`` function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from metrocircle.project.spec import FUSED, Key

if TYPE_CHECKING:
    from metrocircle.project.steps import StepContext


@dataclass(frozen=True)
class LayerModel:
    """A model that builds a flow layer.

    Attributes
    ----------
    name
        What ``model = "..."`` names.
    doc
        The formula in a sentence (shown in ``docs/project.md`` and ``run.json``).
    params
        Its parameters, as :class:`~metrocircle.project.spec.Key` (defaults, ranges).
    needs
        Inputs it reads beyond the units: ``"travel_times"`` (the access step or
        ``[inputs.travel_times]``), ``"census"``.
    build
        ``build(ctx, params) -> flows`` (``origin, destination, value``).
    unit_columns
        Parameters that name columns of the units table (checked against its header).
    """

    name: str
    doc: str
    params: tuple[Key, ...]
    needs: tuple[str, ...]
    build: Callable[[StepContext, dict[str, Any]], pd.DataFrame]
    unit_columns: tuple[str, ...] = ()

    def check(self, params: Mapping[str, Any]) -> list[tuple[str, str]]:
        """``(parameter, problem)`` for every unknown or bad parameter."""
        from metrocircle.project.spec import did_you_mean

        spec = {k.name: k for k in self.params}
        out = []
        for name, value in params.items():
            if name not in spec:
                out.append((name, f"{self.name} has no parameter {name!r}"
                                  f"{did_you_mean(name, list(spec))}; it has: "
                                  f"{', '.join(spec)}"))
                continue
            problem = spec[name].check(value)
            if problem:
                out.append((name, problem))
        for key in self.params:
            if key.required and key.name not in params:
                out.append((key.name, f"is required: {key.doc}"))
        return out

    def resolved(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Every parameter with its value (defaults filled in)."""
        return {k.name: params.get(k.name, k.default) for k in self.params}


def _gravity(ctx: StepContext, params: dict[str, Any]) -> pd.DataFrame:
    from metrocircle.strength import gravity

    mass = params["mass"]
    g = gravity(ctx.units(), ctx.travel_times(), mass=mass,
                direction_mass=params.get("direction_mass"), b=params["b"],
                directional=params["directional"], on_missing="error",
                progress=lambda step, frac: ctx.progress(f"gravity: {step}", frac))
    out = g.rename(columns={"strength": "value"})[["origin", "destination", "value"]]
    out.attrs["info"] = g.attrs.get("info", {})
    return out


def _chongqing(ctx: StepContext, params: dict[str, Any]) -> pd.DataFrame:
    from metrocircle.datasets.chongqing import layers as cq

    which, beta = params["layer"], params.get("beta")
    if which == "investment":
        records = cq.investment_records(travel_times=ctx.travel_times(),
                                        beta=cq.INVESTMENT_BETA if beta is None else beta)
        layer = cq.investment_layer(records)
    else:
        build = cq.road_passenger_layer if which == "road_passenger" else cq.road_freight_layer
        default = cq.PASSENGER_BETA if which == "road_passenger" else cq.FREIGHT_BETA
        layer = build(travel_times=ctx.travel_times("road"),
                      beta=default if beta is None else beta)
    out = layer.flows[["origin", "destination", "value"]].copy()
    out.attrs["info"] = {"builder": f"metrocircle.datasets.chongqing.layers ({which})",
                         "kind": layer.kind, "source": layer.source, "note": layer.note}
    return out


LAYER_MODELS: dict[str, LayerModel] = {
    "gravity": LayerModel(
        name="gravity",
        doc="Modified gravity model R_ij = k_ij M_i M_j / t_ij^b with k_ij = G_i / (G_i + G_j) "
            "(metrocircle.strength.gravity; docs/strength.md).",
        params=(
            Key("mass", "list", "Units columns whose geometric mean is the mass.",
                default=["population"]),
            Key("direction_mass", "str", "Column of k_ij (default: the last mass column)."),
            Key("b", "float", "Distance-decay exponent.", default=2.0, low=0.0),
            Key("directional", "bool", "Directional k_ij (true) or symmetric.", default=True),
        ),
        needs=("travel_times",),
        build=_gravity,
        unit_columns=("mass", "direction_mass"),
    ),
    "chongqing": LayerModel(
        name="chongqing",
        doc="The modelled layers of the shipped Chongqing example "
            "(metrocircle.datasets.chongqing.layers; docs/methods/cn-multisource.md): "
            "road_passenger and road_freight, doubly constrained gravity on the census "
            "population and on secondary-sector value added over the road minutes; investment, "
            "per industry section attraction-constrained from producer-service employment over "
            "the network minutes. Masses from the shipped census and prefecture GDP; travel "
            "times from the project's access step.",
        params=(
            Key("layer", "str", "Which layer.", required=True,
                choices=("road_passenger", "road_freight", "investment")),
            Key("beta", "float", "Distance-decay exponent (default: 2 for the road layers, 1 "
                                 "for investment).", low=0.0),
        ),
        needs=("travel_times", "road_times"),
        build=_chongqing,
    ),
}


def label(project_layers: Mapping[str, Mapping[str, Any]], name: str,
          fused_of: list[str] | None = None) -> dict[str, str]:
    """``{layer, kind, source, note}`` of a layer (``fused``: of the layers it fuses)."""
    if name == FUSED:
        parts = [label(project_layers, n) for n in fused_of or []]
        source = "modelled" if any(p["source"] == "modelled" for p in parts) else "real"
        note = "fused connection index of " + ", ".join(
            f"{p['layer']} ({p['kind']}, {p['source']})" for p in parts)
        return {"layer": FUSED, "kind": "other", "source": source, "note": note}
    decl = project_layers[name]
    return {"layer": name, "kind": str(decl["kind"]), "source": str(decl["source"]),
            "note": str(decl.get("note", ""))}


def combined(layers: Mapping[str, pd.DataFrame], labels: Mapping[str, Mapping[str, str]]
             ) -> pd.DataFrame:
    """Several layers in one flows table with ``layer``, ``kind`` and ``source`` columns (how
    they are handed to a method: :func:`metrocircle.model.layers.combine_layers`)."""
    from metrocircle.model.layers import FlowLayer, combine_layers

    return combine_layers([FlowLayer(layers[n], name=n, kind=labels[n]["kind"],
                                     source=labels[n]["source"], note=labels[n]["note"])
                           for n in layers])
