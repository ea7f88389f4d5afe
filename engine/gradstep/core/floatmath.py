"""exp, log, pow, sin, cos, tan, tanh and sigmoid that give the same float everywhere.

The platform's libm does not: CPython on Linux (glibc) and Pyodide in the browser
(musl, compiled to WebAssembly) disagree in the last bit for about 1 in 30 calls
of sin or cos, 1 in 5 of tanh, and a few in 10,000 of exp, log and pow (measured by
comparing 6,000 arguments each in both). The page and ``python -m gradstep grad``
must give identical numbers, so every op computes through these functions instead.

log and pow evaluate in ``decimal`` at 40 significant digits (libmpdec: the same
code, so the same digits, on every platform); exp, sigmoid, sin, cos and tan
in binary fixed point with Python's integers (160 bits). Each rounds once to
float64. ``decimal``'s ln and sqrt are correctly rounded and the fixed-point series
carry far more bits than float64, so the results are the correctly rounded float64
except when the true value lies extremely close to a halfway point: in practice
always the nearest float, and never platform-dependent.
Basic arithmetic (+ - * /) and ``math.sqrt`` are exact IEEE operations everywhere
and need no help.

The cost is a few microseconds a call instead of tens of nanoseconds; graph
building in ``Value`` for + - * / and relu does not call into here.

tanh is the exception (issue #18: tanh units made a training step in the page take 117 ms,
nearly all of it here): it is fdlibm's ``tanh`` and ``expm1`` (the C library Java's
``StrictMath`` ports), written out with only + - * / and ``math.ldexp``, which IEEE 754 defines
exactly, so it too gives the same bits everywhere; it is 5 to 6 times faster than the fixed
point, and within 2 ulps of the exact value (StrictMath promises 2.5; tests/core/test_floatmath.py
measures it against ``tanh_exact``, the correctly rounded fixed-point tanh it replaced).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Context, Decimal
from functools import lru_cache

DIGITS = 40
_CTX = Context(prec=DIGITS, rounding=ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999)
_ONE = Decimal(1)
_BITS = 160  # fraction bits of the fixed-point series (exp, sin, cos)
_ONE_FIXED = 1 << _BITS
_SQRT_HALF = 0.7071067811865476


def exp(x: float) -> float:
    """e ** x, rounded once; inf when the result is beyond float64 (the caller checks)."""
    if x < -746.0:  # below half the smallest subnormal
        return 0.0
    if x > 710.0:
        return float("inf")
    m, k = _exp_fixed(x)  # e**x = m * 2**(k - _BITS)
    return _ratio(m, k)


def log(x: float) -> float:
    """Natural log of a positive x: in binary fixed point (the atanh series), rounded once.
    (decimal's ln gave the same floats, about 8 times slower: issue #18's cross-entropy step.)"""
    if not (0.0 < x < math.inf):
        return float(_CTX.ln(Decimal(x)))  # (0, inf, nan and negatives: decimal's answers, as before)
    m, e = math.frexp(x)  # x = m * 2**e, 0.5 <= m < 1, both exact
    if m < _SQRT_HALF:  # m in [sqrt(1/2), sqrt(2)): the series' s stays under 0.172
        m, e = 2.0 * m, e - 1
    mant = int(m * 9007199254740992.0)  # m * 2**53: an exact integer
    one = 1 << 53
    if mant == one:
        return e * 0.6931471805599453 if e == 0 else _ratio(e * (_ln2_fixed() >> (_LN2_BITS - _BITS)), 0)
    # log m = 2 atanh(s) = 2 (s + s**3/3 + s**5/5 + ...), s = (m - 1) / (m + 1), summed for |s|
    # (non-negative integers: the shifts then truncate toward 0 and the terms reach 0)
    num, den = abs(mant - one), mant + one
    s_fixed = (num << _BITS) // den
    s2 = (s_fixed * s_fixed) >> _BITS
    total, term, j = s_fixed, s_fixed, 3
    while term:
        term = (term * s2) >> _BITS
        total += term // j
        j += 2
    if mant < one:
        total = -total
    value = 2 * total + e * (_ln2_fixed() >> (_LN2_BITS - _BITS))
    return value / _ONE_FIXED  # int / int: rounded once, correctly


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


# fdlibm's expm1 (s_expm1.c): ln 2 split in two, and the polynomial's coefficients.
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INVLN2 = 1.44269504088896338700e+00
_Q1 = -3.33333333333331316428e-02
_Q2 = 1.58730158725481460165e-03
_Q3 = -7.93650757867487942473e-05
_Q4 = 4.00821782732936239552e-06
_Q5 = -2.01099218183624371326e-07
_HALF_LN2 = 0.5 * 0.6931471805599453
_THREE_HALVES_LN2 = 1.5 * 0.6931471805599453


def _expm1(x: float) -> float:
    """e**x - 1 as fdlibm computes it, for |x| <= 44 (tanh's range): reduce x to r + k ln2 with
    |r| <= ln2/2, a rational approximation of expm1(r), then scale by 2**k (bit operations in C,
    ``ldexp`` here: exact)."""
    ax = -x if x < 0 else x
    if ax > _HALF_LN2:
        if ax < _THREE_HALVES_LN2:
            if x > 0:
                hi, lo, k = x - _LN2_HI, _LN2_LO, 1
            else:
                hi, lo, k = x + _LN2_HI, -_LN2_LO, -1
        else:
            k = int(_INVLN2 * x + (0.5 if x > 0 else -0.5))
            hi = x - k * _LN2_HI
            lo = k * _LN2_LO
        x = hi - lo
        c = (hi - x) - lo  # what the subtraction lost
    elif ax < 5.551115123125783e-17:  # 2**-54: expm1(x) rounds to x
        return x
    else:
        k, c = 0, 0.0
    hfx = 0.5 * x
    hxs = x * hfx
    r1 = 1.0 + hxs * (_Q1 + hxs * (_Q2 + hxs * (_Q3 + hxs * (_Q4 + hxs * _Q5))))
    t = 3.0 - r1 * hfx
    e = hxs * ((r1 - t) / (6.0 - x * t))
    if k == 0:
        return x - (x * e - hxs)
    e = x * (e - c) - c
    e -= hxs
    if k == -1:
        return 0.5 * (x - e) - 0.5
    if k == 1:
        if x < -0.25:
            return -2.0 * (e - (x + 0.5))
        return 1.0 + 2.0 * (x - e)
    if k <= -2 or k > 56:
        return math.ldexp(1.0 - (e - x), k) - 1.0
    if k < 20:
        return math.ldexp((1.0 - math.ldexp(1.0, -k)) - (e - x), k)
    return math.ldexp((x - (e + math.ldexp(1.0, -k))) + 1.0, k)


def tanh(x: float) -> float:
    """fdlibm's tanh (s_tanh.c): from expm1 of 2|x|, with the sign put back; within 2 ulps."""
    if x != x:
        return x
    ax = -x if x < 0 else x
    if ax >= 22.0:  # tanh rounds to +-1 (fdlibm's 1 - tiny)
        z = 1.0
    elif ax < 2.7755575615628914e-17:  # 2**-55: tanh(x) rounds to x
        return x
    elif ax >= 1.0:
        z = 1.0 - 2.0 / (_expm1(2.0 * ax) + 2.0)
    else:
        t = _expm1(-2.0 * ax)
        z = -t / (t + 2.0)
    return z if x >= 0 else -z


def tanh_exact(x: float) -> float:
    """The correctly rounded tanh (fixed point, 160 bits): the yardstick of ``tanh``'s tests."""
    if x != x:
        return x
    if abs(x) > 20.0:  # tanh(20) rounds to 1.0 in float64
        return 1.0 if x > 0 else -1.0
    if abs(x) < 1e-6:
        # x - x^3/3 + 2x^5/15: exact to far beyond float64 here, with no cancellation
        d = Decimal(x)
        d2 = _CTX.multiply(d, d)
        return float(_CTX.multiply(d, _ONE - d2 / 3 + 2 * d2 * d2 / 15))
    # tanh(x) = (e**2x - 1) / (e**2x + 1) as a ratio of integers: e**2x = m * 2**(k-_BITS)
    m, k = _exp_fixed(2.0 * x)  # 2x is exact; |2x| <= 40 keeps k far below _BITS
    scale = 1 << (_BITS - k)  # e**2x = m / scale
    return (m - scale) / (m + scale)


def sigmoid(x: float) -> float:
    """1 / (1 + e ** -x); no overflow for any float x."""
    if x < -746.0:
        return 0.0
    if x > 40.0:  # 1 - e**-40 rounds to 1.0
        return 1.0
    # 1 / (1 + e**-x) with e**-x = m * 2**(k - _BITS): a ratio of integers
    m, k = _exp_fixed(-x)
    if k >= 0:
        return (1 << _BITS) / ((1 << _BITS) + (m << k))
    return ((1 << _BITS) << -k) / (((1 << _BITS) << -k) + m)


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


def _ratio(m: int, k: int) -> float:
    """m * 2**(k - _BITS) as a float, rounded once (int / int is correctly rounded)."""
    if k >= _BITS:
        return float(m << (k - _BITS)) if m.bit_length() + k - _BITS <= 1024 else float("inf")
    return m / (1 << (_BITS - k))


@lru_cache(maxsize=1)
def _ln2_fixed() -> int:
    """log(2) * 2**_LN2_BITS: log 2 = sum 1 / (j 2**j)."""
    guard = 32
    one = 1 << (_LN2_BITS + guard)
    total, j = 0, 1
    while True:
        term = one // (j << j)
        if not term:
            break
        total += term
        j += 1
    return total >> guard


_LN2_BITS = _BITS + 24  # |k| < 1100: the reduction k * ln2 stays exact to _BITS


def _exp_fixed(x: float) -> tuple[int, int]:
    """e**x as (m, k) with e**x = m * 2**(k - _BITS) to within a few units of m.

    x = k * ln2 + r with |r| <= ln2 / 2, then the Taylor series of e**r in fixed point.
    """
    num, den = x.as_integer_ratio()
    shift = den.bit_length() - 1
    big_x = (num << _LN2_BITS) >> shift  # x * 2**_LN2_BITS
    ln2 = _ln2_fixed()
    k = (2 * big_x + ln2) // (2 * ln2)  # nearest whole number of ln2s
    r = (big_x - k * ln2) >> (_LN2_BITS - _BITS)  # |r| <= ln2/2, times 2**_BITS
    total = term = 1 << _BITS
    j = 1
    while term:
        term = (term * r >> _BITS) // j
        total += term
        j += 1
    return total, k


# sin and cos in binary fixed point with Python's integers (exact, and the same on
# every platform): the argument is reduced by pi/2 with as many bits of pi as it
# needs (so sin(1e300) is right), then both Taylor series run at _BITS bits.
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
