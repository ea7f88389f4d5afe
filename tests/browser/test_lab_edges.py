"""The lab and practice at their edges (issue #15): what survives a reload, the slope
view's point on the keyboard, axe and contrast, plots that read like plots at phone
width, practice's feedback and score, the lab's words and its refusals.

The numbers after a reload are checked against the command line's (`check --json`), not
against what the page showed before.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from pagetools import BOOT_MS, MICROGRAD, T, click, load, open_ready, phase, settle, watch
from test_lab import SEED_003, as_cli, asked, cli, rows, score, wait_rows

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "web" / "vendor" / "axe" / "axe.min.js"
QUAD = "x = 3.0\ny = 3*x**2 - 4*x + 5\n"


def link(text: str, extra: str = "") -> str:
    return "index.html#program=" + quote(text, safe="") + extra


@pytest.fixture
def context_for(browser, base_url):
    """A new page with its own context: context_for(width, height, scheme) -> (page, watch)."""
    made = []

    def make(width=1280, height=800, scheme="light"):
        ctx = browser.new_context(base_url=base_url, viewport={"width": width, "height": height}, color_scheme=scheme)
        page = ctx.new_page()
        w = watch(ctx, page)
        made.append((ctx, w))
        return page, w

    yield make
    for ctx, w in made:
        w.check()
        ctx.close()


def wait_lab(page, h: str):
    """Wait until the lab shows the table, the slope view and the paths at h."""
    page.wait_for_function(
        "h => document.querySelector('#slope-note').textContent.includes(`at h = ${h}:`)", arg=h, timeout=120_000)
    page.wait_for_selector(f"{T('paths')} li", timeout=120_000)
    settle(page)


# ------------------------------------------------------------------ item 5: a reload


def test_lab_h_and_leaf_survive_a_reload_with_the_same_numbers(context_for):
    page, _ = context_for()
    open_ready(page, link(SEED_003, "&lab"))
    page.fill(T("fd-h"), "0.01")
    page.press(T("fd-h"), "Enter")
    page.select_option(T("closed-form-leaf"), label="b")
    wait_lab(page, "0.01")
    page.reload()
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    wait_lab(page, "0.01")
    assert page.input_value(T("fd-h")) == "0.01"
    assert page.input_value(T("closed-form-leaf")) == "b"
    assert page.input_value(T("fd-h-range")) == "2"
    wait_rows(page, 3)
    want = cli(["check", "--json", "--h", "0.01"], SEED_003)
    assert as_cli(rows(page)) == [{k: leaf[k] for k in ("label", "ok", "backprop", "forward", "backward", "central")}
                                  for leaf in want["leaves"]]
    # The slope view is b's: its x axis names the leaf.
    assert page.locator(f"{T('slope-view')} .axis-label.x").text_content().startswith("b")


def test_bad_stored_lab_and_practice_data_is_ignored(context_for):
    page, w = context_for()
    page.add_init_script("""
      localStorage.setItem('gradstep.lab.v1', '{"h": "-5", "leaves": [1, 2]');
      localStorage.setItem('gradstep.practice.v1', JSON.stringify({program: 5, mode: 'sideways', position: -1}));
    """)
    open_ready(page, link(SEED_003, "&lab&practice=backward"))
    page.wait_for_selector(f"{T('fd-table')} [data-leaf]", timeout=120_000)
    assert page.input_value(T("fd-h")) == "1e-6"
    assert page.input_value(T("closed-form-leaf")) == "a"
    assert phase(page) == "forward-done"  # practice from the start of its pass
    assert score(page) == (0, 0)


def test_practice_progress_and_score_survive_a_reload(context_for):
    page, _ = context_for()
    text = "x = 2.0\ns = sin(x)\ne = exp(x)\ny = s * e\n"  # not an example: built by the engine
    open_ready(page, link(text, "&practice=backward"))
    want = cli(["grad", "--json"], text)["grads"]
    order = page.evaluate("window.gradstep.snapshot().timeline.backward")
    labels = {n["id"]: n["label"] for n in page.evaluate("window.gradstep.snapshot().layout")["nodes"]}
    # Two answered: the first right, the second wrong then right; the third on screen.
    page.fill(T("practice-answer"), repr(want[labels[f"n{order[0]}"]]))
    page.click(T("practice-submit"))
    settle(page)
    page.fill(T("practice-answer"), "123")
    page.click(T("practice-submit"))
    settle(page)
    page.fill(T("practice-answer"), repr(want[labels[f"n{order[1]}"]]))
    page.click(T("practice-submit"))
    settle(page)
    assert score(page) == (1, 2)
    page.reload()
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    settle(page)
    page.wait_for_selector("[data-asked=true]")
    assert page.input_value(T("practice")) == "backward"
    assert score(page) == (1, 2)
    assert asked(page) == [labels[f"n{order[2]}"]]
    for i in order[:2]:  # the gradients answered, the CLI's
        assert page.get_attribute(f"[data-node-id=n{i}]", "data-grad") == repr(want[labels[f"n{i}"]])
    assert page.get_attribute(f"[data-node-id=n{order[2]}]", "data-grad") == ""


# ------------------------------------------------------------------ item 6: keyboard, axe, contrast


def test_slope_point_keeps_the_focus_over_arrow_keys(app):
    page = app
    load(page, QUAD)
    page.click(T("lab-open"))
    page.fill(T("fd-h"), "0.5")
    page.press(T("fd-h"), "Enter")
    wait_lab(page, "0.5")
    point = T("slope-point")
    # Not inside the plot's role=img: a slider of its own, with its value.
    assert page.locator(f"{T('slope-view')} [tabindex]").count() == 0
    assert page.get_attribute(point, "role") == "slider"
    assert float(page.get_attribute(point, "aria-valuenow")) == 3.0
    page.focus(point)
    before_phase = phase(page)
    xs = []
    for _ in range(3):
        page.keyboard.press("ArrowRight")
        settle(page)
        page.wait_for_function("v => window.gradstep.snapshot().timeline.values[0] !== v",
                               arg=xs[-1] if xs else "3.0", timeout=60_000)
        settle(page)
        xs.append(page.evaluate("window.gradstep.snapshot().timeline.values[0]"))
        assert page.evaluate("document.activeElement.dataset.testid") == "slope-point"
    assert [float(x) for x in xs] == sorted(float(x) for x in xs) and float(xs[0]) > 3.0
    assert phase(page) == before_phase  # the arrows moved the point, not the main graph
    page.wait_for_function(f"document.querySelector('{point}').getAttribute('aria-valuenow') === '{xs[-1]}'",
                           timeout=60_000)
    assert xs[-1] in page.get_attribute(point, "aria-valuetext") or float(xs[-1]) == float(
        page.get_attribute(point, "aria-valuenow"))


def run_axe(page, rules: list[str]) -> list[dict]:
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (rules) => {
          const r = await axe.run(document.querySelector('#lab'), {resultTypes: ['violations'], runOnly: rules});
          return r.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}));
        }""", rules)


@pytest.mark.parametrize("scheme,width,height", [("light", 1280, 800), ("dark", 1280, 800), ("dark", 390, 844)])
def test_lab_has_no_nested_interactive_and_agree_meets_aa(context_for, scheme, width, height):
    page, _ = context_for(width, height, scheme)
    open_ready(page, link(SEED_003, "&lab"))
    wait_lab(page, "1e-6")
    page.wait_for_selector(f"{T('closed-form')} code", timeout=120_000)
    found = run_axe(page, ["nested-interactive", "scrollable-region-focusable", "color-contrast"])
    assert found == [], found
    # "✓ agree" by its own numbers: WCAG's contrast ratio against the panel it sits on.
    ratio = page.evaluate("""() => {
      const lum = (c) => { const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => v / 255)
        .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
      const cell = document.querySelector('[data-testid=fd-table] td.ok');
      let e = cell, bg = 'rgba(0, 0, 0, 0)';
      while (e && /rgba\\(.*, 0\\)|transparent/.test(bg)) {
        bg = getComputedStyle(e).backgroundColor; e = e.parentElement; }
      const [a, b] = [lum(getComputedStyle(cell).color), lum(bg)];
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    }""")
    assert ratio >= 4.5, f"✓ agree at {ratio:.2f}:1 in {scheme}"


# ------------------------------------------------------------------ item 7: plots that read like plots


PLOT_FACTS = """(sel) => {
  const svg = document.querySelector(sel);
  const scale = svg.getScreenCTM().a;
  const texts = [...svg.querySelectorAll('text')];
  const sizes = texts.map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
  const box = (e) => { const r = e.getBoundingClientRect(); return {l: r.left, r: r.right, t: r.top, b: r.bottom}; };
  const items = [...svg.querySelectorAll('.legend-item')].map(g => ({label: g.textContent, ...box(g)}));
  const axes = [...svg.querySelectorAll('line.axis')].map(box);
  return {
    smallest: Math.min(...sizes),
    xLabel: svg.querySelector('.axis-label.x')?.textContent ?? null,
    yLabel: svg.querySelector('.axis-label.y')?.textContent ?? null,
    items,
    plotTop: Math.min(...axes.map(a => a.t)),
    svgRight: box(svg).r,
  };
}"""


def overlaps(a, b) -> bool:
    return a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]


def check_plot(facts: dict, where: str):
    assert facts["smallest"] >= 11, f"{where}: text {facts['smallest']:.1f} px"
    assert facts["xLabel"] and facts["yLabel"], f"{where}: axis labels {facts['xLabel']!r}, {facts['yLabel']!r}"
    items = facts["items"]
    assert items, f"{where}: no legend"
    for k, a in enumerate(items):
        assert a["b"] <= facts["plotTop"] + 0.5, f"{where}: legend {a['label']!r} runs into the plot"
        assert a["r"] <= facts["svgRight"] + 0.5, f"{where}: legend {a['label']!r} leaves the plot"
        for b in items[k + 1:]:
            assert not overlaps(a, b), f"{where}: legend {a['label']!r} runs into {b['label']!r}"


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_lab_and_nudge_plots_have_axes_legends_and_readable_text(context_for, width, height):
    page, _ = context_for(width, height)
    open_ready(page, link(SEED_003, "&lab"))
    wait_lab(page, "1e-6")
    error = page.evaluate(PLOT_FACTS, T("error-plot"))
    check_plot(error, f"error plot at {width}")
    labels = [i["label"] for i in error["items"]]
    assert any(label.startswith("h now") for label in labels) and any(label.startswith("best h") for label in labels)
    check_plot(page.evaluate(PLOT_FACTS, T("slope-view")), f"slope view at {width}")
    click(page, "backward-all")
    click(page, "nudge")
    page.wait_for_selector(f"{T('nudge-plot')} .actual-dot")
    check_plot(page.evaluate(PLOT_FACTS, T("nudge-plot")), f"nudge plot at {width}")
    # The paths list: nothing cut, its item numbers included.
    cut = page.evaluate("""() => {
      const ol = document.querySelector('[data-testid=paths] ol');
      const pad = parseFloat(getComputedStyle(ol).paddingLeft), font = parseFloat(getComputedStyle(ol).fontSize);
      const wide = [...ol.querySelectorAll('li')].filter(li => li.scrollWidth > li.clientWidth + 1).length;
      return {pad, room: 3 * 0.62 * font, wide, olWide: ol.scrollWidth > ol.clientWidth + 1};
    }""")
    assert cut["pad"] >= cut["room"], cut  # room for "1. " (up to "99.") left of the items
    assert cut["wide"] == 0 and not cut["olWide"], cut


# ------------------------------------------------------------------ item 8: practice feedback and score


def test_practice_feedback_is_in_view_right_stays_and_the_score_counts_answers(app):
    page = app
    page.set_viewport_size({"width": 1280, "height": 800})
    page.select_option(T("practice"), "backward")
    settle(page)
    assert score(page) == (0, 0)  # the question on screen is not counted before it is answered
    want = cli(["grad", "--json"], MICROGRAD)["grads"]
    order = page.evaluate("window.gradstep.snapshot().timeline.backward")
    labels = {n["id"]: n["label"] for n in page.evaluate("window.gradstep.snapshot().layout")["nodes"]}
    page.evaluate("window.scrollTo(0, 0)")
    page.fill(T("practice-answer"), repr(want[labels[f"n{order[0]}"]]))
    page.click(T("practice-submit"))
    settle(page)
    assert page.inner_text(T("practice-hint")).startswith("Right")  # kept while the next question shows
    assert asked(page) == [labels[f"n{order[1]}"]]
    assert score(page) == (1, 1)
    page.evaluate("window.scrollTo(0, 0)")
    page.fill(T("practice-answer"), "123")
    page.click(T("practice-submit"))
    settle(page)
    hint = page.locator(T("practice-hint"))
    assert "chain rule" in hint.inner_text()
    box = hint.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 800, box  # in the window
    assert score(page) == (1, 2)  # two answered; the third not yet asked
    page.fill(T("practice-answer"), "   ")
    page.click(T("practice-submit"))
    assert score(page) == (1, 2)  # nothing typed is not an answer
    page.fill(T("practice-answer"), repr(want[labels[f"n{order[1]}"]]))
    page.click(T("practice-submit"))
    settle(page)
    assert score(page) == (1, 2)  # the same question: answered once, not right at the first try
    page.keyboard.press("Escape")
    click(page, "backward-step")  # the next action clears the last "Right"
    assert not page.inner_text(T("practice-hint")).startswith("Right")


# ------------------------------------------------------------------ item 9: words; limits


def test_lab_words_say_finite_differences_and_explain_made_up_names(app):
    page = app
    load(page, SEED_003)
    page.click(T("lab-open"))
    page.fill(T("fd-h"), "1e-6")
    page.press(T("fd-h"), "Enter")
    wait_lab(page, "1e-6")
    heads = page.eval_on_selector_all(f"{T('fd-table')} thead th", "els => els.map(e => [e.textContent, e.title])")
    names = [h for h, _ in heads]
    assert "forward" not in names and "backward" not in names, names
    titled = {h: t for h, t in heads}
    assert "forward pass" in titled["one-sided +h"] and "(f(x+h) − f(x)) / h" in titled["one-sided +h"]
    assert "backward pass" in titled["one-sided −h"]
    # The paths of a: t1 is a name the page made up; the list says so.
    paths = page.inner_text(T("paths"))
    assert "t1" in paths and "unnamed nodes" in paths
    assert "local derivative" in paths


@pytest.mark.parametrize("typed,says", [
    ("0", "5e-324"), ("1e-400", "5e-324"), ("1e999", "1.8e308"), ("abc", "not abc"), ("-1", "not -1"),
    ("0x10", "not 0x10"), ("", "positive, finite"),
])
def test_h_refused_with_its_limit(app, typed, says):
    page = app
    page.click(T("lab-open"))
    page.fill(T("fd-h"), typed)
    page.press(T("fd-h"), "Enter")
    page.wait_for_function("document.querySelector('#lab-status').textContent.includes('positive, finite')",
                           timeout=5000)
    assert says in page.inner_text("#lab-status")
    assert page.get_attribute(T("fd-h"), "aria-invalid") == "true"
    page.fill(T("fd-h"), "1e-6")
    page.press(T("fd-h"), "Enter")
    page.wait_for_function("!document.querySelector('#lab-status').textContent.includes('positive')")
    assert page.get_attribute(T("fd-h"), "aria-invalid") is None


def test_leaf_select_disabled_when_there_is_no_leaf(app):
    page = app
    load(page, "y = 2.0 * 3.0\n")
    page.click(T("lab-open"))
    page.wait_for_function("document.querySelector('#lab-status').textContent.includes('no named leaf')")
    assert page.is_disabled(T("closed-form-leaf"))
    load(page, MICROGRAD)
    assert page.is_enabled(T("closed-form-leaf"))


def test_cli_check_refuses_the_same_h():
    """The page's words for a bad h are the command line's (`check --h`)."""
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "gradstep", "check", "--h", "-1", "-"], input=MICROGRAD,
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 2
    assert "h must be a positive, finite number, not -1" in out.stderr
