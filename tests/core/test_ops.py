"""One small test per op: its value, and its local derivative against central
differences and against sympy's closed form (the seeds' "analytical gradient")."""

from __future__ import annotations

import math

import pytest
import sympy

from gradstep.core.errors import DomainError
from gradstep.core.ops import OPS
from helpers import central

x, y = sympy.symbols("x y", real=True)

# op name -> (sympy expression of the inputs, points to test at)
UNARY = {
    "neg": (-x, [-1.5, 0.3, 2.0]),
    "exp": (sympy.exp(x), [-2.0, 0.0, 1.3]),
    "log": (sympy.log(x), [0.2, 1.0, 7.5]),
    "sin": (sympy.sin(x), [-1.0, 0.0, 2.5]),
    "cos": (sympy.cos(x), [-1.0, 0.0, 2.5]),
    "tan": (sympy.tan(x), [-1.0, 0.0, 1.2]),
    "tanh": (sympy.tanh(x), [-2.0, 0.0, 0.7]),
    "sigmoid": (1 / (1 + sympy.exp(-x)), [-3.0, 0.0, 2.0]),
    "relu": (sympy.Max(x, 0), [-2.0, 0.5, 3.0]),
    "sqrt": (sympy.sqrt(x), [0.25, 2.0, 9.0]),
    "abs": (sympy.Abs(x), [-2.0, 0.5]),
    "same": (x, [-1.0, 4.0]),
}
BINARY = {
    "add": (x + y, [(1.0, 2.0), (-3.5, 0.25)]),
    "sub": (x - y, [(1.0, 2.0), (-3.5, 0.25)]),
    "mul": (x * y, [(2.0, -3.0), (0.5, 4.0)]),
    "div": (x / y, [(1.0, 2.0), (-3.0, 0.5)]),
    "pow": (x**y, [(2.0, 3.0), (0.5, 1.5), (3.0, -0.5)]),
}


def _float(expr, **values) -> float:
    return float(expr.subs({sympy.Symbol(k, real=True): v for k, v in values.items()}).evalf(30))


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_value_and_slope(name):
    expr, points = UNARY[name]
    fn = OPS[name].fn
    for a in points:
        value, (slope,) = fn(a)
        assert value == pytest.approx(_float(expr, x=a), rel=1e-12, abs=1e-15)
        assert slope == pytest.approx(_float(sympy.diff(expr, x), x=a), rel=1e-12, abs=1e-15)
        assert slope == pytest.approx(central(lambda t: fn(t)[0], a), rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_value_and_slopes(name):
    expr, points = BINARY[name]
    fn = OPS[name].fn
    for a, b in points:
        value, (da, db) = fn(a, b)
        assert value == pytest.approx(_float(expr, x=a, y=b), rel=1e-12)
        assert da == pytest.approx(_float(sympy.diff(expr, x), x=a, y=b), rel=1e-12)
        assert db == pytest.approx(_float(sympy.diff(expr, y), x=a, y=b), rel=1e-12)
        assert da == pytest.approx(central(lambda t, b=b: fn(t, b)[0], a), rel=1e-6)
        assert db == pytest.approx(central(lambda t, a=a: fn(a, t)[0], b), rel=1e-6)


@pytest.mark.parametrize("p", [2.0, 3.0, -1.0, 0.5, 2.5, -2.0])
def test_constant_power(p):
    fn = OPS["powc"].fn
    for a in (0.5, 1.7, 3.0):
        value, (slope,) = fn(a, p)
        assert value == pytest.approx(a**p, rel=1e-14)
        assert slope == pytest.approx(_float(sympy.diff(x**p, x), x=a), rel=1e-12)


def test_negative_base_integer_power_is_fine():
    assert OPS["powc"].fn(-3.0, 2.0) == (9.0, (-6.0,))
    assert OPS["powc"].fn(0.0, 2.0) == (0.0, (0.0,))
    assert OPS["powc"].fn(0.0, 0.0) == (1.0, (0.0,))


@pytest.mark.parametrize("name", ["sum", "mean", "max"])
def test_list_ops(name):
    xs = [0.5, -2.0, 3.0, 1.0]
    value, slopes = OPS[name].fn(xs)
    f = {"sum": sum, "mean": lambda v: sum(v) / len(v), "max": max}[name]
    assert value == pytest.approx(f(xs))
    for k in range(len(xs)):
        def shifted(t, k=k):
            moved = list(xs)
            moved[k] = t
            return f(moved)
        assert slopes[k] == pytest.approx(central(shifted, xs[k]), abs=1e-6)


def test_kinks_have_zero_slope():
    assert OPS["relu"].fn(0.0) == (0.0, (0.0,))
    assert OPS["abs"].fn(0.0) == (0.0, (0.0,))


def test_saturating_functions_do_not_overflow():
    assert OPS["tanh"].fn(1000.0) == (1.0, (0.0,))
    assert OPS["tanh"].fn(-1000.0) == (-1.0, (0.0,))
    assert OPS["sigmoid"].fn(-1000.0) == (0.0, (0.0,))
    assert OPS["sigmoid"].fn(1000.0) == (1.0, (0.0,))
    assert OPS["exp"].fn(-1000.0) == (0.0, (0.0,))


@pytest.mark.parametrize("name, args, words", [
    ("log", (0.0,), "positive"),
    ("log", (-1.0,), "positive"),
    ("sqrt", (-4.0,), "at least 0"),
    ("sqrt", (0.0,), "infinite"),
    ("div", (1.0, 0.0), "division by zero"),
    ("exp", (710.0,), "overflows"),
    ("mul", (1e200, 1e200), "overflows"),
    ("add", (1.7e308, 1.7e308), "overflows"),
    ("pow", (-2.0, 2.0), "negative base"),
    ("pow", (0.0, -1.0), "division by zero"),
])
def test_domain_errors_speak_plainly(name, args, words):
    with pytest.raises(DomainError, match=words):
        OPS[name].fn(*args)


@pytest.mark.parametrize("a, p, words", [
    (-2.0, 0.5, "non-integer"), (0.0, -1.0, "division by zero"), (0.0, 0.5, "infinite"),
    (10.0, 400.0, "overflows"),
])
def test_constant_power_domain(a, p, words):
    with pytest.raises(DomainError, match=words):
        OPS["powc"].fn(a, p)


def test_every_op_has_a_symbol_and_one_slope_formula_per_input():
    for op in OPS.values():
        assert op.symbol
        assert len(op.slopes) == (1 if op.arity == 0 else op.arity)


def test_slope_formulas_read_with_the_inputs_names():
    from gradstep.program.compiler import compile_program
    from gradstep.program.timeline import Timeline

    t = Timeline(compile_program("a = 2.0\nb = 3.0\ny = a ** b + sin(a) / b + a ** 3\n"))
    slopes = {term["slope"] for f in t.frames if f["kind"] == "backward" for term in f["terms"]}
    assert {"∂(a ** b)/∂a = b * a ** (b - 1)", "∂(a ** b)/∂b = (a ** b) * log(a)",
            "∂(sin(a))/∂a = cos(a)", "∂(sin(a) / b)/∂b = -sin(a) / b**2",
            "∂(a ** 3)/∂a = 3 * a ** 2"} <= slopes


def test_tan_at_large_slope_is_finite_or_refused():
    value, (slope,) = OPS["tan"].fn(math.pi / 2 - 1e-9)
    assert math.isfinite(value) and math.isfinite(slope)
