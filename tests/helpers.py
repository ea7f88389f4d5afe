"""Shared helpers for the engine tests."""

from __future__ import annotations

import math

from hypothesis import strategies as st

from gradstep import Value
from gradstep.program.compiler import compile_program
from gradstep.program.timeline import Timeline


def run(text: str) -> tuple[float, dict[str, float]]:
    """The output value and every name's gradient, as ``python -m gradstep grad`` gives."""
    tape = compile_program(text)
    timeline = Timeline(tape)
    return timeline.output_value, {name: timeline.grads[i] for name, i in tape.names.items()}


def central(f, x: float, h: float = 1e-6) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


def close(a: float, b: float, rel: float = 1e-9, abs_: float = 1e-12) -> bool:
    return abs(a - b) <= abs_ + rel * abs(b)


def replay_frames(timeline) -> tuple[list[float], list[float]]:
    """Values and gradients rebuilt from the frames alone, checking their order.

    Forward frames are replayed through the op table with the values earlier frames
    made (so a frame whose inputs come later fails); backward frames are summed from
    their terms, with each consumer's gradient taken from its own earlier frame (so a
    frame that comes before a consumer fails). Nothing is read from the timeline's
    own value and gradient lists.
    """
    from gradstep.core.ops import OPS

    tape = timeline.tape
    values: list[float | None] = [
        timeline.start[i] if op is None else None for i, op in enumerate(tape.ops)
    ]
    slopes: dict[int, tuple] = {}
    frames = timeline.frames
    forward = [f for f in frames if f["kind"] == "forward"]
    backward = [f for f in frames if f["kind"] == "backward"]
    for frame in forward:
        i = frame["node"]
        args = [values[j] for j in tape.inputs[i]]
        assert None not in args, f"forward frame of node {i} before its inputs"
        op = OPS[tape.ops[i].name]
        if op.arity == 0:
            value, slopes[i] = op.fn(args)
        elif op.param:
            value, slopes[i] = op.fn(args[0], tape.params[i])
        else:
            value, slopes[i] = op.fn(*args)
        assert repr(value) == frame["value"]
        values[i] = value
    grads: list[float | None] = [None] * len(tape)
    for frame in backward:
        i = frame["node"]
        if i == tape.output:
            assert frame is backward[0], "the backward pass starts at the output"
            grads[i] = 1.0
            continue
        total = 0.0
        for term in frame["terms"]:
            upstream = grads[term["consumer"]]
            assert upstream is not None, f"gradient of node {i} before its consumer"
            local = slopes[term["consumer"]][term["input"]]
            assert repr(local) == term["local"]
            if upstream != 0.0:  # 0 * inf would be nan; the term adds nothing
                total += upstream * local
        assert repr(total) == frame["grad"]
        grads[i] = total
    assert None not in values and None not in grads
    return values, grads


def lecture_graph(make=None):
    """The lecture's first graph, L = (a*b + c) * f, built with ``make`` (engine's
    ``Value`` by default, or micrograd's): ``(L, {"a": a, "b": b, "c": c, "f": f})``."""
    if make is None:
        from gradstep.core.value import Value as make

    def leaf(x, label):
        v = make(x)
        v.label = label
        return v

    leaves = {name: leaf(x, name) for name, x in (("a", 2.0), ("b", -3.0), ("c", 10.0), ("f", -2.0))}
    e = leaves["a"] * leaves["b"]
    e.label = "e"
    d = e + leaves["c"]
    d.label = "d"
    L = d * leaves["f"]
    L.label = "L"
    return L, leaves


# Smooth ops whose values stay moderate, so central differences are a fair judge.
UNARY = {"tanh": math.tanh, "sin": math.sin, "cos": math.cos, "sigmoid": None}
BINARY = ["+", "-", "*"]


@st.composite
def programs(draw):
    """A random straight-line program and the same computation on gradstep.Value."""
    n_leaves = draw(st.integers(1, 4))
    values = [draw(st.floats(-2.0, 2.0, allow_nan=False).map(lambda v: round(v, 3)))
              for _ in range(n_leaves)]
    lines = [f"v{k} = {v!r}" for k, v in enumerate(values)]
    nodes = [Value(v) for v in values]
    names = [f"v{k}" for k in range(n_leaves)]
    for step in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(["unary", "binary", "binary", "list", "aug"]))
        name = f"t{step}"
        if kind == "unary":
            fn = draw(st.sampled_from(sorted(UNARY)))
            k = draw(st.integers(0, len(names) - 1))
            lines.append(f"{name} = {fn}({names[k]})")
            nodes.append(getattr(nodes[k], fn)())
        elif kind == "binary":
            op = draw(st.sampled_from(BINARY))
            i = draw(st.integers(0, len(names) - 1))
            j = draw(st.integers(0, len(names) - 1))
            lines.append(f"{name} = {names[i]} {op} {names[j]}")
            a, b = nodes[i], nodes[j]
            nodes.append(a + b if op == "+" else a - b if op == "-" else a * b)
        elif kind == "list":
            picks = draw(st.lists(st.integers(0, len(names) - 1), min_size=1, max_size=4))
            lines.append(f"{name} = mean([tanh(z) for z in [{', '.join(names[p] for p in picks)}]])")
            total = Value(0.0)
            for p in picks:
                total = total + nodes[p].tanh()
            nodes.append(total * (1.0 / len(picks)))
        else:
            k = draw(st.integers(0, len(names) - 1))
            lines.append(f"{name} = {names[k]}")
            lines.append(f"{name} *= 0.5")
            nodes.append(nodes[k] * 0.5)
        names.append(name)
    return "\n".join(lines) + "\n", nodes, n_leaves
