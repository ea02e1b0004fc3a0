"""metrocircle: which districts form a metropolitan area, and what role each plays in it.

The public API is small and grows one family at a time::

    >>> import metrocircle as mc
    >>> result = mc.delineate("omb-cbsa", flows, cores=cores, adjacency=adjacency)  # doctest: +SKIP
    >>> result.membership.head()  # doctest: +SKIP
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("metrocircle")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

from metrocircle import model  # noqa: E402,F401 - the data model is part of the public API

# The function shadows the subpackage of the same name on purpose: ``mc.delineate(...)`` runs a
# method, while ``import metrocircle.delineate.omb`` still finds the modules.
from metrocircle.delineate import delineate  # noqa: E402
from metrocircle.exceptions import (
    EngineError,
    InputError,
    MetrocircleError,
    ParameterError,
    ProjectError,
)

__all__ = [
    "EngineError",
    "InputError",
    "MetrocircleError",
    "ParameterError",
    "ProjectError",
    "__version__",
    "delineate",
    "model",
]
