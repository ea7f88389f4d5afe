"""Third-party Python packages in the engine's worker (issue #8's lab: sympy, networkx).

The worker's "packages" method (web/worker/engine-worker.js, web/worker/worker-packages.js) installs
them on first need from web/vendor/wheels/ (made by scripts/setup.py from the "wheels"
of web/vendor.lock.json): each package once, its dependencies too, never from a CDN.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOOT_MS = 120_000
LOAD_MS = 120_000
PINS = {pin["name"]: pin for pin in json.loads((ROOT / "web/vendor.lock.json").read_text())["wheels"]}
INDEX = ROOT / "web/vendor/wheels/index.json"


@pytest.fixture(scope="module")
def index():
    if not INDEX.is_file():
        pytest.fail("web/vendor/wheels/index.json missing: run `python3 scripts/setup.py` first")
    return json.loads(INDEX.read_text())["packages"]


def wheel_requests(requests_log) -> list[str]:
    return [Path(urlsplit(url).path).name for url in requests_log.urls() if "/web/vendor/wheels/" in url]


def call(page, method, args):
    return page.evaluate("([m, a]) => window.gradstep.call(m, a)", [method, args])


def test_the_worker_installs_sympy_and_networkx_once_from_the_vendored_files(page, requests_log, page_errors, index):
    page.goto("index.html")
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    # Nothing of them is fetched at start-up.
    assert wheel_requests(requests_log) == []

    page.set_default_timeout(LOAD_MS)
    reply = call(page, "packages", {"names": ["sympy", "networkx"]})
    assert reply == {
        "ok": True,
        "versions": {name: PINS[name]["version"] for name in ("mpmath", "sympy", "networkx")},
    }, reply
    # The index, then each package's file once, the dependency (mpmath) before sympy.
    files = [index[name]["file"] for name in ("mpmath", "sympy", "networkx")]
    assert wheel_requests(requests_log) == ["index.json", *files]

    # Again, or a dependency alone: nothing more is fetched.
    again = call(page, "packages", {"names": ["networkx", "mpmath"]})
    versions = {name: PINS[name]["version"] for name in ("networkx", "mpmath")}
    assert again == {"ok": True, "versions": versions}
    assert wheel_requests(requests_log) == ["index.json", *files]

    # A name that is not pinned is an error reply, not a broken worker.
    bad = call(page, "packages", {"names": ["numpy"]})
    assert bad["ok"] is False and "numpy" in bad["error"]["message"], bad
    # The engine still answers.
    assert call(page, "frames", {"start": 0, "count": 1})["ok"] is True

    requests_log.assert_all_local()
    page_errors.assert_none()


# A fresh module worker with its own Pyodide and web/worker/worker-packages.js: Python imports
# the packages and computes with them (web/worker/worker.py has no method for that yet).
CHECK_WORKER = """
const root = %(root)s;
const { loadPyodide } = await import(root + "web/vendor/pyodide/pyodide.mjs");
const { loadPackages } = await import(root + "web/worker/worker-packages.js");
try {
  const pyodide = await loadPyodide({ indexURL: root + "web/vendor/pyodide/" });
  const phases = [];
  const versions = await loadPackages(pyodide, ["sympy", "networkx"], (what) => phases.push(what));
  const result = pyodide.runPython(`
import json
import networkx as nx
import sympy as sp
x = sp.Symbol("x")
d = sp.diff(sp.sin(x) ** 2, x)
g = nx.DiGraph([("a", "b"), ("b", "L"), ("a", "L")])
json.dumps({
    "derivative_is_sin_2x": sp.simplify(d - sp.sin(2 * x)) == 0,
    "derivative": str(sp.trigsimp(d)),
    "paths": sorted(nx.all_simple_paths(g, "a", "L")),
    "files": sorted(m.__file__.rsplit("/", 1)[-1] for m in (sp, nx)),
})`);
  postMessage({ versions, phases, result: JSON.parse(result) });
} catch (e) {
  postMessage({ error: String(e && e.message ? e.message : e) });
}
"""


def test_python_imports_and_computes_with_them(page, base_url, requests_log, page_errors, index):
    page.goto("index.html")
    page.set_default_timeout(BOOT_MS + LOAD_MS)
    source = CHECK_WORKER % {"root": json.dumps(base_url)}
    out = page.evaluate(
        """(source) => new Promise((resolve) => {
            const url = URL.createObjectURL(new Blob([source], {type: "text/javascript"}));
            const w = new Worker(url, {type: "module"});
            w.onmessage = (e) => { resolve(e.data); w.terminate(); };
            w.onerror = (e) => resolve({error: e.message || "worker error"});
        })""",
        source,
    )
    assert "error" not in out, out["error"]
    assert out["versions"] == {name: PINS[name]["version"] for name in ("mpmath", "sympy", "networkx")}
    assert out["phases"][:2] == ["loading mpmath", "importing mpmath"]
    assert "loading sympy" in out["phases"] and "loading networkx" in out["phases"]
    result = out["result"]
    assert result["derivative_is_sin_2x"] is True
    assert result["derivative"] == "sin(2*x)"
    assert result["paths"] == [["a", "L"], ["a", "b", "L"]]
    # Byte-compiled (a .zip made at set-up): the modules come from .pyc files.
    compiled = [index[name]["file"].endswith(".zip") for name in ("networkx", "sympy")]
    assert result["files"] == ["__init__.pyc" if c else "__init__.py" for c in compiled]
    requests_log.assert_all_local()
    page_errors.assert_none()
