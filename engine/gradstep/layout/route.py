"""Phase 5, routing: the columns of the layers, the node boxes and the edge polylines.

Paper: the polylines are Sugiyama et al.'s (IEEE SMC 1981): an edge runs through its
dummy nodes, here a pair of bend points at each layer it passes (in and out of the
column), straight where it runs on level. No splines (dot's ``dotsplines.c``): the
page draws these points. The gaps between columns follow dot's ranksep, widened
for steep edges and for the local-derivative labels the page puts on input edges.

Pre-conditions: a placed ``Layered`` graph (position.py: ``y``, ``o_end``); ``rank`` the
real nodes' layers; ``sizes`` each node's (width, height).
Post-conditions: every layer's column is as thick as its thickest node and the gap
in front of it at least RANK_SEP (LABEL_RANK_SEP or more in front of a layer with
input edges, LR only), so columns are disjoint; each node is centred in its column;
each edge's ``points`` go from the source's outgoing side to the target's incoming
side, never backwards, with an even number of points (at most two per layer passed).
"""

from __future__ import annotations

from .sizes import (
    EDGE_LABEL_CLEAR,
    EDGE_LABEL_HEIGHT,
    EDGE_LABEL_WIDTH,
    LABEL_COLUMNS,
    LABEL_RANK_SEP,
    MARGIN,
    RANK_SEP,
    RANK_SEP_EXTRA,
    RANK_SEP_SLOPE,
)


def draw(g, nodes: list[dict], edges: list[dict], rank: list[int], sizes, direction: str) -> dict:
    """The finished drawing: ``{"nodes", "edges", "width", "height", "direction"}``."""
    lr = direction == "LR"
    nranks = g.nranks
    # Extent of each node along the rank axis (layer thickness).
    r_ext = [w if lr else h for w, h in sizes]
    label_gap = _label_gaps(g, edges, nodes, rank, nranks) if lr else None
    left, thick = _rank_positions(g, r_ext, label_gap)

    # Node boxes. A node is centred in its layer's column.
    y = g.y
    rc = [left[r] + thick[r] / 2 for r in rank]  # centre along the rank axis
    out_nodes = []
    for nd, c, o, (w, h) in zip(nodes, rc, y, sizes, strict=False):  # y has dummies too
        x0, y0 = (c - w / 2, o - h / 2) if lr else (o - w / 2, c - h / 2)
        out_nodes.append({**nd, "x": x0, "y": y0, "width": w, "height": h})

    out_edges = []
    layer_of = g.layer_of
    for e, chain in zip(edges, g.chains, strict=True):
        s, t = chain[0], chain[-1]
        pts = [[rc[s] + r_ext[s] / 2, y[s]]]
        dummies = chain[1:-1]
        last = len(dummies) - 1
        for k, d in enumerate(dummies):
            # A dummy level with both neighbours adds nothing to the drawn line: skip
            # it (a long straight edge, or a shared trunk, stays a few points).
            if 0 < k < last and y[dummies[k - 1]] == y[d] == y[dummies[k + 1]]:
                continue
            r = layer_of[d]
            pts.append([left[r], y[d]])
            if thick[r] > 0:
                pts.append([left[r] + thick[r], y[d]])
        pts.append([rc[t] - r_ext[t] / 2, y[t]])
        if not lr:
            pts = [[b, a] for a, b in pts]
        out_edges.append({**e, "points": pts})

    r_end = left[-1] + thick[-1] + MARGIN if nranks else 2 * MARGIN
    o_end = g.o_end + MARGIN
    width, height = (r_end, o_end) if lr else (o_end, r_end)
    return {
        "nodes": out_nodes,
        "edges": out_edges,
        "width": width,
        "height": height,
        "direction": direction,
    }


def _label_gaps(g, edges, nodes, rank, nranks) -> list[float]:
    """The least gap in front of each layer, for the labels the page puts on input
    edges (into op nodes; LR only: in TB a label's height fits any gap).

    One label fits between the columns (LABEL_RANK_SEP). Where many labels would
    crowd one place (several edges whose last stretch has its middle within a
    label's height of each other: a node used many times, a busy layer), the gap
    holds several side by side, up to LABEL_COLUMNS."""
    gaps = [0.0] * nranks
    band = EDGE_LABEL_HEIGHT + 4.0
    counts: list[dict[int, int]] = [{} for _ in range(nranks)]
    y = g.y
    for e, chain in zip(edges, g.chains, strict=True):
        t = chain[-1]
        if e.get("input") is None and nodes[t].get("kind") != "op":
            continue
        r = rank[t]
        mid = (y[chain[-2]] + y[t]) / 2
        c = counts[r]
        k = int(mid // band)
        c[k] = c.get(k, 0) + 1
    for r, c in enumerate(counts):
        if c:
            crowd = max(c.values())
            cols = min(LABEL_COLUMNS, max(1, crowd))
            gaps[r] = LABEL_RANK_SEP + (cols - 1) * (EDGE_LABEL_WIDTH + 2 * EDGE_LABEL_CLEAR + 6.0)
    return gaps


def _rank_positions(
    g, r_ext: list[float], least_gap: list[float] | None = None
) -> tuple[list[float], list[float]]:
    """Left side and thickness of every layer's column along the rank axis;
    ``least_gap[r]``: the least gap in front of layer r (room for edge labels)."""
    nranks, n = g.nranks, g.n
    thick = [0.0] * nranks
    for v in range(n):
        r = g.layer_of[v]
        if r_ext[v] > thick[r]:
            thick[r] = r_ext[v]
    # Steep edges get a little more room: the gap after layer r grows with the largest
    # vertical drop of an edge segment between layers r and r+1.
    drop = [0.0] * nranks
    y, layer_of = g.y, g.layer_of
    for v in range(g.count):
        r = layer_of[v]
        for w in g.down[v]:
            d = abs(y[w] - y[v])
            if d > drop[r]:
                drop[r] = d
    left = [0.0] * nranks
    x = MARGIN
    for r in range(nranks):
        left[r] = x
        gap = RANK_SEP + min(RANK_SEP_EXTRA, RANK_SEP_SLOPE * drop[r])
        if least_gap is not None and r + 1 < nranks and least_gap[r + 1] > gap:
            gap = least_gap[r + 1]
        x += thick[r] + gap
    return left, thick
