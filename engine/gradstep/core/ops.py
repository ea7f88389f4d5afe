"""The op table: every op's forward, local derivatives and human formulas, in one place.

Each op's ``fn`` takes the input values (floats) and returns ``(value, locals)`` where
``locals[k]`` is d(value)/d(input k) at those inputs. Computing the local derivatives
during the forward pass keeps them as plain data: backward is then a loop of
multiply-adds with no closures (closures that refer back to their node make a
reference cycle per node, and the cycle collector then dominates large graphs).

Domain problems raise ``DomainError`` with plain words; the caller adds the place.
The same table serves ``Value``, the program tape, the stepper's explanations and
the tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from gradstep.core import floatmath as fm
from gradstep.core.errors import DomainError

# The largest x with a finite exp(x) in float64.
EXP_LIMIT = 709.782712893384


def _finite(value: float, what: str) -> float:
    # value - value is 0.0 for a finite float and nan for inf or nan.
    if value - value != 0.0:
        raise DomainError(f"{what} overflows float64 (the result is larger than about 1.8e308)")
    return value


# add, sub and mul are the hot path of building a graph: the finiteness test is
# written out in them rather than calling _finite.
def _add(a, b):
    out = a + b
    if out - out != 0.0:
        _finite(out, f"{a!r} + {b!r}")
    return out, (1.0, 1.0)


def _sub(a, b):
    out = a - b
    if out - out != 0.0:
        _finite(out, f"{a!r} - {b!r}")
    return out, (1.0, -1.0)


def _mul(a, b):
    out = a * b
    if out - out != 0.0:
        _finite(out, f"{a!r} * {b!r}")
    return out, (b, a)


def _div(a, b):
    if b == 0.0:
        raise DomainError(f"division by zero: the divisor is 0.0 (the dividend is {a!r})")
    out = _finite(a / b, f"{a!r} / {b!r}")
    return out, (1.0 / b, _finite(-out / b, f"the slope of {a!r} / {b!r} with respect to {b!r}"))


def _neg(a):
    return -a, (-1.0,)


def _same(a):
    return a, (1.0,)


def _powc(a, p):
    """a ** p for a constant exponent p."""
    if a == 0.0 and p < 0.0:
        raise DomainError(f"division by zero: 0.0 ** {p!r} is 1/0")
    if a < 0.0 and not float(p).is_integer():
        raise DomainError(
            f"a negative base under a non-integer exponent: {a!r} ** {p!r} is not a real number"
        )
    try:
        out = fm.pow(a, p)
        if p == 0.0:
            slope = 0.0
        elif a == 0.0 and p < 1.0:
            raise DomainError(
                f"the slope of x ** {p!r} at x = 0.0 is infinite, so there is no gradient here"
            )
        else:
            # For a whole p, p - 1 as an int: past 2**53, p - 1.0 == p and the
            # sign of a negative base would come out wrong.
            slope = p * fm.pow(a, int(p) - 1 if float(p).is_integer() else p - 1.0)
    except ArithmeticError:  # float or decimal overflow
        raise DomainError(f"{a!r} ** {p!r} overflows float64") from None
    return _finite(out, f"{a!r} ** {p!r}"), (_finite(slope, f"the slope of {a!r} ** {p!r}"),)


def _pow(a, b):
    """a ** b where the exponent b is itself a node (so d/db = a**b * log(a) is needed)."""
    if a < 0.0:
        raise DomainError(
            f"a negative base under a node exponent: {a!r} ** {b!r} has no real gradient "
            "with respect to the exponent (it needs log of the base)"
        )
    if a == 0.0:
        if b <= 0.0:
            raise DomainError(f"division by zero: 0.0 ** {b!r} is 1/0 or undefined")
        if b < 1.0:
            raise DomainError(
                f"the slope of x ** {b!r} at x = 0.0 is infinite, so there is no gradient here"
            )
        return 0.0, ((1.0 if b == 1.0 else 0.0), 0.0)
    try:
        out = fm.pow(a, b)
        da = b * fm.pow(a, b - 1.0)
    except ArithmeticError:  # float or decimal overflow
        raise DomainError(f"{a!r} ** {b!r} overflows float64") from None
    out = _finite(out, f"{a!r} ** {b!r}")
    return out, (_finite(da, f"the slope of {a!r} ** {b!r}"), out * fm.log(a))


def _exp(a):
    if a > EXP_LIMIT:
        raise DomainError(
            f"exp({a!r}) overflows float64 (exp works up to about {EXP_LIMIT:.2f})"
        )
    out = _finite(fm.exp(a), f"exp({a!r})")
    return out, (out,)


def _log(a):
    if a <= 0.0:
        raise DomainError(f"log needs a positive input, but it got {a!r}")
    return fm.log(a), (1.0 / a,)


def _sin(a):
    s, c = fm.sincos(a)
    return s, (c,)


def _cos(a):
    s, c = fm.sincos(a)
    return c, (-s,)


def _tan(a):
    t = _finite(fm.tan(a), f"tan({a!r})")
    return t, (_finite(1.0 + t * t, f"the slope of tan({a!r})"),)


def _tanh(a):
    # tanh saturates to +-1.0 without overflow (tanh(1000) == 1.0).
    t = fm.tanh(a)
    return t, (1.0 - t * t,)


def _sigmoid(a):
    s = fm.sigmoid(a)  # saturates to 0.0 or 1.0, never overflows
    return s, (s * (1.0 - s),)


def _relu(a):
    # relu'(0) = 0, as in micrograd and PyTorch.
    return (a, (1.0,)) if a > 0.0 else (0.0, (0.0,))


def _sqrt(a):
    if a < 0.0:
        raise DomainError(f"sqrt needs an input of at least 0, but it got {a!r}")
    if a == 0.0:
        raise DomainError("the slope of sqrt at 0.0 is infinite, so there is no gradient here")
    r = math.sqrt(a)
    return r, (0.5 / r,)


def _abs(a):
    # abs'(0) = 0.
    return abs(a), (1.0 if a > 0.0 else -1.0 if a < 0.0 else 0.0,)


def _sum(xs):
    total = 0.0
    for x in xs:
        total += x
    return _finite(total, f"the sum of {len(xs)} numbers, the largest {max(xs, key=abs)!r},"), \
        (1.0,) * len(xs)


def _mean(xs):
    n = len(xs)
    total = 0.0
    for x in xs:
        total += x
    if total - total != 0.0:  # the sum overflows, the mean may not: divide first
        total = 0.0
        for x in xs:
            total += x / n
        return _finite(total, f"the mean of {n} numbers"), (1.0 / n,) * n
    return total / n, (1.0 / n,) * n


def _max(xs):
    # A subgradient: 1 for the first largest input, 0 for the others.
    best = 0
    for k in range(1, len(xs)):
        if xs[k] > xs[best]:
            best = k
    locs = [0.0] * len(xs)
    locs[best] = 1.0
    return xs[best], tuple(locs)


@dataclass(frozen=True, slots=True)
class Op:
    """One op: how it computes, how it reads, and its local derivatives as formulas.

    ``show`` and ``slopes`` are format strings over the inputs ``{0}``, ``{1}``, the
    output ``{out}`` and the constant exponent ``{p}`` (``{pm1}`` is ``p - 1``).
    """

    name: str
    symbol: str  # drawn in the op node
    arity: int  # 1, 2, or 0 for any number of inputs (one list)
    fn: Callable
    show: str  # the expression, e.g. "{0} * {1}"
    slopes: tuple[str, ...]  # d(out)/d(input k); for n-ary ops one formula for every k
    infix: bool = False
    param: bool = False  # takes a constant exponent ``p``


def _num(x: float) -> str:
    """A constant as a person writes it: 2 rather than 2.0."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


OPS: dict[str, Op] = {
    op.name: op
    for op in [
        Op("add", "+", 2, _add, "{0} + {1}", ("1", "1"), infix=True),
        Op("sub", "-", 2, _sub, "{0} - {1}", ("1", "-1"), infix=True),
        Op("mul", "*", 2, _mul, "{0} * {1}", ("{1}", "{0}"), infix=True),
        Op("div", "/", 2, _div, "{0} / {1}", ("1 / {1}", "-{0} / {1}**2"), infix=True),
        Op("neg", "-", 1, _neg, "-{0}", ("-1",)),
        Op("same", "=", 1, _same, "{0}", ("1",)),
        Op("powc", "**", 1, _powc, "{0} ** {p}", ("{p} * {0} ** {pm1}",), infix=True, param=True),
        Op("pow", "**", 2, _pow, "{0} ** {1}", ("{1} * {0} ** ({1} - 1)", "{out} * log({0})"),
           infix=True),
        Op("exp", "exp", 1, _exp, "exp({0})", ("exp({0})",)),
        Op("log", "log", 1, _log, "log({0})", ("1 / {0}",)),
        Op("sin", "sin", 1, _sin, "sin({0})", ("cos({0})",)),
        Op("cos", "cos", 1, _cos, "cos({0})", ("-sin({0})",)),
        Op("tan", "tan", 1, _tan, "tan({0})", ("1 + tan({0})**2",)),
        Op("tanh", "tanh", 1, _tanh, "tanh({0})", ("1 - tanh({0})**2",)),
        Op("sigmoid", "σ", 1, _sigmoid, "sigmoid({0})", ("sigmoid({0}) * (1 - sigmoid({0}))",)),
        Op("relu", "relu", 1, _relu, "relu({0})", ("1 if {0} > 0 else 0",)),
        Op("sqrt", "√", 1, _sqrt, "sqrt({0})", ("1 / (2 * sqrt({0}))",)),
        Op("abs", "abs", 1, _abs, "abs({0})", ("sign({0})",)),
        Op("sum", "Σ", 0, _sum, "sum({args})", ("1",)),
        Op("mean", "mean", 0, _mean, "mean({args})", ("1/{n}",)),
        Op("max", "max", 0, _max, "max({args})", ("1 if {k} is the largest else 0",)),
    ]
}

# Functions a program may call on one number, and the method forms (x.exp()).
# What an op node shows where its symbol has a better one to draw (the scene carries it as the op
# node's ``glyph``: the layout sizes the node by it and the page and the widget draw it; no copy).
# (Symbols that are already what is drawn, σ √ Σ tanh, need none.)
GLYPHS = {"*": "×", "-": "−", "/": "÷", "**": "^"}


def glyph(symbol: str) -> str:
    """The text drawn in an op node whose op has ``symbol``."""
    return GLYPHS.get(symbol, symbol)


SCALAR_FUNCTIONS = ("exp", "log", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "sqrt", "abs")
METHODS = ("exp", "log", "tanh", "relu", "sigmoid")
LIST_FUNCTIONS = ("softmax", "sum", "mean")
