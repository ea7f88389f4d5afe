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
    with pytest.raises(ValueError, match="there is no point 100: choose 0 to 99"):
        view.act("point", index=100)


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
