"""Shortest-path betweenness and bounded reach, compiled (numba) on a CSR adjacency.

igraph's betweenness (C) spent 4-8 ms per source on the borough's 16,000-person component
(~95,000 arcs) and ~0.6 s per source at region size: the two largest shares of the second core
(bridges' 500 sampled pivots, the disruption targets' 50 sampled adults at each of 10 steps).
The same accumulation compiled here, on vertices renumbered for locality (reverse
Cuthill-McKee: neighbours get nearby numbers, so a search touches few cache lines), takes a
fraction of that (benchmarks/results/share-2026-11-30-session5.md) and gives the same values as
igraph up to the order floating-point sums are taken in (tests/test_network_brandes.py).

It also takes an ``alive`` mask, so that the disruption targets' sequential removal searches the
same adjacency at every step instead of rebuilding one per removed person.
"""

from __future__ import annotations

import threading

import igraph as ig
import numpy as np
import scipy.sparse as sp

from ._igraph import adjacency

_KERNELS: dict = {}
# Held while the kernels are loaded. The app forks a child with this lock held by the forking
# thread (graphmap.app.forked), so no fork happens while numba is loading: a child would find
# numba's own compiler lock taken for ever.
LOAD_LOCK = threading.Lock()


def _compiled():
    """The numba kernels, loaded on first use (compiled once, then cached on disk: a later
    process imports numba and loads their machine code, about 0.45 s here)."""
    if _KERNELS:
        return _KERNELS
    with LOAD_LOCK:
        if not _KERNELS:
            _KERNELS.update(_load())
    return _KERNELS


def preload() -> None:
    """Load the kernels now, so that a process forked later finds them loaded: the app's second
    core (a child per window) otherwise loaded them again for every window (0.45-0.65 s)."""
    _compiled()


def _load() -> dict:
    import numba

    @numba.njit(cache=True, nogil=True)
    def accumulate(ptr, ind, sources, is_target, alive):  # pragma: no cover (compiled)
        # Brandes (2001): a breadth-first search from each source counting shortest paths
        # (sigma), then dependencies summed back in reverse order of distance. A vertex's
        # dependency counts only paths that end at a target (Brandes 2008, "source/target
        # betweenness"); endpoints get nothing.
        n = len(ptr) - 1
        bc = np.zeros(n)
        sigma = np.zeros(n)
        delta = np.zeros(n)
        dist = np.full(n, -1, np.int32)
        order = np.empty(n, np.int32)
        for s in sources:
            if not alive[s]:
                continue
            sigma[s] = 1.0
            dist[s] = 0
            order[0] = s
            head = 0
            tail = 1
            while head < tail:
                v = order[head]
                head += 1
                dv = dist[v] + 1
                sv = sigma[v]
                for k in range(ptr[v], ptr[v + 1]):
                    w = ind[k]
                    if dist[w] < 0:
                        if not alive[w]:
                            continue
                        dist[w] = dv
                        order[tail] = w
                        tail += 1
                    if dist[w] == dv:
                        sigma[w] += sv
            for j in range(tail - 1, 0, -1):
                w = order[j]
                coeff = ((1.0 if is_target[w] else 0.0) + delta[w]) / sigma[w]
                dw = dist[w] - 1
                for k in range(ptr[w], ptr[w + 1]):
                    v = ind[k]
                    if dist[v] == dw:
                        delta[v] += sigma[v] * coeff
                bc[w] += delta[w]
            for j in range(tail):
                w = order[j]
                sigma[w] = 0.0
                delta[w] = 0.0
                dist[w] = -1
        return bc

    @numba.njit(cache=True, nogil=True)
    def within(ptr, ind, seeds, alive, hops):  # pragma: no cover (compiled)
        # One breadth-first search from every seed at once, `hops` deep, through living vertices.
        n = len(ptr) - 1
        dist = np.full(n, -1, np.int32)
        order = np.empty(n, np.int32)
        tail = 0
        for s in seeds:
            if alive[s] and dist[s] < 0:
                dist[s] = 0
                order[tail] = s
                tail += 1
        head = 0
        while head < tail:
            v = order[head]
            head += 1
            if dist[v] >= hops:
                continue
            for k in range(ptr[v], ptr[v + 1]):
                w = ind[k]
                if dist[w] < 0 and alive[w]:
                    dist[w] = dist[v] + 1
                    order[tail] = w
                    tail += 1
        return dist >= 0

    # One call of each on a two-vertex graph, with the argument types of every real call (see
    # Searcher), so each one's machine code is loaded here, under the lock, not on first use.
    ptr, ind = np.array([0, 1, 2], dtype=np.int64), np.array([1, 0], dtype=np.int32)
    alive, src = np.ones(2, dtype=np.bool_), np.zeros(1, dtype=np.int64)
    accumulate(ptr, ind, src, alive.copy(), alive)
    within(ptr, ind, src, alive, 1)
    return {"accumulate": accumulate, "within": within}


class Searcher:
    """A graph's adjacency, renumbered for locality, for repeated searches.

    Vertex ids in and out are the graph's own (igraph's ``0..n-1``); the renumbering is internal.
    """

    def __init__(self, g: ig.Graph | sp.csr_array):
        from scipy.sparse.csgraph import reverse_cuthill_mckee

        A = adjacency(g) if isinstance(g, ig.Graph) else sp.csr_array(g)
        self.n = A.shape[0]
        # new vertex k is old vertex perm[k]; pos[old] = new
        self.perm = np.asarray(reverse_cuthill_mckee(sp.csr_matrix(A), symmetric_mode=True), dtype=np.int64)
        self.pos = np.empty(self.n, dtype=np.int64)
        self.pos[self.perm] = np.arange(self.n)
        B = sp.csr_array(A[self.perm][:, self.perm])
        B.sort_indices()
        self.ptr = B.indptr.astype(np.int64)
        self.ind = B.indices.astype(np.int32)
        self.alive = np.ones(self.n, dtype=np.bool_)

    def remove(self, v: int) -> None:
        """Searches no longer enter vertex ``v`` (a graph id)."""
        self.alive[self.pos[v]] = False

    def counts(self, sources, targets=None) -> np.ndarray:
        """For each vertex, the shortest paths from each of ``sources`` to each of ``targets``
        (a boolean mask over vertices, or ``None`` for all) that pass through it, each path
        weighted by 1 / (the number of shortest paths between its ends): ordered pairs, so on an
        undirected graph every pair of sources counts twice. Twice igraph's ``betweenness``
        with the same sources and targets."""
        k = _compiled()
        is_t = np.ones(self.n, dtype=np.bool_) if targets is None else np.asarray(targets, dtype=np.bool_)[self.perm]
        src = self.pos[np.asarray(sources, dtype=np.int64)]
        return k["accumulate"](self.ptr, self.ind, src, is_t, self.alive)[self.pos]

    def within(self, seeds, hops: int) -> np.ndarray:
        """Boolean mask: the living vertices within ``hops`` of a living vertex of ``seeds``."""
        src = self.pos[np.asarray(seeds, dtype=np.int64)]
        return _compiled()["within"](self.ptr, self.ind, src, self.alive, int(hops))[self.pos]
