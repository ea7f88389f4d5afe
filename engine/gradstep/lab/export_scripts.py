"""The scripts of ``gradstep export`` (export.py), and the plan every export is written from.

The scripts are written from the tape, not from the program's text, so they make the
same nodes in the same order (a rebinding ``a += 1`` is a new node, ``b = a`` is a node of
its own, softmax subtracts the max), and read like the program: each line binds the
program's name, unnamed parts are written inline where they are used once, a program line
that reads differently in the script is quoted above it. When inlining would make the
nodes in another order than the tape (a list of names built after its computed elements),
that statement is written one node per line instead (``statement_lines`` checks it): the
order in which a node's incoming gradients are added shows in the last bit.

``micrograd_script``: micrograd 0.1.0 has ``+ * ** relu``; the script adds the other ops
the micrograd way (a forward value and a ``_backward`` closure), each with the local
derivative of gradstep's op table (core/ops.py) and gradstep's float math (core/floatmath.py,
the same bits everywhere, copied in), and runs backprop over the nodes in the reverse of the order
they were made, as ``Tape.backward`` does: gradstep's gradients to the last bit.
``pytorch_script``: torch's own ops and ``backward()``.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import io
import keyword
import math
import re
import tokenize

from gradstep.core.tape import CONST, LEAF, Tape
from gradstep.program.compiler import _Compiler

MAX_NODES = 5_000
INLINE_DEPTH = 60  # an expression nested deeper is split into named parts (_t1 = ...)
LINE_WIDTH = 100  # a list longer than this is written one element per line
_ARITHMETIC = ("add", "sub", "mul", "div", "neg", "same")
_PREC_ATOM, _PREC_POW, _PREC_UNARY, _PREC_MUL, _PREC_ADD = 10, 8, 6, 4, 2
_INFIX = {"add": ("+", _PREC_ADD), "sub": ("-", _PREC_ADD), "mul": ("*", _PREC_MUL),
          "div": ("/", _PREC_MUL), "pow": ("**", _PREC_POW), "powc": ("**", _PREC_POW)}


class ExportError(ValueError):
    """A program that cannot be exported (too large); ``str`` is the reason, one line."""


# ------------------------------------------------------------------------------ the plan
class _Recorder(_Compiler):
    """The compiler, noting where each statement's nodes start and what it binds."""

    def __init__(self, text: str):
        super().__init__(text)
        self.statements: list[dict] = []

    def statement(self, st, last):
        first = len(self.tape)
        super().statement(st, last)
        if isinstance(st, ast.Assign):
            name = st.targets[0].id
        elif isinstance(st, ast.AugAssign):
            name = st.target.id
        else:
            name = "output"
        value = self.env[name]
        a, b = self.span(st)
        self.statements.append({"start": first, "end": len(self.tape), "name": name,
                                "nodes": list(value) if isinstance(value, list) else [value],
                                "is_list": isinstance(value, list),
                                "source": " ".join(self.text[a:b].split())})


class Plan:
    """What every export needs to know about a tape: its statements and what each binds,
    the softmax groups, which nodes depend on a leaf (``live``), which parts are used and
    how often, and which are written inline.

    A *unit* is what one call in a script makes: one op node, or a whole softmax group
    (max, the subtractions, exps, the sum and the divisions), keyed by its first node.
    """

    def __init__(self, tape: Tape, start: list[float]):
        n = len(tape)
        if n > MAX_NODES:
            raise ExportError(f"the program makes {n:,} nodes; export writes out programs of up to "
                              f"{MAX_NODES:,} nodes (split it, or export a smaller part)")
        recorder = _Recorder(tape.source)
        again = recorder.run()
        if again.labels != tape.labels or again.inputs != tape.inputs:  # pragma: no cover - a tape not from its source
            raise ExportError("the tape does not match its program text, so it cannot be written back out")
        self.tape = tape
        self.start = [float(v) if v is not None else None for v in start]
        self.values, _ = tape.forward(self.start)
        self.statements = recorder.statements
        self.program_names = set(recorder.used) | {s["name"] for s in self.statements}
        self.leaves = tape.leaf_indices()
        ops, inputs = tape.ops, tape.inputs

        # softmax groups: the compiler makes max, (sub, exp) per element, sum, then the divisions
        self.unit = list(range(n))
        self.items: dict[int, tuple[int, ...]] = {}
        self.divs: dict[int, list[int]] = {}
        for i, op in enumerate(ops):
            if op is not None and op.name == "max":
                k = len(inputs[i])
                end = i + 3 * k + 2
                names = [ops[j].name for j in range(i + 1, end)]
                assert names == ["sub", "exp"] * k + ["sum"] + ["div"] * k, names
                for j in range(i, end):
                    self.unit[j] = i
                self.items[i] = inputs[i]
                self.divs[i] = list(range(end - k, end))
        self.position = {}  # div node -> its index in its group's list
        for divs in self.divs.values():
            for k, d in enumerate(divs):
                self.position[d] = k

        self.live = [False] * n  # depends on a leaf (gradients can reach a leaf through it)
        for i in range(n):
            self.live[i] = tape.kinds[i] == LEAF or any(self.live[j] for j in inputs[i])

        self.statement_of = [0] * n
        self.binding_of: dict[int, tuple[int, int | None]] = {}  # node -> (statement, index)
        for s, st in enumerate(self.statements):
            for i in range(st["start"], st["end"]):
                self.statement_of[i] = s
            for k, node in enumerate(st["nodes"]):
                self.binding_of.setdefault(node, (s, k if st["is_list"] else None))
        bindings: dict[str, int] = {}
        for st in self.statements:
            bindings[st["name"]] = bindings.get(st["name"], 0) + 1
            st["number"] = bindings[st["name"]]
        for st in self.statements:
            st["rebound"] = st["number"] < bindings[st["name"]]  # the name is bound again later
            st["count"] = bindings[st["name"]]

        # which units are made (kept) and how often each is used
        self.uses = [0] * n
        kept = [False] * n
        for st in self.statements:
            if st["is_list"] and st["nodes"] and self.is_whole_group(st["nodes"]):
                head = self.unit[st["nodes"][0]]
                kept[head] = True
                self.uses[head] += 1
                continue
            for node in st["nodes"]:
                head = self.unit[node]
                kept[head] = True
                if head != node:  # a division of a softmax: the binding uses the group
                    self.uses[head] += 1
        for u in range(n - 1, -1, -1):
            if self.unit[u] != u or not kept[u] or ops[u] is None:
                continue
            for j in (self.items[u] if u in self.items else inputs[u]):
                kept[self.unit[j]] = True
                if j not in self.binding_of:  # (a use by name writes nothing inline)
                    self.uses[self.unit[j]] += 1
        self.kept = kept

        # written inline: made by an op, used once, unnamed, on a leaf's path, not too deep
        self.inline = [False] * n
        depth = [0] * n
        for u in range(n):
            if self.unit[u] != u or ops[u] is None or not kept[u] or not self.live[u]:
                continue
            ins = self.items[u] if u in self.items else inputs[u]
            depth[u] = 1 + max((depth[self.unit[j]] for j in ins if self.inline[self.unit[j]]), default=0)
            own = u not in self.items and u in self.binding_of
            self.inline[u] = self.uses[u] == 1 and not own and depth[u] <= INLINE_DEPTH
            if not self.inline[u]:
                depth[u] = 0

        # constants: written as arithmetic when Python's float arithmetic gives gradstep's
        # bits (+ - * / are exact IEEE operations in both), otherwise as gradstep's value
        self.arithmetic = [None] * n  # depth of a constant's arithmetic, None when folded
        for i in range(n):
            if self.live[i]:
                continue
            if tape.kinds[i] == CONST:
                self.arithmetic[i] = 0
            elif ops[i] is not None and ops[i].name in _ARITHMETIC \
                    and all(self.arithmetic[j] is not None for j in inputs[i]):
                d = 1 + max(self.arithmetic[j] for j in inputs[i])
                self.arithmetic[i] = d if d <= 20 else None

    def literal(self, j: int) -> str | None:
        """A constant's number as the program wrote it (``1.0``, ``3``, ``-2``), or None when
        that text is not a plain literal of exactly its value."""
        a, b = self.tape.spans[j]
        text = self.tape.source[a:b]
        if not 0 < len(text) <= 40 or not re.fullmatch(r"[-+]?[0-9][0-9_.eE+-]*|[-+]?\.[0-9][0-9_eE+-]*", text):
            return None
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        x = self.tape.init[j]
        if float(value) != x or math.copysign(1.0, float(value)) != math.copysign(1.0, x):
            return None
        return text

    def is_whole_group(self, nodes: list[int]) -> bool:
        head = self.unit[nodes[0]]
        return head in self.divs and self.divs[head] == list(nodes)

    def ops_used(self) -> set[str]:
        """The ops of the units a script makes on a leaf's path ("softmax" for a group)."""
        out = set()
        for u in range(len(self.tape)):
            if self.unit[u] == u and self.kept[u] and self.live[u] and self.tape.ops[u] is not None:
                out.add("softmax" if u in self.items else self.tape.ops[u].name)
        return out


# ------------------------------------------------------------------------- names
class Namer:
    """Python names for a script: the program's own names where they are free, others
    made up and kept clear of every name the program or the script uses."""

    def __init__(self, plan: Plan, reserved: set[str]):
        self.taken = set(plan.program_names) | reserved
        self.ident: dict[str, str] = {}
        for st in plan.statements:
            name = st["name"]
            if name not in self.ident:
                self.ident[name] = self.fresh(name + "_") if name in reserved else name
        self.counter = 0

    def fresh(self, base: str) -> str:
        while base in self.taken or keyword.iskeyword(base):
            base += "_"
        self.taken.add(base)
        return base

    def temp(self) -> str:
        while True:
            self.counter += 1
            name = f"_t{self.counter}"
            if name not in self.taken:
                self.taken.add(name)
                return name


def leaf_names(plan: Plan, namer: Namer) -> tuple[dict[int, str], dict[int, str]]:
    """One Python name per leaf, for a function's parameters: ``a``, ``x_0`` for ``x[0]``,
    ``a_1`` for ``a@1`` (the first of several bindings of ``a``). And for each statement
    binding leaves to a name the program binds again later, the name that keeps them
    (``a_1``, or ``x_1`` for a list), so their gradients can be printed at the end."""
    out, keeps = {}, {}
    for s, st in enumerate(plan.statements):
        leaves = [i for i in st["nodes"] if plan.tape.kinds[i] == LEAF]
        if not leaves:
            continue
        base = st["name"] if st["count"] == 1 else f"{st['name']}_{st['number']}"
        if st["rebound"] and st["is_list"]:
            keeps[s] = namer.fresh(base)
        for i in leaves:
            k = plan.binding_of[i][1]
            if k is None and st["count"] == 1:
                out[i] = namer.ident[st["name"]]  # the program's own name, already the script's
            else:
                out[i] = namer.fresh(base if k is None else f"{base}_{k}")
            if st["rebound"] and not st["is_list"]:
                keeps[s] = out[i]
    return out, keeps


def reserved_names(*code: str) -> set[str]:
    """The global names the script's own code defines or uses (and Python's builtins and
    keywords): a program name among them is renamed in the script (``max`` becomes
    ``max_``). Names local to a function of that code are free for the program."""
    names = set(dir(builtins)) | set(keyword.kwlist)
    for text in code:
        _Globals(names).visit(ast.parse(text))
    return names


class _Globals(ast.NodeVisitor):
    """Collects the names a module binds or reads at module level or as globals."""

    def __init__(self, out: set[str]):
        self.out = out
        self.scopes: list[set[str]] = []

    def _function(self, node, args, body):
        if isinstance(node, ast.FunctionDef):
            self._bind(node.name)
            for decorator in node.decorator_list:
                self.visit(decorator)
        local = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
        local |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
        for part in body:
            for sub in ast.walk(part):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    local.add(sub.id)
        self.scopes.append(local)
        for part in body:
            self.visit(part)
        self.scopes.pop()

    def _bind(self, name: str):
        if not self.scopes:
            self.out.add(name)

    def visit_FunctionDef(self, node):
        self._function(node, node.args, node.body)

    def visit_Lambda(self, node):
        self._function(node, node.args, [node.body])

    def visit_ClassDef(self, node):
        self._bind(node.name)
        self.generic_visit(node)

    def visit_alias(self, node):
        self._bind((node.asname or node.name).split(".")[0])

    def visit_Name(self, node):
        if not any(node.id in scope for scope in self.scopes):
            self.out.add(node.id)


# ------------------------------------------------------------------------- trees
# An expression is a small tree of tuples, printed by a Printer for one target:
#   ("ref", text)  ("num", x)  ("fnum", x)  ("leaf", i)  ("list", [trees])  ("index", tree, k)
#   ("op", name, [trees], param, unit)  -- unit: the tape unit the call makes (None for constants)

class _NotInOrder(Exception):
    """The statement cannot be written inline in the tape's order (it is written one node per line)."""


class Builder:
    """Expression trees for one statement, inline (``flat=False``) or one node per line."""

    def __init__(self, plan: Plan, namer: Namer, temps: dict[int, str], statement: int, flat: bool = False,
                 inline_groups: bool = True):
        self.plan, self.namer, self.inline_groups = plan, namer, inline_groups
        self.temps, self.statement, self.flat = temps, statement, flat

    def named(self, j: int) -> tuple | None:
        """A reference to a node bound by an earlier statement (its name is current there)."""
        where = self.plan.binding_of.get(j)
        if where is None:
            return None
        s, k = where
        if s == self.statement:
            return None
        name = self.namer.ident[self.plan.statements[s]["name"]]
        return ("ref", name if k is None else f"{name}[{k}]")

    def ref(self, j: int) -> tuple:
        plan = self.plan
        found = self.named(j)
        if found is not None:
            return found
        if not plan.live[j]:
            return self.constant(j)
        u = plan.unit[j]
        if u in self.temps:
            base = ("ref", self.temps[u])
        elif plan.inline[u] and not self.flat and (self.inline_groups or u not in plan.items):
            base = self.unit_tree(u)
        else:
            raise _NotInOrder(j)
        return ("index", base, plan.position[j]) if u != j else base

    def constant(self, j: int) -> tuple:
        plan = self.plan
        if plan.tape.kinds[j] == CONST:
            return ("num", plan.tape.init[j], plan.literal(j))
        if plan.arithmetic[j] is None:
            return ("fnum", plan.values[j])
        return self._arithmetic(j)

    def _arithmetic(self, j: int) -> tuple:
        tape = self.plan.tape
        if tape.kinds[j] == CONST:
            return ("fnum", tape.init[j])
        op = tape.ops[j]
        if op.name == "same":
            return self._arithmetic(tape.inputs[j][0])
        return ("op", op.name, [self._arithmetic(k) for k in tape.inputs[j]], None, None)

    def unit_tree(self, u: int) -> tuple:
        plan = self.plan
        if u in plan.items:
            return ("op", "softmax", [self.items(plan.items[u])], None, u)
        op = plan.tape.ops[u]
        if op.arity == 0:  # sum, mean: one list (and its length)
            return ("op", op.name, [self.items(plan.tape.inputs[u])], len(plan.tape.inputs[u]), u)
        return ("op", op.name, [self.ref(j) for j in plan.tape.inputs[u]], plan.tape.params[u], u)

    def items(self, items) -> tuple:
        """A list argument: the name of a list when it is exactly that list, else a list."""
        plan = self.plan
        where = plan.binding_of.get(items[0])
        if where is not None and where[0] != self.statement and where[1] == 0:
            st = plan.statements[where[0]]
            if st["nodes"] == list(items):
                return ("ref", self.namer.ident[st["name"]])
        return ("list", [self.ref(j) for j in items])

    def definition(self, node: int) -> tuple:
        """What the statement binds to one of its nodes."""
        plan = self.plan
        if plan.tape.kinds[node] == LEAF:
            return ("leaf", node)
        if not plan.live[node]:
            return self.constant(node)
        u = plan.unit[node]
        if u == node and u in self.temps:
            return ("ref", self.temps[u])
        if u == node:
            return self.unit_tree(u)
        base = ("ref", self.temps[u]) if u in self.temps else self.unit_tree(u)
        return ("index", base, plan.position[node])


def made_in(tree: tuple, out: list[int]) -> None:
    """The units an expression makes, in Python's order of evaluation (left to right, the
    arguments before the call)."""
    if tree[0] == "op":
        for child in tree[2]:
            made_in(child, out)
        if tree[4] is not None:
            out.append(tree[4])
    elif tree[0] == "list":
        for child in tree[1]:
            made_in(child, out)
    elif tree[0] == "index":
        made_in(tree[1], out)


def statement_lines(plan: Plan, namer: Namer, s: int, ordered: bool = True, inline_groups: bool = True):
    """The lines (target, tree) that make statement ``s``: its unnamed parts used more than
    once (temporaries), then the binding. With ``ordered``, the nodes must be made in the
    tape's order (gradients add up in that order): when the inline form would not, every
    node gets a line of its own. Returns ``(lines, temps)``; a target ``None`` is the
    statement's own name."""
    st = plan.statements[s]
    heads = [u for u in range(st["start"], st["end"])
             if plan.unit[u] == u and plan.kept[u] and plan.live[u] and plan.tape.ops[u] is not None]
    try:
        temps: dict[int, str] = {}
        lines = []
        builder = Builder(plan, namer, temps, s, inline_groups=inline_groups)
        for u in heads:
            group_out = u in plan.items and not inline_groups and not _binds_group(plan, st, u)
            if (not plan.inline[u] or group_out) and (u in plan.items or u not in plan.binding_of):
                tree = builder.unit_tree(u)
                temps[u] = namer.temp()
                lines.append((temps[u], tree))
        lines.append((None, _binding_tree(plan, builder, st)))
        if ordered:
            made: list[int] = []
            for _, tree in lines:
                made_in(tree, made)
            if made != heads:
                raise _NotInOrder(s)
        return lines, temps
    except _NotInOrder:
        pass
    # one node per line, in the tape's order
    temps = {}
    lines = []
    builder = Builder(plan, namer, temps, s, flat=True)
    own = st["nodes"][0] if not st["is_list"] and st["nodes"] else None
    for u in heads:
        tree = builder.unit_tree(u)
        if u == own:
            lines.append((None, tree))
            return lines, temps
        temps[u] = namer.temp()
        lines.append((temps[u], tree))
    lines.append((None, _binding_tree(plan, builder, st)))
    return lines, temps


def _binds_group(plan: Plan, st: dict, head: int) -> bool:
    """The statement binds exactly this softmax's list (``probs = softmax(logits)``)."""
    return st["is_list"] and bool(st["nodes"]) and plan.is_whole_group(st["nodes"]) \
        and plan.unit[st["nodes"][0]] == head


def _binding_tree(plan: Plan, builder: Builder, st: dict) -> tuple:
    nodes = st["nodes"]
    if not st["is_list"]:
        return builder.definition(nodes[0])
    if nodes and plan.is_whole_group(nodes):
        head = plan.unit[nodes[0]]
        return ("ref", builder.temps[head]) if head in builder.temps else builder.unit_tree(head)
    return ("list", [builder.definition(j) for j in nodes])


# ------------------------------------------------------------------------ printing
def number(x: float) -> str:
    """A constant as the program would write it (2 rather than 2.0; -0.0 keeps its sign)."""
    x = float(x)
    if x == 0.0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0"
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


class Printer:
    """Trees as Python text for one target; ``calls`` maps an op to a format string over
    its one argument ``{0}`` (printed as an atom where the format needs one)."""

    calls: dict[str, str] = {}
    method_ops: tuple[str, ...] = ()  # ops written as a method call on their argument: x.relu()

    def __init__(self, leaf_text):
        self.leaf_text = leaf_text

    def text(self, tree) -> str:
        return self._print(tree)[0]

    def _print(self, tree) -> tuple[str, int]:
        kind = tree[0]
        if kind == "ref":
            return tree[1], _PREC_ATOM
        if kind in ("num", "fnum"):
            text = repr(float(tree[1])) if kind == "fnum" else tree[2] if len(tree) > 2 and tree[2] else number(tree[1])
            return text, (_PREC_UNARY if text.startswith("-") else _PREC_ATOM)
        if kind == "leaf":
            return self.leaf_text(tree[1]), _PREC_ATOM
        if kind == "list":
            return "[" + ", ".join(self.text(child) for child in tree[1]) + "]", _PREC_ATOM
        if kind == "index":
            return f"{self.atom(tree[1])}[{tree[2]}]", _PREC_ATOM
        return self.op(tree[1], tree[2], tree[3])

    def atom(self, tree) -> str:
        text, prec = self._print(tree)
        return text if prec >= _PREC_ATOM else f"({text})"

    def operand(self, tree, least: int) -> str:
        text, prec = self._print(tree)
        return text if prec >= least else f"({text})"

    def op(self, name, args, param) -> tuple[str, int]:
        if name == "neg":
            return "-" + self.operand(args[0], _PREC_UNARY + 1), _PREC_UNARY
        if name == "powc":
            return f"{self.operand(args[0], _PREC_ATOM)} ** {self.operand(('num', param), _PREC_UNARY)}", _PREC_POW
        if name in _INFIX:
            symbol, prec = _INFIX[name]
            if name == "pow":
                left, right = self.operand(args[0], _PREC_ATOM), self.operand(args[1], _PREC_UNARY)
            else:
                left, right = self.operand(args[0], prec), self.operand(args[1], prec + 1)
            return f"{left} {symbol} {right}", prec
        if name in self.method_ops:
            return f"{self.atom(args[0])}.{name}()", _PREC_ATOM
        return self.calls.get(name, name + "({0})").format(self.text(args[0])), _PREC_ATOM


def format_line(target: str, text: str, indent: str = "") -> str:
    """``target = text``, a long list broken one element per line."""
    line = f"{indent}{target} = {text}"
    if len(line) <= LINE_WIDTH or not (text.startswith("[") and text.endswith("]")):
        return line
    parts = _split_top(text[1:-1])
    if len(parts) < 2:
        return line
    inner = indent + "    "
    return f"{indent}{target} = [\n" + "".join(f"{inner}{p},\n" for p in parts) + f"{indent}]"


def _split_top(text: str) -> list[str]:
    parts, depth, last = [], 0, 0
    for k, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[last:k].strip())
            last = k + 1
    parts.append(text[last:].strip())
    return parts


def program_lines(plan: Plan, namer: Namer, printer: Printer, keeps: dict[int, str],
                  indent: str = "", quote: bool = True) -> list[str]:
    """The graph, statement by statement: each program line as the script writes it (the
    program's own line quoted above it where the two read differently), and a line keeping
    the leaves of a name the program binds again later."""
    out = []
    for s, st in enumerate(plan.statements):
        lines, _ = statement_lines(plan, namer, s)
        written = [format_line(namer.ident[st["name"]] if target is None else target, printer.text(tree), indent)
                   for target, tree in lines]
        if quote and _differs(st["source"], written) and not _leaves_only(plan, st):
            out.append(f"{indent}# {st['source']}")
        out += written
        if s in keeps:
            out.append(f"{indent}{keeps[s]} = {namer.ident[st['name']]}  "
                       f"# keep this leaf: {st['name']} is given another value below")
    return out


def _differs(source: str, written: list[str]) -> bool:
    if len(written) != 1:
        return True
    return source.replace(" ", "") != written[0].replace(" ", "")


def _leaves_only(plan: Plan, st: dict) -> bool:
    return bool(st["nodes"]) and all(plan.tape.kinds[i] == LEAF for i in st["nodes"])


def leaf_reference(plan: Plan, namer: Namer, keeps: dict[int, str], i: int) -> str:
    """The script's name for leaf ``i`` after the graph is built: ``a``, ``x[0]``, or the
    name keeping a leaf whose name was bound again (``a_1``, ``x_1[0]``)."""
    s, k = plan.binding_of[i]
    name = keeps.get(s) or namer.ident[plan.statements[s]["name"]]
    return name if k is None else f"{name}[{k}]"


def header_comment(plan: Plan, what: str) -> list[str]:
    lines = [f"# {what}", "#", "# The program:", "#"]
    for line in re.split(r"\r\n|\r|\n", plan.tape.source.lstrip("\ufeff").rstrip()):
        lines.append(("#     " + line).rstrip())
    return lines


# ---------------------------------------------------------------------- float math
_FM_PUBLIC = ("exp", "log", "pow", "tanh", "sigmoid", "sincos", "tan")
_FM_NEEDS = {"exp": {"exp"}, "log": {"log"}, "powc": {"pow"}, "pow": {"pow", "log"}, "sin": {"sincos"},
             "cos": {"sincos"}, "tan": {"tan"}, "tanh": {"tanh"}, "sigmoid": {"sigmoid"}, "softmax": {"exp"}}


def floatmath_source(public: set[str]) -> tuple[str, str]:
    """gradstep's float math (core/floatmath.py) for the functions in ``public``, their
    helpers and constants, with the public ones named ``fm_exp``, ``fm_log``, ...: the
    imports it needs and the code, as two texts (empty when ``public`` is)."""
    if not public:
        return "", ""
    from gradstep.core import floatmath

    try:
        source = inspect.getsource(floatmath)
    except (OSError, TypeError):  # only bytecode here
        raise ExportError("gradstep's float math source (gradstep/core/floatmath.py) is not available here, "
                          "and the micrograd export copies it") from None
    lines = source.splitlines(keepends=True)
    tree = ast.parse(source)
    pieces: dict[str, tuple[int, int, set[str]]] = {}
    order = []
    for st in tree.body:
        if isinstance(st, ast.FunctionDef):
            names = [st.name]
        elif isinstance(st, ast.Assign):
            names = [t.id for t in st.targets if isinstance(t, ast.Name)]
        else:
            continue
        first = min([st.lineno] + [d.lineno for d in getattr(st, "decorator_list", [])])
        while first > 1 and lines[first - 2].lstrip().startswith("#"):
            first -= 1  # the comment above it
        uses = {n.id for n in ast.walk(st) if isinstance(n, ast.Name)}
        for name in names:
            pieces[name] = (first, st.end_lineno, uses)
        order.append(names[0])
    needed, todo = set(), list(public)
    while todo:
        name = todo.pop()
        if name in needed or name not in pieces:
            continue
        needed.add(name)
        todo += [u for u in pieces[name][2] if u in pieces]
    chosen = [name for name in order if name in needed]
    code = "\n\n".join("".join(lines[pieces[name][0] - 1:pieces[name][1]]).rstrip() for name in chosen)
    code = _rename(code, {name: "fm_" + name for name in _FM_PUBLIC})
    used = set().union(*(pieces[name][2] for name in chosen))
    imports = ["import math"] if "math" in used else []
    decimal_names = sorted(n for n in ("ROUND_HALF_EVEN", "Context", "Decimal") if n in used)
    if decimal_names:
        imports.append(f"from decimal import {', '.join(decimal_names)}")
    if "lru_cache" in used:
        imports.append("from functools import lru_cache")
    return "\n".join(imports), code


def _rename(code: str, names: dict[str, str]) -> str:
    """``code`` with the names in ``names`` renamed (code only: comments and strings kept)."""
    lines = code.splitlines(keepends=True)
    edits = []
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.NAME and tok.string in names:
            edits.append((tok.start, tok.end, names[tok.string]))
    for (row, col), (_, end), new in reversed(edits):
        line = lines[row - 1]
        lines[row - 1] = line[:col] + new + line[end:]
    return "".join(lines)


# ------------------------------------------------------------------------ micrograd
_MG_RECORD = '''\
# micrograd's backward() puts the nodes in order with a depth-first walk over sets
# (Value._prev), which may add a node's incoming gradients in another order than gradstep:
# the same gradients, up to the last bit. To get gradstep's digits exactly, backprop below
# walks the nodes in the reverse of the order they were made, as gradstep does (a node is
# always made after its inputs, so that order is a topological one). Value.made records it.
if not hasattr(Value, "made"):
    Value.made = []
    _micrograd_init = Value.__init__

    def _recorded_init(self, *args, **kwargs):
        _micrograd_init(self, *args, **kwargs)
        Value.made.append(self)

    Value.__init__ = _recorded_init
'''

_MG_OPS = {
    "div": '''\
def _truediv(self, other):
    """self / other, with the slopes 1/b and -(a/b)/b. (micrograd 0.1.0 computes a / b as
    a * b**-1, which can differ from a / b in the last bit.)"""
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data / other.data, (self, other), '/')

    def _backward():
        self.grad += (1.0 / other.data) * out.grad
        other.grad += (-out.data / other.data) * out.grad
    out._backward = _backward

    return out


Value.__truediv__ = _truediv
Value.__rtruediv__ = lambda self, other: Value(other) / self
''',
    "pow": '''\
def _pow(self, other):
    """self ** other for a number exponent p (slope p * a**(p-1)) or a Value exponent b
    (slopes b * a**(b-1) and a**b * log(a)); micrograd 0.1.0 takes numbers only."""
    if isinstance(other, Value):
        return _pow_node(self, other)
    p = float(other)
    out = Value(fm_pow(self.data, p), (self,), f'**{other}')

    def _backward():
        # a whole p keeps p - 1 whole, so a negative base keeps its sign
        slope = 0.0 if p == 0.0 else p * fm_pow(self.data, int(p) - 1 if p.is_integer() else p - 1.0)
        self.grad += slope * out.grad
    out._backward = _backward

    return out


def _pow_node(self, other):
    a, b = self.data, float(other.data)
    if a == 0:
        value, da, db = 0.0, (1.0 if b == 1.0 else 0.0), 0.0
    else:
        value = fm_pow(a, b)
        da, db = b * fm_pow(a, b - 1.0), value * fm_log(a)
    out = Value(value, (self, other), '**')

    def _backward():
        self.grad += da * out.grad
        other.grad += db * out.grad
    out._backward = _backward

    return out


Value.__pow__ = _pow
Value.__rpow__ = lambda self, other: Value(other) ** self
''',
    "exp": '''\
def exp(x):
    out = Value(fm_exp(x.data), (x,), 'exp')

    def _backward():
        x.grad += out.data * out.grad  # d exp(x)/dx = exp(x)
    out._backward = _backward

    return out
''',
    "log": '''\
def log(x):
    out = Value(fm_log(x.data), (x,), 'log')

    def _backward():
        x.grad += (1.0 / x.data) * out.grad
    out._backward = _backward

    return out
''',
    "sin": '''\
def sin(x):
    s, c = fm_sincos(x.data)
    out = Value(s, (x,), 'sin')

    def _backward():
        x.grad += c * out.grad
    out._backward = _backward

    return out
''',
    "cos": '''\
def cos(x):
    s, c = fm_sincos(x.data)
    out = Value(c, (x,), 'cos')

    def _backward():
        x.grad += -s * out.grad
    out._backward = _backward

    return out
''',
    "tan": '''\
def tan(x):
    out = Value(fm_tan(x.data), (x,), 'tan')

    def _backward():
        x.grad += (1.0 + out.data * out.data) * out.grad  # 1 + tan(x)**2
    out._backward = _backward

    return out
''',
    "tanh": '''\
def tanh(x):
    out = Value(fm_tanh(x.data), (x,), 'tanh')

    def _backward():
        x.grad += (1.0 - out.data * out.data) * out.grad  # 1 - tanh(x)**2
    out._backward = _backward

    return out
''',
    "sigmoid": '''\
def sigmoid(x):
    out = Value(fm_sigmoid(x.data), (x,), 'sigmoid')

    def _backward():
        x.grad += (out.data * (1.0 - out.data)) * out.grad
    out._backward = _backward

    return out
''',
    "sqrt": '''\
def sqrt(x):
    out = Value(math.sqrt(x.data), (x,), 'sqrt')

    def _backward():
        x.grad += (0.5 / out.data) * out.grad
    out._backward = _backward

    return out
''',
    "abs": '''\
def _abs(self):
    out = Value(abs(self.data), (self,), 'abs')

    def _backward():
        self.grad += (1.0 if self.data > 0 else -1.0 if self.data < 0 else 0.0) * out.grad  # abs'(0) = 0
    out._backward = _backward

    return out


Value.__abs__ = _abs
''',
    "same": '''\
def same(x):
    """A node of its own with x's value: gradstep makes one where a name is given a value
    that already has a name (b = a), and draws it."""
    out = Value(x.data, (x,), '=')

    def _backward():
        x.grad += out.grad
    out._backward = _backward

    return out
''',
    "softmax": '''\
def largest(xs):
    """The largest of xs as a node; its gradient goes to the first largest one."""
    k = max(range(len(xs)), key=lambda k: xs[k].data)
    out = Value(xs[k].data, tuple(xs), 'max')

    def _backward():
        xs[k].grad += out.grad
    out._backward = _backward

    return out


def softmax(xs):
    """softmax as gradstep computes it: subtract the largest first, so exp never overflows."""
    xs = [x if isinstance(x, Value) else Value(x) for x in xs]
    top = largest(xs)
    exps = [exp(x - top) for x in xs]
    total = sum(exps)
    return [e / total for e in exps]
''',
    "mean": '''\
def mean(xs):
    # (where the sum overflows float64, as in mean([1e308, 1e308]), gradstep divides each
    # element first; this gives inf there)
    return sum(xs) / len(xs)
''',
}
_MG_ORDER = ("div", "pow", "exp", "log", "sin", "cos", "tan", "tanh", "sigmoid", "sqrt", "abs", "same",
             "softmax", "mean")


def _mg_helpers(ops: set[str]) -> list[str]:
    wanted = set(ops)
    if "powc" in wanted:
        wanted.add("pow")
    if "softmax" in wanted:
        wanted |= {"exp", "div"}
    if "mean" in wanted:
        wanted.add("div")
    return [_MG_OPS[name] for name in _MG_ORDER if name in wanted]


class MicrogradPrinter(Printer):
    method_ops = ("relu",)
    calls = {"same": "same({0})", "sum": "sum({0})", "mean": "mean({0})", "softmax": "softmax({0})"}


def micrograd_parts(plan: Plan, indent: str = "", params: bool = False) -> dict:
    """The pieces of a micrograd export: imports, helper code (the recorder, the ops and the
    float math), the graph's lines, backprop's lines and the leaves (label, reference).
    With ``params`` each leaf is made from a parameter (``Value(a)``), not its number."""
    ops = plan.ops_used()
    helpers = _mg_helpers(ops)
    fm_imports, fm_code = floatmath_source(set().union(*(_FM_NEEDS.get(op, set()) for op in ops)))
    tail = "Value.made.clear()\nfor node in reversed(Value.made):\n    if node.grad:\n        node._backward()\n" \
           "for label, leaf in []:\n    print(label, repr(float(leaf.grad)))\n"
    reserved = reserved_names(_MG_RECORD, *helpers, fm_code, tail, "import math\nfrom micrograd.engine import Value\n")
    reserved |= {"micrograd", "grads", "backprop", "made"}
    namer = Namer(plan, reserved)
    names, keeps = leaf_names(plan, namer)
    printer = MicrogradPrinter(lambda i: f"Value({names[i] if params else repr(plan.start[i])})")
    graph = program_lines(plan, namer, printer, keeps, indent)
    output_ref = namer.ident[plan.statements[-1]["name"]]  # the last statement binds the output
    if plan.live[plan.tape.output]:
        backward = [
            f"{indent}# backprop: the output's gradient is 1; then each node, latest first, adds its",
            f"{indent}# gradient times each local derivative into its inputs (a node whose gradient is 0",
            f"{indent}# adds nothing, as in gradstep: 0 times an infinite slope would be nan)",
            f"{indent}{output_ref}.grad = 1.0",
            f"{indent}for node in reversed(Value.made):",
            f"{indent}    if node.grad:",
            f"{indent}        node._backward()",
        ]
    else:
        backward = [f"{indent}# the output does not depend on any leaf: every leaf's gradient is 0"]
    leaves = [(plan.tape.labels[i], leaf_reference(plan, namer, keeps, i)) for i in plan.leaves]
    imports = ["import math"] if "sqrt" in ops else []
    if fm_imports:
        imports.append(fm_imports)
    return {"imports": imports, "record": _MG_RECORD, "helpers": helpers, "floatmath": fm_code,
            "graph": graph, "backward": backward, "leaves": leaves, "namer": namer, "leaf_names": names,
            "keeps": keeps, "output": output_ref, "printer": printer}


def micrograd_script(plan: Plan) -> str:
    parts = micrograd_parts(plan)
    out = ['"""gradstep export: the program\'s gradients with micrograd 0.1.0.', "",
           "Run it with micrograd installed (pip install micrograd==0.1.0). It builds the program's",
           "graph with micrograd's Value, runs backprop and prints each leaf's gradient, one",
           "`NAME GRADIENT` line each: the same digits as `gradstep grad`."]
    if parts["helpers"]:
        out += ["micrograd 0.1.0 has + * ** relu; the other ops this program uses are added here the",
                "micrograd way, each with the local derivative gradstep uses."]
    if parts["floatmath"]:
        out += ["exp, log, ** ... use gradstep's float math (copied below), which rounds the same on",
                "every computer; Python's math.exp would do for learning, but may differ in the last bit."]
    out += ['"""', ""]
    out += header_comment(plan, "Made by `gradstep export --to micrograd`.")
    out.append("")
    out += parts["imports"] + ([""] if parts["imports"] else [])
    out += ["from micrograd.engine import Value", "", ""]
    out.append(parts["record"])
    if parts["helpers"]:
        out += ["", "# The ops micrograd 0.1.0 lacks, each a forward value and a _backward closure, with the",
                "# local derivative of gradstep's op table (gradstep/core/ops.py).", ""]
        out.append("\n\n".join(parts["helpers"]))
    if parts["floatmath"]:
        out += ["", "# gradstep's float math (gradstep/core/floatmath.py): exp, log, ** ... within an ulp of the",
                "# exact value, the same bits on every computer. fm_exp is its exp, and so on. No need to read on.", ""]
        out.append(parts["floatmath"])
        out.append("")
    out += ["", "# The graph: the program, line by line",
            "Value.made.clear()  # (a fresh start, should this run again in the same Python)"]
    out += parts["graph"]
    out += [""] + parts["backward"]
    out += ["", "# Each leaf's gradient, `NAME GRADIENT`",
            "for label, leaf in [" + ", ".join(f"({label!r}, {ref})" for label, ref in parts["leaves"]) + "]:",
            "    print(label, repr(float(leaf.grad)))", ""]
    return "\n".join(out)


# -------------------------------------------------------------------------- pytorch
class TorchPrinter(Printer):
    calls = {name: f"torch.{name}({{0}})" for name in
             ("exp", "log", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "sqrt", "abs")}
    calls |= {"sum": "sum({0})", "mean": "mean({0})", "softmax": "softmax({0})"}

    def op(self, name, args, param):
        if name == "same":
            return f"{self.atom(args[0])}.clone()", _PREC_ATOM
        if name == "softmax" and args[0][0] == "list":
            # a number among softmax's elements becomes a tensor (max and exp need tensors)
            items = [("ref", f"torch.tensor({float(a[1])!r}, dtype=torch.float64)")
                     if a[0] in ("num", "fnum") else a for a in args[0][1]]
            args = [("list", items)]
        return super().op(name, args, param)


_TORCH_HELPERS = {
    "softmax": '''\
def softmax(xs):
    """softmax as gradstep computes it: subtract the largest (the first, on a tie) first,
    so exp never overflows."""
    top = max(xs, key=float)
    exps = [torch.exp(x - top) for x in xs]
    total = sum(exps)
    return [e / total for e in exps]
''',
    "mean": '''\
def mean(xs):
    return sum(xs) / len(xs)
''',
}
_TORCH_LEAF = '''\
def leaf(value):
    """A named leaf: a float64 scalar tensor that asks for its gradient."""
    return torch.tensor(value, dtype=torch.float64, requires_grad=True)
'''


def pytorch_script(plan: Plan) -> str:
    ops = plan.ops_used()
    helpers = [_TORCH_LEAF] + [code for name, code in _TORCH_HELPERS.items() if name in ops]
    tail = "for label, leaf in []:\n    print(label, repr(0.0 if leaf.grad is None else float(leaf.grad)))\n"
    namer = Namer(plan, reserved_names("import torch\n", *helpers, tail))
    _, keeps = leaf_names(plan, namer)
    printer = TorchPrinter(lambda i: f"leaf({plan.start[i]!r})")
    graph = program_lines(plan, namer, printer, keeps)
    out_node = plan.tape.output
    output_ref = namer.ident[plan.statements[-1]["name"]]  # the last statement binds the output
    leaves = [(plan.tape.labels[i], leaf_reference(plan, namer, keeps, i)) for i in plan.leaves]
    out = ['"""gradstep export: the program\'s gradients with PyTorch.', "",
           "Run it with torch installed. It builds the program's graph with float64 scalar",
           "tensors, calls backward() and prints each leaf's gradient, one `NAME GRADIENT` line",
           "each (0.0 for a leaf the output does not depend on). The digits may differ from",
           "`gradstep grad`'s in the last places: torch's exp, log, sin ... round in their own",
           "way, and its backward adds a node's incoming gradients in its own order.", '"""', ""]
    out += header_comment(plan, "Made by `gradstep export --to pytorch`.")
    out += ["", "import torch", "", ""]
    out.append("\n\n".join(helpers))
    out += ["", "# The graph: the program, line by line"]
    out += graph
    out.append("")
    if plan.live[out_node]:
        out.append(f"{output_ref}.backward()")
    else:
        out.append("# the output does not depend on any leaf: every leaf's gradient is 0")
    out += ["", "# Each leaf's gradient, `NAME GRADIENT` (a leaf the output does not use has none: 0.0)",
            "for label, leaf in [" + ", ".join(f"({label!r}, {ref})" for label, ref in leaves) + "]:",
            "    print(label, repr(0.0 if leaf.grad is None else float(leaf.grad)))", ""]
    return "\n".join(out)
