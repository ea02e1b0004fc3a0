"""Unit codes that name the same unit in different spellings: one normalisation for every input.

A county is ``01001`` in a file read as text and ``1001`` once pandas has read the same column
as numbers. Left alone, the two spellings are two units and a delineation is silently wrong.
:func:`normalise_codes` looks at every column of unit codes of one run together:

* where some columns hold zero-padded codes of one width (``01001``: five digits, a leading
  zero) and others hold shorter all-digit codes (``1001``), the shorter ones are padded to that
  width; a :class:`~metrocircle.model.notes.Note` says which columns and how many codes;
* where it cannot tell (zero-padded codes of several widths, or a table of units in which two
  codes become one after padding), it raises one :class:`~metrocircle.InputError` that names
  the columns and gives examples.

Codes that are not all digits (``E06000001``, ``FOREIGN_CANADA``) are never changed, and a run
whose codes already agree is returned unchanged.

Examples
--------
>>> import pandas as pd
>>> from metrocircle.model.codes import normalise_codes
>>> out = normalise_codes({"flows 'origin'": pd.Series(["1001", "10001"]),
...                        "units 'unit_id'": pd.Series(["01001", "10001"])})
>>> out["flows 'origin'"].tolist()
['01001', '10001']
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import pandas as pd

from metrocircle.exceptions import InputError, Problem
from metrocircle.model.notes import Note, add_note

_DIGITS = r"[0-9]+"


def _digit_codes(series: pd.Series) -> list[str]:
    codes = pd.Series(pd.unique(series.dropna()), dtype="string")
    digits = codes[codes.str.fullmatch(_DIGITS).fillna(False)]
    return [str(c) for c in digits.to_numpy(dtype=object)]


def _examples(codes: list[str], n: int = 3) -> str:
    return ", ".join(sorted(codes)[:n])


def normalise_codes(
    columns: Mapping[str, pd.Series],
    *,
    fixed: Collection[str] = (),
    keys: Collection[str] = (),
    notes: list[Note] | None = None,
) -> dict[str, pd.Series]:
    """Give every spelling of one unit code the same form across the columns of a run.

    Parameters
    ----------
    columns
        Columns of unit codes as text (see :func:`metrocircle.model.validation.as_codes`), by a
        display name such as ``"flows.csv column 'origin'"``.
    fixed
        Names of columns that cannot be changed (e.g. the unit codes a caller already holds);
        if they would need padding, that is an error.
    keys
        Names of columns whose codes must stay distinct (the ``unit_id`` of a units table): two
        codes that become one after padding are an error there.
    notes
        A list that receives one :class:`~metrocircle.model.notes.Note` per padded column.

    Returns
    -------
    dict
        The columns, by name, with codes normalised (the same objects where nothing changed).
    """
    digits = {name: _digit_codes(s) for name, s in columns.items()}
    padded = {
        name: [c for c in codes if len(c) > 1 and c[0] == "0"] for name, codes in digits.items()
    }
    widths = sorted({len(c) for codes in padded.values() for c in codes})
    if not widths:
        return dict(columns)
    width = widths[-1]
    short = {name: [c for c in codes if len(c) < width] for name, codes in digits.items()}
    if not any(short.values()):
        return dict(columns)
    if len(widths) > 1:
        parts = []
        for name in columns:
            by_width: dict[int, list[str]] = {}
            for c in padded[name]:
                by_width.setdefault(len(c), []).append(c)
            for w, codes in sorted(by_width.items()):
                parts.append(
                    f"{name} has zero-padded codes of {w} digits (e.g. {_examples(codes)})"
                )
            unpadded = [c for c in short[name] if c not in padded[name]]
            if unpadded:
                parts.append(f"{name} has codes without leading zeros (e.g. {_examples(unpadded)})")
        raise InputError(
            [
                Problem(
                    "unit codes",
                    "codes differ in zero-padding and the width to pad them to is not clear: "
                    + "; ".join(parts)
                    + ". Give every table the same codes (e.g. read the code columns as text).",
                )
            ]
        )
    stuck = [name for name in fixed if short.get(name)]
    if stuck:
        wide = [n for n in columns if padded[n]]
        raise InputError(
            [
                Problem(
                    "unit codes",
                    f"{', '.join(wide)} hold zero-padded codes of {width} digits (e.g. "
                    f"{_examples(padded[wide[0]])}) but {', '.join(stuck)} lack the leading "
                    f"zeros (e.g. {_examples(short[stuck[0]])}); read the tables together "
                    "(metrocircle.model.read_inputs) or give the codes the same form",
                )
            ]
        )
    out: dict[str, pd.Series] = {}
    problems: list[Problem] = []
    for name, series in columns.items():
        if not short[name]:
            out[name] = series
            continue
        text = series.astype("string")
        mask = text.str.fullmatch(_DIGITS).fillna(False) & (text.str.len() < width).fillna(False)
        new = text.mask(mask, text.str.zfill(width))
        out[name] = new
        if name in keys:
            pairs = pd.DataFrame({"was": text, "now": new}).dropna().drop_duplicates()
            spellings = pairs.groupby("now")["was"].agg(lambda s: sorted(s))
            clash = spellings[spellings.map(len) > 1]
            if len(clash):
                shown = "; ".join(" and ".join(v) for v in clash.head(5))
                problems.append(
                    Problem(
                        "unit codes",
                        f"{name}: codes that become one after zero-padding to {width} digits "
                        f"(e.g. {shown}); they cannot be told apart, so give each unit one code",
                    )
                )
        changed = sorted(short[name])
        add_note(
            notes,
            Note(
                "codes_padded",
                name,
                f"{len(changed)} code(s) without leading zeros padded to {width} digits to "
                f"match the zero-padded codes of the other tables (e.g. "
                + ", ".join(f"{c} -> {c.zfill(width)}" for c in changed[:3])
                + ")",
                {"width": width, "codes": len(changed), "examples": changed[:5]},
            ),
        )
    if problems:
        raise InputError(problems)
    return out


__all__ = ["normalise_codes"]
