"""Python mode (contract section 3): the learner's own Python, and the graphs it made.

The page's worker (web/worker/worker.py, method ``python``) calls ``run(code)``: the code runs
as a script in a namespace of its own (``__name__ == "__main__"``, any import, ``def``, classes,
loops), with ``print`` caught, and with ``show(x, label=None)`` to pick graphs to draw. The
graphs are what the code passed to ``show`` or, without any, the value of its last expression
when that is a graph: any object with ``data``, ``_prev`` and ``_op`` (gradstep's ``Value``,
micrograd's, the lecture's own class), written out by ``to_program`` as a gradstep program
that the page then draws, steps, nudges and checks like any other.

This is the learner's own code running in their own browser: the page runs it only when they
press Run (a link carrying Python asks first). Nothing here limits what it may do inside
Python; the worker it runs in has no access to the page (docs in the README, "Python mode").
A code that never ends is ended by the page's Stop, which starts a fresh worker.

Plain Python in, JSON-able data out, so tests/program/test_python_mode.py runs all of this in
CPython.
"""

from __future__ import annotations

import ast
import io
import linecache
import sys
import traceback

from gradstep.program.from_graph import GraphError, to_program

FILENAME = "<your code>"
CODE_MAX = 200_000  # characters of code, checked before it is compiled
OUTPUT_MAX = 100_000  # characters of printed output kept (the rest is cut, and said)
SHOW_MAX = 20  # graphs show() may pick in one run


class _Output(io.TextIOBase):
    """print's target: keeps the first OUTPUT_MAX characters, counts the rest."""

    def __init__(self):
        self.parts, self.size, self.dropped = [], 0, 0

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        text = str(text)
        room = OUTPUT_MAX - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def text(self) -> str:
        out = "".join(self.parts)
        if self.dropped:
            out += f"\n… {self.dropped:,} more characters of output not shown (the first {OUTPUT_MAX:,} are)\n"
        return out


def is_graph(value) -> bool:
    """An autograd node: it has ``data``, ``_prev`` and ``_op`` (micrograd's interface)."""
    return all(hasattr(value, name) for name in ("data", "_prev", "_op"))


def run(code: str) -> dict:
    """Run ``code``; returns ``{"output", "graphs", "error"}``: what it printed; the graphs to
    draw, each ``{"label", "program"}`` or ``{"label", "error"}`` (a graph the program language
    cannot say, named); and None or ``{"message", "line", "col", "traceback"}`` (a syntax error
    stops it before it runs; an exception after what it printed and showed until then)."""
    code = str(code)
    if len(code) > CODE_MAX:
        return {"output": "", "graphs": [], "error": {
            "message": f"the code is {len(code):,} characters; the most is {CODE_MAX:,}", "line": None, "col": None,
            "traceback": ""}}
    try:
        tree = ast.parse(code, FILENAME, "exec")
    except SyntaxError as error:
        return {"output": "", "graphs": [], "error": {
            "message": f"SyntaxError: {error.msg}", "line": error.lineno, "col": error.offset,
            "traceback": "".join(traceback.format_exception_only(type(error), error))}}
    # The last statement, when an expression, is evaluated for its value (as a notebook cell's).
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    shown = []

    def show(value, label=None):
        """Draw this graph (its output) in the page; several calls give a choice of graphs."""
        if not is_graph(value):
            raise TypeError(f"show() takes a graph's output, an object with data, _prev and _op (a Value), "
                            f"not {type(value).__name__}")
        if len(shown) >= SHOW_MAX:
            raise ValueError(f"show() was called more than {SHOW_MAX} times: show fewer graphs")
        shown.append((value, None if label is None else str(label)))
        return value

    space = {"__name__": "__main__", "__builtins__": __builtins__, "show": show}
    linecache.cache[FILENAME] = (len(code), None, code.splitlines(True), FILENAME)  # (the traceback's lines)
    out = _Output()
    error = None
    value = None
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = out
    try:
        exec(compile(tree, FILENAME, "exec"), space)  # noqa: S102 (the learner's own code, in their browser)
        if last is not None:
            value = eval(compile(last, FILENAME, "eval"), space)  # noqa: S307
    except BaseException as exc:  # noqa: BLE001 (SystemExit and KeyboardInterrupt too: the code's, not ours)
        error = _error(exc)
    finally:
        sys.stdout, sys.stderr = saved
    if not shown and error is None and is_graph(value):
        shown.append((value, "the last expression" if not _label(value) else None))
    graphs = []
    for k, (node, label) in enumerate(shown, start=1):
        name = label or _label(node) or f"graph {k}"
        try:
            graphs.append({"label": name, "program": to_program(node)})
        except GraphError as problem:
            graphs.append({"label": name, "error": str(problem)})
        except RecursionError:
            graphs.append({"label": name, "error": "the graph is too deep to write out"})
    return {"output": out.text(), "graphs": graphs, "error": error}


def _label(node) -> str:
    label = getattr(node, "label", "")
    return label if isinstance(label, str) and label.strip() else ""


def _error(exc: BaseException) -> dict:
    """An exception as the page shows it: the traceback's frames in the learner's code only,
    and the line of the last of them (where the editor marks it)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == FILENAME]
    line = frames[-1].lineno if frames else None
    text = "Traceback (most recent call last):\n"
    text += "".join(traceback.format_list(frames)) if frames else ""
    text += "".join(traceback.format_exception_only(type(exc), exc))
    message = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[-1]
    return {"message": message, "line": line, "col": None, "traceback": text}
