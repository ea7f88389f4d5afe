// The page's stepper (no DOM here): where in the timeline the page is, the undo
// history, and what each action did, on the main thread, with or without Python. It
// is the only one: the page's worker (web/worker/worker.py) keeps no position and no
// history. Moves (forward/backward steps, the -all jumps, seek, reset, undo) and
// freezing a leaf are decided here at once: stepping is a position over a timeline
// that already holds every value and gradient. A nudge or a leaf edit computes the new
// leaf values here and needs Python only for the timeline of those values: `act`
// then answers `{need: {version, leaves}, finish(reply)}`; the caller asks the worker
// (or the notebook's kernel) and hands its reply to `finish`.
//
// The rules and the notes' wording are the engine's (gradstep.program.session.Session:
// _move, _forward_step, _nudge, _note, ...); tests/program/test_stepper_parity.py runs
// random action sequences through both, so they cannot drift. A move that changes
// nothing pushes nothing, so an undo after it undoes the same thing in both.

export const MOVES = new Set([
  "forward_step", "forward_all", "backward_step", "backward_all", "seek", "reset", "undo",
]);
/** Actions decided here alone (no Python): the moves and freezing a leaf. */
export const LOCAL = new Set([...MOVES, "toggle_freeze"]);
// (in Session.ACTIONS' order: the message for an unknown one is the engine's)
export const ACTIONS = new Set(["forward_step", "forward_all", "backward_step", "backward_all", "undo", "reset",
  "nudge", "seek", "set_leaf", "toggle_freeze"]);
export const DIRECTIONS = ["descend", "ascend"];
export const HISTORY_LIMIT = 10_000;

/** A refused action: a message, at a place in the program when it has one (a leaf's). */
export class StepError extends Error {
  constructor(message, line = null, col = null) {
    super(message);
    this.line = line;
    this.col = col;
  }

  toJSON() {
    return { line: this.line, col: this.col, message: this.message };
  }
}

/** A float from its Python repr ("inf", "-inf" and "nan" included). */
export function pyFloat(s) {
  if (typeof s === "number") return s;
  if (s === "inf") return Infinity;
  if (s === "-inf") return -Infinity;
  if (s === "nan") return NaN;
  return Number(s);
}

/** A float as Python's repr writes it (the shortest digits that read back exactly). */
export function pyRepr(x) {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, exp] = Math.abs(x).toExponential().split("e"); // shortest round-trip digits
  const digits = mant.replace(".", "");
  const point = Number(exp) + 1; // digits d1 d2 ... times 10 ** (point - len)
  const sign = x < 0 ? "-" : "";
  if (point > 16 || point < -3) {
    const e = point - 1;
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** The phase at a position (gradstep/program/session.py phase_of). */
export function phaseOf(position, forward, backward, ran = false) {
  if (position === 0) return ran && forward === 0 ? "forward-done" : "start";
  if (position < forward) return "forward";
  if (position === forward) return "forward-done";
  if (position < forward + backward) return "backward";
  return "backward-done";
}

const FORWARD_DONE_NOTES = {
  "forward-done": "The forward pass is already done, so nothing changed: step backward next.",
  "backward": "The forward pass is already done and the backward pass is under way, so nothing changed: " +
    "step backward to go on.",
  "backward-done": "Both passes are already done, so nothing changed: nudge to use the gradients, or Reset " +
    "to step through again.",
};

export class Stepper {
  /**
   * @param {{timeline, state, program, leaf_info?}} scene where to start (a prebuilt or
   *   an engine scene). `leaf_info` ([{label, line, col}] in the order of
   *   `timeline.leaves`, from the worker's `load`) names the leaves in notes and places
   *   their errors; without it the drawn labels and no place are used.
   */
  constructor(scene) {
    this.tl = scene.timeline;
    this.program = scene.program; // the program text with the leaf values of `tl`
    this.st = { ...scene.state };
    this.ran = scene.state.phase !== "start";
    this.history = []; // earlier {tl, st, ran, program}
    this.st.can_undo = false;
    this.leafInfo = scene.leaf_info ?? null;
    this.versions = scene.timeline.version ?? scene.state.timeline_version ?? 1; // the latest made
    this.note = null; // what the last action did, when not what its name says
  }

  get F() {
    return this.tl.forward.length;
  }

  get B() {
    return this.tl.backward.length;
  }

  get phase() {
    return phaseOf(this.st.position, this.F, this.B, this.ran);
  }

  /** The leaf values of a timeline, as Python reprs, in the order of `leaves`. */
  static leafValues(tl) {
    return tl.leaves.map((i) => tl.values[i]);
  }

  _label(i) {
    const k = this.tl.leaves.indexOf(i);
    return this.leafInfo?.[k]?.label ?? this.tl.labels?.[i] ?? Object.keys(this.tl.names || {}).find((n) => this.tl.names[n] === i) ?? `n${i}`;
  }

  _place(i) {
    const info = this.leafInfo?.[this.tl.leaves.indexOf(i)];
    return info ? [info.line, info.col] : [null, null];
  }

  _at(position, ran) {
    const { F, B, tl } = this;
    let current = null;
    if (position > 0) current = position <= F ? tl.forward[position - 1] : tl.backward[position - F - 1];
    return { ...this.st, position, phase: phaseOf(position, F, B, ran), current };
  }

  /** Where a move goes: [position, ran], or null when it changes nothing. */
  _target(name, args) {
    const { F, B } = this;
    const p = this.st.position;
    const clamp = (q) => Math.max(0, Math.min(q, F + B));
    let q;
    switch (name) {
      case "forward_step":
        if (F === 0 && !this.ran) return [0, true];
        if (p >= F) return null;
        q = p + 1;
        break;
      case "forward_all":
        if (F === 0 && !this.ran) return [0, true];
        q = Math.max(p, F);
        break;
      case "backward_step":
        q = clamp(Math.max(p, F) + 1);
        break;
      case "backward_all":
        q = F + B;
        break;
      case "seek":
        q = clamp(Math.trunc(Number(args.position)) || 0);
        break;
      case "reset": // back to the start; the leaf values and the nudges stay
        // (after an edit at the start the state still names the edited leaf: a change)
        return p === 0 && !this.ran && this.st.current == null ? null : [0, false];
      default:
        throw new StepError(`${name} is not a move`);
    }
    if (q === p) return null;
    return [q, q > 0];
  }

  /** What to tell the learner about `name` done now, when it is not simply what its name says (Session._note). */
  _note(name) {
    const phase = this.phase;
    const left = this.F - this.st.position;
    if ((name === "forward_step" || name === "forward_all") && phase in FORWARD_DONE_NOTES) {
      return FORWARD_DONE_NOTES[phase];
    }
    if (name === "backward_step" || name === "backward_all") {
      if (phase === "backward-done") {
        return "The backward pass is already done, so nothing changed: every gradient is shown. " +
          "Nudge to use them, or Reset to step through again.";
      }
      if (left > 0) {
        const steps = `${left} remaining forward step${left > 1 ? "s" : ""}`;
        const then = name === "backward_step" ? "the first backward step" : "the whole backward pass";
        return `The forward pass was not finished, so this first ran its ${steps}, then ${then}.`;
      }
    }
    if (name === "nudge" && phase !== "backward-done") {
      return "The gradients were not all shown yet: the nudge used the ones the full backward pass computes.";
    }
    if (name === "undo" && this.history.length === 0) return "Nothing to undo.";
    return null;
  }

  /**
   * Do an action. Moves and toggle_freeze answer `{state, note, timeline?, program?}`
   * (`timeline` and `program` when an undo brought other values back); so do a nudge
   * or an edit that needs no new values. A nudge or an edit that does answers
   * `{need: {version, leaves}, finish(reply)}`: `reply` is the worker's `timeline`
   * reply ({timeline: {version, values, grads, slopes}, program}) for those leaf
   * values, and `finish` answers as above. Throws StepError for what is refused.
   */
  act(name, args = {}) {
    if (!ACTIONS.has(name)) {
      throw new StepError(`unknown action '${name}'; one of ${[...ACTIONS].join(", ")}`);
    }
    const before = this._saved();
    let note = this._note(name);
    let next = null; // the new {tl, st, ran, program}, or null for no change
    if (name === "undo") {
      const last = this.history.pop();
      if (last) this._restore(last);
      return this._reply(before, note);
    }
    if (name === "toggle_freeze") {
      const node = this._leaf(args.node);
      const frozen = new Set(this.st.frozen || []);
      if (frozen.has(node)) frozen.delete(node);
      else frozen.add(node);
      next = { ...before, st: { ...this.st, frozen: [...frozen].sort((a, b) => a - b) } };
    } else if (name === "set_leaf") {
      return this._setLeaf(args, before);
    } else if (name === "nudge") {
      return this._nudge(args, before, note);
    } else {
      const to = this._target(name, args);
      if (to) next = { ...before, st: this._at(to[0], to[1]), ran: to[1] };
      else if (name === "reset") note = "Already at the start: nothing to reset.";
    }
    if (next) this._push(before, next);
    return this._reply(before, note);
  }

  /** Do a move (or toggle_freeze); returns the new state (`this.note` says what it did). */
  move(name, args = {}) {
    return this.act(name, args).state;
  }

  _leaf(node) {
    const i = Math.trunc(Number(node));
    if (!this.tl.leaves.includes(i)) throw new StepError(`node ${node} is not a named leaf`);
    return i;
  }

  _setLeaf(args, before) {
    const node = this._leaf(args.node);
    const value = pyFloat(args.value);
    if (value - value !== 0) throw new StepError(`${pyRepr(value)} is not a finite number`, ...this._place(node));
    const old = pyFloat(this.tl.values[node]);
    if (Object.is(value, old)) { // the same float, sign of zero included: nothing to recompute
      return this._reply(before, `${this._label(node)} already has the value ${this.tl.values[node]}: nothing changed.`);
    }
    const leaves = this.tl.leaves.map((i) => (i === node ? pyRepr(value) : this.tl.values[i]));
    return this._needs(before, leaves, null, () => ({ ...this.st, current: node }), this.ran);
  }

  _nudge(args, before, note) {
    const direction = args.direction ?? "descend";
    if (!DIRECTIONS.includes(direction)) {
      throw new StepError(`direction must be one of ('descend', 'ascend'), not '${direction}'`);
    }
    const rate = Number(args.rate ?? 0.01);
    if (!(rate > 0) || rate - rate !== 0) throw new StepError(`the rate must be a positive number, not ${pyRepr(rate)}`);
    const t = this.tl;
    const frozen = new Set(this.st.frozen || []);
    const sign = direction === "ascend" ? 1.0 : -1.0;
    let predicted = 0.0;
    let moved = 0;
    let same = true; // every leaf keeps its float (sign of zero included): no new values
    let equal = true; // every leaf keeps its value (==): the nudge moved nothing
    const leaves = t.leaves.map((i) => {
      if (frozen.has(i)) return t.values[i];
      const g = pyFloat(t.grads[i]);
      const was = pyFloat(t.values[i]);
      const v = was + sign * rate * g;
      if (v - v !== 0) {
        throw new StepError(`the nudge would move ${this._label(i)} past the largest float64 (about 1.8e308): ` +
          "use a smaller rate", ...this._place(i));
      }
      predicted += sign * rate * g * g;
      moved += 1;
      same &&= Object.is(v, was);
      equal &&= v === was;
      return pyRepr(v);
    });
    if (equal) {
      note = "The nudge moved nothing: " + (moved === 0 ? "every leaf is frozen. Unfreeze one first."
        : "every unfrozen leaf's gradient is 0.");
    }
    const output = (tl) => pyFloat(tl.values[tl.output]);
    const record = (tl) => {
      const b = output(t);
      const a = output(tl);
      return { before: b, after: a, predicted, actual: a - b, rate, direction, moved };
    };
    const state = (tl) => ({ ...this._at(this.F, true), nudges: [...(this.st.nudges || []), record(tl)], current: null });
    if (same) { // nothing to ask Python: the same values under a new version
      const version = this.versions + 1;
      const { frames, ...rest } = t;
      const tl = { ...rest, version, ...(frames ? { frames } : {}) };
      this.versions = version;
      this._push(before, { tl, st: { ...state(tl), timeline_version: version }, ran: true, program: this.program });
      return this._reply(before, note);
    }
    return this._needs(before, leaves, note, state, true);
  }

  /** An action that needs the timeline of new leaf values: what to ask, and how to finish. */
  _needs(before, leaves, note, state, ran) {
    const version = this.versions + 1;
    return {
      need: { version, leaves },
      finish: (reply) => {
        if (this.st !== before.st || this.tl !== before.tl) throw new Error("the stepper moved while Python worked");
        // (the version asked for; a notebook kernel numbers them itself)
        const { frames: _f, ...structure } = this.tl;
        const tl = { ...structure, ...reply.timeline };
        tl.version ??= version;
        this.versions = Math.max(this.versions, tl.version);
        const st = { ...state(tl), timeline_version: tl.version, output: pyFloat(tl.values[tl.output]) };
        const program = reply.program ?? this.program;
        this._push(before, { tl, st, ran, program });
        return this._reply(before, note);
      },
    };
  }

  _push(before, next) {
    this.history.push(before);
    if (this.history.length > HISTORY_LIMIT) this.history.splice(0, this.history.length - HISTORY_LIMIT);
    this._restore(next);
  }

  _restore(s) {
    ({ tl: this.tl, st: this.st, ran: this.ran, program: this.program } = s);
  }

  _reply(before, note) {
    this.note = note || null;
    const reply = { state: this.state(), note: this.note };
    if (this.tl !== before.tl) reply.timeline = this.tl;
    if (this.program !== before.program) reply.program = this.program;
    return reply;
  }

  /**
   * What another stepper did (the notebook kernel's Session, for w.act(...) called
   * from Python): its reply's state and timeline become ours, the state before it
   * going on the history when it changed anything (as the engine's does).
   */
  record(reply) {
    const before = this._saved();
    const { can_undo: _a, ...a } = this.st;
    const { can_undo: _b, ...b } = reply.state;
    if (reply.timeline || JSON.stringify(a) !== JSON.stringify(b)) this.history.push(before);
    if (reply.timeline) {
      // The reply carries what new values change; the orders and inputs stay the tape's.
      const { frames: _f, ...structure } = this.tl;
      this.tl = { ...structure, ...reply.timeline };
      this.versions = Math.max(this.versions, this.tl.version ?? 0);
    }
    if (reply.program != null) this.program = reply.program;
    this.st = { ...reply.state };
    this.ran = reply.state.phase !== "start";
    this.note = reply.note || null;
    return this.state();
  }

  _saved() {
    return { tl: this.tl, st: this.st, ran: this.ran, program: this.program };
  }

  state() {
    return { ...this.st, can_undo: this.history.length > 0 };
  }
}
