"""What the browser benchmarks share: the checks before a run, and the server."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from chromium import launch_options  # noqa: E402
from serve import start_server  # noqa: E402


def start() -> tuple[dict, object, str] | None:
    """Launch options, a running server of the repository and its address; or None
    (after saying why on standard error) when the vendor files or Chromium are missing."""
    if not (ROOT / "web/vendor/pyodide/pyodide.mjs").is_file():
        print("bench: web/vendor missing; run `python3 scripts/setup.py` first", file=sys.stderr)
        return None
    opts = launch_options()
    if opts["executable_path"] is None:
        print("bench: no Chromium found (apt-get install chromium, or GRADSTEP_CHROMIUM)", file=sys.stderr)
        return None
    server = start_server(0, ROOT, quiet=True)
    return opts, server, f"http://127.0.0.1:{server.server_address[1]}/"


def parse_network(text: str) -> tuple[float, float] | None:
    """--network's "LATENCY_MS,MBIT" (None for ""); ValueError when it is not that."""
    if not text:
        return None
    try:
        network = tuple(float(v) for v in text.split(","))
    except ValueError:
        network = ()
    if len(network) != 2 or min(network) < 0 or network[1] == 0:
        raise ValueError("--network is LATENCY_MS,MBIT, e.g. 40,50")
    return network


def slow_network(cdp, network: tuple[float, float]) -> None:
    """Slow a page's network as a learner's would be (Chromium's Network.emulateNetworkConditions,
    over `cdp`, the page's DevTools session): the latency added to each request, and the bandwidth
    in Mbit/s, down and up."""
    latency, mbit = network
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": latency, "downloadThroughput": mbit * 125_000, "uploadThroughput": mbit * 125_000})


class Trace:
    """A DevTools trace of one page (categories "toplevel" and "v8.wasm": every thread's tasks,
    with their CPU time, and WebAssembly's compiling), from start() to stop()."""

    def __init__(self, context, page):
        self.cdp = context.new_cdp_session(page)
        self.page = page
        self.events: list = []
        self.complete = False
        self.cdp.on("Tracing.dataCollected", lambda p: self.events.extend(p["value"]))
        self.cdp.on("Tracing.tracingComplete", lambda p: setattr(self, "complete", True))

    def start(self) -> Trace:
        self.cdp.send("Tracing.start", {"categories": "toplevel,v8.wasm", "transferMode": "ReportEvents"})
        return self

    def stop(self) -> list:
        self.cdp.send("Tracing.end")
        while not self.complete:
            self.page.wait_for_timeout(50)
        return self.events


def longest_task_cpu(events: list) -> tuple[float, float, float] | None:
    """The page's longest main-thread task in a trace: (wall ms, the main thread's own CPU ms
    in it, and the CPU ms V8 spent meanwhile compiling WebAssembly to its top tier on other
    threads). On two cores those threads can leave the main thread waiting."""
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name"}
    runs = [e for e in events if e.get("ph") == "X" and e.get("name") == "ThreadControllerImpl::RunTask"
            and names.get((e["pid"], e["tid"])) == "CrRendererMain" and "tdur" in e]
    if not runs:
        return None
    t = max(runs, key=lambda e: e["dur"])
    start, end = t["ts"], t["ts"] + t["dur"]
    wasm = sum(min(end, e["ts"] + e["dur"]) - max(start, e["ts"]) for e in events
               if e.get("ph") == "X" and e.get("name") == "wasm.TopTierCompilation"
               and e["ts"] < end and e["ts"] + e["dur"] > start)
    return t["dur"] / 1000, t["tdur"] / 1000, wasm / 1000
