"""gradstep/notebook/widget.py's Python side (no browser): the state the widget starts from, the
actions a click sends, write-back, the link, the ``_repr_`` hook and the bundle of the
page's modules it ships. tests/browser/test_widget.py drives its JavaScript."""

from __future__ import annotations

import posixpath
import re

import pytest

pytest.importorskip("anywidget")

from gradstep import Value, compile_program, show  # noqa: E402
from gradstep.notebook.assets import web_file  # noqa: E402
from gradstep.notebook.widget import GraphWidget, auto_show, bundle  # noqa: E402
from gradstep.program.from_graph import share_link, to_program  # noqa: E402
from gradstep.program.session import Session  # noqa: E402


def graph():
    x, w = Value(0.5, label="x"), Value(-1.5, label="w")
    b = Value(0.25, label="b")
    z = x * w + b
    z.label = "z"
    y = z.tanh()
    y.label = "y"
    return y, {"x": x, "w": w, "b": b}


def quiet(widget):
    sent = []
    widget.send = lambda content, buffers=None: sent.append(content)
    return sent


def test_the_widget_starts_from_the_programs_scene():
    y, _ = graph()
    w = show(y)
    assert isinstance(w, GraphWidget)
    assert w.scene["program"] == to_program(y)
    assert w.scene["state"]["phase"] == "start"
    assert {n["label"] for n in w.scene["layout"]["nodes"] if n["kind"] == "value"} >= {"x", "w", "b", "z", "y"}
    assert w.link == share_link(y)


def test_w_act_from_python_runs_the_session_and_the_views_follow_its_reply():
    y, leaves = graph()
    w = show(y)
    sent = quiet(w)
    w.act("backward_all")
    assert sent[-1]["kind"] == "reply" and sent[-1]["action"] == "backward_all"
    assert sent[-1]["reply"]["state"]["phase"] == "backward-done"
    y.backward()
    assert w.gradients == {name: v.grad for name, v in leaves.items()}
    # The same actions on a Session of the same program give the same state.
    s = Session(to_program(y))
    s.act("backward_all")
    assert w.session.state_dict() == s.state_dict()


def view_state(session: Session) -> dict:
    """What a view sends after an action: its Stepper's state (the page's format)."""
    return {k: v for k, v in session.state_dict().items() if k != "can_undo"}


def test_the_kernel_follows_what_the_view_shows():
    """A view steps by itself and says what it shows: gradients, write-back and the
    link are what is on screen, and the kernel's undo history follows the view's."""
    y, leaves = graph()
    w = show(y)
    sent = quiet(w)
    assert w.gradients == {}
    elsewhere = Session(to_program(y))  # (stands in for the view's Stepper)
    elsewhere.act("backward_all")
    w._on_msg(w, {"kind": "state", "state": view_state(elsewhere), "change": "push"}, None)
    assert sent == []  # nothing to answer: the view has it
    y.backward()
    assert w.gradients == {name: v.grad for name, v in leaves.items()}
    # A nudge: the view computes the new leaf values and asks for their timeline.
    x, wt, b = (w.session.tape.names[n] for n in ("x", "w", "b"))
    order = w.session.tape.leaf_indices()
    new = {x: 0.25, wt: -1.0, b: 0.5}
    w._on_msg(w, {"kind": "timeline", "version": 2, "leaves": [repr(new[i]) for i in order]}, None)
    answer = sent[-1]
    assert answer["kind"] == "timeline" and answer["timeline"]["version"] == 2
    assert answer["program"].startswith("x = 0.25\n") and len(answer["timeline"]["frames"]) == len(w.session.timeline)
    assert leaves["x"].data == 0.5 and w.session.timeline.start[x] == 0.5  # not shown yet
    elsewhere.act("set_leaf", node=x, value=0.25)
    elsewhere.act("set_leaf", node=wt, value=-1.0)
    elsewhere.act("set_leaf", node=b, value=0.5)
    state = {**view_state(elsewhere), "timeline_version": 2, "frozen": [x]}
    w._on_msg(w, {"kind": "state", "state": state, "change": "push"}, None)
    assert w.link == share_link(answer["program"], frozen=["x"])
    assert w.write_back() == 3 and (leaves["x"].data, leaves["w"].data, leaves["b"].data) == (0.25, -1.0, 0.5)
    # (an edit keeps the position: the gradients shown are the new values')
    assert w.gradients == {"x": elsewhere.timeline.grads[x], "w": elsewhere.timeline.grads[wt],
                           "b": elsewhere.timeline.grads[b]} != {name: v.grad for name, v in leaves.items()}
    # The view's undo pops the kernel's history too: Python's act("undo") then goes on from there.
    w._on_msg(w, {"kind": "state", "state": view_state(Session(to_program(y))), "change": "pop"}, None)
    assert w.session.timeline.start[x] == 0.5 and w.session.phase == "start"
    assert w.act("undo")["state"]["can_undo"] is False


def test_write_back_moves_the_notebooks_values_only_when_asked():
    y, leaves = graph()
    w = show(y)
    sent = quiet(w)
    w.act("backward_all")
    y.backward()
    grads = {k: v.grad for k, v in leaves.items()}
    w.act("nudge", rate=0.5, direction="descend")
    assert leaves["x"].data == 0.5  # not yet
    w._on_msg(w, {"kind": "write_back"}, None)
    assert sent[-1] == {"kind": "note", "message": "Wrote 3 values back to the notebook's Values."}
    for name, v in leaves.items():
        assert v.data == {"x": 0.5, "w": -1.5, "b": 0.25}[name] - 0.5 * grads[name]
    # The link carries the nudged values: the page opens what the widget shows.
    assert w.link == share_link(w.session.program_text())
    assert compile_program(w.session.program_text()).init[0] == leaves["x"].data


def test_frozen_leaves_stay_and_travel_in_the_link():
    y, leaves = graph()
    w = show(y)
    quiet(w)
    x = w.session.tape.names["x"]
    w.act("toggle_freeze", node=x)
    w.act("backward_all")
    w.act("nudge", rate=0.1)
    assert w.session.timeline.start[x] == 0.5
    assert w.link.endswith("&frozen=x")
    assert w.write_back() == 2 and leaves["x"].data == 0.5


def test_bad_messages_are_answered_not_raised():
    y, _ = graph()
    w = show(y)
    sent = quiet(w)
    w._on_msg(w, {"kind": "explode"}, None)
    assert sent[-1]["kind"] == "error" and "explode" in sent[-1]["message"]
    w._on_msg(w, {"kind": "state", "state": {"timeline_version": 7, "position": 0}}, None)
    assert sent[-1]["kind"] == "error" and "no timeline 7" in sent[-1]["message"]
    w._on_msg(w, {"kind": "timeline", "leaves": ["1.0"]}, None)
    assert sent[-1]["kind"] == "error" and "expected 3 leaf values" in sent[-1]["message"]
    # New values outside an op's domain: log of x -> 0.5 - 10 * 2 < 0.
    x = Value(0.5, label="x")
    lg = x.log()
    lg.label = "L"
    w2 = show(lg)
    sent2 = quiet(w2)
    w2.act("backward_all")
    w2._on_msg(w2, {"kind": "timeline", "version": 2, "leaves": ["-19.5"]}, None)
    assert sent2[-1]["kind"] == "error" and "log" in sent2[-1]["message"]
    assert w2.session.state_dict()["phase"] == "backward-done"  # nothing lost


def test_micrograds_values_show_too():
    micrograd = pytest.importorskip("micrograd.engine")
    a, b = micrograd.Value(2.0), micrograd.Value(-3.0)
    out = (a * b + b).relu()
    w = show(out)
    quiet(w)
    w.act("backward_all")
    out.backward()
    assert sorted(w.gradients.values()) == sorted([a.grad, b.grad])


def test_auto_show_makes_a_bare_value_a_widget_and_can_be_undone():
    y, _ = graph()
    auto_show()
    try:
        bundle_ = y._repr_mimebundle_()
        data = bundle_[0] if isinstance(bundle_, tuple) else bundle_
        assert "application/vnd.jupyter.widget-view+json" in data
    finally:
        auto_show(on=False)
    assert not hasattr(Value, "_repr_mimebundle_")


def test_the_bundle_carries_every_module_widget_js_imports():
    """Followed from the files themselves (relative imports, across web/'s folders)."""
    text = bundle()
    imported = set()
    todo = ["notebook/widget.js"]
    while todo:
        name = todo.pop()
        if name in imported:
            continue
        imported.add(name)
        for spec in re.findall(r"""from\s*["'](\.{1,2}/[\w./-]+\.js)["']""", web_file(name)):
            todo.append(posixpath.normpath(posixpath.join(posixpath.dirname(name), spec)))
    assert {"notebook/widget.js", "graph/graph-view.js", "graph/store.js", "graph/scene.js",
            "graph/render-svg.js"} <= imported
    for name in imported:
        assert f'"{name}": ' in text, name
    # every relative import is rewritten to a module the bundle carries, none left to resolve
    assert not re.search(r"""from\s*\\?["']\.{1,2}/""", text)
    assert "export default mod.default" in text


def test_numbers_python_made_are_frozen_so_a_nudge_moves_only_the_learners_values():
    x = Value(3.0, label="x")
    y = x * 2 + 1  # two unlabelled constants
    y.label = "y"
    w = show(y)
    quiet(w)
    w.act("backward_all")
    w.act("nudge", rate=0.1)
    start = w.session.timeline.start
    tape = w.session.tape
    assert start[tape.names["x"]] == 3.0 - 0.1 * 2.0
    made = [i for i in tape.leaf_indices() if tape.labels[i] != "x"]
    assert sorted(start[i] for i in made) == [1.0, 2.0]  # the constants did not move
    assert w.write_back() == 1 and x.data == 3.0 - 0.1 * 2.0


def test_a_view_drawn_later_starts_from_what_is_shown_now():
    y, _ = graph()
    w = show(y)
    sent = quiet(w)
    w.act("backward_all")
    w.act("nudge", rate=0.1)
    fresh = Session(w.session.program_text())
    fresh.act("forward_all")
    w._on_msg(w, {"kind": "view"}, None)  # (what a view sends when it is drawn)
    assert sent[-1]["kind"] == "scene"
    current = sent[-1]["scene"]
    assert current["state"]["phase"] == "forward-done"
    assert current["program"] == w.session.program_text()
    assert current["timeline"]["values"] == fresh.timeline.to_dict(1, frames=False)["values"]
    assert current["layout"] == show(y).scene["layout"]


def test_the_core_imports_without_the_widgets_dependency():
    import subprocess
    import sys

    code = ("import sys; sys.modules['anywidget'] = None\n"
            "from gradstep import *\n"
            "import gradstep\n"
            "try:\n    gradstep.show\nexcept ImportError as e:\n    print('refused:', e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "refused: the notebook widget needs anywidget: pip install 'gradstep[widget]'" in out.stdout
