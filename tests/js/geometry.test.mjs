// web/graph/geometry.js: the drawable model of a layout, edge paths, edge-label placement
// and what a step touches.
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  EDGE_LABEL,
  buildModel,
  gradFill,
  isPill,
  labelCandidates,
  opSymbol,
  pathD,
  placeEdgeLabels,
  shownLabel,
  stepFocus,
} from "../../web/graph/geometry.js";
import { indexTimeline } from "../../web/graph/scene.js";

const close = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

// e = a * b:  a (n0) and b (n1) feed the op circle n2:op (centre (155, 50), r 15),
// which makes e (n2). b's edge has one bend at (120, 80).
function smallLayout() {
  return {
    nodes: [
      { id: "n0", kind: "value", label: "a", x: 0, y: 0, width: 100, height: 40 },
      { id: "n1", kind: "value", label: "b", x: 0, y: 60, width: 100, height: 40 },
      { id: "n2:op", kind: "op", label: "*", x: 140, y: 35, width: 30, height: 30 },
      { id: "n2", kind: "value", label: "e", x: 200, y: 30, width: 100, height: 40 },
    ],
    edges: [
      // The layout's own end points lie on the nodes' sides: replaced by the model's.
      { source: "n0", target: "n2:op", input: 0, node: "n2", points: [[100, 20], [140, 45]] },
      { source: "n1", target: "n2:op", input: 1, node: "n2", points: [[100, 80], [120, 80], [140, 55]] },
      { source: "n2:op", target: "n2", points: [[170, 50], [200, 50]] },
      { source: "n7:op", target: "n2" }, // from a node not in the layout: skipped
    ],
  };
}

test("opSymbol, isPill, shownLabel", () => {
  // the scene's glyph is drawn; a scene without one (hand-made) shows the label
  assert.equal(opSymbol({ label: "*", glyph: "×" }), "×");
  assert.equal(opSymbol({ label: "tanh", glyph: "tanh" }), "tanh");
  assert.equal(opSymbol({ label: "+" }), "+");
  assert.equal(isPill({ width: 30, height: 30 }), false);
  assert.equal(isPill({ width: 30.4, height: 30 }), false);
  assert.equal(isPill({ width: 48, height: 30 }), true);
  assert.equal(shownLabel("x".repeat(40)), "x".repeat(40));
  assert.equal(shownLabel("x".repeat(41)), "x".repeat(39) + "…");
});

test("buildModel: nodes, bounds and lookups", () => {
  const m = buildModel(smallLayout());
  assert.deepEqual(m.values.map((n) => n.id), ["n0", "n1", "n2"]);
  assert.deepEqual(m.ops.map((n) => n.id), ["n2:op"]);
  assert.equal(m.byId.get("n2:op").label, "*");
  assert.deepEqual(m.bounds, { x: 0, y: 0, width: 300, height: 100 });
  assert.equal(m.edges.length, 3);
  const [ea, eb, made] = m.edges;
  assert.deepEqual([ea.consumer, ea.sourceIndex, ea.producer, ea.input], [2, 0, null, 0]);
  assert.deepEqual([eb.consumer, eb.sourceIndex, eb.producer, eb.input], [2, 1, null, 1]);
  assert.deepEqual([made.consumer, made.sourceIndex, made.producer], [null, null, 2]);
  assert.deepEqual(m.byConsumer.get(2), [ea, eb]);
  assert.deepEqual(m.bySource.get(0), [ea]);
  assert.deepEqual(m.bySource.get(1), [eb]);
  assert.equal(m.byProducer.get(2), made);
  assert.equal(m.bySource.get(2), undefined);
});

test("buildModel: edges leave the source's right side and arrive on the op circle's rim", () => {
  const [ea, eb, made] = buildModel(smallLayout()).edges;
  // Two inputs: arrival points 8 px apart around the centre's y (50): 46 and 54.
  // On the circle (centre (155, 50), r 15) at dy = ∓4: x = 155 - sqrt(15² - 4²).
  const rimX = 155 - Math.sqrt(209);
  assert.equal(ea.pts.length, 2); // both layout points were on the nodes: dropped
  assert.deepEqual(ea.pts[0], [100, 20]);
  close(ea.pts[1][0], rimX);
  assert.equal(ea.pts[1][1], 46);
  assert.equal(eb.pts.length, 3); // the bend is kept
  assert.deepEqual(eb.pts.slice(0, 2), [[100, 80], [120, 80]]);
  close(eb.pts[2][0], rimX);
  assert.equal(eb.pts[2][1], 54);
  for (const e of [ea, eb]) {
    const [x, y] = e.pts.at(-1);
    close(Math.hypot(x - 155, y - 50), 15); // exactly on the rim
  }
  // op -> value: from the circle's right side to the value box's left side.
  assert.deepEqual(made.pts, [[170, 50], [200, 50]]);
});

test("buildModel: a pill's round left end, many inputs squeezed, an empty layout", () => {
  const layout = {
    nodes: [
      { id: "n0", kind: "value", label: "x", x: 0, y: 0, width: 100, height: 40 },
      { id: "n1:op", kind: "op", label: "softmax", x: 150, y: 5, width: 60, height: 30 },
    ],
    edges: [0, 1, 2, 3, 4].map((k) => ({ source: "n0", target: "n1:op", input: k, node: "n1" })),
  };
  const m = buildModel(layout);
  // Five inputs on a 30 px high op: gap min(8, (30 - 6) / 4) = 6, centred on y = 20.
  assert.deepEqual(m.edges.map((e) => e.pts.at(-1)[1]), [8, 14, 20, 26, 32]);
  for (const e of m.edges) {
    const [x, y] = e.pts.at(-1);
    close(Math.hypot(x - 165, y - 20), 15); // the left end's circle: centre (150 + 15, 20)
  }
  assert.equal(m.edges[2].pts.at(-1)[0], 150); // straight in: the leftmost point
  const empty = buildModel({ nodes: [], edges: [] });
  assert.deepEqual(empty.bounds, { x: 0, y: 0, width: 1, height: 1 });
});

test("buildModel: bounds include the edges' bends", () => {
  const layout = smallLayout();
  layout.edges[1].points = [[100, 80], [120, 130], [140, 55]];
  assert.deepEqual(buildModel(layout).bounds, { x: 0, y: 0, width: 300, height: 130 });
});

test("pathD: horizontal-tangent cubics, coordinates to 0.1 px", () => {
  assert.equal(pathD([[0, 0], [10, 20]]), "M0,0C5,0 5,20 10,20");
  assert.equal(pathD([[0.04, 1.26], [10.2, 3]]), "M0,1.3C5.1,1.3 5.1,3 10.2,3");
  assert.equal(pathD([[0, 0], [10, 20], [30, -4]]), "M0,0C5,0 5,20 10,20C20,20 20,-4 30,-4");
  assert.equal(pathD([[7, 8]]), "M7,8");
});

test("labelCandidates: along the drawn curve, the consumer's end first", () => {
  const c = labelCandidates([[0, 0], [100, 40]]);
  assert.equal(c.length, 25); // t = 0.98, 0.94, ..., 0.02
  // t = 0.98 on the cubic (0,0) (50,0) (50,40) (100,40):
  // x = 3·0.02²·0.98·50 + 3·0.02·0.98²·50 + 0.98³·100, y = (3·0.02·0.98² + 0.98³)·40.
  close(c[0][0], 0.0588 + 2.8812 + 94.1192, 1e-9);
  close(c[0][1], (0.057624 + 0.941192) * 40, 1e-9);
  for (let k = 1; k < c.length; k++) {
    assert.ok(c[k][0] < c[k - 1][0]); // walking back towards the source
    assert.ok(c[k][1] <= c[k - 1][1]);
  }
  // With a bend, the last segment's candidates come first, then the earlier one's.
  const bent = labelCandidates([[0, 0], [100, 0], [200, 50]]);
  assert.ok(bent.length > 25);
  assert.ok(bent.slice(0, 25).every(([x]) => x > 100));
  assert.ok(bent.slice(25).every(([x, y]) => x < 100 && y === 0));
});

// Boxes: does a [x0, y0, x1, y1] box overlap another (positive area)?
const overlaps = (a, b) => Math.min(a.x1, b.x1) > Math.max(a.x0, b.x0) && Math.min(a.y1, b.y1) > Math.max(a.y0, b.y0);
const labelBox = ({ x, y }, s = EDGE_LABEL) => ({ x0: x - s.width / 2, y0: y - s.height / 2, x1: x + s.width / 2, y1: y + s.height / 2 });
const nodeBox = (n, m = 0) => ({ x0: n.x - m, y0: n.y - m, x1: n.x + n.width + m, y1: n.y + n.height + m });

// Eight values feeding a sum of all eight, and two sums of four; then a layer of
// three more sums each taking all three: 25 labelled edges in two narrow gaps.
function crowdedLayout() {
  const nodes = [];
  const edges = [];
  const V = { width: 132, height: 56 };
  for (let i = 0; i < 8; i++) nodes.push({ id: `n${i}`, kind: "value", label: `x${i}`, x: 0, y: 12 + 70 * i, ...V });
  const sums = [[0, 1, 2, 3, 4, 5, 6, 7], [0, 1, 2, 3], [4, 5, 6, 7]];
  const ys = [262, 112, 412];
  sums.forEach((ins, s) => {
    const i = 8 + s;
    nodes.push({ id: `n${i}:op`, kind: "op", label: "+", x: 240, y: ys[s], width: 30, height: 30 });
    nodes.push({ id: `n${i}`, kind: "value", label: `s${s}`, x: 300, y: ys[s] - 13, ...V });
    ins.forEach((j, k) => edges.push({ source: `n${j}`, target: `n${i}:op`, input: k, node: `n${i}` }));
    edges.push({ source: `n${i}:op`, target: `n${i}` });
  });
  for (let s = 0; s < 3; s++) {
    const i = 11 + s;
    const y = 150 + 150 * s;
    nodes.push({ id: `n${i}:op`, kind: "op", label: "+", x: 560, y, width: 30, height: 30 });
    nodes.push({ id: `n${i}`, kind: "value", label: `t${s}`, x: 620, y: y - 13, ...V });
    [8, 9, 10].forEach((j, k) => edges.push({ source: `n${j}`, target: `n${i}:op`, input: k, node: `n${i}` }));
    edges.push({ source: `n${i}:op`, target: `n${i}` });
  }
  return { nodes, edges };
}

test("placeEdgeLabels: on a crowded layout no label covers a node or another label", () => {
  const model = buildModel(crowdedLayout());
  const labelled = model.edges.filter((e) => e.consumer != null);
  assert.equal(labelled.length, 25);
  const placed = placeEdgeLabels(model, labelled);
  assert.equal(placed.size, 25);
  const nodes = model.values.concat(model.ops);
  // The first candidate clear of every node: where the label goes when alone.
  const firstFree = (e) =>
    labelCandidates(e.pts).findIndex(([x, y]) => nodes.every((n) => !overlaps(labelBox({ x, y }), nodeBox(n, EDGE_LABEL.clear))));
  const boxes = [];
  let moved = 0;
  for (const e of labelled) {
    const p = placed.get(e);
    assert.equal(p.overlap, 0, `${e.source} -> ${e.target}`);
    // On the edge's own path: one of its candidate points.
    const candidates = labelCandidates(e.pts);
    const at = candidates.findIndex(([x, y]) => Math.abs(x - p.x) < 1e-9 && Math.abs(y - p.y) < 1e-9);
    assert.ok(at >= 0, `${e.source} -> ${e.target}: label off its path`);
    if (at > firstFree(e)) moved++; // pushed back by another label
    const box = labelBox(p);
    for (const n of nodes) {
      assert.ok(!overlaps(box, nodeBox(n, EDGE_LABEL.clear)), `label of ${e.source} -> ${e.target} on ${n.id}`);
    }
    boxes.push([e, box]);
  }
  for (let a = 0; a < boxes.length; a++) {
    for (let b = a + 1; b < boxes.length; b++) {
      const [ea, ba] = boxes[a];
      const [eb, bb] = boxes[b];
      assert.ok(!overlaps(ba, bb), `labels of ${ea.source}->${ea.target} and ${eb.source}->${eb.target} overlap`);
    }
  }
  assert.ok(moved >= 5, `only ${moved} labels had to make room for others: the layout is not crowded`);
  // Labels twice as high no longer all fit: some are placed covering something, and say so.
  const tall = placeEdgeLabels(model, labelled, { ...EDGE_LABEL, height: 32 });
  assert.equal(tall.size, 25);
  assert.ok([...tall.values()].some((p) => p.overlap > 0));
});

test("placeEdgeLabels: with no free place, the least covered one, and its overlap", () => {
  // A 20 px gap between a value and its op: every candidate box touches a node.
  const layout = {
    nodes: [
      { id: "n0", kind: "value", label: "a", x: 0, y: 0, width: 100, height: 40 },
      { id: "n1:op", kind: "op", label: "-", x: 120, y: 5, width: 30, height: 30 },
    ],
    edges: [{ source: "n0", target: "n1:op", input: 0, node: "n1" }],
  };
  const model = buildModel(layout);
  const [e] = model.edges;
  const p = placeEdgeLabels(model, [e]).get(e);
  const covered = ([x, y]) => {
    const q = labelBox({ x, y });
    let area = 0;
    for (const n of model.values.concat(model.ops)) {
      const b = nodeBox(n, EDGE_LABEL.clear);
      const w = Math.min(q.x1, b.x1) - Math.max(q.x0, b.x0);
      const h = Math.min(q.y1, b.y1) - Math.max(q.y0, b.y0);
      if (w > 0 && h > 0) area += w * h;
    }
    return area;
  };
  const areas = labelCandidates(e.pts).map(covered);
  assert.ok(Math.min(...areas) > 0);
  close(p.overlap, Math.min(...areas), 1e-6);
  close(covered([p.x, p.y]), p.overlap, 1e-6);
});

test("placeEdgeLabels: nothing to place", () => {
  const model = buildModel(smallLayout());
  assert.equal(placeEdgeLabels(model, []).size, 0);
});

test("gradFill: diverging colours by sign, stronger with size", () => {
  const theme = { nodeBg: "#ffffff", gradPos: "#d6604d", gradNeg: "rgb(67, 147, 195)" };
  assert.equal(gradFill("", 2, theme), "#ffffff");
  assert.equal(gradFill("0.0", 2, theme), "#ffffff");
  assert.equal(gradFill("nan", 2, theme), "#ffffff");
  assert.equal(gradFill("1.0", 0, theme), "#ffffff");
  // The largest: 72 % of the way: 255 - 41·0.72 = 225.48, 255 - 159·0.72 = 140.52, 255 - 178·0.72 = 126.84.
  assert.equal(gradFill("2.0", 2, theme), "rgb(225,141,127)");
  assert.equal(gradFill("-4.0", 2, theme), "rgb(120,177,212)"); // capped at the largest: 255 - 188·0.72 = 119.64
  // Tiny: 12 % of the way: 255 - 41·0.12 = 250.08, 255 - 159·0.12 = 235.92, 255 - 178·0.12 = 233.64.
  assert.equal(gradFill("1e-300", 2, theme), "rgb(250,236,234)");
  assert.equal(gradFill("1.0", 2, { ...theme, nodeBg: "#fff" }), gradFill("1.0", 2, theme)); // #rgb
});

test("stepFocus: a forward step's input and output edges, a backward step's uses", () => {
  const model = buildModel(smallLayout());
  const [ea, eb, made] = model.edges;
  const tl = {
    values: ["2.0", "-3.0", "-6.0"],
    grads: ["-3.0", "2.0", "1.0"],
    forward: [2],
    backward: [2, 1, 0],
    inputs: [[], [], [0, 1]],
    slopes: [[], [], ["-3.0", "2.0"]],
    output: 2,
  };
  const ix = indexTimeline(tl);
  const focus = (p) => {
    const f = stepFocus(tl, ix, model, p);
    return [f.edges, [...f.related]];
  };
  assert.deepEqual(focus(0), [[], []]);
  assert.deepEqual(focus(5), [[], []]);
  assert.deepEqual(focus(1), [[ea, eb, made], [0, 1]]); // e = a * b
  assert.deepEqual(focus(2), [[], []]); // the output's gradient: no uses
  assert.deepEqual(focus(3), [[eb], [2]]); // b's gradient comes through e
  assert.deepEqual(focus(4), [[ea], [2]]);
});
