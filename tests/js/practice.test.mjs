// web/lab/practice.js's hint for a wrong answer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { hintFor } from "../../web/lab/practice.js";

test("the output's own gradient: the hint says why it is 1 (it said only 'dL/dL.')", () => {
  const hint = hintFor({ kind: "backward", parts: ["dL/dL = ", { n: "1" }], terms: [] });
  assert.match(hint, /^dL\/dL is the output's gradient with respect to itself: .* so it is 1\.$/);
});

test("a backward step with terms names its local derivatives", () => {
  const frame = { kind: "backward", parts: ["dL/da = ", { up: "dL/de" }, " * ", { local: "de/da" }, " = ", { n: "6" }],
    terms: [{ slope: "de/da = b = -3" }] };
  assert.equal(hintFor(frame), "Use the chain rule: dL/da = dL/de * de/da. Each term is an upstream gradient " +
    "(shown on the graph) times a local derivative: de/da = b = -3.");
});
