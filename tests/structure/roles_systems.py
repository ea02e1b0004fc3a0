"""A hand-built system in which every role fires for a known reason (see docs/roles.md).

C1, C2: the core; I: integration zone (half its workers go to C1, 30 min away);
F: strategic fulcrum (self-contained, more jobs than workers, first contact of H1 and H2);
X: the same in another province, with hinterland H3 (cross-border sub-centre);
B: bridgehead (32 to C1, 30 to the second core A, on the C1-A corridor);
H1, H2, H3, P: periphery.
"""

from __future__ import annotations

import pandas as pd

FLOWS = [
    ("C1", "C1", 500), ("C1", "C2", 50),
    ("C2", "C2", 400), ("C2", "C1", 60),
    ("I", "I", 50), ("I", "C1", 40), ("I", "C2", 10),
    ("F", "F", 300), ("F", "C1", 10),
    ("H1", "H1", 100), ("H1", "F", 60),
    ("H2", "H2", 100), ("H2", "F", 60),
    ("X", "X", 300), ("X", "C2", 10),
    ("H3", "H3", 100), ("H3", "X", 130),
    ("A", "A", 600), ("A", "B", 5),
    ("B", "B", 100), ("B", "C1", 32), ("B", "A", 30),
    ("P", "P", 50), ("P", "H1", 5),
]
MINUTES = {"C1": 0, "I": 30, "F": 70, "H1": 95, "H2": 95, "B": 60, "X": 80, "H3": 110, "P": 120,
           "A": 100}
PROVINCE = {"X": "other", "H3": "other", "A": "other"}
AREA = ["C1", "C2", "I", "F", "H1", "H2", "X", "H3", "B", "P"]  # everything but A
EXPECTED = {"C1": "core", "C2": "core", "I": "integration", "F": "strategic_fulcrum",
            "X": "cross_border_subcentre", "B": "bridgehead", "H1": "periphery",
            "H2": "periphery", "H3": "periphery", "P": "periphery"}


def flows() -> pd.DataFrame:
    return pd.DataFrame(FLOWS, columns=["origin", "destination", "value"]).astype(
        {"value": float, "origin": "string", "destination": "string"})


def travel_times() -> pd.DataFrame:
    rows = [(u, "C1", float(m)) for u, m in MINUTES.items() if u != "C1"]
    rows += [(u, "C2", float(m) + 5) for u, m in MINUTES.items()]
    rows += [("C1", "A", 100.0), ("B", "A", 60.0)]
    return pd.DataFrame(rows, columns=["origin", "destination", "minutes"]).astype(
        {"origin": "string", "destination": "string"})


def units() -> pd.DataFrame:
    codes = sorted({o for o, _, _ in FLOWS})
    return pd.DataFrame({"unit_id": codes,
                         "province": [PROVINCE.get(c, "home") for c in codes],
                         "population": [1000.0 + 10 * k for k in range(len(codes))]})


CORES = pd.DataFrame({"unit_id": ["C1", "C2"], "area_id": ["M", "M"]})
SECOND = pd.DataFrame({"unit_id": ["A"], "area_id": ["other_metro"]})
