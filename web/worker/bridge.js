// The page's side of the engine worker (web/worker/engine-worker.js): start it, call it,
// hear its progress, and stop it.
//
//   const worker = new WorkerBridge();
//   worker.addEventListener("ready", ...);         // Python is up
//   const reply = await worker.call("frames", {version: 1, start: 0, count: 24}, "the step's formula");
//   worker.stop();                                 // end a runaway call: a fresh worker
//
// Events: "ready" {ms, boot} (boot: how Python started, {how: "snapshot" | "normal",
// reason, ms}), "boot" {what, loaded?, total?} (a phase of the start), "failed" {message}, "crashed" {message, method} when Python
// itself died in a call (the bridge starts a fresh worker at once, as Stop does; "ready"
// follows), "busy" {what, since} while a call runs
// (what = the phase the worker reported last, at first the call's label), "idle" when
// none does. `calls` counts the messages posted, by method (since the page opened,
// across Stops): tests check that a step posts none.
// A call's promise resolves with the parsed reply ({ok: true, ...} or {ok: false,
// error}); calls pending when the worker is stopped resolve with
// {ok: false, stopped: true, error}; when it crashed, the call that crashed it with
// {ok: false, crashed: true, error} and the others with {ok: false, stopped: true, error}.
//
// Big replies come in parts: {type: "part", id, path, json} messages, one per slice of
// a long array of the reply, then the reply itself with those arrays empty. The parts are
// parsed a few at a time, at most PARSE_BUDGET_MS at once, with a frame drawn between
// (`_drain`), so the page keeps drawing while a graph of 60,000 nodes arrives: one
// JSON.parse of it blocked the page for 150-300 ms, and parsing each part in its own
// message's task was not enough either, as the messages, all waiting already, ran one after
// another with no frame between them (a 143 ms frame). Replies resolve in the order they
// came; a small reply with nothing before it resolves at once.

import { joinParts } from "./reply-parts.js";
// (after the next frame; after 100 ms without one: a page hidden meanwhile draws none, and its
// reply must not wait for the learner to come back)
import { afterNextFrame as yieldForFrame } from "../graph/frame.js";

export const PARSE_BUDGET_MS = 25;
// A hidden page draws no frames, so there are none to keep smooth, and its timers run about once
// a second (once a minute after five minutes): a big reply is read in one go there.
const hidden = () => globalThis.document?.hidden === true;
const utf8 = new TextDecoder();

export class WorkerBridge extends EventTarget {
  constructor(url = new URL("./engine-worker.js", import.meta.url)) {
    super();
    this.url = url;
    this.ready = false;
    this.pending = new Map(); // id -> {resolve, method}
    this.parts = new Map(); // id -> [[path, items], ...]: the parts of a big reply parsed so far
    this.inbox = []; // parts and replies not yet read, in the order they came
    this.draining = false; // `_drain` is reading the inbox
    this.generation = 0; // a new worker's: a drain of the old one's messages stops
    this.nextId = 1;
    this.busy = null; // {id, method, what, since} of the call running, or null
    this.last = {}; // method -> {ms, bytes} of its last reply (for benchmarks and the console)
    this.calls = {}; // method -> how many calls were posted
    this._spawn();
  }

  _spawn() {
    this.ready = false;
    this.boot = null;
    // The worker index.html started before the page's modules loaded, if it is this one: adopted
    // once (a Stop's fresh worker is the bridge's own), with what it said meanwhile, told after
    // the caller's listeners are on (a microtask: before any later message).
    const early = globalThis.gradstepEarlyWorker;
    globalThis.gradstepEarlyWorker = null;
    const adopt = early?.worker && early.url === new URL(this.url, globalThis.location?.href).href;
    const w = adopt ? early.worker : new Worker(this.url, { type: "module" });
    this.worker = w;
    w.onmessage = (e) => this._message(e.data);
    w.onerror = (e) => {
      e.preventDefault?.();
      this._emit("failed", { message: e.message || "the engine's worker could not start" });
    };
    if (adopt) {
      queueMicrotask(() => {
        if (this.worker !== w) return; // (stopped at once)
        for (const m of early.messages) this._message(m);
        if (early.error) this._emit("failed", { message: early.error });
      });
    }
  }

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  _message(m) {
    if (m.type === "ready") {
      this.ready = true;
      this.boot = m.boot ?? null;
      this._emit("ready", { ms: m.ms, boot: this.boot });
    } else if (m.type === "boot") {
      this._emit("boot", { what: m.what, loaded: m.loaded, total: m.total });
    } else if (m.type === "failed") {
      this._emit("failed", { message: m.message });
    } else if (m.type === "crashed") {
      // (after the replies that came before it: those were whole, and are kept)
      if (this.draining || this.inbox.length) this.inbox.push(m);
      else this._crashed(m);
    } else if (m.type === "part" || m.type === "reply") {
      // (a small reply with nothing waiting before it: read at once, no task later)
      if (m.type === "reply" && !this.draining && !this.inbox.length) this._reply(m);
      else {
        this.inbox.push(m);
        if (!this.draining) this._drain(m.type === "part");
      }
    } else if (m.type === "progress") {
      if (this.busy && this.busy.id === m.id) {
        this.busy.what = m.what;
        this._emit("busy", { ...this.busy });
      }
    }
  }

  /** Read the inbox in order: a frame drawn whenever reading has taken PARSE_BUDGET_MS. */
  async _drain(first = false) {
    this.draining = true;
    const generation = this.generation;
    // (a big reply's first part waits for a frame: the messages before it, in tasks of their
    // own, may have had none)
    if (first && !hidden()) {
      await yieldForFrame();
      if (generation !== this.generation) return;
    }
    let since = performance.now();
    while (this.inbox.length) {
      // (and a reply, whose caller's work follows in the same task, starts a task almost to itself)
      const budget = this.inbox[0].type === "reply" ? PARSE_BUDGET_MS / 5 : PARSE_BUDGET_MS;
      if (performance.now() - since >= budget && !hidden()) {
        await yieldForFrame();
        if (generation !== this.generation) return; // (stopped: the inbox was the old worker's)
        since = performance.now();
      }
      const m = this.inbox.shift();
      if (m.type === "part") {
        const parts = this.parts.get(m.id) ?? [];
        try {
          parts.push([m.path, JSON.parse(m.bytes ? utf8.decode(m.bytes) : m.json)]);
        } catch (err) {
          parts.push([m.path, null, err]); // (the reply says so)
        }
        this.parts.set(m.id, parts);
      } else if (m.type === "crashed") {
        this.draining = false;
        this._crashed(m); // (a fresh worker: the inbox was the old one's)
        return;
      } else {
        this._reply(m);
      }
    }
    this.draining = false;
  }

  _reply(m) {
    const p = this.pending.get(m.id);
    this.pending.delete(m.id);
    const parts = this.parts.get(m.id);
    this.parts.delete(m.id);
    if (p) this.last[p.method] = { ms: performance.now() - p.sent, bytes: m.json.length, parts: parts?.length ?? 0 };
    let reply;
    try {
      const bad = parts?.find((part) => part[2]);
      if (bad) throw bad[2];
      reply = JSON.parse(m.json);
      if (parts) joinParts(reply, parts);
    } catch (err) {
      reply = { ok: false, error: { line: null, col: null, message: "the engine sent a reply the page cannot read: " + err.message } };
    }
    this._next();
    p?.resolve(reply);
  }

  /** Mark the oldest call still waiting as the one running (calls run in order). */
  _next() {
    const first = this.pending.entries().next();
    if (first.done) {
      this.busy = null;
      this._emit("idle", {});
    } else {
      const [id, p] = first.value;
      this.busy = { id, method: p.method, what: p.what, since: performance.now() };
      this._emit("busy", { ...this.busy });
    }
  }

  /**
   * Call a method of web/worker/worker.py; resolves with its parsed reply. `label`
   * says what the call does while it runs (until the worker reports its phase).
   */
  call(method, args = {}, label = method) {
    const id = this.nextId++;
    const promise = new Promise((resolve) => this.pending.set(id, { resolve, method, what: label, sent: performance.now() }));
    this.calls[method] = (this.calls[method] || 0) + 1;
    this.worker.postMessage({ id, method, args });
    if (!this.busy) this._next();
    return promise;
  }

  /**
   * End whatever the worker is doing: terminate it and start a fresh one (Python
   * starts again: the caller reloads its program once "ready" comes).
   */
  stop() {
    this._restart(null, "stopped");
  }

  /** Python died in call `m.id` (a fatal error of Pyodide): a fresh worker, at once. */
  _crashed(m) {
    const method = this.pending.get(m.id)?.method ?? null;
    this._restart(m.id, m.message);
    this._emit("crashed", { message: m.message, method });
  }

  _restart(crashedId, message) {
    this.worker.terminate();
    const pending = [...this.pending];
    this.pending.clear();
    this.parts.clear();
    this.inbox = [];
    this.draining = false;
    this.generation++;
    this.busy = null;
    for (const [id, p] of pending) {
      const error = { line: null, col: null, message: id === crashedId ? message : "stopped" };
      p.resolve(id === crashedId ? { ok: false, crashed: true, error } : { ok: false, stopped: true, error });
    }
    this._emit("idle", {});
    this._spawn();
  }
}

