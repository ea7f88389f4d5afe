"""Training (contract 5): gradstep.training.datasets, gradstep.training.trainer and ``python -m gradstep train``.

Runtimes are kept small: moons is trained on 60 points for 30 steps (the check that a
seeded run reaches 95% within 100 steps; it is at 98% by then, and micrograd's demo
settings, 100 points for 100 steps, end at 99% with seed 0), the other datasets on
60 points with small hidden layers.
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
from pathlib import Path

import pytest

from gradstep.cli import main, sparkline
from gradstep.training import datasets
from gradstep.training.datasets import CLASSES, NAMES, make
from gradstep.training.run import train
from gradstep.training.trainer import LOSSES, Diverged, Trainer, learning_rate

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gradstep", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


# -- datasets ----------------------------------------------------------------

# (the regression datasets: tests/training/test_training_data.py)
@pytest.mark.parametrize("name", [n for n in NAMES if CLASSES[n]])
def test_datasets_are_seeded_lists_of_points_and_classes(name):
    X, y = make(name, n=31, seed=4)
    assert len(X) == len(y) == 31
    assert all(isinstance(x, list) and len(x) == 2 and all(isinstance(v, float) for v in x) for x in X)
    assert sorted(set(y)) == list(range(CLASSES[name]))
    counts = [y.count(c) for c in range(CLASSES[name])]
    assert max(counts) - min(counts) <= (1 if name not in ("xor", "linear") else 31)
    assert make(name, n=31, seed=4) == (X, y)
    assert make(name, n=31, seed=5) != (X, y)
    assert make(name, n=31, seed=4, noise=0.3)[0] != X


def test_dataset_floats_are_pinned():
    # The page (Pyodide) must draw the same points as the command line: these digits
    # are what every platform gives. A change here changes every trained run.
    X, y = make("moons", n=4, seed=0)
    assert (X, y) == ([[1.0096371578465153, -0.192663612054653], [-0.0989426213073901, 0.5673012086382214],
                       [1.9424641972336003, 0.6652892263637276], [-1.005850007947615, 0.10430743174790914]],
                      [0, 1, 1, 0])


def test_datasets_use_no_platform_dependent_functions(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("platform libm or a version-dependent random method was called")

    expected = {name: make(name, n=20, seed=1) for name in NAMES}
    for name in ("sin", "cos", "exp", "log", "tanh", "atan2", "hypot"):
        monkeypatch.setattr(math, name, refuse)
    for name in ("gauss", "normalvariate", "shuffle", "sample", "choice", "randrange", "randint"):
        monkeypatch.setattr(random.Random, name, refuse)
    assert {name: make(name, n=20, seed=1) for name in NAMES} == expected


def test_dataset_shapes_without_noise():
    X, y = make("moons", n=50, noise=0.0, seed=0)
    for (a, b), c in zip(X, y, strict=True):
        centre = (0.0, 0.0) if c == 0 else (1.0, 0.5)
        assert math.hypot(a - centre[0], b - centre[1]) == pytest.approx(1.0, abs=1e-12)
        assert (b >= -1e-12) if c == 0 else (b <= 0.5 + 1e-12)
    X, y = make("circles", n=40, noise=0.0, seed=0)
    assert all(math.hypot(*x) == pytest.approx(1.0 if c == 0 else 0.5) for x, c in zip(X, y, strict=True))
    X, y = make("xor", n=40, noise=0.0, seed=0)
    assert all((a * b > 0) == (c == 1) for (a, b), c in zip(X, y, strict=True))
    X, y = make("linear", n=200, seed=0)  # default noise: still separable by the line
    assert all((b - 0.5 * a - 0.1 > 0) == (c == 1) for (a, b), c in zip(X, y, strict=True))


def test_signed_labels_and_bad_arguments():
    assert set(make("moons", n=10, signed=True)[1]) == {-1, 1}
    with pytest.raises(ValueError, match="spiral has 3 classes"):
        make("spiral", signed=True)
    with pytest.raises(ValueError, match="unknown dataset 'blobs'"):
        make("blobs")
    with pytest.raises(ValueError, match="at least 1"):
        make("moons", n=0)


def test_sample_draws_distinct_indices():
    rng = random.Random(0)
    draws = [datasets.sample(rng, 10, 4) for _ in range(50)]
    assert all(len(set(d)) == 4 and all(0 <= i < 10 for i in d) for d in draws)
    assert len({tuple(d) for d in draws}) > 40
    assert datasets.sample(random.Random(0), 10, 10) != list(range(10))


# -- the schedule and the trainer --------------------------------------------

def test_learning_rate_is_micrograds_then_stays_at_a_tenth():
    assert [learning_rate(k) for k in range(100)] == [1.0 - 0.9 * k / 100 for k in range(100)]
    assert learning_rate(100) == learning_rate(500) == 1.0 - 0.9
    assert learning_rate(50, lr=0.1) == 0.1 * (1.0 - 0.9 * 50 / 100)


def test_losses_are_taken_before_each_update_and_accuracy_after_the_last():
    X, y = make("moons", n=30, seed=2)
    trainer = Trainer(X, y, [4, 4], seed=2)
    history = []
    for _ in range(4):
        before = trainer.loss_graph(list(range(30))).data
        weights = trainer.weights()
        history.append(trainer.step())
        assert history[-1] == before
        assert trainer.weights() != weights
    result = train("moons", [4, 4], 4, seed=2, n=30)
    assert result["losses"] == history
    assert result["accuracy"] == trainer.accuracy()
    assert trainer.accuracy() == sum(trainer.predict(x) == c for x, c in zip(X, y, strict=True)) / 30


def test_runs_are_deterministic_and_a_shorter_run_is_a_prefix():
    long = train("xor", [6], 8, seed=5, n=30, batch=7)
    assert train("xor", [6], 8, seed=5, n=30, batch=7) == long
    assert train("xor", [6], 3, seed=5, n=30, batch=7)["losses"] == long["losses"][:3]
    assert train("xor", [6], 8, seed=6, n=30, batch=7)["losses"] != long["losses"]


def test_batches():
    everything = train("circles", [4], 3, seed=1, n=20)
    assert train("circles", [4], 3, seed=1, n=20, batch=20) == everything
    assert train("circles", [4], 3, seed=1, n=20, batch=50) == everything
    assert train("circles", [4], 3, seed=1, n=20, batch=5)["losses"] != everything["losses"]
    X, y = make("circles", n=20, seed=1)
    trainer = Trainer(X, y, [4], seed=1, batch=5)
    drawn = [trainer.batch_indices() for _ in range(5)]
    assert all(len(set(d)) == 5 for d in drawn) and len({tuple(d) for d in drawn}) == 5


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("activation", ["relu", "tanh", "linear"])
def test_every_loss_and_activation_trains(loss, activation):
    result = train("moons", [5], 4, seed=0, n=16, loss=loss, activation=activation)
    assert len(result["losses"]) == 4 and all(math.isfinite(v) for v in result["losses"])
    if loss != "hinge":
        result = train("spiral", [5], 3, seed=0, n=15, loss=loss, activation=activation)
        assert all(math.isfinite(v) for v in result["losses"])


def test_trainer_refuses_bad_settings():
    X, y = make("spiral", n=9)
    with pytest.raises(ValueError, match="hinge loss needs two classes"):
        Trainer(X, y, [4], loss="hinge")
    with pytest.raises(ValueError, match="class numbers"):
        Trainer(*make("moons", n=9, signed=True), [4])
    trainer = Trainer(*make("moons", n=10), [4], lr=1e6)
    with pytest.raises(Diverged, match="diverged at step"):
        for _ in range(60):
            trainer.step()


def test_weights_round_trip():
    trainer = Trainer(*make("linear", n=10), [3], seed=9)
    weights = trainer.weights()
    assert len(weights) == (2 * 3 + 3) + (3 + 1)
    trainer.step()
    trainer.set_weights(weights)
    assert trainer.weights() == weights


# -- it learns ---------------------------------------------------------------

def test_moons_reaches_95_percent_within_100_steps():
    # 60 points, MLP(2, [16, 16, 1]), ReLU, micrograd's loss and schedule, seed 0:
    # 98.3% after 30 steps (1.5 s); 97% first at step 8.
    result = train("moons", [16, 16], 30, seed=0, n=60)
    assert result["accuracy"] >= 0.95
    assert result["losses"][-1] < result["losses"][0] / 3


@pytest.mark.parametrize("name, layers, steps, least", [
    ("circles", [8, 8], 40, 0.85),  # 93%; chance 50%
    ("xor", [8, 8], 30, 0.85),  # 90%
    ("spiral", [12, 12], 40, 0.7),  # 80%; chance 33% (three classes, cross-entropy)
    ("linear", [8, 8], 10, 0.95),  # 100%
])
def test_each_other_dataset_learns(name, layers, steps, least):
    result = train(name, layers, steps, seed=0, n=60)
    assert result["accuracy"] >= least
    assert result["losses"][-1] < result["losses"][0]


# -- the command line --------------------------------------------------------

CONTRACT_RUN = ("train", "--dataset", "moons", "--layers", "4,4", "--steps", "3", "--seed", "0", "--json")


def test_cli_json_is_the_contract_shape_and_deterministic():
    first, second = cli(*CONTRACT_RUN), cli(*CONTRACT_RUN)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and first.stderr == ""
    out = json.loads(first.stdout)
    assert list(out) == ["dataset", "layers", "seed", "losses", "accuracy", "test_losses", "test_accuracy",
                         "grad_norms", "dead_relu"]  # (the contract's keys first; gradients per layer added)
    assert out["test_losses"] == [] and out["test_accuracy"] is None  # no --test-fraction: no test points
    assert out["dataset"] == "moons" and out["layers"] == [4, 4] and out["seed"] == 0
    assert len(out["losses"]) == 3 and all(isinstance(v, float) for v in out["losses"])
    assert 0.0 <= out["accuracy"] <= 1.0
    assert out == train("moons", [4, 4], 3, seed=0)  # full precision: the floats round-trip


def test_cli_options(capsys):
    assert main([*CONTRACT_RUN, "--batch", "10", "--lr", "0.5"]) == 0
    batched = json.loads(capsys.readouterr().out)
    assert batched == train("moons", [4, 4], 3, seed=0, batch=10, lr=0.5)
    assert main(["train", "--dataset", "spiral", "--layers", "5", "--steps", "2", "--seed", "3", "--json",
                 "--activation", "tanh", "--points", "12", "--noise", "0.1"]) == 0
    assert json.loads(capsys.readouterr().out) == train("spiral", [5], 2, seed=3, activation="tanh", n=12,
                                                         noise=0.1)


def test_cli_table_and_loss_curve(capsys):
    assert main(["train", "--dataset", "linear", "--layers", "4", "--steps", "15", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    result = train("linear", [4], 15, seed=1)
    assert "MLP(2, [4, 1])" in out and "step  loss" in out
    assert repr(result["losses"][0]) in out and repr(result["losses"][-1]) in out
    assert sparkline(result["losses"], log=True) in out and len(sparkline(result["losses"])) == 15
    assert f"accuracy {result['accuracy'] * 100:.1f}%" in out


def test_sparkline():
    assert sparkline([3.0, 2.0, 1.0, 0.0]) == "█▆▃▁"
    assert sparkline([1.0] * 5) == "▁▁▁▁▁"
    assert sparkline([1000.0, 100.0, 10.0, 1.0], log=True) == "█▆▃▁"
    assert len(sparkline([float(k) for k in range(1000)])) == 60


@pytest.mark.parametrize("args, message", [
    (["--dataset", "blobs"],
     "argument --dataset: must be one of moons, circles, xor, spiral, linear, plane, gauss, not 'blobs'"),
    (["--layers", "16,x"], "argument --layers: must be 1 to 8 hidden layer sizes separated by commas, each from 1 "
                           "to 256, at most 20,000 weights in all, like 16,16, not '16,x'"),
    (["--layers", "16,0"], "argument --layers: must be 1 to 8 hidden layer sizes"),
    (["--layers", ""], "argument --layers"),
    (["--layers", "16,,16"], "argument --layers"),
    (["--layers", "300"], "each from 1 to 256"),
    (["--layers", "1,1,1,1,1,1,1,1,1"], "1 to 8 hidden layer sizes"),
    (["--layers", "256,256"], "argument --layers: 256,256 makes a network of 66,817 weights; the most is 20,000"),
    (["--steps", "0"], "argument --steps: must be a whole number from 1 to 1,000,000, not 0"),
    (["--steps", "ten"], "argument --steps: must be a whole number from 1 to 1,000,000, not 'ten'"),
    (["--seed", "-1"], "argument --seed: must be a whole number from 0 to 4,294,967,295, not -1"),
    (["--seed", "1e20"], "argument --seed: must be a whole number from 0 to 4,294,967,295, not '1e20'"),
    (["--batch", "0"], "argument --batch: must be a whole number from 1 to 100,000, not 0"),
    (["--lr", "0"], "argument --lr: must be a number above 0 and at most 1,000,000, not 0"),
    (["--lr", "nan"], "argument --lr: must be a number above 0 and at most 1,000,000, not nan"),
    (["--lr", "inf"], "argument --lr: must be a number above 0 and at most 1,000,000, not inf"),
    (["--noise", "-0.5"], "argument --noise: must be a number from 0 to 10, not -0.5"),
    (["--points", "20000"], "argument --points: must be a whole number from 1 to 10,000, not 20000"),
    (["--dataset", "spiral", "--loss", "hinge"], "argument --loss: the hinge loss needs two classes; spiral has 3"),
    (["--frobnicate"], "unrecognized arguments: --frobnicate"),
])
def test_cli_bad_arguments_exit_2_with_one_line(capsys, args, message):
    base = {"--dataset": "moons", "--layers": "4", "--steps": "1", "--seed": "0"}
    argv = ["train"]
    for flag, value in base.items():
        if flag not in args:
            argv += [flag, value]
    assert main(argv + args + ["--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("error: ")
    assert message in captured.err


def test_cli_missing_argument_and_divergence_in_a_real_process():
    result = cli("train", "--dataset", "moons", "--layers", "4", "--steps", "3")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "error: the following arguments are required: --seed\n"
    result = cli("train", "--dataset", "moons", "--layers", "4", "--steps", "60", "--seed", "0", "--points", "10",
                 "--lr", "1e6", "--json")
    assert result.returncode == 1 and result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: the training diverged at step ") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("dataset, layers, activation, batch", [
    ("moons", [8, 8], "relu", None), ("xor", [6], "tanh", 10), ("spiral", [8, 8], "relu", 25),
    ("circles", [5, 5], "linear", None),
])
def test_fast_path_gives_the_value_graphs_floats(dataset, layers, activation, batch):
    """The command line and the page train with gradstep.training.fast_trainer; its losses, weights
    and accuracy must be the Value graph's, bit for bit (batches drawn alike)."""
    slow = train(dataset, layers, 6, seed=2, batch=batch, activation=activation, n=40)
    fast = train(dataset, layers, 6, seed=2, batch=batch, activation=activation, n=40, fast=True)
    assert [x.hex() for x in fast["losses"]] == [x.hex() for x in slow["losses"]]
    assert fast["accuracy"] == slow["accuracy"]
