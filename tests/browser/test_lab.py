"""The gradient lab and practice in the page (contract section 4; issue #8).

The lab's numbers are the command line's: `check --json` at the same h and leaf values.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from pagetools import BOOT_MS, MICROGRAD, T, click, load, phase, program_text, settle

ROOT = Path(__file__).resolve().parents[2]
SEED_003 = "a = 2.0\nb = 3.0\nc = 4.0\nf = -a**3 + sin(3*b) - 1.0/c + b**2.5 - a**0.5\n"


def cli(args, text) -> dict:
    out = subprocess.run([sys.executable, "-m", "gradstep", *args, "-"], input=text, cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)


def answer(page, text):
    page.fill(T("practice-answer"), text)
    page.click(T("practice-submit"))
    settle(page)


def asked(page):
    return page.eval_on_selector_all("[data-asked=true]", "els => els.map(e => e.dataset.label)")


def score(page):
    return (int(page.get_attribute(T("practice-score"), "data-correct")),
            int(page.get_attribute(T("practice-score"), "data-asked")))


# ------------------------------------------------------------------ practice


def test_backward_practice_seed_001_by_hand(app):
    """Seed 001 fills in micrograd's L graph by hand: L.grad = 1, f.grad = 4, d.grad = -2, ..."""
    page = app
    page.select_option(T("practice"), "backward")
    settle(page)
    assert phase(page) == "forward-done"  # values shown, gradients to find
    want = cli(["grad", "--json"], MICROGRAD)["grads"]
    order = page.evaluate("window.gradstep.snapshot().timeline.backward")
    labels = {n["id"]: n["label"] for n in page.evaluate("window.gradstep.snapshot().layout").get("nodes")}
    for k, i in enumerate(order):
        label = labels[f"n{i}"]
        assert asked(page) == [label]
        node = f"[data-node-id=n{i}]"
        assert page.get_attribute(node, "data-grad") == ""  # hidden until answered
        if k == 1:  # one wrong answer: it stays, with the chain-rule term to use
            answer(page, "123")
            assert asked(page) == [label]
            hint = page.inner_text(T("practice-hint"))
            assert "chain rule" in hint and "dL/d" in hint
        answer(page, repr(want[label]))
        assert page.get_attribute(node, "data-grad") == repr(want[label])
    assert asked(page) == []
    assert phase(page) == "backward-done"
    assert score(page) == (len(order) - 1, len(order))  # all but the one answered wrong first


def test_forward_practice_accepts_four_decimals_and_names_the_formula(app):
    page = app
    load(page, "x = 0.5\ny = tanh(x) * 3.0\n")
    page.select_option(T("practice"), "forward")
    settle(page)
    assert phase(page) == "start"
    tl = page.evaluate("window.gradstep.snapshot().timeline")
    first = tl["forward"][0]
    answer(page, "0")
    assert "tanh" in page.inner_text(T("practice-hint"))
    answer(page, f"{float(tl['values'][first]):.4f}")  # to the 4 decimals the graph shows
    assert page.get_attribute(f"[data-node-id=n{first}]", "data-value") == tl["values"][first]
    assert score(page) == (0, 1)  # one question answered (wrong first); the next not yet


def test_share_link_keeps_the_practice_mode(fresh):
    page, _ = fresh
    text = "x = 2.0\ny = sin(x) * exp(x)\n"  # not an example: built by the engine
    page.goto("index.html#program=" + quote(text, safe="") + "&practice=backward")
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    settle(page)
    assert page.input_value(T("practice")) == "backward"
    assert phase(page) == "forward-done"
    assert len(asked(page)) == 1
    page.select_option(T("practice"), "forward")
    settle(page)
    page.wait_for_function("location.hash.endsWith('&practice=forward')")


# ------------------------------------------------------------------ the lab


def rows(page) -> list[dict]:
    return page.eval_on_selector_all(
        f"{T('fd-table')} [data-leaf]",
        "els => els.map(e => ({label: e.dataset.leaf, backprop: e.dataset.backprop, forward: e.dataset.forward,"
        " backward: e.dataset.backward, central: e.dataset.central, ok: e.dataset.ok}))",
    )


def as_cli(rows_: list[dict]) -> list[dict]:
    """The page's rows in `check --json`'s terms (floats from their repr)."""
    out = []
    for r in rows_:
        out.append({"label": r["label"], "ok": r["ok"] == "true",
                    **{k: None if r[k] == "" else float(r[k]) for k in ("backprop", "forward", "backward", "central")}})
    return out


def wait_rows(page, n: int):
    page.wait_for_function(f"document.querySelectorAll('{T('fd-table')} [data-leaf]').length === {n}", timeout=60_000)
    settle(page)


def test_lab_table_equals_check_json_at_the_same_h_and_values(app):
    page = app
    load(page, SEED_003)
    page.click(T("lab-open"))
    page.click(T("lab-open"))  # clicked again while shown: it stays
    assert page.is_visible(T("fd-table"))
    page.fill(T("fd-h"), "1e-7")
    page.wait_for_timeout(400)
    wait_rows(page, 3)
    page.wait_for_function(f"document.querySelector('{T('fd-table')} [data-leaf=a]').dataset.forward !== ''")
    settle(page)
    want = cli(["check", "--json", "--h", "1e-7"], SEED_003)
    assert want["h"] == 1e-07
    got = as_cli(rows(page))
    assert got == [{k: leaf[k] for k in ("label", "ok", "backprop", "forward", "backward", "central")}
                   for leaf in want["leaves"]]
    # The seed's own digits: the forward difference at h = 1e-7 for a.
    assert rows(page)[0]["forward"] == "-12.353553966448771"
    # After a nudge the lab is at the new values, still the CLI's for the program on screen.
    before = rows(page)[0]["backprop"]
    click(page, "backward-all")
    click(page, "nudge")
    page.wait_for_function(
        "v => document.querySelector('[data-testid=fd-table] [data-leaf=a]').dataset.backprop !== v",
        arg=before, timeout=60_000)
    settle(page)
    nudged = program_text(page)
    want = cli(["check", "--json", "--h", "1e-7"], nudged)
    assert as_cli(rows(page)) == [{k: leaf[k] for k in ("label", "ok", "backprop", "forward", "backward", "central")}
                                  for leaf in want["leaves"]]


def test_closed_form_error_plot_paths_and_forward_mode(app):
    page = app
    load(page, SEED_003)
    page.click(T("lab-open"))
    page.select_option(T("closed-form-leaf"), label="b")
    page.wait_for_function("document.querySelector('[data-testid=closed-form]').dataset.value !== ''", timeout=120_000)
    settle(page)
    want = cli(["check", "--json", "--closed-form"], SEED_003)
    b = next(leaf for leaf in want["leaves"] if leaf["label"] == "b")
    assert float(page.get_attribute(T("closed-form"), "data-value")) == b["closed_form_value"]
    assert b["closed_form"].replace(" ", "") in page.inner_text(T("closed-form")).replace(" ", "")
    # The error plot: three measured curves on log-log axes.
    assert page.locator(f"{T('error-plot')} polyline.s-central").count() >= 1
    assert page.locator(f"{T('error-plot')} polyline.s-forward").count() >= 1
    # Paths: the products add up to backprop's gradient; pointing at one marks it on the graph.
    page.wait_for_selector(f"{T('paths')} li")
    page.hover(f"{T('paths')} li")
    assert page.locator("[data-on-path=true]").count() >= 2
    # Forward mode: one more node a click, tangent of the output = backprop.
    before = page.locator(f"{T('forward-mode')} tbody tr:not([hidden])").count()
    page.click(f"{T('forward-mode')} button:has-text('Next node')")
    assert page.locator(f"{T('forward-mode')} tbody tr:not([hidden])").count() == before + 1
    page.click(f"{T('forward-mode')} button:has-text('All')")
    last = page.locator(f"{T('forward-mode')} tbody tr").last
    assert last.locator("th").inner_text() == "f"  # the output, last in forward order
    assert last.locator("td").nth(1).inner_text() == f"{b['backprop']:.4f}"  # its tangent: d f/d b


def test_slope_view_tangent_secants_drag_and_nudge_steps(app):
    """Seed 001's quadratic 3x² - 4x + 5 at x = 3: the tangent's slope is 14."""
    page = app
    load(page, "x = 3.0\ny = 3*x**2 - 4*x + 5\n")
    page.click(T("lab-open"))
    page.fill(T("fd-h"), "0.5")
    page.wait_for_function("document.querySelector('#slope-note').textContent.includes('at h = 0.5:')", timeout=60_000)
    settle(page)
    assert "Tangent slope (backprop) 14.0000" in page.inner_text("#slope-note")
    assert "one-sided +h 15.5000, central ±h 14.0000" in page.inner_text("#slope-note")  # 3h + 14 and exactly 14
    assert page.locator(f"{T('slope-view')} .secant:not(.key)").count() == 2  # (not the legend's keys)
    # The point moves with the arrow keys: the leaf's value changes in the engine.
    page.focus(T("slope-point"))
    page.keyboard.press("ArrowRight")
    settle(page)
    page.wait_for_function("window.gradstep.snapshot().timeline.values[0] !== '3.0'")
    x = float(page.evaluate("window.gradstep.snapshot().timeline.values[0]"))
    assert x > 3.0
    # A nudge is a step along the curve: the trail joins the points.
    click(page, "backward-all")
    click(page, "nudge")
    page.wait_for_selector(f"{T('slope-view')} .s-trail", timeout=60_000)
