#!/usr/bin/env python3
"""Bytes benchmark (not a test): what a visit downloads, in headless Chromium.

    python3 bench/bytes.py [--runs 1] [--gzip] [--site | --root DIR] [--json] [--save FILE]

Serves the repository as scripts/serve.py does (--gzip: gzipping what compresses, as
GitHub Pages does; --site: the folder scripts/site.py publishes instead of the checkout;
--root DIR: a folder made so before), then, N times, in a fresh browser profile (its own
user-data folder: an empty HTTP cache on disk and no service worker, as a first visit;
the service worker allowed):

  first visit   index.html, until
    (a) the first graph is drawn          (a value node, [data-node-id], on screen)
    (b) Python is ready                   (body[data-ready=true])
    (c) the site is cached for offline    (body[data-offline=ready]: the service worker,
                                           sw.js, registered once Python is ready and idle,
                                           has cached web/build/precache.js's files)
    (d) the lab's first use               (Gradient lab opened: its table, the paths
                                           (networkx) and the closed form (sympy))
  repeat visit  (e) index.html again in the same profile, to Python ready and the lab

What came over the network is counted where it is exact, at the server: every response
it wrote (status line, headers and body, encoded as sent: Chrome's "transferred"), with
the file's decoded size, and who asked by the request's Referer: the service worker (its
script, its list and its own fetches: the precache), the engine's worker (its script's
fetches and Pyodide's) or the page. (Chrome's DevTools protocol, as Playwright reads it,
misses the body of a module worker's script.) A response counts toward the first
milestone reached after it was sent; a 304 revalidation transfers only its headers.
Playwright's record of the browser context (requestfinished) adds the requests that never
reached the network: those the service worker answered from its cache.

Then the site's size on disk (what scripts/site.py publishes), by part, raw and as a gzip
server sends it. Bytes are deterministic; timings are not, and none is reported.
Run `python3 scripts/setup.py` first.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from chromium import launch_options  # noqa: E402
from serve import GZIP_TYPES, Handler, Server  # noqa: E402

# Runs in every page before its scripts: when each milestone was first seen (Date.now(),
# comparable with a request's end time).
PROBE = """
(() => {
  const t = (window.__gsBytes = {});
  const stamp = (k) => { if (!(k in t)) t[k] = Date.now(); };
  const check = () => {
    if (document.querySelector("[data-node-id]")) stamp("graph");
    const b = document.body;
    if (!b) return;
    if (b.dataset.ready === "true") stamp("ready");
    if (b.dataset.offline === "ready") stamp("offline");
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true});
})();
"""
LAB_TABLE = "#fd-rows tr"
LAB_PATHS = "#paths li, #paths ol"
LAB_CLOSED = "#closed-form:not([data-value=''])"
QUIET_S = 2.0  # no request finished for this long: the browser is done for now

MILESTONES = [
    ("graph", "(a) first graph drawn"),
    ("ready", "(b) Python ready"),
    ("offline", "(c) offline: SW precache done"),
    ("lab", "(d) lab's first use"),
]


def site_file(root: Path, path: str) -> Path:
    return root / ("index.html" if path in ("", "/") or path.endswith("/") else path)


# Who asked, by the request's Referer: the engine's worker fetches with its script as
# referrer, and its modules import Pyodide's; the service worker's fetches come from sw.js.
WORKER_REFERRERS = (
    "web/worker/engine-worker.js",
    "web/worker/engine-files.js",
    "web/worker/worker-packages.js",
    "web/vendor/pyodide/",
)


class Counting:
    """A handler's output, counted (the bytes of the response as sent)."""

    def __init__(self, raw, handler):
        self.raw = raw
        self.handler = handler

    def write(self, data):
        self.handler.sent += len(data)
        return self.raw.write(data)

    def __getattr__(self, name):
        return getattr(self.raw, name)


class LoggingHandler(Handler):
    """scripts/serve.py's handler, logging every response: its path, status, bytes sent."""

    log: list = []  # (set per server)
    log_lock = threading.Lock()

    def setup(self):
        super().setup()
        self.sent = 0
        self.wfile = Counting(self.wfile, self)

    def handle_one_request(self):
        self.sent = 0
        self.command = None
        super().handle_one_request()
        if not self.command:
            return
        path = urlsplit(self.path).path.lstrip("/")
        referrer = urlsplit(self.headers.get("Referer") or "").path.lstrip("/")
        if self.headers.get("Service-Worker") == "script" or referrer == "sw.js":
            by = "sw"
        elif referrer.startswith(WORKER_REFERRERS):
            by = "worker"
        else:
            by = "page"
        with self.log_lock:
            self.log.append(
                {
                    "path": path or "index.html",
                    "by": by,
                    "status": self.status,
                    "sent": self.sent,
                    "encoding": self.encoding,
                    "end": time.time() * 1000,
                }
            )

    def send_response(self, code, message=None):
        self.status = code
        self.encoding = ""
        super().send_response(code, message)

    def send_header(self, keyword, value):
        if keyword.lower() == "content-encoding":
            self.encoding = value
        super().send_header(keyword, value)


def start_logging_server(root: Path, gzip_on: bool) -> Server:
    cls = type("Handler", (LoggingHandler,), {"gzip_on": gzip_on, "log": []})
    server = Server(("127.0.0.1", 0), functools.partial(cls, directory=str(root)))
    server.quiet = True
    server.log = cls.log
    threading.Thread(target=server.serve_forever, name="gradstep-bytes-http", daemon=True).start()
    return server


class Recorder:
    """The browser's side: every request of a browser context that finished (or failed),
    whether the service worker answered it; and when the last one finished."""

    def __init__(self, context, base: str):
        self.rows: list[dict] = []
        self.base = urlsplit(base)
        self.last = time.monotonic()
        context.on("requestfinished", self.finished)
        context.on("requestfailed", self.failed)

    def path(self, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.netloc != self.base.netloc:
            return None
        return parts.path[len(self.base.path) :]

    def finished(self, request) -> None:
        self.last = time.monotonic()
        path = self.path(request.url)
        if path is None:
            if not request.url.startswith(("data:", "blob:")):
                self.rows.append({"path": request.url, "foreign": True, "end": time.time() * 1000})
            return
        response = request.response()
        timing = request.timing
        self.rows.append(
            {
                "path": path or "index.html",
                "from_sw": bool(response and response.from_service_worker),
                "by_sw": request.service_worker is not None,
                "end": timing["startTime"] + max(timing["responseEnd"], 0),
            }
        )

    def failed(self, request) -> None:
        self.last = time.monotonic()
        self.rows.append(
            {"path": self.path(request.url) or request.url, "failed": request.failure, "end": time.time() * 1000}
        )

    def quiet(self, page, limit_s: float = 120) -> None:
        """Wait until no request has finished for QUIET_S (at most limit_s)."""
        start = time.monotonic()
        while time.monotonic() - self.last < QUIET_S and time.monotonic() - start < limit_s:
            page.wait_for_timeout(250)


def use_lab(page, timeout_ms: int) -> list[str]:
    """Open the gradient lab and wait for its table, paths and closed form; what did not come."""
    missing = []
    page.click("[data-testid=lab-open]")
    for name, sel in (("table", LAB_TABLE), ("paths", LAB_PATHS), ("closed form", LAB_CLOSED)):
        try:
            page.wait_for_selector(sel, state="attached", timeout=timeout_ms)
        except Exception:
            missing.append(name)
    page.wait_for_selector("body:not([data-busy])", state="attached", timeout=timeout_ms)
    return missing


def one_run(pw, opts: dict, server, base: str, root: Path, timeout_ms: int) -> dict:
    server.log.clear()
    with tempfile.TemporaryDirectory(prefix="gradstep-bytes-") as profile:
        context = pw.chromium.launch_persistent_context(
            profile, **opts, viewport={"width": 1280, "height": 800}, service_workers="allow"
        )
        try:
            context.add_init_script(PROBE)
            rec = Recorder(context, base)
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(base + "index.html")
            page.wait_for_selector("[data-node-id]", state="attached", timeout=timeout_ms)
            page.wait_for_selector("body[data-ready=true]", timeout=timeout_ms)
            page.wait_for_selector("body[data-offline=ready]", state="attached", timeout=timeout_ms)
            rec.quiet(page)
            cut = page.evaluate("window.__gsBytes")
            cut["offline"] = page.evaluate("Date.now()")  # (the precache done: ready, then quiet)
            lab_missing = use_lab(page, timeout_ms)
            rec.quiet(page)
            cut["lab"] = page.evaluate("Date.now()")
            boot = worker_boot(page)
            page.close()

            page = context.new_page()
            page.goto(base + "index.html")
            page.wait_for_selector("body[data-ready=true]", timeout=timeout_ms)
            page.wait_for_selector("body[data-offline=ready]", state="attached", timeout=timeout_ms)
            repeat_lab_missing = use_lab(page, timeout_ms)
            rec.quiet(page)
            repeat_boot = worker_boot(page)
            page.close()
        finally:
            context.close()
    with LoggingHandler.log_lock:
        sent = list(server.log)
    for r in sent:
        file = site_file(root, r["path"])
        r["decoded"] = file.stat().st_size if r["status"] == 200 and file.is_file() else 0
        if r["status"] == 200 and r["path"] == "web/build/precache.js" and root == ROOT:  # (made live by serve.py)
            from setup import precache_js

            r["decoded"] = len(precache_js(ROOT).encode())
    return summarize_run(
        sent,
        rec.rows,
        cut,
        {
            "boot": boot and boot.get("how"),
            "boot_reason": boot and boot.get("reason"),
            "repeat_boot": repeat_boot and repeat_boot.get("how"),
            "lab_missing": lab_missing,
            "repeat_lab_missing": repeat_lab_missing,
        },
    )


def worker_boot(page) -> dict | None:
    """How the page's engine worker started ({how, reason, ms}: self.gradstepBoot)."""
    return next((w.evaluate("self.gradstepBoot") for w in page.workers if w.url.endswith("engine-worker.js")), None)


def segment(sent: list[dict], seen: list[dict]) -> dict:
    """Figures of the responses sent (network) and the requests seen (browser) of a stretch."""
    biggest = sorted(sent, key=lambda r: -r["sent"])[:4]
    by = {}
    for r in sent:
        b = by.setdefault(r["by"], {"requests": 0, "transferred": 0})
        b["requests"] += 1
        b["transferred"] += r["sent"]
    return {
        "requests": len([r for r in seen if "failed" not in r and not r.get("foreign")]),
        "from_sw": sum(bool(r.get("from_sw")) for r in seen),
        "network_requests": len(sent),
        "revalidated": sum(r["status"] == 304 for r in sent),
        "transferred": sum(r["sent"] for r in sent),
        "decoded": sum(r["decoded"] for r in sent),
        "by": by,
        "biggest": [[r["path"], r["sent"]] for r in biggest],
        "failed": [r["path"] for r in seen if "failed" in r],
        "foreign": [r["path"] for r in seen if r.get("foreign")],
    }


def summarize_run(sent: list[dict], seen: list[dict], cut: dict, info: dict) -> dict:
    """The responses and requests in stretches: up to each milestone of the first visit, the
    service worker's, the repeat visit's (all after the lab's first use)."""
    out = {"milestones": {}, "info": info, "sent": sent}
    before = float("-inf")
    for key, _ in MILESTONES:
        t = cut.get(key, before)
        out["milestones"][key] = segment(
            [r for r in sent if before < r["end"] <= t], [r for r in seen if before < r["end"] <= t]
        )
        before = max(before, t)
    lab = cut["lab"]
    first = [r for r in sent if r["end"] <= lab]
    out["first_visit"] = segment(first, [r for r in seen if r["end"] <= lab])
    out["sw_precache"] = segment(
        [r for r in first if r["by"] == "sw"], [r for r in seen if r["end"] <= lab and r.get("by_sw")]
    )
    out["repeat"] = segment([r for r in sent if r["end"] > lab], [r for r in seen if r["end"] > lab])
    return out


def compressible(path: Path) -> bool:
    ctype = Handler.extensions_map.get(path.suffix) or ""
    return ctype.startswith(GZIP_TYPES)


def site_module():
    """scripts/site.py (loaded by its path: `import site` is the standard library's)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("gradstep_site", ROOT / "scripts/site.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def site_size() -> dict:
    """What scripts/site.py publishes, by part: files, bytes, bytes as a gzip server sends them."""
    mod = site_module()
    parts = {}
    with tempfile.TemporaryDirectory(prefix="gradstep-site-") as tmp:
        out = Path(tmp) / "site"
        for rel in mod.build(out):
            p = out / rel
            r = rel.as_posix()
            if r.startswith("web/vendor/pyodide/"):
                part = "Pyodide (web/vendor/pyodide)"
            elif r.startswith("web/vendor/wheels/"):
                part = "lab packages (web/vendor/wheels)"
            elif r.startswith("web/build/pyodide-snapshot"):
                part = "memory snapshot (web/build/pyodide-snapshot.*)"
            elif r.startswith("web/build/"):
                part = "page data (web/build: scenes, lists)"
            elif r.startswith("engine/") or r == "web/worker/worker.py":
                part = "engine Python (engine/, worker.py)"
            else:
                part = "our JS/CSS/HTML (index.html, sw.js, web/)"
            data = p.read_bytes()
            row = parts.setdefault(part, {"files": 0, "bytes": 0, "gzip": 0, "largest": ["", 0]})
            row["files"] += 1
            row["bytes"] += len(data)
            row["gzip"] += len(gzip.compress(data, 6)) if compressible(p) else len(data)
            if len(data) > row["largest"][1]:
                row["largest"] = [r, len(data)]
    order = sorted(parts, key=lambda k: -parts[k]["bytes"])
    total = {k: sum(parts[p][k] for p in parts) for k in ("files", "bytes", "gzip")}
    return {"parts": {k: parts[k] for k in order}, "total": total}


def mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


def short(path: str) -> str:
    return path.rsplit("/", 1)[-1] or path


def median_segment(runs: list[dict], pick) -> dict:
    segs = [pick(r) for r in runs]
    out = {
        k: statistics.median(s[k] for s in segs)
        for k in ("requests", "from_sw", "network_requests", "revalidated", "transferred", "decoded")
    }
    out["biggest"] = segs[0]["biggest"]
    out["by"] = segs[0]["by"]
    out["failed"] = segs[0]["failed"]
    return out


def print_report(results: dict) -> None:
    runs = results["runs"]
    print(
        f"\nserver: {results['server']}; {len(runs)} fresh profile(s), medians; transferred = what the "
        "server sent (headers and body, encoded)"
    )
    head = (
        f"  {'':32} {'reqs':>4} {'net':>4} {'304':>4} {'transferred':>11} {'page':>9} {'worker':>9} "
        f"{'SW':>9} {'decoded':>9} {'cumulative':>10}  biggest (transferred)"
    )
    print(head)
    print("  " + "-" * (len(head) + 8))

    def line(label: str, s: dict, cumulative: float | None = None) -> None:
        by = {k: s["by"].get(k, {}).get("transferred", 0) for k in ("page", "worker", "sw")}
        big = ", ".join(f"{short(p)} {mb(n)}" for p, n in s["biggest"][:3])
        cum = "" if cumulative is None else mb(cumulative)
        print(
            f"  {label:32} {s['requests']:>4.0f} {s['network_requests']:>4.0f} {s['revalidated']:>4.0f} "
            f"{mb(s['transferred']):>11} {mb(by['page']):>9} {mb(by['worker']):>9} {mb(by['sw']):>9} "
            f"{mb(s['decoded']):>9} {cum:>10}  {big}"
        )

    cumulative = 0
    for key, label in MILESTONES:
        s = median_segment(runs, lambda r, k=key: r["milestones"][k])
        cumulative += s["transferred"]
        line(label, s, cumulative)
    line("first visit, in all", median_segment(runs, lambda r: r["first_visit"]))
    line("  of it, the service worker's", median_segment(runs, lambda r: r["sw_precache"]))
    line("(e) repeat visit, same profile", median_segment(runs, lambda r: r["repeat"]))
    print(
        "  reqs: requests the browser made (page, engine worker, service worker; those the service worker\n"
        "  answered from its cache included); net: responses the server sent; 304: revalidations among them\n"
        "  (headers only); page / worker / SW: who asked; decoded: the files' own size. A request counts for\n"
        "  the first milestone after it ended: what runs in parallel (the worker's downloads while the page\n"
        "  draws) falls on either side of (a) from one run to the next; the page's own column does not."
    )
    for k, r in enumerate(runs):
        info = r["info"]
        notes = []
        if info["boot"] != "snapshot":
            notes.append(f"booted {info['boot']} ({info['boot_reason']})")
        if info["lab_missing"] or info["repeat_lab_missing"]:
            notes.append(f"lab never showed {info['lab_missing'] or info['repeat_lab_missing']}")
        fails = r["first_visit"]["failed"] + r["repeat"]["failed"]
        if fails:
            notes.append(f"failed requests {sorted(set(fails))}")
        foreign = r["first_visit"]["foreign"] + r["repeat"]["foreign"]
        if foreign:
            notes.append(f"requests off the site {foreign}")
        print(
            f"  run {k + 1}: first visit {mb(r['first_visit']['transferred'])} in "
            f"{r['first_visit']['network_requests']} responses, repeat visit {mb(r['repeat']['transferred'])}"
            + (f"; {'; '.join(notes)}" if notes else "")
        )

    site = results.get("site")
    if site:
        print(
            f"\nthe site on disk (what scripts/site.py publishes): {site['total']['files']} files, "
            f"{mb(site['total']['bytes'])}; {mb(site['total']['gzip'])} as a gzip server sends them"
        )
        for name, p in site["parts"].items():
            print(
                f"  {name:48} {p['files']:>4} files {mb(p['bytes']):>10} {mb(p['gzip']):>10} gzip   "
                f"largest {short(p['largest'][0])} {mb(p['largest'][1])}"
            )


def main() -> int:
    ap = argparse.ArgumentParser(description="What a first and a repeat visit download, by milestone.")
    ap.add_argument("--runs", type=int, default=1, help="fresh profiles (default 1: bytes are deterministic)")
    ap.add_argument("--gzip", action="store_true", help="serve with gzip for what compresses, as GitHub Pages does")
    ap.add_argument("--site", action="store_true", help="serve what scripts/site.py publishes, not the checkout")
    ap.add_argument("--root", type=Path, help="serve this folder (a site scripts/site.py made), not the checkout")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per wait (default 300)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON (with every request)")
    ap.add_argument("--save", type=Path, help="also write the results as JSON to this file")
    ap.add_argument("--no-size", action="store_true", help="skip the site's size on disk")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="gradstep-published-") as tmp:
        root = args.root.resolve() if args.root else ROOT
        if args.site:
            root = Path(tmp) / "site"
            site_module().build(root)
        if not (ROOT / "web/vendor/pyodide/pyodide.mjs").is_file():
            print("bench: web/vendor missing; run `python3 scripts/setup.py` first", file=sys.stderr)
            return 1
        opts = launch_options()
        if opts["executable_path"] is None:
            print("bench: no Chromium found (apt-get install chromium, or GRADSTEP_CHROMIUM)", file=sys.stderr)
            return 1
        server = start_logging_server(root, args.gzip)
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        what = "the published site" if args.site else str(root) if args.root else "the checkout"
        results = {
            "server": ("gzip (as GitHub Pages)" if args.gzip else "identity (no compression)") + f", {what}",
            "runs": [],
        }
        try:
            with sync_playwright() as pw:
                for k in range(args.runs):
                    results["runs"].append(one_run(pw, opts, server, base, root, int(args.timeout * 1000)))
                    if not args.json:
                        print(f"run {k + 1}/{args.runs} done", file=sys.stderr, flush=True)
        finally:
            server.shutdown()
            server.server_close()
    if not args.no_size:
        results["site"] = site_size()
    if args.save:
        args.save.write_text(json.dumps(results, indent=1))
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        print_report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
