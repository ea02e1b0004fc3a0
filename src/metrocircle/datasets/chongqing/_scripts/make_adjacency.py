"""Derive ``adjacency.csv`` (units sharing a border) from ``boundaries.geojson``.

Run from the repository root:
``PYTHONPATH=src python src/metrocircle/datasets/chongqing/_scripts/make_adjacency.py``.
Two units are adjacent when their polygons share a boundary segment longer than 100 m
(touching at a single point does not count). The province outline and any unit that is
the parent of other units (Guang'an 511600, whose six counties are present) are skipped, so the
58 remaining units form a partition without overlaps.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

HERE = Path(__file__).resolve().parents[1]


def main() -> None:
    gdf = gpd.read_file(HERE / "boundaries.geojson")
    gdf["code"] = gdf["code"].astype(str)
    parents = set(gdf["parent_code"].dropna().astype(str))
    gdf = gdf[(gdf["level"] != "province") & ~gdf["code"].isin(parents)].reset_index(drop=True)
    metric = gdf.to_crs(gdf.estimate_utm_crs())
    rows = []
    left, right = metric.sindex.query(metric.geometry, predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i >= j:
            continue
        shared = metric.geometry[i].boundary.intersection(metric.geometry[j].boundary)
        length_km = shared.length / 1000.0
        if length_km > 0.1:
            rows.append((gdf.code[i], gdf.code[j], round(length_km, 2)))
    out = pd.DataFrame(rows, columns=["unit_a", "unit_b", "shared_border_km"])
    out = out.sort_values(["unit_a", "unit_b"]).reset_index(drop=True)
    out.to_csv(HERE / "adjacency.csv", index=False)
    print(len(out), "adjacent pairs")


if __name__ == "__main__":
    main()
