"""A project is checked whole before any step runs: one error lists every problem with its key
and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from project_cases import PROJECT, write_tiny

from metrocircle.cli.main import main
from metrocircle.exceptions import ProjectError
from metrocircle.project import load_project, parse_overrides, run_project
from metrocircle.project.project import dumps, locate

BROKEN = """
[project]
name = "broken"
titel = "a misspelt key"

[inputs.units]
file = "units.csv"
id = "kode"
columns = { population = "popul", lon = "x", lat = "y", name = "label" }

[inputs.adjacency]
file = "no_such_adjacency.csv"

[inputs.cores]
units = ["U0"]

[layers.commuting]
kind = "commute"
source = "real"
file = "flows.csv"
columns = { origin = "home", destination = "work", value = "count" }

[layers.rail]
kind = "passenger"
source = "observed"
file = "flows.csv"

[steps.strength]
layers = ["commuting", "freight"]

[steps.delineation]
method = "cn-commutin"
layers = ["commuting"]

[steps.roles]
flows = "commuting"
params = { integration_min_out_rate = 2.0 }

[steps.groups]
method = "leiden"
flows = "fused"
params = { resolutoin = 1.0 }

[steps.indicators]
flows = "comuting"

[steps.acess]
bands = [30, 60]
"""


def problems(err: ProjectError) -> list[str]:
    return [str(p) for p in err.problems]


def test_broken_project_lists_every_problem_with_key_and_line(tiny: Path) -> None:
    path = tiny.parent / "broken.toml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(ProjectError) as info:
        load_project(path)
    text = str(info.value)
    found = problems(info.value)
    assert text.startswith(f"{len(found)} problems in the project file")

    def has(*needles: str) -> bool:
        return any(all(n in p for n in needles) for p in found)

    # unknown keys, with a suggestion and the line
    assert has("project.titel (line 4)", "unknown key", "did you mean 'title'")
    assert has("steps.acess (line", "unknown table", "did you mean 'access'")
    # bad values
    assert has("layers.commuting.kind (line 18)", "'commuting', 'signaling'", "'commute'")
    assert has("layers.rail.source", "'real', 'modelled'", "'observed'")
    # missing files and unknown columns (each input's header is read)
    assert has("inputs.adjacency.file (line 12)", "not found", "no_such_adjacency.csv")
    assert has("inputs.units.id (line 8)", "no column 'kode' in units.csv", "did you mean 'code'")
    assert has("inputs.units.columns.population", "no column 'popul'", "did you mean 'pop'")
    assert has("layers.commuting.columns.value", "no column 'count' in flows.csv")
    assert has("layers.rail.columns", "flows.csv has no 'origin' column")
    # a core without an area, a layer nobody declares, an unknown method and parameters
    assert has("inputs.cores.area_id", "is required with 'units'")
    assert has("steps.strength.layers", "no layer 'freight' is declared")
    assert has("steps.delineation.method", "unknown method 'cn-commutin'",
               "did you mean 'cn-commuting'")
    assert has("steps.roles.params", "'integration_min_out_rate' parameter of roles")
    assert has("steps.groups.params", "no parameter 'resolutoin'")
    assert has("steps.indicators.flows", "no layer 'comuting'", "did you mean 'commuting'")
    # a step that needs an output nobody produces
    assert has("steps.roles", "classifies the delineated area") is False  # delineation exists
    assert has("steps.roles", "needs [inputs.cores]") is False  # cores exist
    assert len(found) >= 15


def test_steps_whose_inputs_no_step_produces(tiny: Path) -> None:
    text = PROJECT.replace('[steps.delineation]\nmethod = "cn-commuting"\nlayers = ["commuting"]\n'
                           'params = { close_share = 0.10 }\n', "")
    text = text.replace("[steps.access]\nroad_speed_kmh = 60.0\n", "")
    text += '\n[layers.od]\nkind = "commuting"\nsource = "real"\nstep = "signaling"\n'
    path = tiny.parent / "p.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProjectError) as info:
        load_project(path)
    found = problems(info.value)
    assert any("steps.roles" in p and "add [steps.delineation]" in p for p in found)
    assert any("steps.indicators" in p and "add [steps.delineation]" in p for p in found)
    assert any("layers.gravity.model" in p and "needs travel times" in p for p in found)
    assert any("layers.od.step" in p and "add [steps.signaling]" in p for p in found)


def test_simulated_records_make_a_modelled_layer(tiny: Path) -> None:
    text = PROJECT + ('\n[layers.od]\nkind = "commuting"\nsource = "real"\nstep = "signaling"\n'
                      '\n[steps.signaling]\nsimulate = { users = 500, random_state = 1 }\n')
    path = tiny.parent / "p.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProjectError) as info:
        load_project(path)
    assert any("layers.od.source" in p and "set source = \"modelled\"" in p
               for p in problems(info.value))
    without_seed = text.replace(", random_state = 1", "")
    path.write_text(without_seed)
    with pytest.raises(ProjectError, match="random_state .*is required: Seed"):
        load_project(path)
    path.write_text(text.replace('source = "real"\nstep', 'source = "modelled"\nstep'))
    load_project(path)


def test_toml_syntax_error_gives_the_line(tiny: Path) -> None:
    path = tiny.parent / "bad.toml"
    path.write_text('[project]\nname = "x"\n\n[steps.access]\nbands = [30, \n', encoding="utf-8")
    with pytest.raises(ProjectError) as info:
        load_project(path)
    assert "not valid TOML" in str(info.value) and "(line 5)" in str(info.value)
    path.write_text('[project]\nname = "x"\nname = "y"\n\n[steps]\n', encoding="utf-8")
    with pytest.raises(ProjectError) as info:
        load_project(path)
    assert "not valid TOML" in str(info.value) and "(line 3)" in str(info.value)


def test_delineation_parameters_are_checked_by_the_method(tiny: Path) -> None:
    path = tiny
    bad = {"steps.delineation.params.close_share": 1.5,
           "steps.delineation.params.close_shar": 0.1,
           "steps.delineation.params.member_ring": "outer"}
    with pytest.raises(ProjectError) as info:
        load_project(path, overrides=bad)
    found = problems(info.value)
    assert any("The 'close_share' parameter of cn-commuting must be a float in (0, 1]. Got 1.5"
               in p for p in found)
    assert any("close_shar" in p and "did you mean 'close_share'" in p for p in found)
    assert any("'member_ring' parameter of cn-commuting" in p for p in found)
    # a cross-parameter rule of the method (ring shares in order)
    with pytest.raises(ProjectError, match="integration_share >= close_share"):
        load_project(path, overrides={"steps.delineation.params.integration_share": 0.05})


def test_nothing_runs_when_the_project_is_broken(tiny: Path, capsys) -> None:
    out = tiny.parent / "out"
    code = main(["run", str(tiny), "--out", str(out), "--no-progress",
                 "--set", "steps.delineation.method=nope", "--set", "steps.access.bands=[0]"])
    err = capsys.readouterr().err
    assert code == 2 and "2 problems in the project file" in err
    assert "unknown method 'nope'" in err and "steps.access.bands" in err
    assert not out.exists()


def test_overrides_are_toml_values() -> None:
    got = parse_overrides(["a.b=0.15", "a.c=true", "a.d=[30, 60]", "a.e=text", 'a.f="q"'])
    assert got == {"a.b": 0.15, "a.c": True, "a.d": [30, 60], "a.e": "text", "a.f": "q"}
    with pytest.raises(ProjectError, match="KEY=VALUE"):
        parse_overrides(["novalue", "=3", "a..b=1"])


def test_locate_and_dumps_round_trip() -> None:
    import tomllib

    data = tomllib.loads(PROJECT)
    assert tomllib.loads(dumps(data)) == data
    assert locate(PROJECT, "steps.delineation.params") == PROJECT.splitlines().index(
        "params = { close_share = 0.10 }") + 1
    assert locate(PROJECT, "layers.gravity") == PROJECT.splitlines().index(
        "[layers.gravity]") + 1


def test_a_valid_project_writes_nothing_before_it_runs(tmp_path: Path) -> None:
    path = write_tiny(tmp_path / "p")
    project = load_project(path)
    assert project.step_names() == ["access", "strength", "delineation", "roles", "industry",
                                    "indicators"]
    res = run_project(project, None, steps=["delineation"])
    assert set(res.steps) == {"access", "layers", "delineation"}
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "adjacency.csv", "census.csv", "flows.csv", "project.toml", "units.csv"]
