"""Area indicators against hand-computed values, and one error for bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from metrocircle.cli.main import main
from metrocircle.exceptions import InputError
from metrocircle.indicators import area_indicators

UNITS = pd.DataFrame({
    "unit_id": ["A", "B", "C", "D"],
    "population": [1000, 400, 200, 300],
    "urban_population": [900, 200, 50, 150],
    "area_km2": [10.0, 40.0, 60.0, 80.0],
    "gdp": [500.0, 100.0, None, 90.0],
    "other_province": [100, 10, 2, 30],
})
MEMBERSHIP = pd.DataFrame({
    "unit_id": ["A", "B", "C", "D"],
    "area_id": ["M", "M", "M", None],
    "status": ["core", "member", "member", "outside"],
})
# home -> work commuters (diagonal: working in the home unit)
FLOWS = pd.DataFrame({
    "origin": ["A", "B", "B", "C", "C", "D", "D", "A"],
    "destination": ["A", "B", "A", "C", "A", "D", "A", "D"],
    "value": [500, 100, 80, 40, 20, 90, 30, 10],
})


def test_totals_gap_gdp_and_openness_by_hand() -> None:
    r = area_indicators(UNITS, MEMBERSHIP, flows=FLOWS).set_index("area_id").loc["M"]
    assert r["units"] == 3 and r["core_units"] == 1
    assert r["population"] == 1600 and r["area_km2"] == 110
    assert r["urban_population"] == 1150
    assert r["urbanisation_rate"] == pytest.approx(1150 / 1600)
    # core A 90 %, rest (B+C) 250/600; gap in percentage points
    assert r["urbanisation_core"] == pytest.approx(0.9)
    assert r["urbanisation_rest"] == pytest.approx(250 / 600)
    assert r["urbanisation_gap"] == pytest.approx(100 * (0.9 - 250 / 600))
    assert r["urbanisation_min"] == pytest.approx(0.25) and r["urbanisation_max"] == 0.9
    # GDP: C has none -> sum of the others, flagged incomplete, never imputed
    assert r["gdp"] == 600 and r["gdp_units"] == 2 and not r["gdp_complete"]
    assert r["other_province_share"] == pytest.approx(112 / 1600)
    # flows: internal A->A 500, B->B 100, B->A 80, C->C 40, C->A 20 = 740; out A->D 10;
    # in D->A 30
    assert r["internal_commuters"] == 740 and r["outbound"] == 10 and r["inbound"] == 30
    assert r["employed_residents"] == 750 and r["jobs"] == 770
    assert r["supply_self_containment"] == pytest.approx(740 / 750)
    assert r["demand_self_containment"] == pytest.approx(740 / 770)
    assert r["flow_openness"] == pytest.approx(40 / 780)


def test_missing_attributes_give_empty_columns_not_guesses() -> None:
    r = area_indicators(UNITS[["unit_id", "population"]], MEMBERSHIP)
    assert list(r["population"]) == [1600.0]
    for col in ("urbanisation_rate", "gdp", "flow_openness", "area_km2"):
        assert col not in r.columns
    no_status = area_indicators(UNITS, MEMBERSHIP.drop(columns="status")).iloc[0]
    assert no_status["core_units"] == 0 and math.isnan(no_status["urbanisation_gap"])


def test_bad_input_is_one_error_listing_every_problem() -> None:
    units = UNITS.copy()
    units.loc[1, "population"] = -5
    units["area_km2"] = units["area_km2"].astype(object)
    units.loc[2, "area_km2"] = "lots"
    units = pd.concat([units, units.iloc[[0]]])
    m = pd.concat([MEMBERSHIP, pd.DataFrame({"unit_id": ["ZZ"], "area_id": ["M"],
                                             "status": ["member"]})])
    with pytest.raises(InputError) as err:
        area_indicators(units, m)
    text = str(err.value)
    for piece in ("duplicate unit codes [A]", "not in the units table [ZZ]",
                  "population: negative or non-numeric values [B]",
                  "area_km2: negative or non-numeric values [C]"):
        assert piece in text, text
    with pytest.raises(InputError, match="population column"):
        area_indicators(UNITS.drop(columns="population"), MEMBERSHIP)


def test_cli_on_files(tmp_path, capsys) -> None:
    UNITS.rename(columns={"population": "pop"}).to_csv(tmp_path / "units.csv", index=False)
    MEMBERSHIP.to_csv(tmp_path / "membership.csv", index=False)
    FLOWS.to_csv(tmp_path / "flows.csv", index=False)
    code = main(["indicators", "--units", str(tmp_path / "units.csv"), "--membership",
                 str(tmp_path / "membership.csv"), "--flows", str(tmp_path / "flows.csv"),
                 "--col", "population=pop", "--out", str(tmp_path / "out")])
    assert code == 0, capsys.readouterr().err
    r = pd.read_csv(tmp_path / "out" / "indicators.csv").iloc[0]
    assert r["population"] == 1600 and np.isclose(r["flow_openness"], 40 / 780)
    assert (tmp_path / "out" / "run.json").is_file()
    code = main(["indicators", "--units", str(tmp_path / "nope.csv"), "--membership",
                 str(tmp_path / "also_nope.csv"), "--out", str(tmp_path / "o2")])
    err = capsys.readouterr().err
    assert code == 2 and "nope.csv" in err and "also_nope.csv" in err
