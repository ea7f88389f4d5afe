"""Browser tests: pytest-playwright driving Debian's Chromium against a local server.

Fixtures
- `base_url` (session): http://127.0.0.1:PORT/ of a threaded static server of the repo
  root (the handler of scripts/serve.py). pytest-playwright passes it to every
  context, so `page.goto("index.html")` works.
- `requests_log`: every request made by the test's browser context;
  `requests_log.assert_all_local()` fails listing those that did not go to 127.0.0.1.
- `page_errors`: uncaught page errors and console errors of the test's page;
  `page_errors.assert_none()`.

- `shared` (module): one booted page of the module (Pyodide takes seconds to start),
  `app`: that page back on micrograd's program at the start, checked after the test;
  `fresh`: a new page of its own (navigation tests), yields (page, watch).
  Helpers that drive the page are in pagetools.py.

Every test under tests/browser gets the `browser` marker (deselect with -m "not browser").
If no Chromium is found the tests are skipped, unless GRADSTEP_REQUIRE_BROWSER=1
(scripts/test.sh sets it) in which case they fail.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))  # (tests/helpers.py)

from chromium import CHROMIUM_ARGS, find_chromium  # noqa: E402
from serve import start_server  # noqa: E402

HERE = Path(__file__).resolve().parent
LOCAL_HOSTS = {"127.0.0.1"}
# Schemes that never touch the network.
LOCAL_SCHEMES = {"data", "blob", "about"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The site's service worker (sw.js) caches ~21 MB once the page is idle: only the
    # offline tests (test_offline.py, contexts of their own) want it.
    return {**browser_context_args, "service_workers": "block"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    exe = find_chromium()
    if exe is None:
        msg = (
            "no Chromium found (set GRADSTEP_CHROMIUM, or `apt-get install chromium`; "
            "`playwright install` does not work here)"
        )
        if os.environ.get("GRADSTEP_REQUIRE_BROWSER") == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    headless = browser_type_launch_args.get("headless", True)
    return {
        **browser_type_launch_args,
        "executable_path": exe,
        "args": (["--headless"] if headless else []) + CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def vendored():
    """Fail early with a useful message if scripts/setup.py has not been run."""
    missing = [p for p in ("web/vendor/pyodide/pyodide.mjs", "web/build/engine-files.json") if not (ROOT / p).is_file()]
    if missing:
        pytest.fail(f"{missing} missing: run `python3 scripts/setup.py` first")


@pytest.fixture(scope="session")
def static_server(vendored):
    server = start_server(0, ROOT, quiet=True)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def base_url(static_server):
    return f"http://127.0.0.1:{static_server.server_address[1]}/"


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS


class RequestLog(list):
    """(method, url, resource_type) of each request, in order."""

    def urls(self) -> list[str]:
        return [url for _, url, _ in self]

    def foreign(self) -> list[str]:
        return [url for url in self.urls() if not is_local(url)]

    def assert_all_local(self) -> None:
        foreign = self.foreign()
        assert not foreign, f"requests left 127.0.0.1: {foreign}"


@pytest.fixture
def requests_log(context) -> RequestLog:
    # On the context, so requests of popups and workers are seen too.
    log = RequestLog()
    context.on("request", lambda r: log.append((r.method, r.url, r.resource_type)))
    return log


class PageErrors(list):
    """Messages of uncaught page errors ("pageerror: ...") and console errors."""

    def assert_none(self) -> None:
        assert not self, "page reported errors:\n" + "\n".join(self)


@pytest.fixture
def page_errors(page) -> PageErrors:
    errors = PageErrors()
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))

    def on_console(msg):
        if msg.type == "error":
            loc = msg.location or {}
            errors.append(f"console.error: {msg.text} ({loc.get('url', '')})")

    page.on("console", on_console)
    return errors


@pytest.fixture(scope="module")
def shared(browser, base_url):
    """One booted page for the module's tests."""
    from pagetools import BOOT_MS, watch

    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800}, accept_downloads=True,
                                  service_workers="block")
    page = context.new_page()
    w = watch(context, page)
    page.goto("index.html")
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    page.wait_for_selector("body[data-editor]", state="attached", timeout=BOOT_MS)  # (the code editor in place)
    yield SimpleNamespace(page=page, watch=w)
    context.close()


@pytest.fixture
def app(shared):
    """The shared page, back on the micrograd program at the start (no practice, default nudge)."""
    from pagetools import MICROGRAD, T, load, settle

    page = shared.page
    page.keyboard.press("Escape")  # close a dialog or menu a failed test left open
    page.fill(T("nudge-rate"), "0.01")
    page.select_option(T("nudge-direction"), "descend")
    page.select_option(T("practice"), "off")
    settle(page)
    load(page, MICROGRAD)
    yield page
    shared.watch.check()


@pytest.fixture
def fresh(browser, base_url):
    """A new page of its own (for navigation tests); yields (page, watch)."""
    from pagetools import watch

    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800}, service_workers="block")
    page = context.new_page()
    w = watch(context, page)
    yield page, w
    w.check()
    context.close()
