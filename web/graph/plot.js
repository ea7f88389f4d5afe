// The small plot of the output across nudges. The solid line with filled dots is what
// happened; each dashed segment ending in a ring is what the gradient predicted for
// that nudge (rate × Σ grad², to first order). At small rates the two agree, so the
// ring sits around the dot: both stay visible. A legend says which is which.

import { fmtShort } from "./scene.js";

const NS = "http://www.w3.org/2000/svg";
const W = 320;
const H = 170;
const PAD = { l: 58, r: 12, t: 26, b: 30 };

function el(name, attrs, parent) {
  const e = document.createElementNS(NS, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  parent.appendChild(e);
  return e;
}

/**
 * About `count` round values spanning [lo, hi]: the step is the value of 1, 2 or 5
 * times a power of ten nearest to (hi - lo) / count, made smaller until at least two
 * ticks fall inside (an axis with one tick shows no scale).
 */
export function niceTicks(lo, hi, count = 4) {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return [lo];
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const nice = [0.5, 1, 2, 5, 10].map((m) => m * mag);
  let step = nice.reduce((best, s) => (Math.abs(Math.log(s / raw)) < Math.abs(Math.log(best / raw)) ? s : best));
  for (;;) {
    const ticks = [];
    for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
      ticks.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
    }
    if (ticks.length >= 2) return ticks;
    // One tick or none: the next smaller round step (5 -> 2 -> 1 -> 0.5 ...).
    const m = Math.round(step / 10 ** Math.floor(Math.log10(step) + 1e-9));
    step = m === 5 ? step * 0.4 : step * 0.5;
  }
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

  // Grid and ticks: round values on y, whole nudges on x.
  for (const v of niceTicks(lo, hi, 4)) {
    el("line", { x1: PAD.l, x2: W - PAD.r, y1: Y(v), y2: Y(v), class: "grid" }, svg);
    const t = el("text", { x: PAD.l - 5, y: Y(v), class: "tick y" }, svg);
    t.textContent = fmtShort(String(v));
  }
  el("line", { x1: PAD.l, x2: W - PAD.r, y1: H - PAD.b, y2: H - PAD.b, class: "axis" }, svg);
  el("line", { x1: PAD.l, x2: PAD.l, y1: PAD.t, y2: H - PAD.b, class: "axis" }, svg);
  const xs = n <= 8 ? [...Array(n + 1).keys()] : niceTicks(0, n, 5).filter((v) => Number.isInteger(v));
  for (const j of xs) {
    const t = el("text", { x: X(j), y: H - PAD.b + 14, class: "tick x" }, svg);
    t.textContent = String(j);
  }
  const label = el("text", { x: (PAD.l + W - PAD.r) / 2, y: H - 3, class: "axis-label" }, svg);
  label.textContent = "nudges";

  for (let j = 0; j < nudges.length; j++) {
    if (!Number.isFinite(predicted[j])) continue;
    el("line", {
      x1: X(j), y1: Y(nudges[j].before), x2: X(j + 1), y2: Y(predicted[j]), class: "predicted",
    }, svg);
  }
  const pt = (j, v) => `${X(j).toFixed(1)},${Y(v).toFixed(1)}`;
  const d = nudges.map((m, j) => `M${pt(j, m.before)}L${pt(j + 1, m.after)}`).join("");
  el("path", { d, class: "actual" }, svg);
  nudges.forEach((m, j) => {
    el("circle", { cx: X(j), cy: Y(m.before), r: 2.5, class: "actual-dot" }, svg);
    el("circle", { cx: X(j + 1), cy: Y(m.after), r: 2.5, class: "actual-dot" }, svg);
  });
  // Rings on top: a predicted point equal to the actual one rings its dot.
  for (let j = 0; j < nudges.length; j++) {
    if (Number.isFinite(predicted[j])) el("circle", { cx: X(j + 1), cy: Y(predicted[j]), r: 5, class: "predicted-dot" }, svg);
  }

  // Legend, above the plot.
  const lg = el("g", { class: "legend-row", transform: "translate(8,12)" }, svg);
  // (Key marks have classes of their own: tests count the plot's points by class.)
  el("line", { x1: 0, x2: 18, y1: 0, y2: 0, class: "actual key" }, lg);
  el("circle", { cx: 9, cy: 0, r: 2.5, class: "key-actual-dot" }, lg);
  el("text", { x: 23, y: 0, class: "legend-text" }, lg).textContent = "actual output";
  el("line", { x1: 122, x2: 140, y1: 0, y2: 0, class: "predicted key" }, lg);
  el("circle", { cx: 140, cy: 0, r: 5, class: "key-predicted-dot" }, lg);
  el("text", { x: 149, y: 0, class: "legend-text" }, lg).textContent = "gradient's prediction";
}
