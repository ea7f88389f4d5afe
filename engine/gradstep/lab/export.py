"""Export: the program as a script or a notebook that runs without gradstep.

``gradstep export FILE --to pytorch|micrograd|notebook`` writes the program's graph out
as code someone can run, read and change elsewhere (contract section 4, "Export"):

* ``pytorch``: a standalone script that builds the graph with float64 scalar tensors,
  calls ``backward()`` and prints each named leaf's gradient, one ``NAME GRADIENT`` line
  each (``NAME`` the leaf's label, ``a`` or ``x[0]``; ``GRADIENT`` its ``repr``).
* ``micrograd``: the same with micrograd 0.1.0's ``Value``. micrograd has only
  ``+ * ** relu``; the script adds the other ops the micrograd way (a forward value and a
  ``_backward`` closure), each with the local derivative of gradstep's op table
  (core/ops.py) and gradstep's float math (core/floatmath.py, the same bits everywhere, copied
  into the script), and runs backprop over the nodes in the reverse of the order they
  were made, as ``Tape.backward`` does. So its gradients are gradstep's to the last bit.
  micrograd's own ``backward()`` orders the nodes by a depth-first walk over Python
  sets, which can add a node's incoming terms in another order (the same gradient up to
  the last bit): the script says so, and does not use it.
* ``notebook``: seed 003's lesson for this program (export_notebook.py): the function as
  plain Python, the forward and central differences, sympy's closed form, backprop with
  micrograd, and a check cell printing ``OK for LEAF: expected E, yours returns Y``.

How the scripts are written (from the tape, node for node in the tape's order, reading like
the program) is in export_scripts.py; the notebook is export_notebook.py.

Programs with more than ``MAX_NODES`` nodes are refused (``ExportError``): the scripts
write one line or more per statement, and nobody reads a script that long.
"""

from __future__ import annotations

import math
import re

from gradstep.core.tape import Tape
from gradstep.lab.export_notebook import notebook
from gradstep.lab.export_scripts import MAX_NODES, ExportError, Plan, micrograd_script, pytorch_script

TARGETS = ("pytorch", "micrograd", "notebook")
__all__ = ["MAX_NODES", "TARGETS", "ExportError", "export", "filename"]


def export(tape: Tape, start: list[float], to: str, h: float = 1e-6) -> str:
    """The program of ``tape`` at leaf values ``start`` as a ``pytorch`` or ``micrograd``
    script, or a ``notebook`` (nbformat 4 JSON) whose numerical gradients use step ``h``.

    Raises ``ExportError`` for a program too large to export, ``ProgramError`` when the
    program fails at ``start`` (a domain error), ``ValueError`` for an unknown ``to``.
    """
    if to not in TARGETS:
        raise ValueError(f"export to one of {', '.join(TARGETS)}, not {to!r}")
    if not (isinstance(h, int | float) and 0.0 < h < math.inf):
        raise ValueError(f"h must be a positive, finite number, not {h!r}")
    plan = Plan(tape, start)
    if to == "micrograd":
        return micrograd_script(plan)
    if to == "pytorch":
        return pytorch_script(plan)
    return notebook(plan, float(h))


def filename(tape: Tape, to: str) -> str:
    """A file name for the export: ``gradstep_L_micrograd.py``, ``gradstep_L.ipynb``."""
    out = re.sub(r"[^A-Za-z0-9_]+", "_", tape.labels[tape.output]).strip("_") or "output"
    return f"gradstep_{out}.ipynb" if to == "notebook" else f"gradstep_{out}_{to}.py"


