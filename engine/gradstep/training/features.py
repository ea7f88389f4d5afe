"""The network's inputs made from a point (x, y): TensorFlow Playground's input features.

``FEATURES`` names them; ``featurize(point, names)`` gives one float per name, in the order
asked, and the first layer has one input per feature. ``x,y`` (the default) is the point
itself, the same floats. ``sin`` is ``gradstep.core.floatmath``'s (correctly rounded, the
same bits on every platform, as the page needs), never the platform's libm.
"""

from __future__ import annotations

from gradstep.core import floatmath

FEATURES = ("x", "y", "x2", "y2", "xy", "sinx", "siny")
DEFAULT = ("x", "y")
FORMULAS = {"x": "x", "y": "y", "x2": "x*x", "y2": "y*y", "xy": "x*y", "sinx": "sin(x)", "siny": "sin(y)"}

_MAKE = {
    "x": lambda x, y: x,
    "y": lambda x, y: y,
    "x2": lambda x, y: x * x,
    "y2": lambda x, y: y * y,
    "xy": lambda x, y: x * y,
    "sinx": lambda x, y: floatmath.sin(x),
    "siny": lambda x, y: floatmath.sin(y),
}


def check(names) -> tuple[str, ...]:
    """``names`` as a tuple, or ``ValueError``: at least one, each one of ``FEATURES``, none twice."""
    names = tuple(names)
    if not names or len(set(names)) != len(names) or any(n not in FEATURES for n in names):
        raise ValueError(f"features must be one or more of {', '.join(FEATURES)}, each once, not {list(names)}")
    return names


def featurize(point, names=DEFAULT) -> list[float]:
    """The feature values of one point ``[x, y]``."""
    x, y = float(point[0]), float(point[1])
    return [_MAKE[n](x, y) for n in names]
