#!/usr/bin/env python3
"""Main-thread stall benchmark of the page (not a test): the longest gap between frames
while a big share link loads.

    python3 bench/stall_bench.py [--runs 3] [--throttle 4] [--cases lines,leaves,frozen] [--cpu]

For each case it opens a fresh page at a share link (issue #15's hostile links), with a
probe installed before the page's own scripts: a requestAnimationFrame loop that records
the longest gap between two frames, and a PerformanceObserver of long tasks. It waits
until Python is ready and the link's graph is on screen and idle, then reads the probe.
The goal (issue #15): the longest main-thread stall at most 100 ms.

Cases
  lines:  a 15,000-line program (a chain: x = x * 0.999 + 0.001), 60,001 tape nodes
  leaves: 5,000 leaves summed (a0 = 0.5 ... y = a0 + a1 + ...)
  frozen: a small program with &frozen= naming 10,000 leaves (a few real, most not)
  lines3k: a 3,000-line program

"The page's own" longest task leaves out those that began before the document was parsed
(domInteractive): the browser committing the link and parsing index.html. Beside each case,
"the link alone" is the longest task of a blank page opened at the same link, from a trace:
what the browser itself spends on a long address before any of the page's code runs (a
615 KB address takes Chromium 130-220 ms here, before the page's first frame, so it is no
frame gap the probe sees), which no page can save. With --cpu the traced longest task is
that same commit when it is the longest.

With --cpu each run is traced ("toplevel" and "v8.wasm" categories) and the longest task is
also given as the main thread's own CPU time, beside the CPU time V8 spent meanwhile
compiling Pyodide's WebAssembly to its top tier on other threads. On a machine with two
cores those threads take both, and a task of 60 ms of work can last 250 ms.

With --plain-editor each case is measured again with the code editor's file refused (the
page keeps its textarea): what the code editor costs. --tasks lists each run's long tasks.
With --throttle N the CPU is also slowed N times (CDP Emulation.setCPUThrottlingRate), as
a phone's would be. Each figure is the median of --runs runs. A bare page load of the
default example is measured in the same run as the baseline.
Run `python3 scripts/setup.py` first.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import harness  # noqa: E402

PROBE_JS = """
(() => {
  const probe = { maxGap: 0, longest: 0, tasks: 0, frames: 0, last: 0, list: [] };
  window.__stall = probe;
  const tick = (t) => {
    if (probe.last) probe.maxGap = Math.max(probe.maxGap, t - probe.last);
    probe.last = t;
    probe.frames++;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        probe.tasks++;
        probe.longest = Math.max(probe.longest, e.duration);
        probe.list.push([Math.round(e.startTime), Math.round(e.duration)]);
      }
    }).observe({ type: "longtask", buffered: true });
  } catch (e) { /* no long-task API */ }
})();
"""

# The page is done with a link when Python is up, no call is pending and a graph is drawn.
DONE_JS = """
() => document.body.dataset.ready === 'true' && !document.body.dataset.busy
      && window.gradstep && (window.gradstep.calls().load || 0) >= 1
"""


SETTLE_JS = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 200))))"


def case_links() -> dict[str, str]:
    lines = "\n".join(["x = 0.5"] + ["x = x * 0.999 + 0.001"] * 14_999) + "\n"
    lines3k = "\n".join(["x = 0.5"] + ["x = x * 0.999 + 0.001"] * 2_999) + "\n"
    names = [f"a{k}" for k in range(5_000)]
    leaves = "".join(f"{n} = 0.5\n" for n in names) + "y = " + " + ".join(names) + "\n"
    small = "a = 2.0\nb = -3.0\nc = 10.0\ny = a * b + c\n"
    frozen = ",".join(["a", "b"] + [f"n{k}" for k in range(9_998)])
    return {
        "baseline": "",
        "lines": "#program=" + quote(lines, safe=""),
        "lines3k": "#program=" + quote(lines3k, safe=""),
        "leaves": "#program=" + quote(leaves, safe=""),
        "frozen": "#program=" + quote(small, safe="") + "&frozen=" + frozen,
    }


BLANK = "<!doctype html><title>blank</title><p>A blank page at the same link."


def link_alone(browser, base: str, hash_: str) -> float:
    """The longest task of a blank page opened at this link (ms): the browser's own cost.
    Read from a trace: the renderer's committing of the address comes before the page has a
    document, so no PerformanceObserver of the page sees it (Chromium 156 reports none)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    trace = harness.Trace(ctx, page).start()
    page.route("**/stall-blank.html", lambda route: route.fulfill(status=200, content_type="text/html", body=BLANK))
    page.goto(base + "stall-blank.html" + hash_)
    page.evaluate(SETTLE_JS)
    longest = harness.longest_task_cpu(trace.stop())
    ctx.close()
    return longest[0] if longest else 0.0


def measure(browser, base: str, hash_: str, throttle: float, code_editor: bool = True, cpu: bool = False) -> dict:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    trace = harness.Trace(ctx, page).start() if cpu else None
    if not code_editor:  # the page with its plain editor only: what the code editor costs
        page.route("**/web/build/codemirror.js", lambda route: route.fulfill(status=404, body=""))
    page.add_init_script(PROBE_JS)
    if throttle > 1:
        cdp = ctx.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    t0 = time.perf_counter()
    page.goto(base + "index.html" + hash_)
    page.wait_for_function(DONE_JS, timeout=180_000, polling=100)
    # A few more frames, so a stall right at the end is seen.
    page.evaluate(SETTLE_JS)
    probe = page.evaluate("() => ({...window.__stall})")
    # The page's own: the longest task that began once the document was parsed (before that, the
    # browser's committing of the link and parsing of index.html; its modules run after).
    parsed = page.evaluate("() => performance.getEntriesByType('navigation')[0].domInteractive")
    probe["own"] = max((d for start, d in probe["list"] if start >= parsed), default=0)
    # (the trace ends here: the reads below are the benchmark's, one a copy of the whole timeline)
    probe["cpu"] = harness.longest_task_cpu(trace.stop()) if trace else None
    probe["nodes"] = page.evaluate("() => window.gradstep.snapshot().timeline.values.length")
    probe["editor_ms"] = page.evaluate(
        "() => performance.getEntriesByName('gradstep:editor', 'measure')[0]?.duration ?? null")
    probe["tasks_list"] = page.evaluate("() => window.__stall.list")
    probe["load_s"] = time.perf_counter() - t0
    probe["errors"] = errors
    ctx.close()
    return probe


def main() -> int:
    ap = argparse.ArgumentParser(description="Main-thread stall benchmark of the page.")
    ap.add_argument("--runs", type=int, default=3, help="runs per case (default 3)")
    ap.add_argument("--throttle", type=float, default=1, help="CPU slowdown (e.g. 4 for a phone)")
    ap.add_argument("--cases", default="baseline,lines,leaves,frozen,lines3k", help="comma-separated cases")
    ap.add_argument("--plain-editor", action="store_true",
                    help="also measure each case with the code editor's file refused (the plain textarea only)")
    ap.add_argument("--tasks", action="store_true", help="print each run's long tasks: [start ms, duration ms]")
    ap.add_argument("--cpu", action="store_true",
                    help="trace each run: the longest task's main-thread CPU time, and WebAssembly compiling meanwhile")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    started = harness.start()
    if started is None:
        return 1
    opts, server, base = started
    links = case_links()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**opts)
            print(f"stall benchmark: median of {args.runs} runs, CPU throttle {args.throttle}x; goal <= 100 ms")
            cases = [(c.strip(), True) for c in args.cases.split(",") if c.strip()]
            if args.plain_editor:
                cases += [(name, False) for name, _ in cases]
            for name, code in cases:
                runs = [measure(browser, base, links[name], args.throttle, code, args.cpu) for _ in range(args.runs)]
                alone = statistics.median(link_alone(browser, base, links[name]) for _ in range(args.runs))
                editor = [r["editor_ms"] for r in runs if r["editor_ms"] is not None]
                gap = statistics.median(r["maxGap"] for r in runs)
                task = statistics.median(r["longest"] for r in runs)
                own = statistics.median(r["own"] for r in runs)
                load = statistics.median(r["load_s"] for r in runs)
                errs = sorted({e for r in runs for e in r["errors"]})
                label = name if code else name + " (plain editor)"
                print(
                    f"{label:>9} ({runs[0]['nodes']:>6} nodes, {len(links[name]) / 1024:7.1f} KB link): "
                    f"longest frame gap {gap:7.1f} ms, longest task {task:7.1f} ms (the page's own {own:.0f} ms), "
                    f"ready in {load:5.1f} s"
                    f"   (gaps {[round(r['maxGap']) for r in runs]})"
                    + (f", code editor made in {statistics.median(editor):.0f} ms" if editor else "")
                    + f"; the link alone {alone:.0f} ms"
                    + (f"  ERRORS: {errs}" if errs else ""),
                    flush=True,
                )
                cpus = [r["cpu"] for r in runs if r.get("cpu")]
                if cpus:
                    print("           longest task: wall / main thread CPU / wasm top-tier compiling meanwhile:",
                          ", ".join(f"{w:.0f}/{c:.0f}/{m:.0f} ms" for w, c, m in cpus))
                if args.tasks:
                    for r in runs:
                        print("           long tasks:", r["tasks_list"])
            browser.close()
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
