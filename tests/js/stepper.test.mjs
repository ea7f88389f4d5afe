// web/graph/stepper.js: the page's moves and undo history (the engine's rules; a parity test
// against engine/session.py over random action sequences is tests/test_stepper_parity.py).
import { test } from "node:test";
import assert from "node:assert/strict";

import { Stepper, phaseOf } from "../../web/graph/stepper.js";

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

test("Stepper: what the engine did is recorded, and undone with the timeline before it", () => {
  const s = new Stepper(scene());
  s.move("backward_all");
  const tl = s.tl;
  // An engine's reply carries only what new values change.
  const nudged = { version: 2, values: ["1.5"] };
  const st = s.record({ timeline: nudged, state: { ...s.state(), position: 3, phase: "forward-done", current: null, nudges: [{}] } });
  assert.equal(st.position, 3);
  assert.deepEqual(s.tl, { forward: [3, 4, 6], backward: [6, 5, 4, 3, 2, 1, 0], version: 2, values: ["1.5"] });
  s.record({ state: { ...s.state(), frozen: [0] } }); // a freeze: no new timeline, a new state
  assert.equal(s.history.length, 3);
  s.record({ state: s.state() }); // nothing changed: nothing pushed (as the engine)
  assert.equal(s.history.length, 3);
  s.move("undo");
  s.move("undo");
  assert.equal(s.tl, tl);
  assert.equal(s.state().phase, "backward-done");
});

test("Stepper.replay: the positions that rebuild the same history from the start", () => {
  const s = new Stepper(scene());
  s.move("forward_step");
  s.move("forward_step");
  s.move("backward_all");
  s.move("undo");
  assert.deepEqual(s.replay(), [0, 1, 2]);
  // Replaying them as seeks from position 0 gives the same state and history.
  const t = new Stepper(scene());
  for (const p of s.replay()) t.move("seek", { position: p });
  assert.equal(t.state().position, s.state().position);
  assert.deepEqual(t.history.map((h) => h.st.position), s.history.map((h) => h.st.position));
});
