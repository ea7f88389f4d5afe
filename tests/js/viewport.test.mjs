// web/graph/viewport.js: the pan/zoom transform (screen = k · graph + (x, y)), on a stub
// element: its size, the listeners it was given, and nothing else of a DOM.
import { test } from "node:test";
import assert from "node:assert/strict";

import { READABLE_K, Viewport } from "../../web/graph/viewport.js";

function stubElement(width = 800, height = 600) {
  const listeners = {};
  const classes = new Set();
  return {
    clientWidth: width,
    clientHeight: height,
    listeners,
    classes,
    addEventListener(type, fn) {
      (listeners[type] ||= []).push(fn);
    },
    getBoundingClientRect: () => ({ left: 0, top: 0, width, height }),
    setPointerCapture() {},
    classList: { add: (c) => classes.add(c), remove: (c) => classes.delete(c) },
    fire(type, event) {
      for (const fn of listeners[type] || []) fn({ preventDefault() {}, stopPropagation() {}, ...event });
    },
  };
}

function viewport(width, height) {
  const el = stubElement(width, height);
  const seen = [];
  const vp = new Viewport(el, (t) => seen.push({ ...t }));
  return { el, vp, seen };
}

const near = (t, want, eps = 1e-9) => {
  for (const k of Object.keys(want)) assert.ok(Math.abs(t[k] - want[k]) <= eps, `${k}: ${t[k]} != ${want[k]}`);
};

test("size: the element's client size, at least 1", () => {
  assert.deepEqual(viewport(800, 600).vp.size(), { width: 800, height: 600 });
  assert.deepEqual(viewport(0, 0).vp.size(), { width: 1, height: 1 }); // hidden: no division by 0
  const { vp, seen } = viewport();
  assert.deepEqual(vp.t, { k: 1, x: 0, y: 0 });
  assert.equal(seen.length, 0); // constructing draws nothing
});

test("size: read from the layout once per run of code, again after a microtask; a hidden host is not kept", async () => {
  const el = stubElement();
  let reads = 0;
  let width = 800;
  Object.defineProperty(el, "clientWidth", { get: () => { reads++; return width; } });
  const vp = new Viewport(el, () => {});
  vp.fit({ x: 0, y: 0, width: 100, height: 100 });
  vp.visibleRect();
  vp.ensureVisible({ x: 0, y: 0, width: 10, height: 10 });
  assert.equal(reads, 1); // (each read after a write to the page would lay it out again)
  await Promise.resolve();
  width = 500; // (resized between two runs)
  assert.equal(vp.size().width, 500);
  assert.equal(reads, 2);
  await Promise.resolve();
  width = 0; // hidden, then shown within the same run: read afresh
  assert.deepEqual(vp.size(), { width: 1, height: 600 });
  width = 640;
  assert.equal(vp.size().width, 640);
});

test("set clamps the zoom; zoomAt keeps the point under the cursor", () => {
  const { vp, seen } = viewport();
  vp.set({ k: 10, x: 1, y: 2 });
  assert.deepEqual(vp.t, { k: 4, x: 1, y: 2 });
  vp.set({ k: 0, x: 0, y: 0 });
  assert.equal(vp.t.k, 0.0005);
  vp.set({ k: 1, x: 0, y: 0 });
  vp.zoomAt(2, 400, 300); // graph point (400, 300) stays at screen (400, 300)
  assert.deepEqual(vp.t, { k: 2, x: -400, y: -300 });
  vp.zoomAt(4, 100, 100); // clamped to k = 4: f = 2
  assert.deepEqual(vp.t, { k: 4, x: 100 - 500 * 2, y: 100 - 400 * 2 });
  vp.set({ k: 1, x: 0, y: 0 });
  vp.zoomBy(0.5); // about the centre (400, 300)
  assert.deepEqual(vp.t, { k: 0.5, x: 200, y: 150 });
  vp.panBy(10, -20);
  assert.deepEqual(vp.t, { k: 0.5, x: 210, y: 130 });
  assert.deepEqual(seen.at(-1), vp.t); // every change is reported
  assert.equal(seen.length, 8); // 4 sets, 2 zoomAt, zoomBy, panBy
});

test("fit: a small graph centred, never zoomed in past 1.25", () => {
  const { vp } = viewport(800, 600);
  const b = { x: 0, y: 0, width: 400, height: 200 };
  vp.fit(b);
  // (800 - 32) / 400 = 1.92 and (600 - 32) / 200 = 2.84: capped at 1.25 (a 500 x 250 drawing).
  assert.deepEqual(vp.t, { k: 1.25, x: 150, y: 175 });
  assert.equal(vp.bounds, b);
  assert.ok(vp.showsAll());
  assert.equal(vp.tooBigToFit(), false);
});

test("fit: a large graph shrunk to the width, with its offset", () => {
  const { vp } = viewport(800, 600);
  const b = { x: 100, y: 50, width: 1536, height: 284 };
  vp.fit(b);
  // k = min(768 / 1536, 568 / 284) = 0.5; x = (800 - 768) / 2 - 50, y = (600 - 142) / 2 - 25.
  assert.deepEqual(vp.t, { k: 0.5, x: -34, y: 204 });
  assert.ok(vp.showsAll(b));
  const v = vp.visibleRect();
  near(v, { x: 68, y: -408, width: 1600, height: 1200 });
  assert.equal(vp.tooBigToFit(b), true); // 0.5 < READABLE_K
  assert.ok(0.5 < READABLE_K);
});

test("fit readable: a graph too big to read at fit size is shown from its left end", () => {
  const { vp } = viewport(800, 600);
  const wide = { x: 100, y: 50, width: 1536, height: 284 };
  vp.fit(wide, { readable: true });
  // k = 0.8; x = 16 - 100·0.8; the drawing (227.2 high) is centred: y = (600 - 227.2) / 2 - 50·0.8.
  near(vp.t, { k: 0.8, x: -64, y: 146.4 });
  assert.equal(vp.showsAll(), false);
  const tall = { x: 0, y: 20, width: 3000, height: 1000 };
  vp.fit(tall, { readable: true });
  // 800 px high at 0.8: more than the view, so from the top: y = 16 - 20·0.8.
  near(vp.t, { k: 0.8, x: 16, y: 0 });
  // A graph that fits readably is fitted as usual.
  const small = { x: 0, y: 0, width: 400, height: 200 };
  vp.fit(small, { readable: true });
  assert.deepEqual(vp.t, { k: 1.25, x: 150, y: 175 });
});

test("ensureVisible pans (without zooming) just enough, with a 24 px margin", () => {
  const { vp, seen } = viewport(800, 600);
  vp.set({ k: 1, x: 0, y: 0 });
  const before = seen.length;
  vp.ensureVisible({ x: 100, y: 100, width: 50, height: 50 }); // already in view
  assert.equal(seen.length, before); // no change, no redraw
  vp.ensureVisible({ x: 790, y: 10, width: 50, height: 20 });
  // right edge 840 > 776: x -= 64; top 10 < 24: y += 14.
  assert.deepEqual(vp.t, { k: 1, x: -64, y: 14 });
  vp.set({ k: 2, x: 0, y: 0 });
  vp.ensureVisible({ x: 10, y: 290, width: 5, height: 20 });
  // screen left 20 < 24: x += 4; screen bottom (290 + 20)·2 = 620 > 576: y -= 44.
  assert.deepEqual(vp.t, { k: 2, x: 4, y: -44 });
});

test("centerOn puts a graph point at the view's centre", () => {
  const { vp } = viewport(800, 600);
  vp.centerOn(100, 50);
  assert.deepEqual(vp.t, { k: 1, x: 300, y: 250 });
  vp.centerOn(100, 50, 2);
  assert.deepEqual(vp.t, { k: 2, x: 200, y: 200 });
  const v = vp.visibleRect();
  assert.deepEqual({ cx: v.x + v.width / 2, cy: v.y + v.height / 2 }, { cx: 100, cy: 50 });
});

test("showsAll allows 1 px of slack", () => {
  const { vp } = viewport(800, 600);
  vp.set({ k: 1, x: 0, y: 0 });
  assert.ok(vp.showsAll({ x: -1, y: -1, width: 802, height: 602 }));
  assert.ok(!vp.showsAll({ x: -2, y: 0, width: 100, height: 100 }));
  assert.ok(!vp.showsAll({ x: 0, y: 0, width: 100, height: 602 }));
});

test("a drag pans after 4 px, and swallows the click that ends it", () => {
  const { el, vp } = viewport();
  let userMoves = 0;
  vp.onUserMove = () => userMoves++;
  el.fire("pointerdown", { button: 0, pointerId: 1, clientX: 10, clientY: 10 });
  el.fire("pointermove", { pointerId: 1, clientX: 12, clientY: 12 }); // 2.8 px: still a press
  assert.equal(vp.dragging, false);
  assert.deepEqual(vp.t, { k: 1, x: 0, y: 0 });
  el.fire("pointermove", { pointerId: 1, clientX: 20, clientY: 10 });
  assert.equal(vp.dragging, true);
  assert.ok(el.classes.has("dragging"));
  assert.deepEqual(vp.t, { k: 1, x: 10, y: 0 }); // from the press point
  el.fire("pointermove", { pointerId: 1, clientX: 25, clientY: 13 });
  assert.deepEqual(vp.t, { k: 1, x: 15, y: 3 });
  assert.equal(userMoves, 1);
  el.fire("pointerup", { pointerId: 1 });
  assert.equal(vp.dragging, false);
  assert.ok(!el.classes.has("dragging"));
  let stopped = false;
  el.fire("click", { stopPropagation: () => (stopped = true) });
  assert.ok(stopped);
  stopped = false;
  el.fire("click", { stopPropagation: () => (stopped = true) }); // the next click is a click
  assert.ok(!stopped);
});

test("the wheel zooms about the cursor", () => {
  const { el, vp } = viewport();
  let userMoves = 0;
  vp.onUserMove = () => userMoves++;
  el.fire("wheel", { deltaY: -100, deltaMode: 0, clientX: 200, clientY: 100 });
  const k = Math.exp(0.2);
  near(vp.t, { k, x: 200 - 200 * k, y: 100 - 100 * k });
  assert.equal(userMoves, 1);
  el.fire("wheel", { deltaY: 4, deltaMode: 1, clientX: 200, clientY: 100 }); // lines: 0.05 per line
  near(vp.t, { k: 1, x: 0, y: 0 });
});
