// What the lab and practice keep across a reload, in the page's own storage
// (localStorage; the link already carries the program, "&lab" and "&practice=").
//
//   "gradstep.lab.v1":      {h: "1e-6", leaves: {<program key>: "b", ...}}  (the h typed,
//                           and the leaf chosen for each program, the last 20 kept)
//   "gradstep.practice.v1": {program: <program key>, mode, position, asked, correct, wrong}
//   "gradstep.yours.v1":    {<program key>: {<leaf label>: {attempts: [{text, ok}], hints, answer}}}
//                           (your derivative: what was tried for each leaf, the hints seen and
//                           whether the answer was shown; the last 20 programs, 20 attempts each)
//
// A program's key is a hash of its text. What is read back is checked field by field
// (stored by an older page, edited by hand, or cut short): anything odd is dropped and
// the default used. Storage that is off or full changes nothing.

import { localStore as storage, readStored, writeStored } from "../graph/stored.js";

export const LAB_KEY = "gradstep.lab.v1";
export const PRACTICE_KEY = "gradstep.practice.v1";
export const YOURS_KEY = "gradstep.yours.v1";
const YOURS_PROGRAMS = 20;
const YOURS_ATTEMPTS = 20;
const YOURS_TEXT = 2000; // (an attempt longer than this is not kept: the input still has it)
const LEAVES_KEPT = 20;

/** A short, stable key for a program's text (FNV-1a, 32 bits, and the length). */
export function programKey(text) {
  let h = 0x811c9dc5;
  const s = String(text);
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${h.toString(36)}.${s.length}`;
}

/** A program's key with its numbers masked: a nudge or an edited value keeps it (the lab's leaf, your derivative). */
export const shapeKey = (program) => programKey(String(program).replace(/\d+(\.\d*)?(e[-+]?\d+)?/gi, "#"));

/** The lab's stored state, checked: {h: string|null, leaves: {key: label}}. */
export function readLab(store = storage()) {
  const v = readStored(store, LAB_KEY) || {};
  const h = typeof v.h === "string" && v.h.length <= 32 ? v.h : null;
  const leaves = {};
  if (v.leaves && typeof v.leaves === "object" && !Array.isArray(v.leaves)) {
    for (const [k, label] of Object.entries(v.leaves).slice(-LEAVES_KEPT)) {
      if (typeof label === "string" && label.length <= 200) leaves[k] = label;
    }
  }
  return { h, leaves };
}

/** Keep h (a valid one: the caller checks) and/or the leaf chosen for a program. */
export function writeLab({ h, program, leaf }, store = storage()) {
  const v = readLab(store);
  if (h != null) v.h = String(h);
  if (program != null && leaf != null) {
    delete v.leaves[program]; // (re-added last: the newest are kept)
    v.leaves[program] = leaf;
    const keys = Object.keys(v.leaves);
    for (const k of keys.slice(0, Math.max(0, keys.length - LEAVES_KEPT))) delete v.leaves[k];
  }
  writeStored(store, LAB_KEY, v);
}

const count = (n) => Number.isInteger(n) && n >= 0 && n <= 1e6;

/** Practice's stored progress, checked, or null. */
export function readPractice(store = storage()) {
  const v = readStored(store, PRACTICE_KEY);
  if (!v || typeof v.program !== "string" || !["forward", "backward"].includes(v.mode)) return null;
  if (![v.position, v.asked, v.correct].every(count) || v.correct > v.asked) return null;
  return { program: v.program, mode: v.mode, position: v.position, asked: v.asked, correct: v.correct, wrong: v.wrong === true };
}

/** Keep practice's progress (null forgets it). */
export function writePractice(progress, store = storage()) {
  writeStored(store, PRACTICE_KEY, progress);
}

/** One leaf's record, checked: {attempts: [{text, ok}], hints: 0-2, answer: bool}. */
function yoursLeaf(v) {
  const attempts = Array.isArray(v?.attempts)
    ? v.attempts.filter((a) => a && typeof a.text === "string" && a.text.length <= YOURS_TEXT && typeof a.ok === "boolean")
      .slice(-YOURS_ATTEMPTS).map((a) => ({ text: a.text, ok: a.ok }))
    : [];
  const hints = Number.isInteger(v?.hints) && v.hints >= 0 && v.hints <= 2 ? v.hints : 0;
  return { attempts, hints, answer: v?.answer === true };
}

/** Your derivative's records for a program: {label: {attempts, hints, answer}}, checked. */
export function readYours(program, store = storage()) {
  const all = readStored(store, YOURS_KEY);
  const v = all && typeof all === "object" && !Array.isArray(all) ? all[program] : null;
  const out = {};
  if (v && typeof v === "object" && !Array.isArray(v)) {
    for (const [label, rec] of Object.entries(v)) if (label.length <= 200) out[label] = yoursLeaf(rec);
  }
  return out;
}

/** Keep one leaf's record for a program (the newest programs are kept). */
export function writeYours(program, label, record, store = storage()) {
  let all = readStored(store, YOURS_KEY);
  if (!all || typeof all !== "object" || Array.isArray(all)) all = {};
  const mine = all[program] && typeof all[program] === "object" ? all[program] : {};
  delete all[program]; // (re-added last: the newest are kept)
  mine[label] = yoursLeaf(record);
  all[program] = mine;
  const keys = Object.keys(all);
  for (const k of keys.slice(0, Math.max(0, keys.length - YOURS_PROGRAMS))) delete all[k];
  writeStored(store, YOURS_KEY, all);
}
