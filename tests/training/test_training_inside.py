"""Issue 18, "inside the network": each layer's gradient norms and dead ReLUs per step, and each
hidden neuron's heat map, checked against the network's own ``Value`` neurons, computed here
neuron by neuron (not through the flat parameter lists the code under test slices)."""

from __future__ import annotations

import math

import pytest

from gradstep.training.datasets import make
from gradstep.training.fast_trainer import FastTrainer
from gradstep.training.run import train
from gradstep.training.trainer import Trainer
from gradstep.training.view import NEURON_GRID, NEURON_UNITS_MAX, TrainingView


def data(n=40, seed=3):
    return make("moons", n=n, seed=seed)


@pytest.mark.parametrize("kind", [Trainer, FastTrainer])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_layer_norms_are_each_layers_weight_gradients(kind, activation):
    X, y = data()
    t = kind(X, y, [5, 4], seed=2, activation=activation, watch=True)  # (every point a step)
    for _ in range(3):
        t.step()
    assert len(t.stats) == 3
    # The plain path's own gradients (Value.grad after backward), neuron by neuron, biases left out.
    ref = Trainer(X, y, [5, 4], seed=2, activation=activation)
    for step in range(3):
        # Dead at this step: a hidden ReLU whose output is 0 at every point, at the weights before the update.
        outs = []
        for x in ref.F:
            h1 = [n(x) for n in ref.model.layers[0].neurons]
            h2 = [n(h1) for n in ref.model.layers[1].neurons]
            outs.append([v.data for v in h1 + h2])
        ref.step()
        want = [math.sqrt(sum(w.grad ** 2 for n in layer.neurons for w in n.w)) for layer in ref.model.layers]
        assert len(want) == 3  # two hidden layers and the output layer
        assert t.stats[step]["norms"] == pytest.approx(want, rel=1e-12)
        if activation != "relu":
            assert t.stats[step]["dead"] == [None, None]
        else:
            dead1 = sum(all(o[k] <= 0.0 for o in outs) for k in range(5)) / 5
            dead2 = sum(all(o[5 + k] <= 0.0 for o in outs) for k in range(4)) / 4
            assert t.stats[step]["dead"] == [dead1, dead2]


def test_a_dead_unit_is_counted_and_only_it():
    X, y = data()
    t = Trainer(X, y, [4, 3], seed=1, watch=True)
    w = t.weights()
    # Layer 1, neuron 2: weights 0 and bias -5, so its ReLU is 0 at every point.
    at = 2 * 3  # two neurons before it, each 2 weights and a bias
    w[at:at + 3] = [0.0, 0.0, -5.0]
    t.set_weights(w)
    # The other units of layer 1 are alive at some point (checked on the Value neurons here).
    layer1 = t.model.layers[0].neurons
    alive = [any(n(x).data > 0.0 for x in t.F) for n in layer1]
    assert alive[2] is False
    t.step()
    assert t.stats[0]["dead"][0] == pytest.approx(sum(not a for a in alive) / 4)
    assert t.stats[0]["dead"][0] >= 0.25


def test_zero_initialisation_keeps_every_hidden_neuron_alike():
    view = TrainingView()
    view.act("new", settings={"dataset": "moons", "layers": "4,3", "init": "zero", "activation": "tanh",
                              "loss": "mse", "reg": "none"})
    for _ in range(3):
        reply = view.act("step", steps=5)
    net = reply["network"]
    maps = net["maps"]
    assert maps[0] == maps[1] == maps[2] == maps[3]  # layer 1: the same function
    assert maps[4] == maps[5] == maps[6]  # layer 2
    # Weights too: every neuron of a layer has the same incoming weights and bias.
    w = net["weights"]
    assert w[0:3] == w[3:6] == w[6:9] == w[9:12]


@pytest.mark.parametrize("activation", ["relu", "tanh", "linear"])
def test_neuron_maps_are_the_neurons_outputs_at_the_cells(activation):
    view = TrainingView()
    view.act("new", settings={"dataset": "circles", "layers": "3,2", "seed": "4", "activation": activation,
                              "features": "x,y,x2"})
    reply = view.act("step", steps=7)
    net = reply["network"]
    assert net["sizes"] == [3, 3, 2, 1] and net["n"] == NEURON_GRID and len(net["maps"]) == 5
    assert len(net["grads"]) == len(net["weights"]) == 3 * 4 + 2 * 4 + 3
    model = view.trainer.model
    view.trainer.sync()
    # The boundary's extent, padded by 15%: the cells' centres are computed here from the data.
    pts = view.trainer.X
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    x0, x1 = min(xs) - 0.15 * (max(xs) - min(xs)), max(xs) + 0.15 * (max(xs) - min(xs))
    y0, y1 = min(ys) - 0.15 * (max(ys) - min(ys)), max(ys) + 0.15 * (max(ys) - min(ys))
    n = NEURON_GRID
    for i, j in [(0, 0), (3, 17), (10, 10), (19, 19), (7, 2)]:
        cx, cy = x0 + (j + 0.5) * (x1 - x0) / n, y1 - (i + 0.5) * (y1 - y0) / n
        h1 = [neuron([cx, cy, cx * cx]) for neuron in model.layers[0].neurons]
        h2 = [neuron(h1) for neuron in model.layers[1].neurons]
        for k, v in enumerate(h1 + h2):
            assert net["maps"][k][i * n + j] == int(v.data * 1000), (i, j, k)


def test_step_replies_carry_one_stat_a_step_and_match_the_command_line():
    view = TrainingView()
    view.act("new", settings={"dataset": "xor", "layers": "6,5", "seed": "2", "batch": "20"})
    a = view.act("step", steps=4)
    b = view.act("step", steps=3)
    assert len(a["grad_norms"]) == 4 and len(b["grad_norms"]) == 3
    cli = train("xor", [6, 5], 7, seed=2, batch=20)
    assert a["grad_norms"] + b["grad_norms"] == cli["grad_norms"]
    assert a["dead_relu"] + b["dead_relu"] == cli["dead_relu"]
    assert len(view.trainer.stats) <= 1  # (the view does not keep the history: the page does)


def test_a_large_network_sends_no_maps():
    view = TrainingView()
    view.act("new", settings={"dataset": "moons", "layers": f"{NEURON_UNITS_MAX},1"})
    net = view.network()
    assert net["maps"] is None and net["sizes"] == [2, NEURON_UNITS_MAX, 1, 1]
