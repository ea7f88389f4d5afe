"""gradstep.training.batch_graph: a batch's whole loss graph grouped by neuron and by layer.

The references are built apart from the code under test: the graph that
``Trainer.loss_graph`` builds with the model's own ``__call__`` (walked here through
the public ``_prev``), a twin trainer that took the same steps, the compiled step's
gradients (gradstep.training.fastnet) and the units' outputs recomputed in plain floats with
``Neuron.predict``.
"""

from __future__ import annotations

import json
import math
from collections import Counter

import pytest

from gradstep.training.batch_graph import BatchGraph
from gradstep.training.datasets import make
from gradstep.training.fast_trainer import FastTrainer
from gradstep.training.trainer import Trainer

# (dataset, hidden layers, activation, loss, batch, points, steps trained first, trainer)
CASES = {
    "moons-hinge-relu": ("moons", [6, 5], "relu", "hinge", None, 30, 8, FastTrainer),
    "spiral-xent-relu": ("spiral", [7], "relu", "cross_entropy", 12, 45, 5, Trainer),
    "circles-mse-tanh": ("circles", [4, 3], "tanh", "mse", 10, 30, 4, FastTrainer),
    "spiral-mse-linear": ("spiral", [3], "linear", "mse", None, 24, 3, Trainer),
    "xor-one-unit-layer": ("xor", [1, 3], "relu", "hinge", 9, 20, 2, Trainer),
    "linear-one-unit-tanh": ("linear", [2, 1], "tanh", "cross_entropy", None, 16, 2, FastTrainer),
}


def trainer_for(case, kind=None):
    dataset, layers, activation, loss, batch, n, steps, default = CASES[case]
    X, y = make(dataset, n=n, seed=3)
    trainer = (kind or default)(X, y, layers, seed=1, activation=activation, loss=loss, batch=batch)
    for _ in range(steps):
        trainer.step()
    return trainer


def twin_of(case):
    """The same model at the same weights, a Value Trainer of its own."""
    twin = trainer_for(case, Trainer)
    return twin


def walk(root):
    """Every node below root (by identity) and the number of edges (one per use)."""
    seen = {id(root): root}
    stack = [root]
    edges = 0
    while stack:
        node = stack.pop()
        edges += len(node._prev)
        for child in node._prev:
            if id(child) not in seen:
                seen[id(child)] = child
                stack.append(child)
    return list(seen.values()), edges


def reference(case, indices):
    """The graph a Trainer step builds on these points, after backward."""
    twin = twin_of(case)
    root = twin.loss_graph(indices)
    twin.model.zero_grad()
    root.backward()
    nodes, edges = walk(root)
    return twin, root, nodes, edges


def arity(op):
    if op == "":
        return 0
    return 2 if op in ("+", "-", "*", "/", "**") else 1


@pytest.fixture(scope="module", params=sorted(CASES))
def built(request):
    case = request.param
    trainer = trainer_for(case)
    graph = BatchGraph(trainer)
    return case, trainer, graph, graph.summary()


def test_totals_are_the_graph_a_trainer_step_builds(built):
    case, trainer, graph, s = built
    twin, root, nodes, edges = reference(case, s["points"])
    t = s["totals"]
    assert t["nodes"] == len(nodes)
    assert t["edges"] == edges
    assert t["parameters"] == len(trainer.model.parameters())
    assert s["loss_value"] == root.data
    assert t["value_sum"] == pytest.approx(math.fsum(v.data for v in nodes), rel=1e-12, abs=1e-12)
    assert t["grad_sum"] == pytest.approx(math.fsum(v.grad for v in nodes), rel=1e-12, abs=1e-12)
    assert s["sizes"] == [2] + CASES[case][1] + [len(trainer.model.layers[-1].neurons)]
    assert (s["step"], s["activation"], s["loss"]) == (trainer.steps, CASES[case][2], CASES[case][3])


def test_groups_add_up_to_the_totals(built):
    _, trainer, _, s = built
    t = s["totals"]
    scale = {key: math.fsum(abs(g[key]) for g in s["neurons"]) for key in ("value_sum", "grad_sum")}
    for level in ("neurons", "layers"):
        groups = s[level]
        for key in ("nodes", "edges", "parameters"):
            assert sum(g[key] for g in groups) == t[key], (level, key)
        for key in ("value_sum", "grad_sum"):
            assert math.fsum(g[key] for g in groups) == pytest.approx(t[key], rel=1e-9, abs=1e-12 * scale[key])
    layers = len(trainer.model.layers)
    assert [g["id"] for g in s["layers"]] == ["in"] + [f"L{k}" for k in range(1, layers + 1)] + ["loss"]
    assert [g["layer"] for g in s["layers"]] == list(range(layers + 2))
    units = [(lay, j) for lay, layer in enumerate(trainer.model.layers, 1) for j in range(len(layer.neurons))]
    assert [g["id"] for g in s["neurons"]] == ["in"] + [f"L{a}N{b}" for a, b in units] + ["loss"]
    assert json.loads(json.dumps(s)) == s


def test_every_node_is_in_exactly_one_group(built):
    """The expanded groups hold the reference graph's nodes, each once (compared as
    (op, value, gradient) bit patterns, so a node counted twice or lost shows)."""
    case, _, graph, s = built
    _, _, nodes, _ = reference(case, s["points"])

    def key(op, data, grad):
        return op, float(data).hex(), float(grad).hex()

    got = Counter(key(n["op"], n["data"], n["grad"]) for g in s["neurons"] for n in graph.expand(g["id"])["nodes"])
    assert got == Counter(key(v._op, v.data, v.grad) for v in nodes)


def test_building_changes_neither_the_weights_nor_the_draws():
    for case in CASES:
        trainer, twin = trainer_for(case), trainer_for(case)
        weights, state = trainer.weights(), trainer.rng.getstate()
        s = BatchGraph(trainer).summary()
        assert trainer.weights() == weights and trainer.rng.getstate() == state, case
        # the summary's points are the ones the next step uses, and training goes on as if untouched
        assert s["points"] == trainer.batch_indices(), case
        trainer.rng.setstate(state)
        assert trainer.step() == twin.step(), case
        assert trainer.weights() == twin.weights(), case


def test_the_batch_is_the_next_steps_or_the_one_given():
    trainer = trainer_for("spiral-xent-relu")
    s = BatchGraph(trainer).summary()
    assert len(s["points"]) == 12 == len(set(s["points"]))
    assert s["points"] == trainer.batch_indices()  # the draw the step would have made
    assert BatchGraph(trainer_for("moons-hinge-relu")).summary()["points"] == list(range(30))
    given = BatchGraph(trainer_for("moons-hinge-relu"), indices=[4, 0, 17]).summary()
    assert given["points"] == [4, 0, 17]
    assert given["totals"]["nodes"] == len(walk(twin_of("moons-hinge-relu").loss_graph([4, 0, 17]))[0])
    with pytest.raises(ValueError):
        BatchGraph(trainer, indices=[])


def test_expansions_are_laid_out_rows_by_point(built):
    case, trainer, graph, s = built
    B = len(s["points"])
    for g in s["neurons"] + s["layers"][1:-1]:
        ex = graph.expand(g["id"])
        nodes = ex["nodes"]
        assert ex["id"] == g["id"] and len(nodes) == g["nodes"] and ex["rows"] == B
        assert [n["k"] for n in nodes] == list(range(len(nodes)))
        cells = Counter((n["row"], n["col"]) for n in nodes)
        assert max(cells.values()) == 1, g["id"]
        for r in {n["row"] for n in nodes}:
            assert -1 <= r < B
            assert sorted(n["col"] for n in nodes if n["row"] == r) == list(range(cells_in(nodes, r)))
        assert ex["cols"] == max(n["col"] for n in nodes) + 1
        for n in nodes:
            assert all(0 <= j < n["k"] for j in n["in"]), (g["id"], n)
            assert len(n["in"]) + n["ext"] == arity(n["op"]), (g["id"], n)
        # edges into the group: the ones inside it plus the links from other groups
        inside = sum(len(n["in"]) for n in nodes)
        level = "neuron_links" if g["kind"] != "layer" else "layer_links"
        links_in = sum(link["edges"] for link in s[level] if link["to"] == g["id"])
        assert inside + links_in == g["edges"], g["id"]
        assert sum(n["ext"] for n in nodes) == links_in, g["id"]
        assert sum(1 for n in nodes if n["row"] == -1 and n["op"] == "" and n["label"]) == g["parameters"]


def cells_in(nodes, r):
    return sum(1 for n in nodes if n["row"] == r)


def test_neuron_and_input_rows_follow_the_network(built):
    case, trainer, graph, s = built
    points = s["points"]
    inputs = graph.expand("in")["nodes"]
    assert [(n["row"], n["col"], n["label"]) for n in inputs] == [(r, c, f"x{c}") for r in range(len(points))
                                                                  for c in range(2)]
    assert [n["data"] for n in inputs] == [v for i in points for v in trainer.X[i]]
    for lay, layer in enumerate(trainer.model.layers, 1):
        for j, neuron in enumerate(layer.neurons):
            nodes = graph.expand(f"L{lay}N{j}")["nodes"]
            nin = len(neuron.w)
            params = [n for n in nodes if n["row"] == -1]
            assert [n["label"] for n in params] == [f"w{i}" for i in range(nin)] + ["b"]
            assert [n["col"] for n in params] == list(range(nin + 1))
            per_point = 2 * nin + (neuron.activation != "linear")  # w*x and + for each input, then the unit
            rows = Counter(n["row"] for n in nodes if n["row"] >= 0)
            assert rows == Counter({r: per_point for r in range(len(points))})
        links = {(link["from"], link["to"]): link["edges"] for link in s["neuron_links"]}
        before = ["in"] if lay == 1 else [f"L{lay - 1}N{k}" for k in range(len(trainer.model.layers[lay - 2].neurons))]
        for a in before:
            for j in range(len(layer.neurons)):
                # each point's every input goes once into every unit of the layer (two inputs per point from "in")
                assert links[a, f"L{lay}N{j}"] == len(points) * (2 if a == "in" else 1)
    layer_links = {(link["from"], link["to"]): link["edges"] for link in s["layer_links"]}
    assert layer_links["in", "L1"] == len(points) * 2 * s["sizes"][1]


def test_loss_rows_hold_one_points_terms(built):
    case, trainer, graph, s = built
    nodes = graph.expand("loss")["nodes"]
    rows = Counter(n["row"] for n in nodes)
    assert set(rows) <= {-1, *range(len(s["points"]))}
    per_point = {rows[r] for r in range(len(s["points"]))}
    assert len(per_point) <= 2  # the same terms for each point (the first may also hold the sum's start)
    assert nodes[-1]["label"] == "loss" and nodes[-1]["grad"] == 1.0 and nodes[-1]["row"] == -1
    for n in nodes:  # a point's row uses only its own row's nodes (and the shared ones)
        assert all(nodes[j]["row"] in (n["row"], -1) for j in n["in"]) or n["row"] == -1, n


def test_hinge_loss_rows_are_micrograds_terms():
    """(1 + -y*s).relu() for each point (the constants -y and 1 in its row), the sum
    started from 0 with the first point's term (row 0), the rest shared: the sum, the
    mean's factor, the regularisation (p*p per parameter, their sum from 0, alpha)."""
    trainer = trainer_for("moons-hinge-relu")
    graph = BatchGraph(trainer)
    points = graph.summary()["points"]
    B, P = len(points), len(trainer.model.parameters())
    nodes = graph.expand("loss")["nodes"]
    rows = Counter(n["row"] for n in nodes)
    assert rows == Counter({-1: B - 1 + 2 + P + 1 + P + 2 + 1, 0: 5 + 2, **{r: 5 for r in range(1, B)}})
    for r in range(B):
        row = [n for n in nodes if n["row"] == r]
        assert [n["op"] for n in row[:5]] == ["", "*", "", "+", "ReLU"]
        assert row[0]["data"] == -trainer.signed[points[r]] and row[2]["data"] == 1


def test_parameter_gradients_are_a_training_steps(built):
    case, trainer, graph, s = built
    twin, _, _, _ = reference(case, s["points"])
    for g in s["neurons"][1:-1]:
        neuron = twin.model.layers[g["layer"] - 1].neurons[g["index"]]
        params = [n for n in graph.expand(g["id"])["nodes"] if n["row"] == -1]
        want = [p.grad for p in neuron.parameters()]
        assert [n["grad"] for n in params] == want, g["id"]
        assert [n["data"] for n in params] == [p.data for p in neuron.parameters()], g["id"]
        assert g["grad_norm"] == pytest.approx(math.sqrt(math.fsum(x * x for x in want)), rel=1e-12)
        assert g["parameters"] == len(want)
    for g in s["layers"][1:-1]:
        grads = [p.grad for p in twin.model.layers[g["layer"] - 1].parameters()]
        assert g["grad_norm"] == pytest.approx(math.sqrt(math.fsum(x * x for x in grads)), rel=1e-12)
    assert s["neurons"][0]["grad_norm"] == s["neurons"][-1]["grad_norm"] == 0


def test_parameter_gradients_are_the_compiled_steps():
    trainer = trainer_for("moons-hinge-relu")  # a FastTrainer
    graph = BatchGraph(trainer)
    points = graph.summary()["points"]
    _, _, grads = trainer.net.step_flat(trainer.flat, [trainer.X[i] for i in points], trainer.targets(points))
    got = [n["grad"] for g in graph.ids[1:-1] for n in graph.expand(g)["nodes"] if n["row"] == -1]
    assert [x.hex() for x in got] == [x.hex() for x in grads]


def test_dead_fraction_and_mean_output_match_a_direct_count(built):
    case, trainer, graph, s = built
    points = [trainer.X[i] for i in s["points"]]
    outputs = {}
    acts = points
    for lay, layer in enumerate(trainer.model.layers, 1):
        rows = [[neuron.predict(x) for neuron in layer.neurons] for x in acts]
        for j, neuron in enumerate(layer.neurons):
            outputs[f"L{lay}N{j}"] = (neuron, [row[j] for row in rows])
        acts = rows
    for g in s["neurons"][1:-1]:
        neuron, outs = outputs[g["id"]]
        assert g["mean_out"] == pytest.approx(sum(outs) / len(outs), rel=1e-9, abs=1e-12)
        if neuron.activation == "relu":
            assert g["dead"] == sum(o == 0.0 for o in outs) / len(outs), g["id"]
        else:
            assert g["dead"] is None
    for g in [s["neurons"][0], s["neurons"][-1], *s["layers"]]:
        assert g["dead"] is None and g["mean_out"] is None


def test_relu_units_can_be_partly_dead():
    """Not a vacuous check above: a trained ReLU network has units off on some points only."""
    s = BatchGraph(trainer_for("moons-hinge-relu")).summary()
    dead = [g["dead"] for g in s["neurons"] if g["dead"] is not None]
    assert len(dead) == 11 and any(0 < d < 1 for d in dead)


def test_unknown_group():
    graph = BatchGraph(trainer_for("xor-one-unit-layer"))
    with pytest.raises(KeyError):
        graph.expand("L9")
    with pytest.raises(KeyError):
        graph.expand("L1N7")


def test_a_graph_too_big_for_a_tab_is_refused_before_it_is_built():
    from gradstep.training.batch_graph import MAX_NODES, estimated_nodes
    from gradstep.training.datasets import make
    from gradstep.training.fast_trainer import FastTrainer

    X, y = make("moons", n=100, seed=0)
    for layers in ([16, 16], [3], [8, 8, 8]):
        t = FastTrainer(X, y, layers, seed=0)
        real = BatchGraph(t).summary()["totals"]["nodes"]
        assert abs(estimated_nodes(t, 100) - real) < 0.1 * real, layers
    big = FastTrainer(X, y, [64, 64], seed=0)
    assert estimated_nodes(big, 100) > MAX_NODES
    with pytest.raises(ValueError, match="smaller batch or smaller layers"):
        BatchGraph(big)
    BatchGraph(big, indices=[0, 1, 2])  # (a small batch of the same network is fine)
