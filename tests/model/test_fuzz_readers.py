"""Property-based: generated broken inputs to every reader give one clear error, never a
traceback, and a table that passes keeps every row (nothing is dropped silently)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrocircle.exceptions import InputError
from metrocircle.model import read_adjacency, read_cores, read_flows, read_travel_times, read_units

UNITS = ["01", "02", "03", "04"]

good_value = st.integers(0, 10_000).map(str) | st.floats(0, 1e6, allow_nan=False).map(repr)
bad_value = st.sampled_from(["-1", "abc", "", "1,5", "inf", "NaN", "--"])
good_code = st.sampled_from(UNITS)
bad_code = st.sampled_from(["", "99", "X"])

row = st.tuples(good_code | bad_code, good_code | bad_code, good_value | bad_value)
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def write_csv(path: Path, header: list[str], rows: list[tuple]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue())


def reported_lines(err: InputError) -> set[int]:
    lines: set[int] = set()
    for p in err.problems:
        for r in p.rows:
            m = re.fullmatch(r"line (\d+)", str(r))
            if m:
                lines.add(int(m.group(1)))
    return lines


def expected_bad_lines(rows: list[tuple]) -> set[int]:
    bad = set()
    seen: dict[tuple, list[int]] = {}
    for i, (o, d, v) in enumerate(rows):
        line = i + 2
        seen.setdefault((o, d), []).append(line)
        if o not in UNITS or d not in UNITS:
            bad.add(line)
        try:
            x = float(v)
            if not (x >= 0) or x == float("inf"):
                bad.add(line)
        except ValueError:
            bad.add(line)
    for lines in seen.values():
        if len(lines) > 1:
            bad.update(lines)
    return bad


@SETTINGS
@given(rows=st.lists(row, min_size=1, max_size=12))
def test_flows_reader_reports_exactly_the_bad_lines(tmp_path: Path, rows: list[tuple]) -> None:
    path = tmp_path / "flows.csv"
    write_csv(path, ["origin", "destination", "value"], rows)
    bad = expected_bad_lines(rows)
    try:
        out = read_flows(path, universe=UNITS)
    except InputError as err:
        assert bad, f"valid table rejected: {err}"
        assert reported_lines(err) == bad
        assert str(err).startswith(f"{len(err.problems)} problem")
    else:
        assert not bad
        assert len(out) == len(rows)
        assert (out["value"] >= 0).all()


@SETTINGS
@given(data=st.binary(max_size=300))
def test_random_bytes_never_traceback(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "flows.csv"
    path.write_bytes(data)
    for reader in (read_flows, read_units, read_cores, read_adjacency, read_travel_times):
        try:
            reader(path)
        except InputError as err:
            assert err.problems and all(p.message for p in err.problems)


@SETTINGS
@given(
    header=st.lists(
        st.sampled_from(["unit_id", "area_id", "core_group", "x", "population"]),
        min_size=1,
        max_size=4,
        unique=True,
    ),
    cells=st.lists(
        st.lists(st.sampled_from(["01", "", "A", "-3", "7", "x y"]), min_size=4, max_size=4),
        max_size=6,
    ),
)
def test_units_and_cores_readers_never_traceback(
    tmp_path: Path, header: list[str], cells: list[list[str]]
) -> None:
    path = tmp_path / "t.csv"
    write_csv(path, header, [tuple(c[: len(header)]) for c in cells])
    for reader in (read_units, read_cores):
        try:
            out = reader(path)
        except InputError as err:
            assert err.problems
        else:
            assert len(out) == len(cells)


@pytest.mark.parametrize("minutes,ok", [("12.5", True), ("", True), ("-1", False), ("soon", False)])
def test_travel_time_cells(tmp_path: Path, minutes: str, ok: bool) -> None:
    path = tmp_path / "tt.csv"
    write_csv(path, ["origin", "destination", "minutes"], [("01", "02", minutes)])
    if ok:
        assert len(read_travel_times(path)) == 1
    else:
        with pytest.raises(InputError, match="line 2"):
            read_travel_times(path)


anything = st.one_of(
    st.none(), st.integers(-5, 5), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["01", "02", "", " ", "x", "-1", "1e3"]), st.booleans(),
)


@SETTINGS
@given(
    flows=st.lists(st.tuples(anything, anything, anything), min_size=1, max_size=6),
    cores=st.lists(st.tuples(anything, anything), max_size=3),
    pairs=st.lists(st.tuples(anything, anything), max_size=3),
    times=st.lists(st.tuples(anything, anything, anything), max_size=3),
)
def test_validate_inputs_on_arbitrary_python_objects(flows, cores, pairs, times) -> None:
    """Tables built in Python (mixed types, None, NaN, inf, booleans) give a clean result or one
    InputError, never another exception."""
    import pandas as pd

    from metrocircle.model import validate_inputs

    try:
        out = validate_inputs(
            pd.DataFrame(flows, columns=["origin", "destination", "value"]),
            cores=pd.DataFrame(cores, columns=["unit_id", "area_id"]),
            adjacency=pd.DataFrame(pairs, columns=["unit_a", "unit_b"]),
            travel_times=pd.DataFrame(times, columns=["origin", "destination", "minutes"]),
        )
    except InputError as err:
        assert err.problems
    else:
        assert len(out[0]) == len(flows)
