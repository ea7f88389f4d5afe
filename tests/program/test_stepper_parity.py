"""The page's Stepper (web/graph/stepper.js) moves as the engine's Session does.

The page computes moves itself (at once, and before Python is up) and tells the
engine in order; both must agree on every position, phase, current node and undo, or
the page and the engine drift apart. Random action sequences go through both.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from gradstep.program.examples import EXAMPLES
from gradstep.program.scene import scene
from gradstep.program.session import Session

ROOT = Path(__file__).resolve().parents[2]
MOVES = ["forward_step", "forward_all", "backward_step", "backward_all", "reset", "undo", "seek"]
RUN = """
import { readFileSync } from "node:fs";
const { Stepper } = await import(process.argv[1]);
const { scene, actions } = JSON.parse(readFileSync(0, "utf8"));
const s = new Stepper(scene);
const out = [];
for (const [name, args] of actions) {
  const st = s.move(name, args);
  out.push([st.position, st.phase, st.current, st.can_undo]);
}
console.log(JSON.stringify(out));
"""


def sequences(n_steps: int, rng: random.Random):
    for _ in range(n_steps):
        name = rng.choice(MOVES)
        yield name, ({"position": rng.randint(-2, 40)} if name == "seek" else {})


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("example", EXAMPLES, ids=[e["id"] for e in EXAMPLES])
def test_stepper_moves_as_the_session(example):
    rng = random.Random(example["id"])
    for extra in ("", "z = 3.0\n"):  # also a program whose last line is a leaf
        text = example["program"] + extra
        actions = list(sequences(120, rng))
        session = Session(text)
        start = scene(session, layout=False)
        want = []
        for name, args in actions:
            st = session.act(name, **args)["state"]
            want.append([st["position"], st["phase"], st["current"], st["can_undo"]])
        proc = subprocess.run(
            ["node", "--input-type=module", "-e", RUN, str(ROOT / "web" / "graph" / "stepper.js")],
            input=json.dumps({"scene": {"timeline": start["timeline"], "state": start["state"]}, "actions": actions}),
            capture_output=True, text=True, check=True,
        )
        got = json.loads(proc.stdout)
        for k, (g, w) in enumerate(zip(got, want, strict=True)):
            assert g == w, f"action {k} {actions[k]}: page {g}, engine {w}"


def test_leaves_only_program_moves_as_the_session():
    text = "a = 1.0\nb = 2.0\n"
    session = Session(text)
    start = scene(session, layout=False)
    actions = [("forward_step", {}), ("undo", {}), ("forward_all", {}), ("backward_step", {}), ("reset", {})]
    want = [[s["position"], s["phase"]] for s in (session.act(n, **a)["state"] for n, a in actions)]
    proc = subprocess.run(
        ["node", "--input-type=module", "-e", RUN, str(ROOT / "web" / "graph" / "stepper.js")],
        input=json.dumps({"scene": {"timeline": start["timeline"], "state": start["state"]}, "actions": actions}),
        capture_output=True, text=True, check=True,
    )
    assert [g[:2] for g in json.loads(proc.stdout)] == want
