"""The gradient lab's finite differences (gradstep/lab/views.py): compare, error_curve, slope_view.

Expected numbers come from the seed notebooks' printed output, from derivatives
worked out by hand, or from plain Python computing the seed's own formulas; none
is copied from the code under test.
"""

from __future__ import annotations

import json
import math

import pytest

from gradstep.lab import views as lab
from gradstep.program.compiler import compile_program
from gradstep.program.examples import EXAMPLES, by_id
from gradstep.program.timeline import Timeline

EPS = 2.0**-52


def tape_of(text):
    return compile_program(text)


def fit_slope(points):
    """Least-squares slope of log10(error) against log10(h)."""
    xs = [math.log10(h) for h, _ in points]
    ys = [math.log10(e) for _, e in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


# ------------------------------------------------------------------ compare
def test_seed_000_forward_differences_print_the_notebooks_digits():
    # seed 000: h = 0.01; dvar1 = 4.999999999999716, dvar2 = 1.9999999999999574,
    # dvar3 = 0.999999999999801
    tape = tape_of(by_id("sum-product")["program"])
    rows = {row["label"]: row for row in lab.compare(tape, tape.init, 0.01)["leaves"]}
    assert rows["var1"]["forward"] == 4.999999999999716
    assert rows["var2"]["forward"] == 1.9999999999999574
    assert rows["var3"]["forward"] == 0.999999999999801
    assert [rows[n]["backprop"] for n in ("var1", "var2", "var3")] == [5.0, 2.0, 1.0]


def test_seed_003_forward_and_central_print_the_notebooks_digits():
    # seed 003, h = 0.0000001: "yours returns" for the forward and the symmetric
    # difference; the backward digit of a is the contract's example.
    tape = tape_of(by_id("mixed")["program"])
    result = lab.compare(tape, tape.init, 0.0000001)
    assert result["h"] == 1e-07 and result["output"] == "f"
    rows = {row["label"]: row for row in result["leaves"]}
    assert [rows[n]["forward"] for n in "abc"] == [-12.353553966448771, 10.256990385926201,
                                                   0.06249999628948899]
    assert [rows[n]["central"] for n in "abc"] == [-12.353553380251014, 10.256990252699438,
                                                   0.06250000073038109]
    assert rows["a"]["backward"] == -12.353552794053257
    assert rows["a"]["backprop"] == -12.353553390593273  # the seed's ans[0]
    assert all(row["ok"] for row in rows.values())
    a = rows["a"]
    assert a["abs_error"]["forward"] == abs(-12.353553966448771 - -12.353553390593273)
    assert a["rel_error"]["central"] == abs(-12.353553380251014 - -12.353553390593273) / 12.353553390593273


def test_seed_001_quadratic_forward_difference_is_the_notebooks_computation():
    # seed 001: h = 0.00000001, slope = (f(x + h) - f(x)) / h with f = 3x^2 - 4x + 5,
    # computed here by the notebook's own code; f'(x) = 6x - 4 by hand.
    def f(x):
        return 3 * x**2 - 4 * x + 5

    h = 0.00000001
    for x in (3.0, -3.0, 2 / 3):
        tape = tape_of(f"x = {x!r}\ny = 3 * x**2 - 4 * x + 5\n")
        [row] = lab.compare(tape, tape.init, h)["leaves"]
        assert row["forward"] == (f(x + h) - f(x)) / h
        assert row["backprop"] == pytest.approx(6 * x - 4, abs=1e-12)


def test_compare_follows_the_current_leaf_values():
    tape = tape_of(by_id("quadratic")["program"])
    start = list(tape.init)
    start[tape.names["x"]] = -1.0  # as after an edit: f'(-1) = -10
    [row] = lab.compare(tape, start, 1e-6)["leaves"]
    assert row["backprop"] == -10.0 and row["ok"]
    assert row["central"] == pytest.approx(-10.0, abs=1e-6)


def test_compare_rows_are_json_and_name_a_domain_problem():
    tape = tape_of("x = 1e-7\ny = log(x)\n")
    result = lab.compare(tape, tape.init, 1e-6)
    json.dumps(result, allow_nan=False)
    [row] = result["leaves"]
    assert row["backward"] is None and row["central"] is None and row["ok"] is False
    assert row["forward"] is not None and "domain" in row["problem"]
    assert row["abs_error"]["central"] is None


# -------------------------------------------------------------- error curve
SMOOTH = [
    ("x = 1.0\ny = exp(x)\n", "x"),
    ("x = 1.0\ny = sin(x)\n", "x"),
    (by_id("mixed")["program"], "a"),
    (by_id("mixed")["program"], "c"),
    (by_id("chain-steps")["program"], "x"),
    (by_id("tanh-neuron")["program"], "w1"),
]


def test_default_hs_span_1e_1_to_1e_12_log_spaced():
    hs = lab.default_hs()
    assert len(hs) >= 12 and hs[0] == 0.1 and hs[-1] == 1e-12
    ratios = [a / b for a, b in zip(hs, hs[1:], strict=False)]
    assert max(ratios) == pytest.approx(min(ratios), rel=1e-9)


@pytest.mark.parametrize("text, name", SMOOTH)
def test_forward_converges_at_first_order_and_central_at_second(text, name):
    tape = tape_of(text)
    curve = lab.error_curve(tape, tape.init, tape.names[name], derivatives="numeric")
    assert [p["h"] for p in curve["points"]] == lab.default_hs()
    # h from 1e-1 to 1e-3: far above where rounding (eps*|f|/h) matters
    window = [p for p in curve["points"] if 1e-3 <= p["h"] <= 1e-1]
    for method, order in (("forward", 1), ("backward", 1), ("central", 2)):
        points = [(p["h"], p[method]) for p in window]
        assert fit_slope(points) == pytest.approx(order, abs=0.1), method


def _mixed_a_by_hand():
    # f = -a^3 + sin(3b) - 1/c + b^2.5 - a^0.5 at (2, 3, 4), derivatives in a by hand
    a, b, c = 2.0, 3.0, 4.0
    f = -(a**3) + math.sin(3 * b) - 1 / c + b**2.5 - a**0.5
    f2 = -6 * a + 0.25 * a**-1.5
    f3 = -6 - 0.375 * a**-2.5
    return f, f2, f3


@pytest.mark.parametrize("derivatives", ["numeric", "sympy"])
def test_theory_lines_use_the_second_and_third_derivatives(derivatives):
    f, f2, f3 = _mixed_a_by_hand()
    tape = tape_of(by_id("mixed")["program"])
    curve = lab.error_curve(tape, tape.init, tape.names["a"], derivatives=derivatives)
    theory = curve["theory"]
    assert theory["derivatives_from"].startswith(derivatives)
    assert theory["f"] == pytest.approx(f, rel=1e-14)
    assert theory["f2"] == pytest.approx(f2, rel=1e-6)
    assert theory["f3"] == pytest.approx(f3, rel=1e-6)
    assert theory["one_sided"] == pytest.approx(abs(f2) / 2, rel=1e-6)
    assert theory["central"] == pytest.approx(abs(f3) / 6, rel=1e-6)
    assert theory["roundoff"] == pytest.approx(EPS * abs(f), rel=1e-12)
    for p in curve["points"]:
        h = p["h"]
        assert p["theory_one_sided"] == pytest.approx(abs(f2) / 2 * h, rel=1e-6)
        assert p["theory_central"] == pytest.approx(abs(f3) / 6 * h * h, rel=1e-6)
        assert p["theory_roundoff"] == pytest.approx(EPS * abs(f) / h, rel=1e-12)
    best = curve["best"]
    assert best["forward"]["theory"] == pytest.approx(math.sqrt(2 * EPS * abs(f) / abs(f2)), rel=1e-6)
    assert best["central"]["theory"] == pytest.approx((3 * EPS * abs(f) / abs(f3)) ** (1 / 3), rel=1e-6)


@pytest.mark.parametrize("text, name", SMOOTH)
def test_the_measured_best_h_is_within_a_decade_of_the_theory(text, name):
    tape = tape_of(text)
    leaf = tape.names[name]
    curve = lab.error_curve(tape, tape.init, leaf, derivatives="numeric")
    f = curve["value"]
    # f'' and f''' independently: central differences of the backprop gradient
    s = 1e-3

    def grad(x):
        start = list(tape.init)
        start[leaf] = x
        return Timeline(tape, start).grads[leaf]

    x = tape.init[leaf]
    f2 = (grad(x + s) - grad(x - s)) / (2 * s)
    f3 = (grad(x + s) - 2 * grad(x) + grad(x - s)) / s**2
    theory = {"forward": math.sqrt(2 * EPS * abs(f) / abs(f2)),
              "backward": math.sqrt(2 * EPS * abs(f) / abs(f2)),
              "central": (3 * EPS * abs(f) / abs(f3)) ** (1 / 3)}
    for method, h_theory in theory.items():
        errors = [p[method] for p in curve["points"]]
        measured = curve["points"][errors.index(min(errors))]["h"]
        assert curve["best"][method]["measured"] == measured
        assert abs(math.log10(measured / h_theory)) <= 1.0, (method, measured, h_theory)


def test_round_off_wins_at_tiny_h():
    tape = tape_of("x = 1.0\ny = exp(x)\n")
    curve = lab.error_curve(tape, tape.init, 0, derivatives="numeric")
    errors = {p["h"]: p["central"] for p in curve["points"]}
    assert errors[1e-12] > 100 * errors[1e-5]


def test_error_curve_of_a_linear_function_has_no_theory_best_h():
    tape = tape_of("x = 3.0\ny = 2 * x + 1\n")
    curve = lab.error_curve(tape, tape.init, 0, derivatives="numeric")
    assert curve["theory"]["f2"] == 0.0 and curve["best"]["forward"]["theory"] is None
    json.dumps(curve, allow_nan=False)


# --------------------------------------------------------------- slope view
def test_slope_view_of_the_quadratic():
    # f = 3x^2 - 4x + 5 at x = 3: f = 20, f' = 14; span max(1, |x|) = 3
    tape = tape_of(by_id("quadratic")["program"])
    view = lab.slope_view(tape, tape.init, 0, h=0.5)
    assert view["span"] == 3.0 and len(view["xs"]) == len(view["ys"]) == 101
    assert view["xs"][0] == 0.0 and view["xs"][-1] == 6.0 and view["xs"][50] == 3.0
    for x, y in zip(view["xs"], view["ys"], strict=True):
        assert y == pytest.approx(3 * x**2 - 4 * x + 5, rel=1e-12, abs=1e-12)
    assert (view["x"], view["y"]) == (3.0, 20.0)
    assert view["slope"] == 14.0
    (x0, y0), (x1, y1) = view["tangent_line"]
    assert (x0, x1) == (0.0, 6.0) and y0 == pytest.approx(20 - 14 * 3) and y1 == pytest.approx(20 + 14 * 3)
    # the secants, by hand: forward through (3, 20) and (3.5, 27.75): slope 15.5;
    # central through (2.5, 13.75) and (3.5, 27.75): slope 14 (exact for a parabola)
    assert view["forward"] == [[3.0, 20.0], [3.5, 27.75]]
    assert view["central"] == [[2.5, 13.75], [3.5, 27.75]]
    assert view["secant_slopes"] == {"forward": 15.5, "central": 14.0}
    json.dumps(view, allow_nan=False)


def test_slope_view_shrinks_near_a_domain_edge():
    # log(x) at x = 0.001: with span 1 half the points would be x <= 0
    tape = tape_of("x = 0.001\ny = log(x)\n")
    view = lab.slope_view(tape, tape.init, 0, h=1e-6)
    valid = [(x, y) for x, y in zip(view["xs"], view["ys"], strict=True) if y is not None]
    assert len(valid) >= 0.6 * 101 and view["span"] < 1.0
    assert all(x > 0 for x, _ in valid)
    assert all(y is None for x, y in zip(view["xs"], view["ys"], strict=True) if x <= 0)
    for x, y in valid:
        assert y == pytest.approx(math.log(x), rel=1e-12, abs=1e-12)


def test_slope_view_with_a_secant_outside_the_domain():
    tape = tape_of("x = 1e-7\ny = log(x)\n")
    view = lab.slope_view(tape, tape.init, 0, h=1e-6, span=1e-7, n=11)
    assert view["central"] is None and view["forward"] is not None
    assert "domain" in view["problem"]
    assert view["ys"][0] is None and view["span"] == 1e-7


@pytest.mark.parametrize("example", [e["id"] for e in EXAMPLES])
def test_every_lab_view_of_every_example_is_json(example):
    tape = tape_of(by_id(example)["program"])
    start = Timeline(tape).start
    json.dumps(lab.compare(tape, start, 1e-6), allow_nan=False)
    for leaf in tape.leaf_indices()[:2]:
        json.dumps(lab.error_curve(tape, start, leaf, derivatives="numeric"), allow_nan=False)
        json.dumps(lab.slope_view(tape, start, leaf, 1e-3, n=21), allow_nan=False)


def test_the_lab_refuses_a_node_that_is_not_a_leaf():
    tape = tape_of(by_id("quadratic")["program"])
    with pytest.raises(ValueError):
        lab.error_curve(tape, tape.init, tape.output)
    with pytest.raises(ValueError):
        lab.compare(tape, tape.init, 0.0)
