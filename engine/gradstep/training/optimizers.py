"""The update after backward: SGD, SGD with momentum, Adam (AdamW's decoupled weight decay an option).

One ``Optimizer`` updates a flat list of parameters (``parameters()`` order) from their
gradients at the step's rate (the schedule of ``gradstep.training.trainer.learning_rate``).
Both training paths call it, the ``Value`` graph's (``Trainer``) and the compiled one
(``FastTrainer``), so the update is the same floats in both by construction; the gradients
are bit for bit already. The formulas are PyTorch's (``torch.optim.SGD``, ``Adam``, ``AdamW``):

    sgd:       p = p - rate * g                               (micrograd's p.data -= lr * p.grad)
    momentum:  v = mu * v + g;  p = p - rate * v              (v starts at 0, so v = g at step 1)
    adam:      m = b1 * m + (1 - b1) * g;  v = b2 * v + (1 - b2) * g * g
               p = p - rate * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
    weight decay wd (decoupled, AdamW's; any optimizer): first p = p * (1 - rate * wd)

``b1^t`` and ``b2^t`` are running products (``x ** t`` goes through the platform's ``pow``,
which need not be correctly rounded); ``math.sqrt`` is IEEE's correctly rounded square root,
so the page (Pyodide) gets the command line's floats.
"""

from __future__ import annotations

import math

OPTIMIZERS = ("sgd", "momentum", "adam")
# The first step's rate when --lr is not given: micrograd's 1.0 for SGD; momentum's steps are
# about 1 / (1 - mu) = 10 times SGD's, so a tenth; Adam's step is about the rate itself.
DEFAULT_LRS = {"sgd": 1.0, "momentum": 0.1, "adam": 0.01}
# SGD's first rate on a regression (squared error on numbers that are not -1/+1): at micrograd's
# 1.0 the plane and gauss datasets diverge within five steps; at 0.1 both train.
REGRESSION_SGD_LR = 0.1


def default_lr(optimizer: str, regression: bool = False) -> float:
    """The first step's rate when none is given: the optimizer's, and SGD's own on a regression."""
    return REGRESSION_SGD_LR if regression and optimizer == "sgd" else DEFAULT_LRS[optimizer]
MOMENTUM = 0.9
BETA1 = 0.9
BETA2 = 0.999
EPS = 1e-8
WEIGHT_DECAY = 0.0


class Optimizer:
    """``update(params, grads, rate)`` returns the new parameters and keeps the state
    (momentum's velocities, Adam's moments and step count) for the next call."""

    def __init__(self, name: str = "sgd", count: int = 0, *, momentum: float = MOMENTUM, beta1: float = BETA1,
                 beta2: float = BETA2, eps: float = EPS, weight_decay: float = WEIGHT_DECAY):
        if name not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, not {name!r}")
        self.name = name
        self.momentum, self.beta1, self.beta2, self.eps = momentum, beta1, beta2, eps
        self.weight_decay = weight_decay
        self.m = [0.0] * count  # momentum's velocity; Adam's first moment
        self.v = [0.0] * count  # Adam's second moment
        self.b1t = 1.0  # beta1 ** t, beta2 ** t as running products
        self.b2t = 1.0

    def update(self, params: list[float], grads: list[float], rate: float) -> list[float]:
        if self.weight_decay:
            shrink = 1.0 - rate * self.weight_decay
            params = [p * shrink for p in params]
        if self.name == "sgd":
            return [p - rate * g for p, g in zip(params, grads, strict=True)]
        if self.name == "momentum":
            mu = self.momentum
            self.m = [mu * v + g for v, g in zip(self.m, grads, strict=True)]
            return [p - rate * v for p, v in zip(params, self.m, strict=True)]
        b1, b2, eps = self.beta1, self.beta2, self.eps
        self.b1t *= b1
        self.b2t *= b2
        c1, c2 = 1.0 - self.b1t, 1.0 - self.b2t
        a1, a2 = 1.0 - b1, 1.0 - b2
        self.m = [b1 * m + a1 * g for m, g in zip(self.m, grads, strict=True)]
        self.v = [b2 * v + a2 * (g * g) for v, g in zip(self.v, grads, strict=True)]
        sqrt = math.sqrt
        return [p - rate * (m / c1) / (sqrt(v / c2) + eps) for p, m, v in zip(params, self.m, self.v, strict=True)]
