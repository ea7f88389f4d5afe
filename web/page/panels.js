// The panels around the graph, each drawing one part of the store:
// - ExplainPanel: the status line, what the step did (note), the step's formula, the
//   sentence that says it in words, the step slider and what the pointer hovers;
// - NudgePanel: the plot of the output across nudges and its summary.
// They read the store and write the DOM; they change nothing else.

import { describeStep, fmtGraph, formulaSegments } from "../graph/scene.js";
import { drawNudgePlot } from "../graph/plot.js";

const $ = (id) => document.getElementById(id);

export class ExplainPanel {
  /** @param {(k: number) => void} needFrame asks for frame k's text when it is not here */
  constructor(store, needFrame) {
    this.store = store;
    this.needFrame = needFrame;
    this.dom = {
      status: $("status"), note: $("step-note"), frameText: $("frame-text"), full: $("full-numbers"),
      sentence: $("step-sentence"), inspect: $("inspect"), seek: $("seek"), seekOut: $("seek-out"),
      undo: document.querySelector('[data-testid="undo"]'),
    };
    this.inspected = null;
    this.dom.full.addEventListener("click", () => {
      const on = this.dom.full.getAttribute("aria-pressed") !== "true";
      this.dom.full.setAttribute("aria-pressed", String(on));
      this.draw(store.state);
    });
    store.subscribe((s, changed) => {
      if (changed.has("state") || changed.has("frames") || changed.has("note") || changed.has("timeline")) this.draw(s);
    });
  }

  draw(s) {
    const { dom } = this;
    dom.note.textContent = s.note || "";
    dom.note.hidden = !s.note;
    if (!s.scene) return;
    const st = s.scene.state;
    const tl = s.scene.timeline;
    const p = st.position;
    dom.status.dataset.phase = st.phase;
    document.body.dataset.phase = st.phase;
    dom.status.textContent = this.statusText(s, st.phase, p);
    this.drawFormula(p > 0 ? p - 1 : null, s);
    dom.sentence.textContent = describeStep(tl, s.ix, p, s.labelOf);
    dom.seek.max = String(s.ix.total);
    dom.seek.value = String(p);
    dom.seekOut.textContent = `${p} / ${s.ix.total}`;
    // Not aria-disabled: undo with nothing to undo is a harmless no-op (it says so).
    dom.undo.dataset.canUndo = String(!!st.can_undo);
    if (this.inspected != null) this.inspect(this.inspected);
  }

  statusText(s, phase, p) {
    const { ix, scene, labelOf } = s;
    const tl = scene.timeline;
    const outName = labelOf(tl.output);
    switch (phase) {
      case "start": return `Start: only the leaves have values (${ix.F} forward and ${ix.B} backward steps to go).`;
      case "forward": return `Forward pass: step ${p} of ${ix.F}.`;
      case "forward-done": return `Forward pass done: ${outName} = ${fmtGraph(tl.values[tl.output])}.`;
      case "backward": return `Backward pass: step ${p - ix.F} of ${ix.B}.`;
      case "backward-done": return `Backward pass done: every gradient of ${outName} is known.`;
      default: return phase;
    }
  }

  /**
   * Frame k's formula: numbers short (as the graph shows them), each with its full
   * repr on hover, or all in full with "Full numbers"; the upstream gradient and the
   * local derivative of each chain-rule term are marked as such. A frame not here yet
   * is asked for (the worker sends frames on demand) and drawn when it comes.
   */
  drawFormula(k, s) {
    const { frameText, full: fullButton } = this.dom;
    const frame = k == null ? null : s.frames.get(k);
    frameText.hidden = k == null;
    fullButton.hidden = k == null;
    if (k == null) {
      frameText.replaceChildren();
      return;
    }
    if (!frame) {
      frameText.textContent = "…";
      frameText.dataset.text = "";
      this.needFrame(k);
      return;
    }
    const full = fullButton.getAttribute("aria-pressed") === "true";
    const out = document.createDocumentFragment();
    for (const seg of formulaSegments(frame, { full })) {
      if (seg.kind === "text") {
        out.append(seg.text);
        continue;
      }
      const span = document.createElement("span");
      span.className = "f-" + seg.kind;
      span.textContent = seg.text;
      if (seg.kind === "num") {
        span.title = seg.full;
        span.dataset.full = seg.full;
      } else {
        // A tag under the symbol says which factor of the chain rule it is.
        span.dataset.tag = seg.kind === "up" ? "upstream" : "local";
        span.title = seg.kind === "up"
          ? "upstream gradient: how the output changes with this consumer (already known)"
          : "local derivative: how this one operation's result changes with its input";
      }
      out.append(span);
    }
    frameText.replaceChildren(out);
    frameText.dataset.text = frame.text;
  }

  /** What the pointer or the focus is on: the node's explanation, value and gradient. */
  inspect(i) {
    this.inspected = i;
    const s = this.store.state;
    if (i == null || !s.scene || i >= s.ix.n) {
      this.dom.inspect.textContent = "";
      return;
    }
    const { scene, ix } = s;
    const tl = scene.timeline;
    const p = scene.state.position;
    const v = ix.fwdAt[i] <= p ? tl.values[i] : "not computed yet";
    const g = ix.bwdAt[i] >= 0 && ix.bwdAt[i] <= p ? tl.grads[i] : "not computed yet";
    const kind = ix.leaves.has(i) ? "leaf" : ix.fwdAt[i] === 0 ? "constant" : "node";
    // The layout's one-line "about" (what the node is, made-up names explained).
    const about = s.model?.byId.get("n" + i)?.about;
    this.dom.inspect.textContent = `${about || kind + " " + s.labelOf(i)}: data = ${v}, grad = ${g}`;
  }
}

export class NudgePanel {
  constructor(store) {
    this.dom = { plot: $("nudge-plot"), summary: $("nudge-summary") };
    this.key = null;
    store.subscribe((s, changed) => {
      if (s.scene && (changed.has("state") || changed.has("scene"))) this.draw(s.scene.state.nudges || []);
    });
  }

  draw(nudges) {
    const key = nudges.length + ":" + (nudges.length ? nudges[nudges.length - 1].after : "");
    if (key === this.key) return;
    this.key = key;
    drawNudgePlot(this.dom.plot, nudges);
    this.dom.summary.textContent = summary(nudges);
  }
}

function summary(nudges) {
  if (!nudges.length) return "";
  const n = nudges[nudges.length - 1];
  const sign = (x) => (x > 0 ? "+" : "") + fmtGraph(String(x));
  return `Nudge ${nudges.length} (${n.direction}, rate ${n.rate}): output ${fmtGraph(String(n.before))} → ` +
    `${fmtGraph(String(n.after))}. The gradient predicted ${sign(n.predicted)}; the actual change was ${sign(n.actual)}.`;
}
