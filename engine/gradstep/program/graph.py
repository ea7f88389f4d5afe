"""The drawn graph of a tape: value nodes (records) and op nodes, one edge per use.

Like micrograd's ``draw_dot``: every computed node ``n{i}`` has an op node
``n{i}:op`` in front of it; each use of an input is an edge from the input's value
node to that op node.
"""

from __future__ import annotations

from gradstep.core.ops import glyph
from gradstep.core.tape import OP, Tape
from gradstep.layout import layout
from gradstep.program.notation import about


def graph_of(tape: Tape) -> tuple[list[dict], list[dict]]:
    """Nodes (in topological order) and edges, ready for ``layout``."""
    nodes: list[dict] = []
    edges: list[dict] = []
    for i, kind in enumerate(tape.kinds):
        vid = f"n{i}"
        if kind == OP:
            oid = f"n{i}:op"
            symbol = tape.ops[i].symbol
            nodes.append({"id": oid, "kind": "op", "label": symbol, "glyph": glyph(symbol), "node": vid})
            for k, j in enumerate(tape.inputs[i]):
                edges.append({"source": f"n{j}", "target": oid, "input": k, "node": vid})
            edges.append({"source": oid, "target": vid})
        nodes.append({"id": vid, "kind": "value", "label": tape.labels[i], "role": kind,
                      "about": about(tape, i)})
    return nodes, edges


def layout_tape(tape: Tape) -> dict:
    nodes, edges = graph_of(tape)
    return layout(nodes, edges)


def to_networkx(tape: Tape):
    """The tape as a ``networkx.MultiDiGraph`` of value nodes (one edge per use), for
    analysis in the gradient lab and in tests. Imports networkx on call only."""
    import networkx as nx

    g = nx.MultiDiGraph()
    for i, label in enumerate(tape.labels):
        op = tape.ops[i]
        g.add_node(i, label=label, kind=tape.kinds[i], op=op.name if op else None)
    for i, inputs in enumerate(tape.inputs):
        for k, j in enumerate(inputs):
            g.add_edge(j, i, input=k)
    return g
