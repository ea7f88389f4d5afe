"""Benchmark (not a test): one training step of ``gradstep train``'s fast path with each option.

MLP(2, [16, 16, 1]) on 100 moons points, all points a step, in this CPython: milliseconds per
step (the median of --steps steps after one warm-up step) of ``FastTrainer.step`` (the command
line's and the page's step: the compiled forward and backward, the regularization, the
optimizer's update) for the default settings and for each optimizer, regularization, features
and test split. A setting this checkout does not know yet prints "n/a".

    python3 bench/train_options_bench.py [--steps 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "engine"))

from gradstep.training.datasets import make  # noqa: E402
from gradstep.training.fast_trainer import FastTrainer  # noqa: E402

CASES = [
    ("default (sgd, hinge + l2 1e-4)", {}),
    ("optimizer momentum", {"optimizer": "momentum", "lr": 0.1}),
    ("optimizer adam", {"optimizer": "adam", "lr": 0.01}),
    ("adam, weight decay 0.01", {"optimizer": "adam", "lr": 0.01, "weight_decay": 0.01}),
    ("reg l1 1e-3", {"reg": "l1", "reg_rate": 1e-3}),
    ("reg none", {"reg": "none"}),
    ("features x,y,x2,y2,xy,sinx,siny", {"features": ("x", "y", "x2", "y2", "xy", "sinx", "siny")}),
]


def ms_per_step(kwargs: dict, steps: int) -> float | None:
    X, y = make("moons", n=100, seed=0)
    try:
        trainer = FastTrainer(X, y, [16, 16], seed=0, **kwargs)
    except TypeError:
        return None  # an option this checkout does not have
    times = []
    for _ in range(steps + 1):
        start = time.perf_counter()
        trainer.step()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50)
    args = parser.parse_args()
    print(f"FastTrainer.step, MLP(2, [16, 16, 1]), 100 moons points, CPython {sys.version.split()[0]}: "
          f"ms per step, median of {args.steps}")
    for name, kwargs in CASES:
        ms = ms_per_step(kwargs, args.steps)
        print(f"{name:<34}{'n/a' if ms is None else f'{ms:8.3f}'}")


if __name__ == "__main__":
    main()
