// web/training/settings.js: the training form's table (from set-up's web/build/train-settings.js)
// and the learner's data edits the link carries. (The form's refusals are checked against the
// worker's in tests/training/test_settings.py.)

import { test } from "node:test";
import assert from "node:assert/strict";

import { applyEdits, codePoints, decodeEdits, DEFAULTS, encodeEdits, STEP_MAX, trainSettings } from "../../web/training/settings.js";

test("edits: added points and removed indices round-trip through the link's text", () => {
  const edits = [[0.5, -1.25, 1], 0, [0.001, 2, 0], 7];
  const text = encodeEdits(edits);
  assert.equal(text, "0.5,-1.25,1;r0;0.001,2,0;r7");
  assert.deepEqual(decodeEdits(text), edits);
});

test("edits apply in order, and one that does not fit refuses them all", () => {
  const points = [[1, 1, 0], [2, 2, 1]];
  assert.deepEqual(applyEdits(points, [[3, 3, 1], 0]), [[2, 2, 1], [3, 3, 1]]);
  assert.deepEqual(points, [[1, 1, 0], [2, 2, 1]]); // (not changed in place)
  assert.equal(applyEdits(points, [5]), null);
});

test("unreadable edits are refused whole (the dataset's own points are used)", () => {
  for (const bad of ["x", "1,2", "1,2,3", "1,2,0,4", "r-1", "1,nan,0", ""]) assert.equal(decodeEdits(bad), null, bad);
});

test("settings from a link keep where the training was, and drop what is not a choice", () => {
  const s = trainSettings({ dataset: "spiral", loss: "nonsense", step: "597", points: "r3", layers: "" });
  assert.equal(s.dataset, "spiral");
  assert.equal(s.loss, DEFAULTS.loss);
  assert.equal(s.layers, DEFAULTS.layers);
  assert.equal(s.step, "597");
  assert.equal(s.points, "r3");
  assert.equal(trainSettings({}).step, undefined);
});

test("issue 18's settings are the page's: in the link, and a link's choice that is not one is dropped", () => {
  const s = trainSettings({ optimizer: "adam", reg: "l3", "test-fraction": "0.3", features: "x2,y2", init: "zero" });
  assert.equal(s.optimizer, "adam");
  assert.equal(s.reg, DEFAULTS.reg);
  assert.equal(s["test-fraction"], "0.3");
  assert.equal(s.features, "x2,y2");
  assert.equal(s.init, "zero");
  assert.equal(DEFAULTS.features, "x,y");
  assert.equal(DEFAULTS.noise, ""); // (the dataset's own)
});

test("the features field reads as its checked boxes' names, in the order it was given", async () => {
  const { FeatureChecks } = await import("../../web/training/settings.js");
  const inputs = ["x", "y", "x2", "y2", "xy", "sinx", "siny"].map((value) => ({ value, checked: false }));
  const field = new FeatureChecks({ querySelectorAll: () => inputs });
  field.value = "y, x2";
  assert.equal(field.value, "y,x2");
  field.value = "siny,x";
  assert.equal(field.value, "siny,x"); // (a link's order is the command line's: the first layer's inputs)
  inputs[2].checked = true; // x2 checked by the learner: after them, in the table's order
  assert.equal(field.value, "siny,x,x2");
});

test("a link's choice or input the page does not offer is said, and the default used", () => {
  const s = trainSettings({ optimizer: "ADAM", dataset: "foo", features: "x,z", lr: "0.1" });
  assert.equal(s.optimizer, "sgd");
  assert.equal(s.dataset, "moons");
  assert.equal(s.features, "x");
  assert.match(s.refused, /'ADAM' is not one of sgd, momentum, adam: sgd is used/);
  assert.match(s.refused, /'foo' is not one of moons, circles/);
  assert.match(s.refused, /'z' is not an input \(x, y, x2, y2, xy, sinx, siny\)/);
  assert.ok(!Object.keys(s).includes("refused")); // (not a setting)
  const none = trainSettings({ features: "X,Y" });
  assert.equal(none.features, "x,y");
  assert.match(none.refused, /'X', 'Y' are not inputs .*: x,y are used/);
  assert.equal(trainSettings({ optimizer: "adam", features: "y,x" }).refused, "");
  assert.equal(trainSettings({ features: "," }).features, "x,y");
});

test("a training setting whose %-encoding is broken is said, and its default used", async () => {
  const { parseHash } = await import("../../web/page/link.js");
  const link = parseHash("#train&dataset=moons&lr=%ZZ&data=0.5%2C0.5%2");
  assert.deepEqual(link.train.unreadable, ["lr", "data"]);
  const s = trainSettings(link.train);
  assert.equal(s.lr, DEFAULTS.lr);
  assert.equal(s.data, undefined);
  assert.match(s.refused, /lr= cannot be read \(its %-encoding is broken, perhaps cut off when the link was copied\): its default is used/);
  assert.match(s.refused, /data= cannot be read .*: the dataset is used/);
});

test("a link's long value is cut short where it is said (a 10,000-character dataset= made a 15,000-character note)", () => {
  const said = trainSettings({ dataset: "a".repeat(10000), features: "x," + "z".repeat(5000) }).refused;
  assert.ok(said.length < 400, `${said.length} characters`);
  assert.match(said, /'a{60}… \(10,000 characters\)'/);
  assert.match(said, /'z{60}… \(5,000 characters\)'/);
});

test("the engine's limits are the page's: characters counted as Python counts them, steps as --steps", () => {
  assert.equal(codePoints("a\u{1F338}b"), 3); // (JavaScript's length: 4)
  assert.equal(codePoints("abc"), 3);
  assert.equal(STEP_MAX, 1_000_000); // (gradstep train --steps: from 1 to 1,000,000)
});

test("an input named twice in a link is used once, and said (x,x locked the training view)", () => {
  const s = trainSettings({ features: "x,x,y" });
  assert.equal(s.features, "x,y");
  assert.match(s.refused, /'x' named more than once: once is used/);
});
