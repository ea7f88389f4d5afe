"""Layered drawing of the computation graph, left to right, like Graphviz ``dot``.

``layout(nodes, edges)`` places value nodes (records: label / value / grad) and op
nodes (small circles or pills) in layers, Sugiyama style (Sugiyama, Tagawa, Toda,
IEEE SMC 1981), as a list of phases, each a module that names its paper and its pre-
and post-conditions (the way dot's ``rank.c``, ``mincross.c``, ``position.c``,
``dotsplines.c`` and dagre's ``lib/layout.ts`` are organised):

1. ``rank``: the layer of every node (longest path, network simplex: ``simplex``);
2. ``chains``: long edges split into dummy chains (shared trunks for huge fan-outs);
3. ``order``: the order within each layer (mincross: ``crossings``, ``transpose``, ``ties``);
4. ``position``: each node's place within its layer (no overlaps, op level with result);
5. ``route``: the layers' columns, the node boxes and the edges' polylines.

``sizes`` holds the node sizes and gaps the page draws with. Pure Python and stdlib
only: it runs in the browser under Pyodide, so start-up and speed matter. Everything
is iterative (a chain of 100,000 nodes needs no recursion), graphs are arrays of
ints, and big graphs get less work (``chains.budget``, ``Layered.effort``).

May import: the standard library only (no other part of gradstep).
"""

from __future__ import annotations

from .chains import BUNDLE_DUMMIES, Layered
from .order import order_layers
from .position import place
from .rank import rank_nodes
from .route import draw
from .sizes import (
    EDGE_LABEL_CLEAR,
    EDGE_LABEL_HEIGHT,
    EDGE_LABEL_WIDTH,
    EDGE_SEP,
    LABEL_CHAR,
    LABEL_COLUMNS,
    LABEL_MAX_CHARS,
    LABEL_PAD,
    LABEL_RANK_SEP,
    MARGIN,
    NODE_SEP,
    NODE_SIZES,
    OP_CHAR,
    OP_HEIGHT,
    OP_PAD,
    OP_WIDTH,
    RANK_SEP,
    RANK_SEP_EXTRA,
    RANK_SEP_SLOPE,
    VALUE_HEIGHT,
    VALUE_WIDTH,
    node_size,
    shown_label,
)

__all__ = [
    "BUNDLE_DUMMIES", "DIRECTIONS", "EDGE_LABEL_CLEAR", "EDGE_LABEL_HEIGHT", "EDGE_LABEL_WIDTH",
    "EDGE_SEP", "LABEL_CHAR", "LABEL_COLUMNS", "LABEL_MAX_CHARS", "LABEL_PAD", "LABEL_RANK_SEP",
    "MARGIN", "NODE_SEP", "NODE_SIZES", "OP_CHAR", "OP_HEIGHT", "OP_PAD",
    "OP_WIDTH", "RANK_SEP", "RANK_SEP_EXTRA", "RANK_SEP_SLOPE", "VALUE_HEIGHT", "VALUE_WIDTH",
    "layout", "node_size", "shown_label",
]

DIRECTIONS = ("LR", "TB")


def layout(nodes: list[dict], edges: list[dict], *, direction: str = "LR") -> dict:
    """Lay out a DAG. See the module doc and docs/scene.md.

    ``nodes``: dicts with ``id``, ``kind`` (``"value"`` | ``"op"``), ``label``, listed
    in a topological order; ``edges``: dicts with ``source``, ``target`` (repeats are
    kept: one edge per use). Other keys are copied through. Returns ``{"nodes",
    "edges", "width", "height", "direction"}`` with ``x, y, width, height`` (top-left
    corner, y down) on each node, in the given order, and on each edge ``points``: the
    polyline from the source's outgoing side (right-middle for LR) to the target's
    incoming side (left-middle), through a pair of bend points (entering and leaving
    the layer's column) at each layer the edge passes where it bends (a straight run
    keeps only its ends; so does a shared trunk, see BUNDLE_DUMMIES).
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
    src, tgt = _edge_ends(nodes, edges)
    sizes = [node_size(nd) for nd in nodes]

    rank, nranks = rank_nodes(len(nodes), src, tgt)  # 1. layers
    g = Layered(len(nodes), rank, nranks, src, tgt)  # 2. dummy chains for long edges
    order_layers(g)  # 3. order within layers
    place(g, [h if direction == "LR" else w for w, h in sizes])  # 4. place within layers
    return draw(g, nodes, edges, rank, sizes, direction)  # 5. columns, boxes, polylines


def _edge_ends(nodes: list[dict], edges: list[dict]) -> tuple[list[int], list[int]]:
    """Each edge's source and target as node indices; ValueError for a duplicate node
    id, an edge naming an unknown node, or a loop."""
    index: dict[str, int] = {}
    for i, nd in enumerate(nodes):
        nid = nd["id"]
        if nid in index:
            raise ValueError(f"duplicate node id {nid!r}")
        index[nid] = i
    src: list[int] = []
    tgt: list[int] = []
    for e in edges:
        try:
            s, t = index[e["source"]], index[e["target"]]
        except KeyError as exc:
            raise ValueError(f"edge {e!r} names an unknown node {exc.args[0]!r}") from None
        if s == t:
            raise ValueError(f"edge {e!r} is a loop")
        src.append(s)
        tgt.append(t)
    return src, tgt
