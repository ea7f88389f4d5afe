"""Your derivative (gradstep/lab/yours.py): a hand-written derivative checked three ways.

Expected numbers come from seed 003's printed output or from the derivative worked out
by hand and computed with ``math`` here; none is copied from the code under test.
"""

from __future__ import annotations

import json
import math
import sys

import pytest

from gradstep.core.errors import ProgramError
from gradstep.lab import views
from gradstep.lab.yours import check_yours
from gradstep.program.compiler import compile_program
from gradstep.program.timeline import Timeline

SEED = "a = 2.0\nb = 3.0\nc = 4.0\nf = -a**3 + sin(3*b) - 1.0/c + b**2.5 - a**0.5\n"
# the same f over several named lines
SPLIT = "a = 2.0\nb = 3.0\nc = 4.0\np = -a**3 + sin(3*b)\nq = -1.0/c + b**2.5\nf = p + q - a**0.5\n"
SEED_B = "cos(3*b) * b + 2.5*b**1.5"  # seed 003's own answer for b: right at b = 3 only


def check(program: str, leaf: str, text: str, **options) -> dict:
    tape = compile_program(program)
    index = tape.labels.index(leaf)
    return check_yours(tape, Timeline(tape).start, index, text, **options)


def gradcheck_close(yours: float, truth: float) -> bool:
    return abs(yours - truth) <= 1e-5 + 1e-3 * abs(truth)


def true_b(b: float) -> float:
    return 3 * math.cos(3 * b) + 2.5 * b**1.5


# ------------------------------------------------------------------ seed 003
def test_seed_003s_right_answers_for_a_and_c_print_its_lines():
    a, c = 2.0, 4.0
    r = check(SEED, "a", "-3*a**2 - 0.5*a**-0.5")  # the seed's gradf, first
    assert r["expected"] == pytest.approx(-3 * a**2 - 0.5 / math.sqrt(a), rel=1e-15)
    assert r["line"] == "OK for a: expected -12.353553390593273, yours returns -12.353553390593273"
    assert r["ok"] and r["yours_ok"] and r["equivalent"] is True
    assert r["points_checked"] == 40 and r["points_failed"] == 0
    assert r["hints"] == [] and r["diagnosis"] is None and r["curve"] is None
    r = check(SEED, "c", "1*c**-2")  # the seed's third
    assert r["expected"] == 1 / c**2 == 0.0625
    assert r["line"] == "OK for c: expected 0.0625, yours returns 0.0625"
    assert r["ok"] and r["points_failed"] == 0 and r["equivalent"] is True


@pytest.mark.parametrize("program", [SEED, SPLIT])
def test_seed_003s_own_wrong_b_is_caught_and_the_term_named(program):
    r = check(program, "b", SEED_B)
    assert r["line"] == "WRONG for b: expected 10.25699027111255, yours returns 10.25699027111255"
    assert r["yours_ok"] is True and r["ok"] is False
    assert r["points_checked"] == 40 and r["points_failed"] >= 37  # (equal only where cos(3b) = 0 or b = 3)
    assert r["equivalent"] is False
    d = r["disagree"]
    b = d["at"]["b"]
    assert b != 3.0 and d["at"]["a"] == 2.0 and d["at"]["c"] == 4.0
    assert d["expected"] == pytest.approx(true_b(b), rel=1e-12)
    assert d["yours"] == pytest.approx(math.cos(3 * b) * b + 2.5 * b**1.5, rel=1e-12)
    assert r["diagnosis"]["kind"] == "terms" and r["diagnosis"]["what"] == "wrong"
    assert r["diagnosis"]["term"] == "sin(3*b)"
    assert r["diagnosis"]["truth"] == "3*cos(3*b)" and r["diagnosis"]["yours"] == "cos(3*b) * b"
    assert "sin(3*b)" in r["diagnosis"]["message"] and "3*cos" not in r["diagnosis"]["message"]
    where, rule, answer = r["hints"]
    assert "sin(3*b)" in where and "cos(3*b) * b" in where
    assert "chain rule" in rule and "cos(u)" in rule and "3*b" in rule
    assert answer == "d/db sin(3*b) = 3*cos(3*b)"
    assert r["steps"] == ["d/db sin(3*b) = cos(3*b) * d(3*b)/db = cos(3*b) * 3 = 3*cos(3*b)"]
    assert r["answer"] in ("3*cos(3*b) + 5*b**(3/2)/2", "5*b**(3/2)/2 + 3*cos(3*b)")


def test_the_reply_is_json_ready_and_has_every_field():
    r = check(SEED, "b", SEED_B)
    assert set(r) >= {"label", "yours", "yours_value", "expected", "yours_ok", "points_checked", "points_failed",
                      "equivalent", "ok", "line", "disagree", "diagnosis", "hints", "steps", "answer", "curve"}
    assert json.loads(json.dumps(r)) == r
    assert r["yours"] == SEED_B and r["label"] == "b"
    curve = r["curve"]
    assert len(curve["x"]) == len(curve["truth"]) == len(curve["yours"]) == 41
    assert 3.0 in curve["x"]
    for x, truth, yours in zip(curve["x"], curve["truth"], curve["yours"], strict=True):
        if x > 0:
            assert truth == pytest.approx(true_b(x), rel=1e-9, abs=1e-12)
            assert yours == pytest.approx(math.cos(3 * x) * x + 2.5 * x**1.5, rel=1e-9, abs=1e-12)


def test_the_points_are_the_same_every_time_and_follow_the_seed():
    first = check(SEED, "b", SEED_B)
    assert check(SEED, "b", SEED_B) == first
    assert check(SEED, "b", SEED_B, points=12)["points_checked"] == 12


def test_the_view_the_page_calls():
    tape = compile_program(SEED)
    r = views.yours(tape, Timeline(tape).start, tape.names["b"], SEED_B)
    assert "yours" in views.__all__ and r["diagnosis"]["term"] == "sin(3*b)"
    with pytest.raises(ValueError):
        views.yours(tape, Timeline(tape).start, tape.names["f"], "1")  # not a leaf


def test_the_page_follows_nudged_leaf_values():
    tape = compile_program(SEED)
    start = Timeline(tape).start
    start[tape.names["b"]] = 1.5
    r = check_yours(tape, start, tape.names["b"], "3*cos(3*b) + 2.5*b**1.5")
    assert r["ok"] and r["expected"] == pytest.approx(true_b(1.5), rel=1e-14)
    r = check_yours(tape, start, tape.names["b"], SEED_B)  # now wrong at the program's values too
    assert not r["yours_ok"] and r["disagree"]["at"]["b"] == 1.5


# ------------------------------------------------------ right, written otherwise
@pytest.mark.parametrize("leaf, text", [
    ("a", "-3*a**2 - 0.5/sqrt(a)"),
    ("a", "-(3*a*a + 1/(2*sqrt(a)))"),
    ("a", "-3*a**2 - 0.5*a**-0.5 + 0*c"),
    ("b", "3*cos(3*b) + 2.5*sqrt(b)**3"),
    ("b", "2.5*b*sqrt(b) + 3*cos(3*b)"),
    ("c", "c**-2"),
    ("c", "1/(c*c)"),
    ("c", "-(-1.0)/c**2"),
])
def test_equivalent_answers_written_differently_are_accepted(leaf, text):
    r = check(SEED, leaf, text)
    assert r["ok"] and r["yours_ok"] and r["equivalent"] is True and r["points_failed"] == 0
    assert r["line"].startswith(f"OK for {leaf}: ")


def test_an_answer_right_at_one_point_only():
    # d(x**3)/dx = 3x**2; 3*x agrees with it at x = 1 (and 0) and nowhere else
    r = check("x = 1.0\nz = x**3\n", "x", "3*x")
    assert r["yours_ok"] is True and r["yours_value"] == 3.0 and r["expected"] == 3.0
    assert r["points_failed"] > 0 and r["equivalent"] is False and not r["ok"]
    x = r["disagree"]["at"]["x"]
    assert r["disagree"]["expected"] == pytest.approx(3 * x * x, rel=1e-12)
    assert r["disagree"]["yours"] == pytest.approx(3 * x, rel=1e-12)
    assert r["diagnosis"]["kind"] == "whole"
    assert r["line"] == "WRONG for x: expected 3.0, yours returns 3.0"


def test_a_rounded_constant_passes_every_point_but_is_not_the_derivative():
    r = check("x = 2.0\nz = x/3\n", "x", "0.333333")
    assert r["yours_ok"] and r["points_failed"] == 0
    assert r["equivalent"] is False and not r["ok"]
    assert r["disagree"] is None and "rounded" in r["diagnosis"]["message"]


# ------------------------------------------------------------ which term
def test_a_missing_term_is_named_with_its_derivative():
    r = check(SEED, "a", "-3*a**2")
    assert r["diagnosis"]["what"] == "missing" and r["diagnosis"]["term"] == "-a**0.5"
    assert r["diagnosis"]["truth"] == "-1/(2*sqrt(a))"
    assert "power rule" in r["hints"][1]
    a = 2.0
    assert r["disagree"]["expected"] == pytest.approx(-3 * a**2 - 0.5 / math.sqrt(a), rel=1e-14)
    assert r["steps"][-1].startswith("so d/da -a**0.5 = ")


def test_an_extra_term_from_another_leaf_is_explained():
    r = check(SEED, "b", "3*cos(3*b) + 2.5*b**1.5 + 1/c**2")  # dc's term put into db
    d = r["diagnosis"]
    assert d["what"] == "extra" and d["term"] is None and d["yours"] == "1/c**2"
    assert "-1.0/c" in d["message"] and "with respect to c" in d["message"]
    assert r["yours_value"] == pytest.approx(true_b(3.0) + 1 / 16, rel=1e-14)


def test_a_wrong_sign_on_a_subtracted_term():
    r = check(SEED, "c", "-1/c**2")
    assert r["diagnosis"]["term"] == "-1.0/c" and r["diagnosis"]["what"] == "wrong"
    assert r["diagnosis"]["truth"] == "c**(-2)"
    assert r["expected"] == 0.0625 and r["yours_value"] == -0.0625


def test_a_product_rule_answer_split_over_two_of_yours_terms():
    # one term of f, whose derivative the learner writes as two terms: they match together
    program = "x = 2.0\nz = x*sin(x) + x**2\n"
    assert check(program, "x", "sin(x) + x*cos(x) + 2*x")["ok"]
    r = check(program, "x", "sin(x) + cos(x) + 2*x")
    assert r["diagnosis"]["term"] == "x*sin(x)" and r["diagnosis"]["what"] == "wrong"
    assert r["diagnosis"]["yours"] == "sin(x) + cos(x)"
    assert "product rule" in r["hints"][1]


def test_nested_calls_are_explained_one_rule_a_line():
    r = check("x = 2.0\nz = exp(sin(x**2)) + x\n", "x", "exp(sin(x**2))*cos(x**2) + 1")
    assert r["diagnosis"]["term"] == "exp(sin(x**2))"
    steps = r["steps"]
    assert steps[0] == "d/dx exp(sin(x**2)) = exp(sin(x**2)) * d(sin(x**2))/dx"
    assert steps[1].startswith("d(sin(x**2))/dx = cos(x**2) * d(x**2)/dx = ")
    assert steps[-1].startswith("so d/dx exp(sin(x**2)) = ")
    x = 2.0
    truth = 2 * x * math.cos(x * x) * math.exp(math.sin(x * x)) + 1
    assert r["expected"] == pytest.approx(truth, rel=1e-14)


def test_a_named_term_is_shown_with_its_definition():
    r = check("b = 3.0\nh = 3*b\ns = sin(h)\nf = s + b**2\n", "b", "cos(h) + 2*b")
    assert r["diagnosis"]["term"] == "s" and "s (= sin(h))" in r["diagnosis"]["message"]
    assert r["steps"] == ["d/db sin(h) = cos(h) * dh/db", "dh/db = d(3*b)/db = 3",
                          "so d/db sin(h) = cos(h) * 3 = 3*cos(3*b)"]


def test_not_a_sum_says_where_they_differ():
    r = check("x = 2.0\nz = x*sin(x)\n", "x", "sin(x) + cos(x)")
    d = r["diagnosis"]
    assert d["kind"] == "whole" and d["term"] is None and "differ at the program's own values" in d["message"]
    x = 2.0
    assert r["expected"] == pytest.approx(math.sin(x) + x * math.cos(x), rel=1e-14)
    assert "product rule" in r["hints"][1]
    assert r["hints"][2] == "dz/dx = x*cos(x) + sin(x)"


# ------------------------------------------------------------- domains
def test_a_program_with_a_small_domain_is_checked_inside_it():
    program = "x = 0.5\nz = log(x) + sqrt(1 - x)\n"  # only 0 < x < 1
    r = check(program, "x", "1/x - 0.5/sqrt(1 - x)")
    assert r["ok"] and r["points_checked"] >= 20 and r["points_failed"] == 0
    r = check(program, "x", "1/x + 0.5/sqrt(1 - x)")
    assert not r["ok"] and r["points_failed"] == r["points_checked"]
    assert r["diagnosis"]["term"] == "sqrt(1 - x)"
    for x, truth in zip(r["curve"]["x"], r["curve"]["truth"], strict=True):
        if truth is not None:
            assert 0 < x < 1 and truth == pytest.approx(1 / x - 0.5 / math.sqrt(1 - x), rel=1e-9)


def test_where_your_expression_is_undefined_the_point_fails():
    # 2*exp(log(x)) is 2x for x > 0 and undefined for x <= 0, where 2x is not
    r = check("x = 2.0\nz = x**2\n", "x", "2*exp(log(x))")
    assert r["yours_ok"] and r["points_failed"] > 0 and not r["ok"]
    d = r["disagree"]
    assert d["at"]["x"] <= 0 and d["yours"] is None and d["expected"] == 2 * d["at"]["x"]
    assert "line 1, col 7" in d["problem"] and "log" in d["problem"]


def test_your_expression_undefined_at_the_programs_values():
    r = check(SEED, "b", "  1/(b-3)")
    assert r["yours_value"] is None and not r["yours_ok"] and not r["ok"]
    assert r["line"].startswith("WRONG for b: expected 10.25699027111255, "
                                "yours cannot be computed here (line 1, col 3:")
    assert "division by zero" in r["line"]


def test_a_leaf_whose_derivative_is_zero():
    program = "x = 2.0\nd = 5.0\nz = x**2\n"
    r = check(program, "d", "0")
    assert r["ok"] and r["expected"] == 0.0 and r["yours_value"] == 0.0 and r["equivalent"] is True
    r = check(program, "d", "1")
    assert not r["ok"] and "does not depend on d" in r["diagnosis"]["message"]
    assert r["hints"][2] == "dz/dd = 0"


def test_relu_is_checked_on_the_side_the_program_is_on():
    on = "x = 2.0\nw = 1.0\nz = relu(w*x) + x**2\n"  # w*x > 0: dz/dx = w + 2x
    r = check(on, "x", "w + 2*x")
    assert r["ok"] and r["points_checked"] == 40 and r["expected"] == 1.0 + 4.0
    r = check(on, "x", "2*x")
    assert not r["ok"] and r["diagnosis"]["term"] == "relu(w*x)" and r["diagnosis"]["what"] == "missing"
    off = "x = 2.0\nw = -1.0\nz = relu(w*x) + x**2\n"  # w*x < 0: dz/dx = 2x
    assert check(off, "x", "2*x")["ok"]
    assert not check(off, "x", "w + 2*x")["ok"]


def test_many_relus_still_find_points_on_the_same_side():
    program = ("x = [0.5, -1.2, 2.0]\nw = [0.3, 0.8, -0.4]\nv = [-0.6, 0.2, 0.9]\n"
               "h1 = relu(w[0]*x[0] + w[1]*x[1] + w[2]*x[2])\nh2 = relu(v[0]*x[0] + v[1]*x[1] + v[2]*x[2])\n"
               "L = (h1 + h2 - 1.0)**2\n")
    # at these values h1 = 0 (its input is -1.59) and h2 = 1.26: dL/dx[0] = 2*(h2 - 1)*v[0]
    r = check(program, "x[0]", "2*(h1 + h2 - 1.0)*v[0]")
    assert r["ok"] and r["points_checked"] >= 20
    h2 = -0.6 * 0.5 + 0.2 * -1.2 + 0.9 * 2.0
    assert r["expected"] == pytest.approx(2 * (h2 - 1.0) * -0.6, rel=1e-14)


# --------------------------------------------------------------- names
def test_names_of_other_steps_stand_for_their_values():
    r = check("a = 0.5\nf = exp(a)\n", "a", "f")
    assert r["ok"] and r["equivalent"] is True
    r = check("xs = [0.0, 3.0, -2.0, 1.0]\np = softmax(xs)\nL = -log(p[3])\n", "xs[3]", "p[3] - 1")
    assert r["ok"] and r["expected"] == pytest.approx(-0.8864503806400986, rel=1e-14)  # seed 003's softmax
    r = check("xs = [0.0, 3.0, -2.0, 1.0]\np = softmax(xs)\nL = -log(p[3])\n", "xs[0]", "softmax(xs)[0]")
    assert r["ok"] and r["expected"] == pytest.approx(0.041772570515350445, rel=1e-14)


def test_a_rebound_leaf_by_its_formula_name():
    r = check("a = 2.0\na = a * 3\nz = a**2\n", "a@1", "18*a_line1")
    assert r["ok"] and r["expected"] == 36.0


@pytest.mark.parametrize("text, line, col, words", [
    ("cos(3*b) *", 1, 11, "ends after *"),
    ("cos(3*q)", 1, 7, "q is not a name in the program"),
    ("  cos(3*q)", 1, 9, "q is not a name"),
    ("\n  cos(3*q)", 2, 9, "q is not a name"),
    ("b = 3", 1, 1, "without `name =`"),
    ("3*b; 4", 1, 6, "one expression"),
    ("3*b\n4", 2, 1, "one expression"),
    ("import os", 1, 1, "imports are not allowed"),
    ("cos(3*b", 1, 4, "never closed"),
    ("foo(b)", 1, 1, "not a function gradstep knows"),
    ("b.__class__", 1, 1, "double underscores"),
    ("a // b", 1, 1, "// is not allowed"),
    ("", 1, 1, "empty"),
])
def test_a_bad_expression_is_refused_at_its_place_in_the_expression(text, line, col, words):
    with pytest.raises(ProgramError) as caught:
        check(SEED, "b", text)
    assert (caught.value.line, caught.value.col) == (line, col)
    assert words in caught.value.message


def test_not_a_leaf_is_refused():
    tape = compile_program(SEED)
    with pytest.raises(ValueError):
        check_yours(tape, Timeline(tape).start, tape.names["f"], "1")


# ------------------------------------------------- seed 004: a named step, not a leaf
SEED_004 = """beta0 = 1.0
beta1 = 2.0
beta2 = -3.0
beta3 = 0.4
beta4 = -0.3
omega0 = 0.1
omega1 = -0.4
omega2 = 2.0
omega3 = 3.0
omega4 = -0.5
x = 2.3
f0 = beta0 + omega0 * x
h1 = sin(f0)
f1 = beta1 + omega1 * h1
h2 = exp(f1)
f2 = beta2 + omega2 * h2
h3 = cos(f2)
f3 = beta3 + omega3 * h3
h4 = log(f3)
y = beta4 + omega4 * h4
"""
# the backward pass by hand, each step's derivative from the one after it (seed 004's step 2),
# and the "true value" the seed prints for it (3 decimals)
_DYDH3 = "omega4/f3*omega3"
SEED_004_STEPS = [
    ("h4", "omega4", None),
    ("f3", "omega4/f3", None),
    ("h3", _DYDH3, -0.632),
    ("f2", f"{_DYDH3}*(-sin(f2))", 0.476),
    ("h2", f"{_DYDH3}*(-sin(f2))*omega2", 0.953),
    ("f1", f"{_DYDH3}*(-sin(f2))*omega2*h2", 4.830),
    ("h1", f"{_DYDH3}*(-sin(f2))*omega2*h2*omega1", -1.932),
    ("f0", f"{_DYDH3}*(-sin(f2))*omega2*h2*omega1*cos(f0)", -0.646),
]


@pytest.mark.parametrize("step,text,seeds_value", SEED_004_STEPS)
def test_seed_004s_backward_pass_by_hand_is_checked_step_by_step(step, text, seeds_value):
    r = check(SEED_004, step, text)
    assert r["ok"] and r["yours_ok"] and r["points_failed"] == 0 and r["points_checked"] >= 10, r["line"]
    assert r["equivalent"] is True
    if seeds_value is not None:
        assert round(r["expected"], 3) == seeds_value
    assert r["line"].startswith(f"OK for {step}: expected ")


def test_seed_004s_parameters_by_hand_from_the_steps_values():
    # step 3: dy/domega_k = dy/df_k * h_k, dy/dbeta_k = dy/df_k; the seed's true values
    for leaf, text, seeds_value in [("omega4", "h4", 0.864), ("beta3", "omega4/f3", -0.211),
                                    ("omega3", "omega4/f3*h3", -0.139), ("omega2", f"{_DYDH3}*(-sin(f2))*h2", 2.415),
                                    ("omega1", f"{_DYDH3}*(-sin(f2))*omega2*h2*h1", 4.552)]:
        r = check(SEED_004, leaf, text)
        assert r["ok"] and round(r["expected"], 3) == seeds_value, (leaf, r["line"])


def test_a_steps_derivative_with_the_sign_of_sins_derivative_wrong_is_caught():
    r = check(SEED_004, "f2", f"{_DYDH3}*sin(f2)")
    assert not r["ok"] and not r["yours_ok"] and r["points_failed"] == r["points_checked"]
    assert r["yours_value"] == pytest.approx(-r["expected"])
    assert r["equivalent"] is False
    assert "Yours is the true derivative with the opposite sign, at every point checked" in r["hints"][0]
    # a chain that is not a sum: the rule to use is the chain rule's product, checked factor by factor
    r = check("w = -0.4\nx = 2.3\nf = w * x\nh = cos(f)\ny = exp(h)\n", "f", "y*sin(f)")
    assert r["hints"][0].startswith("Yours is the true derivative with the opposite sign, at every point checked")
    assert "product of the local derivatives on the way from f to y" in r["hints"][1]


def test_a_dropped_constant_factor_is_named_as_one():
    r = check(SEED, "a", "-6*a**2 - a**-0.5")  # twice the truth, -3*a**2 - 0.5*a**-0.5
    assert not r["ok"] and "Yours is 2 times the true derivative at every point checked" in r["hints"][0]


def test_a_name_before_the_step_is_refused_with_the_reason():
    # dy/dh3 holds h3 as a number of its own: cos(f2) equals h3 only at the program's values
    with pytest.raises(ProgramError) as error:
        check(SEED_004, "h3", "omega4*omega3/(beta3 + omega3*cos(f2))")
    assert (error.value.line, error.value.col) == (1, 35)
    assert "f2 comes before h3" in error.value.message and "write it in h3" in error.value.message
    with pytest.raises(ProgramError, match="omega0 comes before h3"):
        check(SEED_004, "h3", "omega0")


def test_a_step_whose_value_reaches_the_output_by_two_paths():
    # f = p*q + p with q = p + a: moving p moves q too, so df/dp sums both paths,
    # q + 1 + p (= 2p + a + 1), which is backprop's p.grad; q + 1 forgets the path through q
    program = "a = 1.5\np = a * a\nq = p + a\nf = p * q + p\n"
    for text in ("q + 1 + p", "2*p + a + 1"):
        r = check(program, "p", text)
        assert r["ok"] and r["expected"] == 3.75 + 1 + 2.25, text
    r = check(program, "p", "q + 1")
    assert not r["ok"] and r["points_failed"] > 0


def test_the_view_the_page_calls_takes_a_named_step():
    tape = compile_program(SEED_004)
    r = views.yours(tape, Timeline(tape).start, tape.names["h3"], _DYDH3)
    assert r["ok"] and r["label"] == "h3"
    json.dumps(r)


# ------------------------------------------------------------- limits
def test_hostile_expressions_are_refused_before_work_at_their_place():
    with pytest.raises(ProgramError, match="4,001 characters long; gradstep reads up to 4,000"):
        check(SEED, "b", "b+" * 2000 + "b")
    with pytest.raises(ProgramError, match="nested more than 100 levels") as error:
        check(SEED, "b", "(" * 300 + "b" + ")" * 300)
    assert error.value.col == 101
    with pytest.raises(ProgramError, match="double underscores"):
        check(SEED, "b", "b.__class__")
    r = check(SEED, "b", "b**b**b**b**b**b")  # overflows at the program's values: said, not raised
    assert not r["ok"] and r["yours_value"] is None and "overflows" in r["line"]


def test_a_long_chain_is_checked_without_recursion():
    program = "x = 1.0\n" + "x = x * 1.0001 + 0.001\n" * 3000 + "y = x\n"
    right = "1.0001**3000 + 0*x_line1"
    assert check(program, "x@1", right)["ok"]
    r = check(program, "x@1", "1")
    assert not r["ok"] and r["equivalent"] is None and r["points_failed"] > 0
    assert r["expected"] == pytest.approx(1.0001**3000, rel=1e-12)


def test_without_sympy_the_points_still_decide(monkeypatch):
    monkeypatch.setitem(sys.modules, "sympy", None)  # import sympy now fails
    r = check(SEED, "b", SEED_B)
    assert r["equivalent"] is None and "sympy" in r["equivalent_note"]
    assert not r["ok"] and r["yours_ok"] and r["points_failed"] >= 37
    assert r["diagnosis"]["term"] == "sin(3*b)" and r["diagnosis"]["what"] == "wrong"
    assert r["steps"] == ["d/db sin(3*b) = cos(3*b) * d(3*b)/db = cos(3*b) * 3"]
    assert len(r["hints"]) == 3
    r = check(SEED, "a", "-3*a**2 - 0.5/sqrt(a)")
    assert r["ok"] and r["equivalent"] is None and r["points_failed"] == 0
