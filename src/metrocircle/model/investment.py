"""Enterprise-investment records: registration or shareholding links between units.

One row is one investment relation, already located in units: the unit of the investing firm
(``investor``), the unit of the firm invested in (``investee``), and optionally how many
relations the row stands for (``count``, default 1), the subscribed capital (``capital``), the
investee's industry code (``industry``) and the year of the relation (``year``). Business
registers (e.g. shareholder tables of a national enterprise credit system, or a commercial
copy of it) give exactly this once the firms' addresses are geocoded to units; see the methods
survey, section 2.3, and :func:`metrocircle.strength.investment_network`.

Examples
--------
>>> import pandas as pd
>>> from metrocircle.model.investment import validate_investment
>>> records = pd.DataFrame({"investor": ["500103", "500103"], "investee": ["511602", "500103"],
...                         "capital": ["200", "50"], "industry": ["C", "J"]})
>>> validate_investment(records)
  investor investee  count  capital industry
0   500103   511602    1.0    200.0        C
1   500103   500103    1.0     50.0        J
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from metrocircle.exceptions import Problems
from metrocircle.model import validation as V

__all__ = [
    "CAPITAL",
    "COUNT",
    "INDUSTRY",
    "INVESTEE",
    "INVESTOR",
    "YEAR",
    "read_investment",
    "validate_investment",
]

INVESTOR = "investor"
INVESTEE = "investee"
COUNT = "count"
CAPITAL = "capital"
INDUSTRY = "industry"
YEAR = "year"
REQUIRED = (INVESTOR, INVESTEE)


def validate_investment(
    records: pd.DataFrame,
    *,
    universe: Collection[str] | None = None,
    external: Sequence[str] = (),
    source: str = "investment",
    line_offset: int | None = None,
    problems: Problems | None = None,
) -> pd.DataFrame:
    """Check investment records and return them clean.

    Returns ``investor, investee, count`` (1.0 per row when the table has no ``count``) and,
    when present, ``capital`` (float), ``industry`` (text; empty = not known) and ``year``
    (integer). Problems collected and raised once: missing columns, missing unit codes, codes
    not in ``universe`` (unless listed in ``external``), missing, non-numeric, negative or
    infinite ``count`` or ``capital``, and years that are not whole numbers. Rows are never
    dropped here; repeated rows are separate relations.
    """
    p, labels, ok = V._start(records, REQUIRED, source=source, line_offset=line_offset,
                             problems=problems,
                             hint=" (map yours with investor_col=, investee_col=)")
    if not ok:
        return records
    out = pd.DataFrame(index=pd.RangeIndex(len(records)))
    for col in REQUIRED:
        codes = V._codes(records, col, source, labels, p)
        out[col] = codes.mask(pd.Series(V._blank(records[col]), index=codes.index)).to_numpy()
    if COUNT in records.columns:
        out[COUNT] = V._numeric(records[COUNT], source, COUNT, labels, p).to_numpy()
    else:
        out[COUNT] = 1.0
    if CAPITAL in records.columns:
        out[CAPITAL] = V._numeric(records[CAPITAL], source, CAPITAL, labels, p).to_numpy()
    if INDUSTRY in records.columns:
        blank = V._blank(records[INDUSTRY])
        text = records[INDUSTRY].astype("string").str.strip()
        out[INDUSTRY] = text.where(~pd.Series(blank, index=text.index)).to_numpy()
    if YEAR in records.columns:
        years = V._numeric(records[YEAR], source, YEAR, labels, p, allow_missing=True)
        arr = years.to_numpy()
        frac = np.isfinite(arr) & (arr != np.floor(arr))
        if frac.any():
            p.add(source, f"column '{YEAR}' must hold whole years", labels(np.flatnonzero(frac)))
        out[YEAR] = pd.array(np.where(frac | ~np.isfinite(arr), np.nan, arr)).astype("Int64")
    V._unknown(out[INVESTOR], universe, source, INVESTOR, labels, p, external)
    V._unknown(out[INVESTEE], universe, source, INVESTEE, labels, p, external)
    V._raise_if_standalone(p, problems)
    return out


def read_investment(
    path: str | Path,
    *,
    investor_col: str = INVESTOR,
    investee_col: str = INVESTEE,
    count_col: str | None = None,
    capital_col: str | None = None,
    industry_col: str | None = None,
    year_col: str | None = None,
    universe: Collection[str] | None = None,
    external: Sequence[str] = (),
) -> pd.DataFrame:
    """Read investment records from a file, renaming your columns to the model's.

    Parameters
    ----------
    path
        CSV, Parquet, GeoJSON/GeoPackage (attributes only).
    investor_col, investee_col
        Columns with the unit codes of the investing firm and of the firm invested in.
    count_col, capital_col, industry_col, year_col
        Optional columns: relations per row, subscribed capital, the investee's industry code,
        the year. A column named like the model's (``count``, ``capital``, ...) is used
        without being mapped.
    universe, external
        Known unit codes; other codes are problems unless listed in ``external``.

    Examples
    --------
    >>> from metrocircle.model.investment import read_investment
    >>> records = read_investment("shareholders.csv", investor_col="holder_county",
    ...                           investee_col="firm_county", capital_col="subscribed_10k",
    ...                           industry_col="nace_section", year_col="year")  # doctest: +SKIP
    """
    from metrocircle.model.io import _rename, read_table

    path = Path(path)
    df, first_line = read_table(path, source=path.name)
    df = _rename(df, {INVESTOR: investor_col, INVESTEE: investee_col, COUNT: count_col,
                      CAPITAL: capital_col, INDUSTRY: industry_col, YEAR: year_col}, path.name)
    if "geometry" in df.columns:
        df = pd.DataFrame(df.drop(columns="geometry"))
    return validate_investment(df, universe=universe, external=external, source=path.name,
                               line_offset=first_line)
