// web/graph/scene.js: the pure helpers over a timeline, the number formats, the step
// sentences, the address's hash and the formula segments.
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  describeStep,
  edgeKey,
  fmtGraph,
  fmtShort,
  formulaSegments,
  gradAt,
  indexTimeline,
  makeLabelOf,
  stepAt,
  tapeIndex,
  valueAt,
} from "../../web/graph/scene.js";

// a = 2.0; b = -3.0; e = a * b; L = e + a   (a is used twice)
// Tape: n0 a, n1 b, n2 e, n3 L. de/da = b = -3, de/db = a = 2, dL/de = dL/da(direct) = 1;
// dL/de = 1, dL/db = 2, dL/da = -3 + 1 = -2.
// `inputs` and `slopes` are what the page reads; `frames` (the text) is optional.
function timeline({ frames = true } = {}) {
  const tl = {
    version: 1,
    values: ["2.0", "-3.0", "-6.0", "-4.0"],
    grads: ["-2.0", "2.0", "1.0", "1.0"],
    forward: [2, 3],
    backward: [3, 2, 1, 0],
    inputs: [[], [], [0, 1], [2, 0]],
    slopes: [[], [], ["-3.0", "2.0"], ["1.0", "1.0"]],
    output: 3,
    names: { a: 0, b: 1, e: 2, L: 3, alias: 0 },
    leaves: [0, 1],
  };
  if (frames) {
    tl.frames = [
      { kind: "forward", node: 2, inputs: [0, 1], text: "e = a * b = 2.0 * -3.0 = -6.0" },
      { kind: "forward", node: 3, inputs: [2, 0], text: "L = e + a = -6.0 + 2.0 = -4.0" },
      { kind: "backward", node: 3, terms: [] },
      { kind: "backward", node: 2, terms: [{ consumer: 3, input: 0, local: "1.0", upstream: "1.0" }] },
      { kind: "backward", node: 1, terms: [{ consumer: 2, input: 1, local: "2.0", upstream: "1.0" }] },
      {
        kind: "backward",
        node: 0,
        terms: [
          { consumer: 2, input: 0, local: "-3.0", upstream: "1.0" },
          { consumer: 3, input: 1, local: "1.0", upstream: "1.0" },
        ],
      },
    ];
  }
  return tl;
}

const names = ["a", "b", "e", "L"];
const labelOf = (i) => names[i];

test("tapeIndex and edgeKey", () => {
  assert.equal(tapeIndex("n0"), 0);
  assert.equal(tapeIndex("n12"), 12);
  assert.equal(tapeIndex("n12:op"), 12);
  assert.equal(edgeKey(3, 0), "3#0");
  assert.notEqual(edgeKey(1, 23), edgeKey(12, 3));
});

test("indexTimeline: when each value and gradient shows, each node's uses, the local derivatives", () => {
  const tl = timeline({ frames: false }); // needs no frames
  const ix = indexTimeline(tl);
  assert.equal(ix.n, 4);
  assert.equal(ix.F, 2);
  assert.equal(ix.B, 4);
  assert.equal(ix.total, 6);
  assert.deepEqual([...ix.fwdAt], [0, 0, 1, 2]); // leaves from the start
  assert.deepEqual([...ix.bwdAt], [6, 5, 4, 3]); // output first
  // uses[j]: [consumer, input position], latest consumer first (the backward order).
  assert.deepEqual(ix.uses, [[[3, 1], [2, 0]], [[2, 1]], [[3, 0]], []]);
  // Edge "consumer#position" -> the slope, shown with the input's gradient.
  assert.deepEqual(
    [...ix.locals.entries()],
    [
      ["2#0", { at: 6, local: "-3.0", source: 0 }],
      ["2#1", { at: 5, local: "2.0", source: 1 }],
      ["3#0", { at: 4, local: "1.0", source: 2 }],
      ["3#1", { at: 6, local: "1.0", source: 0 }],
    ],
  );
  assert.deepEqual(indexTimeline(timeline()), ix); // the frames change nothing
  assert.equal(ix.maxAbsGrad, 2);
  assert.deepEqual([...ix.leaves], [0, 1]);
  // The first name of a node wins ("a", not its later alias).
  assert.equal(ix.nameOf.get(0), "a");
  assert.equal(ix.nameOf.get(3), "L");
});

test("indexTimeline: a node never in the backward pass, non-finite gradients, no names", () => {
  const tl = {
    values: ["1.0", "inf", "nan"],
    grads: ["nan", "-inf", "-0.5"],
    forward: [1, 2],
    backward: [2, 1],
    inputs: [[], [0], [1]],
    slopes: [[], ["nan"], ["0.5"]],
    output: 2,
  };
  const ix = indexTimeline(tl);
  assert.deepEqual([...ix.bwdAt], [-1, 4, 3]);
  assert.equal(ix.maxAbsGrad, 0.5); // inf and nan do not set the colour scale
  assert.deepEqual(ix.locals.get("1#0"), { at: -1, local: "nan", source: 0 }); // never shown
  assert.deepEqual(ix.locals.get("2#0"), { at: 4, local: "0.5", source: 1 });
  assert.equal(ix.leaves.size, 0);
  assert.equal(ix.nameOf.size, 0);
  assert.equal(gradAt(tl, ix, 0, ix.total), ""); // never computed
});

test("stepAt: what the step that led to position p did", () => {
  const tl = timeline({ frames: false });
  const ix = indexTimeline(tl);
  assert.equal(stepAt(tl, ix, 0), null);
  assert.equal(stepAt(tl, ix, -1), null);
  assert.equal(stepAt(tl, ix, 7), null);
  assert.deepEqual(stepAt(tl, ix, 1), { kind: "forward", node: 2, inputs: [0, 1] });
  assert.deepEqual(stepAt(tl, ix, 2), { kind: "forward", node: 3, inputs: [2, 0] });
  assert.deepEqual(stepAt(tl, ix, 3), { kind: "backward", node: 3, uses: [] }); // the output
  assert.deepEqual(stepAt(tl, ix, 4), { kind: "backward", node: 2, uses: [[3, 0]] });
  assert.deepEqual(stepAt(tl, ix, 5), { kind: "backward", node: 1, uses: [[2, 1]] });
  assert.deepEqual(stepAt(tl, ix, 6), { kind: "backward", node: 0, uses: [[3, 1], [2, 0]] });
});

test("valueAt and gradAt follow the position", () => {
  const tl = timeline();
  const ix = indexTimeline(tl);
  const values = (p) => [0, 1, 2, 3].map((i) => valueAt(tl, ix, i, p));
  const grads = (p) => [0, 1, 2, 3].map((i) => gradAt(tl, ix, i, p));
  assert.deepEqual(values(0), ["2.0", "-3.0", "", ""]);
  assert.deepEqual(values(1), ["2.0", "-3.0", "-6.0", ""]);
  assert.deepEqual(values(2), ["2.0", "-3.0", "-6.0", "-4.0"]);
  assert.deepEqual(values(6), values(2));
  assert.deepEqual(grads(2), ["", "", "", ""]);
  assert.deepEqual(grads(3), ["", "", "", "1.0"]);
  assert.deepEqual(grads(4), ["", "", "1.0", "1.0"]);
  assert.deepEqual(grads(5), ["", "2.0", "1.0", "1.0"]);
  assert.deepEqual(grads(6), ["-2.0", "2.0", "1.0", "1.0"]);
});

test("fmtGraph: micrograd's %.4f, exponents for very large and very small numbers", () => {
  assert.equal(fmtGraph(""), "");
  assert.equal(fmtGraph(null), "");
  assert.equal(fmtGraph(undefined), "");
  assert.equal(fmtGraph("2.0"), "2.0000");
  assert.equal(fmtGraph("-3.14159"), "-3.1416");
  assert.equal(fmtGraph("0.0"), "0.0000");
  assert.equal(fmtGraph("-0.0"), "-0.0000"); // the sign of zero is kept
  assert.equal(fmtGraph("0.0001"), "0.0001");
  assert.equal(fmtGraph("9.999e-05"), "9.999e-5");
  assert.equal(fmtGraph("1e-05"), "1.000e-5");
  assert.equal(fmtGraph("0.00001234"), "1.234e-5");
  assert.equal(fmtGraph("99999.0"), "99999.0000");
  assert.equal(fmtGraph("123456.0"), "1.235e+5");
  assert.equal(fmtGraph("-1.5e+100"), "-1.500e+100");
  assert.equal(fmtGraph("inf"), "inf"); // Python's reprs of non-finite floats pass through
  assert.equal(fmtGraph("-inf"), "-inf");
  assert.equal(fmtGraph("nan"), "nan");
  assert.equal(fmtGraph(2.5), "2.5000"); // a number works too
});

test("fmtShort: three significant digits, no trailing zeros", () => {
  assert.equal(fmtShort("2.0"), "2");
  assert.equal(fmtShort("-3.14159"), "-3.14");
  assert.equal(fmtShort("0.0"), "0");
  assert.equal(fmtShort("-0.0"), "0");
  assert.equal(fmtShort("0.001"), "0.001");
  assert.equal(fmtShort("0.000999"), "1.0e-3");
  assert.equal(fmtShort("1e-05"), "1.0e-5");
  assert.equal(fmtShort("123.456"), "123");
  assert.equal(fmtShort("9999.0"), "10000"); // rounds up to 3 digits, below the exponent switch
  assert.equal(fmtShort("12345.0"), "1.2e+4");
  assert.equal(fmtShort("-0.123456"), "-0.123");
  assert.equal(fmtShort("inf"), "inf");
  assert.equal(fmtShort("nan"), "nan");
});

test("fmtShort fits the edge-label box (8 characters) for magnitudes from 1e-99 to 9e98", () => {
  // (From about 9.95e99 on the exponent has three digits: "-1.0e+100" is 9 characters.)
  for (let e = -99; e <= 98; e++) {
    for (const m of [1, 1.23456, 5.55, 9.9999]) {
      for (const sign of [1, -1]) {
        const s = fmtShort(String(sign * m * 10 ** e));
        assert.ok(s.length <= 8, `${sign * m}e${e} -> ${s}`);
      }
    }
  }
});

test("describeStep: one sentence per step", () => {
  const tl = timeline({ frames: false });
  const ix = indexTimeline(tl);
  assert.equal(
    describeStep(tl, ix, 0, labelOf),
    "Only the leaves have values. Step forward to compute the graph one node at a time, inputs first.",
  );
  assert.equal(describeStep(tl, ix, 1, labelOf), "Forward step 1 of 2: computed e from a and b.");
  assert.equal(
    describeStep(tl, ix, 2, labelOf),
    "Forward step 2 of 2: computed L from e and a. " +
      "The forward pass is done: step backward to find every gradient, starting at the output.",
  );
  assert.equal(
    describeStep(tl, ix, 3, labelOf),
    "Backward step 1 of 4: the output's gradient with respect to itself is 1.",
  );
  assert.equal(
    describeStep(tl, ix, 4, labelOf),
    "Backward step 2 of 4: e has one use, so its gradient is the chain rule through L: " +
      "upstream gradient times local derivative.",
  );
  assert.equal(
    describeStep(tl, ix, 6, labelOf),
    "Backward step 4 of 4: a has 2 uses, so its gradient adds up one chain-rule term per use. " +
      "The backward pass is done: nudge the inputs along their gradients to change the output.",
  );
});

test("describeStep: an unused node, three inputs, no inputs", () => {
  // s = x + y + z (one op of three inputs); k is computed from nothing and unused.
  const tl = {
    values: ["1.0", "2.0", "3.0", "6.0", "7.0"],
    grads: ["1.0", "1.0", "1.0", "1.0", "0.0"],
    forward: [3, 4],
    backward: [3, 4],
    inputs: [[], [], [], [0, 1, 2], []],
    slopes: [[], [], [], ["1.0", "1.0", "1.0"], []],
    output: 3,
  };
  const ix = indexTimeline(tl);
  const label = (i) => ["x", "y", "z", "s", "k"][i];
  assert.equal(describeStep(tl, ix, 1, label), "Forward step 1 of 2: computed s from x, y and z.");
  assert.match(describeStep(tl, ix, 2, label), /^Forward step 2 of 2: computed k\. The forward pass is done/);
  assert.equal(
    describeStep(tl, ix, 4, label),
    "Backward step 2 of 2: the output does not depend on k, so its gradient is 0. " +
      "The backward pass is done: nudge the inputs along their gradients to change the output.",
  );
});

test("makeLabelOf: the layout's label, else the timeline's name, else n{i}", () => {
  const tl = timeline();
  const ix = indexTimeline(tl);
  const layout = {
    nodes: [
      { id: "n0", kind: "value", label: "a" },
      { id: "n2", kind: "value", label: "a * b" },
      { id: "n2:op", kind: "op", label: "*" },
      { id: "n1", kind: "value", label: "" },
    ],
  };
  const labelOf2 = makeLabelOf(layout, ix);
  assert.equal(labelOf2(0), "a");
  assert.equal(labelOf2(2), "a * b"); // not the op node's "*"
  assert.equal(labelOf2(1), "b"); // empty label: the name
  assert.equal(labelOf2(3), "L"); // not in the layout: the name
  assert.equal(labelOf2(9), "n9"); // neither
});

test("formulaSegments: parts to draw, numbers short or full", () => {
  const parts = [
    "dL/da = ",
    { up: "dL/de" },
    " * ",
    { local: "de/da" },
    " = ",
    { n: "-2.0" },
    " * ",
    { n: "-3.14159" },
    " = ",
    { n: "6.28318" },
  ];
  const frame = { kind: "backward", node: 0, text: "dL/da = dL/de * de/da = -2.0 * -3.14159 = 6.28318", parts };
  const short = formulaSegments(frame);
  assert.deepEqual(short, [
    { kind: "text", text: "dL/da = " },
    { kind: "up", text: "dL/de" },
    { kind: "text", text: " * " },
    { kind: "local", text: "de/da" },
    { kind: "text", text: " = " },
    { kind: "num", text: "-2.0000", full: "-2.0" },
    { kind: "text", text: " * " },
    { kind: "num", text: "-3.1416", full: "-3.14159" },
    { kind: "text", text: " = " },
    { kind: "num", text: "6.2832", full: "6.28318" },
  ]);
  const full = formulaSegments(frame, { full: true });
  assert.equal(full.map((s) => s.text).join(""), frame.text); // the full digits rebuild the text
  assert.deepEqual(
    full.filter((s) => s.kind === "num").map((s) => s.text),
    ["-2.0", "-3.14159", "6.28318"],
  );
});

test("formulaSegments: no frame, an older frame without parts, an unknown part", () => {
  assert.deepEqual(formulaSegments(null), []);
  assert.deepEqual(formulaSegments(undefined), []);
  assert.deepEqual(formulaSegments({ text: "e = a * b" }), [{ kind: "text", text: "e = a * b" }]);
  assert.deepEqual(formulaSegments({}), [{ kind: "text", text: "" }]);
  assert.deepEqual(formulaSegments({ parts: ["x", { what: 1 }, { n: "0.0" }] }), [
    { kind: "text", text: "x" },
    { kind: "text", text: "" },
    { kind: "num", text: "0.0000", full: "0.0" },
  ]);
});
