// Your derivative (contract section 4, issue 17): the learner types d(output)/d(leaf) as an
// expression in the leaves' names, and the engine (gradstep/lab/yours.py, the lab's "yours"
// view) checks it three ways: against backprop at the values on screen (seed 003's
// "OK/WRONG for b: expected E, yours returns Y"), at 40 other points, and with sympy. What is
// wrong is said in steps the learner asks for: which term, then the rule, then the answer.
//
// A teacher's challenge (the link's "&challenge=b,c") asks for chosen leaves: until each is
// answered right or its answer shown, the lab hides its backprop numbers and closed form, and
// the page's backward pass and nudge wait (they would give the answer away). What was tried,
// the hints seen and the answers shown survive a reload (lab-storage.js, "gradstep.yours.v1").

import { drawYoursPlot } from "./lab-plots.js";
import { readYours, shapeKey, writeYours } from "./lab-storage.js";
import { fmtGraph } from "../graph/scene.js";

const $ = (id) => document.getElementById(id);
const HIDDEN = "hidden until you get it or show the answer";

function node(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

export class YoursCard {
  /**
   * @param {Store} store
   * @param {{ask(args, what): Promise, need(name): Promise<boolean>, ready(): boolean,
   *          linkFor(challenge): string, toast(text)}} engine
   * @param {() => void} onReveal called when what a challenge hides may now be shown
   */
  constructor(store, engine, onReveal = () => {}) {
    this.store = store;
    this.engine = engine;
    this.onReveal = onReveal;
    this.dom = {
      card: $("yours-card"), leaf: $("yours-leaf"), input: $("yours"), check: $("yours-check"),
      result: $("yours-result"), hints: $("yours-hints"), hint: $("yours-hint"), answer: $("yours-answer"),
      link: $("yours-challenge-link"), fig: $("yours-fig"), plot: $("yours-plot"), out: $("yours-out"),
      attemptsBox: $("yours-attempts-box"), attempts: $("yours-attempts"), banner: $("yours-challenge"),
    };
    this.challenge = []; // the leaves a teacher's link asks for
    this.key = null; // the program's shape key, under which its records are kept
    this.records = {}; // label -> {attempts, hints, answer}
    this.result = null; // the last reply on screen: {reply, leaf, text, version}
    this.asking = 0;
    this.optionsFor = null; // the scene whose leaves the select lists
    this._wire();
  }

  // ------------------------------------------------------------------ the challenge
  /** Ask for these leaves (from a link); [] ends the challenge. */
  setChallenge(labels) {
    this.challenge = [...new Set(labels || [])];
    if (this.store.state.scene) this.fill();
    this.onReveal();
  }

  /** The challenge's leaves the program on screen has. */
  asked() {
    const leaves = this.leafLabels();
    return this.challenge.filter((l) => leaves.includes(l));
  }

  /** Answered right, or its answer shown. */
  done(label) {
    const r = this.records[label];
    return !!r && (r.answer || r.attempts.some((a) => a.ok));
  }

  /** Whether what gives this leaf's derivative away (backprop, the closed form) is hidden. */
  hides(label) {
    return this.challenge.includes(label) && !this.done(label);
  }

  /** A challenge with a leaf still to answer: the backward pass and nudge wait. */
  open() {
    return this.asked().some((l) => !this.done(l));
  }

  /** The labels one may ask for: the leaves, then the named steps. */
  leafLabels() {
    const s = this.store.state;
    return s.scene ? [...s.scene.timeline.leaves, ...this.namedSteps()].map((i) => s.labelOf(i)) : [];
  }

  /** The program's named steps other than its output, in program order (gradstep/lab/yours.py's
   * named_steps): a derivative may be asked with respect to one as well as to a leaf. */
  namedSteps() {
    const tl = this.store.state.scene?.timeline;
    if (!tl) return [];
    const leaves = new Set(tl.leaves);
    const steps = new Set(Object.values(tl.names || {}).filter((i) => !leaves.has(i) && i !== tl.output));
    return [...steps].sort((a, b) => a - b);
  }

  // ------------------------------------------------------------------ filling in
  /**
   * The leaf select for the program on screen (the challenge's leaves only, in a challenge).
   * While the lab is closed, only what a challenge needs (the program's records) is read: the
   * options (5,000 leaves make 5,000) are made when the lab opens (fillOptions).
   */
  fill() {
    const s = this.store.state;
    this.result = null;
    this.optionsFor = null;
    if (!s.scene) {
      this.dom.leaf.replaceChildren();
      return;
    }
    this.key = shapeKey(s.scene.program);
    this.records = readYours(this.key);
    this.dom.out.textContent = s.labelOf(s.scene.timeline.output);
    // (the old options stay meanwhile, unseen: the leaf chosen in them is kept if the new program has it)
    if (!this.dom.card.closest("[hidden]")) this.fillOptions();
  }

  /** The select's options, unless they are already those of the program on screen. */
  fillOptions() {
    const s = this.store.state;
    if (!s.scene || this.optionsFor === s.scene) return;
    this.optionsFor = s.scene;
    const sel = this.dom.leaf;
    const keep = sel.value;
    sel.replaceChildren();
    const asked = this.asked();
    const option = (i, into) => {
      const label = s.labelOf(i);
      if (asked.length && !asked.includes(label)) return;
      const o = document.createElement("option");
      o.value = label;
      o.dataset.node = String(i);
      o.textContent = label;
      into.append(o);
    };
    for (const i of s.scene.timeline.leaves) option(i, sel);
    // the named steps too (seed 004's backward pass by hand: dy/dh4, dy/df3, ...)
    const group = document.createElement("optgroup");
    group.label = "named steps (each taken as a number of its own)";
    for (const i of this.namedSteps()) option(i, group);
    if (group.children.length) sel.append(group);
    const labels = [...sel.options].map((o) => o.value);
    // (in a challenge: the first leaf still to answer)
    const next = asked.find((l) => !this.done(l));
    if (labels.includes(keep) && !(next && this.done(keep))) sel.value = keep;
    else if (next) sel.value = next;
    const none = labels.length === 0;
    for (const e of [sel, this.dom.input, this.dom.check]) e.disabled = none;
    this.dom.input.title = none ? "This program has no named leaf (a name = a number) to differentiate by." : "";
    this.banner();
    this.showLeaf();
  }

  banner() {
    const b = this.dom.banner;
    const asked = this.asked();
    const missing = this.challenge.filter((l) => !asked.includes(l));
    b.hidden = this.challenge.length === 0;
    if (b.hidden) return;
    const out = this.dom.out.textContent;
    const done = asked.filter((l) => this.done(l));
    const right = done.filter((l) => this.records[l].attempts.some((a) => a.ok));
    let text = asked.length
      ? `Challenge: work out ${asked.map((l) => `d${out}/d${l}`).join(", ")} by hand. ` +
        (done.length < asked.length
          ? `Backprop's numbers and the closed form stay hidden, and the backward pass waits, until you get it or show the answer (${done.length} of ${asked.length} done).`
          : `Done: ${right.length} of ${asked.length} right${right.length < asked.length ? ", the rest shown" : ""}. Everything is shown again.`)
      : "";
    if (missing.length) text += ` This program has no leaf named ${missing.join(", ")}: the link asks for ${missing.length === 1 ? "it" : "them"} in vain.`;
    b.textContent = text.trim();
  }

  /** The chosen leaf's record: its last attempt in the input, its hints, its attempts list. */
  showLeaf() {
    const label = this.dom.leaf.value;
    const rec = this.records[label] || { attempts: [], hints: 0, answer: false };
    const last = rec.attempts[rec.attempts.length - 1];
    this.dom.input.value = last ? last.text : "";
    this.dom.input.removeAttribute("aria-invalid");
    this.clearResult();
    this.drawAttempts(rec);
    // (after a reload: the last attempt is checked again, so its feedback is back)
    if (last) this.recheck();
  }

  clearResult() {
    const r = this.dom.result;
    for (const k of ["ok", "expected", "yours", "leaf"]) delete r.dataset[k];
    r.replaceChildren();
    this.result = null;
    this.dom.hints.hidden = true;
    this.dom.hints.replaceChildren();
    this.dom.hint.hidden = this.dom.answer.hidden = true;
    this.dom.fig.hidden = true;
  }

  drawAttempts(rec) {
    const list = this.dom.attempts;
    list.replaceChildren();
    this.dom.attemptsBox.hidden = rec.attempts.length === 0;
    for (const a of rec.attempts) {
      const li = node("li", a.ok ? "ok" : "bad");
      li.append(node("code", null, a.text), node("span", "yours-mark", a.ok ? " ✓ right" : " ✗ wrong"));
      list.append(li);
    }
    this.dom.attemptsBox.querySelector("summary").textContent = `Your attempts (${rec.attempts.length})`;
  }

  // ------------------------------------------------------------------ checking
  /** Check again what is on screen (values changed, or after a reload), without counting an attempt. */
  recheck() {
    if (this.dom.input.value.trim() && this.engine.ready() && !this.dom.card.closest("[hidden]")) {
      this.check({ record: false });
    }
  }

  async check({ record = true } = {}) {
    const s = this.store.state;
    const sel = this.dom.leaf.selectedOptions[0];
    const text = this.dom.input.value.trim();
    if (!s.scene || !sel) return;
    if (!text) {
      this.clearResult();
      this.dom.result.append(node("p", "yours-problem", "Type your derivative first, e.g. 2*a*b for d(a*a*b)/da."));
      this.dom.input.focus();
      return;
    }
    if (!this.engine.ready()) {
      this.clearResult();
      this.dom.result.append(node("p", "help-text", "Checking needs Python, which is starting: press Check again when it is up."));
      return;
    }
    const label = sel.value;
    const leaf = Number(sel.dataset.node);
    const ticket = ++this.asking;
    this.dom.check.disabled = true;
    this.dom.result.setAttribute("aria-busy", "true");
    try {
      // sympy decides whether yours is the same function; without it the other two checks still run
      await this.engine.need("sympy");
      if (ticket !== this.asking) return;
      const version = s.scene.timeline.version;
      const reply = await this.engine.ask({ leaf, text }, "checking your derivative");
      if (ticket !== this.asking || reply.stopped || reply.crashed) return;
      this.clearResult();
      if (!reply.ok) {
        this.refused(reply.error || {});
        return;
      }
      this.result = { reply: reply.result, label, text, version };
      if (record) this.remember(label, text, !!reply.result.ok);
      this.draw();
    } finally {
      if (ticket === this.asking) {
        this.dom.check.disabled = false;
        this.dom.result.removeAttribute("aria-busy");
      }
    }
  }

  /** A bad expression: the language's own message, with where in the expression. */
  refused(error) {
    const input = this.dom.input;
    input.setAttribute("aria-invalid", "true");
    const where = error.col != null ? `col ${error.col}: ` : "";
    const p = node("p", "yours-problem", `Not an expression gradstep can read: ${where}${error.message || "unreadable"}`);
    this.dom.result.append(p);
    if (error.col != null) {
      // a caret under the place, as the program's errors have
      const pre = node("pre", "yours-caret");
      pre.textContent = `${input.value.trim()}\n${" ".repeat(Math.max(0, error.col - 1))}^`;
      pre.setAttribute("aria-hidden", "true");
      this.dom.result.append(pre);
      const at = Math.max(0, Math.min(input.value.length, error.col - 1 + (input.value.length - input.value.trimStart().length)));
      input.focus();
      input.setSelectionRange(at, at);
    }
  }

  remember(label, text, ok) {
    const rec = this.records[label] || { attempts: [], hints: 0, answer: false };
    const last = rec.attempts[rec.attempts.length - 1];
    if (!last || last.text !== text || last.ok !== ok) rec.attempts.push({ text, ok });
    this.records[label] = rec;
    writeYours(this.key, label, rec);
    this.drawAttempts(rec);
    if (this.challenge.includes(label)) {
      this.banner();
      this.onReveal();
    }
  }

  /** The result on screen, with as many hints as the learner asked for. */
  draw() {
    const { reply: r, label } = this.result;
    const box = this.dom.result;
    const hide = this.hides(label);
    box.dataset.ok = String(!!r.ok);
    box.dataset.expected = r.expected ?? "";
    box.dataset.yours = r.yours_value ?? "";
    box.dataset.leaf = label;
    box.replaceChildren();
    const line = node("p", "yours-line");
    line.append(node("strong", r.ok ? "ok" : "bad", r.ok ? "OK" : "WRONG"),
      ` for ${label}: expected ${hide ? `(${HIDDEN})` : r.expected}, yours returns ${r.yours_value ?? "nothing (it cannot be computed here)"}`);
    box.append(line);
    const checks = node("ul", "yours-checks");
    const item = (state, text) => {
      const li = node("li", state === true ? "ok" : state === false ? "bad" : "unknown");
      li.append(node("span", "yours-mark", state === true ? "✓ " : state === false ? "✗ " : "? "), text);
      checks.append(li);
    };
    item(!!r.yours_ok, r.yours_ok ? "At the values on screen it agrees with backprop."
      : "At the values on screen it differs from backprop.");
    const n = Number(r.points_checked || 0);
    const bad = Number(r.points_failed || 0);
    if (n === 0) item(null, "No other point inside the function's domain could be checked.");
    else if (bad === 0) item(true, `At ${n} other points it agrees too.`);
    else {
      const d = r.yours_ok ? r.disagree : null; // (when wrong on screen, the point shown is the screen's own)
      const at = d?.at ? Object.entries(d.at).map(([k, v]) => `${k} = ${fmtGraph(v)}`).join(", ") : "";
      const there = d ? (d.problem ? `: ${d.problem}` : `: the derivative is ${hide ? `(${HIDDEN})` : fmtGraph(d.expected)}, yours gives ${d.yours == null ? "nothing" : fmtGraph(d.yours)}`) : "";
      item(false, `At ${bad} of ${n} other points it differs${r.yours_ok ? " (it agrees on screen by coincidence)" : ""}` +
        (at ? `, e.g. at ${at}${there}.` : "."));
    }
    item(r.equivalent === true ? true : r.equivalent === false ? false : null,
      r.equivalent === true ? "sympy: it is the same function as the true derivative."
        : r.equivalent === false ? "sympy: it is not the same function as the true derivative."
          : "sympy could not decide whether it is the same function (or is not loaded): the points above decide.");
    box.append(checks);
    if (r.ok) {
      box.append(node("p", "yours-praise", hide ? "Right. The lab shows backprop's numbers and the closed form again." : "Right, every way it was checked."));
    }
    this.drawHints();
    if (!r.ok && r.curve && r.diagnosis?.kind !== "terms") {
      this.dom.fig.hidden = false;
      drawYoursPlot(this.dom.plot, hide ? { ...r.curve, truth: [] } : r.curve, {
        label, output: this.dom.out.textContent, at: r.curve.at == null ? null : Number(r.curve.at),
      });
    }
  }

  /** Hints: which term, then the rule, then (asked for with Show the answer) the answer. */
  drawHints() {
    const { reply: r, label } = this.result || {};
    const list = this.dom.hints;
    list.replaceChildren();
    if (!r || r.ok) {
      list.hidden = this.dom.hint.hidden = this.dom.answer.hidden = true;
      return;
    }
    const rec = this.records[label] || { attempts: [], hints: 0, answer: false };
    const hints = r.hints || [];
    const shown = Math.min(rec.hints, Math.max(0, hints.length - 1));
    for (let k = 0; k < shown; k++) list.append(node("li", "yours-hint", hints[k]));
    if (rec.answer) {
      const li = node("li", "yours-answer");
      if (hints.length) li.append(node("p", null, hints[hints.length - 1]));
      if (r.steps?.length) {
        const pre = node("pre", "yours-steps");
        pre.textContent = r.steps.join("\n");
        li.append(pre);
      }
      if (r.answer) li.append(node("p", null, "The whole derivative: "), node("code", "yours-full", `d${this.dom.out.textContent}/d${label} = ${r.answer}`));
      list.append(li);
    }
    list.hidden = list.children.length === 0;
    const more = shown < hints.length - 1;
    this.dom.hint.hidden = !more || rec.answer;
    this.dom.hint.textContent = `Hint ${shown + 1} of ${Math.max(1, hints.length - 1)}`;
    this.dom.answer.hidden = rec.answer;
  }

  /** One more hint, or the answer: kept for the leaf (a reload shows as many). */
  reveal(answer) {
    if (!this.result) return;
    const { label } = this.result;
    const rec = this.records[label] || { attempts: [], hints: 0, answer: false };
    if (answer) rec.answer = true;
    else rec.hints = Math.min(2, rec.hints + 1);
    this.records[label] = rec;
    writeYours(this.key, label, rec);
    this.draw();
    const items = this.dom.hints.children;
    items[items.length - 1]?.scrollIntoView({ block: "nearest" });
    if (answer && this.challenge.includes(label)) {
      this.banner();
      this.onReveal();
    }
  }

  _wire() {
    const { leaf, input, check, hint, answer, link } = this.dom;
    check.addEventListener("click", () => this.check());
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        this.check();
      }
    });
    input.addEventListener("input", () => input.removeAttribute("aria-invalid"));
    leaf.addEventListener("change", () => this.showLeaf());
    hint.addEventListener("click", () => this.reveal(false));
    answer.addEventListener("click", () => this.reveal(true));
    link.addEventListener("click", async () => {
      const label = leaf.value;
      if (!label) return;
      const url = this.engine.linkFor([label]);
      try {
        await navigator.clipboard.writeText(url);
        this.engine.toast(`Challenge link copied: it opens this program asking for d${this.dom.out.textContent}/d${label}, the answer hidden.`);
      } catch {
        window.prompt("Copy this challenge link:", url);
      }
    });
    this.store.subscribe((s, changed) => {
      if (changed.has("scene")) this.fill();
      else if (changed.has("timeline") && this.result && this.result.version !== s.scene?.timeline.version) this.recheck();
      if (changed.has("engine") && s.engine === "ready" && !this.result) this.recheck();
    });
  }
}
