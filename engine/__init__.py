"""gradstep's engine: scalar autograd, programs, and step-by-step frames.

``Value`` is micrograd-compatible; ``compile_program`` reads a program into a tape;
``Session`` steps through it. The names below are imported on first use (PEP 562),
so the page, which needs only ``engine.session``, does not load ``Value`` at start-up.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "DomainError": "errors",
    "ProgramError": "errors",
    "compile_program": "program",
    "Session": "session",
    "Timeline": "timeline",
    "Value": "value",
    "share_link": "graph_program",
    "show": "widget",
    "to_program": "graph_program",
}

# (not "show": ``from engine import *`` must work without the widget's anywidget)
__all__ = sorted(set(_EXPORTS) - {"show"})


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gradstep")
    except PackageNotFoundError:  # a checkout on sys.path, not installed
        return "0+unknown"



def __getattr__(name: str):
    if name == "__version__":  # (importlib.metadata only when asked: the page's start-up skips it)
        globals()[name] = _version()
        return globals()[name]
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
