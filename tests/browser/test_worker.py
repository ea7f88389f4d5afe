"""The engine in a worker (issue #7): stepping before Python is up and the hand-over,
progress and Stop, a runaway program, a page that answers while the worker works.

Python's start is held back by routing the worker's first request
(web/build/engine-bundle.json) until the test lets it go.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pagetools import (
    BOOT_MS,
    MICROGRAD,
    T,
    calls,
    calls_since,
    click,
    frame_texts,
    load,
    phase,
    program_text,
    settle,
    snap,
    watch,
)

ROOT = Path(__file__).resolve().parents[2]
HELD = "**/web/build/engine-bundle.json"
TRANSFORMS = "els => els.map(e => [e.dataset.nodeId, e.getAttribute('transform')])"


def cli_scene(text: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "gradstep", "scene", "-"], input=text, cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.fixture
def held(browser, base_url):
    """A page whose worker waits for `release()` before Python can start."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    waiting = []
    released = []

    def hold(route):
        if released:
            route.continue_()
        else:
            waiting.append(route)

    context.route(HELD, hold)
    page = context.new_page()
    w = watch(context, page)

    def release():
        released.append(True)
        for route in waiting:
            route.continue_()

    yield page, release
    w.check()
    context.close()


def test_steps_before_python_is_up_and_the_engine_takes_over(held):
    page, release = held
    page.goto("index.html")
    page.wait_for_selector("[data-node-id]")
    assert page.get_attribute("body", "data-ready") == "false"
    assert snap(page)["engine"] == "starting"
    want = cli_scene(program_text(page))["timeline"]
    # Every move works from the prebuilt timeline: forward, backward, -all, undo, reset.
    click(page, "forward-step")
    assert phase(page) == "forward"
    click(page, "forward-all")
    click(page, "backward-step")
    click(page, "backward-step")
    out = want["output"]
    assert page.get_attribute(f"[data-node-id=n{out}]", "data-grad") == want["grads"][out]
    click(page, "undo")
    position = snap(page)["state"]["position"]
    assert position == len(want["forward"]) + 1
    assert page.get_attribute(T("frame-text"), "data-text") == want["frames"][position - 1]["text"]
    drawn = page.eval_on_selector_all("[data-node-id]", TRANSFORMS)
    assert calls(page) == {}  # every step before Python: nothing posted to the worker
    release()
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    settle(page)
    # The hand-over is a load of the program on screen, and nothing else: the page's
    # position, drawing and undo history stay as they were.
    assert calls(page) == {"load": 1}
    s = snap(page)
    assert s["engine"] == "ready" and s["mode"] == "engine"
    assert s["state"]["position"] == position
    assert page.eval_on_selector_all("[data-node-id]", TRANSFORMS) == drawn
    click(page, "undo")  # the history from before Python is up: back to forward-done
    assert phase(page) == "forward-done"
    click(page, "undo")
    assert phase(page) == "forward" and snap(page)["state"]["can_undo"]
    assert calls(page) == {"load": 1}
    # The worker holds what the page shows: the same frames as the command line's.
    assert frame_texts(page) == [f["text"] for f in want["frames"]]


def test_what_needs_python_waits_for_it_and_says_so(held):
    page, release = held
    page.goto("index.html")
    page.wait_for_selector("[data-node-id]")
    click(page, "backward-all")
    before = snap(page)["timeline"]["values"]
    click(page, "nudge")
    assert "Nudge will happen as soon as Python" in page.inner_text("#engine-status")
    assert page.is_hidden(T("controls-reason"))  # nothing over the graph: it would move when Python is up
    assert snap(page)["timeline"]["values"] == before  # not yet
    release()
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    settle(page)
    s = snap(page)
    assert len(s["state"]["nudges"]) == 1 and s["timeline"]["values"] != before
    assert s["state"]["phase"] == "forward-done"
    assert page.inner_text("#engine-status") == ""


def test_long_work_shows_progress_and_stop_keeps_the_graph(fresh):
    page, _ = fresh
    page.goto("index.html#program=" + "x%20%3D%201.0%0Ay%20%3D%20x%20*%202.0%0A")
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    before = snap(page)
    # A runaway program: 60,000 lines take the worker many seconds.
    runaway = "x = 1.0\n" + "".join(f"x{k} = x{k - 1 if k > 1 else ''} * 1.0001 + 0.5\n" for k in range(1, 60_000))
    page.eval_on_selector(T("program"), "(e, t) => { e.value = t; e.dispatchEvent(new Event('input')); }", runaway)
    # Measure the main thread while the worker works: gaps between animation frames.
    page.evaluate("""() => { window.__gaps = []; let t = performance.now();
      const f = () => { const n = performance.now(); window.__gaps.push(n - t); t = n;
        if (!window.__stopGaps) requestAnimationFrame(f); }; requestAnimationFrame(f); }""")
    page.click(T("run"))
    page.wait_for_selector(f"{T('work')}:not([hidden])", timeout=10_000)
    assert "s" in page.inner_text(T("work-text"))  # what it does, and for how long
    # The page answers while the worker works: zoom, pan, the menus, Stop. (A step
    # clicked now waits for the new graph: it is the one it is for.)
    k = snap(page)["view"]["k"]
    page.click(T("zoom-in"))
    assert snap(page)["view"]["k"] > k
    page.wait_for_timeout(1500)
    page.evaluate("window.__stopGaps = true")
    gaps = page.evaluate("window.__gaps")
    assert len(gaps) > 20 and max(gaps) < 500, f"the main thread stalled: {max(gaps):.0f} ms"
    # Stop: the worker ends, the graph and the program on screen are the ones from before.
    page.click(T("stop"))
    page.wait_for_selector(f"{T('work')}[hidden]", state="attached")
    assert program_text(page) == runaway  # the editor keeps what was typed
    after = snap(page)
    assert after["program"] == before["program"] and after["timeline"]["values"] == before["timeline"]["values"]
    click(page, "backward-all")  # it steps while Python starts again
    assert phase(page) == "backward-done"
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    settle(page)
    assert snap(page)["state"]["phase"] == "backward-done"
    click(page, "nudge")  # the fresh engine holds the graph on screen
    assert phase(page) == "forward-done"
    assert program_text(page) == runaway


def test_only_what_the_view_needs_crosses(fresh):
    page, _ = fresh
    page.goto("index.html")
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    tl = snap(page)["timeline"]
    assert "frames" not in tl and {"inputs", "slopes"} <= set(tl)
    page.fill(T("program"), MICROGRAD)
    click(page, "run")
    click(page, "forward-all")
    click(page, "backward-step")
    # The step's formula came on demand, and it is the CLI's.
    text = page.get_attribute(T("frame-text"), "data-text")
    want = cli_scene(MICROGRAD)["timeline"]
    assert text == want["frames"][len(want["forward"])]["text"]
    # New leaf values cross as their reprs; only what they change comes back.
    reply = page.evaluate("window.gradstep.call('timeline', {version: 99, leaves: ['2.5', '-3.0', '10.0', '-2.0']})")
    assert reply["ok"] and set(reply["timeline"]) == {"version", "values", "grads", "slopes"}
    assert reply["program"].startswith("a = 2.5\nb = -3.0\n")
    assert reply["timeline"]["values"][tl_index(page, "e")] == "-7.5"


def tl_index(page, name: str) -> int:
    return snap(page)["timeline"]["names"][name]


def agree(page):
    """The worker holds what the page shows: the values, gradients and frames of the
    program on screen are the command line's."""
    settle(page)
    s = snap(page)
    want = cli_scene(s["program"])["timeline"]
    assert s["timeline"]["values"] == want["values"] and s["timeline"]["grads"] == want["grads"]
    assert frame_texts(page) == [f["text"] for f in want["frames"]]


@pytest.fixture
def ready(fresh):
    page, _ = fresh
    page.goto("index.html")
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    return page


def test_steps_clicked_while_a_program_loads_apply_to_the_new_graph(ready):
    page = ready
    page.fill(T("program"), "x = 1.5\ny = x * x\nz = y + x\n")
    page.click(T("run"))
    page.click(T("backward-step"))  # no waiting: the load is still running
    page.click(T("backward-step"))
    agree(page)
    s = snap(page)
    assert s["program"].startswith("x = 1.5") and s["state"]["position"] == len(s["timeline"]["forward"]) + 2


def test_undo_of_values_brings_their_program_and_link_back(ready):
    page = ready
    click(page, "backward-all")
    text = program_text(page)
    link = "#program=" + page.evaluate("t => encodeURIComponent(t)", text)
    click(page, "nudge")
    assert program_text(page) != text
    assert page.evaluate("location.hash") != link
    click(page, "undo")
    assert program_text(page) == text
    assert page.evaluate("location.hash") == link
    page.click("[data-node-id=n0]")  # freeze a
    settle(page)
    page.wait_for_function("location.hash.includes('&frozen=a')")
    click(page, "undo")
    page.wait_for_function("!location.hash.includes('&frozen=')")
    agree(page)


def test_reset_after_an_edit_at_the_start_agrees_with_the_engine(ready):
    page = ready
    page.dblclick("[data-node-id=n0]")
    page.fill(T("leaf-editor"), "5.0")
    page.keyboard.press("Enter")
    settle(page)
    click(page, "reset")
    click(page, "undo")
    agree(page)
    assert page.get_attribute("[data-node-id=n0]", "data-value") == "5.0"


def formula(page) -> str:
    return page.get_attribute(T("frame-text"), "data-text") or ""


def seek(page, position: int):
    page.evaluate("p => { const s = document.getElementById('seek'); s.value = String(p);"
                  " s.dispatchEvent(new Event('input')); }", position)
    page.wait_for_function("p => window.gradstep.snapshot().state.position === p", arg=position)


def test_a_step_posts_nothing_to_the_worker_and_a_nudge_only_what_it_needs(ready):
    page = ready
    load(page, MICROGRAD)
    click(page, "forward-step")  # the formulas of this timeline come (a window of them)
    page.wait_for_function("document.querySelector('[data-testid=frame-text]').dataset.text")
    settle(page)
    before = calls(page)
    click(page, "backward-step")
    assert formula(page).startswith("dL/dL = 1.0")
    for testid in ("forward-step", "undo", "backward-all", "reset", "forward-all", "backward-step"):
        click(page, testid)
    seek(page, 2)
    page.click("[data-node-id=n0]")  # freeze a (a click waits a moment: it may be a double-click)
    page.wait_for_function("window.gradstep.snapshot().state.frozen.length === 1")
    assert snap(page)["state"]["frozen"] == [0]
    click(page, "undo")  # (unfreezes)
    assert snap(page)["state"]["frozen"] == []
    assert formula(page).startswith("d = e + c = -6.0 + 10.0 = 4.0")
    assert calls_since(page, before) == {}  # none of these posted a message to the worker
    # A nudge needs Python twice: the timeline of the new values, and the formula shown.
    click(page, "backward-all")
    before = calls(page)
    click(page, "nudge")
    page.wait_for_function("document.querySelector('[data-testid=frame-text]').dataset.text.startsWith('L = d * f')")
    settle(page)
    assert calls_since(page, before) == {"timeline": 1, "frames": 1}
    # Undo back to the values before it: their formulas are still in hand.
    before = calls(page)
    click(page, "undo")
    assert formula(page) == "dL/da = dL/de * ∂e/∂a = -2.0 * -3.0 = 6.0"
    assert calls_since(page, before) == {}


def test_after_stop_the_history_stays_and_older_values_get_their_frames(ready):
    page = ready
    load(page, MICROGRAD)
    click(page, "backward-all")
    click(page, "nudge")  # version 2
    click(page, "backward-all")
    click(page, "nudge")  # version 3
    history = snap(page)["state"]
    runaway = "x = 1.0\n" + "".join(f"x{k} = x{k - 1 if k > 1 else ''} * 1.0001 + 0.5\n" for k in range(1, 60_000))
    page.eval_on_selector(T("program"), "(e, t) => { e.value = t; e.dispatchEvent(new Event('input')); }", runaway)
    page.click(T("run"))
    page.wait_for_selector(f"{T('work')}:not([hidden])", timeout=10_000)
    page.click(T("stop"))
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    settle(page)
    s = snap(page)
    assert s["state"] == history and s["mode"] == "engine" and "restarted" not in s["note"]
    # The fresh worker holds only the values on screen; an undo back to older ones gets
    # their formulas all the same (the page sends their leaf values).
    click(page, "undo")  # (the backward pass after the second nudge's values)
    assert snap(page)["state"]["timeline_version"] == 2 and phase(page) == "backward-done"
    page.wait_for_function("document.querySelector('[data-testid=frame-text]').dataset.text")
    want = cli_scene(snap(page)["program"])["timeline"]
    assert formula(page) == want["frames"][-1]["text"]
    agree(page)
    click(page, "undo")
    click(page, "undo")
    assert snap(page)["state"]["timeline_version"] == 1
    agree(page)
    click(page, "nudge")  # and new values still come
    assert snap(page)["state"]["timeline_version"] == 4


def test_play_pressed_twice_quickly_stops_when_paused(ready):
    page = ready
    click(page, "backward-all")
    page.keyboard.press("n")
    page.keyboard.press("p")
    page.keyboard.press("p")
    settle(page)
    page.wait_for_timeout(300)
    if page.get_attribute(T("play"), "aria-pressed") == "true":
        click(page, "play")
    at = snap(page)["state"]["position"]
    page.wait_for_timeout(1500)
    assert snap(page)["state"]["position"] == at  # nothing plays on behind a "Play" button


def test_escape_while_python_starts_does_not_restart_it(held):
    page, release = held
    page.goto("index.html")
    page.wait_for_selector("[data-node-id]")
    page.click(T("status"))
    page.keyboard.press("Escape")
    assert "Stopped" not in page.inner_text("#engine-status")
    release()
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
