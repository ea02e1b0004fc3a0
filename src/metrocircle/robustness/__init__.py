"""How sure is a delineation: sensitivity to parameters, sampling uncertainty of the flows, and
change between two delineations.

These analyses sit on top of :mod:`metrocircle.delineate`: they run any of its methods many
times on inputs prepared once (:meth:`~metrocircle.delineate.DelineationMethod.prepare`).

- :func:`sensitivity`: a method over a grid of one or two parameters; per unit the share of runs
  in which it is in an area, the interval over which it keeps its placement and the nearest
  value at which it flips; per area its size across the range.
- :func:`uncertainty`: a method on replicate flow tables drawn from the flows' margins of error
  (or a stated relative error); per unit the probability of each area and of its status, and
  an interval for the share that decided it.
- :func:`compare`: two delineations (two vintages, methods or parameter sets); the units that
  joined, left or moved, each change with its cause when the flows behind both are given.

See ``docs/sensitivity.md``, ``docs/uncertainty.md`` and ``docs/compare.md``.
"""

from metrocircle.robustness.compare import ComparisonResult, Rule, compare
from metrocircle.robustness.grid import Vary, parse_vary
from metrocircle.robustness.sensitivity import SensitivityResult, sensitivity
from metrocircle.robustness.uncertainty import UncertaintyResult, uncertainty

__all__ = [
    "ComparisonResult",
    "Rule",
    "SensitivityResult",
    "UncertaintyResult",
    "Vary",
    "compare",
    "parse_vary",
    "sensitivity",
    "uncertainty",
]
