"""scripts/site.py stages what GitHub Pages publishes: everything the page loads, nothing else."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    if not (ROOT / "web/vendor/pyodide/pyodide.mjs").is_file() or not (ROOT / "web/build").is_dir():
        pytest.fail("web/vendor/ or web/build/ missing: run `python3 scripts/setup.py` first")
    out = tmp_path_factory.mktemp("site") / "_site"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts/site.py"), str(out)], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("site: ")
    return out


class Refs(HTMLParser):
    """The URLs an HTML page loads: link href and script src."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("href"):
            self.urls.append(a["href"])
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])


def local(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and bool(parts.path)


def test_site_holds_the_page(site):
    for path in ("index.html", "web/page/app.js", "web/page/style.css", "engine/gradstep/program/session.py"):
        assert (site / path).is_file(), path
    assert (site / "web/vendor/pyodide/pyodide.mjs").is_file()
    assert (site / "web/vendor/pyodide/pyodide.asm.wasm").is_file()
    assert (site / "web/build/default-scene.json").is_file()
    assert (site / "web/build/examples.json").is_file()
    # Every web module and Python file of the repository is published.
    ours = [f for pattern in ("*/*.js", "*/*.py", "*/*.css") for f in (ROOT / "web").glob(pattern)
            if f.parent.name not in ("vendor", "build")]
    assert len(ours) >= 25
    for f in ours:
        assert (site / f.relative_to(ROOT)).is_file(), f
    # And every engine file, in subpackages too: the browser imports the engine from them.
    for py in (ROOT / "engine").rglob("*.py"):
        if "__pycache__" not in py.parts:
            assert (site / py.relative_to(ROOT)).is_file(), py


def test_site_leaves_out_what_the_page_does_not_need(site):
    for path in ("tests", "bench", "scripts", "docs", ".github", ".git", "web/vendor/axe", "web/dev", "README.md"):
        assert not (site / path).exists(), path
    assert not (site / "web/vendor.lock.json").exists()
    assert not list(site.rglob("__pycache__"))
    assert not list(site.rglob(".vendor-stamp"))
    assert {p.name for p in site.iterdir()} == {"index.html", "sw.js", "web", "engine"}  # sw.js: issue 16


def test_every_url_index_html_loads_is_in_the_site(site):
    refs = Refs()
    refs.feed((site / "index.html").read_text())
    urls = [u for u in refs.urls if local(u)]
    assert "./web/page/app.js" in urls and "./web/page/style.css" in urls
    missing = [u for u in urls if not (site / urlsplit(u).path).is_file()]
    assert not missing, f"index.html loads {missing}, not in the site"


def test_the_engine_files_the_browser_loads_are_in_the_site(site):
    # The list the engine's worker fetches (web/build/engine-files.json, made by
    # scripts/setup.py).
    files = json.loads((site / "web/build/engine-files.json").read_text())
    assert sum(f.lstrip("./").startswith("engine/") for f in files) >= 5
    assert any(f.endswith("engine/gradstep/program/session.py") for f in files)
    assert not any("/notebook/" in f for f in files)  # (the widget is no use in the worker)
    missing = [f for f in files if not (site / f).is_file()]
    assert not missing, f"the browser loads {missing}, not in the site"


# fetch("./…") resolves against the page (the site's root); import "./…" against the module (web/FOLDER/).
FETCH = re.compile(r"""fetch\(\s*["'](\.{1,2}/[^"']+)["']""")
IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}/[^"']+)["']""")


# A path from the site's root in a string ("web/worker/worker.py", "./web/build/x.json").
ROOT_PATH = re.compile(r"""["'](?:\./)?(web/[\w./-]+)["']""")


def test_every_file_the_modules_load_is_in_the_site(site):
    missing = []
    modules = sorted(js for js in (site / "web").glob("*/*.js") if js.parent.name not in ("vendor", "build"))
    assert len(modules) >= 20
    for js in modules:
        text = js.read_text()
        for path in ROOT_PATH.findall(text):
            if not (site / path).exists():
                missing.append(f"{js.name}: {path}")
        for url in FETCH.findall(text):
            if not (site / urlsplit(url).path).resolve().is_file():
                missing.append(f"{js.name}: fetch {url}")
        for url in IMPORT.findall(text):
            if not (js.parent / urlsplit(url).path).resolve().is_file():
                missing.append(f"{js.name}: import {url}")
    assert not missing


def test_refuses_to_empty_a_folder_that_is_not_a_site(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    cmd = [sys.executable, str(ROOT / "scripts/site.py"), str(tmp_path)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode != 0 and "refusing" in proc.stderr
    assert (tmp_path / "keep.txt").read_text() == "mine"
