"""Accuracy on simulated truth, on three generators with the same (default) thresholds.

The project's simulator, an independent generator and a third one built from published
descriptions of time use and of mobile-phone data (``published_generator.py``). Targets of
issue 16: CPC >= 0.95 on the unit OD and under 15 % of students and people without a job
(together) given a work place, on all three; home right for >= 99 % of users and work right
for >= 94 % of workers (95 % on the first two).
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import read_truth

from metrocircle.signaling import common_part_of_commuters, evaluate, od_from_records


def _check(scores: dict[str, float], work_right: float = 0.95) -> None:
    assert scores["home_right"] >= 0.99, scores
    assert scores["work_right"] >= work_right, scores
    assert scores["cpc"] >= 0.95, scores
    assert scores["false_work_without_job"] < 0.15, scores
    assert scores["false_work_non_worker"] < 0.15, scores
    assert scores["false_work_student"] < 0.15, scores


def test_accuracy_on_project_simulator(sim_dir):
    res = od_from_records(sim_dir / "records.parquet", cells=sim_dir / "cells.csv",
                          keep_users=True, min_count=1)
    truth = read_truth(sim_dir / "truth_users.csv")
    scores = evaluate(res._users, truth)
    _check(scores)
    # the written OD (min_count=1, no expansion) is the per-user OD aggregated
    tod = pd.read_csv(sim_dir / "truth_od.csv", dtype={"origin": str, "destination": str})
    assert common_part_of_commuters(res.od, tod) == pytest.approx(scores["cpc"], abs=1e-12)
    assert scores["work_right_night_shift"] >= 0.8, scores


def test_accuracy_on_independent_generator(independent_dir):
    res = od_from_records(independent_dir / "records.parquet",
                          cells=independent_dir / "cells.csv", keep_users=True, min_count=1)
    truth = read_truth(independent_dir / "truth_users.csv")
    scores = evaluate(res._users, truth)
    _check(scores)
    # Against the zone that contains the true point (not the nearest cell's zone), the
    # cells-to-units mapping itself costs a few per cent near zone borders; it stays high.
    zone = truth.drop(columns=["home_unit", "work_unit"]).rename(
        columns={"home_zone": "home_unit", "work_zone": "work_unit"})
    by_zone = evaluate(res._users, zone)
    assert by_zone["home_right"] >= 0.9, by_zone


def test_accuracy_on_published_generator(published_dir):
    res = od_from_records(published_dir / "records.parquet",
                          cells=published_dir / "cells.csv", keep_users=True, min_count=1)
    truth = read_truth(published_dir / "truth_users.csv")
    scores = evaluate(res._users, truth)
    _check(scores, work_right=0.94)
    # evening shifts (about 7 % of the employed there) are found too
    evening = truth[truth["subkind"] == "evening"]["uid"]
    found = res._users[res._users["uid"].isin(evening)]["work_unit"].notna().mean()
    assert found >= 0.9, found


def test_cpc_definition():
    a = pd.DataFrame({"origin": ["A", "A"], "destination": ["A", "B"], "value": [6, 4]})
    b = pd.DataFrame({"origin": ["A", "B"], "destination": ["A", "A"], "commuters": [6, 2]})
    # common part 6 of (10 + 8) / 2
    assert common_part_of_commuters(a, b) == pytest.approx(2 * 6 / 18)
