"""The closed form: the derivative written out as one formula, the way a textbook does.

Backprop never writes down a formula for d(output)/d(leaf): it multiplies numbers,
one local derivative per step, reusing the values of the forward pass. Symbolic
differentiation (sympy) instead builds the output as one expression in the leaves'
names and differentiates that expression. Both give the same number, but the
formula can be far larger than the program: every use of a shared piece is copied
into it, and the product rule doubles what it touches. Seed 004's point is that the
closed form of dy/domega0 for y = beta4 + omega4*log(beta3 + omega3*cos(...)) is a
"nightmare" of repeated sin and exp terms, while backprop reaches it in a couple of
dozen small steps.

Where the program takes a branch (``relu``, ``abs``, the ``max`` inside a stable
softmax), the expression follows the branch taken at the current values, the same
one backprop's local derivatives follow (``relu'(0) = 0``, ``abs'(0) = 0``, ``max``
picks its first largest input); the result says so in ``branches``.

sympy is imported when a function here is first called, never at import time: the
page loads it only when the closed-form panel is opened.
"""

from __future__ import annotations

import keyword
import re

from gradstep.core.tape import Tape

MAX_NODES = 600  # larger programs are refused: the formula would swamp the panel and sympy
MAX_WRITTEN = 5_000  # nor is an output whose written-out expression is larger than this
GRADCHECK_ATOL, GRADCHECK_RTOL = 1e-5, 1e-3
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z_0-9]*(\[[0-9]+\])?")


def symbol_names(tape: Tape) -> dict[int, str]:
    """Each leaf's name in formulas: its label (``a``, ``x[0]``), or, for a leaf whose
    name was bound again later (labelled ``a@1``), a Python-safe spelling of it."""
    names: dict[int, str] = {}
    taken: set[str] = set()
    for i in tape.leaf_indices():
        label = tape.labels[i]
        name = label
        if not _PLAIN.fullmatch(label) or keyword.iskeyword(label):
            name = re.sub(r"[^A-Za-z_0-9]", "_", label.replace("@", "_line")) or "leaf"
            if name[0].isdigit():
                name = "_" + name
        while name in taken:
            name += "_"
        taken.add(name)
        names[i] = name
    return names


def _constant(x: float):
    """A constant as sympy should see it: exact when it is a whole number or a short
    decimal (2, 0.5, 2.5 become 2, 1/2, 5/2), otherwise the float itself."""
    import sympy

    if float(x).is_integer() and abs(x) < 1e15:
        return sympy.Integer(int(x))
    text = repr(float(x))
    digits = text.lstrip("-").replace(".", "").lstrip("0")
    if "e" not in text and "inf" not in text and "nan" not in text and len(digits) <= 6:
        return sympy.Rational(text)
    return sympy.Float(text, 17)


def expressions(tape: Tape, start: list[float], needed: set[int] | None = None):
    """Every node's value as a sympy expression in the leaves' symbols.

    Returns ``(exprs, symbols, branches)``: ``exprs[i]`` is node i's expression
    (``None`` for nodes not ``needed``), ``symbols`` maps leaf index to its Symbol,
    ``branches`` lists the sentences about branches taken at ``start``.
    """
    import sympy

    values, _ = tape.forward(list(start))
    names = symbol_names(tape)
    symbols = {i: sympy.Symbol(name) for i, name in names.items()}
    exprs: list = [None] * len(tape)
    branches: list[str] = []
    for i, op in enumerate(tape.ops):
        if needed is not None and i not in needed:
            continue
        if op is None:
            exprs[i] = symbols[i] if i in symbols else _constant(tape.init[i])
            continue
        args = [exprs[j] for j in tape.inputs[i]]
        name = op.name
        label = tape.labels[i]
        if name == "add":
            e = args[0] + args[1]
        elif name == "sub":
            e = args[0] - args[1]
        elif name == "mul":
            e = args[0] * args[1]
        elif name == "div":
            e = args[0] / args[1]
        elif name == "neg":
            e = -args[0]
        elif name == "same":
            e = args[0]
        elif name == "powc":
            e = args[0] ** _constant(tape.params[i])
        elif name == "pow":
            e = args[0] ** args[1]
        elif name in ("exp", "log", "sin", "cos", "tan", "tanh", "sqrt"):
            e = getattr(sympy, name)(args[0])
        elif name == "sigmoid":
            e = 1 / (1 + sympy.exp(-args[0]))
        elif name == "sum":
            e = sympy.Add(*args)
        elif name == "mean":
            e = sympy.Add(*args) / len(args)
        elif name == "relu":
            positive = values[tape.inputs[i][0]] > 0.0
            e = args[0] if positive else sympy.Integer(0)
            branches.append(f"{label}: relu(z) is taken as {'z' if positive else '0'} here "
                            f"(z = {values[tape.inputs[i][0]]!r})")
        elif name == "abs":
            z = values[tape.inputs[i][0]]
            e = args[0] if z > 0.0 else -args[0] if z < 0.0 else sympy.Integer(0)
            branches.append(f"{label}: abs(z) is taken as {'z' if z > 0 else '-z' if z < 0 else '0'} "
                            f"here (z = {z!r})")
        elif name == "max":
            ins = tape.inputs[i]
            best = max(range(len(ins)), key=lambda k: (values[ins[k]], -k))
            e = args[best]
            branches.append(f"{label}: max is taken as its input {best} ({tape.labels[ins[best]]}), "
                            "the largest here")
        else:  # pragma: no cover - a new op must be taught here
            raise ValueError(f"the closed form does not know the op {name!r}")
        exprs[i] = e
    return exprs, symbols, branches


def _reaches(tape: Tape, target: int) -> set[int]:
    """The nodes the target depends on (itself included)."""
    seen = {target}
    todo = [target]
    while todo:
        for j in tape.inputs[todo.pop()]:
            if j not in seen:
                seen.add(j)
                todo.append(j)
    return seen


def light_simplify(expr):
    """A cheap tidy-up: gather powers (exp(a)*exp(b) -> exp(a + b)) and common
    factors, kept only if it shortens the formula. Full ``simplify()`` can take
    seconds (2 s on seed 004's chain, for no gain) and would make the page wait."""
    import sympy

    tidied = sympy.factor_terms(sympy.powsimp(expr))
    return tidied if sympy.count_ops(tidied) < sympy.count_ops(expr) else expr


def python_source(expr) -> str:
    """A sympy expression as Python source in the leaves' names (``ast`` parses it;
    functions keep the program's names: exp, log, sin, cos, tan, tanh, sqrt)."""
    from sympy.printing.str import StrPrinter

    class _Printer(StrPrinter):
        def _print_Exp1(self, expr):  # sympy turns exp(1) into E; Python has no E
            return "exp(1)"

    return _Printer().doprint(expr)


def written_out_size(tape: Tape) -> int:
    """How many numbers and operations the output's expression has when written out
    as one formula, every shared piece copied where it is used (a tape of n lines
    like ``x = x * x + x`` writes out to about 2**n). Counted over the tape, not by
    building the formula."""
    size = [1] * len(tape)
    for i, op in enumerate(tape.ops):
        if op is not None:
            size[i] = 1 + sum(size[j] for j in tape.inputs[i])
    return size[tape.output]


def too_large(tape: Tape) -> str:
    """Why the closed form is not written out for this program, or ``""``."""
    needed = _reaches(tape, tape.output)
    if len(needed) > MAX_NODES:
        return (f"the output depends on {len(needed)} nodes; the closed form is only written out "
                f"for up to {MAX_NODES}")
    written = written_out_size(tape)
    if written > MAX_WRITTEN:
        shown = f"{written:,}" if written < 10**15 else f"about 10^{len(str(written)) - 1}"
        return (f"written out as one formula, the output alone has {shown} numbers and operations "
                f"(the program reuses pieces; a formula copies them); only up to {MAX_WRITTEN:,} "
                "are written out")
    return ""


def backward_steps_on_paths(tape: Tape, leaf: int) -> int:
    """How many backward steps carry d(output)/d(leaf): the nodes on some path from
    the leaf to the output (the leaf and the output included). Each is one step of
    the stepper's backward pass (one node's gradient finished)."""
    below = _reaches(tape, tape.output)
    if leaf not in below:
        return 0
    above = {leaf}
    for i in range(leaf + 1, len(tape)):
        if any(j in above for j in tape.inputs[i]):
            above.add(i)
    return len(above & below)


def closed_form(tape: Tape, start: list[float], leaf: int) -> dict:
    """d(output)/d(leaf) as a formula, its value at ``start``, and its size next to
    backprop's.

    ``{"leaf", "label", "name" (``dy/dx``), "expr", "latex", "pretty", "value", "backprop",
    "agrees", "ops", "backward_steps", "backward_total", "size_note", "branches"}``.
    ``ops`` is sympy's ``count_ops`` of the derivative (every operation of the
    written-out formula, repeats counted); ``backward_steps`` counts the backward
    steps on the leaf's paths to the output (``backward_steps_on_paths``),
    ``backward_total`` the whole backward pass. ``value`` is the formula evaluated
    at ``start`` with 30 digits, then rounded to float64; it is ``None`` (with
    ``problem``) if that fails. A program too large to write out (``too_large``)
    gets ``None`` for the formula and ``problem`` saying so.
    """
    import sympy

    if tape.kinds[leaf] != "leaf":
        raise ValueError(f"node {leaf} ({tape.labels[leaf]}) is not a named leaf")
    start = list(start)
    values, slopes = tape.forward(start)
    backprop = tape.backward(slopes)[leaf]
    label = tape.labels[leaf]
    out = tape.labels[tape.output]
    base = {"leaf": leaf, "label": label, "name": f"d{out}/d{label}", "backprop": backprop,
            "backward_steps": backward_steps_on_paths(tape, leaf), "backward_total": len(tape)}
    refused = too_large(tape)
    if refused:
        return {**base, "expr": None, "latex": None, "value": None, "agrees": None, "ops": None,
                "branches": [], "problem": refused,
                "size_note": f"Backprop takes {base['backward_steps']} backward steps here, whatever "
                             "the size of the formula."}
    needed = _reaches(tape, tape.output)
    exprs, symbols, branches = expressions(tape, start, needed)
    f = exprs[tape.output]
    x = symbols[leaf]
    d = light_simplify(sympy.diff(f, x))
    subs = {s: sympy.Float(start[i], 30) for i, s in symbols.items()}
    value = None
    problem = ""
    try:
        number = sympy.N(d.subs(subs), 30)
        if number.is_real and number.is_finite:
            value = float(number)
        else:
            problem = f"the formula evaluates to {number} here"
    except (TypeError, ValueError, ZeroDivisionError, OverflowError) as error:
        problem = f"the formula cannot be evaluated here: {error}"
    ops = int(sympy.count_ops(d))
    steps = base["backward_steps"]
    agrees = (value is not None
              and abs(backprop - value) <= GRADCHECK_ATOL + GRADCHECK_RTOL * abs(value))
    if ops > steps:
        note = (f"Written out, d{out}/d{label} takes {ops} operations; backprop gets the same "
                f"number in {steps} backward steps, each one multiply-add with a local "
                "derivative, reusing the values of the forward pass.")
    else:
        note = (f"d{out}/d{label} is small ({ops} operations); backprop takes {steps} backward "
                "steps. Formulas grow with every shared piece and product rule; backprop does not.")
    # A formula people read: sympy's two-dimensional Unicode drawing (fractions, powers,
    # roots), kept for formulas that fit a panel; the Python expression always.
    pretty = sympy.pretty(d, use_unicode=True, wrap_line=False)
    if max(len(line) for line in pretty.splitlines()) > 160 or pretty.count("\n") > 12:
        pretty = None
    result = {**base, "expr": python_source(d), "latex": sympy.latex(d), "pretty": pretty, "value": value,
              "agrees": agrees, "ops": ops, "size_note": note, "branches": branches}
    if problem:
        result["problem"] = problem
    return result


def output_expression(tape: Tape, start: list[float]) -> tuple:
    """The output's sympy expression and the leaf symbols (for higher derivatives)."""
    exprs, symbols, _ = expressions(tape, start, _reaches(tape, tape.output))
    return exprs[tape.output], symbols
