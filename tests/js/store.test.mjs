// web/graph/store.js: the page's state in one place, and the snapshot tests read.
import { test } from "node:test";
import assert from "node:assert/strict";

import { Store, snapshot } from "../../web/graph/store.js";

// a = 2, b = -3, e = a * b: two leaves, one op.
const layout = {
  nodes: [
    { id: "n0", label: "a", kind: "value", x: 0, y: 0, width: 100, height: 54 },
    { id: "n1", label: "b", kind: "value", x: 0, y: 80, width: 100, height: 54 },
    { id: "n2:op", label: "*", kind: "op", x: 150, y: 50, width: 30, height: 30 },
    { id: "n2", label: "e", kind: "value", x: 220, y: 40, width: 100, height: 54 },
  ],
  edges: [
    { source: "n0", target: "n2:op", input: 0, node: "n2", points: [] },
    { source: "n1", target: "n2:op", input: 1, node: "n2", points: [] },
    { source: "n2:op", target: "n2", points: [] },
  ],
};
const timeline = (version, values) => ({
  version, values, grads: ["-3.0", "2.0", "1.0"], forward: [2], backward: [2, 1, 0],
  inputs: [[], [], [0, 1]], slopes: [[], [], ["-3.0", "2.0"]], output: 2,
  names: { a: 0, b: 1, e: 2 }, leaves: [0, 1],
  frames: [{ kind: "forward", node: 2, text: "e = a * b = 2.0 * -3.0 = -6.0" }],
});
const state = (position) => ({ position, phase: position ? "forward-done" : "start", current: null, frozen: [], nudges: [] });
const scene = () => ({ program: "a = 2.0\nb = -3.0\ne = a * b\n", layout, timeline: timeline(1, ["2.0", "-3.0", "-6.0"]), state: state(0) });

test("a scene: the model, the index and the labels are made; subscribers hear what changed", () => {
  const store = new Store();
  const heard = [];
  store.subscribe((s, changed) => heard.push([...changed].sort()));
  store.setScene(scene());
  const s = store.state;
  assert.equal(s.model.values.length, 3);
  assert.equal(s.ix.F, 1);
  assert.equal(s.labelOf(2), "e");
  assert.equal(s.frames.get(0).text, "e = a * b = 2.0 * -3.0 = -6.0"); // a prebuilt scene's frames
  assert.deepEqual(heard, [["scene", "state", "timeline"]]);
  // The same program again (an engine's copy, no layout): the drawing stays.
  const again = scene();
  delete again.layout;
  const model = s.model;
  store.setScene(again);
  assert.equal(store.state.model, model);
  assert.deepEqual(heard[1], ["state", "timeline"]);
});

test("a reply: new state, new timeline (frames dropped), program and note", () => {
  const store = new Store();
  store.setScene(scene());
  const heard = [];
  store.subscribe((s, changed) => heard.push([...changed].sort()));
  const tl = timeline(2, ["2.5", "-3.0", "-7.5"]);
  delete tl.frames;
  store.applyReply({ state: state(1), timeline: tl, program: "a = 2.5\nb = -3.0\ne = a * b\n", note: "moved" });
  const s = store.state;
  assert.equal(s.scene.state.position, 1);
  assert.equal(s.scene.timeline.values[2], "-7.5");
  assert.equal(s.frames.size, 0); // fetched on demand for the new timeline
  assert.equal(s.scene.program, "a = 2.5\nb = -3.0\ne = a * b\n");
  assert.equal(s.note, "moved");
  assert.deepEqual(heard, [["note", "program", "state", "timeline"]]);
  // Frames of another timeline's version are dropped; this one's are kept.
  store.addFrames(1, 0, [{ text: "old" }]);
  assert.equal(s.frames.size, 0);
  store.addFrames(2, 0, [{ text: "e = a * b = 2.5 * -3.0 = -7.5" }]);
  assert.equal(s.frames.get(0).text, "e = a * b = 2.5 * -3.0 = -7.5");
});

test("snapshot: plain data, a copy, without frames", () => {
  const store = new Store();
  store.setScene(scene());
  const snap = snapshot(store, { view: { k: 1, x: 2, y: 3 }, ready: true });
  assert.equal(snap.ready, true);
  assert.equal(snap.program, "a = 2.0\nb = -3.0\ne = a * b\n");
  assert.equal(snap.timeline.frames, undefined);
  assert.deepEqual(snap.view, { k: 1, x: 2, y: 3 });
  snap.state.position = 99;
  assert.equal(store.state.scene.state.position, 0);
});

test("frames fetched for a timeline come back with it (an undo to earlier values), not across scenes", () => {
  const store = new Store();
  store.setScene(scene());
  const v2 = timeline(2, ["2.5", "-3.0", "-7.5"]);
  delete v2.frames;
  store.applyReply({ state: state(1), timeline: v2 });
  store.addFrames(2, 0, [{ text: "e = a * b = 2.5 * -3.0 = -7.5" }]);
  const v3 = timeline(3, ["3.0", "-3.0", "-9.0"]);
  delete v3.frames;
  store.applyReply({ state: state(1), timeline: v3 });
  assert.equal(store.state.frames.size, 0);
  store.applyReply({ state: state(1), timeline: v2 }); // back to version 2: its formula at once
  assert.equal(store.state.frames.get(0).text, "e = a * b = 2.5 * -3.0 = -7.5");
  store.setScene(scene()); // a new program: its versions start again
  store.applyReply({ state: state(1), timeline: v2 });
  assert.equal(store.state.frames.size, 0);
});
