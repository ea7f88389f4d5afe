"""The vendored Pyodide and PyScript boot offline from the local server."""

import json

BOOT_TIMEOUT_MS = 120_000  # 2 slow cores compile a 9 MB wasm module


def test_bare_pyodide_boots(page, requests_log, page_errors):
    page.goto("web/dev/bare-pyodide.html")
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_TIMEOUT_MS)
    assert "ready: Python 3." in page.inner_text("#out")
    requests_log.assert_all_local()
    page_errors.assert_none()


def test_pyscript_demo_boots_offline(page, requests_log, page_errors):
    page.goto("web/dev/pyscript-demo.html")
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_TIMEOUT_MS)

    # The vendored files were used, and nothing went elsewhere (no CDN fallback).
    urls = requests_log.urls()
    assert any(u.endswith("/web/vendor/pyscript/core.js") for u in urls)
    assert any(u.endswith("/web/vendor/pyodide/pyodide.asm.wasm") for u in urls)
    assert any(u.endswith("/web/dev/demo_mod.py") for u in urls)  # via config "files"
    requests_log.assert_all_local()
    page_errors.assert_none()


def test_js_calls_python_function(page, page_errors):
    page.goto("web/dev/pyscript-demo.html")
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_TIMEOUT_MS)

    # window.gsDemo is a Python function exposed with pyscript.ffi.create_proxy.
    result = json.loads(page.evaluate("window.gsDemo(5)"))
    assert result["x"] == 5 and result["double"] == 10
    assert json.loads(page.evaluate("window.gsDemo('ab')"))["double"] == "abab"
    # A Python exception reaches JS as a thrown PythonError.
    err = page.evaluate("() => { try { window.gsDemo({}); return null } catch (e) { return e.constructor.name } }")
    assert err == "PythonError"
    page_errors.assert_none()
