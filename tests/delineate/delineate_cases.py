"""Shared helpers for the delineation tests: small hand-made inputs."""

from __future__ import annotations

import pandas as pd


def flows_from(pairs: dict[tuple[str, str], float]) -> pd.DataFrame:
    """A flows table from ``{(origin, destination): value}``."""
    return pd.DataFrame(
        [(o, d, float(v)) for (o, d), v in pairs.items()],
        columns=["origin", "destination", "value"],
    ).astype({"origin": "string", "destination": "string"})


def pairs_from(edges: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(edges, columns=["unit_a", "unit_b"]).astype("string")


def cores_from(rows: list[tuple]) -> pd.DataFrame:
    cols = ["unit_id", "area_id", "core_group"][: len(rows[0])]
    return pd.DataFrame(rows, columns=cols).astype("string")


def grid_edges(rows: int, cols: int, name=lambda r, c: f"{r}{c}") -> list[tuple[str, str]]:
    """Rook adjacency of a rows x cols grid of units named ``name(r, c)``."""
    edges = []
    for r in range(rows):
        for c in range(cols):
            if r + 1 < rows:
                edges.append((name(r, c), name(r + 1, c)))
            if c + 1 < cols:
                edges.append((name(r, c), name(r, c + 1)))
    return edges


def by_unit(membership: pd.DataFrame) -> pd.DataFrame:
    return membership.set_index("unit_id")
