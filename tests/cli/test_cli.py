"""The command line (contract section 2)."""

from __future__ import annotations

import ast
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
L_PROGRAM = "a = 2.0\nb = -3.0\nc = 10.0\ne = a * b\nd = e + c\nf = -2.0\nL = d * f\n"


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gradstep", *args], input=stdin,
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


MIXED = "a = 2.0\nb = 3.0\nc = 4.0\nf = -a**3 + sin(3 * b) - 1.0 / c + b**2.5 - a**0.5\n"


def test_check_json_is_the_contract_example(tmp_path):
    # contract section 4; the digits are seed 003's (h = 0.0000001)
    path = tmp_path / "f.py"
    path.write_text(MIXED)
    result = cli("check", str(path), "--json", "--h", "1e-7")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith('{"h": 1e-07, "output": "f", "leaves": [')
    out = json.loads(result.stdout)
    assert list(out) == ["h", "output", "leaves"]
    assert [row["label"] for row in out["leaves"]] == ["a", "b", "c"]
    assert out["leaves"][0] == {"label": "a", "backprop": -12.353553390593273,
                                "forward": -12.353553966448771, "backward": -12.353552794053257,
                                "central": -12.353553380251014, "ok": True}
    assert [row["forward"] for row in out["leaves"]] == [
        -12.353553966448771, 10.256990385926201, 0.06249999628948899]
    assert [row["central"] for row in out["leaves"]] == [
        -12.353553380251014, 10.256990252699438, 0.06250000073038109]


def test_check_h_defaults_to_1e_6_and_is_printed_as_given(tmp_path):
    path = tmp_path / "f.py"
    path.write_text("x = 3.0\ny = x * x\n")
    assert json.loads(cli("check", str(path), "--json").stdout)["h"] == 1e-06
    result = cli("check", str(path), "--json", "--h", "0.001")
    assert '"h": 0.001,' in result.stdout
    [row] = json.loads(result.stdout)["leaves"]
    # by hand: ((3.001)^2 - 9) / 0.001 in float64, and the central difference of x^2 is 2x
    assert row["forward"] == (3.001 * 3.001 - 9.0) / 0.001
    assert row["central"] == pytest.approx(6.0, abs=1e-9)


def test_check_fails_loudly_when_a_leaf_cannot_be_checked():
    # log(x) at x = 1e-7 with h = 1e-6: x - h is out of the domain
    result = cli("check", "-", "--json", stdin="x = 1e-7\ny = log(x)\n")
    assert result.returncode == 1
    [row] = json.loads(result.stdout)["leaves"]
    assert row["ok"] is False and "domain" in row["problem"]
    assert row["backward"] is None and row["central"] is None
    assert row["forward"] == (math.log(1e-7 + 1e-6) - math.log(1e-7)) / 1e-6


def test_check_exits_1_when_backprop_and_central_disagree():
    # relu'(0) = 0 by convention, but the central difference at 0 is (h - 0) / 2h = 0.5
    result = cli("check", "-", "--json", stdin="x = 0.0\ny = relu(x)\n")
    assert result.returncode == 1
    [row] = json.loads(result.stdout)["leaves"]
    assert row["backprop"] == 0.0 and row["central"] == 0.5 and row["ok"] is False
    assert "problem" not in row


def test_check_closed_form(tmp_path):
    path = tmp_path / "f.py"
    path.write_text(MIXED)
    result = cli("check", str(path), "--json", "--closed-form")
    assert result.returncode == 0, result.stderr
    rows = {row["label"]: row for row in json.loads(result.stdout)["leaves"]}
    names = {"a": 2.0, "b": 3.0, "c": 4.0, "sqrt": math.sqrt, "cos": math.cos, "sin": math.sin}
    # seed 003's analytical gradient, written by hand
    by_hand = {"a": -3 * 2.0**2 - 0.5 * 2.0**-0.5, "b": math.cos(9.0) * 3 + 2.5 * 3.0**1.5, "c": 4.0**-2}
    for label, row in rows.items():
        tree = ast.parse(row["closed_form"], mode="eval")
        value = eval(compile(tree, "<closed form>", "eval"), {"__builtins__": {}}, names)  # noqa: S307
        assert value == pytest.approx(by_hand[label], rel=1e-13)
        assert row["closed_form_value"] == pytest.approx(by_hand[label], rel=1e-13)


def test_check_closed_form_names_list_leaves_by_index():
    result = cli("check", "-", "--json", "--closed-form", stdin="x = [3.0, 4.0]\ny = x[0]**2 + x[1]**2\n")
    rows = json.loads(result.stdout)["leaves"]
    assert [r["closed_form"] for r in rows] == ["2*x[0]", "2*x[1]"]
    assert [r["closed_form_value"] for r in rows] == [6.0, 8.0]


def test_check_json_on_a_bad_program_is_the_error_json():
    result = cli("check", "-", "--json", stdin="x = 1.0\ny = log(x - 2)\n")
    assert result.returncode == 2
    assert json.loads(result.stdout) == {"error": {"line": 2, "col": 5, "message": json.loads(
        result.stdout)["error"]["message"]}}
    assert result.stderr.startswith("error: line 2, col 5: ") and "Traceback" not in result.stderr


def test_check_command(tmp_path):
    path = tmp_path / "f.py"
    path.write_text("a = 2.0\nb = 3.0\ny = a**3 * sin(b)\n")
    result = cli("check", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "central" in result.stdout and result.stdout.count(" ok") == 2
    header = next(line for line in result.stdout.splitlines() if line.startswith("leaf"))
    assert "|bp - central|" in header and "relative" in header
    result = cli("check", str(path), "--closed-form")
    assert "dy/da = 3*a**2*sin(b)" in result.stdout


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
        result = subprocess.run([sys.executable, "-m", "gradstep", *args], input=path.read_bytes(),
                                capture_output=True, cwd=ROOT, timeout=60)
        assert result.returncode == 2
        assert result.stderr.decode().startswith("error: line 2, col 17: byte 0xe9 is not UTF-8")
        assert json.loads(result.stdout)["error"]["line"] == 2


def test_a_byte_order_mark_is_not_code(tmp_path):
    path = tmp_path / "bom.py"
    path.write_bytes("\ufeffx = 2.0\ny = x * 3\n".encode())
    result = cli("grad", str(path), "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["grads"]["x"] == 3.0
