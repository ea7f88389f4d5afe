"""The vendored Pyodide boots offline from the local server (the page's worker: test_worker.py)."""


BOOT_TIMEOUT_MS = 120_000  # 2 slow cores compile a 9 MB wasm module


def test_bare_pyodide_boots(page, requests_log, page_errors):
    page.goto("tests/browser/fixtures/bare-pyodide.html")
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_TIMEOUT_MS)
    assert "ready: Python 3." in page.inner_text("#out")
    requests_log.assert_all_local()
    page_errors.assert_none()
