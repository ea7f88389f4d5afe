// The small plot of the output across nudges: the solid line is what happened,
// each dashed segment is what the gradient predicted for that nudge.

import { fmtShort } from "./scene.js";

const NS = "http://www.w3.org/2000/svg";
const W = 300;
const H = 130;
const PAD = { l: 52, r: 10, t: 10, b: 22 };

function el(name, attrs, parent) {
  const e = document.createElementNS(NS, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  parent.appendChild(e);
  return e;
}

export function drawNudgePlot(svg, nudges) {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  if (!nudges.length) {
    const t = el("text", { x: W / 2, y: H / 2, class: "plot-empty" }, svg);
    t.textContent = "Nudge the inputs to see the output move.";
    return;
  }
  // Each nudge j runs from x = j to j + 1, starting at its own `before`: an edited
  // leaf between two nudges makes the line jump rather than bend.
  const actual = [nudges[0].before, ...nudges.map((n) => n.after)];
  const predicted = nudges.map((n) => n.before + n.predicted);
  const ys = [...nudges.map((n) => n.before), ...actual, ...predicted].filter(Number.isFinite);
  let lo = Math.min(...ys);
  let hi = Math.max(...ys);
  if (hi - lo < 1e-12) {
    const d = Math.abs(hi) * 0.05 || 1;
    lo -= d;
    hi += d;
  }
  const span = hi - lo;
  lo -= span * 0.08;
  hi += span * 0.08;
  const n = actual.length - 1;
  const X = (j) => PAD.l + (n === 0 ? 0 : (j / n) * (W - PAD.l - PAD.r));
  const Y = (v) => PAD.t + (1 - (v - lo) / (hi - lo)) * (H - PAD.t - PAD.b);

  el("line", { x1: PAD.l, x2: W - PAD.r, y1: H - PAD.b, y2: H - PAD.b, class: "axis" }, svg);
  el("line", { x1: PAD.l, x2: PAD.l, y1: PAD.t, y2: H - PAD.b, class: "axis" }, svg);
  for (const v of [hi - span * 0.08, lo + span * 0.08]) {
    const t = el("text", { x: PAD.l - 4, y: Y(v), class: "tick y" }, svg);
    t.textContent = fmtShort(String(v));
  }
  const tx = el("text", { x: (PAD.l + W - PAD.r) / 2, y: H - 5, class: "tick x" }, svg);
  tx.textContent = `nudge 0 … ${n}`;

  for (let j = 0; j < nudges.length; j++) {
    if (!Number.isFinite(predicted[j])) continue;
    el("line", {
      x1: X(j), y1: Y(nudges[j].before), x2: X(j + 1), y2: Y(predicted[j]), class: "predicted",
    }, svg);
    el("circle", { cx: X(j + 1), cy: Y(predicted[j]), r: 2.5, class: "predicted-dot" }, svg);
  }
  const pt = (j, v) => `${X(j).toFixed(1)},${Y(v).toFixed(1)}`;
  const d = nudges.map((m, j) => `M${pt(j, m.before)}L${pt(j + 1, m.after)}`).join("");
  el("path", { d, class: "actual" }, svg);
  nudges.forEach((m, j) => {
    el("circle", { cx: X(j), cy: Y(m.before), r: 3, class: "actual-dot" }, svg);
    el("circle", { cx: X(j + 1), cy: Y(m.after), r: 3, class: "actual-dot" }, svg);
  });
}
