"""Multi-source fusion of link layers into one connection index (methods survey section 2.4).

Each layer ``k`` (commuting, signaling trips, investment, passengers, freight, gravity) is a
long link table. The layers are aligned on the union of their pairs (a pair a layer does not
list has 0 in it), normalised, weighted and summed::

    S_ij = sum_k w_k * x~_ij^k

Normalisations (``normalise=``), recorded in the result:

* ``"total"``: ``x~_ij = X_ij / sum_ij X_ij`` (share of the layer's total; SEU patent [S8]);
* ``"row"``: ``x~_ij = X_ij / sum_j X_ij`` (share of the origin's total; membership style);
* ``"minmax"``: ``(X_ij - min) / (max - min)`` over the pairs.

Weights (``weights=``): the entropy weight method (熵值法 [S28]), AHP (principal eigenvector of
a 1-9 pairwise comparison matrix, with Saaty's consistency ratio), their combination
``w = alpha w_AHP + (1 - alpha) w_entropy``, or a dict of user weights.

Entropy weights, with ``n`` pairs (objects) and ``m`` layers (indicators)::

    p_ij = x'_ij / sum_i x'_ij
    e_j  = -(1 / ln n) sum_i p_ij ln p_ij      (0 ln 0 := 0)
    d_j  = 1 - e_j
    w_j  = d_j / sum_j d_j

Every layer keeps its label: a :class:`~metrocircle.model.layers.FlowLayer` (or a table with
``kind`` and ``source`` columns) brings its ``kind`` and ``source`` into ``info["layers"]`` and
:meth:`FusionResult.layer_table`, so that every output built on the index can say which layers
were observed and which modelled; a bare table without them is recorded as unlabelled
(``None``), never guessed.

``x'`` is the normalised layer, shifted by ``epsilon`` (default 0: zeros are handled by
``0 ln 0 := 0``; a small positive ``epsilon`` such as 1e-4 reproduces papers that shift every
value before taking logarithms). A layer that is constant over the pairs has ``e = 1`` and
weight 0; a layer that is 0 everywhere after normalisation carries no information and gets
``e = 1`` too.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import xlogy

from metrocircle.exceptions import InputError, MetrocircleWarning, ParameterError, Problems
from metrocircle.model import schema as S
from metrocircle.model.layers import FlowLayer
from metrocircle.model.validation import as_text_column
from metrocircle.strength._links import STRENGTH, check_choice, check_float, clean_links

log = logging.getLogger(__name__)

NORMALISATIONS = ("total", "row", "minmax")
WEIGHT_METHODS = ("entropy", "ahp", "combined")
RESERVED = {S.ORIGIN, S.DESTINATION, STRENGTH}

#: Saaty's random consistency index RI by matrix size n (Saaty 1980; n = 1, 2 are always
#: consistent). The survey's values for 3..9 plus the usual 1.49 for 10.
SAATY_RI = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}


@dataclass
class AHPResult:
    """Weights and consistency of an AHP pairwise comparison matrix."""

    weights: np.ndarray
    lambda_max: float
    ci: float
    ri: float
    cr: float

    def as_dict(self, names: list[str] | None = None) -> dict[str, Any]:
        w = self.weights.tolist()
        return {
            "weights": dict(zip(names, w, strict=True)) if names else w,
            "lambda_max": self.lambda_max,
            "ci": self.ci,
            "ri": self.ri,
            "cr": self.cr,
        }


@dataclass
class FusionResult:
    """Result of :func:`fuse`.

    Attributes
    ----------
    links
        ``origin, destination``, one column per layer (its normalised value) and ``strength``
        (the fused index).
    weights
        ``{layer: weight}``, summing to 1.
    info
        Normalisation, weight method, entropy ``e`` and ``d`` per layer, AHP consistency,
        counts of pairs, and ``layers``: the ``kind``, ``source`` and ``note`` of each layer.
    """

    links: pd.DataFrame
    weights: dict[str, float]
    info: dict[str, Any] = field(default_factory=dict)

    def layer_table(self) -> pd.DataFrame:
        """One row per layer: ``layer, kind, source, weight, pairs, note``."""
        labels = self.info.get("layers", {})
        listed = self.info.get("pairs_listed_per_layer", {})
        rows = [{"layer": name, "kind": labels.get(name, {}).get("kind"),
                 "source": labels.get(name, {}).get("source"), "weight": w,
                 "pairs": listed.get(name), "note": labels.get(name, {}).get("note", "")}
                for name, w in self.weights.items()]
        return pd.DataFrame(rows, columns=["layer", "kind", "source", "weight", "pairs", "note"])


def entropy_weights(
    matrix: np.ndarray, *, epsilon: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entropy weights of the columns (indicators) of an ``n x m`` non-negative matrix.

    Parameters
    ----------
    matrix
        Rows are objects (here: pairs of units), columns indicators (layers); values >= 0 and
        already oriented so that larger is stronger.
    epsilon
        Added to every value before the shares are taken (0: none; ``0 ln 0 := 0``).

    Returns
    -------
    weights, e, d
        ``w_j``, the entropy ``e_j`` and the divergence ``d_j = 1 - e_j`` of every column.

    Examples
    --------
    >>> import numpy as np
    >>> w, e, d = entropy_weights(np.array([[1.0, 2.0], [1.0, 0.0]]))
    >>> w.round(6).tolist(), e.round(6).tolist()
    ([0.0, 1.0], [1.0, 0.0])
    """
    x = np.asarray(matrix, dtype=float)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 1:
        raise ParameterError(
            "The 'matrix' parameter of entropy_weights must be 2-D with at least 2 rows "
            f"(objects) and 1 column. Got shape {x.shape}."
        )
    if not np.isfinite(x).all() or (x < 0).any():
        raise ParameterError(
            "The 'matrix' parameter of entropy_weights must hold finite values >= 0."
        )
    epsilon = check_float(epsilon, "epsilon", "entropy_weights", low=0.0)
    if epsilon:
        x = x + epsilon
    n = x.shape[0]
    col = x.sum(axis=0)
    p = np.divide(x, col, out=np.zeros_like(x), where=col > 0)
    plogp = xlogy(p, p)  # p ln p with 0 ln 0 = 0, in one vectorised pass
    e = np.where(col > 0, -plogp.sum(axis=0) / np.log(n), 1.0)
    e = np.clip(e, 0.0, 1.0) + 0.0  # rounding can push a constant column above 1; no -0.0
    d = 1.0 - e
    if d.sum() <= 0:
        warnings.warn(
            "entropy weights: no indicator varies over the objects (every e_j = 1); "
            "equal weights are used",
            MetrocircleWarning,
            stacklevel=2,
        )
        w = np.full(x.shape[1], 1.0 / x.shape[1])
    else:
        w = d / d.sum()
    return w, e, d


def ahp_weights(matrix: np.ndarray | pd.DataFrame | list) -> AHPResult:
    """AHP weights (principal eigenvector) and Saaty's consistency of a comparison matrix.

    ``CI = (lambda_max - n) / (n - 1)``, ``CR = CI / RI(n)`` with Saaty's random index
    (:data:`SAATY_RI`). The matrix must be square, positive and reciprocal
    (``a_ji = 1 / a_ij``, ones on the diagonal), at most 10 x 10.

    Examples
    --------
    >>> r = ahp_weights([[1, 3], [1 / 3, 1]])
    >>> r.weights.round(4).tolist(), r.cr
    ([0.75, 0.25], 0.0)
    """
    return _ahp(matrix, "The 'matrix' parameter of ahp_weights")


def _ahp(matrix: np.ndarray | pd.DataFrame | list, what: str) -> AHPResult:
    try:
        a = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError) as err:
        raise ParameterError(f"{what} must be a square matrix of numbers.") from err
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] < 1:
        raise ParameterError(f"{what} must be a square matrix. Got shape {a.shape}.")
    n = a.shape[0]
    if n > max(SAATY_RI):
        raise ParameterError(
            f"{what} must be at most {max(SAATY_RI)} x "
            f"{max(SAATY_RI)} (Saaty's random index). Got {n} x {n}."
        )
    if not np.isfinite(a).all() or (a <= 0).any():
        raise ParameterError(f"{what} must hold positive finite judgements (1-9 scale).")
    if not np.allclose(np.diag(a), 1.0) or not np.allclose(a * a.T, 1.0, rtol=1e-3):
        raise ParameterError(
            f"{what} must be reciprocal: ones on the diagonal and a_ji = 1 / a_ij."
        )
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    lam = float(values[k].real)
    v = np.abs(vectors[:, k].real)
    w = v / v.sum()
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    ri = SAATY_RI[n]
    cr = ci / ri if ri > 0 else 0.0
    return AHPResult(w, lam, float(ci), float(ri), float(cr))


def _normalise(x: np.ndarray, origin: np.ndarray, how: str) -> np.ndarray:
    """Normalise one layer's values over the pairs; a zero denominator gives 0."""
    if how == "total":
        s = x.sum()
        return x / s if s > 0 else np.zeros_like(x)
    if how == "row":
        totals = np.bincount(origin, weights=x)
        den = totals[origin]
        return np.divide(x, den, out=np.zeros_like(x), where=den > 0)
    lo, hi = x.min(), x.max()
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


def _layer_label(table: Any, name: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The link table of a layer and its label (kind, source, note)."""
    if isinstance(table, FlowLayer):
        return table.flows, {"kind": table.kind, "source": table.source, "note": table.note}
    label: dict[str, Any] = {"kind": None, "source": None, "note": ""}
    if isinstance(table, pd.DataFrame):
        for col in (S.KIND, S.SOURCE):
            if col in table.columns:
                vals = table[col].dropna().astype(str).str.strip().str.lower().unique()
                allowed = S.LAYER_KINDS if col == S.KIND else S.LAYER_SOURCES
                if len(vals) > 1 or (len(vals) == 1 and vals[0] not in allowed):
                    raise InputError(
                        f"{name}: column '{col}' must hold one of {', '.join(allowed)}, the "
                        f"same for the whole layer; got {', '.join(map(str, vals))}"
                    )
                label[col] = vals[0] if len(vals) else None
    return table, label


def fuse(
    layers: Mapping[str, pd.DataFrame | FlowLayer],
    *,
    normalise: str = "total",
    weights: str | Mapping[str, float] = "entropy",
    ahp_matrix: np.ndarray | pd.DataFrame | None = None,
    alpha: float = 0.5,
    epsilon: float = 0.0,
    cr_max: float = 0.10,
    allow_inconsistent: bool = False,
) -> FusionResult:
    """Fuse several link layers into one connection index ``S_ij = sum_k w_k x~_ij^k``.

    Parameters
    ----------
    layers
        ``{name: table}``; each table has ``origin, destination`` and ``value`` (or
        ``strength``, e.g. the output of :func:`~metrocircle.strength.gravity`), or is a
        labelled :class:`~metrocircle.model.layers.FlowLayer`. Pairs of a unit with itself are
        left out (counted in ``info``).
    normalise
        ``"total"``, ``"row"`` or ``"minmax"`` (see the module notes).
    weights
        ``"entropy"``, ``"ahp"`` (needs ``ahp_matrix``), ``"combined"``
        (``alpha w_AHP + (1 - alpha) w_entropy``) or ``{layer: weight}`` (non-negative,
        rescaled to sum 1).
    ahp_matrix
        Pairwise comparison matrix in the order of ``layers`` (or a DataFrame whose index and
        columns are the layer names).
    alpha
        Share of the AHP weights in ``"combined"``, in [0, 1].
    epsilon
        Shift of the entropy method (see :func:`entropy_weights`).
    cr_max, allow_inconsistent
        An AHP matrix with ``CR >= cr_max`` (0.10, Saaty) is an error unless
        ``allow_inconsistent=True`` (then recorded in ``info``).

    Returns
    -------
    FusionResult

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "A"], "value": [3.0, 1.0]})
    >>> b = pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "A"], "value": [1.0, 1.0]})
    >>> res = fuse({"commuting": a, "freight": b})
    >>> res.weights
    {'commuting': 1.0, 'freight': 0.0}
    >>> res.links
      origin destination  commuting  freight  strength
    0      A           B       0.75      0.5      0.75
    1      B           A       0.25      0.5      0.25
    """
    if not isinstance(layers, Mapping) or not layers:
        raise ParameterError(
            "The 'layers' parameter of fuse must be a non-empty dict {name: link table}."
        )
    names = list(layers)
    bad_names = [n for n in names if not isinstance(n, str) or not n or n in RESERVED]
    if bad_names:
        raise ParameterError(
            "The 'layers' parameter of fuse must have non-empty names other than "
            f"{sorted(RESERVED)}. Got {bad_names!r}."
        )
    normalise = check_choice(normalise, "normalise", "fuse", NORMALISATIONS)
    alpha = check_float(alpha, "alpha", "fuse", low=0.0, high=1.0)
    cr_max = check_float(cr_max, "cr_max", "fuse", low=0.0, low_open=True)
    user_weights: dict[str, float] | None = None
    if isinstance(weights, Mapping):
        user_weights = _user_weights(weights, names)
        method = "user"
    else:
        method = check_choice(weights, "weights", "fuse", WEIGHT_METHODS)
        if method in ("ahp", "combined") and ahp_matrix is None:
            raise ParameterError(
                f"The 'ahp_matrix' parameter of fuse is required with weights={method!r}."
            )

    tables, labels = {}, {}
    for name in names:
        tables[name], labels[name] = _layer_label(layers[name], name)
    p = Problems()
    clean = {name: clean_links(tables[name], source=name, problems=p) for name in names}
    p.raise_if_any()

    # Align the layers on the union of their pairs with integer codes: one factorisation of
    # every code (sorted, so the pairs come out ordered by origin, destination), then integer
    # keys origin * n + destination. Strings are never compared pair by pair.
    ends = [col for t in clean.values() for col in (t[S.ORIGIN], t[S.DESTINATION])]
    every = pd.concat(ends, ignore_index=True) if ends else pd.Series([], dtype=object)
    codes_all, uniques = pd.factorize(every, sort=True)
    self_pairs = {}
    layer_keys = []
    layer_values = []
    at = 0
    for name in names:
        m = len(clean[name])
        o = codes_all[at : at + m].astype(np.int64)
        d = codes_all[at + m : at + 2 * m].astype(np.int64)
        at += 2 * m
        off = o != d
        self_pairs[name] = int((~off).sum())
        layer_keys.append(o[off] * len(uniques) + d[off])
        layer_values.append(clean[name][S.VALUE].to_numpy(dtype=float)[off])
    # codes that occur only in pairs of a unit with itself are not units of the fused index
    used = np.zeros(len(uniques), dtype=bool)
    for k in layer_keys:
        used[k // max(len(uniques), 1)] = True
        used[k % max(len(uniques), 1)] = True
    n_codes = len(uniques)
    # sorted unique keys, and where each layer's pairs sit among them (one stable argsort)
    every_key = np.concatenate(layer_keys) if layer_keys else np.zeros(0, np.int64)
    order = np.argsort(every_key, kind="stable")
    ranked = every_key[order]
    first = np.r_[True, ranked[1:] != ranked[:-1]] if len(ranked) else np.zeros(0, bool)
    key = ranked[first]
    slot = np.empty(len(every_key), dtype=np.int64)
    slot[order] = np.cumsum(first) - 1
    if len(key) < 2:
        raise InputError("fuse needs at least two pairs of different units across the layers")
    po = (key // n_codes).astype(np.int64)
    pd_ = (key % n_codes).astype(np.int64)
    pairs = pd.DataFrame(
        {
            S.ORIGIN: as_text_column(pd.Series(uniques.take(po))),
            S.DESTINATION: as_text_column(pd.Series(uniques.take(pd_))),
        }
    )
    norm = np.zeros((len(key), len(names)))
    listed = {}
    at = 0
    for j, name in enumerate(names):
        m = len(layer_keys[j])
        norm[slot[at : at + m], j] = layer_values[j]
        at += m
        listed[name] = int(m)
    for j in range(len(names)):  # in place: the raw values are not kept
        norm[:, j] = _normalise(norm[:, j], po, normalise)

    info: dict[str, Any] = {
        "normalise": normalise,
        "weights_method": method,
        "pairs": int(len(pairs)),
        "units": int(used.sum()),
        "pairs_listed_per_layer": listed,
        "self_pairs_skipped": self_pairs,
        "missing_pair_value": 0.0,
        "layers": labels,
    }
    w_entropy = w_ahp = None
    if method in ("entropy", "combined"):
        w_entropy, e, d = entropy_weights(norm, epsilon=epsilon)
        info["entropy"] = {
            "epsilon": float(epsilon),
            "e": dict(zip(names, e.tolist(), strict=True)),
            "d": dict(zip(names, d.tolist(), strict=True)),
            "weights": dict(zip(names, w_entropy.tolist(), strict=True)),
        }
    if method in ("ahp", "combined"):
        assert ahp_matrix is not None
        a = ahp_matrix
        if isinstance(a, pd.DataFrame):
            if set(map(str, a.index)) != set(names) or set(map(str, a.columns)) != set(names):
                raise ParameterError(
                    f"The 'ahp_matrix' parameter of fuse must be labelled with the layer names "
                    f"{names}. Got index {list(a.index)}, columns {list(a.columns)}."
                )
            a = a.loc[names, names]
        try:
            a = np.asarray(a, dtype=float)
        except (TypeError, ValueError) as err:
            raise ParameterError(
                "The 'ahp_matrix' parameter of fuse must be a square matrix of numbers."
            ) from err
        if a.shape != (len(names), len(names)):
            raise ParameterError(
                f"The 'ahp_matrix' parameter of fuse must be {len(names)} x {len(names)} (one "
                f"row and column per layer, in the order {names}). Got shape {a.shape}."
            )
        ahp = _ahp(a, "The 'ahp_matrix' parameter of fuse")
        info["ahp"] = ahp.as_dict(names) | {"cr_max": cr_max, "accepted": ahp.cr < cr_max}
        if ahp.cr >= cr_max:
            if not allow_inconsistent:
                raise ParameterError(
                    f"The 'ahp_matrix' parameter of fuse must be consistent (CR < {cr_max:g}). "
                    f"Got CR = {ahp.cr:.4f} (CI = {ahp.ci:.4f}, lambda_max = "
                    f"{ahp.lambda_max:.4f}); revise the judgements or pass "
                    "allow_inconsistent=True."
                )
            log.warning("AHP matrix accepted with CR = %.4f >= %g", ahp.cr, cr_max)
        w_ahp = ahp.weights
    if method == "entropy":
        w = w_entropy
    elif method == "ahp":
        w = w_ahp
    elif method == "combined":
        assert w_ahp is not None and w_entropy is not None
        w = alpha * w_ahp + (1 - alpha) * w_entropy
        info["alpha"] = alpha
    else:
        assert user_weights is not None
        w = np.array([user_weights[n] for n in names])
        info["user_weights_given"] = {n: float(weights[n]) for n in names}  # type: ignore[index]
    assert w is not None
    strength = norm @ w
    columns = {S.ORIGIN: pairs[S.ORIGIN].array, S.DESTINATION: pairs[S.DESTINATION].array}
    columns.update({name: norm[:, j] for j, name in enumerate(names)})
    columns[STRENGTH] = strength
    links = pd.DataFrame(columns)
    wd = {n: float(x) for n, x in zip(names, w, strict=True)}
    info["weights"] = wd
    return FusionResult(links=links, weights=wd, info=info)


def _user_weights(weights: Mapping[str, float], names: list[str]) -> dict[str, float]:
    keys = set(weights)
    if keys != set(names):
        raise ParameterError(
            f"The 'weights' parameter of fuse must give a weight for each layer {names} and "
            f"no other. Got {sorted(map(str, keys))}."
        )
    vals = {}
    for n in names:
        vals[n] = check_float(weights[n], f"weights[{n!r}]", "fuse", low=0.0)
    total = sum(vals.values())
    if total <= 0:
        raise ParameterError("The 'weights' parameter of fuse must not be all zero.")
    return {n: v / total for n, v in vals.items()}
