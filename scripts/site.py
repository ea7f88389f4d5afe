#!/usr/bin/env python3
"""Copy what the published page needs into a folder (stdlib only).

Usage: python3 scripts/site.py OUT_DIR

Run `python3 scripts/setup.py` first (web/vendor/ and web/build/ are made by it).
OUT_DIR gets index.html, sw.js (the service worker; web/build/precache.js, its list of
files, is made again from what is published), web/ (the page's modules, style, web/worker/worker.py, web/build/ and
web/vendor/ without the pins marked "test_only" in web/vendor.lock.json, e.g.
axe-core, nor the vendored source maps and package.json, which nothing fetches) and
engine/**/*.py (the browser fetches the engine's files). Tests, benchmarks,
scripts and docs stay out. OUT_DIR is emptied first (if it holds an earlier site). The Pages workflow uploads it.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from setup import precache_js  # noqa: E402

LOCK = ROOT / "web" / "vendor.lock.json"
# Needed by the page; missing means scripts/setup.py has not run.
REQUIRED = ("index.html", "web/vendor/pyodide/pyodide.mjs", "web/build")
# Under web/: never published (set-up records, the test fixtures' old home).
# Folders of the repository the output may not go into.
SOURCES = {"web", "engine", "tests", "bench", "docs", "scripts", ".git", ".github"}
WEB_SKIP = {"vendor.lock.json", "dev", "__pycache__", ".vendor-stamp", ".snapshot-stamp", ".editor-stamp"}
# Vendored files nothing fetches: source maps (only DevTools reads them) and npm's package.json.
VENDOR_SKIP_SUFFIXES = (".map",)
VENDOR_SKIP = {"package.json"}


def test_only_dests() -> set[Path]:
    """The vendor folders of pins marked "test_only" (tools of the tests, not the page)."""
    lock = json.loads(LOCK.read_text())
    return {(ROOT / pin["dest"]).resolve() for pin in lock.get("npm", []) if pin.get("test_only")}


def build(out: Path) -> list[Path]:
    """Fill `out` with the site; return the files written, relative to it."""
    missing = [p for p in REQUIRED if not (ROOT / p).exists()]
    if missing:
        raise SystemExit(f"site: {', '.join(missing)} missing: run `python3 scripts/setup.py` first")
    out = out.resolve()
    if out == ROOT or out in ROOT.parents or (ROOT in out.parents and out.relative_to(ROOT).parts[0] in SOURCES):
        raise SystemExit(f"site: refusing to write into {out} (the sources)")
    if out.exists() and any(out.iterdir()) and not (out / "index.html").is_file():
        raise SystemExit(f"site: {out} is not empty and holds no earlier site: refusing to empty it")
    skip_dirs = test_only_dests()
    vendor = (ROOT / "web" / "vendor").resolve()
    wheels = ROOT / "web" / "vendor" / "wheels"
    loaded = wheel_files(wheels)

    def ignore(folder: str, names: list[str]) -> set[str]:
        here = Path(folder).resolve()
        skip = {n for n in names if n in WEB_SKIP or (here / n).resolve() in skip_dirs}
        if here == vendor or vendor in here.parents:
            skip |= {n for n in names if n in VENDOR_SKIP or n.endswith(VENDOR_SKIP_SUFFIXES)}
        if here == wheels.resolve() and loaded is not None:
            # Only what the worker loads (index.json's files), not the wheels they were made from.
            skip |= {n for n in names if n not in loaded and n != "index.json"}
        return skip

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copy2(ROOT / "index.html", out / "index.html")
    shutil.copy2(ROOT / "sw.js", out / "sw.js")  # at the root: its scope is the whole site
    shutil.copytree(ROOT / "web", out / "web", ignore=ignore)
    # The engine's Python files, its subpackages' too (engine/layout/...), nothing else.
    for py in sorted((ROOT / "engine").rglob("*.py")):
        if "__pycache__" in py.parts:
            continue
        dest = out / py.relative_to(ROOT)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(py, dest)
    # The service worker's list, made again from the files published (never stale).
    (out / "web/build/precache.js").write_text(precache_js(out))
    return sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())


def wheel_files(folder: Path) -> set[str] | None:
    """The files web/worker/worker-packages.js loads, from web/vendor/wheels/index.json (None: no index)."""
    try:
        index = json.loads((folder / "index.json").read_text())
    except (OSError, ValueError):
        return None
    return {p["file"] for p in index.get("packages", {}).values()}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    out = Path(args[0])
    files = build(out)
    size = sum((out / f).stat().st_size for f in files)
    print(f"site: {len(files)} files, {size / 1e6:.1f} MB -> {out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
