"""exp, log, pow, sin, cos, tan, tanh and sigmoid that give the same float everywhere.

The platform's libm does not: CPython on Linux (glibc) and Pyodide in the browser
(musl, compiled to WebAssembly) disagree in the last bit for about 1 in 30 calls
of sin or cos, 1 in 5 of tanh, and a few in 10,000 of exp, log and pow (measured by
comparing 6,000 arguments each in both). The page and ``python -m engine grad``
must give identical numbers, so every op computes through these functions instead.

exp, log, pow, tanh and sigmoid evaluate in ``decimal`` at 40 significant digits
(libmpdec: the same code, so the same digits, on every platform); sin, cos and tan
in binary fixed point with Python's integers. Each rounds once to float64.
``decimal``'s exp, ln and sqrt are correctly rounded, and the fixed-point series
carry 160 bits, so the results are the correctly rounded float64 except when the
true value lies extremely close to a halfway point: in practice always the nearest
float, and never platform-dependent.
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


def sincos(x: float) -> tuple[float, float]:
    """sin(x) and cos(x) from one reduction (the sin op needs both: cos is its slope)."""
    if abs(x) < 1e-8:
        # sin(x) = x(1 - x^2/6 ...) and cos(x) = 1 - x^2/2: below 1e-8 the corrections
        # are under half an ulp, so the rounded values are x and 1.0 (and -0.0 stays).
        return x, 1.0
    s, c = _sincos_fixed(x)
    return s / _ONE_FIXED, c / _ONE_FIXED  # int / int: rounded once, correctly


def sin(x: float) -> float:
    return sincos(x)[0]


def cos(x: float) -> float:
    return sincos(x)[1]


def tan(x: float) -> float:
    if abs(x) < 1e-8:
        return x  # tan(x) = x(1 + x^2/3 ...): the correction is under half an ulp
    s, c = _sincos_fixed(x)
    return s / c  # the quotient of two integers, rounded once


# sin and cos in binary fixed point with Python's integers (exact, and the same on
# every platform): the argument is reduced by pi/2 with as many bits of pi as it
# needs (so sin(1e300) is right), then both Taylor series run at _BITS bits.
_BITS = 160
_ONE_FIXED = 1 << _BITS
_PI_BITS = 1400  # covers |x| up to 2**1024 with _BITS to spare


@lru_cache(maxsize=1)
def _pi_fixed() -> int:
    """pi * 2**_PI_BITS, rounded down (Machin's formula in integers)."""
    guard = 32
    one = 1 << (_PI_BITS + guard)

    def arctan_inverse(n: int) -> int:  # arctan(1/n) * one
        total, term, k, sign = 0, one // n, 1, 1
        n2 = n * n
        while term:
            total += sign * (term // k)
            term //= n2
            k += 2
            sign = -sign
        return total

    return (4 * (4 * arctan_inverse(5) - arctan_inverse(239))) >> guard


def _sincos_fixed(x: float) -> tuple[int, int]:
    """sin(x) and cos(x) times 2**_BITS, to within a few units."""
    num, den = x.as_integer_ratio()  # exact; den is a power of two
    shift = den.bit_length() - 1
    magnitude = max(0, num.bit_length() - shift)  # about log2 |x|
    p = _BITS + magnitude + 8
    big_x = (num << p) >> shift  # x * 2**p
    half_pi = _pi_fixed() >> (_PI_BITS - p + 1)  # pi/2 * 2**p
    n = (2 * big_x + half_pi) // (2 * half_pi)  # the nearest multiple of pi/2
    r = (big_x - n * half_pi) >> (p - _BITS)  # |r| <= pi/4, times 2**_BITS
    r2 = (r * r) >> _BITS
    s = term = r
    k = 1
    while term:
        term = -((term * r2) >> _BITS) // ((k + 1) * (k + 2))
        s += term
        k += 2
    c = term = _ONE_FIXED
    k = 0
    while term:
        term = -((term * r2) >> _BITS) // ((k + 1) * (k + 2))
        c += term
        k += 2
    quadrant = n % 4
    if quadrant == 0:
        return s, c
    if quadrant == 1:
        return c, -s
    if quadrant == 2:
        return -s, -c
    return -c, s
