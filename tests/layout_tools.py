"""Tools to judge a layout, for the tests and the benchmark only (not shipped: nothing
in engine/ imports this).

``count_crossings`` counts the crossings of a finished drawing from its geometry, ours
or Graphviz's alike; ``to_dot`` / ``parse_dot_plain`` / ``dot_layout`` render the same
graph with Graphviz ``dot`` (same node sizes and gaps, ``dot -Tplain``) and read its
drawing back as a layout dict, so both are counted the same way.
"""

from __future__ import annotations

import subprocess

from gradstep.layout import NODE_SEP, RANK_SEP, node_size
from gradstep.layout.crossings import inversions

# --------------------------------------------------------------------------- crossings


def count_crossings(result: dict) -> int:
    """Edge crossings in a finished drawing (``layout``'s result or ``parse_dot_plain``'s).

    Layers are the distinct centre positions of nodes along the rank axis (x for LR).
    Each edge is cut where it passes a layer's centre line (interpolating its
    ``points``, or a straight line if it has none), which turns it into one segment
    per pair of adjacent layers; those segments are the dummy nodes' segments. Two
    segments between the same two layers cross when their ends are in opposite order
    on both lines (segments sharing an end never cross). The same function counts
    both our drawings and dot's, so the two are compared on equal terms.
    """
    lr = result.get("direction", "LR") == "LR"
    rc: dict[str, float] = {}
    oc: dict[str, float] = {}
    for nd in result["nodes"]:
        cx = nd["x"] + nd["width"] / 2
        cy = nd["y"] + nd["height"] / 2
        rc[nd["id"]], oc[nd["id"]] = (cx, cy) if lr else (cy, cx)
    centres = sorted({round(c, 3) for c in rc.values()})
    layer = {c: k for k, c in enumerate(centres)}
    gaps: list[list[tuple[float, float]]] = [[] for _ in range(max(0, len(centres) - 1))]
    for e in result["edges"]:
        s, t = e["source"], e["target"]
        ls, lt = layer[round(rc[s], 3)], layer[round(rc[t], 3)]
        if ls == lt:
            continue  # a flat edge inside a layer: not between layers
        pts = [(p[0], p[1]) if lr else (p[1], p[0]) for p in e.get("points") or ()]
        if not pts:
            pts = [(rc[s], oc[s]), (rc[t], oc[t])]
        ys, ye = oc[s], oc[t]
        if ls > lt:  # a backward edge: walk it from its left end
            ls, lt, ys, ye = lt, ls, ye, ys
        prev = round(ys, 6)
        for k in range(ls + 1, lt):
            cur = round(_cut(pts, centres[k]), 6)
            gaps[k - 1].append((prev, cur))
            prev = cur
        gaps[lt - 1].append((prev, round(ye, 6)))
    total = 0
    for segs in gaps:
        segs.sort()
        total += inversions([b for _, b in segs])
    return total


def _cut(pts: list[tuple[float, float]], x: float) -> float:
    """The second coordinate of the polyline ``pts`` where it first meets ``x``."""
    for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
        if min(x0, x1) <= x <= max(x0, x1):
            return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    # Not reached (should not happen): the nearest end.
    return pts[0][1] if abs(pts[0][0] - x) < abs(pts[-1][0] - x) else pts[-1][1]


# --------------------------------------------------------------------------- Graphviz


def to_dot(nodes: list[dict], edges: list[dict], *, direction: str = "LR") -> str:
    """DOT text for the same graph and sizes, for comparing with Graphviz (72 dpi)."""
    lines = [
        "digraph G {",
        f"  graph [rankdir={direction}, nodesep={NODE_SEP / 72:.4f}, "
        f"ranksep={RANK_SEP / 72:.4f}, margin=0];",
        '  node [fixedsize=true, label=""];',
    ]
    index = {}
    for i, nd in enumerate(nodes):
        index[nd["id"]] = i
        w, h = node_size(nd)
        shape = "circle" if nd.get("kind") == "op" else "box"
        lines.append(f"  v{i} [shape={shape}, width={w / 72:.4f}, height={h / 72:.4f}];")
    for e in edges:
        lines.append(f"  v{index[e['source']]} -> v{index[e['target']]};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def parse_dot_plain(text: str, nodes: list[dict], *, direction: str = "LR") -> dict:
    """Turn ``dot -Tplain`` output for ``to_dot``'s graph back into a layout dict
    (pixels, y down; each edge's ``points`` sample its Bezier spline)."""
    height = 0.0
    boxes: dict[int, tuple[float, float, float, float]] = {}
    raw_edges = []
    for line in text.splitlines():
        f = line.split()
        if not f:
            continue
        if f[0] == "graph":
            height = float(f[3])
        elif f[0] == "node":
            boxes[int(f[1][1:])] = (float(f[2]), float(f[3]), float(f[4]), float(f[5]))
        elif f[0] == "edge":
            k = int(f[3])
            ctrl = [(float(f[4 + 2 * i]), float(f[5 + 2 * i])) for i in range(k)]
            raw_edges.append((int(f[1][1:]), int(f[2][1:]), ctrl))

    def px(x, y):  # inches, y up -> pixels, y down
        return 72 * x, 72 * (height - y)

    out_nodes = []
    for i, nd in enumerate(nodes):
        cx, cy, w, h = boxes[i]
        x, y = px(cx, cy)
        out_nodes.append(
            {"id": nd["id"], "x": x - 36 * w, "y": y - 36 * h, "width": 72 * w, "height": 72 * h}
        )
    out_edges = []
    for s, t, ctrl in raw_edges:
        pts = [px(*p) for p in _bezier_points(ctrl)]
        out_edges.append(
            {"source": nodes[s]["id"], "target": nodes[t]["id"], "points": [list(p) for p in pts]}
        )
    return {
        "nodes": out_nodes,
        "edges": out_edges,
        "width": 72 * max((b[0] + b[2] / 2 for b in boxes.values()), default=0.0),
        "height": 72 * height,
        "direction": direction,
    }


def _bezier_points(ctrl, steps: int = 12):
    """Sample a piecewise cubic Bezier (1 + 3k control points) as a polyline."""
    if len(ctrl) < 4:
        return list(ctrl)
    out = [ctrl[0]]
    for i in range(0, len(ctrl) - 3, 3):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = ctrl[i : i + 4]
        for k in range(1, steps + 1):
            t = k / steps
            u = 1 - t
            a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
            out.append((a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3))
    return out


def dot_layout(
    nodes: list[dict], edges: list[dict], *, direction: str = "LR", timeout: float | None = None
) -> dict:
    """Lay the graph out with Graphviz ``dot`` (must be on PATH) for comparison."""
    text = to_dot(nodes, edges, direction=direction)
    proc = subprocess.run(
        ["dot", "-Tplain"], input=text, capture_output=True, text=True, timeout=timeout, check=True
    )
    return parse_dot_plain(proc.stdout, nodes, direction=direction)
