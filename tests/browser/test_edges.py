"""The page's edges (issue #15, the graph view and the page around it): a reload loses
nothing, a broken link leaves no trap, big links do not freeze the page, Help opens at
its top, and a crash of Python restarts it. Each test failed on the page before its fix.
(The lab's are in test_lab_edges.py, the training view's in test_train_edges.py.)
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from pagetools import MICROGRAD, T, click, load, settle, snap, wait_ready

# ------------------------------------------------------------------- nothing lost on reload


def test_position_and_nudge_history_survive_a_reload(fresh):
    page, _ = fresh
    page.goto("index.html#program=" + quote(MICROGRAD, safe=""))
    wait_ready(page)
    click(page, "forward-all")
    click(page, "backward-all")
    page.fill(T("nudge-rate"), "0.01")
    click(page, "nudge")
    settle(page)
    click(page, "backward-all")
    click(page, "nudge")
    settle(page)
    click(page, "forward-step")  # somewhere in the middle of the next forward pass
    click(page, "forward-step")
    before = snap(page)
    assert len(before["state"]["nudges"]) == 2
    summary = page.inner_text("#nudge-summary")
    assert summary.startswith("Nudge 2 ")
    page.wait_for_timeout(400)  # (kept a moment after the last change)

    page.reload()
    wait_ready(page)
    after = snap(page)
    assert after["program"] == before["program"]  # (the nudged values: in the address)
    assert before["state"]["position"] > 0
    assert after["state"]["position"] == before["state"]["position"]
    assert after["state"]["nudges"] == before["state"]["nudges"]
    assert page.inner_text("#nudge-summary") == summary
    # The nudge plot draws both nudges again (a dot before and after each).
    assert page.locator("#nudge-plot circle.actual-dot").count() == 4
    # Where the learner was is the state to start from: no Undo back to the start.
    assert after["state"]["can_undo"] is False


def inject(page, entry):
    """Put `entry` in the tab's saved session as the next load starts (once)."""
    import json

    page.add_init_script(f"""(() => {{
      if (sessionStorage.getItem('test:injected') === {json.dumps(json.dumps(entry))}) return;
      sessionStorage.setItem('test:injected', {json.dumps(json.dumps(entry))});
      sessionStorage.setItem('gradstep:session', {json.dumps(json.dumps(entry))});
    }})()""")


def test_a_saved_session_is_not_applied_to_another_program(fresh):
    page, _ = fresh
    page.goto("index.html#program=" + quote(MICROGRAD, safe=""))
    wait_ready(page)
    click(page, "forward-all")
    page.wait_for_timeout(400)  # (saved for MICROGRAD)
    other = "x = 3.0\ny = x * x\n"
    page.goto("index.html#program=" + quote(other, safe=""))
    page.reload()  # (a load of the page, not only a new hash)
    wait_ready(page)
    assert snap(page)["state"]["position"] == 0
    # Damaged storage is ignored, not trusted. (Written as the next load starts, after the
    # page kept its own on leaving.)
    inject(page, {"program": other, "position": 9999, "nudges": [{"before": "evil"}, 5, None]})
    page.reload()
    wait_ready(page)
    s = snap(page)
    assert s["state"]["position"] == 0 and s["state"]["nudges"] == []
    # (and a sound entry for this program is used: the check above is the program's, not the page's)
    inject(page, {"program": other, "position": 2, "nudges": []})
    page.reload()
    wait_ready(page)
    assert snap(page)["state"]["position"] == 2


# ------------------------------------------------------------------- dead ends


def test_a_broken_link_keeps_its_note_and_the_address_holds_what_is_on_screen(fresh):
    page, _ = fresh
    page.goto("index.html#program=a%20%3D%20%E2%82")  # a cut-off UTF-8 sequence
    wait_ready(page)
    # The note is still shown once Python is up (it used to vanish, the broken link staying).
    assert page.is_visible(T("link-note"))
    assert "could not be read" in page.inner_text(T("link-note"))
    url = page.evaluate("location.hash")
    assert "%E2%82" not in url and url.startswith("#program=")
    assert snap(page)["program"] in page.evaluate("decodeURIComponent(location.hash.slice(9))")
    page.reload()
    wait_ready(page)
    assert page.is_hidden(T("link-note"))  # a reload does not repeat the broken link
    # Running a program of one's own puts the note away.
    page.goto("index.html#program=a%20%3D%20%E2%82")
    wait_ready(page)
    assert page.is_visible(T("link-note"))
    load(page, "x = 2.0\ny = x * 3.0\n")
    assert page.is_hidden(T("link-note"))


def test_help_opens_at_its_top_with_its_title_read_first(app):
    page = app
    page.set_viewport_size({"width": 390, "height": 600})
    try:
        click(page, "help-open")
        dialog = page.locator(T("help"))
        assert dialog.is_visible()
        assert dialog.evaluate("d => d.scrollTop") == 0
        assert page.evaluate("document.activeElement.id") == "help-title"
        box = page.locator("#help-title").bounding_box()
        assert box is not None and 0 <= box["y"] < 600
        page.keyboard.press("Escape")
        assert not dialog.is_visible()
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})


def test_no_keyboard_hint_on_a_phone(fresh):
    page, _ = fresh
    page.goto("index.html")
    page.wait_for_selector("[data-node-id]")
    hint = page.get_by_text("Ctrl+Enter runs", exact=True)
    assert hint.is_visible()  # (on a desktop it is shown)
    page.set_viewport_size({"width": 390, "height": 844})
    assert not hint.is_visible()


# ------------------------------------------------------------------- big links


def test_the_plain_editors_line_numbers_are_drawn_for_the_lines_in_view_only(fresh):
    page, w = fresh
    program = "x = 0.5\n" + "x = x * 0.999 + 0.001\n" * 2999
    page.route("**/web/build/codemirror.js", lambda route: route.abort())  # the textarea stays
    page.goto("index.html")
    wait_ready(page)
    assert page.get_attribute("body", "data-editor") == "plain"
    page.locator(T("program")).evaluate("(e, t) => { e.value = t; e.dispatchEvent(new Event('input')); }", program)
    numbers = page.inner_text("#gutter").split()
    assert numbers[0] == "1" and len(numbers) < 60  # not 3,000 of them
    page.locator(T("program")).evaluate("e => { e.scrollTop = e.scrollHeight; e.dispatchEvent(new Event('scroll')); }")
    page.wait_for_timeout(50)
    numbers = page.inner_text("#gutter").split()
    assert "3000" in numbers and "1" not in numbers
    # The number drawn level with the textarea's first visible line is that line's.
    top = page.locator(T("program")).evaluate(
        "e => Math.floor(e.scrollTop / parseFloat(getComputedStyle(e).lineHeight)) + 1")
    assert str(top) in numbers[:2]
    w.errors[:] = [e for e in w.errors if "net::ERR_FAILED" not in e]  # (the editor's bundle, refused above)


def test_a_big_reply_comes_in_parts_and_builds_the_same_graph(fresh):
    page, _ = fresh
    names = [f"a{k}" for k in range(3000)]
    program = "".join(f"{n} = 0.5\n" for n in names) + "y = " + " + ".join(names) + "\n"
    warnings = []
    page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    page.goto("index.html")
    wait_ready(page)
    page.locator(T("program")).evaluate("(e, t) => { e.value = t; e.dispatchEvent(new Event('input')); }", program)
    page.click(T("run"))
    settle(page)
    s = snap(page)
    assert len(s["timeline"]["leaves"]) == 3000
    assert float(s["timeline"]["values"][s["timeline"]["output"]]) == 1500.0
    assert page.evaluate("window.gradstep.lastReply('load').parts") > 1
    click(page, "backward-all")
    grads = snap(page)["timeline"]["grads"]
    assert all(float(grads[i]) == 1.0 for i in s["timeline"]["leaves"])
    # (the map's colours are parsed on a canvas of their own: the map's is never read back,
    # which Chromium warns of; read before this test reads canvases itself)
    assert not [m for m in warnings if "getImageData" in m], warnings
    # the overview map of its 6,000 nodes (painted pixel by pixel above 3,000): a column of
    # leaves and a chain of sums, in the value and op colours on the background
    colours = page.locator(T("minimap")).evaluate("""c => {
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data, n = {};
        for (let i = 0; i < d.length; i += 4) {
          const k = d[i] + "," + d[i + 1] + "," + d[i + 2]; n[k] = (n[k] || 0) + 1; }
        return n; }""")
    theme = page.evaluate("""() => { const c = document.createElement("canvas").getContext("2d"), out = {};
        const css = getComputedStyle(document.documentElement);
        for (const v of ["--graph-bg", "--muted", "--edge"]) { c.fillStyle = css.getPropertyValue(v).trim();
          c.fillRect(0, 0, 1, 1); out[v] = Array.from(c.getImageData(0, 0, 1, 1).data.slice(0, 3)).join(","); }
        return out; }""")
    total = sum(colours.values())
    nodes = colours.get(theme["--muted"], 0) + colours.get(theme["--edge"], 0)  # (ops are painted over values)
    assert nodes > 0.02 * total, (theme, sorted(colours.items(), key=lambda kv: -kv[1])[:5])
    assert colours.get(theme["--graph-bg"], 0) > 0.2 * total


# ------------------------------------------------------------------- a crash of Python

# worker.py with one more way in: a program containing CRASH_PYODIDE overflows the
# stack under Python (the way a 200-deep link once did), a fatal error of Pyodide that
# no Python code can catch. (The served worker.py differs from the snapshot's, so the
# worker starts normally, as it does whenever the engine's files changed.)
CRASHING_GLUE = '''

_handle = handle


def handle(method, args_json="{}"):
    if "CRASH_PYODIDE" in str(args_json):
        import sys
        sys.setrecursionlimit(10**8)

        def deeper(n):
            return deeper(n + 1) + 1

        deeper(0)
    return _handle(method, args_json)
'''


def test_a_crash_of_python_restarts_it_and_keeps_the_graph(fresh):
    page, watch = fresh
    import json

    def crashing(route):  # (the worker's glue comes in the engine's bundle: a crashing method added to it)
        bundle = json.loads(route.fetch().text())
        bundle["glue"] += CRASHING_GLUE
        route.fulfill(body=json.dumps(bundle), content_type="application/json")

    page.route("**/web/build/engine-bundle.json", crashing)
    page.goto("index.html#program=" + quote(MICROGRAD, safe=""))
    wait_ready(page)
    click(page, "forward-all")
    before = snap(page)
    page.fill(T("program"), "x = 1.0  # CRASH_PYODIDE\ny = x * 2.0\n")
    errors_before = len(watch.errors)
    page.click(T("run"))
    # The page says what happened and starts Python again by itself (no Stop needed).
    page.wait_for_function("document.getElementById('engine-status').textContent.includes('crashed')",
                           timeout=60_000)
    wait_ready(page)
    # (Pyodide's own report of its fatal error reaches the console: expected here, and only here.)
    assert any("fatal" in e for e in watch.errors[errors_before:])
    del watch.errors[errors_before:]
    s = snap(page)
    assert s["program"] == before["program"] and s["state"]["position"] == before["state"]["position"]
    status = page.inner_text("#engine-status")
    assert "crashed" in status and "not run again" in status and "stopped working" in status
    # The fresh Python works: the graph on screen steps and nudges, and a new program runs.
    click(page, "backward-all")
    click(page, "nudge")
    settle(page)
    assert len(snap(page)["state"]["nudges"]) == 1
    load(page, "x = 3.0\ny = x * x\n")
    assert float(snap(page)["timeline"]["values"][-1]) == 9.0


def test_the_default_graphs_file_is_asked_for_once_and_only_when_it_is_drawn(fresh):
    """A link with a program of its own preloaded the default graph's file for nothing (and
    Chromium warned that it was not used); the default page asks for it once, early."""
    page, _ = fresh
    asked = []
    page.on("request", lambda r: r.url.endswith("/default-scene.json") and asked.append(r.url))
    warnings = []
    page.on("console", lambda m: m.type == "warning" and "preload" in m.text and warnings.append(m.text))
    # (and a bare "#program", which the page reads as an empty program: found in review)
    for link in ("#program=" + quote("a = 1.0\nb = a * 2.0\n", safe=""), "#program&lab"):
        page.goto("about:blank")
        page.goto("index.html" + link)
        wait_ready(page)
        page.wait_for_timeout(3500)  # (Chromium warns of an unused preload after 3 s)
        assert asked == [] and warnings == [], link
    page.goto("about:blank")
    page.goto("index.html")
    wait_ready(page)
    assert len(asked) == 1
    assert snap(page)["program"].startswith("# micrograd's first graph")


DAMAGED = ["{}", '{"program": "a = 1.0\\n", "state": {"phase": "start"}, "timeline": {}, "layout": 5}', "[1, 2"]


@pytest.mark.parametrize("body", DAMAGED)
def test_a_damaged_prebuilt_graph_is_built_by_python_instead(fresh, body):
    """(Found in review: a default graph's file the page could not draw, as a half-done deploy or
    an older version's cache could serve, threw in the page's start: no graph, never ready, and
    no code editor.)"""
    page, _ = fresh
    page.route("**/web/build/default-scene.json",
               lambda route: route.fulfill(status=200, body=body, content_type="application/json"))
    page.goto("index.html")
    wait_ready(page)
    assert page.get_attribute("body", "data-editor") == "code"
    assert snap(page)["program"].startswith("# micrograd's first graph")
    assert {"a", "b", "L"} <= {n["label"] for n in snap(page)["layout"]["nodes"]}
    click(page, "forward-all")
    assert snap(page)["state"]["phase"] == "forward-done"


def test_a_bare_program_link_says_the_program_is_empty(fresh):
    """(A hostile test: `#program` with no `=` said "the program has an error" with no error shown.)"""
    page, _ = fresh
    page.goto("index.html#program")
    wait_ready(page)
    assert page.inner_text("#controls-reason") == ("No graph yet: the program is empty. Type one and press Run, "
                                                   "or open the default example.")


# ------------------------------------------------------------------- the address: links followed


def test_the_skip_link_moves_to_the_graph_and_leaves_the_address_and_practice_alone(fresh):
    # Followed as an anchor, "Skip to the graph" replaced the program's link with "#graph-host"
    # (a reload then lost the program) and the page read that as a link without practice:
    # practice went off.
    page, _ = fresh
    page.goto("index.html#program=" + quote(MICROGRAD, safe="") + "&practice=forward")
    wait_ready(page)
    before = page.evaluate("location.hash")
    page.keyboard.press("Tab")  # (the skip link is the page's first stop)
    assert page.evaluate("document.activeElement.textContent") == "Skip to the graph"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "graph-host"
    assert page.evaluate("location.hash") == before
    assert page.input_value(T("practice")) == "forward"
    page.reload()
    wait_ready(page)
    assert snap(page)["program"] == MICROGRAD


def test_a_followed_link_closes_the_views_it_does_not_name(fresh):
    page, _ = fresh
    page.goto("index.html#program=" + quote(MICROGRAD, safe="") + "&lab&train&dataset=moons&layers=4&seed=0")
    wait_ready(page)
    page.wait_for_selector(T("train") + ":visible")
    page.wait_for_selector(T("lab") + ":visible")
    other = "a = 3.0\nb = a * a\n"
    # (a link that names the lab but not the training: the lab stays, the training closes)
    page.evaluate("(h) => { location.hash = h; }", "#program=" + quote(other, safe="") + "&lab")
    page.wait_for_selector(T("train"), state="hidden")
    assert page.locator(T("lab")).is_visible()
    page.wait_for_function("(p) => window.gradstep.snapshot().program === p", arg=other)
    assert "&train" not in page.evaluate("location.hash")
    # (and one that names neither: the lab closes too)
    page.evaluate("(h) => { location.hash = h; }", "#program=" + quote(MICROGRAD, safe=""))
    page.wait_for_selector(T("lab"), state="hidden")
    # Back: the link before, with its lab, comes back
    page.go_back()
    page.wait_for_selector(T("lab") + ":visible")


def test_a_link_that_cannot_be_read_or_names_only_views_leaves_practice_and_the_challenge(fresh):
    page, _ = fresh
    page.goto("index.html#program=" + quote(MICROGRAD, safe="") + "&practice=forward&challenge=a")
    wait_ready(page)
    page.wait_for_selector(T("lab") + ":visible")
    for typed in ["#program=%E0%A4%A", "#lab", "#", "#graph-host"]:
        page.evaluate("(h) => { location.hash = h; }", typed)
        page.wait_for_timeout(200)
        assert page.input_value(T("practice")) == "forward", typed
        assert "&challenge=a" in page.evaluate("location.hash"), typed
        assert "&practice=forward" in page.evaluate("location.hash"), typed
        assert snap(page)["program"] == MICROGRAD, typed


def test_a_followed_link_to_another_program_starts_the_practice_it_names(fresh):
    page, _ = fresh
    page.goto("index.html#program=" + quote("x = 1.0\ny = x + 4\n", safe=""))
    wait_ready(page)
    page.evaluate("(h) => { location.hash = h; }", "#program=" + quote(MICROGRAD, safe="") + "&practice=forward")
    page.wait_for_function("(p) => window.gradstep.snapshot().program === p", arg=MICROGRAD)
    page.wait_for_function("() => document.querySelector('[data-testid=practice]').value === 'forward'")
    settle(page)
    assert page.input_value(T("practice")) == "forward"
    assert "&practice=forward" in page.evaluate("location.hash")
