"""Tie edges: an op node and its result value node are drawn level, side by side.

Paper: none; a constraint of our own on top of dot's mincross (Gansner et al., IEEE
TSE 1993, section 3). A *tie* is an edge u -> v where u has one way out and v one way
in, both real nodes: every op -> result edge is one (and a leaf -> unary op edge when
the leaf has one use). Two ties between the same layers must not cross, or the
placement phase could not keep both straight.

Pre-conditions: ``g.layers``/``g.pos`` are an order (order.py, before this step).
Post-conditions: ``tie_roles`` is pure; after ``untangle_ties`` no two tie edges cross,
and transpose/sifting (given ``g.role``) never swap two nodes with a common tie role,
so they stay uncrossed.
"""

from __future__ import annotations

from .crossings import gap_crossings


def tie_roles(g):
    """Per vertex: 1 if it is the tail of a tie edge, 2 if the head, 3 if both."""
    n, up, down = g.n, g.up, g.down
    role = bytearray(g.count)
    for u in range(n):
        ds = down[u]
        if len(ds) == 1 and ds[0] < n and len(up[ds[0]]) == 1:
            role[u] |= 1
            role[ds[0]] |= 2
    return role


def untangle_ties(g):
    """Make tie edges (an op node -> its result) not cross each other, so every
    op node can sit level with its result. Where two do, put the tied nodes of
    one of the two layers, in the slots they hold, in the order of their
    partners; of the two ways keep the one with fewer crossings. Median sweeps
    keep ties uncrossed (a tied node's median is its partner's place); transpose
    and sifting are then kept from swapping two nodes with the same tie role.
    Returns whether anything moved."""
    layers, role, up, down, pos = g.layers, g.role, g.up, g.down, g.pos
    moved = False
    for r in range(len(layers) - 1):
        tails = [u for u in layers[r] if role[u] & 1]
        if len(tails) < 2 or all(
            pos[down[a][0]] < pos[down[b][0]] for a, b in zip(tails, tails[1:], strict=False)
        ):
            continue
        heads = [v for v in layers[r + 1] if role[v] & 2]
        ways = [(r + 1, heads, lambda v: pos[up[v][0]])]
        # Layers are done left to right: reordering the tails is allowed only when
        # none of them heads a tie edge from the layer before (already untangled).
        if not any(role[u] & 2 for u in tails):
            ways.append((r, tails, lambda u: pos[down[u][0]]))
        options = []
        for k, movers, key in ways:
            layer = layers[k][:]
            slots = [i for i, x in enumerate(layer) if x in set(movers)]
            for i, x in zip(slots, sorted(movers, key=key), strict=True):
                layer[i] = x
            options.append((k, layer))
        saved = {k: layers[k] for k in (r, r + 1)}
        best = None
        for k, layer in options:
            layers[k] = layer
            for i, x in enumerate(layer):
                pos[x] = i
            c = sum(gap_crossings(g, q) for q in (r - 1, r, r + 1))
            if best is None or c < best[0]:
                best = (c, k, layer)
            layers[k] = saved[k]
            for i, x in enumerate(saved[k]):
                pos[x] = i
        _, k, layer = best
        layers[k] = layer
        for i, x in enumerate(layer):
            pos[x] = i
        moved = True
    return moved

