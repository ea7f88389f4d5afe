"""The page's own JavaScript and CSS (``web/*.js``, ``web/style.css``), read as text.

The notebook widget draws with the page's modules, so they ship inside the package
(``engine/web/`` in a wheel: pyproject.toml maps the subpackage ``engine.web`` to the
repository's ``web/``). They are found in three settings:

- an installed wheel (or sdist): ``engine/web/`` beside this module;
- an editable install (``pip install -e .``) or a plain checkout (the repository root
  on ``sys.path``): the repository's ``web/`` beside ``engine/``. The editable finder
  setuptools writes cannot import ``engine.web`` itself (``web/`` has no
  ``__init__.py``, and a namespace package nested in a regular one is beyond it), so
  the checkout's directory is found from ``engine/``'s own place;
- anywhere ``engine.web`` imports (a future setuptools, or a ``web/__init__.py``).

Only the packaged files are served (``*.js`` and ``*.css`` at the top of ``web/``, not
``web/vendor/`` or ``web/build/``), so what works from a checkout works installed too.
"""

from __future__ import annotations

import fnmatch
import functools
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

__all__ = ["PACKAGED", "web_dir", "web_file", "web_files"]

#: The patterns of the files in web/ that the package carries (pyproject.toml's package-data).
PACKAGED = ("*.js", "*.css")


def _packaged(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in PACKAGED)


def _has_assets(folder: Traversable) -> bool:
    try:
        return folder.is_dir() and any(entry.is_file() and _packaged(entry.name) for entry in folder.iterdir())
    except OSError:
        return False


@functools.cache
def web_dir() -> Traversable:
    """The directory the web files are read from (a ``Traversable``: a path, or inside a zip)."""
    # An installed wheel: engine/web/ is a directory of the engine package.
    installed = resources.files("engine").joinpath("web")
    if _has_assets(installed):
        return installed
    # A checkout or an editable install: engine/ is the repository's, web/ is beside it.
    # index.html marks the repository root, so an unrelated top-level "web" package in
    # site-packages is never mistaken for it.
    root = Path(__file__).resolve().parent.parent
    checkout = root / "web"
    if (root / "index.html").is_file() and _has_assets(checkout):
        return checkout
    # Wherever else the import system can find engine.web.
    try:
        mapped = resources.files("engine.web")
    except (ModuleNotFoundError, TypeError):
        mapped = None
    if mapped is not None and _has_assets(mapped):
        return mapped
    raise FileNotFoundError(
        "gradstep's web files (web/*.js, web/style.css) are missing: neither the installed "
        f"package ({installed}) nor a checkout ({checkout}) has them; reinstall gradstep"
    )


def web_file(name: str) -> str:
    """The text of one packaged web file, by its name in ``web/``: ``web_file("graph-view.js")``."""
    if not name or "/" in name or "\\" in name or name in {".", ".."}:
        raise ValueError(f"a web file is named by its bare name in web/, like 'graph-view.js', not {name!r}")
    if not _packaged(name):
        raise FileNotFoundError(f"web/{name} is not packaged: only {', '.join(PACKAGED)} files ship with gradstep")
    entry = web_dir().joinpath(name)
    if not entry.is_file():
        raise FileNotFoundError(f"no web file {name!r} in {web_dir()}")
    return entry.read_text(encoding="utf-8")


def web_files(pattern: str = "*.js") -> dict[str, str]:
    """The packaged web files whose names match ``pattern`` (fnmatch), name -> text, sorted by name."""
    names = sorted(
        entry.name
        for entry in web_dir().iterdir()
        if entry.is_file() and _packaged(entry.name) and fnmatch.fnmatchcase(entry.name, pattern)
    )
    return {name: web_dir().joinpath(name).read_text(encoding="utf-8") for name in names}
