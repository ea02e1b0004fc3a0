"""Every command that reads files answers a missing, empty or garbage file with one clear
error (exit code 2), never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrocircle.cli.main import main


def commands(f: Path, out: Path) -> dict[str, list[str]]:
    return {
        "delineate": [
            "delineate",
            "omb-cbsa",
            "--flows",
            str(f),
            "--cores",
            str(f),
            "--out",
            str(out),
        ],
        "delineate-urban-areas": [
            "delineate",
            "omb-cbsa",
            "--flows",
            str(f),
            "--urban-areas",
            str(f),
            "--adjacency",
            str(f),
            "--out",
            str(out),
        ],
        "delineate-units": [
            "delineate",
            "eu-fua",
            "--flows",
            str(f),
            "--units",
            str(f),
            "--out",
            str(out),
        ],
        "ttwa-lma": ["delineate", "ttwa-lma", "--flows", str(f), "--out", str(out)],
        "combine": ["combine", "omb-csa", "--membership", str(f), "--flows", str(f),
                    "--adjacency", str(f), "--no-progress", "--out", str(out)],
        "od": ["od", "--records", str(f), "--cells", str(f), "--out", str(out)],
        "simulate": [
            "simulate-signaling",
            "--units",
            str(f),
            "--users",
            "5",
            "--days",
            "1",
            "--seed",
            "1",
            "--out",
            str(out),
        ],
        "access": ["access", "--units", str(f), "--out", str(out)],
        "strength": ["strength", "--units", str(f), "--travel-times", str(f), "--mass",
                     "population", "--out", str(out)],
        "strength-flows": ["strength", "--units", str(f), "--travel-times", str(f), "--mass",
                           "population", "--flows", f"commuting={f}", "--out", str(out)],
        "groups": ["groups", "--flows", str(f), "--units", str(f), "--adjacency", str(f),
                   "--method", "intramax", "--param", "k=2", "--out", str(out)],
        "industry": ["industry", "--table", str(f), "--out", str(out)],
        "roles": ["roles", "--flows", str(f), "--cores", str(f), "--units", str(f),
                  "--travel-times", str(f), "--membership", str(f), "--policy", str(f),
                  "--strength", str(f),
                  "--no-progress", "--out", str(out)],
        "indicators": ["indicators", "--units", str(f), "--membership", str(f), "--flows",
                       str(f), "--out", str(out)],
        "industry-units": ["industry", "--table", str(f), "--units", str(f), "--out", str(out)],
        "sensitivity": ["sensitivity", "omb-cbsa", "--flows", str(f), "--cores", str(f),
                        "--units", str(f), "--adjacency", str(f), "--vary", "threshold=0.2,0.3",
                        "--no-progress", "--out", str(out)],
        "uncertainty": ["uncertainty", "omb-cbsa", "--flows", str(f), "--cores", str(f),
                        "--units", str(f), "--moe-col", "moe", "--replicates", "3",
                        "--no-progress", "--out", str(out)],
        "compare": ["compare", str(f), str(f), "--flows-a", str(f), "--flows-b", str(f),
                    "--units", str(f), "--out", str(out)],
    }


NAMES = list(commands(Path("x"), Path("y")))


def check(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(args)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert code == 2, err
    assert err.lstrip().startswith("Error: ")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("content", [None, b"", b"\x00\xff\xfe garbage", b"a,b\n1\n2,3,4\n"])
def test_bad_file(tmp_path: Path, capsys, name: str, content: bytes | None) -> None:
    f = tmp_path / "input.csv"
    if content is not None:
        f.write_bytes(content)
    check(commands(f, tmp_path / "out")[name], capsys)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=200), name=st.sampled_from(NAMES))
def test_random_bytes(tmp_path_factory, capsys, data: bytes, name: str) -> None:
    d = tmp_path_factory.mktemp("bytes")
    f = d / "input.csv"
    f.write_bytes(data)
    code = main(commands(f, d / "out")[name])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert code in (0, 2)
    if code == 2:
        assert err.lstrip().startswith("Error: ")
