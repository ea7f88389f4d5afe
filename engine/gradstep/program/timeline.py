"""The timeline: every step of a forward and backward pass, as plain data.

For one set of leaf values, a timeline holds every node's value and gradient, the
forward order (op nodes, up the tape) and the backward order (every node, down the
tape, output first), and one frame per step with its formula and numbers:

    e = a * b = 2.0 * -3.0 = -6.0
    dL/da = dL/de * de/da = -2.0 * -3.0 = 6.0

A backward step *finishes* one node's gradient: it adds one term per use of the node
(per edge to a consumer), consumers being finished before it. The terms are added in
the same order as ``Tape.backward`` adds them, so stepping gives the identical floats.
"""

from __future__ import annotations

import math
import sys

from gradstep.core.ops import _num
from gradstep.core.tape import Tape
from gradstep.program.notation import d_of, join, merge, render, wrap

FORMULA_ARGS = 6  # an n-ary op's formula lists at most this many inputs


class Timeline:
    """Values, gradients and frames for one set of leaf values (immutable once made)."""

    __slots__ = ("tape", "start", "values", "slopes", "grads", "forward", "backward", "_frames", "_users")

    def __init__(self, tape: Tape, start: list[float] | None = None):
        self.tape = tape
        self.start = list(tape.init if start is None else start)
        self.values, self.slopes = tape.forward(self.start)
        self.grads = tape.backward(self.slopes)
        self.forward = [i for i, op in enumerate(tape.ops) if op is not None]
        # The output first, then down the tape: every consumer before what it uses.
        # (The output need not be the last node: softmax(xs)[0] makes the other
        # probabilities after it.)
        self.backward = [tape.output] + [
            i for i in range(len(tape) - 1, -1, -1) if i != tape.output
        ]
        self._frames: list[dict] | None = None
        self._users: list[list[tuple[int, int]]] | None = None

    @property
    def output_value(self) -> float:
        return self.values[self.tape.output]

    def __len__(self) -> int:
        return len(self.forward) + len(self.backward)

    @property
    def frames(self) -> list[dict]:
        """One dict per step; made on first use (a nudge needs values, not frames)."""
        if self._frames is None:
            users = self.tape.consumers()
            self._frames = [self.forward_frame(i) for i in self.forward] + [
                self.backward_frame(i, users[i]) for i in self.backward
            ]
        return self._frames

    def frame(self, k: int) -> dict:
        """Frame ``k`` (0-based) alone, without making the others: the page asks the
        worker for the frames it shows, not for a whole timeline's worth of text."""
        if self._frames is not None:
            return self._frames[k]
        forward = len(self.forward)
        if k < forward:
            return self.forward_frame(self.forward[k])
        if self._users is None:
            self._users = self.tape.consumers()
        i = self.backward[k - forward]
        return self.backward_frame(i, self._users[i])

    def drop_frames(self) -> None:
        """Forget the frames (they are made again on first use)."""
        self._frames = None

    # ------------------------------------------------------------------ forward
    def expression(self, i: int, args: list) -> list:
        """Node ``i``'s op applied to ``args`` (labels, or numbers' parts), as parts."""
        tape = self.tape
        op = tape.ops[i]
        p = tape.params[i]
        if op.arity == 0:
            shown = args if len(args) <= FORMULA_ARGS else args[:FORMULA_ARGS - 1] + ["...", args[-1]]
            return render(op.show, [], args=shown)
        if p is None:
            return render(op.show, args, p="")
        # The constant exponent as the program wrote it; a number part when it is
        # not a whole number (whole ones read as the 2 of x ** 2).
        return render(op.show, args, p=[{"n": repr(p)}] if _num(p) == repr(p) else _num(p))

    def forward_frame(self, i: int) -> dict:
        tape = self.tape
        inputs = tape.inputs[i]
        op = tape.ops[i]
        numbers: list[list] = [[{"n": repr(self.values[j])}] for j in inputs]
        if op.name in ("pow", "powc", "neg") and repr(self.values[inputs[0]]).startswith("-"):
            numbers[0] = ["(", *numbers[0], ")"]  # -3.0 ** 2 would read as -(3.0 ** 2)
        symbolic = join(self.expression(i, [tape.labels[j] for j in inputs]))
        label = tape.labels[i]
        head = symbolic if label == symbolic else f"{wrap(label)} = {symbolic}"
        parts = merge([head + " = ", *self.expression(i, numbers), " = ",
                       {"n": repr(self.values[i])}])
        return {"kind": "forward", "node": i, "inputs": list(inputs), "text": join(parts),
                "parts": parts, "value": repr(self.values[i])}

    # ----------------------------------------------------------------- backward
    def backward_frame(self, i: int, users: list[tuple[int, int]]) -> dict:
        tape = self.tape
        out = d_of(tape.labels[tape.output])
        me = d_of(tape.labels[i])
        grad = repr(self.grads[i])
        terms = []
        if i == tape.output:
            parts = [f"d{out}/d{out} = ", {"n": grad}, " (the output, with respect to itself)"]
        elif not users:
            parts = [f"d{out}/d{me} = ", {"n": grad}, f" ({out} does not depend on {me})"]
        else:
            symbolic: list = []
            numeric: list = []
            for consumer, k in users:
                upstream = repr(self.grads[consumer])
                local = repr(self.slopes[consumer][k])
                name = d_of(tape.labels[consumer])
                terms.append({"consumer": consumer, "input": k, "local": local,
                              "upstream": upstream, "slope": self.slope_formula(consumer, k)})
                plus = [" + "] if symbolic else []
                # The local derivative is a partial one (one operation's, its other inputs
                # held): written with ∂, so dL/df = dL/dL * ∂L/∂f does not read as a total
                # derivative times itself.
                symbolic += [*plus, {"up": f"d{out}/d{name}"}, " * ", {"local": f"∂{name}/∂{me}"}]
                numeric += [*plus, {"n": upstream}, " * ", {"n": local}]
            parts = [f"d{out}/d{me} = ", *symbolic, " = ", *numeric, " = ", {"n": grad}]
            if _cancels(self.grads[i], [self.grads[c] * self.slopes[c][k] for c, k in users]):
                parts.append(" (the terms cancel: what is left is float rounding, read it as 0)")
        parts = merge(parts)
        return {"kind": "backward", "node": i, "terms": terms, "text": join(parts),
                "parts": parts, "grad": grad}

    def slope_formula(self, consumer: int, k: int) -> str:
        """The local derivative of ``consumer`` with respect to input ``k``, in symbols:
        ``∂e/∂a = b`` (a partial derivative: the operation's other inputs held)."""
        tape = self.tape
        op = tape.ops[consumer]
        inputs = tape.inputs[consumer]
        names = [tape.labels[j] for j in inputs]
        p = tape.params[consumer]
        extra = {"out": tape.labels[consumer], "p": _num(p) if p is not None else "",
                 "pm1": _num(p - 1.0) if p is not None else "", "n": len(inputs),
                 "k": names[k]}
        slope = op.slopes[0 if op.arity == 0 else k]
        if op.name == "powc" and p in (1.0, 2.0):
            # d(x ** 2)/dx reads 2 * x, not 2 * x ** 1; d(x ** 1)/dx reads 1.
            slope = "{p} * {0}" if p == 2.0 else "1"
        formula = join(render(slope, names, **extra))
        return f"∂{d_of(tape.labels[consumer])}/∂{d_of(tape.labels[inputs[k]])} = {formula}"

    # ------------------------------------------------------------------- data
    def to_dict(self, version: int, frames: bool = True, structure: bool = True) -> dict:
        """The timeline as JSON-ready data. ``inputs`` and ``slopes`` (each node's
        inputs and the local derivative with respect to each, as ``repr``) are enough
        for the page to place every value, gradient and edge label at every position;
        ``frames=False`` leaves out the frames' text, which the page then asks for one
        step at a time (``frame``). ``structure=False`` sends only what new leaf
        values change (``version``, ``values``, ``grads``, ``slopes``): the orders,
        inputs, names and leaves are the tape's and the page has them already."""
        tape = self.tape
        changing = {
            "version": version,
            "values": [repr(v) for v in self.values],
            "grads": [repr(g) for g in self.grads],
            "slopes": [[repr(x) for x in sl] for sl in self.slopes],
        }
        if not structure:
            return changing
        out = {
            **changing,
            "forward": self.forward,
            "backward": self.backward,
            "inputs": [list(ins) for ins in tape.inputs],
            "output": tape.output,
            "names": tape.names,
            "leaves": tape.leaf_indices(),
        }
        if frames:
            out["frames"] = self.frames
        return out



def _cancels(total: float, terms: list[float]) -> bool:
    """Whether a sum of several terms is rounding left over from their cancelling: not
    0, yet within a few float64 roundings of the terms' size (softmax's max node gets
    -2.08e-17 where the exact gradient is 0)."""
    if len(terms) < 2 or total == 0.0 or not math.isfinite(total):
        return False
    size = sum(abs(t) for t in terms)
    return math.isfinite(size) and abs(total) <= 8 * sys.float_info.epsilon * size
