"""The dashboard's server without a browser: what it serves, what it refuses, and that the
sliders' re-delineation and the exported project agree with ``metrocircle.delineate`` and
``metrocircle run``."""

from __future__ import annotations

import hashlib
import http.client
import json
import socket
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from dashboard_cases import NAMES, SCRIPT_NAME, UNITS

import metrocircle as mc
from metrocircle.cli.main import main
from metrocircle.dashboard import Dashboard, DashboardServer, RunFolder, make_server, sliders
from metrocircle.dashboard.server import STATIC
from metrocircle.delineate import get_method
from metrocircle.exceptions import InputError
from metrocircle.model.io import read_table


def request(server: DashboardServer, path: str, *, method: str = "GET",
            host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """A raw request (no client-side normalisation of the path)."""
    port = server.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", host or f"127.0.0.1:{port}")
    conn.endheaders()
    res = conn.getresponse()
    body = res.read()
    conn.close()
    return res.status, {k.lower(): v for k, v in res.getheaders()}, body


def rerun(run: Path, **values: float) -> pd.DataFrame:
    """The delineation of a run folder again with other values, as docs/run-folder.md shows."""
    d = run / "delineation" / "inputs"
    p = json.loads((d / "params.json").read_text())
    t = {n: read_table(d / f"{n}.csv")[0] if (d / f"{n}.csv").exists() else None
         for n in ("flows", "units", "cores", "adjacency", "travel_times")}
    res = mc.delineate(p["method"], t["flows"], units=t["units"], cores=t["cores"],
                       adjacency=t["adjacency"], travel_times=t["travel_times"],
                       params={**p["params"], **values}, external=p["external"])
    return res.membership


def snapshot(folder: Path) -> dict[str, str]:
    return {str(f.relative_to(folder)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(folder.rglob("*")) if f.is_file()}


# ------------------------------------------------------------------------------- the data
def test_the_sliders_are_the_methods_float_parameters_with_ranges_and_the_time_limit() -> None:
    cn = get_method("cn-commuting")
    values = {p.name: p.default for p in cn.params}
    names = [s["name"] for s in sliders(cn, values, travel_times=True)]
    assert names == ["integration_share", "close_share", "radiation_share", "max_minutes",
                     "snap_share"]
    # without travel times the limit does nothing, so it has no slider
    assert "max_minutes" not in [s["name"] for s in sliders(cn, values, travel_times=False)]
    omb = get_method("omb-cbsa")
    got = sliders(omb, {p.name: p.default for p in omb.params}, travel_times=False)
    # merge_threshold is unset (None: the threshold) and starts unset; central_share only
    # matters with urban areas but is a float with a range: every such parameter gets one
    assert [s["name"] for s in got] == ["threshold", "merge_threshold", "central_share"]
    assert got[1]["value"] is None and got[1]["optional"]
    # an optional share left unset (natural breaks) gets a slider that starts unset
    ms = get_method("cn-multisource")
    got_ms = {s["name"]: s for s in sliders(ms, {p.name: p.default for p in ms.params},
                                            travel_times=True)}
    assert got_ms["membership_share"]["value"] is None
    assert got_ms["membership_share"]["optional"] and got_ms["membership_share"]["start"] == 0.5
    assert {"max_minutes", "alpha", "close_share"} <= set(got_ms)
    threshold = got[0]
    assert threshold["value"] == 0.25 and 0 < threshold["min"] <= threshold["step"]
    assert threshold["max"] == 1.0  # (0, 1]: the open end is left out, the closed one is not


def test_the_runs_own_values_give_the_runs_membership(toy_run: Path) -> None:
    d = Dashboard(toy_run)
    assert d.reproduces
    state = d.delineation({})
    run = pd.read_csv(toy_run / "membership.csv", dtype=str, keep_default_na=False)
    assert state["columns"]["status"] == run["status"].tolist()
    assert state["changed"] == []


@pytest.mark.parametrize("values", [{"close_share": "0.05", "max_minutes": "80"},
                                    {"max_minutes": "40"}, {"integration_share": "0.5"}])
def test_a_slider_move_equals_delineate_with_the_same_values(toy_run: Path,
                                                             values: dict[str, str]) -> None:
    d = Dashboard(toy_run)
    state = d.delineation(values)
    want = rerun(toy_run, **{k: float(v) for k, v in values.items()}).set_index("unit_id")
    order = d.folder.unit_ids
    assert state["columns"]["status"] == want.loc[order, "status"].tolist()
    assert state["columns"]["rule"] == want.loc[order, "rule"].tolist()
    got_margin = pd.Series(state["columns"]["margin"], dtype=float)
    pd.testing.assert_series_equal(got_margin, want.loc[order, "margin"].reset_index(drop=True),
                                   check_names=False)
    run = pd.read_csv(toy_run / "membership.csv", dtype=str, keep_default_na=False)
    changed = [i for i, u in enumerate(order) if want.at[u, "status"] != run.at[i, "status"]]
    assert state["changed"] == changed


def test_the_toy_moves_change_the_units_they_should(toy_run: Path) -> None:
    d = Dashboard(toy_run)
    # U4 (6 %, 75.5 min) joins only when both the share and the time limit let it in
    assert d.delineation({"close_share": "0.05"})["changed"] == []
    assert d.delineation({"close_share": "0.05", "max_minutes": "80"})["changed"] == [4]
    # U3 (56.6 min) leaves under a 40-minute limit
    assert d.delineation({"max_minutes": "40"})["changed"] == [3]


def test_bad_slider_values_are_one_clear_error(toy_server: DashboardServer) -> None:
    status, _, body = request(toy_server, "/api/delineation?close_share=1.5")
    assert status == 400
    assert json.loads(body)["error"] == ("The 'close_share' parameter of cn-commuting must be "
                                         "a float in (0, 1]. Got 1.5.")
    status, _, body = request(toy_server, "/api/delineation?nonsense=1&close_share=0.1")
    assert status == 400 and "no slider 'nonsense'" in json.loads(body)["error"]
    status, _, body = request(toy_server, "/api/delineation?close_share=abc")
    assert status == 400 and "Got 'abc'" in json.loads(body)["error"]


def test_units_geojson_carries_names_as_data_and_every_unit(toy_server: DashboardServer) -> None:
    status, headers, body = request(toy_server, "/api/units.geojson")
    assert status == 200 and headers["content-type"] == "application/geo+json"
    assert headers["x-content-type-options"] == "nosniff"
    fc = json.loads(body)
    props = {f["properties"]["unit_id"]: f["properties"] for f in fc["features"]}
    assert sorted(props) == UNITS
    assert {u: p["name"] for u, p in props.items()} == NAMES
    assert [f["id"] for f in fc["features"]] == list(range(len(UNITS)))
    assert props["U1"]["role"] and props["U1"]["role_reason"]
    assert "group" in props["U0"] and "band" in props["U0"]


# ------------------------------------------------------------------------------- refusals
@pytest.mark.parametrize("path", [
    "/static/../run.json", "/static/%2e%2e/server.py", "/static/..%2fserver.py",
    "/static/vendor/../../server.py", "/static//etc/passwd", "/static/%2fetc%2fpasswd",
    "/static/..\\server.py", "/static/%5c..%5cserver.py", "/static/", "/static/app.js%00.css",
    "/../../../../etc/passwd", "/run.json", "/membership.csv", "/project.toml",
    "/delineation/inputs/params.json", "/api/flows.geojson?layer=../../run",
])
def test_nothing_outside_the_static_folder_is_served(toy_server: DashboardServer,
                                                     path: str) -> None:
    status, _, body = request(toy_server, path)
    assert status == 404, (path, status)
    assert b"cn-commuting" not in body and b"root:" not in body


def test_the_page_and_its_library_are_served(toy_server: DashboardServer) -> None:
    for path, ctype in (("/", "text/html"), ("/static/app.js", "text/javascript"),
                        ("/static/vendor/maplibre-gl/maplibre-gl.mjs", "text/javascript"),
                        ("/static/vendor/maplibre-gl/maplibre-gl-worker.mjs", "text/javascript"),
                        ("/static/vendor/maplibre-gl/maplibre-gl.css", "text/css")):
        status, headers, body = request(toy_server, path)
        assert status == 200 and headers["content-type"].startswith(ctype), path
        assert "default-src 'self'" in headers["content-security-policy"]
        assert len(body) > 100


def test_the_page_holds_no_data_and_no_outside_address() -> None:
    for f in ("index.html", "app.js", "app.css"):
        text = (STATIC / f).read_text()
        assert "http://" not in text and "https://" not in text, f
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text, f
    assert "document.write" not in (STATIC / "app.js").read_text()


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_only_get_and_head_are_answered(toy_server: DashboardServer, method: str) -> None:
    status, headers, _ = request(toy_server, "/api/delineation?close_share=0.05", method=method)
    assert status == 405 and headers["allow"] == "GET, HEAD"


def test_another_host_name_is_refused(toy_server: DashboardServer) -> None:
    # a page of another site that points its own name at 127.0.0.1 (DNS rebinding)
    status, _, _ = request(toy_server, "/api/meta", host="evil.example:80")
    assert status == 403
    port = toy_server.server_address[1]
    assert request(toy_server, "/api/meta", host=f"localhost:{port}")[0] == 200


def test_it_binds_loopback_by_default(toy_run: Path) -> None:
    server = make_server(toy_run, port=0)
    try:
        assert server.server_address[0] == "127.0.0.1"
        assert server.socket.family == socket.AF_INET
    finally:
        server.server_close()


def test_no_request_writes_a_file(toy_server: DashboardServer, toy_run: Path) -> None:
    before_run, before_static = snapshot(toy_run), snapshot(STATIC)
    for path in ("/", "/api/meta", "/api/units.geojson", "/api/bands.geojson",
                 "/api/flows.geojson?layer=commuting", "/api/flows.geojson?layer=fused",
                 "/api/delineation?close_share=0.05&max_minutes=80",
                 "/api/export?close_share=0.05&max_minutes=80"):
        assert request(toy_server, path)[0] == 200, path
    for method in ("POST", "PUT", "DELETE"):
        request(toy_server, "/api/export?close_share=0.05", method=method)
    assert snapshot(toy_run) == before_run
    assert snapshot(STATIC) == before_static


# ------------------------------------------------------------------------------- export
def test_export_changes_only_the_delineation_params(toy_run: Path) -> None:
    d = Dashboard(toy_run)
    text = d.session.export(d.session.parse({"close_share": "0.05", "max_minutes": "80",
                                             "integration_share": "0.3"}))
    got = tomllib.loads(text)
    want = tomllib.loads((toy_run / "project.toml").read_text())
    assert got["steps"]["delineation"]["params"] == {"close_share": 0.05, "max_minutes": 80.0}
    got["steps"]["delineation"]["params"] = want["steps"]["delineation"]["params"]
    assert got == want
    assert "close_share 0.1 -> 0.05" in text


def test_the_exported_project_runs_to_the_same_membership(toy_run: Path,
                                                          tmp_path: Path) -> None:
    d = Dashboard(toy_run)
    values = {"close_share": "0.05", "max_minutes": "80"}
    (tmp_path / "project.toml").write_text(d.session.export(d.session.parse(values)))
    assert main(["run", str(tmp_path / "project.toml"), "--out", str(tmp_path / "again"),
                 "--no-progress"]) == 0
    again = pd.read_csv(tmp_path / "again" / "membership.csv", dtype=str, keep_default_na=False)
    state = d.delineation(values)
    assert again["unit_id"].tolist() == d.folder.unit_ids
    assert again["status"].tolist() == state["columns"]["status"]
    assert again["area_id"].tolist() == [a or "" for a in state["columns"]["area_id"]]
    assert again.loc[again["unit_id"] == "U4", "status"].item() == "member"


# ------------------------------------------------------------------------------- errors
def test_a_folder_that_is_not_a_run_is_one_clear_error(tmp_path: Path, capsys) -> None:
    with pytest.raises(InputError, match="has no membership.csv"):
        RunFolder(tmp_path)
    assert main(["serve", str(tmp_path / "nowhere"), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "is not a folder" in err and "Traceback" not in err


def test_a_run_without_polygons_says_how_to_get_them(toy_run: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(toy_run, copy)
    for rel in ("delineation/delineation.gpkg", "access/access.gpkg", "groups/groups.gpkg"):
        (copy / rel).unlink(missing_ok=True)
    with pytest.raises(InputError, match=r"add \[inputs.boundaries\] to the project"):
        RunFolder(copy)


def test_a_script_name_stays_data_in_every_answer(toy_server: DashboardServer) -> None:
    status, headers, body = request(toy_server, "/")
    assert b"__xss" not in body  # the page itself holds no data
    status, headers, body = request(toy_server, "/api/units.geojson")
    assert headers["content-type"] == "application/geo+json"
    assert SCRIPT_NAME in body.decode()  # as JSON data, for textContent


@pytest.mark.parametrize("damage", [
    ("delineation/inputs/params.json", b"{not json"),
    ("delineation/inputs/params.json", b'{"params": {}}'),
    ("delineation/inputs/params.json", b'{"method": "nonsense", "params": {}}'),
    ("membership.csv", b"a,b\n1,2\n"),
    ("membership.csv", b""),
    ("delineation/inputs/flows.csv", b"origin,destination,value\nU1,U0,-5\n"),
    ("run.json", b"\xff\xfe garbage"),
])
def test_a_damaged_run_folder_is_one_clear_error(toy_run: Path, tmp_path: Path, capsys,
                                                 damage: tuple[str, bytes]) -> None:
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(toy_run, copy)
    (copy / damage[0]).write_bytes(damage[1])
    assert main(["serve", str(copy), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip(), err
