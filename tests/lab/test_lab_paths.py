"""Sum over paths (gradstep/lab/paths.py) and forward mode (gradstep/lab/forward_mode.py)."""

from __future__ import annotations

import json
import math
import time

import pytest
from hypothesis import HealthCheck, given, settings

from gradstep.lab.forward_mode import forward_mode
from gradstep.lab.paths import paths
from gradstep.program.compiler import compile_program
from gradstep.program.examples import EXAMPLES, by_id
from gradstep.program.timeline import Timeline
from helpers import programs


def absolute_scale(tape, start, leaf) -> float:
    """Sum over paths of |product|, by a forward pass on |local derivatives|: the size
    of the terms whose sum is the gradient, against which rounding is measured."""
    _, slopes = tape.forward(list(start))
    t = [0.0] * len(tape)
    t[leaf] = 1.0
    for i, op in enumerate(tape.ops):
        if op is not None:
            t[i] = sum(abs(d) * t[j] for j, d in zip(tape.inputs[i], slopes[i], strict=True))
    return t[tape.output]


def rounding_close(a: float, b: float, scale: float) -> bool:
    return abs(a - b) <= 1e-12 * scale + 1e-300


# -------------------------------------------------------------------- paths
def test_a_plus_a_has_two_paths():
    # b = a + a; c = b + b: 2 * 2 = 4 paths, each product 1; dc/da = 4
    tape = compile_program("a = 3.0\nb = a + a\nc = b + b\n")
    result = paths(tape, tape.init, 0)
    assert result["count"] == 4 and result["complete"] and len(result["paths"]) == 4
    assert all(p["product"] == 1.0 for p in result["paths"])
    assert result["sum"] == 4.0 == result["backprop"]
    inputs = sorted((e["consumer"], e["input"]) for p in result["paths"] for e in p["edges"])
    assert inputs == [(1, 0), (1, 0), (1, 1), (1, 1), (2, 0), (2, 0), (2, 1), (2, 1)]
    json.dumps(result, allow_nan=False)


def test_micrograd_L_paths_by_hand():
    # L = (a*b + c) * f: one path from a: dL/dd * dd/de * de/da = f * 1 * b = 6
    tape = compile_program(by_id("micrograd-L")["program"])
    result = paths(tape, tape.init, tape.names["a"])
    [path] = result["paths"]
    assert [tape.labels[n] for n in path["nodes"]] == ["a", "e", "d", "L"]
    assert [e["local"] for e in path["edges"]] == [-3.0, 1.0, -2.0]
    assert path["locals"] == [-3.0, 1.0, -2.0]
    assert path["product"] == 6.0 == result["sum"]


def test_many_paths_are_counted_not_listed():
    # x doubled 40 times: 2**40 paths, counted by hand
    text = "x = 1.0\n" + "x = x + x\n" * 40
    tape = compile_program(text)
    began = time.perf_counter()
    result = paths(tape, tape.init, 0, limit=50)
    assert time.perf_counter() - began < 5.0
    assert result["count"] == 2**40 and result["listed"] == 50 and result["complete"] is False
    assert result["sum"] is None and "2**40" not in result["count_text"]
    assert result["count_text"] == str(2**40)
    assert result["backprop"] == 2.0**40


def test_an_unused_leaf_has_no_paths():
    tape = compile_program("a = 1.0\nb = 2.0\ny = b * 3\n")
    result = paths(tape, tape.init, 0)
    assert result["count"] == 0 and result["paths"] == [] and result["sum"] == 0.0 == result["backprop"]


@pytest.mark.parametrize("example", [e["id"] for e in EXAMPLES])
def test_path_sums_are_backprop_on_every_example(example):
    tape = compile_program(by_id(example)["program"])
    timeline = Timeline(tape)
    for leaf in tape.leaf_indices():
        result = paths(tape, timeline.start, leaf)
        assert result["complete"]
        assert rounding_close(result["sum"], timeline.grads[leaf],
                              absolute_scale(tape, timeline.start, leaf))
        # networkx and the pure-Python walk list the same paths in the same order
        assert paths(tape, timeline.start, leaf, use_networkx=False)["paths"] == result["paths"]


@pytest.mark.parametrize("example", ["chain-one-line", "chain-steps"])
def test_one_path_multiplied_like_backprop_is_the_same_float(example):
    tape = compile_program(by_id(example)["program"])
    timeline = Timeline(tape)
    for leaf in tape.leaf_indices():
        result = paths(tape, timeline.start, leaf)
        assert result["count"] == 1 and result["sum"] == timeline.grads[leaf]


def test_the_count_matches_networkx_enumeration():
    nx = pytest.importorskip("networkx")
    from gradstep.program.graph import to_networkx

    tape = compile_program(by_id("softmax-nll")["program"])
    g = to_networkx(tape)
    for leaf in tape.leaf_indices():
        expected = sum(1 for _ in nx.all_simple_edge_paths(g, leaf, tape.output))
        assert paths(tape, tape.init, leaf)["count"] == expected


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_path_products_sum_to_the_gradient_on_random_programs(case):
    text = case[0]
    tape = compile_program(text)
    timeline = Timeline(tape)
    for leaf in tape.leaf_indices():
        result = paths(tape, timeline.start, leaf, limit=5000)
        if not result["complete"]:
            continue
        assert rounding_close(result["sum"], timeline.grads[leaf],
                              absolute_scale(tape, timeline.start, leaf)), result["difference"]
        walked = paths(tape, timeline.start, leaf, limit=5000, use_networkx=False)
        assert walked["paths"] == result["paths"]


# ------------------------------------------------------------- forward mode
def test_forward_mode_of_micrograd_L_by_hand():
    # tangents with respect to a: e' = b = -3, d' = -3, L' = f * d' = 6
    tape = compile_program(by_id("micrograd-L")["program"])
    result = forward_mode(tape, tape.init, tape.names["a"])
    tangents = {s["label"]: s["tangent"] for s in result["steps"]}
    assert tangents == {"a": 1.0, "b": 0.0, "c": 0.0, "e": -3.0, "d": -3.0, "f": 0.0, "L": 6.0}
    assert [s["node"] for s in result["steps"]] == list(range(len(tape)))
    assert result["tangent"] == 6.0 == result["backprop"]
    assert result["passes"] == {"forward_mode": 4, "reverse_mode": 1, "leaves": 4, "op_steps": 3}
    assert result["leaves"] == 4 and "4 such passes" in result["summary"]
    json.dumps(result, allow_nan=False)


@pytest.mark.parametrize("example", [e["id"] for e in EXAMPLES])
def test_forward_mode_equals_backprop_on_every_example(example):
    tape = compile_program(by_id(example)["program"])
    timeline = Timeline(tape)
    for leaf in tape.leaf_indices():
        result = forward_mode(tape, timeline.start, leaf)
        assert rounding_close(result["tangent"], timeline.grads[leaf],
                              absolute_scale(tape, timeline.start, leaf))
        assert result["passes"]["forward_mode"] == len(tape.leaf_indices())


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_forward_mode_equals_backprop_on_random_programs(case):
    tape = compile_program(case[0])
    timeline = Timeline(tape)
    for leaf in tape.leaf_indices():
        result = forward_mode(tape, timeline.start, leaf)
        assert rounding_close(result["tangent"], timeline.grads[leaf],
                              absolute_scale(tape, timeline.start, leaf))


def test_forward_mode_on_a_long_chain_has_no_recursion():
    tape = compile_program("x = 0.5\n" + "x = x * 1.0000001\n" * 20000)
    result = forward_mode(tape, tape.init, 0, limit=100)
    assert math.isclose(result["tangent"], 1.0000001**20000, rel_tol=1e-9)
    assert result["listed"] == len(result["steps"]) == 100


def test_networkx_lists_the_paths_in_tape_order_when_few_nodes_are_on_them():
    """(Found by hypothesis: a subgraph view of a few nodes hands out neighbours in set-hash
    order, so the listed paths wandered from the walk without networkx.)"""
    text = "v0 = 0.0\n" + "".join(f"t{k} = cos(v0)\n" for k in range(7)) + "t7 = v0 + t0\n"
    tape = compile_program(text)
    timeline = Timeline(tape)
    with_nx = paths(tape, timeline.start, 0)
    assert [p["nodes"] for p in with_nx["paths"]] == [[0, 1, 8], [0, 8]]
    assert with_nx["paths"] == paths(tape, timeline.start, 0, use_networkx=False)["paths"]
