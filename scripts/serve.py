#!/usr/bin/env python3
"""Serve the repository root on 127.0.0.1 for development (runs setup first).

Usage: python3 scripts/serve.py [--port 8000] [--no-setup] [--vendor-only] [--no-gzip]

Like GitHub Pages, it gzips what compresses (text, JavaScript, JSON, WebAssembly: see
GZIP_TYPES) for a browser that accepts it; archives (the snapshot's .gz, the lab's .zip)
go as they are. --no-gzip serves every file as it is on disk.

`Handler` and `start_server` are imported by tests/browser/conftest.py and bench/ (boot.py,
bytes.py); start_server serves without gzip unless asked (or GRADSTEP_SERVE_GZIP=1).
"""

from __future__ import annotations

import argparse
import email.utils
import functools
import gzip
import http.server
import io
import os
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))  # (setup.py, for the live precache.js)

# The types a gzip-capable server compresses on the fly (GitHub Pages does, for the types
# the mime-db project marks compressible: text, JavaScript, JSON, SVG and WebAssembly);
# never archives, which are compressed already (application/gzip, application/zip).
GZIP_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/wasm")
_gzipped: dict[str, tuple[tuple[int, int], bytes]] = {}  # path -> ((size, mtime), its gzip)
_gzip_lock = threading.Lock()


def gzipped(path: str, st: os.stat_result) -> bytes:
    """The file's bytes gzipped (level 6, a server's usual), kept while the file is unchanged."""
    key = (st.st_size, st.st_mtime_ns)
    with _gzip_lock:
        seen = _gzipped.get(path)
    if seen and seen[0] == key:
        return seen[1]
    with open(path, "rb") as f:
        data = gzip.compress(f.read(), 6, mtime=0)
    with _gzip_lock:
        _gzipped[path] = (key, data)
    return data


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

    gzip_on = False  # gzip what compresses (GZIP_TYPES) for a client that accepts it

    def __init__(self, *args, directory: str | None = None, **kwargs):
        super().__init__(*args, directory=directory or str(ROOT), **kwargs)

    def _gzip_for(self, ctype: str) -> bool:
        if not self.gzip_on or not ctype.startswith(GZIP_TYPES):
            return False
        accepted = self.headers.get("Accept-Encoding", "")
        return any(part.split(";")[0].strip() == "gzip" for part in accepted.split(","))

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?", 1)[0].endswith("/"):
            path = os.path.join(path, "index.html")
        if not os.path.isfile(path) or not self._gzip_for(self.guess_type(path)):
            return super().send_head()
        # (as SimpleHTTPRequestHandler.send_head, the body gzipped)
        st = os.stat(path)
        if "If-Modified-Since" in self.headers and "If-None-Match" not in self.headers:
            try:
                since = email.utils.parsedate_to_datetime(self.headers["If-Modified-Since"])
            except (TypeError, IndexError, OverflowError, ValueError):
                since = None
            if since is not None and since.tzinfo is not None and int(st.st_mtime) <= since.timestamp():
                self.send_response(304)
                self.send_header("Vary", "Accept-Encoding")
                self.end_headers()
                return None
        body = gzipped(path, st)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", self.date_time_string(st.st_mtime))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)

    def do_GET(self) -> None:
        # The service worker's list, made from the files as they are now (not as set-up
        # last saw them): an edited file changes the site's version, so a browser that
        # cached the site picks the edit up (from its next page load; Shift+Reload skips
        # the service worker at once).
        # The engine's files in one, likewise made from the files as they are now.
        here = self.path.split("?", 1)[0]
        if here == "/web/build/precache.js" and self.directory == str(ROOT):
            return self._send_made("precache.js", "text/javascript")
        if here == "/web/build/engine-bundle.json" and (Path(self.directory) / "engine").is_dir():
            return self._send_made("engine-bundle.json", "application/json")
        super().do_GET()

    def _send_made(self, name: str, ctype: str) -> None:
        from setup import engine_bundle, precache_js  # (scripts/ is on sys.path when serve.py runs or is imported)

        try:
            body = (precache_js(ROOT) if name == "precache.js" else engine_bundle(Path(self.directory))).encode()
        except (OSError, ValueError) as e:
            self.send_error(500, f"{name}: {e}")
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if self._gzip_for(ctype):
            body = gzip.compress(body, 6, mtime=0)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
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


def handler(root: Path = ROOT, gzip: bool = False):
    """The request handler class for `root`, gzipping what compresses if `gzip`."""
    return functools.partial(type("Handler", (Handler,), {"gzip_on": gzip}), directory=str(root))


def start_server(port: int = 0, root: Path = ROOT, quiet: bool = True, gzip: bool | None = None) -> Server:
    """Start a threaded server in a daemon thread; port 0 picks a free one. `gzip`: as
    GitHub Pages, gzip what compresses (default: only when GRADSTEP_SERVE_GZIP=1).

    The caller reads `server.server_address[1]` and calls `server.shutdown()`.
    """
    if gzip is None:
        gzip = os.environ.get("GRADSTEP_SERVE_GZIP") == "1"
    server = Server(("127.0.0.1", port), handler(root, gzip))
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
    ap.add_argument("--no-gzip", action="store_true", help="serve every file as it is (no gzip, unlike GitHub Pages)")
    args = ap.parse_args()

    if not args.no_setup:
        cmd = [sys.executable, str(ROOT / "scripts" / "setup.py")]
        if args.vendor_only:
            cmd.append("--vendor-only")
        if subprocess.run(cmd).returncode != 0:
            print("serve: setup failed (see above); not serving.", file=sys.stderr)
            return 1

    serving = handler(ROOT, gzip=not args.no_gzip)
    try:
        server = Server(("127.0.0.1", args.port), serving)
    except OSError:
        print(f"serve: port {args.port} is busy, picking a free one", file=sys.stderr)
        server = Server(("127.0.0.1", 0), serving)
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
