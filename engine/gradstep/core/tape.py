"""The tape: a program's graph as plain arrays, in creation order.

A node is always created after its inputs, so the tape's order is a topological
order: forward is one loop up the tape, backward one loop down it, no sort and no
recursion (a 100,000-node chain is just a longer loop).
"""

from __future__ import annotations

from gradstep.core.errors import DomainError, ProgramError
from gradstep.core.ops import Op

LEAF = "leaf"  # a named number: the learner's input or weight
CONST = "const"  # a literal inside an expression
OP = "op"  # the result of an op


class Tape:
    """Struct of arrays; node ``i`` is described by ``ops[i]``, ``inputs[i]`` and so on."""

    __slots__ = ("ops", "inputs", "params", "init", "labels", "kinds", "locs", "spans", "names",
                 "output", "source", "origins", "made_up")

    def __init__(self):
        self.ops: list[Op | None] = []  # None for leaves and constants
        self.inputs: list[tuple[int, ...]] = []  # one entry per use: a + a has (i, i)
        self.params: list[float | None] = []  # the constant exponent of powc
        self.init: list[float | None] = []  # the starting value of leaves and constants
        self.labels: list[str] = []
        self.kinds: list[str] = []
        self.locs: list[tuple[int, int]] = []  # (line, col), 1-based, where the node was made
        # [start, end) character offsets into ``source`` of the text the node was made
        # from: a leaf's whole literal (with its sign), an op's expression.
        self.spans: list[tuple[int, int]] = []
        self.names: dict[str, int] = {}  # every name (final binding) and name[i] -> node
        self.output: int = -1
        self.source: str = ""  # the program text the spans point into
        # How a node got its name or made-up label (see ``program.about``).
        self.origins: dict[int, dict] = {}
        self.made_up: set[int] = set()  # nodes labelled t1, t2, ... by gradstep

    def __len__(self) -> int:
        return len(self.ops)

    def add(self, kind, op, inputs, label, loc, init=None, param=None, span=(0, 0)) -> int:
        self.ops.append(op)
        self.inputs.append(tuple(inputs))
        self.params.append(param)
        self.init.append(init)
        self.labels.append(label)
        self.kinds.append(kind)
        self.locs.append(loc)
        self.spans.append(span)
        return len(self.ops) - 1

    def leaf_indices(self) -> list[int]:
        """Named leaves, the numbers a learner may nudge or edit."""
        return [i for i, kind in enumerate(self.kinds) if kind == LEAF]

    def forward(self, start: list[float] | None = None) -> tuple[list[float], list[tuple]]:
        """Every node's value and local derivatives. ``start`` overrides leaf values.

        Raises ``ProgramError`` at the node's place when an op leaves its domain.
        """
        n = len(self.ops)
        values = [0.0] * n
        slopes: list[tuple] = [()] * n
        init = self.init if start is None else start
        ops, inputs, params = self.ops, self.inputs, self.params
        for i in range(n):
            op = ops[i]
            if op is None:
                values[i] = init[i]
                continue
            args = [values[j] for j in inputs[i]]
            try:
                if op.arity == 0:
                    value, local = op.fn(args)
                elif op.param:
                    value, local = op.fn(args[0], params[i])
                else:
                    value, local = op.fn(*args)
            except DomainError as error:
                line, col = self.locs[i]
                raise ProgramError(line, col, f"{error} (computing {self.labels[i]})") from None
            values[i] = value
            slopes[i] = local
        return values, slopes

    def consumers(self) -> list[list[tuple[int, int]]]:
        """For each node, the (consumer, input position) pairs that use it, consumers in
        backward order (latest first): the order in which backward adds their terms."""
        users: list[list[tuple[int, int]]] = [[] for _ in self.ops]
        for i in range(len(self.ops) - 1, -1, -1):
            for k, j in enumerate(self.inputs[i]):
                users[j].append((i, k))
        return users

    def backward(self, slopes: list[tuple]) -> list[float]:
        """d(output)/d(node) for every node; 0.0 where the output does not depend on it.

        Each gradient is computed fresh (never added to an old one), in the same order
        of additions as the stepper's frames, so both give identical floats. A node
        with gradient 0.0 adds nothing to its inputs, even through an infinite local
        derivative (log at a subnormal number): 0 * inf would be nan, not 0.
        """
        n = len(self.ops)
        grads = [0.0] * n
        grads[self.output] = 1.0
        inputs = self.inputs
        for i in range(n - 1, -1, -1):
            g = grads[i]
            if g == 0.0:
                continue
            for j, d in zip(inputs[i], slopes[i], strict=True):
                grads[j] += g * d
        for i, g in enumerate(grads):
            if g - g != 0.0:  # inf or nan
                line, col = self.locs[i]
                raise ProgramError(
                    line, col, f"the gradient of {self.labels[i]} overflows float64 ({g!r})"
                )
        return grads
