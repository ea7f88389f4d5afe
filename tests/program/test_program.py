"""Programs (contract section 1): every allowed form, and refusals with their place."""

from __future__ import annotations

import math

import pytest

from gradstep.core.errors import ProgramError
from gradstep.program.compiler import compile_program
from gradstep.program.timeline import Timeline
from helpers import run


def refused(text: str) -> ProgramError:
    with pytest.raises(ProgramError) as info:
        Timeline(compile_program(text))
    return info.value


# ----------------------------------------------------------------- allowed forms
def test_contract_example():
    value, grads = run("a = 2.0\nb = -3.0\nc = 10.0\ne = a * b\nd = e + c\nf = -2.0\nL = d * f\n")
    assert value == -8.0
    assert grads == {"a": 6.0, "b": -4.0, "c": -2.0, "e": -2.0, "d": -2.0, "f": 4.0, "L": 1.0}


def test_semicolons_comments_and_blank_lines():
    value, grads = run("# a comment\n\na = 1.5; b = 2  # trailing\n\nb * a\n")
    assert value == 3.0
    assert grads == {"a": 2.0, "b": 1.5, "output": 1.0}


def test_list_leaves_and_indexing():
    value, grads = run("x = [1.0, -2.0, 3.0]\ny = x[0] * x[-1] + x[1]\n")
    assert value == 1.0
    assert grads == {"x[0]": 3.0, "x[1]": 1.0, "x[2]": 1.0, "y": 1.0}


def test_augmented_assignment_rebinds():
    value, grads = run("x = 3.0\ny = x\ny *= x\ny += 1\ny -= x\ny /= 2\n")
    # y = (x*x + 1 - x) / 2
    assert value == (9 + 1 - 3) / 2
    assert grads["x"] == pytest.approx((2 * 3 - 1) / 2)
    tape = compile_program("x = 3.0\nx += 1\nx *= 2\n")
    assert tape.labels == ["x@1", "1", "x@2", "2", "x"]
    assert tape.names == {"x": 4}


def test_rebinding_a_leaf_keeps_the_old_leaf_nudgeable():
    tape = compile_program("w = 1.0\nw = w * 3\n")
    assert tape.labels[0] == "w@1" and tape.kinds[0] == "leaf"
    assert tape.leaf_indices() == [0]


def test_alias_is_its_own_node():
    value, grads = run("a = 2.0\nb = a\nb * b\n")
    assert value == 4.0
    assert grads == {"a": 4.0, "b": 4.0, "output": 1.0}


def test_all_functions_and_methods():
    text = (
        "x = 0.5\n"
        "y = exp(x) + log(x) + sin(x) + cos(x) + tan(x) + tanh(x) + sigmoid(x) + relu(x)"
        " + sqrt(x) + abs(-x) + x.exp() + x.log() + x.tanh() + x.relu() + x.sigmoid()\n"
    )
    value, grads = run(text)
    s = 1 / (1 + math.exp(-0.5))
    expected = (2 * math.exp(0.5) + 2 * math.log(0.5) + math.sin(0.5) + math.cos(0.5)
                + math.tan(0.5) + 2 * math.tanh(0.5) + 2 * s + 2 * 0.5 + math.sqrt(0.5) + 0.5)
    assert value == pytest.approx(expected, rel=1e-14)
    slope = (2 * math.exp(0.5) + 2 / 0.5 + math.cos(0.5) - math.sin(0.5)
             + 1 / math.cos(0.5) ** 2 + 2 * (1 - math.tanh(0.5) ** 2) + 2 * s * (1 - s)
             + 2 + 0.5 / math.sqrt(0.5) + 1)
    assert grads["x"] == pytest.approx(slope, rel=1e-12)


def test_list_functions_and_comprehensions():
    value, grads = run("xs = [1.0, 2.0, 3.0]\nys = [z * z for z in xs]\nsum(ys) + mean(xs)\n")
    assert value == 14.0 + 2.0
    assert grads["xs[1]"] == pytest.approx(4.0 + 1 / 3)
    assert grads["ys[2]"] == 1.0


def test_nested_comprehension_and_list_of_expressions():
    value, _ = run("a = 1.0\nb = 2.0\nv = [a * 2, b, 3.0]\nw = [exp(z) for z in [t * 0 for t in v]]\nsum(w)\n")
    assert value == 3.0


def test_comprehension_variable_does_not_leak():
    err = refused("xs = [1.0]\nys = [z for z in xs]\nz\n")
    assert (err.line, err.col) == (3, 1)
    assert "z is not defined" in err.message


def test_power_with_node_and_constant_exponents():
    value, grads = run("a = 2.0\nb = 3.0\ny = a ** b + a ** 2 + b ** (1/2) + a ** -1\n")
    assert value == pytest.approx(8 + 4 + math.sqrt(3) + 0.5)
    assert grads["b"] == pytest.approx(8 * math.log(2) + 0.5 / math.sqrt(3))
    assert grads["a"] == pytest.approx(3 * 4 + 4 - 0.25)
    # a constant exponent is part of the op, not a node
    tape = compile_program("a = -2.0\ny = a ** 2\n")
    assert len(tape) == 2 and tape.params[1] == 2.0


def test_softmax_is_stable_and_exact():
    value, grads = run("z = [1000.0, 1001.0]\np = softmax(z)\np[0]\n")
    e = math.exp(-1.0)
    assert value == pytest.approx(e / (e + 1.0))
    assert math.isfinite(grads["z[0]"])
    assert grads["z[0]"] == pytest.approx(value * (1 - value))


def test_saturating_programs():
    assert run("x = 1000.0\ntanh(x)\n")[0] == 1.0
    assert run("x = -1000.0\nsigmoid(x)\n")[0] == 0.0


def test_relu_and_abs_at_zero():
    assert run("x = 0.0\nrelu(x)\n")[1]["x"] == 0.0
    assert run("x = 0.0\nabs(x)\n")[1]["x"] == 0.0


def test_unused_name_has_zero_gradient():
    _, grads = run("a = 1.0\nb = 2.0\nunused = a * 5\nb * 3\n")
    assert grads == {"a": 0.0, "b": 3.0, "unused": 0.0, "output": 1.0}


def test_output_can_be_a_leaf():
    assert run("x = 4.0\n") == (4.0, {"x": 1.0})


def test_long_sum_is_not_deep():
    # deeper than MAX_DEPTH as a tree, but walked with a loop
    text = "a = 1.0\ny = " + " + ".join(["a"] * 900) + "\n"
    value, grads = run(text)
    assert value == 900.0 and grads["a"] == 900.0


def test_100k_node_chain_program():
    text = "x = 1.0\ny = x * 1.0\n" + "y = y * 1.00001 + 0.0\n" * 50_000
    tape = compile_program(text)
    assert len(tape) > 100_000
    timeline = Timeline(tape)
    assert timeline.grads[0] == pytest.approx(1.00001**50_000, rel=1e-9)


def test_unicode_column_counts_characters():
    assert run("π = 1.0\nπ * 2\n")[0] == 2.0  # identifiers may be unicode
    err = refused("é = 1.0; y = é + q\n")
    assert (err.line, err.col) == (1, 18)


# ----------------------------------------------------------------- refusals
@pytest.mark.parametrize("text, line, col, words", [
    ("import os\n", 1, 1, "imports are not allowed"),
    ("from os import path\n", 1, 1, "imports are not allowed"),
    ("x = 1.0\n__import__('os')\n", 2, 1, "double underscores"),
    ("x = 1.0\ny = x.__class__\n", 2, 5, "double underscores"),
    ("x = 1.0\ny = x.data\n", 2, 5, "the only methods are"),
    ("x = 1.0\ny = ().__class__.__bases__\n", 2, 5, "double underscores"),
    ("def f(x):\n    return x\n", 1, 1, "def is not allowed"),
    ("for i in [1, 2]:\n    x = i\n", 1, 1, "loops are not allowed"),
    ("while True:\n    pass\n", 1, 1, "loops are not allowed"),
    ("x = 1.0\nif x:\n    y = 2\n", 2, 1, "if is not allowed"),
    ("f = lambda x: x\n", 1, 5, "lambda is not allowed"),
    ("s = 'hello'\n", 1, 5, "strings are not allowed"),
    ("x = 1.0\ny = exp(x=x)\n", 2, 11, "keyword arguments"),
    ("x = 1.0\ny = print(x)\n", 2, 5, "not a function gradstep knows"),
    ("x = 1.0\ny = open('f')\n", 2, 5, "not a function gradstep knows"),
    ("x = 1.0\ny = eval('1')\n", 2, 5, "not a function gradstep knows"),
    ("x = 1.0\ny = x if x else 2\n", 2, 5, "conditions are not allowed"),
    ("x = 1.0\ny = x // 2\n", 2, 5, "// is not allowed"),
    ("x = 1.0\ny = x % 2\n", 2, 5, "% is not allowed"),
    ("x = (1.0, 2.0)\n", 1, 5, "only lists"),
    ("x = {1: 2}\n", 1, 5, "only lists"),
    ("x = 1.0\ny = not x\n", 2, 5, "only - and +"),
    ("x = True\ny = x * 2\n", 1, 5, "not a number"),
    ("x = 1j\n", 1, 5, "complex"),
    ("x = 1.0\ny = (z := x)\n", 2, 6, ":= operator"),
    ("x = [1.0, 2.0]\ny = x[0:1]\n", 2, 7, "whole number written out"),
    ("x = [1.0, 2.0]\ny = x[5]\n", 2, 7, "out of range"),
    ("x = [1.0, 2.0]\ni = 0\ny = x[i]\n", 3, 7, "whole number written out"),
    ("x = [1.0, 2.0]\ny = exp(x)\n", 2, 9, "is a list of 2"),
    ("x = 1.0\ny = sum(x)\n", 2, 9, "takes a list"),
    ("x = [1.0, 2.0]\nx\n", 2, 1, "must be one number"),
    ("x = [1.0, 2.0]\ny = x\n", 2, 1, "must be one number"),
    ("x = 1.0\ny\n", 2, 1, "y is not defined"),
    ("x = 1.0\nx\nx\n", 2, 1, "only as the last line"),
    ("a, b = 1.0, 2.0\n", 1, 1, "assign one name"),
    ("a = b = 1.0\n", 1, 1, "one name per assignment"),
    ("x = [1.0]\nx[0] = 2.0\n", 2, 1, "list element"),
    ("exp = 2.0\n", 1, 1, "is a function"),
    ("x = 1.0\nx **= 2\n", 2, 1, "only +=, -=, *= and /="),
    ("y += 1\n", 1, 1, "not defined yet"),
    ("x = 1.0\ny = x.exp(2)\n", 2, 5, "takes no arguments"),
    ("x = 1.0\ny = exp(x, x)\n", 2, 5, "exactly one argument"),
    ("x = 1.0\ny = x.\n", 2, 7, "after a dot comes a method"),
    ("x = (1.0\n", 1, 5, "this ( is never closed"),
    ("", 1, 1, "empty"),
    ("# only a comment\n", 1, 1, "empty"),
    ("x = 1e400\n", 1, 5, "too large"),
    ("x = 10 ** 400\n", 1, 5, "overflows"),
    ("x = 1.0\ny = [z for z in [x] if z]\n", 2, 5, "no `if`"),
    ("x = 1.0\ny = [z for z in [x] for w in [x]]\n", 2, 5, "one `for`"),
    ("xs = [1.0]\ny = [z async for z in xs][0]\n", 2, 5, "async is not allowed"),
    ("x = 1.0\ny = exp\n", 2, 5, "is a function"),
    ("x = 1.0\ny = [*[x]]\n", 2, 6, "unpacking"),
    ("class A:\n    pass\n", 1, 1, "classes are not allowed"),
    ("x = 1.0\ndel x\n", 2, 1, "del is not allowed"),
    ("with open('f') as f:\n    pass\n", 1, 1, "with is not allowed"),
    ("x = 1.0\ny = f'{x}'\n", 2, 5, "strings are not allowed"),
    ("x = 1.0\ny = x @ x\n", 2, 5, "@ is not allowed"),
    ("x = 1.0\ny = {x for x in [x]}\n", 2, 5, "only list comprehensions"),
    ("x = 1.0\ny = -x.real\n", 2, 6, "the only methods are"),
    ("x = 1.0\ny = x.exp\n", 2, 5, "the only methods are"),
    ("x = 1.0\ny = getattr(x, 'data')\n", 2, 5, "not a function gradstep knows"),
])
def test_refusals_name_line_col_and_what_to_do(text, line, col, words):
    err = refused(text)
    assert words in err.message
    assert (err.line, err.col) == (line, col), err
    assert str(err) == f"line {line}, col {col}: {err.message}"


@pytest.mark.parametrize("text, line, col, words", [
    ("x = -1.0\ny = log(x)\n", 2, 5, "log needs a positive input, but it got -1.0"),
    ("x = 0.0\ny = 1 / x\n", 2, 5, "division by zero"),
    ("x = -4.0\ny = sqrt(x)\n", 2, 5, "at least 0"),
    ("x = -2.0\ny = x ** 0.5\n", 2, 5, "negative base under a non-integer exponent"),
    ("x = -2.0\np = 2.0\ny = x ** p\n", 3, 5, "negative base under a node exponent"),
    ("x = 1000.0\ny = exp(x)\n", 2, 5, "overflows"),
    ("x = 1e200\ny = x * x\n", 2, 5, "overflows"),
    ("x = 1e300\ny = x ** 2\n", 2, 5, "overflows"),
    ("x = [1.0, 2.0]\ny = log(x[0] - 1)\n", 2, 5, "log needs a positive input, but it got 0.0"),
    ("x = 1e-200\ny = 1 / x\n", 2, 5, "the slope of 1.0 / 1e-200 with respect to 1e-200 overflows"),
    ("x = 1e200\ny = x * 1\nz = y * y\n", 3, 5, "1e+200 * 1e+200 overflows"),
    ("x = 1e308\ny = x + x\n", 2, 5, "1e+308 + 1e+308 overflows"),
    ("x = [1e308, 1e308]\ny = sum(x)\n", 2, 5, "the sum of 2 numbers, the largest 1e+308, overflows"),
    ("x = 0.0\ny = sqrt(x)\n", 2, 5, "infinite"),
])
def test_domain_errors_name_the_place_and_values(text, line, col, words):
    err = refused(text)
    assert words in err.message
    assert (err.line, err.col) == (line, col)


def test_gradient_overflow_is_an_error_not_inf():
    err = refused("x = 1e-160\ny = x * x\nz = 1 / y\n")
    assert "overflows" in err.message


@pytest.mark.parametrize("depth", [150, 1_000, 100_000])
def test_absurd_nesting_is_refused_cleanly(depth):
    for text in ("exp(" * depth + "x" + ")" * depth, "-" * depth + "x",
                 "[" * depth + "x" + "]" * depth, "x" + "[0]" * depth):
        err = refused("x = 1.0\ny = " + text + "\n")
        assert "nested" in err.message or "is never closed" in err.message, err


@pytest.mark.parametrize("depth", [150, 1_000, 100_000])
def test_deep_parentheses_run_or_are_refused(depth):
    # Parentheses make no nodes: within Python's parser limit they are fine.
    text = "x = 2.0\ny = " + "(" * depth + "x" + ")" * depth + "\n"
    try:
        assert run(text) == (2.0, {"x": 1.0, "y": 1.0})
    except ProgramError as err:
        assert "nested" in err.message


def test_too_many_nodes_refused():
    from gradstep.program import compiler as program

    err = None
    saved = program.MAX_NODES
    program.MAX_NODES = 100
    try:
        err = refused("x = [1.0, 2.0]\n" + "x = [z * 2 for z in x]\n" * 60)
    finally:
        program.MAX_NODES = saved
    assert "more than 100 nodes" in err.message


def test_null_byte_is_located():
    err = refused("x = 1.0\ny = x\x00\n")
    assert (err.line, err.col) == (2, 6) and "NUL character" in err.message


def test_huge_whole_exponents_keep_their_sign_and_are_never_a_traceback():
    _, grads = run("x = -1.0\ny = x ** 1e300\n")
    assert grads["x"] == -1e300  # d/dx x**p = p * x**(p-1), and p - 1 is odd
    for text in ("x = 2.0\ny = x ** 1" + "0" * 400 + "\n", "x = 2.0\ny = x ** -(1" + "0" * 400 + ")\n",
                 "x = 2.0\ny = x ** 1e300\n"):
        err = refused(text)
        assert err.line == 2 and ("too large" in err.message or "overflows" in err.message)


def test_columns_count_lines_as_python_does():
    # \x0c (form feed) in a comment is not a line break for ast; splitlines() says it is
    err = refused("#\x0c\nééé = 1.0; y = ééé + zz\n")
    assert (err.line, err.col) == (2, 22)


def test_mean_of_huge_numbers_does_not_overflow():
    assert run("x = [1e308, 1e308]\nmean(x)\n")[0] == 1e308


def test_a_long_one_line_chain_is_read_piece_by_piece():
    """(CPython's parser once refused 20,000 terms on one line; gradstep.program.reader reads
    them without deep recursion, so a chain this long computes, in the page's worker too.)"""
    value, grads = run("x = 1.0\ny = x" + " + 1" * 20_000 + "\nz = 2\ny\n")
    assert value == 20_001.0 and grads["x"] == 1.0
