"""``metrocircle serve``: the local dashboard of a run folder."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from typer import Option as Opt

logger = logging.getLogger(__name__)

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve(
    run_dir: Annotated[Path, typer.Argument(help="A run folder: what 'metrocircle run' or "
                                                 "'metrocircle demo' wrote (--out).")
                       ] = Path("out/demo"),
    port: Annotated[int, Opt("--port", help="Port to listen on (0: any free port).")] = 8765,
    host: Annotated[str, Opt("--host", help="Address to listen on. The default answers this "
                                            "machine only; another address lets the network "
                                            "see the run.")] = "127.0.0.1",
    open_browser: Annotated[bool, Opt("--open/--no-open", help="Open the page in the default "
                                                               "browser.")] = False,
) -> None:
    """Show a run folder on a map and re-run its delineation with sliders: units coloured by
    status, area, role, city group or membership degree, flow lines and isochrone bands,
    each unit's explanation on click, and an export of the slider values as a project file.
    Read-only: no request writes a file. Stop it with Ctrl-C."""
    from metrocircle.dashboard import make_server

    if not 0 <= port <= 65535:
        raise typer.BadParameter(f"must be in 0..65535, got {port}", param_hint="--port")
    server = make_server(run_dir, host=host, port=port)
    if host not in LOOPBACK:
        typer.echo(f"warning: listening on {host}: other machines can see this run", err=True)
    typer.echo(f"metrocircle dashboard of {run_dir} at {server.url} (Ctrl-C stops it)")
    if open_browser:
        import webbrowser

        webbrowser.open(server.url)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to the metrocircle app."""
    app.command("serve")(serve)
