"""Peak memory of ``metrocircle groups --method leiden`` on 50,000 units and 2 M flows.

Run: ``PYTHONPATH=src .venv/bin/python bench/groups/bench_memory.py [--units 50000]
[--flows 2000000] [--network planted|gravity] [--stability-runs 0] [--method intramax
[--no-adjacency]] [--json FILE]``

Writes a synthetic network (``synthetic.py``; default: 500 planted regions on a grid, 1 %
exclaves, rook adjacency) as ``flows.csv``, ``units.csv``, ``adjacency.csv`` into a temporary
folder, then runs, each in a child process whose peak resident memory (``ru_maxrss``) the
operating system reports:

1. the command, as a user runs it: ``metrocircle groups --flows flows.csv --units units.csv
   --adjacency adjacency.csv --method leiden --param stability_runs=0 --param min_size=2
   --out DIR`` (reading and checking the three files, the run, the outputs);
2. the baseline: ``peer_leidenalg.py`` (pandas reads the flows, igraph graph, leidenalg),
   i.e. the memory the graph library itself needs for the same network.

With ``--method intramax`` the command runs Intramax cut at ``units / 100`` regions instead
(``--no-adjacency``: without the contiguity constraint), and the leidenalg baseline is
skipped.

The dense design this replaces needed one ``units x units`` float64 matrix for the flows
alone (50,000^2 x 8 bytes = 18.6 GiB), plus boolean ``units x units`` masks for adjacency and
"same group"; it was killed at 24 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import make_network, make_planted  # noqa: E402

CLI = "import sys; from metrocircle.cli.main import main; sys.exit(main(sys.argv[1:]))"


def run_child(argv: list[str]) -> dict[str, float | int | str]:
    """Run ``argv``; return exit code, peak RSS (MiB), CPU and wall seconds, last output line."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{argv[:4]} failed ({code}):\n{err}")
    return {
        "exit_code": code,
        "peak_rss_mib": usage.ru_maxrss / 1024,  # Linux reports KiB
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "wall_seconds": time.perf_counter() - started,
        "output": out.strip().splitlines()[0] if out.strip() else "",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=50_000)
    ap.add_argument("--flows", type=int, default=2_000_000)
    ap.add_argument("--network", choices=["planted", "gravity"], default="planted")
    ap.add_argument("--stability-runs", type=int, default=0)
    ap.add_argument("--method", choices=["leiden", "intramax"], default="leiden")
    ap.add_argument("--no-adjacency", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        if args.network == "planted":
            regions = max(2, args.units // 100)
            flows, units, adjacency, _ = make_planted(args.units, args.flows, n_regions=regions)
        else:
            flows, units, adjacency = make_network(args.units, args.flows)
        flows.to_csv(data / "flows.csv", index=False)
        units.to_csv(data / "units.csv", index=False)
        adjacency.to_csv(data / "adjacency.csv", index=False)
        del flows, units, adjacency
        sizes = {p.name: round(p.stat().st_size / 2**20, 1) for p in data.glob("*.csv")}
        print(f"{args.units} units, {args.flows} flows between units (+ diagonal), "
              f"{args.network}; files (MiB): {sizes}", flush=True)  # fmt: skip
        argv = [sys.executable, "-c", CLI, "groups", "--flows", str(data / "flows.csv"),
                "--units", str(data / "units.csv"), "--out", str(data / "out"), "--no-progress",
                "--method", args.method]  # fmt: skip
        if not args.no_adjacency:
            argv += ["--adjacency", str(data / "adjacency.csv"), "--param", "min_size=2"]
        if args.method == "leiden":
            argv += ["--param", f"stability_runs={args.stability_runs}"]
        else:
            argv += ["--param", f"k={max(1, args.units // 100)}"]
        ours = run_child(argv)
        print(f"metrocircle groups: {ours}", flush=True)
        run = json.loads((data / "out" / "run.json").read_text())
        peer = None
        if args.method == "leiden":
            peer_argv = [sys.executable, str(HERE / "peer_leidenalg.py"), str(data / "flows.csv")]
            peer = run_child(peer_argv)
            print(f"leidenalg directly: {peer}", flush=True)
    summary = {
        "units": args.units,
        "flows_between_units": args.flows,
        "network": args.network,
        "method": args.method,
        "adjacency": not args.no_adjacency,
        "stability_runs": args.stability_runs,
        "groups": run["info"]["n_groups"],
        "assigned": run["info"]["assigned"],
        "metrocircle": ours,
        "leidenalg": peer,
        "ratio_peak_rss": ours["peak_rss_mib"] / peer["peak_rss_mib"] if peer else None,
        "dense_flow_matrix_gib": args.units**2 * 8 / 2**30,
        "limit_gib": 4,
        "within_limit": ours["peak_rss_mib"] < 4 * 1024,
    }
    print(json.dumps(summary, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
