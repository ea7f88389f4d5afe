// The page's own stepper (no DOM here): where in the timeline the page is, and the
// undo history. Moves (forward/backward steps, the -all jumps, seek, reset, undo) are
// computed here at once, on the main thread, with or without Python: stepping is a
// position over a timeline that already holds every value and gradient. The engine
// (engine/session.py) is told every action in the same order, so its position and
// history stay the same as these; what changes values (a nudge, a leaf edit,
// freezing) is computed there and recorded here with `record`.
//
// The rules are the engine's (Session._move, _forward_step, ...): a move that changes
// nothing pushes nothing, so an undo after it undoes the same thing in both.

export const MOVES = new Set([
  "forward_step", "forward_all", "backward_step", "backward_all", "seek", "reset", "undo",
]);

/** The phase at a position (engine/session.py phase_of). */
export function phaseOf(position, forward, backward, ran = false) {
  if (position === 0) return ran && forward === 0 ? "forward-done" : "start";
  if (position < forward) return "forward";
  if (position === forward) return "forward-done";
  if (position < forward + backward) return "backward";
  return "backward-done";
}

export class Stepper {
  /** @param {{timeline, state}} scene where to start (a prebuilt or an engine scene) */
  constructor(scene) {
    this.tl = scene.timeline;
    this.program = scene.program; // the program text with the leaf values of `tl`
    this.st = { ...scene.state };
    this.ran = scene.state.phase !== "start";
    this.history = []; // earlier {tl, st, ran, program}
    this.st.can_undo = false;
  }

  get F() {
    return this.tl.forward.length;
  }

  get B() {
    return this.tl.backward.length;
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
        q = clamp(Number(args.position) | 0);
        break;
      case "reset": // back to the start; the leaf values and the nudges stay
        // (after an edit at the start the state still names the edited leaf: a change)
        return p === 0 && !this.ran && this.st.current == null ? null : [0, false];
      default:
        throw new Error(`${name} is not a move`);
    }
    if (q === p) return null;
    return [q, q > 0];
  }

  /** Do a move; returns the new state. */
  move(name, args = {}) {
    if (name === "undo") {
      const last = this.history.pop();
      if (last) ({ tl: this.tl, st: this.st, ran: this.ran, program: this.program } = last);
      return this.state();
    }
    const to = this._target(name, args);
    if (to) {
      this.history.push(this._saved());
      this.st = this._at(to[0], to[1]);
      this.ran = to[1];
    }
    return this.state();
  }

  /**
   * An action the engine did (a nudge, a leaf edit, freezing): its reply's state and
   * timeline become ours, the state before it going on the history when it changed
   * anything (as the engine's does).
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
    }
    if (reply.program != null) this.program = reply.program;
    this.st = { ...reply.state };
    this.ran = reply.state.phase !== "start";
    return this.state();
  }

  _saved() {
    return { tl: this.tl, st: this.st, ran: this.ran, program: this.program };
  }

  state() {
    return { ...this.st, can_undo: this.history.length > 0 };
  }

  /**
   * Positions to seek to, in order, so that an engine that starts at position 0 ends
   * where this is with the same undo history (while no values changed: a prebuilt
   * timeline before Python is up).
   */
  replay() {
    return [...this.history.map((h) => h.st.position), this.st.position];
  }
}
