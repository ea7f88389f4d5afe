"""Two-dimensional toy datasets, seeded, the same floats on every platform.

``make(name, n=100, noise=None, seed=0)`` returns ``(X, y)``: ``X`` a list of
``[x1, x2]`` floats, ``y`` a list of class numbers (0 and 1; 0, 1 and 2 for
``spiral``). ``signed=True`` gives -1 and +1 instead for the two-class sets, the
labels micrograd's hinge loss wants (``y*2 - 1`` in its demo).

* ``moons``: two interleaving half circles, like sklearn's ``make_moons``
  (micrograd's demo: 100 points, noise 0.1).
* ``circles``: a circle inside another (sklearn's ``make_circles``, factor 0.5).
* ``xor``: points in the square [-1, 1]^2, the class by the signs of x1 and x2 agreeing.
* ``spiral``: three arms winding out from the centre (CS231n's spiral); the noise
  jitters the angle.
* ``linear``: two classes either side of a line, a gap of 0.5 between them, so
  they are linearly separable while the noise is small.

Regression datasets (``REGRESSION``; ``y`` is a float target, not a class; ``CLASSES`` 0),
TensorFlow Playground's two, on points uniform in [-1, 1]^2:

* ``plane``: the target ``(x1 + x2) / 2``, a tilted plane from -1 to 1.
* ``gauss``: four Gaussian bumps, ``exp(-d^2 / (2 * 0.35^2))`` at distance ``d`` from
  (0.5, 0.5) and (-0.5, -0.5) up, from (-0.5, 0.5) and (0.5, -0.5) down.

``noise`` is the standard deviation of Gaussian noise added to each coordinate
(to the angle, for ``spiral``; to the target, for the regression datasets); ``None``
means the dataset's default.

Why not ``random.gauss``, ``math.sin`` and ``random.shuffle``: the page runs this in
Pyodide and must get the same points as the command line to the bit. ``gauss``,
``sin`` and ``cos`` go through the platform's libm, which differs in the last bit
between glibc and Pyodide's musl; ``shuffle`` and ``sample`` are free to change
between Python versions (Pyodide's is not ours). So everything here is drawn with
``Random.random()`` alone (Mersenne Twister bits: the same everywhere), the normal
deviates by Box-Muller through ``gradstep.core.floatmath`` (correctly rounded, platform
independent) and ``math.sqrt`` (exact IEEE), and the shuffle is a Fisher-Yates
written out below.
"""

from __future__ import annotations

import math
import random

from gradstep.core import floatmath

NAMES = ("moons", "circles", "xor", "spiral", "linear", "plane", "gauss")
REGRESSION = ("plane", "gauss")
DEFAULT_NOISE = {"moons": 0.1, "circles": 0.08, "xor": 0.05, "spiral": 0.2, "linear": 0.1, "plane": 0.05,
                 "gauss": 0.05}
CLASSES = {"moons": 2, "circles": 2, "xor": 2, "spiral": 3, "linear": 2, "plane": 0, "gauss": 0}  # 0: regression


def make(name: str, n: int = 100, noise: float | None = None, seed: int = 0,
         signed: bool = False) -> tuple[list[list[float]], list]:
    """``n`` points of dataset ``name`` (one of ``NAMES``), seeded, shuffled: classes, or
    float targets for a regression dataset."""
    if name not in NAMES:
        raise ValueError(f"unknown dataset {name!r}: choose one of {', '.join(NAMES)}")
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a whole number of points, at least 1, not {n!r}")
    noise = DEFAULT_NOISE[name] if noise is None else float(noise)
    if not 0.0 <= noise < math.inf:
        raise ValueError(f"noise must be at least 0, not {noise!r}")
    rng = random.Random(seed)
    X, y = _MAKERS[name](n, noise, rng, _Normal(rng))
    shuffle(rng, X, y)
    if signed:
        if CLASSES[name] != 2:
            raise ValueError(f"{name} has {CLASSES[name]} classes: -1/+1 labels need two")
        y = [2 * c - 1 for c in y]
    return X, y


def shuffle(rng: random.Random, *lists: list) -> None:
    """Shuffle lists of one length in place, all by the same permutation
    (Fisher-Yates drawing with ``rng.random()`` only)."""
    n = len(lists[0])
    for i in range(n - 1, 0, -1):
        j = int(rng.random() * (i + 1))  # random() < 1, so j <= i
        for items in lists:
            items[i], items[j] = items[j], items[i]


def sample(rng: random.Random, n: int, k: int) -> list[int]:
    """``k`` distinct indices out of ``range(n)`` in random order (like
    ``random.sample``), drawing with ``rng.random()`` only: a partial Fisher-Yates."""
    pool = list(range(n))
    for i in range(k):
        j = i + int(rng.random() * (n - i))
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]


def split(n: int, fraction: float, seed: int = 0) -> tuple[list[int], list[int]]:
    """The points held out for testing: ``(train, test)`` index lists, each in the data's order.
    ``int(fraction * n)`` points (rounded down) are tested, drawn with ``sample`` from their own
    generator, ``random.Random(f"test split {seed}")`` (a string seed is hashed with SHA-512:
    the same in every Python), so the split depends on the seed alone and draws nothing from the
    dataset's or the weights' generators: a fraction of 0 changes no other number."""
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"the test fraction must be at least 0 and below 1, not {fraction!r}")
    count = int(fraction * n)
    if count == 0:
        return list(range(n)), []
    test = set(sample(random.Random(f"test split {seed}"), n, count))
    return [i for i in range(n) if i not in test], sorted(test)


class _Normal:
    """Standard normal deviates by Box-Muller, two per pair of uniforms."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.spare = None

    def __call__(self) -> float:
        if self.spare is not None:
            z, self.spare = self.spare, None
            return z
        u1 = 1.0 - self.rng.random()  # in (0, 1]: log is defined
        u2 = self.rng.random()
        radius = math.sqrt(-2.0 * floatmath.log(u1))
        s, c = floatmath.sincos(2.0 * math.pi * u2)
        self.spare = radius * s
        return radius * c


def _split(n: int, parts: int) -> list[int]:
    """Sizes of ``parts`` groups adding up to ``n``, the first ones larger by one."""
    return [n // parts + (1 if j < n % parts else 0) for j in range(parts)]


def _linspace(start: float, stop: float, count: int, endpoint: bool = True) -> list[float]:
    steps = count - 1 if endpoint else count
    if steps <= 0:
        return [start] * count
    return [start + (stop - start) * i / steps for i in range(count)]


def _moons(n, noise, rng, normal):
    outer, inner = _split(n, 2)
    X, y = [], []
    for t in _linspace(0.0, math.pi, outer):
        s, c = floatmath.sincos(t)
        X.append([c + noise * normal(), s + noise * normal()])
        y.append(0)
    for t in _linspace(0.0, math.pi, inner):
        s, c = floatmath.sincos(t)
        X.append([1.0 - c + noise * normal(), 1.0 - s - 0.5 + noise * normal()])
        y.append(1)
    return X, y


def _circles(n, noise, rng, normal, factor=0.5):
    outer, inner = _split(n, 2)
    X, y = [], []
    for count, radius, label in ((outer, 1.0, 0), (inner, factor, 1)):
        for t in _linspace(0.0, 2.0 * math.pi, count, endpoint=False):
            s, c = floatmath.sincos(t)
            X.append([radius * c + noise * normal(), radius * s + noise * normal()])
            y.append(label)
    return X, y


def _xor(n, noise, rng, normal):
    X, y = [], []
    for _ in range(n):
        a, b = rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)
        X.append([a + noise * normal(), b + noise * normal()])
        y.append(1 if (a > 0.0) == (b > 0.0) else 0)
    return X, y


def _spiral(n, noise, rng, normal, classes=3):
    X, y = [], []
    for label, count in enumerate(_split(n, classes)):
        radii = _linspace(0.0, 1.0, count)
        angles = _linspace(4.0 * label, 4.0 * (label + 1), count)
        for r, t in zip(radii, angles, strict=True):
            s, c = floatmath.sincos(t + noise * normal())
            X.append([r * s, r * c])
            y.append(label)
    return X, y


def _linear(n, noise, rng, normal, gap=0.5):
    # the line x2 = 0.5 * x1 + 0.1, unit normal (-0.5, 1) / sqrt(1.25); each point is
    # pushed away from it by half the gap
    norm = math.sqrt(1.25)
    nx, ny = -0.5 / norm, 1.0 / norm
    X, y = [], []
    for _ in range(n):
        a, b = rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)
        side = 1 if b - 0.5 * a - 0.1 > 0.0 else 0
        push = 0.5 * gap if side else -0.5 * gap
        X.append([a + push * nx + noise * normal(), b + push * ny + noise * normal()])
        y.append(side)
    return X, y


def _plane(n, noise, rng, normal):
    X, y = [], []
    for _ in range(n):
        a, b = rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)
        X.append([a, b])
        y.append((a + b) / 2.0 + noise * normal())
    return X, y


BUMPS = ((0.5, 0.5, 1.0), (-0.5, -0.5, 1.0), (-0.5, 0.5, -1.0), (0.5, -0.5, -1.0))  # centre, height
BUMP_WIDTH = 0.35


def _gauss(n, noise, rng, normal):
    X, y = [], []
    spread = 2.0 * BUMP_WIDTH * BUMP_WIDTH
    for _ in range(n):
        a, b = rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)
        target = 0.0
        for cx, cy, height in BUMPS:
            target += height * floatmath.exp(-((a - cx) * (a - cx) + (b - cy) * (b - cy)) / spread)
        X.append([a, b])
        y.append(target + noise * normal())
    return X, y


_MAKERS = {"moons": _moons, "circles": _circles, "xor": _xor, "spiral": _spiral, "linear": _linear,
           "plane": _plane, "gauss": _gauss}
