"""Investment-based cluster candidates: co-specialised units linked by investment in the same
industry, with the location quotients and links worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from metrocircle.exceptions import ParameterError
from metrocircle.industry import investment_clusters

# Every unit has 100 employed; the pooled reference is 50 % C, 50 % J, so
# LQ_C = share of C / 0.5:  A 1.2, D 1.4, E 1.3, F 1.5, Z1 0.3, Z2 0.3; LQ_J(Z1, Z2) = 1.7
ACTIVITY = pd.DataFrame(
    {"C": [60.0, 70.0, 65.0, 75.0, 15.0, 15.0], "J": [40.0, 30.0, 35.0, 25.0, 85.0, 85.0]},
    index=pd.Index(["A", "D", "E", "F", "Z1", "Z2"], name="unit_id"),
)
RECORDS = pd.DataFrame(
    [
        ("A", "D", 2, "C"),
        ("D", "A", 1, "C"),
        ("E", "F", 4, "C"),
        ("F", "E", 2, "C"),
        ("A", "Z1", 3, "C"),  # Z1 is not specialised in C
        ("A", "E", 1, "C"),  # a weak link between the two C groups
        ("Z1", "Z2", 2, "J"),
        ("A", "D", 9, "X"),  # industry not in the activity table
        ("A", "D", 9, None),  # industry unknown
    ],
    columns=["investor", "investee", "count", "industry"],
)


def clusters(res):
    return res.clusters[["industry", "cluster", "units", "investment", "min_lq"]].values.tolist()


def test_any_link():
    res = investment_clusters(ACTIVITY, RECORDS)
    # C: pairs A-D (2 + 1), A-E (1 + 0), E-F (4 + 2) join A, D, E, F; J: Z1-Z2 (2)
    assert clusters(res) == [["C", 1, "A;D;E;F", 10.0, pytest.approx(1.2)],
                             ["J", 1, "Z1;Z2", 2.0, pytest.approx(1.7)]]
    pairs = res.pairs.set_index(["unit_a", "unit_b"])
    assert pairs.loc[("A", "D"), ["value_ab", "value_ba", "value"]].tolist() == [2, 1, 3]
    assert pairs.loc[("A", "D"), ["lq_a", "lq_b"]].tolist() == pytest.approx([1.2, 1.4])
    assert ("A", "Z1") not in pairs.index
    assert res.info["records_left_out"] == {"industry missing": 1,
                                            "industry not in the activity table": 1}


def test_dominant_links_and_min_value():
    # first contacts in C: A invests most in Z1 (3), D only in A, E most in F, F only in E;
    # A's investor is D, E's largest investor is F (2 > 1 from A): A-E is no first contact
    res = investment_clusters(ACTIVITY, RECORDS, link="dominant")
    assert clusters(res) == [["C", 1, "A;D", 3.0, pytest.approx(1.2)],
                             ["C", 2, "E;F", 6.0, pytest.approx(1.3)],
                             ["J", 1, "Z1;Z2", 2.0, pytest.approx(1.7)]]
    res = investment_clusters(ACTIVITY, RECORDS, min_value=1.5)
    assert [c[2] for c in clusters(res)] == ["A;D", "E;F", "Z1;Z2"]


def test_floors_and_mapping():
    # a 62 % floor on the unit's share keeps D (70), E (65), F (75) in C: A (60) drops out
    res = investment_clusters(ACTIVITY, RECORDS, min_share=0.62)
    assert [c[2] for c in clusters(res)] == ["E;F", "Z1;Z2"]
    recoded = RECORDS.assign(industry=RECORDS["industry"].replace({"C": "mfg"}))
    res = investment_clusters(ACTIVITY, recoded, industry_map={"mfg": "C"})
    assert clusters(res)[0][2] == "A;D;E;F"
    with pytest.raises(ParameterError, match="'link' parameter of investment_clusters"):
        investment_clusters(ACTIVITY, RECORDS, link="strong")
    with pytest.raises(ParameterError, match="'industry' column"):
        investment_clusters(ACTIVITY, RECORDS.drop(columns="industry"))


def test_docs_example(capsys):
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "industry.md").read_text()
    section = doc.split("### Cluster candidates from investment links")[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    scope: dict = {}
    exec(compile(code, "docs/industry.md", "exec"), scope)
    manu = scope["res"].clusters.query("industry == 'C_manufacturing'")
    # Dadukou, Shapingba, Jiulongpo, as the page says
    assert manu["units"].tolist() == ["500104;500106;500107"]
    assert "Dadukou, Shapingba and Jiulongpo" in doc
