"""Phase 2, long-edge chains: every edge longer than one layer becomes a chain of
dummy nodes, one per layer it passes, so the ordering and placement phases see a
*proper* layered graph (each edge joins adjacent layers).

Paper: Sugiyama, Tagawa, Toda, IEEE SMC 1981 (the proper hierarchy), as dot does it
(Gansner et al., IEEE TSE 1993, section 3: "virtual nodes"). The trunk sharing for
huge fan-outs is Graphviz's ``concentrate`` idea (Eppstein, Goodrich, Meng,
"Confluent Layered Drawings", 2004, in its simplest form: one trunk per source).

Pre-conditions: ``rank`` from ``rank.py`` (every edge at least 1 long).
Post-conditions: a ``Layered`` graph: vertices ``0..n-1`` are the real nodes, ``n..``
the dummies, each dummy with exactly one neighbour up (``up[d]``) and, unless it is a
shared trunk's, one down; ``up[v]``/``down[v]`` list neighbours in the layer before and
after, once per edge (parallel edges repeat); ``chains[k]`` is edge k's vertices from
source to target. Past BUNDLE_DUMMIES dummies, the long edges of one source share a
trunk and their chains keep only where they join and leave it, so the size stays
linear. Also sets the work budget of the later phases (``budget``).
"""

from __future__ import annotations

# Above this many dummy nodes, long edges from one source share them.
BUNDLE_DUMMIES = 100_000


def budget(size: int) -> tuple[int, int, int]:
    """(mincross iterations, transpose passes per iteration, placement sweeps).

    ``size`` is nodes + dummies + edges of the layered graph. dot uses up to 24
    mincross iterations; a pure-Python sweep costs about 1 us per node and edge, so
    big graphs get fewer to stay well under a second in CPython (Pyodide is 2-3x
    slower). Expression graphs are nearly trees, whose DFS start order is already
    crossing-free, so the loss is small.
    """
    if size <= 6_000:
        return 24, 1000, 12  # as dot: transpose runs until it gains nothing
    if size <= 30_000:
        return 8, 4, 8
    if size <= 120_000:
        return 4, 2, 6
    if size <= 400_000:
        return 2, 1, 2
    return 0, 1, 2  # the DFS order, one transpose pass


class Layered:
    """The proper layered graph, and what the later phases add to it: ``layers`` and
    ``pos`` (order.py), ``y`` and ``o_end`` (position.py)."""

    def __init__(self, n: int, rank: list[int], nranks: int, src: list[int], tgt: list[int]):
        self.n = n
        self.nranks = nranks
        self.layer_of = rank[:]
        up: list[list[int]] = [[] for _ in range(n)]
        down: list[list[int]] = [[] for _ in range(n)]
        layer_of = self.layer_of
        chains = []
        v_count = n
        # One leaf used all along a long graph (`x += y` ten thousand times) would need
        # a dummy per layer per edge: quadratic. Past a budget, the long edges of one
        # source share a trunk of dummies and branch off where they end (Graphviz's
        # `concentrate`); smaller graphs keep one chain per edge, as dot draws them.
        spans = sum(max(0, rank[t] - rank[s] - 1) for s, t in zip(src, tgt, strict=True))
        bundle = spans > BUNDLE_DUMMIES
        trunks: dict[int, list[int]] = {}
        for s, t in zip(src, tgt, strict=True):
            span = rank[t] - rank[s] - 1  # layers the edge passes
            if bundle:
                trunk = trunks.setdefault(s, [])
                prev = trunk[-1] if trunk else s
                need = range(rank[s] + 1 + len(trunk), rank[t])
            else:
                trunk = []
                prev = s
                need = range(rank[s] + 1, rank[t])
            for r in need:
                d = v_count
                v_count += 1
                layer_of.append(r)
                up.append([prev])
                down.append([])
                down[prev].append(d)
                trunk.append(d)
                prev = d
            if bundle and span > 0:
                # A bundled edge keeps only where it joins and leaves the trunk (its
                # drawing runs straight between them): listing every trunk dummy for
                # every edge would be quadratic again.
                prev = trunk[span - 1]
                chain = [s, trunk[0], prev, t] if span > 1 else [s, prev, t]
            else:
                chain = [s, *trunk, t]
            down[prev].append(t)
            up[t].append(prev)
            chains.append(chain)
        self.count = v_count
        self.up, self.down, self.chains = up, down, chains
        self.n_edges = sum(len(ds) for ds in down)
        size = v_count + self.n_edges
        self.mincross_iters, self.transpose_passes, self.sweeps = budget(size)
        # How hard to work on crossings: 3 (tiny: restarts), 2 (small: every start
        # order gets mincross + sifting), 1 (dot's schedule + sifting), 0 (one DFS
        # start, capped mincross). Sifting costs O(layer size^2).
        self.role = b""  # tie roles: none while searching freely (see order.py)
        self.effort = 3 if size <= 400 else 2 if size <= 1_200 else 1 if size <= 3_500 else 0
        self.layers: list[list[int]] = []
        self.pos: list[int] = []
        self.y: list[float] = []
        self.o_end = 0.0
        self.crossings = 0
