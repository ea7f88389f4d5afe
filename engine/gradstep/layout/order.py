"""Phase 3, ordering: the order of the nodes within each layer (crossing reduction).

Papers: dot's mincross (Gansner et al., "A Technique for Drawing Directed Graphs",
IEEE TSE 1993, section 3: start orders by BFS, weighted-median sweeps alternately down
and up, each followed by transpose, keeping the best order seen); the median heuristic
is P. Eades, N. Wormald, "Edge Crossings in Drawings of Bipartite Graphs",
Algorithmica 11, 1994. Then sifting (Matuszewski et al., GD 1999; transpose.py) and,
for small graphs, seeded random restarts. DFS start orders are ours: they draw any
expression tree with no crossings at all. Tie edges are then untangled (ties.py);
for small graphs where that costs crossings (a network layer: inputs shared by
several neurons), the search runs again from every start with the ties kept
uncrossed throughout, and the better of the two orders is kept.

Pre-conditions: a ``Layered`` graph (chains.py) with its budget set.
Post-conditions: ``g.layers[r]`` lists layer r's vertices top to bottom, every vertex
exactly once; ``g.pos[v]`` is v's index; ``g.role`` the tie roles, and no two tie edges
cross; ``g.crossings`` the crossing count of the order. Deterministic: the same graph
gives the same order (restarts use a seeded generator).
"""

from __future__ import annotations

import random

from .crossings import set_pos, total_crossings
from .ties import tie_roles, untangle_ties
from .transpose import sift, transpose


def order_layers(g):
    """Order each layer and set ``g.layers`` and ``g.pos``.

    Like dot's mincross: several start orders with a few median/transpose
    iterations each, then up to 24 more from the best. Beyond dot, for graphs
    small enough (see ``Layered.effort``): DFS start orders (they suit
    expression trees), sifting after mincross, seeded random restarts, and the
    tie-aware second search."""
    n, up, down = g.n, g.up, g.down
    sinks = [v for v in range(n - 1, -1, -1) if not down[v]]  # the output first
    sources = [v for v in range(n) if not up[v]]
    # A DFS back from the sinks, following inputs in operand order, puts input 0
    # above input 1 and draws any tree with no crossings.
    starts = [dfs_layers(g, sinks, up)]
    effort = g.effort
    if effort:
        starts += [
            bfs_layers(g, sources, down, up),  # dot's two start orders
            bfs_layers(g, sinks, up, down),
            dfs_layers(g, sources, down),
        ]
    if effort >= 3:
        rng = random.Random(len(starts[0]))  # seeded: the same graph, the same drawing
        for k in range(6):
            shuffled = [layer[:] for layer in starts[k % 4]]
            for layer in shuffled:
                rng.shuffle(layer)
            starts.append(shuffled)
    # Starts as they were, for the second search below (mincross works in place).
    fresh = [[layer[:] for layer in layers] for layers in starts] if effort >= 3 else []
    best = None
    for layers in starts:
        if effort >= 2:  # each start gets the full treatment
            c = mincross(g, layers, g.mincross_iters)
            if c:
                sift(g, layers)
                c = total_crossings(g)
        else:
            c = mincross(g, layers, 4 if effort else g.mincross_iters)
        if best is None or c < best[0]:
            best = (c, [layer[:] for layer in layers])
        if c == 0:
            break
    c, layers = best
    g.layers = layers
    set_pos(g)
    if c and effort == 1:
        c = mincross(g, layers, g.mincross_iters)
        if c:
            # Sifting moves one node at a time to its best place in its layer
            # (transpose moves it only one step).
            sift(g, layers)
            c = total_crossings(g)
    # Tie edges may cross now; untangle them, then improve again with transpose
    # and sifting kept from crossing them anew.
    free = c
    g.role = tie_roles(g)
    if untangle_ties(g) and not c:
        c = total_crossings(g)  # (otherwise counted below)
    if c:
        transpose(g, layers, False)
        if effort:
            sift(g, layers)
        c = total_crossings(g)
    if effort >= 3 and c > free:
        # Untangling the ties cost crossings: search again with the ties kept
        # uncrossed from the start (median sweeps keep them so, transpose and
        # sifting are told to), from every start order; keep the best.
        for start in fresh:
            g.layers = start
            set_pos(g)
            untangle_ties(g)
            c2 = mincross(g, start, g.mincross_iters)
            if c2:
                sift(g, start)
                c2 = total_crossings(g)
            if c2 < c:
                c, layers = c2, [layer[:] for layer in start]
                if c <= free:
                    break
        g.layers = layers
        set_pos(g)
    g.crossings = c


def dfs_layers(g, starts, nbrs):
    """Layers filled in DFS preorder from ``starts`` along ``nbrs``: for a tree
    drawn from its root this order has no crossings at all."""
    seen = bytearray(g.count)
    layers: list[list[int]] = [[] for _ in range(g.nranks)]
    layer_of = g.layer_of
    for s in starts:
        if seen[s]:
            continue
        stack = [s]
        while stack:
            v = stack.pop()
            if seen[v]:
                continue
            seen[v] = 1
            layers[layer_of[v]].append(v)
            ns = nbrs[v]
            for k in range(len(ns) - 1, -1, -1):  # first neighbour on top
                if not seen[ns[k]]:
                    stack.append(ns[k])
    return layers


def bfs_layers(g, starts, first, second):
    """dot's start order (build_ranks): BFS over the graph taken as undirected."""
    seen = bytearray(g.count)
    layers: list[list[int]] = [[] for _ in range(g.nranks)]
    layer_of = g.layer_of
    for s in starts:
        if seen[s]:
            continue
        seen[s] = 1
        queue = [s]
        for v in queue:
            layers[layer_of[v]].append(v)
            for w in first[v]:
                if not seen[w]:
                    seen[w] = 1
                    queue.append(w)
            for w in second[v]:
                if not seen[w]:
                    seen[w] = 1
                    queue.append(w)
    return layers


def mincross(g, layers, iters):
    """dot's mincross loop: median sweeps alternately down and up, each followed
    by a transpose; the best order seen is left in ``layers`` (in place). Stops
    after 8 iterations without real progress (dot's MinQuit). Returns the
    crossing count."""
    g.layers = layers
    set_pos(g)
    best_c = total_crossings(g)
    if best_c == 0:
        return 0
    best = [layer[:] for layer in layers]
    up, down = g.up, g.down
    trying = 0
    for it in range(iters):
        if trying >= 8:
            break
        trying += 1
        # As dot: in two iterations of four, equal medians swap and transpose
        # does not; in the other two the reverse. That gets off plateaus.
        ties = it % 4 < 2
        if it % 2 == 0:
            for r in range(1, len(layers)):
                reorder(g, layers[r], up, ties)
        else:
            for r in range(len(layers) - 2, -1, -1):
                reorder(g, layers[r], down, ties)
        transpose(g, layers, not ties)
        c = total_crossings(g)
        if c <= best_c:
            if c < 0.995 * best_c:
                trying = 0
            best_c = c
            best = [layer[:] for layer in layers]
            if c == 0:
                break
    layers[:] = best
    set_pos(g)
    if best_c:
        transpose(g, layers, False)
        best_c = total_crossings(g)
    return best_c


def reorder(g, layer, nbrs, ties):
    """Sort a layer by the (weighted) median position of its neighbours in the
    fixed layer; a node with no such neighbours keeps its slot. With ``ties``,
    nodes with equal medians change places."""
    if len(layer) < 2:
        return
    pos = g.pos
    keyed = []
    fixed = []
    sign = -1 if ties else 1
    for i, v in enumerate(layer):
        ns = nbrs[v]
        k = len(ns)
        if k == 0:
            fixed.append(i)
            continue
        if k == 1:
            med = pos[ns[0]]
        else:
            ps = sorted([pos[w] for w in ns])
            m = k // 2
            if k % 2:
                med = ps[m]
            elif k == 2:
                med = (ps[0] + ps[1]) / 2
            else:  # Gansner et al.: weight toward the side where neighbours are denser
                lo, hi = ps[m - 1] - ps[0], ps[-1] - ps[m]
                med = (ps[m - 1] * hi + ps[m] * lo) / (lo + hi) if lo + hi else ps[m]
        keyed.append((med, sign * i, v))
    keyed.sort()
    if fixed:
        out = [-1] * len(layer)
        for i in fixed:
            out[i] = layer[i]
        it = iter(keyed)
        for i in range(len(out)):
            if out[i] < 0:
                out[i] = next(it)[2]
        layer[:] = out
    else:
        layer[:] = [kv[2] for kv in keyed]
    for i, v in enumerate(layer):
        pos[v] = i
