"""Issue 18's training settings (contract 5, "More settings"): the test split, noise, L1/L2
regularization, the optimizers, zero initialisation and the input features.

Each is checked against a computation written out here (the split's sizes, the penalty's
value and its gradient, momentum's and Adam's textbook updates, the features' formulas), and
the compiled fast path (FastTrainer) against the Value graph's floats, bit for bit, over a
grid of the new settings. Networks are tiny and runs short.
"""

from __future__ import annotations

import itertools
import json
import math

import pytest

from gradstep.cli import main
from gradstep.core.value import Value
from gradstep.training import losses as L
from gradstep.training.datasets import DEFAULT_NOISE, NAMES, make, split
from gradstep.training.fast_trainer import FastTrainer
from gradstep.training.features import FEATURES, featurize
from gradstep.training.run import train
from gradstep.training.settings import BY_NAME, SettingError, check_together
from gradstep.training.trainer import Trainer


def hexes(xs):
    return [float(x).hex() for x in xs]


def base_argv(*extra):
    return ["train", "--dataset", "moons", "--layers", "4", "--steps", "3", "--seed", "0", *extra]


def run_cli(capsys, *extra):
    code = main(base_argv(*extra))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- 1. the test split -------------------------------------------------------

@pytest.mark.parametrize("n, fraction, count", [(100, 0.0, 0), (100, 0.1, 10), (100, 0.25, 25), (100, 0.9, 90),
                                                (7, 0.5, 3), (1, 0.9, 0), (40, 0.33, 13)])
def test_split_sizes_are_the_fraction_rounded_down_and_cover_every_point_once(n, fraction, count):
    trained, tested = split(n, fraction, seed=3)
    assert len(tested) == count == math.floor(fraction * n)
    assert sorted(trained + tested) == list(range(n)) and not set(trained) & set(tested)
    assert trained == sorted(trained) and tested == sorted(tested)  # in the data's order


def test_split_is_deterministic_from_the_seed():
    assert split(100, 0.3, seed=5) == split(100, 0.3, seed=5)
    held = {tuple(split(100, 0.3, seed=s)[1]) for s in range(6)}
    assert len(held) == 6  # a seed of its own for each
    with pytest.raises(ValueError):
        split(10, 1.0)


def test_training_sees_only_the_training_points_and_test_loss_is_the_test_points_loss():
    steps, seed, fraction = 4, 2, 0.3
    result = train("moons", [4, 4], steps, seed=seed, n=40, test_fraction=fraction)
    X, y = make("moons", n=40, seed=seed)
    trained, tested = split(40, fraction, seed)
    assert len(tested) == 12
    # a trainer of the training points alone takes the same steps
    t = Trainer([X[i] for i in trained], [y[i] for i in trained], [4, 4], seed=seed)
    test_losses = []
    for _ in range(steps):
        assert t.step() == result["losses"][len(test_losses)]
        # the test points' hinge loss after this step, written out: mean of max(0, 1 - y * score)
        scores = [t.model(list(map(Value, X[i]))).data for i in tested]
        signs = [2 * y[i] - 1 for i in tested]
        written = sum(max(0.0, 1.0 - s * v) for s, v in zip(signs, scores, strict=True)) / len(tested)
        graph = L.hinge([t.model(list(map(Value, X[i]))) for i in tested], signs).data  # no L2: of the points
        test_losses.append(graph)
        assert written == pytest.approx(graph, rel=1e-12, abs=1e-15)
    assert result["test_losses"] == test_losses  # bit for bit: the graph's floats
    right = sum((t.model.predict(X[i]) > 0) == (y[i] == 1) for i in tested)
    assert result["test_accuracy"] == right / len(tested)
    assert result["accuracy"] == sum((t.model.predict(X[i]) > 0) == (y[i] == 1) for i in trained) / len(trained)


def test_cross_entropy_test_loss_matches_its_formula():
    result = train("spiral", [6], 3, seed=1, n=30, test_fraction=0.4)
    X, y = make("spiral", n=30, seed=1)
    trained, tested = split(30, 0.4, 1)
    t = Trainer([X[i] for i in trained], [y[i] for i in trained], [6], seed=1, classes=3)
    for k in range(3):
        t.step()
        total = 0.0
        for i in tested:
            logits = t.model.predict(X[i])
            total += math.log(sum(math.exp(v) for v in logits)) - logits[y[i]]
        assert result["test_losses"][k] == pytest.approx(total / len(tested), rel=1e-12)


def test_without_test_points_nothing_changes():
    plain = train("moons", [4, 4], 5, seed=0)
    assert plain == train("moons", [4, 4], 5, seed=0, test_fraction=0.0)
    assert plain["test_losses"] == [] and plain["test_accuracy"] is None
    # the fraction rounds down to no point: the same run
    assert train("moons", [4], 3, seed=0, n=5, test_fraction=0.1)["losses"] == train("moons", [4], 3, seed=0,
                                                                                         n=5)["losses"]


def test_cli_json_and_text_with_test_points(capsys):
    code, out, err = run_cli(capsys, "--test-fraction", "0.25", "--json")
    assert code == 0 and err == ""
    got = json.loads(out)
    assert list(got) == ["dataset", "layers", "seed", "losses", "accuracy", "test_losses", "test_accuracy",
                         "grad_norms", "dead_relu"]
    assert got == train("moons", [4], 3, seed=0, test_fraction=0.25)
    assert len(got["test_losses"]) == 3 and 0.0 <= got["test_accuracy"] <= 1.0
    code, out, _ = run_cli(capsys, "--test-fraction", "0.25")
    assert code == 0
    assert "moons: 100 points, noise 0.1, seed 0; 25 held out for testing" in out and "test loss" in out
    assert repr(got["test_losses"][-1]) in out
    assert (f"accuracy {got['accuracy'] * 100:.1f}% on the 75 training points, "
            f"{got['test_accuracy'] * 100:.1f}% on the 25 test points") in out


# -- 2. noise ----------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_the_default_noise_is_the_datasets_own(name):
    assert make(name, n=30, seed=4) == make(name, n=30, noise=DEFAULT_NOISE[name], seed=4)


@pytest.mark.parametrize("name", ["moons", "circles", "xor", "linear"])
def test_noise_is_a_gaussian_jitter_scaled_by_the_noise(name):
    """The same normal deviates are drawn whatever the noise: a point's offset from the
    noiseless point is noise times its deviate, so twice the noise is twice the offset."""
    clean, _ = make(name, n=50, noise=0.0, seed=6)
    one, _ = make(name, n=50, noise=0.1, seed=6)
    two, y = make(name, n=50, noise=0.2, seed=6)
    offsets = [(a - c, b - c) for p, q, r in zip(clean, one, two, strict=True) for c, a, b in zip(p, q, r, strict=True)]
    assert all(b == pytest.approx(2 * a, abs=1e-12) for a, b in offsets)
    spread = math.sqrt(sum(a * a for a, _ in offsets) / len(offsets))
    assert 0.07 < spread < 0.13  # a standard deviation of 0.1


def test_spiral_noise_turns_points_without_moving_them_out():
    clean, _ = make("spiral", n=30, noise=0.0, seed=1)
    noisy, _ = make("spiral", n=30, noise=0.5, seed=1)
    assert [math.hypot(*p) for p in noisy] == pytest.approx([math.hypot(*p) for p in clean], abs=1e-12)
    assert noisy != clean


# -- 3. regularization -------------------------------------------------------

def tiny(kind=Trainer, n=12, layers=(3,), seed=1, dataset="moons", **options):
    X, y = make(dataset, n=n, seed=seed)
    return kind(X, y, list(layers), seed=seed, **options)


@pytest.mark.parametrize("loss", ["hinge", "mse"])
@pytest.mark.parametrize("reg, penalty, slope", [
    ("l2", lambda w: w * w, lambda w: 2 * w),
    ("l1", abs, lambda w: (w > 0) - (w < 0)),
])
def test_regularization_adds_its_term_and_its_gradient(loss, reg, penalty, slope):
    rate, lr = 0.01, 0.5
    bare = tiny(loss=loss, reg="none", lr=lr)
    with_reg = tiny(loss=loss, reg=reg, reg_rate=rate, lr=lr)
    w0 = bare.weights()
    assert with_reg.weights() == w0
    term = rate * sum(penalty(w) for w in w0)
    assert with_reg.step() == pytest.approx(bare.step() + term, rel=1e-12)
    # p - lr * (g + rate * penalty'(p)) against p - lr * g
    for after_reg, after_bare, w in zip(with_reg.weights(), bare.weights(), w0, strict=True):
        assert after_reg - after_bare == pytest.approx(-lr * rate * slope(w), abs=1e-12)


def test_default_regularization_is_micrograds_l2_for_hinge_and_none_otherwise():
    assert tiny().reg == "l2" and tiny().reg_rate == 1e-4
    assert train("moons", [4], 4, seed=0)["losses"] == train("moons", [4], 4, seed=0, reg="l2",
                                                             reg_rate=1e-4)["losses"]
    assert train("spiral", [4], 4, seed=0)["losses"] == train("spiral", [4], 4, seed=0, reg="none")["losses"]
    assert train("moons", [4], 4, seed=0, loss="mse")["losses"] == train("moons", [4], 4, seed=0, loss="mse",
                                                                         reg="none")["losses"]
    assert train("moons", [4], 4, seed=0)["losses"] != train("moons", [4], 4, seed=0, reg="none")["losses"]


def test_l1_shrinks_the_weights():
    """L1 pulls every weight toward 0 by the same amount a step: after training with a large
    rate the weights' total size is far below the unregularized run's, and the loss (which
    includes the penalty) ends higher."""
    bare = train("moons", [8], 30, seed=0, n=40, reg="none", fast=True)
    strong = train("moons", [8], 30, seed=0, n=40, reg="l1", reg_rate=0.05, fast=True)
    assert strong["losses"][-1] > bare["losses"][-1]
    X, y = make("moons", n=40, seed=0)
    a = FastTrainer(X, y, [8], seed=0, reg="none")
    b = FastTrainer(X, y, [8], seed=0, reg="l1", reg_rate=0.05)
    for _ in range(30):
        a.step()
        b.step()
    assert sum(map(abs, b.weights())) < 0.6 * sum(map(abs, a.weights()))


# -- 4. optimizers -----------------------------------------------------------

def gradients(t: Trainer, indices):
    total = t.loss_graph(indices)
    t.model.zero_grad()
    total.backward()
    return [p.grad for p in t.params]


@pytest.mark.parametrize("decay", [0.0, 0.01])
def test_momentum_is_the_textbook_update(decay):
    mu, lr = 0.8, 0.1
    t = tiny(optimizer="momentum", momentum=mu, lr=lr, weight_decay=decay)
    ref = tiny(lr=lr)
    p = ref.weights()
    v = [0.0] * len(p)
    for k in range(5):
        rate = lr * (1.0 - 0.9 * k / 100)
        ref.set_weights(p)
        g = gradients(ref, list(range(12)))
        p = [w * (1 - rate * decay) for w in p]
        v = [mu * vi + gi for vi, gi in zip(v, g, strict=True)]
        p = [w - rate * vi for w, vi in zip(p, v, strict=True)]
        t.step()
        assert t.weights() == pytest.approx(p, rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("decay", [0.0, 0.05])
def test_adam_and_adamw_are_the_textbook_update(decay):
    """Kingma and Ba's Algorithm 1 (bias-corrected moments), AdamW's decoupled decay first."""
    b1, b2, eps, lr = 0.85, 0.99, 1e-6, 0.02
    t = tiny(optimizer="adam", beta1=b1, beta2=b2, eps=eps, lr=lr, weight_decay=decay, loss="mse")
    ref = tiny(lr=lr, loss="mse")
    p = ref.weights()
    m = [0.0] * len(p)
    v = [0.0] * len(p)
    for step in range(1, 7):
        rate = lr * (1.0 - 0.9 * (step - 1) / 100)
        ref.set_weights(p)
        g = gradients(ref, list(range(12)))
        p = [w - rate * decay * w for w in p]
        m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g, strict=True)]
        v = [b2 * vi + (1 - b2) * gi ** 2 for vi, gi in zip(v, g, strict=True)]
        m_hat = [mi / (1 - b1 ** step) for mi in m]
        v_hat = [vi / (1 - b2 ** step) for vi in v]
        p = [w - rate * mh / (math.sqrt(vh) + eps) for w, mh, vh in zip(p, m_hat, v_hat, strict=True)]
        t.step()
        assert t.weights() == pytest.approx(p, rel=1e-12, abs=1e-14)


def test_adam_first_step_moves_every_weight_by_about_the_rate():
    t = tiny(optimizer="adam", lr=0.01, loss="mse", reg="none")
    before = t.weights()
    grads = gradients(tiny(loss="mse", reg="none"), list(range(12)))
    t.step()
    for a, b, g in zip(before, t.weights(), grads, strict=True):
        if abs(g) > 1e-6:
            assert b - a == pytest.approx(-0.01 * math.copysign(1.0, g), rel=1e-3)


@pytest.mark.parametrize("optimizer, lr", [("momentum", None), ("adam", None), ("adam", 0.05)])
def test_each_optimizer_learns_moons(optimizer, lr):
    """micrograd's demo settings with each optimizer at its default rate: 97% or more."""
    result = train("moons", [16, 16], 100, seed=0, optimizer=optimizer, lr=lr, fast=True)
    assert result["losses"][-1] < 0.1 * result["losses"][0]
    assert result["accuracy"] >= 0.97


def test_sgd_with_no_decay_is_todays_step_bit_for_bit():
    assert train("moons", [4], 5, seed=0)["losses"] == train("moons", [4], 5, seed=0, optimizer="sgd",
                                                             weight_decay=0.0)["losses"]
    # the default rate is sgd's 1.0: the first step of today's schedule
    assert tiny().learning_rate() == 1.0


# -- 5. zero initialisation --------------------------------------------------

@pytest.mark.parametrize("activation", ["tanh", "relu", "linear"])
def test_zero_init_keeps_the_hidden_neurons_identical(activation):
    t = tiny(layers=(4, 3), init="zero", activation=activation, lr=0.3, n=21)  # 11 and 10: the bias moves
    assert all(p.data == 0.0 for p in t.params)
    first = t.step()
    for _ in range(15):
        last = t.step()
    for layer in t.model.layers[:-1]:
        rows = [[w.data for w in n.w] + [n.b.data] for n in layer.neurons]
        assert all(row == rows[0] for row in rows), rows  # symmetric: they never learn apart
    assert last != first  # something learned (the output's bias)
    # the default initialisation's neurons differ from the start
    t = tiny(layers=(4, 3), activation=activation)
    rows = [[w.data for w in n.w] for n in t.model.layers[0].neurons]
    assert len({tuple(r) for r in rows}) == 4


def test_zero_init_draws_the_same_batches():
    a = tiny(init="zero", batch=5, n=20)
    b = tiny(batch=5, n=20)
    assert [a.batch_indices() for _ in range(3)] == [b.batch_indices() for _ in range(3)]


# -- 6. features -------------------------------------------------------------

def test_features_are_their_formulas():
    x, y = 0.7, -1.3
    want = {"x": x, "y": y, "x2": x ** 2, "y2": y ** 2, "xy": x * y, "sinx": math.sin(x), "siny": math.sin(y)}
    got = featurize([x, y], FEATURES)
    assert got == pytest.approx([want[n] for n in FEATURES], rel=1e-15)
    assert featurize([x, y]) == [x, y]
    assert featurize([x, y], ("siny", "x")) == pytest.approx([math.sin(y), x], rel=1e-15)


def test_the_first_layer_takes_one_input_per_feature():
    t = tiny(features=("x2", "y2", "xy"))
    assert len(t.model.layers[0].neurons[0].w) == 3
    assert t.F[0] == pytest.approx([t.X[0][0] ** 2, t.X[0][1] ** 2, t.X[0][0] * t.X[0][1]], rel=1e-15)
    # the network sees the features: its score at a point is the model's at that point's features
    assert t.scores([[0.5, 0.25]]) == [t.model.predict([0.25, 0.0625, 0.125])]


def test_x_and_y_are_todays_inputs():
    assert train("moons", [4], 3, seed=0)["losses"] == train("moons", [4], 3, seed=0, features=("x", "y"))["losses"]


def test_circles_are_linearly_separable_in_x2_and_y2():
    """A ReLU layer on x2, y2 learns the circles quickly; the same tiny net on x, y does not."""
    squares = train("circles", [2], 60, seed=0, n=60, features=("x2", "y2"), fast=True)
    plain = train("circles", [2], 60, seed=0, n=60, fast=True)
    assert squares["accuracy"] >= 0.95 > plain["accuracy"]


def test_features_count_in_the_weight_limit():
    s = {"dataset": "moons", "loss": "default", "layers": [150, 128]}
    check_together({**s, "features": ("x", "y")})  # 3*150 + 151*128 + 129 = 19,907 weights
    with pytest.raises(SettingError, match="makes a network of 20,657 weights"):
        check_together({**s, "features": FEATURES})  # 7 inputs: 5 * 150 more
    assert BY_NAME["features"].parse(" x2 , xy ") == ("x2", "xy")


# -- every path the same floats ---------------------------------------------

GRID = [
    dict(reg=reg, optimizer=opt, init=init, features=feat)
    for reg, opt, init, feat in itertools.product(
        ["none", "l1", "l2"], ["sgd", "momentum", "adam"], ["default", "zero"],
        [("x", "y"), ("x2", "y2", "xy", "sinx", "siny")])
]


@pytest.mark.parametrize("dataset, loss, activation", [("moons", "hinge", "relu"), ("xor", "mse", "tanh"),
                                                       ("spiral", "cross_entropy", "relu")])
def test_fast_path_equals_the_value_graph_for_every_new_setting(dataset, loss, activation):
    for options in GRID:
        extra = {"reg_rate": 0.003, "weight_decay": 0.01 if options["optimizer"] == "adam" else 0.0,
                 "test_fraction": 0.25, "batch": 7}
        slow = train(dataset, [3, 3], 3, seed=1, n=16, loss=loss, activation=activation, **options, **extra)
        fast = train(dataset, [3, 3], 3, seed=1, n=16, loss=loss, activation=activation, fast=True, **options,
                     **extra)
        assert hexes(fast["losses"]) == hexes(slow["losses"]), options
        assert hexes(fast["test_losses"]) == hexes(slow["test_losses"]), options
        assert (fast["accuracy"], fast["test_accuracy"]) == (slow["accuracy"], slow["test_accuracy"]), options


# -- the command line --------------------------------------------------------

def test_cli_passes_every_new_setting(capsys):
    code, out, err = run_cli(capsys, "--json", "--test-fraction", "0.2", "--noise", "0.3", "--reg", "l1",
                             "--reg-rate", "0.001", "--optimizer", "adam", "--beta1", "0.8", "--beta2", "0.99",
                             "--eps", "1e-7", "--weight-decay", "0.02", "--init", "zero", "--features", "x,y,xy",
                             "--lr", "0.05")
    assert code == 0, err
    assert json.loads(out) == train("moons", [4], 3, seed=0, test_fraction=0.2, noise=0.3, reg="l1", reg_rate=0.001,
                                    optimizer="adam", beta1=0.8, beta2=0.99, eps=1e-7, weight_decay=0.02,
                                    init="zero", features=("x", "y", "xy"), lr=0.05)
    code, out, _ = run_cli(capsys, "--json", "--optimizer", "momentum", "--momentum", "0.5")
    assert json.loads(out) == train("moons", [4], 3, seed=0, optimizer="momentum", momentum=0.5)
    code, out, _ = run_cli(capsys, "--optimizer", "adam", "--reg", "l1", "--features", "x2,y2", "--init", "zero")
    assert "Adam (beta1 0.9, beta2 0.999, eps 1e-08): lr 0.01 falling to 0.001" in out
    assert "MLP(2, [4, 1]), relu; loss hinge + 0.0001 L1; inputs x2,y2; all weights 0 at first" in out


@pytest.mark.parametrize("args, message", [
    (["--test-fraction", "0.95"], "argument --test-fraction: must be a number from 0 to 0.9, not 0.95"),
    (["--test-fraction", "-0.1"], "argument --test-fraction: must be a number from 0 to 0.9"),
    (["--reg", "l3"], "argument --reg: invalid choice: 'l3'"),
    (["--reg-rate", "11"], "argument --reg-rate: must be a number from 0 to 10, not 11"),
    (["--optimizer", "rmsprop"], "argument --optimizer: invalid choice: 'rmsprop'"),
    (["--momentum", "1"], "argument --momentum: must be a number from 0 to 0.999, not 1"),
    (["--beta1", "1"], "argument --beta1: must be a number from 0 to 0.999, not 1"),
    (["--beta2", "1"], "argument --beta2: must be a number from 0 to 0.999999, not 1"),
    (["--eps", "0"], "argument --eps: must be a number above 0 and at most 1, not 0"),
    (["--weight-decay", "2"], "argument --weight-decay: must be a number from 0 to 1, not 2"),
    (["--init", "ones"], "argument --init: invalid choice: 'ones'"),
    (["--features", "x,z"], "argument --features: must be one or more of x, y, x2, y2, xy, sinx, siny separated "
                            "by commas, each once, like x,y, not 'x,z'"),
    (["--features", "x,x"], "argument --features: must be one or more of"),
    (["--features", ""], "argument --features: must be one or more of"),
    (["--features", "x,y,x2,y2,xy,sinx,siny", "--layers", "150,128"],
     "argument --layers: 150,128 makes a network of 20,657 weights; the most is 20,000"),
])
def test_cli_refuses_new_settings_out_of_their_limits(capsys, args, message):
    argv = base_argv()
    if "--layers" in args:
        argv[argv.index("--layers") + 1] = args[args.index("--layers") + 1]
        args = args[:args.index("--layers")]
    code = main(argv + args + ["--json"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("error: ")
    assert message in captured.err


# ------------------------------------------------------------------- the default rate on a regression

@pytest.mark.parametrize("dataset", ["plane", "gauss"])
def test_a_regression_trains_at_the_default_rate_which_is_sgds_tenth(dataset):
    default = train(dataset, [16, 16], 30, seed=0, fast=True)
    tenth = train(dataset, [16, 16], 30, seed=0, fast=True, lr=0.1)
    assert default["losses"] == tenth["losses"]  # no rate given: SGD's 0.1 on a regression
    assert all(math.isfinite(x) for x in default["losses"])
    assert default["losses"][-1] < default["losses"][0] / 4  # it learns (at 1.0 it diverged in 5 steps)
    micrograd = train(dataset, [16, 16], 5, seed=0, fast=True, lr=1.0)
    assert micrograd["losses"][-1] > 10 * micrograd["losses"][0]  # what the old default did


def test_the_default_rate_is_unchanged_for_classes_and_for_the_other_optimizers():
    assert train("moons", [4], 3, seed=0, fast=True)["losses"] == train("moons", [4], 3, seed=0, fast=True,
                                                                      lr=1.0)["losses"]
    for optimizer, lr in (("momentum", 0.1), ("adam", 0.01)):
        got = train("plane", [4], 3, seed=0, fast=True, optimizer=optimizer)["losses"]
        assert got == train("plane", [4], 3, seed=0, fast=True, optimizer=optimizer, lr=lr)["losses"]


def test_the_command_line_says_and_uses_the_regressions_default_rate(capsys):
    assert main(["train", "--dataset", "plane", "--layers", "4", "--steps", "3", "--seed", "0", "--json"]) == 0
    default = json.loads(capsys.readouterr().out)
    assert main(["train", "--dataset", "plane", "--layers", "4", "--steps", "3", "--seed", "0", "--lr", "0.1",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["losses"] == default["losses"]
    assert main(["train", "--dataset", "plane", "--layers", "4", "--steps", "3", "--seed", "0"]) == 0
    assert "lr 0.1 falling to 0.01 over" in capsys.readouterr().out
