"""The notebook export: seed 003's lesson, written for one program.

Seed 003 finds the gradient of ``f(a, b, c) = -a**3 + sin(3*b) - 1.0/c + b**2.5 - a**0.5``
three ways and checks each against the answer: ``OK for dim 0: expected E, yours returns Y``.
``notebook(plan, h)`` writes that notebook (nbformat 4, as JSON) for any program:

1. the program as a plain Python function ``f`` of its leaves (``math``, each named step a
   local variable), and its value;
2. the forward and central differences at step ``h``, each leaf nudged in float64;
3. the closed form: sympy's derivative of the output for each leaf, printed as Python
   (``gradstep.lab.closed_form``'s expression, branches taken as backprop takes them);
   a program too large for it, or no sympy, gets a sentence instead and the check uses
   backprop and the differences only;
4. backpropagation with micrograd 0.1.0, as in the micrograd export (export_scripts.py), printing
   each leaf's gradient, one ``NAME GRADIENT`` line each;
5. the check, in seed 003's words, with gradcheck's tolerance.

Its first code cell installs micrograd when it is missing, so it runs as downloaded in
Colab or Jupyter. The plain function uses Python's ``math``; its numbers may differ from
gradstep's in the last bits (gradstep rounds exp, log ... correctly), which no check here
can see. The cells define no global that a later cell redefines (``f`` uses ``math.exp``,
micrograd's ops are ``exp``...), so any cell can be run again.
"""

from __future__ import annotations

import json

from gradstep.core.tape import LEAF
from gradstep.lab.export_scripts import (
    _PREC_MUL,
    Namer,
    Plan,
    Printer,
    format_line,
    leaf_names,
    micrograd_parts,
    reserved_names,
    statement_lines,
)

TANH_NESTING = 6
WRITTEN_LIMIT = 1_000  # closed_form.MAX_WRITTEN is 5,000: the notebook is written in one go, not on demand
TOLERANCE = "1e-5 + 1e-3 * abs(expected)"  # gradcheck's rule, as ``check --yours`` uses it
_MATH = ("exp", "log", "sin", "cos", "tan", "tanh", "sqrt")


class PlainPrinter(Printer):
    """Plain Python floats: ``math.exp``, sigmoid through tanh (no overflow), relu as max."""

    calls = {name: f"math.{name}({{0}})" for name in _MATH} | {
        "abs": "abs({0})", "relu": "max(0.0, {0})", "sum": "sum({0})"}

    def op(self, name, args, param):
        if name == "same":
            return self._print(args[0])
        if name == "sigmoid":  # 1 / (1 + exp(-z)) = (1 + tanh(z / 2)) / 2, which never overflows
            half = ("op", "tanh", [("op", "div", [args[0], ("num", 2.0)], None, None)], None, None)
            return self._print(("op", "div", [("op", "add", [("num", 1.0), half], None, None), ("num", 2.0)],
                                None, None))
        if name == "mean":
            return f"sum({self.text(args[0])}) / {param}", _PREC_MUL
        return super().op(name, args, param)


def plain_function(plan: Plan) -> tuple[list[str], dict[int, str], list[str]]:
    """``def f(...)``'s lines, each leaf's parameter name, and notes on how f writes things."""
    namer = Namer(plan, reserved_names("import math\n"))
    params, _ = leaf_names(plan, namer)
    printer = PlainPrinter(lambda i: params[i])
    body: list[str] = []
    notes = set()
    for s, st in enumerate(plan.statements):
        ident = namer.ident[st["name"]]
        if st["nodes"] and all(plan.tape.kinds[i] == LEAF for i in st["nodes"]) and not st["is_list"] \
                and params[st["nodes"][0]] == ident:
            continue  # a leaf that is f's parameter of the same name
        lines, _ = statement_lines(plan, namer, s, ordered=False, inline_groups=False)
        written = []
        for target, tree in lines:
            target = ident if target is None else target
            if tree[0] == "op" and tree[1] == "softmax":
                written += _softmax_lines(namer, printer, target, tree[2][0])
                notes.add("softmax")
            else:
                written.append(format_line(target, printer.text(tree), "    "))
        source = st["source"]
        if len(written) != 1 or written[0].strip().replace(" ", "") != source.replace(" ", ""):
            if not all(plan.tape.kinds[i] == LEAF for i in st["nodes"]) or not st["nodes"]:
                body.append(f"    # {source}")
        body += written
    ops = plan.ops_used()
    if "sigmoid" in ops:
        notes.add("sigmoid")
    if "relu" in ops:
        notes.add("relu")
    args = ", ".join(params[i] for i in plan.leaves)
    out = [f"def f({args}):"] + body + [f"    return {namer.ident[plan.statements[-1]['name']]}"]
    return out, params, sorted(notes)


def _softmax_lines(namer: Namer, printer: Printer, target: str, items) -> list[str]:
    lines = []
    if items[0] != "ref":
        listed = namer.temp()
        lines.append(format_line(listed, printer.text(items), "    "))
        items = ("ref", listed)
    name = items[1]
    top, exps, total = namer.temp(), namer.temp(), namer.temp()
    return lines + [
        f"    {top} = max({name})  # softmax, written out: subtract the largest so exp cannot overflow",
        f"    {exps} = [math.exp(z - {top}) for z in {name}]",
        f"    {total} = sum({exps})",
        f"    {target} = [e / {total} for e in {exps}]",
    ]


def closed_forms(plan: Plan, params: dict[int, str]) -> tuple[dict[int, dict] | None, str, list[str]]:
    """Each leaf's derivative as Python (``math.``) and LaTeX, or ``None`` and why not; and
    the branches the formulas take (relu, abs, softmax's max)."""
    try:
        import sympy
        from sympy.printing.pycode import pycode
    except ImportError:
        return None, ("sympy could not be imported where this notebook was made (with sympy installed, "
                      "gradstep writes the closed form here too)"), []
    from gradstep.lab.closed_form import _reaches, expressions, light_simplify, too_large

    tape = plan.tape
    problem = too_large(tape) or _too_long(tape) or _nested_tanh(plan)
    if problem:
        return None, problem, []
    exprs, symbols, branches = expressions(tape, plan.start, _reaches(tape, tape.output))
    output = exprs[tape.output]
    swap = {symbols[i]: sympy.Symbol(params[i]) for i in plan.leaves}
    out = {}
    for i in plan.leaves:
        d = light_simplify(sympy.diff(output, symbols[i])).xreplace(swap)
        code = pycode(d, fully_qualified_modules=True)
        if "Not supported" in code or d.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            out[i] = {"code": None, "latex": None}
            continue
        latex = sympy.latex(d)
        out[i] = {"code": code, "latex": latex if len(latex) <= 400 else None}
    return out, "", branches


def _too_long(tape) -> str:
    from gradstep.lab.closed_form import written_out_size

    written = written_out_size(tape)
    if written > WRITTEN_LIMIT:
        return (f"written out as one formula, the output alone has {written:,} numbers and operations; this "
                f"notebook writes the closed form for up to {WRITTEN_LIMIT:,} (longer ones help no reader, and "
                "sympy takes seconds over them)")
    return ""


def _nested_tanh(plan: Plan) -> str:
    """Why not, for tanh nested in tanh more than ``TANH_NESTING`` deep: sympy's tanh takes
    about four times as long with each level (8 s for 8 levels, 2 minutes for 10)."""
    tape = plan.tape
    depth = [0] * len(tape)
    for i, op in enumerate(tape.ops):
        if op is not None:
            depth[i] = max((depth[j] for j in tape.inputs[i]), default=0) + (op.name == "tanh")
    deepest = max(depth, default=0)
    if deepest > TANH_NESTING:
        return (f"tanh is nested {deepest} deep here, and sympy takes about four times as long for each "
                f"level past a few (the notebook writes the closed form for up to {TANH_NESTING})")
    return ""


# --------------------------------------------------------------------------- cells
def _md(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": _lines(text)}


def _code(text: str, hidden: bool = False) -> dict:
    metadata = {"jupyter": {"source_hidden": True}, "cellView": "form"} if hidden else {}
    return {"cell_type": "code", "execution_count": None, "metadata": metadata, "outputs": [],
            "source": _lines(text)}


def _lines(text: str) -> list[str]:
    lines = text.strip("\n").split("\n")
    return [line + "\n" for line in lines[:-1]] + [lines[-1]]


def _code_block(text: str) -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}python\n{text.rstrip()}\n{fence}"


def notebook(plan: Plan, h: float) -> str:
    tape = plan.tape
    out_label = tape.labels[tape.output]
    labels = [tape.labels[i] for i in plan.leaves]
    shown = ", ".join(f"`{label}`" for label in labels[:8]) + (", ..." if len(labels) > 8 else "")
    fn, params, notes = plain_function(plan)
    values = "[" + ", ".join(repr(plan.start[i]) for i in plan.leaves) + "]"
    leaves_list = "[" + ", ".join(repr(label) for label in labels) + "]"
    cells = []
    program = tape.source.lstrip("\ufeff").rstrip()
    cells.append(_md(
        f"# The gradient of `{out_label}`, three ways\n\n"
        "This notebook was written by gradstep for the program below. It finds how much the output "
        f"`{out_label}` changes with each input ({shown}) three ways, and checks that they agree:\n\n"
        "1. **nudging** each input by a small `h` and watching the output move (the numerical gradient),\n"
        "2. **the closed form**: the derivative written out as a formula, the way a textbook does,\n"
        "3. **backpropagation**: the chain rule, one small step at a time, as micrograd and PyTorch do.\n\n"
        + _code_block(program) + "\n\nRun the cells from top to bottom (in Colab: *Runtime → Run all*)."))
    cells.append(_code(
        "# micrograd 0.1.0 does the backpropagation below: install it if it is missing\n"
        "try:\n    import micrograd\nexcept ImportError:\n    %pip install micrograd==0.1.0"))

    about_f = ["## 1. The function",
               "",
               "The program as a plain Python function of its leaves. Each named step is a local variable."]
    if any(st["is_list"] for st in plan.statements):
        about_f.append("A list's elements are separate arguments (`x_0` for `x[0]`), gathered into the list inside.")
    if any(st["count"] > 1 for st in plan.statements):
        about_f.append("A name the program gives a new value keeps one argument per value it had "
                       "(`a_1` is the first `a`).")
    if "sigmoid" in notes:
        about_f.append("`sigmoid(z)` is written `(1 + tanh(z / 2)) / 2`: the same number as "
                       "`1 / (1 + exp(-z))`, without overflowing for very negative `z`.")
    if "relu" in notes:
        about_f.append("`relu(z)` is `max(0.0, z)`.")
    if "softmax" in notes:
        about_f.append("`softmax` is written out: subtract the largest element (so `exp` cannot overflow), "
                       "take `exp` of each, divide each by their sum.")
    cells.append(_md("\n".join(about_f)))
    cells.append(_code("import math\n\n\n" + "\n".join(fn) + "\n\n\n"
                       f"leaves = {leaves_list}  # the inputs, in f's order\n"
                       f"values = {values}  # their values\n"
                       "print(f(*values))"))

    cells.append(_md(
        "## 2. Nudge each input by h\n\n"
        "The derivative is how much the output moves per unit an input moves. Move one input by a "
        "small `h`, the others held still, and divide:\n\n"
        "* forward difference: `(f(x + h) - f(x)) / h`\n"
        "* central difference: `(f(x + h) - f(x - h)) / (2h)`, usually far closer: its error shrinks "
        "like `h²` instead of `h`.\n\n"
        "Too small an `h` loses to rounding instead; try `h = 1e-12` and see."))
    first = labels[0] if labels else "x"
    cells.append(_code(
        f"h = {h!r}\n\n\n"
        "def f_nudged(k, by):\n"
        '    """f with input k moved by `by` (x + h in float64), or None when that leaves f\'s\n'
        '    domain (the log of a negative number, a division by zero...)."""\n'
        "    moved = list(values)\n"
        "    moved[k] = values[k] + by\n"
        "    try:\n"
        "        return f(*moved)\n"
        "    except (ValueError, ZeroDivisionError, OverflowError):\n"
        "        return None\n\n\n"
        "f0 = f(*values)\n"
        "forward, central = {}, {}\n"
        f"for k, leaf in enumerate(leaves):  # for {first}: (f({first} + h, ...) - f({first}, ...)) / h, ...\n"
        "    plus, minus = f_nudged(k, h), f_nudged(k, -h)\n"
        "    forward[leaf] = None if plus is None else (plus - f0) / h\n"
        "    central[leaf] = None if plus is None or minus is None else (plus - minus) / (2 * h)\n"
        '    print(f"{leaf}: forward {forward[leaf]}, central {central[leaf]}")'))

    forms, problem, branches = closed_forms(plan, params)
    if forms is None:
        cells.append(_md("## 3. The closed form\n\n"
                         f"Not for this program: {problem}. The check below compares the numerical "
                         "gradient with backpropagation only."))
    else:
        text = ["## 3. The closed form", "",
                f"sympy builds `{out_label}` as one formula in the inputs and differentiates it by the rules "
                "of calculus. Each shared piece of the program is copied where it is used, so the formula "
                "can grow much larger than the program; backpropagation never writes it down."]
        shown_latex = [(tape.labels[i], forms[i]["latex"]) for i in plan.leaves if forms[i]["latex"]]
        if shown_latex and len(shown_latex) <= 12:
            text.append("")
            for label, latex in shown_latex:
                text.append(f"$$\\frac{{\\partial\\, {_tex(out_label)}}}{{\\partial\\, {_tex(label)}}} = {latex}$$")
        if branches:
            text += ["", "Where the program has a kink, the formula follows the branch taken at these values:", ""]
            text += [f"* {b}" for b in branches]
        cells.append(_md("\n".join(text)))
        args = ", ".join(params[i] for i in plan.leaves)
        functions, table = [], []
        for i in plan.leaves:
            name = f"d{_ident(out_label)}_d{params[i]}"
            code = forms[i]["code"]
            if code is None:
                table.append(f"({tape.labels[i]!r}, None),  # sympy could not write this one out as Python")
                continue
            functions.append(f"def {name}({args}):\n    return {code}")
            table.append(f"({tape.labels[i]!r}, {name}),")
        cells.append(_code(
            "\n\n\n".join(functions) + ("\n\n\n" if functions else "")
            + "closed = {}\n"
            "for leaf, formula in [\n" + "\n".join("    " + row for row in table) + "\n]:\n"
            "    try:\n"
            "        closed[leaf] = formula(*values)\n"
            "    except (ValueError, ZeroDivisionError, OverflowError, TypeError) as error:\n"
            "        # the formula may fail where backprop does not: 0 * log(0), exp(1000) / exp(1000)...\n"
            '        print(f"{leaf}: the formula cannot be computed here ({error})")\n'
            "        continue\n"
            '    print(f"{leaf}: {closed[leaf]}")'))

    parts = micrograd_parts(plan, indent="    ", params=True)
    cells.append(_md(
        "## 4. Backpropagation with micrograd\n\n"
        "micrograd's `Value` remembers how it was made. Backprop starts at the output with gradient 1 "
        "and walks the graph backwards: each node multiplies its gradient by the local derivative of "
        "each input (for `a * b`, the derivative with respect to `a` is `b`) and adds it to that input. "
        "A value used twice collects both contributions.\n\n"
        "micrograd 0.1.0 knows `+ * ** relu`; the next cells teach it the other operations, each a forward "
        "value and a `_backward` closure, the way micrograd writes its own. They use gradstep's float math, "
        "so the gradients are gradstep's to the last digit."))
    if parts["floatmath"]:
        cells.append(_code("# @title gradstep's float math: exp, log, ** ... the same bits on every computer "
                           "(run it; no need to read)\n" + "\n".join(parts["imports"]) + "\n\n" + parts["floatmath"],
                           hidden=True))
    helpers = "from micrograd.engine import Value\n"
    if "import math" in parts["imports"] and not parts["floatmath"]:
        helpers = "import math\n\n" + helpers
    helpers += "\n\n" + parts["record"]
    if parts["helpers"]:
        helpers += "\n\n" + "\n\n".join(parts["helpers"])
    cells.append(_code(helpers))
    leaf_args = ", ".join(parts["leaf_names"][i] for i in plan.leaves)
    returned = ", ".join(f"{label!r}: float({ref}.grad)" for label, ref in parts["leaves"])
    cells.append(_code(
        f"def backprop({leaf_args}):\n"
        '    """Build the graph with micrograd\'s Values, run backprop, return each input\'s gradient."""\n'
        "    Value.made.clear()\n"
        + "\n".join(parts["graph"]) + "\n\n" + "\n".join(parts["backward"]) + "\n"
        f"    return {{{returned}}}\n\n\n"
        "grads = backprop(*values)\n"
        "for leaf, grad in grads.items():\n"
        "    print(leaf, repr(grad))"))

    cells.append(_md(
        "## 5. Do they agree?\n\n"
        "Seed 003's check: each estimate against backprop's gradient. `OK` when they are within "
        f"`{TOLERANCE}` of each other (the tolerance of PyTorch's `gradcheck`)."))
    checks = ([] if forms is None else ['check("closed form (sympy)", closed)']) + \
        ['check("forward difference", forward)', 'check("central difference", central)']
    cells.append(_code(
        "def check(title, yours):\n"
        "    print(title)\n"
        "    for leaf, expected in grads.items():\n"
        "        mine = yours.get(leaf)\n"
        "        if mine is None:\n"
        '            print(f"-- for {leaf}: no estimate here")\n'
        "            continue\n"
        f"        ok = 'OK' if abs(mine - expected) <= {TOLERANCE} else 'WRONG!'\n"
        '        print(f"{ok} for {leaf}: expected {expected}, yours returns {mine}")\n\n\n'
        + "\n".join(checks)))
    cells.append(_md(
        "Try it: change `values` (or the function) and run the cells again; make `h` much larger or much "
        "smaller and watch the differences drift away from backprop while the closed form stays put."))
    for k, cell in enumerate(cells):
        cell["id"] = f"gradstep-{k + 1}"
    document = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def _ident(label: str) -> str:
    """A label as part of a Python name (``x[0]`` as ``x_0_``)."""
    return "".join(ch if ("a" + ch).isidentifier() else "_" for ch in label)


def _tex(label: str) -> str:
    return label.replace("_", r"\_").replace("@", r"@")

