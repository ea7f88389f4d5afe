"""The notebook widget's JavaScript (web/notebook/widget.js, bundled by gradstep/notebook/widget.py) in
Chromium with a stand-in for the notebook: the model is a small object whose ``send``
calls the real Python side (GraphWidget's message handler, through Playwright's
``expose_function``) and hands its answers to the widget, as anywidget's model does.
So this tests both halves without Jupyter; tests/browser/test_jupyter.py runs the
real thing in JupyterLab."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("anywidget")

from gradstep import Value  # noqa: E402
from gradstep.notebook.widget import GraphWidget  # noqa: E402
from helpers import lecture_graph  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

MOUNT = """async ({esm, css, scene, link}) => {
  const style = document.createElement("style");
  style.textContent = css;
  document.head.append(style);
  const mod = await import(URL.createObjectURL(new Blob([esm], { type: "text/javascript" })));
  const listeners = [];
  const state = { scene, link };
  window.sent = [];
  const model = {
    get: (k) => state[k],
    on: (event, cb) => { if (event === "msg:custom") listeners.push(cb); },
    off: () => {},
    send: async (msg) => {
      window.sent.push(msg);
      const out = JSON.parse(await window.kernel(JSON.stringify(msg)));
      state.link = out.link;
      for (const m of out.messages) for (const cb of listeners) cb(m);
    },
  };
  window.deliver = (m) => { for (const cb of listeners) cb(m); }; // (what the kernel sends by itself)
  mod.default.render({ model, el: document.getElementById("host") });
}"""


def lecture():
    """The lecture's first graph, L = (a*b + c) * f, and its leaves by name."""
    return lecture_graph()


@pytest.fixture
def mounted(page, base_url, page_errors):
    L, leaves = lecture()
    widget = GraphWidget(L)
    outbox = []
    widget.send = lambda content, buffers=None: outbox.append(content)

    def kernel(message):
        outbox.clear()
        widget._on_msg(widget, json.loads(message), None)
        return json.dumps({"messages": outbox, "link": widget.link})

    page.expose_function("kernel", kernel)
    page.goto(base_url + "tests/browser/fixtures/widget-host.html")
    page.evaluate(MOUNT, {"esm": widget._esm, "css": widget._css, "scene": widget.scene, "link": widget.link})
    page.wait_for_selector("[data-testid=gs-widget][data-ready=true] [data-node-id]")
    yield page, widget, L, leaves
    page_errors.assert_none()


def shown(page) -> dict:
    return page.eval_on_selector_all(
        "[data-testid=gs-widget] [data-node-id]",
        "els => Object.fromEntries(els.map(e => [e.dataset.label, [e.dataset.value, e.dataset.grad]]))")


def phase(page) -> str:
    return page.get_attribute("[data-testid=gs-widget] [data-testid=status]", "data-phase")


def click(page, testid):
    before = page.evaluate("window.sent.length")
    page.click(f"[data-testid=gs-widget] [data-testid={testid}]")
    page.wait_for_function(f"window.sent.length > {before} && !document.querySelector('[data-busy]')")


def test_the_widget_steps_and_shows_the_command_lines_gradients(mounted, tmp_path):
    page, widget, L, leaves = mounted
    assert phase(page) == "start"
    assert shown(page)["a"] == ["2.0", ""]
    click(page, "forward-step")
    # Stepped in the view (the page's Stepper); the kernel only hears what is shown.
    assert phase(page) == "forward" and widget.session.state.position == 1
    assert [m["kind"] for m in page.evaluate("window.sent")] == ["view", "state"]
    click(page, "forward-all")
    click(page, "backward-step")
    assert phase(page) == "backward"
    assert shown(page)["L"][1] == "1.0"
    click(page, "backward-all")
    assert phase(page) == "backward-done"
    # The gradients drawn are the command line's for the same graph.
    program = tmp_path / "L.gs"
    program.write_text(widget.session.program_text())
    out = subprocess.run([sys.executable, "-m", "gradstep", "grad", str(program), "--json"], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    grads = json.loads(out.stdout)["grads"]
    got = shown(page)
    for name, g in grads.items():
        assert got[name][1] == repr(g), name
    # ...and micrograd's way: backward() on the notebook's own Values.
    L.backward()
    for name, leaf in leaves.items():
        assert got[name][1] == repr(leaf.grad), name
    # What the kernel says is shown is what the view shows.
    assert widget.gradients == {name: leaf.grad for name, leaf in leaves.items()}


def test_nudge_undo_write_back_and_the_link(mounted):
    page, widget, L, leaves = mounted
    click(page, "backward-all")
    page.fill("[data-testid=gs-widget] [data-testid=nudge-rate]", "0.01")
    sent = page.evaluate("window.sent.length")
    click(page, "nudge")
    # The kernel computes the new values' timeline; the view does the rest.
    assert [m["kind"] for m in page.evaluate("window.sent")[sent:]] == ["timeline", "state"]
    assert phase(page) == "forward-done"
    after = shown(page)
    assert after["a"][0] == repr(2.0 - 0.01 * 6.0)  # a descends along dL/da = 6
    assert float(after["L"][0]) < -8.0  # the output went down, as the gradient said
    # With no page address given, no "Open in gradstep" (it would open the notebook itself)...
    assert not page.is_visible("[data-testid=gs-widget] [data-testid=open-page]")
    assert widget.link.startswith("#program=") and "a%20%3D%201.94" in widget.link
    # The notebook's Values move only when asked.
    assert leaves["a"].data == 2.0
    click(page, "write-back")
    assert leaves["a"].data == 2.0 - 0.01 * 6.0 and leaves["c"].data == 10.0 - 0.01 * -2.0
    assert "Wrote 4 values back" in page.inner_text("[data-testid=gs-widget] [data-testid=note]")
    assert not page.is_visible("[data-testid=gs-widget] [data-testid=error]")  # (a note, not an error)
    click(page, "undo")
    assert shown(page)["a"][0] == "2.0"
    assert widget.session.timeline.start[0] == 2.0 and widget.session.phase == "backward-done"
    assert "a%20%3D%202.0" in widget.link
    # Freezing is the view's too; the kernel's link carries it.
    page.click("[data-testid=gs-widget] [data-node-id=n0]")
    page.wait_for_function("window.sent.at(-1).kind === 'state' && window.sent.at(-1).state.frozen.length === 1")
    assert widget.link.endswith("&frozen=a")
    # w.act from Python: the view follows.
    send, told = widget.send, []
    widget.send = lambda content, buffers=None: told.append(content)
    try:
        widget.act("reset")
    finally:
        widget.send = send
    page.evaluate("ms => ms.forEach(window.deliver)", told)
    page.wait_for_function("document.querySelector('[data-testid=gs-widget] [data-testid=status]')"
                           ".dataset.phase === 'start'")


def test_a_bad_nudge_rate_is_refused_in_the_page_and_a_domain_error_keeps_the_graph(page, base_url, page_errors):
    x = Value(0.5, label="x")
    y = x.log()
    y.label = "y"
    widget = GraphWidget(y)
    outbox = []
    widget.send = lambda content, buffers=None: outbox.append(content)

    def kernel(message):
        outbox.clear()
        try:
            widget._on_msg(widget, json.loads(message), None)
        finally:
            pass
        return json.dumps({"messages": outbox, "link": widget.link})

    page.expose_function("kernel", kernel)
    page.goto(base_url + "tests/browser/fixtures/widget-host.html")
    page.evaluate(MOUNT, {"esm": widget._esm, "css": widget._css, "scene": widget.scene, "link": widget.link})
    page.wait_for_selector("[data-testid=gs-widget][data-ready=true] [data-node-id]")
    click(page, "backward-all")
    # log(x) at 0.5 has gradient 2: an ascending nudge of rate -1 is refused before Python...
    page.fill("[data-testid=gs-widget] [data-testid=nudge-rate]", "-1")
    page.click("[data-testid=gs-widget] [data-testid=nudge]")
    assert "positive number" in page.inner_text("[data-testid=gs-widget] [data-testid=error]")
    # ...and a descending nudge of rate 1 takes x to -1.5, outside log's domain: Python says so.
    page.fill("[data-testid=gs-widget] [data-testid=nudge-rate]", "1")
    click(page, "nudge")
    assert "log" in page.inner_text("[data-testid=gs-widget] [data-testid=error]")
    assert phase(page) == "backward-done"  # nothing lost
    page_errors.assert_none()


def test_the_link_opens_the_page_when_its_address_is_known_and_no_style_leaks(page, base_url, page_errors):
    L, _ = lecture()
    widget = GraphWidget(L, base=base_url + "index.html")
    page.expose_function("kernel", lambda message: json.dumps({"messages": [], "link": widget.link}))
    page.goto(base_url + "tests/browser/fixtures/widget-host.html")
    # Something of the notebook's own with class names the graph also uses.
    page.evaluate("""() => document.body.insertAdjacentHTML('afterbegin',
      '<div class="legend" id="theirs">a notebook legend</div><div class="zoom" id="zoom">z</div>')""")
    before = page.evaluate("""() => [getComputedStyle(document.documentElement).colorScheme,
      getComputedStyle(document.getElementById('theirs')).position,
      getComputedStyle(document.getElementById('theirs')).pointerEvents]""")
    page.evaluate(MOUNT, {"esm": widget._esm, "css": widget._css, "scene": widget.scene, "link": widget.link})
    page.wait_for_selector("[data-testid=gs-widget][data-ready=true] [data-node-id]")
    after = page.evaluate("""() => [getComputedStyle(document.documentElement).colorScheme,
      getComputedStyle(document.getElementById('theirs')).position,
      getComputedStyle(document.getElementById('theirs')).pointerEvents]""")
    assert after == before  # the widget's CSS reaches nothing outside it
    # ...while inside it the graph's rules apply (graph.css's edge colour).
    stroke = page.eval_on_selector("[data-testid=gs-widget] .graph-svg .edge", "e => getComputedStyle(e).stroke")
    assert stroke not in ("", "none")
    link = page.locator("[data-testid=gs-widget] [data-testid=open-page]")
    assert link.is_visible() and link.get_attribute("href") == widget.link
    assert widget.link.startswith(base_url + "index.html#program=")
    page_errors.assert_none()
