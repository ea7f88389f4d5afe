"""Set-up's list for the service worker (scripts/setup.py precache_manifest, web/build/precache.js)."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from setup import precache_js, precache_manifest  # noqa: E402


@pytest.fixture(scope="module")
def manifest():
    if not (ROOT / "web/build/engine-files.json").is_file():
        pytest.fail("web/build/ missing: run `python3 scripts/setup.py` first")
    return precache_manifest()


def sri(path: Path) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


def test_every_file_the_page_loads_at_start_is_listed(manifest):
    files = set(manifest["files"])
    want = {"index.html", "web/build/engine-bundle.json", "web/build/default-scene.json", "web/worker/worker.py"}
    want |= {f"web/vendor/pyodide/{n}" for n in
             ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")}
    for folder in ("page", "graph", "lab", "training", "worker"):
        want |= {p.relative_to(ROOT).as_posix() for p in (ROOT / "web" / folder).glob("*.*")}
    if (ROOT / "web/build/pyodide-snapshot.json").is_file():
        want |= {"web/build/pyodide-snapshot.json", "web/build/pyodide-snapshot.bin.gz"}
    assert want - files == set()


def test_the_lab_packages_are_cached_on_first_use_only(manifest):
    index = json.loads((ROOT / "web/vendor/wheels/index.json").read_text())
    assert set(manifest["lazy"]) == {"web/vendor/wheels/" + p["file"] for p in index["packages"].values()}
    assert not [f for f in manifest["files"] if f.endswith((".whl", ".zip")) and "wheels" in f]


def test_no_test_tool_source_map_or_notebook_file_is_listed(manifest):
    for f in manifest["files"]:
        assert not f.startswith(("web/vendor/axe", "web/notebook/")) and not f.endswith(".map"), f


def test_hashes_are_the_files_and_the_version_follows_them(manifest, tmp_path):
    for f, h in list(manifest["files"].items())[:20] + list(manifest["lazy"].items()):
        assert h == sri(ROOT / f), f
    site = tmp_path / "site"
    for f in [*manifest["files"], *manifest["lazy"], "web/vendor.lock.json"]:
        (site / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / f, site / f)
    assert precache_manifest(site)["version"] == manifest["version"]
    (site / "web/page/app.js").write_text((site / "web/page/app.js").read_text() + "\n// changed\n")
    changed = precache_manifest(site)
    assert changed["version"] != manifest["version"]
    assert changed["files"]["web/page/app.js"] == sri(site / "web/page/app.js")
    assert precache_js(site).startswith("// Made by scripts/setup.py")
    assert f'"version": "{changed["version"]}"' in precache_js(site)


def test_the_engine_comes_in_one_bundle_of_its_files_as_they_are(manifest, tmp_path):
    """The worker's engine: one response (issue #16), the files' text exactly, served live by
    scripts/serve.py (an edited engine file is never served stale) and hashed as served."""
    import urllib.request

    from serve import start_server
    from setup import engine_bundle

    files = json.loads((ROOT / "web/build/engine-files.json").read_text())
    bundle = json.loads(engine_bundle())
    assert bundle["files"] == files and len(files) > 40
    assert [c.encode() for c in bundle["contents"]] == [(ROOT / f).read_bytes() for f in files]
    assert bundle["glue"].encode() == (ROOT / "web/worker/worker.py").read_bytes()
    assert manifest["files"]["web/build/engine-bundle.json"] == "sha256-" + base64.b64encode(
        hashlib.sha256(engine_bundle().encode()).digest()).decode()
    assert not [f for f in manifest["files"] if f.startswith("engine/")]  # (not one by one any more)
    # Served live: a copy of the site whose engine file changes after set-up wrote the bundle.
    site = tmp_path / "site"
    shutil.copytree(ROOT / "engine", site / "engine", ignore=shutil.ignore_patterns("__pycache__"))
    (site / "web/worker").mkdir(parents=True)
    shutil.copy(ROOT / "web/worker/worker.py", site / "web/worker/worker.py")
    server = start_server(0, site, quiet=True, gzip=False)
    try:
        port = server.server_address[1]
        init = site / "engine/gradstep/__init__.py"
        init.write_text(init.read_text() + "# edited\n")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/web/build/engine-bundle.json") as r:
            served = json.loads(r.read())
        at = served["files"].index("engine/gradstep/__init__.py")
        assert served["contents"][at].endswith("# edited\n")
    finally:
        server.shutdown()
        server.server_close()
