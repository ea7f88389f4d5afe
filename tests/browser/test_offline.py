"""Start-up from the Pyodide memory snapshot, and the site offline (issue 16).

- the worker starts from web/build/pyodide-snapshot.bin.gz and answers as a normal start does;
- a missing, damaged or foreign snapshot falls back to a normal start, silently;
- `random` differs between two starts from the same snapshot;
- Stop's fresh worker starts from the snapshot too;
- after one visit the page opens and works with the network off (the service worker, sw.js);
- every file the page fetches is in set-up's list (web/build/precache.js);
- a repeat visit's page files come from the cache by the service worker's static routes;
- a new version of the site replaces the old cache.

How the worker started is on the worker (`self.gradstepBoot`: {how, reason, ms}), read
with Playwright's worker.evaluate.
"""

from __future__ import annotations

import gzip
import json
import re
import struct
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pagetools import BOOT_MS, MICROGRAD, T, click, load, settle, snap, watch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from serve import start_server  # noqa: E402
from setup import precache_js, precache_manifest  # noqa: E402

SNAPSHOT = "**/web/build/pyodide-snapshot.bin.gz"
RECORD = ROOT / "web/build/pyodide-snapshot.json"
PROGRAM = "a = 1.5\nb = -0.5\nc = tanh(a * b + exp(b))\nd = c * c + log(a)\n"


@pytest.fixture(scope="module")
def snapshot_current():
    """The snapshot of the engine files as they are now (set-up makes it; a no-op when current)."""
    proc = subprocess.run([sys.executable, str(ROOT / "scripts/setup.py")], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert RECORD.is_file()


def boot_of(page) -> dict:
    """How the page's engine worker started ({how, reason, ms})."""
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    workers = [w for w in page.workers if w.url.endswith("/engine-worker.js")]
    assert workers, [w.url for w in page.workers]
    return workers[-1].evaluate("self.gradstepBoot")


def python_in(page, code: str) -> str:
    workers = [w for w in page.workers if w.url.endswith("/engine-worker.js")]
    return workers[-1].evaluate("(code) => String(self.gradstepPyodide.runPython(code))", code)


def results(page) -> dict:
    """What Python computes for one program, the lab's table and a short training run."""
    call = "([m, a]) => window.gradstep.call(m, a)"
    loaded = page.evaluate(call, ["load", {"text": PROGRAM, "version": 7}])
    assert loaded["ok"], loaded
    lab = page.evaluate(call, ["lab", {"view": "compare", "version": 7}])
    assert lab["ok"], lab
    page.evaluate(call, ["train", {"action": "new", "settings": {}}])
    trained = page.evaluate(call, ["train", {"action": "step", "steps": 15}])
    assert trained["ok"], trained
    tl = loaded["scene"]["timeline"]
    return {"values": tl["values"], "grads": tl["grads"], "lab": lab, "losses": trained.get("losses")}


def new_page(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    return context, page, watch(context, page)


def test_a_record_of_another_length_falls_back_before_python_restores_anything(browser, base_url, snapshot_current):
    # The gzip file is gunzipped straight into an array of the record's length, while Pyodide
    # instantiates: a file that does not fill it exactly is refused, and Python starts normally.
    record = json.loads(RECORD.read_text())
    context, page, w = new_page(browser, base_url)
    context.route("**/web/build/pyodide-snapshot.json",
                  lambda route: route.fulfill(status=200, json={**record, "bytes": record["bytes"] + 4096}))
    page.goto("index.html")
    starts_normally_and_works(page, w, f"not {record['bytes'] + 4096}")
    context.close()


def test_a_snapshot_download_that_never_comes_is_given_up(browser, base_url, snapshot_current):
    # A server that never answers for the snapshot: after 10 s with no byte the worker drops it
    # and starts Python the normal way, rather than wait for ever.
    context, page, w = new_page(browser, base_url)
    context.route(SNAPSHOT, lambda route: None)  # (never answered)
    page.goto("index.html")
    # (the status says how far the start has got meanwhile, never going back)
    page.wait_for_function("document.getElementById('engine-status').textContent.includes('Starting Python: ')")
    starts_normally_and_works(page, w, "stalled")
    context.close()


def starts_normally_and_works(page, w, why: str):
    """Python started the normal way, for `why`, and the page steps a program, with no error."""
    boot = boot_of(page)
    assert boot["how"] == "normal" and why in boot["reason"], boot
    load(page, MICROGRAD)
    click(page, "forward-all")
    assert snap(page)["state"]["phase"] == "forward-done"
    w.check()


def test_starts_from_the_snapshot_with_a_normal_starts_results(browser, base_url, snapshot_current):
    context, page, w = new_page(browser, base_url)
    page.goto("index.html")
    boot = boot_of(page)
    assert boot["how"] == "snapshot", boot
    from_snapshot = results(page)
    w.check()
    context.close()

    context, page, w = new_page(browser, base_url)
    context.route(SNAPSHOT, lambda route: route.fulfill(status=404, body="gone"))
    page.goto("index.html")
    boot = boot_of(page)
    assert boot["how"] == "normal" and "404" in boot["reason"], boot
    assert results(page) == from_snapshot
    context.close()


def test_the_worker_starts_before_the_pages_modules_and_the_page_adopts_it(browser, base_url, snapshot_current):
    context, page, w = new_page(browser, base_url)
    # when app.js (the page's first module) arrives, and whether the worker was already there
    page.add_init_script("""document.addEventListener("readystatechange", () => {
        if (document.readyState === "interactive") window.__earlyAtInteractive = !!window.gradstepEarlyWorker;
    });""")
    page.goto("index.html")
    boot = boot_of(page)
    assert boot["how"] == "snapshot", boot
    assert page.evaluate("window.__earlyAtInteractive") is True  # made by index.html's inline script
    assert page.evaluate("window.gradstepEarlyWorker") is None  # adopted by the bridge
    assert len([x for x in page.workers if x.url.endswith("/engine-worker.js")]) == 1  # and no second one
    # what it said before the bridge was there reached the page: "boot" phases, then "ready"
    assert page.evaluate("window.gradstep.snapshot().ready") is True
    results(page)  # and it answers
    w.check()
    context.close()


# The kept snapshot's files in the origin's private file system (web/worker/engine-worker.js).
RAW = """navigator.storage.getDirectory().then(async (root) => {
    const names = []; for await (const n of root.keys()) if (n.startsWith('gradstep-snapshot-')) names.push(n);
    return names; })"""


def eventually(page, js: str, check) -> object:
    """`js`'s value (a promise's, awaited) once `check` holds of it, polled for up to BOOT_MS."""
    deadline = time.monotonic() + BOOT_MS / 1000
    while not check(value := page.evaluate(js)) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert check(value), value
    return value


def test_a_later_start_reads_the_kept_gunzipped_snapshot_and_a_bad_copy_is_dropped(browser, base_url,
                                                                                    snapshot_current):
    context, page, w = new_page(browser, base_url)
    page.goto("index.html")
    first = boot_of(page)
    assert first["how"] == "snapshot" and not first.get("raw") and first.get("read") is True, first
    # where an earlier version kept it (Cache Storage, 31 MB): removed when the new copy is kept
    page.evaluate("caches.open('gradstep.snapshot').then((c) => c.put('legacy', new Response('x')))")
    want = results(page)
    kept = eventually(page, RAW, lambda keys: len(keys) == 1)  # kept, a few seconds after ready
    eventually(page, "caches.keys()", lambda names: "gradstep.snapshot" not in names)
    record = json.loads(RECORD.read_text())
    assert kept == [f"gradstep-snapshot-{record['pyodide']}-{record['engine_hash']}"]
    # the next start (a reload, or Stop's fresh worker) reads it, with the same results
    page.reload()
    again = boot_of(page)
    assert again["how"] == "snapshot" and again.get("raw") is True, again
    assert not again.get("read"), again  # (the gzip file asked for, but its body never read)
    assert results(page) == want
    # a damaged copy: a normal start, and the copy is gone
    page.evaluate("""async (name) => { const root = await navigator.storage.getDirectory();
        const w = await (await root.getFileHandle(name)).createWritable();
        await w.write(new Uint8Array(1000)); await w.close(); }""", kept[0])
    page.reload()
    bad = boot_of(page)
    assert bad["how"] == "normal" and bad.get("raw") is True, bad
    assert results(page) == want
    eventually(page, RAW, lambda names: names == [])
    w.check()
    context.close()


def _damaged(route):
    data = bytearray(route.fetch().body())
    for k in range(len(data) // 2, len(data) // 2 + 64):
        data[k] ^= 0x5A
    route.fulfill(status=200, body=bytes(data), headers={"Content-Type": "application/gzip"})


def _other_build(route):
    raw = bytearray(gzip.decompress(route.fetch().body()))
    # (stored sparse, web/worker/engine-files.js: three words, the kept pages' numbers, then the
    # pages; page 0, the first, starts with the snapshot's header)
    magic, _length, n, first = struct.unpack_from("<4I", raw)
    assert magic == 0x50535347 and first == 0, (hex(magic), first)
    at = 4 * (3 + n)
    raw[at + 16:at + 48] = bytes(32)  # the build id in the snapshot's header (pyodide's src/js/snapshot.ts)
    route.fulfill(status=200, body=gzip.compress(bytes(raw), 1), headers={"Content-Type": "application/gzip"})


def _truncated(route):
    route.fulfill(status=200, body=route.fetch().body()[:100_000], headers={"Content-Type": "application/gzip"})


@pytest.mark.parametrize(
    "handler, why",
    [
        (lambda route: route.fulfill(status=404, body=""), "404"),
        (_damaged, ""),
        (_truncated, ""),
        (_other_build, "build id"),
    ],
    ids=["missing", "damaged", "truncated", "other-build"],
)
def test_a_bad_snapshot_falls_back_to_a_normal_start(browser, base_url, snapshot_current, handler, why):
    context, page, w = new_page(browser, base_url)
    context.route(SNAPSHOT, handler)
    page.goto("index.html")
    starts_normally_and_works(page, w, why)
    click(page, "backward-all")
    assert snap(page)["state"]["phase"] == "backward-done"
    click(page, "nudge")
    assert snap(page)["state"]["nudges"], snap(page)["state"]
    w.check()
    context.close()


def test_a_snapshot_of_other_engine_files_is_not_used(browser, base_url, snapshot_current):
    record = json.loads(RECORD.read_text())
    record["engine_hash"] = "0" * 64
    context, page, w = new_page(browser, base_url)
    context.route("**/web/build/pyodide-snapshot.json", lambda route: route.fulfill(json=record))
    page.goto("index.html")
    boot = boot_of(page)
    assert boot["how"] == "normal" and "other engine files" in boot["reason"], boot
    w.check()
    context.close()


def test_random_differs_between_two_starts_from_the_snapshot(browser, base_url, snapshot_current):
    draws = []
    for _ in range(2):
        context, page, w = new_page(browser, base_url)
        page.goto("index.html")
        assert boot_of(page)["how"] == "snapshot"
        draws.append(python_in(page, "import random\nrandom.getrandbits(64)"))
        context.close()
    assert draws[0] != draws[1]


def test_stop_starts_the_fresh_worker_from_the_snapshot(browser, base_url, snapshot_current):
    context, page, w = new_page(browser, base_url)
    page.goto("index.html")
    assert boot_of(page)["how"] == "snapshot"
    runaway = "x = 1.0\n" + "".join(f"x{k} = x{k - 1 if k > 1 else ''} * 1.0001 + 0.5\n" for k in range(1, 60_000))
    page.eval_on_selector(T("program"), "(e, t) => { e.value = t; e.dispatchEvent(new Event('input')); }", runaway)
    page.click(T("run"))
    page.wait_for_selector(f"{T('work')}:not([hidden])", timeout=10_000)
    page.click(T("stop"))
    page.wait_for_function("document.body.dataset.ready === 'false'", timeout=10_000)
    boot = boot_of(page)
    assert boot["how"] == "snapshot", boot
    settle(page)
    reply = page.evaluate("window.gradstep.call('load', {text: 'a = 2.0\\nb = a * a\\n', version: 9})")
    assert reply["ok"], reply
    w.check()
    context.close()


def site_paths(urls, base_url) -> set[str]:
    """The paths (from the site's root) of the requests that went to the site."""
    root = urlsplit(base_url)
    out = set()
    for url in urls:
        parts = urlsplit(url)
        if parts.netloc == root.netloc:
            out.add(parts.path[len(root.path):])
    return out


def test_offline_after_one_visit_and_every_fetched_file_is_listed(browser, base_url, snapshot_current):
    context, page, w = new_page(browser, base_url)
    page.goto("index.html")
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    page.wait_for_selector("body[data-offline=ready]", timeout=BOOT_MS)
    # What a first visit uses: steps, the lab (sympy's closed form, networkx's paths), training.
    versions = page.evaluate("window.gradstep.call('packages', {names: ['sympy', 'networkx']})")
    assert versions["ok"], versions
    first = results(page)

    manifest = precache_manifest()
    listed = set(manifest["files"]) | set(manifest["lazy"]) | {"", "sw.js", "web/build/precache.js"}
    fetched = site_paths(w.requests, base_url)
    assert fetched - listed == set(), "fetched but not in web/build/precache.js"

    context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    assert boot_of(page)["how"] == "snapshot"
    load(page, MICROGRAD)
    click(page, "forward-step")
    click(page, "backward-all")
    click(page, "nudge")
    assert snap(page)["state"]["nudges"]
    assert results(page) == first
    again = page.evaluate("window.gradstep.call('packages', {names: ['sympy', 'networkx']})")
    assert again == versions
    closed = page.evaluate("window.gradstep.call('lab', {view: 'closed_form', leaf: 0, version: 7})")
    assert closed["ok"], closed
    # The page opened, ran and stepped without the network: nothing failed to load.
    assert not [e for e in w.errors if "net::" in e or "Failed to fetch" in e], w.errors
    context.set_offline(False)
    context.close()


def test_a_repeat_visit_reads_the_pages_files_from_the_cache_without_the_fetch_event(browser, base_url,
                                                                                    snapshot_current):
    """sw.js's static routes: the browser answers the page's files (modules, style sheets, data)
    from this version's cache itself; index.html still goes through the fetch event."""
    context, page, _ = new_page(browser, base_url)
    page.goto("index.html")
    page.wait_for_selector("body[data-offline=ready]", timeout=BOOT_MS)
    cdp = context.new_cdp_session(page)
    seen = {}
    cdp.on("Network.responseReceived",
           lambda p: seen.setdefault(urlsplit(p["response"]["url"]).path, p["response"].get("serviceWorkerRouterInfo")))
    cdp.send("Network.enable")
    page.reload()
    page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
    page.wait_for_selector("body[data-editor]", state="attached", timeout=BOOT_MS)
    root = urlsplit(base_url).path
    files = {root + f for f in precache_manifest()["files"]}
    routed = {path: info for path, info in seen.items() if path in files and not path.endswith("/index.html")}
    assert {root + "web/page/app.js", root + "web/page/style.css", root + "web/build/default-scene.json",
            root + "web/build/codemirror.js"} <= set(routed)
    assert all(info and info.get("actualSourceType") == "cache" for info in routed.values()), routed
    assert (seen.get(root + "index.html") or {}).get("actualSourceType") != "cache"  # (the fetch event's)
    context.close()


def test_a_new_version_of_the_site_replaces_the_old_cache(browser, tmp_path, snapshot_current):
    site = tmp_path / "site"
    subprocess.run([sys.executable, str(ROOT / "scripts/site.py"), str(site)], check=True, capture_output=True)
    server = start_server(0, site, quiet=True)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        context, page, w = new_page(browser, base)
        page.goto("index.html")
        page.wait_for_selector("body[data-offline=ready]", timeout=BOOT_MS)
        # (the service worker's caches; the engine worker keeps the gunzipped snapshot in OPFS)
        keys = "caches.keys().then((ks) => ks.filter((k) => k.startsWith('gradstep-')))"
        old = page.evaluate(keys)
        assert old == ["gradstep-" + precache_manifest(site)["version"]]

        index = site / "index.html"
        index.write_text(index.read_text().replace("<title>", "<title>v2 "))
        (site / "web/build/precache.js").write_text(precache_js(site))
        new = "gradstep-" + precache_manifest(site)["version"]
        assert [new] != old
        page.reload()  # the browser finds the new list and caches it in the background
        eventually(page, keys, lambda names: names == [new])  # the old version's cache is gone
        page.reload()
        assert page.title().startswith("v2 ")
        context.close()
    finally:
        server.shutdown()
        server.server_close()


def test_the_snapshot_record_matches_its_file(snapshot_current):
    record = json.loads(RECORD.read_text())
    data = (ROOT / "web/build/pyodide-snapshot.bin.gz").read_bytes()
    assert len(data) == record["gzip_bytes"]
    assert re.fullmatch(r"[0-9a-f]{64}", record["build_id"])
    assert record["pyodide"] == json.loads((ROOT / "web/vendor/pyodide/package.json").read_text())["version"]
