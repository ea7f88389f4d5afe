"""The words the page's code editor completes: the engine's own functions and methods."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from gradstep.core.ops import LIST_FUNCTIONS, METHODS, SCALAR_FUNCTIONS
from gradstep.program.vocabulary import words

ROOT = Path(__file__).resolve().parents[2]


def test_every_function_and_method_of_the_language_is_offered_once():
    labels = [(w["label"], w["type"]) for w in words()]
    assert len(labels) == len(set(labels))
    assert {n for n, t in labels if t == "function"} == set(SCALAR_FUNCTIONS) | set(LIST_FUNCTIONS)
    assert {n for n, t in labels if t == "method"} == set(METHODS)


def test_a_function_says_its_local_derivative():
    detail = {w["label"]: w["detail"] for w in words() if w["type"] == "function"}
    assert detail["tanh"] == "tanh(x), local derivative 1 - tanh(x)**2"
    assert detail["log"] == "log(x), local derivative 1 / x"
    assert detail["softmax"].startswith("softmax(xs)")


def test_set_up_writes_what_the_module_prints():
    printed = subprocess.run([sys.executable, "-m", "gradstep.program.vocabulary"], capture_output=True, text=True,
                             check=True, cwd=ROOT).stdout
    assert json.loads(printed) == words()
    assert json.loads((ROOT / "web/build/vocabulary.json").read_text()) == words()
