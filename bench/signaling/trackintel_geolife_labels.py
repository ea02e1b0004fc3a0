"""trackintel 1.4.2 home/work labels of the GeoLife fixture users (run in its own venv).

Dense GPS -> staypoints (sliding, 100 m, 5 min) -> locations (DBSCAN, 100 m) -> OSNA
home/work (timestamps converted to Beijing time first; pre_filter off, as the fixture users
log few days). Writes ``uid, purpose, lon, lat``.
Usage: python trackintel_geolife_labels.py PLT_ROOT OUT_CSV
"""

import sys

import trackintel as ti

root, out = sys.argv[1], sys.argv[2]
pfs, _ = ti.io.read_geolife(root, print_progress=False)
pfs, sp = pfs.generate_staypoints(method="sliding", dist_threshold=100, time_threshold=5.0,
                                  gap_threshold=1e6)
sp["started_at"] = sp["started_at"].dt.tz_convert("Asia/Shanghai")
sp["finished_at"] = sp["finished_at"].dt.tz_convert("Asia/Shanghai")
sp, locs = sp.generate_locations(method="dbscan", epsilon=100, num_samples=1,
                                 distance_metric="haversine", agg_level="user")
sp = ti.analysis.location_identifier(sp, method="OSNA", pre_filter=False)
lab = sp[sp["purpose"].isin(["home", "work"])].drop_duplicates(["user_id", "purpose"])
lab = lab.merge(locs[["center"]], left_on="location_id", right_index=True)
rows = [{"uid": f"geolife-{int(u):03d}", "purpose": p, "lon": c.x, "lat": c.y}
        for u, p, c in zip(lab["user_id"], lab["purpose"], lab["center"], strict=True)]
import pandas as pd  # noqa: E402

pd.DataFrame(rows).sort_values(["uid", "purpose"]).to_csv(out, index=False)
print(f"{len(rows)} labels for {lab['user_id'].nunique()} users")
