"""transbigdata 0.5.3 on the same records: stays per tower, home and work, OD.

Runs in its own venv (bench/.venv-transbigdata). Prints one JSON line with the compute time
(reading the Parquet file included, as for metrocircle) and the per-user predictions file.
Usage: python peer_transbigdata.py DATA_DIR OUT_CSV
"""

import json
import sys
import time

import pandas as pd
import transbigdata as tbd

data, out = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
rec = pd.read_parquet(f"{data}/records.parquet")
cells = pd.read_csv(f"{data}/cells.csv", dtype={"cell_id": str, "unit_id": str})
rec = rec.sort_values(["uid", "time"])
# stays as transbigdata's traj_stay_move builds them, with the tower as the location tag
same = ((rec["cell"] != rec["cell"].shift()) | (rec["uid"] != rec["uid"].shift())).fillna(True)
rec["sid"] = same.astype(int).groupby(rec["uid"]).cumsum()
stay = rec.groupby(["uid", "sid"], sort=False).agg(stime=("time", "first"), cell=("cell", "first"))
stay = stay.reset_index()
stay["etime"] = stay.groupby("uid")["stime"].shift(-1)
stay = stay.dropna(subset=["etime"])
stay = stay[(stay["etime"] - stay["stime"]).dt.total_seconds() >= 1800]
home = tbd.mobile_identify_home(stay, col=["uid", "stime", "etime", "cell"],
                                start_hour=8, end_hour=20)
work = tbd.mobile_identify_work(stay, col=["uid", "stime", "etime", "cell"], minhour=3,
                                start_hour=8, end_hour=20, workdaystart=0, workdayend=4)
# a work place at the home tower is no work place
unit = cells.set_index("cell_id")["unit_id"]
u = home.rename(columns={"cell": "home_cell"}).merge(
    work.rename(columns={"cell": "work_cell"}), on="uid", how="left")
u.loc[u["work_cell"] == u["home_cell"], "work_cell"] = None
u["home_unit"] = u["home_cell"].map(unit)
u["work_unit"] = u["work_cell"].map(unit)
od = u.dropna(subset=["work_unit"]).groupby(["home_unit", "work_unit"]).size()
seconds = time.perf_counter() - t0
u[["uid", "home_unit", "work_unit"]].to_csv(out, index=False)
print(json.dumps({"peer": "transbigdata", "version": tbd.__version__, "seconds": seconds,
                  "records": len(rec), "od_pairs": int(len(od))}))
