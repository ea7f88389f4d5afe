"""Programs: a small subset of Python, read with ``ast`` against a whitelist, into a tape.

The text is parsed, never executed: no ``exec``, no ``eval``, no name lookup in
Python's namespaces. Every construct is checked against the forms in the contract
(shared/contract.md, section 1) and turned into tape nodes; anything else is
refused with its line and column and what to write instead. A program from a
shared link runs in a stranger's browser, so this file is the sandbox.
"""

from __future__ import annotations

import ast
import re

from gradstep.core.errors import ProgramError
from gradstep.core.ops import LIST_FUNCTIONS, METHODS, OPS, SCALAR_FUNCTIONS, _num
from gradstep.core.tape import CONST, LEAF, OP, Tape
from gradstep.program import reader
from gradstep.program.messages import (
    ALLOWED,
    OP_WORDS,
    STATEMENT_HELP,
    TOO_LARGE,
    attribute_refusal,
    functions_help,
    is_dunder,
    nul_error,
    refusal,
    syntax_error,
)
from gradstep.program.notation import LABEL_LIMIT, made_up_label

MAX_CHARS = 5_000_000
MAX_NODES = 1_000_000
MAX_DEPTH = 100  # nesting of one expression; a long a + b + c + ... chain is not nesting
_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
_AUGOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div"}
def compile_program(text: str) -> Tape:
    """Read a program and return its tape, or raise ``ProgramError``."""
    return _Compiler(text).run()


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
            module = reader.parse(self.text)  # (ast.parse, without deep recursion: see reader.py)
        except SyntaxError as error:
            raise syntax_error(error, self.text, self.lines) from None
        except (RecursionError, MemoryError):
            # Python's parser gives no place; the longest line is the likely culprit.
            longest = max(range(len(self.lines)), key=lambda k: len(self.lines[k]))
            raise ProgramError(
                longest + 1, 1,
                "this line is nested too deeply (or is too long a chain) to read: "
                "split it into named steps on separate lines",
            ) from None
        except ValueError:  # a NUL character, on older Pythons
            raise nul_error(self.text) from None
        try:
            body = module.body
            if not body:
                raise ProgramError(
                    1, 1, "the program is empty: write lines such as `x = 2.0` and `y = x ** 2`"
                )
            for index, statement in enumerate(body):
                self.statement_start = len(self.tape)
                self.statement(statement, last=index == len(body) - 1)
            self.finish()
        finally:
            reader.release(module)  # (a deep tree is freed node by node: see reader.release)
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
            message = STATEMENT_HELP.get(type(st))
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
        if is_dunder(name):
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
                label = made_up_label(tape, i)
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
        raise self.fail(node, refusal(node))

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
        if is_dunder(name):
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
            word = OP_WORDS.get(type(node.op), type(node.op).__name__)
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
            if func.attr not in METHODS or is_dunder(func.attr):
                raise self.fail(func, attribute_refusal(func.attr))
            if node.args:
                raise self.fail(node, f".{func.attr}() takes no arguments")
            value = self.scalar(self.expr(func.value, depth + 1), func.value, f"x in x.{func.attr}()")
            return self.apply(func.attr, (value,), node)
        if not isinstance(func, ast.Name):
            raise self.fail(node, "only the built-in functions can be called, by name: exp(x), sum(xs), ...")
        name = func.id
        if is_dunder(name):
            raise self.fail(func, f"names with double underscores ({name}) are not allowed")
        if name not in SCALAR_FUNCTIONS and name not in LIST_FUNCTIONS:
            raise self.fail(func, f"{name}() is not a function gradstep knows. {functions_help()}")
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

