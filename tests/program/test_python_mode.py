"""Python mode's engine (gradstep/program/python_mode.py, contract section 3): the learner's code
run as a script, what it printed, its graphs (last expression or show()) as programs whose
gradients are the code's own, and its errors placed at their line."""

from __future__ import annotations

import json

import pytest

from gradstep.cli import main
from gradstep.program.examples import PYTHON_EXAMPLES
from gradstep.program.python_mode import CODE_MAX, OUTPUT_MAX, SHOW_MAX, is_graph, run

# The lecture's own kind of class: tuples for _prev, _backward closures, its own backward().
LECTURE = '''
import math

class V:
    def __init__(self, data, prev=(), op=""):
        self.data, self.grad, self._prev, self._op = data, 0.0, prev, op
        self._backward = lambda: None
    def __add__(self, o):
        out = V(self.data + o.data, (self, o), "+")
        def b():
            self.grad += out.grad
            o.grad += out.grad
        out._backward = b
        return out
    def __mul__(self, o):
        out = V(self.data * o.data, (self, o), "*")
        def b():
            self.grad += o.data * out.grad
            o.grad += self.data * out.grad
        out._backward = b
        return out
    def tanh(self):
        t = math.tanh(self.data)
        out = V(t, (self,), "tanh")
        def b():
            self.grad += (1 - t * t) * out.grad
        out._backward = b
        return out

def backward(root):
    order, seen = [], set()
    def visit(n):
        if id(n) not in seen:
            seen.add(id(n))
            for p in n._prev:
                visit(p)
            order.append(n)
    visit(root)
    root.grad = 1.0
    for n in reversed(order):
        n._backward()

x, w, b = V(0.5), V(-1.5), V(0.25)
o = (x * w + b).tanh()
backward(o)
print("grads", x.grad, w.grad, b.grad)
o
'''


def grads_of(program: str, tmp_path) -> dict:
    path = tmp_path / "p.txt"
    path.write_text(program)
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["grad", str(path), "--json"]) == 0
    return json.loads(out.getvalue())


def test_a_class_of_your_own_is_drawn_and_its_gradients_are_its_own(tmp_path):
    reply = run(LECTURE)
    assert reply["error"] is None
    printed = reply["output"].split()
    assert printed[0] == "grads"
    (graph,) = reply["graphs"]
    assert graph["label"] == "the last expression"
    got = grads_of(graph["program"], tmp_path)
    # The code's own backward (its closures) and gradstep's, leaf by leaf in the order made: x, w, b.
    leaves = [k for k in got["grads"] if k.startswith("v")]
    assert sorted(float(got["grads"][k]) for k in leaves) == pytest.approx(sorted(map(float, printed[1:])), rel=1e-12)


def test_micrograd_and_gradstep_values_show_twice_and_labels():
    code = ("from micrograd.engine import Value as M\nfrom gradstep import Value\n"
            "a = M(2.0); b = M(-3.0)\nshow(a * b + a)\n"
            "c = Value(1.5, label='c')\nshow(c * c, 'square')\nprint('done')\n42\n")
    reply = run(code)
    assert reply["error"] is None and reply["output"] == "done\n"
    assert [g["label"] for g in reply["graphs"]] == ["graph 1", "square"]
    assert reply["graphs"][1]["program"] == "c = 1.5\noutput = c * c\n"


def test_an_exception_is_placed_at_its_line_with_what_was_printed_before():
    reply = run("print('before')\ndef f(x):\n    return 1 / x\n\nf(0)\n")
    assert reply["output"] == "before\n" and reply["graphs"] == []
    err = reply["error"]
    assert err["message"] == "ZeroDivisionError: division by zero" and err["line"] == 3
    assert 'File "<your code>", line 5, in <module>' in err["traceback"] and "return 1 / x" in err["traceback"]
    assert "python_mode.py" not in err["traceback"]  # (only the learner's frames)


def test_a_syntax_error_runs_nothing():
    reply = run("print('no')\nx = (1,\n")
    assert reply["output"] == "" and reply["error"]["line"] == 2 and reply["error"]["message"].startswith("SyntaxError")


def test_no_graph_and_bad_show_and_limits():
    assert run("x = 3\nx * 2\n")["graphs"] == []  # (the page keeps the graph on screen)
    bad = run("show(3)\n")
    assert "show() takes a graph's output" in bad["error"]["message"] and bad["error"]["line"] == 1
    many = run(f"from gradstep import Value\nfor _ in range({SHOW_MAX + 1}):\n    show(Value(1.0))\n")
    assert f"more than {SHOW_MAX} times" in many["error"]["message"] and len(many["graphs"]) == SHOW_MAX
    assert "the most is" in run("#" * (CODE_MAX + 1))["error"]["message"]
    loud = run(f"print('x' * {OUTPUT_MAX + 500})")
    assert len(loud["output"]) < OUTPUT_MAX + 200 and "more characters of output not shown" in loud["output"]
    assert not is_graph(3) and is_graph(type("N", (), {"data": 1.0, "_prev": (), "_op": ""})())


def test_sys_exit_and_a_graph_the_language_cannot_say_are_reported():
    assert run("import sys\nsys.exit(3)\n")["error"]["message"] == "SystemExit: 3"
    odd = run("from gradstep import Value\nclass N:\n    def __init__(s):\n"
              "        s.data, s._prev, s._op = 1.0, (Value(2.0),), 'frobnicate'\nN()\n")
    (graph,) = odd["graphs"]
    assert "error" in graph and "frobnicate" in graph["error"]


@pytest.mark.parametrize("example", PYTHON_EXAMPLES, ids=[e["id"] for e in PYTHON_EXAMPLES])
def test_the_lecture_examples_run_and_draw(example, tmp_path):
    reply = run(example["program"])
    assert reply["error"] is None, reply["error"]
    assert len(reply["graphs"]) == 1 and "program" in reply["graphs"][0]
    got = grads_of(reply["graphs"][0]["program"], tmp_path)
    assert got["grads"]  # (it compiles and runs backward)
