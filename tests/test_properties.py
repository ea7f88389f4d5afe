"""Property tests over random programs (hypothesis)."""

from __future__ import annotations

import math

from helpers import replay_frames
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import Value
from engine.errors import ProgramError
from engine.numeric import gradcheck
from engine.program import compile_program
from engine.session import Session
from engine.timeline import Timeline

# Smooth ops whose values stay moderate, so central differences are a fair judge.
UNARY = {"tanh": math.tanh, "sin": math.sin, "cos": math.cos, "sigmoid": None}
BINARY = ["+", "-", "*"]


@st.composite
def programs(draw):
    """A random straight-line program and the same computation on engine.Value."""
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


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_backprop_matches_central_differences(case):
    text, _, _ = case
    checks = gradcheck(compile_program(text))
    assert checks and all(check.ok for check in checks), [c for c in checks if not c.ok]


@settings(max_examples=150, deadline=None)
@given(programs())
def test_programs_agree_with_value(case):
    text, nodes, n_leaves = case
    timeline = Timeline(compile_program(text))
    out = nodes[-1]
    out.backward()
    assert math.isclose(timeline.output_value, out.data, rel_tol=1e-12, abs_tol=1e-12)
    tape = timeline.tape
    for k in range(n_leaves):
        grad = timeline.grads[tape.names[f"v{k}"]]
        assert math.isclose(grad, nodes[k].grad, rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=100, deadline=None)
@given(programs(), st.lists(st.sampled_from(
    ["forward_step", "backward_step", "forward_all", "undo", "backward_all", "reset",
     "nudge", "set_leaf"]), max_size=25))
def test_any_actions_then_finishing_matches_a_fresh_run(case, actions):
    """Whatever was clicked (nudges and edits included), finishing the passes shows
    what a fresh run of the same leaf values computes, replayed from frames alone."""
    text = case[0]
    s = Session(text)
    for action in actions:
        if action == "nudge":
            s.act("nudge", rate=0.01, direction="descend")
        elif action == "set_leaf":
            s.act("set_leaf", node=s.tape.leaf_indices()[0], value=0.25)
        else:
            s.act(action)
    while s.phase != "backward-done":
        s.act("backward_step")
    values, grads = replay_frames(Timeline(compile_program(text), s.timeline.start))
    assert s.shown() == (values, grads)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abxy01.+-*/()[]=_ \n:;,#'\"elogxpsumaftrinc")),
               max_size=60))
def test_any_text_compiles_or_is_refused_with_a_place(text):
    try:
        Timeline(compile_program(text))
    except ProgramError as error:
        assert error.line >= 1 and error.col >= 1 and error.message
