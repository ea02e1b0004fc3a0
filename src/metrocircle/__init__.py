"""metrocircle: which districts form a metropolitan area, and what role each plays in it.

The public API is small and grows one family at a time::

    >>> import metrocircle as mc
    >>> result = mc.delineate("omb-cbsa", flows, cores=cores, adjacency=adjacency)  # doctest: +SKIP
    >>> result.membership.head()  # doctest: +SKIP
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from metrocircle import model  # noqa: E402,F401 - the data model is part of the public API
from metrocircle.exceptions import (
    EngineError,
    InputError,
    MetrocircleError,
    ParameterError,
)

try:
    __version__ = version("metrocircle")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"


def delineate(method, flows, **kwargs):  # noqa: ANN001, ANN201 - thin re-export, documented there
    """Delineate areas with a named method; see :func:`metrocircle.delineate.delineate`."""
    from metrocircle.delineate import delineate as _delineate

    return _delineate(method, flows, **kwargs)


__all__ = [
    "EngineError",
    "InputError",
    "MetrocircleError",
    "ParameterError",
    "__version__",
    "delineate",
    "model",
]
