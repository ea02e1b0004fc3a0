"""Rules that cannot apply do not switch off silently (issue 16.4).

cn-commuting's one-hour gate is part of the practice's definition (the one-hour commuting
circle): without travel times the run is an error unless ``travel_time_gate=false`` turns the
rule off, and then the console, run.json and every non-core unit's explanation say so."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd
import pytest

import metrocircle as mc
from metrocircle.cli.main import main
from metrocircle.exceptions import ParameterError

FLOWS = pd.DataFrame({
    "origin": ["C", "C", "A", "A", "B", "B"],
    "destination": ["C", "A", "A", "C", "B", "C"],
    "value": [100, 5, 60, 40, 90, 10],
})
CORES = pd.DataFrame({"unit_id": ["C"], "area_id": ["M"]})
TT = pd.DataFrame({"origin": ["A", "B", "C", "A", "B", "C", "A", "C", "B"],
                   "destination": ["C", "C", "C", "A", "B", "A", "B", "B", "A"],
                   "minutes": [90.0, 30.0, 0.0, 0.0, 0.0, 90.0, 50.0, 30.0, 50.0]})


def test_without_travel_times_is_an_error_naming_the_way_out() -> None:
    with pytest.raises(ParameterError) as err:
        mc.delineate("cn-commuting", FLOWS, cores=CORES, params={"contiguity": False})
    text = str(err.value)
    assert "travel_times" in text and "travel_time_gate=false" in text


def test_rule_turned_off_is_said_everywhere(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        r = mc.delineate("cn-commuting", FLOWS, cores=CORES,
                         params={"contiguity": False, "travel_time_gate": False})
    assert any("one-hour gate" in m and "not applied" in m for m in caplog.messages)
    m = r.membership.set_index("unit_id")
    # A is 90 minutes away but joins: the gate did not apply, and its row says so
    assert m.loc["A", "status"] == "member"
    assert "one-hour gate" in m.loc["A", "rules_off"]
    assert "one-hour gate" in m.loc["B", "rules_off"]
    assert m.loc["C", "rules_off"] in ("", None) or pd.isna(m.loc["C", "rules_off"])
    # no units table: snapping to parents cannot apply either, and is said too
    assert [x["rule"] for x in r.info["rules_off"]] == ["travel_time_gate", "snap"]
    assert "snapping to whole parents not applied" in m.loc["A", "rules_off"]


def test_gate_applies_with_travel_times() -> None:
    r = mc.delineate("cn-commuting", FLOWS, cores=CORES, travel_times=TT,
                     params={"contiguity": False, "snap": False})
    m = r.membership.set_index("unit_id")
    assert m.loc["A", "status"] == "outside"  # 40 % to the core, but 90 minutes away
    assert m.loc["A", "rule"].startswith("rejected:travel")
    assert r.info["rules_off"] == []
    assert "rules_off" not in r.membership.columns


def test_cli_console_and_run_json(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  caplog: pytest.LogCaptureFixture) -> None:
    # the command line logs WARNING records to the console (stderr); under pytest the
    # records go to caplog
    FLOWS.to_csv(tmp_path / "flows.csv", index=False)
    CORES.to_csv(tmp_path / "cores.csv", index=False)
    base = ["delineate", "cn-commuting", "--flows", str(tmp_path / "flows.csv"),
            "--cores", str(tmp_path / "cores.csv"), "--param", "contiguity=false"]
    assert main([*base, "--out", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err
    assert "--travel-times" in err and "travel_time_gate=false" in err
    assert not (tmp_path / "a").exists()
    with caplog.at_level(logging.WARNING):
        assert main([*base, "--param", "travel_time_gate=false",
                     "--out", str(tmp_path / "b")]) == 0
    assert any(r.levelno == logging.WARNING and "one-hour gate" in r.getMessage()
               and "not applied" in r.getMessage() for r in caplog.records)
    run = json.loads((tmp_path / "b" / "run.json").read_text())
    assert "travel_time_gate" in json.dumps(run)
    assert "rules_off" in json.dumps(run)
    mem = pd.read_csv(tmp_path / "b" / "membership.csv")
    outside_core = mem[mem["status"] != "core"]
    assert outside_core["rules_off"].str.contains("one-hour gate").all()
