"""Your derivative: a derivative the learner wrote by hand, checked three ways, and what is wrong.

Seed 003 asks for df/da, df/db and df/dc of ``f = -a**3 + sin(3*b) - 1.0/c + b**2.5 - a**0.5``
written out by hand, and checks each at a = 2, b = 3, c = 4 against the right number:
``OK for dim 1: expected 10.25699027111255, yours returns 10.25699027111255``. Its own answer
for b, ``cos(3*b) * b + 2.5*b**1.5``, passes, yet the truth is ``3*cos(3*b) + 2.5*b**1.5``:
at b = 3 the two agree (``cos(9) * 3 == 3 * cos(9)``) and nowhere else. One point proves
little. So the learner's expression (the program language's own, in the program's names) is
checked

1. **at the program's values**, against backprop, by gradcheck's rule
   ``|yours - backprop| <= 1e-5 + 1e-3 * |backprop|`` (seed 003's line, ``line``);
2. **at a few dozen other points** (``points_checked``, ``points_failed``): first the leaf
   alone moved to round values (x + 1, x - 1, 2x, x/2, -x, ...), then every leaf moved
   at random (seeded: the same points every time), by a little and a lot, and with its
   sign flipped. A point where the program itself fails (log of a negative) is outside the
   function's domain and skipped; one where the program is fine but yours fails counts as
   failed. Where the program takes a branch (``relu``, ``abs``) only points on the same
   side as the program's values are used: that is the piece the learner differentiated,
   and the program language has no way to write a step function;
3. **symbolically** (sympy, with ``closed_form``'s expressions and its branch rule):
   ``equivalent`` is true when the difference simplifies to 0, false when it is not 0 at a
   point (evaluated to 30 digits), and ``None`` when sympy is missing, the program is too
   large to write out, or the simplification would cost more than a small budget.

When it is wrong, it says where. If the output is a sum of terms (the top-level ``+`` and
``-`` of the output, on one line or over several named lines), the true derivative is split
into each term's derivative and yours into its additive terms; matching them (sympy's
cheap equality first, then agreement at the points) names the term of f whose derivative
is missing, extra or wrong, and ``steps`` show that term's derivative by the chain rule,
one rule a line (``d/db sin(3*b) = cos(3*b) * d(3*b)/db = cos(3*b) * 3 = 3*cos(3*b)``).
Otherwise the point where they differ and a curve of both along the leaf (``curve``) show
it. ``hints`` come in three steps, to be revealed one at a time: where, the rule, the answer.

The expression is read by the program language's own compiler (``program/compiler.py``),
never by ``eval``: the same forms are allowed and the same refusals given, with line and
column pointing into the expression (col 1 = its first character). Names are the
program's: its leaves (``a``, a list's ``x`` and ``x[0]``; a leaf whose name was bound again
later by its formula name ``a_line1``, as in ``closed_form``), and the names of its other
steps too (``f``, a hidden layer ``h``), each standing for its value at the point.

The derivative asked for may also be with respect to a named step instead of a leaf
(seed 004's backward pass by hand: dy/dh4, dy/df3, ...). That is backprop's meaning of
the word: the step taken as a number of its own, every other input held, so the program is
cut there (``cut_at``: the step becomes a leaf at its value) and checked as for a leaf.
Names that come before the step and reach the output only through it cannot change the
derivative and are refused with the reason.

sympy is imported only inside the functions that use it (the page loads it on demand);
without it ``equivalent`` is ``None``, terms are matched by the points alone, and the
steps are left unsimplified.
"""

from __future__ import annotations

import ast
import itertools
import math
import random
import re
from dataclasses import dataclass, field

from gradstep.core.errors import ProgramError
from gradstep.core.ops import _num
from gradstep.core.tape import CONST, LEAF, Tape
from gradstep.lab.closed_form import (
    GRADCHECK_ATOL,
    GRADCHECK_RTOL,
    MAX_WRITTEN,
    _reaches,
    symbol_names,
    too_large,
    written_out_size,
)
from gradstep.lab.forward_mode import tangents
from gradstep.program.compiler import _Compiler
from gradstep.program.notation import LABEL_LIMIT, made_up_label

POINTS = 40  # other points checked besides the program's own values
WORK = 1_000_000  # nodes computed for the points (and the curve) at most: a 100,000-node chain gets 10
MIN_POINTS = 10
TRIES_PER_POINT = 12  # candidates drawn per point wanted, before giving up on a small domain
CURVE_SAMPLES = 41
MAX_TERMS = 40  # a sum with more terms than this is diagnosed as a whole
MAX_GROUP = 3  # a term's derivative may be written as up to this many of yours, and back
SIMPLIFY_OPS = 120  # sympy's simplify() only below this many operations (it can take seconds)
EXPAND_OPS = 400  # nor expand() beyond this
STEP_SIMPLIFY_OPS = 40  # each step's result is fully simplified below this many operations
UNSIMPLIFIED_SIZE = 300  # without sympy, the whole answer is written out (unsimplified) up to this size
TEXT_LIMIT = 160  # steps are shown only while no formula in them grows longer than this
MAX_DEPTH = 40  # nor when it nests deeper than this (the steps recurse; a 100,000-step chain must not)
MAX_TEXT = 4000  # characters of a derivative, refused beyond (the page keeps the text in its field)
_ELEMENT = re.compile(r"(.+)\[(\d+)\]")


def _close(yours: float, truth: float) -> bool:
    """gradcheck's rule, the truth (backprop) in the place of the reference."""
    return abs(yours - truth) <= GRADCHECK_ATOL + GRADCHECK_RTOL * abs(truth)


def _sympy():
    try:
        import sympy
    except ImportError:
        return None
    return sympy


# ------------------------------------------------------------- reading yours
class _ExpressionCompiler(_Compiler):
    """The program compiler, reading one expression in an existing program's names.

    Each program node the expression names becomes a leaf of the expression's own tape
    (a *reference*), whose value is the program node's value at the point checked."""

    def __init__(self, text: str, known: dict, before: tuple[str, set[int]] | None = None):
        super().__init__(text)
        self.known = known  # name -> program node, or list of program nodes
        self.before = before  # (the step asked for, the nodes only it passes on): not to be named
        self.refs: dict[int, int] = {}  # expression leaf -> program node
        self.seen = False

    def statement(self, st: ast.stmt, last: bool) -> None:
        if isinstance(st, ast.Assign | ast.AugAssign | ast.AnnAssign):
            raise self.fail(st, "write the derivative alone, like `3*cos(3*b)`, without `name =` before it")
        if self.seen:
            raise self.fail(st, "a derivative is one expression, and this starts another: remove it, "
                                "or join the two with + - * /")
        self.seen = True
        super().statement(st, last=True)  # (a bare expression: the output; any other line, its refusal)

    def lookup(self, node: ast.Name):
        name = node.id
        if name in self.env or name not in self.known:
            if name in self.env or name.startswith("__") or name.endswith("__") or name in _FUNCTION_NAMES:
                return super().lookup(node)
            raise self.fail(node, f"{name} is not a name in the program: write the derivative in the "
                                  f"program's names ({_listing(self.known)})")
        target = self.known[name]
        if self.before and set(target if isinstance(target, list) else [target]) & self.before[1]:
            step = self.before[0]
            raise self.fail(node, f"{name} comes before {step}: the derivative with respect to {step} takes {step} "
                                  f"as a number of its own (every other input held, as backprop does), so {name} "
                                  f"cannot change it; write it in {step} and the names after it")
        if isinstance(target, list):
            made = [self.reference(j, f"{name}[{k}]", node) for k, j in enumerate(target)]
        else:
            made = self.reference(target, name, node)
        self.env[name] = made  # (the same reference each time the name is used)
        return made

    def reference(self, program_node: int, label: str, where) -> int:
        i = self.new(LEAF, None, (), where, init=0.0, label=label)
        self.named.add(i)  # (keeps its name: never relabelled as the output)
        self.refs[i] = program_node
        return i


def _listing(known: dict) -> str:
    names = [n for n, v in known.items() if not isinstance(v, list)]
    lists = [f"{n}[0]..." for n, v in known.items() if isinstance(v, list)]
    shown = names[:12] + lists[:4]
    more = len(names) + len(lists) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


_FUNCTION_NAMES = frozenset(("exp", "log", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "sqrt", "abs",
                             "softmax", "sum", "mean"))


def program_names(tape: Tape) -> dict:
    """The names an expression may use: every name of the program (a list by its name and
    each element), leaves first, and a rebound leaf by its formula name (``a_line1``)."""
    known: dict = {}
    lists: dict[str, dict[int, int]] = {}
    for name, i in tape.names.items():
        element = _ELEMENT.fullmatch(name)
        if element:
            lists.setdefault(element.group(1), {})[int(element.group(2))] = i
        else:
            known[name] = i
    for name, items in lists.items():
        if name not in known:
            known[name] = [items[k] for k in sorted(items)]
    for i, name in symbol_names(tape).items():
        if name.isidentifier() and name not in known:
            known[name] = i
    leaves = set(tape.leaf_indices())
    first = {n: v for n, v in known.items() if not isinstance(v, list) and v in leaves}
    return {**first, **{n: v for n, v in known.items() if n not in first}}


@dataclass
class Expression:
    """A learner's expression, compiled: its own tape, whose leaves refer to program nodes."""

    text: str  # as given
    tape: Tape
    refs: dict[int, int]  # expression leaf -> program node
    line_shift: int = 0  # (the leading white space taken off before reading)
    col_shift: int = 0

    def place(self, error: ProgramError) -> ProgramError:
        """An error of the stripped text, placed in the text as given."""
        if error.line == 1:
            return ProgramError(1 + self.line_shift, error.col + self.col_shift, error.message)
        return ProgramError(error.line + self.line_shift, error.col, error.message)

    def start(self, program_values: list[float]) -> list[float]:
        start = list(self.tape.init)
        for i, j in self.refs.items():
            start[i] = program_values[j]
        return start

    def values(self, program_values: list[float]) -> list[float]:
        """Every node of the expression at a point (the program's values there); raises
        ``ProgramError``, placed in the expression, where it cannot be computed."""
        try:
            values, _ = self.tape.forward(self.start(program_values))
        except ProgramError as error:
            raise self.place(error) from None
        return values

    def value(self, program_values: list[float]) -> float:
        return self.values(program_values)[self.tape.output]


def read_expression(tape: Tape, text: str, before: tuple[str, set[int]] | None = None) -> Expression:
    """Compile ``text``, an expression in the program's names, or raise ``ProgramError``
    with the line and column in ``text`` (col 1 is its first character). ``before``: for a
    derivative with respect to a step, its label and the nodes that may not be named."""
    text = str(text)
    if len(text) > MAX_TEXT:  # (checked before any work: a paste of a whole file, say)
        raise ProgramError(1, MAX_TEXT + 1, f"your derivative is {len(text):,} characters long; gradstep reads up "
                                            f"to {MAX_TEXT:,}, more than any derivative written by hand")
    body = text.lstrip()
    lead = text[: len(text) - len(body)]
    breaks = list(re.finditer(r"\r\n|\r|\n", lead))
    line_shift = len(breaks)
    col_shift = len(lead) - (breaks[-1].end() if breaks else 0)
    if not body.strip():
        raise ProgramError(1, 1,
                           "the derivative is empty: write an expression in the leaves' names, like `3*cos(3*b)`")
    compiler = _ExpressionCompiler(body, program_names(tape), before)
    expression = Expression(text, Tape(), {}, line_shift, col_shift)
    try:
        compiled = compiler.run()
    except ProgramError as error:
        if error.message.startswith("the program is empty"):  # (only comments)
            error = ProgramError(1, 1, "the derivative is empty: write an expression in the leaves' names")
        raise expression.place(error) from None
    out = compiled.output
    if compiled.labels[out] == "output" and compiled.ops[out] is not None:
        label = made_up_label(compiled, out)  # (its errors say "computing log(-b)", not "computing output")
        compiled.labels[out] = label if len(label) <= LABEL_LIMIT else "yours"
    expression.tape, expression.refs = compiled, compiler.refs
    return expression


# ------------------------------------------------------ a step instead of a leaf
def named_steps(tape: Tape) -> list[int]:
    """The program's named steps other than the output, in program order: what a derivative
    may also be asked with respect to (seed 004's dy/dh3)."""
    leaves = set(tape.leaf_indices())
    return sorted({i for i in tape.names.values() if i not in leaves and i != tape.output
                   and tape.ops[i] is not None and tape.kinds[i] != CONST})


def cut_at(tape: Tape, step: int, values: list[float]) -> tuple[Tape, list[float], set[int]]:
    """The program cut at ``step``: the step made a leaf at its value (``values``, every
    node's), so that d(output)/d(step) as backprop computes it (every other input held) is
    the cut program's derivative for that leaf. Also the new start (every node's value) and
    the nodes before the step that reach the output only through it: leaves among them are
    held as constants (moving them changes nothing) and none of them may be named."""
    cut = Tape()
    for slot in Tape.__slots__:
        setattr(cut, slot, getattr(tape, slot))
    cut.ops, cut.inputs, cut.params = list(tape.ops), list(tape.inputs), list(tape.params)
    cut.init, cut.kinds = list(tape.init), list(tape.kinds)
    cut.ops[step], cut.inputs[step], cut.params[step] = None, (), None
    cut.init[step], cut.kinds[step] = values[step], LEAF
    live = _reaches(cut, cut.output)
    before = {i for i in _reaches(tape, step) if i != step and i not in live}
    for i in before:
        if cut.kinds[i] == LEAF:
            cut.kinds[i] = CONST
    start = list(values)
    return cut, start, before


# ---------------------------------------------------------------- the points
def _branch_nodes(tape: Tape) -> list[int]:
    """The relu and abs nodes the output depends on: the program's branches."""
    below = _reaches(tape, tape.output)
    return [i for i in sorted(below) if tape.ops[i] is not None and tape.ops[i].name in ("relu", "abs")]


def _branch_key(tape: Tape, values: list[float], nodes: list[int]) -> tuple:
    key = []
    for i in nodes:
        z = values[tape.inputs[i][0]]
        key.append(z > 0.0 if tape.ops[i].name == "relu" else (z > 0.0) - (z < 0.0))
    return tuple(key)


def _round(x: float) -> float:
    return float(f"{x:.4g}")


def _candidates(start: list[float], leaves: list[int], leaf: int, rng: random.Random, patience: int):
    """Leaf values to try, each a dict {leaf: value}: the leaf alone at round values
    first, then all leaves moved at random (small and large moves, signs flipped). After
    each ``patience`` random tries the moves shrink, and fewer leaves move: a program with
    many relus keeps its branches only near its own values."""
    x = start[leaf]
    seen = {x}
    for moved in (x + 1, x - 1, 2 * x, x / 2, -x, x + 0.5, x - 0.5, x + 2, x - 2, 10 * x, x / 10, -2 * x,
                  x + 0.25, x - 0.25, 3 * x, -x / 2):
        moved = _round(moved)
        if moved not in seen and math.isfinite(moved):
            seen.add(moved)
            yield {leaf: moved}
    for k in itertools.count():
        spread = 0.3 ** (k // max(1, patience))
        point = {}
        for i in leaves:
            if i != leaf and spread < 1.0 and rng.random() > spread + 0.2:
                continue  # (held at the program's value)
            v = start[i]
            s = max(abs(v), 1.0) * spread
            r = rng.random()
            if r < 0.35 or spread < 1.0:  # near the program's values
                w = v + s * rng.uniform(-0.5, 0.5)
            elif r < 0.6:  # another scale
                w = v * math.exp(rng.uniform(-2.0, 2.0)) if v else rng.uniform(-1.0, 1.0)
            elif r < 0.8:  # the other sign
                w = -v * math.exp(rng.uniform(-1.0, 1.0)) if v else rng.uniform(-1.0, 1.0)
            else:  # anywhere in a wide range
                w = s * rng.uniform(-3.0, 3.0)
            point[i] = _round(w)
        yield point


@dataclass
class _Point:
    leaves: dict[int, float]  # the leaf values that differ from the program's
    expected: float
    yours: float | None
    problem: str = ""  # why yours cannot be computed here

    @property
    def ok(self) -> bool:
        return self.yours is not None and _close(self.yours, self.expected)


def _at(start: list[float], moved: dict[int, float]) -> list[float]:
    point = list(start)
    for i, v in moved.items():
        point[i] = v
    return point


def _evaluate(tape: Tape, expression: Expression, start: list[float], leaf: int, moved: dict):
    """(the point, the program's values there) where the program and its gradient can be
    computed, else None. Yours is computed there too (or why it cannot be)."""
    point = _at(start, moved)
    try:
        values, slopes = tape.forward(point)
        grads = tape.backward(slopes)
    except ProgramError:
        return None
    try:
        yours, problem = expression.value(values), ""
    except ProgramError as error:
        yours, problem = None, f"yours cannot be computed here: {error}"
    return _Point(moved, grads[leaf], yours, problem), values


def _sample(tape: Tape, expression: Expression, start: list[float], leaf: int, count: int, seed: int,
            key: tuple, branches: list[int]) -> list[_Point]:
    rng = random.Random(seed)
    leaves = tape.leaf_indices()
    found: list[_Point] = []
    for tries, moved in enumerate(_candidates(start, leaves, leaf, rng, patience=3 * count)):
        if len(found) >= count or tries >= count * TRIES_PER_POINT:
            break
        if all(start[i] == v for i, v in moved.items()):
            continue
        got = _evaluate(tape, expression, start, leaf, moved)
        if got is None:
            continue  # outside the program's domain
        point, values = got
        if branches and _branch_key(tape, values, branches) != key:
            continue  # another piece of a piecewise function
        found.append(point)
    return found


# ------------------------------------------------------------------ sympy
@dataclass
class _Symbolic:
    sympy: object
    exprs: list  # the program's nodes as expressions
    symbols: dict  # leaf -> Symbol
    x: object  # the leaf's symbol
    truth: object  # d(output)/d(leaf)
    yours: object | None  # yours, in the leaves' symbols (None when it cannot be built)
    subs: list = field(default_factory=list)  # points as {Symbol: Float}


def _symbolic(tape: Tape, start: list[float], leaf: int, expression: Expression, points: list[_Point]):
    """The truth and yours as sympy expressions, or (None, why not)."""
    sympy = _sympy()
    if sympy is None:
        return None, "sympy is not installed, so equivalence was not decided"
    refused = too_large(tape)
    if refused:
        return None, f"equivalence was not decided: {refused}"
    if written_out_size(expression.tape) > MAX_WRITTEN:
        return None, "equivalence was not decided: yours is too large to write out as one formula"
    from gradstep.lab.closed_form import expressions, light_simplify

    needed = _reaches(tape, tape.output)
    for j in expression.refs.values():
        needed |= _reaches(tape, j)
    exprs, symbols, _ = expressions(tape, start, needed)
    x = symbols[leaf]
    truth = light_simplify(sympy.diff(exprs[tape.output], x))
    yours = None
    try:
        values, _ = tape.forward(list(start))
        mine, placeholders, _ = expressions(expression.tape, expression.start(values))
        swap = {placeholders[i]: exprs[j] for i, j in expression.refs.items()}
        yours = mine[expression.tape.output].xreplace(swap)
    except ProgramError:
        pass  # yours cannot be computed at the program's values: decided numerically
    subs = []
    for moved in [{}, *(p.leaves for p in points[:5])]:
        point = _at(start, moved)
        subs.append({s: sympy.Float(point[i], 30) for i, s in symbols.items()})
    return _Symbolic(sympy, exprs, symbols, x, truth, yours, subs), ""


def _number(sympy, expr, subs) -> float | None:
    try:
        v = sympy.N(expr.subs(subs), 30)
    except Exception:  # (sympy raises many kinds; a value it cannot give is just not compared)
        return None
    if not (v.is_real and v.is_finite):
        return None
    return float(v)


def _differ(sym: _Symbolic, a, b) -> tuple[float, dict] | None:
    """A point where ``a`` and ``b`` are both defined and differ beyond rounding
    (``(relative difference, subs)``), or None."""
    for subs in sym.subs:
        u, v = _number(sym.sympy, a, subs), _number(sym.sympy, b, subs)
        if u is None or v is None:
            continue
        scale = max(1.0, abs(u), abs(v))
        if abs(u - v) > 1e-10 * scale:
            return abs(u - v) / max(abs(u), abs(v), 1e-300), subs
    return None


def _big_power(sympy, expr) -> bool:
    """A sum under a whole power past 8: (a + b + c)**50 expands to over a thousand terms,
    and expand(), cancel() and simplify() would all multiply it out."""
    return any(isinstance(p.exp, sympy.Integer) and abs(p.exp) > 8 and p.base.is_Add
               for p in expr.atoms(sympy.Pow))


def _zero(sympy, difference, effort: bool = True) -> bool:
    """True when sympy shows ``difference`` is 0 within the budget (False: not shown)."""
    if difference == 0:
        return True
    ops = sympy.count_ops(difference)
    if _big_power(sympy, difference):
        return False
    try:
        if ops <= EXPAND_OPS and sympy.expand(difference) == 0:
            return True
        return bool(effort and ops <= SIMPLIFY_OPS and sympy.simplify(difference) == 0)
    except Exception:  # (a simplification sympy cannot carry out proves nothing)
        return False


def _equivalent(sym: _Symbolic | None, why_not: str, yours_failed_here: bool) -> tuple[bool | None, str]:
    if sym is None:
        return None, why_not
    if sym.yours is None:
        if yours_failed_here:
            return False, "yours cannot be computed at the program's values, where the derivative can"
        return None, "yours could not be written as a formula"
    found = _differ(sym, sym.truth, sym.yours)
    if found is not None:
        return False, f"sympy finds them different (by {found[0]:.2g} relative at a point)"
    if _zero(sym.sympy, sym.truth - sym.yours):
        return True, "sympy simplifies the difference to 0"
    return None, "sympy could not show the difference is 0 within its budget"


# ------------------------------------------------------------------ terms
def additive_terms(tape: Tape, root: int, limit: int = MAX_TERMS) -> list[tuple[int, int]] | None:
    """The node's top-level terms, ``[(node, sign)...]`` left to right, through + - sum
    and named steps (``p = u + v; f = p - w`` has the terms u, v, -w); a minus before a sum
    is spread over it. None past ``limit`` terms."""
    out: list[tuple[int, int]] = []
    todo = [(root, 1)]
    while todo:
        i, sign = todo.pop()
        op = tape.ops[i]
        name = op.name if op is not None else None
        ins = tape.inputs[i]
        if name == "add":
            todo += [(ins[1], sign), (ins[0], sign)]
        elif name == "sub":
            todo += [(ins[1], -sign), (ins[0], sign)]
        elif name == "sum":
            todo += [(j, sign) for j in reversed(ins)]
        elif name == "same":
            todo.append((ins[0], sign))
        elif name == "neg" and tape.ops[ins[0]] is not None \
                and tape.ops[ins[0]].name in ("add", "sub", "sum", "neg", "same"):
            todo.append((ins[0], -sign))
        else:
            out.append((i, sign))
            if len(out) > limit:
                return None
    return out


def _signed(text: str, sign: int) -> str:
    if sign > 0:
        return text
    return f"-({text})" if text[:1] in "+-" or _top_level_sum(text) else f"-{text}"


def _top_level_sum(text: str) -> bool:
    depth = 0
    for k, c in enumerate(text):
        depth += (c in "([") - (c in ")]")
        if depth == 0 and c in "+-" and k > 0 and text[k - 1] == " ":
            return True
    return False


@dataclass(eq=False)
class _Term:
    node: int
    sign: int
    text: str  # as the learner reads it
    values: list = field(default_factory=list)  # its derivative (truth) or value (yours) at each point
    expr: object = None  # sympy, when available


def _group_matches(sym, truths: list[_Term], yours: list[_Term]) -> bool:
    """Do these truth terms' derivatives add up to these terms of yours? sympy's cheap
    check first (the difference is 0 as written, or expanded when the terms are few: this
    runs for many pairs), then agreement at every point by gradcheck's rule."""
    if sym is not None and all(t.expr is not None for t in truths + yours):
        difference = sum((t.expr for t in truths), sym.sympy.Integer(0)) - sum(
            (t.expr for t in yours), sym.sympy.Integer(0))
        if difference == 0 or (len(truths) + len(yours) <= 4 and _zero(sym.sympy, difference, effort=False)):
            return True
    n = len(truths[0].values) if truths else len(yours[0].values)
    if n == 0:
        return False
    for k in range(n):
        a = math.fsum(t.values[k] for t in truths)
        b = math.fsum(t.values[k] for t in yours)
        if not _close(b, a):
            return False
    return True


def _match(sym, truths: list[_Term], yours: list[_Term]) -> tuple[list[_Term], list[_Term]]:
    """Pair truth terms with terms of yours (one with one, then one with a few, either
    way); the ones left over on each side."""
    truths, yours = list(truths), list(yours)
    sizes = [(1, 1)]
    if len(truths) <= 10 and len(yours) <= 10:  # (groups only among a few: the combinations grow fast)
        sizes += [(1, n) for n in range(2, MAX_GROUP + 1)] + [(n, 1) for n in range(2, MAX_GROUP + 1)]
    for size_t, size_y in sizes:
        for group_t in list(itertools.combinations(truths, size_t)):
            if any(t not in truths for t in group_t):
                continue  # (matched already)
            for group_y in itertools.combinations(yours, size_y):
                if _group_matches(sym, list(group_t), list(group_y)):
                    truths = [t for t in truths if t not in group_t]
                    yours = [t for t in yours if t not in group_y]
                    break
    return truths, yours


# ------------------------------------------------------- steps by the chain rule
ATOM, POW, UNARY, MUL, ADD = 5, 4, 3, 2, 1


@dataclass(frozen=True)
class _P:
    """A piece of formula text: its text, how tightly it binds, its number if it is one,
    what it negates if it is a negation, and whether it is a quotient."""

    text: str
    prec: int = ATOM
    number: float | None = None
    negates: _P | None = None
    quotient: bool = False


def _n(x: float) -> _P:
    if x < 0:
        return _P(_num(x), UNARY, float(x), negates=_n(-x))
    return _P(_num(x), ATOM, float(x))


ZERO, ONE = _n(0.0), _n(1.0)


def _wrap(p: _P, need: int) -> str:
    return p.text if p.prec >= need else f"({p.text})"


def _neg(a: _P) -> _P:
    if a.number is not None:
        return _n(-a.number)
    if a.negates is not None:
        return a.negates
    if a.prec == ADD:
        return _P(f"-({a.text})", UNARY, negates=a)
    return _P(f"-{a.text}", min(a.prec, UNARY), negates=a, quotient=a.quotient)


def _mul(a: _P, b: _P, sep: str = " * ") -> _P:
    if a.number == 0.0 or b.number == 0.0:
        return ZERO
    if a.number == 1.0:
        return b
    if b.number == 1.0:
        return a
    if a.number is not None and b.number is not None:
        return _n(a.number * b.number)
    if a.negates is not None:
        return _neg(_mul(a.negates, b, sep))
    if b.negates is not None:
        return _neg(_mul(a, b.negates, sep))
    left = f"({a.text})" if a.quotient or a.prec < MUL else a.text
    right = f"({b.text})" if b.quotient or b.prec < MUL else b.text
    return _P(f"{left}{sep}{right}", MUL)


def _div(a: _P, b: _P, sep: str = " / ") -> _P:
    if a.number == 0.0:
        return ZERO
    if b.number == 1.0:
        return a
    if a.negates is not None:
        return _neg(_div(a.negates, b, sep))
    return _P(f"{_wrap(a, MUL)}{sep}{_wrap(b, POW)}", MUL, quotient=True)


def _add(a: _P, b: _P) -> _P:
    if a.number == 0.0:
        return b
    if b.number == 0.0:
        return a
    if a.number is not None and b.number is not None:
        return _n(a.number + b.number)
    if b.negates is not None:
        return _sub(a, b.negates)
    return _P(f"{a.text} + {b.text}", ADD)


def _sub(a: _P, b: _P) -> _P:
    if b.number == 0.0:
        return a
    if a.number == 0.0:
        return _neg(b)
    if a.number is not None and b.number is not None:
        return _n(a.number - b.number)
    if b.negates is not None:
        return _add(a, b.negates)
    return _P(f"{a.text} - {_wrap(b, MUL)}", ADD)


def _pow(a: _P, e: _P) -> _P:
    if e.number == 1.0:
        return a
    if e.number == 0.0:
        return ONE
    return _P(f"{_wrap(a, ATOM)}**{_wrap(e, UNARY)}", POW)


def _call(name: str, a: _P) -> _P:
    return _P(f"{name}({a.text})")


class _TooLong(Exception):
    pass


class Steps:
    """d(node)/d(leaf) by the rules, one rule a line, as text.

    Each rule is written with the inside's derivative left as ``d(u)/dx`` first, then
    filled in; an inside that is one step from the leaf (``3*b``, ``b**2``) is filled in on
    the same line, a longer one gets its own lines. sympy, when present, simplifies the
    result at the end of each line (``simplify(node)``)."""

    def __init__(self, tape: Tape, leaf: int, values: list[float], simplify=None):
        self.tape, self.leaf, self.values = tape, leaf, values
        self.names = symbol_names(tape)
        self.simplify = simplify  # node -> its derivative as Python text, or None
        self.lines: list[str] = []
        self.done: dict[int, _P] = {}
        self.text_of: dict[int, _P] = {}
        self.depends = _depends_on(tape, leaf)
        self.root = -1
        self.depth = 0
        self.x = self.names[leaf]

    # -- the node's own text ----------------------------------------------------------
    def named(self, i: int) -> bool:
        label = self.tape.labels[i]
        return (i != self.root and self.tape.kinds[i] == "op" and "name" in self.tape.origins.get(i, {})
                and "@" not in label and label != "output")

    def text(self, i: int) -> _P:
        if i in self.text_of:
            return self.text_of[i]
        tape = self.tape
        kind = tape.kinds[i]
        if kind == LEAF:
            p = _P(self.names[i])
        elif kind == CONST:
            written = tape.source[tape.spans[i][0]:tape.spans[i][1]].strip()
            literal = written if re.fullmatch(r"[-+]?[0-9.eE_+-]+", written or "") else _num(tape.init[i])
            p = _P(literal, UNARY if literal.startswith("-") else ATOM, float(tape.init[i]))
        elif self.named(i):
            p = _P(tape.labels[i])
        else:
            self.depth += 1
            if self.depth > MAX_DEPTH:  # (a long chain: no recursion past this, and no steps)
                raise _TooLong
            try:
                p = self.render(i)
            finally:
                self.depth -= 1
        if len(p.text) > TEXT_LIMIT:
            raise _TooLong
        self.text_of[i] = p
        return p

    def render(self, i: int) -> _P:
        op = self.tape.ops[i]
        ins = [self.text(j) for j in self.tape.inputs[i]]
        name = op.name
        if name == "add":
            return _P(f"{ins[0].text} + {ins[1].text}", ADD)
        if name == "sub":
            return _P(f"{ins[0].text} - {_wrap(ins[1], MUL)}", ADD)
        if name == "mul":
            return _P(f"{_wrap(ins[0], MUL)}*{_wrap(ins[1], MUL)}", MUL)
        if name == "div":
            return _P(f"{_wrap(ins[0], MUL)}/{_wrap(ins[1], POW)}", MUL, quotient=True)
        if name == "neg":
            return _P(f"-{_wrap(ins[0], UNARY)}", UNARY)
        if name == "same":
            return ins[0]
        if name == "powc":
            return _P(f"{_wrap(ins[0], ATOM)}**{_num(self.tape.params[i])}", POW)
        if name == "pow":
            return _P(f"{_wrap(ins[0], ATOM)}**{_wrap(ins[1], UNARY)}", POW)
        if name in ("sum", "mean"):
            return _P(f"{name}([{', '.join(p.text for p in ins)}])")
        if name == "max":
            raise _TooLong  # (softmax's inside: not written in the program language)
        return _call(name, ins[0])

    # -- derivatives --------------------------------------------------------------------
    def d_name(self, i: int) -> str:
        p = self.text(i)
        return f"d{p.text}/d{self.x}" if p.prec == ATOM and p.text.isidentifier() else f"d({p.text})/d{self.x}"

    def head(self, i: int) -> str:
        """How a line names the derivative: ``d/db sin(3*b)`` for the term explained,
        as its inside is written in the line above (``d(3*b)/db``, ``dh/db``) for the rest."""
        if i != self.root:
            return self.d_name(i)
        return f"d/d{self.x} {self.text(i).text}"

    def one_step(self, i: int) -> bool:
        """Every input is the leaf itself or does not depend on it."""
        return all(j == self.leaf or j not in self.depends for j in self.tape.inputs[i])

    def derivative(self, i: int, head: str | None = None) -> _P:
        """Node i's derivative; its line(s) added to ``lines`` unless it is filled in on
        its user's line. ``head`` is how a named step's line begins (``df3/dx = d(beta3 +
        omega3*h3)/dx``), handed down to the one input a sum with constants passes on to."""
        if i not in self.depends:
            return ZERO
        if i == self.leaf:
            return ONE
        if i in self.done:
            return self.done[i]
        tape = self.tape
        ins = tape.inputs[i]
        if head is None:
            head = self.head(i)
            if self.named(i):
                head = f"{head} = d({self.render(i).text})/d{self.x}"
        moving = [k for k, j in enumerate(ins) if j in self.depends]
        name = tape.ops[i].name
        passes = name == "same" or (name in ("add", "sub", "sum") and len(moving) == 1
                                    and (name, moving[0]) != ("sub", 1))
        if passes and i != self.root and ins[moving[0]] != self.leaf and not self.named(ins[moving[0]]):
            d = self.derivative(ins[moving[0]], head)  # (u + c: its derivative is u's, on one line)
            self.done[i] = d
            return d
        us = [self.text(j) for j in ins]
        before = len(self.lines)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooLong
        try:
            dus = [self.derivative(j) for j in ins]
        finally:
            self.depth -= 1
        inner = self.lines[before:]
        del self.lines[before:]
        written = [ZERO if j not in self.depends else ONE if j == self.leaf else _P(self.d_name(j)) for j in ins]
        rule = self.rule(i, us, written)
        filled = self.rule(i, us, dus)
        final = self.simplify(i) if self.simplify else None
        if final and i != self.root and len(final) > len(filled.text):
            final = None  # (inside, the step's own names read better than the leaves' long formula)
        if i == self.root or "=" in head or not self.one_step(i):
            if not inner:
                parts = [head, rule.text, filled.text] + ([final] if final else [])
                self.lines.append(" = ".join(_distinct(parts)))
            else:
                self.lines.append(f"{head} = {rule.text}")
                self.lines.extend(inner)
                so = head.split(" = ")[0]
                self.lines.append(" = ".join(_distinct([f"so {so}", filled.text] + ([final] if final else []))))
        if len(filled.text) > TEXT_LIMIT:
            raise _TooLong
        self.done[i] = filled
        return filled

    def rule(self, i: int, us: list[_P], dus: list[_P]) -> _P:
        """Node i's derivative by its rule, the inputs' derivatives being ``dus``."""
        op = self.tape.ops[i]
        name = op.name
        u = us[0] if us else None
        du = dus[0] if dus else None
        if name == "add":
            return _add(dus[0], dus[1])
        if name == "sub":
            return _sub(dus[0], dus[1])
        if name in ("sum", "mean"):
            total = ZERO
            for d in dus:
                total = _add(total, d)
            return total if name == "sum" else _div(total, _n(len(dus)))
        if name == "neg":
            return _neg(du)
        if name == "mul":
            return _add(_mul(dus[0], us[1]), _mul(us[0], dus[1]))
        if name == "div":
            if dus[1].number == 0.0:
                return _div(dus[0], us[1])
            top = _sub(_mul(dus[0], us[1]), _mul(us[0], dus[1]))
            return _div(top, _pow(us[1], _n(2)))
        if name == "powc":
            p = float(self.tape.params[i])
            return _mul(_mul(_n(p), _pow(u, _n(p - 1))), du)
        if name == "pow":
            base = _mul(_mul(us[1], _pow(u, _P(f"{_wrap(us[1], ADD + 1)} - 1", ADD))), dus[0])
            top = _mul(_mul(_pow(u, us[1]), _call("log", u)), dus[1])
            return _add(base, top)
        if name == "exp":
            return _mul(_call("exp", u), du)
        if name == "log":
            return _mul(_div(ONE, u), du)
        if name == "sin":
            return _mul(_call("cos", u), du)
        if name == "cos":
            return _mul(_neg(_call("sin", u)), du)
        if name == "tan":
            return _mul(_P(f"1 + tan({u.text})**2", ADD), du)
        if name == "tanh":
            return _mul(_P(f"1 - tanh({u.text})**2", ADD), du)
        if name == "sigmoid":
            return _mul(_P(f"sigmoid({u.text})*(1 - sigmoid({u.text}))", MUL), du)
        if name == "sqrt":
            return _mul(_div(ONE, _P(f"2*sqrt({u.text})", MUL)), du)
        if name == "relu":
            return du if self.values[self.tape.inputs[i][0]] > 0.0 else ZERO
        if name == "abs":
            z = self.values[self.tape.inputs[i][0]]
            return du if z > 0.0 else _neg(du) if z < 0.0 else ZERO
        raise _TooLong  # (max, inside softmax)

    def explain(self, i: int, sign: int = 1) -> tuple[list[str], str]:
        """The lines for d(sign * node)/d(leaf), and the derivative's text."""
        self.root = i
        self.lines, self.done, self.text_of, self.depth = [], {}, {}, 0
        d = self.derivative(i)
        if not self.lines:  # the leaf itself, or no dependence
            self.lines.append(f"{self.head(i)} = {d.text}")
        if sign < 0:
            final = self.simplify(i, sign) if self.simplify else None
            shown = _signed(self.text(i).text, -1)
            self.lines.append(" = ".join(_distinct([f"so d/d{self.x} {shown}", _neg(d).text]
                                                   + ([final] if final else []))))
            return self.lines, final or _neg(d).text
        final = self.simplify(i) if self.simplify else None
        return self.lines, final or d.text


def _distinct(parts: list[str]) -> list[str]:
    out = []
    for p in parts:
        if not out or p.replace(" ", "") != out[-1].replace(" ", "").removeprefix("so"):
            out.append(p)
    return out


def _rule_hint(tape: Tape, node: int, leaf: int, text, values: list[float]) -> str:
    """The rule that differentiates ``node``, in words, for the second hint."""
    x = tape.labels[leaf]
    signs = 0
    while tape.ops[node] is not None and tape.ops[node].name in ("neg", "same"):  # (a loop: chains are long)
        signs += tape.ops[node].name == "neg"
        node = tape.inputs[node][0]
    if signs:
        inner = _rule_hint(tape, node, leaf, text, values)
        return f"A minus sign stays in front; then {inner[0].lower()}{inner[1:]}"
    op = tape.ops[node]
    depends = _depends_on(tape, leaf)
    if node == leaf:
        return f"The derivative of {x} with respect to {x} is 1."
    if node not in depends:
        return f"Something without {x} in it is a constant as far as {x} goes: its derivative is 0."
    name = op.name
    ins = tape.inputs[node]
    u = text(ins[0]) if ins else ""
    here = f" (here u = {u})" if ins and ins[0] != leaf else ""
    chain = {
        "exp": "the derivative of exp(u) is exp(u)", "log": "the derivative of log(u) is 1/u",
        "sin": "the derivative of sin(u) is cos(u)", "cos": "the derivative of cos(u) is -sin(u)",
        "tan": "the derivative of tan(u) is 1 + tan(u)**2", "tanh": "the derivative of tanh(u) is 1 - tanh(u)**2",
        "sigmoid": "the derivative of sigmoid(u) is sigmoid(u)*(1 - sigmoid(u))",
        "sqrt": "the derivative of sqrt(u) is 1/(2*sqrt(u))",
    }
    if name in chain:
        if ins[0] == leaf:
            return f"{chain[name][0].upper()}{chain[name][1:]} (u = {x} itself)."
        return f"The chain rule: {chain[name]} times the derivative of u{here}."
    if name == "powc":
        p = _num(tape.params[node])
        rule = "the derivative of u**n is n*u**(n-1)"
        if ins[0] == leaf:
            return f"The power rule: {rule}; here u = {x} and n = {p}."
        return f"The power rule with the chain rule: {rule} times the derivative of u{here[:-1]}, n = {p})."
    if name == "pow":
        return ("A power with the leaf in its exponent: the derivative of u**v is "
                "u**v * (v' * log(u) + v * u'/u), where ' is the derivative.")
    if name in ("relu", "abs"):
        z = values[ins[0]]
        if z > 0.0:
            return f"{name}(u) is u where u > 0, as it is here, so its derivative is that of u{here}."
        if name == "relu" or z == 0.0:
            return f"{name}(u) is flat here (u = {z!r}), so its derivative is 0{here}."
        return f"abs(u) is -u where u < 0, as it is here, so its derivative is minus that of u{here}."
    if name in ("add", "sub", "sum", "mean"):
        return "The sum rule: differentiate each term and add (subtract) the derivatives."
    if name == "mul":
        a, b = (j in depends for j in ins)
        if a and b:
            return (f"The product rule: the derivative of u*v is u'*v + u*v' (here u = {text(ins[0])}, "
                    f"v = {text(ins[1])}; ' is the derivative).")
        c = text(ins[1] if a else ins[0])
        return f"A constant factor stays: the derivative of {c} times u is {c} times the derivative of u."
    if name == "div":
        a, b = (j in depends for j in ins)
        if a and not b:
            v = text(ins[1])
            return f"Dividing by a constant stays: the derivative of u/{v} is (the derivative of u)/{v}."
        if b and not a:
            return (f"The derivative of c/v is -c*v'/v**2 (here c = {text(ins[0])}, v = {text(ins[1])}; "
                    "v' is the derivative of v).")
        return "The quotient rule: the derivative of u/v is (u'*v - u*v')/v**2 (' is the derivative)."
    return "Differentiate it piece by piece with the chain rule."


def _depends_on(tape: Tape, leaf: int) -> set[int]:
    """The nodes that depend on the leaf (itself included), in one pass up the tape."""
    above = {leaf}
    for i in range(leaf + 1, len(tape)):
        if any(j in above for j in tape.inputs[i]):
            above.add(i)
    return above


# ------------------------------------------------------------------- curve
def _curve(tape: Tape, expression: Expression, start: list[float], leaf: int, n: int = CURVE_SAMPLES) -> dict:
    """Both along the leaf, the others held: the truth (backprop's gradient) and yours,
    None where either cannot be computed; ``at`` is the leaf's value. The span is
    max(1, |x|), halved while fewer than 60% of the truth can be computed (like
    ``views.slope_view``)."""
    x = start[leaf]
    span = max(1.0, abs(x))

    def at(t: float):
        point = list(start)
        point[leaf] = t
        try:
            values, slopes = tape.forward(point)
            truth = tape.backward(slopes)[leaf]
        except ProgramError:
            return None, None
        try:
            return truth, expression.value(values)
        except ProgramError:
            return truth, None

    for _ in range(30):
        xs = [x - span + 2.0 * span * k / (n - 1) for k in range(n)]
        xs[(n - 1) // 2] = x
        got = [at(t) for t in xs]
        if sum(g[0] is not None for g in got) >= 0.6 * n:
            break
        span /= 2.0
    return {"x": xs, "truth": [g[0] for g in got], "yours": [g[1] for g in got], "at": x}


# ------------------------------------------------------------------- check
def _describe(tape: Tape, moved: dict[int, float], start: list[float]) -> dict[str, float]:
    return {tape.labels[i]: moved.get(i, start[i]) for i in tape.leaf_indices()}


def _where(at: dict[str, float]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in at.items())


def check_yours(tape: Tape, start: list[float], leaf_index: int, text: str, *, points: int = POINTS,
                seed: int = 0) -> dict:
    """Check ``text``, the learner's d(output)/d(leaf), three ways (see the module doc).

    ``{"label", "yours", "yours_value", "expected", "yours_ok", "points_checked",
    "points_failed", "equivalent", "equivalent_note", "ok", "line", "disagree", "diagnosis",
    "hints", "steps", "answer", "curve"}``: ``yours_ok`` is gradcheck's rule at the
    program's values, ``ok`` that and no point failed and ``equivalent`` not false.
    ``disagree`` is the point shown (``{"at": {label: value}, "expected", "yours",
    "problem"}``: the program's values when yours is wrong there, else the first other point
    that fails); ``diagnosis`` ``{"kind": "terms"|"whole", "term", "what":
    "missing"|"extra"|"wrong"|None, "message", "truth", "yours"}``, ``truth`` being the
    term's derivative (an answer: shown only when asked). ``hints`` are three steps (where,
    the rule, the answer), ``[]`` when ok; ``steps`` the chain-rule lines for the term named;
    ``answer`` d(output)/d(leaf) as Python text (sympy's; without sympy unsimplified, or
    None); ``curve`` both along the leaf (``{"x", "truth", "yours", "at"}``) when not ok.
    Raises ``ProgramError`` for a bad expression, placed in ``text``.
    """
    if 0 <= leaf_index < len(tape) and leaf_index in named_steps(tape):  # seed 004's dy/dh3
        values, _ = tape.forward(list(start))
        cut, cut_start, before = cut_at(tape, leaf_index, values)
        return _check(cut, cut_start, leaf_index, text, points, seed, (tape.labels[leaf_index], before))
    if not 0 <= leaf_index < len(tape) or tape.kinds[leaf_index] != LEAF:
        raise ValueError(f"node {leaf_index} is neither a named leaf nor a named step")
    return _check(tape, list(start), leaf_index, text, points, seed, None)


def _check(tape: Tape, start: list[float], leaf: int, text: str, points: int, seed: int, before) -> dict:
    expression = read_expression(tape, text, before)
    values, slopes = tape.forward(start)
    expected = tape.backward(slopes)[leaf]
    label = tape.labels[leaf]
    try:
        mine = expression.value(values)
        problem_here = ""
    except ProgramError as error:
        mine, problem_here = None, f"yours cannot be computed here: {error}"
    yours_ok = mine is not None and _close(mine, expected)
    branches = _branch_nodes(tape)
    count = min(max(0, int(points)), max(MIN_POINTS, WORK // max(1, len(tape))))  # (a huge tape: fewer points)
    checked = _sample(tape, expression, start, leaf, count, seed,
                      _branch_key(tape, values, branches), branches)
    failed = [p for p in checked if not p.ok]

    sym, why_not = _symbolic(tape, start, leaf, expression, failed[:3] + checked[:3])
    equivalent, note = _equivalent(sym, why_not, mine is None)
    ok = yours_ok and not failed and equivalent is not False
    if ok:
        line = f"OK for {label}: expected {expected!r}, yours returns {mine!r}"
    elif mine is None:
        why = problem_here.removeprefix("yours cannot be computed here: ")
        line = f"WRONG for {label}: expected {expected!r}, yours cannot be computed here ({why})"
    else:
        line = f"WRONG for {label}: expected {expected!r}, yours returns {mine!r}"

    if not yours_ok:
        shown = _Point({}, expected, mine, problem_here)
    else:
        shown = failed[0] if failed else None
    disagree = None if shown is None else {
        "at": _describe(tape, shown.leaves, start), "expected": shown.expected, "yours": shown.yours,
        "problem": shown.problem or None}

    result = {"label": label, "yours": text, "yours_value": mine, "expected": expected, "yours_ok": yours_ok,
              "points_checked": len(checked), "points_failed": len(failed), "equivalent": equivalent,
              "equivalent_note": note, "ok": ok, "line": line, "disagree": disagree, "diagnosis": None,
              "hints": [], "steps": [], "answer": None, "curve": None}
    steps = Steps(tape, leaf, values, _simplifier(sym, tape, leaf) if sym is not None else None)
    result["answer"] = _answer(sym, steps, tape, leaf)
    if ok:
        return result
    result["curve"] = _curve(tape, expression, start, leaf, min(CURVE_SAMPLES, max(11, WORK // len(tape))) | 1)
    diagnosis, hints, lines = _diagnose(tape, start, leaf, expression, checked, sym, steps, result)
    result.update(diagnosis=diagnosis, hints=hints, steps=lines)
    return result


def _simplifier(sym: _Symbolic, tape: Tape, leaf: int):
    from gradstep.lab.closed_form import light_simplify, python_source

    def simplify(node: int, sign: int = 1) -> str | None:
        if sym.exprs[node] is None:
            return None
        sympy = sym.sympy
        d = sympy.diff(sign * sym.exprs[node], sym.x)
        tidy = light_simplify(d)
        if sympy.count_ops(d) <= STEP_SIMPLIFY_OPS and not _big_power(sympy, d):  # a quotient reads best factored
            together = sympy.factor(sympy.cancel(d))  # (simplify() would take a second a line with trig)
            tidy = together if sympy.count_ops(together) < sympy.count_ops(tidy) else tidy
        return python_source(tidy)

    return simplify


def _answer(sym: _Symbolic | None, steps: Steps, tape: Tape, leaf: int) -> str | None:
    if sym is not None:
        from gradstep.lab.closed_form import python_source

        return python_source(sym.truth)
    if written_out_size(tape) > UNSIMPLIFIED_SIZE:
        return None
    try:
        steps.root = tape.output
        steps.lines, steps.done, steps.text_of, steps.depth = [], {}, {}, 0
        return steps.derivative(tape.output).text
    except _TooLong:
        return None


def _constant_factor(checked: list[_Point], result: dict) -> float | None:
    """c when yours is c times the derivative (c not 1, a round number) at the program's
    values and at every point checked, the derivative not near 0 there; else None."""
    pairs = [(result["expected"], result["yours_value"])] + [(p.expected, p.yours) for p in checked]
    ratios = []
    for truth, yours in pairs:
        if yours is None or not math.isfinite(yours) or not math.isfinite(truth):
            return None
        if abs(truth) > 1e-9:
            ratios.append(yours / truth)
    if len(ratios) < 3:
        return None
    c = ratios[0]
    if not all(math.isclose(r, c, rel_tol=1e-6) for r in ratios) or math.isclose(c, 1.0, rel_tol=1e-6):
        return None
    for nice in (-1.0, 0.5, 2.0, -0.5, -2.0, 3.0, 1 / 3, -3.0, -1 / 3):
        if math.isclose(c, nice, rel_tol=1e-6):
            return -1 if nice == -1.0 else nice
    return c if abs(c - round(c)) < 1e-6 and c != 0 else None


def _diagnose(tape, start, leaf, expression, checked, sym, steps: Steps, result):
    """(diagnosis, hints, steps): which term is wrong, or where the whole differs; and when
    yours is the derivative times a constant everywhere (a sign or a factor lost anywhere
    along a chain), that too."""
    diagnosis, hints, lines = _diagnose_terms(tape, start, leaf, expression, checked, sym, steps, result)
    factor = _constant_factor(checked, result)
    if factor is None or len(hints) < 3:
        return diagnosis, hints, lines
    if factor == -1:
        said = ("Yours is the true derivative with the opposite sign, at every point checked: a local "
                "derivative along the way has the wrong sign (d cos(u)/du = -sin(u); d(c - u)/du = -1).")
    else:
        said = (f"Yours is {factor:.6g} times the true derivative at every point checked: a constant factor "
                "is missing or extra (the inner derivative of the chain rule, say: d sin(3*b)/db has a 3).")
    if diagnosis["kind"] != "whole":
        return diagnosis, [f"{hints[0]} {said}", *hints[1:]], lines
    label, out = tape.labels[leaf], tape.labels[tape.output]
    rule = (f"The chain rule: d{out}/d{label} is the product of the local derivatives on the way from {label} "
            f"to {out} (added over the ways, if more than one); check the {'sign' if factor == -1 else 'factor'} "
            "of each, one at a time.")
    return {**diagnosis, "message": said}, [said, rule, *hints[2:]], lines


def _diagnose_terms(tape, start, leaf, expression, checked, sym, steps: Steps, result):
    """(diagnosis, hints, steps): which term is wrong, or where the whole differs."""
    label = tape.labels[leaf]
    out = tape.labels[tape.output]
    answer = result["answer"]
    whole_answer = f"d{out}/d{label} = {answer}" if answer else \
        f"d{out}/d{label} is too long to write out here: follow the chain rule along the graph"
    disagree = result["disagree"]
    if disagree is not None:
        own = {tape.labels[i]: start[i] for i in tape.leaf_indices()}
        moved = {k: v for k, v in disagree["at"].items() if own[k] != v}
        if not moved:
            at = "the program's own values"
        elif len(moved) == len(own):
            at = _where(moved)
        else:
            at = f"{_where(moved)} (the other leaves as in the program)"
        if disagree["yours"] is None:
            where = f"Yours cannot be computed at {at}, where the derivative is {disagree['expected']!r}: " \
                    f"{disagree['problem'].removeprefix('yours cannot be computed here: ')}."
        else:
            where = f"Yours and the derivative differ at {at}: expected {disagree['expected']!r}, " \
                    f"yours {disagree['yours']!r}."
    else:
        where = ("Yours agrees with the derivative to within gradcheck's tolerance at every point checked, but "
                 f"it is not the derivative: {result['equivalent_note']} (a rounded constant?).")

    def text_of(i):
        try:
            steps.root = -1
            return steps.text(i).text
        except _TooLong:
            return tape.labels[i]

    top = tape.output
    while tape.ops[top] is not None and tape.ops[top].name == "same":
        top = tape.inputs[top][0]
    whole = {"kind": "whole", "term": None, "what": None, "message": where, "truth": answer, "yours": None}
    whole_hints = [where, _rule_hint(tape, top, leaf, text_of, steps.values), whole_answer]
    if leaf not in _reaches(tape, tape.output):
        message = f"{out} does not depend on {label}: its derivative with respect to {label} is 0."
        whole.update(message=message)
        return whole, [message, _rule_hint(tape, top, leaf, text_of, steps.values), f"d{out}/d{label} = 0"], []

    terms = additive_terms(tape, tape.output)
    if terms is None or len(terms) < 2:
        return whole, whole_hints, []
    mine_terms = additive_terms(expression.tape, expression.tape.output) or []
    reach = {i: leaf in _reaches(tape, i) for i, _ in terms}
    truths = [_Term(i, s, _signed(text_of(i), s)) for i, s in terms if reach[i]]
    zeros = [_Term(i, s, _signed(text_of(i), s)) for i, s in terms if not reach[i]]
    source = expression.tape.source
    yours = [_Term(i, s, _signed(source[slice(*expression.tape.spans[i])].strip()
                                 or expression.tape.labels[i], s)) for i, s in mine_terms]

    # each term's derivative (truth) and each of your terms (yours), at the points
    usable = [{}] + [p.leaves for p in checked]
    for moved in usable:
        point = _at(start, moved)
        values, slopes = tape.forward(point)
        try:
            mine = expression.values(values)
        except ProgramError:
            continue
        t = tangents(tape, slopes, leaf)
        for term in truths:
            term.values.append(term.sign * t[term.node])
        for term in yours:
            term.values.append(term.sign * mine[term.node])
    if sym is not None:
        _term_exprs(sym, tape, start, expression, truths, yours)
    truths = [t for t in truths if not _all_zero(t)]
    yours = [t for t in yours if not _all_zero(t)]
    left_t, left_y = _match(sym, truths, yours)
    if not left_t and not left_y:
        return whole, whole_hints, []

    def _defined(term: _Term) -> str:
        """A named term with its definition: ``s (= sin(3*b))``."""
        if tape.ops[term.node] is not None and term.node in tape.origins and tape.labels[term.node] in term.text:
            try:
                steps.root = term.node
                return f"{term.text} (= {steps.render(term.node).text})"
            except _TooLong:
                pass
        return term.text

    def derivation(term: _Term) -> tuple[list[str], str]:
        try:
            return steps.explain(term.node, term.sign)
        except _TooLong:
            return [], (steps.simplify(term.node, term.sign) if steps.simplify else None) or "(too long to show)"

    yours_text = " + ".join(t.text for t in left_y).replace("+ -", "- ")
    if left_t:
        first = left_t[0]
        lines, truth = derivation(first)
        called = _defined(first)
        what = "wrong" if left_y else "missing"
        if len(left_t) == 1:
            if left_y:
                message = f"The derivative of the term {called} is wrong: yours has {yours_text} for it."
                hint = f"Look at the term {called} of {out}: yours has {yours_text} for its derivative, " \
                       "and that is not it."
            else:
                message = f"The derivative of the term {called} is missing from yours."
                hint = f"Look at the term {called} of {out}: yours has nothing for its derivative."
        else:
            names = ", ".join(t.text for t in left_t)
            message = f"The derivatives of the terms {names} are not right in yours" + \
                      (f" (yours has {yours_text} for them)." if left_y else ": they are missing.")
            hint = f"Look at the terms {names} of {out}, starting with {first.text}."
        diagnosis = {"kind": "terms", "term": first.text, "what": what, "message": message, "truth": truth,
                     "yours": yours_text or None}
        rule = _rule_hint(tape, first.node, leaf, text_of, steps.values)
        return diagnosis, [hint, rule, f"d/d{label} {first.text} = {truth}"], lines

    # only extra terms of yours: is one the derivative of a term without the leaf, by another leaf?
    because = ""
    for z in zeros:
        for other in tape.leaf_indices():
            if other == leaf or other not in _reaches(tape, z.node):
                continue
            z_values = []
            for moved in usable:
                point = _at(start, moved)
                values, slopes = tape.forward(point)
                try:
                    expression.values(values)
                except ProgramError:
                    continue
                z_values.append(z.sign * tangents(tape, slopes, other)[z.node])
            probe = _Term(z.node, z.sign, z.text, z_values)
            if any(_group_matches(None, [probe], [y]) for y in left_y):
                because = (f": it looks like the derivative of {z.text} with respect to {tape.labels[other]}, "
                           f"but {z.text} does not contain {label}, so its derivative with respect to {label} is 0")
                break
        if because:
            break
    message = f"Yours has {yours_text}, which is not the derivative of any term of {out}{because}."
    diagnosis = {"kind": "terms", "term": None, "what": "extra", "message": message, "truth": None,
                 "yours": yours_text}
    hints = [f"Look at {yours_text} in yours: no term of {out} gives it.",
             f"A term without {label} in it is a constant as far as {label} goes: its derivative is 0.",
             f"Leave out {yours_text}: " + whole_answer]
    return diagnosis, hints, []


def _all_zero(term: _Term) -> bool:
    if term.expr is not None:
        return term.expr == 0
    return bool(term.values) and all(v == 0.0 for v in term.values)


def _term_exprs(sym: _Symbolic, tape, start, expression, truths, yours) -> None:
    """Each term's derivative and each of your terms as sympy expressions (cheap: the
    program's expressions are built already)."""
    from gradstep.lab.closed_form import expressions

    for term in truths:
        if sym.exprs[term.node] is not None:
            term.expr = sym.sympy.diff(term.sign * sym.exprs[term.node], sym.x)
    if sym.yours is None:
        return
    values, _ = tape.forward(list(start))
    mine, placeholders, _ = expressions(expression.tape, expression.start(values))
    swap = {placeholders[i]: sym.exprs[j] for i, j in expression.refs.items()}
    if any(e is None for e in swap.values()):
        return
    for term in yours:
        term.expr = term.sign * mine[term.node].xreplace(swap)
