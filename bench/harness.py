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
