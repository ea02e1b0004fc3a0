"""Writing a command's maps and charts into ``maps/`` of its output folder, or saying why not.

Charts need matplotlib (the ``report`` extra); maps also need unit polygons. A command never
fails for want of either: it writes its tables and says what it did not draw, on the console
and in ``run.json``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from metrocircle.model.output import OutputDir

NO_POLYGONS = (
    "no maps: the units have no polygons (give a polygon file, e.g. GeoPackage or GeoJSON, as "
    "--units to draw them)"
)
NO_MATPLOTLIB = (
    "no maps or charts: they need matplotlib; install it with pip install 'metrocircle[report]'"
)


class FigureWriter:
    """Draw figures into ``maps/`` of ``output`` as PNG and SVG; keep notes of what was not."""

    def __init__(self, output: OutputDir, *, enabled: bool = True) -> None:
        self.output = output
        self.enabled = enabled
        self.available = importlib.util.find_spec("matplotlib") is not None
        self.written: list[Path] = []
        self.notes: list[str] = []
        if enabled and not self.available:
            self.notes.append(NO_MATPLOTLIB)

    def polygons(self, tables: Any) -> Any:
        """The unit polygons of ``tables`` (a DelineationInputs), or None."""
        if not (self.enabled and self.available):
            return None
        return tables.polygons()

    def _save(self, name: str, make: Callable[[], Any]) -> None:
        from metrocircle.report.maps import save

        fig = make()
        self.written += save(fig, self.output.path("maps", name))

    def chart(self, name: str, make: Callable[[], Any]) -> None:
        """Draw a chart (no polygons needed)."""
        if self.enabled and self.available:
            self._save(name, make)

    def map(self, name: str, polygons: Any, make: Callable[[], Any]) -> None:
        """Draw a map when there are polygons, else note that there are none (once)."""
        if not (self.enabled and self.available):
            return
        if polygons is None:
            if NO_POLYGONS not in self.notes:
                self.notes.append(NO_POLYGONS)
            return
        self._save(name, make)

    def record(self) -> dict[str, Any]:
        """What goes into ``run.json``."""
        return {
            "drawn": sorted({f"maps/{p.name}" for p in self.written}),
            "notes": list(self.notes) if self.enabled else ["maps and charts turned off"],
        }

    def echo(self) -> None:
        for note in self.notes if self.enabled else []:
            typer.echo(note)
