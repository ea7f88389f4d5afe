// The gradient lab's two plots, drawn as SVG from plain data (gradstep/lab/views.py's replies,
// floats as repr strings). No state: each call redraws the whole plot, at the SVG's width
// on screen (so the text is PLOT_FONT CSS px on a phone too), and again when it changes.
// Axis labels, and a legend in a band of its own above the data (web/graph/plot.js).
//
// - drawErrorPlot: |estimate - backprop| against h on log-log axes, the measured
//   curves of the three finite differences (one-sided +h, one-sided −h, central ±h),
//   the theory's lines (truncation h and h², round-off eps·|f|/h), the h chosen now and
//   the best h of each.
// - drawSlopeView: the output against one leaf, the tangent whose slope is the
//   backprop gradient, and the secants the one-sided and central differences draw. The
//   point that moves the leaf is not drawn here: it is an HTML slider over the plot
//   (lab.js), placed where this says.

import {
  axisLabels, drawLegend, el, layoutLegend, leftPad, niceTicks, plotWidth, redrawOnResize, textWidth,
} from "../graph/plot.js";
import { fmtShort } from "../graph/scene.js";

const H0 = 260; // the plot's height without its legend
/** The three finite differences, in the words the table and the plots share. */
export const DIFFERENCES = [
  { key: "forward", label: "one-sided +h", cls: "s-forward", formula: "(f(x+h) − f(x)) / h" },
  { key: "backward", label: "one-sided −h", cls: "s-backward", formula: "(f(x) − f(x−h)) / h" },
  { key: "central", label: "central ±h", cls: "s-central", formula: "(f(x+h) − f(x−h)) / 2h" },
];

const num = (v) => (v == null ? null : Number(v));

function empty(svg, message) {
  svg.replaceChildren();
  const W = plotWidth(svg, 420);
  svg.setAttribute("viewBox", `0 0 ${W} ${H0}`);
  const t = el("text", { x: W / 2, y: H0 / 2, class: "plot-empty" }, svg);
  t.textContent = message;
}

/** The plot's frame: size, legend band, padding; the plot area's edges as box. */
function layout(svg, items, yTexts) {
  svg.replaceChildren();
  const W = plotWidth(svg, 420);
  const legendH = layoutLegend(items, W - 16).height;
  const pad = { l: leftPad(yTexts), r: 14, t: legendH + 16, b: 44 };
  const H = H0 + legendH;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  return { ...pad, W, H };
}

function polyline(svg, pts, cls) {
  const segs = [];
  let cur = [];
  for (const p of pts) {
    if (p == null) {
      if (cur.length) segs.push(cur);
      cur = [];
    } else cur.push(p);
  }
  if (cur.length) segs.push(cur);
  for (const s of segs) {
    if (s.length === 1) el("circle", { cx: s[0][0], cy: s[0][1], r: 2.5, class: cls + " dot" }, svg);
    else el("polyline", { points: s.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" "), class: cls }, svg);
  }
}

/** Every `step`-th decade from lo to hi, with step as small as the room allows. */
function decades(lo, hi, room) {
  const step = Math.max(1, Math.ceil((hi - lo) / Math.max(1, room)));
  const out = [];
  for (let d = lo; d <= hi; d += step) out.push(d);
  return out;
}

/**
 * @param {SVGSVGElement} svg
 * @param {{points: [{h, forward, backward, central}], theory?: {...}, best?: {...}}} curve
 *   gradstep.lab.views.error_curve's reply (floats as strings; null where not computable)
 * @param {number} h the h chosen now (marked)
 */
/** A y range with room: a flat one opened to ±1, then 8% more at each end. */
function padded(lo, hi) {
  if (hi - lo < 1e-12) {
    lo -= 1;
    hi += 1;
  }
  const pad = (hi - lo) * 0.08;
  return { lo: lo - pad, hi: hi + pad };
}

export function drawErrorPlot(svg, curve, h) {
  redrawOnResize(svg, () => drawErrorPlot(svg, curve, h));
  const rows = curve?.points || curve?.rows || [];
  if (!rows.length) return empty(svg, "Choose a leaf to see the error against h.");
  const hs = rows.map((r) => num(r.h));
  const errs = [];
  for (const r of rows) for (const s of DIFFERENCES) {
    const v = num(r[s.key]);
    if (v != null && v > 0) errs.push(v);
  }
  const lx0 = Math.floor(Math.log10(Math.min(...hs)));
  const lx1 = Math.ceil(Math.log10(Math.max(...hs)));
  let ly0 = errs.length ? Math.floor(Math.log10(Math.min(...errs))) : -16;
  let ly1 = errs.length ? Math.ceil(Math.log10(Math.max(...errs))) : 0;
  if (ly1 - ly0 < 2) ly1 = ly0 + 2;
  ly0 = Math.max(ly0, -18);
  const th = curve.theory || {};
  const best = curve.best || {};
  const showH = h > 0 && Math.log10(h) >= lx0 && Math.log10(h) <= lx1;
  const items = [
    ...DIFFERENCES.map((s) => ({ label: s.label, cls: s.cls, title: s.formula })),
    { label: "theory: truncation", cls: "theory s-forward", title: "one-sided errs like h·|f''|/2, central like h²·|f'''|/6" },
    { label: "theory: round-off", cls: "theory s-roundoff", title: "rounding errs like eps·|f| / h" },
    ...(showH ? [{ label: `h now (${fmtShort(String(h))})`, cls: "chosen" }] : []),
    { label: "best h (dotted, each colour)", cls: "best s-roundoff", title: "where each measured error is least" },
  ];
  const yDecades = decades(ly0, ly1, 6);
  const box = layout(svg, items, yDecades.map((d) => `1e${d}`));
  const { W, H } = box;
  const X = (v) => box.l + ((Math.log10(v) - lx0) / (lx1 - lx0)) * (W - box.l - box.r);
  const Y = (v) => box.t + (1 - (Math.log10(v) - ly0) / (ly1 - ly0)) * (H - box.t - box.b);
  const inY = (v) => v > 0 && Math.log10(v) >= ly0 - 1e-9 && Math.log10(v) <= ly1 + 1e-9;

  // Decades as grid lines; as many x labels as fit without touching.
  for (const d of yDecades) {
    el("line", { x1: box.l, x2: W - box.r, y1: Y(10 ** d), y2: Y(10 ** d), class: "grid" }, svg);
    el("text", { x: box.l - 6, y: Y(10 ** d), class: "tick y" }, svg).textContent = `1e${d}`;
  }
  const room = Math.floor((W - box.l - box.r) / (textWidth("1e-10") + 10));
  for (const d of decades(lx0, lx1, room)) {
    el("line", { x1: X(10 ** d), x2: X(10 ** d), y1: box.t, y2: H - box.b, class: "grid" }, svg);
    el("text", { x: X(10 ** d), y: H - box.b + 16, class: "tick x" }, svg).textContent = `1e${d}`;
  }
  axisLabels(svg, box, { x: "h (log scale)", y: "error |estimate − backprop|" });
  el("line", { x1: box.l, x2: box.l, y1: box.t, y2: H - box.b, class: "axis" }, svg);
  el("line", { x1: box.l, x2: W - box.r, y1: H - box.b, y2: H - box.b, class: "axis" }, svg);

  // The theory's lines, dashed: truncation (slope 1 and 2) and round-off (slope -1).
  const line = (f, cls) => {
    const pts = hs.map((x) => {
      const y = f(x);
      return y != null && inY(y) ? [X(x), Y(y)] : null;
    });
    polyline(svg, pts, cls);
  };
  // (gradstep.lab.views: one_sided = |f''|/2, central = |f'''|/6, roundoff = eps·|f|.)
  if (num(th.one_sided) > 0) line((x) => num(th.one_sided) * x, "theory s-forward");
  if (num(th.central) > 0) line((x) => num(th.central) * x * x, "theory s-central");
  if (num(th.roundoff) > 0) line((x) => num(th.roundoff) / x, "theory s-roundoff");

  for (const s of DIFFERENCES) {
    polyline(svg, rows.map((r) => {
      const v = num(r[s.key]);
      return v != null && v > 0 && inY(v) ? [X(num(r.h)), Y(v)] : null;
    }), s.cls);
  }
  // The best h of each estimate (measured), and the h chosen now.
  for (const s of DIFFERENCES) {
    const b = best[s.key];
    const bh = num(b?.measured ?? b);
    if (bh > 0) el("line", { x1: X(bh), x2: X(bh), y1: box.t, y2: H - box.b, class: `best ${s.cls}` }, svg);
  }
  if (showH) el("line", { x1: X(h), x2: X(h), y1: box.t, y2: H - box.b, class: "chosen" }, svg);
  drawLegend(svg, items, 8, 6, W - 16);
}

/**
 * @param {SVGSVGElement} svg
 * @param {object} view gradstep.lab.views.slope_view's reply: {xs, ys, x, y, slope,
 *   forward: [[x0, y0], [x1, y1]], central: [[x0, y0], [x1, y1]]}, plus label (the
 *   leaf's) and output (the output's label) for the axes
 * @param {Array<{x, y}>} trail earlier points of the leaf (nudges, edits), oldest first
 * @param {function} onDrawn called with the reply after each drawing (a redraw on resize too)
 * @returns {{toX(px): number, at(x): {left, top}, lo, hi, step, x, y}|null} for the
 *   slider over the plot: the leaf value under a screen x, where a leaf value is drawn
 *   (left and top as fractions of the plot's width and height), the range drawn, one
 *   arrow key's step, and the point now
 */
export function drawSlopeView(svg, view, trail = [], onDrawn = () => {}) {
  redrawOnResize(svg, () => drawSlopeView(svg, view, trail, onDrawn));
  const xs = (view?.xs || []).map(num);
  const ys = (view?.ys || []).map(num);
  if (!xs.length) {
    empty(svg, "Choose a leaf to see the output against it.");
    onDrawn(null);
    return null;
  }
  const x0 = num(view.x);
  const y0 = num(view.y);
  const fin = ys.filter((v) => v != null && Number.isFinite(v));
  let lo = Math.min(...fin, y0);
  let hi = Math.max(...fin, y0);
  ({ lo, hi } = padded(lo, hi));
  const xa = Math.min(...xs);
  const xb = Math.max(...xs);
  const yTicks = niceTicks(lo, hi, 5);
  const yTexts = yTicks.map((v) => fmtShort(String(v)));
  const steps = trail.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.x >= xa && p.x <= xb);
  const items = [
    { label: "output", cls: "s-curve" },
    { label: "tangent: slope = backprop", cls: "s-tangent" },
    { label: "secant, one-sided +h", cls: "secant s-forward", title: DIFFERENCES[0].formula },
    { label: "secant, central ±h", cls: "secant s-central", title: DIFFERENCES[2].formula },
    ...(steps.length > 1 ? [{ label: "earlier values (nudges, edits)", cls: "s-trail" }] : []),
  ];
  const box = layout(svg, items, yTexts);
  const { W, H } = box;
  const X = (v) => box.l + ((v - xa) / (xb - xa || 1)) * (W - box.l - box.r);
  const Y = (v) => box.t + (1 - (v - lo) / (hi - lo)) * (H - box.t - box.b);
  yTicks.forEach((v, k) => {
    el("line", { x1: box.l, x2: W - box.r, y1: Y(v), y2: Y(v), class: "grid" }, svg);
    el("text", { x: box.l - 6, y: Y(v), class: "tick y" }, svg).textContent = yTexts[k];
  });
  const xTicks = niceTicks(xa, xb, Math.max(2, Math.min(5, Math.floor((W - box.l - box.r) / 64))));
  for (const v of xTicks) {
    el("text", { x: X(v), y: H - box.b + 16, class: "tick x" }, svg).textContent = fmtShort(String(v));
  }
  axisLabels(svg, box, { x: `${view.label || "leaf"} (the chosen leaf)`, y: view.output || "output" });
  el("line", { x1: box.l, x2: box.l, y1: box.t, y2: H - box.b, class: "axis" }, svg);
  el("line", { x1: box.l, x2: W - box.r, y1: H - box.b, y2: H - box.b, class: "axis" }, svg);
  // Clip what leaves the box (a steep tangent).
  const id = `clip-${Math.random().toString(36).slice(2)}`;
  const cp = el("clipPath", { id }, el("defs", {}, svg));
  el("rect", { x: box.l, y: box.t, width: W - box.l - box.r, height: H - box.t - box.b }, cp);
  const g = el("g", { "clip-path": `url(#${id})` }, svg);
  polyline(g, xs.map((x, k) => (ys[k] == null || !Number.isFinite(ys[k]) ? null : [X(x), Y(ys[k])])), "s-curve");
  const slope = num(view.slope);
  if (Number.isFinite(slope)) {
    el("line", { x1: X(xa), y1: Y(y0 + slope * (xa - x0)), x2: X(xb), y2: Y(y0 + slope * (xb - x0)), class: "s-tangent" }, g);
  }
  for (const [key, cls] of [["forward", "s-forward"], ["central", "s-central"]]) {
    const seg = view[key];
    if (!seg || seg.some((p) => p == null || p[1] == null)) continue;
    const [[ax, ay], [bx, by]] = seg.map(([a, b]) => [num(a), num(b)]);
    const m = (by - ay) / (bx - ax);
    if (!Number.isFinite(m)) continue;
    // The secant through its two points, drawn across the plot so its slope shows.
    el("line", { x1: X(xa), y1: Y(ay + m * (xa - ax)), x2: X(xb), y2: Y(ay + m * (xb - ax)), class: `secant ${cls}` }, g);
    el("circle", { cx: X(ax), cy: Y(ay), r: 3, class: cls + " dot" }, g);
    el("circle", { cx: X(bx), cy: Y(by), r: 3, class: cls + " dot" }, g);
  }
  // Each nudge or edit of the leaf as a step along the curve, oldest faintest.
  if (steps.length > 1) {
    polyline(g, steps.map((p) => [X(p.x), Y(p.y)]), "s-trail");
    for (const p of steps.slice(0, -1)) el("circle", { cx: X(p.x), cy: Y(p.y), r: 2.5, class: "s-trail-dot" }, g);
  }
  drawLegend(svg, items, 8, 6, W - 16);
  const toX = (px) => {
    const r = svg.getBoundingClientRect();
    const vx = ((px - r.left) / r.width) * W;
    return xa + ((Math.min(W - box.r, Math.max(box.l, vx)) - box.l) / (W - box.l - box.r)) * (xb - xa);
  };
  // Where the curve is at x (between two computed points), for the point while dragged.
  const yAt = (x) => {
    let k = 1;
    while (k < xs.length - 1 && xs[k] < x) k++;
    const [a, b, ya, yb] = [xs[k - 1], xs[k], ys[k - 1], ys[k]];
    return ya == null || yb == null ? null : ya + ((yb - ya) * (x - a)) / (b - a || 1);
  };
  const at = (x) => {
    const y = x === x0 ? y0 : yAt(x);
    return { left: X(x) / W, top: (y == null ? Y(y0) : Y(Math.min(hi, Math.max(lo, y)))) / H };
  };
  const geom = { toX, at, lo: xa, hi: xb, step: (xb - xa) / 50, x: x0, y: y0 };
  onDrawn(geom);
  return geom;
}

/**
 * Your derivative against the true one, along the chosen leaf (the other leaves at their
 * values on screen): where the two curves part is where yours is wrong. curve is
 * gradstep.lab.yours's {x, truth, yours} (floats as strings; null where undefined).
 * @param {{label: string, output: string, at: number|null}} names the leaf, the output, the leaf's value now
 */
export function drawYoursPlot(svg, curve, { label = "leaf", output = "output", at = null } = {}) {
  redrawOnResize(svg, () => drawYoursPlot(svg, curve, { label, output, at }));
  const xs = (curve?.x || []).map(num);
  const truth = (curve?.truth || []).map(num);
  const yours = (curve?.yours || []).map(num);
  const fin = [...truth, ...yours].filter((v) => v != null && Number.isFinite(v));
  if (xs.length < 2 || !fin.length) {
    empty(svg, "Nothing to draw: neither derivative could be computed here.");
    return;
  }
  // (a wild value of yours should not flatten the truth: the range follows the truth, widened)
  const tfin = truth.filter((v) => v != null && Number.isFinite(v));
  const base = tfin.length ? tfin : fin;
  let lo = Math.min(...base);
  let hi = Math.max(...base);
  const span = Math.max(hi - lo, 1e-9, Math.abs(hi) * 1e-6);
  const yfin = yours.filter((v) => v != null && Number.isFinite(v));
  lo = Math.max(Math.min(lo, ...yfin), lo - 2 * span);
  hi = Math.min(Math.max(hi, ...yfin), hi + 2 * span);
  ({ lo, hi } = padded(lo, hi));
  const xa = Math.min(...xs);
  const xb = Math.max(...xs);
  const yTicks = niceTicks(lo, hi, 5);
  const yTexts = yTicks.map((v) => fmtShort(String(v)));
  const items = [
    { label: `true d${output}/d${label} (backprop)`, cls: "y-truth" },
    { label: "yours", cls: "y-yours" },
  ];
  const box = layout(svg, items, yTexts);
  const { W, H } = box;
  const X = (v) => box.l + ((v - xa) / (xb - xa || 1)) * (W - box.l - box.r);
  const Y = (v) => box.t + (1 - (v - lo) / (hi - lo)) * (H - box.t - box.b);
  yTicks.forEach((v, k) => {
    el("line", { x1: box.l, x2: W - box.r, y1: Y(v), y2: Y(v), class: "grid" }, svg);
    el("text", { x: box.l - 6, y: Y(v), class: "tick y" }, svg).textContent = yTexts[k];
  });
  for (const v of niceTicks(xa, xb, Math.max(2, Math.min(5, Math.floor((W - box.l - box.r) / 64))))) {
    el("text", { x: X(v), y: H - box.b + 16, class: "tick x" }, svg).textContent = fmtShort(String(v));
  }
  axisLabels(svg, box, { x: label, y: `d${output}/d${label}` });
  el("line", { x1: box.l, x2: box.l, y1: box.t, y2: H - box.b, class: "axis" }, svg);
  el("line", { x1: box.l, x2: W - box.r, y1: H - box.b, y2: H - box.b, class: "axis" }, svg);
  const id = `clip-${Math.random().toString(36).slice(2)}`;
  const cp = el("clipPath", { id }, el("defs", {}, svg));
  el("rect", { x: box.l, y: box.t, width: W - box.l - box.r, height: H - box.t - box.b }, cp);
  const g = el("g", { "clip-path": `url(#${id})` }, svg);
  const pts = (ys) => xs.map((x, k) => (ys[k] == null || !Number.isFinite(ys[k]) ? null : [X(x), Y(ys[k])]));
  polyline(g, pts(truth), "y-truth");
  polyline(g, pts(yours), "y-yours");
  if (at != null && Number.isFinite(at) && at >= xa && at <= xb) {
    el("line", { x1: X(at), x2: X(at), y1: box.t, y2: H - box.b, class: "y-now" }, g);
  }
  drawLegend(svg, items, 8, 6, W - 16);
}
