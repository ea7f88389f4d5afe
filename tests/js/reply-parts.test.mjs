// A big reply cut into parts by the worker and put back by the page is the same reply.
import { test } from "node:test";
import assert from "node:assert/strict";
import { joinParts, splitReply } from "../../web/worker/reply-parts.js";

function roundTrip(reply, opts) {
  const { parts, json } = splitReply(JSON.stringify(reply), opts);
  // (each part crosses as its own message: JSON text, parsed on the page's side)
  const back = joinParts(JSON.parse(json), parts.map((p) => [p.path, JSON.parse(p.json)]));
  return { back, parts };
}

test("a small reply goes whole", () => {
  const reply = { ok: true, scene: { layout: { nodes: [1, 2, 3] } } };
  const { parts, json } = splitReply(JSON.stringify(reply));
  assert.equal(parts.length, 0);
  assert.deepEqual(JSON.parse(json), reply);
});

test("long arrays at any depth are cut and put back in order", () => {
  const nodes = Array.from({ length: 10_001 }, (_, k) => ({ id: "n" + k, x: k * 1.5, label: `a${k}` }));
  const values = Array.from({ length: 9_999 }, (_, k) => String(k / 7));
  const reply = {
    ok: true,
    scene: { layout: { nodes, edges: [[1, 2], [3, 4]] }, timeline: { values, names: { a: 1 }, version: 3 } },
    note: "",
  };
  const { back, parts } = roundTrip(reply, { minChars: 1000, items: 4000 });
  assert.equal(parts.length, 3 + 3); // nodes: 4000+4000+2001; values: 4000+4000+1999
  assert.deepEqual(parts.map((p) => p.path.join(".")).filter((p, k, a) => a.indexOf(p) === k),
    ["scene.layout.nodes", "scene.timeline.values"]);
  assert.deepEqual(back, reply);
});

test("arrays inside arrays stay with their item", () => {
  const rows = Array.from({ length: 50 }, (_, k) => Array.from({ length: 100 }, (_, j) => k * j));
  const reply = { grid: rows, empty: [], text: "x".repeat(2000) };
  const { back, parts } = roundTrip(reply, { minChars: 1000, items: 20 });
  assert.equal(parts.length, 3); // 50 rows in slices of 20
  assert.deepEqual(back, reply);
});
