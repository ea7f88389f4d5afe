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

import math
from dataclasses import dataclass

from gradstep.core.errors import ProgramError
from gradstep.core.tape import Tape

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


def gradcheck_ok(backprop: float, central: float | None, atol: float = 1e-5,
                 rtol: float = 1e-3) -> bool:
    """torch's gradcheck rule: ``|backprop - central| <= atol + rtol * |central|``."""
    return central is not None and abs(backprop - central) <= atol + rtol * abs(central)


def shifted(tape: Tape, start: list[float], leaf: int, h: float) -> dict:
    """f(x), f(x + h) and f(x - h) for one leaf, the others held at ``start``.

    ``f(x)`` must be computable (it is the program itself); a shifted value that
    leaves a domain is ``None`` with the reason in ``problems["plus"]`` or
    ``problems["minus"]``. ``x + h`` is computed in float64, exactly as the seed
    notebooks do (``a + h``), so their printed digits come out.
    """
    base = [float(v) if v is not None else None for v in start]

    def at(x: float) -> float:
        moved = list(base)
        moved[leaf] = x
        return _output(tape, moved)

    x = base[leaf]
    out = {"x": x, "f": at(x), "plus": None, "minus": None, "problems": {}}
    for key, sign, moved in (("plus", "+", x + h), ("minus", "-", x - h)):
        try:
            out[key] = at(moved)
        except ProgramError as error:
            out["problems"][key] = f"x {sign} h = {moved!r} leaves the domain: {error.message}"
    return out


def estimates(tape: Tape, start: list[float], leaf: int, h: float) -> tuple[dict, str]:
    """The three finite differences of one leaf at step ``h``, each ``None`` when it
    cannot be computed, and a sentence saying why (empty when all three could).

    Each is computed exactly as written: ``(f(x+h) - f(x)) / h``,
    ``(f(x) - f(x-h)) / h`` and ``(f(x+h) - f(x-h)) / (2h)``, in float64.
    """
    s = shifted(tape, start, leaf, h)
    f, plus, minus = s["f"], s["plus"], s["minus"]
    out: dict = {
        "forward": None if plus is None else (plus - f) / h,
        "backward": None if minus is None else (f - minus) / h,
        "central": None if plus is None or minus is None else (plus - minus) / (2.0 * h),
    }
    problems = [s["problems"][k] for k in ("plus", "minus") if k in s["problems"]]
    for method in METHODS:
        value = out[method]
        if value is not None and not math.isfinite(value):
            out[method] = None
            problems.append(f"the {method} difference overflows float64 ({value!r}): h is too small "
                            "for values this large")
    return out, "; ".join(problems)


def relative_error(estimate: float | None, exact: float) -> float | None:
    """An estimate's error relative to the exact gradient (backprop's): |estimate - exact| / |exact|.
    The one definition the command line, the page's lab and the widget show (None where the
    estimate is missing or the exact gradient is 0)."""
    if estimate is None or exact == 0.0:
        return None
    return abs(estimate - exact) / abs(exact)


def check_rows(tape: Tape, start: list[float], h: float,
               grads: list[float] | None = None) -> list[dict]:
    """One row per named leaf, in program order: ``check --json``'s ``leaves``.

    ``{"label", "backprop", "forward", "backward", "central", "ok"}``, plus
    ``"problem"`` when an estimate could not be computed.
    """
    start = list(start)
    if grads is None:
        _, slopes = tape.forward(start)
        grads = tape.backward(slopes)
    rows = []
    for i in tape.leaf_indices():
        found, problem = estimates(tape, start, i, h)
        row = {"label": tape.labels[i], "backprop": grads[i], **found,
               "ok": gradcheck_ok(grads[i], found["central"])}
        if problem:
            row["problem"] = problem
        rows.append(row)
    return rows


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
