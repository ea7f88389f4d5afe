// Practice (contract section 4): the learner computes the values (forward) or the
// gradients (backward) node by node, as the seed notebooks ask by hand. The node asked
// is the next step's; its number stays hidden until it is answered right, then the
// page takes that step. A wrong answer stays, with a hint that names the formula or
// the chain-rule term to use. The score counts the questions answered (not the one on
// screen before it is answered) and those answered right at the first try. A right
// answer's "Right" stays until the next answer or step. The mode, the position and the
// score survive a reload (lab-storage.js), when the link opens the same program in the
// same practice.

import { fmtGraph } from "../graph/scene.js";
import { programKey, readPractice, writePractice } from "./lab-storage.js";

const $ = (id) => document.getElementById(id);
export const MODES = ["off", "forward", "backward"];

/**
 * Whether an answer is right: within 1e-6·max(1, |x|) of the true value, or equal to
 * it at the 4 decimals the graph shows.
 */
export function isRight(answer, expected) {
  const a = Number(String(answer).trim());
  const x = Number(expected);
  if (String(answer).trim() === "" || !Number.isFinite(a) || !Number.isFinite(x)) return false;
  return Math.abs(a - x) <= 1e-6 * Math.max(1, Math.abs(x)) || fmtGraph(String(a)) === fmtGraph(String(x));
}

/** The hint for a wrong answer: the formula (forward) or the chain-rule terms (backward). */
export function hintFor(frame) {
  if (!frame) return "Look at the node's inputs: the formula under the graph shows what to compute.";
  const parts = frame.parts || [frame.text];
  const symbolic = [];
  for (const p of parts) {
    if (typeof p === "string") symbolic.push(p);
    else if (p.n != null) break; // stop where the numbers start
    else symbolic.push(p.up ?? p.local ?? "");
  }
  const formula = symbolic.join("").replace(/\s*=\s*$/, "");
  if (frame.kind === "forward") return `Use ${formula}, with the input values shown on the graph.`;
  const terms = frame.terms || [];
  // (the first backward step, the output's own gradient: no chain-rule terms to multiply)
  if (!terms.length) return `${formula} is the output's gradient with respect to itself: nudge the output by h and it moves by h, so it is 1.`;
  const slopes = terms.map((t) => t.slope).filter(Boolean).join("; ");
  return `Use the chain rule: ${formula}. Each term is an upstream gradient (shown on the graph) ` +
    `times a local derivative: ${slopes}.` + (terms.length > 1 ? " Add one term per use." : "");
}

export class Practice {
  /**
   * @param {Store} store
   * @param {{step(name, args): Promise, frame(k): Promise<object|null>, onMode(mode), big(): boolean}} page
   */
  constructor(store, page) {
    this.store = store;
    this.page = page;
    this.mode = "off";
    this.asked = 0;
    this.correct = 0;
    this.wrongHere = false; // the question on screen was answered wrong once
    this.answeredHere = false; // ... was answered at all (counted in `asked`)
    this.keepHintAt = null; // the position whose question keeps the last "Right"
    this.pending = readPractice(); // progress kept from before a reload, for the link's practice
    this.dom = {
      select: $("practice"), box: $("practice-box"), question: $("practice-question"), answer: $("practice-answer"),
      submit: $("practice-submit"), hint: $("practice-hint"), score: $("practice-score"),
    };
    this.dom.select.addEventListener("change", () => this.setMode(this.dom.select.value, { user: true }));
    this.dom.submit.addEventListener("click", () => this.submit());
    this.dom.answer.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        this.submit();
      }
    });
    store.subscribe((s, changed) => {
      if (this.mode === "off") return;
      if (changed.has("scene")) this.setMode("off");
      else if (changed.has("state") || changed.has("frames") || changed.has("timeline")) this.draw();
    });
  }

  /**
   * The position where the mode starts: the start (forward) or the forward pass done
   * (backward); or, the first time (the link's practice, on a reload), where the kept
   * progress was, when it is this program's and this mode's. A mode chosen in the
   * select starts afresh.
   */
  async setMode(mode, { user = false } = {}) {
    if (!MODES.includes(mode)) mode = "off";
    const s = this.store.state;
    const kept = user ? null : this.pending;
    this.pending = null;
    if (mode !== "off" && this.page.big()) {
      this.dom.select.value = "off";
      this.dom.hint.textContent = "Practice needs a graph drawn node by node (up to 2,000 value nodes).";
      return;
    }
    this.mode = mode;
    this.dom.select.value = mode;
    this.asked = 0;
    this.correct = 0;
    this.wrongHere = false;
    this.answeredHere = false;
    this.askedAt = null;
    this.dom.hint.textContent = "";
    this.dom.box.hidden = mode === "off";
    document.body.dataset.practice = mode;
    if (mode !== "off" && s.scene) {
      const { F, total } = s.ix;
      let position = mode === "forward" ? 0 : F;
      const [lo, hi] = mode === "forward" ? [0, F] : [F, total];
      if (kept && kept.mode === mode && kept.program === programKey(s.scene.program) &&
          kept.position >= lo && kept.position <= hi && kept.asked <= kept.position - lo + 1) {
        position = kept.position;
        this.asked = kept.asked;
        this.correct = kept.correct;
        this.wrongHere = this.answeredHere = kept.wrong;
        this.askedAt = String(position);
      }
      await this.page.step("seek", { position });
    }
    this.page.onMode(mode);
    this.draw();
  }

  /** Keep the progress for a reload (or forget it when practice is off). */
  save() {
    const s = this.store.state;
    if (this.mode === "off" || !s.scene) return writePractice(null);
    writePractice({
      program: programKey(s.scene.program), mode: this.mode, position: s.scene.state.position,
      asked: this.asked, correct: this.correct, wrong: this.wrongHere,
    });
  }

  /** The node asked now, or null when the pass is done. */
  askedNode() {
    const s = this.store.state;
    if (this.mode === "off" || !s.scene) return null;
    const p = s.scene.state.position;
    const { F, total } = s.ix;
    if (this.mode === "forward") return p < F ? s.scene.timeline.forward[p] : null;
    return p >= F && p < total ? s.scene.timeline.backward[p - F] : null;
  }

  draw() {
    const s = this.store.state;
    for (const e of document.querySelectorAll("[data-asked]")) e.removeAttribute("data-asked");
    const i = this.askedNode();
    const { question, answer, submit, score } = this.dom;
    if (this.mode === "off") return;
    const p = s.scene.state.position;
    if (i == null) {
      const done = this.mode === "forward" ? p >= s.ix.F : p >= s.ix.total;
      question.textContent = done
        ? `Done: ${this.correct} of ${this.asked} right at the first try.`
        : "Step to the start of this pass to practise it.";
      answer.disabled = true;
      submit.disabled = true;
    } else {
      if (this.askedAt !== `${p}`) {
        this.askedAt = `${p}`;
        this.wrongHere = false;
        this.answeredHere = false;
        // A new question: the last "Right" stays when this question follows it.
        if (this.keepHintAt !== `${p}`) this.dom.hint.textContent = "";
        this.keepHintAt = null;
        answer.value = "";
      }
      document.querySelector(`[data-node-id="n${i}"]`)?.setAttribute("data-asked", "true");
      const name = s.labelOf(i);
      const out = s.labelOf(s.scene.timeline.output);
      question.textContent = this.mode === "forward"
        ? `What is the value of ${name}?`
        : `What is d${out}/d${/^[\w@[\]]+$/.test(name) ? name : `(${name})`}, the gradient of ${name}?`;
      answer.disabled = false;
      submit.disabled = false;
    }
    score.dataset.correct = String(this.correct);
    score.dataset.asked = String(this.asked);
    score.textContent = this.asked ? `${this.correct} of ${this.asked} right at the first try` : "none answered yet";
    this.save();
  }

  /** The feedback where it can be read: the box scrolled into the window, if it is not. */
  showFeedback() {
    this.dom.box.scrollIntoView({ block: "nearest", behavior: "instant" });
  }

  async submit() {
    const i = this.askedNode();
    if (i == null) return;
    const s = this.store.state;
    const tl = s.scene.timeline;
    const expected = this.mode === "forward" ? tl.values[i] : tl.grads[i];
    const typed = this.dom.answer.value.trim();
    if (typed === "" || !Number.isFinite(Number(typed))) { // not a number: not an answer, not counted
      this.dom.hint.textContent = typed === "" ? "Type a number first: the value the question asks for."
        : `${typed.slice(0, 40)} is not a number: type one like 0.25, -3 or 1e-3.`;
      this.dom.answer.focus();
      this.showFeedback();
      return;
    }
    if (!this.answeredHere) {
      this.answeredHere = true;
      this.asked += 1;
    }
    if (isRight(this.dom.answer.value, expected)) {
      if (!this.wrongHere) this.correct += 1;
      this.dom.hint.textContent = `Right: ${fmtGraph(expected)}.`;
      this.keepHintAt = String(s.scene.state.position + 1);
      await this.page.step(this.mode === "forward" ? "forward_step" : "backward_step");
      this.draw(); // (the score, also when the pass is done)
      this.dom.answer.focus();
      this.showFeedback();
      return;
    }
    this.wrongHere = true;
    this.draw();
    const k = s.scene.state.position; // the frame of the step asked
    const said = `${this.dom.answer.value.trim()} is not it`;
    this.dom.hint.textContent = `${said}. ${hintFor(await this.page.frame(k))}`;
    this.dom.answer.select();
    this.showFeedback();
  }
}
