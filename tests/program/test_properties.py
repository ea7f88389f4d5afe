"""Property tests over random programs (hypothesis)."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradstep.core.errors import ProgramError
from gradstep.lab.numeric import gradcheck
from gradstep.program.compiler import compile_program
from gradstep.program.session import Session
from gradstep.program.timeline import Timeline
from helpers import programs, replay_frames


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
