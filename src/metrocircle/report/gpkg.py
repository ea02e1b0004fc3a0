"""``metrocircle.gpkg``: the results of a run as GeoPackage layers that QGIS opens coloured and
labelled.

Layers (each with the CRS of the unit boundaries, and a default QGIS style in the
``layer_styles`` table, created as QGIS creates it):

========================  =========  ==================================================
``units``                 polygons   every unit: name, membership (area, status, rule,
                                     value, threshold, margin), role, minutes and band to
                                     the core, membership degree, city group; coloured
                                     by status
``roles``                 polygons   the units of the classified area with role and
                                     reason; coloured by role
``travel_time_bands``     polygons   every unit with its minutes and isochrone band to the
                                     (first) core; coloured by band
``flows``                 lines      the strongest pairs of each flow layer and of the
                                     fused index (both directions added) with the layer's
                                     kind and source; coloured by layer, width by value
``city_groups``           polygons   one polygon per city group with its figures
``areas``                 polygons   one outline per delineated area
========================  =========  ==================================================

A layer is left out when the step behind it did not run. Without unit polygons there is no
GeoPackage (the report says so).

Examples
--------
>>> from metrocircle.report.folder import RunFolder
>>> from metrocircle.report.gpkg import write_gpkg
>>> layers = write_gpkg(RunFolder("out/demo"), "out/demo/metrocircle.gpkg")  # doctest: +SKIP
>>> list(layers)                                                             # doctest: +SKIP
['units', 'roles', 'travel_time_bands', 'flows', 'city_groups', 'areas']
"""

from __future__ import annotations

import datetime as _dt
import logging
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd

from metrocircle.report import palette as P
from metrocircle.report import qml
from metrocircle.report.folder import RunFolder
from metrocircle.report.maps import strongest_links

log = logging.getLogger(__name__)

#: Pairs per flow layer in the ``flows`` layer (the full tables are in ``layers/``).
FLOWS_PER_LAYER = 200

#: The ``layer_styles`` table as QGIS 3.22 creates it (through OGR) in a GeoPackage.
LAYER_STYLES_SQL = (
    'CREATE TABLE IF NOT EXISTS "layer_styles" ( "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT '
    'NULL, "f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256), '
    '"f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT, '
    '"useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30), '
    '"update_time" DATETIME DEFAULT (strftime(\'%Y-%m-%dT%H:%M:%fZ\',\'now\')))'
)


def _units_layer(folder: RunFolder, poly: Any) -> Any:
    gdf = poly[["unit_id", "geometry"]].copy()
    names = folder.names
    gdf.insert(1, "name", gdf["unit_id"].map(names) if len(names) else None)
    m = folder.table("membership.csv")
    if m is not None:
        cols = [c for c in ("area_id", "status", "rule", "value", "threshold", "margin")
                if c in m.columns]
        gdf = gdf.merge(m[["unit_id", *cols]], on="unit_id", how="left")
    r = folder.table("roles.csv")
    if r is not None:
        gdf = gdf.merge(r[["unit_id", "role", "reason"]].rename(columns={"reason": "role_reason"}),
                        on="unit_id", how="left")
    minutes = folder.minutes_to_core
    if minutes is not None:
        gdf["minutes_to_core"] = gdf["unit_id"].map(minutes)
    band = _bands(folder)
    if band is not None:
        gdf["band"] = gdf["unit_id"].map(band.set_index("unit_id")["band"])
    s = folder.table("strength/membership.csv")
    if s is not None:
        shares = [c for c in s.columns if c.endswith("_share") and c not in ("outside_share",)]
        gdf = gdf.merge(s[["unit_id", *shares]], on="unit_id", how="left")
    g = folder.table("groups/membership.csv")
    if g is not None:
        gdf["city_group"] = gdf["unit_id"].map(g.set_index("unit_id")["group"].astype(str))
    return gdf


def _bands(folder: RunFolder) -> pd.DataFrame | None:
    c = folder.table("access/circles.csv")
    if c is None or "band" not in c.columns:
        return None
    core = c["core"].dropna().iloc[0]
    part = c[c["core"] == core].copy()
    part["band"] = part["band"].astype(str).where(part["reachable"].astype(str) != "False",
                                                  "unreachable")
    part["core"] = str(core)
    return part[["unit_id", "core", "minutes", "band"]]


def _flows_layer(folder: RunFolder, poly: Any) -> Any:
    import geopandas as gpd
    from shapely.geometry import LineString

    pts = poly.set_index("unit_id").geometry.representative_point()
    frames = []
    labels = folder.table("layers/labels.csv")
    sources: list[tuple[str, pd.DataFrame]] = []
    for layer in ([] if labels is None else labels["layer"].astype(str)):
        t = folder.table(f"layers/{layer}.csv")
        if t is not None:
            sources.append((layer, t))
    links = folder.table("strength/links.csv")
    if links is not None and "strength" in links.columns:
        fused = folder.step_info("strength").get("fused") or {}
        sources.append((str(fused.get("layer", "fused")),
                        links.rename(columns={"strength": "value"})))
    for layer, t in sources:
        top = strongest_links(t, top=FLOWS_PER_LAYER)
        top = top[top["a"].isin(pts.index) & top["b"].isin(pts.index)]
        if not len(top):
            continue
        lab = folder.layer_label(layer)
        top = top.rename(columns={"a": "unit_a", "b": "unit_b"})
        top.insert(0, "layer", layer)
        top["kind"] = lab.get("kind")
        top["source"] = lab.get("source")
        top["rank"] = range(1, len(top) + 1)
        top["share_of_max"] = top["value"] / float(top["value"].max())
        frames.append(top)
    if not frames:
        return None
    df = pd.concat(frames, ignore_index=True)
    geoms = [LineString([(pts[a].x, pts[a].y), (pts[b].x, pts[b].y)])
             for a, b in zip(df["unit_a"], df["unit_b"], strict=True)]
    return gpd.GeoDataFrame(df, geometry=geoms, crs=poly.crs)


def _dissolved(poly: Any, table: pd.DataFrame, by: str, extra: pd.DataFrame | None) -> Any:
    g = poly[["unit_id", "geometry"]].merge(table[["unit_id", by]], on="unit_id")
    g = g[g[by].notna()]
    if not len(g):
        return None
    g[by] = g[by].astype(str)
    out = g.dissolve(by=by, as_index=False)[[by, "geometry"]]
    out["n_units"] = out[by].map(g.groupby(by).size())
    if extra is not None:
        e = extra.copy()
        e[by] = e[by].astype(str)
        out = out.merge(e.drop(columns=[c for c in e.columns if c in ("n_units",)]),
                        on=by, how="left")
    return out


def build_layers(folder: RunFolder) -> dict[str, tuple[Any, str]]:
    """The GeoPackage's layers of a run folder with their QGIS styles (QML), by name."""
    poly = folder.polygons
    if poly is None:
        return {}
    label_field = "name" if len(folder.names) else "unit_id"
    out: dict[str, tuple[Any, str]] = {}
    units = _units_layer(folder, poly)
    if "status" in units.columns:
        colors = P.status_colors(units["status"].dropna().astype(str))
        style = qml.categorized("status", colors, geometry="polygon", label_field=label_field)
    else:
        style = qml.single("#d9d9d9", geometry="polygon", label_field=label_field,
                           fill_alpha=255, outline="#808080", width=0.2)
    out["units"] = (units, style)
    r = folder.table("roles.csv")
    if r is not None:
        keep = [c for c in ("unit_id", "area_id", "role", "reason", "role_zh", "computed_role",
                            "binding_condition", "binding_margin", "policy_override")
                if c in r.columns]
        roles = poly[["unit_id", "geometry"]].merge(r[keep], on="unit_id")
        roles.insert(1, "name", roles["unit_id"].map(folder.names) if len(folder.names)
                     else None)
        colors = P.role_colors(roles["role"].astype(str))
        out["roles"] = (roles, qml.categorized("role", colors, geometry="polygon",
                                               label_field=label_field))
    b = _bands(folder)
    if b is not None:
        bands = poly[["unit_id", "geometry"]].merge(b, on="unit_id")
        bands.insert(1, "name", bands["unit_id"].map(folder.names) if len(folder.names)
                     else None)
        colors = P.band_colors(bands["band"])
        out["travel_time_bands"] = (bands, qml.categorized(
            "band", colors, geometry="polygon", label_field=label_field,
            labels={k: f"{k} min" if k != "unreachable" else k for k in colors}))
    flows = _flows_layer(folder, poly)
    if flows is not None:
        layers = list(dict.fromkeys(flows["layer"]))
        fused = str((folder.step_info("strength").get("fused") or {}).get("layer", "fused"))
        shown = fused if fused in layers else layers[0]
        colors = P.classes(layers, fixed={fused: "#7b3294"})
        out["flows"] = (flows, qml.categorized(
            "layer", colors, geometry="line", hidden=[x for x in layers if x != shown],
            width=0.4, width_expression='0.2 + 2.5 * sqrt("share_of_max")',
            labels={x: f"{x} ({folder.layer_label(x).get('source')})" for x in layers},
            other_color=None))
    g = folder.table("groups/membership.csv")
    if g is not None:
        groups = _dissolved(poly, g, "group", folder.table("groups/groups.csv"))
        if groups is not None:
            order = groups.sort_values("n_units", ascending=False)["group"].tolist()
            out["city_groups"] = (groups, qml.categorized(
                "group", P.classes(order), geometry="polygon", label_field="group",
                label_size=11))
    m = folder.table("membership.csv")
    if m is not None and m["area_id"].notna().any():
        areas = _dissolved(poly, m, "area_id", folder.table("areas.csv"))
        if areas is not None:
            out["areas"] = (areas, qml.single("#000000", geometry="polygon",
                                              label_field="area_id", width=0.8))
    return out


def write_gpkg(folder: RunFolder, path: str | Path) -> dict[str, int]:
    """Write ``metrocircle.gpkg`` for a run folder: every layer of :func:`build_layers` with
    its default style. Returns the layers written with their feature counts (empty, and no
    file, when the run has no unit polygons)."""
    layers = build_layers(folder)
    target = Path(path)
    if not layers:
        return {}
    if target.exists():
        target.unlink()
    counts = {}
    first = True
    for name, (gdf, _style) in layers.items():
        gdf = gdf.copy()
        for col in gdf.columns:  # object columns of mixed None/str as text
            if col != "geometry" and gdf[col].dtype == object:
                gdf[col] = gdf[col].map(lambda v: None if v is None or v is pd.NA else
                                        (v if isinstance(v, str | bool | int | float) else str(v)))
        # GeoPackage 1.2: the version QGIS 3.22's GDAL reads without a warning
        gdf.to_file(target, layer=name, driver="GPKG", engine="pyogrio",
                    dataset_options={"VERSION": "1.2"} if first else None)
        first = False
        counts[name] = len(gdf)
    add_styles(target, {name: style for name, (_g, style) in layers.items()})
    return counts


def add_styles(path: str | Path, styles: dict[str, str], *, name: str = "metrocircle") -> None:
    """Store ``styles`` (layer name -> QML) as the layers' default QGIS styles: the
    ``layer_styles`` table (created as QGIS creates it, registered in ``gpkg_contents``),
    one row per layer with ``useAsDefault = 1``."""
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    con = sqlite3.connect(str(path))
    try:
        with con:
            con.execute(LAYER_STYLES_SQL)
            exists = con.execute("SELECT 1 FROM gpkg_contents WHERE table_name = "
                                 "'layer_styles'").fetchone()
            if not exists:
                con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, "
                            "description, last_change, srs_id) VALUES ('layer_styles', "
                            "'attributes', 'layer_styles', '', ?, 0)", (now,))
            has_ogr = con.execute("SELECT 1 FROM sqlite_master WHERE name = "
                                  "'gpkg_ogr_contents'").fetchone()
            for layer, style in styles.items():
                geom = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE "
                                   "table_name = ?", (layer,)).fetchone()
                con.execute("DELETE FROM layer_styles WHERE f_table_name = ?", (layer,))
                con.execute(
                    "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                    "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, "
                    "description, owner, ui, update_time) VALUES ('', '', ?, ?, ?, ?, '', 1, "
                    "?, '', NULL, ?)",
                    (layer, geom[0] if geom else "geom", f"{name} {layer}", style,
                     f"{name}: the default style of {layer}", now))
            if has_ogr:
                n = con.execute("SELECT COUNT(*) FROM layer_styles").fetchone()[0]
                con.execute("DELETE FROM gpkg_ogr_contents WHERE table_name = 'layer_styles'")
                con.execute("INSERT INTO gpkg_ogr_contents (table_name, feature_count) "
                            "VALUES ('layer_styles', ?)", (n,))
    finally:
        con.close()


__all__ = ["FLOWS_PER_LAYER", "LAYER_STYLES_SQL", "add_styles", "build_layers", "write_gpkg"]
