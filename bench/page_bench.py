#!/usr/bin/env python3
"""Step-time benchmark of the page (not a test): how long one step takes to show.

    python3 bench/page_bench.py [--sizes 300,3000,10000] [--steps 40] [--json]

Serves the repo on 127.0.0.1, opens index.html in headless Chromium, and for each
size loads a chain program of about that many tape nodes (all of them value nodes
drawn), then clicks forward-step and backward-step STEPS times each from inside the
page and records per step:
  - sync:   the click handler (the page's own move + the diffing DOM update; the
            engine in its worker is told after, off this thread),
  - update: sync + the style and layout it causes (+ the canvas redraw of big graphs,
            forced at once instead of in the next frame): the goal's measure, and
  - frame:  until the next frame is painted (at least the wait for the display's next
            frame, about 16.7 ms; with SVG it grows with the graph's paint).
Goals (issue #3): median update <= 16 ms at 300 nodes, <= 100 ms at 3,000; 10,000 opens.
Run `python3 scripts/setup.py` first.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import harness  # noqa: E402

GOALS_MS = {300: 16, 3000: 100}

# Runs in the page: click a button n times, timing each click and the frame after it.
STEPS_JS = """
async ([testid, n]) => {
  const btn = document.querySelector(`[data-testid=${testid}]`);
  const nextFrame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  await nextFrame();
  const app = window.gradstep;
  const sync = [], update = [], frame = [];
  for (let k = 0; k < n; k++) {
    const t0 = performance.now();
    btn.click();
    sync.push(performance.now() - t0);
    // Style and layout of what changed (and the canvas redraw, normally in the next frame).
    if (app.renderer.draw) app.renderer.draw();
    document.querySelector('[data-testid=graph]').getBoundingClientRect();
    document.body.offsetHeight;
    update.push(performance.now() - t0);
    await nextFrame();
    frame.push(performance.now() - t0);
  }
  return {sync, update, frame};
}
"""

SET_PROGRAM_JS = """
(text) => {
  const e = document.querySelector('[data-testid=program]');
  e.value = text;
  e.dispatchEvent(new Event('input'));
}
"""


def chain(n_nodes: int) -> str:
    return "\n".join(["x = 0.5"] + ["x = x * 0.999 + 0.001"] * max(1, (n_nodes - 1) // 4)) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description="Step-time benchmark of the page.")
    ap.add_argument("--sizes", default="300,3000,10000", help="tape sizes (default 300,3000,10000)")
    ap.add_argument("--steps", type=int, default=40, help="steps of each kind per size (default 40)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    started = harness.start()
    if started is None:
        return 1
    opts, server, base = started
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    results = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**opts)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(base + "index.html")
            page.wait_for_selector("body[data-ready=true]", timeout=180_000)
            for size in sizes:
                page.evaluate(SET_PROGRAM_JS, chain(size))
                t0 = time.perf_counter()
                page.click("[data-testid=run]", timeout=300_000)
                page.wait_for_selector("body:not([data-busy])", state="attached", timeout=300_000)
                load_s = time.perf_counter() - t0
                nodes = page.evaluate("window.gradstep.snapshot().timeline.values.length")
                big = page.get_attribute("body", "data-big") == "true"
                row = {"size": nodes, "drawing": "canvas" if big else "svg", "load_s": round(load_s, 2)}
                fwd = page.evaluate(STEPS_JS, ["forward-step", args.steps])
                page.click("[data-testid=forward-all]")
                bwd = page.evaluate(STEPS_JS, ["backward-step", args.steps])
                for kind, res in (("forward", fwd), ("backward", bwd)):
                    for what in ("sync", "update", "frame"):
                        row[f"{kind}_{what}_ms"] = round(statistics.median(res[what]), 2)
                goal = next((g for s, g in sorted(GOALS_MS.items()) if size <= s), None)
                row["goal_ms"] = goal
                worst = max(row["forward_update_ms"], row["backward_update_ms"])
                row["meets_goal"] = None if goal is None else worst <= goal
                results.append(row)
                if not args.json:
                    print(
                        f"{nodes:>6} nodes ({row['drawing']}): load {row['load_s']} s; median step "
                        f"update / to next frame: forward {row['forward_update_ms']} / "
                        f"{row['forward_frame_ms']} ms, backward {row['backward_update_ms']} / "
                        f"{row['backward_frame_ms']} ms"
                        + ("" if goal is None else f"; goal {goal} ms: {'ok' if row['meets_goal'] else 'MISSED'}"),
                        flush=True,
                    )
            browser.close()
    finally:
        server.shutdown()
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
