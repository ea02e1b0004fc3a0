"""What people look at: static maps and charts (:mod:`metrocircle.report.maps`).

Drawing needs the ``report`` extra (matplotlib) and unit polygons (the ``geo`` extra).
"""
