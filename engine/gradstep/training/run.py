"""A whole training run, as the command line does it: ``train("moons", [16, 16], steps=100)``.

Apart from ``trainer`` so that the plain ``Trainer`` and the compiled ``FastTrainer`` (which
extends it) are both below it: neither imports the other's user.
"""

from __future__ import annotations

from gradstep.training.datasets import CLASSES, make, split
from gradstep.training.fast_trainer import FastTrainer
from gradstep.training.trainer import Diverged, Trainer, default_loss


def train(dataset, layers, steps, seed=0, batch=None, lr=None, activation="relu", loss=None,
          n=100, noise=None, progress=None, fast=False, test_fraction=0.0, data=None, compare=(), **options) -> dict:
    """Train on ``gradstep.training.datasets.make(dataset, n, noise, seed)`` for ``steps`` steps.

    ``test_fraction`` of the points (``datasets.split``) are held out: training sees only the
    others, ``"test_losses"`` is the test points' loss after each step (empty without test
    points) and ``"test_accuracy"`` theirs after the last step (None without); ``"accuracy"``
    is the training points'. ``options`` go to the trainer (``reg``, ``reg_rate``,
    ``optimizer`` and its settings, ``init``, ``features``: see ``Trainer``).
    ``data``: your own points instead, a ``gradstep.training.csvdata.Data`` (``dataset`` is then
    only the name the result carries, and ``n`` and ``noise`` are not used); the result adds
    ``"skipped_rows"``, the line numbers of the rows that could not be read.
    A regression dataset (classes 0) has no accuracy: ``"accuracy"`` and ``"test_accuracy"`` are None.
    ``"grad_norms"`` has one list a step: the norm of each layer's weight gradients (the output
    layer last), and ``"dead_relu"`` one a step: each hidden layer's share of ReLUs that were 0
    for the whole batch (None for other units): ``Trainer.layer_stats``.
    ``compare``: copies to train beside it, ``((optimizer, lr or None), ...)``: each the same network
    from the same initial weights on the same batches (the same seed) with that optimizer (and the
    other settings); ``"compare"`` then lists ``{"optimizer", "lr", "losses", "accuracy", "diverged"}``
    for each (a copy that diverges stops there, its message in ``"diverged"``; the run goes on).
    ``progress(k, loss)``, if given, is called after each step. ``fast=True`` steps
    with ``gradstep.training.fast_trainer.FastTrainer`` (the same floats, replayed on arrays).
    """
    if data is None:
        X, y = make(dataset, n=n, noise=noise, seed=seed)
        classes = CLASSES[dataset]
    else:
        X, y, classes = data.X, data.y, data.classes
    if loss is None:
        loss = default_loss(classes)
    train_at, test_at = split(len(X), test_fraction, seed)
    X_test, y_test = [X[i] for i in test_at], [y[i] for i in test_at]
    X, y = [X[i] for i in train_at], [y[i] for i in train_at]
    kind = FastTrainer if fast else Trainer
    trainer = kind(X, y, layers, seed=seed, activation=activation, loss=loss, lr=lr, batch=batch,
                   classes=classes, watch=True, **options)
    copies = [kind(X, y, layers, seed=seed, activation=activation, loss=loss, lr=rate, batch=batch,
                   classes=classes, **{**options, "optimizer": name}) for name, rate in compare]
    copy_losses = [[] for _ in copies]
    diverged = [None for _ in copies]
    history, test_history = [], []
    for k in range(steps):
        history.append(trainer.step())
        for c, copy in enumerate(copies):
            if diverged[c] is None:
                try:
                    copy_losses[c].append(copy.step())
                except Diverged as error:
                    diverged[c] = str(error)
        if X_test:
            test_history.append(trainer.evaluate(X_test, y_test)[0])
        if progress is not None:
            progress(k + 1, history[-1])
    result = {"dataset": dataset, "layers": list(layers), "seed": seed, "losses": history,
              "accuracy": trainer.accuracy(), "test_losses": test_history,
              "test_accuracy": trainer.evaluate(X_test, y_test)[1] if X_test else None,
              "grad_norms": [s["norms"] for s in trainer.stats], "dead_relu": [s["dead"] for s in trainer.stats]}
    if copies:
        result["compare"] = [{"optimizer": copy.optimizer_name, "lr": copy.lr, "losses": copy_losses[c],
                              "accuracy": copy.accuracy(), "diverged": diverged[c]} for c, copy in enumerate(copies)]
    if data is not None:
        result["skipped_rows"] = [line for line, _ in data.skipped]
    return result
