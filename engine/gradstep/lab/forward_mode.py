"""Forward mode: carry the derivative along with the value (dual numbers).

Give every number a second part, its *tangent*: how fast it moves when one chosen
leaf moves. The chosen leaf starts with tangent 1, every other leaf and constant
with 0. Going up the tape, a node's tangent is the sum over its inputs of the local
derivative times that input's tangent (the chain rule, forward):

    e = a * b        e' = b * a' + a * b'

so when the output is reached its tangent is d(output)/d(leaf). This is the number
x + x'ε with ε² = 0 of "dual numbers": (a + a'ε)(b + b'ε) = ab + (ab' + a'b)ε.

One forward-mode pass gives the derivative with respect to *one* leaf, for every
node. Backprop (reverse mode) gives the derivative of *one* output with respect to
every node. With many leaves and one output (a loss and its weights), reverse mode
needs one backward pass where forward mode needs one pass per leaf: that is why
neural networks are trained with backprop.
"""

from __future__ import annotations

from gradstep.core.tape import Tape


def tangents(tape: Tape, slopes: list[tuple], leaf: int) -> list[float]:
    """Every node's d(node)/d(leaf), up the tape. An input with tangent 0 adds
    nothing, even through an infinite local derivative (0 * inf would be nan), the
    same rule backprop follows for a zero gradient."""
    t = [0.0] * len(tape)
    t[leaf] = 1.0
    inputs = tape.inputs
    for i, op in enumerate(tape.ops):
        if op is None:
            continue
        total = 0.0
        for j, d in zip(inputs[i], slopes[i], strict=True):
            if t[j] != 0.0:
                total += d * t[j]
        t[i] = total
    return t


def forward_mode(tape: Tape, start: list[float], leaf: int, limit: int = 5000) -> dict:
    """The dual-number pass for one leaf.

    ``{"leaf", "label", "steps": [{"node", "label", "value", "tangent", "terms"}...]
    (every node in forward order, i.e. tape order; ``terms`` are an op node's
    ``{"input", "local", "tangent"}``), "tangent" (the output's), "backprop",
    "difference", "leaves", "passes": {"forward_mode", "reverse_mode", "leaves", "op_steps"},
    "summary"}``.
    ``tangent`` equals backprop's gradient up to float rounding: the same products,
    added in another order. Only the first ``limit`` steps are listed (``"listed"``
    says how many); the pass itself always runs to the output.
    """
    if tape.kinds[leaf] != "leaf":
        raise ValueError(f"node {leaf} ({tape.labels[leaf]}) is not a named leaf")
    values, slopes = tape.forward(list(start))
    backprop = tape.backward(slopes)[leaf]
    t = tangents(tape, slopes, leaf)
    steps = []
    for i, op in enumerate(tape.ops[: max(0, limit)]):
        step = {"node": i, "label": tape.labels[i], "value": values[i], "tangent": t[i]}
        if op is not None:
            step["terms"] = [{"input": j, "local": d, "tangent": t[j]}
                             for j, d in zip(tape.inputs[i], slopes[i], strict=True)]
        steps.append(step)
    leaves = len(tape.leaf_indices())
    ops = sum(op is not None for op in tape.ops)
    out = tape.labels[tape.output]
    name = tape.labels[leaf]
    summary = (f"One forward-mode pass ({ops} op steps) gives d{out}/d{name} only; all {leaves} "
               f"leaves' gradients need {leaves} such passes. One backward pass gives them all.")
    return {
        "leaf": leaf, "label": name, "steps": steps, "listed": len(steps), "tangent": t[tape.output],
        "backprop": backprop, "difference": t[tape.output] - backprop,
        "leaves": leaves,
        "passes": {"forward_mode": leaves, "reverse_mode": 1, "leaves": leaves, "op_steps": ops},
        "summary": summary,
    }
