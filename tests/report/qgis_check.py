"""Run by tests/report/test_qgis.py with Debian's Python (/usr/bin/python3), which has PyQGIS:
open every layer of a GeoPackage, report what QGIS sees as JSON, render them to a PNG.

Usage: python3 qgis_check.py GPKG PNG  (prints one JSON object)
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProviderRegistry,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402


def main(gpkg: str, png: str) -> dict:
    app = QgsApplication([], False)
    app.initQgis()
    from qgis.core import Qgis

    out = {"qgis": Qgis.QGIS_VERSION, "layers": {}}
    meta = QgsProviderRegistry.instance().providerMetadata("ogr")
    names = [d.name() for d in meta.querySublayers(gpkg)]
    layers = []
    for name in names:
        if name == "layer_styles":
            continue
        lyr = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
        renderer = lyr.renderer()
        info = {
            "valid": lyr.isValid(),
            "crs": lyr.crs().authid(),
            "crs_valid": lyr.crs().isValid(),
            "features": lyr.featureCount(),
            "geometry": lyr.geometryType(),
            "renderer": renderer.type() if renderer else None,
            "labels": bool(lyr.labelsEnabled()),
            "label_field": (lyr.labeling().settings().fieldName
                            if lyr.labelsEnabled() and lyr.labeling() else None),
        }
        if renderer is not None and renderer.type() == "categorizedSymbol":
            info["field"] = renderer.classAttribute()
            info["categories"] = [
                {"value": str(c.value()), "label": c.label(), "render": c.renderState(),
                 "color": c.symbol().color().name()} for c in renderer.categories()]
        layers.append(lyr)
        out["layers"][name] = info
    settings = QgsMapSettings()
    # the first layer is drawn on top: area outlines and flow lines over the units
    top = {"areas": 0, "flows": 1, "units": 2}
    drawn = sorted((lyr for lyr in layers if lyr.isValid()), key=lambda x: top.get(x.name(), 9))
    settings.setLayers(drawn)
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setOutputSize(QSize(1000, 800))
    settings.setDestinationCrs(drawn[0].crs())
    extent = drawn[0].extent()
    for lyr in drawn[1:]:
        extent.combineExtentWith(lyr.extent())
    settings.setExtent(extent)
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    image.save(png)
    out["png"] = png
    out["png_size"] = [image.width(), image.height()]
    # a rendered map is not one colour: count distinct colours on a grid of pixels
    colours = {image.pixel(x, y) for x in range(0, image.width(), 10)
               for y in range(0, image.height(), 10)}
    out["png_colours"] = len(colours)
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])), flush=True)
    # QGIS may crash while Python frees its layers after exitQgis(): leave without cleanup
    os._exit(0)
