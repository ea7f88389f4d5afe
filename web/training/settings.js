// The training settings as the page reads them: the one table in Python
// (engine/gradstep/training/settings.py), written by set-up to web/build/train-settings.js.
// Defaults, choices, limits and the words that name them come from there; this only
// checks a form's strings against them, with the same messages the worker gives
// (tests/training/test_settings.py runs both on the same inputs).

import { TABLE } from "../build/train-settings.js";

export { TABLE };
/** The page's settings, in the table's order. */
export const PAGE = TABLE.settings.filter((s) => s.page);
export const BY_NAME = new Map(TABLE.settings.map((s) => [s.name, s]));
/** name -> default, as the form and the link show it ("1.0", "16,16"). */
export const DEFAULTS = Object.fromEntries(PAGE.map((s) => [s.name, s.default_text]));

/**
 * Settings from the address's parts (strings), with the defaults for what is missing or not a
 * choice; and where the training was (`step`, `points`), when the address says.
 */
export function trainSettings(parts = {}) {
  const out = { ...DEFAULTS };
  for (const s of PAGE) {
    const v = parts[s.name];
    if (v == null || v === "") continue;
    if (s.kind === "choice" && !s.choices.includes(String(v))) continue;
    out[s.name] = String(v);
  }
  for (const k of TABLE.link_state) if (parts[k] != null && parts[k] !== "") out[k] = String(parts[k]);
  return out;
}

/**
 * The learner's edits of the data, for the link: in order, a point added ("x,y,class") or
 * the point at an index removed ("r17"), joined by ";". The dataset is seeded, so its points
 * need not travel; only what the learner did to them.
 */
export function encodeEdits(edits) {
  return edits.map((e) => (typeof e === "number" ? `r${e}` : `${e[0]},${e[1]},${e[2]}`)).join(";");
}

/** The edits of a link, or null when they cannot be read (the dataset's own points are used then). */
export function decodeEdits(text) {
  const out = [];
  for (const part of String(text).split(";")) {
    if (/^r\d+$/.test(part)) {
      out.push(Number(part.slice(1)));
      continue;
    }
    const [x, y, c, extra] = part.split(",").map(Number);
    if (extra !== undefined || ![x, y].every(Number.isFinite) || !Number.isInteger(c) || c < 0 || c > 2) return null;
    out.push([x, y, c]);
  }
  return out.length ? out : null;
}

/** Points [[x, y, class], ...] after the edits, or null when an edit does not fit (an index past the end). */
export function applyEdits(points, edits) {
  const out = points.map((p) => [...p]);
  for (const e of edits) {
    if (typeof e !== "number") out.push([...e]);
    else if (e < out.length) out.splice(e, 1);
    else return null;
  }
  return out;
}

const WHOLE = /^[+-]?\d(?:_?\d)*$/; // Python's int(): digits, single underscores between them
// Python's float(): decimal or scientific notation, inf and nan (any case, optional sign).
const FLOAT = /^[+-]?(?:(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)$/i;

function pyNumber(text) {
  const t = text.toLowerCase().replace(/_/g, "");
  if (/inf/.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (/nan/.test(t)) return NaN;
  return Number(t);
}

function problem(s, message) {
  return { name: s.name, message: `${s.label}: ${message}` };
}

/** One setting's value from its text, or {problem} (settings.py's Setting.parse). */
export function parseSetting(s, raw) {
  const text = String(raw).trim();
  if (s.kind === "choice") {
    return s.choices.includes(text) ? { value: text } : { problem: problem(s, `must be ${s.limits}, not ${repr(text)}`) };
  }
  if (s.kind === "sizes") {
    const parts = text.split(",");
    const bad = () => ({ problem: problem(s, `must be ${s.limits}, not ${repr(text)}`) });
    if (!parts.every((p) => /^\d+$/.test(p.trim()))) return bad();
    const sizes = parts.map((p) => Number(p.trim()));
    if (sizes.length < 1 || sizes.length > TABLE.max_layers || sizes.some((n) => n < 1 || n > TABLE.max_units)) return bad();
    return { value: sizes };
  }
  const what = s.kind === "int" ? "a whole number" : "a number";
  if (!(s.kind === "int" ? WHOLE : FLOAT).test(text)) {
    return { problem: problem(s, `must be ${what} ${s.limits}, not ${repr(text)}`) };
  }
  const value = s.kind === "int" ? Number(text.replace(/_/g, "")) : pyNumber(text);
  const ok = (s.low_open ? value > s.low : value >= s.low) && value <= s.high && Number.isFinite(value);
  return ok ? { value } : { problem: problem(s, `must be ${what} ${s.limits}, not ${text}`) };
}

function repr(text) {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** Weights and biases of MLP(inputs, layers + [outputs]) (settings.py's weights). */
export function weights(layers, outputs, inputs = TABLE.inputs) {
  const sizes = [inputs, ...layers, outputs];
  let n = 0;
  for (let k = 0; k + 1 < sizes.length; k++) n += (sizes[k] + 1) * sizes[k + 1];
  return n;
}

/** The output layer's units (trainer.py's output_units). */
export function outputUnits(loss, classes) {
  return loss === "hinge" || (loss === "mse" && classes === 2) ? 1 : classes;
}

/** What is wrong with the page's settings (strings), or "": the first setting out of its limits, then the rules between them. */
export function settingsProblem(form) {
  const v = {};
  for (const s of PAGE) {
    const raw = form[s.name];
    if (raw == null || String(raw).trim() === "") {
      v[s.name] = s.kind === "sizes" ? s.default_text.split(",").map(Number) : s.default;
      continue;
    }
    const got = parseSetting(s, raw);
    if (got.problem) return got.problem.message;
    v[s.name] = got.value;
  }
  const classes = TABLE.classes[v.dataset];
  const loss = v.loss === "default" ? (classes === 2 ? "hinge" : "cross_entropy") : v.loss;
  if (loss === "hinge" && classes !== 2) {
    return `${BY_NAME.get("loss").label}: the hinge loss needs two classes; ${v.dataset} has ${classes}: choose cross_entropy or mse`;
  }
  const n = weights(v.layers, outputUnits(loss, classes));
  if (n > TABLE.max_weights) {
    return `${BY_NAME.get("layers").label}: ${v.layers.join(",")} makes a network of ${n.toLocaleString("en-US")} weights; ` +
      `the most is ${TABLE.max_weights.toLocaleString("en-US")} (fewer or smaller layers)`;
  }
  return "";
}

/** Fill the form's selects and empty fields from the table (options, defaults, limits as titles). */
export function fillForm(fields) {
  for (const s of PAGE) {
    const el = fields[s.name];
    if (!el) continue;
    if (s.kind === "choice" && el.options.length === 0) {
      s.choices.forEach((c, k) => el.append(new Option(s.choice_labels[k] ?? c, c)));
    }
    if (!el.value) el.value = s.default_text;
    el.title = `${s.help}: ${s.limits}`;
  }
}
