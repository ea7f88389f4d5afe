"""``gradstep.show`` in a real JupyterLab (issue #10's end-to-end test): a JupyterLab
server of this checkout's Python on 127.0.0.1, a notebook that builds the lecture's
graph and shows it, and Chromium clicking the widget's buttons (the view steps with the
page's Stepper; the kernel computes the nudge's new timeline). The gradients drawn
must be ``python -m gradstep grad --json``'s for the same graph, and a nudge must move
``a`` by rate * dL/da. tests/browser/test_widget.py tests the same widget with a
stand-in for the notebook (faster, and more of its buttons). A second test checks
that the graph opens fitted in the cell (JupyterLab renders a widget before its
output element is in the page, with no size yet).

The server gets temporary config, runtime, IPython and root directories (the data
path is left alone, so anywidget's prebuilt labextension in sys.prefix is found), no
news or update checks, and PYTHONPATH set to this checkout so the kernel imports its
``gradstep``. It is shut down (its kernels first) at the end, whatever happened.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

pytest.importorskip("anywidget")
pytest.importorskip("jupyterlab")
pytest.importorskip("ipykernel")

from gradstep import to_program  # noqa: E402
from helpers import lecture_graph  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SERVER_S = 90  # the server answering /api/status (it builds no assets: seconds)
LAB_MS = 120_000  # JupyterLab's first load in Chromium on two slow cores
KERNEL_MS = 120_000  # the kernel starting, importing gradstep and anywidget, running the cell
CLICK_MS = 60_000  # one round trip to the kernel

CELL = """\
import gradstep
print("gradstep from", gradstep.__file__)
from gradstep import Value, show
a = Value(2.0, label="a"); b = Value(-3.0, label="b"); c = Value(10.0, label="c"); f = Value(-2.0, label="f")
e = a*b; e.label = "e"
d = e + c; d.label = "d"
L = d*f; L.label = "L"
w = show(L)
w"""

W = "[data-testid=gs-widget]"


def lecture():
    """The cell's graph, built here too: L = (a*b + c) * f."""
    return lecture_graph()[0]


def notebook() -> dict:
    """The notebook (nbformat 4) with the one cell, and the kernel named so that
    JupyterLab starts it without asking."""
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
        "cells": [{
            "cell_type": "code",
            "id": "gradstep-show",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": CELL.splitlines(keepends=True),
        }],
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(base: str, token: str, path: str, method: str = "GET", timeout: float = 5) -> object:
    request = urllib.request.Request(f"{base}{path}", method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body = response.read()
    return json.loads(body) if body else None


def processes_mentioning(text: str) -> list[int]:
    """Pids of processes whose command line mentions ``text`` (our temporary runtime
    directory: the kernels this test's server started, given their connection file)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in cmdline:
                pids.append(int(entry.name))
    return pids


def stop(proc: subprocess.Popen, base: str, token: str, runtime: Path) -> None:
    """Shut the kernels down, then the server (terminate, then kill); then kill any
    kernel of ours still alive (a kernel runs in its own session, so killing the
    server's process group does not reach it)."""
    if proc.poll() is None:
        try:
            for kernel in api(base, token, "api/kernels"):
                api(base, token, f"api/kernels/{kernel['id']}", method="DELETE", timeout=30)
        except (OSError, urllib.error.URLError, ValueError):
            pass
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)
    for pid in processes_mentioning(str(runtime)):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving a temporary root directory."""
    top = tmp_path_factory.mktemp("jupyter")
    dirs = {name: top / name for name in ("root", "config", "runtime", "ipython")}
    for d in dirs.values():
        d.mkdir()
    # No "Would you like to get notified about news?" toast, no update check.
    settings = dirs["config"] / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True}))
    port, token = free_port(), secrets.token_hex(24)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "IPYTHONDIR": str(dirs["ipython"]),
        "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
    }
    env.pop("JUPYTER_TOKEN", None)
    log = (top / "server.log").open("w")
    command = [
        sys.executable, "-m", "jupyter", "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={dirs['root']}",
        f"--IdentityProvider.token={token}",
        "--ServerApp.open_browser=False",
        "--ServerApp.allow_root=True",  # (containers run tests as root; harmless otherwise)
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        "--ServerApp.terminals_enabled=False",
    ]
    started = time.monotonic()
    proc = subprocess.Popen(command, cwd=dirs["root"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{(top / 'server.log').read_text()}")
            try:
                api(base, token, "api/status", timeout=2)
                break
            except (OSError, urllib.error.URLError):
                if time.monotonic() - started > SERVER_S:
                    pytest.fail(f"jupyter lab did not answer in {SERVER_S} s:\n{(top / 'server.log').read_text()}")
                time.sleep(0.2)
        server_s = time.monotonic() - started
        yield SimpleNamespace(base=base, token=token, root=dirs["root"], log=top / "server.log", server_s=server_s)
    finally:
        stop(proc, base, token, dirs["runtime"])
        log.close()


@pytest.fixture
def lab(browser, jupyter):
    """A Chromium page in a context of its own; yields (page, problems) where problems
    lists page errors, console errors and requests that left 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    problems = []

    def on_request(request):
        parts = urlsplit(request.url)
        if parts.scheme not in {"data", "blob", "about"} and parts.hostname != "127.0.0.1":
            problems.append(f"request left 127.0.0.1: {request.url}")

    context.on("request", on_request)
    page = context.new_page()
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("console", lambda m: m.type == "error" and problems.append(f"console.error: {m.text}"))
    page.on("dialog", lambda dialog: dialog.dismiss())  # (a browser alert, e.g. "leave page?")
    # A JupyterLab dialog (none is expected: the notebook names its kernel) would block
    # the clicks: take its default ("Select" for the kernel dialog), and say so.
    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.inner_text())
        dialog.locator(".jp-mod-accept").first.click()

    page.add_locator_handler(page.locator(".jp-Dialog"), accept)
    try:
        yield page, problems
        if dialogs:
            print(f"JupyterLab dialogs accepted: {dialogs}")
    finally:
        context.close()


def wait_for_idle_kernel(jupyter, name: str) -> None:
    """Wait until the server says the notebook's kernel is started and idle."""
    deadline = time.monotonic() + KERNEL_MS / 1000
    while True:
        sessions = api(jupyter.base, jupyter.token, "api/sessions")
        states = [s["kernel"].get("execution_state") for s in sessions if s.get("path") == name]
        if "idle" in states:
            return
        assert time.monotonic() < deadline, f"the notebook's kernel is not idle: {sessions}"
        time.sleep(0.2)


def shown(page) -> dict:
    """label -> (data-value, data-grad) of every value node in the widget."""
    return page.eval_on_selector_all(
        f"{W} [data-node-id]",
        "els => Object.fromEntries(els.map(e => [e.dataset.label, [e.dataset.value, e.dataset.grad]]))")


def click(page, testid: str, phase: str) -> None:
    """Click a widget button and wait for the kernel's answer: not busy, and ``phase``."""
    page.click(f"{W} [data-testid={testid}]")
    page.wait_for_selector(f"{W}:not([data-busy]) [data-testid=status][data-phase={phase}]", timeout=CLICK_MS)


def cli_grads(L) -> dict:
    """``python -m gradstep grad --json`` of the program of ``L``'s graph."""
    out = subprocess.run([sys.executable, "-m", "gradstep", "grad", "-", "--json"], cwd=ROOT, input=to_program(L),
                         capture_output=True, text=True, check=True, timeout=60)
    return json.loads(out.stdout)


def open_and_run(page, problems, jupyter, name: str) -> dict:
    """Write the notebook ``name``, open it in JupyterLab, wait for its kernel, run its
    cell as a user does (click in it, Shift+Enter) and wait for the widget to be drawn
    in the output. Returns how long each part took (seconds)."""
    (jupyter.root / name).write_text(json.dumps(notebook(), indent=1))
    times = {}
    t0 = time.monotonic()
    # (reset: a fresh workspace, not the last test's notebooks too)
    page.goto(f"{jupyter.base}lab/tree/{name}?reset&token={jupyter.token}", timeout=LAB_MS)
    # The notebook open, its cell drawn, and its kernel (named in the metadata) idle.
    editor = page.locator(".jp-NotebookPanel .jp-CodeCell .cm-content", has_text="from gradstep import Value, show")
    editor.wait_for(timeout=LAB_MS)
    times["lab"] = time.monotonic() - t0
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status=idle]", timeout=KERNEL_MS)
    wait_for_idle_kernel(jupyter, name)
    times["kernel"] = time.monotonic() - t0 - times["lab"]

    t1 = time.monotonic()
    editor.click()
    page.keyboard.press("Shift+Enter")
    drawn = f".jp-NotebookPanel .jp-OutputArea-output {W}[data-ready=true] [data-node-id]"
    raised = ".jp-NotebookPanel .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
    try:  # (a traceback ends the wait at once)
        page.wait_for_selector(f"{drawn}, {raised}", timeout=KERNEL_MS)
        failed = page.query_selector(raised) is not None
    except PlaywrightTimeoutError:
        failed = True
    if failed:
        outputs = page.eval_on_selector_all(".jp-OutputArea-output", "els => els.map(e => e.innerText)")
        pytest.fail(f"no widget in the cell's output: {outputs}\n{problems}\n{jupyter.log.read_text()[-4000:]}")
    times["cell"] = time.monotonic() - t1
    # The kernel's gradstep is this checkout's.
    stdout = ".jp-NotebookPanel .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stdout']"
    printed = page.inner_text(stdout)
    assert f"gradstep from {ROOT / 'engine' / 'gradstep' / '__init__.py'}" in printed
    return times


def test_show_in_jupyterlab_steps_with_the_command_lines_gradients(jupyter, lab):
    page, problems = lab
    times = {"server": jupyter.server_s, **open_and_run(page, problems, jupyter, "gradstep-show.ipynb")}
    assert page.get_attribute(f"{W} [data-testid=status]", "data-phase") == "start"
    at_start = shown(page)
    assert at_start["a"] == ["2.0", ""] and at_start["L"][1] == ""

    # Forward, then backward (in the view), and the kernel hears what is shown.
    t2 = time.monotonic()
    click(page, "forward-all", "forward-done")
    click(page, "backward-all", "backward-done")
    got = shown(page)
    L = lecture()
    cli = cli_grads(L)
    assert set(got) == set(cli["grads"]) == {"a", "b", "c", "f", "e", "d", "L"}
    for name, grad in cli["grads"].items():
        assert got[name][1] == repr(grad), name
    assert got["L"][0] == repr(L.data) == "-8.0"

    # A nudge at the default rate (0.01, descending) moves each leaf by -rate * grad
    # and runs the forward pass again.
    rate = float(page.input_value(f"{W} [data-testid=nudge-rate]"))
    assert rate == 0.01
    click(page, "nudge", "forward-done")
    after = shown(page)
    assert after["a"][0] == repr(2.0 - rate * cli["grads"]["a"]) == repr(2.0 - 0.01 * 6.0)
    assert after["c"][0] == repr(10.0 - rate * cli["grads"]["c"])
    assert float(after["L"][0]) < L.data  # the loss went down, as the gradient said
    times["clicks"] = time.monotonic() - t2

    # No page error, no console error, nothing fetched from outside 127.0.0.1.
    assert not problems, "\n".join(problems)
    print("\njupyter timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in times.items()))


def test_the_graph_opens_fitted_in_the_cell(jupyter, lab):
    page, problems = lab
    open_and_run(page, problems, jupyter, "gradstep-fit.ipynb")
    view = page.evaluate("""() => {
      const root = document.querySelector('.jp-OutputArea-output [data-testid=gs-widget]');
      const host = root.querySelector('[data-testid=graph-host]').getBoundingClientRect();
      const inside = (b) =>
        b.left >= host.left && b.right <= host.right && b.top >= host.top && b.bottom <= host.bottom;
      return {
        outside: [...root.querySelectorAll('[data-node-id]')]
          .filter((e) => !inside(e.getBoundingClientRect())).map((e) => e.dataset.label),
        panHint: !root.querySelector('.pan-hint').hidden,
        map: !root.querySelector('.minimap').hidden,
        follow: root.querySelector('.zoom [aria-pressed]').getAttribute('aria-pressed'),
      };
    }""")
    # Seven small records fit in the cell's 800-odd pixels: all on screen, no hint, no map.
    assert view == {"outside": [], "panHint": False, "map": False, "follow": "false"}
    assert not problems, "\n".join(problems)
