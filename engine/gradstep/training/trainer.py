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

The step is swappable: ``Trainer.step()`` asks ``batch_indices()`` and
``learning_rate()`` and then calls ``_step(indices, rate)``, which builds the loss
with ``Value`` in ``loss_graph``, runs backward and updates the weights. A faster
path that replays the same operations on arrays overrides ``_step`` and must give
the same floats (the graph's exact operations are ``loss_graph`` and
``gradstep.training.losses``).
"""

from __future__ import annotations

import random

from gradstep.core.errors import DomainError
from gradstep.core.value import Value
from gradstep.training import losses as L
from gradstep.training.datasets import sample
from gradstep.training.nn import MLP

LOSSES = ("hinge", "mse", "cross_entropy")
DEFAULT_LR = 1.0
DECAY = 0.9
DECAY_STEPS = 100


def default_loss(classes: int) -> str:
    """micrograd's hinge loss for two classes, softmax cross-entropy for more."""
    return "hinge" if classes == 2 else "cross_entropy"


def output_units(loss: str, classes: int) -> int:
    """The output layer's units: one score for the hinge loss and for two-class squared error
    (scored against -1/+1), one logit per class otherwise."""
    return 1 if loss == "hinge" or (loss == "mse" and classes == 2) else classes


def learning_rate(k: int, lr: float = DEFAULT_LR) -> float:
    """The rate of the step taken after ``k`` steps (see the module doc)."""
    return lr * (1.0 - DECAY * min(k, DECAY_STEPS) / DECAY_STEPS)


class Diverged(ValueError):
    """The loss overflowed float64: the learning rate is too large for this model."""


class Trainer:
    """A model, its data and its optimiser state; ``step()`` takes one SGD step."""

    def __init__(self, X, y, layers, seed=0, activation="relu", loss=None, lr=None, batch=None):
        """``X`` a list of [x1, x2], ``y`` class numbers 0, 1, ... (0/1 for two
        classes); ``layers`` the hidden layers' sizes (the output layer is added: one
        unit for hinge and two-class mse, one per class otherwise)."""
        if len(X) != len(y) or not X:
            raise ValueError("X and y must be non-empty and of one length")
        if not all(isinstance(c, int) and c >= 0 for c in y):
            raise ValueError("y must hold class numbers 0, 1, ... (not -1/+1: the hinge loss signs them itself)")
        self.X = [list(map(float, x)) for x in X]
        self.y = list(y)
        self.classes = max(2, max(self.y) + 1)
        self.loss_name = default_loss(self.classes) if loss is None else loss
        if self.loss_name not in LOSSES:
            raise ValueError(f"loss must be one of {', '.join(LOSSES)}, not {self.loss_name!r}")
        if self.loss_name == "hinge" and self.classes != 2:
            raise ValueError(f"the hinge loss needs two classes, and this data has {self.classes}")
        # one output scored against -1/+1, or one logit per class
        self.single = output_units(self.loss_name, self.classes) == 1
        self.signed = [2 * c - 1 for c in self.y]
        self.layers = list(layers)
        self.seed = seed
        self.activation = activation
        self.lr = DEFAULT_LR if lr is None else lr
        self.batch = batch
        self.rng = random.Random(seed)
        outputs = output_units(self.loss_name, self.classes)
        self.model = MLP(len(self.X[0]), self.layers + [outputs], activation=activation, rng=self.rng)
        self.params = self.model.parameters()
        self.steps = 0  # steps taken

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
        """One SGD step; returns the loss of its forward pass (before the update)."""
        indices = self.batch_indices()
        try:
            loss = self._step(indices, self.learning_rate())
        except DomainError as error:
            raise Diverged(f"the training diverged at step {self.steps + 1} ({error}): "
                           "try a smaller learning rate") from None
        self.steps += 1
        return loss

    def _step(self, indices: list[int], rate: float) -> float:
        total = self.loss_graph(indices)
        self.model.zero_grad()
        total.backward()
        for p in self.params:
            p.data -= rate * p.grad
        return total.data

    def loss_graph(self, indices: list[int], forward=None) -> Value:
        """The loss of the points ``indices`` as a ``Value`` graph, micrograd's demo's
        way: inputs wrapped in ``Value``, scores from the model, then the loss.
        ``forward`` (default the model) maps one point's inputs to its scores:
        gradstep.training.batch_graph passes one that notes which neuron made which nodes."""
        inputs = [list(map(Value, self.X[i])) for i in indices]
        scores = list(map(self.model if forward is None else forward, inputs))
        if self.loss_name == "hinge":
            return L.svm_loss(scores, [self.signed[i] for i in indices], self.params)
        if self.loss_name == "mse":
            if self.single:
                return L.mean_squared_error(scores, [float(self.signed[i]) for i in indices])
            targets = [[1.0 if c == self.y[i] else 0.0 for c in range(self.classes)] for i in indices]
            return L.mean_squared_error(scores, targets)
        return L.cross_entropy(scores, [self.y[i] for i in indices])

    # -- reading the model ---------------------------------------------------
    def predict(self, x) -> int:
        """The class the model gives the point ``x`` (plain floats, no graph)."""
        out = self.model.predict(x)
        if self.single:
            return 1 if out > 0 else 0
        return L.argmax(out)

    def accuracy(self) -> float:
        """The fraction of the whole dataset classified right."""
        right = sum(self.predict(x) == c for x, c in zip(self.X, self.y, strict=True))
        return right / len(self.X)

    def weights(self) -> list[float]:
        """Every parameter's value, in ``model.parameters()`` order."""
        return [p.data for p in self.params]

    def set_weights(self, values: list[float]) -> None:
        for p, v in zip(self.params, values, strict=True):
            p.data = v
