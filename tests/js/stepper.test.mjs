// web/graph/stepper.js: the page's moves, undo history, notes, freezing and nudge arithmetic (the
// engine's rules; a parity test against Session over random action sequences, nudges and edits
// included, is tests/program/test_stepper_parity.py).
import { test } from "node:test";
import assert from "node:assert/strict";

import { Stepper, phaseOf, pyRepr } from "../../web/graph/stepper.js";

// micrograd's L: leaves a b c f (0 1 2 5), ops e d L (3 4 6): 3 forward, 7 backward steps.
const scene = () => ({
  timeline: { forward: [3, 4, 6], backward: [6, 5, 4, 3, 2, 1, 0] },
  state: { position: 0, phase: "start", current: null, frozen: [], nudges: [], timeline_version: 1 },
});

test("phaseOf: the five phases, and a program of leaves only", () => {
  assert.equal(phaseOf(0, 3, 7), "start");
  assert.equal(phaseOf(2, 3, 7), "forward");
  assert.equal(phaseOf(3, 3, 7), "forward-done");
  assert.equal(phaseOf(4, 3, 7), "backward");
  assert.equal(phaseOf(10, 3, 7), "backward-done");
  assert.equal(phaseOf(0, 0, 1, false), "start");
  assert.equal(phaseOf(0, 0, 1, true), "forward-done");
});

test("Stepper: steps, -all jumps, a backward step finishing the forward pass, seek", () => {
  const s = new Stepper(scene());
  assert.deepEqual([s.move("forward_step").position, s.state().current], [1, 3]);
  assert.equal(s.move("backward_step").position, 4); // finishes the forward pass first
  assert.equal(s.state().current, 6); // the output's gradient
  assert.equal(s.move("forward_step").position, 4); // nothing: the forward pass is done
  assert.equal(s.move("backward_all").phase, "backward-done");
  assert.equal(s.move("backward_step").position, 10); // nothing past the end
  assert.equal(s.move("seek", { position: 99 }).position, 10);
  assert.deepEqual([s.move("seek", { position: 2 }).position, s.state().current], [2, 4]);
  const r = s.move("reset");
  assert.deepEqual([r.position, r.phase, r.current], [0, "start", null]);
});

test("Stepper: undo goes back exactly, and a move that changes nothing pushes nothing", () => {
  const s = new Stepper(scene());
  assert.equal(s.state().can_undo, false);
  s.move("forward_all");
  s.move("forward_step"); // nothing
  s.move("backward_step");
  assert.equal(s.history.length, 2);
  assert.equal(s.move("undo").position, 3);
  assert.equal(s.move("undo").position, 0);
  assert.equal(s.move("undo").position, 0); // nothing left
  assert.equal(s.state().can_undo, false);
  s.move("reset"); // already at the start
  assert.equal(s.history.length, 0);
});

test("Stepper: the notes say what a step did when not what its name says", () => {
  const s = new Stepper(scene());
  s.move("forward_step");
  assert.equal(s.act("backward_all").note,
    "The forward pass was not finished, so this first ran its 2 remaining forward steps, then the whole backward pass.");
  assert.match(s.act("forward_step").note, /^Both passes are already done, so nothing changed/);
  assert.equal(s.act("seek", { position: 2 }).note, null);
  s.move("reset");
  assert.equal(s.act("reset").note, "Already at the start: nothing to reset.");
  while (s.state().can_undo) s.move("undo");
  assert.equal(s.act("undo").note, "Nothing to undo.");
});

// The same graph with values: L = (a * b + c) * f at a=2, b=-3, c=10, f=-2.
const valued = () => {
  const sc = scene();
  sc.timeline = {
    ...sc.timeline, version: 1, output: 6, leaves: [0, 1, 2, 5], names: { a: 0, b: 1, c: 2, e: 3, d: 4, f: 5, L: 6 },
    values: ["2.0", "-3.0", "10.0", "-6.0", "4.0", "-2.0", "-8.0"],
    grads: ["6.0", "-4.0", "-2.0", "-2.0", "-2.0", "4.0", "1.0"],
  };
  sc.state.output = -8.0;
  sc.program = "a = 2.0\n...";
  sc.leaf_info = [{ label: "a", line: 1, col: 5 }, { label: "b", line: 2, col: 5 }, { label: "c", line: 3, col: 5 },
    { label: "f", line: 6, col: 5 }];
  return sc;
};

test("Stepper: freezing is the page's, and a nudge asks for the timeline of the unfrozen leaves moved", () => {
  const s = new Stepper(valued());
  s.move("backward_all");
  assert.deepEqual(s.move("toggle_freeze", { node: 2 }).frozen, [2]);
  assert.throws(() => s.act("toggle_freeze", { node: 3 }), /node 3 is not a named leaf/);
  const r = s.act("nudge", { rate: 0.5, direction: "descend" });
  // a - 0.5 * 6 = -1, b + 0.5 * 4 = -1, c frozen, f - 0.5 * 4 = -4; the next version
  assert.deepEqual(r.need, { version: 2, leaves: ["-1.0", "-1.0", "10.0", "-4.0"] });
  assert.equal(s.state().position, 10); // nothing changes until the timeline comes
  const out = r.finish({
    timeline: { version: 2, values: ["-1.0", "-1.0", "10.0", "1.0", "11.0", "-4.0", "-44.0"], grads: [] },
    program: "a = -1.0\n...",
  });
  assert.equal(out.state.phase, "forward-done");
  assert.equal(out.state.timeline_version, 2);
  assert.equal(out.state.output, -44);
  // predicted = -0.5 * (6² + 4² + 4²) = -34; actual = -44 - -8 = -36
  assert.deepEqual(out.state.nudges, [{ before: -8, after: -44, predicted: -34, actual: -36, rate: 0.5, direction: "descend", moved: 3 }]);
  assert.equal(out.program, "a = -1.0\n...");
  assert.equal(out.timeline.forward.length, 3); // the orders stay the tape's
  s.move("undo");
  assert.equal(s.tl.version, 1);
  assert.equal(s.program, "a = 2.0\n...");
});

test("Stepper: a nudge past the largest float64 and a non-finite edit are refused at the leaf", () => {
  const s = new Stepper(valued());
  s.move("backward_all");
  assert.throws(() => s.act("nudge", { rate: 1e308, direction: "ascend" }),
    (e) => e.line === 1 && e.col === 5 && /would move a past the largest float64/.test(e.message));
  assert.throws(() => s.act("set_leaf", { node: 5, value: "-inf" }),
    (e) => e.line === 6 && e.message === "-inf is not a finite number");
  assert.equal(s.act("set_leaf", { node: 0, value: 2 }).note, "a already has the value 2.0: nothing changed.");
  assert.deepEqual(s.act("set_leaf", { node: 0, value: -0 }).need.leaves, ["-0.0", "-3.0", "10.0", "-2.0"]);
  assert.equal(s.history.length, 1); // (asking pushed nothing)
});

test("pyRepr writes a float as Python's repr does", () => {
  const cases = [[0.1, "0.1"], [1e16, "1e+16"], [9999999999999998, "9999999999999998.0"], [0.0001, "0.0001"],
    [0.00001, "1e-05"], [-0, "-0.0"], [100, "100.0"], [5e-324, "5e-324"], [0.1 + 0.2, "0.30000000000000004"],
    [Infinity, "inf"], [NaN, "nan"], [-1.7976931348623157e308, "-1.7976931348623157e+308"]];
  for (const [x, want] of cases) assert.equal(pyRepr(x), want);
});

test("Stepper.record: what the notebook kernel did (w.act from Python) is recorded and undone", () => {
  const s = new Stepper(scene());
  s.move("backward_all");
  const tl = s.tl;
  // A kernel's reply carries only what new values change.
  const nudged = { version: 2, values: ["1.5"] };
  const st = s.record({ timeline: nudged, state: { ...s.state(), position: 3, phase: "forward-done", current: null, nudges: [{}] } });
  assert.equal(st.position, 3);
  assert.deepEqual(s.tl, { forward: [3, 4, 6], backward: [6, 5, 4, 3, 2, 1, 0], version: 2, values: ["1.5"] });
  assert.equal(s.versions, 2); // the page's next version follows the kernel's
  s.record({ state: { ...s.state(), frozen: [0] } }); // a freeze: no new timeline, a new state
  assert.equal(s.history.length, 3);
  s.record({ state: s.state() }); // nothing changed: nothing pushed (as the engine)
  assert.equal(s.history.length, 3);
  s.move("undo");
  s.move("undo");
  assert.equal(s.tl, tl);
  assert.equal(s.state().phase, "backward-done");
});
