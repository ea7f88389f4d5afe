"""The wording of a program's refusals and syntax errors: what is wrong, in the program's
own terms, and what to write instead (every message the compiler raises that is not about
one value). Python's parser words its complaints for Python programmers; these do not.
"""

from __future__ import annotations

import ast
import keyword
import re

from gradstep.core.errors import ProgramError
from gradstep.core.ops import LIST_FUNCTIONS, METHODS, SCALAR_FUNCTIONS

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

OP_WORDS = {
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&",
}
STATEMENT_HELP = {
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


def is_dunder(name: str) -> bool:
    return name.startswith("__") or name.endswith("__")


def functions_help() -> str:
    return (
        "Functions: " + ", ".join(SCALAR_FUNCTIONS) + " of one number; "
        + ", ".join(LIST_FUNCTIONS) + " of a list."
    )


def attribute_refusal(attr: str) -> str:
    if is_dunder(attr):
        return f"names with double underscores ({attr}) are not allowed"
    return (
        f".{attr} is not allowed: the only methods are "
        + ", ".join(f"x.{m}()" for m in METHODS)
    )


def refusal(node: ast.AST) -> str:
    kind = type(node)
    if kind is ast.Attribute:
        return attribute_refusal(node.attr)
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


# ------------------------------------------------------------ unreadable text
# Python's parser words its complaints for Python programmers ("invalid syntax",
# "cannot assign to expression here"). These turn each into what is wrong in a
# program's own terms and what to write instead.

_CLOSE = {"(": ")", "[": "]", "{": "}"}
_OPEN = {v: k for k, v in _CLOSE.items()}
_CONDITIONS = "comparisons and conditions are not allowed: use relu(x) or abs(x) for kinks"
_KEYWORD_HELP = {
    "import": STATEMENT_HELP[ast.Import], "from": STATEMENT_HELP[ast.ImportFrom],
    "def": STATEMENT_HELP[ast.FunctionDef], "class": STATEMENT_HELP[ast.ClassDef],
    "for": STATEMENT_HELP[ast.For], "while": STATEMENT_HELP[ast.While],
    "if": STATEMENT_HELP[ast.If],
    "elif": "elif is not allowed: a program is one straight-line computation",
    "else": "else is not allowed: a program is one straight-line computation",
    "with": STATEMENT_HELP[ast.With], "try": STATEMENT_HELP[ast.Try],
    "except": STATEMENT_HELP[ast.Try], "finally": STATEMENT_HELP[ast.Try],
    "del": STATEMENT_HELP[ast.Delete], "global": STATEMENT_HELP[ast.Global],
    "nonlocal": STATEMENT_HELP[ast.Nonlocal], "return": STATEMENT_HELP[ast.Return],
    "pass": STATEMENT_HELP[ast.Pass], "break": STATEMENT_HELP[ast.Break],
    "continue": STATEMENT_HELP[ast.Continue], "raise": STATEMENT_HELP[ast.Raise],
    "assert": STATEMENT_HELP[ast.Assert],
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


def nul_error(text: str) -> ProgramError:
    line, col = _where(text, max(text.find("\x00"), 0))
    return ProgramError(line, col, "there is an invisible NUL character (code 0) here: delete it")


def syntax_error(error: SyntaxError, text: str, lines: list[str]) -> ProgramError:
    """A ProgramError in a program's own words for what Python's parser refused."""
    message = error.msg or ""
    if "null bytes" in message:
        return nul_error(text)
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

