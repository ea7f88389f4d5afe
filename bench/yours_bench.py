#!/usr/bin/env python3
"""How long the lab's "Your derivative" takes to answer (not a test).

    python3 bench/yours_bench.py [--runs 5] [--json]

Serves the repo on 127.0.0.1, opens seed 003's program with the lab in headless Chromium
(sympy loaded, as on a learner's first check), and times, from pressing **Check** to the
verdict on screen, three answers: seed 003's own wrong one for b (the slowest: the term is
named and the chain rule's steps are made), the right one for b, and the right one for a.
Each is the median of RUNS checks, at full speed and with the page's CPU throttled 4x
(CDP Emulation.setCPUThrottlingRate; the checking itself runs in the worker).
Run `python3 scripts/setup.py` first.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import harness  # noqa: E402

SEED_003 = "a = 2.0\nb = 3.0\nc = 4.0\nf = -a**3 + sin(3*b) - 1.0/c + b**2.5 - a**0.5\n"
ANSWERS = [("b", "cos(3*b) * b + 2.5*b**1.5", "wrong b (seed 003's)"), ("b", "3*cos(3*b) + 2.5*b**1.5", "right b"),
           ("a", "-3*a**2 - 0.5*a**-0.5", "right a")]
T = "[data-testid={}]".format
# the result box emptied before each press, so the verdict waited for is the new one
CLEAR = ("(() => { const r = document.querySelector('[data-testid=yours-result]'); r.textContent = '';"
         " delete r.dataset.ok; return performance.now(); })()")
DONE = ("() => { const r = document.querySelector('[data-testid=yours-result]');"
        " return r.dataset.ok && r.textContent !== '' && !r.hasAttribute('aria-busy'); }")


def one_rate(browser, base: str, throttle: float, runs: int) -> dict:
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    page.goto(base + "index.html#program=" + quote(SEED_003, safe="") + "&lab")
    page.wait_for_selector("body[data-ready=true]", timeout=300_000)
    page.wait_for_selector(f"{T('yours-leaf')} option", state="attached")
    page.wait_for_selector("#closed-form:not(:empty)", timeout=300_000)  # (sympy is in)
    if throttle != 1:
        context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    out = {}
    for leaf, text, name in ANSWERS:
        times = []
        for k in range(runs):
            page.select_option(T("yours-leaf"), leaf)
            page.fill(T("yours"), text + " " * (k % 2))  # (a changed field: a check, not a cached one)
            t0 = page.evaluate(CLEAR)
            page.click(T("yours-check"))
            page.wait_for_function(DONE, timeout=300_000)
            times.append(page.evaluate("performance.now()") - t0)
        out[name] = statistics.median(times)
    context.close()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    started = harness.start()
    if started is None:
        return 1
    opts, server, base = started
    from playwright.sync_api import sync_playwright

    results = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**opts)
            for throttle in (1, 4):
                results[f"cpu x{throttle}"] = one_rate(browser, base, throttle, args.runs)
            browser.close()
    finally:
        server.shutdown()
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"Check pressed to verdict shown, seed 003, median of {args.runs}:")
    for rate, row in results.items():
        print(f"  {rate}: " + "; ".join(f"{name} {ms:.0f} ms" for name, ms in row.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
