"""Reading and checking inputs: this checkout against a baseline checkout, in the same run.

The data model's readers now decode the bytes themselves (encoding detection), sniff the
delimiter, number records by their editor line, normalise unit codes across a run and restrict
reference tables to the study. This measures what that costs against a baseline source tree
(e.g. the commit before, exported with ``git archive``), running both alternately in fresh
subprocesses so that machine noise hits both alike.

Usage::

    mkdir -p bench/.baseline && git archive e54dae4 src | tar -x -C bench/.baseline
    .venv/bin/python bench/model/bench_read.py --baseline bench/.baseline/src --repeat 5

Prints one line per measure: medians (wall seconds) and the ratio this / baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve()
SRC = HERE.parents[2] / "src"

CHILD = r"""
import json, sys, time
import numpy as np, pandas as pd
from metrocircle.datasets import us_cbsa
from metrocircle.model import read_flows, validate_inputs
big = sys.argv[1]
out = {}
t = time.perf_counter()
read_flows(us_cbsa.path(us_cbsa.FLOWS_FILE), origin_col="res_fips", destination_col="work_fips",
           value_col="workers")
out["read_flows US 122k rows"] = time.perf_counter() - t
t = time.perf_counter()
read_flows(big)
out["read_flows 2M rows"] = time.perf_counter() - t
f, u, c, a = (us_cbsa.load_flows(), us_cbsa.load_units(), us_cbsa.load_cores(),
              us_cbsa.load_adjacency())
t = time.perf_counter()
validate_inputs(f, units=u, cores=c, adjacency=a, external=us_cbsa.EXTERNAL_CODES)
out["validate_inputs US (flows, units, cores, adjacency)"] = time.perf_counter() - t
print(json.dumps(out))
"""


def make_big(path: Path, rows: int = 2_000_000) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    o = rng.integers(0, 3000, rows)
    d = (o + rng.integers(0, 2000, rows)) % 3000
    df = pd.DataFrame({"origin": o, "destination": d}).drop_duplicates()
    df["origin"] = df["origin"].map(lambda x: f"{x:05d}")
    df["destination"] = df["destination"].map(lambda x: f"{x:05d}")
    df["value"] = rng.integers(1, 500, len(df))
    df.to_csv(path, index=False)


def run(src: str, big: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": src}
    res = subprocess.run([sys.executable, "-c", CHILD, str(big)], env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", required=True, help="src folder of the baseline checkout")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "flows_2m.csv"
        make_big(big)
        times: dict[str, dict[str, list[float]]] = {"this": {}, "baseline": {}}
        for _ in range(args.repeat):
            for name, src in (("baseline", args.baseline), ("this", str(SRC))):
                for k, v in run(src, big).items():
                    times[name].setdefault(k, []).append(v)
    for k in times["this"]:
        a, b = statistics.median(times["this"][k]), statistics.median(times["baseline"][k])
        print(f"{k}: this {a:.3f} s, baseline {b:.3f} s, ratio {a / b:.2f}")


if __name__ == "__main__":
    main()
