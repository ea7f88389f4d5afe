// web/training/batch-layout.js: the collapsed batch graph's groups, links and places.
// The fixture is gradstep/training/batch_graph.py's output for MLP(2, [2, 1]) on 4 moons points,
// one step in (made by: BatchGraph(FastTrainer(*make("moons", n=4, seed=0), [2], seed=0))).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { hitTest, layoutBatch, nodeCell, shownGroups, shownLinks, shownTotals } from "../../web/training/batch-layout.js";

const { summary, expand } = JSON.parse(readFileSync(new URL("./fixtures/batch-small.json", import.meta.url)));
const full = summary.totals;

test("whatever is folded, the boxes add up to the full graph's nodes, edges and parameters", () => {
  for (const folded of [new Set(), new Set([1]), new Set([2]), new Set([1, 2])]) {
    const t = shownTotals(summary, folded);
    assert.deepEqual([t.nodes, t.edges, t.parameters], [full.nodes, full.edges, full.parameters], [...folded].join());
  }
});

test("folding every layer gives the engine's own layer groups and layer links", () => {
  const folded = new Set([1, 2]);
  assert.deepEqual(shownGroups(summary, folded).map((g) => g.id), summary.layers.map((g) => g.id));
  const key = (l) => `${l.from}>${l.to}:${l.edges}`;
  assert.deepEqual(shownLinks(summary, folded).map(key).sort(), summary.layer_links.map(key).sort());
});

test("unfolded, the links are the engine's neuron links", () => {
  const key = (l) => `${l.from}>${l.to}:${l.edges}`;
  assert.deepEqual(shownLinks(summary, new Set()).map(key).sort(), summary.neuron_links.map(key).sort());
});

test("one column per layer, left to right, boxes inside the bounds and not overlapping", () => {
  const L = layoutBatch(summary);
  assert.deepEqual(L.columns.map((c) => c.layer), [0, 1, 2, 3]);
  for (let i = 1; i < L.columns.length; i++) assert.ok(L.columns[i].x > L.columns[i - 1].x + L.columns[i - 1].width);
  const b = L.bounds;
  for (const box of L.boxes) {
    assert.ok(box.x >= b.x && box.y >= b.y && box.x + box.width <= b.x + b.width && box.y + box.height <= b.y + b.height, box.id);
  }
  for (const p of L.boxes) for (const q of L.boxes) {
    if (p === q) continue;
    const apart = p.x + p.width <= q.x || q.x + q.width <= p.x || p.y + p.height <= q.y || q.y + q.height <= p.y;
    assert.ok(apart, `${p.id} overlaps ${q.id}`);
  }
  // Links run left to right, from a box's right side to another's left side.
  for (const l of L.links) assert.ok(l.a[0] < l.b[0], `${l.from} -> ${l.to}`);
});

test("an expanded neuron grows to hold its nodes, each in its own cell inside the box", () => {
  const ex = expand.L1N0;
  const L = layoutBatch(summary, new Set(), new Map([["L1N0", ex]]));
  const box = L.boxes.find((b) => b.id === "L1N0");
  assert.ok(box.expanded && box.height > layoutBatch(summary).boxes.find((b) => b.id === "L1N0").height);
  assert.equal(ex.nodes.length, summary.neurons.find((g) => g.id === "L1N0").nodes);
  const cells = new Set();
  for (const n of ex.nodes) {
    const [x, y] = nodeCell(box, n);
    assert.ok(x > box.x && x < box.x + box.width && y > box.y && y < box.y + box.height, `node ${n.k}`);
    cells.add(`${x},${y}`);
  }
  assert.equal(cells.size, ex.nodes.length); // no two nodes share a cell
  assert.equal(hitTest(L, box.x + 2, box.y + 2).box.id, "L1N0");
  assert.equal(hitTest(L, L.columns[1].x + 4, L.columns[1].y + 4).column.layer, 1);
});
