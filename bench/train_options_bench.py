"""Benchmark (not a test): one training step of ``gradstep train``'s fast path with each option.

MLP(2, [16, 16, 1]) on 100 moons points (spiral for cross-entropy), all points a step:
milliseconds per step (the median of --steps steps after one warm-up step) of
``FastTrainer.step`` (the command line's and the page's step: the compiled forward and backward,
the regularization, the optimizer's update) for the default settings and for each optimizer,
regularization, features, tanh units and cross-entropy, in this CPython and in the vendored
Pyodide under node (bench/train_bench.mjs --module train_options_bench), beside issue 18's goals
(5 ms a step; 10 ms with tanh units or cross-entropy on the spiral). Also the page's view of a
step (``TrainingView``: a step with its boundary grid and every neuron's heat map). A setting
this checkout does not know yet prints "n/a".

    python3 bench/train_options_bench.py [--steps 20] [--no-pyodide]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "engine"))

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
    ("tanh units", {"activation": "tanh"}),
    ("spiral, cross-entropy", {"dataset": "spiral"}),
]
GOAL_MS = {"tanh units": 10.0, "spiral, cross-entropy": 10.0}  # else 5 ms


def ms_per_step(kwargs: dict, steps: int) -> float | None:
    kwargs = dict(kwargs)
    X, y = make(kwargs.pop("dataset", "moons"), n=100, seed=0)
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


def view_ms(steps: int) -> float:
    """The page's Play chunk of one step: TrainingView's step with its 32-cell boundary and the
    neurons' heat maps (what the worker does per reply; JSON and drawing not included)."""
    from gradstep.training.view import TrainingView

    view = TrainingView()
    view.act("new", settings={"dataset": "moons", "layers": "16,16"})
    times = []
    for _ in range(steps + 1):
        start = time.perf_counter()
        view.act("step", steps=1)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times[1:])


def measure(steps: int) -> dict:
    """Every case's ms per step in this interpreter (None: not in this checkout)."""
    out = {name: ms_per_step(kwargs, steps) for name, kwargs in CASES}
    out["page view: 1 step + boundary + heat maps"] = view_ms(steps)
    return {"python": sys.version.split()[0], "ms": out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--no-pyodide", action="store_true")
    args = parser.parse_args()
    here = measure(args.steps)
    there = None
    if not args.no_pyodide:
        out = subprocess.run(["node", str(ROOT / "bench" / "train_bench.mjs"), "--module", "train_options_bench",
                              "--steps", str(args.steps)], capture_output=True, text=True, cwd=ROOT)
        if out.returncode != 0:
            print(out.stderr.strip()[-2000:], file=sys.stderr)
        else:
            there = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"FastTrainer.step, MLP(2, [16, 16, 1]), 100 points, all a step: ms per step, median of {args.steps}")
    head = f"{'case':<42}{'CPython ' + here['python']:>16}"
    if there:
        head += f"{'Pyodide (' + there['python'] + ')':>22}{'goal':>8}"
    print(head)
    for name, ms in here["ms"].items():
        row = f"{name:<42}{'n/a' if ms is None else f'{ms:16.3f}'}"
        if there:
            pm = there["ms"].get(name)
            goal = GOAL_MS.get(name, 5.0)
            mark = "" if pm is None or name.startswith("page") else (" ok" if pm <= goal else " over")
            row += f"{'n/a' if pm is None else f'{pm:22.3f}'}{'' if name.startswith('page') else f'{goal:8.1f}'}{mark}"
        print(row)


if __name__ == "__main__":
    main()
