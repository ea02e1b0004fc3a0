"""transbigdata 0.5.3 as its documentation runs it: traj_stay_move, then home and work.

The mobile-phone workflow of transbigdata's docs: records with the tower's lon/lat are cut
into stays on a 100 m grid (``area_to_params`` + ``traj_stay_move``, stays of at least 30
minutes; a grid this fine keeps almost every tower apart, which suits it best here),
then ``mobile_identify_home`` / ``mobile_identify_work`` pick the grid square with the longest
night / weekday daytime duration. A grid square's unit is the unit most of its towers are in.
Runs in its own venv (bench/.venv-transbigdata). Prints one JSON line with the compute time
(reading the Parquet file included, as for metrocircle) and writes the per-user predictions.

Usage: python peer_transbigdata_api.py DATA_DIR OUT_CSV [GRID_METRES]
"""

import json
import sys
import time

import pandas as pd
import transbigdata as tbd

data, out = sys.argv[1], sys.argv[2]
accuracy = float(sys.argv[3]) if len(sys.argv) > 3 else 100.0
t0 = time.perf_counter()
rec = pd.read_parquet(f"{data}/records.parquet")
cells = pd.read_csv(f"{data}/cells.csv", dtype={"cell_id": str, "unit_id": str})
bounds = [cells["lon"].min(), cells["lat"].min(), cells["lon"].max(), cells["lat"].max()]
params = tbd.area_to_params(bounds, accuracy=accuracy)
rec = rec.merge(cells[["cell_id", "lon", "lat"]], left_on="cell", right_on="cell_id")
stay, _move = tbd.traj_stay_move(rec, params, col=["uid", "time", "lon", "lat"],
                                 activitytime=1800)
loc = ["uid", "stime", "etime", "LONCOL", "LATCOL"]
home = tbd.mobile_identify_home(stay, col=loc, start_hour=8, end_hour=20)
work = tbd.mobile_identify_work(stay, col=loc, minhour=3, start_hour=8, end_hour=20,
                                workdaystart=0, workdayend=4)
# the unit of a grid square: the unit most of its towers are in
cells["LONCOL"], cells["LATCOL"] = tbd.GPS_to_grid(cells["lon"], cells["lat"], params)
gu = (cells.groupby(["LONCOL", "LATCOL", "unit_id"]).size().rename("n").reset_index()
      .sort_values(["LONCOL", "LATCOL", "n", "unit_id"], ascending=[True, True, False, True])
      .drop_duplicates(["LONCOL", "LATCOL"]))
u = home.merge(gu[["LONCOL", "LATCOL", "unit_id"]], on=["LONCOL", "LATCOL"], how="left")
u = u.rename(columns={"unit_id": "home_unit", "LONCOL": "hx", "LATCOL": "hy"})
w = work.merge(gu[["LONCOL", "LATCOL", "unit_id"]], on=["LONCOL", "LATCOL"], how="left")
w = w.rename(columns={"unit_id": "work_unit", "LONCOL": "wx", "LATCOL": "wy"})
u = u.merge(w, on="uid", how="left")
# a work place in the home grid square is no work place
u.loc[(u["wx"] == u["hx"]) & (u["wy"] == u["hy"]), "work_unit"] = None
od = u.dropna(subset=["work_unit"]).groupby(["home_unit", "work_unit"]).size()
seconds = time.perf_counter() - t0
u[["uid", "home_unit", "work_unit"]].to_csv(out, index=False)
print(json.dumps({"peer": "transbigdata-api", "version": tbd.__version__, "seconds": seconds,
                  "grid_m": accuracy, "records": len(rec), "stays": len(stay),
                  "od_pairs": int(len(od))}))
