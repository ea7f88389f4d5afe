// Hand-drawn SVG plots and the helpers they share (the nudge plot here; the lab's two
// plots in web/lab/lab-plots.js; the training curve may use them too).
//
// Why SVG by hand and not uPlot: the plots are small and few (a dozen points to a few
// hundred), they take the page's colours from CSS variables (light and dark, the
// notebook's theme too), their text is real text a screen reader and a test can read,
// the log axes are a few lines, and the graph package ships inside the notebook wheel
// with no dependency. uPlot draws on a canvas (text a test cannot read, colours set in
// JS) and would be one more vendored file to keep. What uPlot does by default, these
// helpers do here: plots drawn at their size on screen (1 SVG unit = 1 CSS pixel, so
// text is PLOT_FONT px at any width), axis labels, and a legend laid out in rows in a
// band of its own above the data, so it can never cover what it labels.
//
// The helpers (pure but for `plotWidth` and `redrawOnResize`):
//   PLOT_FONT                      CSS px of tick, label and legend text (style.css matches)
//   textWidth(text, size)          a generous estimate of a text's width in px
//   layoutLegend(items, width)     {height, placed: [{...item, x, y}]}: items in rows
//                                  inside `width`; each item {label, ...} with a key
//                                  KEY_W px wide before its label
//   drawLegend(svg, items, x, y, width) draws them (key: a line of class item.cls, and
//                                  item.marker "dot" | "ring" of class item.markerCls);
//                                  returns the legend's height
//   axisLabels(svg, box, {x, y})   the x label under the x ticks, the y label turned
//                                  up the left edge; box = {l, r, t, b, W, H} (the plot
//                                  area's edges and the whole size)
//   leftPad(tickTexts)             room on the left for the widest y tick and the y label
//   plotWidth(svg, fallback)       the SVG's width on screen in CSS px (fallback when
//                                  it is not laid out, e.g. in a hidden panel)
//   redrawOnResize(svg, draw)      calls draw() again when the SVG's width changes
//   niceTicks(lo, hi, count)       round tick values (below)

import { fmtShort } from "./scene.js";

const NS = "http://www.w3.org/2000/svg";
export const PLOT_FONT = 12;
export const KEY_W = 22; // a legend key's width, before its label
const KEY_GAP = 5; // between a key and its label
const ITEM_GAP = 16; // between two legend items in a row
const ROW_H = 18; // a legend row's height

export function el(name, attrs, parent) {
  const e = document.createElementNS(NS, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  parent.appendChild(e);
  return e;
}

/**
 * A text's width at `size` px, estimated on the generous side (0.62 em a character:
 * wider than the average of the page's sans and mono fonts), so that laid-out text
 * never runs into its neighbour.
 */
export function textWidth(text, size = PLOT_FONT) {
  return String(text).length * size * 0.62;
}

/**
 * Legend items in rows no wider than `width`: each takes KEY_W + KEY_GAP + its label's
 * width, ITEM_GAP apart; an item that does not fit starts a new row. y is the row's
 * middle. An item wider than `width` gets a row of its own.
 */
export function layoutLegend(items, width, size = PLOT_FONT) {
  const placed = [];
  let x = 0;
  let row = 0;
  for (const it of items) {
    const w = KEY_W + KEY_GAP + textWidth(it.label, size);
    if (x > 0 && x + w > width) {
      row += 1;
      x = 0;
    }
    placed.push({ ...it, x, y: row * ROW_H + ROW_H / 2, width: w });
    x += w + ITEM_GAP;
  }
  return { height: items.length ? (row + 1) * ROW_H : 0, placed };
}

/** Draw a legend at (x, y) in rows inside `width` (layoutLegend); its height. */
export function drawLegend(svg, items, x, y, width) {
  const { height, placed } = layoutLegend(items, width);
  const g = el("g", { class: "legend-row", transform: `translate(${x},${y})` }, svg);
  for (const it of placed) {
    const item = el("g", { class: "legend-item", transform: `translate(${it.x.toFixed(1)},${it.y})` }, g);
    if (it.cls) el("line", { x1: 0, x2: KEY_W, y1: 0, y2: 0, class: `${it.cls} key` }, item);
    if (it.marker === "dot") el("circle", { cx: KEY_W / 2, cy: 0, r: 3, class: it.markerCls || "key-dot" }, item);
    if (it.marker === "ring") el("circle", { cx: KEY_W - 5, cy: 0, r: 5, class: it.markerCls || "key-ring" }, item);
    const t = el("text", { x: KEY_W + KEY_GAP, y: 0, class: "legend-text" }, item);
    t.textContent = it.label;
    if (it.title) el("title", {}, item).textContent = it.title;
  }
  return height;
}

/** Room on the left for the widest y tick label, the gap to the axis, and the turned y label. */
export function leftPad(tickTexts, { yLabel = true } = {}) {
  const widest = Math.max(0, ...tickTexts.map((t) => textWidth(t)));
  return Math.ceil(widest + 8 + (yLabel ? PLOT_FONT + 10 : 4));
}

/**
 * The axes' names: the x label centred under the x ticks, the y label turned to read
 * upwards along the left edge. box: {l, r, t, b, W, H}, the plot area's edges.
 */
export function axisLabels(svg, box, { x, y }) {
  if (x) {
    el("text", { x: (box.l + box.W - box.r) / 2, y: box.H - 6, class: "axis-label x" }, svg).textContent = x;
  }
  if (y) {
    const cy = (box.t + box.H - box.b) / 2;
    el("text", { x: 0, y: 0, transform: `translate(${PLOT_FONT + 2},${cy}) rotate(-90)`, class: "axis-label y" }, svg)
      .textContent = y;
  }
}

/** The SVG's width on screen in CSS px, or `fallback` when it is not laid out. */
export function plotWidth(svg, fallback) {
  const w = svg.getBoundingClientRect?.().width || 0;
  return w >= 160 ? Math.round(w) : fallback;
}

const redraws = new WeakMap();
/**
 * Draw again when the SVG's width changes (a phone turned, a panel shown): `draw` is
 * the last drawing's own call, so the plot keeps its data. One observer an SVG.
 */
export function redrawOnResize(svg, draw) {
  if (typeof ResizeObserver === "undefined") return;
  let entry = redraws.get(svg);
  if (!entry) {
    entry = { draw, width: 0, frame: 0 };
    entry.observer = new ResizeObserver(() => {
      const w = Math.round(svg.getBoundingClientRect().width);
      if (w < 160 || Math.abs(w - entry.width) < 2) return;
      cancelAnimationFrame(entry.frame);
      entry.frame = requestAnimationFrame(() => entry.draw());
    });
    entry.observer.observe(svg);
    redraws.set(svg, entry);
  }
  entry.draw = draw;
  entry.width = Math.round(svg.getBoundingClientRect().width);
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

/**
 * The small plot of the output across nudges. The solid line with filled dots is what
 * happened; each dashed segment ending in a ring is what the gradient predicted for
 * that nudge (rate × Σ grad², to first order). At small rates the two agree, so the
 * ring sits around the dot: both stay visible. A legend above says which is which.
 * Drawn at the SVG's width on screen, and again when that changes.
 */
export function drawNudgePlot(svg, nudges) {
  redrawOnResize(svg, () => drawNudgePlot(svg, nudges));
  svg.replaceChildren();
  const W = plotWidth(svg, 320);
  const H0 = 170;
  if (!nudges.length) {
    svg.setAttribute("viewBox", `0 0 ${W} ${H0}`);
    const t = el("text", { x: W / 2, y: H0 / 2, class: "plot-empty" }, svg);
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
  const yTicks = niceTicks(lo, hi, 4);
  const yTexts = yTicks.map((v) => fmtShort(String(v)));
  // (Key marks have classes of their own: tests count the plot's points by class.)
  const items = [
    { label: "actual output", cls: "actual", marker: "dot", markerCls: "key-actual-dot" },
    { label: "gradient's prediction", cls: "predicted", marker: "ring", markerCls: "key-predicted-dot" },
  ];
  const legendH = layoutLegend(items, W - 16).height;
  const PAD = { l: leftPad(yTexts), r: 14, t: legendH + 14, b: 44 };
  const H = H0 + legendH;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const box = { ...PAD, W, H };
  const n = actual.length - 1;
  const X = (j) => PAD.l + (n === 0 ? 0 : (j / n) * (W - PAD.l - PAD.r));
  const Y = (v) => PAD.t + (1 - (v - lo) / (hi - lo)) * (H - PAD.t - PAD.b);

  // Grid and ticks: round values on y, whole nudges on x.
  yTicks.forEach((v, k) => {
    el("line", { x1: PAD.l, x2: W - PAD.r, y1: Y(v), y2: Y(v), class: "grid" }, svg);
    el("text", { x: PAD.l - 6, y: Y(v), class: "tick y" }, svg).textContent = yTexts[k];
  });
  el("line", { x1: PAD.l, x2: W - PAD.r, y1: H - PAD.b, y2: H - PAD.b, class: "axis" }, svg);
  el("line", { x1: PAD.l, x2: PAD.l, y1: PAD.t, y2: H - PAD.b, class: "axis" }, svg);
  const room = Math.max(1, Math.floor((W - PAD.l - PAD.r) / 28)); // ticks at least 28 px apart
  const xs = n <= Math.min(8, room) ? [...Array(n + 1).keys()] : niceTicks(0, n, Math.min(5, room)).filter((v) => Number.isInteger(v));
  for (const j of xs) {
    el("text", { x: X(j), y: H - PAD.b + 16, class: "tick x" }, svg).textContent = String(j);
  }
  axisLabels(svg, box, { x: "nudges made", y: "output" });

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
  drawLegend(svg, items, 8, 6, W - 16);
}
