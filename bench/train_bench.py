"""Benchmark: one training step of micrograd's demo, four ways, in CPython and in Pyodide.

MLP(2, [16, 16, 1]) on 100 moons points, micrograd's demo loss (the hinge
``(1 + -y*score).relu()`` averaged over the batch plus 1e-4 * sum(p*p)), then SGD
``p -= 0.1 * grad``. Three ways of doing the same step: building the graph with
``gradstep.Value``, with micrograd's own ``Value``, and ``gradstep.training.fastnet``'s compiled
step (no graph), each in this CPython and in the vendored Pyodide under node
(bench/train_bench.mjs, which loads this file there). Prints milliseconds per step
(the median of --steps steps after one warm-up step), whether the fast path's losses
equal gradstep.Value's bit for bit, and whether Pyodide's fast step meets the 50 ms goal.

    python3 bench/train_bench.py              # needs micrograd==0.1.0 and node 20
    python3 bench/train_bench.py --steps 9
    python3 bench/train_bench.py --no-pyodide
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "engine"))
sys.path.insert(0, str(HERE))

from engine_bench import moons, step  # noqa: E402 (micrograd's demo step, on any Value)

import gradstep.core.value  # noqa: E402
import gradstep.training.nn  # noqa: E402
from gradstep.training import fastnet  # noqa: E402

SIZES = [2, 16, 16, 1]
GOAL_MS = 50.0
METHODS = ("gradstep.Value", "micrograd Value", "gradstep fastnet")


def measure(steps: int) -> dict:
    """Milliseconds per step of each method (median of ``steps`` after a warm-up), the
    losses each computed, and the fast path's one-off compile time; in this interpreter."""
    import micrograd.engine
    import micrograd.nn

    xs, ys = moons(100)
    result = {"python": sys.version.split()[0], "ms": {}, "losses": {}}
    graphs = {
        "gradstep.Value": (gradstep.core.value.Value, gradstep.training.nn.MLP),
        "micrograd Value": (micrograd.engine.Value, micrograd.nn.MLP),
    }
    for name, (Value, MLP) in graphs.items():
        random.seed(1337)
        model = MLP(2, SIZES[1:])
        times, losses, root = [], [], None
        for _ in range(steps + 1):
            start = time.perf_counter()
            root = None  # freeing the last step's graph is part of a step's cost
            root, _, _ = step(Value, model, xs, ys)
            times.append(time.perf_counter() - start)
            losses.append(root.data)
        result["ms"][name] = 1000 * statistics.median(times[1:])
        result["losses"][name] = losses
    for name, activation in (("gradstep fastnet", "relu"), ("fastnet, tanh", "tanh")):
        random.seed(1337)
        model = gradstep.training.nn.MLP(2, SIZES[1:])
        start = time.perf_counter()
        net = fastnet.compile_net(SIZES, activation, "hinge")
        compiled = 1000 * (time.perf_counter() - start)
        params = fastnet.flatten(fastnet.from_mlp(model))
        times, losses = [], []
        for _ in range(steps + 1):
            start = time.perf_counter()
            loss, _, grads = net.step_flat(params, xs, ys)
            params = fastnet.sgd(params, grads, 0.1)
            times.append(time.perf_counter() - start)
            losses.append(loss)
        result["ms"][name] = 1000 * statistics.median(times[1:])
        result["losses"][name] = losses
        result.setdefault("compile_ms", compiled)
    result["batch_graph"] = batch_graph_ms(steps)
    return result


def batch_graph_ms(repeats: int) -> dict:
    """The page's "whole batch's graph": building the 65,000-node graph and grouping
    it (BatchGraph), its summary, and opening the biggest neuron; median ms."""
    from gradstep.training.batch_graph import BatchGraph
    from gradstep.training.datasets import make
    from gradstep.training.fast_trainer import FastTrainer

    X, y = make("moons", n=100, seed=0)
    trainer = FastTrainer(X, y, [16, 16], seed=0)
    timings = {"build": [], "summary": [], "expand L2N0": []}
    graph = None
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        graph = None  # (freeing the last one is part of the cost)
        graph = BatchGraph(trainer)
        timings["build"].append(time.perf_counter() - start)
        start = time.perf_counter()
        summary = graph.summary()
        timings["summary"].append(time.perf_counter() - start)
        start = time.perf_counter()
        graph.expand("L2N0")
        timings["expand L2N0"].append(time.perf_counter() - start)
    out = {k: 1000 * statistics.median(v) for k, v in timings.items()}
    out["nodes"] = summary["totals"]["nodes"]
    return out


def in_pyodide(steps: int) -> dict | None:
    """``measure`` run inside the vendored Pyodide under node (bench/train_bench.mjs)."""
    import micrograd

    command = ["node", str(HERE / "train_bench.mjs"), "--steps", str(steps),
               "--micrograd", str(Path(micrograd.__file__).parent)]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"bench: Pyodide run failed: {error}", file=sys.stderr)
        return None
    if proc.returncode != 0:
        print(f"bench: Pyodide run failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--no-pyodide", action="store_true")
    args = parser.parse_args()
    runs = {"CPython": measure(args.steps)}
    if not args.no_pyodide:
        pyodide = in_pyodide(args.steps)
        if pyodide is not None:
            runs["Pyodide"] = pyodide
    print(f"MLP(2, [16, 16, 1]), 100 points, micrograd's demo loss + SGD: ms per step, "
          f"median of {args.steps} steps")
    columns = [f"{where} {run['python']}" for where, run in runs.items()]
    header = f"{'method':<17}" + "".join(f"{column:>18}" for column in columns)
    print(header)
    for method in METHODS:
        print(f"{method:<17}" + "".join(f"{run['ms'][method]:>18.1f}" for run in runs.values()))
    print(f"{'(fastnet compile)':<17}" + "".join(f"{run['compile_ms']:>18.1f}" for run in runs.values()))
    print("not the goal's step, for comparison: the same with tanh hidden units (3,200 floatmath.tanh calls)")
    print(f"{'fastnet, tanh':<17}" + "".join(f"{run['ms']['fastnet, tanh']:>18.1f}" for run in runs.values()))
    for where, run in runs.items():
        same = run["losses"]["gradstep fastnet"] == run["losses"]["gradstep.Value"]
        verdict = "yes" if same else "NO"
        print(f"{where}: fastnet's {args.steps + 1} losses equal gradstep.Value's bit for bit: {verdict}")
    nodes = next(iter(runs.values()))["batch_graph"]["nodes"]
    print(f"the page's whole-batch graph ({nodes:,} nodes): ms, median of {args.steps}")
    for what in ("build", "summary", "expand L2N0"):
        print(f"{what:<17}" + "".join(f"{run['batch_graph'][what]:>18.1f}" for run in runs.values()))
    if "Pyodide" in runs:
        fast = runs["Pyodide"]["ms"]["gradstep fastnet"]
        print(f"goal: a step in Pyodide within {GOAL_MS:.0f} ms: {'met' if fast <= GOAL_MS else 'NOT met'} "
              f"({fast:.1f} ms)")
    else:
        print("goal: not measured (no Pyodide run)")


if __name__ == "__main__":
    main()
