"""The page's graph view and the widget's own files (``web/graph/``, ``web/notebook/``), read as text.

The notebook widget draws with the page's modules, so they ship inside the package
(``gradstep/web/`` in a wheel: pyproject.toml maps the package ``gradstep.web`` to the
repository's ``web/`` and takes only ``graph/`` and ``notebook/`` from it). They are found in
three settings:

- an installed wheel (or sdist): ``gradstep/web/`` beside the package's modules;
- an editable install (``pip install -e .``) or a checkout: the repository's ``web/``, two
  folders above this package (``engine/gradstep/``); setuptools' editable finder cannot
  import ``gradstep.web`` itself (``web/`` has no ``__init__.py``);
- anywhere ``gradstep.web`` imports.

A file is named by its path under ``web/``: ``web_file("graph/graph-view.js")``. Only the
packaged folders are served, so what works from a checkout works installed too.
"""

from __future__ import annotations

import fnmatch
import functools
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

__all__ = ["FOLDERS", "PACKAGED", "web_dir", "web_file", "web_files"]

#: The folders of web/ the package carries, and the kinds of file in them (pyproject.toml's package-data).
FOLDERS = ("graph", "notebook")
PACKAGED = ("*.js", "*.css")


def _packaged(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in PACKAGED)


def _has_assets(folder: Traversable) -> bool:
    try:
        graph = folder.joinpath("graph")
        return graph.is_dir() and any(entry.is_file() and _packaged(entry.name) for entry in graph.iterdir())
    except OSError:
        return False


@functools.cache
def web_dir() -> Traversable:
    """The directory the web files are read from (a ``Traversable``: a path, or inside a zip)."""
    installed = resources.files("gradstep").joinpath("web")
    if _has_assets(installed):
        return installed
    # A checkout or an editable install: engine/gradstep/ is the repository's. index.html
    # marks the repository root, so an unrelated "web" folder is never mistaken for it.
    root = Path(__file__).resolve().parents[3]
    checkout = root / "web"
    if (root / "index.html").is_file() and _has_assets(checkout):
        return checkout
    try:
        mapped = resources.files("gradstep.web")
    except (ModuleNotFoundError, TypeError):
        mapped = None
    if mapped is not None and _has_assets(mapped):
        return mapped
    raise FileNotFoundError(
        "gradstep's web files (web/graph/, web/notebook/) are missing: neither the installed "
        f"package ({installed}) nor a checkout ({checkout}) has them; reinstall gradstep"
    )


def web_file(name: str) -> str:
    """The text of one packaged web file, by its path in ``web/``: ``web_file("graph/graph-view.js")``."""
    folder, _, base = name.partition("/")
    if folder not in FOLDERS or not base or "/" in base or "\\" in name or base in {".", ".."}:
        raise ValueError(f"a web file is named FOLDER/NAME with FOLDER one of {', '.join(FOLDERS)}, "
                         f"like 'graph/graph-view.js', not {name!r}")
    if not _packaged(base):
        raise FileNotFoundError(f"web/{name} is not packaged: only {', '.join(PACKAGED)} files ship with gradstep")
    entry = web_dir().joinpath(folder).joinpath(base)
    if not entry.is_file():
        raise FileNotFoundError(f"no web file {name!r} in {web_dir()}")
    return entry.read_text(encoding="utf-8")


def web_files(pattern: str = "*/*.js") -> dict[str, str]:
    """The packaged web files whose paths (``graph/scene.js``) match ``pattern`` (fnmatch), path -> text, sorted."""
    names = sorted(
        f"{folder}/{entry.name}"
        for folder in FOLDERS
        for entry in web_dir().joinpath(folder).iterdir()
        if entry.is_file() and _packaged(entry.name) and fnmatch.fnmatchcase(f"{folder}/{entry.name}", pattern)
    )
    return {name: web_file(name) for name in names}
