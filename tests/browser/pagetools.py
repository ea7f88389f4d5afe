"""What the browser tests share: selectors, the default program, and the helpers that
drive the page and wait for the engine (conftest.py has the fixtures)."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlsplit

BOOT_MS = 120_000  # two slow cores compile a 9 MB wasm module, then start the engine
T = "[data-testid={}]".format

MICROGRAD = """\
a = 2.0
b = -3.0
c = 10.0
e = a * b
d = e + c
f = -2.0
L = d * f
"""


def program_text(page) -> str:
    """The editor's text, whichever editor the page has at the moment: the textarea, or the code
    editor's content element, which keeps a textarea's `value` (web/page/code-editor.js).
    (Playwright's input_value reads only inputs, and the code editor draws only the lines in view.)"""
    return page.locator(T("program")).evaluate("e => e.value")


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"data", "blob", "about"} or parts.hostname == "127.0.0.1"


def watch(context, page):
    """Record requests and page errors; return an object whose check() asserts both."""
    w = SimpleNamespace(requests=[], errors=[])
    context.on("request", lambda r: w.requests.append(r.url))
    page.on("pageerror", lambda e: w.errors.append(f"pageerror: {e}"))
    page.on("console", lambda m: m.type == "error" and w.errors.append(f"console.error: {m.text}"))

    def check():
        foreign = [u for u in w.requests if not is_local(u)]
        assert not foreign, f"requests left 127.0.0.1: {foreign}"
        assert not w.errors, "page reported errors:\n" + "\n".join(w.errors)

    w.check = check
    return w


def snap(page) -> dict:
    """The page's documented snapshot (docs/page.md)."""
    return page.evaluate("window.gradstep.snapshot()")


def settle(page):
    """Wait until the worker has answered every call (body[data-busy] goes)."""
    page.wait_for_selector("body:not([data-busy])", state="attached", timeout=120_000)


def wait_ready(page):
    """Wait until Python is up (body[data-ready]) and the worker has answered every call."""
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    # (and the code editor in place of the textarea, or known not to load: one editor from here on)
    page.wait_for_selector("body[data-editor]", state="attached", timeout=BOOT_MS)
    settle(page)


def open_ready(page, url):
    """Open `url` and wait until it is ready (wait_ready)."""
    page.goto(url)
    wait_ready(page)


def train_status(page) -> dict:
    """The training status's data: {step, loss, accuracy}, as the page writes them."""
    return page.eval_on_selector(T("train-status"), "e => ({...e.dataset})")


def load(page, text):
    page.fill(T("program"), text)
    page.click(T("run"))
    settle(page)
    assert page.is_hidden(T("error")), page.inner_text(T("error"))


def click(page, testid):
    page.click(T(testid))
    settle(page)


def phase(page) -> str:
    return page.get_attribute(T("status"), "data-phase")


def nodes(page) -> dict:
    """data-node-id -> (label, value, grad, current) of every drawn value node."""
    rows = page.eval_on_selector_all(
        "[data-node-id]",
        "els => els.map(e => [e.getAttribute('data-node-id'), e.getAttribute('data-label'),"
        " e.getAttribute('data-value'), e.getAttribute('data-grad'),"
        " e.getAttribute('data-current')])",
    )
    return {r[0]: tuple(r[1:]) for r in rows}


def values_grads(page) -> dict:
    return {k: (v[1], v[2]) for k, v in nodes(page).items()}


def timeline(page) -> dict:
    return page.evaluate("window.gradstep.snapshot().timeline")


def frame_texts(page) -> list[str]:
    """Every frame's text of the timeline on screen, from the worker (the page fetches
    frames on demand): its version, and its leaf values should the worker not hold it."""
    reply = page.evaluate("""() => { const tl = window.gradstep.snapshot().timeline;
      return window.gradstep.call('frames', {start: 0, count: 1000000, version: tl.version,
        leaves: tl.leaves.map(i => tl.values[i])}); }""")
    assert reply["ok"], reply
    return [f["text"] for f in reply["frames"]]


def step_until(page, testid, target_phase, limit=500):
    for _ in range(limit):
        if phase(page) == target_phase:
            return
        click(page, testid)
    raise AssertionError(f"{testid} never reached {target_phase}")




def calls(page) -> dict:
    """How many calls the page posted to the worker, by method (window.gradstep.calls())."""
    return page.evaluate("window.gradstep.calls()")


def calls_since(page, before: dict) -> dict:
    """The calls posted since ``before`` (calls(page) then), by method, the ones made."""
    now = calls(page)
    return {m: n - before.get(m, 0) for m, n in now.items() if n != before.get(m, 0)}
