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

from .ops import _num
from .program import _is_name
from .tape import Tape

FORMULA_ARGS = 6  # an n-ary op's formula lists at most this many inputs


def fmt(x: float) -> str:
    """A float as the page and the CLI show it: ``repr``, full precision."""
    return repr(x)


class Timeline:
    """Values, gradients and frames for one set of leaf values (immutable once made)."""

    __slots__ = ("tape", "start", "values", "slopes", "grads", "forward", "backward", "_frames")

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

    def drop_frames(self) -> None:
        """Forget the frames (they are made again on first use)."""
        self._frames = None

    # ------------------------------------------------------------------ forward
    def expression(self, i: int, parts: list[str]) -> str:
        tape = self.tape
        op = tape.ops[i]
        if op.arity == 0:
            shown = parts if len(parts) <= FORMULA_ARGS else parts[:FORMULA_ARGS - 1] + ["...", parts[-1]]
            return op.show.format(args=", ".join(shown))
        p = tape.params[i]
        return op.show.format(*parts, p=_num(p) if p is not None else "")

    def forward_frame(self, i: int) -> dict:
        tape = self.tape
        inputs = tape.inputs[i]
        op = tape.ops[i]
        wrap = _operand if op.infix or op.name == "neg" else str
        names = [wrap(tape.labels[j]) for j in inputs]
        numbers = [fmt(self.values[j]) for j in inputs]
        if op.name in ("pow", "powc", "neg") and numbers[0].startswith("-"):
            numbers[0] = f"({numbers[0]})"  # -3.0 ** 2 would read as -(3.0 ** 2)
        symbolic = self.expression(i, names)
        label = tape.labels[i]
        head = label if label == symbolic else f"{label} = {symbolic}"
        text = f"{head} = {self.expression(i, numbers)} = {fmt(self.values[i])}"
        return {"kind": "forward", "node": i, "inputs": list(inputs), "text": text,
                "value": fmt(self.values[i])}

    # ----------------------------------------------------------------- backward
    def backward_frame(self, i: int, users: list[tuple[int, int]]) -> dict:
        tape = self.tape
        out = tape.labels[tape.output]
        me = tape.labels[i]
        grad = fmt(self.grads[i])
        if i == tape.output:
            text = f"d{out}/d{out} = 1.0 (the output, with respect to itself)"
            return {"kind": "backward", "node": i, "terms": [], "text": text, "grad": grad}
        if not users:
            text = f"d{out}/d{_d(me)} = 0.0 ({out} does not depend on {me})"
            return {"kind": "backward", "node": i, "terms": [], "text": text, "grad": grad}
        terms = []
        symbolic = []
        numeric = []
        for consumer, k in users:
            upstream = fmt(self.grads[consumer])
            local = fmt(self.slopes[consumer][k])
            name = tape.labels[consumer]
            terms.append({"consumer": consumer, "input": k, "local": local, "upstream": upstream,
                          "slope": self.slope_formula(consumer, k)})
            symbolic.append(f"d{out}/d{_d(name)} * d{_d(name)}/d{_d(me)}")
            numeric.append(f"{upstream} * {local}")
        text = f"d{out}/d{_d(me)} = {' + '.join(symbolic)} = {' + '.join(numeric)} = {grad}"
        return {"kind": "backward", "node": i, "terms": terms, "text": text, "grad": grad}

    def slope_formula(self, consumer: int, k: int) -> str:
        """The local derivative of ``consumer`` with respect to input ``k``, in symbols:
        ``de/da = b``."""
        tape = self.tape
        op = tape.ops[consumer]
        inputs = tape.inputs[consumer]
        names = [_operand(tape.labels[j]) for j in inputs]
        p = tape.params[consumer]
        extra = {"out": _operand(tape.labels[consumer]), "p": _num(p) if p is not None else "",
                 "pm1": _num(p - 1.0) if p is not None else "", "n": len(inputs),
                 "k": names[k]}
        formula = op.slopes[0 if op.arity == 0 else k].format(*names, **extra)
        return f"d{_d(tape.labels[consumer])}/d{_d(tape.labels[inputs[k]])} = {formula}"

    # ------------------------------------------------------------------- data
    def to_dict(self, version: int) -> dict:
        tape = self.tape
        return {
            "version": version,
            "values": [fmt(v) for v in self.values],
            "grads": [fmt(g) for g in self.grads],
            "forward": self.forward,
            "backward": self.backward,
            "frames": self.frames,
            "output": tape.output,
            "names": tape.names,
            "leaves": tape.leaf_indices(),
        }


def _operand(text: str) -> str:
    """Parenthesize an expression label when it stands inside a formula."""
    return f"({text})" if " " in text else text


def _d(label: str) -> str:
    """A label after d in dL/dx: wrapped when it is an expression."""
    return label if _is_name(label) else f"({label})"
