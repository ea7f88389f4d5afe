"""A reply's note (what a step did when it was not what its name says) and the
program text that carries edited and nudged values (issue #6)."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradstep.core.errors import ProgramError
from gradstep.program.compiler import compile_program
from gradstep.program.examples import EXAMPLES, by_id
from gradstep.program.scene import scene
from gradstep.program.session import Session

L_PROGRAM = by_id("micrograd-L")["program"]  # 3 forward steps, 7 backward steps


def at(position: int) -> Session:
    s = Session(L_PROGRAM)
    if position:
        s.act("seek", position=position)
    return s


# ----------------------------------------------------------------------- notes
def test_steps_that_do_what_they_say_have_no_note():
    s = Session(L_PROGRAM)
    for action, args in [("forward_step", {}), ("forward_all", {}), ("backward_step", {}),
                         ("toggle_freeze", {"node": 0}), ("seek", {"position": 4}),
                         ("seek", {"position": 4}), ("backward_all", {}),
                         ("nudge", {"rate": 0.01}), ("undo", {}),
                         ("set_leaf", {"node": 0, "value": 5.0}), ("reset", {})]:
        assert "note" not in s.act(action, **args), action


@pytest.mark.parametrize("position, action, words", [
    (0, "backward_step", "ran its 3 remaining forward steps, then the first backward step"),
    (2, "backward_step", "ran its 1 remaining forward step, then the first backward step"),
    (1, "backward_all", "ran its 2 remaining forward steps, then the whole backward pass"),
])
def test_backward_before_the_forward_pass_is_done_says_it_finished_it(position, action, words):
    s = at(position)
    reply = s.act(action)
    assert words in reply["note"]
    assert s.state.position == (4 if action == "backward_step" else 10)


@pytest.mark.parametrize("position, phase", [(3, "forward-done"), (5, "backward"),
                                             (10, "backward-done")])
@pytest.mark.parametrize("action", ["forward_step", "forward_all"])
def test_forward_when_the_forward_pass_is_done_does_nothing_and_says_so(position, phase, action):
    s = at(position)
    reply = s.act(action)
    assert reply["state"]["phase"] == phase and s.state.position == position
    assert "already done" in reply["note"] and "nothing changed" in reply["note"]
    assert ("step backward" in reply["note"]) == (phase != "backward-done")


@pytest.mark.parametrize("action", ["backward_step", "backward_all"])
def test_backward_when_the_backward_pass_is_done_says_so(action):
    s = at(10)
    reply = s.act(action)
    assert s.state.position == 10 and "backward pass is already done" in reply["note"]


@pytest.mark.parametrize("position", [0, 2, 3, 6])
def test_a_nudge_before_the_gradients_are_shown_says_which_it_used(position):
    s = at(position)
    reply = s.act("nudge", rate=0.01, direction="descend")
    assert "full backward pass" in reply["note"]
    # and it did use them: a = 2.0 moved by -0.01 * dL/da = -0.01 * 6.0
    assert s.timeline.start[s.tape.names["a"]] == 2.0 - 0.01 * 6.0


def test_a_nudge_that_moves_nothing_says_why():
    s = Session("a = 1.0\nb = 2.0\ny = a * b\n")
    s.act("toggle_freeze", node=0)
    s.act("toggle_freeze", node=1)
    assert "every leaf is frozen" in s.act("nudge", rate=0.1)["note"]
    s = Session("a = 0.0\nb = 0.0\ny = a * b\n")  # both gradients are 0 at the origin
    s.act("backward_all")
    assert "gradient is 0" in s.act("nudge", rate=0.1)["note"]


def test_undo_reset_and_set_leaf_that_change_nothing_say_so():
    s = Session(L_PROGRAM)
    assert s.act("undo")["note"] == "Nothing to undo."
    assert "Already at the start" in s.act("reset")["note"]
    reply = s.act("set_leaf", node=0, value=2.0)
    assert "a already has the value 2.0" in reply["note"] and not reply["state"]["can_undo"]
    s.act("forward_step")
    assert "note" not in s.act("reset")


# ------------------------------------------------------------ program in links
def test_program_text_keeps_everything_but_the_changed_numbers():
    text = "# weights\na = -2.0  # start\nx = [3.0, 4]\ny = a * x[0] + x[1]\n"
    s = Session(text)
    assert scene(s, layout=False)["program"] == text  # nothing changed: byte for byte
    s.act("set_leaf", node=0, value=1.5)
    reply = s.act("set_leaf", node=2, value=-0.25)
    assert reply["program"] == "# weights\na = 1.5  # start\nx = [3.0, -0.25]\ny = a * x[0] + x[1]\n"
    reply = s.act("undo")
    assert reply["program"] == "# weights\na = 1.5  # start\nx = [3.0, 4]\ny = a * x[0] + x[1]\n"
    assert "program" not in s.act("forward_step")  # the values did not change


def test_a_nudge_reply_carries_the_nudged_values():
    s = Session(L_PROGRAM)
    reply = s.act("nudge", rate=0.01, direction="ascend")
    assert "a = 2.06\n" in reply["program"] and "b = -3.04\n" in reply["program"]
    assert "# micrograd's first graph\n" in reply["program"]
    assert compile_program(reply["program"]).init == s.timeline.start
    assert "program" not in s.act("reset") and scene(s)["program"] == reply["program"]
    assert "program" not in s.act("undo")  # back before the reset: same values
    assert s.act("undo")["program"] == L_PROGRAM


def test_a_nudge_past_the_largest_float_is_refused():
    s = Session("x = 1e308\n")
    s.act("backward_all")
    with pytest.raises(ProgramError, match="largest float64"):
        s.act("nudge", rate=1e308, direction="ascend")  # 1e308 + 1e308 * 1.0 is inf


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


TEMPLATES = [
    "a = 1.0\nb = -2\nc = +3.5  # three\ny = tanh(a) * tanh(b) + tanh(c)\n",
    "x = [3.0, -4.0, 0]\nw=1.0;b = 0.5\n\ny = tanh(w * tanh(x[0])) + tanh(x[1]) * tanh(b) + tanh(x[2])\n",
    "é = 2.0; π = [ -1.0 ,2 ]  # unicode names, odd spacing\ny = tanh(é) + tanh(π[0]) * tanh(π[1])\n",
    "w = 1.0\nw = -0.5\nv = (\n    2.0\n)\ny = tanh(w) + tanh(v)\n",  # a rebound leaf, a wrapped literal
]
finite = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(
    [0.0, -0.0, 5e-324, -1e-310, 1.7976931348623157e308, -1e300, 3.0, -7.0, 1e16, 0.1])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(TEMPLATES), st.data())
def test_the_program_text_compiles_to_exactly_the_current_values(template, data):
    s = Session(template)
    leaves = s.tape.leaf_indices()
    values = [data.draw(finite) for _ in leaves]
    reply = None
    for node, value in zip(leaves, values, strict=True):
        reply = s.act("set_leaf", node=node, value=value)
    text = reply.get("program", s.program_text())
    tape = compile_program(text)
    assert [bits(tape.init[i]) for i in leaves] == [bits(v) for v in values]
    assert tape.labels == s.tape.labels and tape.leaf_indices() == leaves
    # outside the leaves' numbers, the text is the template's, character for character
    old, new = s.tape, tape
    ends = [0] + [old.spans[i][1] for i in leaves]
    starts = [old.spans[i][0] for i in leaves] + [len(template)]
    new_ends = [0] + [new.spans[i][1] for i in leaves]
    new_starts = [new.spans[i][0] for i in leaves] + [len(text)]
    for a, b, c, d in zip(ends, starts, new_ends, new_starts, strict=True):
        assert template[a:b] == text[c:d]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e["id"])
def test_nudged_examples_reload_to_the_same_values(example):
    s = Session(example["program"])
    reply = s.act("nudge", rate=0.001, direction="descend")
    reloaded = Session(reply["program"])
    assert reloaded.timeline.start == s.timeline.start
    assert all(math.isfinite(v) for v in reloaded.timeline.values)
