"""Local moves of the ordering phase: transpose and sifting.

Papers: transpose is dot's (Gansner et al., "A Technique for Drawing Directed
Graphs", IEEE TSE 1993, section 3, figure 3-3: swap neighbours while that lowers the
crossings). Sifting is C. Matuszewski, R. Schönfeld, P. Molitor, "Using Sifting for
k-Layer Straightline Crossing Minimization", Graph Drawing 1999: move one node at a
time to its best slot in its layer, the crossings with both neighbouring layers
counted exactly.

Pre-conditions: ``g.layers``/``g.pos`` are an order; ``g.role`` the tie roles (ties.py)
or empty while ties are not yet enforced.
Post-conditions: ``layers`` is reordered in place and ``g.pos`` kept in step; the total
crossing count never goes up; with ``g.role`` set, no two tie edges come to cross.
"""

from __future__ import annotations

from .crossings import count_before, pair_crossings


def transpose(g, layers, ties):
    """dot's transpose: swap neighbours in a layer while that lowers the crossings
    around them (with ``ties``, also when it leaves them equal), rechecking only
    layers next to one that changed, until a pass gains nothing. Big graphs stop
    after ``transpose_passes`` passes."""
    up, down, pos, role = g.up, g.down, g.pos, g.role
    nl = len(layers)
    cand = [len(layer) > 1 for layer in layers]
    for _ in range(g.transpose_passes):
        gain = 0
        nxt = [False] * nl
        for r in range(nl):
            if not cand[r]:
                continue
            layer = layers[r]
            # Neighbour positions, sorted; fixed while this layer is worked on.
            pu = [sorted([pos[w] for w in up[v]]) for v in layer]
            pd = [sorted([pos[w] for w in down[v]]) for v in layer]
            changed = False
            for i in range(len(layer) - 1):
                au, bu, ad, bd = pu[i], pu[i + 1], pd[i], pd[i + 1]
                c0 = c1 = 0  # crossings as they are, and if swapped
                if au and bu:
                    if len(au) == 1 and len(bu) == 1:  # the common case, inline
                        if au[0] > bu[0]:
                            c0 = 1
                        elif au[0] < bu[0]:
                            c1 = 1
                    else:
                        c0 = pair_crossings(au, bu)
                        c1 = pair_crossings(bu, au)
                if ad and bd:
                    if len(ad) == 1 and len(bd) == 1:
                        if ad[0] > bd[0]:
                            c0 += 1
                        elif ad[0] < bd[0]:
                            c1 += 1
                    else:
                        c0 += pair_crossings(ad, bd)
                        c1 += pair_crossings(bd, ad)
                if role and role[layer[i]] & role[layer[i + 1]]:
                    continue  # would cross two tie edges
                if c0 and (c1 < c0 or (ties and c1 == c0)):
                    u, v = layer[i], layer[i + 1]
                    layer[i], layer[i + 1] = v, u
                    pos[u], pos[v] = i + 1, i
                    pu[i], pu[i + 1] = bu, au
                    pd[i], pd[i + 1] = bd, ad
                    gain += c0 - c1
                    changed = True
            if changed:
                nxt[r] = True
                if r:
                    nxt[r - 1] = True
                if r + 1 < nl:
                    nxt[r + 1] = True
        if gain < 1:
            break
        cand = [c and len(layers[r]) > 1 for r, c in enumerate(nxt)]


def sift(g, layers, passes=4):
    """Sifting: take each node out of its layer and put it back where the
    crossings with both neighbouring layers are fewest. Exact for the moved
    node, so the total only goes down. O(layer size^2) per layer: small graphs."""
    up, down, pos, role = g.up, g.down, g.pos, g.role
    nl = len(layers)
    for p in range(passes):
        gain = 0
        rng = range(nl) if p % 2 == 0 else range(nl - 1, -1, -1)
        for r in rng:
            layer = layers[r]
            m = len(layer)
            if m < 2:
                continue
            n_up = len(layers[r - 1]) if r else 0
            n_dn = len(layers[r + 1]) if r + 1 < nl else 0
            nu = {v: [pos[w] for w in up[v]] for v in layer}
            nd = {v: [pos[w] for w in down[v]] for v in layer}
            for v in sorted(layer, key=lambda x: -len(up[x]) - len(down[x])):
                vu, vd = nu[v], nd[v]
                if not vu and not vd:
                    continue
                # lt[b]: how many of v's neighbours sit before position b.
                lt_u = count_before(vu, n_up)
                lt_d = count_before(vd, n_dn)
                du, dd = len(vu), len(vd)
                i = layer.index(v)
                others = layer[:i] + layer[i + 1 :]
                # Cost with v first, then the change as v steps past each other.
                cost = 0
                steps = []
                for w in others:
                    below = above = 0  # v above w / w above v
                    for b in nu[w]:
                        below += du - lt_u[b + 1]
                        above += lt_u[b]
                    for b in nd[w]:
                        below += dd - lt_d[b + 1]
                        above += lt_d[b]
                    cost += below
                    steps.append(above - below)
                # Slots v may take: all, or (keeping tie edges uncrossed) those
                # between the nearest nodes sharing a tie role with it.
                lo, hi = 0, m - 1
                if role and role[v]:
                    for k in range(i - 1, -1, -1):
                        if role[others[k]] & role[v]:
                            lo = k + 1
                            break
                    for k in range(i, m - 1):
                        if role[others[k]] & role[v]:
                            hi = k
                            break
                best_k, best_cost, cur_cost = -1, 0, cost
                for k in range(m):
                    if k == i:
                        cur_cost = cost
                    if lo <= k <= hi and (best_k < 0 or cost < best_cost):
                        best_k, best_cost = k, cost
                    if k < m - 1:
                        cost += steps[k]
                if best_cost < cur_cost:
                    others.insert(best_k, v)
                    layer[:] = others
                    for k, x in enumerate(layer):
                        pos[x] = k
                    gain += cur_cost - best_cost
        if not gain:
            break
