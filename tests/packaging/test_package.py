"""The installable package (issue #10): the sdist, the wheel, and a fresh install of it.

One build (``python -m build --no-isolation``: an sdist, then the wheel from that sdist,
so the sdist is shown complete) of a copy of the checkout, one fresh venv with the wheel
installed from no index (the core has no dependencies), and then:

- the wheel holds the package (engine/gradstep/**/*.py as gradstep/), the graph view's and the
  widget's web files (web/graph/, web/notebook/) as gradstep/web/,
  LICENSE, and the metadata PyPI shows; not tests/, web/vendor/ or web/build/;
- the installed ``gradstep`` and ``python -m gradstep`` print what the checkout prints, and no
  ``engine`` module is installed;
- ``gradstep.notebook.assets`` reads the web files from the wheel, an editable install and a checkout.
"""

from __future__ import annotations

import email.parser
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
NAME = PYPROJECT["project"]["name"]
VERSION = PYPROJECT["project"]["version"]
BIN = "Scripts" if os.name == "nt" else "bin"

# What the checkout has that no package should carry (the copy gets a sentinel in each).
NEVER = ("web/vendor/", "web/build/", "tests/", "bench/", "scripts/", "docs/", ".github/", "index.html")

PROGRAMS = {
    # contract section 2's example
    "L.gs": "a = 2.0\nb = -3.0\nc = 10.0\ne = a * b\nd = e + c\nf = -2.0\nL = d * f\n",
    # lists, a comprehension, softmax, calls and a rebinding
    "softmax.gs": (
        "logits = [2.0, -1.0, 0.5]\n"
        "p = softmax(logits)\n"
        "z = [exp(v) * 0.5 for v in logits]\n"
        "loss = -log(p[0]) + tanh(z[1]) + sum(z) / 3\n"
        "loss *= sigmoid(logits[2])\n"
        "loss\n"
    ),
}
BAD = "a = 2.0\nb = a.__class__\n"


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None):
    return subprocess.run(args, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=300)


def clean_env() -> dict[str, str]:
    """The environment without anything that would put the checkout on sys.path."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP"}}
    env["PYTHONNOUSERSITE"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


def ignore_for_copy(folder: str, names: list[str]) -> set[str]:
    skip = {".git", "__pycache__", ".hypothesis", ".pytest_cache", ".ruff_cache", ".benchmarks",
            "node_modules", "test-results", "_site"}
    where = Path(folder).resolve()
    if where == ROOT:
        skip |= {"build", "dist"}
    elif where == ROOT / "web":
        skip |= {"vendor", "build"}
    return {n for n in names if n in skip or n.endswith(".egg-info")}


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    """Build the sdist and (from it) the wheel of a copy of the checkout."""
    try:
        import build  # noqa: F401
    except ImportError:
        pytest.fail("the package tests need `build`: pip install -e '.[test]'")
    base = tmp_path_factory.mktemp("package")
    src = base / "src"
    # A copy, so the build writes nothing into the checkout (egg-info, build/), without
    # the 30 MB of web/vendor: a sentinel file stands in for it (and for web/build/) so
    # the test sees that neither is packaged.
    shutil.copytree(ROOT, src, ignore=ignore_for_copy)
    for sentinel in ("web/vendor/pyodide/sentinel.js", "web/vendor/sentinel.css", "web/build/sentinel.js"):
        (src / sentinel).parent.mkdir(parents=True, exist_ok=True)
        (src / sentinel).write_text("// must not be packaged\n", encoding="utf-8")
    out = base / "dist"
    result = run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(src)], cwd=base)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist, "src": src}


@pytest.fixture(scope="module")
def venv(dist, tmp_path_factory) -> Path:
    """A fresh venv (no system site-packages) with only the wheel, installed from no index."""
    home = tmp_path_factory.mktemp("venv") / "venv"
    result = run([sys.executable, "-m", "venv", str(home)], cwd=home.parent)
    assert result.returncode == 0, result.stderr
    pip = [str(home / BIN / "python"), "-m", "pip"]
    result = run([*pip, "install", "--no-index", "--quiet", str(dist["wheel"])], cwd=home.parent, env=clean_env())
    assert result.returncode == 0, result.stdout + result.stderr
    result = run([*pip, "check"], cwd=home.parent, env=clean_env())
    assert result.returncode == 0, result.stdout + result.stderr
    return home


@pytest.fixture(scope="module")
def outside(tmp_path_factory) -> Path:
    """A working directory outside the checkout, holding the test programs."""
    folder = tmp_path_factory.mktemp("outside")
    for name, text in PROGRAMS.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "bad.gs").write_text(BAD, encoding="utf-8")
    return folder


def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def wheel_metadata(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"{NAME}-{VERSION}.dist-info/METADATA").decode("utf-8")
    return email.parser.Parser().parsestr(text)


# --- the wheel's contents --------------------------------------------------------------------


def test_wheel_is_pure_python_and_named_for_the_version(dist):
    assert dist["wheel"].name == f"{NAME}-{VERSION}-py3-none-any.whl"
    assert dist["sdist"].name == f"{NAME}-{VERSION}.tar.gz"


def packaged_web(src: Path) -> set[str]:
    """The web files a wheel carries, as the wheel names them (gradstep/web/FOLDER/NAME)."""
    return {f"gradstep/web/{p.relative_to(src / 'web').as_posix()}"
            for folder in ("graph", "notebook") for pattern in ("*.js", "*.css")
            for p in (src / "web" / folder).glob(pattern)}


def test_wheel_holds_the_package_the_web_assets_and_the_licence(dist):
    names = wheel_names(dist["wheel"])
    src = dist["src"]
    expected_py = {p.relative_to(src / "engine").as_posix() for p in (src / "engine").rglob("*.py")
                   if "__pycache__" not in p.parts}
    assert {"gradstep/__init__.py", "gradstep/__main__.py", "gradstep/cli.py", "gradstep/nn.py",
            "gradstep/notebook/assets.py", "gradstep/layout/__init__.py", "gradstep/core/value.py",
            "gradstep/program/compiler.py", "gradstep/lab/numeric.py", "gradstep/training/trainer.py"} <= expected_py
    assert expected_py <= names, sorted(expected_py - names)
    assets = packaged_web(src)
    assert {"gradstep/web/graph/graph-view.js", "gradstep/web/graph/graph.css",
            "gradstep/web/notebook/widget.js"} <= assets
    assert assets <= names, sorted(assets - names)
    # gradstep/web/ holds the graph view's and the widget's JS and CSS, nothing else: not the
    # page's controller, not the worker's glue (web/worker/worker.py) or its JavaScript.
    web = {n for n in names if n.startswith("gradstep/web/")}
    assert web == assets, sorted(web ^ assets)
    # One top-level package: gradstep. No `engine` remains.
    tops = {n.split("/")[0] for n in names if not n.startswith(f"{NAME}-{VERSION}.dist-info/")}
    assert tops == {"gradstep"}, tops
    assert f"{NAME}-{VERSION}.dist-info/licenses/LICENSE" in names
    for name in names:
        assert not name.startswith(("tests/", "web/", "bench/", "scripts/", "docs/", "engine/")), name
        assert "sentinel" not in name and "/vendor/" not in name and "/build/" not in name, name
        assert "__pycache__" not in name and not name.endswith((".pyc", ".json", ".html")), name


def test_wheel_metadata_is_what_pypi_shows(dist):
    meta = wheel_metadata(dist["wheel"])
    assert meta["Name"] == NAME and meta["Version"] == VERSION
    assert meta["Requires-Python"] == ">=3.11"
    assert meta["License-Expression"] == "MIT"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert meta["Author"] == "gradstep authors" or "gradstep authors" in (meta["Author-email"] or "")
    assert meta["Summary"] and meta["Keywords"]
    classifiers = set(meta.get_all("Classifier"))
    for classifier in (
        "Intended Audience :: Education",
        "Intended Audience :: Science/Research",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
        "Operating System :: OS Independent",
        "Framework :: Jupyter",
    ):
        assert classifier in classifiers
    assert any(c.startswith("Development Status :: ") for c in classifiers)
    # The licence is said once, as an SPDX expression (PEP 639): no licence classifier.
    assert not any(c.startswith("License ::") for c in classifiers)
    # The long description is the README, as Markdown.
    assert meta["Description-Content-Type"] == "text/markdown"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert meta.get_payload().strip() == readme.strip()
    # The core depends on nothing: every requirement belongs to an extra.
    extras = set(meta.get_all("Provides-Extra"))
    assert {"lab", "widget", "notebook", "test"} <= extras
    requires = meta.get_all("Requires-Dist") or []
    assert requires and all("extra ==" in r for r in requires), [r for r in requires if "extra ==" not in r]

    def extra(name: str) -> set[str]:
        return {r.split(";")[0].replace(" ", "") for r in requires if f'extra == "{name}"' in r}

    assert {"sympy>=1.12", "networkx>=3.2"} <= extra("lab")
    assert {"anywidget>=0.9"} <= extra("widget")
    assert any(r.startswith("jupyterlab") for r in extra("notebook"))
    assert any(r.startswith(("anywidget", "gradstep[widget]")) for r in extra("notebook"))
    with zipfile.ZipFile(dist["wheel"]) as archive:
        entry_points = archive.read(f"{NAME}-{VERSION}.dist-info/entry_points.txt").decode("utf-8")
    assert "gradstep = gradstep.cli:main" in entry_points.replace("  ", " ")


def test_sdist_has_what_a_wheel_is_built_from(dist):
    import tarfile

    with tarfile.open(dist["sdist"]) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert {"pyproject.toml", "README.md", "LICENSE", "PKG-INFO", "engine/gradstep/__init__.py",
            "engine/gradstep/notebook/assets.py", "web/graph/graph-view.js", "web/notebook/widget.css"} <= names
    assert not any(n.startswith(("web/vendor/", "web/build/")) or "sentinel" in n for n in names)


# --- the installed wheel, outside the checkout -----------------------------------------------


def test_installed_package_is_the_wheels_not_the_checkouts(venv, outside):
    code = (
        "import json, gradstep, gradstep.cli, importlib.metadata as m, importlib.util as u; "
        "print(json.dumps([gradstep.__file__, m.version('gradstep'), gradstep.__version__, "
        "u.find_spec('engine') is not None]))"
    )
    result = run([str(venv / BIN / "python"), "-c", code], cwd=outside, env=clean_env())
    assert result.returncode == 0, result.stderr
    where, version, dunder, has_engine = json.loads(result.stdout)
    assert Path(where).resolve().is_relative_to(venv.resolve())
    assert version == VERSION
    assert dunder == VERSION  # gradstep.__version__ is the package's
    assert not has_engine  # no `engine` import name is installed


def test_installed_micrograd_shapes(venv, outside):
    """micrograd's two imports, under gradstep's name: Value and the nn module's classes."""
    code = (
        "from gradstep import Value\n"
        "from gradstep.nn import MLP, Layer, Neuron\n"
        "import random; random.seed(0)\n"
        "n = MLP(2, [3, 1]); x = [Value(1.0), Value(-2.0)]\n"
        "y = n(x); y.backward()\n"
        "print(len(n.parameters()), isinstance(n.layers[0], Layer), isinstance(n.layers[0].neurons[0], Neuron),\n"
        "      any(p.grad != 0.0 for p in n.parameters()))\n"
    )
    result = run([str(venv / BIN / "python"), "-c", code], cwd=outside, env=clean_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["13", "True", "True", "True"]


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_installed_command_lines_print_what_the_checkout_prints(venv, outside, program):
    path = str(outside / program)
    expected = run([sys.executable, "-m", "gradstep", "grad", path, "--json"], cwd=ROOT)
    assert expected.returncode == 0, expected.stderr
    assert json.loads(expected.stdout)["grads"]
    for command in ([str(venv / BIN / "gradstep")], [str(venv / BIN / "python"), "-m", "gradstep"]):
        got = run([*command, "grad", path, "--json"], cwd=outside, env=clean_env())
        assert got.returncode == 0, got.stderr
        assert got.stdout == expected.stdout, command


def test_installed_command_line_reads_stdin_and_reports_a_bad_program(venv, outside):
    gradstep = str(venv / BIN / "gradstep")
    table = run([gradstep, "grad", "-"], cwd=outside, env=clean_env(), stdin=PROGRAMS["L.gs"])
    assert table.returncode == 0 and table.stdout.splitlines()[0] == "output L = -8.0", table.stderr
    bad = run([gradstep, "grad", str(outside / "bad.gs"), "--json"], cwd=outside, env=clean_env())
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: line 2, col ") and "Traceback" not in bad.stderr
    assert set(json.loads(bad.stdout)["error"]) == {"line", "col", "message"}


def test_installed_layout_matches_the_checkout(venv, outside):
    path = str(outside / "softmax.gs")
    expected = run([sys.executable, "-m", "gradstep", "layout", path, "--json"], cwd=ROOT)
    got = run([str(venv / BIN / "gradstep"), "layout", path, "--json"], cwd=outside, env=clean_env())
    assert expected.returncode == 0 and got.returncode == 0, expected.stderr + got.stderr
    assert got.stdout == expected.stdout


def test_installed_assets_come_from_the_wheel(venv, outside):
    code = (
        "import json; from gradstep.notebook.assets import web_dir, web_file, web_files; "
        "print(json.dumps([str(web_dir()), web_file('graph/graph-view.js'), sorted(web_files()), "
        "sorted(web_files('*/*.css'))]))"
    )
    result = run([str(venv / BIN / "python"), "-c", code], cwd=outside, env=clean_env())
    assert result.returncode == 0, result.stderr
    where, graph_view, scripts, styles = json.loads(result.stdout)
    assert Path(where).resolve().is_relative_to(venv.resolve()) and Path(where).name == "web"
    assert graph_view == (ROOT / "web" / "graph" / "graph-view.js").read_text(encoding="utf-8")
    shipped = {n.removeprefix("gradstep/web/") for n in packaged_web(ROOT)}
    assert scripts == sorted(n for n in shipped if n.endswith(".js"))
    assert styles == sorted(n for n in shipped if n.endswith(".css")) == ["graph/graph.css", "notebook/widget.css"]


# --- a checkout and an editable install ------------------------------------------------------


def check_assets_in_checkout() -> None:
    from gradstep.notebook import assets

    web = ROOT / "web"
    assert Path(str(assets.web_dir())).resolve() == web.resolve()
    assert assets.web_file("graph/graph-view.js") == (web / "graph" / "graph-view.js").read_text(encoding="utf-8")
    assert assets.web_file("notebook/widget.css") == (web / "notebook" / "widget.css").read_text(encoding="utf-8")
    scripts = assets.web_files()
    expected = sorted(p.relative_to(web).as_posix() for f in ("graph", "notebook") for p in (web / f).glob("*.js"))
    assert list(scripts) == expected and "graph/stepper.js" in scripts
    assert scripts["notebook/widget.js"] == (web / "notebook" / "widget.js").read_text(encoding="utf-8")
    assert list(assets.web_files("*/*.css")) == ["graph/graph.css", "notebook/widget.css"]
    assert list(assets.web_files("graph/graph-*")) == ["graph/graph-view.js"]


def test_assets_in_this_process():
    """The tests import the package from the checkout's editable install."""
    check_assets_in_checkout()


def test_assets_refuse_what_a_wheel_would_not_have():
    from gradstep.notebook import assets

    # the page's own files, the worker, set-up records: in the checkout, never in a wheel
    for name in ("page/app.js", "page/style.css", "worker/worker.py", "worker/bridge.js", "vendor.lock.json",
                 "build/examples.json", "graph-view.js"):
        with pytest.raises((FileNotFoundError, ValueError)):
            assets.web_file(name)
    for name in ("vendor/pyodide/pyodide.js", "../index.html", "graph/../page/app.js", "", "..", "graph/"):
        with pytest.raises(ValueError):
            assets.web_file(name)
    with pytest.raises(FileNotFoundError):
        assets.web_file("graph/no-such-module.js")
    assert assets.web_files("*.py") == {} and assets.web_files("page/*") == {}


def test_assets_from_a_plain_checkout(outside):
    """No install at all: python -S (no site-packages) with the checkout on PYTHONPATH."""
    env = clean_env() | {"PYTHONPATH": str(ROOT / "engine")}
    code = ("import json, gradstep.notebook.assets as a; "
            "print(json.dumps([str(a.web_dir()), len(a.web_file('graph/graph-view.js'))]))")
    result = run([sys.executable, "-S", "-c", code], cwd=outside, env=env)
    assert result.returncode == 0, result.stderr
    where, size = json.loads(result.stdout)
    assert Path(where).resolve() == (ROOT / "web").resolve() and size > 0


def test_assets_from_the_editable_install(outside):
    """`pip install -e .` (the test command's install): the finder setuptools writes, outside the checkout."""
    # The checkout's own gradstep.egg-info (the editable build writes it) comes first on
    # sys.path here, so look for the installed dist-info, the one with direct_url.json.
    installed = [json.loads(d.read_text("direct_url.json") or "{}") for d in metadata.distributions(name=NAME)]
    installed = [d for d in installed if d]
    if not installed:
        pytest.skip("gradstep is not installed in this environment")
    direct = installed[0]
    if not direct.get("dir_info", {}).get("editable"):
        pytest.skip("gradstep is installed, but not in editable mode")
    if Path(direct["url"].removeprefix("file://")).resolve() != ROOT.resolve():
        pytest.skip(f"the editable install is of another checkout: {direct['url']}")
    code = (
        "import json, gradstep, gradstep.notebook.assets as a; "
        "print(json.dumps([gradstep.__file__, str(a.web_dir()), a.web_file('graph/graph-view.js')]))"
    )
    result = run([sys.executable, "-c", code], cwd=outside, env=clean_env())
    assert result.returncode == 0, result.stderr
    package_file, where, graph_view = json.loads(result.stdout)
    assert Path(package_file).resolve() == (ROOT / "engine" / "gradstep" / "__init__.py").resolve()
    assert Path(where).resolve() == (ROOT / "web").resolve()
    assert graph_view == (ROOT / "web" / "graph" / "graph-view.js").read_text(encoding="utf-8")
