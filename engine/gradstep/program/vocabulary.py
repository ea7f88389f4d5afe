"""The program language's words, for the page's editor to complete: its functions with what
each computes and its local derivative (from ``gradstep.core.ops``' table, so a new op is
offered as soon as it exists), and the methods a value has. ``python -m
gradstep.program.vocabulary`` prints them as JSON; set-up writes that to
``web/build/vocabulary.json``."""

from __future__ import annotations

import json

from gradstep.core.ops import LIST_FUNCTIONS, METHODS, OPS, SCALAR_FUNCTIONS

LIST_DETAIL = {
    "softmax": "softmax(xs): a list of probabilities, exp(x) / sum of exp",
    "sum": "sum(xs): the list's total",
    "mean": "mean(xs): the list's average",
}


def words() -> list[dict]:
    """``[{label, type, detail}]``: CodeMirror's completion fields (``type`` picks the icon)."""
    out = []
    for name in SCALAR_FUNCTIONS:
        op = OPS.get(name)
        detail = f"{name}(x)"
        if op is not None and op.slopes:
            detail += f", local derivative {op.slopes[0].format('x')}"
        out.append({"label": name, "type": "function", "detail": detail})
    for name in LIST_FUNCTIONS:
        out.append({"label": name, "type": "function", "detail": LIST_DETAIL.get(name, f"{name}(xs)")})
    for name in METHODS:
        out.append({"label": name, "type": "method", "detail": f"x.{name}(): the same as {name}(x)"})
    return out


if __name__ == "__main__":
    print(json.dumps(words(), indent=1))
