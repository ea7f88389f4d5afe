"""Training an ``gradstep.training.nn`` MLP on a 2-D dataset, deterministically (contract 5).

``train("moons", [16, 16], steps=100, seed=0)`` is micrograd's demo: an
MLP(2, [16, 16, 1]) with ReLU, micrograd's loss (hinge + 1e-4 L2) on all 100
points, SGD at ``1.0 - 0.9*k/100``. It returns
``{"dataset", "layers", "seed", "losses", "accuracy"}``; ``losses[k]`` is the loss of
the forward pass of step k+1, before that step's update (what micrograd's demo
prints), ``accuracy`` the fraction of the dataset classified right after the last
update.

Everything random comes from ``random.Random(seed)``: the dataset from one (see
``gradstep.training.datasets``), the weights, then the batches, from another. Only
``Random.random``/``uniform`` are used and every function through
``gradstep.core.floatmath``, so the page (Pyodide) gets the CLI's floats bit for bit.

The learning rate. ``lr`` is the rate of the first step; it falls linearly by
``DECAY`` (90%) over ``DECAY_STEPS`` (100) steps and then stays at a tenth:

    rate(k) = lr * (1.0 - 0.9 * min(k, 100) / 100)      k = 0, 1, 2, ... (steps taken)

With ``lr = 1.0`` (the default) the first 100 rates are micrograd's
``1.0 - 0.9*k/100`` to the bit. The rate does not depend on the number of steps
asked for, so a run of 50 steps is the first half of a run of 100 and the page,
which plays without an end, takes the same steps.

Batches. ``batch=None`` (or a batch at least the dataset's size) uses every point in
order, as micrograd's demo does by default; otherwise each step draws ``batch``
distinct points with ``gradstep.training.datasets.sample`` (``random.sample``-like) from the
seeded generator.

Issue 18's settings, all by keyword (see ``Trainer``): ``reg``/``reg_rate`` (L1 or L2 added
to the loss; micrograd's L2 at 1e-4 with the hinge loss by default), ``optimizer`` and its
settings (``gradstep.training.optimizers``: the update after backward, shared by both paths),
``init="zero"``, ``features`` (``gradstep.training.features``: the network's inputs made from
each point), ``classes=0`` for a regression; ``evaluate(X, y)`` gives held-out points' loss
and accuracy (``run.train``'s ``test_fraction``). Left at their defaults they change no float.

The step is swappable: ``Trainer.step()`` asks ``batch_indices()`` and
``learning_rate()`` and then calls ``_step(indices, rate)``, which builds the loss
with ``Value`` in ``loss_graph``, runs backward and updates the weights. A faster
path that replays the same operations on arrays overrides ``_step`` and must give
the same floats (the graph's exact operations are ``loss_graph`` and
``gradstep.training.losses``).
"""

from __future__ import annotations

import math
import random

from gradstep.core.errors import DomainError
from gradstep.core.value import Value
from gradstep.training import features as F
from gradstep.training import losses as L
from gradstep.training.datasets import sample
from gradstep.training.nn import MLP
from gradstep.training.optimizers import OPTIMIZERS, Optimizer, default_lr

LOSSES = ("hinge", "mse", "cross_entropy")
REGS = ("none", "l1", "l2")
INITS = ("default", "zero")
DEFAULT_LR = 1.0
DECAY = 0.9
DECAY_STEPS = 100


def default_loss(classes: int) -> str:
    """micrograd's hinge loss for two classes, softmax cross-entropy for more, squared error
    for a regression (``classes`` 0: a number per point, not a class)."""
    if classes == 0:
        return "mse"
    return "hinge" if classes == 2 else "cross_entropy"


def default_reg(loss: str) -> str:
    """micrograd's demo regularises its hinge loss with L2 (at ``losses.L2_ALPHA``); nothing else is."""
    return "l2" if loss == "hinge" else "none"


def output_units(loss: str, classes: int) -> int:
    """The output layer's units: one score for the hinge loss and for two-class squared error
    (scored against -1/+1) and for a regression (classes 0), one logit per class otherwise."""
    return 1 if loss == "hinge" or (loss == "mse" and classes in (0, 2)) else classes


def learning_rate(k: int, lr: float = DEFAULT_LR) -> float:
    """The rate of the step taken after ``k`` steps (see the module doc)."""
    return lr * (1.0 - DECAY * min(k, DECAY_STEPS) / DECAY_STEPS)


class Diverged(ValueError):
    """The loss overflowed float64: the learning rate is too large for this model."""


class Trainer:
    """A model, its data and its optimiser state; ``step()`` takes one step (SGD unless told)."""

    def __init__(self, X, y, layers, seed=0, activation="relu", loss=None, lr=None, batch=None, *,
                 reg=None, reg_rate=None, optimizer="sgd", momentum=0.9, beta1=0.9, beta2=0.999, eps=1e-8,
                 weight_decay=0.0, init="default", features=F.DEFAULT, classes=None, watch=False):
        """``X`` a list of [x1, x2], ``y`` class numbers 0, 1, ... (0/1 for two
        classes); ``layers`` the hidden layers' sizes (the output layer is added: one
        unit for hinge and two-class mse, one per class otherwise).

        ``reg`` "none", "l1" or "l2" (None or "default": ``default_reg``, micrograd's L2 for
        the hinge loss) at ``reg_rate`` (default ``losses.L2_ALPHA``, 1e-4), added to the loss.
        ``optimizer`` "sgd", "momentum" or "adam" with its settings (gradstep.training.optimizers;
        ``lr`` None: ``optimizers.default_lr``, the optimizer's own, and 0.1 for SGD on a
        regression). ``init`` "zero" sets every weight and bias to 0 (after drawing the default
        weights, so the batches are drawn alike).
        ``classes``: the dataset's number of classes when ``y`` may lack some (a split's
        training points); by default the largest class in ``y`` plus one, at least 2.
        ``classes=0`` is a regression: ``y`` holds numbers, the loss is squared error
        ("mse", the default then) on one output, and there is no accuracy (None).
        ``features`` the network's inputs made from each point (gradstep.training.features).
        ``watch=True`` records each step's ``layer_stats`` in ``self.stats`` (the page's
        gradients-per-layer chart and the command line's ``"grad_norms"``)."""
        if len(X) != len(y) or not X:
            raise ValueError("X and y must be non-empty and of one length")
        self.regression = classes == 0
        if self.regression:
            if not all(isinstance(t, int | float) and t - t == 0.0 for t in y):
                raise ValueError("a regression's y must hold finite numbers")
            y = [float(t) for t in y]
        elif not all(isinstance(c, int) and c >= 0 for c in y):
            raise ValueError("y must hold class numbers 0, 1, ... (not -1/+1: the hinge loss signs them itself)")
        self.X = [list(map(float, x)) for x in X]
        self.features = F.check(features)
        self.F = [F.featurize(x, self.features) for x in self.X]  # the network's inputs
        self.y = list(y)
        self.classes = 0 if self.regression else max(2, max(self.y) + 1, classes or 0)
        self.loss_name = default_loss(self.classes) if loss is None else loss
        if self.loss_name not in LOSSES:
            raise ValueError(f"loss must be one of {', '.join(LOSSES)}, not {self.loss_name!r}")
        if self.regression and self.loss_name != "mse":
            raise ValueError(f"a regression's loss is mse (squared error), not {self.loss_name}")
        if self.loss_name == "hinge" and self.classes != 2:
            raise ValueError(f"the hinge loss needs two classes, and this data has {self.classes}")
        # one output scored against -1/+1, or one logit per class
        self.single = output_units(self.loss_name, self.classes) == 1
        # what one output is scored against: -1/+1, or a regression's target
        self.signed = list(self.y) if self.regression else [2 * c - 1 for c in self.y]
        self.layers = list(layers)
        self.seed = seed
        self.activation = activation
        self.reg = default_reg(self.loss_name) if reg in (None, "default") else reg
        if self.reg not in REGS:
            raise ValueError(f"reg must be one of {', '.join(REGS)}, not {reg!r}")
        self.reg_rate = L.L2_ALPHA if reg_rate is None else float(reg_rate)
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, not {optimizer!r}")
        self.optimizer_name = optimizer
        self.lr = default_lr(optimizer, self.regression) if lr is None else lr
        self.batch = batch
        self.rng = random.Random(seed)
        outputs = output_units(self.loss_name, self.classes)
        self.model = MLP(len(self.features), self.layers + [outputs], activation=activation, rng=self.rng)
        self.params = self.model.parameters()
        if init not in INITS:
            raise ValueError(f"init must be one of {', '.join(INITS)}, not {init!r}")
        self.init = init
        if init == "zero":
            for p in self.params:
                p.data = 0.0
        self.optimizer = Optimizer(optimizer, len(self.params), momentum=momentum, beta1=beta1, beta2=beta2,
                                   eps=eps, weight_decay=weight_decay)
        self.steps = 0  # steps taken
        self.sizes = [len(self.features)] + self.layers + [outputs]  # [nin, n1, ..., nout]
        self.watch = watch
        self.stats = []  # with watch: one layer_stats() per step taken
        self.last_grads = None  # the last step's gradients, in parameters() order

    # -- one step ------------------------------------------------------------
    def batch_indices(self) -> list[int]:
        """The points of the next step (draws from the seeded generator)."""
        n = len(self.X)
        if self.batch is None or self.batch >= n:
            return list(range(n))
        return sample(self.rng, n, self.batch)

    def learning_rate(self, k: int | None = None) -> float:
        return learning_rate(self.steps if k is None else k, self.lr)

    def step(self) -> float:
        """One step; returns the loss of its forward pass (before the update)."""
        indices = self.batch_indices()
        before = self.weights() if self.watch else None
        try:
            loss = self._step(indices, self.learning_rate())
        except DomainError as error:
            raise Diverged(f"the training diverged at step {self.steps + 1} ({error}): "
                           "try a smaller learning rate") from None
        self.steps += 1
        if self.watch:
            self.stats.append(self.layer_stats(indices, before, self.last_grads))
        return loss

    def layer_stats(self, indices, weights, grads) -> dict:
        """One step's gradients layer by layer, to see them vanish or explode:
        ``"norms"``, for each layer of weights (the output layer last), the Euclidean norm of
        its weights' gradients (the biases' left out; the regularization's part in); and
        ``"dead"``, for each hidden layer of ReLUs, the share of its units whose output was 0
        for every point of the step's batch at the step's ``weights`` (a unit that gets no
        gradient from any of them; None for tanh and linear units)."""
        norms, at = [], 0
        for lay in range(1, len(self.sizes)):
            nin, n = self.sizes[lay - 1], self.sizes[lay]
            total = 0.0
            for k in range(n):  # (each neuron: its nin weights, then its bias)
                for g in grads[at + k * (nin + 1): at + k * (nin + 1) + nin]:
                    total += g * g
            norms.append(math.sqrt(total))
            at += n * (nin + 1)
        dead = [None] * (len(self.sizes) - 2)
        if self.activation == "relu" and dead:
            outs = self.hidden_outputs([self.F[i] for i in indices], weights)
            at = 0
            for lay in range(len(dead)):
                n = self.sizes[lay + 1]
                off = sum(1 for k in range(n) if all(o[at + k] <= 0.0 for o in outs))
                dead[lay] = off / n
                at += n
        return {"norms": norms, "dead": dead}

    def hidden_outputs(self, inputs, weights=None) -> list[list[float]]:
        """Every hidden unit's output (layer by layer) for each of ``inputs`` (the network's
        inputs: features already made) at ``weights`` (default the current ones)."""
        from gradstep.training import fastnet

        net = fastnet.compile_net(self.sizes, self.activation, "mse", alpha=0.0)
        return net.hidden_flat(self.weights() if weights is None else weights, inputs)

    def _step(self, indices: list[int], rate: float) -> float:
        total = self.loss_graph(indices)
        self.model.zero_grad()
        total.backward()
        self.last_grads = [p.grad for p in self.params]
        if self.optimizer.name == "sgd" and not self.optimizer.weight_decay:
            for p in self.params:
                p.data -= rate * p.grad  # micrograd's update (Optimizer's sgd, the same floats)
        else:
            new = self.optimizer.update([p.data for p in self.params], [p.grad for p in self.params], rate)
            for p, v in zip(self.params, new, strict=True):
                p.data = v
        return total.data

    def loss_graph(self, indices: list[int], forward=None) -> Value:
        """The loss of the points ``indices`` as a ``Value`` graph, micrograd's demo's
        way: inputs wrapped in ``Value``, scores from the model, then the loss.
        ``forward`` (default the model) maps one point's inputs to its scores:
        gradstep.training.batch_graph passes one that notes which neuron made which nodes."""
        inputs = [list(map(Value, self.F[i])) for i in indices]
        scores = list(map(self.model if forward is None else forward, inputs))
        if self.loss_name == "hinge":
            data = L.hinge(scores, [self.signed[i] for i in indices])
        elif self.loss_name == "mse":
            data = L.mean_squared_error(scores, self.targets(indices))
        else:
            data = L.cross_entropy(scores, [self.y[i] for i in indices])
        # (hinge + l2 at 1e-4 is L.svm_loss, micrograd's demo loss: the same nodes in the same order)
        if self.reg == "l2":
            return data + L.l2(self.params, self.reg_rate)
        if self.reg == "l1":
            return data + L.l1(self.params, self.reg_rate)
        return data

    def targets(self, indices: list[int], y=None) -> list:
        """What the loss scores each point of ``indices`` against (of ``y``, default the
        training classes): -1/+1 for hinge and one-output mse, one-hot rows for mse on several
        outputs, class numbers for cross-entropy."""
        y = self.y if y is None else y
        if self.regression:
            return [float(y[i]) for i in indices]
        if self.loss_name == "hinge":
            return [2 * y[i] - 1 for i in indices]
        if self.single:
            return [float(2 * y[i] - 1) for i in indices]
        if self.loss_name == "mse":
            return [[1.0 if c == y[i] else 0.0 for c in range(self.classes)] for i in indices]
        return [y[i] for i in indices]

    # -- reading the model ---------------------------------------------------
    def predict(self, x):
        """The class the model gives the point ``x`` (plain floats, no graph); a regression's number."""
        out = self.model.predict(F.featurize(x, self.features))
        if self.regression:
            return out
        if self.single:
            return 1 if out > 0 else 0
        return L.argmax(out)

    def scores(self, points: list[list[float]]) -> list:
        """The network's outputs at these points (plain floats, no graph)."""
        return [self.model.predict(F.featurize(x, self.features)) for x in points]

    def accuracy(self, X=None, y=None) -> float | None:
        """The fraction of the points ``X`` (default: the training points) classified right
        (None for a regression)."""
        if self.regression:
            return None
        X, y = (self.X, self.y) if X is None else (X, y)
        right = 0
        for out, c in zip(self.scores(X), y, strict=True):
            right += ((1 if out > 0 else 0) if self.single else L.argmax(out)) == c
        return right / len(X)

    def evaluate(self, X, y) -> tuple[float, float]:
        """(loss, accuracy) on other points (the test points) at the current weights: the data
        loss a graph of all of them would give (``losses.plain``; no regularisation term,
        which is of the weights, not of the points), and the fraction classified right."""
        scores = self.scores(X)
        loss = L.plain(self.loss_name, scores, self.targets(range(len(y)), y))
        if self.regression:
            return loss, None
        right = 0
        for out, c in zip(scores, y, strict=True):
            right += ((1 if out > 0 else 0) if self.single else L.argmax(out)) == c
        return loss, right / len(y)

    def weights(self) -> list[float]:
        """Every parameter's value, in ``model.parameters()`` order."""
        return [p.data for p in self.params]

    def set_weights(self, values: list[float]) -> None:
        for p, v in zip(self.params, values, strict=True):
            p.data = v
