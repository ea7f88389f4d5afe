"""The page's Stepper (web/graph/stepper.js) acts as the engine's Session does.

The page decides every action itself (at once, and before Python is up): moves, the
undo history, freezing, the notes that say what a step did, and for a nudge or a leaf
edit the new leaf values, asking the worker (web/worker/worker.py) only for their
timeline. The command line and the tests keep ``Session``. Random action sequences go
through both, the page's asking the real worker code (run here in CPython), and every
reply must agree: state, note, values, gradients, program text, and the error (its
message, line and column) of what is refused.
"""

from __future__ import annotations

import importlib.util
import json
import math
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from gradstep.core.errors import ProgramError
from gradstep.program.examples import EXAMPLES
from gradstep.program.session import Session

ROOT = Path(__file__).resolve().parents[2]
MOVES = ["forward_step", "forward_all", "backward_step", "backward_all", "reset", "undo", "seek"]
# A line in, a line out: {"scene"} starts a Stepper; {"act": [name, args]} answers the
# reply, {"need"} (the leaf values it needs the timeline of) or {"error"};
# {"finish": worker_reply} finishes the action that needed it.
RUN = r"""
import { createInterface } from "node:readline";
const { Stepper } = await import(process.argv[1]);
let s = null;
let waiting = null;
const out = (x) => process.stdout.write(JSON.stringify(x) + "\n");
const reply = (r) => ({ state: r.state, note: r.note, values: s.tl.values, grads: s.tl.grads, program: s.program });
for await (const line of createInterface({ input: process.stdin })) {
  const m = JSON.parse(line);
  try {
    if (m.scene) {
      s = new Stepper(m.scene);
      out({ ok: true });
    } else if (m.act) {
      const r = s.act(m.act[0], m.act[1]);
      if (r.need) {
        waiting = r;
        out({ need: r.need });
      } else out(reply(r));
    } else if (m.finish) {
      out(reply(waiting.finish(m.finish)));
    } else if (m.refused) {
      waiting = null;
      out({ state: s.state() });
    }
  } catch (e) {
    out({ error: { line: e.line ?? null, col: e.col ?? null, message: e.message } });
  }
}
"""

_spec = importlib.util.spec_from_file_location("gradstep_worker", ROOT / "web" / "worker" / "worker.py")
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)
worker.progress = lambda what: None


class Page:
    """The page's Stepper under node, asking the worker's code for timelines."""

    def __init__(self, text: str):
        loaded = json.loads(worker.handle("load", json.dumps({"text": text, "layout": False})))
        assert loaded["ok"], loaded
        self.asked = []  # the worker methods the page called
        self.proc = subprocess.Popen(
            ["node", "--input-type=module", "-e", RUN, str(ROOT / "web" / "graph" / "stepper.js")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self._send({"scene": {**loaded["scene"], "leaf_info": loaded["leaf_info"]}}) == {"ok": True}

    def _send(self, message):
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def act(self, name, args):
        got = self._send({"act": [name, args]})
        if "need" in got:
            self.asked.append("timeline")
            answer = json.loads(worker.handle("timeline", json.dumps(got["need"])))
            if not answer["ok"]:
                self._send({"refused": True})
                return {"error": answer["error"]}
            got = self._send({"finish": answer})
        return got

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def engine(session: Session, name: str, args: dict) -> dict:
    """Session.act's reply in the page's terms."""
    try:
        reply = session.act(name, **args)
    except ProgramError as e:
        return {"error": e.to_dict()}
    except ValueError as e:
        return {"error": {"line": None, "col": None, "message": str(e)}}
    t = session.timeline.to_dict(session.state.version, frames=False)
    return {"state": reply["state"], "note": reply.get("note"), "values": t["values"], "grads": t["grads"],
            "program": session.program_text()}


def same_numbers(a, b) -> bool:
    """JSON from node writes -0.0 as 0 and whole floats as ints: compare as floats."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_numbers(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_numbers(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def actions(session: Session, rng: random.Random, n: int):
    leaves = session.tape.leaf_indices()
    for _ in range(n):
        kind = rng.random()
        if kind < 0.62 or not leaves:
            name = rng.choice(MOVES)
            yield name, ({"position": rng.randint(-2, 40)} if name == "seek" else {})
        elif kind < 0.78:
            yield "nudge", {"rate": rng.choice([0.01, 0.1, 0.5, 2.0, 1e308]),
                            "direction": rng.choice(["descend", "ascend"])}
        elif kind < 0.9:
            yield "toggle_freeze", {"node": rng.choice(leaves)}
        else:
            node = rng.choice(leaves)
            value = rng.choice([0.25, -1.5, 3.0, -0.0, 0.0, "inf", session.timeline.start[node]])
            yield "set_leaf", {"node": node, "value": value}


def check(text: str, rng: random.Random, n: int = 150):
    session = Session(text)
    page = Page(text)
    try:
        for k, (name, args) in enumerate(actions(session, rng, n)):
            want = engine(session, name, args)
            got = page.act(name, args)
            assert same_numbers(got, want), f"action {k} {name} {args}:\npage   {got}\nengine {want}"
    finally:
        page.close()
    return page.asked


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("example", EXAMPLES, ids=[e["id"] for e in EXAMPLES])
def test_stepper_acts_as_the_session(example):
    rng = random.Random(example["id"])
    for extra in ("", "z = 3.0\n"):  # also a program whose last line is a leaf
        check(example["program"] + extra, rng)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_domain_errors_overflow_and_notes_agree():
    """log's domain (a nudge or an edit that leaves it is refused at its line), a nudge
    past the largest float64, every leaf frozen, a zero gradient, an edit to the same value."""
    text = "x = 0.5\nk = 2.0\ny = log(x) + 0.0 * k\n"
    session, page = Session(text), Page(text)
    x, k = session.tape.names["x"], session.tape.names["k"]
    script = [("set_leaf", {"node": x, "value": 0.5}), ("forward_all", {}), ("forward_step", {}),
              ("nudge", {"rate": 0.01}), ("backward_all", {}), ("nudge", {"rate": 1.0, "direction": "descend"}),
              ("nudge", {"rate": 1e308, "direction": "ascend"}), ("set_leaf", {"node": x, "value": -2.0}),
              ("set_leaf", {"node": k, "value": "inf"}),
              ("toggle_freeze", {"node": x}), ("backward_all", {}), ("nudge", {"rate": 0.1}),
              ("toggle_freeze", {"node": k}), ("nudge", {"rate": 0.1}), ("undo", {}), ("undo", {}),
              ("reset", {}), ("reset", {}), ("set_leaf", {"node": x, "value": -0.0}), ("nudge", {"rate": -1}),
              ("nudge", {"direction": "sideways"}), ("toggle_freeze", {"node": session.tape.output}),
              ("set_leaf", {"node": x, "value": 2.0}), ("forward_step", {}), ("backward_step", {})]
    notes = []
    try:
        for name, args in script:
            want, got = engine(session, name, args), page.act(name, args)
            assert same_numbers(got, want), f"{name} {args}:\npage   {got}\nengine {want}"
            notes.append(want.get("note") or (want.get("error") or {}).get("message"))
    finally:
        page.close()
    # (the script reaches each of the engine's special cases: the comparison above is not vacuous)
    joined = "\n".join(filter(None, notes))
    for part in ("the nudge used the ones the full backward pass computes", "log needs a positive input",
                 "past the largest float64", "already has the value 0.5", "inf is not a finite number",
                 "every unfrozen leaf's gradient is 0", "every leaf is frozen", "Already at the start",
                 "the rate must be a positive number, not -1.0", "direction must be one of",
                 "is not a named leaf", "The forward pass is already done"):
        assert part in joined, part


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_a_nudge_that_moves_nothing_asks_python_nothing():
    text = "a = 1.0\nb = 2.0\nc = a * b\n"
    session, page = Session(text), Page(text)
    try:
        for name, args in [("backward_all", {}), ("toggle_freeze", {"node": 0}), ("toggle_freeze", {"node": 1}),
                           ("nudge", {"rate": 0.1}), ("undo", {}), ("undo", {}), ("nudge", {"rate": 0.1})]:
            want, got = engine(session, name, args), page.act(name, args)
            assert same_numbers(got, want), f"{name}:\npage   {got}\nengine {want}"
    finally:
        page.close()
    assert page.asked == ["timeline"]  # only the last nudge, which moved b


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_leaves_only_program_acts_as_the_session():
    check("a = 1.0\nb = 2.0\n", random.Random(3), 60)
