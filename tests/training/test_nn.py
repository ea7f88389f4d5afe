"""gradstep.training.nn and gradstep.training.losses: micrograd's numbers on the same seeds, finite
differences, the plain-float forward pass, and the losses' own properties.

Against micrograd 0.1.0, what is equal to the bit and what only to float tolerance:

* weights (same seed), scores, and every loss value at the same weights are equal to
  the bit: both engines do the same float operations in the same order.
* gradients agree to about 1e-12 of the largest gradient, not to the bit. A weight's
  gradient is a sum of one contribution per training point, and the two engines add
  them in different orders (micrograd walks its graph depth first over Python sets,
  ordered by object hashes, i.e. memory addresses, so its order is not even the same
  from run to run; gradstep goes newest node first). Float addition is not
  associative, so the last bits differ, and with them the weights after an update.
"""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradstep import Value
from gradstep.training import losses as L
from gradstep.training.datasets import make
from gradstep.training.nn import MLP, Layer, Neuron

micrograd_nn = pytest.importorskip("micrograd.nn", reason="micrograd is in the test extra")
micrograd_engine = pytest.importorskip("micrograd.engine", reason="micrograd is in the test extra")


def _gradcheck(analytic: float, numeric: float) -> bool:
    # torch's gradcheck rule (style.md)
    return abs(analytic - numeric) <= 1e-5 + 1e-3 * abs(numeric)


def _micrograd_demo_loss(Value, model, X, y):
    """micrograd's demo notebook's loss(), written out as it is there."""
    inputs = [list(map(Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum(p * p for p in model.parameters())
    return data_loss + reg_loss, scores


# -- micrograd's behaviour ---------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 1337])
def test_seeded_weights_are_micrograds_after_random_seed(seed):
    random.seed(seed)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    ours = MLP(2, [16, 16, 1], seed=seed)
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    # and a Random passed in is the same stream
    again = MLP(2, [16, 16, 1], rng=random.Random(seed))
    assert [p.data for p in again.parameters()] == [p.data for p in ours.parameters()]


def test_called_as_micrograd_uses_the_global_random():
    random.seed(7)
    theirs = micrograd_nn.MLP(3, [4, 2])
    random.seed(7)
    ours = MLP(3, [4, 2])
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    assert repr(ours) == repr(theirs)
    assert repr(Neuron(2)) == "ReLUNeuron(2)" and repr(Neuron(2, nonlin=False)) == "LinearNeuron(2)"
    assert repr(Layer(2, 1, activation="tanh")) == "Layer of [TanhNeuron(2)]"
    assert len(ours.parameters()) == (3 * 4 + 4) + (4 * 2 + 2)


def test_activations_and_the_last_layer_is_linear():
    model = MLP(2, [3, 3, 2], activation="tanh", seed=0)
    assert [n.activation for layer in model.layers for n in layer.neurons] == ["tanh"] * 6 + ["linear"] * 2
    assert [n.activation for n in MLP(2, [3, 1], activation="linear", seed=0).layers[0].neurons] == ["linear"] * 3
    with pytest.raises(ValueError, match="activation must be one of relu, tanh, linear"):
        MLP(2, [3, 1], activation="sigmoid")
    with pytest.raises(ValueError, match="not both"):
        MLP(2, [3, 1], seed=0, rng=random.Random(0))


def test_a_hidden_layer_of_one_unit_works():
    model = MLP(2, [1, 1], seed=0)
    out = model([Value(0.5), Value(-0.5)])
    out.backward()
    assert isinstance(out, Value) and out.data == model.predict([0.5, -0.5])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_demo_loss_equals_micrograds_to_the_bit_and_gradients_to_float_tolerance(seed):
    X, y = make("moons", n=20, seed=seed, signed=True)
    random.seed(seed)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    ours = MLP(2, [16, 16, 1], seed=seed)
    their_loss, their_scores = _micrograd_demo_loss(micrograd_engine.Value, theirs, X, y)
    theirs.zero_grad()
    their_loss.backward()
    our_scores = list(map(ours, [list(map(Value, x)) for x in X]))
    our_loss = L.svm_loss(our_scores, y, ours.parameters())
    ours.zero_grad()
    our_loss.backward()
    assert [s.data for s in our_scores] == [s.data for s in their_scores]
    assert our_loss.data == their_loss.data
    their_grads = [p.grad for p in theirs.parameters()]
    our_grads = [p.grad for p in ours.parameters()]
    scale = max(abs(g) for g in their_grads)
    assert all(abs(a - b) <= 1e-12 * scale for a, b in zip(our_grads, their_grads, strict=True))
    right = [(yi > 0) == (s.data > 0) for yi, s in zip(y, their_scores, strict=True)]
    assert L.svm_accuracy(our_scores, y) == sum(right) / len(y)


def test_micrograds_demo_loop_and_ours_stay_together():
    # micrograd's training loop (its demo, on 20 points, 5 steps) in both engines:
    # the first loss to the bit, the later ones to 1e-12 (the gradients' last bits).
    X, y = make("moons", n=20, seed=3, signed=True)
    runs = []
    for Value_, model in ((micrograd_engine.Value, None), (Value, MLP(2, [8, 8, 1], seed=3))):
        if model is None:
            random.seed(3)
            model = micrograd_nn.MLP(2, [8, 8, 1])
        history = []
        for k in range(5):
            total, _ = _micrograd_demo_loss(Value_, model, X, y)
            model.zero_grad()
            total.backward()
            learning_rate = 1.0 - 0.9 * k / 100
            for p in model.parameters():
                p.data -= learning_rate * p.grad
            history.append(total.data)
        runs.append(history)
    theirs, ours = runs
    assert ours[0] == theirs[0]
    assert ours == pytest.approx(theirs, rel=1e-12)


# -- finite differences ------------------------------------------------------

def _loss_of(model, kind, X, y):
    scores = [model(list(map(Value, x))) for x in X]
    if kind == "svm":
        return L.svm_loss(scores, [2 * c - 1 for c in y], model.parameters())
    if kind == "mse":
        return L.mean_squared_error(scores, [[1.0 if c == k else 0.0 for k in range(3)] for c in y])
    return L.cross_entropy(scores, y)


def _check_against_central_differences(model, kind, X, y, h=1e-6):
    loss = _loss_of(model, kind, X, y)
    model.zero_grad()
    loss.backward()
    params = model.parameters()
    backprop = [p.grad for p in params]
    for i, p in enumerate(params):
        x = p.data
        p.data = x + h
        up = _loss_of(model, kind, X, y).data
        p.data = x - h
        down = _loss_of(model, kind, X, y).data
        p.data = x
        central = (up - down) / (2 * h)
        assert _gradcheck(backprop[i], central), f"parameter {i}: backprop {backprop[i]!r}, central {central!r}"


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), kind=st.sampled_from(["mse", "cross_entropy"]),
       points=st.lists(st.tuples(st.floats(-2, 2), st.floats(-2, 2), st.integers(0, 2)), min_size=1, max_size=4))
def test_tanh_mlp_gradients_match_central_differences(seed, kind, points):
    # tanh and these losses are smooth, so central differences agree everywhere
    model = MLP(2, [3, 3], activation="tanh", seed=seed)
    model.layers.append(Layer(3, 3, nonlin=False, rng=random.Random(seed + 1)))
    X = [[a, b] for a, b, _ in points]
    y = [c for _, _, c in points]
    _check_against_central_differences(model, kind, X, y)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_relu_mlp_with_micrograds_loss_matches_central_differences(seed):
    # relu and the hinge have kinks; at these seeds no nudge of 1e-6 crosses one
    X, y = make("moons", n=8, seed=seed)
    _check_against_central_differences(MLP(2, [4, 4, 1], seed=seed), "svm", X, y)


# -- the plain-float forward pass -------------------------------------------

@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), activation=st.sampled_from(["relu", "tanh", "linear"]),
       x=st.tuples(st.floats(-3, 3), st.floats(-3, 3)), outputs=st.integers(1, 3))
def test_predict_is_the_value_forward_pass_to_the_bit(seed, activation, x, outputs):
    model = MLP(2, [5, 4, outputs], activation=activation, seed=seed)
    out = model(list(map(Value, x)))
    floats = model.predict(list(x))
    if outputs == 1:
        assert floats == out.data
    else:
        assert floats == [o.data for o in out]


# -- the losses --------------------------------------------------------------

def test_cross_entropy_is_stable_and_right():
    logits = [[Value(1000.0), Value(1001.0), Value(999.0)]]
    loss = L.cross_entropy(logits, [1])
    expected = math.log(math.exp(-1) + 1 + math.exp(-2))
    assert loss.data == pytest.approx(expected, rel=1e-15)
    loss.backward()
    # d/dlogit = softmax - onehot
    soft = [math.exp(v - 1001) / (math.exp(-1) + 1 + math.exp(-2)) for v in (1000, 1001, 999)]
    assert [v.grad for v in logits[0]] == pytest.approx([soft[0], soft[1] - 1, soft[2]], rel=1e-12)
    assert L.class_accuracy([[0.1, 0.3, 0.2], [2.0, 1.0, 1.0]], [1, 1]) == 0.5


def test_mean_squared_error_and_hinge():
    scores = [Value(0.5), Value(-2.0)]
    loss = L.mean_squared_error(scores, [1.0, -1.0])
    assert loss.data == (0.25 + 1.0) * 0.5
    loss.backward()
    assert [s.grad for s in scores] == [-0.5, -1.0]
    hinge = L.hinge([Value(0.5), Value(-2.0), Value(0.2)], [1, -1, -1])
    assert hinge.data == (0.5 + 0.0 + 1.2) * (1.0 / 3)
    params = [Value(2.0), Value(-1.0)]
    assert L.l2(params).data == 1e-4 * 5.0
