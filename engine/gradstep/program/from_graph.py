"""``to_program``: an autograd graph built in Python, written out as a gradstep program.

Works on graphs of ``gradstep.Value`` and of micrograd's ``Value`` (any object with
``data``, ``_prev``, ``_op`` and optionally ``label``), so a graph made in a notebook
can be opened on the page: ``share_link(loss)`` is a link to it.

What the program keeps:

* Every leaf is a line ``name = <repr of its float>``, so every value is bit-exact;
  constants Python made for you (the ``2`` of ``2 * x``, the ``-1`` micrograd puts
  in ``a - b``) are leaves too, as they are in the graph.
* A label becomes the node's name when it is a usable name and no earlier node took
  it; a label that is not a name becomes one (``w[0]`` -> ``w_0``), a repeated one
  gets ``_2``, ``_3``; unlabelled leaves are ``v1, v2, ...``, unlabelled ops
  ``t1, t2, ...`` and an unlabelled output ``output``.
* An unlabelled op used once is written inside its one consumer's line
  (``t1 = relu(b + w1 * x1 + w2 * x2)``) when that keeps the line short and the
  nodes in the order the graph made them; a node used twice is one named line.
* The lines come in the order the graph's own ``backward()`` undoes them (creation
  order for ``gradstep.Value``; micrograd's depth-first ``build_topo`` order for
  micrograd), and each node's inputs in their order, so the program adds every
  gradient's terms in the same order: the same floats, bit for bit.

Where the floats may still differ (values, not structure): micrograd computes
``exp``, ``tanh`` (the lecture's ``(e^2x - 1)/(e^2x + 1)``) and ``**`` with the
platform's libm, gradstep with ``floatmath`` (correctly rounded), so those differ
in the last bits now and then; integer data (micrograd's ``Value(0)``) becomes a
float; and a zero may change sign (micrograd's ``relu(-0.0)`` is ``-0.0``).

A graph the language cannot say is refused with ``GraphError`` naming the node: an
op it has no word for, a number it cannot write (nan, inf, an integer float64
cannot hold), or, for micrograd's ``_prev`` sets, a two-input op whose inputs'
order cannot be told from their values.
"""

from __future__ import annotations

import keyword
import math
import re
import unicodedata

from gradstep.core.ops import LIST_FUNCTIONS, SCALAR_FUNCTIONS, _num
from gradstep.core.value import Value
from gradstep.program.link import hash_for

LINE_LIMIT = 72  # an unlabelled node is written inside its consumer while the line stays this short

# Op strings of gradstep.Value and micrograd (and the lecture's), by the program form they
# become. A constant exponent lives in the op string ("**2"); "**" alone has a node exponent.
_FORMS = {
    "+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow", "neg": "neg",
    "ReLU": "relu", **{name: name for name in SCALAR_FUNCTIONS},
}
_BINARY = {"add", "sub", "mul", "div", "pow"}
_ORDERED = {  # two-input ops whose inputs cannot be swapped, as Python computes them
    "sub": lambda a, b: a - b, "div": lambda a, b: a / b, "pow": lambda a, b: a ** b,
}
SUM, PRODUCT, UNARY, POWER, ATOM = 1, 2, 3, 4, 5  # how tightly an expression binds
_INFIX = {"add": (" + ", SUM), "sub": (" - ", SUM), "mul": (" * ", PRODUCT), "div": (" / ", PRODUCT)}


class GraphError(ValueError):
    """A graph that a gradstep program cannot say; the message names the node."""


def to_program(value) -> str:
    """The gradstep program (contract section 1) whose output is ``value``."""
    return _translate(value)[0]


def program_and_leaves(value) -> tuple[str, dict]:
    """The program, and the graph's leaf objects by their names in it (what the
    notebook widget writes nudged values back to)."""
    text, names = _translate(value)
    leaves, todo, seen = {}, [value], {id(value)}
    while todo:  # (a loop, not recursion: deep graphs)
        node = todo.pop()
        children = _prev(node)
        if not children and id(node) in names:
            leaves[names[id(node)]] = node
        for child in children:
            if id(child) not in seen:
                seen.add(id(child))
                todo.append(child)
    return text, leaves


def share_link(value, base: str = "", frozen=()) -> str:
    """A link that opens ``value``'s graph on the page (contract section 3).

    ``value`` is a graph's output or a program's text. ``base`` is where the page is
    served (``"http://localhost:8000/"``); it has no default because gradstep does
    not know where you serve it, so by default the result is the fragment alone,
    ``#program=...``. A fragment already on ``base`` is replaced. ``frozen`` names
    leaves the page's nudge must not move: their nodes, or their names.
    """
    if isinstance(value, str):
        text, names = value, {}
    else:
        text, names = _translate(value)
    labels = []
    for leaf in frozen:
        if not isinstance(leaf, str):
            if id(leaf) not in names or _prev(leaf):
                raise GraphError(f"cannot freeze {_describe(leaf)}: it is not a leaf of this graph")
            leaf = names[id(leaf)]
        labels.append(leaf)
    return base.split("#", 1)[0] + hash_for(text, labels)


# ------------------------------------------------------------------ translating
def _translate(root) -> tuple[str, dict[int, str]]:
    """The program, and the name given to each node that has a line (by ``id``)."""
    if not _is_node(root):
        raise TypeError(f"to_program takes a Value (an object with data and _prev), not {type(root).__name__}")
    order = _order(root)
    index = {id(node): k for k, node in enumerate(order)}
    forms = [_form(node, index) for node in order]  # None for a leaf
    labels = [_label(node) for node in order]
    exprs = _expressions(forms, labels)
    # A line for every leaf (first) and every op not written inside another.
    lines = [k for k, form in enumerate(forms) if not form] + list(exprs)
    names = _names(lines, labels, forms, output=len(order) - 1)
    text = []
    for k in lines:
        if forms[k]:
            body = "".join(p if isinstance(p, str) else names[p] for p in exprs[k])
        else:
            body = repr(_number(order[k]))
        text.append(f"{names[k]} = {body}\n")
    return "".join(text), {id(order[k]): name for k, name in names.items()}


def _expressions(forms: list, labels: list[str]) -> dict[int, list]:
    """The right-hand side of each op node's line, in order, as parts: text, or the
    index of a named input. Op nodes written inside another line have none.

    An unlabelled op used once is written inside its consumer, but only when the
    program then makes the nodes in the graph's order. A line makes its nodes in
    post-order (the left operand's, the right operand's, its own), so the nodes inside
    must be exactly the run of ops just before their consumer. Then the tape's op
    order is the graph's, and every gradient adds its terms in the same order.
    """
    uses = [0] * len(forms)
    for form in forms:
        for j in form[2] if form else ():
            uses[j] += 1
    ops = [k for k, form in enumerate(forms) if form]
    rank = {k: r for r, k in enumerate(ops)}  # place among the op nodes
    start: dict[int, int] = {}  # rank of the first node a node's written-out expression makes
    exprs: dict[int, tuple[list, int]] = {}  # (parts, how tightly it binds)
    name_length = [len(label) if label else 4 for label in labels]  # about, for LINE_LIMIT
    for k in ops:
        candidates = [j for j in forms[k][2] if forms[j] and not labels[j] and uses[j] == 1]
        options = [candidates, candidates[1:], candidates[:1], []] if len(candidates) == 2 \
            else [candidates, []]
        for chosen in options:  # both inside, the right one, the left one, none
            ends = [start[j] for j in chosen[1:]] + [rank[k]]  # where each chosen run must end
            if any(rank[j] + 1 != end for j, end in zip(chosen, ends, strict=False)):
                continue
            parts, binding = _render(forms[k], {j: exprs[j] for j in chosen})
            size = sum(len(p) if isinstance(p, str) else name_length[p] for p in parts)
            if not chosen or size <= LINE_LIMIT:
                break
        start[k] = start[chosen[0]] if chosen else rank[k]
        exprs[k] = (parts, binding)
        for j in chosen:
            del exprs[j]  # written inside k's line now
    return {k: parts for k, (parts, _) in exprs.items()}


def _names(lines: list[int], labels: list[str], forms: list, output: int) -> dict[int, str]:
    """A name for each line's node: its label when usable and not taken by an earlier
    line, else one made from the label (``w_0``, ``x_2``), else ``output`` for the
    output, ``v1, v2, ...`` for leaves and ``t1, t2, ...`` for ops."""
    names: dict[int, str] = {}
    taken: set[str] = set()
    for k in lines:  # labels kept first, so a made-up name never takes one
        if _usable(labels[k]) and labels[k] not in taken:
            names[k] = labels[k]
            taken.add(labels[k])
    counters = {"v": 0, "t": 0}
    for k in lines:
        if k in names:
            continue
        base = _as_name(labels[k])
        if base:
            name, n = base, 1
            while name in taken:
                n += 1
                name = f"{base}_{n}"
        elif k == output and "output" not in taken:
            name = "output"
        else:
            prefix = "t" if forms[k] else "v"
            name = ""
            while not name or name in taken:
                counters[prefix] += 1
                name = f"{prefix}{counters[prefix]}"
        names[k] = name
        taken.add(name)
    return names


def _render(form, inner: dict[int, tuple[list, int]]) -> tuple[list, int]:
    """One op as parts (text, or a node index for a named input) and how tightly it binds.
    ``inner`` holds the inputs written inside this one."""
    name, param, inputs = form
    args = [inner.get(j, ([j], ATOM)) for j in inputs]

    def wrapped(arg, parens: bool) -> list:
        return ["(", *arg[0], ")"] if parens else arg[0]

    if name in _INFIX:
        symbol, binding = _INFIX[name]
        left, right = args
        # Left-associative: a - (b - c) and a / (b * c) need the parentheses; -b on the
        # right gets them too, to read clearly.
        parens = right[1] <= binding or right[1] == UNARY
        return [*wrapped(left, left[1] < binding), symbol, *wrapped(right, parens)], binding
    if name in ("pow", "powc"):
        exponent = wrapped(args[1], args[1][1] != ATOM) if name == "pow" else [_num(param)]
        return [*wrapped(args[0], args[0][1] != ATOM), " ** ", *exponent], POWER
    if name == "neg":
        return ["-", *wrapped(args[0], args[0][1] != ATOM)], UNARY
    return [f"{name}(", *args[0][0], ")"], ATOM


def _order(root) -> list:
    """Every node ``root`` depends on, inputs first, without recursion.

    gradstep.Value: creation order, which its ``backward()`` undoes. Anything else:
    micrograd's ``build_topo`` order (depth first, children in ``_prev``'s iteration
    order), which micrograd's ``backward()`` walks in reverse.
    """
    topo = []
    seen = {id(root)}
    open_ = {id(root)}  # (the nodes on the stack: a child among them is a cycle)
    stack = [(root, iter(_prev(root)))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if id(child) in open_:
                raise GraphError(f"{_describe(child)} is among its own inputs (through {_describe(node)}): "
                                 "a graph with a cycle has no order to compute it in")
            if id(child) not in seen:
                if not _is_node(child):
                    raise GraphError(f"{_describe(node)} has an input that is not a Value: {child!r}")
                seen.add(id(child))
                open_.add(id(child))
                stack.append((child, iter(_prev(child))))
                break
        else:
            stack.pop()
            open_.discard(id(node))
            topo.append(node)
    if all(isinstance(node, Value) for node in topo):
        topo.sort(key=lambda node: node._n)
    return topo


def _form(node, index: dict[int, int]):
    """``(form, constant exponent, input indices)`` for an op node; None for a leaf."""
    prev = _prev(node)
    children = list(prev)
    if not children:
        _number(node)  # refused now if the program cannot write it
        return None
    op = getattr(node, "_op", "")
    op = op if isinstance(op, str) else ""
    param = None
    if op.startswith("**") and op != "**":
        name, param = "powc", _exponent(op[2:], node)
    elif op in _FORMS:
        name = _FORMS[op]
    else:
        said = ", ".join(sorted({repr(s) for s in _FORMS} | {"'**2' (any constant exponent)"}))
        raise GraphError(f"cannot write {_describe(node)}: a program has no op {op!r}. It can say {said}")
    arity = 2 if name in _BINARY else 1
    unordered = isinstance(prev, set | frozenset)
    if len(children) == 1 and arity == 2 and unordered:
        children *= 2  # micrograd's a + a: the set keeps a once
    elif len(children) != arity:
        raise GraphError(f"cannot write {_describe(node)}: {op!r} takes {arity} input(s), it has {len(children)}")
    elif arity == 2 and unordered and name in _ORDERED:
        children = _which_first(node, children, _ORDERED[name])
    return name, param, tuple(index[id(child)] for child in children)


def _which_first(node, pair: list, compute) -> list:
    """The order of a set's two inputs that recomputes the node's data (micrograd forks
    that keep ``a - b`` as one op still keep its inputs in a set)."""
    fits = []
    for a, b in (pair, pair[::-1]):
        try:
            if compute(a.data, b.data) == node.data:
                fits.append([a, b])
        except (ArithmeticError, ValueError, TypeError):
            pass
    if len(fits) != 1:
        raise GraphError(f"cannot write {_describe(node)}: its two inputs come as a set, and their "
                         "values do not tell which one comes first")
    return fits[0]


def _exponent(text: str, node) -> float:
    """The constant exponent of ``**2``, ``**-1``, ``**0.5``, which only the op string keeps."""
    try:
        p = float(text)
    except ValueError:
        raise GraphError(f"cannot write {_describe(node)}: its exponent {text!r} is not a number") from None
    if not math.isfinite(p):
        raise GraphError(f"cannot write {_describe(node)}: a program has no number {text}")
    if re.fullmatch(r"[+-]?\d+", text.strip()) and int(text) != p:
        raise GraphError(f"cannot write {_describe(node)}: the exponent {text} is not exactly a float64")
    return p


def _number(node) -> float:
    """A leaf's data as the float its line writes; refused if no literal gives it."""
    data = node.data
    try:
        x = float(data)
    except (TypeError, ValueError, OverflowError):
        raise GraphError(f"cannot write {_describe(node)}: its data is not a float64 number") from None
    if not math.isfinite(x):
        raise GraphError(f"cannot write {_describe(node)}: a program has no literal for {x!r}")
    if isinstance(data, int) and x != data:
        raise GraphError(f"cannot write {_describe(node)}: the integer is not exactly a float64")
    return x


# ---------------------------------------------------------------------- helpers
def _is_node(obj) -> bool:
    return hasattr(obj, "_prev") and hasattr(obj, "data")


def _prev(node):
    return node._prev


def _label(node) -> str:
    label = getattr(node, "label", "")
    return label if isinstance(label, str) else ""


def _usable(name: str) -> bool:
    """A name a program may bind (and that reads back as itself: Python folds some
    letters, NFKC, so `ﬁ` would become `fi`)."""
    return (name.isidentifier() and not keyword.iskeyword(name)
            and not name.startswith("__") and not name.endswith("__")
            and name not in SCALAR_FUNCTIONS and name not in LIST_FUNCTIONS
            and unicodedata.normalize("NFKC", name) == name)


def _as_name(label: str) -> str:
    """A label made into a name (``w[0]`` -> ``w_0``), or "" if nothing usable is left."""
    base = re.sub(r"\W+", "_", unicodedata.normalize("NFKC", label)).strip("_")
    if base[:1].isdigit():
        base = "n" + base
    if base and not _usable(base):
        base += "_"  # exp -> exp_, class -> class_
    return base if _usable(base) else ""


def _describe(node) -> str:
    label = _label(node)
    what = f"the node {label!r}" if label else "an unlabelled node"
    op = getattr(node, "_op", "")
    made = f"made by {op!r}" if op else "a leaf"
    return f"{what} ({made}, data {getattr(node, 'data', '?')!r})"
