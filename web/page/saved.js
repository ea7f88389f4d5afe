// What a reload would lose that the address does not carry: where the learner is in
// the passes and the nudge history with its plot. (The program, its leaf values after
// nudges and edits, the frozen leaves and the open views are in the address.) Kept in
// sessionStorage: it survives a reload of this tab, and a link opened in another tab
// starts afresh. Read back only for the same program text, and checked field by field,
// so an old or tampered entry is ignored rather than trusted.

import { readStored, writeStored } from "../graph/stored.js";

const KEY = "gradstep:session";
const MAX_PROGRAM = 1_000_000; // characters: bigger programs are not kept (storage is ~5 MB)
const MAX_NUDGES = 1000; // the plot shows the latest; older ones are dropped

const NUMBER_FIELDS = ["before", "after", "predicted", "actual", "rate"];

/** A nudge record as the stepper makes it, or null when `n` is not one. */
function nudgeOf(n) {
  if (n == null || typeof n !== "object") return null;
  const out = {};
  for (const k of NUMBER_FIELDS) {
    if (typeof n[k] !== "number") return null; // (NaN and ±inf survive JSON as null: dropped)
    out[k] = n[k];
  }
  if (n.direction !== "descend" && n.direction !== "ascend") return null;
  out.direction = n.direction;
  out.moved = Number.isInteger(n.moved) && n.moved >= 0 ? n.moved : 0;
  return out;
}

/**
 * The saved session for `program`, or null: {position, nudges}. `steps` is the number
 * of positions there are (forward + backward): a position past it is not restored.
 */
export function readSession(storage, program, steps) {
  const saved = readStored(storage, KEY);
  if (!saved || saved.program !== program) return null;
  const position = Number.isInteger(saved.position) && saved.position >= 0 && saved.position <= steps ? saved.position : 0;
  const nudges = Array.isArray(saved.nudges) ? saved.nudges.slice(-MAX_NUDGES).map(nudgeOf).filter(Boolean) : [];
  if (position === 0 && nudges.length === 0) return null;
  return { position, nudges };
}

/** Keep where the learner is on `program`: its position and nudges (the stepper's state). */
export function writeSession(storage, program, state) {
  // (storage off or full: a reload starts at the beginning, as before)
  if (program.length > MAX_PROGRAM) writeStored(storage, KEY, null);
  else writeStored(storage, KEY, { program, position: state.position, nudges: (state.nudges || []).slice(-MAX_NUDGES) });
}
