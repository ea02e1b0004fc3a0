"""The shipped Chongqing example as an activity table: 2020 census employment by industry."""

from __future__ import annotations

from typing import Any

import pandas as pd

from metrocircle.industry._table import activity_matrix

MEASURE = (
    "employed persons by industry section (GB/T 4754, 20 sections A-T), 2020 census long form "
    "(a 10 % sample, by place of residence); use shares, not absolute jobs"
)
REFERENCE_CODES = ("500000", "510000")


def chongqing_activity() -> tuple[pd.DataFrame, pd.Series, dict[str, Any]]:
    """Employment by industry of the 58 study units, and the Chongqing + Sichuan reference.

    The units are those of :func:`metrocircle.datasets.chongqing.load_units` (38 Chongqing
    county-level units, Guang'an's 6 counties, 14 other Sichuan prefectures). The reference is
    the sum of the two province rows of the census (500000 Chongqing, 510000 Sichuan). Industry
    names drop the ``ind_`` prefix (``C_manufacturing``). Blank census cells are sections with
    nobody in them (README) and are read as 0; ``info`` counts them.

    Returns
    -------
    table
        Wide activity matrix (index ``unit_id``, 20 industry columns).
    reference
        Industry totals of Chongqing + Sichuan.
    info
        ``measure``, ``source``, counts of rows used and left out with reasons.

    Examples
    --------
    >>> from metrocircle.industry import chongqing_activity
    >>> table, reference, info = chongqing_activity()
    >>> table.shape
    (58, 20)
    """
    from metrocircle.datasets import chongqing

    census = chongqing.load_census()
    units = chongqing.load_units()
    cols = [c for c in census.columns if c.startswith("ind_") and c != "ind_total"]
    rename = {c: c[len("ind_") :] for c in cols}
    wanted = set(units["unit_id"])
    sel = census[census["code"].isin(wanted)]
    table = activity_matrix(
        sel[["code", *cols]].rename(columns=rename),
        unit_col="code",
        units=units["unit_id"].tolist(),
        missing="zero",
        source="census_2020.csv",
    )
    ref_rows = census[census["code"].isin(REFERENCE_CODES)]
    reference = ref_rows[cols].rename(columns=rename).fillna(0).astype("float64").sum()
    info: dict[str, Any] = {
        "measure": MEASURE,
        "source": "metrocircle.datasets.chongqing census_2020.csv (leiii/census, 7th census "
        "county yearbook)",
        "reference": "Chongqing (500000) + Sichuan (510000) province rows",
        "census_rows": int(len(census)),
        "rows_used": int(len(sel)),
        "rows_as_reference": int(len(ref_rows)),
        "rows_left_out": {
            "not a study unit (other counties, prefecture and city-district total rows)": int(
                len(census) - len(sel) - len(ref_rows)
            )
        },
        "blank_cells_as_zero": int(table.attrs.get("blank_cells_as_zero", 0)),
    }
    return table, reference, info
