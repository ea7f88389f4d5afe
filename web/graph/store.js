// The page's state in one place (no DOM here). The controller (app.js) changes it;
// the panels and the graph view subscribe and draw what they show.
//
// What the store holds (docs/page.md has the snapshot tests read):
//   scene     {program, layout, timeline, state} of the graph on screen, or null
//   model     the layout's geometry (geometry.buildModel), made when the layout changes
//   ix        lookups over the timeline (scene.indexTimeline), made when it changes
//   labelOf   tape index -> the label drawn for it
//   engine    "starting" | "ready" | "failed": the Python worker
//   mode      "local" (the worker does not hold the program on screen: before Python
//             is up, after Stop) | "engine" (it does)
//   busy      null, or {what, since} while the worker runs a call
//   note      what the last step did when not what its name says ("" for none)
//   error     null, or {kind: "program" | "action", error: {line, col, message}, action}
//   frames    frame index -> frame, for the current timeline (fetched on demand; the
//             frames of the last few timelines of the scene are kept, so an undo back
//             to earlier values has its formulas at once)
//   examples  the worked examples [{id, title, program, about}]
//
// subscribe(fn) calls fn(state, changed) after every change, `changed` being the Set
// of keys that changed ("scene" when a new layout came, "timeline", "state", ...).

import { buildModel } from "./geometry.js";
import { indexTimeline, makeLabelOf } from "./scene.js";

const FRAMES_KEPT = 16; // timelines whose fetched frames are kept

export class Store {
  constructor() {
    this.s = {
      scene: null, model: null, ix: null, labelOf: (i) => "n" + i,
      engine: "starting", mode: "local", busy: null, note: "", error: null,
      frames: new Map(), examples: [],
    };
    this.subs = new Set();
    this.framesOf = new Map(); // timeline version -> its frames fetched (this scene's, the latest last)
  }

  get state() {
    return this.s;
  }

  subscribe(fn) {
    this.subs.add(fn);
    return () => this.subs.delete(fn);
  }

  /** Set plain fields and tell the subscribers. */
  set(patch) {
    const changed = new Set(Object.keys(patch));
    Object.assign(this.s, patch);
    this._emit(changed);
  }

  _emit(changed) {
    for (const fn of this.subs) fn(this.s, changed);
  }

  /**
   * A scene to show. Keeps the drawn layout (and the view) when the program and its
   * node count are the same; then only the timeline and the state change. `model`:
   * its layout's geometry when already built (geometry.buildModelAsync, for big graphs);
   * `ix`: the timeline's lookups (scene.indexTimeline) when already made.
   */
  setScene(scene, model = null, ix = null) {
    const old = this.s.scene;
    if (!scene.layout) scene.layout = old.layout; // the engine's copy of the program on screen
    const sameLayout = old != null && old.program === scene.program &&
      old.layout.nodes.length === scene.layout.nodes.length;
    const changed = new Set(["timeline", "state"]);
    if (!sameLayout) {
      this.s.model = model ?? buildModel(scene.layout);
      changed.add("scene");
    }
    this.s.scene = scene;
    this.framesOf.clear(); // (versions start again with each scene)
    this._index(scene.timeline, ix);
    this._emit(changed);
  }

  /** A reply from a step: a new state, maybe a new timeline, a program text, a note. */
  applyReply(reply) {
    const scene = this.s.scene;
    const changed = new Set(["state", "note"]);
    if (reply.timeline) {
      // An engine's reply carries what new values change (values, gradients, local
      // derivatives); the orders, inputs and names stay the tape's.
      const { frames: _old, ...structure } = scene.timeline;
      scene.timeline = { ...structure, ...reply.timeline };
      this._index(scene.timeline);
      changed.add("timeline");
    }
    if (reply.program != null) {
      scene.program = reply.program;
      changed.add("program");
    }
    scene.state = reply.state;
    this.s.note = reply.note || "";
    this._emit(changed);
  }

  _index(tl, ix = null) {
    this.s.ix = ix ?? indexTimeline(tl);
    this.s.labelOf = makeLabelOf(this.s.scene.layout, this.s.ix);
    // Frames of a prebuilt scene come with it; the worker's are fetched on demand.
    const kept = this.framesOf.get(tl.version);
    this.s.frames = kept ?? new Map((tl.frames || []).map((f, k) => [k, f]));
    this.framesOf.delete(tl.version);
    this.framesOf.set(tl.version, this.s.frames);
    while (this.framesOf.size > FRAMES_KEPT) this.framesOf.delete(this.framesOf.keys().next().value);
  }

  /** Frames fetched for the timeline of this version. */
  addFrames(version, start, frames) {
    if (!this.s.scene || this.s.scene.timeline.version !== version) return;
    frames.forEach((f, k) => this.s.frames.set(start + k, f));
    this._emit(new Set(["frames"]));
  }
}

/**
 * What tests and the console read (docs/page.md): plain data, a copy.
 * `view` is the graph's transform {k, x, y}; `ready` is body[data-ready].
 */
export function snapshot(store, { view = null, ready = false } = {}) {
  const s = store.state;
  const sc = s.scene;
  const tl = sc ? { ...sc.timeline } : null;
  if (tl) delete tl.frames;
  return JSON.parse(JSON.stringify({
    ready,
    engine: s.engine,
    mode: s.mode,
    busy: s.busy ? s.busy.what : null,
    program: sc ? sc.program : null,
    layout: sc ? sc.layout : null,
    timeline: tl,
    state: sc ? sc.state : null,
    note: s.note,
    error: s.error,
    examples: s.examples,
    view: view ? { ...view } : null,
  }));
}
