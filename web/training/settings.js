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
/** Each optimizer's first rate when none is given (optimizers.py's DEFAULT_LRS, as text). */
export const DEFAULT_LRS = TABLE.default_lrs ?? {};

/**
 * The first rate when none is given (optimizers.py's default_lr): the optimizer's, and SGD's own on
 * a regression (the dataset's kind, or `regression` when your own data says it).
 */
export function defaultLr(optimizer, dataset, regression = TABLE.classes?.[dataset] === 0) {
  if (optimizer === "sgd" && regression && TABLE.regression_sgd_lr != null) return TABLE.regression_sgd_lr;
  return DEFAULT_LRS[optimizer] ?? null;
}
/** name -> default, as the form and the link show it ("1.0", "16,16"). */
export const DEFAULTS = Object.fromEntries(PAGE.map((s) => [s.name, s.default_text]));

/** A value echoed in a message, cut to its start when long (a 10,000-character link's value made a box of 1,800 px). */
export function clip(text, most = 60) {
  return text.length > most ? `${text.slice(0, most)}… (${text.length.toLocaleString("en-US")} characters)` : text;
}

/** The most steps a link replays: the command line's own limit on --steps. */
export const STEP_MAX = BY_NAME.get("steps").high;

/** Characters as Python counts them (code points), for the engine's limits: JavaScript's length counts UTF-16 units. */
export function codePoints(text) {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

/**
 * Settings from the address's parts (strings), with the defaults for what is missing or not a
 * choice; and where the training was (`step`, `points`), when the address says.
 */
export function trainSettings(parts = {}) {
  const q = (v) => `'${clip(String(v))}'`;
  const out = { ...DEFAULTS };
  const refused = []; // what the link asked that is not offered, in words
  for (const s of PAGE) {
    const v = parts[s.name];
    if (v == null || v === "") continue;
    if (s.kind === "choice" && !s.choices.includes(String(v))) {
      refused.push(`${s.label} ${q(v)} is not one of ${s.choices.join(", ")}: ${DEFAULTS[s.name]} is used`);
      continue;
    }
    if (s.kind === "features") {
      // (the inputs the page has; none of them: its default ones)
      const all = String(v).split(",").map((n) => n.trim()).filter(Boolean);
      const names = [...new Set(all)]; // (an input named twice is one input: the boxes cannot hold it twice)
      const known = names.filter((n) => s.choices.includes(n));
      const unknown = names.filter((n) => !s.choices.includes(n));
      const twice = names.filter((n) => all.indexOf(n) !== all.lastIndexOf(n));
      if (twice.length) refused.push(`${s.label}: ${twice.map(q).join(", ")} named more than once: once is used`);
      if (unknown.length) {
        refused.push(`${s.label}: ${unknown.map(q).join(", ")} ${unknown.length === 1 ? "is not an input" : "are not inputs"}` +
          ` (${s.choices.join(", ")})${known.length ? "" : `: ${DEFAULTS[s.name]} are used`}`);
      }
      if (known.length) out[s.name] = known.join(",");
      continue;
    }
    out[s.name] = String(v);
  }
  for (const key of parts.unreadable ?? []) {
    refused.push(`${key}= cannot be read (its %-encoding is broken, perhaps cut off when the link was copied): ` +
      (key === "data" ? "the dataset is used" : "its default is used"));
  }
  // (what the page did not take, for the training view to say: not a setting, so not enumerable)
  Object.defineProperty(out, "refused", {
    value: refused.length ? `The link asked for what the page does not have: ${refused.join("; ")}.` : "",
  });
  // (no rate given: the one for its optimizer and dataset, as the command line's; a rate given stays,
  // also once your own data turns out to be a regression)
  const lrGiven = parts.lr != null && parts.lr !== "";
  if (!lrGiven) out.lr = String(defaultLr(out.optimizer, out.dataset) ?? out.lr);
  Object.defineProperty(out, "lrGiven", { value: lrGiven });
  for (const k of TABLE.link_state) if (parts[k] != null && parts[k] !== "") out[k] = String(parts[k]);
  if (parts.data != null && String(parts.data).trim() !== "") out.data = String(parts.data); // (your own CSV)
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
  if (s.kind === "features") {
    // (features.py's check: one or more of the choices, each once, in the order given)
    const names = text.split(",").map((p) => p.trim());
    const ok = text !== "" && new Set(names).size === names.length && names.every((n) => s.choices.includes(n));
    return ok ? { value: names } : { problem: problem(s, `must be ${s.limits}, not ${repr(text)}`) };
  }
  if (s.kind === "compare") {
    // (settings.py's parse_compare: up to max_compare optimizers, each "name" or "name:rate", a rate as lr's)
    if (text === "" || text === "none") return { value: [] };
    const bad = () => ({ problem: problem(s, `must be ${s.limits}, not ${repr(text)}`) });
    const parts = text.split(",");
    if (parts.length > TABLE.max_compare) return bad();
    const out = [];
    for (const part of parts) {
      const at = part.indexOf(":");
      const name = (at < 0 ? part : part.slice(0, at)).trim();
      if (!s.choices.includes(name)) return bad();
      if (at >= 0) {
        const rate = part.slice(at + 1);
        if (!rate.trim() || parseSetting(BY_NAME.get("lr"), rate).problem) return bad();
      }
      out.push(name);
    }
    return { value: out };
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
  return loss === "hinge" || (loss === "mse" && classes <= 2) ? 1 : classes; // (classes 0: a regression, one output)
}

/** What is wrong with the page's settings (strings), or "": the first setting out of its limits, then the rules between them. */
export function settingsProblem(form) {
  const v = {};
  for (const s of PAGE) {
    const raw = form[s.name];
    if (raw == null || String(raw).trim() === "") {
      v[s.name] = s.kind === "sizes" || s.kind === "features" ? s.default_text.split(",").map((p) => (s.kind === "sizes" ? Number(p) : p)) : s.default;
      continue;
    }
    const got = parseSetting(s, raw);
    if (got.problem) return got.problem.message;
    v[s.name] = got.value;
  }
  // (your own data: its classes are known once Python reads it, and it checks the rules between
  // settings in these words: gradstep.training.settings.check_together)
  if (form.data != null && String(form.data).trim() !== "") return "";
  const classes = TABLE.classes[v.dataset];
  const loss = v.loss === "default" ? (classes === 0 ? "mse" : classes === 2 ? "hinge" : "cross_entropy") : v.loss;
  if (classes === 0 && loss !== "mse") {
    return `${BY_NAME.get("loss").label}: ${v.dataset} is a regression (a number at each point, not a class): its loss is mse (squared error)`;
  }
  if (loss === "hinge" && classes !== 2) {
    return `${BY_NAME.get("loss").label}: the hinge loss needs two classes; ${v.dataset} has ${classes}: choose cross_entropy or mse`;
  }
  const n = weights(v.layers, outputUnits(loss, classes), v.features?.length ?? TABLE.inputs);
  if (n > TABLE.max_weights) {
    return `${BY_NAME.get("layers").label}: ${v.layers.join(",")} makes a network of ${n.toLocaleString("en-US")} weights; ` +
      `the most is ${TABLE.max_weights.toLocaleString("en-US")} (fewer or smaller layers)`;
  }
  return "";
}

/** How the features' checkboxes name them (the table's names are the link's and the command line's). */
export const FEATURE_TEXT = { x: "x", y: "y", x2: "x²", y2: "y²", xy: "xy", sinx: "sin x", siny: "sin y" };

/**
 * The features' checkboxes as one field (their container, which holds an input per feature):
 * its value is the checked ones' names joined by commas ("x,y,x2"), in the order the value was
 * last set in (a link's "y,x" is the command line's --features y,x: the first layer's inputs in
 * that order), then the table's; a box checked later goes where it is in that order.
 */
export class FeatureChecks {
  constructor(box) {
    this.box = box;
    this.order = null; // the names' order (null: the table's, the boxes')
  }

  get inputs() {
    return [...this.box.querySelectorAll("input[type=checkbox]")];
  }

  get value() {
    const checked = new Map(this.inputs.map((c) => [c.value, c.checked]));
    return (this.order ?? [...checked.keys()]).filter((n) => checked.get(n)).join(",");
  }

  set value(text) {
    const names = [...new Set(String(text).split(",").map((p) => p.trim()))];
    const all = this.inputs.map((c) => c.value);
    this.order = [...names.filter((n) => all.includes(n)), ...all.filter((n) => !names.includes(n))];
    const on = new Set(names);
    for (const c of this.inputs) c.checked = on.has(c.value);
  }

  addEventListener(type, fn) {
    this.box.addEventListener(type, fn);
  }
}

/** Fill the form's selects, checkboxes and empty fields from the table (options, defaults, limits as titles). */
export function fillForm(fields) {
  for (const s of PAGE) {
    const el = fields[s.name];
    if (!el) continue;
    if (s.kind === "features") {
      const box = el.box;
      if (!el.inputs.length) {
        for (const name of s.choices) {
          const label = document.createElement("label");
          label.className = "train-feature";
          const c = document.createElement("input");
          c.type = "checkbox";
          c.value = name;
          c.dataset.feature = name;
          label.append(c, ` ${FEATURE_TEXT[name] ?? name}`);
          box.append(label);
        }
      }
      if (!el.value) el.value = s.default_text;
      box.title = `${s.help}: ${s.limits}`;
      continue;
    }
    if (s.kind === "choice" && el.options.length === 0) {
      s.choices.forEach((c, k) => el.append(new Option(s.choice_labels[k] ?? c, c)));
    }
    if (!el.value) el.value = s.default_text;
    el.title = `${s.help}: ${s.limits}`;
  }
}
