"""The shipped US projects on the real data: the whole procedure from the Census 2010 urban
areas (us-cbsa-ua2010) and OMB's own central counties (us-cbsa), each followed by the combine
step, scored against OMB's lists. Every figure is computed here again from the run folder's
CSV files and the official list (plain pandas), and compared with what the run wrote."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import pandas as pd
import pytest

from metrocircle.cli.main import main
from metrocircle.datasets import us_cbsa
from metrocircle.project import example_path

pytestmark = pytest.mark.xdist_group("us-project")


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def ua2010(tmp_path_factory) -> Path:
    """'metrocircle init --example us-cbsa-ua2010', then 'metrocircle run' on the copy."""
    root = tmp_path_factory.mktemp("ua2010")
    assert main(["init", str(root / "us2010"), "--example", "us-cbsa-ua2010"]) == 0
    out = root / "out"
    assert main(["run", str(root / "us2010" / "project.toml"), "--out", str(out),
                 "--no-progress"]) == 0
    return out


@pytest.fixture(scope="module")
def us2023(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("us2023") / "out"
    assert main(["run", str(example_path("us-cbsa")), "--out", str(out), "--no-progress"]) == 0
    return out


def figures(out: Path, official: pd.DataFrame) -> dict[str, float]:
    """Central counties, counties placed, areas and types against the official list, from
    membership.csv and areas.csv: a derived CBSA stands for the official CBSA that shares most
    of its central counties (equal counts: the lower code)."""
    m = read(out / "membership.csv")
    m = m[m["area_id"] != ""]
    ours = set(m.loc[m["central_outlying"] == "central", "unit_id"])
    theirs = set(official.loc[official["central_outlying"] == "Central", "fips"])
    official_cbsa = official.set_index("fips")["cbsa_code"]
    shared = m[m["unit_id"].isin(ours & theirs)].assign(
        cbsa=lambda d: d["unit_id"].map(official_cbsa))
    best = {}
    for area, part in shared.groupby("area_id"):
        counts = part["cbsa"].value_counts()
        best[area] = min(c for c, n in counts.items() if n == counts.max())
    placed = m.set_index("unit_id")["area_id"].map(best)
    right = sum(placed.get(f) == c for f, c in official_cbsa.items())
    areas = read(out / "areas.csv").set_index("area_id")
    kind = official.drop_duplicates("cbsa_code").set_index("cbsa_code")["cbsa_type"].str.lower()
    types = [areas.loc[a, "type"] == kind[c] for a, c in best.items()]
    n_official = official.loc[official["central_outlying"] == "Central", "cbsa_code"].nunique()
    return {"recall": len(ours & theirs) / len(theirs),
            "precision": len(ours & theirs) / len(ours),
            "counties": right / len(official_cbsa),
            "areas": m["area_id"].nunique(), "official_areas": n_official,
            "types": sum(types) / len(types), "best": best}


def pair_f1(out: Path, official: pd.DataFrame, best: dict[str, str] | None) -> float:
    """"These two CBSAs are in one CSA", over the official CBSAs: each derived area stands for
    its matched official CBSA (None: the codes are official ones)."""
    csa = official.drop_duplicates("cbsa_code").set_index("cbsa_code")["csa_code"]
    truth = {p for _, g in csa[csa != ""].groupby(csa[csa != ""])
             for p in combinations(sorted(g.index), 2)}
    c = read(out / "combined.csv")
    c = c[c["combined_id"] != ""]
    c = c.assign(cbsa=c["area_id"].map(best) if best is not None else c["area_id"]).dropna()
    found = {p for _, g in c.groupby("combined_id") for p in combinations(sorted(set(g["cbsa"])),
                                                                         2)}
    agree = len(truth & found)
    precision, recall = agree / len(found), agree / len(truth)
    return 2 * precision * recall / (precision + recall)


def test_ua2010_project_is_the_delineate_example(ua2010: Path, tmp_path: Path) -> None:
    cli = tmp_path / "cli"
    assert main(["delineate", "omb-cbsa", "--example", "us-cbsa-ua2010", "--out", str(cli),
                 "--no-progress"]) == 0
    for name in ("membership.csv", "areas.csv"):
        assert (ua2010 / name).read_bytes() == (cli / name).read_bytes(), name


def test_ua2010_against_february_2013(ua2010: Path, capsys) -> None:
    official = read(Path(us_cbsa.path("omb_cbsa_delineation_2013.csv")))
    f = figures(ua2010, official)
    run = json.loads((ua2010 / "run.json").read_text())
    wrote = run["steps"]["delineation"]["info"]["reference_figures"]
    assert wrote["core_recall"] == pytest.approx(f["recall"])
    assert wrote["core_precision"] == pytest.approx(f["precision"])
    assert wrote["units_right_share"] == pytest.approx(f["counties"])
    assert (wrote["areas"], wrote["reference_areas"]) == (f["areas"], f["official_areas"])
    assert wrote["type_right_share"] == pytest.approx(f["types"])
    # issue #17's targets on February 2013 (929 CBSAs, 1,339 central counties)
    assert f["official_areas"] == 929
    assert f["precision"] >= 0.95
    assert f["counties"] >= 0.88
    assert abs(f["areas"] - 929) / 929 <= 0.03
    assert f["types"] >= 0.97
    # recall: short of the 99 % target (1,320 of 1,339): the merges at ties of 25-28 % on the
    # 2009-2013 flows, listed with their causes in docs/methods/us-differences.md
    assert 0.985 <= f["recall"] < 0.99
    missed = read(ua2010 / "delineation" / "reference_missed_cores.csv")
    merged = missed[missed["rule"].str.startswith("merged_from:")]
    m = read(ua2010 / "membership.csv").set_index("unit_id")
    assert len(merged) >= len(missed) - 1
    assert (m.loc[merged["unit_id"], "value"].astype(float) < 0.28).all()


def test_ua2010_csas_against_february_2013(ua2010: Path) -> None:
    official = read(Path(us_cbsa.path("omb_cbsa_delineation_2013.csv")))
    best = figures(ua2010, official)["best"]
    f1 = pair_f1(ua2010, official, best)
    run = json.loads((ua2010 / "run.json").read_text())
    wrote = run["steps"]["combine"]["info"]["reference_pairs"]
    assert wrote["f1"] == pytest.approx(f1)
    assert f1 >= 0.70  # issue #14's bar for the CSA pairs
    assert json.loads((ua2010 / "combine" / "reference_pairs.json").read_text())["f1"] == \
        pytest.approx(f1)


def test_us_cbsa_project_combines_as_the_combine_command(us2023: Path, tmp_path: Path) -> None:
    """The combine step gives what 'metrocircle combine' gives on the run's membership.csv,
    and its pair F1 against July 2023 is what us_cbsa.compare_to_official_csa finds."""
    d = Path(us_cbsa.path("x")).parent
    out = tmp_path / "combine"
    assert main(["combine", "omb-csa", "--membership", str(us2023 / "membership.csv"),
                 "--flows", str(d / "acs_county_flows_2016_2020.csv"),
                 "--origin-col", "res_fips", "--destination-col", "work_fips",
                 "--value-col", "workers", "--external", "FOREIGN_CANADA", "--external",
                 "FOREIGN_MEXICO", "--external", "FOREIGN_OTHER",
                 "--adjacency", str(d / "county_adjacency_2023.csv"), "--out", str(out),
                 "--no-progress"]) == 0
    for name in ("combined.csv", "pairs.csv"):
        assert (us2023 / name).read_bytes() == (out / name).read_bytes(), name
    official = read(Path(us_cbsa.path("omb_cbsa_delineation_2023.csv")))
    f1 = pair_f1(us2023, official, None)
    expected = us_cbsa.compare_to_official_csa(read(us2023 / "combined.csv").replace("", None))
    assert f1 == pytest.approx(expected["f1"])
    run = json.loads((us2023 / "run.json").read_text())
    assert run["steps"]["combine"]["info"]["reference_pairs"]["f1"] == pytest.approx(f1)
    assert f1 >= 0.70


def test_counties_2010_are_the_units_of_the_2010_vintage() -> None:
    shipped = read(Path(us_cbsa.path("counties_2010.csv")))
    units = us_cbsa.load_units(2010)
    assert shipped["fips"].tolist() == units["unit_id"].tolist()
    assert shipped["county_name"].tolist() == units["name"].tolist()
    assert shipped["state_usps"].tolist() == units["state"].tolist()
    assert shipped["pop_2010"].astype(float).tolist() == units["population"].tolist()
