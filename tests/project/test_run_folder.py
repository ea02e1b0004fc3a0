"""The run folder (docs/run-folder.md): the files at the top, one folder per step, run.json
listing every file with its SHA-256, the layers' labels in every output that uses them, and
the delineation's own inputs, from which it runs again."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

import metrocircle as mc
from metrocircle.delineate import MEMBERSHIP_COLUMNS
from metrocircle.model.io import read_table
from metrocircle.project import load_project, run_project


def test_files_at_the_top_and_per_step(tiny: Path) -> None:
    out = tiny.parent / "out"
    run_project(load_project(tiny), out)
    top = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert top == ["access", "areas.csv", "delineation", "indicators", "indicators.csv",
                   "industry", "layers", "maps", "membership.csv", "project.toml",
                   "report.html", "roles.csv", "run.json", "strength", "structure",
                   "summary.md"]  # no boundaries: no metrocircle.gpkg (tests/report)
    for name in ("membership.csv", "roles.csv", "areas.csv", "indicators.csv", "summary.md",
                 "run.json", "project.toml", "access/travel_times.csv", "access/circles.csv",
                 "strength/links.csv", "strength/weights.csv", "strength/membership.csv",
                 "structure/conditions.csv", "structure/polycentricity.json",
                 "industry/lq.csv", "layers/labels.csv", "delineation/comparison.csv",
                 "delineation/inputs/flows.csv", "delineation/inputs/params.json"):
        assert (out / name).is_file(), name
    m = pd.read_csv(out / "membership.csv")
    assert list(m.columns[:7]) == MEMBERSHIP_COLUMNS
    roles = pd.read_csv(out / "roles.csv")
    assert list(roles.columns[:4]) == ["unit_id", "area_id", "role", "reason"]
    assert set(roles["unit_id"]) == set(m.loc[m["area_id"] == "metro", "unit_id"])
    run = json.loads((out / "run.json").read_text())
    listed = run["files"]
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*")
               if p.is_file() and not p.relative_to(out).as_posix().startswith(".cache")
               and p.name != "run.json"}
    assert set(listed) == on_disk
    for rel, sha in listed.items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == sha
    # every input with its checksum, the versions, every parameter
    assert {"project", "inputs.units.file", "layers.commuting.file"} <= set(run["inputs"])
    assert run["versions"]["metrocircle"] == mc.__version__
    assert run["parameters"]["steps"]["delineation"]["params"] == {"close_share": 0.10}
    assert run["steps"]["delineation"]["info"]["params"]["integration_share"] == 0.30


def test_layer_labels_travel_into_the_outputs(tiny: Path) -> None:
    out = tiny.parent / "out"
    run_project(load_project(tiny), out)
    run = json.loads((out / "run.json").read_text())
    assert run["layers"]["gravity"]["source"] == "modelled"
    assert run["layers"]["commuting"] == {"layer": "commuting", "kind": "commuting",
                                          "source": "real", "note": "hand-made commuting"}
    weights = pd.read_csv(out / "strength/weights.csv").set_index("layer")
    assert weights.loc["gravity", ["kind", "source"]].tolist() == ["other", "modelled"]
    assert weights.loc["commuting", ["kind", "source"]].tolist() == ["commuting", "real"]
    assert abs(weights["weight"].sum() - 1) < 1e-12
    steps = run["steps"]
    assert steps["delineation"]["info"]["layers"][0]["source"] == "real"
    assert steps["roles"]["info"]["layers"]["strength"]["source"] == "modelled"  # fused
    assert steps["indicators"]["info"]["layer"]["layer"] == "commuting"
    labels = pd.read_csv(out / "layers/labels.csv").set_index("layer")
    assert labels.loc["gravity", "source"] == "modelled"
    summary = (out / "summary.md").read_text()
    assert "| `gravity` | other | **modelled** |" in summary
    assert "`commuting` (commuting, **real**)" in summary


def test_delineation_runs_again_from_its_own_inputs(tiny: Path) -> None:
    out = tiny.parent / "out"
    run_project(load_project(tiny), out)
    d = out / "delineation" / "inputs"
    params = json.loads((d / "params.json").read_text())

    def table(name: str) -> pd.DataFrame:
        return read_table(d / name)[0]

    res = mc.delineate(params["method"], table("flows.csv"), units=table("units.csv"),
                       cores=table("cores.csv"), adjacency=table("adjacency.csv"),
                       travel_times=table("travel_times.csv"), params=params["params"],
                       external=params["external"])
    again = res.membership.copy()
    written = read_table(out / "membership.csv")[0]
    assert written["unit_id"].tolist() == again["unit_id"].tolist()
    assert written["status"].tolist() == again["status"].tolist()
    assert written["area_id"].fillna("").tolist() == again["area_id"].fillna("").tolist()


def test_reference_comparison_and_indicators_side_by_side(tiny: Path) -> None:
    out = tiny.parent / "out"
    run_project(load_project(tiny), out)
    cmp = pd.read_csv(out / "delineation/comparison.csv").set_index("unit_id")
    # delineated: U0-U3 (U3 sends 12 %); the plan: U0-U3
    assert cmp["agreement"].to_dict() == {"U0": "both", "U1": "both", "U2": "both",
                                          "U3": "both", "U4": "outside both",
                                          "U5": "outside both", "U6": "outside both"}
    ind = pd.read_csv(out / "indicators.csv").set_index("grouping")
    assert ind.loc["delineation", "units"] == 4 and ind.loc["the plan", "units"] == 4
    pop = pd.read_csv(tiny.parent / "units.csv").set_index("code")["pop"]
    assert ind.loc["the plan", "population"] == pop[["U0", "U1", "U2", "U3"]].sum()
