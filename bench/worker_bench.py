#!/usr/bin/env python3
"""What a learner feels with the engine in a worker (not a test), in headless Chromium.

    python3 bench/worker_bench.py [--lines 3000] [--big 10000] [-n 3] [--json]

For each run, in a fresh browser context (a first visit):
  1. the default page: when the first graph is drawn, when a forward step first
     answers (it works before Python is up), and when Python is ready;
  2. a share link to a LINES-line program (not prebuilt): when Python is ready and the
     graph drawn, and the longest gap between animation frames meanwhile (a stall:
     the page answers no click during it);
  3. a nudge on that graph and on a BIG-node chain: the time until its result shows,
     the longest frame gap meanwhile, and the size of the reply that crossed;
  4. the training view (micrograd's demo: moons, MLP(2, [16, 16, 1])) playing for 3 s:
     steps a second with the boundary redrawn, and the longest frame gap meanwhile.
Medians over N runs. Run `python3 scripts/setup.py` first.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

GAPS_START = """() => { window.__gaps = []; let t = performance.now();
  const f = () => { const n = performance.now(); window.__gaps.push(n - t); t = n;
    if (!window.__stop) requestAnimationFrame(f); }; requestAnimationFrame(f); }"""
GAPS_STOP = "() => { window.__stop = true; return Math.max(0, ...window.__gaps); }"
# Installed before any script runs: frame gaps from the very start of the page.
GAPS_INIT = "window.__gaps = []; (" + GAPS_START + ")();"
FIRST_STEP = """async () => {
  // Click Forward step every frame until the phase changes: when a learner's first step answers.
  const b = document.querySelector('[data-testid=forward-step]');
  while (true) {
    if (b && !b.disabled) { b.click(); if (document.body.dataset.phase === 'forward') return performance.now(); }
    await new Promise((r) => requestAnimationFrame(r));
  }
}"""


def program(lines: int) -> str:
    return "x = 0.5\n" + "".join(f"x{k} = tanh(x{k - 1 if k > 1 else ''} * 1.01 + 0.01)\n" for k in range(1, lines))


def chain(n_nodes: int) -> str:
    return "\n".join(["x = 0.5"] + ["x = x * 0.999 + 0.001"] * max(1, (n_nodes - 1) // 4)) + "\n"


def nudge(page) -> dict:
    page.click("[data-testid=backward-all]")
    page.wait_for_selector("body:not([data-busy])", state="attached", timeout=300_000)
    page.evaluate("window.__stop = false")
    page.evaluate(GAPS_START)
    before = page.evaluate("window.gradstep.calls().timeline || 0")
    t0 = time.perf_counter()
    page.click("[data-testid=nudge]")
    page.wait_for_selector("body:not([data-busy])", state="attached", timeout=300_000)
    ms = (time.perf_counter() - t0) * 1000
    gap = page.evaluate(GAPS_STOP)
    # A nudge's one call is the new values' timeline; a nudge that moves no value (a gradient
    # too small to change a float) asks Python nothing, and crossed 0 bytes.
    calls = page.evaluate("window.gradstep.calls().timeline || 0") - before
    last = page.evaluate("window.gradstep.lastReply('timeline')")
    return {"ms": ms, "gap_ms": gap, "bytes": last["bytes"] if last and calls else 0}


def run_once(browser, base: str, lines: int, big: int) -> dict:
    out = {}
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    page.goto(base + "index.html")
    page.wait_for_selector("[data-node-id]", timeout=60_000)
    out["first_graph_ms"] = page.evaluate("performance.now()")
    out["first_step_ms"] = page.evaluate(FIRST_STEP)
    page.wait_for_selector("body[data-ready=true]", timeout=180_000)
    out["ready_ms"] = page.evaluate("performance.now()")
    ctx.close()

    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    page.add_init_script(GAPS_INIT)
    page.goto(base + "index.html#program=" + quote(program(lines), safe=""))
    page.wait_for_selector("body[data-ready=true]", timeout=300_000)
    page.wait_for_selector("[data-node-id], canvas.graph-canvas", timeout=300_000)
    out["link_ready_ms"] = page.evaluate("performance.now()")
    out["link_max_gap_ms"] = page.evaluate(GAPS_STOP)
    n = nudge(page)
    out.update({"nudge_ms": n["ms"], "nudge_gap_ms": n["gap_ms"], "nudge_bytes": n["bytes"]})
    page.evaluate("""(t) => { const e = document.querySelector('[data-testid=program]'); e.value = t;
      e.dispatchEvent(new Event('input')); }""", chain(big))
    page.click("[data-testid=run]")
    page.wait_for_selector("body:not([data-busy])", state="attached", timeout=300_000)
    n = nudge(page)
    out.update({"big_nudge_ms": n["ms"], "big_nudge_gap_ms": n["gap_ms"], "big_nudge_bytes": n["bytes"]})
    ctx.close()

    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    page.goto(base + "index.html#train&dataset=moons&layers=16,16&seed=0&lr=1.0&batch=100")
    page.wait_for_selector("body[data-ready=true]", timeout=180_000)
    page.wait_for_selector("body:not([data-busy])", state="attached", timeout=60_000)
    page.evaluate("window.__stop = false")
    page.evaluate(GAPS_START)
    page.click("[data-testid=train-play]")
    t0 = time.perf_counter()
    page.wait_for_timeout(3000)
    page.click("[data-testid=train-play]")
    seconds = time.perf_counter() - t0
    out["train_gap_ms"] = page.evaluate(GAPS_STOP)
    page.wait_for_selector("body:not([data-busy])", state="attached", timeout=60_000)
    out["train_steps_per_s"] = int(page.get_attribute("[data-testid=train-status]", "data-step")) / seconds
    # The whole batch's graph: how long until it is drawn, opening a neuron, and the
    # longest frame gap while the learner drags and zooms it.
    t0 = time.perf_counter()
    page.click("[data-testid=train-open-batch]")
    page.wait_for_selector("[data-testid=batch-totals][data-groups]", timeout=120_000)
    out["batch_open_ms"] = 1000 * (time.perf_counter() - t0)
    t0 = time.perf_counter()
    page.locator("[data-testid=batch-keys] [data-group=L2N0]").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=batch-keys] [data-group=L2N0][data-expanded=true]", timeout=60_000)
    out["batch_expand_ms"] = 1000 * (time.perf_counter() - t0)
    box = page.locator("[data-testid=batch-host]").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.evaluate("window.__stop = false")
    page.evaluate(GAPS_START)
    page.mouse.move(cx, cy)
    page.mouse.down()
    for k in range(30):
        page.mouse.move(cx + 8 * k, cy + 3 * k)
    page.mouse.up()
    for _ in range(10):
        page.mouse.wheel(0, -120)
    out["batch_pan_zoom_gap_ms"] = page.evaluate(GAPS_STOP)
    ctx.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description="What a learner feels with the engine in a worker.")
    ap.add_argument("--lines", type=int, default=3000, help="lines of the share-link program (default 3000)")
    ap.add_argument("--big", type=int, default=10000, help="tape nodes of the big graph (default 10000)")
    ap.add_argument("-n", type=int, default=3, help="runs (default 3)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    started = harness.start()
    if started is None:
        return 1
    opts, server, base = started
    runs = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**opts)
            for i in range(args.n):
                runs.append(run_once(browser, base, args.lines, args.big))
                if not args.json:
                    figures = ", ".join(f"{k} {v:.0f}" for k, v in runs[-1].items())
                    print(f"run {i + 1}/{args.n}: {figures}", flush=True)
            browser.close()
    finally:
        server.shutdown()
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    if args.json:
        print(json.dumps(med, indent=2))
        return 0
    print(f"default page: first graph {med['first_graph_ms'] / 1000:.2f} s, first step answers "
          f"{med['first_step_ms'] / 1000:.2f} s, Python ready {med['ready_ms'] / 1000:.2f} s")
    print(f"{args.lines}-line share link: ready {med['link_ready_ms'] / 1000:.2f} s, "
          f"longest frame gap meanwhile {med['link_max_gap_ms']:.0f} ms")
    print(f"nudge on it: {med['nudge_ms']:.0f} ms, longest frame gap {med['nudge_gap_ms']:.0f} ms, "
          f"reply {med['nudge_bytes'] / 1024:.0f} KiB")
    print(f"nudge on a {args.big}-node chain: {med['big_nudge_ms']:.0f} ms, longest frame gap "
          f"{med['big_nudge_gap_ms']:.0f} ms, reply {med['big_nudge_bytes'] / 1024:.0f} KiB")
    print(f"training view, moons MLP(2, [16, 16, 1]): {med['train_steps_per_s']:.0f} steps/s with the boundary "
          f"redrawn, longest frame gap {med['train_gap_ms']:.0f} ms")
    print(f"whole-batch graph: drawn {med['batch_open_ms']:.0f} ms after the click, a neuron opened in "
          f"{med['batch_expand_ms']:.0f} ms, longest frame gap while dragging and zooming "
          f"{med['batch_pan_zoom_gap_ms']:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
