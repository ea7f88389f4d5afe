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
// a long array of the reply, then the reply itself with those arrays empty. Each part is
// parsed as it comes, in a task of its own, so the page keeps drawing frames while a
// graph of 60,000 nodes arrives (one JSON.parse of it blocked the page for 150-300 ms).

import { joinParts } from "./reply-parts.js";

export class WorkerBridge extends EventTarget {
  constructor(url = new URL("./engine-worker.js", import.meta.url)) {
    super();
    this.url = url;
    this.ready = false;
    this.pending = new Map(); // id -> {resolve, method}
    this.parts = new Map(); // id -> [[path, items], ...]: the parts of a big reply that came
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
      this._crashed(m);
    } else if (m.type === "part") {
      const parts = this.parts.get(m.id) ?? [];
      parts.push([m.path, JSON.parse(m.json)]);
      this.parts.set(m.id, parts);
    } else if (m.type === "progress") {
      if (this.busy && this.busy.id === m.id) {
        this.busy.what = m.what;
        this._emit("busy", { ...this.busy });
      }
    } else if (m.type === "reply") {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      const parts = this.parts.get(m.id);
      this.parts.delete(m.id);
      if (p) this.last[p.method] = { ms: performance.now() - p.sent, bytes: m.json.length, parts: parts?.length ?? 0 };
      let reply;
      try {
        reply = JSON.parse(m.json);
        if (parts) joinParts(reply, parts);
      } catch (err) {
        reply = { ok: false, error: { line: null, col: null, message: "the engine sent a reply the page cannot read: " + err.message } };
      }
      this._next();
      p?.resolve(reply);
    }
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
    this.busy = null;
    for (const [id, p] of pending) {
      const error = { line: null, col: null, message: id === crashedId ? message : "stopped" };
      p.resolve(id === crashedId ? { ok: false, crashed: true, error } : { ok: false, stopped: true, error });
    }
    this._emit("idle", {});
    this._spawn();
  }
}

