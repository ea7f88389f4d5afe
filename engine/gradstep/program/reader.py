"""A program's text into Python's ``ast``, without letting the parser recurse deeply.

``ast.parse`` recurses in C once per level of nesting: in the page's worker (Pyodide, in a
browser thread with a small stack) about 190 nested brackets, or a one-line sum of about a
thousand terms, overflow the stack and kill the interpreter for good, where CPython only
raises ``RecursionError``. So this reads in two steps:

1. A cheap scan (``_has_long_chain``): the deepest bracket nesting and the longest logical line, in
   operators. Brackets nested more than ``MAX_NESTING`` deep are refused here, with their
   line and column, before anything is parsed.
2. Programs with no long chain (nearly all) go to ``ast.parse`` whole. A program with one
   is tokenized (``tokenize``, pure Python, no recursion) and each long statement is built
   here: split at its top-level ``+ -``, then ``* /``, then ``**``, each operand parsed on its
   own by ``ast.parse`` and the chain assembled as the parser would (left to right,
   ``**`` to the right, unary minus below ``**``), with the same line and column on every
   node. ``tests/program/test_reader.py`` checks the trees equal ``ast.parse``'s, positions
   included, where CPython can parse both.

Freeing a deep tree recurses as deeply as parsing it: ``release`` takes it apart first.

A chain inside a call, a list or an index (``f(x + x + ...)``) is not split: past
``LONG_CHAIN`` operators it is refused, with what to write instead. Length alone is no
danger: a list of a thousand numbers is two levels deep, and goes to ``ast.parse`` whole.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize

from gradstep.core.errors import ProgramError

MAX_NESTING = 100  # brackets inside brackets (the compiler allows 100 levels of expression too)
LONG_CHAIN = 200  # operators in one logical line past which it is read piece by piece

NESTED_TOO_DEEP = (f"this expression is nested more than {MAX_NESTING} levels deep: "
                   "split it into named steps on separate lines")
TOO_LONG_INSIDE = ("this has a chain of {n} operators inside brackets, too long to read there: give its parts "
                   "names on lines above, like `s1 = a + b + c`, and use the names here")
TOO_LONG_HERE = ("this line has a chain of {n} operators, too long to read in a line of this kind: a long chain "
                 "can stand in `name = ...`, `name += ...` or the last line; split the rest into named steps")

_BRACKETS = re.compile(r"[()\[\]{}]|#[^\r\n]*|\r\n|\r|\n")
_OPEN, _CLOSE = "([{", ")]}"
_OPERATORS = ("+", "-", "*", "/")


def parse(text: str) -> ast.Module:
    """``ast.parse(text)``'s module, read without deep recursion (see the module doc).
    ``SyntaxError`` as ``ast.parse`` raises it; ``ProgramError`` for nesting too deep."""
    if not _has_long_chain(text):
        return ast.parse(text, mode="exec")
    return _Reader(text).module()


def release(tree: ast.AST) -> None:
    """Take a tree apart node by node. Freeing a deep tree frees each node's children from
    inside its own deallocation, recursing in C once per level: the same stack overflow as
    parsing it, at the moment the compiler lets go of it. Emptied first, each node is freed
    alone. (Cheap: one more walk over nodes the compiler has just visited.)"""
    nodes = list(ast.walk(tree))
    for node in nodes:
        for field in node._fields:
            setattr(node, field, None)


def _has_long_chain(text: str) -> bool:
    """Refuse nesting past MAX_NESTING; say whether a logical line has more than LONG_CHAIN
    operators. One pass over the brackets and line ends (C-speed regex), and str.count."""
    depth = 0
    line, line_start = 1, 0
    logical_ops = 0  # operators of the logical line so far
    for m in _BRACKETS.finditer(text):
        c = m.group()
        if c[0] == "#":
            continue
        if c in _OPEN:
            depth += 1
            if depth > MAX_NESTING:
                raise ProgramError(line, len(text[line_start:m.start()]) + 1, NESTED_TOO_DEEP)
        elif c in _CLOSE:
            depth = max(0, depth - 1)
        else:  # a line end
            segment = text[line_start:m.start()]
            logical_ops += sum(segment.count(op) for op in _OPERATORS)
            if logical_ops > LONG_CHAIN:
                return True
            if depth == 0 and not segment.rstrip().endswith("\\"):
                logical_ops = 0
            line, line_start = line + 1, m.end()
    segment = text[line_start:]
    return logical_ops + sum(segment.count(op) for op in _OPERATORS) > LONG_CHAIN


# ------------------------------------------------------------------ the careful path
_BIN = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div, "//": ast.FloorDiv, "%": ast.Mod,
        "@": ast.MatMult, "**": ast.Pow}
_UNARY = {"+": ast.UAdd, "-": ast.USub, "~": ast.Invert}
_LEVELS = (("+", "-"), ("*", "/", "//", "%", "@"))
_AUG = {"+=", "-=", "*=", "/=", "//=", "%=", "@=", "**="}
_SKIP = (tokenize.NL, tokenize.COMMENT, tokenize.ENCODING)


class _Reader:
    def __init__(self, text: str):
        self.text = text
        self.lines = text.splitlines(keepends=True) or [""]

    def module(self) -> ast.Module:
        try:
            tokens = [t for t in tokenize.generate_tokens(io.StringIO(self.text).readline) if t.type not in _SKIP]
        except (tokenize.TokenError, SyntaxError):
            return ast.parse(self.text, mode="exec")  # (its error, with its place; nesting is bounded)
        if any(t.type in (tokenize.INDENT, tokenize.DEDENT) for t in tokens):
            return ast.parse(self.text, mode="exec")
        body = []
        for statement in _statements(tokens):
            body.append(self.statement(statement))
        return ast.Module(body=body, type_ignores=[])

    # -- text of tokens, and positions ---------------------------------------------------
    def source(self, tokens) -> str:
        """The program's text from the first token's start to the last's end."""
        (l0, c0), (l1, c1) = tokens[0].start, tokens[-1].end
        if l0 == l1:
            return self.lines[l0 - 1][c0:c1]
        return self.lines[l0 - 1][c0:] + "".join(self.lines[l0:l1 - 1]) + self.lines[l1 - 1][:c1]

    def byte_col(self, line: int, col: int) -> int:
        """tokenize's column (characters) as ast's (UTF-8 bytes)."""
        text = self.lines[line - 1]
        return col if text.isascii() else len(text[:col].encode())

    def parse_part(self, tokens, mode="eval", message=TOO_LONG_INSIDE):
        """Tokens parsed by ast.parse on their own, positions moved to where they stand; refused
        (``message``) when they hold a chain too long for ast.parse to recurse through."""
        run = _longest_run(tokens)
        if run > LONG_CHAIN:
            line, col = tokens[0].start
            raise ProgramError(line, col + 1, message.format(n=run))
        text = self.source(tokens)
        line, col = tokens[0].start
        try:
            tree = ast.parse(text, mode=mode)
        except SyntaxError as error:
            if error.lineno is not None:  # (ast's offsets are 1-based characters here)
                if error.lineno == 1 and error.offset is not None:
                    error.offset += col
                if getattr(error, "end_lineno", None) == 1 and error.end_offset is not None:
                    error.end_offset += col
                error.lineno += line - 1
                if getattr(error, "end_lineno", None) is not None:
                    error.end_lineno += line - 1
                error.text = self.lines[error.lineno - 1] if error.lineno <= len(self.lines) else error.text
            raise
        shift = self.byte_col(line, col)
        for node in ast.walk(tree):
            if hasattr(node, "lineno"):
                if node.lineno == 1:
                    node.col_offset += shift
                if getattr(node, "end_lineno", None) == 1:
                    node.end_col_offset += shift
                node.lineno += line - 1
                if node.end_lineno is not None:
                    node.end_lineno += line - 1
        return tree.body if mode == "eval" else tree.body[0]

    def place(self, node, first, last):
        node.lineno, col = first.start
        node.col_offset = self.byte_col(node.lineno, col)
        node.end_lineno, end = last.end
        node.end_col_offset = self.byte_col(node.end_lineno, end)
        return node

    # -- statements ---------------------------------------------------------------------
    def statement(self, tokens) -> ast.stmt:
        if _longest_run(tokens) <= LONG_CHAIN:
            return self.parse_part(tokens, mode="exec")
        head = tokens[0]
        if head.type == tokenize.NAME and len(tokens) > 2 and tokens[1].type == tokenize.OP:
            op = tokens[1].string
            if op == "=" and not any(t.string == "=" for t in _top_level(tokens[2:]) if t.type == tokenize.OP):
                target = self.place(ast.Name(id=head.string, ctx=ast.Store()), head, head)
                value = self.expr(tokens[2:])
                return self.place(ast.Assign(targets=[target], value=value, type_comment=None), head, tokens[-1])
            if op in _AUG:
                target = self.place(ast.Name(id=head.string, ctx=ast.Store()), head, head)
                value = self.expr(tokens[2:])
                node = ast.AugAssign(target=target, op=_BIN[op[:-1]](), value=value)
                return self.place(node, head, tokens[-1])
        if any(t.type == tokenize.OP and (t.string == "=" or t.string in _AUG) for t in _top_level(tokens)):
            return self.parse_part(tokens, mode="exec", message=TOO_LONG_HERE)  # (another kind of statement)
        return self.place(ast.Expr(value=self.expr(tokens)), tokens[0], tokens[-1])

    # -- expressions --------------------------------------------------------------------
    def exprs(self, parts) -> list[ast.expr]:
        """Each part read; the chain is linked only once all are (a part refused halfway would
        otherwise leave a deep half-chain to be freed recursively: see ``release``)."""
        done = []
        try:
            for part in parts:
                done.append(self.expr(part))
        except BaseException:
            for tree in done:
                release(tree)
            raise
        return done

    def expr(self, tokens) -> ast.expr:
        if _longest_run(tokens) <= LONG_CHAIN:
            return self.parse_part(tokens)
        for level in _LEVELS:
            parts, ops = _split(tokens, level)
            if ops:
                operands = self.exprs(parts)
                node = operands[0]
                for op, part, right in zip(ops, parts[1:], operands[1:], strict=True):
                    node = self.place(ast.BinOp(left=node, op=_BIN[op.string](), right=right), parts[0][0], part[-1])
                return node
        first = tokens[0]
        if first.type == tokenize.OP and first.string in _UNARY:
            # -x ** y is -(x ** y): the unary minus takes what follows, ** included
            run = 1
            while run < len(tokens) and tokens[run].type == tokenize.OP and tokens[run].string in _UNARY:
                run += 1
            if run > MAX_NESTING:
                line, col = first.start
                raise ProgramError(line, col + 1, NESTED_TOO_DEEP)
            node = self.expr(tokens[run:])
            for k in range(run - 1, -1, -1):
                node = self.place(ast.UnaryOp(op=_UNARY[tokens[k].string](), operand=node), tokens[k], tokens[-1])
            return node
        parts, ops = _split(tokens, ("**",))
        if ops:  # right to left: a ** b ** c is a ** (b ** c)
            operands = self.exprs(parts)
            node = operands[-1]
            for k in range(len(ops) - 1, -1, -1):
                node = self.place(ast.BinOp(left=operands[k], op=ast.Pow(), right=node), parts[k][0], tokens[-1])
            return node
        if first.string == "(" and _closes_at(tokens, 0) == len(tokens) - 1 and len(tokens) > 2:
            inner = tokens[1:-1]
            if not any(t.string in (",", "for", ":=", "yield") for t in _top_level(inner)):
                return self.expr(inner)  # (a parenthesized expression is its inside, positions and all)
        return self.parse_part(tokens)


def _bracket(t) -> int:
    """+1 for a token that opens a bracket, -1 for one that closes it, 0 for any other."""
    if t.type == tokenize.OP:
        if t.string in _OPEN:
            return 1
        if t.string in _CLOSE:
            return -1
    return 0


def _statements(tokens):
    """The program's statements as token lists: split at NEWLINE and top-level `;`."""
    current, depth = [], 0
    for t in tokens:
        depth += _bracket(t)
        ends = t.type in (tokenize.NEWLINE, tokenize.ENDMARKER)
        if ends or (depth == 0 and t.type == tokenize.OP and t.string == ";"):
            if current:
                yield current
            current = []
        else:
            current.append(t)
    if current:
        yield current


def _top_level(tokens):
    """The tokens outside every bracket (the brackets themselves left out)."""
    depth = 0
    for t in tokens:
        step = _bracket(t)
        depth += step
        if not step and depth == 0:
            yield t


def _closes_at(tokens, k: int) -> int:
    """The index of the bracket that closes the one at ``k``."""
    depth = 0
    for j in range(k, len(tokens)):
        step = _bracket(tokens[j])
        depth += step
        if step < 0 and depth == 0:
            return j
    return -1


def _split(tokens, ops):
    """Parts and the binary operators between them, at the top level, for operators of one
    precedence. An operator is binary when what precedes it ends an operand."""
    parts, found, depth, start = [], [], 0, 0
    for k, t in enumerate(tokens):
        step = _bracket(t)
        depth += step
        if not step and depth == 0 and k > start and t.type == tokenize.OP and t.string in ops \
                and _ends_operand(tokens[k - 1]):
            parts.append(tokens[start:k])
            found.append(t)
            start = k + 1
    if found:
        parts.append(tokens[start:])
        if not parts[-1]:  # a dangling operator, as ast.parse would say it (in the compiler's words)
            line, col = found[-1].start
            raise ProgramError(line, col + 1, f"nothing follows {found[-1].string}: finish the expression "
                                              f"after it, or remove the {found[-1].string}")
    return parts, found


_CHAIN_OPS = {"+", "-", "*", "/", "//", "%", "@", "**", "~"}
_SEPARATORS = {",", ":", "for", "in", "if", "else", "="}


def _longest_run(tokens) -> int:
    """The most operators in one stretch of expression: within one bracket level, between
    commas (and the words of a comprehension). What makes ast.parse recurse deeply is a long
    chain, not a long list: ``[-1.0, -1.0, ...]`` is a run of one."""
    runs = [0]
    longest = 0
    for t in tokens:
        s = t.string
        step = _bracket(t)
        if step > 0:
            runs.append(0)
        elif step < 0:
            longest = max(longest, runs.pop() if len(runs) > 1 else runs[0])
        elif s in _SEPARATORS and t.type in (tokenize.OP, tokenize.NAME):
            longest = max(longest, runs[-1])
            runs[-1] = 0
        elif t.type == tokenize.OP and s in _CHAIN_OPS:
            runs[-1] += 1
    return max(longest, *runs)


def _ends_operand(t) -> bool:
    if t.type in (tokenize.NAME, tokenize.NUMBER, tokenize.STRING):
        return t.string not in ("and", "or", "not", "in", "is", "if", "else", "lambda", "for", "await", "yield")
    return t.type == tokenize.OP and t.string in _CLOSE
