"""engine/widget.py's Python side (no browser): the state the widget starts from, the
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


def test_a_click_runs_the_session_in_the_kernel_and_answers_with_its_reply():
    y, leaves = graph()
    w = show(y)
    sent = quiet(w)
    w._on_msg(w, {"kind": "act", "action": "backward_all"}, None)
    assert sent[-1]["kind"] == "reply" and sent[-1]["reply"]["state"]["phase"] == "backward-done"
    y.backward()
    assert w.gradients == {name: v.grad for name, v in leaves.items()}
    # The same actions on a Session of the same program give the same state.
    s = Session(to_program(y))
    s.act("backward_all")
    assert w.session.state_dict() == s.state_dict()


def test_write_back_moves_the_notebooks_values_only_when_asked():
    y, leaves = graph()
    w = show(y)
    sent = quiet(w)
    w.act("backward_all")
    y.backward()
    grads = {k: v.grad for k, v in leaves.items()}
    w._on_msg(w, {"kind": "act", "action": "nudge", "args": {"rate": 0.5, "direction": "descend"}}, None)
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
    w._on_msg(w, {"kind": "act", "action": "explode"}, None)
    assert sent[-1]["kind"] == "error" and "explode" in sent[-1]["message"]
    w._on_msg(w, {"kind": "act", "action": "backward_all"}, None)
    # A nudge that leaves tanh's domain cannot happen, so use log: x -> x - 10 * 2 < 0.
    x = Value(0.5, label="x")
    lg = x.log()
    lg.label = "L"
    w2 = show(lg)
    sent2 = quiet(w2)
    w2.act("backward_all")
    w2._on_msg(w2, {"kind": "act", "action": "nudge", "args": {"rate": 10}}, None)
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
