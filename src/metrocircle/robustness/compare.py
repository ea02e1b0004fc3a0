"""Change between two delineations, and the cause of each change.

Two delineations A and B (two vintages, two methods, two parameter sets) are compared unit by
unit: a unit *joined* an area (in none in A, in one in B), *left* it, *moved* between areas, or
stayed the *same*. Only units present in both inputs are compared; the units of each side are
those of its membership table, of its units table and of its flows (a unit the membership
does not list is in no area). The units present in one side only are reported, never dropped
silently: two vintages often code some units differently (Connecticut's counties became
planning regions between the US lists of 2013 and 2023).

Each change gets its cause, tested in this order:

``core``
    The cores changed: the unit itself became or stopped being a core, or the core units of the
    area it left or joined differ between A and B (read from the ``status`` column: ``core``,
    or OMB's ``Central``).
``flows``
    The cores are the same and, under A's rule, the flows behind B move the unit: its share to
    the area crossed A's threshold (or its strongest tie changed area). When A and B have the
    same rule, every change not due to the cores is due to the flows, directly or through a
    neighbour (contiguity, merging); ``detail`` says which.
``rule``
    The cores are the same and the flows alone do not move the unit: the rule (method,
    threshold, direction, contiguity ...) made the change.

Without the flows behind both, ``core`` is told, and the other changes are due to the flows
when both sides have the same known rule; otherwise they get no cause.

Examples
--------
>>> import pandas as pd
>>> from metrocircle.robustness import compare
>>> a = pd.DataFrame({"unit_id": ["1", "2", "3"], "area_id": ["X", "X", None],
...                   "status": ["core", "member", "outside"]})
>>> b = pd.DataFrame({"unit_id": ["1", "2", "3"], "area_id": ["X", None, "X"],
...                   "status": ["core", "outside", "member"]})
>>> compare(a, b).changes[["unit_id", "change"]].values.tolist()
[['1', 'same'], ['2', 'left'], ['3', 'joined']]
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.delineate import steps
from metrocircle.exceptions import InputError, ParameterError, Problem

logger = logging.getLogger(__name__)

CHANGES = ("joined", "left", "moved", "same")
CAUSES = ("core", "flows", "rule")
CORE_STATUSES = ("core", "central")
"""Values of ``status`` that mark a core unit (compared case-insensitively)."""
MIN_COMMON_SHARE = 0.5
"""Below this share of common unit codes (of the smaller side), the two inputs are taken to
describe different units and comparing them is an error."""


@dataclass
class Rule:
    """What decides membership on one side, as far as the comparison needs it.

    ``threshold`` and ``direction`` are those of the share test (see
    :func:`metrocircle.delineate.steps.tie_of`); ``method`` and ``params`` (e.g. from the
    ``run.json`` of the run) identify the rule in full when known.
    """

    threshold: float | None = None
    direction: str | None = None
    method: str | None = None
    params: dict[str, Any] | None = None
    source: str = ""

    def key(self) -> tuple:
        """What two rules are compared on: the method and every parameter when both are known,
        else the threshold and direction."""
        if self.method is not None and self.params is not None:
            return (
                "full",
                self.method,
                tuple(sorted((k, repr(v)) for k, v in self.params.items())),
            )
        return ("share", self.threshold, self.direction)

    @classmethod
    def from_run(cls, run: Mapping[str, Any], source: str = "run.json") -> Rule:
        """From a delineation's ``run.json``: ``method``, ``params`` and the share test."""
        params = dict(run.get("params") or {})
        info = run.get("info") or {}
        threshold = params.get("threshold", info.get("member_threshold"))
        direction = params.get("direction")
        if direction is None and run.get("method") == "jp-uea":
            direction = "outbound"
        return cls(
            threshold=None if threshold is None else float(threshold),
            direction=direction,
            method=run.get("method"),
            params=params,
            source=source,
        )


def rule_from_membership(membership: pd.DataFrame, source: str = "membership") -> Rule:
    """The share test read from a membership table: the most common ``threshold`` of its
    non-core units, and the direction from the names of its ``rule`` column
    (``outbound_share>=0.25`` ...); what cannot be read stays None."""
    threshold = direction = None
    core = _is_core(membership)
    if "threshold" in membership.columns:
        t = pd.to_numeric(membership.loc[~core, "threshold"], errors="coerce").dropna()
        if len(t):
            threshold = float(t.mode().iloc[0])
    if "rule" in membership.columns:
        rules = membership["rule"].dropna().astype(str)
        if rules.str.startswith("both_shares").any():
            direction = "both"
        else:
            out = rules.str.startswith("outbound_share").any()
            inn = rules.str.startswith("inbound_share").any()
            direction = (
                "either" if out and inn else "outbound" if out else "inbound" if inn else None
            )
    return Rule(threshold=threshold, direction=direction, source=source)


@dataclass
class ComparisonResult:
    """What :func:`compare` returns.

    Attributes
    ----------
    changes
        One row per unit present in both inputs: ``unit_id, change, area_a, area_b, cause``
        then ``status_a, status_b``, ``tie_a`` and ``tie_b`` (the share the rule reads, to the
        area that matters for the change, on A's and on B's flows, under A's rule) and
        ``detail`` (the cause in words).
    only_in_a, only_in_b
        Units present in one input only (not compared).
    counts
        ``{change: n}`` and ``{change: {cause: n}}``.
    rules
        The :class:`Rule` of each side.
    """

    changes: pd.DataFrame
    only_in_a: list[str]
    only_in_b: list[str]
    counts: dict[str, Any]
    rules: dict[str, Rule] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


def _is_core(m: pd.DataFrame) -> np.ndarray:
    if "status" not in m.columns:
        return np.zeros(len(m), dtype=bool)
    s = m["status"].astype("string").str.strip().str.lower()
    return s.isin(CORE_STATUSES).to_numpy(dtype=bool, na_value=False)


def _membership(m: pd.DataFrame, side: str) -> pd.DataFrame:
    from metrocircle.model.validation import validate_membership

    return validate_membership(m, source=f"membership {side}")


def _codes_of(
    membership: pd.DataFrame,
    units: pd.DataFrame | Collection[str] | None,
    flows: pd.DataFrame | None,
    external: Collection[str],
) -> set[str]:
    codes = set(membership["unit_id"].astype(str))
    if units is not None:
        ids = units["unit_id"] if isinstance(units, pd.DataFrame) else list(units)
        codes |= {str(u) for u in ids}
    if flows is not None:
        codes |= set(flows["origin"].astype(str)) | set(flows["destination"].astype(str))
    return codes - set(external)


def _check_common(a: set[str], b: set[str]) -> None:
    """Two inputs sharing few unit codes describe different units (or code them differently):
    one error with examples, and a hint when zero-padding would make them agree."""
    common = a & b
    smaller = min(len(a), len(b))
    if smaller and len(common) >= MIN_COMMON_SHARE * smaller:
        return
    only_a, only_b = sorted(a - b), sorted(b - a)
    hint = ""
    stripped = {c.lstrip("0") for c in a} & {c.lstrip("0") for c in b}
    if len(stripped) >= MIN_COMMON_SHARE * smaller > 0:
        hint = (
            "; they agree once leading zeros are ignored: write the codes the same way in "
            "both (e.g. zero-padded text)"
        )
    raise InputError(
        [
            Problem(
                "membership",
                f"the two memberships have different unit codes: {len(common)} in common of "
                f"{len(a)} (A) and {len(b)} (B), e.g. only in A: {', '.join(only_a[:5])}; "
                f"only in B: {', '.join(only_b[:5])}{hint}",
            )
        ]
    )


class _Shares:
    """Ties of units to sets of core units, measured on one flow table."""

    def __init__(self, flows: pd.DataFrame, codes: Collection[str]) -> None:
        universe = pd.Index(sorted(codes), dtype=object)
        self.fm = steps.flow_matrix(flows, universe)
        self.csc = self.fm.matrix.tocsc()

    def tie(self, unit: str, cores: Collection[str], direction: str) -> tuple[float, float, float]:
        """``(tie, outbound, inbound)`` of ``unit`` to the core units ``cores``."""
        fm = self.fm
        u = fm.positions([unit])[0]
        c = fm.positions(sorted(cores))
        c = c[c >= 0]
        if u < 0 or len(c) == 0:
            return 0.0, 0.0, 0.0
        out_flow = float(fm.matrix[u, c].sum())
        in_flow = float(self.csc[c, u].sum())
        r, w = fm.employed_residents[u], fm.jobs[u]
        out = out_flow / r if r > 0 else 0.0
        inn = in_flow / w if w > 0 else 0.0
        tie = float(steps.tie_of(np.array([out]), np.array([inn]), direction)[0])
        return tie, out, inn


def _cores_by_area(m: pd.DataFrame) -> dict[str, frozenset[str]]:
    core = _is_core(m)
    sub = m.loc[core & m["area_id"].notna().to_numpy()]
    return {
        str(a): frozenset(g.astype(str))
        for a, g in sub.groupby(sub["area_id"].astype(str))["unit_id"]
    }


def compare(
    membership_a: pd.DataFrame,
    membership_b: pd.DataFrame,
    *,
    flows_a: pd.DataFrame | None = None,
    flows_b: pd.DataFrame | None = None,
    units_a: pd.DataFrame | Collection[str] | None = None,
    units_b: pd.DataFrame | Collection[str] | None = None,
    rule_a: Rule | Mapping[str, Any] | None = None,
    rule_b: Rule | Mapping[str, Any] | None = None,
    external: Sequence[str] = (),
) -> ComparisonResult:
    """Compare two delineations unit by unit and give each change its cause.

    Parameters
    ----------
    membership_a, membership_b
        ``unit_id, area_id`` (empty = no area) and optionally ``status`` (``core``/``member``
        or OMB's ``Central``/``Outlying``), ``threshold`` and ``rule``, as ``membership.csv``.
    flows_a, flows_b
        The flows behind each (``origin, destination, value``); with both, changes not due to
        the cores are split into ``flows`` and ``rule``.
    units_a, units_b
        The units of each side (a units table or codes): units they list that the membership
        does not are in no area. Without them, the units are those of the membership and flows.
    rule_a, rule_b
        The rule of each side: a :class:`Rule`, or a mapping with ``threshold`` and
        ``direction`` (and ``method``, ``params``), or a run's ``run.json`` content. Unset:
        read from the membership's ``threshold`` and ``rule`` columns.
    external
        Codes in the flows that are not units (e.g. places abroad).

    Returns
    -------
    ComparisonResult

    Raises
    ------
    InputError
        A membership is malformed, or the two share too few unit codes to be compared.
    ParameterError
        Flows are given for one side only, or a rule's threshold or direction is needed and
        cannot be read.
    """
    a = _membership(membership_a, "A")
    b = _membership(membership_b, "B")
    if (flows_a is None) != (flows_b is None):
        raise ParameterError(
            "Give the flows behind both delineations (--flows-a and --flows-b), or neither."
        )
    fa = fb = None
    if flows_a is not None and flows_b is not None:
        from metrocircle.model.validation import validate_flows

        fa = validate_flows(flows_a, source="flows A")
        fb = validate_flows(flows_b, source="flows B")
    codes_a = _codes_of(a, units_a, fa, external)
    codes_b = _codes_of(b, units_b, fb, external)
    _check_common(codes_a, codes_b)
    common = sorted(codes_a & codes_b)
    only_a, only_b = sorted(codes_a - codes_b), sorted(codes_b - codes_a)
    if only_a or only_b:
        logger.info(
            "only units present in both inputs are compared: %d only in A (%s), %d only in B (%s)",
            len(only_a),
            ", ".join(only_a[:8]),
            len(only_b),
            ", ".join(only_b[:8]),
        )

    notes = []
    for side, m, units, flows in (("A", a, units_a, fa), ("B", b, units_b, fb)):
        if units is None and flows is None and m["area_id"].notna().all():
            notes.append(
                f"{side} lists only units in areas and no units or flows are given for it: a "
                "unit it does not list is not compared, so joins and leaves cannot be seen; "
                f"give the units (or the flows) of {side}"
            )
    for note in notes:
        logger.info(note)
    rules = {
        "A": _rule(rule_a, a, "A"),
        "B": _rule(rule_b, b, "B"),
    }
    ia, ib = a.set_index("unit_id"), b.set_index("unit_id")
    area_a = ia["area_id"].reindex(common).astype(object).where(lambda s: s.notna(), None)
    area_b = ib["area_id"].reindex(common).astype(object).where(lambda s: s.notna(), None)
    has_status = "status" in a.columns and "status" in b.columns
    status_a = _status(ia, common, area_a)
    status_b = _status(ib, common, area_b)
    change = np.where(
        area_a.isna() & area_b.isna(),
        "same",
        np.where(
            area_a.isna(),
            "joined",
            np.where(area_b.isna(), "left", np.where(area_a == area_b, "same", "moved")),
        ),
    )
    table = pd.DataFrame(
        {
            "unit_id": pd.array(common, dtype="string"),
            "change": change,
            "area_a": pd.array(area_a.to_numpy(), dtype="string"),
            "area_b": pd.array(area_b.to_numpy(), dtype="string"),
            "cause": pd.array([None] * len(common), dtype="string"),
            "status_a": pd.array(status_a, dtype="string"),
            "status_b": pd.array(status_b, dtype="string"),
            "tie_a": np.nan,
            "tie_b": np.nan,
            "detail": pd.array([None] * len(common), dtype="string"),
        }
    )
    cores_a, cores_b = _cores_by_area(a), _cores_by_area(b)
    core_units_a = {u for s in cores_a.values() for u in s}
    core_units_b = {u for s in cores_b.values() for u in s}
    known = all(r.method is not None or r.threshold is not None for r in rules.values())
    same_rule = rules["A"].key() == rules["B"].key() if known else None
    shares = None
    same_flows = False
    if fa is not None and fb is not None:
        _need_share_test(rules["A"])
        same_flows = _same_flows(fa, fb)
        shares = (
            _Shares(fa, codes_a | set(a["unit_id"])),
            _Shares(fb, codes_b | set(b["unit_id"])),
        )
    changed = np.flatnonzero(change != "same")
    causes, details = [], []
    tie_a, tie_b = [], []
    for k in changed:
        u = common[k]
        xa, xb = area_a.iloc[k], area_b.iloc[k]
        t_a = t_b = np.nan
        cause, detail = _core_cause(u, xa, xb, cores_a, cores_b, core_units_a, core_units_b)
        if cause is None and not has_status:
            detail = "no status column: the cores cannot be compared"
        if cause is None and shares is not None and same_rule is True and same_flows:
            detail = "same cores, rule and flows: this change does not follow from the inputs"
        elif cause is None and shares is not None:
            cause, detail, t_a, t_b = _flow_or_rule(
                u, xa, xb, cores_a, shares, rules["A"], same_rule, detail
            )
        elif cause is None and same_rule is True and has_status:
            cause = "flows"
            detail = (
                "same rule and cores, so the flows made the change (give the flows behind both "
                "to see the shares)"
            )
        elif cause is None:
            detail = (detail + "; " if detail else "") + (
                "give the flows behind both to tell flows from rule"
            )
        causes.append(cause)
        details.append(detail)
        tie_a.append(t_a)
        tie_b.append(t_b)
    if len(changed):
        table.loc[changed, "cause"] = causes
        table.loc[changed, "detail"] = details
        table.loc[changed, "tie_a"] = tie_a
        table.loc[changed, "tie_b"] = tie_b
    counts: dict[str, Any] = {c: int((table["change"] == c).sum()) for c in CHANGES}
    counts["by_cause"] = {
        c: {
            str(k): int(v)
            for k, v in table.loc[table["change"] == c, "cause"]
            .fillna("unknown")
            .value_counts()
            .sort_index()
            .items()
        }
        for c in CHANGES[:3]
    }
    info = {
        "compared": len(common),
        "only_in_a": len(only_a),
        "only_in_b": len(only_b),
        "same_rule": same_rule,
        "flows": shares is not None,
        "same_flows": same_flows,
        "status": has_status,
        "notes": notes,
    }
    return ComparisonResult(table, only_a, only_b, counts, rules, info)


def _same_flows(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Whether two flow tables hold the same flows (in any row order)."""
    cols = ["origin", "destination", "value"]
    if len(a) != len(b):
        return False
    sa = a[cols].sort_values(cols[:2]).reset_index(drop=True)
    sb = b[cols].sort_values(cols[:2]).reset_index(drop=True)
    return bool(sa.astype(str).equals(sb.astype(str)))


def _rule(given: Rule | Mapping[str, Any] | None, m: pd.DataFrame, side: str) -> Rule:
    if isinstance(given, Rule):
        return given
    if given is not None:
        if "params" in given or "method" in given:
            return Rule.from_run(given, source=f"run of {side}")
        t = given.get("threshold")
        return Rule(
            threshold=None if t is None else float(t),
            direction=given.get("direction"),
            source=f"given for {side}",
        )
    return rule_from_membership(m, source=f"membership {side}")


def _need_share_test(rule: Rule) -> None:
    missing = [x for x in ("threshold", "direction") if getattr(rule, x) is None]
    if missing:
        raise ParameterError(
            f"Telling flows from rule needs the {' and '.join(missing)} of delineation A's share "
            f"test, which its {rule.source or 'inputs'} does not record: put its run.json next "
            "to its membership.csv, or give --threshold-a and --direction-a."
        )
    if rule.direction not in steps.DIRECTIONS:
        raise ParameterError(
            f"The 'direction' of delineation A must be one of {', '.join(steps.DIRECTIONS)}. "
            f"Got {rule.direction!r}."
        )


def _status(indexed: pd.DataFrame, common: list[str], area: pd.Series) -> np.ndarray:
    if "status" in indexed.columns:
        s = indexed["status"].reindex(common).astype(object).to_numpy()
        return np.where(pd.isna(s), np.where(area.isna(), "outside", None), s)
    return np.where(area.isna(), "outside", None)


def _core_cause(
    u: str,
    xa: str | None,
    xb: str | None,
    cores_a: dict[str, frozenset[str]],
    cores_b: dict[str, frozenset[str]],
    core_units_a: set[str],
    core_units_b: set[str],
) -> tuple[str | None, str | None]:
    if (u in core_units_a) != (u in core_units_b):
        return "core", "the unit is a core in " + ("A" if u in core_units_a else "B") + " only"
    for x in (xa, xb):
        if x is None:
            continue
        ca, cb = cores_a.get(x, frozenset()), cores_b.get(x, frozenset())
        if ca != cb:
            return "core", (
                f"the core units of {x} differ: A {';'.join(sorted(ca)) or '(none)'}, "
                f"B {';'.join(sorted(cb)) or '(none)'}"
            )
    return None, None


def _decide(
    ties: dict[str, float], candidates: list[str], threshold: float
) -> tuple[str | None, float]:
    """The candidate area with the strongest tie if it passes ``threshold`` (the first one on
    a tie), else None."""
    best = max(candidates, key=lambda x: ties[x])
    return (best if ties[best] >= threshold else None), ties[best]


def _flow_or_rule(
    u: str,
    xa: str | None,
    xb: str | None,
    cores: dict[str, frozenset[str]],
    shares: tuple[_Shares, _Shares],
    rule: Rule,
    same_rule: bool | None,
    note: str | None,
) -> tuple[str | None, str, float, float]:
    """``flows`` or ``rule`` (None when B's rule is unknown), its detail, and the ties (on A's
    and B's flows, under A's rule) to the area that matters: the one joined or moved to, or the
    one left."""
    assert rule.threshold is not None and rule.direction is not None  # _need_share_test
    candidates = [x for x in (xa, xb) if x is not None]
    tie_on = {}
    for side, s in zip("AB", shares, strict=True):
        tie_on[side] = {
            x: s.tie(u, cores.get(x, frozenset()), rule.direction)[0] for x in candidates
        }
    before, _ = _decide(tie_on["A"], candidates, rule.threshold)
    after, _ = _decide(tie_on["B"], candidates, rule.threshold)
    target = xb if xb is not None else xa
    t_a, t_b = tie_on["A"][target], tie_on["B"][target]
    shares_text = "; ".join(
        f"{rule.direction} tie to {x}: {tie_on['A'][x]:.4f} (A flows) -> {tie_on['B'][x]:.4f} "
        f"(B flows)"
        for x in candidates
    )
    thr = f"threshold {rule.threshold:g}"
    direct = before != after and after == xb
    if direct:
        verb = "crossed" if (t_a >= rule.threshold) != (t_b >= rule.threshold) else "overtook"
        return "flows", f"the share {verb} the {thr}: {shares_text}", t_a, t_b
    if same_rule is True:
        if before != xa:
            why = (
                f"on A's flows the share test alone would place it in {before or 'no area'}, "
                "not where A has it: A's placement does not follow from these flows alone "
                "(contiguity, merging, or other flows behind A)"
            )
        else:
            why = "its own share did not cross: it moved through neighbours (contiguity, merging)"
        return "flows", f"same rule and cores; {why} ({shares_text}, {thr})", t_a, t_b
    text = f"under A's rule the flows alone do not make this change ({shares_text}, {thr})"
    if same_rule is None:
        return None, text + "; B's rule is not known, so the rule cannot be compared", t_a, t_b
    return "rule", text + (f"; {note}" if note else ""), t_a, t_b


__all__ = [
    "CAUSES",
    "CHANGES",
    "CORE_STATUSES",
    "ComparisonResult",
    "Rule",
    "compare",
    "rule_from_membership",
]
