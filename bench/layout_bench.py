"""Benchmark: gradstep.layout's time, and its crossings against Graphviz dot.

For random program-shaped graphs of about 300, 3,000 and 10,000 nodes (value + op
nodes, the engine's shape; the generator is the tests' own) and a 100,000-node
chain, prints the layout time in ms (best of --repeat runs, CPython; Pyodide is
about 2-3x slower), our crossings, and dot's time and crossings, both counted by
``count_crossings`` from the drawn geometry. dot runs only up to --dot-max nodes,
each run limited to --dot-timeout seconds.

    python bench/layout_bench.py
    python bench/layout_bench.py --repeat 5 --dot-max 3000
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "engine"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "layout"))

from test_layout import chain_tape, graph_from_tape, random_tape  # noqa: E402

from gradstep.layout import layout  # noqa: E402
from layout_tools import count_crossings, dot_layout  # noqa: E402


def random_graph(n_nodes: int, seed: int = 1):
    """A random program graph with about n_nodes nodes (each op adds ~2.6)."""
    nodes, edges = graph_from_tape(random_tape(seed, max(1, round(n_nodes / 2.6))))
    return nodes, edges


def best_time(fn, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per graph; the best counts")
    ap.add_argument("--dot-max", type=int, default=3000, help="run dot up to this many nodes")
    ap.add_argument("--dot-timeout", type=float, default=120.0, help="seconds per dot run")
    args = ap.parse_args()
    have_dot = shutil.which("dot") is not None

    cases = [
        ("random 300", *random_graph(300)),
        ("random 3,000", *random_graph(3000)),
        ("random 10,000", *random_graph(10000)),
        ("chain 100,000", *graph_from_tape(chain_tape(100_000))),
    ]
    head = f"{'graph':<15}{'nodes':>8}{'edges':>8}{'ours ms':>10}{'ours x':>9}"
    print(head + f"{'dot ms':>10}{'dot x':>9}")
    for name, nodes, edges in cases:
        repeat = 1 if len(nodes) > 20_000 else args.repeat
        ms, result = best_time(lambda nodes=nodes, edges=edges: layout(nodes, edges), repeat)
        line = f"{name:<15}{len(nodes):>8}{len(edges):>8}{ms:>10.0f}{count_crossings(result):>9}"
        if not have_dot:
            line += f"{'(no dot)':>19}"
        elif len(nodes) > args.dot_max:
            line += f"{'-':>10}{'-':>9}"
        else:
            start = time.perf_counter()
            try:
                drawn = dot_layout(nodes, edges, timeout=args.dot_timeout)
                dot_ms = (time.perf_counter() - start) * 1000
                line += f"{dot_ms:>10.0f}{count_crossings(drawn):>9}"
            except subprocess.TimeoutExpired:
                line += f"{'timeout':>10}{'-':>9}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
