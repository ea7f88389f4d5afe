"""The gradient lab: one gradient found three ways, and why they agree (or not).

* **Nudge the input** (finite differences): move one leaf by a small h and see how
  far the output moves. Forward (f(x+h) - f(x))/h and backward (f(x) - f(x-h))/h
  err by about |f''|/2 * h (first order); central (f(x+h) - f(x-h))/2h by about
  |f'''|/6 * h^2 (second order). But each f carries a rounding error of about
  eps*|f| (eps = 2.2e-16), divided by h: too small an h is as bad as too large,
  and the error against h is a V on log-log axes (``error_curve``).
* **Write the formula** (the closed form, ``closed_form``): differentiate the whole
  expression with sympy. Exact, but the formula can be much larger than the program.
* **Backprop**: one local derivative per edge, multiplied and added from the output
  down. ``paths`` shows the sum over paths it is computing; ``forward_mode`` the
  same chain rule run from the leaf up instead.

Every function takes the tape and ``start``, the current leaf values (a list indexed
by tape node, like ``Timeline.start``), so the lab follows nudges and edits, and
returns plain JSON-ready data. sympy and networkx are imported only inside the
functions that use them.
"""

from __future__ import annotations

import math
import sys

from gradstep.core.errors import ProgramError
from gradstep.core.tape import Tape
from gradstep.lab.closed_form import closed_form
from gradstep.lab.forward_mode import forward_mode
from gradstep.lab.numeric import METHODS, check_rows, estimates, relative_error
from gradstep.lab.paths import paths
from gradstep.lab.yours import check_yours, named_steps

__all__ = ["compare", "error_curve", "slope_view", "closed_form", "paths", "forward_mode", "yours",
           "default_hs", "EPS"]

EPS = sys.float_info.epsilon  # 2.220446049250313e-16: the spacing of floats near 1


def _backprop(tape: Tape, start: list[float]) -> tuple[list[float], list[float]]:
    values, slopes = tape.forward(list(start))
    return values, tape.backward(slopes)


def _leaf_check(tape: Tape, leaf: int) -> None:
    if not 0 <= leaf < len(tape) or tape.kinds[leaf] != "leaf":
        raise ValueError(f"node {leaf} is not a named leaf")


# --------------------------------------------------------------------- compare
def compare(tape: Tape, start: list[float], h: float = 1e-6) -> dict:
    """``check --json`` at these leaf values, with each estimate's error.

    ``{"h", "output", "leaves": [{"label", "backprop", "forward", "backward",
    "central", "ok", ["problem"], "leaf", "abs_error": {method: |estimate - backprop|},
    "rel_error": {method: numeric.relative_error}}...]}``; an error is ``None``
    where its estimate is, and a relative error where backprop is 0.
    """
    if not (h > 0.0 and math.isfinite(h)):
        raise ValueError(f"h must be a positive, finite number, not {h!r}")
    _, grads = _backprop(tape, start)
    rows = check_rows(tape, start, h, grads)
    for i, row in zip(tape.leaf_indices(), rows, strict=True):
        row["leaf"] = i
        g = row["backprop"]
        row["abs_error"] = {m: None if row[m] is None else abs(row[m] - g) for m in METHODS}
        row["rel_error"] = {m: relative_error(row[m], g) for m in METHODS}
    return {"h": h, "output": tape.labels[tape.output], "leaves": rows}


# ----------------------------------------------------------------- error curve
def default_hs(per_decade: int = 3) -> list[float]:
    """h from 1e-1 down to 1e-12, log spaced (34 points by default; whole decades
    are exactly 1e-1, 1e-2, ...)."""
    hs = []
    for k in range(per_decade, 12 * per_decade + 1):
        hs.append(float(f"1e-{k // per_decade}") if k % per_decade == 0 else 10.0 ** (-k / per_decade))
    return hs


def _numeric_higher(tape: Tape, start: list[float], leaf: int) -> tuple[float | None, float | None, float]:
    """f'' and f''' from differences of the *backprop* gradient g = f' at a safe
    step s = 1e-3 * max(1, |x|) (shrunk if x +- s leaves a domain):
    f'' ~ (g(x+s) - g(x-s)) / 2s, f''' ~ (g(x+s) - 2g(x) + g(x-s)) / s^2.
    Their errors (~s^2) and rounding (~eps/s^2) are far below what a theory line needs."""
    x = start[leaf]
    s = 1e-3 * max(1.0, abs(x))
    for _ in range(4):
        try:
            g = []
            for shift in (-s, 0.0, s):
                moved = list(start)
                moved[leaf] = x + shift
                g.append(_backprop(tape, moved)[1][leaf])
            return (g[2] - g[0]) / (2 * s), (g[2] - 2 * g[1] + g[0]) / (s * s), s
        except ProgramError:
            s /= 10.0
    return None, None, s


def _sympy_higher(tape: Tape, start: list[float], leaf: int) -> tuple[float | None, float | None]:
    import sympy

    from gradstep.lab.closed_form import output_expression

    f, symbols = output_expression(tape, start)
    x = symbols[leaf]
    subs = {s: sympy.Float(start[i], 30) for i, s in symbols.items()}
    d2 = sympy.diff(f, x, 2)
    d3 = sympy.diff(d2, x)
    out = []
    for d in (d2, d3):
        v = sympy.N(d.subs(subs), 30)
        out.append(float(v) if v.is_real and v.is_finite else None)
    return out[0], out[1]


def error_curve(tape: Tape, start: list[float], leaf: int, hs: list[float] | None = None,
                derivatives: str = "auto") -> dict:
    """|estimate - backprop| for forward, backward and central at each h, with the
    theory's lines and best h.

    ``derivatives`` says where f'' and f''' (for the truncation lines) come from:
    ``"sympy"`` (differentiate the closed form), ``"numeric"`` (differences of the
    backprop gradient, see ``_numeric_higher``) or ``"auto"`` (sympy if it is already
    loaded, else numeric: the page does not load sympy for this plot alone).
    ``theory["derivatives_from"]`` says which was used.

    Theory, with eps = 2.2e-16 and f the output's value:
      one-sided truncation |f''|/2 * h, central truncation |f'''|/6 * h^2,
      round-off eps*|f|/h; best h where truncation meets round-off:
      sqrt(2*eps*|f|/|f''|) one-sided, cbrt(3*eps*|f|/|f'''|) central (``None`` where
      f, f'' or f''' is 0: a line with no V).

    Returns ``{"leaf", "label", "x", "value", "backprop",
    "points": [{"h", "forward", "backward", "central" (each |estimate - backprop|, or
    None), "theory_one_sided", "theory_central", "theory_roundoff"}...],
    "theory": {"eps", "f", "f2", "f3", "derivatives_from", "one_sided": |f''|/2,
    "central": |f'''|/6, "roundoff": eps*|f|},
    "best": {method: {"measured", "measured_error", "theory"}}}``.
    """
    _leaf_check(tape, leaf)
    start = list(start)
    hs = default_hs() if hs is None else [float(h) for h in hs]
    values, grads = _backprop(tape, start)
    exact = grads[leaf]
    f = values[tape.output]
    errors: dict[str, list] = {m: [] for m in METHODS}
    for h in hs:
        found, _ = estimates(tape, start, leaf, h)
        for m in METHODS:
            errors[m].append(None if found[m] is None else abs(found[m] - exact))

    source = "numeric"
    f2 = f3 = None
    if derivatives == "sympy" or (derivatives == "auto" and "sympy" in sys.modules):
        from gradstep.lab.closed_form import too_large

        if not too_large(tape):
            try:
                f2, f3 = _sympy_higher(tape, start, leaf)
                source = "sympy" if f2 is not None and f3 is not None else "numeric"
            except ImportError:
                pass
    if source == "numeric":
        f2, f3, step = _numeric_higher(tape, start, leaf)
        source = f"numeric: differences of the backprop gradient at s = {step!r}"

    c1 = None if f2 is None else abs(f2) / 2
    c2 = None if f3 is None else abs(f3) / 6
    c0 = EPS * abs(f)
    points = []
    for k, h in enumerate(hs):
        points.append({"h": h, **{m: errors[m][k] for m in METHODS},
                       "theory_one_sided": None if c1 is None else c1 * h,
                       "theory_central": None if c2 is None else c2 * h * h,
                       "theory_roundoff": c0 / h})
    theory = {"eps": EPS, "f": f, "f2": f2, "f3": f3, "derivatives_from": source,
              "one_sided": c1, "central": c2, "roundoff": c0}

    def theory_h(coef_num, deriv, root):
        if deriv is None or deriv == 0.0 or f == 0.0:
            return None
        return (coef_num * EPS * abs(f) / abs(deriv)) ** (1.0 / root)

    best = {}
    for method in METHODS:
        pairs = [(e, h) for e, h in zip(errors[method], hs, strict=True) if e is not None]
        e, h = min(pairs, key=lambda p: p[0]) if pairs else (None, None)
        th = theory_h(3.0, f3, 3) if method == "central" else theory_h(2.0, f2, 2)
        best[method] = {"measured": h, "measured_error": e, "theory": th}
    return {"leaf": leaf, "label": tape.labels[leaf], "x": start[leaf], "value": f,
            "backprop": exact, "points": points, "theory": theory, "best": best}


# ------------------------------------------------------------------ slope view
def _f_at(tape: Tape, start: list[float], leaf: int, x: float) -> float | None:
    moved = list(start)
    moved[leaf] = x
    try:
        values, _ = tape.forward(moved)
    except ProgramError:
        return None
    return values[tape.output]


def _line(slope: float, x0: float, y0: float, lo: float, hi: float) -> list[list[float]]:
    return [[lo, y0 + slope * (lo - x0)], [hi, y0 + slope * (hi - x0)]]


def slope_view(tape: Tape, start: list[float], leaf: int, h: float = 1e-6,
               span: float | None = None, n: int = 101) -> dict:
    """The output as a function of one leaf (the others held), with the tangent and
    two secants: what "the slope" means, drawn.

    ``{"leaf", "label", "output", "h", "span", "xs", "ys", "x", "y", "slope",
    "tangent_line", "forward", "central", "secant_slopes", ["problem"]}``:
    ``n`` points ``xs`` on [x - span, x + span] and the output ``ys`` there (``None``
    outside a domain). The default span is max(1, |x|), halved while fewer than 60%
    of the points can be computed (log near 0 keeps its curve on screen). ``slope``
    is backprop's: the tangent at (x, y); ``tangent_line`` is its two ends over the
    span. ``forward`` is the secant's two points (x, f(x)) and (x+h, f(x+h)),
    ``central`` (x-h, f(x-h)) and (x+h, f(x+h)); ``secant_slopes`` their slopes as
    the differences compute them. A secant that leaves a domain is ``None`` and
    ``problem`` says why.
    """
    _leaf_check(tape, leaf)
    start = list(start)
    n = max(3, int(n))
    values, grads = _backprop(tape, start)
    x = start[leaf]
    y = values[tape.output]
    g = grads[leaf]
    chosen = span is not None
    span = float(span) if chosen else max(1.0, abs(x))

    def sample(s):
        xs = [x - s + 2.0 * s * k / (n - 1) for k in range(n)]
        xs[(n - 1) // 2] = x if n % 2 else xs[(n - 1) // 2]
        return xs, [_f_at(tape, start, leaf, t) for t in xs]

    xs, ys = sample(span)
    halvings = 0
    while not chosen and sum(v is not None for v in ys) < 0.6 * n and halvings < 60:
        span /= 2.0
        halvings += 1
        xs, ys = sample(span)
    lo, hi = x - span, x + span
    found, problem = estimates(tape, start, leaf, h)
    plus = _f_at(tape, start, leaf, x + h)
    minus = _f_at(tape, start, leaf, x - h)
    forward = None if found["forward"] is None else [[x, y], [x + h, plus]]
    central = None if found["central"] is None else [[x - h, minus], [x + h, plus]]
    out = {
        "leaf": leaf, "label": tape.labels[leaf], "output": tape.labels[tape.output],
        "h": h, "span": span, "xs": xs, "ys": ys, "x": x, "y": y, "slope": g,
        "tangent_line": _line(g, x, y, lo, hi),
        "forward": forward, "central": central,
        "secant_slopes": {"forward": found["forward"], "central": found["central"]},
    }
    if problem:
        out["problem"] = problem
    return out


# ---------------------------------------------------------------- your derivative
def yours(tape: Tape, start: list[float], leaf: int, text: str) -> dict:
    """The learner's own d(output)/d(leaf), ``text`` in the program's names, checked at
    these leaf values, at other points and with sympy (``gradstep.lab.yours.check_yours``:
    the reply's fields are listed there). ``leaf`` may also be a named step (seed 004's
    dy/dh3). A bad expression raises ``ProgramError`` with its line and column in ``text``."""
    if leaf not in named_steps(tape):
        _leaf_check(tape, leaf)
    return check_yours(tape, start, leaf, str(text))
