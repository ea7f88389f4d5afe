"""A whole training run, as the command line does it: ``train("moons", [16, 16], steps=100)``.

Apart from ``trainer`` so that the plain ``Trainer`` and the compiled ``FastTrainer`` (which
extends it) are both below it: neither imports the other's user.
"""

from __future__ import annotations

from gradstep.training.datasets import CLASSES, make
from gradstep.training.fast_trainer import FastTrainer
from gradstep.training.trainer import Trainer, default_loss


def train(dataset, layers, steps, seed=0, batch=None, lr=None, activation="relu", loss=None,
          n=100, noise=None, progress=None, fast=False) -> dict:
    """Train on ``gradstep.training.datasets.make(dataset, n, noise, seed)`` for ``steps`` steps.

    ``progress(k, loss)``, if given, is called after each step. ``fast=True`` steps
    with ``gradstep.training.fast_trainer.FastTrainer`` (the same floats, replayed on arrays).
    """
    X, y = make(dataset, n=n, noise=noise, seed=seed)
    if loss is None:
        loss = default_loss(CLASSES[dataset])
    kind = FastTrainer if fast else Trainer
    trainer = kind(X, y, layers, seed=seed, activation=activation, loss=loss, lr=lr, batch=batch)
    history = []
    for k in range(steps):
        history.append(trainer.step())
        if progress is not None:
            progress(k + 1, history[-1])
    return {"dataset": dataset, "layers": list(layers), "seed": seed, "losses": history,
            "accuracy": trainer.accuracy()}
