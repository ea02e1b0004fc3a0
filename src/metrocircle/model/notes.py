"""Notes: what the data model did to the inputs on purpose, for the console and ``run.json``.

A :class:`Note` records a change the readers and validators make to otherwise valid input
(codes padded with zeros, rows of a reference table set aside because they lie outside the
study, units of a coarser level set aside, a file read in a legacy encoding) or a legitimate
input worth a look (a unit with zero population). Each note is logged as a warning when it is
made; callers collect them by passing a list as ``notes=`` and put them in ``run.json``.

Examples
--------
>>> from metrocircle.model.notes import Note
>>> Note("rows_set_aside", "adjacency.csv", "2 rows set aside", {"rows": 2}).to_dict()
{'kind': 'rows_set_aside', 'source': 'adjacency.csv', 'message': '2 rows set aside', 'rows': 2}
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Note:
    """One thing the data model did to, or noticed in, valid input.

    Parameters
    ----------
    kind
        ``codes_padded``, ``rows_set_aside``, ``units_level``, ``encoding``,
        ``zero_population``, ...
    source
        The input it concerns (file name or table name).
    message
        The sentence shown on the console.
    details
        Counts and examples, as written to ``run.json``.
    """

    kind: str
    source: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "source": self.source, "message": self.message, **self.details}

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


class DeferredNotes(list):
    """A list of notes that are logged only when the caller says so (:meth:`log`): a run that
    ends in an error does not first print notes about tables it will not use."""

    def log(self) -> None:
        for note in self:
            log.warning("%s", note)


def add_note(notes: list[Note] | None, note: Note) -> None:
    """Log ``note`` as a warning and append it to ``notes`` (when the caller collects them);
    a :class:`DeferredNotes` list is logged later, by its owner."""
    if not isinstance(notes, DeferredNotes):
        log.warning("%s", note)
    if notes is not None:
        notes.append(note)
