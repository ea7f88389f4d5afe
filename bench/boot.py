#!/usr/bin/env python3
"""Boot-time benchmark (not a test): bare Pyodide vs the real page, in headless Chromium.

    python3 bench/boot.py [-n 5] [--json]

Serves the repo on 127.0.0.1, then N times, alternately, opens
  (a) tests/browser/fixtures/bare-pyodide.html -- Pyodide alone: the floor for any Python page
  (b) index.html -- the real page (the engine in its worker)
each in a fresh browser context (cold HTTP cache, like a first visit), and prints
the medians of: bare boot, page first graph drawn (first `[data-node-id]` element),
page ready (`body[data-ready=true]`), and ready / bare.
Times are measured in the page, in ms from navigation start (performance.now()).
Run `python3 scripts/setup.py` first.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import harness  # noqa: E402

# Runs before any page script: records when the first value node appears and when
# body gets data-ready="true", as ms since navigation start.
PROBE = """
window.__gsBench = {firstNode: null, ready: null};
new MutationObserver((_, obs) => {
  const b = window.__gsBench, t = performance.now();
  if (b.firstNode === null && document.querySelector("[data-node-id]")) b.firstNode = t;
  if (b.ready === null && document.body && document.body.dataset.ready === "true") b.ready = t;
  if (b.ready !== null && b.firstNode !== null) obs.disconnect();
}).observe(document, {subtree: true, childList: true, attributes: true});
"""


def measure(browser, url: str, timeout_ms: int) -> dict:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.add_init_script(PROBE)
        page.goto(url)
        page.wait_for_selector("body[data-ready=true]", timeout=timeout_ms)
        return page.evaluate("window.__gsBench")
    finally:
        context.close()


def median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(ms: float | None) -> str:
    return "n/a" if ms is None else f"{ms / 1000:.2f} s"


def main() -> int:
    ap = argparse.ArgumentParser(description="Boot-time benchmark: bare Pyodide vs the page.")
    ap.add_argument("-n", type=int, default=5, help="runs of each page (default 5)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per boot (default 120)")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    ap.add_argument(
        "--page",
        help="page to compare with bare Pyodide (default index.html)",
    )
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    started = harness.start()
    if started is None:
        return 1
    opts, server, base = started
    page_path = args.page or "index.html"
    bare, page = [], []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**opts)
            for i in range(args.n):
                b = measure(browser, base + "tests/browser/fixtures/bare-pyodide.html", int(args.timeout * 1000))
                p = measure(browser, base + page_path, int(args.timeout * 1000))
                bare.append(b["ready"])
                page.append(p)
                if not args.json:
                    print(
                        f"run {i + 1}/{args.n}: bare {fmt(b['ready'])}, "
                        f"{page_path}: first graph {fmt(p['firstNode'])}, "
                        f"ready {fmt(p['ready'])}",
                        flush=True,
                    )
            browser.close()
    finally:
        server.shutdown()

    bare_ms = median(bare)
    first_ms = median([p["firstNode"] for p in page])
    ready_ms = median([p["ready"] for p in page])
    summary = {
        "runs": args.n,
        "page": page_path,
        "bare_pyodide_ms": bare_ms,
        "page_first_graph_ms": first_ms,
        "page_ready_ms": ready_ms,
        "ready_over_bare": ready_ms / bare_ms if bare_ms and ready_ms else None,
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"\nmedians over {args.n} runs (ms from navigation start, fresh context each):")
        ratio = summary["ready_over_bare"]
        print(f"  page: {page_path}")
        print(f"  bare Pyodide boot   {fmt(bare_ms)}")
        print(f"  page first graph    {fmt(first_ms)}")
        print(f"  page ready          {fmt(ready_ms)}")
        print(f"  ready / bare        {'n/a' if ratio is None else f'{ratio:.2f}'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
