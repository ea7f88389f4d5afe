"""Issue 18's training settings in the page (contract section 5): noise, the test share,
regularization and its rate, the optimizer and its own settings, the initial weights. The
page's losses, test losses and accuracies are the command line's (``gradstep train --json``,
run here) bit for bit; the settings are in the link and come back with a reload; the form works
from the keyboard; the test points are drawn hollow and can be hidden."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pagetools import BOOT_MS, T, open_ready, program_text, settle
from pagetools import train_status as status

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "engine"))


def cli(settings: dict, steps: int) -> dict:
    """``gradstep train ... --json`` with the page's settings as flags (each key is its flag without --)."""
    args = [sys.executable, "-m", "gradstep", "train", "--steps", str(steps), "--json"]
    for k, v in settings.items():
        args += [f"--{k}", str(v)]
    out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def link(settings: dict, step: int | None = None) -> str:
    h = "#train&" + "&".join(f"{k}={v}" for k, v in settings.items())
    return h + (f"&step={step}" if step is not None else "")


# A grid of issue 18's settings (each row also sets the older ones), and the step each is taken to:
# never the step the row before ends at (its step + 1), so waiting for it waits for this row's training.
GRID = [
    ({"dataset": "moons", "layers": "8", "seed": 1, "lr": 0.1, "batch": 100, "optimizer": "momentum",
      "momentum": 0.8, "test-fraction": 0.2, "reg": "l1", "reg-rate": 0.001}, 3),
    ({"dataset": "circles", "layers": "8,8", "seed": 2, "lr": 0.01, "batch": 30, "optimizer": "adam", "beta1": 0.8,
      "beta2": 0.99, "eps": 1e-06, "weight-decay": 0.01, "reg": "none", "noise": 0.2}, 5),
    ({"dataset": "xor", "layers": "4", "seed": 3, "lr": 0.5, "batch": 20, "optimizer": "sgd", "init": "zero",
      "test-fraction": 0.5, "reg": "l2", "reg-rate": 0.01}, 8),
    ({"dataset": "spiral", "layers": "8", "seed": 0, "lr": 0.05, "batch": 100, "optimizer": "adam",
      "test-fraction": 0.3, "reg": "l2", "reg-rate": 0.0005, "noise": 0.1, "activation": "tanh"}, 2),
    ({"dataset": "linear", "layers": "4,4", "seed": 5, "lr": 0.3, "batch": 100, "optimizer": "sgd", "noise": 0.5,
      "weight-decay": 0.05, "loss": "mse", "reg": "default", "test-fraction": 0.1}, 7),
    ({"dataset": "circles", "layers": "8", "seed": 2, "lr": 0.1, "batch": 100, "features": "x2,y2",
      "test-fraction": 0.2}, 10),
    ({"dataset": "spiral", "layers": "8", "seed": 1, "lr": 0.05, "batch": 50, "optimizer": "adam",
      "features": "x,y,xy,sinx,siny", "init": "zero", "reg": "l1", "reg-rate": 0.001}, 4),
    # (the link's order is the first layer's: y first, as --features y,x,xy)
    ({"dataset": "moons", "layers": "4", "seed": 6, "lr": 0.3, "batch": 100, "features": "y,x,xy"}, 6),
]


def checked_features(page) -> str:
    return page.eval_on_selector(T("train-features"), "b => [...b.querySelectorAll('input')]"
                                 ".filter((c) => c.checked).map((c) => c.value).join(',')")


def test_a_grid_of_the_new_settings_equals_the_command_line(fresh):
    assert all(GRID[k][1] != GRID[k - 1][1] + 1 for k in range(1, len(GRID)))
    page, _ = fresh
    first, _ = GRID[0]
    open_ready(page, "index.html" + link(first))
    for settings, steps in GRID:
        want = cli(settings, steps)
        page.evaluate(f"location.hash = {link(settings, steps)!r}")
        page.wait_for_selector(f"{T('train-status')}[data-step='{steps}']", timeout=BOOT_MS)
        settle(page)
        s = status(page)
        assert s["loss"] == repr(want["losses"][steps - 1]), settings
        assert float(s["accuracy"]) == want["accuracy"], settings
        if want["test_losses"]:
            assert s["testLoss"] == repr(want["test_losses"][steps - 1]), settings
            assert float(s["testAccuracy"]) == want["test_accuracy"], settings
            text = page.inner_text(T("train-status"))
            assert f"test accuracy {want['test_accuracy'] * 100:.1f}%" in text, text
        else:
            assert s["testLoss"] == "" and "test" not in page.inner_text(T("train-status"))
        for k, v in settings.items():  # the form shows the link's settings
            if k == "features":  # (the boxes in the table's order; the link keeps its own)
                assert set(checked_features(page).split(",")) == set(v.split(","))
                assert f"features={v}" in page.evaluate("location.hash")
                continue
            assert page.input_value(T(f"train-{k}")) == str(v), k
        if "features" not in settings:
            assert checked_features(page) == "x,y"
        # one step more, clicked: the command line's next step
        page.click(T("train-step"))
        settle(page)
        more = cli(settings, steps + 1)
        assert status(page)["loss"] == repr(more["losses"][steps]), settings
        if more["test_losses"]:
            assert status(page)["testLoss"] == repr(more["test_losses"][steps])


def test_the_form_from_the_keyboard_the_link_and_a_reload(fresh):
    """Choosing Adam from the keyboard shows Adam's own settings (not momentum's), moves the
    rate to Adam's default, and the link carries every new setting; a reload brings it back."""
    page, _ = fresh
    open_ready(page, "index.html#train&dataset=moons&layers=8&seed=4")
    assert page.is_hidden(T("train-beta1")) and page.is_hidden(T("train-momentum"))
    assert page.is_visible(T("train-weight-decay"))
    assert page.input_value(T("train-lr")) == "1.0"
    page.focus(T("train-optimizer"))
    page.keyboard.press("ArrowDown")  # sgd -> momentum
    settle(page)
    assert page.input_value(T("train-optimizer")) == "momentum"
    assert page.is_visible(T("train-momentum")) and page.is_hidden(T("train-beta1"))
    assert page.input_value(T("train-lr")) == "0.1"  # (the rate was SGD's default: it follows)
    page.keyboard.press("ArrowDown")  # momentum -> adam
    settle(page)
    assert page.input_value(T("train-optimizer")) == "adam"
    assert page.is_visible(T("train-beta1")) and page.is_visible(T("train-eps")) and page.is_hidden(T("train-momentum"))
    assert page.input_value(T("train-lr")) == "0.01"
    # text fields: typed, then Tab (a change) — the test share, the regularization's rate, beta2
    for testid, text in (("train-test-fraction", "0.25"), ("train-beta2", "0.95")):
        page.focus(T(testid))
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
        page.keyboard.press("Tab")
        settle(page)
    page.select_option(T("train-reg"), "l1")
    settle(page)
    assert page.is_enabled(T("train-reg-rate"))
    page.fill(T("train-reg-rate"), "0.002")
    page.press(T("train-reg-rate"), "Tab")
    settle(page)
    for _ in range(3):
        page.click(T("train-step"))
        settle(page)
    settings = {"dataset": "moons", "layers": "8", "seed": 4, "lr": 0.01, "batch": 100, "optimizer": "adam",
                "beta2": 0.95, "test-fraction": 0.25, "reg": "l1", "reg-rate": 0.002}
    want = cli(settings, 3)
    before = status(page)
    assert before["loss"] == repr(want["losses"][2])
    assert before["testLoss"] == repr(want["test_losses"][2])
    h = page.evaluate("location.hash")
    for part in ("optimizer=adam", "lr=0.01", "beta2=0.95", "test-fraction=0.25", "reg=l1", "reg-rate=0.002",
                 "beta1=0.9", "eps=1e-08", "weight-decay=0.0", "init=default", "momentum=0.9", "step=3"):
        assert part in h, (part, h)
    page.reload()
    page.wait_for_selector(f"{T('train-status')}[data-step='3']", timeout=BOOT_MS)
    settle(page)
    after = status(page)
    assert (after["loss"], after["testLoss"], after["testAccuracy"]) == (
        before["loss"], before["testLoss"], before["testAccuracy"])
    assert page.input_value(T("train-optimizer")) == "adam" and page.input_value(T("train-beta2")) == "0.95"
    assert page.is_visible(T("train-beta1")) and page.is_hidden(T("train-momentum"))


def test_no_regularization_leaves_its_rate_off_and_a_bad_setting_is_named(fresh):
    page, _ = fresh
    open_ready(page, "index.html#train&dataset=spiral&layers=8&seed=0&lr=0.1")
    # (the spiral's default loss is cross-entropy: default regularization is none there)
    assert page.input_value(T("train-reg")) == "default"
    assert page.is_disabled(T("train-reg-rate"))
    page.select_option(T("train-reg"), "l2")
    settle(page)
    assert page.is_enabled(T("train-reg-rate"))
    page.fill(T("train-test-fraction"), "0.95")
    page.press(T("train-test-fraction"), "Tab")
    settle(page)
    problem = page.inner_text("#train-problem")
    assert problem == "Test share: must be a number from 0 to 0.9, not 0.95", problem
    assert page.is_disabled(T("train-step"))
    page.fill(T("train-test-fraction"), "0.3")
    page.press(T("train-test-fraction"), "Tab")
    settle(page)
    assert page.is_hidden("#train-problem") and page.is_enabled(T("train-step"))


def _points_on_canvas(settings: dict) -> tuple[list, list, list]:
    """The data's points (the command line's dataset and split, computed here), where the page
    draws them: the boundary's range is the points' padded by 15% (all points, test ones too)."""
    from gradstep.training.datasets import make, split

    X, y = make(settings["dataset"], n=100, seed=settings["seed"])
    train_at, test_at = split(len(X), settings["test-fraction"], settings["seed"])
    xs, ys = [p[0] for p in X], [p[1] for p in X]
    px, py = 0.15 * (max(xs) - min(xs)), 0.15 * (max(ys) - min(ys))
    x0, x1, y0, y1 = min(xs) - px, max(xs) + px, min(ys) - py, max(ys) + py
    at = [((p[0] - x0) / (x1 - x0), 1 - (p[1] - y0) / (y1 - y0)) for p in X]
    return at, y, test_at


COLORS = [(47, 120, 183), (214, 96, 77), (46, 158, 91)]  # (train-plots.js's CLASS_COLORS)


def test_test_points_are_drawn_hollow_and_can_be_hidden(fresh):
    page, _ = fresh
    settings = {"dataset": "moons", "layers": "8", "seed": 7, "test-fraction": 0.3}
    open_ready(page, "index.html" + link(settings))
    assert page.is_visible(T("train-show-test")) and page.is_checked(T("train-show-test"))
    assert page.is_visible("#train-curve-key-test")
    page.click(T("train-step"))
    settle(page)
    at, y, test_at = _points_on_canvas(settings)
    # points with no other point within 14 px (on a 360 px or larger map), so each pixel read is its own
    size = page.eval_on_selector(T("train-boundary"), "c => c.width")

    def alone(i):
        return all(((at[i][0] - a[0]) ** 2 + (at[i][1] - a[1]) ** 2) ** 0.5 * size > 14 * size / 360
                   for k, a in enumerate(at) if k != i)

    tests = [i for i in test_at if alone(i)][:4]
    trains = [i for i in range(len(at)) if i not in test_at and alone(i)][:4]
    assert tests and trains

    def pixel(i, dx=0.0):
        dpr = page.evaluate("devicePixelRatio")
        return tuple(page.evaluate(
            "([x, y]) => Array.from(document.querySelector('[data-testid=train-boundary]').getContext('2d')"
            ".getImageData(Math.round(x), Math.round(y), 1, 1).data.slice(0, 3))",
            [at[i][0] * size + dx * dpr, at[i][1] * size]))

    def near(c, want, tol=30):
        return all(abs(a - b) <= tol for a, b in zip(c, want, strict=True))

    for i in trains:  # filled: its class's colour at the centre
        assert near(pixel(i), COLORS[y[i]]), (i, pixel(i))
    for i in tests:  # hollow: the heat map at the centre, its class's colour on the ring (4 px out)
        assert not near(pixel(i), COLORS[y[i]]), (i, pixel(i))
        assert near(pixel(i, 4), COLORS[y[i]]), (i, pixel(i, 4))
    page.uncheck(T("train-show-test"))
    page.wait_for_timeout(100)  # (one animation frame draws it)
    for i in tests:
        assert not near(pixel(i, 4), COLORS[y[i]]), (i, pixel(i, 4))
    for i in trains:
        assert near(pixel(i), COLORS[y[i]])
    # the test loss is on the curve, dashed, beside the training loss
    pts = page.eval_on_selector(f"{T('train-curve')} .test-line", "e => e.getAttribute('points')")
    assert pts.strip(), "no test-loss line"


def test_without_test_points_nothing_says_test(fresh):
    page, _ = fresh
    open_ready(page, "index.html#train&dataset=moons&layers=4&seed=2&test-fraction=0.0")
    page.click(T("train-step"))
    settle(page)
    assert status(page)["testLoss"] == ""
    assert page.is_hidden(T("train-show-test")) and page.is_hidden("#train-curve-key-test")
    assert "test" not in page.inner_text(T("train-status"))


def test_features_checkboxes_the_first_layer_follows_and_one_must_stay(fresh):
    page, _ = fresh
    open_ready(page, "index.html#train&dataset=circles&layers=4&seed=3&lr=0.2")
    boxes = page.locator(f"{T('train-features')} input")
    assert boxes.count() == 7
    assert [boxes.nth(k).get_attribute("type") for k in range(7)] == ["checkbox"] * 7
    assert [boxes.nth(k).get_attribute("value") for k in range(7)] == ["x", "y", "x2", "y2", "xy", "sinx", "siny"]
    assert checked_features(page) == "x,y"
    # from the keyboard: Space on x2 and y2 adds them, on x and y takes those away
    for name in ("x2", "y2", "x", "y"):
        page.focus(f"{T('train-features')} input[value={name}]")
        page.keyboard.press("Space")
        settle(page)
    assert checked_features(page) == "x2,y2"
    assert "features=x2,y2" in page.evaluate("location.hash")
    for _ in range(2):
        page.click(T("train-step"))
        settle(page)
    want = cli({"dataset": "circles", "layers": "4", "seed": 3, "lr": 0.2, "batch": 100, "features": "x2,y2"}, 2)
    assert status(page)["loss"] == repr(want["losses"][1])
    # the first layer takes one input a feature: the point's program says MLP(2 inputs: x2, y2)
    page.click(T("train-open-point"))
    settle(page)
    program = program_text(page)
    assert "MLP(2, [4, 1])" in program, program[:300]
    page.focus(f"{T('train-features')} input[value=xy]")
    page.keyboard.press("Space")
    settle(page)
    page.click(T("train-open-point"))
    settle(page)
    assert "MLP(3, [4, 1])" in program_text(page)
    # the last one cannot be unchecked: it stays, and the page says why
    for name in ("x2", "y2", "xy"):
        page.focus(f"{T('train-features')} input[value={name}]")
        page.keyboard.press("Space")
        settle(page)
    assert checked_features(page) == "xy"
    assert "At least one input must stay checked" in page.inner_text("#train-features-note")
    # a reload keeps them
    page.click(T("train-step"))
    settle(page)
    before = status(page)
    page.reload()
    page.wait_for_selector(f"{T('train-status')}[data-step='1']", timeout=BOOT_MS)
    settle(page)
    assert checked_features(page) == "xy" and status(page)["loss"] == before["loss"]
    want = cli({"dataset": "circles", "layers": "4", "seed": 3, "lr": 0.2, "batch": 100, "features": "xy"}, 1)
    assert before["loss"] == repr(want["losses"][0])


def test_the_rate_follows_the_optimizer_and_the_dataset_and_a_link_without_one_gets_the_default(fresh):
    page, _ = fresh
    # a regression's link with no rate: SGD's 0.1 (at 1.0 it diverges), the command line's steps
    settings = {"dataset": "plane", "layers": "4", "seed": 0}
    open_ready(page, "index.html" + link(settings, 3))
    page.wait_for_selector(f"{T('train-status')}[data-step='3']", timeout=BOOT_MS)
    settle(page)
    assert page.input_value(T("train-lr")) == "0.1"
    assert status(page)["loss"] == repr(cli(settings, 3)["losses"][2])  # (the CLI with no --lr)
    # the rate follows the dataset while it is at the default; a rate the learner chose stays
    page.select_option(T("train-dataset"), "moons")
    settle(page)
    assert page.input_value(T("train-lr")) == "1.0"
    page.select_option(T("train-optimizer"), "adam")
    settle(page)
    assert page.input_value(T("train-lr")) == "0.01"
    page.select_option(T("train-optimizer"), "sgd")
    page.fill(T("train-lr"), "0.5")
    page.press(T("train-lr"), "Enter")
    page.select_option(T("train-dataset"), "gauss")
    settle(page)
    assert page.input_value(T("train-lr")) == "0.5"
    # a link with another optimizer and no rate: that optimizer's
    page.goto("about:blank")
    open_ready(page, "index.html" + link({"dataset": "moons", "layers": "4", "seed": 0, "optimizer": "adam"}))
    assert page.input_value(T("train-lr")) == "0.01"
