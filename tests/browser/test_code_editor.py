"""The code editor (issue #19): CodeMirror in place of the textarea once the first graph is drawn.
Python's colours in both themes, the engine's error underlined where it says (message on hover,
Show me selects it), completion of the language's functions and the program's names, brackets,
its own undo, Ctrl+Enter / Tab / Escape, Wrap, a phone, and the plain editor when the bundle
cannot load. Playwright's fill sets the text (contract section 3)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from pagetools import BOOT_MS, T, open_ready, program_text, settle

ROOT = Path(__file__).resolve().parents[2]
BAD = "a = 2.0\nb = foo(a)\nc = b * a\n"


def cli_error(program: str) -> str:
    out = subprocess.run([sys.executable, "-m", "gradstep", "scene", "-"], input=program, cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 2
    return out.stderr.strip()


def rgb(page, css_colour: str) -> str:
    """A CSS colour as the browser computes it (rgb(...)), to compare with a computed style."""
    return page.evaluate("""c => { const e = document.createElement("span"); e.style.color = c;
        document.body.append(e); const v = getComputedStyle(e).color; e.remove(); return v; }""", css_colour)


def colour_of(page, text: str) -> str:
    js = """(t) => { for (const s of document.querySelectorAll(".cm-line span"))
        if (s.textContent === t) return getComputedStyle(s).color; return null; }"""
    return page.evaluate(js, text)


def var(page, name: str) -> str:
    return page.evaluate(f"getComputedStyle(document.documentElement).getPropertyValue('{name}').trim()")


def end_of_text(page):
    page.click(T("program"))
    page.keyboard.press("Control+End")


def test_the_code_editor_takes_the_textareas_place_after_the_first_graph(fresh):
    page, _ = fresh
    # when the first value node and the code editor appear, in the page's own clock
    page.add_init_script("""new MutationObserver(() => {
        if (!window.__graphAt && document.querySelector("[data-node-id]")) window.__graphAt = performance.now();
        if (!window.__editorAt && document.querySelector(".cm-editor")) window.__editorAt = performance.now();
    }).observe(document, { childList: true, subtree: true });""")
    open_ready(page, "index.html")
    assert page.get_attribute("body", "data-editor") == "code"
    assert page.evaluate("window.__graphAt < window.__editorAt")
    assert page.locator("textarea#program").count() == 0 and page.locator(T("program")).count() == 1
    assert page.get_attribute(T("program"), "contenteditable") == "true"
    assert page.get_attribute(T("program"), "aria-labelledby") == "editor-title"
    assert program_text(page) == page.evaluate("window.gradstep.snapshot().program")


def test_fill_sets_the_text_and_a_long_program_runs(fresh):
    page, _ = fresh
    open_ready(page, "index.html")
    for text in ("", "a = 1.0", "def f(x):\n    return x\n\tb = 2\n"):  # empty, one line, indented lines
        page.fill(T("program"), text)
        assert program_text(page) == text
    program = "x = 0.5\n" + "x = x * 0.999 + 0.001\n" * 1999
    page.fill(T("program"), program)
    assert program_text(page) == program
    # only the lines in view are drawn, numbers included
    assert page.locator(".cm-lineNumbers .cm-gutterElement").count() < 200
    page.click(T("run"))
    settle(page)
    assert page.is_hidden(T("error"))
    assert page.evaluate("window.gradstep.snapshot().program") == program
    assert "program=" in page.evaluate("location.hash")


def test_python_is_coloured_in_the_pages_light_and_dark_themes(fresh):
    page, _ = fresh
    open_ready(page, "index.html")
    page.fill(T("program"), "a = 2.0  # a leaf\nb = tanh(a)\n")
    ink = rgb(page, "var(--ink)")
    light = {t: colour_of(page, t) for t in ("2.0", "# a leaf", "tanh")}
    assert light["2.0"] == rgb(page, var(page, "--syn-number")) != ink
    assert light["# a leaf"] == rgb(page, var(page, "--syn-comment")) != ink
    assert light["tanh"] == rgb(page, var(page, "--syn-function")) != ink
    page.emulate_media(color_scheme="dark")
    dark = {t: colour_of(page, t) for t in light}
    assert dark["2.0"] == rgb(page, var(page, "--syn-number"))
    assert all(dark[t] != light[t] for t in light), (light, dark)


def test_an_error_is_underlined_where_the_engine_says_and_show_me_selects_it(fresh):
    page, _ = fresh
    open_ready(page, "index.html")
    page.fill(T("program"), BAD)
    page.click(T("run"))
    settle(page)
    want = cli_error(BAD)  # "error: line 2, col 5: foo() is not a function ..."
    line, col = (int(n) for n in want.split(":")[1].replace("line", "").replace("col", "").split(","))
    assert page.get_attribute(T("error"), "data-line") == str(line)
    assert page.get_attribute(T("error"), "data-col") == str(col)
    underlined = page.locator(".cm-lintRange-error")
    assert underlined.inner_text() == "foo"  # the word at line 2, col 5
    assert page.is_visible(".cm-lint-marker-error")
    underlined.hover()
    tip = page.locator(".cm-tooltip-lint")
    tip.wait_for()
    assert "foo() is not a function" in tip.inner_text()
    # Show me puts the cursor on it: typing replaces the word
    page.get_by_role("button", name="Show me").click()
    page.keyboard.type("exp")
    assert program_text(page) == BAD.replace("foo", "exp")
    page.click(T("run"))
    settle(page)
    assert page.is_hidden(T("error")) and page.locator(".cm-lintRange-error").count() == 0


def test_the_underline_counts_characters_as_the_engine_does(fresh):
    page, _ = fresh
    open_ready(page, "index.html")
    cases = [("x = 2.0\nérr = x + ñame\n", "ñame"),  # a name of letters beyond ASCII
             ("a = 1.0\nb = a +\n", "+"),  # the column past the line's end: its last character
             ("a = 1.0\n😀 = 3\n", "😀"),  # one character, two UTF-16 units
             ("名 = 1.0\nb = 名 * zz\n", "zz")]  # after a name beyond ASCII
    for program, word in cases:
        page.fill(T("program"), program)
        page.click(T("run"))
        settle(page)
        line, col = (int(n) for n in cli_error(program).split(":")[1].replace("line", "").replace("col", "").split(","))
        assert page.get_attribute(T("error"), "data-col") == str(col)
        assert page.inner_text(".cm-lintRange-error") == word, program


def test_completion_offers_the_languages_functions_and_the_programs_names(fresh):
    page, _ = fresh
    open_ready(page, "index.html")
    page.fill(T("program"), "alpha = 2.0\nbeta = alpha * 3.0\n")
    end_of_text(page)
    page.keyboard.type("gamma = tan")
    options = page.locator(".cm-tooltip-autocomplete li")
    options.first.wait_for()
    labels = [o.get_attribute("aria-label") or o.inner_text() for o in options.all()]
    assert any(label.startswith("tanh") for label in labels), labels
    assert "1 - tanh(x)**2" in page.inner_text(".cm-tooltip-autocomplete")  # its local derivative
    page.keyboard.press("Escape")  # closes the list, stays in the editor
    assert page.locator(".cm-tooltip-autocomplete").count() == 0
    assert page.evaluate("document.activeElement.dataset.testid") == "program"
    page.keyboard.type("h(al")
    page.locator(".cm-tooltip-autocomplete li").first.wait_for()
    assert "alpha" in page.inner_text(".cm-tooltip-autocomplete")
    page.wait_for_timeout(150)  # (the list takes Enter only after its interaction delay, 75 ms)
    page.keyboard.press("Enter")
    assert program_text(page).endswith("gamma = tanh(alpha)")
    # Tab takes one too (and indents when none is offered)
    page.keyboard.press("End")
    page.keyboard.type("\neps = gam")
    page.locator(".cm-tooltip-autocomplete li").first.wait_for()
    page.wait_for_timeout(150)
    page.keyboard.press("Tab")
    assert program_text(page).endswith("\neps = gamma")
    # after a ".", a value's methods
    page.keyboard.press("End")
    page.keyboard.type("\ndelta = beta.re")
    page.locator(".cm-tooltip-autocomplete li").first.wait_for()
    assert "relu" in page.inner_text(".cm-tooltip-autocomplete")
    # Python mode offers Python's own words
    page.keyboard.press("Escape")
    page.select_option(T("mode"), "python")
    page.fill(T("program"), "")
    page.click(T("program"))
    page.keyboard.type("impo")
    page.locator(".cm-tooltip-autocomplete li").first.wait_for()
    assert "import" in page.inner_text(".cm-tooltip-autocomplete")


def test_keys_ctrl_enter_runs_tab_indents_escape_leaves_and_undo_is_the_editors(fresh):
    page, _ = fresh
    open_ready(page, "index.html")
    page.fill(T("program"), "a = 2.0\nb = a * a\n")
    end_of_text(page)
    page.keyboard.type("c = b + a")
    page.keyboard.press("Control+Enter")
    settle(page)
    assert "c" in page.eval_on_selector_all("[data-node-id]", "es => es.map((e) => e.dataset.label)")
    # Tab indents (four spaces), Shift+Tab takes it back
    page.keyboard.press("Home")
    page.keyboard.press("Tab")
    assert program_text(page).endswith("\n    c = b + a")
    page.keyboard.press("Shift+Tab")
    assert program_text(page).endswith("\nc = b + a")
    # the editor's own undo: the typing goes, the page's undo (the graph's) is untouched
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+z")
    assert "c = b + a" not in program_text(page)
    page.keyboard.press("Control+Shift+z")
    # brackets: typed in pairs, and the pair is marked
    page.keyboard.press("Control+End")
    page.keyboard.type("\nd = tanh(")
    assert program_text(page).endswith("d = tanh()")
    assert page.locator(".cm-matchingBracket").count() == 2
    # Escape closes a completion list if one is open, then leaves the editor; Tab goes on to the next control
    if page.locator(".cm-tooltip-autocomplete").count():
        page.keyboard.press("Escape")
        assert page.locator(".cm-tooltip-autocomplete").count() == 0
        assert page.evaluate("document.activeElement.closest('.cm-editor')") is not None
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.closest('.cm-editor')") is None
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.cm-editor')") is None


def test_wrap_and_wide_still_work(fresh):
    page, _ = fresh
    open_ready(page, "index.html")
    page.fill(T("program"), "a = 2.0\nb = " + " + ".join(["a"] * 120) + "\n")
    scroller = page.locator(".cm-scroller")
    assert scroller.evaluate("e => e.scrollWidth > e.clientWidth")
    page.click(T("wrap-lines"))
    assert "cm-lineWrapping" in page.get_attribute(T("program"), "class")
    assert scroller.evaluate("e => e.scrollWidth <= e.clientWidth")
    width = page.locator(".cm-editor").bounding_box()["width"]
    page.click(T("wide-editor"))
    assert page.locator(".cm-editor").bounding_box()["width"] > width * 1.5


def test_on_a_phone_the_editor_fits_and_takes_text(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, service_workers="block")
    page = context.new_page()
    open_ready(page, "index.html")
    box = page.locator(".cm-editor").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 120
    assert page.locator(T("program")).evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 16
    page.locator(T("program")).tap()
    page.fill(T("program"), "p = 3.0\nq = p * p\n")
    page.click(T("run"))
    settle(page)
    assert "q" in page.eval_on_selector_all("[data-node-id]", "es => es.map((e) => e.dataset.label)")
    context.close()


def test_without_the_bundle_the_plain_editor_stays_and_works(fresh):
    page, w = fresh
    page.route("**/web/build/codemirror.js", lambda route: route.fulfill(status=404, body="gone"))
    page.goto("index.html")
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    page.wait_for_selector("body[data-editor=plain]", state="attached", timeout=BOOT_MS)
    assert page.locator("textarea[data-testid=program]").count() == 1
    page.fill(T("program"), BAD)
    page.click(T("run"))
    settle(page)
    assert page.get_attribute(T("error"), "data-line") == "2"
    assert page.input_value(T("program")) == BAD
    w.errors[:] = [e for e in w.errors if "404" not in e]  # (the bundle refused above)



def test_ready_waits_for_the_code_editor_so_a_fill_at_ready_is_kept(fresh):
    """Python up before the code editor's bundle came (a slow disk, a busy machine): ready waits
    for the editor, so a fill at ready goes into the editor that stays, and a reload keeps it.
    (CI once lost such a fill: the textarea was swapped for the code editor mid-fill.)"""
    page, _ = fresh
    held = []
    page.route("**/web/build/codemirror.js", lambda route: held.append(route))
    page.goto("index.html")
    # Python is up, with the graph on screen handed over to it, and the bundle held back
    page.wait_for_function("() => window.gradstep.snapshot().mode === 'engine'", timeout=BOOT_MS)
    page.wait_for_timeout(300)
    assert page.get_attribute("body", "data-ready") != "true"
    assert len(held) == 1
    held[0].continue_()
    page.unroute("**/web/build/codemirror.js")
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    assert page.get_attribute("body", "data-editor") == "code"
    text = "alpha = 0.25\nbeta = alpha * 8\n"
    page.fill(T("program"), text)
    page.reload()
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    assert program_text(page) == text


def test_a_long_link_waits_for_the_code_editor_and_without_it_goes_into_the_textarea(fresh):
    page, w = fresh
    program = "x = 0.5\n" + "x = x * 0.999 + 0.001\n" * 2999  # 66,000 characters
    url = "index.html#program=" + quote(program, safe="")
    open_ready(page, url)
    assert page.get_attribute("body", "data-editor") == "code"
    assert program_text(page) == program
    assert page.evaluate("window.gradstep.snapshot().program") == program
    # the plain editor: the text goes into it when the code editor cannot load
    page.route("**/web/build/codemirror.js", lambda route: route.fulfill(status=404, body="gone"))
    page.goto("about:blank")
    open_ready(page, url)
    assert page.get_attribute("body", "data-editor") == "plain"
    assert page.input_value("textarea" + T("program")) == program
    assert page.get_attribute("textarea" + T("program"), "readonly") is None
    w.errors[:] = [e for e in w.errors if "404" not in e]  # (the bundle refused above)
