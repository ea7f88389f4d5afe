"""Every worked example of the notebooks in shared/seeds, with the numbers they print."""

from __future__ import annotations

import math

import pytest

from gradstep.lab.numeric import difference, gradcheck
from gradstep.program.compiler import compile_program
from gradstep.program.examples import by_id
from gradstep.program.session import Session
from helpers import run


def leaf(tape, name):
    return tape.names[name]


def test_sum_and_product_forward_differences():
    # seed 000: h = 0.01, forward differences print these exact floats
    tape = compile_program(by_id("sum-product")["program"])
    assert run(by_id("sum-product")["program"])[0] == 20.0
    printed = {"var1": 4.999999999999716, "var2": 1.9999999999999574, "var3": 0.999999999999801}
    for name, number in printed.items():
        assert difference(tape, leaf(tape, name), 0.01, "forward") == number
    assert run(by_id("sum-product")["program"])[1] == {
        "var1": 5.0, "var2": 2.0, "var3": 1.0, "interim1": 1.0, "output1": 1.0}


def test_quadratic_and_its_slope():
    # seed 001: f(x) = 3x^2 - 4x + 5, f'(x) = 6x - 4
    for x in (3.0, -3.0, 2 / 3):
        text = f"x = {x!r}\ny = 3 * x**2 - 4 * x + 5\n"
        value, grads = run(text)
        assert value == pytest.approx(3 * x**2 - 4 * x + 5)
        assert grads["x"] == pytest.approx(6 * x - 4, abs=1e-12)
        tape = compile_program(text)
        assert difference(tape, 0, 1e-8, "forward") == pytest.approx(6 * x - 4, abs=1e-5)


def test_partial_derivatives_of_abc():
    # seed 001: d = a*b + c: slopes b, a, 1
    value, grads = run("a = 2.0\nb = -3.0\nc = 10.0\nd = a*b + c\n")
    assert value == 4.0
    assert (grads["a"], grads["b"], grads["c"]) == (-3.0, 2.0, 1.0)


def test_micrograd_L_and_its_nudge():
    # seed 001: the hand-set gradients, then "nudging all the source values in the
    # direction of the gradient should increase the value of L" with step 0.01
    value, grads = run(by_id("micrograd-L")["program"])
    assert value == -8.0
    assert grads == {"a": 6.0, "b": -4.0, "c": -2.0, "e": -2.0, "d": -2.0, "f": 4.0, "L": 1.0}
    s = Session(by_id("micrograd-L")["program"])
    s.act("nudge", rate=0.01, direction="ascend")
    a, b, c, f = 2.0 + 0.06, -3.0 - 0.04, 10.0 - 0.02, -2.0 + 0.04
    assert s.timeline.output_value == (a * b + c) * f
    assert s.timeline.output_value > -8.0


def test_squares_analytical_numerical_backprop():
    # seed 002: analytical [6, 8]; numerical with epsilon 0.1 gives [6.1, 8.1]
    tape = compile_program(by_id("squares")["program"])
    _, grads = run(by_id("squares")["program"])
    assert (grads["x[0]"], grads["x[1]"]) == (6.0, 8.0)
    numeric = [difference(tape, leaf(tape, f"x[{k}]"), 0.1, "forward") for k in range(2)]
    assert numeric == pytest.approx([6.1, 8.1], abs=1e-12)


def test_mixed_function_value_and_three_gradients():
    # seed 003: f(2, 3, 4) and its analytical gradient
    text = by_id("mixed")["program"]
    value, grads = run(text)
    assert value == 6.336362190988558
    ans = [-12.353553390593273, 10.25699027111255, 0.0625]
    assert [grads["a"], grads["b"], grads["c"]] == pytest.approx(ans, rel=1e-15)
    tape = compile_program(text)
    forward = [difference(tape, leaf(tape, n), 1e-7, "forward") for n in "abc"]
    central = [difference(tape, leaf(tape, n), 1e-7, "central") for n in "abc"]
    # the notebook's printed estimates, to the last digit
    assert forward == [-12.353553966448771, 10.256990385926201, 0.06249999628948899]
    assert central == [-12.353553380251014, 10.256990252699438, 0.06250000073038109]
    assert all(abs(g - a) < 1e-5 for g, a in zip(central, ans, strict=True))
    assert all(check.ok for check in gradcheck(tape))


@pytest.mark.parametrize("example", ["softmax-nll", "softmax-by-hand"])
def test_softmax_nll(example):
    # seed 003: probs, loss and the gradient of the loss for class 3
    text = by_id(example)["program"]
    value, grads = run(text)
    assert value == pytest.approx(2.1755153626167147, rel=1e-14)
    ans = [0.041772570515350445, 0.8390245074625319, 0.005653302662216329, -0.8864503806400986]
    assert [grads[f"logits[{k}]"] for k in range(4)] == pytest.approx(ans, rel=1e-13)
    timeline = Session(text).timeline
    tape = timeline.tape
    probs = [timeline.values[tape.names[f"probs[{k}]"]] for k in range(4)]
    printed = [0.04177257051535045, 0.839024507462532, 0.00565330266221633, 0.11354961935990122]
    assert probs == pytest.approx(printed, rel=1e-14)
    # the gradient is probs minus the one-hot target
    assert [grads[f"logits[{k}]"] for k in range(4)] == pytest.approx(
        [p - (k == 3) for k, p in enumerate(probs)], rel=1e-12)


CHAIN = dict(x=2.3, beta0=1.0, beta1=2.0, beta2=-3.0, beta3=0.4, beta4=-0.3,
             omega0=0.1, omega1=-0.4, omega2=2.0, omega3=3.0, omega4=-0.5)


def _chain_fn(x, beta0, beta1, beta2, beta3, beta4, omega0, omega1, omega2, omega3, omega4):
    return beta4 + omega4 * math.log(
        beta3 + omega3 * math.cos(beta2 + omega2 * math.exp(beta1 + omega1 * math.sin(beta0 + omega0 * x))))


@pytest.mark.parametrize("example", ["chain-one-line", "chain-steps"])
def test_chain_rule_through_sin_exp_cos_log(example):
    # seed 004: forward values, backward values and the ten parameter gradients
    value, grads = run(by_id(example)["program"])
    assert value == pytest.approx(_chain_fn(**CHAIN), rel=1e-15)
    printed = {"omega4": 0.864, "beta3": -0.211, "omega3": -0.139, "beta2": 0.476,
               "omega2": 2.415, "beta1": 4.830, "omega1": 4.552, "beta0": -0.646, "beta4": 1.0}
    for name, number in printed.items():
        assert round(grads[name], 3) == number, name
    c = CHAIN
    # the notebook's closed form for dy/domega0
    s0 = c["beta0"] + c["omega0"] * c["x"]
    inner = c["omega1"] * math.sin(s0) + c["beta1"]
    closed = (-c["omega1"] * c["omega2"] * c["omega3"] * c["omega4"] * c["x"] * math.cos(s0)
              * math.exp(inner) * math.sin(c["omega2"] * math.exp(inner) + c["beta2"])
              / (c["omega3"] * math.cos(c["omega2"] * math.exp(inner) + c["beta2"]) + c["beta3"]))
    assert grads["omega0"] == pytest.approx(closed, rel=1e-12)


def test_chain_steps_intermediates():
    value, grads = run(by_id("chain-steps")["program"])
    timeline = Session(by_id("chain-steps")["program"]).timeline
    names = timeline.tape.names
    forward = {"f0": 1.230, "h1": 0.942, "f1": 1.623, "h2": 5.068, "f2": 7.137, "h3": 0.657,
               "f3": 2.372, "h4": 0.864}
    for name, number in forward.items():
        assert round(timeline.values[names[name]], 3) == number, name
    backward = {"h3": -0.632, "f2": 0.476, "h2": 0.953, "f1": 4.830, "h1": -1.932, "f0": -0.646,
                "h4": -0.5}
    for name, number in backward.items():
        assert round(grads[name], 3) == number, name


def test_tanh_neuron():
    value, grads = run(by_id("tanh-neuron")["program"])
    assert value == pytest.approx(0.7071, abs=1e-4)
    expected = {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5, "n": 0.5}
    for name, number in expected.items():
        assert grads[name] == pytest.approx(number, abs=1e-12), name


def test_chain_closed_form_is_the_notebooks_formula():
    # seed 004: sympy's dy/domega0 has the notebook's value; the seed's point is its size
    pytest.importorskip("sympy")
    from gradstep.lab.closed_form import closed_form

    c = CHAIN
    s0 = c["beta0"] + c["omega0"] * c["x"]
    inner = c["omega1"] * math.sin(s0) + c["beta1"]
    notebook = (-c["omega1"] * c["omega2"] * c["omega3"] * c["omega4"] * c["x"] * math.cos(s0)
                * math.exp(inner) * math.sin(c["omega2"] * math.exp(inner) + c["beta2"])
                / (c["omega3"] * math.cos(c["omega2"] * math.exp(inner) + c["beta2"]) + c["beta3"]))
    tape = compile_program(by_id("chain-one-line")["program"])
    result = closed_form(tape, tape.init, leaf(tape, "omega0"))
    assert result["value"] == pytest.approx(notebook, rel=1e-13)
    assert result["ops"] > result["backward_steps"]
