"""The ``metrocircle`` command.

Each command lives in its own module with a ``register(app)`` function; this module collects
them, sets up logging (library code only calls ``logging.getLogger(__name__)``) and translates
library errors into one clear message and exit code 2 (1 for unexpected failures).
"""

from __future__ import annotations

import importlib
import logging
import signal
import sys
import threading
from typing import Any

import typer

try:  # typer >= 0.20 vendors click and raises its own exception classes
    from typer.exceptions import TyperException as _UsageError
except ImportError:  # older typer raises click's
    from click.exceptions import ClickException as _UsageError

from metrocircle import __version__
from metrocircle.exceptions import MetrocircleError

# Modules that define commands; each has ``register(app: typer.Typer) -> None``.
_COMMAND_MODULES: list[str] = [
    "metrocircle.cli.access",
    "metrocircle.cli.combine",
    "metrocircle.cli.compare",
    "metrocircle.cli.delineate",
    "metrocircle.cli.demo",
    "metrocircle.cli.groups",
    "metrocircle.cli.indicators",
    "metrocircle.cli.industry",
    "metrocircle.cli.od",
    "metrocircle.cli.project",
    "metrocircle.cli.roles",
    "metrocircle.cli.sensitivity",
    "metrocircle.cli.serve",
    "metrocircle.cli.simulate",
    "metrocircle.cli.strength",
    "metrocircle.cli.uncertainty",
]

app = typer.Typer(
    name="metrocircle",
    help="Delineate metropolitan areas and the roles of their districts from flow data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"metrocircle {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="More log output (-vv)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


for _module in _COMMAND_MODULES:
    importlib.import_module(_module).register(app)


_interrupted = False


def _on_sigint(signum: int, frame: Any) -> None:
    """Ctrl-C: remember it, then raise ``KeyboardInterrupt`` as Python does. Some readers (the
    pandas C parser) turn that exception into their own error; the flag still tells ``main``
    that the run was interrupted, not given a bad file."""
    global _interrupted
    _interrupted = True
    signal.default_int_handler(signum, frame)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app and turn library errors into a message and exit code 2."""
    global _interrupted
    _interrupted = False
    if (threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
        signal.signal(signal.SIGINT, _on_sigint)
    try:
        # typer turns Ctrl-C into exit code 130 and returns it in non-standalone mode
        code = app(args=argv, standalone_mode=False)
        if code == 130:
            raise KeyboardInterrupt
        if isinstance(code, int) and not isinstance(code, bool) and code:
            return code
    except MetrocircleError as err:
        if _interrupted:
            typer.echo("Interrupted.", err=True)
            return 130
        typer.secho(f"Error: {err}", err=True, fg=typer.colors.RED)
        return 2
    except typer.Exit as ex:
        return ex.exit_code
    except (KeyboardInterrupt, typer.Abort):
        # Ctrl-C: outputs are written to a temporary folder and swapped in only at the end, so
        # an interrupted run leaves the earlier results as they were.
        typer.echo("Interrupted.", err=True)
        return 130
    except _UsageError as err:  # usage errors: unknown option, missing argument, ...
        show = getattr(err, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"Error: {err.format_message()}", err=True)
        return err.exit_code
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
