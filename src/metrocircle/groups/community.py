"""Community detection on a flow matrix: Leiden (directed modularity) and Infomap.

Both work on ``FlowMatrix`` and return one integer label per unit. Whether the diagonal
(flows that stay inside a unit, ``T_ii``) enters is a parameter, ``self_loops``; the default
is to leave it out (see ``docs/groups.md``): in commuting matrices the diagonal is often more
than half of all flows, and in the modularity null model it inflates the degree of every
self-contained unit, so such units would refuse to join any group.
"""

from __future__ import annotations

import numpy as np

from metrocircle.exceptions import require
from metrocircle.groups._network import FlowMatrix


def _weights(fm: FlowMatrix, self_loops: bool) -> np.ndarray:
    w = fm.matrix.copy()
    if not self_loops:
        np.fill_diagonal(w, 0.0)
    return w


def directed_modularity(
    matrix: np.ndarray, labels: np.ndarray, *, resolution: float = 1.0, self_loops: bool = False
) -> float:
    """Directed modularity ``Q = (1/m) Σ_ij [A_ij − γ k_i^out k_j^in / m] δ(c_i, c_j)``.

    ``m`` is the total weight, ``k^out``/``k^in`` the row/column sums of ``A``. With
    ``self_loops=False`` the diagonal of ``matrix`` is left out of ``A`` first.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], float)
    >>> directed_modularity(a, np.array([0, 0, 1, 1]))
    0.5
    """
    a = np.asarray(matrix, dtype=float).copy()
    if not self_loops:
        np.fill_diagonal(a, 0.0)
    m = a.sum()
    if m <= 0:
        return 0.0
    _, lab = np.unique(labels, return_inverse=True)
    g = lab.max() + 1
    onehot = np.zeros((a.shape[0], g))
    onehot[np.arange(a.shape[0]), lab] = 1.0
    inside = np.diag(onehot.T @ a @ onehot)
    out = onehot.T @ a.sum(axis=1)
    inn = onehot.T @ a.sum(axis=0)
    return float((inside - resolution * out * inn / m).sum() / m)


def leiden_labels(
    fm: FlowMatrix,
    *,
    resolution: float = 1.0,
    self_loops: bool = False,
    random_state: int = 0,
    n_iterations: int = -1,
) -> np.ndarray:
    """Leiden (Traag et al. 2019) maximising directed modularity with resolution ``γ``.

    Uses ``leidenalg.RBConfigurationVertexPartition`` on a directed weighted igraph graph,
    whose quality is the directed modularity above (γ = 1 is plain modularity).
    ``n_iterations=-1`` iterates until the partition no longer changes.
    """
    ig = require("igraph", "graph")
    la = require("leidenalg", "graph")
    w = _weights(fm, self_loops)
    i, j = np.nonzero(w)
    g = ig.Graph(n=fm.n, edges=list(zip(i.tolist(), j.tolist(), strict=True)), directed=True)
    g.es["weight"] = w[i, j].tolist()
    part = la.find_partition(
        g,
        la.RBConfigurationVertexPartition,
        weights="weight",
        resolution_parameter=float(resolution),
        seed=int(random_state),
        n_iterations=int(n_iterations),
    )
    return np.asarray(part.membership, dtype=np.int64)


def infomap_labels(
    fm: FlowMatrix,
    *,
    self_loops: bool = False,
    random_state: int = 0,
    num_trials: int = 10,
    teleportation_probability: float = 0.15,
) -> np.ndarray:
    """Two-level Infomap (map equation, Rosvall & Bergstrom 2008) on the directed flows.

    Directed flow model with unrecorded teleportation to links (Infomap's default for
    ``directed``); the best of ``num_trials`` runs from seed ``random_state`` is kept.
    """
    infomap = require("infomap", "graph")
    w = _weights(fm, self_loops)
    im = infomap.Infomap()
    for k in range(fm.n):
        im.add_node(k)
    i, j = np.nonzero(w)
    for a, b, v in zip(i.tolist(), j.tolist(), w[i, j].tolist(), strict=True):
        im.add_link(a, b, v)
    # keyword arguments, which every infomap >= 2.10 accepts (``options=`` came later)
    im.run(
        two_level=True,
        directed=True,
        seed=max(1, int(random_state) + 1),  # Infomap needs a positive seed
        num_trials=int(num_trials),
        teleportation_probability=float(teleportation_probability),
        no_self_links=not self_loops,
        silent=True,
    )
    modules = dict(im.get_modules())  # node -> module, in every infomap >= 2.10
    labels = np.array([modules.get(k, -1) for k in range(fm.n)], dtype=np.int64)
    # A node Infomap left out (no links) is its own group.
    lonely = np.flatnonzero(labels < 0)
    labels[lonely] = labels.max(initial=0) + 1 + np.arange(lonely.size)
    return labels
