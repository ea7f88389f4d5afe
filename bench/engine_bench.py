"""Benchmark: gradstep's Value against micrograd's on micrograd's moons training step.

Trains an MLP(2, [16, 16, 1]) with the SVM hinge loss and L2 regularisation on a
batch of 1 and of 100 points (micrograd's demo.ipynb): each step builds the loss
graph, runs backward and one SGD update. Both engines run in the same process,
alternating step by step, and it prints the median nodes per second for each and
the ratio, plus peak memory of one step (tracemalloc, in a separate pass so it does
not slow the timed runs).

    python bench/engine_bench.py            # needs: pip install micrograd==0.1.0
    python bench/engine_bench.py --repeat 9
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))

import micrograd.engine  # noqa: E402
import micrograd.nn  # noqa: E402

import gradstep.core.value  # noqa: E402
import gradstep.training.nn  # noqa: E402

ENGINES = {
    "gradstep": (gradstep.core.value.Value, gradstep.training.nn.MLP),
    "micrograd": (micrograd.engine.Value, micrograd.nn.MLP),
}


def moons(n: int, noise: float = 0.1, seed: int = 1) -> tuple[list[list[float]], list[int]]:
    """Two interleaving half circles, labels -1 and 1 (like sklearn's make_moons)."""
    rng = random.Random(seed)
    xs, ys = [], []
    for k in range(n):
        t = math.pi * rng.random()
        if k % 2 == 0:
            x, y, label = math.cos(t), math.sin(t), -1
        else:
            x, y, label = 1 - math.cos(t), 0.5 - math.sin(t), 1
        xs.append([x + rng.gauss(0, noise), y + rng.gauss(0, noise)])
        ys.append(label)
    return xs, ys


def count_nodes(root) -> int:
    seen, stack = {id(root)}, [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def step(Value, model, xs, ys, clock=time.perf_counter):
    """One training step of micrograd's demo.

    Returns the loss graph's root and two times: the whole step, and the part that is
    the engine's own work (building the graph and backward; the rest is the model's
    bookkeeping: listing parameters, zeroing gradients, the SGD update).
    """
    start = clock()
    inputs = [list(map(Value, x)) for x in xs]
    scores = [model(x) for x in inputs]
    losses = [(1 + -y * s).relu() for y, s in zip(ys, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    built = clock()
    model.zero_grad()
    zeroed = clock()
    total.backward()
    done = clock()
    for p in model.parameters():
        p.data -= 0.1 * p.grad
    end = clock()
    return total, end - start, (built - start) + (done - zeroed)


class Trainer:
    """One engine's model and data; each call times one more training step."""

    def __init__(self, name: str, batch: int):
        self.Value, MLP = ENGINES[name]
        random.seed(1337)
        self.model = MLP(2, [16, 16, 1])
        self.xs, self.ys = moons(batch)
        self.root = None

    def step(self) -> tuple[float, float, int]:
        # The previous step's graph is dropped inside the timed region, as in a real
        # training loop: freeing it (by reference counts, or by the cycle collector
        # for micrograd's closures, which runs during later allocations) is part of
        # the cost of a step, and of the graph.
        start = time.perf_counter()
        self.root = None
        freed = time.perf_counter() - start
        self.root, whole, graph = step(self.Value, self.model, self.xs, self.ys)
        return whole + freed, graph + freed, count_nodes(self.root)


def peak_memory(name: str, batch: int) -> int:
    trainer = Trainer(name, batch)
    tracemalloc.start()
    trainer.step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}; median of {args.repeat} alternating runs each")
    print("nodes/s: graph = building the loss graph and backward; step = the whole training")
    print("step (also zero_grad, listing parameters and the SGD update, which are the same code")
    print("in both engines' nn modules)\n")
    print(
        f"{'batch':>5} {'nodes':>7} {'part':>5} {'gradstep nodes/s':>17} {'micrograd nodes/s':>18} "
        f"{'ratio':>6} {'gradstep peak MiB':>18} {'micrograd peak MiB':>19}"
    )
    for batch in (1, 100):
        times: dict[str, dict[str, list[float]]] = {
            part: {name: [] for name in ENGINES} for part in ("graph", "step")
        }
        nodes = {}
        trainers = {name: Trainer(name, batch) for name in ENGINES}
        for name in ENGINES:
            trainers[name].step()  # warm up
        for _ in range(args.repeat):
            for name in ENGINES:  # alternate, so load on the machine hits both alike
                whole, graph, nodes[name] = trainers[name].step()
                times["step"][name].append(whole)
                times["graph"][name].append(graph)
        peak = {name: peak_memory(name, batch) / 2**20 for name in ENGINES}
        for part in ("graph", "step"):
            rate = {name: nodes[name] / statistics.median(times[part][name]) for name in ENGINES}
            print(
                f"{batch:>5} {nodes['gradstep']:>7} {part:>5} {rate['gradstep']:>17,.0f} "
                f"{rate['micrograd']:>18,.0f} {rate['gradstep'] / rate['micrograd']:>5.1f}x "
                f"{peak['gradstep']:>18.1f} {peak['micrograd']:>19.1f}"
            )
        if nodes["gradstep"] != nodes["micrograd"]:
            print(f"      (node counts differ: micrograd {nodes['micrograd']}; its _prev set merges a node used twice)")


if __name__ == "__main__":
    main()
