"""The training view in the page (contract section 5; issue #9): the page's losses are
the command line's for the same settings, Play keeps going while the page answers,
Reset returns to the initial weights, and the address carries every setting."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pagetools import BOOT_MS, T, open_ready, program_text, settle
from pagetools import train_status as status

ROOT = Path(__file__).resolve().parents[2]


def cli_train(dataset, layers, steps, seed, lr=None, batch=None, loss=None) -> dict:
    args = [sys.executable, "-m", "gradstep", "train", "--dataset", dataset, "--layers", layers,
            "--steps", str(steps), "--seed", str(seed), "--json"]
    if lr is not None:
        args += ["--lr", str(lr)]
    if batch is not None:
        args += ["--batch", str(batch)]
    if loss is not None:
        args += ["--loss", loss]
    out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_train_from_a_link_equals_the_command_line(fresh):
    page, _ = fresh
    open_ready(page, "index.html#train&dataset=xor&layers=8,8&seed=3&lr=0.5&batch=20")
    assert page.is_visible(T("train-boundary"))
    assert page.input_value(T("train-dataset")) == "xor"
    assert page.input_value(T("train-layers")) == "8,8"
    assert page.input_value(T("train-seed")) == "3"
    assert page.input_value(T("train-lr")) == "0.5"
    want = cli_train("xor", "8,8", 3, 3, lr=0.5, batch=20)
    for k in range(3):
        page.click(T("train-step"))
        settle(page)
        s = status(page)
        assert s["step"] == str(k + 1)
        assert s["loss"] == repr(want["losses"][k])  # bit for bit, as repr
    assert float(status(page)["accuracy"]) == want["accuracy"]
    # The address carries every setting: a copied link reproduces the run.
    h = page.evaluate("location.hash")
    for part in ("&train", "dataset=xor", "layers=8,8", "seed=3", "lr=0.5", "batch=20"):
        assert part in h, h
    # Reset: the initial weights again, the same first loss.
    page.click(T("train-reset"))
    settle(page)
    assert status(page)["step"] == "0"
    page.click(T("train-step"))
    settle(page)
    assert status(page)["loss"] == repr(want["losses"][0])


def test_play_trains_and_the_page_keeps_answering(fresh):
    page, _ = fresh
    open_ready(page, "index.html#train")
    page.evaluate("""() => { window.__gaps = []; let t = performance.now();
      const f = () => { const n = performance.now(); window.__gaps.push(n - t); t = n;
        if (!window.__stop) requestAnimationFrame(f); }; requestAnimationFrame(f); }""")
    page.click(T("train-play"))
    # (how fast is bench/train_play_bench.py's to say, measured: hundreds of steps a second;
    # here only that it plays on by itself, however busy the machine)
    page.wait_for_function("Number(document.querySelector('[data-testid=train-status]').dataset.step) >= 100",
                           timeout=120_000)
    page.click(T("forward-step"))  # the graph above still steps while training plays
    assert page.get_attribute(T("status"), "data-phase") == "forward"
    page.click(T("train-play"))  # pause
    page.evaluate("window.__stop = true")
    # The page never froze while it played (a frozen page shows gaps of seconds).
    assert max(page.evaluate("window.__gaps")) < 1500
    settle(page)  # the chunk asked before the pause comes back; none after it
    page.wait_for_timeout(500)
    settled = int(status(page)["step"])
    page.wait_for_timeout(800)
    assert int(status(page)["step"]) == settled
    assert float(status(page)["accuracy"]) >= 0.95  # moons learns (micrograd's demo reaches 100%)
    # Idle now: the boundary is drawn again on a finer grid than while it played.
    page.wait_for_function("document.querySelector('[data-testid=train-boundary]').dataset.grid === '64'")


def test_step_into_one_update_opens_that_points_graph(fresh):
    page, _ = fresh
    open_ready(page, "index.html#train&dataset=moons&layers=4&seed=1&lr=1.0&batch=100")
    for _ in range(3):
        page.click(T("train-step"))
        settle(page)
    step = status(page)["step"]
    page.fill(T("train-point"), "5")
    page.click(T("train-open-point"))
    settle(page)
    text = program_text(page)
    assert text.startswith("# Training point 5 at step 3")
    snap = page.evaluate("window.gradstep.snapshot()")
    labels = {n["id"]: n["label"] for n in snap["layout"]["nodes"] if n["kind"] == "value"}
    frozen = sorted(labels[f"n{i}"] for i in snap["state"]["frozen"])
    assert frozen == ["x[0]", "x[1]", "y"]  # the data stays; the weights move
    assert float(page.input_value(T("nudge-rate"))) > 0
    # Its loss is the point's hinge at these weights; a nudge is that point's SGD update.
    page.click(T("backward-all"))
    settle(page)
    before = float(page.evaluate("window.gradstep.snapshot().state.output"))
    page.click(T("nudge"))
    settle(page)
    after = float(page.evaluate("window.gradstep.snapshot().state.output"))
    assert after <= before
    assert status(page)["step"] == step  # training stays where it was


def full_graph_counts(dataset, layers, seed, steps, batch=100):
    """Nodes, edges and parameters of the whole batch's loss graph, counted here by a
    walk of the graph the Trainer itself builds (not by gradstep/training/batch_graph.py)."""
    from gradstep.training.datasets import CLASSES, make
    from gradstep.training.trainer import Trainer, default_loss

    X, y = make(dataset, n=100, seed=seed)
    t = Trainer(X, y, [int(v) for v in layers.split(",")], seed=seed, loss=default_loss(CLASSES[dataset]), batch=batch)
    for _ in range(steps):
        t.step()
    root = t.loss_graph(t.batch_indices())
    seen, todo, edges = {id(root)}, [root], 0
    while todo:
        v = todo.pop()
        for c in (v._a, v._b):
            if c is None:
                continue
            edges += 1
            if id(c) not in seen:
                seen.add(id(c))
                todo.append(c)
    return len(seen), edges, len(t.params)


def test_whole_batch_graph_collapsed_adds_up_to_the_full_graph(fresh):
    page, _ = fresh
    open_ready(page, "index.html#train&dataset=moons&layers=16,16&seed=0&lr=1.0&batch=100")
    page.click(T("train-step"))
    settle(page)
    page.click(T("train-open-batch"))
    page.wait_for_selector(f"{T('batch-totals')}[data-step='1']", timeout=60_000)
    totals = page.eval_on_selector(T("batch-totals"), "e => ({...e.dataset})")
    nodes, edges, params = full_graph_counts("moons", "16,16", 0, steps=1)
    assert nodes > 60_000  # (micrograd's demo batch: about 65,000 nodes)
    assert (int(totals["nodes"]), int(totals["edges"]), int(totals["parameters"])) == (nodes, edges, params)
    assert (totals["shownNodes"], totals["shownEdges"], totals["shownParameters"]) == (
        totals["nodes"], totals["edges"], totals["parameters"])
    assert totals["groups"] == str(2 + 16 + 16 + 1)  # inputs, the neurons, the loss
    # Open a neuron of the second layer (from the keyboard): its real nodes, a row per point.
    page.locator(f"{T('batch-keys')} [data-group='L2N3']").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{T('batch-keys')} [data-group='L2N3'][data-expanded='true']", timeout=30_000)
    # The focus stays on it, so Enter again closes it.
    assert page.evaluate("document.activeElement.dataset.group") == "L2N3"
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{T('batch-keys')} [data-group='L2N3'][data-expanded='false']")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{T('batch-keys')} [data-group='L2N3'][data-expanded='true']", timeout=30_000)
    # Fold every layer: five boxes, the same totals.
    page.click(T("batch-fold"))
    page.wait_for_selector(f"{T('batch-totals')}[data-groups='5']")
    totals2 = page.eval_on_selector(T("batch-totals"), "e => ({...e.dataset})")
    assert (totals2["shownNodes"], totals2["shownEdges"]) == (totals["nodes"], totals["edges"])
    # Training on: the graph follows when training stops.
    page.click(T("train-step"))
    page.wait_for_selector(f"{T('batch-totals')}[data-step='2']", timeout=60_000)
    # A box asked for at a step training has left is refused as stale, not drawn from another step.
    reply = page.evaluate("() => window.gradstep.call('train', {action: 'expand', group: 'L1N0', step: 1})")
    assert reply["ok"] is False and reply["stale"] is True and reply["step"] == 2
    fresh_reply = page.evaluate("() => window.gradstep.call('train', {action: 'expand', group: 'L1N0', step: 2})")
    assert fresh_reply["ok"] and fresh_reply["step"] == 2


def test_the_loss_is_a_setting_in_the_link_and_equals_the_command_lines(fresh):
    page, _ = fresh
    open_ready(page, "index.html#train&dataset=circles&layers=8&seed=2&lr=0.3&batch=100&loss=mse")
    assert page.input_value(T("train-loss")) == "mse"
    want = cli_train("circles", "8", 2, 2, lr=0.3, loss="mse")
    for k in range(2):
        page.click(T("train-step"))
        settle(page)
        assert status(page)["loss"] == repr(want["losses"][k])
    assert "loss=mse" in page.evaluate("location.hash")
    # The hinge loss cannot score the spiral's three classes: the page says so and keeps going.
    page.select_option(T("train-dataset"), "spiral")
    page.select_option(T("train-loss"), "hinge")
    page.wait_for_selector("#train-problem:not([hidden])")
    # (the settings table's words, the same as the command line's: tests/training/test_settings.py)
    assert "Loss: the hinge loss needs two classes; spiral has 3" in page.inner_text("#train-problem")
    page.select_option(T("train-loss"), "cross_entropy")
    page.wait_for_selector("#train-problem", state="hidden")
    page.click(T("train-step"))
    settle(page)
    want = cli_train("spiral", "8", 1, 2, lr=0.3, loss="cross_entropy")
    assert status(page)["loss"] == repr(want["losses"][0])


def test_steps_clicked_while_python_starts_run_when_it_is_up(fresh):
    """(Issue 15: three clicks before Python was up gave 0 steps, then and later.)"""
    page, _ = fresh
    # Python is held back until the clicks are made (a fast start could otherwise be up before
    # the third click)
    release = _held(page, "index.html#train&dataset=moons&layers=4&seed=2")
    for _ in range(3):
        page.click(T("train-step"))
    assert "3 steps will run as soon as it is up" in page.inner_text(T("train-status"))
    release()
    page.wait_for_selector(f"{T('train-status')}[data-step='3']", timeout=BOOT_MS)
    want = cli_train("moons", "4", 3, 2)
    assert status(page)["loss"] == repr(want["losses"][2])


def _held(page, url):
    """Open `url` with Python held back (the engine's files wait) until the returned function runs."""
    held = []
    page.context.route("**/web/build/engine-bundle.json", lambda route: held.append(route))
    page.goto(url)
    page.wait_for_selector(T("train-step"), state="visible")
    assert page.evaluate("document.body.dataset.ready") != "true"  # (Python is still starting)

    def release():
        assert held, "the worker asked for the engine's files"
        for route in held:
            route.continue_()
        page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
        settle(page)
    return release


def test_clicks_while_python_starts_run_in_order_play_twice_is_no_play_and_reset_takes_them_back(fresh):
    """(A hostile test: Play, Play before Python was up played on its own once it was; Step, Step,
    Reset ended at step 2; Step, a new seed, Step ended at step 2 with the new seed.)"""
    page, _ = fresh
    release = _held(page, "index.html#train&dataset=moons&layers=4&seed=2")
    page.click(T("train-play"))
    assert page.inner_text(T("train-play")) == "Pause"
    page.click(T("train-play"))
    assert page.inner_text(T("train-play")) == "Play"
    page.click(T("train-step"))
    page.click(T("train-step"))
    page.click(T("train-reset"))
    page.click(T("train-step"))
    page.fill(T("train-seed"), "5")
    page.dispatch_event(T("train-seed"), "change")
    page.click(T("train-step"))
    assert "1 step will run as soon as it is up" in page.inner_text(T("train-status"))
    release()
    page.wait_for_selector(f"{T('train-status')}[data-step='1']", timeout=BOOT_MS)
    page.wait_for_timeout(500)  # (no Play starts by itself)
    assert status(page)["step"] == "1"
    assert page.inner_text(T("train-play")) == "Play"
    assert status(page)["loss"] == repr(cli_train("moons", "4", 1, 5)["losses"][0])


def test_steps_asked_then_new_settings_with_no_click_after_run_none(fresh):
    """(Found in review: steps clicked before Python was up ran on the network of settings changed
    after them, when Step was not clicked again.)"""
    page, _ = fresh
    release = _held(page, "index.html#train&dataset=moons&layers=4&seed=2")
    for _ in range(3):
        page.click(T("train-step"))
    page.fill(T("train-seed"), "5")
    page.dispatch_event(T("train-seed"), "change")
    release()
    page.wait_for_timeout(500)
    assert status(page)["step"] == "0"
    page.click(T("train-step"))  # (the network is the new seed's)
    page.wait_for_selector(f"{T('train-status')}[data-step='1']", timeout=BOOT_MS)
    assert status(page)["loss"] == repr(cli_train("moons", "4", 1, 5)["losses"][0])


def test_reset_before_python_is_up_takes_back_the_links_step(fresh):
    """(Found in review: the status said training starts at step 0, and then the link's step=40
    was replayed anyway, and stayed in the address.)"""
    page, _ = fresh
    release = _held(page, "index.html#train&dataset=moons&layers=4&seed=2&step=40")
    page.click(T("train-reset"))
    assert "step=40" not in page.evaluate("location.hash")
    release()
    page.wait_for_timeout(500)
    assert status(page)["step"] == "0"
    assert "step=40" not in page.evaluate("location.hash")


def test_a_play_asked_before_python_is_up_goes_with_the_view(fresh):
    """(Found in review: Play before Python was up, the view closed and opened again: the button
    said Play, yet training played by itself once Python was up; a press then took it back.)"""
    page, _ = fresh
    release = _held(page, "index.html#train&dataset=moons&layers=4&seed=2")
    page.click(T("train-play"))
    assert page.inner_text(T("train-play")) == "Pause"
    page.click("#train-close")
    page.wait_for_selector(T("train"), state="hidden")
    page.click(T("train-open"))
    page.wait_for_selector(T("train"), state="visible")
    assert page.inner_text(T("train-play")) == "Play"
    release()
    page.wait_for_timeout(800)
    assert status(page)["step"] == "0"
    assert page.inner_text(T("train-play")) == "Play"
    page.click(T("train-play"))  # (and a press now plays)
    page.wait_for_function("s => Number(document.querySelector(s).dataset.step) > 0", arg=T("train-status"),
                           timeout=BOOT_MS)
    page.click(T("train-play"))


def test_a_reload_brings_the_training_back_where_it_was(fresh):
    """Contract section 5: the steps taken and the points added come back with a reload (or the
    copied link), with the same data-step, data-loss and weights (training is deterministic)."""
    page, _ = fresh
    open_ready(page, "index.html#train&dataset=xor&layers=4,4&seed=1&lr=0.5")
    box = page.locator(T("train-boundary")).bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.3)  # a point of class 0
    settle(page)
    for _ in range(4):
        page.click(T("train-step"))
        settle(page)
    before = status(page)
    assert before["step"] == "4"
    link = page.evaluate("location.hash")
    assert "step=4" in link and "points=" in link, link
    assert len(link) < 1000  # (the learner's edit travels, not the seeded dataset's 100 points)
    page.reload()
    page.wait_for_selector(f"{T('train-status')}[data-step='4']", timeout=BOOT_MS)
    settle(page)
    after = status(page)
    assert after["loss"] == before["loss"] and after["accuracy"] == before["accuracy"]
    # one step more from here is the same step as before the reload would have been
    page.click(T("train-step"))
    settle(page)
    assert status(page)["step"] == "5"


def test_a_link_followed_on_a_built_view_brings_its_step_and_refuses_edits_that_do_not_fit(fresh):
    """(Found in review: a link's step was lost when the view was already built, and the address
    then reported it; a link's point of class 2 on a two-class dataset was kept in the address
    though the worker refused it.)"""
    page, _ = fresh
    open_ready(page, "index.html#train&dataset=moons&layers=4&seed=2")
    page.evaluate("location.hash = '#train&dataset=moons&layers=4&seed=2&step=6'")
    page.wait_for_selector(f"{T('train-status')}[data-step='6']", timeout=BOOT_MS)
    settle(page)
    assert status(page)["loss"] == repr(cli_train("moons", "4", 6, 2)["losses"][5])
    page.evaluate("location.hash = '#train&dataset=moons&layers=4&seed=3&points=0,0,2&step=2'")
    page.wait_for_selector(f"{T('train-status')}[data-step='2']", timeout=BOOT_MS)
    settle(page)
    assert status(page)["loss"] == repr(cli_train("moons", "4", 2, 3)["losses"][1])  # the dataset's own points
    assert "points=" not in page.evaluate("location.hash")
