#!/usr/bin/env python3
"""Boot-time benchmark (not a test): Python ready on the page, in headless Chromium.

    python3 bench/boot.py [-n 5] [--throttle 1,4] [--network 40,50] [--json] [--no-node]

Serves the repo on 127.0.0.1, then N times, for each CPU slow-down (Chromium's
Emulation.setCPUThrottlingRate over the DevTools protocol; 4 is a phone), each in a
fresh browser profile (cold HTTP cache, no service worker: a first visit):
  bare      tests/browser/fixtures/bare-pyodide.html, Pyodide alone: the floor, the baseline
  normal    index.html with the snapshot refused (404): the worker's normal start
  snapshot  index.html, a first visit: the worker starts from set-up's memory snapshot
  repeat    index.html again in the same profile, once the service worker holds the site and
            the engine worker has kept its snapshot (OPFS)
and prints the medians of: the first graph drawn, the first Forward step shown (Forward
pressed the moment it can be: the status leaves "start"), Python ready (`body[data-ready=true]`:
the engine's hand-over done and the code editor in place, each also printed), ready / bare,
the longest main-thread task until ready (PerformanceObserver "longtask"),
the bytes that came over the network before ready, and, for the repeat visit, how many
of the site's requests were not answered by the service worker. Times are ms from
navigation start, measured in the page. Then, unless --no-node, the same starts under
node (bench/pyodide_snapshot.mjs). Run `python3 scripts/setup.py` first.

--network LATENCY_MS,MBIT also slows the network as a learner's would be (Chromium's
Network.emulateNetworkConditions: that round-trip latency added to each request, and that
bandwidth down and up); the default is this machine's loopback, with neither.

The CPU slow-down applies to the page's thread; whether Chromium also slows a dedicated
worker with it is not documented, so the throttled figures are a lower bound on a phone's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import harness  # noqa: E402

# Runs before any page script: when the first value node appears, when body gets
# data-ready="true" (ms since navigation start), and the longest task before that.
PROBE = """
window.__gsBench = {firstNode: null, ready: null, longest: 0, forwardClick: null, forwardShown: null, editor: null};
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (window.__gsBench.ready === null) window.__gsBench.longest = Math.max(window.__gsBench.longest, e.duration);
    }
  }).observe({type: "longtask", buffered: true});
} catch (e) {}
new MutationObserver((_, obs) => {
  const b = window.__gsBench, t = performance.now();
  if (b.firstNode === null && document.querySelector("[data-node-id]")) b.firstNode = t;
  if (b.editor === null && document.body && document.body.dataset.editor) b.editor = t;
  if (b.ready === null && document.body && document.body.dataset.ready === "true") b.ready = t;
  // a learner who presses Forward the moment it can be pressed: when is the step shown?
  const fwd = document.querySelector("[data-testid=forward-step]");
  if (b.forwardClick === null && b.firstNode !== null && fwd && !fwd.disabled) {
    b.forwardClick = t;
    setTimeout(() => fwd.click(), 0);
  }
  const phase = document.querySelector("[data-testid=status]")?.dataset.phase;
  if (b.forwardShown === null && b.forwardClick !== null && phase && phase !== "start") b.forwardShown = t;
  if (b.ready !== null && b.firstNode !== null && (b.forwardShown !== null || !fwd)) obs.disconnect();
}).observe(document, {subtree: true, childList: true, attributes: true});
"""
SNAPSHOT = "**/web/build/pyodide-snapshot.bin.gz"
# The browser's own check for a new version of the service worker (not the page's files).
SW_CHECK = ("sw.js", "web/build/precache.js")


class Visit:
    """One page load in `context`: its probe's figures, bytes and requests off the network."""

    def __init__(self, context, base: str, path: str, throttle: float, timeout_ms: int, wait_offline=False,
                 network: tuple[float, float] | None = None):
        self.bytes = 0
        self.network = []
        site = urlsplit(base).netloc

        def on_response(response):
            if response.from_service_worker:
                return
            parts = urlsplit(response.url)
            if parts.netloc != site:
                return
            self.network.append(parts.path.lstrip("/"))
            self.bytes += int(response.headers.get("content-length") or 0)

        context.on("response", on_response)
        page = context.new_page()
        if throttle != 1 or network:
            cdp = context.new_cdp_session(page)
            if throttle != 1:
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
            if network:
                harness.slow_network(cdp, network)
        page.add_init_script(PROBE)
        page.goto(base + path)
        page.wait_for_selector("body[data-ready=true]", timeout=timeout_ms)
        self.probe = page.evaluate("window.__gsBench")
        # (ready waits for both: Python's hand-over done, and the code editor in place)
        self.probe["pythonUp"] = page.evaluate(
            "performance.getEntriesByName('gradstep:python-ready')[0]?.startTime ?? null")
        self.boot = next(
            (w.evaluate("self.gradstepBoot") for w in page.workers if w.url.endswith("engine-worker.js")), None
        )
        context.remove_listener("response", on_response)
        if wait_offline:
            page.wait_for_selector("body[data-offline=ready]", timeout=timeout_ms)
            # and the worker's kept snapshot (written a few seconds after ready), as a learner's
            # first visit would leave it
            # (polled from here: wait_for_function does not await a promise's value)
            deadline = time.monotonic() + timeout_ms / 1000
            while not page.evaluate(KEPT_JS) and time.monotonic() < deadline:
                time.sleep(0.25)
        page.close()

    def row(self) -> dict:
        site = [p for p in self.network if p not in SW_CHECK]
        return {**self.probe, "bytes": self.bytes, "network_requests": len(site),
                "how": self.boot and self.boot["how"] + (" (kept copy)" if self.boot.get("raw") else ""),
                "worker_ms": (self.boot or {}).get("ms", {})}


def median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(ms: float | None) -> str:
    return "n/a" if ms is None else f"{ms / 1000:.2f} s"


# Whether the engine worker has kept its snapshot in OPFS (web/worker/engine-worker.js); a
# browser without OPFS keeps none, and the repeat visit then reads the gzip file.
KEPT_JS = """async () => {
  try {
    const root = await navigator.storage.getDirectory();
    for await (const n of root.keys()) if (n.startsWith('gradstep-snapshot-')) return true;
    return false;
  } catch (e) { return true; }
}"""


def run_once(browser, base: str, page_path: str, throttle: float, timeout_ms: int, network=None) -> dict:
    out = {}
    context = browser.new_context()
    out["bare"] = Visit(context, base, "tests/browser/fixtures/bare-pyodide.html", throttle, timeout_ms,
                        network=network).row()
    context.close()

    context = browser.new_context()
    context.route(SNAPSHOT, lambda route: route.fulfill(status=404, body=""))
    out["normal"] = Visit(context, base, page_path, throttle, timeout_ms, network=network).row()
    context.close()

    context = browser.new_context()
    out["snapshot"] = Visit(context, base, page_path, throttle, timeout_ms, wait_offline=True, network=network).row()
    out["repeat"] = Visit(context, base, page_path, throttle, timeout_ms, network=network).row()
    context.close()
    return out


def summarize(rows: list[dict]) -> dict:
    kinds = rows[0].keys()
    summary = {}
    bare = median([r["bare"]["ready"] for r in rows])
    for kind in kinds:
        ready = median([r[kind]["ready"] for r in rows])
        summary[kind] = {
            "first_graph_ms": median([r[kind]["firstNode"] for r in rows]),
            "ready_ms": ready,
            "ready_over_bare": ready / bare if ready and bare else None,
            "longest_task_ms": median([r[kind]["longest"] for r in rows]),
            "first_forward_ms": median([r[kind].get("forwardShown") for r in rows]),
            "forward_latency_ms": median([r[kind]["forwardShown"] - r[kind]["forwardClick"] for r in rows
                                          if r[kind].get("forwardShown") is not None]),
            "python_up_ms": median([r[kind].get("pythonUp") for r in rows]),
            "editor_ms": median([r[kind].get("editor") for r in rows]),
            "network_bytes": median([r[kind]["bytes"] for r in rows]),
            "network_requests": median([r[kind]["network_requests"] for r in rows]),
            "how": sorted({r[kind]["how"] for r in rows if r[kind]["how"]}),
            # the worker's own phases, ms from its start: Pyodide's module in, files in, snapshot in, Python ready
            "worker_ms": {phase: median([r[kind]["worker_ms"].get(phase) for r in rows])
                          for phase in sorted({p for r in rows for p in r[kind]["worker_ms"]},
                                              key=lambda p: median([r[kind]["worker_ms"].get(p) for r in rows]) or 0)},
        }
    return summary


def main() -> int:
    ap = argparse.ArgumentParser(description="Boot-time benchmark: bare Pyodide, normal, snapshot and repeat visits.")
    ap.add_argument("-n", type=int, default=5, help="fresh profiles per kind of start (default 5)")
    ap.add_argument("--throttle", default="1,4", help="CPU slow-downs to run, comma-separated (default 1,4)")
    ap.add_argument("--network", default="",
                    help="LATENCY_MS,MBIT: each request that much slower and the bandwidth that many Mbit/s "
                         "(default: none, this machine's loopback)")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per boot (default 300)")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    ap.add_argument("--no-node", action="store_true", help="skip the node figures (bench/pyodide_snapshot.mjs)")
    ap.add_argument("--page", default="index.html", help="the page (default index.html)")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    started = harness.start()
    if started is None:
        return 1
    opts, server, base = started
    throttles = [float(t) for t in args.throttle.split(",")]
    try:
        network = harness.parse_network(args.network)
    except ValueError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2
    net = f", network {network[0]:g} ms {network[1]:g} Mbit/s" if network else ""
    results = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**opts)
            for throttle in throttles:
                rows = []
                for i in range(args.n):
                    row = run_once(browser, base, args.page, throttle, int(args.timeout * 1000), network)
                    rows.append(row)
                    if not args.json:
                        print(f"cpu x{throttle:g}{net} run {i + 1}/{args.n}: "
                              + ", ".join(f"{k} {fmt(v['ready'])}" for k, v in row.items()), flush=True)
                results[f"cpu x{throttle:g}{net}"] = summarize(rows)
            browser.close()
    finally:
        server.shutdown()
    if not args.no_node:
        node = subprocess.run(["node", str(ROOT / "bench/pyodide_snapshot.mjs"), "--runs", str(args.n)],
                              capture_output=True, text=True)
        results["node"] = json.loads(node.stdout) if node.returncode == 0 else {"error": node.stderr[-500:]}

    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for name, summary in results.items():
        if name == "node":
            continue
        print(f"\n{name}: medians over {args.n} fresh profiles (ms from navigation start)")
        print(f"  {'':9} {'first graph':>11} {'1st Forward':>11} {'ready':>8} {'/bare':>6} {'longest task':>13} "
              f"{'network MB':>11} {'net reqs':>9}  started")
        for kind, s in summary.items():
            ratio = "" if s["ready_over_bare"] is None else f"{s['ready_over_bare']:.2f}"
            print(f"  {kind:9} {fmt(s['first_graph_ms']):>11} {fmt(s['first_forward_ms']):>11} "
                  f"{fmt(s['ready_ms']):>8} {ratio:>6} "
                  f"{s['longest_task_ms'] or 0:>10.0f} ms {s['network_bytes'] / 1e6:>11.1f} "
                  f"{s['network_requests']:>9.0f}  {','.join(s['how'])}")
            if s["python_up_ms"] is not None:
                print(f"  {'':9} (on the page: Python's hand-over done {fmt(s['python_up_ms'])}, "
                      f"code editor in place {fmt(s['editor_ms'])}; ready is the later of the two)")
            phases = ", ".join(f"{k} {v:.0f}" for k, v in s["worker_ms"].items() if v is not None)
            if phases:
                print(f"  {'':9} (in the worker, ms from its start: {phases})")
    node = results.get("node")
    if node:
        if "error" in node:
            print(f"\nnode: failed: {node['error']}")
        else:
            print(f"\nnode (loadPyodide), medians of {node['runs']}: bare {fmt(node['bare_ms'])}, "
                  f"normal + engine imports {fmt(node['normal_ms'])}, from the snapshot "
                  f"{fmt(node['snapshot_ms'])} (gunzip {node['gunzip_ms']:.0f} ms of it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
