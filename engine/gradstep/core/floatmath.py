"""exp, log, pow, sin, cos, tan, tanh and sigmoid that give the same float everywhere.

The platform's libm does not: CPython on Linux (glibc) and Pyodide in the browser
(musl, compiled to WebAssembly) disagree in the last bit for about 1 in 30 calls
of sin or cos, 1 in 5 of tanh, and a few in 10,000 of exp, log and pow (measured by
comparing 6,000 arguments each in both). The page and ``python -m gradstep grad``
must give identical numbers, so every op computes through these functions instead.

Two ways to the same bits everywhere:

- **Only IEEE 754's exact operations** for exp, log and tanh, the ones a training step calls
  thousands of times: + - * /, comparisons, ``int``, ``math.ldexp`` and ``math.frexp``, which
  give the same bits on every platform. exp and log are fdlibm's algorithms (the C library
  Java's ``StrictMath`` ports, and V8's ``Math.exp`` and ``Math.log``: tests check them against
  node's, bit for bit); tanh is a table and the addition formula (``tanh``). All three are
  within 1 ulp of the exact value, not always correctly rounded (tanh 98 times in 100, exp 9
  in 10), and take 2 to 3 microseconds a call in Pyodide, where the exact ones take 30 to 40
  (issue #18: tanh units and cross-entropy on the spiral).
- **Exact arithmetic, rounded once** for the rest: pow in ``decimal`` at 40 significant digits
  (libmpdec: the same code, so the same digits, on every platform); sigmoid, sin, cos and tan
  in binary fixed point with Python's integers (160 bits). The results are the correctly
  rounded float64 except when the true value lies extremely close to a halfway point.
  ``exp_exact``, ``log_exact`` and ``tanh_exact`` are the correctly rounded versions of the
  first group: the yardsticks of their tests.

Basic arithmetic (+ - * /) and ``math.sqrt`` are exact IEEE operations everywhere and need
no help. Graph building in ``Value`` for + - * / and relu does not call into here.
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


def exp_exact(x: float) -> float:
    """e ** x, correctly rounded (fixed point); inf when the result is beyond float64."""
    if x < -746.0:  # below half the smallest subnormal
        return 0.0
    if x > 710.0:
        return float("inf")
    m, k = _exp_fixed(x)  # e**x = m * 2**(k - _BITS)
    return _ratio(m, k)


def log_exact(x: float) -> float:
    """Natural log of a positive x, correctly rounded: in binary fixed point (the atanh series),
    rounded once (decimal's ln gives the same floats, about 8 times slower)."""
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


# fdlibm's exp and log (e_exp.c, e_log.c), one for one. fdlibm tests the high word of a float's
# bits; here each test is a comparison with the float those bits begin (high word > 0x3fd62e42
# becomes |x| >= 0.3465735912322998, ...), and adding k to an exponent is a product with 2**k
# (_POW2) or ``math.ldexp``: exact. The numbers in the code are fdlibm's constants: ln 2 split in
# two (ln2_hi 6.93147180369123816490e-01, exact in a product with a small whole number, and ln2_lo
# 1.90821492927058770002e-10), 1 / ln 2, and each polynomial's coefficients (P1..P5 for exp,
# Lg1..Lg7 for log), written in place: a constant costs less than a name in the interpreter's loop.
_POW2 = [2.0 ** k for k in range(-64, 65)]  # 2**k is _POW2[k + 64]


def exp(x: float) -> float:
    """e ** x: fdlibm's (within 1 ulp); inf when the result is beyond float64 (the caller checks)."""
    ax = -x if x < 0 else x
    if ax < 0.3465735912322998:  # |x| <= ln2/2: no reduction
        if ax < 3.725290298461914e-09:  # 2**-28: 1 + x is within half an ulp
            return 1.0 + x
        t = x * x
        c = x - t * (1.66666666666666019037e-01 + t * (-2.77777777770155933842e-03 + t * (
            6.61375632143793436117e-05 + t * (-1.65339022054652515390e-06 + t * 4.13813679705723846039e-08))))
        return 1.0 - ((x * c) / (c - 2.0) - x)
    if not ax < 709.7822265625:  # (and nan)
        if x != x:
            return x
        if x > 7.09782712893383973096e+02:
            return math.inf
        if x < -7.45133219101941108420e+02:
            return 0.0
    # x = k ln2 + r, |r| <= ln2/2, with r = hi - lo held to more than a float's precision
    if ax < 1.0397205352783203:  # |x| < 1.5 ln2: k is 1 or -1
        if x == 1.0:  # fdlibm's would be 1 ulp high: V8's exception, kept (Math.exp(1) is Math.E)
            return 2.718281828459045
        if x > 0:
            hi, lo, k = x - 6.93147180369123816490e-01, 1.90821492927058770002e-10, 1
        else:
            hi, lo, k = x + 6.93147180369123816490e-01, -1.90821492927058770002e-10, -1
    else:
        k = int(1.44269504088896338700e+00 * x + (0.5 if x > 0 else -0.5))
        hi = x - k * 6.93147180369123816490e-01
        lo = k * 1.90821492927058770002e-10
    r = hi - lo
    t = r * r
    c = r - t * (1.66666666666666019037e-01 + t * (-2.77777777770155933842e-03 + t * (
        6.61375632143793436117e-05 + t * (-1.65339022054652515390e-06 + t * 4.13813679705723846039e-08))))
    y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi)
    if -64 <= k <= 64:
        return y * _POW2[k + 64]
    if k >= -1021:
        return math.ldexp(y, k)
    return math.ldexp(y, k + 1000) * 9.33263618503218878990e-302  # times 2**-1000: one rounding, as fdlibm


def log(x: float) -> float:
    """Natural log: fdlibm's (within 1 ulp) for a positive finite x; 0, inf, nan and negatives
    get ``log_exact``'s answers."""
    if not (0.0 < x < math.inf):
        return log_exact(x)
    m, k = math.frexp(x)  # x = m * 2**k, 0.5 <= m < 1, subnormals too: exact
    m += m  # fdlibm's significand, in [1, 2)
    k -= 1
    if m >= 1.4142112731933594:  # (hx + 0x95f64) & 0x100000: use x/2, in [sqrt(2)/2, 1)
        f = 0.5 * m - 1.0
        k += 1
        tiny = m >= 1.9999980926513672
    else:
        f = m - 1.0
        tiny = m < 1.0000009536743164
    if tiny:  # |f| < 2**-20
        if f == 0.0:
            return k * 6.93147180369123816490e-01 + k * 1.90821492927058770002e-10 if k else 0.0
        R = f * f * (0.5 - 0.33333333333333333 * f)
        if k == 0:
            return f - R
        return k * 6.93147180369123816490e-01 - ((R - k * 1.90821492927058770002e-10) - f)
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    R = z * (6.666666666666735130e-01 + w * (2.857142874366239149e-01 + w * (
        1.818357216161805012e-01 + w * 1.479819860511658591e-01))) + w * (
        3.999999999940941908e-01 + w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01))
    if 1.3799991607666016 <= m < 1.4200000762939453:  # 0x6147a <= hx <= 0x6b851
        hfsq = 0.5 * f * f
        if k == 0:
            return f - (hfsq - s * (hfsq + R))
        return k * 6.93147180369123816490e-01 - ((hfsq - (s * (hfsq + R) + k * 1.90821492927058770002e-10)) - f)
    if k == 0:
        return f - s * (f - R)
    return k * 6.93147180369123816490e-01 - ((s * (f - R) - k * 1.90821492927058770002e-10) - f)


def tanh(x: float) -> float:
    """tanh from a table (within 1 ulp; 98 in 100 correctly rounded): x = a + d with a the nearest
    multiple of 1/64 and |d| <= 1/128, then the addition formula
    tanh(a + d) = tanh a + sech(a)**2 tanh(d) / (1 + tanh(a) tanh(d)),
    with tanh(a) in two parts (``_TANH``: a float and its remainder), sech(a)**2 from the table too,
    and tanh(d) from four terms of its series, exact to far below an ulp. For |x| < 1/128, a = 0
    and the answer is the series itself. About twice as fast as fdlibm's in Pyodide (issue #18)."""
    ax = -x if x < 0 else x
    if ax < 19.1:  # above 55 ln(2) / 2 = 19.06, tanh rounds to 1
        j = int(ax * 64.0 + 0.5)
        d = ax - j * 0.015625  # exact
        d2 = d * d
        td = d + d * d2 * (-0.3333333333333333 + d2 * (0.13333333333333333 + d2 * -0.05396825396825397))
        ta, tl, s = _TANH[j]
        z = ta + (td * s / (1.0 + ta * td) + tl)
    elif x != x:
        return x
    else:
        z = 1.0
    return z if x > 0 else -z


def _tanh_table() -> list[tuple[float, float, float]]:
    """(tanh a, tanh a - that float, sech(a)**2) for a = j/64 up to 19.1, each rounded once from
    e**2a in fixed point: tanh a = (e**2a - 1) / (e**2a + 1), sech(a)**2 = 4 e**2a / (e**2a + 1)**2."""
    table = []
    for j in range(1223):
        m, k = _exp_fixed(j / 32)  # e**2a = m / 2**(_BITS - k)
        scale = 1 << (_BITS - k)
        num, den = m - scale, m + scale
        hi = num / den  # int / int: rounded once
        p, q = hi.as_integer_ratio()
        table.append((hi, (num * q - p * den) / (den * q), (4 * m * scale) / (den * den)))
    return table


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


_TANH = _tanh_table()
