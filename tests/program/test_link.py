"""The share link's format, written once per language (gradstep.program.link in Python,
web/page/link.js in the page) and held to one behaviour here: every case is written and read
by both, and the results must be equal, byte for byte."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from gradstep.program.link import LinkError, decode_uri_component, encode_uri_component, hash_for, parse_hash
from gradstep.training.settings import LINK_STATE, PAGE

ROOT = Path(__file__).resolve().parents[2]
TRAIN_KEYS = [s.name for s in PAGE] + list(LINK_STATE)
PROGRAMS = ["a = 1", "", "é = 1.0\nL = é * 2", "x = [1.0, -2.5e-300]\ny = softmax(x)[0] # 100%", "a=1;b=a+a\n\tb",
            "名 = 2.0\n名 * 名", "p = 'quote' \"double\" ~!*()_-.", "emoji = 3.0 # 🙂 & = ? # %41"]
FROZEN = [[], ["a"], ["x[0]", "p,q", "é"], ["a", ""]]
VIEWS = [{}, {"practice": "backward", "lab": True}, {"practice": "sideways"}, {"challenge": ["b", "x[0]", "p,q"]},
         {"train": {"dataset": "spiral", "layers": "16,16", "seed": "0", "lr": "0.1", "batch": "100",
                    "activation": "tanh", "loss": "cross_entropy"}},
         {"train": {"dataset": "moons", "layers": "4", "step": "597", "points": "0.5,-1.25,1;0.001,2,0"}}]
CASES = [(p, f, v) for p in PROGRAMS for f in FROZEN for v in VIEWS][:120]
# Python mode's code: #python=, never with frozen leaves
CASES += [(p, f, {**v, "mode": "python"}) for p in PROGRAMS[:4] for f in FROZEN[:2] for v in VIEWS[:2]]
HASHES = ["", "#", "#frozen=a", "program=x", "#frozen=b,a&zoom=3&program=y", "#program=z&frozen=a,,b&frozen=",
          "#program=1+2", "#program=", "#program=%E9", "#program=%", "#program=a%2", "#program=a&frozen=b,%E9",
          "#program=%F0%9F%99%82", "#program=%ED%A0%80", "#train&dataset=moons&layers=16,16&seed=0&lr=0.1&batch=100",
          "#train&lr=%ZZ&seed=7", "#lab&practice=forward&program=a", "#program=a&program=b", "#program=a=b=c",
          "#program=a&challenge=a,%E9,,x%5B0%5D", "#challenge=%E9%&lab",
          "#python=import%20math", "#python=%E9", "#python=a&program=b", "#python=&frozen=a"]

NODE = """
import { hashForProgram, parseHash } from "./web/page/link.js";
const { cases, hashes } = JSON.parse(process.argv[1]);
const written = cases.map(([program, frozen, views]) => hashForProgram(program, frozen, views));
const read = [...written, ...hashes].map((h) => parseHash(h));
console.log(JSON.stringify({ written, read }));
"""


@pytest.fixture(scope="module")
def page():
    out = subprocess.run(["node", "--input-type=module", "-e", NODE, json.dumps({"cases": CASES, "hashes": HASHES})],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_python_writes_what_the_page_writes(page):
    written = [hash_for(p, f, **{k: v for k, v in views.items()}) for p, f, views in CASES]
    assert written == page["written"]


def test_python_reads_what_the_page_reads(page):
    hashes = page["written"] + HASHES
    assert [parse_hash(h, TRAIN_KEYS) for h in hashes] == page["read"]


def test_round_trip_and_the_contracts_form():
    assert hash_for("a = 1") == "#program=a%20%3D%201"  # encodeURIComponent, as contract section 3 says
    assert hash_for("a = 1", ["a", "x[0]", "p,q"]) == "#program=a%20%3D%201&frozen=a,x%5B0%5D,p%2Cq"
    for program in PROGRAMS:
        assert parse_hash(hash_for(program, ["é"]), TRAIN_KEYS)["program"] == program
    # a teacher's challenge: the leaves asked for, written like the frozen ones
    challenge = hash_for("a = 1\nb = 2\na * b", challenge=["b", "x[0]"])
    assert challenge.endswith("&challenge=b,x%5B0%5D")
    assert parse_hash(challenge)["challenge"] == ["b", "x[0]"]
    # Python mode's code, which the page opens and never runs by itself
    python = hash_for("import math\nprint(1)", ["a"], mode="python")
    assert python == "#python=import%20math%0Aprint(1)"
    assert parse_hash(python) | {"python": None} == parse_hash("")
    assert parse_hash(python)["python"] == "import math\nprint(1)"
    assert parse_hash("#python=%E9")["error"].startswith("its Python code is not readable")


def test_decoding_is_as_strict_as_javascripts():
    assert decode_uri_component("%C3%A9%20x") == "é x"
    for broken in ("%", "%2", "%ZZ", "%E9", "%ED%A0%80"):
        with pytest.raises(LinkError):
            decode_uri_component(broken)
    assert encode_uri_component("~!*()'-_.") == "~!*()'-_."
