"""The chain as data: a project file (inputs, layers, steps, parameters), its validation, the
step graph and its cache.

A project is one TOML file that declares the inputs of a region (units with their attributes
and parent levels, boundaries, flow layers with their kind and source, a timetable, a census,
cores or urban areas) and the steps to run with their parameters (access, signaling,
strength, delineation, combine, roles, groups, industry, indicators). ``metrocircle run
PROJECT.toml`` runs it; ``metrocircle demo`` runs the Chongqing project shipped with the
package. See ``docs/project.md`` (writing a project, every key) and ``docs/run-folder.md`` (the
outputs).

>>> from metrocircle.project import example_path, load_project
>>> project = load_project(example_path("chongqing"))
>>> project.step_names()
['access', 'signaling', 'strength', 'delineation', 'roles', 'groups', 'industry', 'indicators']
"""

from metrocircle.project.examples import (
    EXAMPLES,
    example_path,
    example_project,
    example_results,
    init_project,
)
from metrocircle.project.layers import LAYER_MODELS, LayerModel
from metrocircle.project.project import (
    CHAIN,
    Project,
    load_project,
    parse_overrides,
    read_project,
)
from metrocircle.project.run import RunResult, extras_needed, required_extras, run_project
from metrocircle.project.steps import STEPS, Step, StepContext, StepResult

__all__ = [
    "CHAIN",
    "EXAMPLES",
    "LAYER_MODELS",
    "STEPS",
    "LayerModel",
    "Project",
    "RunResult",
    "Step",
    "StepContext",
    "StepResult",
    "example_path",
    "example_project",
    "example_results",
    "extras_needed",
    "init_project",
    "load_project",
    "parse_overrides",
    "read_project",
    "required_extras",
    "run_project",
]
