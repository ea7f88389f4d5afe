// The gradient lab's two plots, drawn as SVG from plain data (gradstep/lab/views.py's replies,
// floats as repr strings). No state: each call redraws the whole plot.
//
// - drawErrorPlot: |estimate - backprop| against h on log-log axes, the measured
//   curves of the forward, backward and central differences, the theory's lines
//   (truncation h and h², round-off eps·|f|/h) and the best h of each.
// - drawSlopeView: the output against one leaf, the tangent whose slope is the
//   backprop gradient, and the secants the forward and central differences draw.

import { niceTicks } from "../graph/plot.js";
import { fmtShort } from "../graph/scene.js";

const NS = "http://www.w3.org/2000/svg";
const W = 420;
const H = 260;
const PAD = { l: 58, r: 12, t: 28, b: 34 };
const SERIES = [
  { key: "forward", label: "forward", cls: "s-forward" },
  { key: "backward", label: "backward", cls: "s-backward" },
  { key: "central", label: "central", cls: "s-central" },
];

function el(name, attrs, parent) {
  const e = document.createElementNS(NS, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  parent.appendChild(e);
  return e;
}

const num = (v) => (v == null ? null : Number(v));

function frame(svg, message) {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  if (message) {
    const t = el("text", { x: W / 2, y: H / 2, class: "plot-empty" }, svg);
    t.textContent = message;
  }
}

function legend(svg, items) {
  const g = el("g", { class: "legend-row", transform: `translate(${PAD.l},12)` }, svg);
  let x = 0;
  for (const it of items) {
    el("line", { x1: x, x2: x + 16, y1: 0, y2: 0, class: it.cls }, g);
    const t = el("text", { x: x + 20, y: 0, class: "legend-text" }, g);
    t.textContent = it.label;
    x += 26 + 5.6 * it.label.length;
  }
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

/**
 * @param {SVGSVGElement} svg
 * @param {{points: [{h, forward, backward, central}], theory?: {...}, best?: {...}}} curve
 *   gradstep.lab.views.error_curve's reply (floats as strings; null where not computable)
 * @param {number} h the h chosen now (marked)
 */
export function drawErrorPlot(svg, curve, h) {
  const rows = curve?.points || curve?.rows || [];
  if (!rows.length) return frame(svg, "Choose a leaf to see the error against h.");
  frame(svg);
  const hs = rows.map((r) => num(r.h));
  const errs = [];
  for (const r of rows) for (const s of SERIES) {
    const v = num(r[s.key]);
    if (v != null && v > 0) errs.push(v);
  }
  const lx0 = Math.floor(Math.log10(Math.min(...hs)));
  const lx1 = Math.ceil(Math.log10(Math.max(...hs)));
  let ly0 = errs.length ? Math.floor(Math.log10(Math.min(...errs))) : -16;
  let ly1 = errs.length ? Math.ceil(Math.log10(Math.max(...errs))) : 0;
  if (ly1 - ly0 < 2) ly1 = ly0 + 2;
  ly0 = Math.max(ly0, -18);
  const X = (v) => PAD.l + ((Math.log10(v) - lx0) / (lx1 - lx0)) * (W - PAD.l - PAD.r);
  const Y = (v) => PAD.t + (1 - (Math.log10(v) - ly0) / (ly1 - ly0)) * (H - PAD.t - PAD.b);
  const inY = (v) => v > 0 && Math.log10(v) >= ly0 - 1e-9 && Math.log10(v) <= ly1 + 1e-9;

  // Decades as grid lines.
  const ystep = Math.max(1, Math.ceil((ly1 - ly0) / 6));
  for (let d = ly0; d <= ly1; d += ystep) {
    el("line", { x1: PAD.l, x2: W - PAD.r, y1: Y(10 ** d), y2: Y(10 ** d), class: "grid" }, svg);
    el("text", { x: PAD.l - 5, y: Y(10 ** d), class: "tick y" }, svg).textContent = `1e${d}`;
  }
  const xstep = Math.max(1, Math.ceil((lx1 - lx0) / 6));
  for (let d = lx0; d <= lx1; d += xstep) {
    el("line", { x1: X(10 ** d), x2: X(10 ** d), y1: PAD.t, y2: H - PAD.b, class: "grid" }, svg);
    el("text", { x: X(10 ** d), y: H - PAD.b + 14, class: "tick x" }, svg).textContent = `1e${d}`;
  }
  el("text", { x: (PAD.l + W - PAD.r) / 2, y: H - 4, class: "axis-label" }, svg).textContent = "h";
  el("line", { x1: PAD.l, x2: PAD.l, y1: PAD.t, y2: H - PAD.b, class: "axis" }, svg);
  el("line", { x1: PAD.l, x2: W - PAD.r, y1: H - PAD.b, y2: H - PAD.b, class: "axis" }, svg);

  // The theory's lines, dashed: truncation (slope 1 and 2) and round-off (slope -1).
  const th = curve.theory || {};
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

  for (const s of SERIES) {
    polyline(svg, rows.map((r) => {
      const v = num(r[s.key]);
      return v != null && v > 0 && inY(v) ? [X(num(r.h)), Y(v)] : null;
    }), s.cls);
  }
  // The best h of each estimate (measured), and the h chosen now.
  const best = curve.best || {};
  for (const s of SERIES) {
    const b = best[s.key];
    const bh = num(b?.measured ?? b);
    if (bh > 0) el("line", { x1: X(bh), x2: X(bh), y1: PAD.t, y2: H - PAD.b, class: `best ${s.cls}` }, svg);
  }
  if (h > 0 && Math.log10(h) >= lx0 && Math.log10(h) <= lx1) {
    el("line", { x1: X(h), x2: X(h), y1: PAD.t, y2: H - PAD.b, class: "chosen" }, svg);
  }
  legend(svg, [...SERIES, { label: "theory", cls: "theory s-forward" }, { label: "round-off", cls: "theory s-roundoff" }]);
}

/**
 * @param {SVGSVGElement} svg
 * @param {object} view gradstep.lab.views.slope_view's reply: {xs, ys, x, y, slope,
 *   forward: [[x0, y0], [x1, y1]], central: [[x0, y0], [x1, y1]]}
 * @param {Array<{x, y}>} trail earlier points of the leaf (nudges, edits), oldest first
 * @returns {{toX(px): number, point: SVGCircleElement}|null} for dragging the point:
 *   the leaf value under a screen x, and the point's element
 */
export function drawSlopeView(svg, view, trail = []) {
  const xs = (view?.xs || []).map(num);
  const ys = (view?.ys || []).map(num);
  if (!xs.length) return frame(svg, "Choose a leaf to see the output against it.");
  frame(svg);
  const x0 = num(view.x);
  const y0 = num(view.y);
  const fin = ys.filter((v) => v != null && Number.isFinite(v));
  let lo = Math.min(...fin, y0);
  let hi = Math.max(...fin, y0);
  if (hi - lo < 1e-12) {
    lo -= 1;
    hi += 1;
  }
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  const xa = Math.min(...xs);
  const xb = Math.max(...xs);
  const X = (v) => PAD.l + ((v - xa) / (xb - xa || 1)) * (W - PAD.l - PAD.r);
  const Y = (v) => PAD.t + (1 - (v - lo) / (hi - lo)) * (H - PAD.t - PAD.b);
  for (const v of niceTicks(lo, hi, 5)) {
    el("line", { x1: PAD.l, x2: W - PAD.r, y1: Y(v), y2: Y(v), class: "grid" }, svg);
    el("text", { x: PAD.l - 5, y: Y(v), class: "tick y" }, svg).textContent = fmtShort(String(v));
  }
  for (const v of niceTicks(xa, xb, 5)) {
    el("text", { x: X(v), y: H - PAD.b + 14, class: "tick x" }, svg).textContent = fmtShort(String(v));
  }
  el("text", { x: (PAD.l + W - PAD.r) / 2, y: H - 4, class: "axis-label" }, svg).textContent = view.label || "leaf";
  el("line", { x1: PAD.l, x2: PAD.l, y1: PAD.t, y2: H - PAD.b, class: "axis" }, svg);
  el("line", { x1: PAD.l, x2: W - PAD.r, y1: H - PAD.b, y2: H - PAD.b, class: "axis" }, svg);
  // Clip what leaves the box (a steep tangent).
  const id = `clip-${Math.random().toString(36).slice(2)}`;
  const cp = el("clipPath", { id }, el("defs", {}, svg));
  el("rect", { x: PAD.l, y: PAD.t, width: W - PAD.l - PAD.r, height: H - PAD.t - PAD.b }, cp);
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
  const steps = trail.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.x >= xa && p.x <= xb);
  if (steps.length > 1) {
    polyline(g, steps.map((p) => [X(p.x), Y(p.y)]), "s-trail");
    for (const p of steps.slice(0, -1)) el("circle", { cx: X(p.x), cy: Y(p.y), r: 2.5, class: "s-trail-dot" }, g);
  }
  const point = el("circle", { cx: X(x0), cy: Y(y0), r: 6, class: "s-point", tabindex: "0", role: "slider",
    "aria-label": `${view.label || "leaf"} = ${x0}: drag, or use the arrow keys, to move it`,
    "aria-valuenow": String(x0), "aria-valuemin": String(xa), "aria-valuemax": String(xb) }, svg);
  legend(svg, [{ label: "output", cls: "s-curve" }, { label: "tangent (backprop)", cls: "s-tangent" },
    { label: "forward", cls: "s-forward" }, { label: "central", cls: "s-central" }]);
  const toX = (px) => {
    const r = svg.getBoundingClientRect();
    const vx = ((px - r.left) / r.width) * W;
    return xa + ((Math.min(W - PAD.r, Math.max(PAD.l, vx)) - PAD.l) / (W - PAD.l - PAD.r)) * (xb - xa);
  };
  // Where the curve is at x (between two computed points), for the point while dragged.
  const yAt = (x) => {
    let k = 1;
    while (k < xs.length - 1 && xs[k] < x) k++;
    const [a, b, ya, yb] = [xs[k - 1], xs[k], ys[k - 1], ys[k]];
    return ya == null || yb == null ? null : ya + ((yb - ya) * (x - a)) / (b - a || 1);
  };
  const moveTo = (x) => {
    const y = yAt(x);
    point.setAttribute("cx", X(x));
    if (y != null) point.setAttribute("cy", Y(y));
  };
  return { toX, moveTo, point, step: (xb - xa) / 50 };
}
