"""The drawn graph and the tape, checked against networkx as an independent oracle."""

from __future__ import annotations

import networkx as nx
import pytest

from gradstep.program.compiler import compile_program
from gradstep.program.examples import EXAMPLES
from gradstep.program.graph import graph_of, to_networkx
from gradstep.program.timeline import Timeline


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e["id"])
def test_tape_order_is_topological_and_unreachable_nodes_get_zero(example):
    tape = compile_program(example["program"])
    g = to_networkx(tape)
    assert nx.is_directed_acyclic_graph(g)
    assert all(u < v for u, v in g.edges())  # creation order is a topological order
    grads = Timeline(tape).grads
    ancestors = nx.ancestors(g, tape.output) | {tape.output}
    for node in g.nodes:
        if node not in ancestors:
            assert grads[node] == 0.0


def test_one_edge_per_use():
    tape = compile_program("a = 3.0\nb = a + a\nc = b * b\n")
    g = to_networkx(tape)
    assert g.number_of_edges(0, 1) == 2 and g.number_of_edges(1, 2) == 2
    nodes, edges = graph_of(tape)
    into_b = [e for e in edges if e["target"] == "n1:op"]
    assert [(e["source"], e["input"]) for e in into_b] == [("n0", 0), ("n0", 1)]
    assert Timeline(tape).grads[0] == 4 * 3.0 * 2  # dc/da = 2b * 2 = 24 at a = 3


def test_graph_nodes_mirror_the_tape():
    tape = compile_program("x = [1.0, 2.0]\ny = sum([z * 3 for z in x])\n")
    nodes, edges = graph_of(tape)
    values = [n for n in nodes if n["kind"] == "value"]
    ops = [n for n in nodes if n["kind"] == "op"]
    assert len(values) == len(tape)
    assert len(ops) == sum(1 for op in tape.ops if op is not None)
    assert {n["role"] for n in values} == {"leaf", "const", "op"}
    position = {n["id"]: k for k, n in enumerate(nodes)}
    assert all(position[e["source"]] < position[e["target"]] for e in edges)


def test_op_nodes_carry_the_glyph_the_page_draws_and_the_layout_sizes():
    """The glyphs live once (gradstep.core.ops.GLYPHS): the scene carries each op node's, the
    layout sizes the node by it, and web/graph/ draws it (it has no table of its own)."""
    from pathlib import Path

    from gradstep.core.ops import GLYPHS
    from gradstep.layout.sizes import OP_WIDTH
    from gradstep.program.graph import layout_tape

    tape = compile_program("a = 2.0\nb = 3.0\nc = a * b - sigmoid(a) / sqrt(b)\nd = tanh(c) ** 2\nd\n")
    ops = {n["label"]: n for n in layout_tape(tape)["nodes"] if n["kind"] == "op"}
    assert {"*", "-", "/", "σ", "√", "tanh", "**"} <= set(ops)
    for symbol, node in ops.items():
        assert node["glyph"] == GLYPHS.get(symbol, symbol)
    assert ops["*"]["glyph"] == "×" and ops["-"]["glyph"] == "−" and ops["**"]["glyph"] == "^"
    assert ops["**"]["width"] == OP_WIDTH  # "**" draws as one character: a circle, not a pill
    assert ops["tanh"]["width"] > OP_WIDTH  # four: a pill
    web = Path(__file__).resolve().parents[2] / "web"
    for js in (web / "graph").glob("*.js"):
        assert "÷" not in js.read_text(encoding="utf-8"), js.name
