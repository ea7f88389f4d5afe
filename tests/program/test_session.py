"""The stepper: frames, stepping one at a time equals the -all jumps and the CLI,
undo, reset, nudges, freezing and editing leaves."""

from __future__ import annotations

import pytest

from gradstep.core.errors import ProgramError
from gradstep.program.examples import EXAMPLES, by_id
from gradstep.program.scene import scene as scene_of
from gradstep.program.session import Session
from helpers import replay_frames, run

L_PROGRAM = by_id("micrograd-L")["program"]


def snapshot(session: Session):
    values, grads = session.shown()
    return session.phase, values, grads, session.state.last


def test_phases_and_first_frames():
    s = Session(L_PROGRAM)
    assert s.phase == "start"
    values, grads = s.shown()
    leaves = {s.tape.labels[i]: v for i, v in enumerate(values) if v is not None}
    assert leaves == {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0}
    assert all(g is None for g in grads)
    s.act("forward_step")
    assert s.phase == "forward"
    frame = s.timeline.frames[0]
    assert frame["text"] == "e = a * b = 2.0 * -3.0 = -6.0"
    assert s.tape.labels[s.state.last] == "e"
    s.act("forward_all")
    assert s.phase == "forward-done"
    s.act("backward_step")
    assert s.phase == "backward"
    assert s.timeline.frames[s.state.position - 1]["text"].startswith("dL/dL = 1.0")
    s.act("backward_all")
    assert s.phase == "backward-done"


def test_backward_frame_formula_with_numbers():
    s = Session(L_PROGRAM)
    texts = [f["text"] for f in s.timeline.frames if f["kind"] == "backward"]
    assert "dL/da = dL/de * ∂e/∂a = -2.0 * -3.0 = 6.0" in texts
    assert "dL/dd = dL/dL * ∂L/∂d = 1.0 * -2.0 = -2.0" in texts
    a = s.tape.names["a"]
    frame = next(f for f in s.timeline.frames if f["kind"] == "backward" and f["node"] == a)
    assert frame["terms"][0]["slope"] == "∂e/∂a = b"


def test_backward_order_has_consumers_first():
    for example in EXAMPLES:
        s = Session(example["program"])
        done = set()
        users = s.tape.consumers()
        for i in s.timeline.backward:
            assert all(c in done for c, _ in users[i])
            done.add(i)
        assert s.timeline.backward[0] == s.tape.output


ORDER_CASES = [e["program"] for e in EXAMPLES] + [
    "xs = [1.0, 2.0]\nL = softmax(xs)[0]\n",  # the output is not the last node
    "a = 1e-320\nu = log(a)\nb = 2.0\ny = b * 3 + u * 0\n",  # a zero gradient meets 1/a = inf
    "w = [0.5, -1.5, 2.0]\nh = [tanh(z) * z for z in w]\nq = sum(h)\ny = q * q + h[0]\n",
]


@pytest.mark.parametrize("text", ORDER_CASES)
def test_frames_replayed_alone_give_the_cli_numbers(text):
    session = Session(text)
    values, grads = replay_frames(session.timeline)
    value, named = run(text)
    tape = session.tape
    assert values[tape.output] == value
    for name, i in tape.names.items():
        assert grads[i] == named[name], name  # identical floats, not approximately


@pytest.mark.parametrize("example", EXAMPLES[:3], ids=lambda e: e["id"])
def test_stepping_shows_one_more_node_per_step(example):
    s = Session(example["program"])
    shown = [s.shown()]
    while s.phase != "backward-done":
        s.act("backward_step" if s.phase in ("forward-done", "backward") else "forward_step")
        shown.append(s.shown())
    for (v0, g0), (v1, g1) in zip(shown, shown[1:], strict=False):
        newly = sum(a is None and b is not None for a, b in zip(v0 + g0, v1 + g1, strict=True))
        gone = sum(a is not None and b is None for a, b in zip(v0 + g0, v1 + g1, strict=True))
        assert (newly, gone) == (1, 0)


def test_running_backward_again_gives_the_same_gradients():
    s = Session(L_PROGRAM)
    s.act("backward_all")
    first = s.shown()
    s.act("seek", position=s.forward_count)
    s.act("backward_all")
    assert s.shown() == first


def test_undo_restores_exactly():
    s = Session(by_id("tanh-neuron")["program"])
    history = [snapshot(s)]
    for action, args in [("forward_step", {}), ("forward_step", {}), ("backward_all", {}),
                         ("nudge", {"rate": 0.1, "direction": "descend"}),
                         ("toggle_freeze", {"node": 0}), ("set_leaf", {"node": 2, "value": 1.5}),
                         ("backward_step", {}), ("reset", {}), ("seek", {"position": 3})]:
        s.act(action, **args)
        history.append(snapshot(s))
    states = [s.state_dict()]
    while s.state_dict()["can_undo"]:
        s.act("undo")
        states.append(s.state_dict())
    assert snapshot(s) == history[0]
    assert states[-1]["position"] == 0 and not states[-1]["can_undo"]


def test_undo_with_nothing_to_undo_is_harmless():
    s = Session(L_PROGRAM)
    reply = s.act("undo")
    assert reply["state"]["phase"] == "start" and "timeline" not in reply


def test_forward_step_stops_at_forward_done_and_backward_step_finishes_forward():
    s = Session(L_PROGRAM)
    s.act("forward_all")
    reply = s.act("forward_step")
    assert reply["state"]["phase"] == "forward-done"
    s = Session(L_PROGRAM)
    s.act("backward_step")
    assert s.phase == "backward" and s.state.position == s.forward_count + 1


def test_nudge_moves_leaves_by_rate_times_grad():
    s = Session(L_PROGRAM)
    reply = s.act("nudge", rate=0.01, direction="ascend")
    names = s.tape.names
    start = s.timeline.start
    assert start[names["a"]] == 2.0 + 0.01 * 6.0
    assert start[names["b"]] == -3.0 + 0.01 * -4.0
    assert start[names["f"]] == -2.0 + 0.01 * 4.0
    record = reply["state"]["nudges"][-1]
    assert record["before"] == -8.0
    assert record["after"] > record["before"]
    assert record["predicted"] == pytest.approx(0.01 * (36 + 16 + 4 + 16))
    assert record["actual"] == pytest.approx(record["predicted"], rel=0.05)
    assert reply["state"]["phase"] == "forward-done"
    assert "timeline" in reply
    _, grads = s.shown()
    assert all(g is None for g in grads)  # cleared


def test_nudge_descend_and_frozen_leaves():
    s = Session(by_id("tanh-neuron")["program"])
    x1, x2 = s.tape.names["x1"], s.tape.names["x2"]
    s.act("toggle_freeze", node=x1)
    s.act("toggle_freeze", node=x2)
    before = s.timeline.output_value
    s.act("nudge", rate=0.05, direction="descend")
    assert s.timeline.output_value < before
    assert s.timeline.start[x1] == 2.0 and s.timeline.start[x2] == 0.0
    assert s.timeline.start[s.tape.names["w1"]] != -3.0


def test_nudge_into_a_domain_error_keeps_the_state():
    s = Session("x = 0.01\ny = log(x)\n")
    before = s.state
    with pytest.raises(ProgramError, match="log needs a positive input"):
        s.act("nudge", rate=1.0, direction="descend")  # x - 1.0 * 100 < 0
    assert s.state is before


def test_bad_arguments_are_refused():
    s = Session(L_PROGRAM)
    with pytest.raises(ValueError):
        s.act("nudge", rate=-1, direction="descend")
    with pytest.raises(ValueError):
        s.act("nudge", rate=0.1, direction="sideways")
    with pytest.raises(ValueError):
        s.act("toggle_freeze", node=s.tape.names["e"])
    with pytest.raises(ValueError):
        s.act("launch")
    with pytest.raises(ProgramError):
        s.act("set_leaf", node=0, value=float("inf"))


def test_set_leaf_recomputes_and_keeps_position():
    s = Session(L_PROGRAM)
    s.act("backward_all")
    a = s.tape.names["a"]
    reply = s.act("set_leaf", node=a, value=3.0)
    assert reply["state"]["phase"] == "backward-done"
    assert s.timeline.output_value == (3.0 * -3.0 + 10.0) * -2.0
    assert reply["timeline"]["values"][a] == "3.0"


def test_reset_goes_to_the_start_and_keeps_the_current_values():
    """Reset returns to position 0 but keeps the nudged leaf values and the nudge
    history. (It used to restore the program's own literals; but the page's address
    now always carries the current values, so a Reset that brought old values back
    would disagree with the link. Undo still restores the values exactly.)"""
    s = Session(L_PROGRAM)
    s.act("nudge", rate=0.1, direction="ascend")
    nudged = list(s.timeline.start)
    assert nudged[s.tape.names["a"]] == 2.0 + 0.1 * 6.0  # moved, so there is something to keep
    s.act("backward_step")
    reply = s.act("reset")
    assert s.phase == "start" and s.state.position == 0 and s.state.last is None
    assert s.timeline.start == nudged and len(s.state.nudges) == 1
    assert "timeline" not in reply and "program" not in reply  # the values did not change
    s.act("undo")
    s.act("undo")
    s.act("undo")
    assert s.timeline.start == s.tape.init and not s.state.nudges


def test_scene_is_plain_data():
    import json

    scene = scene_of(Session(L_PROGRAM))
    text = json.dumps(scene)
    assert json.loads(text)["timeline"]["values"][0] == "2.0"
    ids = {n["id"] for n in scene["layout"]["nodes"]}
    assert {"n0", "n4", "n4:op"} <= ids


def test_bad_program_raises_before_anything_runs():
    with pytest.raises(ProgramError):
        Session("import os\n")


def test_a_program_of_leaves_only_still_has_phases():
    s = Session("x = 2.0\n")
    assert s.phase == "start"
    s.act("forward_step")
    assert s.phase == "forward-done"
    s.act("undo")
    assert s.phase == "start"
    s.act("forward_all")
    assert s.phase == "forward-done"
    s.act("backward_step")
    assert s.phase == "backward-done" and s.shown()[1] == [1.0]
    s.act("nudge", rate=0.01, direction="descend")
    assert s.phase == "forward-done" and s.timeline.start == [1.99]
    s.act("reset")
    assert s.phase == "start"
