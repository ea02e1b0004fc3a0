"""ttwa-lma: parameters, bad input, clean mode, contiguity, the method contract and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metrocircle.delineate import delineate, get_method
from metrocircle.delineate._lma_core import LmaSettings, validity, validity_array
from metrocircle.delineate.ttwa_lma import TtwaLma, find_clusters, lma_validity
from metrocircle.exceptions import InputError, ParameterError

DATA = Path(__file__).resolve().parents[1] / "data" / "lma"
ISTAT = dict(
    min_size=1000, min_self_containment=0.6667, target_size=10000, target_self_containment=0.75
)


def _flows(name: str) -> pd.DataFrame:
    f = pd.read_csv(DATA / f"{name}_flows.csv", dtype=str)
    return pd.DataFrame(
        {
            "origin": f["community_live"],
            "destination": f["community_work"],
            "value": f["amount"].astype(float),
        }
    )


@pytest.fixture(scope="module")
def sardinia() -> pd.DataFrame:
    return _flows("sardinia_2001")


@pytest.fixture(scope="module")
def brindisi() -> pd.DataFrame:
    return _flows("brindisi")


# -- validity -----------------------------------------------------------------------------------
def test_validity_thresholds_follow_the_coombes_bond_line():
    s = LmaSettings(1000, 0.6667, 10000, 0.75)
    # at target size, valid iff self-containment >= min_sc; at min size iff >= target_sc
    # (exactly on the line R's operation order can land a hair below 1, which is kept)
    assert validity(6668, 10000, 10000, s) >= 1 > validity(6666, 10000, 10000, s)
    assert validity(760, 1010, 1010, s) >= 1 > validity(755, 1010, 1010, s)
    # at exactly min_size the product Z * tarSC/minSC rounds to just below 1 (R does the same)
    assert validity(1000 * 0.99, 1000, 1000, s) == 0.9999999999999999
    # below min size never valid unless msc == 1; the largest value is tarSC/minSC
    assert validity(900, 999, 999, s) < 1
    assert validity(999, 999, 999, s) == 1
    assert validity(10**6, 10**6 + 1, 10**6 + 1, s) == pytest.approx(0.75 / 0.6667)


def test_vectorised_validity_is_bit_identical():
    rng = np.random.default_rng(7)
    r = rng.integers(1, 50_000, 2000).astype(float)
    w = rng.integers(1, 50_000, 2000).astype(float)
    i = np.floor(np.minimum(r, w) * rng.uniform(0, 1, 2000))
    s = LmaSettings(1000, 0.6667, 10000, 0.75)
    vec = validity_array(i, r, w, s)
    assert [validity(a, b, c, s) for a, b, c in zip(i, r, w, strict=True)] == vec.tolist()
    assert lma_validity(i[0], r[0], w[0], **{k: v for k, v in ISTAT.items()}) == vec[0]


# -- parameters and input errors ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"min_size": 10000, "target_size": 1000}, "'min_size' parameter of ttwa-lma"),
        ({"min_size": 5000, "target_size": 5000}, "smaller than target_size"),
        ({"min_self_containment": 1.5}, "must be a float in (0, 1]. Got 1.5."),
        ({"target_self_containment": 0.0}, "'target_self_containment' parameter"),
        ({"min_self_containment": 0.8, "target_self_containment": 0.7}, "not above"),
        ({"compat": "r-3.3"}, "'compat' parameter of ttwa-lma must be one of"),
        ({"min_size": -5}, "'min_size' parameter"),
        ({"bogus": 1}, "has no parameter 'bogus'"),
    ],
)
def test_bad_parameters_get_one_clear_error(brindisi, params, fragment):
    with pytest.raises(ParameterError) as err:
        TtwaLma(**params).fit(brindisi)
    assert fragment in str(err.value)


def test_cli_style_parameter_parsing():
    parsed = TtwaLma.parse_params({"min_size": "3500", "compat": "clean", "contiguity": "true"})
    assert parsed == {"min_size": 3500.0, "compat": "clean", "contiguity": True}
    with pytest.raises(ParameterError, match="'min_self_containment' parameter"):
        TtwaLma.parse_params({"min_self_containment": "abc"})


def test_contiguity_needs_adjacency(brindisi):
    with pytest.raises(ParameterError, match="needs adjacency"):
        find_clusters(brindisi, contiguity=True)


def test_bad_flows_listed_in_one_error():
    flows = pd.DataFrame(
        {
            "origin": ["1", "2", "3", "4"],
            "destination": ["1", "1", "2", "3"],
            "value": ["10", "abc", "-3", "5"],
        }
    )
    with pytest.raises(InputError) as err:
        find_clusters(flows)
    text = str(err.value)
    assert "2 problems" in text
    # a table built in Python: records counted from 1, as every validator labels them
    assert "value is not a number [row 2]" in text and "negative value [row 3]" in text


def test_unknown_columns_named_in_the_error():
    flows = pd.DataFrame({"community_live": ["1"], "community_work": ["1"], "amount": [1.0]})
    with pytest.raises(InputError, match="missing column.*origin.*community_live"):
        find_clusters(flows)


# -- behaviour ------------------------------------------------------------------------------------
def test_zero_list_units_are_excluded_with_their_reason():
    flows = pd.DataFrame(
        {
            "origin": ["1", "1", "2", "2", "3", "4", "5"],
            "destination": ["1", "2", "2", "1", "3", "1", "1"],
            "value": [900.0, 200.0, 700.0, 150.0, 50.0, 30.0, 0.0],
        }
    )
    out = find_clusters(
        flows, min_size=100, min_self_containment=0.5, target_size=1000, target_self_containment=0.6
    )
    mem = out["membership"].set_index("unit_id")
    assert mem.loc["3", "status"] == "excluded" and mem.loc["3", "rule"].endswith("self_flow_only")
    assert mem.loc["4", "rule"] == "zero_list:no_jobs"
    assert mem.loc["5", "rule"] == "zero_list:no_residents"
    assert pd.isna(mem.loc["4", "area_id"])
    assert set(out["zero_list"]["unit_id"]) == {"3", "4", "5"}
    assert mem.loc["1", "status"] == "member"


def test_string_codes_rank_in_c_locale_order():
    # 'B' < 'a' in C locale: the same flows under two labelings give the same partition
    flows = _flows("brindisi")
    codes = sorted(set(flows["origin"]) | set(flows["destination"]))
    letters = {c: ("B" if i % 2 else "a") + f"{i:03d}" for i, c in enumerate(codes)}
    relabeled = flows.assign(
        origin=flows["origin"].map(letters), destination=flows["destination"].map(letters)
    )
    out = find_clusters(relabeled, **ISTAT)
    ranked = sorted(letters.values())  # Python's default order is C-locale order for ASCII
    assert ranked[0].startswith("B")
    mem = out["membership"]
    # every area id is the rank of one of its members
    for area, group in mem.groupby("area_id"):
        assert ranked[int(area) - 1] in set(group["unit_id"])
    with pytest.raises(ParameterError, match="code_order"):
        find_clusters(relabeled, code_order="numeric", **ISTAT)


def test_input_row_order_does_not_change_the_result(sardinia):
    a = find_clusters(sardinia, **ISTAT)["membership"]
    b = find_clusters(sardinia.sample(frac=1.0, random_state=3), **ISTAT)["membership"]
    pd.testing.assert_frame_equal(a, b)


def test_clean_mode_on_sardinia(sardinia):
    compat = find_clusters(sardinia, **ISTAT)
    clean = find_clusters(sardinia, compat="clean", **ISTAT)
    # R leaves one invalid LMA; clean mode has none and one more area
    assert (~compat["areas"]["valid"]).sum() == 1
    assert clean["areas"]["valid"].all()
    assert len(clean["areas"]) == len(compat["areas"]) + 1

    def parts(out):
        m = out["membership"]
        return {frozenset(g["unit_id"]) for _, g in m.groupby("area_id")}

    assert len(parts(compat) & parts(clean)) == 33
    # every unit still gets an area, and the areas partition the units
    assert clean["membership"]["area_id"].notna().all()
    assert clean["areas"]["residents"].sum() == compat["areas"]["residents"].sum()


def test_areas_table_is_consistent_with_membership(sardinia):
    out = find_clusters(sardinia, **ISTAT)
    mem, areas = out["membership"], out["areas"].set_index("area_id")
    res = mem.groupby("area_id")["residents"].sum()
    np.testing.assert_array_equal(res.loc[areas.index].to_numpy(), areas["residents"].to_numpy())
    sc = areas["internal_flow"] / areas["residents"]
    np.testing.assert_allclose(sc, areas["self_containment_supply_share"])
    assert ((mem["margin"] - (mem["value"] - mem["threshold"])).abs() < 1e-15).all()
    # reserve units carry their reserve code and iteration
    res_units = mem[mem["status"] == "reserve_assigned"]
    assert len(res_units) == len(out["reserve_list"]) == 80
    assert res_units["rule"].str.match(r"reserve_[AC]:strongest_tie").all()


# -- contiguity -----------------------------------------------------------------------------------
def _adjacency(name: str) -> pd.DataFrame:
    gpd = pytest.importorskip("geopandas")
    gdf = gpd.read_file(DATA / f"{name}_municipalities.geojson").to_crs(32632)
    j = gpd.sjoin(
        gdf[["PRO_COM", "geometry"]], gdf[["PRO_COM", "geometry"]], predicate="intersects"
    )
    adj = pd.DataFrame(
        {"unit_a": j["PRO_COM_left"].astype(str), "unit_b": j["PRO_COM_right"].astype(str)}
    )
    return adj[adj["unit_a"] < adj["unit_b"]].reset_index(drop=True)


def _components(units: set[str], adj: pd.DataFrame) -> list[set[str]]:
    nbr: dict[str, set[str]] = {u: set() for u in units}
    for a, b in zip(adj["unit_a"], adj["unit_b"], strict=True):
        if a in units and b in units:
            nbr[a].add(b)
            nbr[b].add(a)
    seen: set[str] = set()
    comps = []
    for u in sorted(units):
        if u in seen:
            continue
        stack, comp = [u], set()
        while stack:
            x = stack.pop()
            if x not in comp:
                comp.add(x)
                stack.extend(nbr[x] - comp)
        seen |= comp
        comps.append(comp)
    return comps


def test_contiguity_step_on_sardinia(sardinia):
    adj = _adjacency("sardinia_2001")
    plain = find_clusters(sardinia, **ISTAT)["membership"]
    out = find_clusters(sardinia, contiguity=True, adjacency=adj, **ISTAT)
    mem = out["membership"]
    moved = out["contiguity"]
    assert len(moved) > 0
    # the recorded moves are exactly the units whose area changed
    changed = mem[mem["area_id"] != mem["area_id_before_contiguity"]]
    assert set(changed["unit_id"]) == set(moved["unit_id"])
    assert (changed["rule"] == "contiguity").all()
    assert list(mem["area_id_before_contiguity"]) == list(plain["area_id"])
    # afterwards every part of an area that is not its main part touches no other area
    area_of = dict(zip(mem["unit_id"], mem["area_id"], strict=True))
    for area, group in mem.groupby("area_id"):
        comps = _components(set(group["unit_id"]), adj)
        if len(comps) == 1:
            continue
        res = group.set_index("unit_id")["residents"]
        main = max(comps, key=lambda c: res.loc[list(c)].sum())
        for comp in comps:
            if comp is main:
                continue
            touching = {
                area_of[b if a in comp else a]
                for a, b in zip(adj["unit_a"], adj["unit_b"], strict=True)
                if (a in comp) != (b in comp) and (a in comp or b in comp)
            }
            assert touching <= {area}, (area, comp, touching)


# -- the engine contract and the CLI --------------------------------------------------------------
def test_registered_method_contract(brindisi):
    cls = get_method("ttwa-lma")
    assert cls is TtwaLma and not cls.needs_cores
    est = cls(**ISTAT).fit(brindisi)
    cols = ["unit_id", "area_id", "status", "rule", "value", "threshold", "margin", "moves"]
    assert list(est.membership_.columns[: len(cols)]) == cols
    assert {"reserve_list", "membership_before_reserve", "iterations"} <= set(est.tables_)
    assert list(est.tables_["reserve_list"].columns) == [
        "code",
        "iteration",
        "dissolved_area",
        "validity",
        "unit_id",
        "second_unit_id",
    ]
    assert est.info_["n_areas"] == len(est.areas_) == 9
    res = delineate("ttwa-lma", brindisi, params=ISTAT)
    pd.testing.assert_frame_equal(res.membership, est.membership_)


def test_cli_writes_the_outputs(tmp_path):
    from metrocircle.cli.main import main

    out = tmp_path / "out"
    code = main(
        [
            "delineate",
            "ttwa-lma",
            "--flows",
            str(DATA / "brindisi_flows.csv"),
            "--origin-col",
            "community_live",
            "--destination-col",
            "community_work",
            "--value-col",
            "amount",
            "--param",
            "min_size=1000",
            "--param",
            "min_self_containment=0.6667",
            "--param",
            "target_size=10000",
            "--param",
            "target_self_containment=0.75",
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    assert code == 0
    mem = pd.read_csv(out / "membership.csv", dtype={"unit_id": str, "area_id": str})
    ref = pd.read_csv(DATA / "brindisi_istat_assignment.csv", dtype=str)
    assert dict(zip(mem["unit_id"], mem["area_id"], strict=True)) == dict(
        zip(ref["community"], ref["cluster"], strict=True)
    )
    for name in ("areas.csv", "reserve_list.csv", "run.json"):
        assert (out / name).exists()
    assert json.loads((out / "run.json").read_text())["method"] == "ttwa-lma"
    bad = main(
        [
            "delineate",
            "ttwa-lma",
            "--flows",
            str(DATA / "brindisi_flows.csv"),
            "--origin-col",
            "community_live",
            "--destination-col",
            "community_work",
            "--value-col",
            "amount",
            "--param",
            "min_size=20000",
            "--out",
            str(out),
        ]
    )
    assert bad == 2


# -- invariants on random flow tables -------------------------------------------------------------
def _random_flows(seed: int) -> tuple[pd.DataFrame, dict]:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 60))
    size = np.round(rng.lognormal(5, 1.2, n)) + 1
    rows = []
    for u in range(n):
        stay = rng.beta(3, 2)
        rows.append((u, u, np.floor(size[u] * stay)))
        for j in rng.choice(n, size=int(rng.integers(0, min(n, 8))), replace=False):
            if j != u:
                rows.append((u, int(j), float(rng.integers(0, 1 + int(size[u] * (1 - stay))))))
    f = pd.DataFrame(rows, columns=["o", "d", "v"])
    flows = pd.DataFrame(
        {"origin": f["o"].astype(str), "destination": f["d"].astype(str), "value": f["v"]}
    )
    params = dict(
        min_size=float(rng.choice([50, 200, 800])),
        min_self_containment=float(rng.choice([0.5, 0.6667])),
        target_size=2500.0,
        target_self_containment=0.8,
    )
    return flows, params


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("compat", ["r-3.4", "clean"])
def test_invariants_on_random_flows(seed, compat):
    flows, params = _random_flows(seed)
    out = find_clusters(flows, compat=compat, **params)
    mem = out["membership"]
    units = set(flows["origin"]) | set(flows["destination"])
    # every unit exactly once, with one of the four statuses
    assert sorted(mem["unit_id"]) == sorted(units)
    assert set(mem["status"]) <= {"member", "reserve_assigned", "unassigned", "excluded"}
    assert mem.loc[mem["status"] == "excluded", "area_id"].isna().all()
    assert mem.loc[mem["status"] != "excluded", "residents"].gt(0).all()
    # members keep the area they had when the main loop converged
    m = mem[mem["status"] == "member"]
    assert (m["area_id"] == m["area_id_before_reserve"]).all()
    # an area id is the code rank of one of its members (numeric codes here)
    clustered = sorted(mem.loc[mem["status"] != "excluded", "unit_id"], key=int)
    for area, group in mem.dropna(subset=["area_id"]).groupby("area_id"):
        assert clustered[int(area) - 1] in set(group["unit_id"])
    # the areas table adds up
    assert out["areas"]["residents"].sum() == mem.dropna(subset=["area_id"])["residents"].sum()
    if compat == "clean":
        # clean mode: every area before the reserve placement is valid
        before = mem.dropna(subset=["area_id_before_reserve"])
        s = LmaSettings(
            params["min_size"], params["min_self_containment"], params["target_size"], 0.8
        )
        amap = before.set_index("unit_id")["area_id_before_reserve"]
        ff = flows.assign(a=flows["origin"].map(amap), b=flows["destination"].map(amap))
        for area, group in before.groupby("area_id_before_reserve"):
            i = ff.loc[(ff["a"] == area) & (ff["b"] == area), "value"].sum()
            assert validity(i, group["residents"].sum(), group["jobs"].sum(), s) >= 1


def test_every_unit_on_the_reserve_list_is_reported():
    # R's findClusters stops with a data.table error on this table (checked with R 4.2.2): every
    # cluster ends on the reserve list. metrocircle reports every unit unassigned instead.
    flows = pd.DataFrame(
        {
            "origin": ["1", "2", "2", "2", "3"],
            "destination": ["1", "1", "2", "3", "1"],
            "value": [7.0, 3.0, 31.0, 6.0, 23.0],
        }
    )
    out = find_clusters(flows)
    assert out["info"]["all_units_in_reserve"]
    assert (out["membership"]["status"] == "unassigned").all()
    assert out["membership"]["area_id"].isna().all() and len(out["areas"]) == 0
    assert list(out["reserve_list"]["code"]) == ["C", "A", "B"]


def test_units_given_restrict_the_universe_and_add_attribute_totals(brindisi):
    codes = sorted(set(brindisi["origin"]))
    units = pd.DataFrame(
        {"unit_id": codes + ["99999"], "population": np.arange(len(codes) + 1, dtype=float)}
    )
    abroad = pd.DataFrame({"origin": [codes[0]], "destination": ["ABROAD"], "value": [25.0]})
    out = find_clusters(pd.concat([brindisi, abroad], ignore_index=True), units=units, **ISTAT)
    mem = out["membership"]
    # one row per unit: the place that is not a unit gets none, the unit without flows is excluded
    assert sorted(mem["unit_id"]) == sorted(units["unit_id"])
    assert mem.set_index("unit_id").loc["99999", "rule"] == "no_flows"
    zl = out["zero_list"].set_index("unit_id")
    assert zl.loc["ABROAD", "reason"] == "not_a_unit"
    assert out["info"]["n_flows_not_between_units"] == 1
    # the flow abroad is left out, so the result equals the run without it
    plain = find_clusters(brindisi, **ISTAT)["membership"]
    got = mem[mem["status"] != "excluded"].reset_index(drop=True)
    assert list(got["area_id"]) == list(plain["area_id"])
    # areas carry the sum of the units' numeric attributes
    pop = units.set_index("unit_id")["population"]
    want = (
        mem.dropna(subset=["area_id"])
        .groupby("area_id")["unit_id"]
        .agg(lambda u: pop.loc[list(u)].sum())
    )
    areas = out["areas"].set_index("area_id")
    np.testing.assert_array_equal(areas["population"].to_numpy(), want.loc[areas.index].to_numpy())
