"""The page's training view without its drawing (gradstep.training.view), in CPython: what
the worker's ``train`` method answers, checked here rather than only through Chromium."""

from __future__ import annotations

import pytest

from gradstep.training.run import train
from gradstep.training.settings import SettingError
from gradstep.training.view import Stale, TrainingView

PAGE_DEFAULTS = {"dataset": "moons", "layers": "16,16", "seed": "0", "lr": "1.0", "batch": "100",
                 "activation": "relu", "loss": "default"}


def view_with(**settings):
    said = []
    view = TrainingView(progress=said.append)
    reply = view.act("new", settings={**PAGE_DEFAULTS, **settings})
    return view, reply, said


def test_steps_are_the_command_lines_bit_for_bit():
    view, reply, _ = view_with(layers="4,4", seed="3", lr="0.5")
    assert reply["step"] == 0 and reply["loss"] is None and len(reply["data"]["points"]) == 100
    got = view.act("step", steps=4)["losses"] + view.act("step", steps=2)["losses"]
    expected = train("moons", [4, 4], 6, seed=3, lr=0.5)["losses"]
    assert [x.hex() for x in got] == [x.hex() for x in expected]
    assert view.trainer.steps == 6


def test_a_bad_setting_is_refused_before_any_work():
    said = []
    view = TrainingView(progress=said.append)
    with pytest.raises(SettingError) as refused:
        view.act("new", settings={**PAGE_DEFAULTS, "layers": "256,256,256,256"})
    assert refused.value.page_message.startswith("Layers: 256,256,256,256 makes a network of 198,401 weights")
    assert said == [] and view.trainer is None  # nothing was built
    with pytest.raises(SettingError) as refused:
        view.act("new", settings={**PAGE_DEFAULTS, "seed": "1e20"})
    assert refused.value.page_message == "Seed: must be a whole number from 0 to 4,294,967,295, not '1e20'"
    with pytest.raises(ValueError, match="no network yet"):
        view.act("step")


def test_the_grid_covers_the_data_with_a_margin():
    view, reply, _ = view_with(layers="4")
    grid = reply["grid"]
    assert grid["n"] == 32 and len(grid["scores"]) == 32 * 32
    xs = [p[0] for p in reply["data"]["points"]]
    assert grid["xs"][0] < min(xs) and grid["xs"][1] > max(xs)
    fine = view.act("grid", grid=500)["grid"]
    assert fine["n"] == 200  # (clamped)
    three = view_with(dataset="spiral", layers="4")[1]["grid"]
    assert set(three["scores"]) <= {0, 1, 2} and three["classes"] == 3


def test_a_point_as_a_program_and_its_limits():
    view, _, _ = view_with(layers="2")
    out = view.act("point", index=5)
    assert "x = [" in out["program"] and out["rate"] == 1.0 and out["step"] == 0
    # (issue #15: a text index reached Python's own "invalid literal for int()")
    for bad in (100, "100", "abc", "-1", 1e20, "1e20", "٣"):
        with pytest.raises(ValueError) as refused:
            view.act("point", index=bad)
        message = str(refused.value)
        assert message.startswith("Point: must be a whole number from 0 to 99 (the data's points), not "), message
        assert "invalid literal" not in message and "int()" not in message


def _loss_of(program: str) -> float:
    """A point's loss computed from its program by the compiler and the tape (not by view.py)."""
    from gradstep.program.compiler import compile_program

    tape = compile_program(program)
    values, _ = tape.forward()
    return values[tape.output]


def test_without_an_index_the_point_with_the_largest_loss_opens():
    """(Issue #15: the default point's hinge loss was 0, so every gradient was 0 and a nudge did
    nothing, without a word.) Each point's loss here is its own program's output."""
    view, _, _ = view_with(layers="8", seed="0")
    losses = [_loss_of(view.act("point", index=k)["program"]) for k in range(100)]
    auto = view.act("point", index=None)
    assert losses[auto["index"]] == max(losses) > 0
    assert auto["loss"] == losses[auto["index"]] and auto["largest"]["index"] == auto["index"]
    zero = losses.index(0.0)  # (a point already on its side by the margin: the reply says so)
    reply = view.act("point", index=zero)
    assert reply["loss"] == 0.0 and reply["loss_name"] == "hinge" and reply["largest"]["index"] == auto["index"]
    assert view.act("point", index="")["index"] == auto["index"]  # (an empty field: the same)


def test_the_grid_crosses_as_thousandths_of_the_score():
    view, _, _ = view_with(layers="4")
    grid = view.act("grid", grid=8)["grid"]
    assert grid["scale"] == 1000 and all(isinstance(v, int) for v in grid["scores"])
    t = view.trainer
    t.sync()
    (x0, x1), (y0, y1) = grid["xs"], grid["ys"]
    for i in (0, 3, 7):
        for j in (0, 4, 7):
            x = x0 + (j + 0.5) * (x1 - x0) / 8
            y = y1 - (i + 0.5) * (y1 - y0) / 8
            score = t.model([x, y]).data  # the Value network's own score at the cell's middle
            assert abs(grid["scores"][i * 8 + j] / 1000 - score) <= 0.0005 + 1e-12


def test_the_learners_points_replace_the_dataset():
    view, reply, _ = view_with(layers="2", **{})
    mine = [[0.0, 0.0, 0], [1.0, 1.0, 1], [0.5, -0.5, 1]]
    reply = view.act("new", settings={**PAGE_DEFAULTS, "layers": "2"}, points=mine)
    assert reply["data"]["points"] == [p[:2] for p in mine] and reply["data"]["labels"] == [0, 1, 1]
    with pytest.raises(ValueError, match="no points left"):
        view.act("new", settings=PAGE_DEFAULTS, points=[])


def test_the_batch_graph_is_built_once_per_step_and_old_boxes_are_stale():
    view, _, said = view_with(layers="2", batch="10")
    summary = view.act("batch")["summary"]
    graph = view.batch_graph()
    assert view.batch_graph() is graph and said.count("building the whole batch's graph") == 1
    assert summary["step"] == 0
    group = next(g["id"] for g in summary["neurons"] if g["kind"] == "neuron")
    assert view.act("expand", group=group, step=0)["step"] == 0
    view.act("step")
    with pytest.raises(Stale) as stale:
        view.act("expand", group=group, step=0)
    assert stale.value.step == 1
    with pytest.raises(ValueError):
        view.act("frobnicate")
