"""exp, log, pow, sin, cos, tan, tanh and sigmoid that give the same float everywhere.

The platform's libm does not: CPython on Linux (glibc) and Pyodide in the browser
(musl, compiled to WebAssembly) disagree in the last bit for about 1 in 30 calls
of sin or cos, 1 in 5 of tanh, and a few in 10,000 of exp, log and pow (measured by
comparing 6,000 arguments each in both). The page and ``python -m engine grad``
must give identical numbers, so every op computes through these functions instead.

Each one evaluates in ``decimal`` at 40 significant digits (libmpdec: the same
code, so the same digits, on every platform) and rounds once to float64. ``exp``,
``ln`` and ``sqrt`` of ``decimal`` are correctly rounded, so the results are the
correctly rounded float64 except when the true value lies within about 1e-40 of a
halfway point: in practice always the nearest float, and never platform-dependent.
Basic arithmetic (+ - * /) and ``math.sqrt`` are exact IEEE operations everywhere
and need no help.

The cost is a few microseconds a call instead of tens of nanoseconds; graph
building in ``Value`` for + - * / and relu does not call into here.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal
from functools import lru_cache

DIGITS = 40
_CTX = Context(prec=DIGITS, rounding=ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999)
_ONE = Decimal(1)
_TWO = Decimal(2)


def exp(x: float) -> float:
    """e ** x, rounded once; inf when the result is beyond float64 (the caller checks)."""
    if x < -746.0:  # below half the smallest subnormal
        return 0.0
    if x > 710.0:
        return float("inf")
    return float(_CTX.exp(Decimal(x)))


def log(x: float) -> float:
    """Natural log of a positive x."""
    return float(_CTX.ln(Decimal(x)))


def pow(a: float, p: float | int) -> float:  # noqa: A001 (the op's name)
    """a ** p for the cases the op table allows (a >= 0, or a whole p, which may be
    given as an int of any size)."""
    base = Decimal(a)
    if isinstance(p, int):
        return float(_CTX.power(base, p))
    if p == 0.0:
        return 1.0
    if p == 0.5:
        return float(_CTX.sqrt(base))
    if p.is_integer():
        # Exact in decimal up to the precision, then rounded once.
        return float(_CTX.power(base, int(p)))
    return float(_CTX.power(base, Decimal(p)))


def tanh(x: float) -> float:
    if x != x:
        return x
    if abs(x) > 20.0:  # tanh(20) rounds to 1.0 in float64
        return 1.0 if x > 0 else -1.0
    d = Decimal(x)
    if abs(x) < 1e-6:
        # x - x^3/3 + 2x^5/15: exact to far beyond float64 here, with no cancellation
        d2 = _CTX.multiply(d, d)
        return float(_CTX.multiply(d, _ONE - d2 / 3 + 2 * d2 * d2 / 15))
    e = _CTX.exp(_CTX.multiply(_TWO, d))
    return float(_CTX.divide(e - 1, e + 1))


def sigmoid(x: float) -> float:
    """1 / (1 + e ** -x); no overflow for any float x."""
    if x < -746.0:
        return 0.0
    if x > 40.0:  # 1 - e**-40 rounds to 1.0
        return 1.0
    return float(_CTX.divide(_ONE, _ONE + _CTX.exp(-Decimal(x))))


def sin(x: float) -> float:
    if x == 0.0:
        return x  # keeps the sign of -0.0
    s, _ = _sincos(x)
    return float(s)


def cos(x: float) -> float:
    _, c = _sincos(x)
    return float(c)


def tan(x: float) -> float:
    if x == 0.0:
        return x
    s, c = _sincos(x)
    return float(_CTX.divide(s, c))


@lru_cache(maxsize=8)
def _half_pi(digits: int) -> Decimal:
    """pi / 2 to ``digits`` significant digits (Machin's formula in integers)."""
    scale = 10 ** (digits + 10)

    def arctan_inverse(n: int) -> int:  # arctan(1/n) * scale
        total, term, k, sign = 0, scale // n, 1, 1
        n2 = n * n
        while term:
            total += sign * (term // k)
            term //= n2
            k += 2
            sign = -sign
        return total

    pi = 4 * (4 * arctan_inverse(5) - arctan_inverse(239))
    return Context(prec=digits + 5).divide(Decimal(pi), Decimal(2 * scale))


def _sincos(x: float) -> tuple[Decimal, Decimal]:
    """sin(x) and cos(x) in decimal at DIGITS digits, after an exact-enough reduction.

    x = n * pi/2 + r with |r| <= pi/4; the reduction uses as many digits of pi as x
    has before its decimal point, plus DIGITS, so even sin(1e300) is right.
    """
    d = Decimal(x)
    magnitude = max(0, d.adjusted())
    digits = DIGITS + magnitude + 5
    ctx = Context(prec=digits, rounding=ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999)
    half_pi = _half_pi(digits)
    n = int(ctx.divide(d, half_pi).to_integral_value(rounding=ROUND_HALF_EVEN))
    r = ctx.subtract(d, ctx.multiply(Decimal(n), half_pi))
    r = _CTX.plus(r)  # back to DIGITS digits
    s, c = _taylor_sincos(r)
    quadrant = n % 4
    if quadrant == 0:
        return s, c
    if quadrant == 1:
        return c, -s
    if quadrant == 2:
        return -s, -c
    return -c, s


def _taylor_sincos(r: Decimal) -> tuple[Decimal, Decimal]:
    """sin(r), cos(r) for |r| <= pi/4 by their Taylor series."""
    r2 = _CTX.multiply(r, r)
    limit = Decimal(10) ** -(DIGITS + 3)
    s = term = r
    k = 1
    while abs(term) > limit * abs(s) and term:
        term = _CTX.divide(_CTX.multiply(-term, r2), (k + 1) * (k + 2))
        s = _CTX.add(s, term)
        k += 2
    c = term = _ONE
    k = 0
    while abs(term) > limit:
        term = _CTX.divide(_CTX.multiply(-term, r2), (k + 1) * (k + 2))
        c = _CTX.add(c, term)
        k += 2
    return s, c
