"""``gradstep.training.trainer.Trainer`` with its step on ``gradstep.training.fastnet``: the same floats, far faster.

The page trains with this (and the command line can: ``train(..., fast=True)``):
the network is compiled once for its shape, the weights live in one flat list in
``parameters()`` order, and each step is one call of the compiled function. The
batches, the learning rates and every float are ``Trainer``'s: tests/test_training.py
and tests/test_fastnet.py check the losses and weights bit for bit against the
``Value`` graph. The model's ``Value`` parameters are updated only when asked
(``sync``), for code that reads ``trainer.model`` (the page's one-point graph).
"""

from __future__ import annotations

import math

from gradstep.core.errors import DomainError
from gradstep.training import fastnet
from gradstep.training.features import DEFAULT, featurize
from gradstep.training.trainer import Trainer

_LOSS = {"hinge": "hinge", "mse": "mse", "cross_entropy": "xent"}


class FastTrainer(Trainer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sizes = fastnet.sizes_of(self.model)
        rate = self.reg_rate if self.reg != "none" else 0.0
        self.net = fastnet.compile_net(self.sizes, self.activation, _LOSS[self.loss_name],
                                       alpha=rate if self.reg == "l2" else 0.0, l1=rate if self.reg == "l1" else 0.0)
        self.flat = [p.data for p in self.params]

    def _step(self, indices: list[int], rate: float) -> float:
        loss, _, grads = self.net.step_flat(self.flat, [self.F[i] for i in indices], self.targets(indices))
        # Value stops at the first value that overflows float64 (ops raise); the compiled
        # step carries inf and nan along instead, so the step that made them stops here.
        if loss - loss != 0.0 or any(g - g != 0.0 for g in grads):
            raise DomainError(f"the loss or a gradient overflowed float64 (loss {loss!r})")
        self.last_grads = grads
        if self.optimizer.name == "sgd" and not self.optimizer.weight_decay:
            self.flat = fastnet.sgd(self.flat, grads, rate)
        else:
            self.flat = self.optimizer.update(self.flat, grads, rate)
        return loss

    def sync(self) -> None:
        """Copy the weights into the model's ``Value`` parameters."""
        for p, v in zip(self.params, self.flat, strict=True):
            p.data = v

    def weights(self) -> list[float]:
        return list(self.flat)

    def set_weights(self, values: list[float]) -> None:
        self.flat = [float(v) for v in values]
        self.sync()

    def hidden_outputs(self, inputs, weights=None) -> list[list[float]]:
        return self.net.hidden_flat(self.flat if weights is None else weights, inputs)

    def scores(self, points: list[list[float]]) -> list:
        """The network's outputs at these points ``[x, y]``, in plain floats (no graph)."""
        if self.features != DEFAULT:
            points = [featurize(p, self.features) for p in points]
        return self.net.scores_flat(self.flat, points)

    def point_losses(self) -> list[float]:
        """Each point's own loss at the current weights, in plain floats: ``loss_graph``'s
        losses for one point at a time, the L2 term left out (inf where it overflows)."""
        out = []
        for k, s in enumerate(self.scores(self.X)):
            if self.loss_name == "hinge":
                out.append(max(0.0, 1.0 - self.signed[k] * s))
            elif self.single:
                out.append((s - float(self.signed[k])) ** 2)
            elif self.loss_name == "mse":
                out.append(sum((v - (1.0 if c == self.y[k] else 0.0)) ** 2 for c, v in enumerate(s)) / len(s))
            else:
                top = max(s)
                out.append(top + math.log(sum(math.exp(v - top) for v in s)) - s[self.y[k]])
        return [v if math.isfinite(v) else math.inf for v in out]

    def point_program(self, index: int) -> str:
        """One training point's loss at the current weights, as a gradstep program: the
        graph a learner steps through (about 1,700 nodes for MLP(2, [16, 16, 1])). Its
        gradients are that point's; a nudge at the current rate is that point's SGD
        update. The inputs and the target are leaves too (freeze them to nudge only
        the weights)."""
        weights = fastnet.nest(self.flat, self.sizes)
        x = self.F[index]  # (the point itself for the default features x,y)
        unit = {"relu": "relu({})", "tanh": "tanh({})", "linear": "{}"}[self.activation]
        lines = [
            f"# Training point {index} at step {self.steps}: its loss and, stepping backward, its gradients.",
            f"# MLP({self.sizes[0]}, {self.sizes[1:]}), {self.activation} units, {self.loss_name} loss.",
            f"x = [{', '.join(repr(v) for v in x)}]",
        ]
        inputs = [f"x[{k}]" for k in range(len(x))]
        last = len(weights) - 1
        for li, layer in enumerate(weights, start=1):
            lines.append(f"b{li} = [{', '.join(repr(b) for _, b in layer)}]")
            units = []
            for ni, (w, _) in enumerate(layer):
                lines.append(f"w{li}_{ni} = [{', '.join(repr(v) for v in w)}]")
                # (the bias first, then each weight times its input: the order gradstep.training.nn adds them)
                total = " + ".join([f"b{li}[{ni}]"] + [f"w{li}_{ni}[{k}] * {inp}" for k, inp in enumerate(inputs)])
                units.append(total if li - 1 == last else unit.format(total))
            name = "s" if li - 1 == last else f"h{li}"
            lines.append(f"{name} = [{', '.join(units)}]")
            inputs = [f"{name}[{k}]" for k in range(len(layer))]
        if self.loss_name == "hinge":
            lines += [f"y = {float(self.signed[index])!r}", "loss = relu(1 + -y * s[0])"]
        elif self.single:
            lines += [f"y = {float(self.signed[index])!r}", "loss = (s[0] - y) ** 2"]
        elif self.loss_name == "mse":
            target = [1.0 if c == self.y[index] else 0.0 for c in range(self.classes)]
            squares = " + ".join(f"(s[{k}] - t[{k}]) ** 2" for k in range(self.classes))
            lines += [f"t = [{', '.join(repr(v) for v in target)}]", f"loss = ({squares}) / {self.classes}"]
        else:
            lines += [f"loss = -log(softmax(s)[{self.y[index]}])"]
        return "\n".join(lines) + "\n"
