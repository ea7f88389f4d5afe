"""``gradstep check FILE --yours LEAF=EXPR`` (contract section 4, "Your derivative").

The expected lines are seed 003's printed output; other numbers are worked out by hand
and computed with ``math`` here.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from gradstep.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEED = "a = 2.0\nb = 3.0\nc = 4.0\nf = -a**3 + sin(3*b) - 1.0/c + b**2.5 - a**0.5\n"
RIGHT_A = "a=-3*a**2 - 0.5*a**-0.5"  # seed 003's gradf
WRONG_B = "b=cos(3*b) * b + 2.5*b**1.5"
RIGHT_B = "b=3*cos(3*b) + 2.5*b**1.5"
RIGHT_C = "c=1*c**-2"
YOURS_FIELDS = ("yours", "yours_value", "yours_ok", "points_checked", "points_failed", "equivalent")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gradstep", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


@pytest.fixture
def seed(tmp_path) -> str:
    path = tmp_path / "seed003.py"
    path.write_text(SEED)
    return str(path)


def test_right_answers_print_seed_003s_lines_and_exit_0(seed):
    result = cli("check", seed, "--yours", RIGHT_A, "--yours", RIGHT_C)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "OK for a: expected -12.353553390593273, yours returns -12.353553390593273"
    assert lines[1] == "OK for c: expected 0.0625, yours returns 0.0625"
    assert lines[-1].startswith("2 of 2 right")
    assert "a: OK at the program's values and at all 40 other points checked; sympy: equivalent" in lines


def test_seed_003s_wrong_b_exits_1_with_the_point_and_two_hints(seed):
    result = cli("check", seed, "--yours", RIGHT_A, "--yours", WRONG_B, "--yours", RIGHT_C)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("OK for a: ")
    assert lines[1] == "WRONG for b: expected 10.25699027111255, yours returns 10.25699027111255"
    assert lines[2].startswith("  disagrees at a=2.0, b=") and ", c=4.0: expected " in lines[2]
    b = float(lines[2].split("b=")[1].split(",")[0])
    expected = float(lines[2].split("expected ")[1].split(",")[0])
    yours = float(lines[2].split("yours ")[1])
    assert b != 3.0
    assert expected == pytest.approx(3 * math.cos(3 * b) + 2.5 * b**1.5, rel=1e-12)
    assert yours == pytest.approx(math.cos(3 * b) * b + 2.5 * b**1.5, rel=1e-12)
    assert lines[3].startswith("  hint 1: ") and "sin(3*b)" in lines[3]
    assert lines[4].startswith("  hint 2: ") and "chain rule" in lines[4]
    assert "3*cos(3*b)" not in result.stdout  # the answer waits for --show-answer
    assert lines[6].startswith("OK for c: ")
    assert any(line.startswith("b: WRONG: right at the program's values, wrong at ") for line in lines)
    assert lines[-1].startswith("2 of 3 right")


def test_show_answer_prints_the_steps_and_the_answer(seed):
    result = cli("check", seed, "--yours", WRONG_B, "--show-answer")
    assert result.returncode == 1
    assert "    d/db sin(3*b) = cos(3*b) * d(3*b)/db = cos(3*b) * 3 = 3*cos(3*b)" in result.stdout.splitlines()
    assert "  answer: d/db sin(3*b) = 3*cos(3*b)" in result.stdout.splitlines()


def test_json_adds_the_fields_to_the_leaves_given(seed):
    result = cli("check", seed, "--json", "--yours", WRONG_B, "--yours", RIGHT_C)
    assert result.returncode == 1, result.stderr
    out = json.loads(result.stdout)
    rows = {row["label"]: row for row in out["leaves"]}
    assert out["output"] == "f" and list(rows) == ["a", "b", "c"]
    assert not any(field in rows["a"] for field in YOURS_FIELDS)  # not given: as before
    for row in out["leaves"]:  # the usual check fields stay
        assert {"label", "backprop", "forward", "backward", "central", "ok"} <= set(row)
    b = rows["b"]
    assert b["yours"] == "cos(3*b) * b + 2.5*b**1.5"
    assert b["yours_value"] == 10.25699027111255 and b["backprop"] == 10.25699027111255
    assert b["yours_ok"] is True and b["equivalent"] is False
    assert b["points_checked"] == 40 and b["points_failed"] > 0
    assert b["yours_check"]["diagnosis"]["term"] == "sin(3*b)"
    assert b["yours_check"]["diagnosis"]["truth"] is None and b["yours_check"]["answer"] is None
    assert len(b["yours_check"]["hints"]) == 2
    c = rows["c"]
    assert c["yours_value"] == 1 / 4.0**2 and c["yours_ok"] is True and c["points_failed"] == 0
    assert c["equivalent"] is True and c["yours_check"]["ok"] is True


def test_json_with_show_answer_reveals_it(seed):
    out = json.loads(cli("check", seed, "--json", "--yours", WRONG_B, "--show-answer").stdout)
    b = out["leaves"][1]["yours_check"]
    assert b["diagnosis"]["truth"] == "3*cos(3*b)" and b["hints"][2] == "d/db sin(3*b) = 3*cos(3*b)"
    assert b["answer"] is not None and b["steps"]


def test_a_leaf_given_twice_the_last_wins(seed):
    assert cli("check", seed, "--yours", WRONG_B, "--yours", RIGHT_B).returncode == 0
    assert cli("check", seed, "--yours", RIGHT_B, "--yours", WRONG_B).returncode == 1


def test_the_exit_status_follows_yours_not_the_differences(tmp_path):
    # sqrt's slope is infinite at 0: the finite differences cannot be checked (check alone exits 1)
    path = tmp_path / "edge.py"
    path.write_text("x = 1e-12\ny = 2.0\nz = sqrt(x) + y**2\n")
    assert cli("check", str(path)).returncode == 1
    assert cli("check", str(path), "--yours", "y=2*y").returncode == 0


@pytest.mark.parametrize("expr, col", [("cos(3*q)", 7), ("cos(3*b) *", 11), ("  3*b; 4", 8)])
def test_a_bad_expression_exits_2_at_its_place_in_the_expression(seed, expr, col):
    result = cli("check", seed, "--yours", f"b={expr}")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"error: line 1, col {col}: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    result = cli("check", seed, "--json", "--yours", f"b={expr}")
    assert result.returncode == 2
    error = json.loads(result.stdout)["error"]
    assert (error["line"], error["col"]) == (1, col) and error["leaf"] == "b"


@pytest.mark.parametrize("given, words", [
    ("q=3*q", "q is not a leaf of the program (its leaves: a, b, c)"),
    ("f=1", "f is not a leaf"),
    ("3*cos(3*b)", "--yours takes LEAF=EXPR"),
])
def test_an_unknown_leaf_or_no_equals_sign_exits_2(seed, given, words):
    result = cli("check", seed, "--yours", given)
    assert result.returncode == 2 and words in result.stderr and result.stderr.startswith("error: ")
    result = cli("check", seed, "--json", "--yours", given)
    assert result.returncode == 2 and words in json.loads(result.stdout)["error"]["message"]


def test_a_bad_program_is_still_exit_2(tmp_path):
    path = tmp_path / "bad.py"
    path.write_text("a = 2.0\nb = log(a - 5)\n")
    result = cli("check", str(path), "--yours", "a=1")
    assert result.returncode == 2 and result.stderr.startswith("error: line 2, col 5: ")


def test_without_sympy_equivalent_is_null_and_the_points_decide(seed, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "sympy", None)
    status = main(["check", seed, "--json", "--yours", WRONG_B, "--yours", RIGHT_A])
    out = json.loads(capsys.readouterr().out)
    assert status == 1
    a, b = out["leaves"][0], out["leaves"][1]
    assert a["equivalent"] is None and a["yours_ok"] and a["points_failed"] == 0
    assert b["equivalent"] is None and b["yours_ok"] and b["points_failed"] > 0
    assert main(["check", seed, "--yours", RIGHT_A]) == 0


def test_a_named_step_seed_004s_backward_pass(tmp_path):
    # seed 004's chain, shortened: dy/dh1 and dy/df1 are named steps, not leaves
    path = tmp_path / "seed004.py"
    path.write_text("w0 = 0.1\nw1 = -0.4\nx = 2.3\nf0 = w0 * x\nh1 = sin(f0)\nf1 = w1 * h1\ny = exp(f1)\n")
    result = cli("check", str(path), "--yours", "f1=y", "--yours", "h1=y*w1", "--yours", "w0=y*w1*cos(f0)*x")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    y = math.exp(-0.4 * math.sin(0.23))
    assert lines[0].startswith("OK for w0: expected ")
    # (the leaves first, then the steps in program order)
    assert float(lines[1].split("expected ")[1].split(",")[0]) == pytest.approx(-0.4 * y, rel=1e-15)
    assert lines[2] == f"OK for f1: expected {y!r}, yours returns {y!r}"

    result = cli("check", str(path), "--json", "--yours", "h1=y*w1")
    out = json.loads(result.stdout)
    assert [row["label"] for row in out["leaves"]] == ["w0", "w1", "x"]  # (one per leaf, as before)
    assert out["steps"][0]["label"] == "h1" and out["steps"][0]["yours_ok"] is True
    assert out["steps"][0]["backprop"] == pytest.approx(-0.4 * y, rel=1e-15)
    result = cli("check", str(path), "--yours", "h1=cos(f0)")
    assert result.returncode == 2 and "f0 comes before h1" in result.stderr
    result = cli("check", str(path), "--yours", "y=1")
    assert result.returncode == 2 and "its named steps: f0, h1, f1" in result.stderr
