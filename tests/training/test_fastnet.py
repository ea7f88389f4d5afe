"""gradstep.training.fastnet: the compiled training step gives the floats of a Value graph, bit for bit.

The reference builds each step's graph with gradstep.Value directly (a Neuron's sum
from the bias, then the loss as gradstep.training.losses and micrograd's demo write it), runs
backward and the SGD update; the fast path must give the same loss, scores, every
gradient and every updated weight, compared as bit patterns (so -0.0 != 0.0), over
several steps.
"""

from __future__ import annotations

import random

import pytest

from gradstep.core.value import Value
from gradstep.training import fastnet
from gradstep.training.nn import MLP


def hexes(xs):
    return [float(x).hex() for x in xs]


def random_weights(sizes, rng):
    flat = [rng.uniform(-1, 1) for _ in range(sum((a + 1) * b for a, b in zip(sizes, sizes[1:], strict=False)))]
    return fastnet.nest(flat, sizes)


def data(loss, n, nout, rng):
    xs = [[rng.gauss(0, 1), rng.gauss(0, 1)] for _ in range(n)]
    if loss == "hinge":
        ys = [rng.choice([-1, 1]) for _ in range(n)]
    elif loss == "xent":
        ys = [rng.randrange(nout) for _ in range(n)]
    elif nout == 1:
        ys = [rng.choice([-1.0, 1.0]) for _ in range(n)]
    else:
        ys = [[1.0 if j == c else 0.0 for j in range(nout)] for c in (rng.randrange(nout) for _ in range(n))]
    return xs, ys


def reference_step(weights, activations, loss, alpha, xs, ys, lr):
    """One step built with Value: (loss, scores, grads, new params), flat lists."""
    layers = [[([Value(w) for w in ws], Value(b)) for ws, b in layer] for layer in weights]
    params = [p for layer in layers for ws, b in layer for p in (*ws, b)]
    scores = []
    for x in xs:
        h = list(map(Value, x))
        for layer, act in zip(layers, activations, strict=True):
            out = []
            for ws, b in layer:
                a = b
                for wi, xi in zip(ws, h, strict=True):
                    a = a + wi * xi
                out.append(a.relu() if act == "relu" else a.tanh() if act == "tanh" else a)
            h = out
        scores.append(h[0] if len(h) == 1 else h)
    if loss == "hinge":
        losses = [(1 + -y * s).relu() for y, s in zip(ys, scores, strict=True)]
        total = sum(losses) * (1.0 / len(losses))
    elif loss == "mse":
        terms = []
        for s, t in zip(scores, ys, strict=True):
            for si, ti in (zip(s, t, strict=True) if isinstance(s, list) else [(s, t)]):
                d = si - ti
                terms.append(d * d)
        total = sum(terms) * (1.0 / len(terms))
    else:
        losses = []
        for row, c in zip(scores, ys, strict=True):
            row = row if isinstance(row, list) else [row]
            m = max(v.data for v in row)
            shifted = [v - m for v in row]
            tot = sum(v.exp() for v in shifted)
            losses.append(tot.log() - shifted[c])
        total = sum(losses) * (1.0 / len(losses))
    if alpha:
        total = total + alpha * sum(p * p for p in params)
    total.backward()
    out = [[v.data for v in s] if isinstance(s, list) else s.data for s in scores]
    return total.data, out, [p.grad for p in params], [p.data - lr * p.grad for p in params]


def flat_scores(scores):
    return [x for s in scores for x in (s if isinstance(s, list) else [s])]


def assert_same_steps(sizes, activations, loss, n, seed, steps=3, lr=0.05):
    rng = random.Random(seed)
    weights = random_weights(sizes, rng)
    xs, ys = data(loss, n, sizes[-1], rng)
    net = fastnet.compile_net(sizes, activations, loss)
    params = fastnet.flatten(weights)
    for k in range(steps):
        want_loss, want_scores, want_grads, want_new = reference_step(
            fastnet.nest(params, sizes), net.activations, loss, net.alpha, xs, ys, lr)
        got_loss, got_scores, got_grads = net.step_flat(params, xs, ys)
        where = f"{sizes} {net.activations} {loss} n={n} seed={seed} step {k}"
        assert hexes([got_loss]) == hexes([want_loss]), where
        assert hexes(flat_scores(got_scores)) == hexes(flat_scores(want_scores)), where
        assert hexes(got_grads) == hexes(want_grads), where
        params = fastnet.sgd(params, got_grads, lr)
        assert hexes(params) == hexes(want_new), where
    assert hexes(flat_scores(net.scores_flat(params, xs))) == hexes(
        flat_scores(reference_step(fastnet.nest(params, sizes), net.activations, loss, net.alpha, xs, ys, lr)[1]))


@pytest.mark.parametrize("activation", ["relu", "tanh", "linear"])
@pytest.mark.parametrize("loss", ["hinge", "mse"])
@pytest.mark.parametrize("n, seed", [(1, 0), (7, 1), (100, 2)])
def test_matches_value_graph(activation, loss, n, seed):
    assert_same_steps([2, 6, 5, 1], activation, loss, n, seed)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("n, seed", [(1, 3), (7, 4), (100, 5)])
def test_cross_entropy_matches(activation, n, seed):
    assert_same_steps([2, 5, 3], activation, "xent", n, seed)


def test_mse_several_outputs_and_mixed_activations():
    assert_same_steps([2, 4, 5, 3], ["tanh", "relu", "linear"], "mse", 7, 6)
    assert_same_steps([2, 4, 1], ["linear", "relu"], "hinge", 7, 7)  # a ReLU output unit


def test_wide_layer_sums_in_order():
    # a fan-in above fastnet.CHUNK is split over several statements
    assert fastnet.CHUNK < 40
    rng = random.Random(8)
    sizes = [40, 3, 1]
    weights = random_weights(sizes, rng)
    xs = [[rng.gauss(0, 1) for _ in range(40)] for _ in range(5)]
    ys = [rng.choice([-1, 1]) for _ in range(5)]
    net = fastnet.compile_net(sizes, "relu", "hinge")
    want = reference_step(weights, net.activations, "hinge", net.alpha, xs, ys, 0.1)
    loss, scores, grads = net.step_flat(fastnet.flatten(weights), xs, ys)
    assert hexes([loss, *scores, *grads]) == hexes([want[0], *want[1], *want[2]])


def test_dead_units_and_zero_gradients_keep_their_bits():
    # Every hinge satisfied and ReLUs that are off: gradients are zeros (and
    # alpha * p terms), and their signs must be Value's.
    sizes = [2, 3, 1]
    weights = [[[[-1.0, -1.0], -5.0], [[0.5, -0.0], 0.0], [[-0.0, 0.0], -0.0]], [[[1.0, -2.0, 0.0], 3.0]]]
    xs = [[1.0, 2.0], [0.0, -0.0], [-0.0, 3.0]]
    for ys in ([1, 1, 1], [-1, 1, -1]):
        net = fastnet.compile_net(sizes, "relu", "hinge")
        for alpha in (1e-4, 0.0):
            net = fastnet.compile_net(sizes, "relu", "hinge", alpha=alpha)
            want = reference_step(weights, net.activations, "hinge", alpha, xs, ys, 0.1)
            loss, scores, grads = net.step_flat(fastnet.flatten(weights), xs, ys)
            assert hexes([loss, *scores, *grads]) == hexes([want[0], *want[1], *want[2]]), (ys, alpha)


def test_micrograd_demo_step_through_engine_nn():
    # micrograd's demo: MLP(2, [16, 16, 1]) from gradstep.training.nn, its own __call__ building the graph
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    rng = random.Random(9)
    xs, ys = data("hinge", 100, 1, rng)
    net = fastnet.compile_net(fastnet.sizes_of(model), "relu", "hinge")
    for lr in (1.0, 0.991):
        params = fastnet.flatten(fastnet.from_mlp(model))
        loss, scores, grads = net.step_flat(params, xs, ys)
        out = [model(list(map(Value, x))) for x in xs]
        data_loss = sum((1 + -y * s).relu() for y, s in zip(ys, out, strict=True)) * (1.0 / len(out))
        total = data_loss + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        total.backward()
        assert hexes([loss, *scores]) == hexes([total.data, *(s.data for s in out)])
        assert hexes(grads) == hexes(p.grad for p in model.parameters())
        for p in model.parameters():
            p.data -= lr * p.grad
        assert hexes(fastnet.sgd(params, grads, lr)) == hexes(p.data for p in model.parameters())


@pytest.mark.parametrize("dataset, loss, activation", [
    ("moons", "hinge", "relu"), ("xor", "mse", "tanh"), ("spiral", "cross_entropy", "relu"),
])
def test_same_floats_as_engine_train(dataset, loss, activation):
    # gradstep.training.trainer's Trainer builds its loss with gradstep.training.losses; fastnet must agree
    train = pytest.importorskip("gradstep.training.trainer")
    datasets = pytest.importorskip("gradstep.training.datasets")
    X, y = datasets.make(dataset, n=30, seed=3)
    trainer = train.Trainer(X, y, [6, 5], seed=3, activation=activation, loss=loss)
    sizes = fastnet.sizes_of(trainer.model)
    net = fastnet.compile_net(sizes, activation, loss)
    if loss == "hinge":  # labels 0/1 scored as -1/+1
        ys = [2 * c - 1 for c in y]
    elif sizes[-1] == 1:
        ys = [float(2 * c - 1) for c in y]
    elif loss == "mse":  # one output per class, one-hot targets
        ys = [[1.0 if j == c else 0.0 for j in range(sizes[-1])] for c in y]
    else:
        ys = list(y)
    xs = [list(map(float, x)) for x in X]
    params = fastnet.flatten(fastnet.from_mlp(trainer.model))
    for _ in range(3):
        rate = trainer.learning_rate()
        got, _, grads = net.step_flat(params, xs, ys)
        params = fastnet.sgd(params, grads, rate)
        assert hexes([got]) == hexes([trainer.step()])
        assert hexes(params) == hexes(trainer.weights())


def test_nested_interface_and_adapters():
    random.seed(4)
    model = MLP(2, [3, 1])
    weights = fastnet.from_mlp(model)
    assert fastnet.sizes_of(model) == [2, 3, 1]
    assert len(weights) == 2 and len(weights[0]) == 3 and len(weights[0][0][0]) == 2
    assert fastnet.flatten(weights) == [p.data for p in model.parameters()]
    net = fastnet.compile_net([2, 3, 1])
    xs, ys = [[0.5, -1.0], [1.0, 2.0]], [1, -1]
    loss, scores, grads = net.gradients(weights, xs, ys)
    assert fastnet.flatten(grads) == net.step_flat(fastnet.flatten(weights), xs, ys)[2]
    assert net.forward(weights, xs, ys) == (loss, scores)
    assert net.scores(weights, xs) == scores
    loss2, _, new = net.train(weights, xs, ys, 0.1)
    assert loss2 == loss and fastnet.flatten(new) == fastnet.sgd(fastnet.flatten(weights), fastnet.flatten(grads), 0.1)
    fastnet.to_mlp(model, new)
    assert [p.data for p in model.parameters()] == fastnet.flatten(new)
    with pytest.raises(ValueError):
        fastnet.nest([0.0] * 5, [2, 3, 1])
    with pytest.raises(ValueError):
        fastnet.to_mlp(model, [[[[0.0, 0.0], 0.0]]])


@pytest.mark.parametrize("args", [
    dict(sizes=[2]), dict(sizes=[2, 0, 1]), dict(sizes=[2, 3, 1], activation="sigmoid"),
    dict(sizes=[2, 3, 1], activation=["relu"]), dict(sizes=[2, 3, 1], loss="l1"),
    dict(sizes=[2, 3, 2], loss="hinge"),
])
def test_rejects_what_it_cannot_compile(args):
    with pytest.raises(ValueError):
        fastnet.compile_net(**args)
