"""INSEE's 2020 aires d'attraction des villes (AAV) for Isère, with the census commuting flows.

Real agency data (see the README in this folder): the 2017 census commune-to-commune flows with
both ends in the Isère département, and INSEE's official AAV composition for every Isère
commune and every commune of an AAV that reaches into Isère. It checks the ``fr-aav`` preset on
published results: the pôle communes of the AAVs whose pôle lies in Isère are the cores, and the
couronne communes INSEE drew around them are the reference.

Examples
--------
>>> from metrocircle.datasets import fr_aav
>>> from metrocircle.delineate import delineate
>>> r = delineate("fr-aav", fr_aav.load_flows(), units=fr_aav.load_units(),
...               cores=fr_aav.load_cores(), params=fr_aav.PARAMS)
>>> cmp = fr_aav.compare_to_official(r.membership)
>>> round(cmp["recall"], 3), round(cmp["precision"], 3)
(0.897, 0.801)
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

FLOWS_FILE = "mobpro2017_isere_intra_flows.csv"
COMMUNES_FILE = "aav2020_communes_isere.csv"
DEPARTEMENT = "38"
#: INSEE's commune categories: 11 commune-centre, 12 other commune of the principal pôle,
#: 13 commune of a secondary pôle, 20 couronne, 30 outside every AAV.
POLE_CATEGORIES = ("11", "12", "13")
COURONNE = "20"
OUTSIDE = "000"
#: ``fr-aav`` without its contiguity and enclave steps: no commune boundaries ship here.
PARAMS = {"contiguity": False, "enclaves": False}


def path(name: str) -> str:
    """Path of one shipped file."""
    return str(resources.files(__name__).joinpath(name))


@cache
def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(path(name), dtype=str, keep_default_na=False, na_values=[])


def load_flows() -> pd.DataFrame:
    """Commuting flows of the 2017 census with both ends in Isère: ``origin`` (commune of
    residence), ``destination`` (commune of work), ``value`` (employed residents aged 15+,
    a weighted estimate); within-commune flows included. Flows leaving or entering Isère are
    not in the file, so a commune's total here is only its employed residents who work in
    Isère."""
    df = _read(FLOWS_FILE).rename(
        columns={"res_com": "origin", "work_com": "destination", "workers": "value"}
    )
    return df.astype({"value": "float64"}).copy()


def load_communes() -> pd.DataFrame:
    """INSEE's AAV 2020 composition (1 January 2020 communes): ``unit_id``, ``aav_code``
    (``000`` outside every AAV), ``aav_name``, ``category`` (11, 12, 13, 20 or 30),
    ``departement``, ``region``; every Isère commune and every commune of an AAV with a commune
    in Isère."""
    df = _read(COMMUNES_FILE).rename(
        columns={
            "CODGEO": "unit_id",
            "AAV2020": "aav_code",
            "LIBAAV2020": "aav_name",
            "CATEAAV2020": "category",
            "DEP": "departement",
            "REG": "region",
        }
    )
    return df.copy()


def aavs_with_pole_in_isere() -> list[str]:
    """Codes of the AAVs with at least one pôle commune in Isère (11: Grenoble, Roussillon,
    Saint-Marcellin, ...; Roussillon's and Le Pont-de-Beauvoisin's pôles reach into the
    neighbouring départements)."""
    c = load_communes()
    poles = c[c["category"].isin(POLE_CATEGORIES) & (c["departement"] == DEPARTEMENT)]
    return sorted(poles["aav_code"].unique())


def load_units() -> pd.DataFrame:
    """The 512 Isère communes: ``unit_id``, ``aav_code``, ``category`` (the official AAV,
    for reference only: a delineation reads ``unit_id``)."""
    c = load_communes()
    isere = c[c["departement"] == DEPARTEMENT]
    return isere[["unit_id", "aav_code", "category"]].reset_index(drop=True)


def load_cores() -> pd.DataFrame:
    """The pôle communes (categories 11, 12, 13) in Isère of the AAVs whose pôle is in Isère,
    as cores: ``unit_id``, ``area_id`` (the AAV code)."""
    u = load_units()
    poles = u[u["category"].isin(POLE_CATEGORIES) & u["aav_code"].isin(aavs_with_pole_in_isere())]
    return poles.rename(columns={"aav_code": "area_id"})[["unit_id", "area_id"]].reset_index(
        drop=True
    )


def judged() -> pd.DataFrame:
    """The Isère communes that flows inside Isère can judge: those of an AAV whose pôle is in
    Isère and those outside every AAV (405; the 107 drawn to Lyon, Chambéry and
    Romans-sur-Isère are left out), without the pôle communes themselves (the cores)."""
    u = load_units()
    keep = u["aav_code"].isin(aavs_with_pole_in_isere()) | (u["aav_code"] == OUTSIDE)
    return u[keep & ~u["category"].isin(POLE_CATEGORIES)].reset_index(drop=True)


def compare_to_official(membership: pd.DataFrame) -> dict[str, object]:
    """Recall and precision of the couronne communes of a delineation (``membership``:
    ``unit_id``, ``area_id`` = AAV code, ``status``; members are the couronne) against INSEE's
    couronne (category 20), over the communes :func:`judged` can judge.

    A commune counts as found when it is a member of its official AAV. Returns ``recall``,
    ``precision``, ``official`` (couronne communes judged), ``placed`` (judged communes the
    delineation makes members), ``agreeing``, and the codes ``missed`` (official couronne not
    placed in its AAV) and ``extra`` (placed, but not in that AAV's couronne).
    """
    j = judged().set_index("unit_id")
    official = j["aav_code"].where(j["category"] == COURONNE)
    m = membership.set_index(membership["unit_id"].astype(str))
    ours = m["area_id"].where(m["status"] == "member").reindex(j.index)
    ours = ours.astype(object).where(ours.notna(), None)
    off = official.astype(object).where(official.notna(), None)
    agree = ours.notna() & (ours == off)
    n_off, n_placed, n_agree = int(off.notna().sum()), int(ours.notna().sum()), int(agree.sum())
    return {
        "recall": n_agree / n_off if n_off else 0.0,
        "precision": n_agree / n_placed if n_placed else 0.0,
        "official": n_off,
        "placed": n_placed,
        "agreeing": n_agree,
        "missed": sorted(off.index[off.notna() & ~agree]),
        "extra": sorted(ours.index[ours.notna() & ~agree]),
    }


def shares_to_poles(flows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each commune's share of its Isère employed residents working in the Isère pôle communes
    of each AAV (``unit_id`` x AAV code), from :func:`load_flows` by default."""
    flows = load_flows() if flows is None else flows
    cores = load_cores().set_index("unit_id")["area_id"]
    residents = flows.groupby("origin")["value"].sum()
    to_pole = flows.assign(aav=flows["destination"].map(cores)).dropna(subset=["aav"])
    to_pole = to_pole[~to_pole["origin"].isin(cores.index)]
    table = to_pole.groupby(["origin", "aav"])["value"].sum().unstack(fill_value=0.0)
    return table.div(residents.reindex(table.index), axis=0).rename_axis(
        index="unit_id", columns=None
    )


def differences(membership: pd.DataFrame, *, threshold: float = 0.15) -> pd.DataFrame:
    """Every judged commune the delineation places differently from INSEE, with the measures
    and the cause the published method gives for INSEE's placement.

    Columns: ``unit_id``, ``official`` (AAV code of its couronne, or ``000``), ``ours`` (AAV the
    delineation puts it in, or ``000``), ``employed_residents`` (in the Isère flows),
    ``share_official`` and ``share_ours`` (shares of those residents working in the pôle of each),
    ``n_poles_15`` (Isère pôles drawing at least ``threshold``), ``cause`` and ``evidence``.

    Causes:

    ``enclave``
        INSEE's couronne, below ``threshold`` on Isère flows, in no aire here. The pôle lies
        wholly in Isère, so this share can only fall once the commune's workers outside Isère
        are counted: the commune is under 15 % on the census too, and the published method
        admits such a commune only as an enclave of the aire ("d'un seul tenant et sans
        enclave").
    ``iteration``
        INSEE's couronne of X, below ``threshold`` for X but at least ``threshold`` for another
        aire Y here: the method gives it to Y, and only its exclave-and-enclave iteration moves
        it to X (dropped from Y as not contiguous, then filled into X as an enclave).
    ``multi_pole``
        at least ``threshold`` for both X (INSEE's) and Y (here), Y's share the larger: the
        method's strongest tie gives Y; both pôles lie in Isère, so the missing flows cannot
        reverse the order: INSEE's X can come only from the same iteration, or from a
        tie-break its method note does not publish.
    ``flows_leaving_isere``
        outside every AAV for INSEE, at least ``threshold`` here: the share counts only the
        commune's workers in Isère, and falls under 15 % once those working elsewhere are
        counted; ``evidence`` gives the share of its workers that must work outside Isère for
        that.
    """
    j = judged().set_index("unit_id")
    official = j["aav_code"].where(j["category"] == COURONNE).fillna(OUTSIDE)
    m = membership.set_index(membership["unit_id"].astype(str))
    ours = m["area_id"].where(m["status"] == "member").reindex(j.index).astype(object)
    ours = ours.where(ours.notna(), OUTSIDE)
    shares = shares_to_poles().reindex(j.index).fillna(0.0)
    residents = load_flows().groupby("origin")["value"].sum().reindex(j.index).fillna(0.0)
    c = load_communes()
    poles = c[c["category"].isin(POLE_CATEGORIES)]
    beyond = set(poles.loc[poles["departement"] != DEPARTEMENT, "aav_code"])
    rows = []
    for unit in j.index[(official != ours).to_numpy()]:
        off, our = official[unit], ours[unit]
        s_off = float(shares.at[unit, off]) if off in shares.columns else np.nan
        s_our = float(shares.at[unit, our]) if our in shares.columns else np.nan
        n15 = int((shares.loc[unit] >= threshold).sum())
        if off == OUTSIDE:
            need = 1 - threshold / s_our
            cause = "flows_leaving_isere"
            evidence = (f"{s_our:.1%} of its Isère workers work in the pôle; under 15 % if "
                        f"{need:.0%} or more of all its workers work outside Isère")
            if our in beyond:
                evidence += " (less any who work in the pôle's part beyond Isère)"
        elif our == OUTSIDE:
            cause = "enclave"
            evidence = (f"{s_off:.1%} to the pôle of {off}, an upper bound of its census share: "
                        "admitted only as an enclave")
        elif s_off < threshold:
            cause = "iteration"
            evidence = (f"{s_our:.1%} to {our}, {s_off:.1%} to {off}: in {off} only if dropped "
                        f"from {our} as not contiguous and filled into {off} as an enclave")
        else:
            cause = "multi_pole"
            evidence = (f"{s_our:.1%} to {our}, {s_off:.1%} to {off}: the strongest pull gives "
                        f"{our}; {off} only through the contiguity iteration or an unpublished "
                        "tie-break")
        rows.append({
            "unit_id": unit, "official": off, "ours": our,
            "employed_residents": float(residents[unit]), "share_official": s_off,
            "share_ours": s_our, "n_poles_15": n15, "cause": cause, "evidence": evidence,
        })
    cols = ["unit_id", "official", "ours", "employed_residents", "share_official", "share_ours",
            "n_poles_15", "cause", "evidence"]
    return pd.DataFrame(rows, columns=cols)


__all__ = [
    "COURONNE",
    "OUTSIDE",
    "PARAMS",
    "POLE_CATEGORIES",
    "aavs_with_pole_in_isere",
    "compare_to_official",
    "differences",
    "judged",
    "load_communes",
    "load_cores",
    "load_flows",
    "load_units",
    "path",
    "shares_to_poles",
]
