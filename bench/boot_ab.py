#!/usr/bin/env python3
"""Two checkouts' first visits, in turns (not a test): is a change to the start faster?

    python3 bench/boot_ab.py OLD_ROOT NEW_ROOT [-n 10] [--network 40,50]

Each ROOT is a checkout of this repository that set-up has run in (`python3 scripts/setup.py`;
a worktree can link its web/vendor to this one's). Both are served at once, each on its own
port, and the two are opened in turns, each in a fresh browser profile with no service
worker (a first visit), so that a busy machine slows both alike. Prints, for each, the median
and the range of: Python's hand-over done (the page's `gradstep:python-ready` mark) and
`body[data-ready=true]` (that and the code editor in place), in ms from navigation start.
With --network LATENCY_MS,MBIT, Chromium slows the network as bench/boot.py's option does.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import harness

PROBE = """
window.__ab = {ready: null};
new MutationObserver((_, obs) => {
  if (document.body && document.body.dataset.ready === "true") {
    window.__ab.ready = performance.now();
    obs.disconnect();
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-ready"]});
"""


def visit(browser, base: str, network) -> tuple[float, float]:
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    if network:
        harness.slow_network(context.new_cdp_session(page), network)
    page.add_init_script(PROBE)
    page.goto(base + "index.html")
    page.wait_for_selector("body[data-ready=true]", timeout=300_000)
    python = page.evaluate("performance.getEntriesByName('gradstep:python-ready')[0]?.startTime ?? null")
    ready = page.evaluate("window.__ab.ready")
    context.close()
    return python, ready


def main() -> int:
    ap = argparse.ArgumentParser(description="Two checkouts' first visits, in turns.")
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("-n", type=int, default=10, help="first visits of each (default 10)")
    ap.add_argument("--network", default="", help="LATENCY_MS,MBIT (default: none, this machine's loopback)")
    args = ap.parse_args()
    try:
        network = harness.parse_network(args.network)
    except ValueError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2
    for root in (args.old, args.new):
        if not (root / "web/build/pyodide-snapshot.json").is_file():
            print(f"bench: {root} has no web/build: run scripts/setup.py there first", file=sys.stderr)
            return 1

    from playwright.sync_api import sync_playwright

    started = harness.start()
    if started is None:
        return 1
    opts, own, _ = started
    own.shutdown()
    roots = {"old": args.old.resolve(), "new": args.new.resolve()}
    servers = {name: harness.start_server(0, root, quiet=True) for name, root in roots.items()}
    bases = {name: f"http://127.0.0.1:{s.server_address[1]}/" for name, s in servers.items()}
    times = {name: [] for name in servers}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**opts)
            for i in range(args.n):
                for name in (("old", "new") if i % 2 == 0 else ("new", "old")):
                    times[name].append(visit(browser, bases[name], network))
                print(f"run {i + 1}/{args.n}: " + ", ".join(
                    f"{name} {times[name][-1][1]:.0f} ms" for name in ("old", "new")), flush=True)
            browser.close()
    finally:
        for s in servers.values():
            s.shutdown()
    print(f"\nfirst visits, {args.n} each, in turns" + (f", network {args.network}" if network else "")
          + " (ms from navigation start: median, min-max)")
    for name, root in roots.items():
        python = [t[0] for t in times[name]]
        ready = [t[1] for t in times[name]]
        spread = lambda xs: f"{statistics.median(xs):.0f} ({min(xs):.0f}-{max(xs):.0f})"  # noqa: E731
        print(f"  {name} {root}\n      Python's hand-over {spread(python)}, ready {spread(ready)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
