"""gradstep.layout: the drawing's geometry, and its crossings against Graphviz dot.

Graphs are built here in the shape the engine produces (gradstep/program/graph.py): a value
node ``n{i}`` per tape node, an op node ``n{i}:op`` in front of each computed one,
one edge per use from an input's value node to the op node (with ``input`` and
``node``), and one edge from the op node to its value node. Leaves have no op node.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

from gradstep.layout import (
    EDGE_LABEL_CLEAR,
    EDGE_LABEL_WIDTH,
    LABEL_CHAR,
    LABEL_MAX_CHARS,
    MARGIN,
    OP_CHAR,
    OP_HEIGHT,
    OP_WIDTH,
    VALUE_HEIGHT,
    VALUE_WIDTH,
    layout,
    node_size,
    shown_label,
)
from gradstep.program.compiler import compile_program
from gradstep.program.examples import EXAMPLES
from gradstep.program.graph import graph_of
from layout_tools import count_crossings, dot_layout, to_dot

# --------------------------------------------------------------------------- graphs

# A tape: (label, op or None for a leaf, [input tape indices]).


def graph_from_tape(tape):
    nodes, edges = [], []
    for i, (label, op, inputs) in enumerate(tape):
        vid = f"n{i}"
        if op is not None:
            oid = f"n{i}:op"
            nodes.append({"id": oid, "kind": "op", "label": op, "node": vid})
            for k, j in enumerate(inputs):
                edges.append({"source": f"n{j}", "target": oid, "input": k, "node": vid})
            edges.append({"source": oid, "target": vid})
        nodes.append({"id": vid, "kind": "value", "label": label})
    return nodes, edges


def micrograd_tape():
    # L = (a*b + c) * f
    return [("a", None, []), ("b", None, []), ("e", "*", [0, 1]), ("c", None, []),
            ("d", "+", [2, 3]), ("f", None, []), ("L", "*", [4, 5])]


def softmax_tape():
    """-log(softmax(z)[2]) over 4 logits, computed stably: a max node, z - max, exps,
    a sum node, divides."""
    t = [(f"z{i}", None, []) for i in range(4)]
    t.append(("m", "max", [0, 1, 2, 3]))
    shifted = []
    for i in range(4):
        t.append((f"d{i}", "-", [i, 4]))
        shifted.append(len(t) - 1)
    exps = []
    for i in range(4):
        t.append((f"e{i}", "exp", [shifted[i]]))
        exps.append(len(t) - 1)
    t.append(("s", "sum", exps))
    total = len(t) - 1
    probs = []
    for i in range(4):
        t.append((f"p{i}", "/", [exps[i], total]))
        probs.append(len(t) - 1)
    t.append(("lp", "log", [probs[2]]))
    t.append(("loss", "neg", [len(t) - 1]))
    return t


def squares_tape():
    # x1**2 + x2**2, the exponents as constant leaves
    return [("x1", None, []), ("x2", None, []), ("2", None, []), ("", "**", [0, 2]),
            ("2", None, []), ("", "**", [1, 4]), ("y", "+", [3, 5])]


def reuse_tape():
    # b = a + a; c = b + b: two parallel edges into each op node
    return [("a", None, []), ("b", "+", [0, 0]), ("c", "+", [1, 1])]


def chain_tape(n_nodes):
    """x = x * c, again and again: about n_nodes value and op nodes in all."""
    tape = [("x", None, [])]
    count = 1
    while count + 3 <= n_nodes:
        tape.append(("c", None, []))
        tape.append(("x", "*", [len(tape) - 2, len(tape) - 1]))
        count += 3
    return tape


def random_tape(seed, n_ops):
    """A random program-shaped DAG: operands mostly recent values, some inline
    constants, some reuse of an older value (within the last 60 nodes: programs use
    names defined nearby), now and then a value never used."""
    rng = random.Random(seed)
    tape = [(f"x{i}", None, []) for i in range(4)]
    recent = list(range(4))
    for k in range(n_ops):
        inputs = []
        for _ in range(rng.choice([1, 2, 2, 2, 2, 3])):
            r = rng.random()
            if r < 0.25:
                tape.append((f"c{k}", None, []))
                inputs.append(len(tape) - 1)
            elif r < 0.85:
                back = min(len(recent) - 1, int(rng.expovariate(0.5)))
                inputs.append(recent[-1 - back])
            else:
                inputs.append(rng.randrange(max(0, len(tape) - 60), len(tape)))
        tape.append((f"v{k}", rng.choice("+*-/"), inputs))
        recent.append(len(tape) - 1)
    return tape


NAMED = {
    "micrograd": micrograd_tape,
    "softmax": softmax_tape,
    "squares": squares_tape,
    "reuse": reuse_tape,
}

# --------------------------------------------------------------------------- checks


def layers_of(result):
    """Layer index of every node id, from the distinct centre x's."""
    centre = {nd["id"]: round(nd["x"] + nd["width"] / 2, 6) for nd in result["nodes"]}
    xs = sorted(set(centre.values()))
    index = {x: k for k, x in enumerate(xs)}
    return {nid: index[c] for nid, c in centre.items()}


def check_layout(nodes, edges, result):
    """Every promise of ``layout`` that can be checked from its result."""
    out = result["nodes"]
    # Nodes: same order, keys copied, sizes by kind, numbers everywhere.
    assert [nd["id"] for nd in out] == [nd["id"] for nd in nodes]
    for given, nd in zip(nodes, out, strict=True):
        for key, value in given.items():
            assert nd[key] == value
        for key in ("x", "y", "width", "height"):
            assert isinstance(nd[key], float), (nd["id"], key)
        assert (nd["width"], nd["height"]) == node_size(given)
        if nd["kind"] == "op":
            assert nd["width"] >= OP_WIDTH and nd["height"] == OP_HEIGHT
        else:
            assert nd["width"] >= VALUE_WIDTH and nd["height"] == VALUE_HEIGHT
        assert nd["x"] >= MARGIN - 1e-6 and nd["y"] >= MARGIN - 1e-6
        assert nd["x"] + nd["width"] <= result["width"] - MARGIN + 1e-6
        assert nd["y"] + nd["height"] <= result["height"] - MARGIN + 1e-6

    # No two boxes overlap: the layers' columns are disjoint, and in a layer the
    # boxes are stacked with a gap.
    layer = layers_of(result)
    columns = defaultdict(list)
    for nd in out:
        columns[layer[nd["id"]]].append(nd)
    spans = []
    for k in sorted(columns):
        col = sorted(columns[k], key=lambda nd: nd["y"])
        spans.append((min(nd["x"] for nd in col), max(nd["x"] + nd["width"] for nd in col)))
        for a, b in zip(col, col[1:], strict=False):
            assert a["y"] + a["height"] < b["y"], (a["id"], b["id"])
    for (_, right), (left, _) in zip(spans, spans[1:], strict=False):
        assert right < left

    # Edges: all kept (parallel ones too), keys copied, left to right, polylines from
    # the source's right-middle to the target's left-middle, never going back.
    by_id = {nd["id"]: nd for nd in out}
    assert len(result["edges"]) == len(edges)
    for given, e in zip(edges, result["edges"], strict=True):
        for key, value in given.items():
            assert e[key] == value
        s, t = by_id[e["source"]], by_id[e["target"]]
        assert s["x"] + s["width"] < t["x"]
        pts = e["points"]
        assert pts[0] == pytest.approx([s["x"] + s["width"], s["y"] + s["height"] / 2])
        assert pts[-1] == pytest.approx([t["x"], t["y"] + t["height"] / 2])
        assert all(p[0] <= q[0] for p, q in zip(pts, pts[1:], strict=False))
        # At most two bend points (in and out of the column) per layer passed: fewer
        # where the line runs straight on, or along a shared trunk.
        assert 2 <= len(pts) <= 2 + 2 * (layer[t["id"]] - layer[s["id"]] - 1)
        assert len(pts) % 2 == 0

    # A leaf sits in the layer right before its earliest consumer.
    has_input = {e["target"] for e in edges}
    consumers = defaultdict(list)
    for e in edges:
        consumers[e["source"]].append(layer[e["target"]])
    for nd in nodes:
        if nd["id"] not in has_input and consumers[nd["id"]]:
            assert layer[nd["id"]] == min(consumers[nd["id"]]) - 1, nd["id"]

    # An op node shares its y-centre with its result value node.
    for nd in out:
        if nd["kind"] == "op":
            value = by_id[nd["node"]]
            assert nd["y"] + nd["height"] / 2 == pytest.approx(
                value["y"] + value["height"] / 2, abs=1e-6), nd["id"]
            assert layer[value["id"]] == layer[nd["id"]] + 1


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("name", sorted(NAMED))
def test_named_graphs(name):
    nodes, edges = graph_from_tape(NAMED[name]())
    result = layout(nodes, edges)
    check_layout(nodes, edges, result)


def test_micrograd_reads_like_draw_dot():
    nodes, edges = graph_from_tape(micrograd_tape())
    result = layout(nodes, edges)
    layer = layers_of(result)
    # a, b | * | e, c | + | d, f | * | L: each leaf right before its use.
    assert [layer[f"n{i}"] for i in range(7)] == [0, 0, 2, 2, 4, 4, 6]
    assert count_crossings(result) == 0
    by_id = {nd["id"]: nd for nd in result["nodes"]}
    # Operand 0 above operand 1.
    assert by_id["n0"]["y"] < by_id["n1"]["y"]
    assert by_id["n2"]["y"] < by_id["n3"]["y"]


def test_parallel_edges_are_kept():
    nodes, edges = graph_from_tape(reuse_tape())
    result = layout(nodes, edges)
    check_layout(nodes, edges, result)
    into_b = [e for e in result["edges"] if e["target"] == "n1:op"]
    assert [e["input"] for e in into_b] == [0, 1]
    assert all(e["source"] == "n0" for e in into_b)
    assert len([e for e in result["edges"] if e["target"] == "n2:op"]) == 2
    assert count_crossings(result) == 0


@pytest.mark.parametrize("seed", range(25))
def test_random_dags(seed):
    rng = random.Random(seed)
    nodes, edges = graph_from_tape(random_tape(seed, rng.randint(1, 120)))
    result = layout(nodes, edges)
    check_layout(nodes, edges, result)


def test_same_graph_same_drawing():
    nodes, edges = graph_from_tape(random_tape(3, 60))
    assert layout(nodes, edges) == layout(nodes, edges)


def test_deep_chain_has_no_recursion_limit():
    nodes, edges = graph_from_tape(chain_tape(100_000))
    assert len(nodes) >= 99_990
    start = time.perf_counter()
    result = layout(nodes, edges)
    elapsed = time.perf_counter() - start
    print(f"\n100,000-node chain laid out in {elapsed * 1000:.0f} ms")
    check_layout(nodes, edges, result)
    assert count_crossings(result) == 0


def test_wide_layers():
    # Each op multiplies the previous constant by a new one: thousands of op nodes
    # side by side in one layer (quadratic work would show here).
    tape = [("c", None, [])]
    for k in range(2000):
        tape.append(("c", None, []))
        tape.append((f"v{k}", "*", [len(tape) - 3 if k else 0, len(tape) - 1]))
    nodes, edges = graph_from_tape(tape)
    start = time.perf_counter()
    result = layout(nodes, edges)
    print(f"\n{len(nodes)} nodes in wide layers laid out in "
          f"{(time.perf_counter() - start) * 1000:.0f} ms")
    check_layout(nodes, edges, result)


def test_count_crossings_from_geometry():
    def box(nid, x, y):
        return {"id": nid, "x": x, "y": y, "width": 10.0, "height": 10.0}

    # a -> d and b -> c with a above b but d above c: one crossing.
    result = {
        "nodes": [box("a", 0, 0), box("b", 0, 40), box("c", 100, 0), box("d", 100, 40)],
        "edges": [{"source": "a", "target": "d"}, {"source": "b", "target": "c"}],
    }
    assert count_crossings(result) == 1
    # Sharing an end is not a crossing.
    result["edges"] = [{"source": "a", "target": "c"}, {"source": "a", "target": "d"},
                       {"source": "b", "target": "d"}]
    assert count_crossings(result) == 0
    # A long edge is cut where it passes the middle layer: through its bend points.
    result = {
        "nodes": [box("a", 0, 0), box("b", 0, 40), box("m", 100, 20), box("z", 200, 0)],
        "edges": [{"source": "a", "target": "z", "points": [[10, 5], [100, 60], [110, 60],
                                                            [200, 5]]},
                  {"source": "b", "target": "m"}],
    }
    assert count_crossings(result) == 1


def test_top_to_bottom():
    nodes, edges = graph_from_tape(micrograd_tape())
    result = layout(nodes, edges, direction="TB")
    by_id = {nd["id"]: nd for nd in result["nodes"]}
    for e in result["edges"]:
        s, t = by_id[e["source"]], by_id[e["target"]]
        assert s["y"] + s["height"] < t["y"]
        assert e["points"][0] == pytest.approx([s["x"] + s["width"] / 2, s["y"] + s["height"]])
    assert count_crossings(result) == 0


def test_bad_graphs():
    with pytest.raises(ValueError, match="cycle"):
        layout([{"id": "a", "kind": "value"}, {"id": "b", "kind": "value"}],
               [{"source": "a", "target": "b"}, {"source": "b", "target": "a"}])
    with pytest.raises(ValueError, match="unknown node"):
        layout([{"id": "a", "kind": "value"}], [{"source": "a", "target": "x"}])
    with pytest.raises(ValueError, match="direction"):
        layout([], [], direction="RL")
    empty = layout([], [])
    assert empty["nodes"] == [] and empty["edges"] == []


# --------------------------------------------------------------------------- sizes

LONG_NAMES = """\
a_rather_long_descriptive_name = 2.0
weight_of_the_second_input_neuron_here_x = -3.0
this_name_is_far_too_long_to_show_in_full_on_the_page = 0.5
y = tanh(a_rather_long_descriptive_name * weight_of_the_second_input_neuron_here_x)
z = y + this_name_is_far_too_long_to_show_in_full_on_the_page
"""


def test_op_nodes_fit_their_symbol():
    from gradstep.core.ops import glyph

    def op(label):
        return node_size({"id": "o", "kind": "op", "label": label, "glyph": glyph(label)})

    # One or two characters as drawn ("*" is "×", "**" is "^"): the circle.
    for label in ["+", "*", "/", "**", "-", "σ", "√", "Σ"]:
        assert op(label) == (OP_WIDTH, OP_HEIGHT), label
    # Longer: a pill as high as the circle, wide enough for the symbol and padding.
    previous = OP_WIDTH
    for label in ["exp", "tanh", "softmax"]:
        w, h = op(label)
        assert h == OP_HEIGHT
        assert w >= len(label) * OP_CHAR + 12, label
        assert w > previous
        previous = w


def test_value_nodes_fit_their_name():
    def value(label):
        return node_size({"id": "v", "kind": "value", "label": label})

    assert value("a") == (VALUE_WIDTH, VALUE_HEIGHT)
    assert value("") == (VALUE_WIDTH, VALUE_HEIGHT)
    for n in (16, 20, 30, LABEL_MAX_CHARS):
        w, h = value("x" * n)
        assert h == VALUE_HEIGHT
        assert w >= n * LABEL_CHAR + 24, n
    # Past the cap: cut with an ellipsis, no wider than the cap's box.
    assert value("x" * 90) == value("x" * LABEL_MAX_CHARS)
    assert shown_label("x" * 90) == "x" * (LABEL_MAX_CHARS - 1) + "…"
    assert shown_label("x" * LABEL_MAX_CHARS) == "x" * LABEL_MAX_CHARS
    # A width given on the node wins.
    assert node_size({"kind": "value", "label": "x" * 30, "width": 50.0}) == (50.0, VALUE_HEIGHT)




def network(n_in=3, n_out=2, act="tanh", loss="sum", product="wx", bias="names"):
    """A small network layer: n_in inputs, n_out neurons act(w . x + b), and a
    squared-error loss against n_out targets (summed, or their mean)."""
    lines = [f"x = [{', '.join(str(round(0.5 * k - 1.0, 2)) for k in range(n_in))}]"]
    for j in range(1, n_out + 1):
        lines.append(f"w{j} = [{', '.join(str(round(0.1 * (j + k) - 0.3, 2)) for k in range(n_in))}]")
    if bias == "names":
        lines += [f"b{j} = {round(0.1 * j, 2)}" for j in range(1, n_out + 1)]
    else:
        lines.append(f"b = [{', '.join(str(round(0.1 * j, 2)) for j in range(n_out))}]")
    lines.append(f"y = [{', '.join(str((-1.0) ** j) for j in range(n_out))}]")
    for j in range(1, n_out + 1):
        terms = [f"w{j}[{i}]*x[{i}]" if product == "wx" else f"x[{i}]*w{j}[{i}]" for i in range(n_in)]
        b_j = f"b{j}" if bias == "names" else f"b[{j - 1}]"
        lines.append(f"n{j} = {act}({' + '.join(terms)} + {b_j})")
    squares = [f"(n{j} - y[{j - 1}])**2" for j in range(1, n_out + 1)]
    lines.append("loss = " + (" + ".join(squares) if loss == "sum" else f"mean([{', '.join(squares)}])"))
    return "\n".join(lines) + "\n"


# Three inputs, two tanh neurons, a squared-error loss (issue #7: 3 crossings where
# dot draws 1-2), and variants: operand order, a mean, a list of biases, sizes.
NETWORKS = {
    "layer-3x2": network(),
    "layer-3x2-xw-mean": network(product="xw", loss="mean"),
    "layer-3x2-sigmoid-bias-list": network(act="sigmoid", bias="list"),
    "layer-2x2": network(n_in=2),
    "layer-3x3": network(n_out=3),
    "layer-4x3-relu": network(n_in=4, n_out=3, act="relu"),
}

PROGRAMS = {**{ex["id"]: ex["program"] for ex in EXAMPLES}, "long-names": LONG_NAMES, **NETWORKS}


@pytest.mark.parametrize("name", PROGRAMS)
def test_no_two_nodes_overlap(name):
    nodes, edges = graph_of(compile_program(PROGRAMS[name]))
    result = layout(nodes, edges)
    check_layout(nodes, edges, result)
    boxes = [(nd["id"], nd["x"], nd["y"], nd["x"] + nd["width"], nd["y"] + nd["height"])
             for nd in result["nodes"]]
    for k, (a, ax0, ay0, ax1, ay1) in enumerate(boxes):
        for b, bx0, by0, bx1, by1 in boxes[k + 1:]:
            apart = ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0
            assert apart, f"{name}: {a} overlaps {b}"


@pytest.mark.parametrize("name", PROGRAMS)
def test_room_for_edge_labels(name):
    # The page puts each input edge's local derivative in a label on the edge; the
    # last stretch of every input edge (from the column before the op node's layer)
    # is long enough to hold one clear of both columns.
    nodes, edges = graph_of(compile_program(PROGRAMS[name]))
    result = layout(nodes, edges)
    for e in result["edges"]:
        if e.get("input") is None:
            continue
        (x0, _), (x1, _) = e["points"][-2:]
        assert x1 - x0 >= EDGE_LABEL_WIDTH + 2 * EDGE_LABEL_CLEAR, (name, e["source"], e["target"])


# --------------------------------------------------------------------------- Graphviz

# Both drawings are counted by the same function, count_crossings: layers are the
# distinct node centre x's; every edge is cut where its drawn path (our polyline, or
# dot's Bezier spline sampled from `dot -Tplain`) passes each layer's centre line,
# giving one segment per pair of adjacent layers (the dummy nodes' segments); two
# segments between the same layers cross when their ends swap order.
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz `dot` is not installed (apt-get install graphviz)"
)

# Random graphs where dot finds fewer crossings today, held to the total below
# instead of one by one. None since the tie-aware second search (order.py): (12, 1)
# had 4 where dot has 3, and has 3.
DOT_WINS: set[tuple[int, int]] = set()
RANDOM_CASES = [(n_ops, seed) for n_ops in (12, 20) for seed in range(12)]


def _crossings(nodes, edges) -> tuple[int, int]:
    return count_crossings(layout(nodes, edges)), count_crossings(dot_layout(nodes, edges, timeout=60))


@needs_dot
@pytest.mark.parametrize("name", sorted(NAMED))
def test_no_more_crossings_than_dot_on_named_graphs(name):
    ours, dots = _crossings(*graph_from_tape(NAMED[name]()))
    assert ours <= dots, f"{name}: ours {ours} > dot {dots}"


@needs_dot
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e["id"])
def test_no_more_crossings_than_dot_on_the_examples(example):
    ours, dots = _crossings(*graph_of(compile_program(example["program"])))
    assert ours <= dots, f"{example['id']}: ours {ours} > dot {dots}"


@needs_dot
@pytest.mark.parametrize("name", NETWORKS)
def test_no_more_crossings_than_dot_on_network_layers(name):
    # The drawn polylines against dot's drawn splines, both cut at the layers' centre
    # lines by count_crossings; no overlaps (test_no_two_nodes_overlap covers these too).
    nodes, edges = graph_of(compile_program(NETWORKS[name]))
    ours, dots = _crossings(nodes, edges)
    assert ours <= dots, f"{name}: ours {ours} > dot {dots}"


def test_network_layer_crossings_without_dot():
    # Before the tie-aware second search the 3x2 layer had 3 crossings (dot: 2). Its
    # op -> result ties cost crossings when untangled after a free search; searching
    # again with them kept uncrossed gives 2.
    nodes, edges = graph_of(compile_program(NETWORKS["layer-3x2"]))
    assert count_crossings(layout(nodes, edges)) <= 2


@needs_dot
def test_no_more_crossings_than_dot_on_random_graphs():
    totals = [0, 0]
    losses = []
    for n_ops, seed in RANDOM_CASES:
        ours, dots = _crossings(*graph_from_tape(random_tape(seed, n_ops)))
        totals[0] += ours
        totals[1] += dots
        if ours > dots and (n_ops, seed) not in DOT_WINS:
            losses.append((n_ops, seed, ours, dots))
    assert not losses, f"more crossings than dot on: {losses}"
    assert totals[0] <= totals[1], f"in total ours {totals[0]} > dot {totals[1]}"


@needs_dot
def test_dot_sees_the_same_graph():
    nodes, edges = graph_from_tape(reuse_tape())
    text = to_dot(nodes, edges)
    assert text.count("->") == len(edges)
    drawn = dot_layout(nodes, edges, timeout=60)
    assert len(drawn["edges"]) == len(edges)
    assert sorted(nd["id"] for nd in drawn["nodes"]) == sorted(nd["id"] for nd in nodes)


def test_the_shipped_package_leaves_out_test_tools_and_the_stepper_the_layout():
    # Graphviz runs and crossing counts live in tests/layout_tools.py; the stepper
    # steps without loading the layout (gradstep/program/scene.py composes the two).
    root = Path(__file__).resolve().parents[2]
    for py in (root / "engine").rglob("*.py"):
        text = py.read_text(encoding="utf-8")
        for name in ("layout_tools", "dot_layout", "count_crossings", "subprocess"):
            assert name not in text, (py, name)
    assert not (root / "engine" / "dot.py").exists()
    code = ("import sys, gradstep.program.session; s = gradstep.program.session.Session('a = 1.0\\nb = a * 2'); "
            "s.act('forward_all'); s.act('backward_all'); "
            "print(sorted(m for m in sys.modules if m.startswith('gradstep.layout')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_one_leaf_feeding_a_long_chain_stays_linear():
    # `x += y` thousands of times: y feeds every step. One chain of dummies per edge
    # would be quadratic (gigabytes at 10,000 lines); past BUNDLE_DUMMIES the edges
    # share a trunk and each keeps a few points.
    from gradstep import layout as layout_module

    nodes, edges = graph_of(compile_program("x = 0.5\ny = 0.001\n" + "x += y\n" * 3000))
    result = layout(nodes, edges)
    check_layout(nodes, edges, result)
    assert sum(len(e["points"]) for e in result["edges"]) <= 6 * len(edges)
    spans = [e for e in result["edges"] if e["source"] == "n1"]
    assert len(spans) == 3000 and layout_module.BUNDLE_DUMMIES < 3000 * 3000
