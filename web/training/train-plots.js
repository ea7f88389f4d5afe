// The training view's plots, drawn by hand in SVG at their size on screen (1 SVG unit =
// 1 CSS pixel, so their text is FONT px at any width, a phone's too): the loss and
// accuracy curve with its axis labels, and the axes and colour key of the decision
// boundary's heat map (the heat map itself is a canvas image: web/training/train.js).
//
// The curve keeps its elements between frames: while training plays only the two lines'
// points change (and the ticks when their values do), so a frame is a few attribute writes,
// not a new SVG (issue #15: frame gaps while the spiral played).

import { el, niceTicks, PLOT_FONT as FONT, textWidth } from "../graph/plot.js";

// A colour a class: the datasets' three, then seven more for your own data (up to 10 classes).
export const CLASS_COLORS = ["#2f78b7", "#d6604d", "#2e9e5b", "#e08a1e", "#8c6bb1", "#8c564b", "#d45f9e",
  "#7f7f7f", "#9a9a2a", "#17a2b8"];
const CLASS_RGB = CLASS_COLORS.map((h) => [1, 3, 5].map((k) => parseInt(h.slice(k, k + 2), 16)));
export const CLASS_NAMES = ["blue", "red", "green", "orange", "purple", "brown", "pink", "grey", "olive", "cyan"];

/** A tick's text: short, no float noise ("0.3", not "0.30000000000000004"). */
export function tickText(v) {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0).replace("e+", "e");
  return String(Number(v.toPrecision(6)));
}

/** min and max of the finite values (no spread: a long run has more values than arguments may). */
export function extent(values) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/**
 * Where the curve's parts go, in CSS px, for a plot `width` wide: the plot area's edges
 * (room on the left for the loss ticks and their label, on the right for "100%" and its
 * label, below for the step ticks and "step"). Pure: tests/js checks that nothing is cut
 * off or overlaps.
 */
export function curveBox(width, lossTicks) {
  const widest = Math.max(textWidth("0"), ...lossTicks.map((v) => textWidth(tickText(v))));
  const W = Math.max(200, Math.round(width));
  const H = W < 480 ? 200 : 240;
  const l = Math.ceil(6 + widest + 6 + FONT + 6); // tick, gap, the turned label, gap
  const r = Math.ceil(6 + textWidth("100%") + 6 + FONT + 6); // "100%", gap, the turned label
  return { W, H, l, r: W - r, t: 10, b: H - (9 + FONT + 2 + 4 + FONT + 6) }; // (the ticks 9 px below: clear of "0%")
}

/** The smallest 1, 2 or 5 times a power of ten that is at least n (at least 10). */
export function roundUp(n) {
  for (let p = 10; ; p *= 10) for (const m of [1, 2, 5]) if (m * p >= n) return m * p;
}

/** A chart's words while it has nothing to draw yet (in the middle of its empty box). */
export function emptyHint(svg, W, H, words) {
  el("text", { x: W / 2, y: H / 2, class: "empty-hint", "text-anchor": "middle", "dominant-baseline": "middle" }, svg)
    .textContent = words;
}

/** The loss (left axis) and accuracy (right axis, 0 to 100%) curves against steps. */
export class Curve {
  constructor(svg) {
    this.svg = svg;
    this.width = 0;
    this.key = "";
  }

  /** Draw the curves; `width` the SVG's width on screen (CSS px). */
  /**
   * losses: one a step; accuracies: [step, accuracy] pairs; testLosses: the test points' loss after each step (or none);
   * others: the optimizer comparison's copies, each {losses} (one a step), drawn as lines of their own.
   */
  draw(losses, accuracies, width, testLosses = [], others = []) {
    const svg = this.svg;
    const L = losses;
    if (!L.length) {
      // Empty, but at its size: the first step then moves nothing under it (a page-wide
      // layout and repaint when training started: issue #18).
      const box = curveBox(width || 640, [0, 1]);
      if (this.key !== `empty ${box.W}`) {
        this.key = `empty ${box.W}`;
        svg.replaceChildren();
        svg.setAttribute("viewBox", `0 0 ${box.W} ${box.H}`);
        svg.setAttribute("width", box.W);
        svg.setAttribute("height", box.H);
        emptyHint(svg, box.W, box.H, "Step or Play to draw the loss");
      }
      return;
    }
    let [lo, hi] = extent(L);
    const [tlo, thi] = extent(testLosses);
    if (Number.isFinite(tlo)) [lo, hi] = [Math.min(lo, tlo), Math.max(hi, thi)];
    for (const o of others) {
      const [olo, ohi] = extent(o.losses);
      if (Number.isFinite(olo)) [lo, hi] = [Math.min(lo, olo), Math.max(hi, ohi)];
    }
    if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
    lo = Math.min(0, lo);
    if (hi <= lo) hi = lo + 1;
    // The axes' ends are round numbers (the loss's next tick, the steps' next 1, 2 or 5 times
    // a power of ten), so while training plays they seldom change: only the lines are redrawn.
    let yt = niceTicks(lo, hi, 4);
    if (yt[yt.length - 1] < hi) yt = niceTicks(lo, hi * 1.05, 4);
    hi = Math.max(hi, yt[yt.length - 1]);
    const box = curveBox(width || 640, yt);
    const last = roundUp(Math.max(2, L.length));
    const xt = niceTicks(0, last, Math.max(2, Math.floor((box.r - box.l) / 70))).filter((k) => Number.isInteger(k) && k >= 0);
    const X = (s) => box.l + (s / last) * (box.r - box.l); // s: steps taken
    const Y = (v) => box.t + (1 - (v - lo) / (hi - lo)) * (box.b - box.t);
    const YA = (a) => box.t + (1 - a) * (box.b - box.t);
    const key = JSON.stringify([box.W, lo, hi, last, accuracies.length > 1, testLosses.length > 0, others.length]);
    if (key !== this.key) {
      this.key = key;
      svg.replaceChildren();
      svg.setAttribute("viewBox", `0 0 ${box.W} ${box.H}`);
      svg.setAttribute("width", box.W);
      svg.setAttribute("height", box.H);
      const axes = el("g", { class: "axes" }, svg);
      for (const v of yt) {
        el("line", { x1: box.l, x2: box.r, y1: Y(v), y2: Y(v), class: "grid" }, axes);
        el("text", { x: box.l - 6, y: Y(v), class: "tick y", "text-anchor": "end", "dominant-baseline": "middle" }, axes)
          .textContent = tickText(v);
      }
      el("line", { x1: box.l, x2: box.r, y1: box.b, y2: box.b, class: "axis" }, axes);
      for (const k of xt) {
        el("text", { x: X(k), y: box.b + 9, class: "tick x", "text-anchor": "middle", "dominant-baseline": "hanging" }, axes)
          .textContent = String(k);
      }
      el("text", { x: (box.l + box.r) / 2, y: box.H - 4, class: "axis-label", "text-anchor": "middle" }, axes).textContent = "step";
      const my = (box.t + box.b) / 2;
      el("text", { x: FONT, y: my, class: "axis-label loss", "text-anchor": "middle", transform: `rotate(-90 ${FONT} ${my})` }, axes)
        .textContent = "loss";
      if (accuracies.length > 1) {
        for (const a of [0, 0.5, 1]) {
          el("text", { x: box.r + 6, y: YA(a), class: "tick y acc", "text-anchor": "start", "dominant-baseline": "middle" }, axes)
            .textContent = `${a * 100}%`;
        }
        const ax = box.W - 6;
        el("text", { x: ax, y: my, class: "axis-label acc", "text-anchor": "middle", transform: `rotate(-90 ${ax} ${my})` }, axes)
          .textContent = "accuracy";
      }
      this.testLine = el("polyline", { class: "test-line" }, svg);
      this.otherLines = others.map((_, k) => el("polyline", { class: `other-line other-${k}` }, svg));
      this.lossLine = el("polyline", { class: "loss-line" }, svg);
      this.accLine = el("polyline", { class: "acc-line" }, svg);
    }
    // (at most about 600 points drawn: a long run is sampled evenly)
    // (the loss of step k+1 is computed at the weights of step k: drawn at k+1, where that step
    // ends; accuracy k is measured after k steps. At most about 600 points a line.)
    const pts = (arr, shift, y) => {
      const stride = Math.max(1, Math.ceil(arr.length / 600));
      let out = "";
      for (let k = 0; k < arr.length; k += stride) out += `${X(k + shift).toFixed(1)},${y(arr[k]).toFixed(1)} `;
      const end = arr.length - 1;
      if (end % stride) out += `${X(end + shift).toFixed(1)},${y(arr[end]).toFixed(1)}`;
      return out;
    };
    this.lossLine.setAttribute("points", pts(L, 1, (v) => Y(Number.isFinite(v) ? v : hi)));
    // (the test loss of step k+1 is measured after that step: drawn at k+1 too)
    this.testLine.setAttribute("points", testLosses.length ? pts(testLosses, 1, (v) => Y(Number.isFinite(v) ? v : hi)) : "");
    others.forEach((o, k) => this.otherLines[k].setAttribute("points", o.losses.length ? pts(o.losses, 1, (v) => Y(Number.isFinite(v) ? v : hi)) : ""));
    // accuracies: [step, accuracy] pairs (one a reply), drawn at their steps
    const A = accuracies;
    const stride = Math.max(1, Math.ceil(A.length / 600));
    let acc = "";
    for (let k = 0; k < A.length; k += stride) acc += `${X(A[k][0]).toFixed(1)},${YA(A[k][1]).toFixed(1)} `;
    if ((A.length - 1) % stride) acc += `${X(A[A.length - 1][0]).toFixed(1)},${YA(A[A.length - 1][1]).toFixed(1)}`;
    this.accLine.setAttribute("points", A.length > 1 ? acc : "");
  }
}

/**
 * A heat-map cell's colour. `single`: the value is the one output's score, blue below 0, red
 * above (paler near 0, full at 1); else it is the class the network picks (its colour, pale).
 */
export function cellColor(score, single, dark, out = [0, 0, 0]) {
  const base = dark ? [22, 27, 34] : [255, 255, 255];
  let target;
  let t;
  if (single) {
    target = score > 0 ? CLASS_RGB[1] : CLASS_RGB[0];
    t = Math.min(1, Math.abs(score)) * 0.55;
  } else {
    target = CLASS_RGB[Math.max(0, Math.min(CLASS_RGB.length - 1, Math.round(score)))];
    t = 0.4;
  }
  for (let i = 0; i < 3; i++) out[i] = Math.round(base[i] + (target[i] - base[i]) * t);
  return out;
}

const rgb = (c) => `rgb(${c.join(" ")})`;

/**
 * The heat map's axes around it: `left` (the y axis) and `bottom` (the x axis) are SVGs
 * beside and under the canvas, `size` the canvas's CSS px a side, xs and ys the data's range.
 */
export function drawMapAxes(left, bottom, size, xs, ys) {
  const LW = 44;
  const BH = FONT + 8 + FONT + 8;
  left.replaceChildren();
  bottom.replaceChildren();
  for (const [svg, w, h] of [[left, LW, size], [bottom, size, BH]]) {
    svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    svg.setAttribute("width", w);
    svg.setAttribute("height", h);
  }
  if (!(size > 0)) return;
  const [x0, x1] = xs;
  const [y0, y1] = ys;
  const count = Math.max(2, Math.floor(size / 70));
  // (a range too wide for a double, like your data's -1e308 to 1e308, has no ticks to place)
  const spans = (a, b) => Number.isFinite(b - a) && b > a;
  for (const v of spans(x0, x1) ? niceTicks(x0, x1, count) : []) {
    const px = ((v - x0) / (x1 - x0)) * size;
    if (px < 6 || px > size - 6) continue;
    el("line", { x1: px, x2: px, y1: 0, y2: 4, class: "axis" }, bottom);
    el("text", { x: px, y: 6, class: "tick x", "text-anchor": "middle", "dominant-baseline": "hanging" }, bottom).textContent = tickText(v);
  }
  el("text", { x: size / 2, y: BH - 3, class: "axis-label", "text-anchor": "middle" }, bottom).textContent = "x";
  for (const v of spans(y0, y1) ? niceTicks(y0, y1, count) : []) {
    const py = (1 - (v - y0) / (y1 - y0)) * size;
    if (py < 6 || py > size - 6) continue;
    el("line", { x1: LW - 4, x2: LW, y1: py, y2: py, class: "axis" }, left);
    el("text", { x: LW - 6, y: py, class: "tick y", "text-anchor": "end", "dominant-baseline": "middle" }, left).textContent = tickText(v);
  }
  el("text", { x: FONT + 2, y: size / 2, class: "axis-label", "text-anchor": "middle", transform: `rotate(-90 ${FONT + 2} ${size / 2})` }, left)
    .textContent = "y";
}

/**
 * The heat map's colour key (HTML, so it wraps at any width): for two classes the score's
 * scale from blue (class 0) through the background (the boundary, score 0) to red (class 1);
 * for three, which class each colour predicts. Then the points' colours.
 */
export function fillMapKey(box, classes, dark, single) {
  box.replaceChildren();
  box.dataset.classes = String(classes);
  const span = keySpan(box);
  if (single) {
    const scale = span("train-key-scale");
    span("train-key-end", "−1", scale);
    const bar = span("train-key-bar", null, scale);
    const stops = [-1, -0.5, 0, 0.5, 1].map((s, k) => `${rgb(cellColor(s, true, dark))} ${k * 25}%`);
    bar.style.background = `linear-gradient(to right, ${stops.join(", ")})`;
    span("train-key-end", "+1", scale);
    span("train-key-text", "the network's score: below 0 it says blue, above 0 red; the boundary is where it is 0");
  } else {
    for (let c = 0; c < classes; c++) {
      const item = span("train-key-item");
      span("train-key-swatch", null, item).style.background = rgb(cellColor(c, false, dark));
      span("train-key-text", `says ${CLASS_NAMES[c]}`, item);
    }
  }
  const dots = span("train-key-item");
  for (let c = 0; c < classes; c++) span("train-key-dot", null, dots).style.background = CLASS_COLORS[c];
  span("train-key-text", `dots: the data, by class (${CLASS_NAMES.slice(0, classes).join(", ")})`, dots);
}

/** A key's span maker: span(class, text, parent = box) appends one and returns it. */
function keySpan(box) {
  return (cls, text, parent = box) => {
    const e = document.createElement("span");
    e.className = cls;
    if (text != null) e.textContent = text;
    parent.append(e);
    return e;
  };
}

/**
 * A regression's colour key: the output's and the targets' one scale, from -top to +top, in
 * `color(t, dark)`'s colours (network-view.js's unitColor: orange below 0, blue above).
 */
export function fillRegressionKey(box, top, dark, color) {
  box.replaceChildren();
  const span = keySpan(box);
  const scale = span("train-key-scale");
  const num = (v) => String(Number(v.toPrecision(3)));
  span("train-key-end", num(-top), scale);
  const bar = span("train-key-bar", null, scale);
  const css = (t) => `rgb(${color(t, dark).join(" ")})`;
  bar.style.background = `linear-gradient(to right, ${[-1, -0.5, 0, 0.5, 1].map((t, k) => `${css(t)} ${k * 25}%`).join(", ")})`;
  span("train-key-end", `+${num(top)}`, scale);
  span("train-key-text", "a regression: the field is the network's output, the dots the data's targets, on one scale");
}
