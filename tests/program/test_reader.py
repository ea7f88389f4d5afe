"""Reading a program without deep recursion (gradstep.program.reader): the page's worker
dies for good when ast.parse recurses too deeply, so long chains are read piece by piece and
deep nesting is refused before parsing. The trees must be ast.parse's, positions included."""

from __future__ import annotations

import ast
import random

import pytest

from gradstep.core.errors import ProgramError
from gradstep.program import reader
from gradstep.program.compiler import compile_program
from gradstep.program.timeline import Timeline

OPERANDS = ["x", "y2", "é", "1.5", "2", "1e-5", "3.0e+2", "exp(x)", "tanh(-x)", "xs[1]", "(x - y2)", "(-x)",
            "sum(xs)", "x.tanh()", "(x + 1) ** 2", "-x ** 2", "sqrt(abs(x))", "mean([x, y2])"]
BINARY = [" + ", " - ", " * ", " / ", "-", "+", "*", " ** "]
PROGRAM_HEAD = "x = 0.5\ny2 = -1.25\né = 2.0\nxs = [1.0, 2.0, 3.0]\n"


def random_chain(rng: random.Random, terms: int) -> str:
    parts = [rng.choice(OPERANDS)]
    for _ in range(terms - 1):
        op = rng.choice(BINARY)
        unary = rng.choice(["", "", "", "-", "+"])
        parts.append(op + unary + rng.choice(OPERANDS))
    return "".join(parts)


def careful(text: str) -> ast.Module:
    return reader._Reader(text).module()


def dump(tree) -> str:
    return ast.dump(tree, include_attributes=True)


@pytest.mark.parametrize("seed", range(12))
def test_long_chains_read_as_ast_parse_reads_them(seed):
    rng = random.Random(seed)
    terms = rng.choice([120, 250, 400, 800])
    shape = rng.choice(["y = {}", "y = x\ny += {}", "{}", "a = 1.0; y = {}  # (((", "y = ({}) * 2 - x"])
    text = PROGRAM_HEAD + shape.format(random_chain(rng, terms)) + "\n" + "z = y2\n" * (seed % 2)
    assert dump(careful(text)) == dump(ast.parse(text))
    if terms >= 250:
        assert reader._has_long_chain(text)  # (the careful path is the one the page takes)


def test_short_programs_go_to_ast_parse_whole():
    text = PROGRAM_HEAD + "y = x + y2 * é\n"
    assert not reader._has_long_chain(text)
    assert dump(reader.parse(text)) == dump(ast.parse(text))


def test_a_3000_term_sum_compiles_and_computes():
    """(ast.parse of this kills Pyodide in a browser worker; read piece by piece it is a chain.)"""
    text = "x = 0.1\ny = " + " + ".join(["x"] * 3000) + "\n"
    timeline = Timeline(compile_program(text))
    total = 0.1
    for _ in range(2999):
        total += 0.1
    assert timeline.output_value == total  # left to right, as Python adds
    assert timeline.grads[0] == 3000.0


@pytest.mark.parametrize("text, line, col", [
    ("x = 1.0\ny = " + "(" * 101 + "x" + ")" * 101 + "\n", 2, 105),
    ("x = 1.0\ny = [" + "[" * 150 + "x" + "]" * 151 + "\n", 2, 105),
    ("x = 1.0\n# (((((\ny = f" + "(" * 101 + "x" + ")" * 101 + "\n", 3, 106),
])
def test_deep_nesting_is_refused_before_parsing(text, line, col, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("ast.parse was called")

    monkeypatch.setattr(reader.ast, "parse", never)
    with pytest.raises(ProgramError) as refused:
        reader.parse(text)
    assert (refused.value.line, refused.value.col) == (line, col)
    assert "nested more than 100 levels deep" in refused.value.message


def test_100_levels_are_allowed():
    text = "x = 1.0\ny = " + "(" * 100 + "x" + ")" * 100 + "\n"
    assert Timeline(compile_program(text)).output_value == 1.0


def test_a_long_chain_inside_a_call_is_refused_with_what_to_write():
    text = "x = 1.0\ny = exp(" + " + ".join(["x"] * 500) + ")\n"
    with pytest.raises(ProgramError) as refused:
        compile_program(text)
    assert refused.value.line == 2 and refused.value.col == 5
    assert "give its parts names on lines above" in refused.value.message


def test_a_long_run_of_minus_signs_is_refused_as_too_deep():
    text = "x = 1.0\ny = " + "-" * 300 + "x + " + " + ".join(["x"] * 300) + "\n"
    with pytest.raises(ProgramError) as refused:
        compile_program(text)
    assert "nested more than 100 levels deep" in refused.value.message and refused.value.line == 2


def test_syntax_errors_in_a_long_program_keep_their_place():
    text = "x = 1.0\ny = " + " + ".join(["x"] * 300) + " + * x\n"
    with pytest.raises(ProgramError) as refused:
        compile_program(text)
    assert refused.value.line == 2
    with pytest.raises(ProgramError) as short:
        compile_program("x = 1.0\ny = x + * x\n")
    assert short.value.line == 2


PYODIDE_RUN = r"""
import { loadPyodide } from "./web/vendor/pyodide/pyodide.mjs";
import fs from "node:fs";
const py = await loadPyodide({ indexURL: "./web/vendor/pyodide/" });
for (const f of JSON.parse(fs.readFileSync("./web/build/engine-files.json", "utf8"))) {
  py.FS.mkdirTree("/home/pyodide/" + f.slice(0, f.lastIndexOf("/")));
  py.FS.writeFile("/home/pyodide/" + f, fs.readFileSync(f, "utf8"));
}
console.log(py.runPython(process.argv[1]));
"""
PYODIDE_CASES = """
import sys, json
sys.path.insert(0, "/home/pyodide/engine")
from gradstep.core.errors import ProgramError
from gradstep.program.session import Session
from gradstep.program.scene import scene
out = []
for text in [
    "x = 0.5\\ny = " + " + ".join(["x"] * 20000) + "\\n",
    "x = 0.5\\ny = " + "(" * 300 + "x" + ")" * 300 + "\\n",
    "x = 0.5\\ny = " + " * ".join(["x"] * 5000) + " + exp(" + " + ".join(["x"] * 600) + ")\\n",
]:
    try:
        s = Session(text, frames=False)
        out.append(len(scene(s, layout=False)["timeline"]["values"]))
    except ProgramError as e:
        out.append(e.message[:30])
json.dumps(out)
"""


def test_the_page_s_python_survives_what_once_killed_it():
    """In Pyodide (node, the vendored build): a 20,000-term sum, 300 nested brackets and a chain
    refused halfway. ast.parse, or freeing a deep tree, overflowed the stack and Pyodide was
    dead for good ("Pyodide has suffered a fatal error"); now each is a graph or a message."""
    import json
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert (root / "web/vendor/pyodide/pyodide.mjs").is_file(), "run python3 scripts/setup.py first"
    done = subprocess.run(["node", "--input-type=module", "-e", PYODIDE_RUN, PYODIDE_CASES], cwd=root,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    sizes = json.loads(done.stdout.strip().splitlines()[-1])
    assert sizes == [20000, "this expression is nested more", "this has a chain of 599 operat"]  # (1 leaf, 19,999 sums)


def test_long_lines_that_are_not_chains_go_to_ast_parse_whole():
    """(A review found the careful path refused any long statement: the training view's own
    "step into one update" program, and a list of 300 negative numbers.) Length is no danger."""
    from gradstep.training.view import TrainingView

    view = TrainingView()
    view.act("new", settings={"dataset": "moons", "layers": "16,16", "seed": "0"})
    point = view.act("point", index=3)["program"]
    assert reader._has_long_chain(point)  # (its long lines of negative numbers take the careful path)
    assert dump(careful(point)) == dump(ast.parse(point))
    text = "w = [" + ", ".join(["-0.5"] * 300) + "]\ny = sum(w)\n"
    assert dump(careful(text)) == dump(ast.parse(text))
    assert Timeline(compile_program(text)).output_value == -150.0


@pytest.mark.parametrize("text, words", [
    ("x = 1.0\ny = " + " + ".join(["x"] * 300) + " +\n", "nothing follows +"),
    ("x = 1.0\ny, z = " + " + ".join(["x"] * 300) + "\n", "a long chain can stand in `name = ...`"),
    ("x = 1.0\nx += x += " + " + ".join(["x"] * 300) + "\n", "this line cannot be read as a program line"),
])
def test_long_lines_of_other_kinds_are_refused_in_their_own_words(text, words):
    with pytest.raises(ProgramError) as refused:
        compile_program(text)
    assert words in refused.value.message and refused.value.line == 2


def test_longest_run_counts_a_chain_not_a_list():
    def run(text):
        import io
        import tokenize
        return reader._longest_run(list(tokenize.generate_tokens(io.StringIO(text).readline)))

    assert run("[-1.0, -2.0, -3.0]") == 1
    assert run("x + y * -z") == 3
    assert run("f(a + b, c) - (d - e - g)") == 2
    assert run("[z * 2 for z in xs if z - 1]") == 1
