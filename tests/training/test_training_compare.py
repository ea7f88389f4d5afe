"""Issue 18's optimizer comparison (``--compare``): copies of the same network, from the same
initial weights on the same batches, each with another optimizer. Each copy is checked against
a separate run with that optimizer (not against the comparison's own code), and a copy given the
run's own optimizer and rate against the run itself."""

from __future__ import annotations

import json

import pytest

from gradstep.cli import main
from gradstep.training.run import train
from gradstep.training.settings import BY_NAME, SettingError
from gradstep.training.view import TrainingView


def test_a_copy_with_the_runs_own_optimizer_and_rate_is_the_run():
    # Same weights, same batches (batch 30 of 100: drawn from the seed), same optimizer: the same floats.
    out = train("circles", [6, 4], 12, seed=4, batch=30, lr=0.3, compare=(("sgd", 0.3),))
    assert out["compare"][0]["losses"] == out["losses"]
    assert out["compare"][0]["accuracy"] == out["accuracy"]


@pytest.mark.parametrize("name, rate", [("adam", None), ("momentum", 0.05), ("adam", 0.002)])
def test_each_copy_is_a_run_with_that_optimizer(name, rate):
    out = train("moons", [8], 15, seed=2, batch=40, lr=0.5, compare=(("sgd", 0.5), (name, rate)))
    alone = train("moons", [8], 15, seed=2, batch=40, lr=rate, optimizer=name)
    copy = out["compare"][1]
    assert copy["optimizer"] == name and copy["losses"] == alone["losses"] and copy["accuracy"] == alone["accuracy"]
    assert copy["lr"] == (rate if rate is not None else {"adam": 0.01, "momentum": 0.1}[name])
    assert copy["diverged"] is None


def test_a_copy_that_diverges_stops_and_the_run_goes_on():
    out = train("moons", [8, 8], 10, seed=0, compare=(("sgd", 1e6),))
    copy = out["compare"][0]
    assert len(out["losses"]) == 10
    assert copy["diverged"] and "diverged at step" in copy["diverged"]
    assert len(copy["losses"]) < 10


def test_the_command_line_and_the_pages_view_agree(capsys):
    code = main(["train", "--dataset", "xor", "--layers", "5", "--steps", "6", "--seed", "1", "--batch", "50",
                 "--compare", "adam:0.05,momentum", "--json"])
    assert code == 0
    cli = json.loads(capsys.readouterr().out)
    view = TrainingView()
    view.act("new", settings={"dataset": "xor", "layers": "5", "seed": "1", "batch": "50",
                              "compare": "adam:0.05,momentum"})
    a = view.act("step", steps=2)["compare"]
    b = view.act("step", steps=4)["compare"]
    assert [x["losses"] + y["losses"] for x, y in zip(a, b, strict=True)] == [c["losses"] for c in cli["compare"]]
    assert [c["lr"] for c in cli["compare"]] == [0.05, 0.1]


@pytest.mark.parametrize("text", ["rmsprop", "adam,momentum,sgd", "adam:", "adam:0", "adam:-1", "adam:x", "adam;sgd"])
def test_a_bad_comparison_is_refused_with_its_limits(text, capsys):
    with pytest.raises(SettingError, match="up to 2 of sgd, momentum, adam"):
        BY_NAME["compare"].parse(text)
    code = main(["train", "--dataset", "moons", "--layers", "4", "--steps", "2", "--compare", text])
    assert code == 2
    assert "error: argument --compare: must be up to 2 of sgd, momentum, adam" in capsys.readouterr().err


def test_the_text_table_lists_each_copy(capsys):
    assert main(["train", "--dataset", "moons", "--layers", "4", "--steps", "5", "--seed", "0",
                 "--compare", "adam"]) == 0
    out = capsys.readouterr().out
    assert "by optimizer:" in out and "sgd (this run)" in out and "adam" in out.split("by optimizer:")[1]
