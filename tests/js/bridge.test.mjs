// The page's side of the worker (web/worker/bridge.js): a big reply's parts are read a few
// at a time with a frame between, and replies still resolve in order, whole.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PARSE_BUDGET_MS, WorkerBridge } from "../../web/worker/bridge.js";
import { splitReply } from "../../web/worker/reply-parts.js";

// A worker that answers nothing by itself: the test posts its messages, as the real one would.
class FakeWorker {
  constructor() {
    this.posted = [];
    this.terminated = false;
    FakeWorker.last = this;
  }
  postMessage(m) {
    this.posted.push(m);
  }
  terminate() {
    this.terminated = true;
  }
}

// Frames: counted, each drawn a task later. The clock: 10 ms a reading, so the budget is spent
// after a known number of parts, whatever this machine's speed.
let frames = 0;
let clock = 0;
globalThis.Worker = FakeWorker;
globalThis.requestAnimationFrame = (f) => setTimeout(() => { frames++; f(clock); }, 0);
const realNow = performance.now.bind(performance);
performance.now = () => (clock += 10);

const tick = () => new Promise((r) => setTimeout(r, 0));
async function settled(promise) {
  let done = false;
  promise.then(() => { done = true; });
  for (let k = 0; k < 200 && !done; k++) await tick();
  return done;
}

/** The messages the real worker posts for a reply: its parts as UTF-8 bytes, then the rest. */
function messagesFor(id, reply) {
  const { parts, json } = splitReply(JSON.stringify(reply), { minChars: 10, items: 100 });
  const bytes = (s) => new TextEncoder().encode(s);
  return [...parts.map((p) => ({ type: "part", id, path: p.path, bytes: bytes(p.json) })), { type: "reply", id, json }];
}

test("a big reply's parts wait for frames, and the reply is whole and in order", async () => {
  const bridge = new WorkerBridge();
  const w = FakeWorker.last;
  const big = bridge.call("load", { text: "big" });
  const small = bridge.call("forward", {});
  const nodes = Array.from({ length: 1000 }, (_, k) => ({ id: k, label: `a${k}` }));
  const order = [];
  big.then(() => order.push("big"));
  small.then(() => order.push("small"));
  frames = 0;
  // Every message at once, as when they all waited while the page was busy.
  const msgs = [...messagesFor(1, { ok: true, scene: { layout: { nodes } } }), { type: "reply", id: 2, json: '{"ok":true,"n":2}' }];
  assert.equal(msgs.length, 10 + 2);
  for (const m of msgs) w.onmessage({ data: m });
  // Nothing read in the messages' own tasks: the first part waits for a frame.
  assert.equal(bridge.parts.size, 0);
  assert.equal(bridge.inbox.length, 12);
  assert.ok(await settled(small));
  assert.deepEqual(order, ["big", "small"]);
  const reply = await big;
  assert.deepEqual(reply.scene.layout.nodes, nodes);
  assert.deepEqual(await small, { ok: true, n: 2 });
  // 10 parts at 10 ms a reading with a 25 ms budget: a frame every few parts, not one for all.
  assert.equal(PARSE_BUDGET_MS, 25);
  assert.ok(frames >= 4, `frames ${frames}`);
  assert.equal(bridge.busy, null);
});

test("a small reply with nothing waiting resolves at once, in the message's task", async () => {
  const bridge = new WorkerBridge();
  const w = FakeWorker.last;
  let got = null;
  bridge.call("forward", {}).then((r) => { got = r; });
  w.onmessage({ data: { type: "reply", id: 1, json: '{"ok":true}' } });
  await Promise.resolve();
  assert.deepEqual(got, { ok: true });
});

test("a Stop while a big reply is read drops it: the call resolves as stopped, once", async () => {
  const bridge = new WorkerBridge();
  const old = FakeWorker.last;
  const results = [];
  bridge.call("load", {}).then((r) => results.push(r));
  const nodes = Array.from({ length: 500 }, (_, k) => k);
  for (const m of messagesFor(1, { ok: true, nodes })) old.onmessage({ data: m });
  bridge.stop();
  assert.ok(old.terminated);
  for (let k = 0; k < 20; k++) await tick();
  assert.equal(results.length, 1);
  assert.equal(results[0].stopped, true);
  assert.equal(bridge.inbox.length, 0);
  assert.equal(bridge.parts.size, 0);
});

test("a part the page cannot read makes its reply an error, and later replies still come", async () => {
  const bridge = new WorkerBridge();
  const w = FakeWorker.last;
  const bad = bridge.call("load", {});
  const next = bridge.call("forward", {});
  w.onmessage({ data: { type: "part", id: 1, path: ["nodes"], bytes: new TextEncoder().encode("[1, 2,") } });
  w.onmessage({ data: { type: "reply", id: 1, json: '{"ok":true,"nodes":[]}' } });
  w.onmessage({ data: { type: "reply", id: 2, json: '{"ok":true}' } });
  const r = await bad;
  assert.equal(r.ok, false);
  assert.match(r.error.message, /cannot read/);
  assert.deepEqual(await next, { ok: true });
});

test("with no frames drawn (a tab hidden meanwhile), a big reply still comes", async () => {
  const draw = globalThis.requestAnimationFrame;
  globalThis.requestAnimationFrame = () => 0; // (never draws)
  try {
    const bridge = new WorkerBridge();
    const w = FakeWorker.last;
    const nodes = Array.from({ length: 800 }, (_, k) => k);
    const reply = bridge.call("load", {});
    for (const m of messagesFor(1, { ok: true, nodes })) w.onmessage({ data: m });
    const got = await Promise.race([reply, new Promise((r) => setTimeout(() => r("late"), 5000))]);
    assert.deepEqual(got.nodes, nodes);
  } finally {
    globalThis.requestAnimationFrame = draw;
  }
});

test("a page hidden meanwhile reads a big reply in one go: no frames to wait for, and its timers are slow", async () => {
  globalThis.document = { hidden: true };
  try {
    const bridge = new WorkerBridge();
    const w = FakeWorker.last;
    const nodes = Array.from({ length: 800 }, (_, k) => k);
    let got = null;
    bridge.call("load", {}).then((r) => { got = r; });
    frames = 0;
    for (const m of messagesFor(1, { ok: true, nodes })) w.onmessage({ data: m });
    await Promise.resolve(); // (no task later: the whole inbox read at once)
    await Promise.resolve();
    assert.deepEqual(got?.nodes, nodes);
    assert.equal(frames, 0);
  } finally {
    delete globalThis.document;
  }
});

test("Python crashing in a later call keeps a reply that had come whole before it", async () => {
  const bridge = new WorkerBridge();
  const old = FakeWorker.last;
  const crashes = [];
  bridge.addEventListener("crashed", (e) => crashes.push(e.detail));
  const big = bridge.call("load", {});
  const next = bridge.call("timeline", {});
  const nodes = Array.from({ length: 600 }, (_, k) => k);
  for (const m of messagesFor(1, { ok: true, nodes })) old.onmessage({ data: m });
  old.onmessage({ data: { type: "crashed", id: 2, message: "Maximum call stack size exceeded" } });
  assert.equal(old.terminated, false); // (not yet: the reply before it is still being read)
  assert.deepEqual((await big).nodes, nodes);
  const r = await next;
  assert.equal(r.crashed, true);
  assert.equal(r.error.message, "Maximum call stack size exceeded");
  assert.ok(old.terminated);
  assert.deepEqual(crashes.map((c) => c.method), ["timeline"]);
  assert.notEqual(FakeWorker.last, old); // (a fresh worker)
});

test.after(() => {
  performance.now = realNow;
});
