"""The dashboard's web server: the standard library's ``ThreadingHTTPServer``, read-only.

It answers GET and HEAD only, serves the page and its assets from the package's ``static/``
folder and the run's data from memory (``/api/...``); nothing of the run folder is served by
path and no request writes a file. It binds 127.0.0.1 by default, answers only requests whose
``Host`` is the address it listens on (no DNS rebinding), and sends a Content-Security-Policy
that lets the page reach its own origin only.

Examples
--------
>>> server = make_server("out/demo", port=0)  # doctest: +SKIP
>>> server.url  # doctest: +SKIP
'http://127.0.0.1:41827/'
"""

from __future__ import annotations

import json
import logging
import posixpath
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import numpy as np
import pandas as pd

from metrocircle.dashboard.run_folder import RunFolder
from metrocircle.dashboard.session import Redelineation
from metrocircle.exceptions import InputError, MetrocircleError, Problem

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
STATIC = Path(str(resources.files("metrocircle.dashboard") / "static"))
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".png": "image/png", ".svg": "image/svg+xml", ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8", ".json": "application/json",
}
#: The page may load, fetch and run only what its own origin serves.
CSP = ("default-src 'self'; script-src 'self'; worker-src 'self' blob:; "
       "connect-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'")
#: The membership columns sent for each unit (the explanation of the delineation).
EXPLANATION = ("area_id", "status", "rule", "value", "threshold", "margin")


def _column(s: pd.Series) -> list[Any]:
    """A column as JSON values: numbers as floats, text as text, missing as None."""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        a = s.to_numpy(dtype=float, na_value=np.nan)
        return [None if x != x else x for x in a.tolist()]
    return [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v)
            for v in s.astype(object).tolist()]


def _place(m: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's status and area (empty when in none), as arrays to compare."""
    return (m["status"].astype(str).to_numpy(),
            m["area_id"].astype("string").fillna("").astype(str).to_numpy())


def _json_value(v: Any) -> Any:
    if v is None:
        return None
    try:
        import pandas as pd

        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, float | int) and not isinstance(v, bool):
        return float(v)
    return str(v)


class Dashboard:
    """What the server serves for one run folder: read once, at start."""

    def __init__(self, run_dir: str | Path) -> None:
        t0 = time.perf_counter()
        try:
            self._load(Path(run_dir))
        except MetrocircleError:
            raise
        except (KeyError, ValueError, TypeError, AttributeError) as err:
            # a file of the folder lacks what the run folder's contract says it holds
            raise InputError([Problem("run folder", f"{run_dir} is not a run folder this "
                                      f"metrocircle can read: {type(err).__name__}: {err}")]
                             ) from err
        logger.info("dashboard of %s ready in %.2f s", self.folder.path, time.perf_counter() - t0)

    def _load(self, run_dir: Path) -> None:
        self.folder = RunFolder(run_dir)
        self.session = Redelineation(self.folder.path)
        self._units = json.dumps(self.folder.units_geojson(), ensure_ascii=False).encode()
        self._bands = json.dumps(self.folder.bands_geojson(), ensure_ascii=False).encode()
        self._flows: dict[str, bytes] = {}
        # the run's own parameters must give the run's membership, or the sliders would lie
        again, _ = self.session.membership({})
        self.reproduces = self._same(again, self.folder.membership)
        self._run_place = _place(self.folder.membership.set_index(
            self.folder.membership["unit_id"].astype(str)).reindex(self.folder.unit_ids))
        if not self.reproduces:
            self.folder.notes.append("re-running the delineation with the run's own parameters "
                                     "does not give the run's membership.csv (was the run made "
                                     "by another metrocircle version?)")
            logger.warning("%s: %s", self.folder.path, self.folder.notes[-1])

    @staticmethod
    def _same(a: Any, b: Any) -> bool:
        cols = ["unit_id", "area_id", "status", "rule"]
        x = a[cols].astype("string").fillna("").reset_index(drop=True)
        y = b[cols].astype("string").fillna("").reset_index(drop=True)
        return x.shape == y.shape and bool((x == y).all().all())

    def meta(self) -> dict[str, Any]:
        run = self.folder.run
        project = run.get("project") or {}
        s = self.session
        return {
            "project": {"name": project.get("name", ""), "title": project.get("title", "")},
            "run_dir": self.folder.path.name,
            "method": s.method, "params": {k: _json_value(v) if not isinstance(v, bool) else v
                                           for k, v in s.params.items()},
            "sliders": s.sliders,
            "statuses": list(s.cls.statuses),
            "unplaced_statuses": list(s.cls.unplaced_statuses),
            "units": len(self.folder.unit_ids),
            "drawn": len(self.folder.features),
            "main_area": self.folder.main_area(),
            "bbox": self.folder.bbox(),
            "layers": self.folder.flow_layers(),
            "delineation_layers": [{k: str(v) for k, v in lab.items()}
                                   for lab in s.spec.get("layers") or []],
            "reproduces_run": self.reproduces,
            # each unit's place in the run (unit_ids order): what a slider move is compared to
            "run": {"status": self._run_place[0].tolist(), "area_id": self._run_place[1].tolist(),
                    "name": [self.folder.names[u] for u in self.folder.unit_ids]},
            "notes": list(self.folder.notes),
        }

    def delineation(self, texts: dict[str, str]) -> dict[str, Any]:
        """The explanation of every unit (in :attr:`RunFolder.unit_ids` order) with the slider
        values ``texts`` (the run's for those not given), and the units whose status or area
        differ from the run's."""
        values = self.session.parse(texts)
        m, seconds = self.session.membership(values)
        m = m.set_index(m["unit_id"].astype(str)).reindex(self.folder.unit_ids)
        columns = {c: _column(m[c]) if c in m.columns else [None] * len(m)
                   for c in EXPLANATION}
        place = _place(m)
        changed = np.flatnonzero((place[0] != self._run_place[0])
                                 | (place[1] != self._run_place[1])).tolist()
        counts = m["status"].astype(str).value_counts().to_dict()
        return {"params": {**self.session.params, **values},
                "changed_params": self.session.changes(values),
                "seconds": seconds, "columns": columns, "changed": changed,
                "counts": {str(k): int(v) for k, v in counts.items()}}

    def flows(self, layer: str) -> bytes:
        if layer not in self._flows:
            self._flows[layer] = json.dumps(self.folder.flows_geojson(layer),
                                            ensure_ascii=False).encode()
        return self._flows[layer]


class Handler(BaseHTTPRequestHandler):
    """GET and HEAD only; every other method is refused with 405."""

    server: DashboardServer
    server_version = "metrocircle-dashboard"
    sys_version = ""

    # -- plumbing ----------------------------------------------------------------------------
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        logger.debug("%s " + format, self.address_string(), *args)

    def _send(self, status: int, body: bytes, content_type: str, *,
              extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("Cache-Control", "no-store")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, data: Any, status: int = 200) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode(), "application/json")

    def _error(self, status: HTTPStatus, message: str) -> None:
        self._json({"error": message}, int(status))

    def _refuse(self) -> None:
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _refuse

    def do_HEAD(self) -> None:
        self.do_GET()

    # -- routes ------------------------------------------------------------------------------
    def do_GET(self) -> None:
        allowed = self.server.allowed_hosts
        if allowed is not None and self.headers.get("Host", "").lower() not in allowed:
            self._error(HTTPStatus.FORBIDDEN, "unknown Host")
            return
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        try:
            self._route(path, query)
        except MetrocircleError as err:
            self._error(HTTPStatus.BAD_REQUEST, str(err))
        except Exception:  # one bad request must not stop the server
            logger.exception("error answering %s", self.path)
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error (see the server log)")

    def _route(self, path: str, query: dict[str, str]) -> None:
        d = self.server.dashboard
        if path in ("/", "/index.html"):
            self._static("index.html")
        elif path.startswith("/static/"):
            self._static(path[len("/static/"):])
        elif path == "/api/meta":
            self._json(d.meta())
        elif path == "/api/units.geojson":
            self._send(200, d._units, "application/geo+json")
        elif path == "/api/bands.geojson":
            self._send(200, d._bands, "application/geo+json")
        elif path == "/api/flows.geojson":
            layer = query.get("layer", "")
            if layer not in d.folder.flow_layers():
                self._error(HTTPStatus.NOT_FOUND, "no such flow layer")
                return
            self._send(200, d.flows(layer), "application/geo+json")
        elif path == "/api/delineation":
            t0 = time.perf_counter()
            out = d.delineation(query)
            out["server_ms"] = (time.perf_counter() - t0) * 1000
            self._json(out)
        elif path == "/api/export":
            text = d.session.export(d.session.parse(query))
            self._send(200, text.encode(), "application/toml; charset=utf-8",
                       extra={"Content-Disposition": 'attachment; filename="project.toml"'})
        else:
            self._error(HTTPStatus.NOT_FOUND, "not found")

    def _static(self, rel: str) -> None:
        """A file of the package's static folder; anything that leaves it is not found."""
        norm = posixpath.normpath(rel)
        if ("\\" in rel or "\x00" in rel or rel.startswith("/") or norm.startswith("..")
                or any(part in ("..", "") for part in rel.split("/"))):
            self._error(HTTPStatus.NOT_FOUND, "not found")
            return
        root = STATIC.resolve()
        target = (root / norm).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            self._error(HTTPStatus.NOT_FOUND, "not found")
            return
        ctype = CONTENT_TYPES.get(target.suffix, "application/octet-stream")
        self._send(200, target.read_bytes(), ctype, extra={"Cache-Control": "no-cache"})


class DashboardServer(ThreadingHTTPServer):
    """A ``ThreadingHTTPServer`` holding the :class:`Dashboard` of one run folder."""

    daemon_threads = True

    def __init__(self, dashboard: Dashboard, host: str, port: int) -> None:
        self.dashboard = dashboard
        super().__init__((host, port), Handler)
        bound_port = self.server_address[1]
        # on loopback, only this machine's names: a web page elsewhere cannot reach the server
        # by pointing a name of its own at 127.0.0.1 (DNS rebinding). Bound to another address
        # on purpose, the server is reached by whatever name the network gives it.
        self.allowed_hosts: set[str] | None = None
        if host in ("127.0.0.1", "localhost", "::1"):
            names = {"localhost", "127.0.0.1", "[::1]"}
            self.allowed_hosts = {f"{n}:{bound_port}" for n in names}

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"


def make_server(run_dir: str | Path, *, host: str = DEFAULT_HOST,
                port: int = DEFAULT_PORT) -> DashboardServer:
    """Read ``run_dir`` and bind the server (``port=0``: any free port); call
    ``serve_forever()`` to answer requests.

    Raises :class:`~metrocircle.exceptions.InputError` for a folder that is not a run folder.
    """
    return DashboardServer(Dashboard(run_dir), host, port)


def serve_in_thread(server: DashboardServer) -> threading.Thread:
    """Answer requests in a background thread (tests, notebooks); ``server.shutdown()`` stops
    it."""
    t = threading.Thread(target=server.serve_forever, name="metrocircle-dashboard", daemon=True)
    t.start()
    return t
