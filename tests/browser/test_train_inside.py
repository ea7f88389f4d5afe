"""Issue 18 in the page: inside the network (a heat map a hidden neuron, weights by sign and size,
a click into one point's update), the gradients per layer, your own data (CSV) and regression.
Numbers are checked against the command line (``gradstep train --json``) and against the
network's own neurons computed here in CPython, not against the page's code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pagetools import BOOT_MS, T, open_ready, program_text, settle
from pagetools import train_status as status

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "engine"))

from gradstep.training.view import NEURON_GRID, TrainingView  # noqa: E402


def cli(*args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "gradstep", "train", "--json", *args], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def wait_step(page, step: int):
    page.wait_for_selector(f"{T('train-status')}[data-step='{step}']", timeout=BOOT_MS)
    settle(page)


def test_every_hidden_neuron_is_a_heat_map_of_its_own_output(fresh):
    page, _ = fresh
    settings = {"dataset": "circles", "layers": "4,3", "seed": "2", "activation": "tanh", "lr": "0.3"}
    open_ready(page, "index.html#train&" + "&".join(f"{k}={v}" for k, v in settings.items()) + "&step=6")
    wait_step(page, 6)
    page.wait_for_timeout(300)  # (a frame: the maps are painted in the next one)
    neurons = page.eval_on_selector_all(T("train-neuron"),
                                        "es => es.map((e) => [e.dataset.layer, e.dataset.index])")
    assert neurons == [["0", "0"], ["0", "1"], ["0", "2"], ["0", "3"], ["1", "0"], ["1", "1"], ["1", "2"]]
    # The same network in CPython, its neurons' outputs at the maps' cells, from the Value neurons.
    view = TrainingView()
    view.act("new", settings=settings)
    view.act("step", steps=6)
    view.trainer.sync()
    model = view.trainer.model
    cells = view.cells(NEURON_GRID)
    checked = 0
    for layer, index in [(0, 0), (0, 2), (1, 1)]:
        values = []
        for cx, cy in cells:
            h1 = [n([cx, cy]) for n in model.layers[0].neurons]
            values.append((h1 if layer == 0 else [n(h1) for n in model.layers[1].neurons])[index].data)
        top = max(abs(v) for v in values)
        pixels = page.evaluate("""([l, k]) => {
            const c = document.querySelector(`[data-testid=train-neuron][data-layer="${l}"][data-index="${k}"]`);
            return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
        }""", [layer, index])
        for cell, v in enumerate(values):
            if abs(v) < 0.3 * top:
                continue
            r, g, b = pixels[4 * cell: 4 * cell + 3]
            # tanh units: blue where the neuron is above 0, orange below (light theme: paler near 0)
            assert (b > r) == (v > 0), (layer, index, cell, v, (r, g, b))
            checked += 1
    assert checked > 100
    # Hover or focus says a neuron's bias and gradient; the weights are lines by sign and size.
    page.focus(f"{T('train-neuron')} >> nth=1")
    detail = page.inner_text(T("train-network-detail"))
    bias = view.trainer.weights()[3 + 2]  # neuron 1 of layer 1: after neuron 0's two weights and bias, its two
    assert f"bias {bias:.4f}" in detail, detail
    # The weights' lines, by sign: at the middle of x's line to layer 1's neuron 0 (no other line
    # passes there), blue for a positive weight, orange for a negative one.
    w = view.trainer.weights()
    for neuron in (0, 3):
        r, g, b = page.evaluate("""([k]) => {
            const c = document.querySelector('[data-testid=train-weights]');
            const n = document.querySelector(`[data-testid=train-neuron][data-layer="0"][data-index="${k}"]`);
            const x = [...document.querySelectorAll('.train-net-input')][0];
            const box = c.getBoundingClientRect(), a = x.getBoundingClientRect(), t = n.getBoundingClientRect();
            const px = ((a.right + t.left) / 2 - box.left) * devicePixelRatio;
            const py = ((a.top + a.height / 2 + t.top + t.height / 2) / 2 - box.top) * devicePixelRatio;
            return Array.from(c.getContext('2d').getImageData(Math.round(px), Math.round(py), 1, 1).data).slice(0, 3);
        }""", [neuron])
        weight = w[neuron * 3]  # (each neuron of layer 1: its weights from x and y, then its bias)
        assert (b > r) == (weight > 0), (neuron, weight, (r, g, b))


# The diagram's canvases (every neuron's map and the weights' lines), their first 1,000 pixels each.
PIXELS = """() => [...document.querySelectorAll('[data-testid=train-neuron], [data-testid=train-weights]')]
    .map((c) => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data.slice(0, 4000)).join())"""


def test_while_training_plays_the_maps_and_the_weights_both_follow_and_end_on_the_last_step(fresh):
    page, _ = fresh
    open_ready(page, "index.html#train&dataset=spiral&layers=8,8&seed=0")
    # Each frame, a fingerprint of one neuron's map and of the weights' canvas.
    page.evaluate("""() => {
        const sum = (c) => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let h = 0; for (let i = 0; i < d.length; i += 7) h = (h * 31 + d[i]) | 0; return h; };
        const n = document.querySelector('[data-testid=train-neuron]');
        const w = document.querySelector('[data-testid=train-weights]');
        window.__seen = {maps: new Set(), weights: new Set(), frames: 0};
        const tick = () => { const s = window.__seen; s.maps.add(sum(n)); s.weights.add(sum(w)); s.frames++;
            if (!window.__stopSeen) requestAnimationFrame(tick); };
        requestAnimationFrame(tick);
    }""")
    page.click(T("train-play"))
    # (Play's chunks are at most 50 steps: 300 steps are six replies or more)
    page.wait_for_function(f"Number(document.querySelector(\"{T('train-status')}\").dataset.step) >= 300",
                           timeout=BOOT_MS)
    page.click(T("train-play"))  # pause
    seen = page.evaluate("() => { window.__stopSeen = true; const s = window.__seen;"
                         " return {maps: s.maps.size, weights: s.weights.size, frames: s.frames}; }")
    # Neither part waits for the pause: each was drawn again and again while it played.
    assert seen["maps"] >= 4 and seen["weights"] >= 4, seen
    # Paused, both show the step it stopped at (the chunk asked for before the pause is shown
    # too): redrawn from that step's network, they do not change.
    settle(page)
    step = int(page.get_attribute(T("train-status"), "data-step"))
    page.wait_for_timeout(300)
    shot = page.evaluate(PIXELS)
    assert int(page.get_attribute(T("train-status"), "data-step")) == step
    page.emulate_media(color_scheme="dark")
    page.emulate_media(color_scheme="light")
    settle(page)
    page.wait_for_timeout(300)
    again = page.evaluate(PIXELS)
    assert again == shot


def test_enter_on_a_neuron_opens_its_bias_in_one_points_update(fresh):
    page, _ = fresh
    open_ready(page, "index.html#train&dataset=moons&layers=4&seed=0&step=2")
    wait_step(page, 2)
    page.focus(f"{T('train-neuron')} >> nth=2")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('[data-testid=program]').value.startsWith('# Training point')",
                           timeout=BOOT_MS)
    settle(page)
    assert "b1 = [" in program_text(page)
    assert page.is_visible("#focus-ring") or page.locator("[data-label='b1[2]']").count() == 1


def test_gradients_per_layer_follow_the_command_line(fresh):
    page, _ = fresh
    open_ready(page, "index.html#train&dataset=xor&layers=6,5&seed=2&batch=20&step=7")
    wait_step(page, 7)
    page.wait_for_timeout(300)
    want = cli("--dataset", "xor", "--layers", "6,5", "--seed", "2", "--batch", "20", "--steps", "7")
    lines = page.eval_on_selector_all(f"{T('train-grad-norms')} polyline",
                                      "ls => ls.map((l) => l.getAttribute('points').trim().split(/\\s+/).length)")
    assert lines == [7, 7, 7]  # a line a layer (two hidden, the output), a point a step
    key = page.inner_text(T("train-grad-key"))
    for k, v in enumerate(want["grad_norms"][-1]):
        assert f"{v:.4f}" in key, (k, v, key)
    dead = want["dead_relu"][-1]
    assert f"layer 1: {want['grad_norms'][-1][0]:.4f} · {round(dead[0] * 100)}% of its ReLUs dead" in key, key


CSV = "x,y,label\n0.1,0.2,0\n-0.5,1.5,1\nbroken row\n0.9,-0.3,1\n-1.2,0.4,0\n0.3,0.3,1\n1.1,1.0,0\n"


def test_your_own_csv_trains_as_the_command_line_and_survives_a_reload(fresh, tmp_path):
    page, _ = fresh
    open_ready(page, "index.html#train&dataset=moons&layers=4&seed=3&lr=0.5")
    wait_step(page, 0)
    page.click("#train-data-box summary")
    page.fill(T("train-data"), CSV)
    page.click(T("train-data-use"))
    settle(page)
    note = page.inner_text(T("train-data-note"))
    assert "6 points read, 2 classes" in note and "1 row skipped" in note and "line 4: 1 fields" in note, note
    for _ in range(3):
        page.click(T("train-step"))
        settle(page)
    path = tmp_path / "mine.csv"
    path.write_text(CSV)
    want = cli("--data", str(path), "--layers", "4", "--seed", "3", "--lr", "0.5", "--steps", "3")
    assert want["skipped_rows"] == [4]
    assert status(page)["loss"] == repr(want["losses"][2])
    assert "data=" in page.evaluate("location.hash")
    page.reload()
    wait_step(page, 3)
    assert page.input_value(T("train-data")) == CSV.strip()  # (the link carries it trimmed)
    assert status(page)["loss"] == repr(want["losses"][2])
    # Nothing readable: named, and the last network stays.
    page.fill(T("train-data"), "a,b\nc,d,e\n")
    page.click(T("train-data-use"))
    settle(page)
    assert "Your data: no row could be read" in page.inner_text("#train-problem")


def test_a_regression_dataset_in_the_page_equals_the_command_line(fresh):
    page, _ = fresh
    open_ready(page, "index.html#train&dataset=plane&layers=4&seed=1&lr=0.1&step=4")
    wait_step(page, 4)
    want = cli("--dataset", "plane", "--layers", "4", "--seed", "1", "--lr", "0.1", "--steps", "4")
    s = status(page)
    assert s["loss"] == repr(want["losses"][3]) and s["accuracy"] == ""
    assert "a regression" in page.inner_text(T("train-key"))
    # A regression's loss is squared error: another is refused in the command line's words.
    page.select_option(T("train-loss"), "hinge")
    assert "plane is a regression" in page.inner_text("#train-problem")


def test_optimizers_side_by_side_equal_the_command_line(fresh):
    page, _ = fresh
    open_ready(page, "index.html#train&dataset=moons&layers=6&seed=2&lr=0.5&batch=40&compare=adam,momentum:0.05&step=9")
    wait_step(page, 9)
    page.wait_for_timeout(300)
    want = cli("--dataset", "moons", "--layers", "6", "--seed", "2", "--lr", "0.5", "--batch", "40",
               "--compare", "adam,momentum:0.05", "--steps", "9")
    assert status(page)["loss"] == repr(want["losses"][8])
    items = page.eval_on_selector_all(f"{T('train-compare-key')} .train-key-item", "es => es.map((e) => e.textContent)")
    assert len(items) == 2
    for text, copy in zip(items, want["compare"], strict=True):
        assert f"loss {copy['losses'][-1]:.4f}" in text and f"accuracy {copy['accuracy'] * 100:.1f}%" in text, text
    assert "Adam at rate 0.01" in items[0] and "SGD with momentum at rate 0.05" in items[1]
    dashed = page.eval_on_selector_all(f"{T('train-curve')} .other-line",
                                       "ls => ls.map((l) => l.getAttribute('points').trim().split(/\\s+/).length)")
    assert dashed == [9, 9]
    # A comparison out of its limits is named before any work; the run itself stays.
    page.fill(T("train-compare"), "adam,momentum,sgd")
    page.press(T("train-compare"), "Enter")
    page.locator(T("train-compare")).blur()
    page.wait_for_selector("#train-problem:not([hidden])")
    assert "Compare with: must be up to 2 of sgd, momentum, adam" in page.inner_text("#train-problem")


def test_discretized_output_has_two_colours_and_agrees_with_the_scores(fresh):
    page, _ = fresh
    open_ready(page, "index.html#train&dataset=moons&layers=4&seed=0&step=3")
    wait_step(page, 3)
    page.wait_for_timeout(800)  # (the idle boundary: the fine grid)
    # The share of sampled pixels in the map's two most common colours: shades of the score
    # before, then two flat colours (a blend only along the boundary and the points' edges).
    js = """() => { const c = document.querySelector('[data-testid=train-boundary]');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; const n = new Map();
        let all = 0;
        for (let k = 0; k < d.length; k += 4 * 97) { const s = d[k] + ',' + d[k + 1] + ',' + d[k + 2];
          n.set(s, (n.get(s) || 0) + 1); all++; }
        const top = [...n.values()].sort((a, b) => b - a);
        return (top[0] + (top[1] || 0)) / all; }"""
    shaded = page.evaluate(js)
    page.check(T("train-discretize"))
    page.wait_for_timeout(300)
    discrete = page.evaluate(js)
    assert shaded < 0.5 and discrete > 0.85, (shaded, discrete)
