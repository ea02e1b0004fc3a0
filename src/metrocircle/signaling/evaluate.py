"""Accuracy of predicted home/work places and OD against a known truth (simulated data)."""

from __future__ import annotations

import pandas as pd


def common_part_of_commuters(pred: pd.DataFrame, truth: pd.DataFrame, *,
                             value_pred: str = "value",
                             value_truth: str = "commuters") -> float:
    """CPC = 2 * sum(min(pred, truth)) / (sum(pred) + sum(truth)) over (origin, destination).

    ``pred`` is an OD as :func:`od_from_records` gives it (``value``), ``truth`` one as the
    simulator writes it (``commuters``).

    Examples
    --------
    >>> a = pd.DataFrame({"origin": ["A"], "destination": ["B"], "value": [10]})
    >>> common_part_of_commuters(a, a, value_truth="value")
    1.0
    """
    p = pred.groupby(["origin", "destination"])[value_pred].sum()
    t = truth.groupby(["origin", "destination"])[value_truth].sum()
    both = pd.concat([p.rename("p"), t.rename("t")], axis=1).fillna(0.0)
    den = both["p"].sum() + both["t"].sum()
    return float(2 * both.min(axis=1).sum() / den) if den > 0 else 1.0


def evaluate(users: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float]:
    """Compare per-user predictions (``uid, home_unit, work_unit``) with the truth.

    ``truth`` has ``uid, kind, home_unit, work_unit`` (work_unit empty for people without a
    job); ``kind`` is one of ``worker, night_shift, student, non_worker``. A user missing from
    the predictions counts as wrong.

    Returns
    -------
    dict
        ``home_right`` (share of all users), ``work_right`` (share of workers, night-shift
        included), ``false_work_non_worker``, ``false_work_student``,
        ``false_work_without_job`` (students and non-workers together), ``cpc`` (on unit OD
        without suppression), plus counts.
    """
    t = truth[["uid", "kind", "home_unit", "work_unit"]].copy()
    t["uid"] = t["uid"].astype(str)
    p = users[["uid", "home_unit", "work_unit"]].rename(
        columns={"home_unit": "p_home", "work_unit": "p_work"}).copy()
    p["uid"] = p["uid"].astype(str)
    m = t.merge(p, on="uid", how="left")
    def s(col: str) -> pd.Series:
        return m[col].astype("string")
    home_ok = (s("home_unit") == s("p_home")).fillna(False)
    workers = m["kind"].isin(["worker", "night_shift"])
    work_ok = (s("work_unit") == s("p_work")).fillna(False)
    has_pw = m["p_work"].notna()
    nw = m["kind"] == "non_worker"
    st = m["kind"] == "student"
    tod = m[workers & m["work_unit"].notna()].assign(commuters=1)
    pod = m[m["p_home"].notna() & has_pw].assign(value=1)
    tod = tod.rename(columns={"home_unit": "origin", "work_unit": "destination"})
    pod = pod.rename(columns={"p_home": "origin", "p_work": "destination"})
    def share(mask_ok: pd.Series, mask: pd.Series) -> float:
        n = int(mask.sum())
        return float((mask_ok & mask).sum() / n) if n else float("nan")
    ns = m["kind"] == "night_shift"
    return {
        "users": int(len(m)),
        "home_right": share(home_ok, pd.Series(True, index=m.index)),
        "work_right": share(work_ok, workers),
        "work_right_night_shift": share(work_ok, ns),
        "false_work_non_worker": share(has_pw, nw),
        "false_work_student": share(has_pw, st),
        "false_work_without_job": share(has_pw, nw | st),
        "cpc": common_part_of_commuters(pod, tod),
    }
