"""The page (index.html) against the contract (shared/contract.md, section 3).

Most tests share one booted page (Pyodide takes seconds to start on two cores) and
load their own program through the editor; the tests of navigation (share link,
reload, first paint) open their own. Every test checks that no request left
127.0.0.1 and that the page reported no error.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from pagetools import (
    BOOT_MS,
    MICROGRAD,
    T,
    click,
    frame_texts,
    load,
    nodes,
    phase,
    program_text,
    settle,
    step_until,
    timeline,
    values_grads,
    watch,
)

ROOT = Path(__file__).resolve().parents[2]

PROGRAMS = {
    "micrograd": MICROGRAD,
    "reuse": "a = 3.0\nb = a + a\nc = b * b\n",  # one edge per use: dc/da = 4b
    "neuron": ("x = [2.0, 0.0]\nw = [-3.0, 1.0]\nb = 6.8813735870195432\nn = x[0]*w[0] + x[1]*w[1] + b\no = tanh(n)\n"),
    "softmax": ("logits = [1.0, 2.0, 0.5]\np = softmax(logits)\ny = -log(p[1])\n"),
    "rebind": "x = 1.5\ny = x * x\ny += x\ny *= 2\ny - exp(x) / 3\n",
}


# The page must give exactly the CLI's floats. Basic arithmetic is IEEE everywhere;
# exp, log, sin, tanh... come from gradstep/core/floatmath.py, not the platform's libm
# (Pyodide's differs from glibc's in the last place), so every program is compared
# bit for bit.


# --------------------------------------------------------------------------- helpers


def cli_grad(text, tmp_path) -> dict:
    src = tmp_path / "program.py"
    src.write_text(text)
    out = subprocess.run(
        [sys.executable, "-m", "gradstep", "grad", str(src), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def output_value(page) -> float:
    tl = timeline(page)
    return float(page.get_attribute(f"[data-node-id=n{tl['output']}]", "data-value"))


# --------------------------------------------------------------------------- the contract


def test_contract_attributes_and_controls(app):
    page = app
    assert page.get_attribute("body", "data-ready") == "true"
    assert phase(page) == "start"
    tl = timeline(page)
    layout = page.evaluate("window.gradstep.snapshot().layout")
    value_ids = {n["id"] for n in layout["nodes"] if n["kind"] != "op"}
    drawn = nodes(page)
    assert set(drawn) == value_ids
    # Exactly the value nodes carry data-node-id (op nodes and the rest do not).
    assert page.locator("[data-node-id]").count() == len(value_ids)
    assert page.locator(".op").count() == sum(n["kind"] == "op" for n in layout["nodes"])
    assert page.locator(".op [data-node-id], .op[data-node-id]").count() == 0
    labels = {nid: row[0] for nid, row in drawn.items()}
    assert [labels[f"n{i}"] for i in range(7)] == ["a", "b", "c", "e", "d", "f", "L"]
    # At the start only leaves (and constants) show a value; no gradient shows.
    for nid, (_label, value, grad, current) in drawn.items():
        i = int(nid[1:])
        assert grad == ""
        assert current is None
        if i in tl["forward"]:
            assert value == ""
        else:
            assert value == tl["values"][i]
    # Controls.
    # the editor: the code editor's content (contenteditable), where Playwright's fill works
    assert page.get_attribute("body", "data-editor") == "code"
    assert page.get_attribute(T("program"), "contenteditable") == "true"
    assert page.get_attribute(T("program"), "role") == "textbox"
    for tid in ["run", "forward-step", "forward-all", "backward-step", "backward-all", "nudge", "undo", "reset"]:
        assert page.eval_on_selector(T(tid), "e => e.tagName") == "BUTTON", tid
        assert page.is_enabled(T(tid)), tid
    assert page.get_attribute(T("nudge-rate"), "type") == "number"
    assert float(page.input_value(T("nudge-rate"))) == 0.01
    options = page.eval_on_selector_all(f"{T('nudge-direction')} option", "os => os.map(o => o.value)")
    assert sorted(options) == ["ascend", "descend"]
    assert page.input_value(T("nudge-direction")) == "descend"
    assert page.is_hidden(T("error"))
    assert page.inner_text(T("status")).strip()


def test_forward_step_marks_the_current_node(app):
    page = app
    tl = timeline(page)
    for k, i in enumerate(tl["forward"]):
        click(page, "forward-step")
        current = [nid for nid, row in nodes(page).items() if row[3] == "true"]
        assert current == [f"n{i}"]
        assert page.get_attribute(f"[data-node-id=n{i}]", "data-value") == tl["values"][i]
        assert phase(page) == ("forward-done" if k == len(tl["forward"]) - 1 else "forward")
        # The formula shows short numbers; its full text (every digit) is kept beside it.
        assert page.get_attribute(T("frame-text"), "data-text") == frame_texts(page)[k]
    click(page, "backward-step")
    assert phase(page) == "backward"
    out = tl["output"]
    assert page.get_attribute(f"[data-node-id=n{out}]", "data-grad") == "1.0"
    assert page.get_attribute(f"[data-node-id=n{out}]", "data-current") == "true"
    assert page.locator("[data-current=true]").count() == 1
    # The backward frame's local derivatives appear on the graph as edge labels.
    click(page, "backward-step")
    assert page.locator(".elabel").count() >= 1


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_stepping_equals_all_buttons_and_cli(app, name, tmp_path):
    page = app
    text = PROGRAMS[name]
    load(page, text)
    step_until(page, "forward-step", "forward-done")
    stepped_fwd = values_grads(page)
    step_until(page, "backward-step", "backward-done")
    stepped = values_grads(page)

    click(page, "reset")
    assert phase(page) == "start"
    click(page, "forward-all")
    assert phase(page) == "forward-done"
    assert values_grads(page) == stepped_fwd
    assert all(g == "" for _, g in stepped_fwd.values())
    click(page, "backward-all")
    assert phase(page) == "backward-done"
    assert values_grads(page) == stepped
    # Running the backward pass again gives the same gradients (no doubling).
    click(page, "backward-all")
    assert values_grads(page) == stepped

    cli = cli_grad(text, tmp_path)
    tl = timeline(page)
    assert stepped[f"n{tl['output']}"][0] == repr(cli["value"])
    for var, grad in cli["grads"].items():
        i = tl["names"][var]
        assert stepped[f"n{i}"][1] == repr(grad), var


def test_undo_restores_exactly(app):
    page = app
    snapshots = []

    def snap():
        return (phase(page), nodes(page))

    for action in ["forward-step", "forward-step", "forward-all", "backward-step", "backward-all", "nudge", "reset"]:
        snapshots.append(snap())
        click(page, action)
    for before in reversed(snapshots):
        click(page, "undo")
        assert snap() == before


def test_nudge_moves_the_output_as_predicted(app):
    page = app
    click(page, "backward-all")
    before = output_value(page)
    page.fill(T("nudge-rate"), "0.01")
    page.select_option(T("nudge-direction"), "descend")
    click(page, "nudge")
    assert phase(page) == "forward-done"
    assert all(g == "" for _, g in values_grads(page).values())
    after = output_value(page)
    nudge = page.evaluate("window.gradstep.snapshot().state.nudges.at(-1)")
    assert after < before
    assert nudge["predicted"] < 0 and nudge["actual"] < 0
    assert math.isclose(nudge["actual"], after - before, rel_tol=1e-12)
    assert math.isclose(nudge["actual"], nudge["predicted"], rel_tol=0.05)
    summary = page.inner_text(T("nudge-summary"))
    assert "predicted" in summary and "actual" in summary
    assert page.locator(f"{T('nudge-plot')} .actual-dot").count() == 2

    # Ascend: gradients are needed first; nudging from forward-done uses the new ones.
    click(page, "backward-all")
    page.select_option(T("nudge-direction"), "ascend")
    click(page, "nudge")
    assert phase(page) == "forward-done"
    assert output_value(page) > after


def test_frozen_leaf_does_not_move(app):
    page = app
    a = "[data-node-id=n0]"
    page.click(a)
    page.wait_for_selector(f"{a}[data-frozen=true]")
    click(page, "backward-all")
    values = values_grads(page)
    click(page, "nudge")
    moved = values_grads(page)
    assert moved["n0"][0] == values["n0"][0]  # a is frozen
    assert moved["n1"][0] != values["n1"][0]  # b moved
    # Keyboard: Enter on the focused leaf unfreezes it.
    page.focus(a)
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{a}:not([data-frozen])")


def test_edit_a_leaf_value_recomputes(app):
    page = app
    click(page, "forward-all")
    page.dblclick("[data-node-id=n0]")
    editor = page.locator(T("leaf-editor"))
    editor.wait_for(state="visible")
    editor.fill("3")
    editor.press("Enter")
    settle(page)
    assert page.get_attribute("[data-node-id=n0]", "data-value") == "3.0"
    assert phase(page) == "forward-done"
    assert page.get_attribute("[data-node-id=n6]", "data-value") == "-2.0"  # (3*-3 + 10) * -2
    click(page, "undo")
    assert page.get_attribute("[data-node-id=n0]", "data-value") == "2.0"


@pytest.mark.parametrize(
    "bad, line, col",
    [
        ("a = 1.0\nb = (a +\n", 2, None),
        ("a = 1.0\nimport os\n", 2, 1),
        ("a = 1.0\nb = __import__('os')\n", 2, 5),
        ("a = 1.0\nx = log(-1)\n", 2, 5),
    ],
)
def test_bad_program_shows_error_and_keeps_graph(app, bad, line, col):
    page = app
    before = nodes(page)
    page.fill(T("program"), bad)
    click(page, "run")
    error = page.locator(T("error"))
    assert error.is_visible()
    text = error.inner_text()
    assert f"line {line}, col " in text
    if col is not None:
        assert f"line {line}, col {col}:" in text
    assert error.get_attribute("data-line") == str(line)
    # The previous graph is still there, and still steps.
    assert nodes(page) == before
    click(page, "forward-step")
    assert phase(page) == "forward"
    assert page.get_attribute("[data-node-id=n3]", "data-value") == "-6.0"
    # A good program clears the error.
    load(page, MICROGRAD)
    assert error.is_hidden()


def test_domain_error_after_nudge_keeps_state(app):
    page = app
    load(page, "x = 0.5\ny = log(x)\n")
    click(page, "backward-all")
    before = (phase(page), nodes(page))
    page.fill(T("nudge-rate"), "1")
    click(page, "nudge")  # x - 1 * (1/x) = -1.5: log of a negative
    error = page.locator(T("error"))
    assert error.is_visible()
    assert "line 2, col" in error.inner_text()
    assert (phase(page), nodes(page)) == before
    page.fill(T("nudge-rate"), "0.01")
    click(page, "nudge")
    assert error.is_hidden()
    assert phase(page) == "forward-done"


def test_markup_is_shown_as_text(app):
    page = app
    evil = '<img src=x onerror="window.__pwned=1"><b>bold</b>'
    # Through the editor: a program that is markup is refused, and shown as text.
    page.fill(T("program"), f"a = 1.0\n{evil} = 2\n")
    click(page, "run")
    assert page.locator(T("error")).is_visible()
    # Through a scene (labels come from program text): drawn as text, never as markup.
    snap = page.evaluate("window.gradstep.snapshot()")
    scene = {k: snap[k] for k in ("program", "layout", "timeline", "state")}
    scene["program"] = "markup test"
    for n in scene["layout"]["nodes"]:
        if n["id"] == "n0":
            n["label"] = evil
    page.evaluate("s => window.gradstep.drawScene(s)", scene)
    assert page.get_attribute("[data-node-id=n0]", "data-label") == evil
    assert evil[:15] in page.text_content("[data-node-id=n0]")
    assert page.locator("main img, main b, svg img").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_keyboard_shortcuts_and_help(app):
    page = app
    page.click(T("status"))  # focus leaves the editor
    page.keyboard.press("ArrowRight")
    assert phase(page) == "forward"
    page.keyboard.press("Shift+ArrowRight")
    assert phase(page) == "forward-done"
    page.keyboard.press("ArrowLeft")
    assert phase(page) == "backward"
    page.keyboard.press("Shift+ArrowLeft")
    assert phase(page) == "backward-done"
    page.keyboard.press("u")
    assert phase(page) == "backward"
    page.keyboard.press("r")
    assert phase(page) == "start"
    # Typing in the editor does not step.
    page.focus(T("program"))
    page.keyboard.press("ArrowRight")
    page.keyboard.press("n")
    assert phase(page) == "start"
    # Esc at once leaves the editor (a completion list about to open for "n" is cancelled)
    page.keyboard.press("Escape")
    assert page.locator(".cm-tooltip-autocomplete").count() == 0
    page.keyboard.press("?")
    assert page.locator(T("help")).is_visible()
    assert page.locator(f"{T('help')} kbd").count() >= 10
    page.keyboard.press("Escape")
    assert page.locator(T("help")).is_hidden()


def test_seek_slider_and_play(app):
    page = app
    tl = timeline(page)
    total = len(tl["forward"]) + len(tl["backward"])
    assert page.get_attribute(T("seek"), "max") == str(total)
    page.eval_on_selector(T("seek"), "(e, v) => { e.value = v; e.dispatchEvent(new Event('input')); }", total)
    page.wait_for_function("document.querySelector('[data-testid=status]').dataset.phase === 'backward-done'")
    page.eval_on_selector(T("seek"), "e => { e.value = 2; e.dispatchEvent(new Event('input')); }")
    page.wait_for_function("document.querySelector('[data-testid=status]').dataset.phase === 'forward'")
    click(page, "reset")
    page.select_option(T("speed"), "30")
    click(page, "play")
    page.wait_for_function(
        "document.querySelector('[data-testid=status]').dataset.phase === 'backward-done'", timeout=10_000
    )
    assert page.get_attribute(T("play"), "aria-pressed") == "false"


def test_pan_zoom_fit(app):
    page = app

    def transform():
        return page.get_attribute(".graph-svg .viewport", "transform")

    click(page, "fit")
    start = transform()
    click(page, "zoom-in")
    zoomed = transform()
    assert zoomed != start
    box = page.locator("#graph-host").bounding_box()
    x, y = box["x"] + 30, box["y"] + box["height"] - 60  # empty background
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 80, y - 40, steps=5)
    page.mouse.up()
    assert transform() != zoomed
    page.mouse.wheel(0, 300)
    click(page, "fit")
    assert transform() == start
    assert phase(page) == "start"  # none of it stepped or froze anything
    assert page.locator("[data-frozen]").count() == 0


def test_bad_share_link_shows_the_error(fresh):
    page, _ = fresh
    page.goto("index.html#program=" + quote("a = 1.0\nimport os\n", safe=""))
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    assert "line 2, col 1:" in page.inner_text(T("error"))
    load(page, MICROGRAD)
    click(page, "forward-all")
    assert phase(page) == "forward-done"


def test_examples_menu_loads_an_example(app):
    page = app
    examples = page.evaluate("window.gradstep.snapshot().examples")
    assert len(examples) >= 2
    ex = examples[1]
    page.select_option(T("examples"), ex["id"])
    settle(page)
    assert program_text(page) == ex["program"]
    assert phase(page) == "start"
    assert page.evaluate("window.gradstep.snapshot().program") == ex["program"]
    assert page.is_hidden(T("error"))


def test_export_dot_svg_png(app, tmp_path):
    page = app
    click(page, "forward-all")
    got = {}
    for kind in ["dot", "svg", "png"]:
        page.click("[data-testid=export]")
        with page.expect_download() as d:
            click(page, f"export-{kind}")
        path = tmp_path / d.value.suggested_filename
        d.value.save_as(path)
        got[kind] = path.read_bytes()
    dot = got["dot"].decode()
    assert dot.startswith("digraph")
    assert '"n3" [label="{ e | data -6.0000 | grad ? }"];' in dot
    assert '"n0" -> "n3_op";' in dot
    svg = got["svg"].decode()
    assert "<svg" in svg and "data-node-id" in svg and "style=" in svg
    assert got["png"][:8] == b"\x89PNG\r\n\x1a\n"


def test_address_follows_the_editor(app):
    page = app
    text = "p = 4.0\nq = p * p\n"
    page.fill(T("program"), text)
    want = "#program=" + quote(text, safe="-_.!~*'()")
    page.wait_for_function("h => location.hash === h", arg=want, timeout=2_000)


# --------------------------------------------------------------------------- navigation


def test_share_link_loads_the_program(fresh):
    page, _ = fresh
    text = "u = 1.5\nv = -0.5\nw = u * v + tanh(u)\n"
    page.goto("index.html#program=" + quote(text, safe=""))
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    assert program_text(page) == text
    labels = {row[0] for row in nodes(page).values()}
    assert {"u", "v", "w"} <= labels
    click(page, "forward-all")
    click(page, "backward-all")
    assert phase(page) == "backward-done"


def test_reload_keeps_a_typed_program(fresh):
    page, _ = fresh
    page.goto("index.html")
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    text = "alpha = 0.25\nbeta = alpha * 8\n"
    page.fill(T("program"), text)
    page.reload()
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    assert program_text(page) == text
    assert {row[0] for row in nodes(page).values()} >= {"alpha", "beta"}


def test_first_graph_before_python(fresh):
    page, _ = fresh
    start = time.monotonic()
    page.goto("index.html")
    page.wait_for_selector("[data-node-id]", timeout=10_000)
    elapsed = time.monotonic() - start
    assert page.get_attribute("body", "data-ready") in ("false", "true")
    # Generous for a loaded CI machine; bench/page_bench.py measures it properly.
    assert elapsed < 5, elapsed
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)


# --------------------------------------------------------------------------- big graphs


def chain(n_nodes: int) -> str:
    """A program of about n_nodes tape nodes (4 per line), all value nodes drawn."""
    lines = ["x = 0.5"] + ["x = x * 0.999 + 0.001"] * max(1, (n_nodes - 1) // 4)
    return "\n".join(lines) + "\n"


def test_medium_graph_is_svg_with_every_node(app):
    page = app
    load(page, chain(1200))
    assert page.get_attribute("body", "data-big") == "false"
    n = len(timeline(page)["values"])
    assert page.locator("[data-node-id]").count() == n
    click(page, "forward-step")
    click(page, "backward-all")
    assert phase(page) == "backward-done"


def test_ten_thousand_nodes_open_and_step(app):
    page = app
    # (Playwright's fill types 2,500 lines slowly: set the text as a paste would.)
    page.eval_on_selector(T("program"), "(e, t) => { e.value = t; e.dispatchEvent(new Event('input')); }",
                          chain(10_000))
    click(page, "run")
    page.wait_for_function("window.gradstep.snapshot().timeline.values.length > 9000", timeout=120_000)
    assert page.get_attribute("body", "data-big") == "true"
    click(page, "forward-step")
    assert phase(page) == "forward"
    click(page, "forward-all")
    click(page, "backward-step")
    assert phase(page) == "backward"
    click(page, "backward-all")
    assert phase(page) == "backward-done"


# --------------------------------------------------------------------------- screenshots


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width, height, name", [(1280, 800, "desktop"), (390, 844, "phone")])
def test_screenshots(browser, base_url, scheme, width, height, name):
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    w = watch(context, page)
    page.goto("index.html")
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    click(page, "forward-all")
    click(page, "backward-step")
    click(page, "backward-step")
    page.screenshot(path=f"/tmp/gradstep-{name}-{scheme}.png", full_page=True)
    # No horizontal scrolling at any width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    w.check()
    context.close()


# --------------------------------------------------------------------------- no browser


def test_worker_loads_every_engine_module():
    """The worker writes the files web/build/engine-files.json lists into Pyodide; a
    module missing there fails only in the browser, as an ImportError. The list is
    every .py file of the engine package but the notebook widget's, and web/worker/worker.py
    imports only from it."""
    import ast

    from setup import NOTEBOOK_ONLY

    listed = json.loads((ROOT / "web" / "build" / "engine-files.json").read_text())
    every = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "engine").rglob("*.py")
                   if "__pycache__" not in p.parts)
    notebook = [f for f in every if f.startswith(NOTEBOOK_ONLY)]
    assert "engine/gradstep/notebook/widget.py" in notebook
    assert listed == [f for f in every if f not in notebook]
    # ...and no module the page loads imports one of the widget's at its top.
    for f in listed:
        for node in ast.parse((ROOT / f).read_text()).body:
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gradstep.notebook"):
                raise AssertionError(f"{f} imports {node.module}")
    glue = ast.parse((ROOT / "web" / "worker" / "worker.py").read_text())
    for node in ast.walk(glue):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            for module in names:
                assert module.split(".")[0] in {"gradstep", "json", "traceback"}, module


def test_every_op_gives_the_cli_floats_bit_for_bit(app):
    """Pyodide's libm and glibc differ in the last bit for 1 in 30 sin calls and 1 in 5
    tanh calls; the engine's floatmath must not. Hundreds of values through every op,
    in the browser and in CPython, compared as repr strings."""
    import random

    from gradstep.program.session import Session

    rng = random.Random(11)
    xs = ", ".join(repr(round(rng.uniform(0.05, 6.0), 6)) for _ in range(60))
    text = (
        f"xs = [{xs}]\n"
        "ys = [exp(z) + log(z) + sin(z) + cos(z) + tan(z) + tanh(z) + sigmoid(z) + sqrt(z)"
        " + z ** 2.5 + z ** 3 + z ** z + abs(z - 1) + relu(z - 2) for z in xs]\n"
        "zs = [sin(z * 1000) * cos(z * 1e6) + tanh(z / 7) for z in ys]\n"
        "p = softmax(zs)\n"
        "-log(p[0]) + mean(zs)\n"
    )
    reply = app.evaluate("t => window.gradstep.call('load', {text: t, layout: false})", text)
    assert reply["ok"], reply
    browser = reply["scene"]["timeline"]
    # (the frames of the timeline the worker made last: the one it just loaded, not the page's)
    frames = app.evaluate("window.gradstep.call('frames', {start: 0, count: 1000000})")
    browser["frames"] = [f["text"] for f in frames["frames"]]
    from gradstep.program.scene import scene

    cpython = scene(Session(text), layout=False)["timeline"]
    assert browser["values"] == cpython["values"]
    assert browser["grads"] == cpython["grads"]
    assert browser["frames"] == [f["text"] for f in cpython["frames"]]
