"""What people look at: static maps and charts (:mod:`metrocircle.report.maps`,
:mod:`metrocircle.report.charts`), the self-contained ``report.html``
(:mod:`metrocircle.report.html`) and the QGIS-styled ``metrocircle.gpkg``
(:mod:`metrocircle.report.gpkg`) of a run folder, written by :func:`write_report`.

Drawing needs the ``report`` extra (matplotlib) and unit polygons (the ``geo`` extra).
"""

from metrocircle.report.build import GEOPACKAGE, MAPS, REPORT_HTML, write_report

__all__ = ["GEOPACKAGE", "MAPS", "REPORT_HTML", "write_report"]
