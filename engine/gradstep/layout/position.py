"""Phase 4, coordinate assignment: each vertex's position within its layer (``y`` in
the LR drawing; x is fixed by the layer, see route.py).

Paper: not Brandes & Köpf. The objective is dot's (Gansner et al., IEEE TSE 1993,
section 4: minimise sum w(e) * |y(u) - y(v)| with long edges weighted most, their
Omega factors 1, 2, 8), taken quadratic and solved the way Sugiyama et al.'s priority
layout (IEEE SMC 1981) works: sweeps over the layers, each layer placed given its
neighbours. Each layer's step is solved exactly (order kept, least gaps kept) as a
weighted isotonic regression by pool-adjacent-violators (M. Ayer et al., Ann. Math.
Statist. 26, 1955; Best & Chakravarti, Math. Programming 47, 1990). Tied op/result
pairs (ties.py) are blocks, as in Brandes & Köpf's vertical alignment, that share a
y-centre.

Pre-conditions: an ordered ``Layered`` graph (order.py: ``layers``, ``pos``, ``role``);
``o_ext[v]``: each real node's extent within its layer (its height in LR).
Post-conditions: ``g.y[v]``: every vertex's centre; in each layer the order is kept and
neighbours are at least their half-extents plus NODE_SEP (EDGE_SEP between dummies)
apart, so no boxes overlap; the ends of an uncrossed tie edge share a y; the top edge
is at MARGIN; ``g.o_end`` is the bottom edge. O(sweeps * (V + E)).
"""

from __future__ import annotations

from .sizes import EDGE_SEP, MARGIN, NODE_SEP

# Placement weights, as in dot's priority method: long edges (dummy to dummy) pull
# hardest, so they run straight; a follower in a tied block pulls harder still.
_W_REAL, _W_MIXED, _W_DUMMY = 1.0, 2.0, 8.0
_W_FOLLOW = 1e6
_W_IDLE = 1e-3  # a node with no neighbours on the side looked at keeps its place


def place(g, o_ext):
    """Centre of each vertex within its layer (``g.y``), and ``g.o_end``."""
    n, count, up, down = g.n, g.count, g.up, g.down
    layers = g.layers
    ext = o_ext + [0.0] * (count - n)  # dummies are points

    # Blocks: an edge u -> v with u's only out-edge and v's only in-edge (both real
    # nodes) ties them to one y. Every op -> result-value edge is such an edge, and
    # so is a leaf -> unary op edge when the leaf has one use.
    nxt = [-1] * count
    prv = [-1] * count
    for u in range(n):
        ds = down[u]
        if len(ds) == 1 and ds[0] < n and len(up[ds[0]]) == 1:
            nxt[u] = ds[0]
            prv[ds[0]] = u
    # Keep a block only if its edges do not cross another block's edge between the
    # same two layers: crossing blocks cannot both be straight.
    for layer in layers:
        last = -1
        for u in layer:
            v = nxt[u]
            if v >= 0:
                if g.pos[v] > last:
                    last = g.pos[v]
                else:
                    nxt[u] = prv[v] = -1

    # Each block's neighbours outside it, with weights, on each side; stored at the
    # block's head (its leftmost vertex). Dummies (one neighbour each side, never
    # in a block) are handled inline in the sweeps.
    head = list(range(count))
    nb_up: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    nb_dn: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for v in range(n):
        if prv[v] >= 0:
            continue
        a, b = nb_up[v], nb_dn[v]
        w = v
        while w >= 0:
            head[w] = v
            for x in up[w]:
                if x != prv[w]:
                    a.append((x, _W_MIXED if x >= n else _W_REAL))
            for x in down[w]:
                if x != nxt[w]:
                    b.append((x, _W_MIXED if x >= n else _W_REAL))
            w = nxt[w]

    # Offsets: the least distance between centres of consecutive vertices, summed.
    offsets = []
    for layer in layers:
        off = [0.0] * len(layer)
        acc = 0.0
        for i in range(1, len(layer)):
            a, b = layer[i - 1], layer[i]
            sep = EDGE_SEP if (a >= n and b >= n) else NODE_SEP
            acc += (ext[a] + ext[b]) / 2 + sep
            off[i] = acc
        offsets.append(off)

    _room_for_ties(g, offsets)

    # Start with every layer packed and centred on 0.
    y = g.y = [0.0] * count
    for layer, off in zip(layers, offsets, strict=True):
        if layer:
            mid = off[-1] / 2
            for v, o in zip(layer, off, strict=True):
                y[v] = o - mid

    # Sweeps: first one-sided (inputs only, then consumers only), then both sides.
    # The last sweep runs right to left, so every op node follows its result value
    # node exactly where nothing is in the way.
    sweeps = g.sweeps
    plan = [(True, "up"), (False, "down")]
    while len(plan) < sweeps:
        plan += [(True, "both"), (False, "both")]
    for forward, side in plan:
        use_up, use_dn = side != "down", side != "up"
        follow = prv if forward else nxt

        def desire(v, follow=follow, use_up=use_up, use_dn=use_dn):
            """Where v would like to be, and how hard it pulls: (y, weight)."""
            if v >= n:  # a dummy: straight between its two neighbours
                acc = tot = 0.0
                if use_up:
                    x = up[v][0]
                    w = _W_DUMMY if x >= n else _W_MIXED
                    acc, tot = w * y[x], w
                if use_dn:
                    x = down[v][0]
                    w = _W_DUMMY if x >= n else _W_MIXED
                    acc += w * y[x]
                    tot += w
                return acc / tot, tot
            f = follow[v]
            if f >= 0:  # follows its block, already placed in this sweep
                return y[f], _W_FOLLOW
            h = head[v]
            acc = tot = 0.0
            if use_up:
                for x, w in nb_up[h]:
                    acc += w * y[x]
                    tot += w
            if use_dn:
                for x, w in nb_dn[h]:
                    acc += w * y[x]
                    tot += w
            return (acc / tot, tot) if tot else (y[v], _W_IDLE)

        for r in range(len(layers)) if forward else range(len(layers) - 1, -1, -1):
            layer = layers[r]
            if len(layer) == 1:  # nothing to keep apart: go straight there
                y[layer[0]] = desire(layer[0])[0]
                continue
            pulls = [desire(v) for v in layer]
            _pava(layer, [d for d, _ in pulls], [w for _, w in pulls], offsets[r], y)

    # The follower weight leaves a block's members a hair apart; make them equal
    # where that is (within rounding) what the solver found.
    for v in range(count):
        u = prv[v]
        if u >= 0 and abs(y[v] - y[u]) < 0.5:
            y[v] = y[u]

    # Shift so the top edge sits at the margin.
    top = min((y[v] - ext[v] / 2 for v in range(count)), default=0.0)
    shift = MARGIN - top
    for v in range(count):
        y[v] += shift
    g.o_end = max((y[v] + ext[v] / 2 for v in range(count)), default=MARGIN)


def _room_for_ties(g, offsets):
    """Widen least gaps so that tied nodes (op node and result) can be level:
    between two tie edges, each of the two layers must leave as much room as
    the other needs (an op layer can hold edges that pass its neighbours
    elsewhere). Gaps only grow; a few passes both ways settle chains of ties."""
    role, down, pos, layers = g.role, g.down, g.pos, g.layers
    if not role:
        return
    tie_gaps = [r for r in range(len(layers) - 1) if any(role[u] & 1 for u in layers[r])]
    for k in range(6):
        changed = False
        for r in tie_gaps if k % 2 == 0 else reversed(tie_gaps):
            top, bottom = offsets[r], offsets[r + 1]
            # Tie edges do not cross, so their ends go down both layers together;
            # widen lazily (a widening moves everything below it) in one pass.
            grow_top: dict[int, float] = {}
            grow_bottom: dict[int, float] = {}
            add_top = add_bottom = 0.0
            prev = None
            for u in layers[r]:
                if not role[u] & 1:
                    continue
                i, j = pos[u], pos[down[u][0]]
                a, b = top[i] + add_top, bottom[j] + add_bottom
                if prev is not None:
                    need = (b - prev[1]) - (a - prev[0])
                    if need > 1e-9:
                        grow_top[i] = grow_top.get(i, 0.0) + need
                        add_top += need
                        a += need
                    elif need < -1e-9:
                        grow_bottom[j] = grow_bottom.get(j, 0.0) - need
                        add_bottom -= need
                        b -= need
                prev = (a, b)
            for off, grow in ((top, grow_top), (bottom, grow_bottom)):
                if grow:
                    changed = True
                    acc = 0.0
                    for idx in range(len(off)):
                        acc += grow.get(idx, 0.0)
                        off[idx] += acc
        if not changed:
            break


def _pava(layer, des, wts, off, y):
    """Place one layer: minimise sum w_i (y_i - des_i)^2 keeping the order and the
    least gaps (y_{i+1} - y_i >= off_{i+1} - off_i). With z_i = y_i - off_i it is
    weighted isotonic regression of des_i - off_i, solved exactly in O(n) by
    pool-adjacent-violators."""
    bw: list[float] = []  # per pool: total weight, weighted sum, size
    bs: list[float] = []
    bn: list[int] = []
    for i in range(len(layer)):
        w = wts[i]
        s = w * (des[i] - off[i])
        c = 1
        while bw and bs[-1] * w > s * bw[-1]:  # previous pool's mean > this one's
            w += bw.pop()
            s += bs.pop()
            c += bn.pop()
        bw.append(w)
        bs.append(s)
        bn.append(c)
    i = 0
    for w, s, c in zip(bw, bs, bn, strict=True):
        z = s / w
        for k in range(i, i + c):
            y[layer[k]] = z + off[k]
        i += c
