"""How labels and formulas are written: a label wrapped in parentheses when it needs them,
``d(label)``, an op's formula template filled with its inputs, and one line on what a node is
(``about``), for the timeline's frames, the graph and the page's hover text.
"""

from __future__ import annotations

import re
from string import Formatter

from gradstep.core.ops import _num
from gradstep.core.tape import CONST, LEAF, Tape

LABEL_LIMIT = 24  # longer made-up labels for unnamed nodes fall back to t1, t2, ...
ABOUT_LIMIT = 120  # source text quoted in a node's "about" is cut to this many characters


def made_up_label(tape: Tape, i: int) -> str:
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

