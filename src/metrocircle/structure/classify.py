"""Role rule set (methods survey 3.5, a design proposal; every threshold a parameter).

Every rule is a list of conditions on the columns of :func:`metrocircle.structure.indicators`.
Each unit is tested against **every** rule; ``rules_fired`` lists the rules whose conditions
all hold, and the role is the first fired rule in this order:

1. ``core`` - the given core set C (optionally with units promoted by the FUA/AAV merge test
   ``out_rate_core >= core_merge_share`` and ``core_in_rate >= core_merge_share``, or by the
   UEA-style test ``job_ratio >= 1`` and ``jobs_share_of_core >= core_promote_size_share``);
2. ``second_core`` - a unit of the second metropolitan core A (normally outside the area);
3. ``bridgehead`` - ``M_iC >= bridge_min_membership``, ``M_iA >= bridge_min_membership``,
   ``min/max(M_iC, M_iA) >= bridge_balance`` and on the C-A corridor
   ``tt_iC + tt_iA <= (1 + corridor_slack) * tt_CA``;
4. ``cross_border_subcentre`` - every fulcrum condition, and ``cross_border`` (its admin
   attribute, e.g. province, differs from the core's);
5. ``strategic_fulcrum`` - ``centrality_pct >= fulcrum_min_centrality``,
   ``sc_min >= fulcrum_min_sc``, ``job_ratio >= fulcrum_min_job_ratio``,
   ``out_rate_core < fulcrum_max_out_rate``, ``tt_core_minutes <= fulcrum_max_minutes`` and
   ``hinterland_units >= fulcrum_min_hinterland`` (it radiates);
6. ``integration`` - (``out_rate_core >= integration_min_out_rate`` **or**
   ``tt_core_minutes <= integration_max_minutes``) and ``sc_min < integration_max_sc`` and
   the first contact is a core unit;
7. ``periphery`` - every other unit of the area.

The specific labels come before the general ones: a unit that is both a bridgehead and an
integration zone is a bridgehead, and ``rules_fired`` shows both.

Margins: ``value - threshold`` for ``>=``, ``threshold - value`` for ``<`` and ``<=``; a
positive margin is the room by which the condition holds, a negative one the shortfall. A
missing value (no travel time, no second core) fails the condition with a NaN margin. The
*binding* condition of a unit's role is a failed yes/no test or missing value if any, else
the numeric test with the smallest margin relative to its threshold (``margin / |threshold|``,
so that shares and minutes compare; of an "any of" group only its best member counts); its raw
margin is ``binding_margin``. For a periphery unit it is that of the nearest rule (fewest
failed conditions).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from metrocircle.delineate.base import Param
from metrocircle.exceptions import ParameterError, Problems

OWNER = "roles"

ROLES = (
    "core",
    "second_core",
    "bridgehead",
    "cross_border_subcentre",
    "strategic_fulcrum",
    "integration",
    "periphery",
)
#: Chinese labels of the Chongqing plan (2022) for each role.
ROLE_LABELS_ZH = {
    "core": "中心城区",
    "second_core": "另一都市圈中心",
    "bridgehead": "桥头堡城市",
    "cross_border_subcentre": "副中心",
    "strategic_fulcrum": "重要战略支点城市",
    "integration": "同城化发展先行区",
    "periphery": "辐射圈",
}


def _share(name: str, default: float | None, doc: str, *, optional: bool = False) -> Param:
    return Param(name, float, default, doc, low=0.0, high=1.0, optional=optional)


PARAMS: tuple[Param, ...] = (
    _share(
        "core_merge_share", None,
        "Promote a unit to the core when both out_rate_core and core_in_rate reach this "
        "(FUA/AAV merge, 0.15); off by default.", optional=True),
    Param("core_promote_size_share", float, None,
          "Promote a unit to the core when job_ratio >= 1 and its jobs are at least this share "
          "of the core's (UEA-style, 1/3); off by default.", low=0.0, low_open=True,
          optional=True),
    _share("integration_min_out_rate", 0.10,
           "Integration: commuting rate to the core (0.15 strict)."),
    Param("integration_max_minutes", float, 45.0,
          "Integration: or at most this many minutes from the core.", low=0.0),
    _share("integration_max_sc", 0.75, "Integration: self-containment below this."),
    Param("integration_needs_core_first_contact", bool, True,
          "Integration: the first-contact destination must be a core unit."),
    _share("fulcrum_min_centrality", 0.8, "Fulcrum: centrality percentile at least this."),
    _share("fulcrum_min_sc", 0.667, "Fulcrum: self-containment at least this (TTWA 2/3)."),
    Param("fulcrum_min_job_ratio", float, 1.0, "Fulcrum: jobs/residents at least this (UEA).",
          low=0.0),
    _share("fulcrum_max_out_rate", 0.10, "Fulcrum: commuting rate to the core below this."),
    Param("fulcrum_max_minutes", float, 90.0, "Fulcrum: at most this many minutes from the core.",
          low=0.0),
    Param("fulcrum_min_hinterland", int, 1,
          "Fulcrum: first-contact destination of at least this many other units.", low=0),
    _share("bridge_min_membership", 0.2, "Bridgehead: membership to each core at least this."),
    _share("bridge_balance", 0.5, "Bridgehead: min/max of the two memberships at least this."),
    Param("corridor_slack", float, 0.25,
          "Bridgehead: tt_iC + tt_iA <= (1 + slack) tt_CA.", low=0.0),
)
DEFAULTS: dict[str, Any] = {p.name: p.default for p in PARAMS}
_SPEC = {p.name: p for p in PARAMS}


def check_rules(rules: Mapping[str, Any] | None) -> dict[str, Any]:
    """Every rule parameter with its checked value (defaults filled in)."""
    rules = dict(rules or {})
    unknown = sorted(set(rules) - set(_SPEC))
    if unknown:
        raise ParameterError(
            f"{OWNER} has no parameter {', '.join(repr(u) for u in unknown)}. "
            f"Its parameters are: {', '.join(_SPEC)}."
        )
    return {k: p.check(rules.get(k, p.default), OWNER) for k, p in _SPEC.items()}


def parse_rules(texts: Mapping[str, str]) -> dict[str, Any]:
    """Parse ``NAME=VALUE`` strings (``--param``) into checked rule parameters."""
    unknown = sorted(set(texts) - set(_SPEC))
    if unknown:
        raise ParameterError(
            f"{OWNER} has no parameter {', '.join(repr(u) for u in unknown)}. "
            f"Its parameters are: {', '.join(_SPEC)}."
        )
    return {k: _SPEC[k].parse(v, OWNER) for k, v in texts.items()}


@dataclass
class RoleResult:
    """Result of :func:`classify`.

    Attributes
    ----------
    roles
        One row per unit: ``unit_id, role, computed_role, rules_fired, reason,
        binding_condition, binding_margin, policy_override, policy_reason`` and the indicators.
    conditions
        Long table, one row per unit, rule and condition: ``unit_id, rule, condition, combine
        ("all" or "any"), indicator, op, value, threshold, margin, passed, rule_fired``.
    params
        Every rule parameter used.
    info
        Counts per role, the rule order, overrides.
    """

    roles: pd.DataFrame
    conditions: pd.DataFrame
    params: dict[str, Any]
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Cond:
    name: str
    indicator: str
    op: str  # ">=", "<", "<=", "is"
    value: np.ndarray
    threshold: float | None
    combine: str = "all"

    def evaluate(self) -> tuple[np.ndarray, np.ndarray]:
        v = np.asarray(self.value, dtype=float)
        if self.op == "is":
            passed = np.nan_to_num(v, nan=0.0) > 0
            return passed, np.full(len(v), np.nan)
        assert self.threshold is not None
        thr = float(self.threshold)
        margin = v - thr if self.op == ">=" else thr - v
        if self.op == "<":
            passed = v < thr
        elif self.op == "<=":
            passed = v <= thr
        else:
            passed = v >= thr
        passed = passed & ~np.isnan(v)
        return passed, margin


def _col(ind: pd.DataFrame, name: str) -> np.ndarray:
    s = ind[name]
    if s.dtype == bool or str(s.dtype) == "boolean":
        return s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)


REQUIRED = (
    "unit_id", "is_core", "is_second_core", "sc_min", "job_ratio", "out_rate_core",
    "core_in_rate", "jobs_share_of_core", "first_contact", "first_contact_is_core",
    "hinterland_units",
    "tt_core_minutes", "tt_second_minutes", "membership_core", "membership_second",
    "centrality_pct", "cross_border",
)


def _rules(ind: pd.DataFrame, prm: dict[str, Any], tt_ca: float) -> dict[str, list[_Cond]]:
    c = {k: _col(ind, k) for k in REQUIRED if k not in ("unit_id", "first_contact")}
    n = len(ind)
    fulcrum = [
        _Cond("centrality_pct>=min", "centrality_pct", ">=", c["centrality_pct"],
              prm["fulcrum_min_centrality"]),
        _Cond("sc_min>=min", "sc_min", ">=", c["sc_min"], prm["fulcrum_min_sc"]),
        _Cond("job_ratio>=min", "job_ratio", ">=", c["job_ratio"], prm["fulcrum_min_job_ratio"]),
        _Cond("out_rate_core<max", "out_rate_core", "<", c["out_rate_core"],
              prm["fulcrum_max_out_rate"]),
        _Cond("tt_core_minutes<=max", "tt_core_minutes", "<=", c["tt_core_minutes"],
              prm["fulcrum_max_minutes"]),
        _Cond("hinterland_units>=min", "hinterland_units", ">=", c["hinterland_units"],
              float(prm["fulcrum_min_hinterland"])),
    ]
    lo = np.fmin(c["membership_core"], c["membership_second"])
    hi = np.fmax(c["membership_core"], c["membership_second"])
    balance = np.divide(lo, hi, out=np.full(n, np.nan), where=hi > 0)
    balance[np.isnan(lo) | np.isnan(hi)] = np.nan
    detour = (c["tt_core_minutes"] + c["tt_second_minutes"]) / tt_ca if tt_ca > 0 else \
        np.full(n, np.nan)
    core_rule = [_Cond("given core", "is_core", "is", c["is_core"], None, "any")]
    if prm["core_merge_share"] is not None:
        s = prm["core_merge_share"]
        merged = (np.nan_to_num(c["out_rate_core"]) >= s) & (
            np.nan_to_num(c["core_in_rate"]) >= s
        )
        core_rule.append(_Cond("merged: both ways >= core_merge_share",
                               "out_rate_core|core_in_rate", "is", merged.astype(float), None,
                               "any"))
    if prm["core_promote_size_share"] is not None:
        s = prm["core_promote_size_share"]
        promoted = (np.nan_to_num(c["job_ratio"]) >= 1.0) & (
            np.nan_to_num(c["jobs_share_of_core"]) >= s
        )
        core_rule.append(_Cond("promoted: job_ratio >= 1 and jobs >= core_promote_size_share "
                               "of the core's", "job_ratio|jobs_share_of_core", "is",
                               promoted.astype(float), None, "any"))
    integ = [
        _Cond("out_rate_core>=min", "out_rate_core", ">=", c["out_rate_core"],
              prm["integration_min_out_rate"], "any"),
        _Cond("tt_core_minutes<=max", "tt_core_minutes", "<=", c["tt_core_minutes"],
              prm["integration_max_minutes"], "any"),
        _Cond("sc_min<max", "sc_min", "<", c["sc_min"], prm["integration_max_sc"]),
    ]
    if prm["integration_needs_core_first_contact"]:
        integ.append(_Cond("first contact is a core unit", "first_contact_is_core", "is",
                           c["first_contact_is_core"], None))
    return {
        "core": core_rule,
        "second_core": [_Cond("given second core", "is_second_core", "is",
                              c["is_second_core"], None)],
        "bridgehead": [
            _Cond("membership_core>=min", "membership_core", ">=", c["membership_core"],
                  prm["bridge_min_membership"]),
            _Cond("membership_second>=min", "membership_second", ">=", c["membership_second"],
                  prm["bridge_min_membership"]),
            _Cond("min/max membership>=balance", "membership_balance", ">=", balance,
                  prm["bridge_balance"]),
            _Cond("(tt_iC+tt_iA)/tt_CA<=1+slack", "corridor_detour", "<=", detour,
                  1.0 + prm["corridor_slack"]),
        ],
        "cross_border_subcentre": [*fulcrum, _Cond("cross_border", "cross_border", "is",
                                                   c["cross_border"], None)],
        "strategic_fulcrum": fulcrum,
        "integration": integ,
    }


def _fmt(x: float) -> str:
    if np.isnan(x):
        return "n/a"
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:.0f}"


def classify(
    indicators: pd.DataFrame,
    *,
    rules: Mapping[str, Any] | None = None,
    policy: pd.DataFrame | None = None,
) -> RoleResult:
    """Assign a role to every unit, with the rules that fired, values and margins.

    Parameters
    ----------
    indicators
        The table of :func:`metrocircle.structure.indicators` (its ``attrs["info"]`` gives the
        C-A travel time of the corridor test).
    rules
        Rule parameters to change (see :data:`PARAMS`); the others keep their defaults.
    policy
        Optional overlay ``unit_id, role, reason``: the role replaces the computed one and the
        reason is recorded (``policy_override``, ``policy_reason``).

    Returns
    -------
    RoleResult

    Examples
    --------
    >>> import pandas as pd
    >>> from metrocircle.structure import indicators
    >>> f = pd.DataFrame({"origin": ["A", "A", "B", "B"], "destination": ["A", "B", "B", "A"],
    ...                   "value": [60.0, 40.0, 90.0, 10.0]})
    >>> res = classify(indicators(f, cores=["B"]))
    >>> res.roles[["unit_id", "role", "rules_fired"]].values.tolist()
    [['A', 'integration', 'integration'], ['B', 'core', 'core;strategic_fulcrum']]

    (``rules_fired`` lists every rule that holds: B, the core, also passes the fulcrum tests.)
    """
    prm = check_rules(rules)
    missing = [c for c in REQUIRED if c not in getattr(indicators, "columns", ())]
    if missing:
        raise ParameterError(
            "The 'indicators' parameter of classify must be the table of "
            f"metrocircle.structure.indicators; missing columns: {', '.join(missing)}."
        )
    ind = indicators.reset_index(drop=True)
    info_in = dict(indicators.attrs.get("info", {}))
    tt_ca = float(info_in.get("tt_core_second_minutes", float("nan")) or float("nan"))
    n = len(ind)
    rule_set = _rules(ind, prm, tt_ca)
    fired: dict[str, np.ndarray] = {}
    rows: list[pd.DataFrame] = []
    margins: dict[str, list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]] = {}
    codes = ind["unit_id"].astype("string").to_numpy()
    for rule, conds in rule_set.items():
        all_ok = np.ones(n, dtype=bool)
        any_parts = [cd for cd in conds if cd.combine == "any"]
        any_ok = np.zeros(n, dtype=bool) if any_parts else np.ones(n, dtype=bool)
        evaluated = []
        for cd in conds:
            passed, margin = cd.evaluate()
            evaluated.append((cd, passed, margin))
            if cd.combine == "any":
                any_ok |= passed
            else:
                all_ok &= passed
        ok = all_ok & any_ok
        fired[rule] = ok
        margins[rule] = []
        for cd, passed, margin in evaluated:
            margins[rule].append((cd.name, np.asarray(cd.value, float), margin, passed))
            rows.append(pd.DataFrame({
                "unit_id": codes, "rule": rule, "condition": cd.name, "combine": cd.combine,
                "indicator": cd.indicator, "op": cd.op,
                "value": np.asarray(cd.value, dtype=float),
                "threshold": np.nan if cd.threshold is None else float(cd.threshold),
                "margin": margin, "passed": passed, "rule_fired": ok,
            }))
    order = [r for r in ROLES if r != "periphery"]
    role = np.full(n, "periphery", dtype=object)
    assigned = np.zeros(n, dtype=bool)
    for r in order:
        take = fired[r] & ~assigned
        role[take] = r
        assigned |= take
    fired_text = [
        ";".join(r for r in order if fired[r][i]) or "" for i in range(n)
    ]
    reasons, binding, binding_margin = [], [], []
    for i in range(n):
        text, cond, marg = _explain(i, role[i], rule_set, margins, ind)
        reasons.append(text)
        binding.append(cond)
        binding_margin.append(marg)
    out = pd.DataFrame({
        "unit_id": pd.array(codes, dtype="string"),
        "role": role.astype(str),
        "computed_role": role.astype(str),
        "role_zh": [ROLE_LABELS_ZH[r] for r in role],
        "rules_fired": fired_text,
        "reason": reasons,
        "binding_condition": binding,
        "binding_margin": np.asarray(binding_margin, dtype=float),
        "policy_override": False,
        "policy_reason": pd.array([None] * n, dtype="string"),
    })
    overrides = 0
    if policy is not None:
        out, overrides = _apply_policy(out, policy)
    extra = [c for c in ind.columns if c != "unit_id"]
    out = pd.concat([out, ind[extra].reset_index(drop=True)], axis=1)
    counts = {r: int((out["role"] == r).sum()) for r in ROLES if (out["role"] == r).any()}
    info = {
        "rule_order": order + ["periphery"],
        "roles": counts,
        "policy_overrides": overrides,
        "tt_core_second_minutes": None if np.isnan(tt_ca) else tt_ca,
        "margin_convention": "value - threshold for >=; threshold - value for < and <=; "
                             "positive = holds with that room",
    }
    conditions = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    return RoleResult(roles=out, conditions=conditions, params=prm, info=info)


def _explain(
    i: int,
    role: str,
    rule_set: dict[str, list[_Cond]],
    margins: dict[str, list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]],
    ind: pd.DataFrame,
) -> tuple[str, str, float]:
    """The reason text, the binding condition (smallest margin) and its margin."""

    def describe(rule: str) -> tuple[list[str], str, float]:
        parts: list[str] = []
        hard_fail = ""  # a failed yes/no condition or a missing value decides first
        # (margin / |threshold|, margin, condition) of the numeric tests
        cands: list[tuple[float, float, str]] = []
        any_best: tuple[float, float, str] | None = None
        for (name, value, margin, passed), cd in zip(margins[rule], rule_set[rule], strict=True):
            if cd.op == "is":
                parts.append(f"{name}: {'yes' if passed[i] else 'no'}")
                if not passed[i] and cd.combine == "all" and not hard_fail:
                    hard_fail = name
                continue
            mark = "ok" if passed[i] else "fails"
            sep = " [any of]" if cd.combine == "any" else ""
            parts.append(f"{cd.indicator}={_fmt(value[i])} {cd.op} {_fmt(float(cd.threshold or 0))}"
                         f" ({mark}, margin {_fmt(margin[i])}){sep}")
            m = float(margin[i])
            if np.isnan(m):
                if cd.combine == "all" and not hard_fail:
                    hard_fail = name
                continue
            # compare margins relative to their threshold (shares and minutes differ in unit)
            thr = abs(float(cd.threshold or 0.0))
            rel = m / thr if thr > 0 else m
            if cd.combine == "any":
                if any_best is None or rel > any_best[0]:
                    any_best = (rel, m, name)
            else:
                cands.append((rel, m, name))
        if any_best is not None:
            cands.append(any_best)
        if hard_fail:
            return parts, hard_fail, float("nan")
        if not cands:
            return parts, "", float("nan")
        _, m, name = min(cands)
        return parts, name, m

    if role in ("core", "second_core"):
        parts, _, _ = describe(role)
        return f"{role}: " + "; ".join(parts), "", float("nan")
    if role != "periphery":
        parts, worst, m = describe(role)
        fc = ind.at[i, "first_contact"]
        tail = f"; first contact {fc}" if pd.notna(fc) else ""
        return f"{role}: " + "; ".join(parts) + tail, worst, m
    # periphery: the candidate rule that came closest (fewest failed conditions)
    best_rule, best_fail = "", 10**9
    for rule in ("integration", "strategic_fulcrum", "bridgehead"):
        fails = sum(1 for (_, _, _, passed), cd in zip(margins[rule], rule_set[rule],
                                                       strict=True)
                    if not passed[i] and cd.combine == "all")
        any_c = [passed[i] for (_, _, _, passed), cd in zip(margins[rule], rule_set[rule],
                                                            strict=True) if cd.combine == "any"]
        if any_c and not any(any_c):
            fails += 1
        if fails < best_fail:
            best_rule, best_fail = rule, fails
    parts, worst, m = describe(best_rule)
    return (f"periphery: in the area, no role rule holds; nearest is {best_rule} "
            f"({best_fail} condition(s) fail): " + "; ".join(parts), worst, m)


def read_policy(path: str | Path) -> pd.DataFrame:
    """Read a policy overlay file ``unit_id, role, reason`` (CSV or any table format)."""
    from metrocircle.model.io import read_table

    df, _ = read_table(Path(path), source=Path(path).name)
    return check_policy(df, source=Path(path).name)


def check_policy(policy: pd.DataFrame, *, source: str = "policy",
                 units: list[str] | None = None) -> pd.DataFrame:
    """Validate a policy overlay: known roles, a reason on every row, no repeated unit."""
    from metrocircle.model.validation import as_codes

    p = Problems()
    need = [c for c in ("unit_id", "role", "reason") if c not in policy.columns]
    if need:
        p.add(source, f"missing column(s) {', '.join(need)}; a policy overlay has "
                      "unit_id, role, reason")
        p.raise_if_any()
    df = pd.DataFrame({
        "unit_id": as_codes(policy["unit_id"]),
        "role": policy["role"].astype("string").str.strip(),
        "reason": policy["reason"].astype("string").str.strip(),
    })
    rows = np.arange(len(df)) + 2
    blank_id = df["unit_id"].isna() | df["unit_id"].eq("")
    if blank_id.any():
        p.add(source, "empty unit_id", rows[blank_id.to_numpy()].tolist())
    bad_role = ~df["role"].isin(ROLES).fillna(False).to_numpy(dtype=bool)
    if bad_role.any():
        p.add(source, f"role must be one of {', '.join(ROLES)}", rows[bad_role].tolist())
    no_reason = (df["reason"].isna() | df["reason"].eq("")).to_numpy(dtype=bool)
    if no_reason.any():
        p.add(source, "every override needs a reason", rows[no_reason].tolist())
    dup = df["unit_id"].duplicated(keep=False).to_numpy(dtype=bool) & ~blank_id.to_numpy()
    if dup.any():
        p.add(source, "unit listed more than once", rows[dup].tolist())
    if units is not None:
        unknown = ~df["unit_id"].isin(units).to_numpy(dtype=bool) & ~blank_id.to_numpy()
        if unknown.any():
            p.add(source, "unit(s) not among the classified units",
                  df["unit_id"][unknown].tolist())
    p.raise_if_any()
    return df


def _apply_policy(out: pd.DataFrame, policy: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    pol = check_policy(policy, units=out["unit_id"].tolist()).set_index("unit_id")
    out = out.copy()
    hit = out["unit_id"].isin(pol.index).to_numpy(dtype=bool)
    codes = out.loc[hit, "unit_id"]
    out.loc[hit, "role"] = pol.loc[codes, "role"].to_numpy()
    out.loc[hit, "policy_override"] = True
    out.loc[hit, "policy_reason"] = pol.loc[codes, "reason"].to_numpy()
    out["role_zh"] = [ROLE_LABELS_ZH[r] for r in out["role"]]
    return out, int(hit.sum())


QUADRANTS = {
    (True, False): "independent_pole",
    (True, True): "integrated_secondary_centre",
    (False, True): "integration_or_satellite",
    (False, False): "periphery",
}


def quadrants(
    indicators: pd.DataFrame,
    *,
    centrality_threshold: float = 0.5,
    dependence: str = "out_rate_core",
    dependence_threshold: float = 0.10,
) -> pd.DataFrame:
    """Centrality x dependence quadrants (survey 3.4), a second view next to the roles.

    Parameters
    ----------
    indicators
        The table of :func:`metrocircle.structure.indicators`.
    centrality_threshold
        ``centrality_pct`` from which a unit counts as central (default: above the median).
    dependence
        ``"out_rate_core"`` or ``"membership_core"``: the y axis.
    dependence_threshold
        Value from which a unit counts as dependent on the core.

    Returns
    -------
    pandas.DataFrame
        ``unit_id, centrality_pct, dependence, high_centrality, high_dependence, quadrant``;
        core units get ``core`` and units without a value ``undetermined``.

    Examples
    --------
    >>> import pandas as pd
    >>> ind = pd.DataFrame({"unit_id": ["A", "B"], "is_core": [False, False],
    ...                     "centrality_pct": [0.9, 0.2], "out_rate_core": [0.02, 0.3]})
    >>> quadrants(ind)["quadrant"].tolist()
    ['independent_pole', 'integration_or_satellite']
    """
    if dependence not in ("out_rate_core", "membership_core"):
        raise ParameterError(
            "The 'dependence' parameter of quadrants must be one of "
            f"('out_rate_core', 'membership_core'). Got {dependence!r}."
        )
    for name, value in (("centrality_threshold", centrality_threshold),
                        ("dependence_threshold", dependence_threshold)):
        _share(name, 0.5, "").check(value, "quadrants")
    x = _col(indicators, "centrality_pct")
    y = _col(indicators, dependence)
    hx, hy = x >= centrality_threshold, y >= dependence_threshold
    label = np.array([QUADRANTS[(bool(a), bool(b))] for a, b in zip(hx, hy, strict=True)],
                     dtype=object)
    label[np.isnan(x) | np.isnan(y)] = "undetermined"
    label[_col(indicators, "is_core") > 0] = "core"
    return pd.DataFrame({
        "unit_id": indicators["unit_id"].astype("string").to_numpy(),
        "centrality_pct": x, "dependence": y,
        "high_centrality": hx, "high_dependence": hy,
        "quadrant": label.astype(str),
    })
