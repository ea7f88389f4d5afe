"""Python mode in the page (contract section 3, issue #19): the mode switch, the learner's own
Value class and micrograd's, show() twice, a traceback marked in the editor, a loop ended by Stop,
a #python= link that asks before it runs, and the lecture's examples. Gradients are checked
against `gradstep grad --json` of the program the same code makes in CPython."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, unquote

from pagetools import BOOT_MS, T, open_ready, program_text, settle

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "engine"))

from gradstep.program.examples import PYTHON_EXAMPLES  # noqa: E402
from gradstep.program.python_mode import run  # noqa: E402

OWN = """\
class V:
    def __init__(self, data, prev=(), op=""):
        self.data, self._prev, self._op = data, prev, op
    def __add__(self, o):
        return V(self.data + o.data, (self, o), "+")
    def __mul__(self, o):
        return V(self.data * o.data, (self, o), "*")

a, b, c = V(2.0), V(-3.0), V(10.0)
print("value", (a * b + c).data)
(a * b + c) * a
"""


def cli_grads(program: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "gradstep", "grad", "-", "--json"], input=program, cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def python_run(page, code: str):
    page.select_option(T("mode"), "python")
    page.fill(T("program"), code)
    page.click(T("run"))
    settle(page)


def grads_on_page(page) -> dict:
    js = "es => Object.fromEntries(es.map((e) => [e.dataset.label, e.dataset.grad]))"
    return page.eval_on_selector_all("[data-node-id]", js)


def test_your_own_value_class_is_drawn_and_steps_to_the_command_lines_gradients(fresh):
    page, _ = fresh
    open_ready(page, "index.html")
    python_run(page, OWN)
    assert page.inner_text(T("python-output")).startswith("value 4.0")
    assert page.evaluate("location.hash").startswith("#python=")
    page.click(T("backward-all"))
    settle(page)
    program = run(OWN)["graphs"][0]["program"]
    want = cli_grads(program)["grads"]
    got = grads_on_page(page)
    assert {k: got[k] for k in want} == {k: repr(v) for k, v in want.items()}
    # Back to a gradstep program: the switch and the address follow.
    page.select_option(T("mode"), "program")
    assert page.evaluate("location.hash").startswith("#program=")


def test_micrograd_and_show_twice_give_a_choice_of_graphs(fresh):
    page, _ = fresh
    open_ready(page, "index.html")
    code = ("from micrograd.engine import Value\na = Value(2.0)\nb = Value(4.0)\n"
            "show(a * b)\nshow(a + b + a)\nprint('two graphs')\n")
    python_run(page, code)
    assert "two graphs" in page.inner_text(T("python-output"))
    options = page.eval_on_selector_all(f"{T('python-graph')} option", "os => os.map((o) => o.textContent)")
    assert options == ["graph 1", "graph 2"]
    assert page.locator("[data-node-id]").count() == 3  # a, b and a * b
    page.select_option(T("python-graph"), "1")
    settle(page)
    page.click(T("backward-all"))
    settle(page)
    # (micrograd's _prev is a set: which leaf is named v1 may differ between two Pythons, so the
    # leaves are matched by their values; a = 2 and b = 4 of a + b + a: gradients 2 and 1)
    program = run(code)["graphs"][1]["program"]
    values = dict(line.split(" = ") for line in program.splitlines() if line.startswith("v"))
    cli = cli_grads(program)
    want = sorted((values[k], repr(g)) for k, g in cli["grads"].items() if k in values)
    js = "es => es.filter((e) => /^v\\d+$/.test(e.dataset.label)).map((e) => [e.dataset.value, e.dataset.grad])"
    got = sorted(tuple(p) for p in page.eval_on_selector_all("[data-node-id]", js))
    assert got == want == [("2.0", "2.0"), ("4.0", "1.0")]


def test_a_traceback_is_shown_and_its_line_marked_and_the_graph_stays(fresh):
    page, _ = fresh
    open_ready(page, "index.html")
    before = page.locator("[data-node-id]").count()
    python_run(page, "print('start')\ndef f(x):\n    return 1 / x\nf(0)\n")
    out = page.inner_text(T("python-output"))
    assert out.startswith("start") and "ZeroDivisionError: division by zero" in out and "line 3, in f" in out
    assert page.get_attribute(T("error"), "data-line") == "3"
    assert "line 3: ZeroDivisionError" in page.inner_text(T("error"))
    # the traceback's line underlined in the editor, its message on the line's mark
    assert page.inner_text(".cm-lintRange-error") == "    return 1 / x"
    assert page.is_visible(".cm-lint-marker-error")
    assert page.locator("[data-node-id]").count() == before  # the graph on screen stays


def test_a_loop_that_never_ends_is_stopped_and_the_graph_stays(fresh):
    page, _ = fresh
    open_ready(page, "index.html")
    before = page.locator("[data-node-id]").count()
    page.select_option(T("mode"), "python")
    page.fill(T("program"), "while True:\n    pass\n")
    page.click(T("run"))
    page.wait_for_selector(f"{T('work')}:not([hidden])", timeout=10_000)
    page.click(T("stop"))
    page.wait_for_selector(f"{T('python-output')}:not([hidden])")
    assert "Stopped" in page.inner_text(T("python-output"))
    assert page.locator("[data-node-id]").count() == before
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    python_run(page, "from gradstep import Value\nx = Value(3.0, label='x')\nx * x\n")  # Python is back
    assert page.locator("[data-node-id]").count() == 2


def test_a_link_with_python_asks_and_runs_only_on_run(fresh):
    page, _ = fresh
    code = "from gradstep import Value\nprint('ran')\nk = Value(5.0, label='k')\nk * k + k\n"
    open_ready(page, "index.html#python=" + quote(code, safe=""))
    assert page.is_visible(T("python-consent"))
    assert page.input_value(T("mode")) == "python" and program_text(page) == code
    page.wait_for_timeout(500)
    assert page.evaluate("window.gradstep.calls().python") is None  # not run by itself
    assert page.locator("[data-node-id]").count() == 0 and page.is_hidden(T("python-output"))
    page.click(T("python-consent-run"))
    settle(page)
    assert page.inner_text(T("python-output")).strip() == "ran"
    assert page.locator("[data-node-id]").count() == 3
    assert page.is_hidden(T("python-consent"))
    # A second link followed in the same page (a hash change): it asks again; Show the code only runs nothing.
    page.evaluate("location.hash = " + json.dumps("#python=" + quote("print('no')\n", safe="")))
    page.wait_for_selector(f"{T('python-consent')}:not([hidden])")
    assert program_text(page) == "print('no')\n"
    page.click(T("python-consent-show"))
    page.wait_for_timeout(300)
    assert page.evaluate("window.gradstep.calls().python") == 1 and page.is_hidden(T("python-consent"))
    assert unquote(page.evaluate("location.hash")) == "#python=print('no')\n"  # (the address keeps the code)


def test_the_lecture_examples_run_from_the_menu(fresh):
    page, _ = fresh
    open_ready(page, "index.html")
    for ex in PYTHON_EXAMPLES:
        page.select_option("#examples", ex["id"])
        settle(page)
        assert page.input_value(T("mode")) == "python", ex["id"]
        assert page.get_attribute(T("python-output"), "data-error") == "false", page.inner_text(T("python-output"))
        assert page.locator("[data-node-id]").count() > 3, ex["id"]
        assert page.locator(T("forward-all")).is_enabled()
    # a program example brings the program mode back
    page.select_option("#examples", "micrograd-L")
    settle(page)
    assert page.input_value(T("mode")) == "program"
