"""Community detection on a flow matrix: Leiden (directed modularity) and Infomap.

Both work on ``FlowMatrix`` (sparse) and return one integer label per unit. Whether the
diagonal (flows that stay inside a unit, ``T_ii``) enters is a parameter, ``self_loops``; the
default is to leave it out (see ``docs/groups.md``): in commuting matrices the diagonal is often
more than half of all flows, and in the modularity null model it inflates the degree of every
self-contained unit, so such units would refuse to join any group.

The graph handed to ``leidenalg`` and ``infomap`` lists the flows in row-major order (origin,
then destination, as sorted unit indices), so a seed gives the same groups every time.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from metrocircle.exceptions import require
from metrocircle.groups._network import FlowMatrix, as_sparse


def _edges(fm: FlowMatrix, self_loops: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Origins, destinations and values of the non-zero flows, row-major."""
    coo = fm.matrix.tocoo()
    keep = coo.data != 0
    if not self_loops:
        keep &= coo.row != coo.col
    i, j, w = coo.row[keep], coo.col[keep], coo.data[keep]
    order = np.lexsort((j, i))  # CSR is row-major already; this makes it certain
    return i[order].astype(np.int64), j[order].astype(np.int64), w[order]


def directed_modularity(
    matrix: np.ndarray | sparse.sparray | sparse.spmatrix,
    labels: np.ndarray,
    *,
    resolution: float = 1.0,
    self_loops: bool = False,
) -> float:
    """Directed modularity ``Q = (1/m) Σ_ij [A_ij − γ k_i^out k_j^in / m] δ(c_i, c_j)``.

    ``m`` is the total weight, ``k^out``/``k^in`` the row/column sums of ``A``. With
    ``self_loops=False`` the diagonal of ``matrix`` is left out of ``A`` first. ``matrix`` may
    be dense or scipy sparse; the work is ``O(non-zero flows + units)`` either way.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], float)
    >>> directed_modularity(a, np.array([0, 0, 1, 1]))
    0.5
    """
    coo = as_sparse(matrix).tocoo()
    row, col, data = coo.row, coo.col, coo.data
    if not self_loops:
        off = row != col
        row, col, data = row[off], col[off], data[off]
    m = float(data.sum())
    if m <= 0:
        return 0.0
    _, lab = np.unique(np.asarray(labels), return_inverse=True)
    g = int(lab.max()) + 1
    same = lab[row] == lab[col]
    inside = np.bincount(lab[row[same]], weights=data[same], minlength=g)
    out = np.bincount(lab[row], weights=data, minlength=g)
    inn = np.bincount(lab[col], weights=data, minlength=g)
    return float((inside - resolution * out * inn / m).sum() / m)


def leiden_graph(fm: FlowMatrix, *, self_loops: bool = False):  # noqa: ANN201 - igraph.Graph
    """The directed weighted igraph graph Leiden runs on (built once, reused for every seed)."""
    ig = require("igraph", "graph")
    i, j, w = _edges(fm, self_loops)
    g = ig.Graph(n=fm.n, edges=list(zip(i.tolist(), j.tolist(), strict=True)), directed=True)
    g.es["weight"] = w.tolist()
    return g


def leiden_labels(
    fm: FlowMatrix,
    *,
    resolution: float = 1.0,
    self_loops: bool = False,
    random_state: int = 0,
    n_iterations: int = -1,
    graph: object | None = None,
) -> np.ndarray:
    """Leiden (Traag et al. 2019) maximising directed modularity with resolution ``γ``.

    Uses ``leidenalg.RBConfigurationVertexPartition`` on a directed weighted igraph graph,
    whose quality is the directed modularity above (γ = 1 is plain modularity).
    ``n_iterations=-1`` iterates until the partition no longer changes. ``graph`` is the
    result of :func:`leiden_graph` for ``fm`` and ``self_loops``, when it is already built.
    """
    la = require("leidenalg", "graph")
    g = leiden_graph(fm, self_loops=self_loops) if graph is None else graph
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
    links: list[tuple[int, int, float]] | None = None,
) -> np.ndarray:
    """Two-level Infomap (map equation, Rosvall & Bergstrom 2008) on the directed flows.

    Directed flow model with unrecorded teleportation to links (Infomap's default for
    ``directed``); the best of ``num_trials`` runs from seed ``random_state`` is kept.
    ``links`` is the result of :func:`infomap_links` for ``fm`` and ``self_loops``, when it is
    already built.
    """
    infomap = require("infomap", "graph")
    im = infomap.Infomap()
    for k in range(fm.n):
        im.add_node(k)
    for a, b, v in infomap_links(fm, self_loops=self_loops) if links is None else links:
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


def infomap_links(fm: FlowMatrix, *, self_loops: bool = False) -> list[tuple[int, int, float]]:
    """The ``(origin, destination, value)`` links Infomap is given, row-major."""
    i, j, w = _edges(fm, self_loops)
    return list(zip(i.tolist(), j.tolist(), w.tolist(), strict=True))
