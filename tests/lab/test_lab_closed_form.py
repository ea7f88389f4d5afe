"""The closed form (gradstep/lab/closed_form.py): sympy's derivative against backprop.

The formula string is checked by evaluating it with plain ``math`` (not sympy), so
its value is derived independently of ``closed_form``'s own evaluation.
"""

from __future__ import annotations

import ast
import math
import re

import pytest

from gradstep.lab.closed_form import closed_form, symbol_names
from gradstep.program.compiler import compile_program
from gradstep.program.examples import EXAMPLES, by_id
from gradstep.program.timeline import Timeline

pytest.importorskip("sympy")

FUNCTIONS = {"exp": math.exp, "log": math.log, "sin": math.sin, "cos": math.cos,
             "tan": math.tan, "tanh": math.tanh, "sqrt": math.sqrt}


def evaluate(expr: str, tape, start) -> float:
    """The formula evaluated by Python with math functions and the leaves' values
    (a list leaf x[0] through a list x)."""
    names: dict = dict(FUNCTIONS)
    for i, name in symbol_names(tape).items():
        m = re.fullmatch(r"(\w+)\[(\d+)\]", name)
        if m:
            names.setdefault(m.group(1), {})[int(m.group(2))] = start[i]
        else:
            names[name] = start[i]
    tree = ast.parse(expr, mode="eval")
    return eval(compile(tree, "<closed form>", "eval"), {"__builtins__": {}}, names)  # noqa: S307


def gradcheck_close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-5 + 1e-3 * abs(b)


@pytest.mark.parametrize("example", [e["id"] for e in EXAMPLES])
def test_the_closed_form_agrees_with_backprop_on_every_example(example):
    tape = compile_program(by_id(example)["program"])
    timeline = Timeline(tape)
    for leaf in tape.leaf_indices():
        result = closed_form(tape, timeline.start, leaf)
        backprop = timeline.grads[leaf]
        assert result["backprop"] == backprop
        assert result["agrees"] is True, result
        assert result["value"] == pytest.approx(backprop, rel=1e-12, abs=1e-14)
        # the string is Python, in the leaves' names, and means the same number
        assert evaluate(result["expr"], tape, timeline.start) == pytest.approx(backprop, rel=1e-9, abs=1e-12)
        assert result["latex"] and isinstance(result["ops"], int)


def test_the_closed_forms_of_seed_003_are_the_analytical_gradient():
    # seed 003: df/da = -3a^2 - 0.5 a^-0.5, df/db = 3cos(3b) + 2.5 b^1.5, df/dc = c^-2
    tape = compile_program(by_id("mixed")["program"])
    by_name = {tape.labels[i]: closed_form(tape, tape.init, i) for i in tape.leaf_indices()}
    for a in (0.5, 2.0, 7.0):
        for b in (0.25, 3.0):
            start = list(tape.init)
            start[0], start[1] = a, b
            names = {"a": a, "b": b, "c": 4.0, **FUNCTIONS}
            da = eval(by_name["a"]["expr"], {"__builtins__": {}}, names)  # noqa: S307
            db = eval(by_name["b"]["expr"], {"__builtins__": {}}, names)  # noqa: S307
            assert da == pytest.approx(-3 * a**2 - 0.5 * a**-0.5, rel=1e-13)
            assert db == pytest.approx(math.cos(3 * b) * 3 + 2.5 * b**1.5, rel=1e-13)
    assert eval(by_name["c"]["expr"], {"__builtins__": {}}, {"c": 4.0}) == 0.0625  # noqa: S307


def test_list_leaves_appear_as_indexing():
    tape = compile_program(by_id("squares")["program"])
    result = closed_form(tape, tape.init, tape.names["x[1]"])
    assert result["expr"] == "2*x[1]" and result["value"] == 8.0
    ast.parse(result["expr"], mode="eval")


def test_seed_004_the_formula_is_much_larger_than_backprop():
    # seed 004: "The code to calculate dy/domega0 is a bit of a nightmare"; backprop
    # reaches it in a few steps, one per node on the way.
    tape = compile_program(by_id("chain-one-line")["program"])
    omega0 = tape.names["omega0"]
    result = closed_form(tape, tape.init, omega0)
    assert result["name"] == "dy/domega0"
    # the path omega0 -> omega0*x -> f0 -> h1 -> ... -> y: 15 nodes by hand
    assert result["backward_steps"] == 15
    assert result["ops"] > 2 * result["backward_steps"], result
    # sin(beta0 + omega0*x) is written out three times; backprop computes it once
    assert result["expr"].count("sin(beta0 + omega0*x)") + result["expr"].count("cos(beta0 + omega0*x)") >= 2
    assert result["agrees"]
    # all ten parameters' formulas against one backward pass of 25 steps
    total = sum(closed_form(tape, tape.init, i)["ops"] for i in tape.leaf_indices())
    assert total > 10 * len(Timeline(tape).backward)
    assert str(result["ops"]) in result["size_note"]


def test_branches_follow_the_values_like_backprop():
    tape = compile_program("x = -2.0\nw = 3.0\ny = relu(w * x) + abs(x) * w\n")
    x = tape.names["x"]
    rx = closed_form(tape, tape.init, x)
    assert rx["value"] == -3.0 and rx["agrees"]  # relu off, d|x|/dx = -1: -w
    assert any("relu" in b for b in rx["branches"])
    start = list(tape.init)
    start[x] = 2.0
    rx = closed_form(tape, start, x)
    assert rx["value"] == 6.0  # relu on: w + w


def test_a_rebound_leaf_gets_a_python_name():
    tape = compile_program("a = 1.0\na = 2.0\ny = a * 3\n")
    names = symbol_names(tape)
    assert names[1] == "a"
    assert names[0].isidentifier() and names[0] != "a"


def test_a_formula_too_large_to_write_out_is_refused_with_its_size():
    # x = x*x + x, 30 times: the tape has 61 nodes on the path, the formula about 3**30
    tape = compile_program("x = 0.01\n" + "x = x * x + x\n" * 30)
    result = closed_form(tape, tape.init, 0)
    assert result["expr"] is None and result["value"] is None
    assert "written out" in result["problem"]
    assert result["backward_steps"] == 61 and result["backprop"] > 0

