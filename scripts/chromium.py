"""Where the Chromium for Playwright is, and how to launch it (used by tests and bench).

We never use `playwright install` (its browser download is not reachable here);
Debian's `chromium` package is used instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# Flags: no sandbox (we run as root in containers), no GPU, and no background
# traffic of Chromium's own (component updates, sync, QUIC probes) so that a
# "no request leaves 127.0.0.1" check only sees what the page asks for.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    """$GRADSTEP_CHROMIUM, else /usr/bin/chromium, else chromium/chromium-browser on PATH."""
    env = os.environ.get("GRADSTEP_CHROMIUM")
    if env:
        return env
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def launch_options(headless: bool = True) -> dict:
    """Keyword arguments for Playwright's `chromium.launch`; executable_path is None if
    no Chromium was found (callers report that)."""
    exe = find_chromium()
    args = (["--headless"] if headless else []) + CHROMIUM_ARGS
    return {"executable_path": exe, "args": args, "headless": headless}
