"""gradstep: see gradients and backpropagation step by step.

A pure-Python scalar autograd engine (micrograd-compatible ``Value``), a small program
language whose graphs the page, the command line and the notebook widget step through,
the gradient lab and training. The parts, each a subpackage whose docstring says what it
may import (imports point down this list, never up; tests/packaging/test_imports.py checks it):

- ``gradstep.core``: ``Value``, the op table, the tape, reproducible float math, errors.
- ``gradstep.layout``: the graph layout, one module per phase (imports nothing of gradstep).
- ``gradstep.program``: the program language (compiler, messages, notation, writer), the
  timeline, ``Session`` (the stepper of the command line and the tests), scenes, examples,
  and ``to_program`` (any ``Value`` graph as a program).
- ``gradstep.lab``: the same gradient three ways (differences, closed form, paths, forward mode).
- ``gradstep.training``: networks, losses, datasets, trainers, the one settings table.
- ``gradstep.notebook``: the notebook widget.
- ``gradstep.cli``: the command line (``gradstep`` and ``python -m gradstep``).

``from gradstep import Value`` and ``from gradstep.nn import Neuron, Layer, MLP`` are
micrograd's ``micrograd.engine`` and ``micrograd.nn``. The names below are imported on
first use (PEP 562), so the page's worker, which needs only ``gradstep.program.session``,
does not load ``Value`` at start-up.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "DomainError": "core.errors",
    "ProgramError": "core.errors",
    "Value": "core.value",
    "compile_program": "program.compiler",
    "Session": "program.session",
    "Timeline": "program.timeline",
    "share_link": "program.from_graph",
    "to_program": "program.from_graph",
    "show": "notebook.widget",
}

# (not "show": ``from gradstep import *`` must work without the widget's anywidget)
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
        raise AttributeError(f"module 'gradstep' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
