"""What the dashboard shows of a run folder: unit polygons, the run's explanations, roles,
groups, membership degree, isochrone bands and flow lines, as GeoJSON in longitude/latitude.

The run folder is the contract of ``docs/run-folder.md``; this module only reads it. Every file
but ``membership.csv``, ``delineation/inputs/`` and one polygon layer is optional: what is absent
is left out of the map and said so in :attr:`RunFolder.notes`.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> RunFolder(Path(tempfile.mkdtemp()))
Traceback (most recent call last):
...
metrocircle.exceptions.InputError: 1 problem in the input:
  - run folder: ... has no membership.csv: give the folder that 'metrocircle run' ...
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from metrocircle.exceptions import InputError, Problem

logger = logging.getLogger(__name__)

#: Polygon layers that hold every unit of a run, in the order they are tried.
POLYGON_LAYERS: tuple[tuple[str, str], ...] = (
    ("delineation/delineation.gpkg", "membership"),
    ("access/access.gpkg", "units"),
    ("groups/groups.gpkg", "membership"),
)
#: How many flow lines of each layer the map draws (the strongest between two units).
MAX_FLOW_LINES = 300
#: Decimal places kept in the coordinates sent to the browser (about 1 m).
COORD_DECIMALS = 5


def _codes(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
    for c in cols:
        if c in df.columns:
            df[c] = df[c].astype("string")
    return df


def _csv(path: Path) -> pd.DataFrame | None:
    """A table of the run folder as written (formula guards removed), codes as text."""
    if not path.is_file():
        return None
    from metrocircle.model.io import read_table

    df, _ = read_table(path, source=str(path.name))
    return df


def read_json(path: Path, what: str) -> Any:
    """A JSON file of the run folder, or one clear :class:`InputError`."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise InputError([Problem(what, f"cannot be read as JSON: {err}")]) from err


def _number(text: Any) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _geometry(geom: Any) -> dict[str, Any]:
    """GeoJSON geometry of a (repaired) polygon: the polygonal parts of a collection that
    ``make_valid`` may return, coordinates rounded."""
    import shapely

    if geom.geom_type == "GeometryCollection":
        parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
        polys = [q for g in parts for q in (g.geoms if g.geom_type == "MultiPolygon" else [g])]
        geom = shapely.MultiPolygon(polys)
    geo = shapely.geometry.mapping(geom)
    return {"type": geo["type"], "coordinates": _round_coords(geo["coordinates"])}


def _round_coords(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, COORD_DECIMALS)
    if isinstance(obj, list | tuple):
        return [_round_coords(o) for o in obj]
    return obj


@dataclass
class RunFolder:
    """A run folder read for the dashboard.

    Parameters
    ----------
    path
        The folder ``metrocircle run`` or ``metrocircle demo`` wrote (``--out``).

    Attributes
    ----------
    unit_ids
        Every unit of ``membership.csv``, in its order (the map's feature ids are positions
        in this list).
    names
        Display name of each unit (its code when the units have no ``name``).
    membership
        ``membership.csv`` as the run wrote it.
    features
        GeoJSON features of the units that have a polygon (EPSG:4326).
    notes
        What the dashboard could not show, in words.
    """

    path: Path
    unit_ids: list[str] = field(init=False)
    names: dict[str, str] = field(init=False)
    membership: pd.DataFrame = field(init=False)
    run: dict[str, Any] = field(init=False)
    features: list[dict[str, Any]] = field(init=False)
    notes: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.path = Path(self.path).expanduser()
        problems = []
        if not self.path.is_dir():
            problems.append(Problem("run folder", f"{self.path} is not a folder: give the "
                                    "folder that 'metrocircle run' or 'metrocircle demo' wrote "
                                    "(--out)"))
        elif not (self.path / "membership.csv").is_file():
            problems.append(Problem("run folder", f"{self.path} has no membership.csv: give the "
                                    "folder that 'metrocircle run' or 'metrocircle demo' wrote "
                                    "(--out)"))
        elif not (self.path / "delineation" / "inputs" / "params.json").is_file():
            problems.append(Problem("run folder", f"{self.path} has no delineation/inputs/"
                                    "params.json (a run folder written by an older metrocircle?)"
                                    ": run the project again"))
        if problems:
            raise InputError(problems)
        self.notes = []
        run_json = self.path / "run.json"
        self.run = read_json(run_json, "run.json") if run_json.is_file() else {}
        m = _csv(self.path / "membership.csv")
        if m is None:  # removed since the check above
            raise InputError([Problem("run folder", f"{self.path} has no membership.csv")])
        self.membership = _codes(m, "unit_id", "area_id")
        self.unit_ids = self.membership["unit_id"].astype(str).tolist()
        self.names = self._names()
        self.features = self._features()

    # -- the pieces ------------------------------------------------------------------------
    def _names(self) -> dict[str, str]:
        names = {u: u for u in self.unit_ids}
        for rel in ("delineation/inputs/units.csv", "roles.csv"):
            df = _csv(self.path / rel)
            if df is not None and "name" in df.columns:
                for u, n in zip(df["unit_id"].astype(str), df["name"], strict=True):
                    if u in names and _text(n) and names[u] == u:
                        names[u] = _text(n)
        return names

    def _polygons(self) -> Any:
        from metrocircle.exceptions import require

        gpd = require("geopandas", "geo")
        for rel, layer in POLYGON_LAYERS:
            f = self.path / rel
            if not f.is_file():
                continue
            import pyogrio

            if layer not in [name for name, _ in pyogrio.list_layers(f)]:
                continue
            g = gpd.read_file(f, layer=layer)
            if "unit_id" not in g.columns:
                continue
            g["unit_id"] = g["unit_id"].astype(str)
            if g.crs is None:
                raise InputError([Problem(rel, f"layer {layer!r} has no CRS: the dashboard "
                                                "cannot place it on the map")])
            logger.debug("unit polygons from %s (%s)", rel, layer)
            return g[["unit_id", "geometry"]].to_crs("EPSG:4326"), rel
        raise InputError([Problem("run folder", f"{self.path} has no unit polygons "
                                  f"({', '.join(r for r, _ in POLYGON_LAYERS)}): add "
                                  "[inputs.boundaries] to the project and run it again")])

    def _static(self) -> dict[str, dict[str, Any]]:
        """Per unit: what does not change when the delineation is re-run."""
        props: dict[str, dict[str, Any]] = {u: {} for u in self.unit_ids}
        roles = _csv(self.path / "roles.csv")
        if roles is not None:
            for r in roles.itertuples(index=False):
                if str(r.unit_id) in props:
                    props[str(r.unit_id)].update(role=_text(r.role), role_reason=_text(r.reason))
        else:
            self.notes.append("no roles.csv: the project has no roles step")
        groups = _csv(self.path / "groups" / "membership.csv")
        if groups is not None:
            for u, g in zip(groups["unit_id"].astype(str), groups["group"], strict=True):
                if u in props:
                    props[u]["group"] = _text(g)
        else:
            self.notes.append("no groups/membership.csv: the project has no groups step")
        strength = _csv(self.path / "strength" / "membership.csv")
        area = self.main_area()
        if strength is not None and f"{area}_share" in strength.columns:
            for u, v in zip(strength["unit_id"].astype(str), strength[f"{area}_share"],
                            strict=True):
                if u in props:
                    props[u]["membership"] = _number(v)
        elif strength is not None and "top_share" in strength.columns:
            for u, v in zip(strength["unit_id"].astype(str), strength["top_share"], strict=True):
                if u in props:
                    props[u]["membership"] = _number(v)
        else:
            self.notes.append("no strength/membership.csv: no membership degree to colour by")
        circles = _csv(self.path / "access" / "circles.csv")
        if circles is not None:
            if "core" in circles.columns and area in set(circles["core"].astype(str)):
                circles = circles[circles["core"].astype(str) == area]
            for r in circles.itertuples(index=False):
                if str(r.unit_id) in props and "band" not in props[str(r.unit_id)]:
                    props[str(r.unit_id)].update(band=_text(r.band), minutes=_number(r.minutes))
        return props

    def main_area(self) -> str:
        """The area with most units (the one a core-based project is about)."""
        areas = self.membership["area_id"].dropna().astype(str)
        areas = areas[areas != ""]
        return str(areas.value_counts().index[0]) if len(areas) else ""

    def _features(self) -> list[dict[str, Any]]:
        import shapely

        polygons, rel = self._polygons()
        static = self._static()
        index = {u: i for i, u in enumerate(self.unit_ids)}
        polygons = polygons[polygons["unit_id"].isin(index)]
        polygons = polygons[~(polygons.geometry.isna() | polygons.geometry.is_empty)]
        geoms = shapely.make_valid(polygons.geometry.to_numpy())
        points = shapely.point_on_surface(geoms)
        features = []
        self.points: dict[str, tuple[float, float]] = {}
        for u, geom, pt in zip(polygons["unit_id"], geoms, points, strict=True):
            self.points[u] = (round(pt.x, COORD_DECIMALS), round(pt.y, COORD_DECIMALS))
            features.append({
                "type": "Feature", "id": index[u], "geometry": _geometry(geom),
                "properties": {"unit_id": u, "name": self.names[u], "point": self.points[u],
                               **{k: v for k, v in static[u].items() if v is not None}},
            })
        missing = [u for u in self.unit_ids if u not in self.points]
        if missing:
            shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
            self.notes.append(f"{len(missing)} unit(s) have no polygon in {rel} and are not "
                              f"drawn: {shown}")
        return features

    def bbox(self) -> list[float]:
        """``[west, south, east, north]`` of the units' points, the farthest 1 % on each side
        left out (far islands would shrink the rest of the map)."""
        import numpy as np

        if not self.points:
            return [-180.0, -85.0, 180.0, 85.0]
        xy = np.array(list(self.points.values()))
        lo, hi = (0, 100) if len(xy) < 200 else (1, 99)
        w, s = np.percentile(xy, lo, axis=0)
        e, n = np.percentile(xy, hi, axis=0)
        return [float(w), float(s), float(e), float(n)]

    # -- GeoJSON for the map -----------------------------------------------------------------
    def units_geojson(self) -> dict[str, Any]:
        """The unit polygons with their static attributes; ``id`` = position in unit_ids."""
        return {"type": "FeatureCollection", "features": self.features}

    def bands_geojson(self) -> dict[str, Any]:
        """Isochrone bands around the main core (``access/access.gpkg``, layer ``isochrones``);
        an empty collection when the project has no access step."""
        f = self.path / "access" / "access.gpkg"
        out: dict[str, Any] = {"type": "FeatureCollection", "features": []}
        if not f.is_file():
            self.notes.append("no access/access.gpkg: no isochrone bands")
            return out
        import pyogrio

        if "isochrones" not in [n for n, _ in pyogrio.list_layers(f)]:
            return out
        import geopandas as gpd
        import shapely

        g = gpd.read_file(f, layer="isochrones").to_crs("EPSG:4326")
        area = self.main_area()
        if "core" in g.columns and area in set(g["core"].astype(str)):
            g = g[g["core"].astype(str) == area]
        for r in g.itertuples(index=False):
            out["features"].append({
                "type": "Feature", "geometry": _geometry(shapely.make_valid(r.geometry)),
                "properties": {"band": _text(r.band), "core": _text(getattr(r, "core", ""))},
            })
        return out

    def flow_layers(self) -> dict[str, dict[str, str]]:
        """Layers with flow lines: name -> label (``kind``, ``source``, ``note``)."""
        labels = self.run.get("layers") or {}
        out = {}
        for f in sorted((self.path / "layers").glob("*.csv")):
            if f.stem != "labels":
                lab = labels.get(f.stem, {})
                out[f.stem] = {"kind": _text(lab.get("kind")), "source": _text(lab.get("source")),
                               "note": _text(lab.get("note"))}
        if (self.path / "strength" / "links.csv").is_file():
            out["fused"] = {"kind": "fused", "source": "modelled" if any(
                v.get("source") == "modelled" for v in labels.values()) else "real",
                "note": "the fused connection strength of the strength step"}
        if not out and (self.path / "delineation" / "inputs" / "flows.csv").is_file():
            out["delineation"] = {"kind": "", "source": "", "note": "the flows the delineation "
                                  "read (delineation/inputs/flows.csv)"}
        return out

    def flows_geojson(self, layer: str) -> dict[str, Any]:
        """The strongest flows of ``layer`` between two drawn units as lines (at most
        :data:`MAX_FLOW_LINES`), both directions added up."""
        layers = self.flow_layers()
        if layer not in layers:
            raise KeyError(layer)
        if layer == "fused":
            df = _csv(self.path / "strength" / "links.csv")
            col = "strength"
        elif layer == "delineation":
            df = _csv(self.path / "delineation" / "inputs" / "flows.csv")
            col = "value"
        else:
            df = _csv(self.path / "layers" / f"{layer}.csv")
            col = "value"
        if df is None:
            raise KeyError(layer)
        o, d = df["origin"].astype(str), df["destination"].astype(str)
        keep = (o != d) & o.isin(self.points) & d.isin(self.points)
        pairs = pd.DataFrame({"a": o.where(o < d, d), "b": d.where(o < d, o),
                              "value": pd.to_numeric(df[col], errors="coerce")})[keep]
        pairs = pairs.groupby(["a", "b"], as_index=False)["value"].sum()
        pairs = pairs[pairs["value"] > 0].nlargest(MAX_FLOW_LINES, "value")
        top = float(pairs["value"].max()) if len(pairs) else 1.0
        feats = [{"type": "Feature",
                  "geometry": {"type": "LineString",
                               "coordinates": [self.points[r.a], self.points[r.b]]},
                  "properties": {"a": r.a, "b": r.b, "value": float(r.value),
                                 "weight": float(r.value) / top}}
                 for r in pairs.itertuples(index=False)]
        return {"type": "FeatureCollection", "features": feats, "label": layers[layer]}
