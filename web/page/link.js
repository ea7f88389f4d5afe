// The share link's format (contract section 3), the page's side: the address's hash read and
// written. The Python side is engine/gradstep/program/link.py (share_link, the notebook widget);
// tests/program/test_link.py runs both on the same cases, so the two cannot drift.

import { PAGE, TABLE } from "../training/settings.js";

/**
 * The address's hash: "#program=" + encodeURIComponent(text) (the contract's share
 * link), then "&"-separated extras: "frozen=" + the frozen leaves' labels, each
 * encodeURIComponent'ed, joined by ","; "practice=forward" or "practice=backward";
 * "lab" when the gradient lab is open; "challenge=" + the labels of the leaves whose derivative
 * the lab asks for (a teacher's challenge, written like frozen; it opens the lab); "train" when the training view is, with its
 * settings (contract section 5: "dataset=moons&layers=16,16&seed=0&lr=0.1&batch=100",
 * and "activation=relu"). Unknown parts are ignored.
 *
 * "#python=" + encodeURIComponent(code) instead of "#program=" is Python mode's code (contract
 * section 3: opened in the editor, never run until the learner says so).
 *
 * Returns {program, python, frozen, practice, lab, challenge, train, error}: program (python) is
 * null when the hash has none; train is null or {dataset, layers, ...} (the settings it names);
 * error says why a program part could not be read (broken %-encoding).
 */
/** What a link carries of the training: its settings, in the table's order, then where it is (step, points),
 * and the learner's own data (CSV text, the command line's --data file's contents) when there is any. */
export const TRAIN_KEYS = [...PAGE.map((s) => s.name), ...TABLE.link_state, "data"];

export function parseHash(hash) {
  const out = { program: null, python: null, frozen: [], practice: null, lab: false, challenge: [], train: null, error: null };
  const train = {};
  const h = (hash || "").replace(/^#/, "");
  if (!h) return out;
  for (const part of h.split("&")) {
    const eq = part.indexOf("=");
    const key = eq < 0 ? part : part.slice(0, eq);
    const raw = eq < 0 ? "" : part.slice(eq + 1);
    if (key === "python") {
      try {
        out.python = decodeURIComponent(raw);
      } catch {
        out.error = "its Python code is not readable (the link's %-encoding is broken, perhaps cut off when it was copied)";
      }
    } else if (key === "program") {
      try {
        out.program = decodeURIComponent(raw);
      } catch {
        out.error = "its program is not readable (the link's %-encoding is broken, perhaps cut off when it was copied)";
      }
    } else if (key === "practice" && (raw === "forward" || raw === "backward")) {
      out.practice = raw;
    } else if (key === "lab") {
      out.lab = true;
    } else if (key === "train") {
      out.train = train;
    } else if (TRAIN_KEYS.includes(key)) {
      try {
        train[key] = decodeURIComponent(raw);
      } catch {
        // (an unreadable setting: its default, and the training view says so)
        (train.unreadable ??= []).push(key);
      }
    } else if ((key === "frozen" || key === "challenge") && raw) {
      try {
        out[key] = raw.split(",").map(decodeURIComponent).filter(Boolean);
      } catch {
        out[key] = [];
      }
    }
  }
  return out;
}

/** The program in a hash, or null (none, or unreadable). */
export function programFromHash(hash) {
  return parseHash(hash).program;
}

/** The hash for a program, its frozen leaves' labels and the views open (parseHash's inverse). */
export function hashForProgram(text, frozen = [], { practice = null, lab = false, train = null, challenge = [], mode = "program" } = {}) {
  // (Python mode's code: #python=, which the page never runs by itself; frozen leaves are the program's)
  let h = (mode === "python" ? "#python=" : "#program=") + encodeURIComponent(text);
  if (frozen.length && mode !== "python") h += "&frozen=" + frozen.map(encodeURIComponent).join(",");
  if (practice === "forward" || practice === "backward") h += "&practice=" + practice;
  if (lab) h += "&lab";
  if (challenge?.length) h += "&challenge=" + challenge.map(encodeURIComponent).join(",");
  if (train) {
    h += "&train";
    // (commas stay as they are: "layers=16,16" reads as the contract writes it)
    for (const k of TRAIN_KEYS) if (train[k] != null) h += `&${k}=${encodeURIComponent(train[k]).replace(/%2C/g, ",")}`;
  }
  return h;
}
