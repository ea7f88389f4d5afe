"""Programs: a small subset of Python, read with ``ast`` against a whitelist.

The text is parsed, never executed: no ``exec``, no ``eval``, no name lookup in
Python's namespaces. Every construct is checked against the forms in the contract
(shared/contract.md, section 1) and turned into tape nodes; anything else is
refused with its line and column and what to write instead. A program from a
shared link runs in a stranger's browser, so this file is the sandbox.
"""

from __future__ import annotations

import ast
import keyword
import math
import re
from string import Formatter

from gradstep.core.errors import ProgramError
from gradstep.core.ops import LIST_FUNCTIONS, METHODS, OPS, SCALAR_FUNCTIONS, _num
from gradstep.core.tape import CONST, LEAF, OP, Tape

MAX_CHARS = 5_000_000
MAX_NODES = 1_000_000
MAX_DEPTH = 100  # nesting of one expression; a long a + b + c + ... chain is not nesting
LABEL_LIMIT = 24  # longer made-up labels for unnamed nodes fall back to t1, t2, ...
ABOUT_LIMIT = 120  # source text quoted in a node's "about" is cut to this many characters
LINE_FORM = "a line is `name = expression`, like `y = 2.0 * x`"
TOO_LARGE = (
    "this number is too large for float64 (the largest is about 1.8e308): "
    "write it in scientific notation, like 1.5e300"
)

ALLOWED = (
    "A program is lines of `name = expression` (also `+=`, `-=`, `*=`, `/=`), "
    "ending with the output; expressions use numbers, names, + - * / **, "
    "exp log sin cos tan tanh sigmoid relu sqrt abs, softmax/sum/mean of a list, "
    "x.exp() x.log() x.tanh() x.relu() x.sigmoid(), lists, xs[0] and [f(z) for z in xs]."
)

_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
_AUGOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div"}
_OP_WORDS = {
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&",
}
_STATEMENT_HELP = {
    ast.Import: "imports are not allowed: exp, log, sin, ... are built in, nothing to import",
    ast.ImportFrom: "imports are not allowed: exp, log, sin, ... are built in, nothing to import",
    ast.FunctionDef: "def is not allowed: write each step as its own line `name = expression`",
    ast.AsyncFunctionDef: "def is not allowed: write each step as its own line",
    ast.ClassDef: "classes are not allowed: write each step as its own line",
    ast.For: "loops are not allowed: use a list comprehension [f(z) for z in xs] or write the steps out",
    ast.While: "loops are not allowed: write the steps out, one per line",
    ast.If: "if is not allowed: a program is one straight-line computation",
    ast.With: "with is not allowed: a program is lines of `name = expression`",
    ast.Try: "try is not allowed: errors are reported for you, with their line and column",
    ast.Delete: "del is not allowed: rebind the name instead",
    ast.Global: "global is not allowed: every name is already visible to the lines below it",
    ast.Return: "return is not allowed: the last line is the output",
    ast.AnnAssign: "type annotations are not allowed: write `x = 1.0`, without `: float`",
    ast.Pass: "pass is not needed: remove the line",
    ast.Break: "loops are not allowed, so break has nothing to stop: remove it",
    ast.Continue: "loops are not allowed, so continue has nothing to skip: remove it",
    ast.Raise: "raise is not allowed: errors are reported for you, with their line and column",
    ast.Assert: "assert is not allowed: a program is lines of `name = expression`",
    ast.Nonlocal: "nonlocal is not allowed: every name is already visible to the lines below it",
    ast.Match: "match is not allowed: a program is one straight-line computation",
}


def compile_program(text: str) -> Tape:
    """Read a program and return its tape, or raise ``ProgramError``."""
    return _Compiler(text).run()


def _is_dunder(name: str) -> bool:
    return name.startswith("__") or name.endswith("__")


class _Compiler:
    def __init__(self, text: str):
        if text.startswith("\ufeff"):  # a byte-order mark from an editor: not code
            text = text[1:]
        self.text = text
        # Lines as ast counts them: splitlines() would also split at \x0c or \u2028.
        self.lines = re.split(r"\r\n|\r|\n", text)
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
        self.tape = Tape()
        self.tape.source = text
        # name -> node (a number) or list of nodes (a list)
        self.env: dict[str, int | list[int]] = {}
        # name -> its bindings in order; each binding is [(node, suffix), ...]
        self.bindings: dict[str, list[list[tuple[int, str]]]] = {}
        self.named: set[int] = set()  # nodes that carry a name as label
        self.used: set[str] = set()  # every name the program binds (made-up names avoid them)
        self.statement_start = 0  # first node made by the current statement
        self.hints: dict[int, str] = {}  # labels for unnamed nodes, "{0}" = first input
        self.roles: dict[int, str] = {}  # what an unnamed helper node is for (softmax's max)

    # ----------------------------------------------------------------- places
    def char_col(self, line: int, col: int) -> int:
        """ast's column (UTF-8 bytes into the line, 0-based) in characters."""
        if 0 < line <= len(self.lines) and not self.lines[line - 1].isascii():
            # ast counts UTF-8 bytes; people count characters.
            col = len(self.lines[line - 1].encode()[:col].decode(errors="ignore"))
        return col

    def loc(self, node: ast.AST) -> tuple[int, int]:
        line = getattr(node, "lineno", 1)
        return line, self.char_col(line, getattr(node, "col_offset", 0)) + 1

    def span(self, node: ast.AST) -> tuple[int, int]:
        """[start, end) character offsets of ``node``'s text in the program."""
        line, end_line = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
        if line is None or end_line is None:
            return 0, 0
        start = self.line_starts[line - 1] + self.char_col(line, node.col_offset)
        end = self.line_starts[end_line - 1] + self.char_col(end_line, node.end_col_offset)
        return start, end

    def fail(self, node: ast.AST, message: str) -> ProgramError:
        line, col = self.loc(node)
        return ProgramError(line, col, message)

    # ------------------------------------------------------------------- nodes
    def new(self, kind, op, inputs, where, init=None, param=None, label="") -> int:
        if len(self.tape) >= MAX_NODES:
            raise self.fail(where, f"the program makes more than {MAX_NODES:,} nodes")
        return self.tape.add(kind, op, inputs, label, self.loc(where), init=init, param=param,
                             span=self.span(where))

    def const(self, value: float, where) -> int:
        return self.new(CONST, None, (), where, init=value, label=_num(value))

    def apply(self, name: str, inputs, where, param=None, hint=None, role=None) -> int:
        node = self.new(OP, OPS[name], inputs, where, param=param)
        if hint:
            self.hints[node] = hint
        if role:
            self.roles[node] = role
        return node

    # ------------------------------------------------------------- statements
    def run(self) -> Tape:
        if len(self.text) > MAX_CHARS:
            raise ProgramError(1, 1, f"the program is longer than {MAX_CHARS:,} characters")
        try:
            module = ast.parse(self.text, mode="exec")
        except SyntaxError as error:
            raise _syntax_error(error, self.text, self.lines) from None
        except (RecursionError, MemoryError):
            # Python's parser gives no place; the longest line is the likely culprit.
            longest = max(range(len(self.lines)), key=lambda k: len(self.lines[k]))
            raise ProgramError(
                longest + 1, 1,
                "this line is nested too deeply (or is too long a chain) to read: "
                "split it into named steps on separate lines",
            ) from None
        except ValueError:  # a NUL character, on older Pythons
            raise _nul_error(self.text) from None
        body = module.body
        if not body:
            raise ProgramError(
                1, 1, "the program is empty: write lines such as `x = 2.0` and `y = x ** 2`"
            )
        for index, statement in enumerate(body):
            self.statement_start = len(self.tape)
            self.statement(statement, last=index == len(body) - 1)
        self.finish()
        return self.tape

    def statement(self, st: ast.stmt, last: bool) -> None:
        if isinstance(st, ast.Assign):
            if len(st.targets) != 1:
                raise self.fail(st, "one name per assignment: write `a = 1` and `b = 1` on two lines")
            name = self.target_name(st.targets[0])
            value = self.value_for(name, st.value)
            elements = [self.span(e) for e in st.value.elts] if isinstance(st.value, ast.List) else None
            self.bind(name, value, st, {"how": "assign", "value": self.span(st.value),
                                        "elements": elements})
            if last:
                self.set_output(self.env[name], st, name)
        elif isinstance(st, ast.AugAssign):
            name = self.target_name(st.target)
            kind = _AUGOPS.get(type(st.op))
            if kind is None:
                raise self.fail(st, "only +=, -=, *= and /= are allowed")
            old = self.env.get(name)
            if old is None:
                raise self.fail(st.target, f"{name} is not defined yet: give it a value first, e.g. `{name} = 0.0`")
            if isinstance(old, list):
                raise self.fail(st.target, f"{name} is a list; `{name} += ...` works on a number only")
            right = self.scalar(self.expr(st.value, 0), st.value, f"the right side of {name} {_sym(kind)}=")
            self.bind(name, self.apply(kind, (old, right), st), st,
                      {"how": "aug", "value": self.span(st.value), "statement": self.span(st)})
            if last:
                self.set_output(self.env[name], st, name)
        elif isinstance(st, ast.Expr):
            compared = st.value
            if isinstance(compared, ast.Compare) and len(compared.ops) == 1 \
                    and isinstance(compared.ops[0], ast.Eq) and isinstance(compared.left, ast.Name):
                right = ast.get_source_segment(self.text, compared.comparators[0]) or "1.0"
                raise self.fail(
                    st, f"== compares two values, which programs do not do: to give "
                        f"{compared.left.id} a value, write `{compared.left.id} = {right}`"
                )
            if not last:
                raise self.fail(
                    st, "a bare expression is allowed only as the last line (it is the output); "
                    "give it a name: `y = ...`"
                )
            value = self.expr(st.value, 0)
            if isinstance(value, list):
                raise self.fail(st, self.not_a_list_output(len(value)))
            if not self.is_fresh(value):
                value = self.apply("same", (value,), st)
            self.bind("output", value, st, {"how": "output", "value": self.span(st.value)})
            self.set_output(value, st, "output")
        else:
            message = _STATEMENT_HELP.get(type(st))
            if message is None:
                message = f"this kind of line is not allowed. {ALLOWED}"
            raise self.fail(st, message)

    def target_name(self, target: ast.expr) -> str:
        if isinstance(target, ast.Name):
            self.check_name(target.id, target)
            return target.id
        if isinstance(target, ast.Subscript):
            raise self.fail(
                target, "assigning to a list element is not allowed: build the list whole, `xs = [1.0, 2.0]`"
            )
        if isinstance(target, ast.Tuple | ast.List):
            raise self.fail(target, "assign one name at a time: `a = 1.0` then `b = 2.0`")
        raise self.fail(target, "only a plain name can be assigned, e.g. `y = x * 2`")

    def check_name(self, name: str, where) -> None:
        self.used.add(name)
        if _is_dunder(name):
            raise self.fail(where, f"names with double underscores ({name}) are not allowed")
        if name in SCALAR_FUNCTIONS or name in LIST_FUNCTIONS:
            raise self.fail(where, f"{name} is a function; pick another name, e.g. `{name}_value`")

    def value_for(self, name: str, value: ast.expr):
        """What `name = value` binds: a leaf for a signed number literal, leaves for a
        list of them, otherwise the expression's node(s)."""
        literal = _signed_literal(value)
        if literal is not None:
            return self.new(LEAF, None, (), value, init=self.number(literal, value))
        if isinstance(value, ast.List):
            items = []
            for element in value.elts:
                literal = _signed_literal(element)
                if literal is not None:
                    items.append(self.new(LEAF, None, (), element, init=self.number(literal, element)))
                else:
                    items.append(self.scalar(self.expr(element, 1), element, "a list element"))
            return items
        return self.expr(value, 0)

    def is_fresh(self, node: int) -> bool:
        """Made by this statement and not named yet: the statement's name can label it."""
        return node >= self.statement_start and node not in self.named and self.tape.kinds[node] != CONST

    def bind(self, name: str, value, where, origin: dict) -> None:
        if isinstance(value, list):
            nodes = [v if self.is_fresh(v) else self.apply("same", (v,), where) for v in value]
            binding = [(node, f"[{k}]") for k, node in enumerate(nodes)]
            self.env[name] = nodes
        else:
            node = value if self.is_fresh(value) else self.apply("same", (value,), where)
            binding = [(node, "")]
            self.env[name] = node
        line = where.lineno
        for k, (node, suffix) in enumerate(binding):
            self.named.add(node)
            self.tape.labels[node] = name + suffix
            self.tape.origins[node] = {**origin, "name": name, "line": line,
                                       "index": k if suffix else None}
        self.bindings.setdefault(name, []).append(binding)

    def set_output(self, value, where, name: str) -> None:
        if isinstance(value, list):
            raise self.fail(where, self.not_a_list_output(len(value), name))
        self.tape.output = value

    @staticmethod
    def not_a_list_output(n: int, name: str = "it") -> str:
        return (
            f"the output must be one number, but {name} is a list of {n}: end with one number, "
            f"e.g. `sum({name})`" if name != "it" else
            f"the output must be one number, but the last line is a list of {n}: end with one number"
        )

    def finish(self) -> None:
        tape = self.tape
        # Earlier bindings of a rebound name get x@1, x@2, ...; the final one keeps x.
        names: dict[str, int] = {}
        for name, bindings in self.bindings.items():
            for number, binding in enumerate(bindings, start=1):
                final = number == len(bindings)
                for node, suffix in binding:
                    if final:
                        names[name + suffix] = node
                    else:
                        tape.labels[node] = f"{name}@{number}{suffix}"
        tape.names = names
        # Unnamed nodes read as their expression when short ("a * b", "exp(z)"), else
        # get a made-up name t1, t2, ... in order, skipping names the program uses.
        numbers = iter(range(1, len(tape) + len(self.used) + 2))
        for i, op in enumerate(tape.ops):
            if op is None or i in self.named:
                continue
            hint = self.hints.get(i)
            if hint is not None and hint not in self.used:
                label = hint
            else:
                label = _made_up_label(tape, i)
            if len(label) > LABEL_LIMIT:
                label = next(name for name in (f"t{k}" for k in numbers) if name not in self.used)
                tape.made_up.add(i)
            tape.labels[i] = label
            if i in self.roles:
                tape.origins[i] = {"how": "helper", "role": self.roles[i]}

    # ------------------------------------------------------------ expressions
    def number(self, value, where) -> float:
        try:
            number = float(value)
        except OverflowError:
            raise self.fail(where, TOO_LARGE) from None
        if number - number != 0.0:
            raise self.fail(where, TOO_LARGE)
        return number

    def scalar(self, value, where, what: str) -> int:
        if isinstance(value, list):
            raise self.fail(
                where, f"{what} must be one number, but it is a list of {len(value)}; "
                "pick one element with xs[0], or use sum(xs), mean(xs) or [f(z) for z in xs]"
            )
        return value

    def list_of(self, value, where, what: str) -> list[int]:
        if not isinstance(value, list):
            raise self.fail(where, f"{what} takes a list, e.g. {what}([a, b, c]), not one number")
        if not value:
            raise self.fail(where, f"{what} of an empty list has no value")
        return value

    def expr(self, node: ast.expr, depth: int):
        """A node id (a number) or a list of node ids."""
        if depth > MAX_DEPTH:
            raise self.fail(
                node, f"this expression is nested more than {MAX_DEPTH} levels deep: "
                "split it into named steps on separate lines"
            )
        if isinstance(node, ast.BinOp):
            return self.binop_chain(node, depth)
        if isinstance(node, ast.Constant):
            return self.const(self.number(self.literal(node), node), node)
        if isinstance(node, ast.Name):
            return self.lookup(node)
        if isinstance(node, ast.UnaryOp):
            literal = _signed_literal(node)
            if literal is not None:
                return self.const(self.number(literal, node), node)
            if isinstance(node.op, ast.UAdd):
                return self.expr(node.operand, depth + 1)
            if isinstance(node.op, ast.USub):
                operand = self.scalar(self.expr(node.operand, depth + 1), node.operand, "the operand of -")
                return self.apply("neg", (operand,), node)
            raise self.fail(node, "only - and + can stand before a value (no `not`, no `~`)")
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.List):
            return [self.scalar(self.expr(e, depth + 1), e, "a list element") for e in node.elts]
        if isinstance(node, ast.Subscript):
            return self.subscript(node, depth)
        if isinstance(node, ast.ListComp):
            return self.comprehension(node, depth)
        raise self.fail(node, _refusal(node))

    def literal(self, node: ast.Constant) -> float:
        value = node.value
        if isinstance(value, bool):
            raise self.fail(node, f"{value} is not a number here: write 1.0 or 0.0")
        if isinstance(value, int | float):
            return value
        if isinstance(value, str):
            raise self.fail(node, "strings are not allowed: a program computes with numbers only")
        if isinstance(value, complex):
            raise self.fail(node, "complex numbers are not allowed: only real numbers (float64)")
        if isinstance(value, bytes):
            raise self.fail(node, "strings are not allowed: a program computes with numbers only")
        shown = "..." if value is Ellipsis else repr(value)
        raise self.fail(node, f"{shown} is not a number: write a number, like 0.0")

    def lookup(self, node: ast.Name):
        name = node.id
        if _is_dunder(name):
            raise self.fail(node, f"names with double underscores ({name}) are not allowed")
        if name in self.env:
            return self.env[name]
        if name in SCALAR_FUNCTIONS or name in LIST_FUNCTIONS:
            raise self.fail(node, f"{name} is a function: call it, e.g. {name}(x)")
        raise self.fail(node, f"{name} is not defined: give it a value on a line above, e.g. `{name} = 1.0`")

    def binop_chain(self, node: ast.BinOp, depth: int):
        # a + b + c + ... nests to the left; walk it with a loop, not recursion,
        # so a long sum is not "deep".
        chain = []
        while isinstance(node, ast.BinOp):
            chain.append(node)
            node = node.left
        value = self.expr(node, depth + 1)
        for op_node in reversed(chain):
            value = self.binop(op_node, value, depth)
        return value

    def binop(self, node: ast.BinOp, left, depth: int) -> int:
        kind = _BINOPS.get(type(node.op))
        if kind is None:
            word = _OP_WORDS.get(type(node.op), type(node.op).__name__)
            hint = "use / for division" if word in ("//", "%") else "use + - * / **"
            raise self.fail(node, f"the operator {word} is not allowed: {hint}")
        what = f"the left side of {_sym(kind)}"
        left = self.scalar(left, node.left, what)
        if kind == "pow":
            exponent = _constant_value(node.right)
            if exponent is not None:
                return self.apply("powc", (left,), node, param=self.number(exponent, node.right))
        right = self.scalar(self.expr(node.right, depth + 1), node.right, f"the right side of {_sym(kind)}")
        return self.apply(kind, (left, right), node)

    def call(self, node: ast.Call, depth: int):
        if node.keywords:
            raise self.fail(node.keywords[0].value, "keyword arguments are not allowed: pass one value, e.g. exp(x)")
        func = node.func
        if isinstance(func, ast.Attribute):
            if func.attr not in METHODS or _is_dunder(func.attr):
                raise self.fail(func, _attribute_refusal(func.attr))
            if node.args:
                raise self.fail(node, f".{func.attr}() takes no arguments")
            value = self.scalar(self.expr(func.value, depth + 1), func.value, f"x in x.{func.attr}()")
            return self.apply(func.attr, (value,), node)
        if not isinstance(func, ast.Name):
            raise self.fail(node, "only the built-in functions can be called, by name: exp(x), sum(xs), ...")
        name = func.id
        if _is_dunder(name):
            raise self.fail(func, f"names with double underscores ({name}) are not allowed")
        if name not in SCALAR_FUNCTIONS and name not in LIST_FUNCTIONS:
            raise self.fail(func, f"{name}() is not a function gradstep knows. {_functions()}")
        if len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise self.fail(node, f"{name} takes exactly one argument, e.g. {name}(x)")
        arg = node.args[0]
        value = self.expr(arg, depth + 1)
        if name in SCALAR_FUNCTIONS:
            if isinstance(value, list):
                raise self.fail(arg, f"{name} takes one number, but this is a list of {len(value)}: "
                                     f"use [{name}(z) for z in xs]")
            return self.apply(name, (value,), node)
        items = self.list_of(value, arg, name)
        if name == "softmax":
            return self.softmax(items, node)
        return self.apply(name, tuple(items), node)

    def softmax(self, items: list[int], where) -> list[int]:
        # Stable: subtract the largest input first, so exp never sees a positive number.
        # The max's gradient is (up to rounding) zero, since softmax ignores a shift.
        top = self.apply("max", tuple(items), where, hint="max",
                         role="the largest element, which softmax subtracts so exp cannot overflow")
        exps = [self.apply("exp", (self.apply("sub", (z, top), where,
                                              role="an element minus the largest"),),
                           where, role="exp of an element minus the largest")
                for z in items]
        total = self.apply("sum", tuple(exps), where, hint="Σ exp", role="the sum of the exps")
        return [self.apply("div", (e, total), where, role="an element's exp over the sum")
                for e in exps]

    def subscript(self, node: ast.Subscript, depth: int) -> int:
        value = self.expr(node.value, depth + 1)
        if not isinstance(value, list):
            raise self.fail(node, "only a list can be indexed, and this is one number")
        index = _signed_literal(node.slice)
        if index is None or not isinstance(index, int) or isinstance(index, bool):
            raise self.fail(node.slice, "an index must be a whole number written out, e.g. xs[0] or xs[-1]")
        if not -len(value) <= index < len(value):
            raise self.fail(node.slice, f"index {index} is out of range: the list has {len(value)} elements "
                                        f"(0 to {len(value) - 1})")
        return value[index]

    def comprehension(self, node: ast.ListComp, depth: int) -> list[int]:
        if len(node.generators) != 1:
            raise self.fail(node, "a list comprehension takes one `for`: [f(z) for z in xs]")
        gen = node.generators[0]
        if gen.is_async:
            raise self.fail(node, "async is not allowed: [f(z) for z in xs]")
        if gen.ifs:
            raise self.fail(node, "a list comprehension takes no `if`: [f(z) for z in xs]")
        if not isinstance(gen.target, ast.Name):
            raise self.fail(gen.target, "the loop variable must be one name: [f(z) for z in xs]")
        var = gen.target.id
        self.check_name(var, gen.target)
        items = self.expr(gen.iter, depth + 1)
        if not isinstance(items, list):
            raise self.fail(gen.iter, "a comprehension goes over a list, and this is one number")
        saved = self.env.get(var)
        out = []
        try:
            for item in items:
                self.env[var] = item
                out.append(self.scalar(self.expr(node.elt, depth + 1), node.elt, "each element"))
        finally:
            if saved is None:
                self.env.pop(var, None)
            else:
                self.env[var] = saved
        return out


def _signed_literal(node: ast.AST):
    """The number of a literal like 3, -2.5 or +1, or None."""
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign = -1 if isinstance(node.op, ast.USub) else 1
        node = node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) \
            and not isinstance(node.value, bool):
        return sign * node.value
    return None


def _constant_value(node: ast.AST, depth: int = 0):
    """The value of an exponent made of numbers only (2, -1, 1/2, (1+1)), or None."""
    if depth > 20:
        return None
    literal = _signed_literal(node)
    if literal is not None:
        try:
            return float(literal)
        except OverflowError:  # a huge integer literal: the op path reports it
            return None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _constant_value(node.operand, depth + 1)
        return None if inner is None else -inner
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        a = _constant_value(node.left, depth + 1)
        b = _constant_value(node.right, depth + 1)
        if a is None or b is None:
            return None
        try:
            value = {"add": a + b, "sub": a - b, "mul": a * b}.get(_BINOPS[type(node.op)])
            if isinstance(node.op, ast.Div):
                value = a / b
            elif isinstance(node.op, ast.Pow):
                value = a**b
        except (ZeroDivisionError, OverflowError):
            return None
        if isinstance(value, complex) or value is None or value - value != 0.0:
            return None
        return float(value)
    return None


def _sym(kind: str) -> str:
    return OPS[kind].symbol


def _functions() -> str:
    return (
        "Functions: " + ", ".join(SCALAR_FUNCTIONS) + " of one number; "
        + ", ".join(LIST_FUNCTIONS) + " of a list."
    )


def _attribute_refusal(attr: str) -> str:
    if _is_dunder(attr):
        return f"names with double underscores ({attr}) are not allowed"
    return (
        f".{attr} is not allowed: the only methods are "
        + ", ".join(f"x.{m}()" for m in METHODS)
    )


def _refusal(node: ast.AST) -> str:
    kind = type(node)
    if kind is ast.Attribute:
        return _attribute_refusal(node.attr)
    if kind is ast.Lambda:
        return "lambda is not allowed: write each step as its own line `name = expression`"
    if kind in (ast.Tuple, ast.Set, ast.Dict):
        return "only lists are allowed: write [a, b, c]"
    if kind in (ast.Compare, ast.BoolOp, ast.IfExp):
        return "comparisons and conditions are not allowed: use relu(x) or abs(x) for kinks"
    if kind.__name__ in ("JoinedStr", "TemplateStr"):
        return "strings are not allowed: a program computes with numbers only"
    if kind is ast.NamedExpr:
        return "the := operator is not allowed: write `name = expression` on its own line"
    if kind is ast.Starred:
        return "* unpacking is not allowed: use the list itself, or write its elements out"
    if kind in (ast.GeneratorExp, ast.SetComp, ast.DictComp):
        return "only list comprehensions are allowed: [f(z) for z in xs]"
    if kind in (ast.Await, ast.Yield, ast.YieldFrom):
        return "await and yield are not allowed"
    if kind is ast.Slice:
        return "slices are not allowed: pick one element, xs[0]"
    return f"this is not allowed in an expression. {ALLOWED}"


def _made_up_label(tape: Tape, i: int) -> str:
    """An unnamed node's label: its expression in its inputs' labels."""
    op = tape.ops[i]
    parts = [tape.labels[j] for j in tape.inputs[i]]
    if op.name == "same":
        return parts[0]
    if op.arity == 0:
        return join(render(op.show, [], args=parts if len(parts) <= 2 else [parts[0], "…"]))
    p = tape.params[i]
    return join(render(op.show, parts, p=_num(p) if p is not None else ""))


# ------------------------------------------------------------ labels in formulas
_LABEL = re.compile(r"(.+?)(@\d+)?(\[\d+\])?")
_UNSIGNED = re.compile(r"\d+(?:\.\d+)?(?:e[+-]?\d+)?|inf")
_CALL = re.compile(r"[^\W\d]\w*\(")
_FORMATTER = Formatter()
_LOOSER = (" + ", " - ", " * ", " / ")  # operators a negation binds tighter than


def _is_name(label: str) -> bool:
    """A plain name, as bind() and finish() make them: ``x``, ``x@1``, ``x[0]``,
    ``x@2[1]``. Every other label is an expression."""
    match = _LABEL.fullmatch(label)
    return bool(match) and match.group(1).isidentifier()


def _is_atom(label: str) -> bool:
    """Reads as one operand anywhere: a name, an unsigned number, or one call ``f(...)``."""
    if _is_name(label) or _UNSIGNED.fullmatch(label):
        return True
    call = _CALL.match(label)
    return bool(call) and _closes_at_end(label, call.end() - 1)


def _closes_at_end(text: str, start: int) -> bool:
    """The bracket at ``start`` is closed by the last character of ``text``."""
    if not text.endswith((")", "]")):
        return False
    depth = 0
    for k in range(start, len(text)):
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(text[k], 0)
        if depth == 0:
            return k == len(text) - 1
    return False


def wrap(label: str) -> str:
    """A label as an operand in a formula: an expression in parentheses."""
    return label if _is_atom(label) else f"({label})"


def d_of(label: str) -> str:
    """A label after the d of dL/dx: anything but a plain name in parentheses."""
    return label if _is_name(label) else f"({label})"


def render(template: str, inputs: list, **fields) -> list:
    """An op's format string (``"{0} * {1}"``, ``"exp({0})"``, ``"sum({args})"``) filled
    in, as formula parts. An argument is a label (a string, parenthesised where it
    stands as an operand) or a list of parts (a number, put in as it is); ``args``
    is the inputs of an n-ary op, ``p``/``pm1``/``n`` are the op's own numbers."""
    pieces = list(_FORMATTER.parse(template))
    out: list = []
    for n, (literal, field, _spec, _conv) in enumerate(pieces):
        if literal:
            out.append(literal)
        if field is None:
            continue
        value = inputs[int(field)] if field.isdigit() else fields[field]
        if field == "args":  # inside the call's parentheses: no wrapping needed
            for k, item in enumerate(value):
                out.extend([", "] if k else [])
                out.extend(item if isinstance(item, list) else [item])
        elif isinstance(value, list):
            out.extend(value)
        elif field in ("p", "pm1", "n"):
            out.append(str(value))
        else:
            following = pieces[n + 1][0] if n + 1 < len(pieces) else ""
            alone = len(pieces) == 1 and not literal
            bare = alone or (literal.endswith("(") and following.startswith(")"))
            # A negation binds tighter than + - * /: -a * b needs no parentheses on the left.
            negation = value.startswith("-") and (
                _is_atom(value[1:]) or value[1:2] == "(" and _closes_at_end(value, 1))
            bare = bare or (negation and n == 0 and not literal and following[:3] in _LOOSER)
            out.append(value if bare else wrap(value))
    return merge(out)


def merge(parts: list) -> list:
    """Adjacent plain strings joined into one."""
    out: list = []
    for part in parts:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        elif part != "":
            out.append(part)
    return out


def join(parts: list) -> str:
    """The text of formula parts: strings as they are, a dict by its one value."""
    return "".join(part if isinstance(part, str) else next(iter(part.values())) for part in parts)


# ------------------------------------------------------------------ about
def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= ABOUT_LIMIT else text[: ABOUT_LIMIT - 1] + "…"


def about(tape: Tape, i: int) -> str:
    """One line on what node ``i`` is, for a learner hovering over it: where a leaf's
    value is written, the program's own text for a computed name, and what a
    made-up name stands for."""
    label = tape.labels[i]
    kind = tape.kinds[i]
    origin = tape.origins.get(i) or {}
    line = origin.get("line", tape.locs[i][0])

    def source(span) -> str:
        return _quote(tape.source[span[0]:span[1]])

    if kind == LEAF:
        if origin.get("index") is not None:
            text = f"{label}: a leaf (an input), element {origin['index']} of the list {origin['name']} on line {line}"
        else:
            text = f"{label}: a leaf (an input), its value written on line {line}"
        if "@" in label:
            text += f"; {origin.get('name', label.split('@')[0])} names another value on a later line"
        return text
    if kind == CONST:
        return f"{label}: the constant {source(tape.spans[i])}, line {line}"
    how = origin.get("how")
    if how == "aug":
        before = tape.labels[tape.inputs[i][0]]
        return (f"{label} = {before} {tape.ops[i].symbol} {wrap(source(origin['value']))} "
                f"(line {line}: {source(origin['statement'])})")
    if how in ("assign", "output"):
        index, elements = origin.get("index"), origin.get("elements")
        if index is not None and elements:
            value = source(elements[index])
        elif index is not None:
            value = f"element {index} of {source(origin['value'])}"
        else:
            value = source(origin["value"])
        tail = ", the output" if how == "output" else ""
        return f"{label} = {value} (line {line}{tail})"
    whole = source(tape.spans[i])
    role = origin.get("role")
    what = f"{role}, in {whole}" if role else whole
    if i in tape.made_up:
        return (f"{label} is a name gradstep made up for {what}, part of line {line} "
                "(the program does not name it)")
    if role:
        return f"{label}: {what}, part of line {line} (the program does not name it)"
    if label.replace(" ", "") == whole.replace(" ", ""):
        return f"{label}: part of line {line} (the program does not name it)"
    return f"{label}: from {whole}, part of line {line} (the program does not name it)"


# ------------------------------------------------------------ unreadable text
# Python's parser words its complaints for Python programmers ("invalid syntax",
# "cannot assign to expression here"). These turn each into what is wrong in a
# program's own terms and what to write instead.

_CLOSE = {"(": ")", "[": "]", "{": "}"}
_OPEN = {v: k for k, v in _CLOSE.items()}
_CONDITIONS = "comparisons and conditions are not allowed: use relu(x) or abs(x) for kinks"
_KEYWORD_HELP = {
    "import": _STATEMENT_HELP[ast.Import], "from": _STATEMENT_HELP[ast.ImportFrom],
    "def": _STATEMENT_HELP[ast.FunctionDef], "class": _STATEMENT_HELP[ast.ClassDef],
    "for": _STATEMENT_HELP[ast.For], "while": _STATEMENT_HELP[ast.While],
    "if": _STATEMENT_HELP[ast.If],
    "elif": "elif is not allowed: a program is one straight-line computation",
    "else": "else is not allowed: a program is one straight-line computation",
    "with": _STATEMENT_HELP[ast.With], "try": _STATEMENT_HELP[ast.Try],
    "except": _STATEMENT_HELP[ast.Try], "finally": _STATEMENT_HELP[ast.Try],
    "del": _STATEMENT_HELP[ast.Delete], "global": _STATEMENT_HELP[ast.Global],
    "nonlocal": _STATEMENT_HELP[ast.Nonlocal], "return": _STATEMENT_HELP[ast.Return],
    "pass": _STATEMENT_HELP[ast.Pass], "break": _STATEMENT_HELP[ast.Break],
    "continue": _STATEMENT_HELP[ast.Continue], "raise": _STATEMENT_HELP[ast.Raise],
    "assert": _STATEMENT_HELP[ast.Assert],
    "lambda": "lambda is not allowed: write each step as its own line `name = expression`",
    "yield": "yield is not allowed: the last line is the output",
    "await": "await is not allowed: a program is lines of `name = expression`",
    "async": "async is not allowed: a program is lines of `name = expression`",
    "in": _CONDITIONS, "is": _CONDITIONS, "and": _CONDITIONS, "or": _CONDITIONS,
    "not": _CONDITIONS,
    "True": "True is not a number here: write 1.0", "False": "False is not a number here: write 0.0",
    "None": "None is not a number: write a number, like 0.0",
}
_CHARACTER_HELP = {
    "²": "write a square as x ** 2", "³": "write a cube as x ** 3",
    "×": "write * to multiply", "·": "write * to multiply", "∙": "write * to multiply",
    "÷": "write / to divide", "−": "write - (the minus key) to subtract",
    "–": "write - (the minus key) to subtract", "—": "write - (the minus key) to subtract",
    "√": "write sqrt(x) for a square root",
    "“": "quotes start text, and programs have no text: remove them",
    "”": "quotes start text, and programs have no text: remove them",
    "‘": "quotes start text, and programs have no text: remove them",
    "’": "quotes start text, and programs have no text: remove them",
    "≠": _CONDITIONS, "≤": _CONDITIONS, "≥": _CONDITIONS,
}
_COMPREHENSION = "a list comprehension reads [f(z) for z in xs]"
# Keywords inside a line (not at its start) mean something else there.
_INSIDE_HELP = {"if": _CONDITIONS, "else": _CONDITIONS, "for": _COMPREHENSION,
                "async": _COMPREHENSION}
_METHOD_HELP = "after a dot comes a method: " + " ".join(f"x.{m}()" for m in METHODS)
# A number-like run of text: digits, letters, dots and underscores, and a sign
# right after an e (1e-5x).
_NUMBER_RUN = re.compile(r"(?<![\w.])\.?\d(?:[\w.]|(?<=[eE])[+-])*")
_NUMBER = re.compile(r"(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?")
_OPERATORS = "+-*/%@<>=&|^~,"


def _where(text: str, index: int) -> tuple[int, int]:
    """(line, col), 1-based, of a character offset, counting lines as ast does."""
    breaks = list(re.finditer(r"\r\n|\r|\n", text[:index]))
    start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, index - start + 1


def _nul_error(text: str) -> ProgramError:
    line, col = _where(text, max(text.find("\x00"), 0))
    return ProgramError(line, col, "there is an invisible NUL character (code 0) here: delete it")


def _syntax_error(error: SyntaxError, text: str, lines: list[str]) -> ProgramError:
    """A ProgramError in a program's own words for what Python's parser refused."""
    message = error.msg or ""
    if "null bytes" in message:
        return _nul_error(text)
    if "integer string conversion" in message or "Exceeds the limit" in message:
        # A whole number of thousands of digits: Python reports no place for it.
        for match in re.finditer(r"\d{1000,}", text):
            line, col = _where(text, match.start())
            if "#" not in lines[line - 1][: col - 1]:
                return ProgramError(line, col, TOO_LARGE)
        return ProgramError(error.lineno or 1, 1, TOO_LARGE)
    line = min(max(error.lineno or 1, 1), len(lines))
    source = lines[line - 1]
    col = min(max(error.offset or 1, 1), len(source) + 1)
    col, words = _syntax_words(message, source, col)
    return ProgramError(line, col, words)


def _syntax_words(message: str, source: str, col: int) -> tuple[int, str]:
    """(col, words) for one refused line; ``col`` is Python's, 1-based."""
    first = re.match(r"\s*([^\W\d]\w*)(?!\w)", source)
    if first and keyword.iskeyword(first.group(1)) and first.group(1) in _KEYWORD_HELP:
        return first.start(1) + 1, _KEYWORD_HELP[first.group(1)]
    if "indent" in message or "tabs and spaces" in message:
        return 1, ("this line is indented: every line of a program starts at the left edge, "
                   "with no spaces or tabs before it")
    found = re.match(r"'(.)' was never closed", message)
    if found:
        opening = found.group(1)
        extra = " ({ } are not allowed: lists use [ ])" if opening == "{" else ""
        return col, f"this {opening} is never closed: add a {_CLOSE[opening]} where it ends{extra}"
    found = re.match(r"unmatched '(.)'", message)
    if found:
        closing = found.group(1)
        return col, (f"this {closing} closes nothing: remove it, or add the {_OPEN.get(closing, '(')} "
                     "it should close")
    found = re.match(r"closing parenthesis '(.)' does not match opening parenthesis '(.)'", message)
    if found:
        closing, opening = found.groups()
        return col, f"this {closing} does not match the {opening} before it: close {opening} with {_CLOSE[opening]}"
    if "string" in message and ("unterminated" in message or "EOL" in message or "EOF" in message) \
            or message.startswith("f-string"):
        return col, ("a quote starts text, and programs have no text: remove it "
                     "(a comment starts with #)")
    if "too many nested parentheses" in message or "too complex" in message:
        return col, ("this line is nested too deeply (too many parentheses) to read: "
                     "split it into named steps on separate lines")
    if "decimal literal" in message or "leading zeros" in message or re.search(
            r"(hexadecimal|octal|binary|imaginary) literal", message):
        return _number_words(message, source, col)
    found = re.match(r"invalid character '(.)'", message)
    if found:
        char = found.group(1)
        advice = _CHARACTER_HELP.get(
            char, "expressions use numbers, names, + - * / ** and parentheses"
        )
        return col, f"the character {char} cannot be used in a program: {advice}"
    found = re.match(r"invalid non-printable character (U\+[0-9A-Fa-f]+)", message)
    if found:
        return col, (f"there is an invisible character ({found.group(1)}) here: "
                     "delete it and type a plain space if one is needed")
    found = re.match(r"cannot assign to ([\w -]+?)( here|$|\.)", message)
    if found:
        what = {"literal": "a number", "function call": "a function call"}.get(
            found.group(1), "an expression")
        return col, (f"only a name can stand left of =, and this is {what}: {LINE_FORM} "
                     "(programs name values; they do not compare them with ==)")
    if "augmented assignment" in message:
        return col, "only a name can stand left of +=, -=, *= or /=, like `y += x`"
    if "Maybe you meant '==' or ':='" in message:
        return col, (f"= can only follow the name at the start of a line: {LINE_FORM} "
                     "(programs do not compare values with ==)")
    if message.startswith("Missing parentheses in call to"):
        return 1, ("print is not part of programs: the last line is the output, "
                   "and the page shows every value")
    if "forgot a comma" in message:
        return col, "a comma is missing between two items: write [1.0, 2.0], not [1.0 2.0]"
    if "keyword argument" in message:
        return col, "keyword arguments are not allowed: pass one value, e.g. exp(x)"
    if "expected 'else'" in message:
        return col, _CONDITIONS
    if "comprehension" in message or "expected 'in'" in message:
        return col, _COMPREHENSION
    if "starred" in message or "unpacking" in message:
        return col, "* unpacking is not allowed: use the list itself, or write its elements out"
    if "Generator expression" in message:
        return col, "only list comprehensions are allowed: [f(z) for z in xs]"
    if "unexpected EOF" in message and source.rstrip().endswith("\\"):
        return len(source.rstrip()), ("a \\ at the end of a line joins the next line to it, "
                                      "and there is none: remove the \\")
    return _invalid_words(source, col)


def _number_words(message: str, source: str, col: int) -> tuple[int, str]:
    run = None
    for match in _NUMBER_RUN.finditer(source):
        if match.start() <= col - 1 < match.end() or match.end() == col - 1:
            run = match
            break
    if run is None:
        return col, "write numbers like 2, 0.5 or 1.5e-3"
    token = run.group()
    if "leading zeros" in message:
        return run.start() + 1, (f"a whole number cannot start with 0: write "
                                 f"{token.lstrip('0_') or '0'}")
    if re.search(r"(hexadecimal|octal|binary) literal", message):
        return run.start() + 1, "write numbers in decimal, like 16, 0.5 or 1.5e-3"
    number = _NUMBER.match(token)
    head, rest = (token[: number.end()], token[number.end():]) if number else ("", token)
    if head and re.fullmatch(r"[eE][+-]?", rest):
        return run.start() + 1, "scientific notation needs digits after the e, like 1e5 or 2.5e-3"
    if head and "_" in token and not rest[:1].isalpha():
        return run.start() + 1, ("an underscore in a number must stand between two digits, "
                                 "like 1_000 (or leave it out)")
    if head and (rest[:1].isalpha() or rest[:1] == "_"):
        return run.start() + 1, (f"a number cannot run into a name: write {head} * {rest} "
                                 "to multiply (a name starts with a letter)")
    return run.start() + 1, f"{token} is not a number: write numbers like 2, 0.5 or 1.5e-3"


def _invalid_words(source: str, col: int) -> tuple[int, str]:
    """Python said only "invalid syntax": look at the text around the place."""
    code = source.split("#", 1)[0]
    before = code[: col - 1].rstrip()
    here = code[col - 1:].lstrip()
    word = re.match(r"[^\W\d]\w*", here)
    if word and word.group() in _KEYWORD_HELP:
        return col, _INSIDE_HELP.get(word.group(), _KEYWORD_HELP[word.group()])
    word = re.search(r"(?<!\w)([^\W\d]\w*)$", before)
    if word and word.group(1) in _KEYWORD_HELP:
        return word.start(1) + 1, _INSIDE_HELP.get(word.group(1), _KEYWORD_HELP[word.group(1)])
    if re.search(r"\bfor\b", code) and "[" in code:
        return col, _COMPREHENSION
    if ":=" in code:
        at = code.index(":=")
        return at + 1, "the := operator is not allowed: write `name = expression` on its own line"
    if before.endswith(".") and not re.search(r"\d\.$", before) or re.match(r"\.[\d(]", here) \
            and re.search(r"[^\W\d]\w*$|\)$", before):
        return col, _METHOD_HELP
    if re.match(r"\.\d", here) and re.search(r"\d$", before):
        return col, "a number has at most one decimal point, like 1.5"
    if not here:
        if before.endswith("="):
            return col, "nothing follows =: write the value, like `x = 1.0`"
        last = re.search(r"(\*\*|[-+*/,(\[])$", before)
        if last:
            return col, (f"the line ends after {last.group(1)}: finish the expression on the same "
                         f"line, like `y = x {last.group(1) if last.group(1) in '+-*/**' else '+'} 1.0`")
        return col, f"this line is unfinished: {LINE_FORM}"
    char = here[0]
    if not (char.isalnum() or char in "_.()[]" or char in _OPERATORS or char.isspace()):
        return col, (f"the character {char} cannot be used in a program: expressions use "
                     "numbers, names, + - * / ** and parentheses")
    left = _last_operand(before)
    if left and (char.isalnum() or char in "_.(["):
        right = re.match(r"[\w.]+|\(|\[", here).group()
        return col, (f"an operator is missing between {left} and {right}: write, for example, "
                     f"`{left} * {right}`")
    if char in ",)]" and (not before or before[-1] in _OPERATORS + "(["):
        return col, f"a value is missing before {char}"
    if char in _OPERATORS and (not before or before[-1] in _OPERATORS + "(["):
        return col, ("a value is missing before " + (here[:2] if here[:2] == "**" else char)
                     + ": write operators between values, like `x * 2` (** is the power)")
    return col, (f"this line cannot be read as a program line: {LINE_FORM}, "
                 "or the output expression alone as the last line")


def _last_operand(before: str) -> str:
    """The value ``before`` ends with: a name or number, or a call or bracket group."""
    if before.endswith((")", "]")):
        depth = 0
        for k in range(len(before) - 1, -1, -1):
            depth += {")": 1, "]": 1, "(": -1, "[": -1}.get(before[k], 0)
            if depth == 0:
                head = re.search(r"[\w.]*$", before[:k]).group()
                return head + before[k:]
        return ""
    found = re.search(r"[\w.]+$", before)
    return found.group() if found else ""


# ------------------------------------------------------------- edited values
def _same_float(a: float, b: float) -> bool:
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def program_with(tape: Tape, values: list[float]) -> str:
    """The program's text with each leaf's literal replaced by its value in
    ``values`` (``repr``, so it reads back as exactly that float); a leaf whose value
    is still its literal's keeps the literal as written, and everything else
    (comments, spacing, other lines) is kept character for character."""
    pieces = []
    last = 0
    for i in sorted(tape.leaf_indices(), key=lambda i: tape.spans[i][0]):
        value = float(values[i])
        if _same_float(value, tape.init[i]):
            continue
        start, end = tape.spans[i]
        pieces += [tape.source[last:start], repr(value)]
        last = end
    pieces.append(tape.source[last:])
    return "".join(pieces)
