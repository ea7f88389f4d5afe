"""`gradstep export` (contract section 4, Export; gradstep/lab/export.py, export_notebook.py).

Each export is run as a user would and its `NAME GRADIENT` lines are compared with
`gradstep grad --json` of the same program (and, for the leaves of a name bound again later,
which `grad --json` does not list, with the timeline's gradients):

* micrograd: bit for bit, for every built-in example, tricky programs and random ones;
* pytorch: against a small fake `torch` written here (float64 scalars, exactly the API the
  scripts use), always; against the real torch when it is installed. torch's exp, log ...
  and its order of adding gradients are its own, so both compare with a tolerance;
* notebook: executed headless with nbclient (the ipykernel python3 kernel), top to bottom;
  its backprop cell bit for bit, its check cell printing seed 003's OK lines.
"""

from __future__ import annotations

import ast
import json
import math
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gradstep.cli import main
from gradstep.lab.export import MAX_NODES, ExportError, export, filename
from gradstep.program.compiler import compile_program
from gradstep.program.examples import EXAMPLES
from gradstep.program.timeline import Timeline

ROOT = Path(__file__).resolve().parents[2]

TRICKY = {
    "rebind": "a = 1.0\na += 2\nb = a * a\na = 5.0\nb * a\n",
    "alias": "a = 2.0\nb = a\ny = b*b*b + a*a + a\n",
    "list-alias-then-op": "a = 1.5\nb = 2.0\nxs = [a, 2.0, a*b]\ny = sum(xs) * xs[0]\n",
    "softmax-inline": "logits = [0.0, 3.0, -2.0, 1.0]\nloss = -log(softmax(logits)[3])\n",
    "softmax-comprehension": "xs = [1.0, 2.0, 0.5]\nps = [p * 2 for p in softmax(xs)]\nsum(ps) + ps[0]*ps[1]\n",
    "softmax-items": "a = 1.0\nb = 2.0\nps = softmax([a*b, b, 3])\nps[0]*ps[2]\n",
    "softmax-large": "z = [1000.0, 1001.0]\nloss = -log(softmax(z)[0])\n",
    "softmax-tie": "z = [2.0, 2.0, 1.0]\np = softmax(z)\ny = p[0] * 3 + p[2]\n",
    "powers": "x = 1.5\ny = 2.0\nz = x ** y + 2 ** x + x ** (1/3) + (x*y) ** -2 + (-x) ** 3 + x ** 0\n",
    "pow-node-at-zero": "a = 0.0\nb = 2.0\ny = a ** b + b ** a\n",
    "constants": "x = 0.7\ny = x * (1/3) + exp(2) * x + 2 ** 0.5 * x - (3 - 1) * x + x * 1_000 + x * -0.0\n",
    "constant-output": "a = 1.0\ny = 2 * 3\n",
    "unused-leaf": "a = 1.0\nb = 2.0\na * 3\n",
    "every-op": "x = [0.3, -1.2, 2.5]\n"
                "y = mean([relu(z) + abs(z) + sigmoid(z) + tanh(z) for z in x]) + sqrt(x[2]) + tan(x[0])"
                " + cos(x[1]) + x[1].relu() + x[0].exp().log() + sin(x[2]) - x[0] / x[2]\n",
    "names-the-script-uses": "max = 2.0\nValue = 3.0\nprint = max * Value\nmade = print + 1\nnode = made * 2\n"
                             "leaf = node / max\nfm_exp = exp(leaf) ** 2\n_t1 = fm_exp - 1\nlabel = _t1 * 2\n"
                             "torch = label + made\nmath = sqrt(torch)\n_CTX = math * 2\nsoftmax_ = log(_CTX)\n",
    "reuse": "a = 3.0\nb = a + a\nc = b + b\n",
    "shared-in-comprehension": "a = 1.0\nb = 2.0\nys = [z * z + z for z in [a * b, b]]\nsum(ys)\n",
    "kinks": "x = 0.0\ny = relu(x) + abs(x) + x\n",
    "saturate": "x = -1000.0\ny = sigmoid(x) + tanh(-x) * x\n",
    "leaf-output": "a = 2.0\n",
    "list-rebound": "x = [1.0, 2.0]\ny = x[0] * x[1]\nx = [3.0, y]\nx[0] * x[1] + y\n",
    "list-rebound-from-itself": "w = [0.5, -0.5]\nw = [w[0] * 2, w[1] + 1]\nw[0] * w[1]\n",
    "bare-name": "a = 2.0\nL = a * a\nL\n",
    "semicolons-comments": "a = 1.0; b = 2.0  # two leaves\nc = (a +\n     b) * a; c\n",
    "divisions": "a = 3.0\nb = 7.0\ny = a / b / (a - b) + 1 / a + a / 3\n",
    "negative-zero": "a = -0.0\ny = relu(a) * 3 + a * a\n",
    "lists-of-names": "a = 1.0\nb = 2.0\nxs = [a, b]\nys = [a, b]\ny = xs[0] * ys[1] + xs[1] * ys[0] + a * b\n",
    "one-element": "a = 2.0\ny = mean([a]) + sum([a]) + softmax([a])[0]\n",
    "index-a-literal-list": "a = 2.0\nb = 3.0\ny = [a*b, exp(a)][1] + [2.0, 3][1]\n",
    "unicode": "α = 0.5\nβ = α * 2\nγ = β ** α\n",
    "soft-keywords": "match = 1.5\ncase = match * 2\ntype = case + match\n",
    "long-sum": "a = 1.1\nb = 0.3\ns = " + " + ".join(f"a * {k} * b" for k in range(1, 301)) + "\n",
    "deep": "x = 0.9\ny = " + "tanh(" * 90 + "x" + ")" * 90 + " * x\n",
}


def random_program(seed: int, n: int = 40) -> str:
    """A program with much sharing (a node used by several later ones, rebindings): where the
    order in which a node's gradient terms are added shows in the last bit."""
    r = random.Random(seed)
    lines, names = [], []
    for k in range(r.randint(2, 5)):
        names.append(f"v{k}")
        lines.append(f"v{k} = {r.uniform(0.5, 2.0)!r}")
    forms = ["{a} * {b}", "{a} + {b}", "{a} - {b} * 0.5", "{a} / ({b} + 3)", "tanh({a}) * {b}",
             "exp(-{a} * {a}) + {b}", "log(1 + {a} * {a}) * {b}", "sigmoid({a}) + sin({b})",
             "({a} * {a} + 1) ** 0.5 * {b}", "softmax([{a}, {b}, {a} * {b}])[{i}] + {a}",
             "mean([{a}, {b}, {a}]) * {b}", "sqrt({a} * {a} + 0.1) + cos({b})",
             "(1.5 + tanh({a})) ** {b}", "abs({a} - {b}) + relu({b} - {a})", "[{a}, {b}][{j}] * {a}"]
    for k in range(n):
        a, b = (r.choice(names[-8:] + names[:3]) for _ in range(2))
        text = r.choice(forms).format(a=a, b=b, i=r.randint(0, 2), j=r.randint(0, 1))
        if r.random() < 0.2:
            lines.append(f"{r.choice(names)} {r.choice(['+=', '*='])} 0.1 * tanh({text})")
        else:
            names.append(f"n{k}")
            lines.append(f"n{k} = {text}")
    lines.append(" + ".join(r.sample(names, min(6, len(names)))))
    return "\n".join(lines) + "\n"


PROGRAMS = {e["id"]: e["program"] for e in EXAMPLES} | TRICKY | {f"random-{s}": random_program(s) for s in range(25)}
# the notebook runs a kernel per program: the examples and the programs that test its cells
NOTEBOOKS = [e["id"] for e in EXAMPLES] + ["rebind", "softmax-inline", "pow-node-at-zero", "saturate", "kinks",
                                           "deep", "list-rebound", "names-the-script-uses", "constant-output",
                                           "every-op", "random-0"]


# ----------------------------------------------------------------------------- helpers
def expected(text: str, tmp_path: Path) -> dict[str, float]:
    """Each leaf's gradient, label -> float: `gradstep grad --json`'s for every leaf it lists
    (run through the command line's own code), the timeline's for the others (a@1)."""
    path = tmp_path / "program.txt"
    path.write_text(text, encoding="utf-8")
    out = _run_main(["grad", str(path), "--json"])
    grads = json.loads(out)["grads"]
    tape = compile_program(text)
    timeline = Timeline(tape)
    leaves = {}
    for i in tape.leaf_indices():
        label = tape.labels[i]
        leaves[label] = grads[label] if label in grads else timeline.grads[i]
        assert repr(leaves[label]) == repr(timeline.grads[i])
    return leaves


def _run_main(argv: list[str]) -> str:
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(argv) == 0
    return buffer.getvalue()


def printed(stdout: str) -> dict[str, float]:
    """`NAME GRADIENT` lines as label -> float, in order (a label may hold spaces: split at the last)."""
    out = {}
    for line in stdout.splitlines():
        label, _, value = line.rpartition(" ")
        assert label and label not in out, line
        out[label] = float(value)
        assert repr(out[label]) == value, f"not repr: {line}"
    return out


def run_script(text: str, tmp_path: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    path = tmp_path / "exported.py"
    path.write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120,
                          env=env, cwd=tmp_path)


def exported(text: str, to: str, **kw) -> str:
    tape = compile_program(text)
    return export(tape, Timeline(tape).start, to, **kw)


def close(a: float, b: float, rel: float = 1e-9, abs_: float = 1e-9) -> bool:
    return abs(a - b) <= abs_ + rel * abs(b)


# --------------------------------------------------------------------------- micrograd
@pytest.mark.parametrize("name", list(PROGRAMS))
def test_micrograd_export_prints_gradsteps_gradients_bit_for_bit(name, tmp_path):
    text = PROGRAMS[name]
    script = exported(text, "micrograd")
    result = run_script(script, tmp_path)
    assert result.returncode == 0, result.stderr
    got = printed(result.stdout)
    want = expected(text, tmp_path)
    assert list(got) == list(want)  # every leaf, in program order
    assert {k: repr(v) for k, v in got.items()} == {k: repr(v) for k, v in want.items()}


def test_micrograd_script_reads_like_the_program():
    script = exported(EXAMPLES[0]["program"], "micrograd")
    graph = script[script.index("# The graph"):]
    for line in ("a = Value(2.0)", "e = a * b", "d = e + c", "f = Value(-2.0)", "L = d * f", "L.grad = 1.0"):
        assert line in graph
    assert "from micrograd.engine import Value" in script
    assert "for node in reversed(Value.made):" in script
    ast.parse(script)
    assert "exec(" not in script and "eval(" not in script


def test_micrograd_script_defines_only_the_ops_the_program_uses():
    plain = exported("a = 2.0\nb = a * a - a\n", "micrograd")
    assert "def exp" not in plain and "fm_" not in plain and "_truediv" not in plain  # + - * are micrograd's
    chain = exported(EXAMPLES[7]["program"], "micrograd")  # sin, exp, cos, log
    for fn in ("def sin(", "def exp(", "def cos(", "def log(", "def fm_exp(", "def fm_sincos(", "def fm_log("):
        assert fn in chain
    assert "def tanh(" not in chain and "def fm_tanh(" not in chain


def test_a_statement_whose_inline_form_would_reorder_nodes_is_written_node_by_node():
    # the compiler makes a*b (xs[2]) before the node for xs[0] (a name given again): the order
    # of gradient terms into `a` follows, so the script must make them in that order too
    script = exported(TRICKY["list-alias-then-op"], "micrograd")
    assert "_t1 = a * b\n_t2 = same(a)\nxs = [_t2, Value(2.0), _t1]" in script
    assert "# xs = [a, 2.0, a*b]" in script


def test_program_names_the_script_uses_are_renamed_and_labels_kept(tmp_path):
    script = exported(TRICKY["names-the-script-uses"], "micrograd")
    assert "max_ = Value(2.0)" in script and "Value_ = Value(3.0)" in script
    assert "('max', max_)" in script  # the label stays the program's


def test_rebound_leaves_are_kept_and_printed_with_their_labels(tmp_path):
    script = exported(TRICKY["rebind"], "micrograd")
    assert "a_1 = a  # keep this leaf" in script
    got = printed(run_script(script, tmp_path).stdout)
    assert list(got) == ["a@1", "a"]


def test_a_program_too_large_is_refused():
    text = "x = 1.0\ny = x" + " + x" * MAX_NODES + "\n"
    tape = compile_program(text)
    with pytest.raises(ExportError, match="5,000"):
        export(tape, tape.init, "micrograd")
    small = compile_program("x = 1.0\ny = x" + " + x" * (MAX_NODES - 10) + "\n")
    assert export(small, small.init, "micrograd")


def test_unknown_target_and_bad_h():
    tape = compile_program("a = 1.0\nb = a * 2\n")
    with pytest.raises(ValueError, match="pytorch, micrograd, notebook"):
        export(tape, tape.init, "jax")
    with pytest.raises(ValueError, match="positive"):
        export(tape, tape.init, "notebook", h=0.0)


def test_export_at_other_leaf_values(tmp_path):
    tape = compile_program("a = 2.0\nb = 3.0\ny = a * b + exp(a)\n")
    start = list(tape.init)
    start[0] = 0.25
    result = run_script(export(tape, start, "micrograd"), tmp_path)
    timeline = Timeline(tape, start)
    assert printed(result.stdout) == {"a": timeline.grads[0], "b": timeline.grads[1]}


def test_filenames():
    tape = compile_program(EXAMPLES[0]["program"])
    assert filename(tape, "micrograd") == "gradstep_L_micrograd.py"
    assert filename(tape, "pytorch") == "gradstep_L_pytorch.py"
    assert filename(tape, "notebook") == "gradstep_L.ipynb"


# ----------------------------------------------------------------------------- pytorch
FAKE_TORCH = '''
"""A fake torch for the exported scripts: float64 scalars only, and only the API the scripts
use. Anything else (another dtype, a Python number where torch wants a tensor, backward on a
tensor that needs no gradient, in-place ops) fails as it would in torch."""
import math

float64 = object()
CALLS = []


class Tensor:
    def __init__(self, data, parents=(), slopes=(), requires_grad=False):
        self.data = float(data)
        self.parents, self.slopes = parents, slopes
        self.requires_grad = requires_grad or any(p.requires_grad for p in parents)
        self.grad = None

    @property
    def is_leaf(self):
        return not self.parents

    def __float__(self):
        return self.data

    def item(self):
        return self.data

    def clone(self):
        return Tensor(self.data, (self,), (1.0,))

    def backward(self):
        if not self.requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if p.requires_grad)
        grads = {id(self): 1.0}
        for node in reversed(order):
            g = grads.get(id(node), 0.0)
            if node.is_leaf:
                node.grad = g if node.grad is None else node.grad + g
                continue
            for p, d in zip(node.parents, node.slopes):
                if p.requires_grad:
                    grads[id(p)] = grads.get(id(p), 0.0) + g * d

    def __add__(self, o):
        o = _t(o)
        return Tensor(self.data + o.data, (self, o), (1.0, 1.0))

    __radd__ = __add__

    def __sub__(self, o):
        o = _t(o)
        return Tensor(self.data - o.data, (self, o), (1.0, -1.0))

    def __rsub__(self, o):
        return _t(o) - self

    def __mul__(self, o):
        o = _t(o)
        return Tensor(self.data * o.data, (self, o), (o.data, self.data))

    __rmul__ = __mul__

    def __truediv__(self, o):
        o = _t(o)
        out = self.data / o.data
        return Tensor(out, (self, o), (1.0 / o.data, -out / o.data))

    def __rtruediv__(self, o):
        return _t(o) / self

    def __neg__(self):
        return Tensor(-self.data, (self,), (-1.0,))

    def __pow__(self, o):
        if isinstance(o, Tensor):
            a, b = self.data, o.data
            out = a ** b
            if a == 0.0:
                return Tensor(out, (self, o), ((1.0 if b == 1.0 else 0.0), 0.0))
            return Tensor(out, (self, o), (b * a ** (b - 1.0), out * math.log(a)))
        p = float(o)
        return Tensor(self.data ** p, (self,), (0.0 if p == 0.0 else p * self.data ** (p - 1.0),))

    def __rpow__(self, o):
        return _t(o) ** self

    def __iadd__(self, o):
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")

    __isub__ = __imul__ = __itruediv__ = __iadd__

    def __bool__(self):
        raise RuntimeError("the scripts never ask a tensor for its truth")


def _t(x):
    if isinstance(x, Tensor):
        return x
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"not a number: {x!r}")
    return Tensor(x)


def tensor(value, dtype=None, requires_grad=False):
    CALLS.append((value, requires_grad))
    if dtype is not float64:
        raise TypeError("the export must ask for float64")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"a scalar tensor needs a number, not {value!r}")
    return Tensor(value, requires_grad=requires_grad)


def _unary(fn, slope):
    def call(x):
        if not isinstance(x, Tensor):
            raise TypeError(f"{fn.__name__}(): argument 'input' must be Tensor, not {type(x).__name__}")
        out = fn(x.data)
        return Tensor(out, (x,), (slope(x.data, out),))
    return call


def _sigmoid(a):
    return 1.0 / (1.0 + math.exp(-a)) if a >= 0 else math.exp(a) / (1.0 + math.exp(a))


exp = _unary(math.exp, lambda a, out: out)
log = _unary(math.log, lambda a, out: 1.0 / a)
sin = _unary(math.sin, lambda a, out: math.cos(a))
cos = _unary(math.cos, lambda a, out: -math.sin(a))
tan = _unary(math.tan, lambda a, out: 1.0 + out * out)
tanh = _unary(math.tanh, lambda a, out: 1.0 - out * out)
sigmoid = _unary(_sigmoid, lambda a, out: out * (1.0 - out))
relu = _unary(lambda a: a if a > 0 else 0.0, lambda a, out: 1.0 if a > 0 else 0.0)
sqrt = _unary(math.sqrt, lambda a, out: 0.5 / out)
abs = _unary(lambda a: a if a >= 0 else -a, lambda a, out: 1.0 if a > 0 else -1.0 if a < 0 else 0.0)
'''


@pytest.fixture()
def fake_torch(tmp_path):
    folder = tmp_path / "fake"
    folder.mkdir()
    (folder / "torch.py").write_text(FAKE_TORCH)
    return {**os.environ, "PYTHONPATH": str(folder)}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_pytorch_export_with_a_fake_torch(name, tmp_path, fake_torch):
    text = PROGRAMS[name]
    result = run_script(exported(text, "pytorch"), tmp_path, env=fake_torch)
    assert result.returncode == 0, result.stderr
    got, want = printed(result.stdout), expected(text, tmp_path)
    assert list(got) == list(want)
    bad = {k: (got[k], want[k]) for k in want if not close(got[k], want[k])}
    assert not bad


def test_pytorch_script_asks_for_float64_leaves_with_gradients(tmp_path, fake_torch):
    script = exported(EXAMPLES[4]["program"], "pytorch")  # -a³ + sin(3b) - 1/c + b^2.5 - a^0.5
    assert "torch.tensor(value, dtype=torch.float64, requires_grad=True)" in script
    assert "a = leaf(2.0)" in script and "torch.sin(3 * b)" in script and "f.backward()" in script
    assert "repr(0.0 if leaf.grad is None else float(leaf.grad))" in script
    run = run_script(script + "\nprint('calls', torch.CALLS)\n", tmp_path, env=fake_torch)
    assert "calls [(2.0, True), (3.0, True), (4.0, True)]" in run.stdout


def test_pytorch_unused_leaf_and_constant_output_print_zero(tmp_path, fake_torch):
    got = printed(run_script(exported(TRICKY["unused-leaf"], "pytorch"), tmp_path, env=fake_torch).stdout)
    assert got == {"a": 3.0, "b": 0.0}
    script = exported(TRICKY["constant-output"], "pytorch")
    assert ".backward()" not in script
    assert printed(run_script(script, tmp_path, env=fake_torch).stdout) == {"a": 0.0}


def test_pytorch_export_with_real_torch(tmp_path):
    pytest.importorskip("torch")  # not installed in CI (too large to download); the fake torch runs always
    for name in [e["id"] for e in EXAMPLES] + ["every-op", "softmax-items", "softmax-tie", "rebind", "powers",
                                                "list-rebound", "constant-output", "unused-leaf", "random-3"]:
        text = PROGRAMS[name]
        result = run_script(exported(text, "pytorch"), tmp_path)
        assert result.returncode == 0, (name, result.stderr)
        got, want = printed(result.stdout), expected(text, tmp_path)
        assert list(got) == list(want), name
        assert all(close(got[k], want[k]) for k in want), (name, got, want)


# ---------------------------------------------------------------------------- notebook
def _execute(notebook_text: str):
    import nbclient  # (nbformat, nbclient and ipykernel are in the test extra)
    import nbformat

    nb = nbformat.reads(notebook_text, as_version=4)
    nbformat.validate(nb)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    return nb


def _stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stdout")


def _cell(nb, marker: str):
    return next(c for c in nb.cells if c.cell_type == "code" and marker in c.source)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_top_to_bottom_with_gradsteps_gradients(name, tmp_path):
    text = PROGRAMS[name]
    nb = _execute(exported(text, "notebook"))
    for cell in nb.cells:
        assert not any(o.get("output_type") == "error" for o in cell.get("outputs", []))
    want = expected(text, tmp_path)
    got = printed(_stdout(_cell(nb, "def backprop(")))
    assert {k: repr(v) for k, v in got.items()} == {k: repr(v) for k, v in want.items()}
    check = _stdout(_cell(nb, "def check("))
    central = check[check.index("central difference"):]
    for label, grad in want.items():
        line = f"for {label}: expected {grad!r}, yours returns "
        assert line in check
        if name not in ("kinks", "negative-zero"):  # at a kink the differences disagree: the lesson
            assert "OK " + line in central


def test_notebook_is_the_seed_lesson():
    text = exported(EXAMPLES[4]["program"], "notebook", h=1e-7)  # seed 003's f(a, b, c)
    nb = json.loads(text)
    assert nb["nbformat"] == 4 and nb["metadata"]["kernelspec"]["name"] == "python3"
    sources = ["".join(c["source"]) for c in nb["cells"]]
    assert sources[0].startswith("# The gradient of `f`, three ways") and "b**2.5" in sources[0]
    install = sources[1]
    assert "import micrograd" in install and "%pip install micrograd==0.1.0" in install
    from IPython.core.inputtransformer2 import TransformerManager

    ast.parse(TransformerManager().transform_cell(install))  # the %pip line parses inside `except`
    function = next(s for s in sources if "def f(" in s)
    assert "def f(a, b, c):" in function and "math.sin(3 * b)" in function
    assert "h = 1e-07" in "".join(sources)
    closed = next(s for s in sources if "def df_da(" in s)
    assert "math.sqrt(a)" in closed and "('c', df_dc)" in closed
    assert any("\\frac{\\partial\\, f}{\\partial\\, a}" in s for s in sources)


def test_notebook_backward_cell_prints_and_check_cell_uses_seed_words():
    nb = _execute(exported(EXAMPLES[4]["program"], "notebook", h=1e-7))
    check = _stdout(_cell(nb, "def check("))
    # seed 003's own digits: backprop's answers, and the central difference at h = 1e-7
    assert "OK for a: expected -12.353553390593273, yours returns -12.353553390593273" in check
    assert "OK for a: expected -12.353553390593273, yours returns -12.353553380251014" in check
    assert "OK for c: expected 0.0625, yours returns 0.0625" in check


def test_notebook_without_sympy_says_so_and_checks_the_differences(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "sympy", None)  # `import sympy` fails
    text = exported(EXAMPLES[0]["program"], "notebook")
    assert "sympy could not be imported" in text and "def dL_da" not in text
    nb = _execute(text)
    check = _stdout(_cell(nb, "def check("))
    assert "closed form" not in check and "OK for a: expected 6.0" in check


def test_notebook_of_a_program_too_large_for_the_closed_form():
    text = exported(TRICKY["long-sum"], "notebook")
    assert "the closed form is only written out" in text and "def ds_da" not in text
    deep = exported(TRICKY["deep"], "notebook")
    assert "tanh is nested 90 deep" in deep


# -------------------------------------------------------------------------------- CLI
def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gradstep", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=120, encoding="utf-8")


@pytest.mark.parametrize("to", ["micrograd", "pytorch", "notebook"])
def test_cli_export_writes_to_stdout(to, tmp_path):
    path = tmp_path / "L.txt"
    path.write_text(EXAMPLES[0]["program"])
    result = cli("export", str(path), "--to", to)
    assert result.returncode == 0, result.stderr
    assert result.stdout == exported(EXAMPLES[0]["program"], to)
    if to == "notebook":
        json.loads(result.stdout)
    else:
        ast.parse(result.stdout)


def test_cli_export_from_stdin_with_h_and_unicode():
    result = cli("export", "-", "--to", "notebook", "--h", "1e-5", stdin=TRICKY["unicode"])
    assert result.returncode == 0, result.stderr
    assert "h = 1e-05" in "".join(json.loads(result.stdout)["cells"][5]["source"])
    assert "α" in result.stdout


def test_cli_export_bad_program_exits_2_with_one_line():
    result = cli("export", "-", "--to", "micrograd", stdin="x = 1.0\ny = log(x - 2)\n")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: line 2, col 5: log needs a positive input")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_cli_export_too_large_exits_2_with_one_line():
    result = cli("export", "-", "--to", "pytorch", stdin="x = 1.0\ny = x" + " + x" * MAX_NODES + "\n")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: the program makes 5,001 nodes") and result.stderr.count("\n") == 1


def test_cli_export_rejects_a_bad_target_and_h():
    result = cli("export", "-", "--to", "jax", stdin="a = 1.0\n")
    assert result.returncode == 2 and "invalid choice: 'jax'" in result.stderr
    assert cli("export", "-", stdin="a = 1.0\n").returncode == 2  # --to is required
    result = cli("export", "-", "--to", "notebook", "--h", "-1", stdin="a = 1.0\n")
    assert result.returncode == 2 and "h must be a positive" in result.stderr


def test_gradstep_command_and_python_m_agree(tmp_path):
    import shutil

    command = shutil.which("gradstep")
    if command is None:
        pytest.skip("the gradstep command is not installed (pip install -e .)")
    path = tmp_path / "p.txt"
    path.write_text("a = 2.0\nb = a * a\n")
    result = subprocess.run([command, "export", str(path), "--to", "micrograd"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0 and result.stdout == cli("export", str(path), "--to", "micrograd").stdout


# ----------------------------------------------------------------------------- worker
def test_worker_export(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("gradstep_worker_export", ROOT / "web" / "worker" / "worker.py")
    worker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(worker)
    worker.progress = lambda what: None

    def call(method, **args):
        return json.loads(worker.handle(method, json.dumps(args)))

    assert call("export", to="micrograd")["error"]["message"] == "no program is loaded"
    assert call("load", text=EXAMPLES[0]["program"], layout=False)["ok"]
    assert call("timeline", version=2, leaves=["3.0", "-3.0", "10.0", "-2.0"])["ok"]  # a = 3.0 now
    reply = call("export", to="micrograd")
    assert reply["ok"] and reply["to"] == "micrograd" and reply["filename"] == "gradstep_L_micrograd.py"
    assert "a = Value(3.0)" in reply["text"]
    notebook = call("export", to="notebook", h=1e-7)
    assert notebook["filename"] == "gradstep_L.ipynb" and "h = 1e-07" in notebook["text"]
    older = call("export", to="pytorch", version=1)
    assert "a = leaf(2.0)" in older["text"]
    assert not call("export", to="jax")["ok"]


def test_the_float_math_copied_into_scripts_is_gradsteps():
    from gradstep.core import floatmath
    from gradstep.lab.export_scripts import floatmath_source

    imports, code = floatmath_source({"exp", "log", "pow", "tanh", "sigmoid", "sincos", "tan"})
    space: dict = {}
    exec(compile(textwrap.dedent(imports) + "\n" + code, "<floatmath copy>", "exec"), space)  # noqa: S102
    r = random.Random(7)
    for _ in range(300):
        x = r.uniform(-30, 30)
        assert space["fm_exp"](x) == floatmath.exp(x) and space["fm_tanh"](x) == floatmath.tanh(x)
        assert space["fm_sincos"](x) == floatmath.sincos(x) and space["fm_tan"](x) == floatmath.tan(x)
        assert space["fm_sigmoid"](x) == floatmath.sigmoid(x)
        y = abs(x) + 0.1
        assert space["fm_log"](y) == floatmath.log(y) and space["fm_pow"](y, x / 7) == floatmath.pow(y, x / 7)
    assert math.isinf(space["fm_exp"](1000.0))
