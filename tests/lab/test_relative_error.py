"""Relative error has one definition: |estimate - backprop| / |backprop|, the same number in
the command line's check table and in the page's lab (gradstep.lab.views.compare), which
once divided by |central| and by |backprop| under one name."""

from __future__ import annotations

import subprocess
import sys

from gradstep.lab.numeric import relative_error
from gradstep.lab.views import compare
from gradstep.program.compiler import compile_program
from gradstep.program.timeline import Timeline

# f = a**3 / 3 has da = a**2: at a = 1e-3, backprop is 1e-6 and central's absolute error is
# h**2/3: at h = 1e-2 the two old definitions give 33 and 0.97.
PROGRAM = "a = 0.001\nb = 40.0\nf = a ** 3 / 3 + sin(b) * b\nf\n"


def test_the_definition():
    assert relative_error(1.1, 1.0) == abs(1.1 - 1.0) / 1.0
    assert relative_error(-2.5, -2.0) == 0.25
    assert relative_error(None, 1.0) is None
    assert relative_error(1e-9, 0.0) is None  # (no exact gradient to be relative to)


def test_cli_and_lab_print_the_same_relative_error():
    tape = compile_program(PROGRAM)
    lab = compare(tape, Timeline(tape).start, 1e-2)
    table = subprocess.run([sys.executable, "-m", "gradstep", "check", "-", "--h", "1e-2"], input=PROGRAM,
                           capture_output=True, text=True, check=False).stdout
    rows = {line.split()[0]: line.split() for line in table.splitlines() if line.split()[:1] in (["a"], ["b"])}
    header = next(line.split() for line in table.splitlines() if line.startswith("leaf"))
    assert header[-2:] == ["relative", "check"]
    column = -2
    for row in lab["leaves"]:
        rel = row["rel_error"]["central"]
        assert rel == abs(row["central"] - row["backprop"]) / abs(row["backprop"])
        assert rows[row["label"]][column] == f"{rel:.2e}"
    # and the old |central| definition prints another number for a: with h = 1e-2, central is
    # a**2 + h**2/3, 34 times backprop
    a = next(r for r in lab["leaves"] if r["label"] == "a")
    assert f"{abs(a['central'] - a['backprop']) / abs(a['central']):.2e}" != rows["a"][column]
