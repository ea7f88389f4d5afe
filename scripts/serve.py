#!/usr/bin/env python3
"""Serve the repository root on 127.0.0.1 for development (runs setup first).

Usage: python3 scripts/serve.py [--port 8000] [--no-setup] [--vendor-only]

`Handler` and `start_server` are imported by tests/browser/conftest.py and bench/boot.py.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))  # (setup.py, for the live precache.js)


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files from ROOT with the MIME types Pyodide needs, no caching."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",  # module scripts are refused without a JS type
        ".wasm": "application/wasm",  # needed for WebAssembly.instantiateStreaming
        ".json": "application/json",
        ".map": "application/json",
        ".whl": "application/zip",
        ".zip": "application/zip",
        ".gz": "application/gzip",  # the Pyodide snapshot: gunzipped by the worker, never Content-Encoding
        ".py": "text/plain; charset=utf-8",
        ".html": "text/html; charset=utf-8",
        ".css": "text/css",
        ".svg": "image/svg+xml",
        ".md": "text/plain; charset=utf-8",
    }

    def __init__(self, *args, directory: str | None = None, **kwargs):
        super().__init__(*args, directory=directory or str(ROOT), **kwargs)

    def do_GET(self) -> None:
        # The service worker's list, made from the files as they are now (not as set-up
        # last saw them): an edited file changes the site's version, so a browser that
        # cached the site picks the edit up (from its next page load; Shift+Reload skips
        # the service worker at once).
        if self.path.split("?", 1)[0] == "/web/build/precache.js" and self.directory == str(ROOT):
            return self._send_precache()
        super().do_GET()

    def _send_precache(self) -> None:
        from setup import precache_js  # (scripts/ is on sys.path when serve.py runs or is imported)

        try:
            body = precache_js(ROOT).encode()
        except (OSError, ValueError) as e:
            self.send_error(500, f"precache.js: {e}")
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/javascript")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        # Revalidate every time so an edited .py or .js is never served stale.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        if getattr(self.server, "quiet", False):
            return
        super().log_message(format, *args)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    quiet = False


def start_server(port: int = 0, root: Path = ROOT, quiet: bool = True) -> Server:
    """Start a threaded server in a daemon thread; port 0 picks a free one.

    The caller reads `server.server_address[1]` and calls `server.shutdown()`.
    """
    server = Server(("127.0.0.1", port), functools.partial(Handler, directory=str(root)))
    server.quiet = quiet
    threading.Thread(target=server.serve_forever, name="gradstep-http", daemon=True).start()
    return server


def main() -> int:
    ap = argparse.ArgumentParser(description="Serve gradstep on 127.0.0.1.")
    ap.add_argument("--port", type=int, default=8000, help="port (default 8000; a free one is picked if it is busy)")
    ap.add_argument("--no-setup", action="store_true", help="do not run scripts/setup.py first")
    ap.add_argument(
        "--vendor-only", action="store_true", help="run setup with --vendor-only (skip building web/build/)"
    )
    ap.add_argument("--quiet", action="store_true", help="do not log requests")
    args = ap.parse_args()

    if not args.no_setup:
        cmd = [sys.executable, str(ROOT / "scripts" / "setup.py")]
        if args.vendor_only:
            cmd.append("--vendor-only")
        if subprocess.run(cmd).returncode != 0:
            print("serve: setup failed (see above); not serving.", file=sys.stderr)
            return 1

    try:
        server = Server(("127.0.0.1", args.port), Handler)
    except OSError:
        print(f"serve: port {args.port} is busy, picking a free one", file=sys.stderr)
        server = Server(("127.0.0.1", 0), Handler)
    server.quiet = args.quiet
    port = server.server_address[1]
    print(f"serving {ROOT} at http://127.0.0.1:{port}/  (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
