"""The command line (contract section 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
L_PROGRAM = "a = 2.0\nb = -3.0\nc = 10.0\ne = a * b\nd = e + c\nf = -2.0\nL = d * f\n"


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", *args], input=stdin,
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_grad_json_is_the_contract_example(tmp_path):
    path = tmp_path / "L.py"
    path.write_text(L_PROGRAM)
    result = cli("grad", str(path), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "output": "L", "value": -8.0,
        "grads": {"a": 6.0, "b": -4.0, "c": -2.0, "e": -2.0, "d": -2.0, "f": 4.0, "L": 1.0}}
    assert list(json.loads(result.stdout)["grads"]) == ["a", "b", "c", "e", "d", "f", "L"]


def test_grad_reads_stdin_and_prints_a_table():
    result = cli("grad", "-", stdin=L_PROGRAM)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "output L = -8.0"
    rows = {line.split()[0]: line.split()[1:] for line in lines[3:]}
    assert rows["a"] == ["2.0", "6.0"] and rows["f"] == ["-2.0", "4.0"]


def test_full_precision_floats():
    result = cli("grad", "-", "--json", stdin="x = 0.1\ny = x * 3\n")
    out = json.loads(result.stdout)
    assert out["value"] == 0.1 * 3 and "0.30000000000000004" in result.stdout


def test_list_elements_and_unused_names():
    result = cli("grad", "-", "--json", stdin="xs = [1.0, 2.0]\nu = xs[0] * 9\nxs[1] * 2\n")
    assert json.loads(result.stdout)["grads"] == {"xs[0]": 0.0, "xs[1]": 2.0, "u": 0.0, "output": 1.0}


@pytest.mark.parametrize("program, line, col", [
    ("x = 1.0\nimport os\n", 2, 1),
    ("x = 1.0\ny = log(x - 2)\n", 2, 5),
    ("x = (\n", 1, 5),
    ("x = 1.0\ny = x.__class__\n", 2, 5),
])
def test_bad_program_exits_2_with_one_line(program, line, col):
    result = cli("grad", "-", stdin=program)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: line {line}, col {col}: ")
    assert "Traceback" not in result.stderr
    result = cli("grad", "-", "--json", stdin=program)
    assert result.returncode == 2
    error = json.loads(result.stdout)["error"]
    assert (error["line"], error["col"]) == (line, col) and error["message"]
    assert result.stderr.startswith("error: line")


def test_missing_file_is_an_error_not_a_traceback(tmp_path):
    result = cli("grad", str(tmp_path / "nope.py"))
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot read") and "Traceback" not in result.stderr


def test_layout_json(tmp_path):
    path = tmp_path / "L.py"
    path.write_text(L_PROGRAM)
    result = cli("layout", str(path), "--json")
    assert result.returncode == 0, result.stderr
    graph = json.loads(result.stdout)
    kinds = {n["kind"] for n in graph["nodes"]}
    assert kinds == {"value", "op"}
    for node in graph["nodes"]:
        assert {"id", "label", "kind", "x", "y", "width", "height"} <= set(node)
    labels = {n["label"] for n in graph["nodes"] if n["kind"] == "value"}
    assert labels == {"a", "b", "c", "e", "d", "f", "L"}
    assert len([e for e in graph["edges"]]) == 3 * 2 + 3  # 2 inputs per op, op -> value
    assert all({"source", "target"} <= set(e) for e in graph["edges"])


def test_check_fails_loudly_when_a_leaf_cannot_be_checked():
    # log(x) at x = 1e-7 with h = 1e-6: x - h is out of the domain
    result = cli("check", "-", "--json", stdin="x = 1e-7\ny = log(x)\n")
    assert result.returncode == 1
    [row] = json.loads(result.stdout)
    assert row["ok"] is False and "domain" in row["problem"]


def test_check_command(tmp_path):
    path = tmp_path / "f.py"
    path.write_text("a = 2.0\nb = 3.0\ny = a**3 * sin(b)\n")
    result = cli("check", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "central" in result.stdout and result.stdout.count(" ok") == 2


def test_scene_and_examples():
    scene = json.loads(cli("scene", "--default").stdout)
    assert {"program", "layout", "timeline", "state"} <= set(scene)
    examples = json.loads(cli("examples", "--json").stdout)
    assert len(examples) >= 9 and all(e["program"] for e in examples)


@pytest.mark.parametrize("h", ["0", "-1e-6", "nan", "inf", "abc"])
def test_check_refuses_a_bad_h_without_a_traceback(h, tmp_path):
    path = tmp_path / "f.py"
    path.write_text("a = 2.0\ny = a * a\n")
    result = cli("check", str(path), "--h", h)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--h" in result.stderr


def test_check_sweep_shows_the_v_of_error_against_h(tmp_path):
    path = tmp_path / "f.py"
    path.write_text("a = 2.0\nb = 3.0\ny = -a**3 + sin(3 * b)\n")
    result = cli("check", str(path), "--sweep", "--json")
    curves = json.loads(result.stdout)
    central = {row["h"]: row["central"] for row in curves["a"]}
    forward = {row["h"]: row["forward"] for row in curves["a"]}
    # first order against second order at a moderate h, and rounding wins at a tiny h
    assert central[1e-3] < forward[1e-3] / 100
    assert central[1e-12] > central[1e-5]


def test_not_utf8_is_a_bad_program_with_a_place(tmp_path):
    path = tmp_path / "latin1.py"
    path.write_bytes(b"x = 1.0\ny = x + 2  # caf\xe9\n")
    for args in (("grad", str(path), "--json"), ("grad", "-", "--json")):
        result = subprocess.run([sys.executable, "-m", "engine", *args], input=path.read_bytes(),
                                capture_output=True, cwd=ROOT, timeout=60)
        assert result.returncode == 2
        assert result.stderr.decode().startswith("error: line 2, col 17: byte 0xe9 is not UTF-8")
        assert json.loads(result.stdout)["error"]["line"] == 2


def test_a_byte_order_mark_is_not_code(tmp_path):
    path = tmp_path / "bom.py"
    path.write_bytes("\ufeffx = 2.0\ny = x * 3\n".encode())
    result = cli("grad", str(path), "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["grads"]["x"] == 3.0
