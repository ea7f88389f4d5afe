"""Graphviz ``dot`` on the same graphs, to compare layouts (tests and bench only).

Not part of the page: ``engine/layout.py`` is what the browser runs. This writes the
graph as DOT with the same node sizes and gaps, runs ``dot -Tplain`` and reads its
drawing back as a layout dict, so ``count_crossings`` can judge both the same way.
"""

from __future__ import annotations

import subprocess

from .layout import NODE_SEP, RANK_SEP, node_size


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
