"""Numerical gradients: nudge one leaf by h and watch the output.

Three estimates of d(output)/d(leaf), from the definition of the derivative:

* forward  (f(x + h) - f(x)) / h       error about h/2 * f''      (first order)
* backward (f(x) - f(x - h)) / h       error about h/2 * f''      (first order)
* central  (f(x + h) - f(x - h)) / 2h  error about h^2/6 * f'''   (second order)

Too small an h loses to rounding instead (about eps * |f| / h), which is why the
error against h is a V on a log-log plot. ``gradcheck`` compares backprop with the
central difference the way ``torch.autograd.gradcheck`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ProgramError
from .tape import Tape

METHODS = ("forward", "backward", "central")


def _output(tape: Tape, start: list[float]) -> float:
    values, _ = tape.forward(start)
    return values[tape.output]


def difference(tape: Tape, leaf: int, h: float, method: str = "central",
               start: list[float] | None = None) -> float:
    """One finite-difference estimate of d(output)/d(leaf) at ``start`` (the program's
    own values by default). Raises ``ProgramError`` if a shifted input leaves a domain."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    if not h > 0.0:
        raise ValueError(f"h must be positive, not {h!r}")
    base = list(tape.init if start is None else start)

    def at(shift: float) -> float:
        moved = list(base)
        moved[leaf] = base[leaf] + shift
        return _output(tape, moved)

    if method == "forward":
        return (at(h) - at(0.0)) / h
    if method == "backward":
        return (at(0.0) - at(-h)) / h
    return (at(h) - at(-h)) / (2.0 * h)


@dataclass(frozen=True)
class Check:
    leaf: int
    label: str
    analytic: float
    numeric: float | None
    ok: bool
    problem: str = ""  # why a leaf could not be checked

    @property
    def error(self) -> float | None:
        return None if self.numeric is None else abs(self.analytic - self.numeric)


def gradcheck(tape: Tape, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              start: list[float] | None = None) -> list[Check]:
    """Backprop against central differences for every named leaf.

    A leaf passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.
    """
    values, slopes = tape.forward(list(tape.init if start is None else start))
    grads = tape.backward(slopes)
    checks = []
    for i in tape.leaf_indices():
        try:
            numeric = difference(tape, i, eps, "central", start)
        except ProgramError as error:
            checks.append(Check(i, tape.labels[i], grads[i], None, False,
                                f"x +- eps leaves the domain: {error.message}"))
            continue
        ok = abs(grads[i] - numeric) <= atol + rtol * abs(numeric)
        checks.append(Check(i, tape.labels[i], grads[i], numeric, ok))
    return checks


def error_curve(tape: Tape, leaf: int, hs: list[float]) -> list[dict]:
    """|estimate - backprop| for each method and each h: the data of an error-against-h plot."""
    values, slopes = tape.forward(list(tape.init))
    exact = tape.backward(slopes)[leaf]
    rows = []
    for h in hs:
        row = {"h": h}
        for method in METHODS:
            try:
                row[method] = abs(difference(tape, leaf, h, method) - exact)
            except ProgramError:
                row[method] = None
        rows.append(row)
    return rows
