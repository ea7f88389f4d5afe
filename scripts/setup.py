#!/usr/bin/env python3
"""Fetch the page's third-party files and build its data (stdlib only, idempotent).

1. For each npm package pinned in web/vendor.lock.json: `npm pack NAME@VERSION`,
   check the tarball's sha512 against the pinned integrity, and extract the listed
   files into the package's `dest` folder (web/vendor/..., git-ignored).
   A stamp file per package makes a second run a no-op.
   Pins marked "test_only" (axe-core, for tests/browser/test_a11y.py) are tools of
   the tests, never loaded by the page; --no-test-tools skips them and removes a
   copy fetched earlier, so a deploy (which publishes the repo root) leaves them out.
2. For each pinned wheel: `pip download --no-deps NAME==VERSION`, sha256-checked,
   into web/vendor/wheels/. A pin with "bytecompile": true is also byte-compiled by
   the vendored Pyodide's own Python under node (scripts/bytecompile.mjs) into
   NAME-VERSION-pyodide.zip, which the worker unpacks instead of the wheel (its first
   import is then many times faster: bench/pyodide_imports.mjs). web/vendor/wheels/
   index.json tells the worker (web/worker/worker-packages.js) each package's file and
   dependencies. A stamp keyed by the pins, the Pyodide pin and bytecompile.mjs makes
   a second run a no-op.
3. Unless --vendor-only: write web/build/default-scene.json and
   web/build/examples.json from the engine's CLI, and web/build/engine-files.json; and
   web/build/codemirror.js, the code editor, bundled by the pinned esbuild from the pinned
   CodeMirror sources (build_editor; pins with "bundle": "editor", extracted under .cache/).
4. Unless --vendor-only or --no-snapshot: the Pyodide memory snapshot the worker starts
   from (scripts/snapshot.mjs, under node: web/build/pyodide-snapshot.bin.gz and its
   record pyodide-snapshot.json). A stamp keyed by Pyodide's pin and every file it is
   made from makes a second run a no-op.
5. Unless --vendor-only: web/build/precache.js, the service worker's (sw.js) list of
   the site's files with their hashes and the version they make (precache_manifest()).

Usage: python3 scripts/setup.py [--vendor-only] [--no-test-tools] [--no-snapshot] [--force]
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import gzip
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The notebook's modules: the widget and the files it ships are no use in the page's worker.
NOTEBOOK_ONLY = ("engine/gradstep/notebook/",)
LOCK = ROOT / "web" / "vendor.lock.json"
BUILD = ROOT / "web" / "build"
WHEELS = ROOT / "web" / "vendor" / "wheels"
BYTECOMPILE = ROOT / "scripts" / "bytecompile.mjs"
SNAPSHOT_MAKER = ROOT / "scripts" / "snapshot.mjs"
SNAPSHOT_STAMP = BUILD / ".snapshot-stamp"
PRECACHE = BUILD / "precache.js"
EDITOR_ENTRY = ROOT / "scripts" / "editor-entry.js"
EDITOR_STAMP = BUILD / ".editor-stamp"
WHEEL_KEYS = ("name", "version", "sha256", "bytecompile", "import")


class SetupError(Exception):
    pass


def say(msg: str) -> None:
    print(f"setup: {msg}", flush=True)


def run(cmd: list[str], cwd: Path | None = None) -> str:
    """Run a command, return its stdout; raise SetupError with its stderr on failure."""
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    except FileNotFoundError as e:
        raise SetupError(f"cannot run {cmd[0]!r}: {e}. Is it installed and on PATH?") from e
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise SetupError(f"`{' '.join(cmd)}` failed (exit {proc.returncode}):\n{tail}")
    return proc.stdout


def sri(data: bytes, algo: str) -> str:
    """Subresource-integrity string, the form npm records: 'sha512-<base64>'."""
    return f"{algo}-" + base64.b64encode(hashlib.new(algo, data).digest()).decode()


PIN_KEYS = ("name", "version", "integrity", "from", "files")


def up_to_date(pin: dict, dest: Path) -> bool:
    """The stamp records the pin and the files extracted; all must still match."""
    try:
        stamp = json.loads((dest / ".vendor-stamp").read_text())
    except (OSError, ValueError):
        return False
    return stamp.get("pin") == {k: pin[k] for k in PIN_KEYS} and all(
        (dest / name).is_file() for name in stamp.get("extracted", [])
    )


def vendor_npm(pin: dict, force: bool) -> None:
    spec = f"{pin['name']}@{pin['version']}"
    dest = ROOT / pin["dest"]
    if not force and up_to_date(pin, dest):
        say(f"{spec}: already in {pin['dest']}/")
        return

    with tempfile.TemporaryDirectory(prefix="gradstep-npm-") as tmp:
        say(f"{spec}: npm pack ...")
        # npm pack goes through npm's configured registry (and its cache).
        out = run(["npm", "pack", spec, "--json", "--silent", "--pack-destination", tmp], cwd=tmp)
        try:
            filename = json.loads(out)[0]["filename"]
        except (ValueError, LookupError, TypeError):
            tgzs = list(Path(tmp).glob("*.tgz"))
            if len(tgzs) != 1:
                raise SetupError(f"{spec}: npm pack gave no tarball; output was:\n{out}") from None
            filename = tgzs[0].name
        # Newer npm names scoped tarballs "scope-name-v.tgz"; take the file on disk.
        tgz = Path(tmp) / Path(filename).name
        if not tgz.is_file():
            tgz = next(Path(tmp).glob("*.tgz"))
        data = tgz.read_bytes()

        algo = pin["integrity"].split("-", 1)[0]
        got = sri(data, algo)
        if got != pin["integrity"]:
            raise SetupError(
                f"{spec}: tarball hash does not match web/vendor.lock.json\n"
                f"  expected {pin['integrity']}\n  got      {got}\n"
                "Refusing to use it. If the pin was changed on purpose, record the value of "
                f"`npm view {spec} dist.integrity`."
            )

        # Extract the wanted members of package/<from> flat into dest.
        prefix = "package/" + pin["from"]
        staged = Path(tmp) / "out"
        staged.mkdir()
        count = 0
        with tarfile.open(tgz, "r:gz") as tar:
            for member in tar.getmembers():
                if not member.isfile() or not member.name.startswith(prefix):
                    continue
                rel = member.name[len(prefix) :]
                # (a pattern with a "/" names a file in a sub-folder, kept there; others only top-level files)
                if not any(fnmatch.fnmatch(rel, pat) and ("/" in pat or "/" not in rel) for pat in pin["files"]):
                    continue
                src = tar.extractfile(member)
                assert src is not None
                (staged / rel).parent.mkdir(parents=True, exist_ok=True)
                (staged / rel).write_bytes(src.read())
                if pin.get("tool"):
                    (staged / rel).chmod(0o755)  # a program set-up runs (esbuild)
                count += 1
        missing = [p for p in pin["files"] if not any(staged.glob(p))]
        if missing:
            raise SetupError(f"{spec}: tarball has no {missing} under {prefix}")

        # Replace dest as a whole so no stale file of another version stays.
        if dest.exists():
            shutil.rmtree(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staged), dest)
        extracted = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
        stamp = {"pin": {k: pin[k] for k in PIN_KEYS}, "extracted": extracted}
        (dest / ".vendor-stamp").write_text(json.dumps(stamp, indent=1))
        say(f"{spec}: {count} files, hash ok -> {pin['dest']}/")


def node_platform() -> str:
    """This machine as node names it (process.platform-process.arch): the esbuild pin to fetch."""
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine().lower(), "")
    return f"{sys.platform if sys.platform != 'win32' else 'win32'}-{arch}"


def for_this_machine(pin: dict) -> bool:
    return "platform" not in pin or pin["platform"] == node_platform()


def build_editor(lock: dict, force: bool) -> None:
    """web/build/codemirror.js: the code editor (CodeMirror 6, Python's Lezer grammar) in one ES
    module, bundled by the pinned esbuild from the pinned sources and scripts/editor-entry.js (what
    web/page/code-editor.js uses of them). No esbuild for this machine: no bundle, and the page
    keeps its plain editor (a textarea), which does everything but colour, underline and complete."""
    sources = [p for p in lock.get("npm", []) if p.get("bundle") == "editor"]
    tool = next((p for p in lock.get("npm", []) if p.get("tool") == "esbuild" and for_this_machine(p)), None)
    out = BUILD / "codemirror.js"
    if not sources:
        return
    if tool is None:
        say(f"editor: no esbuild pinned for {node_platform()}: the page keeps its plain editor")
        out.unlink(missing_ok=True)
        return
    # CodeMirror's background parser, where the browser has navigator.scheduling.isInputPending
    # (Chromium), parses in slices of 100 ms that stop early only for input: each slice a long
    # task, every 0.2 s while a long program is parsed (issue #15). Without it, the parser keeps
    # to the idle callback's deadline (at most 50 ms).
    flags = ["--bundle", "--format=esm", "--minify", "--target=es2020", "--log-level=warning",
             "--define:navigator.scheduling=undefined"]
    key = {"sources": [{k: p[k] for k in PIN_KEYS} for p in sources], "tool": tool["integrity"],
           "entry": hashlib.sha256(EDITOR_ENTRY.read_bytes()).hexdigest(), "flags": flags}
    if not force and out.is_file() and EDITOR_STAMP.is_file() and json.loads(EDITOR_STAMP.read_text()) == key:
        say(f"editor: {out.relative_to(ROOT)} up to date")
        return
    work = ROOT / ".cache" / "editor"
    shutil.copyfile(EDITOR_ENTRY, work / "entry.js")  # (beside node_modules/, where esbuild resolves imports)
    banner = ("/* gradstep's code editor, bundled by scripts/setup.py: "
              + ", ".join(f"{p['name']} {p['version']}" for p in sources)
              + ". Each MIT-licensed (Marijn Haverbeke and others; LICENSE files in the npm packages). */")
    esbuild = ROOT / tool["dest"] / "esbuild"
    run([str(esbuild), "entry.js", *flags, f"--banner:js={banner}", f"--outfile={out}"], cwd=work)
    EDITOR_STAMP.write_text(json.dumps(key))
    say(f"editor: wrote {out.relative_to(ROOT)} ({out.stat().st_size // 1024} kB, "
        f"{len(gzip.compress(out.read_bytes())) // 1024} kB gzipped) with esbuild {tool['version']}")


def drop_test_tool(pin: dict) -> None:
    """Remove a test-only pin's folder, if it is one setup.py made (it has a stamp)."""
    dest = ROOT / pin["dest"]
    if (dest / ".vendor-stamp").is_file():
        shutil.rmtree(dest)
        say(f"{pin['name']}: test-only, removed {pin['dest']}/")
    else:
        say(f"{pin['name']}: test-only, skipped")


def vendor_wheel(pin: dict, force: bool) -> Path:
    """The pinned wheel in web/vendor/wheels/ (fetched unless there), hash-checked."""
    spec = f"{pin['name']}=={pin['version']}"
    WHEELS.mkdir(parents=True, exist_ok=True)
    if not force:
        prefix = re.sub(r"[-_.]+", "_", pin["name"]).lower() + "-"
        for whl in WHEELS.glob("*.whl"):
            if whl.name.lower().startswith(prefix) and hashlib.sha256(whl.read_bytes()).hexdigest() == pin["sha256"]:
                say(f"{spec}: already in web/vendor/wheels/")
                return whl
    with tempfile.TemporaryDirectory(prefix="gradstep-whl-") as tmp:
        say(f"{spec}: pip download ...")
        run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--dest", tmp, spec])
        whls = list(Path(tmp).glob("*.whl"))
        if len(whls) != 1:
            raise SetupError(f"{spec}: expected one wheel, pip gave {[w.name for w in whls]}")
        got = hashlib.sha256(whls[0].read_bytes()).hexdigest()
        if got != pin["sha256"]:
            raise SetupError(
                f"{spec}: wheel sha256 does not match web/vendor.lock.json\n"
                f"  expected {pin['sha256']}\n  got      {got}"
            )
        if not whls[0].name.endswith("-none-any.whl"):
            raise SetupError(f"{spec}: {whls[0].name} is not a pure-Python wheel; Pyodide cannot use it")
        shutil.copy2(whls[0], WHEELS / whls[0].name)
        say(f"{spec}: hash ok -> web/vendor/wheels/{whls[0].name}")
        return WHEELS / whls[0].name


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_depends(whl: Path, pinned: set[str]) -> list[str]:
    """The wheel's required (not extra) dependencies, from its METADATA; each must be pinned."""
    with zipfile.ZipFile(whl) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        text = z.read(meta).decode()
    deps = []
    for line in text.splitlines():
        if not line.startswith("Requires-Dist:"):
            continue
        req, _, marker = line[len("Requires-Dist:") :].partition(";")
        if "extra" in marker:
            continue
        name = canonical(re.match(r"\s*([A-Za-z0-9._-]+)", req).group(1))
        if name not in pinned:
            raise SetupError(f"{whl.name} requires {req.strip()!r}: pin a wheel of it in web/vendor.lock.json")
        deps.append(name)
    return deps


def wheels_key(lock: dict) -> dict:
    """What the wheels folder is made from: the pins, Pyodide (the bytecode's Python), the builder."""
    pyodide = next((p for p in lock.get("npm", []) if p["name"] == "pyodide"), None)
    return {
        "wheels": [{k: pin[k] for k in WHEEL_KEYS if k in pin} for pin in lock.get("wheels", [])],
        "pyodide": pyodide and {"version": pyodide["version"], "integrity": pyodide["integrity"]},
        "bytecompile.mjs": hashlib.sha256(BYTECOMPILE.read_bytes()).hexdigest(),
    }


def wheels_up_to_date(key: dict) -> bool:
    try:
        stamp = json.loads((WHEELS / ".vendor-stamp").read_text())
    except (OSError, ValueError):
        return False
    files = stamp.get("files", {})
    return stamp.get("key") == key and all(
        (WHEELS / name).is_file() and (WHEELS / name).stat().st_size == size for name, size in files.items()
    )


def vendor_wheels(lock: dict, force: bool) -> None:
    pins = lock.get("wheels", [])
    key = wheels_key(lock)
    if not pins:
        if WHEELS.is_dir() and (WHEELS / ".vendor-stamp").is_file():
            shutil.rmtree(WHEELS)
            say("no wheels pinned: removed web/vendor/wheels/")
        return
    if not force and wheels_up_to_date(key):
        say(f"wheels: {', '.join(p['name'] + '==' + p['version'] for p in pins)} already in web/vendor/wheels/")
        return
    whls = {canonical(pin["name"]): vendor_wheel(pin, force) for pin in pins}
    archives: dict[str, str] = {}
    compile_pins = [pin for pin in pins if pin.get("bytecompile")]
    if compile_pins:
        pyodide = key["pyodide"]
        if not pyodide or not (ROOT / "web/vendor/pyodide/pyodide.mjs").is_file():
            raise SetupError("byte-compiling wheels needs the vendored Pyodide (web/vendor/pyodide/)")
        say(f"byte-compiling {', '.join(p['name'] for p in compile_pins)} with Pyodide {pyodide['version']} ...")
        todo = [str(whls[canonical(pin["name"])]) for pin in compile_pins]
        out = run(["node", str(BYTECOMPILE), str(ROOT / "web/vendor/pyodide"), str(WHEELS), *todo])
        for line in out.splitlines():
            made = json.loads(line)
            archives[made["wheel"]] = made["archive"]
            say(f"  {made['archive']}: {made['files']} files, {made['bytes'] / 1e6:.1f} MB")
    packages = {}
    for pin in pins:
        name = canonical(pin["name"])
        whl = whls[name]
        packages[name] = {
            "version": pin["version"],
            "import": pin.get("import", name.replace("-", "_")),
            "depends": wheel_depends(whl, set(whls)),
            "wheel": whl.name,
            # What the worker unpacks into site-packages.
            "file": archives.get(whl.name, whl.name),
        }
    index = {
        "comment": "Made by scripts/setup.py from web/vendor.lock.json; read by web/worker/worker-packages.js.",
        "pyodide": key["pyodide"]["version"] if key["pyodide"] else None,
        "packages": packages,
    }
    write(WHEELS / "index.json", json.dumps(index, indent=1) + "\n")
    keep = {"index.json", ".vendor-stamp", *(p["wheel"] for p in packages.values()), *archives.values()}
    for stale in WHEELS.iterdir():
        if stale.name not in keep:
            stale.unlink() if stale.is_file() else shutil.rmtree(stale)
            say(f"removed stale web/vendor/wheels/{stale.name}")
    files = {n: (WHEELS / n).stat().st_size for n in sorted(keep - {".vendor-stamp"})}
    (WHEELS / ".vendor-stamp").write_text(json.dumps({"key": key, "files": files}, indent=1))


def gradstep_out(args: list[str], stdin: str | None = None, module: str = "gradstep") -> str:
    """`python -m MODULE ARGS` (the checkout's package, installed or not: engine/ goes on
    PYTHONPATH, so a fresh clone needs no pip install to serve): its output, checked."""
    cmd = [sys.executable, "-m", module, *args]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "engine"), env.get("PYTHONPATH", "")) if p)
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, input=stdin, env=env)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-10:])
        raise SetupError(
            f"`python -m {module} {' '.join(args)}` failed (exit {proc.returncode}); "
            f"is engine/gradstep/ complete?\n{tail}\n(use --vendor-only to skip this step)"
        )
    return proc.stdout


def engine_json(args: list[str], stdin: str | None = None) -> str:
    """`python -m gradstep ARGS` printing JSON: its output, checked."""
    out = gradstep_out(args, stdin)
    try:
        json.loads(out)
    except ValueError as e:
        raise SetupError(f"`python -m gradstep {' '.join(args)}` did not print JSON: {e}") from e
    return out


def write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, target)


def engine_files(root: Path = ROOT) -> list[str]:
    """The engine's modules the page's worker loads, as paths from the root (the notebook's left out)."""
    files = sorted(p.relative_to(root).as_posix() for p in (root / "engine").rglob("*.py"))
    return [f for f in files if not f.startswith(NOTEBOOK_ONLY) and "__pycache__" not in f]


def engine_bundle(root: Path = ROOT) -> str:
    """web/build/engine-bundle.json: every engine file the worker loads and its glue
    (web/worker/worker.py), their text exactly as on disk, in one response instead of 59
    (issue #16: each was a round trip of its own on a repeat visit). {"files": [...],
    "contents": [...], "glue": "..."}. scripts/serve.py serves it made afresh on each request,
    so an edited engine file is never served stale; set-up writes it for static hosts."""
    files = engine_files(root)
    read = lambda rel: (root / rel).read_bytes().decode("utf-8")  # noqa: E731 (bytes as on disk, no newline changes)
    return json.dumps({"files": files, "contents": [read(f) for f in files], "glue": read("web/worker/worker.py")})


def build_data() -> None:
    """The page's data: the default scene (drawn before Python is up), the examples and
    each example's scene (stepped before Python is up), and the list of the engine's
    files the worker loads."""
    BUILD.mkdir(parents=True, exist_ok=True)
    write(BUILD / "default-scene.json", engine_json(["scene", "--default"]))
    examples = engine_json(["examples", "--json"])
    write(BUILD / "examples.json", examples)
    for ex in json.loads(examples):
        write(BUILD / "examples" / f"{ex['id']}.json", engine_json(["scene", "-"], stdin=ex["program"]))
    # Python mode's examples (the lecture's pieces): code the page runs in the worker when chosen.
    write(BUILD / "python-examples.json", engine_json(["examples", "--python", "--json"]))
    files = engine_files()
    write(BUILD / "engine-files.json", json.dumps(files))
    write(BUILD / "engine-bundle.json", engine_bundle())
    # The program language's functions and methods, which the code editor completes.
    write(BUILD / "vocabulary.json", gradstep_out([], module="gradstep.program.vocabulary"))
    # The training settings' one table (engine/gradstep/training/settings.py), for the page.
    write(BUILD / "train-settings.js", gradstep_out([], module="gradstep.training.settings"))
    say(f"wrote {BUILD.relative_to(ROOT)}/: default scene, {len(json.loads(examples))} examples, "
        f"{len(files)} engine files")


def snapshot_key(lock: dict) -> dict:
    """What the snapshot is made from: Pyodide's pin, the maker, the worker's glue and the engine's files."""
    pyodide = next((p for p in lock.get("npm", []) if p["name"] == "pyodide"), None)
    files = json.loads((BUILD / "engine-files.json").read_text())
    made_from = ["scripts/snapshot.mjs", "web/worker/engine-files.js", "web/worker/worker.py", *files]
    digest = hashlib.sha256()
    for name in made_from:
        data = (ROOT / name).read_bytes()
        digest.update(f"{name}\n{len(data)}\n".encode() + data)
    return {"pyodide": pyodide and pyodide["integrity"], "files": digest.hexdigest()}


def build_snapshot(lock: dict, force: bool) -> None:
    """web/build/pyodide-snapshot.bin.gz and .json (scripts/snapshot.mjs), unless up to date."""
    key = snapshot_key(lock)
    made = [BUILD / "pyodide-snapshot.bin.gz", BUILD / "pyodide-snapshot.json"]
    try:
        stamp = json.loads(SNAPSHOT_STAMP.read_text())
    except (OSError, ValueError):
        stamp = None
    if not force and stamp == key and all(p.is_file() for p in made):
        say("pyodide snapshot: already in web/build/")
        return
    if not (ROOT / "web/vendor/pyodide/pyodide.mjs").is_file():
        raise SetupError("the snapshot needs the vendored Pyodide (web/vendor/pyodide/)")
    say("pyodide snapshot: starting Pyodide under node, importing the engine ...")
    out = run(["node", str(SNAPSHOT_MAKER), str(ROOT)])
    record = json.loads(out.strip().splitlines()[-1])
    write(SNAPSHOT_STAMP, json.dumps(key) + "\n")
    say(f"pyodide snapshot: {record['bytes'] / 1e6:.1f} MB, {record['gzip_bytes'] / 1e6:.1f} MB gzipped, "
        f"in {record['ms'] / 1000:.1f} s -> web/build/pyodide-snapshot.bin.gz")


# The service worker's list (sw.js, web/build/precache.js). Left out: what the page never
# fetches (the notebook widget's files, source maps, records of set-up), and the Python
# packages' archives, which the worker fetches on first use ("lazy": cached then).
PRECACHE_SKIP_DIRS = ("web/notebook/", "web/dev/", "web/vendor/wheels/")
BUNDLE = "web/build/engine-bundle.json"
PRECACHE_SKIP_FILES = {"web/vendor.lock.json", "web/build/precache.js", "web/vendor/pyodide/package.json"}
_hashes: dict[Path, tuple[tuple[int, int], str]] = {}  # (a live server asks again and again)


def file_sri(path: Path) -> str:
    st = path.stat()
    seen = _hashes.get(path)
    if seen and seen[0] == (st.st_size, st.st_mtime_ns):
        return seen[1]
    value = sri(path.read_bytes(), "sha256")
    _hashes[path] = ((st.st_size, st.st_mtime_ns), value)
    return value


def precache_manifest(root: Path = ROOT) -> dict:
    """{version, files, lazy}: each file (a path from the site's root) with its SRI sha256.
    `files` are cached when the service worker installs; `lazy` when first fetched.
    `version` changes whenever any of them does."""
    lock_file = root / "web" / "vendor.lock.json"  # (a published site has none, nor test tools)
    lock = json.loads(lock_file.read_text()) if lock_file.is_file() else {}
    test_only = tuple(pin["dest"] + "/" for pin in lock.get("npm", []) if pin.get("test_only"))
    names = ["index.html"]
    for path in sorted((root / "web").rglob("*")):
        rel = path.relative_to(root).as_posix()
        if (
            not path.is_file()
            or rel.startswith(PRECACHE_SKIP_DIRS + test_only)
            or rel in PRECACHE_SKIP_FILES
            or path.name.startswith(".")
            or path.suffix in (".map", ".tmp")
            or "__pycache__" in path.parts
        ):
            continue
        names.append(rel)
    # (the engine's files come to the worker in web/build/engine-bundle.json, one file: listed
    # above, its hash that of the bundle made now, as scripts/serve.py serves it)
    lazy = []
    wheels_index = root / "web" / "vendor" / "wheels" / "index.json"
    if wheels_index.is_file():
        names.append("web/vendor/wheels/index.json")
        packages = json.loads(wheels_index.read_text()).get("packages", {})
        lazy = sorted({"web/vendor/wheels/" + p["file"] for p in packages.values()})
    files = {n: file_sri(root / n) for n in names}
    if BUNDLE in files and (root / "engine").is_dir():  # (a copy of the site alone has the bundle as written)
        digest = hashlib.sha256(engine_bundle(root).encode()).digest()
        files[BUNDLE] = "sha256-" + base64.b64encode(digest).decode()
    lazy_files = {n: file_sri(root / n) for n in lazy if (root / n).is_file()}
    version = hashlib.sha256(json.dumps([files, lazy_files], sort_keys=True).encode()).hexdigest()[:16]
    return {"version": version, "files": files, "lazy": lazy_files}


def precache_js(root: Path = ROOT) -> str:
    """web/build/precache.js: the manifest as a classic script for sw.js's importScripts."""
    manifest = precache_manifest(root)
    return (
        "// Made by scripts/setup.py (precache_manifest); read by sw.js. Served live by scripts/serve.py.\n"
        f"self.GRADSTEP_PRECACHE = {json.dumps(manifest, indent=1)};\n"
    )


def build_precache() -> None:
    write(PRECACHE, precache_js())
    manifest = precache_manifest()
    size = sum((ROOT / n).stat().st_size for n in manifest["files"])
    lazy = sum((ROOT / n).stat().st_size for n in manifest["lazy"])
    say(f"wrote web/build/precache.js: version {manifest['version']}, {len(manifest['files'])} files "
        f"({size / 1e6:.1f} MB) cached at once, {len(manifest['lazy'])} ({lazy / 1e6:.1f} MB) on first use")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vendor-only", action="store_true", help="only fetch third-party files; skip building web/build/")
    ap.add_argument("--force", action="store_true", help="fetch again even if up to date")
    ap.add_argument(
        "--no-snapshot", action="store_true", help="make no Pyodide memory snapshot (the worker then boots normally)"
    )
    ap.add_argument(
        "--no-test-tools",
        action="store_true",
        help='skip (and remove) the pins marked "test_only", e.g. axe-core; for a deploy',
    )
    args = ap.parse_args(argv)
    try:
        lock = json.loads(LOCK.read_text())
        for pin in lock.get("npm", []):
            if not for_this_machine(pin):
                continue
            if pin.get("test_only") and args.no_test_tools:
                drop_test_tool(pin)
            else:
                vendor_npm(pin, args.force)
        vendor_wheels(lock, args.force)
        if not args.vendor_only:
            build_data()
            build_editor(lock, args.force)
            if not args.no_snapshot:
                build_snapshot(lock, args.force)
            build_precache()
    except SetupError as e:
        print(f"setup: ERROR: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
