// Geometry shared by the SVG and canvas drawings: where each edge starts, bends and
// ends, the smooth path through those points, and where its label sits.

import { tapeIndex } from "./scene.js";

const OP_LABELS = { "*": "×", "-": "−", "/": "÷", neg: "−", sigmoid: "σ", sqrt: "√", "**": "^" };

/** The symbol drawn inside an op circle. */
export function opSymbol(label) {
  return OP_LABELS[label] ?? label;
}

/**
 * Build the drawable model of a layout: nodes by id, value nodes by tape index,
 * edges with their screen points, and the graph's bounds.
 */
export function buildModel(layout) {
  const byId = new Map();
  const values = [];
  const ops = [];
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const node of layout.nodes) {
    byId.set(node.id, node);
    if (node.kind === "op") ops.push(node);
    else values.push(node);
    minX = Math.min(minX, node.x);
    minY = Math.min(minY, node.y);
    maxX = Math.max(maxX, node.x + node.width);
    maxY = Math.max(maxY, node.y + node.height);
  }
  // How many inputs each op node has, to spread their arrival points.
  const fanIn = new Map();
  for (const e of layout.edges) {
    if (e.input != null) fanIn.set(e.target, Math.max(fanIn.get(e.target) || 0, e.input + 1));
  }
  const edges = [];
  for (const e of layout.edges) {
    const s = byId.get(e.source);
    const t = byId.get(e.target);
    if (!s || !t) continue;
    const start = [s.x + s.width, s.y + s.height / 2];
    let endY = t.y + t.height / 2;
    const m = fanIn.get(e.target) || 1;
    if (e.input != null && m > 1) {
      const gap = Math.min(8, (t.height - 6) / (m - 1));
      endY += (e.input - (m - 1) / 2) * gap;
    }
    // Arrive on the circle's rim, not its bounding box.
    let endX = t.x;
    if (t.kind === "op") {
      const r = t.width / 2;
      const dy = endY - (t.y + t.height / 2);
      endX = t.x + r - Math.sqrt(Math.max(0, r * r - dy * dy));
    }
    const end = [endX, endY];
    const pts = [start];
    // The layout's polyline may include its own end points (on the nodes' edges):
    // ours replace them, so only the bends in between are kept.
    const inside = (p, n) => p[0] >= n.x - 3 && p[0] <= n.x + n.width + 3 && p[1] >= n.y - 3 && p[1] <= n.y + n.height + 3;
    for (const p of e.points || []) {
      if (inside(p, s) || inside(p, t)) continue;
      pts.push([p[0], p[1]]);
    }
    pts.push(end);
    for (const p of pts) {
      minX = Math.min(minX, p[0]);
      minY = Math.min(minY, p[1]);
      maxX = Math.max(maxX, p[0]);
      maxY = Math.max(maxY, p[1]);
    }
    edges.push({
      source: e.source,
      target: e.target,
      input: e.input,
      consumer: e.node != null ? tapeIndex(e.node) : null,
      // op -> value edges belong to the value node they produce
      producer: e.input == null && t.kind !== "op" ? tapeIndex(t.id) : null,
      sourceIndex: s.kind === "op" ? null : tapeIndex(s.id),
      pts,
    });
  }
  if (!Number.isFinite(minX)) { minX = minY = 0; maxX = maxY = 1; }
  const bounds = { x: minX, y: minY, width: Math.max(1, maxX - minX), height: Math.max(1, maxY - minY) };
  // Lookups for highlighting a step's edges.
  const byConsumer = new Map(); // i -> edges into i's op node (its inputs)
  const bySource = new Map(); // i -> edges out of value node i (its uses)
  const byProducer = new Map(); // i -> the op -> value edge that makes i
  const push = (map, k, e) => { const a = map.get(k); if (a) a.push(e); else map.set(k, [e]); };
  for (const e of edges) {
    if (e.consumer != null) push(byConsumer, e.consumer, e);
    if (e.sourceIndex != null) push(bySource, e.sourceIndex, e);
    if (e.producer != null) byProducer.set(e.producer, e);
  }
  return { byId, values, ops, edges, bounds, byConsumer, bySource, byProducer };
}

/** A smooth path through points: horizontal-tangent cubic segments. */
export function pathD(pts) {
  let d = `M${r(pts[0][0])},${r(pts[0][1])}`;
  for (let i = 1; i < pts.length; i++) {
    const [x0, y0] = pts[i - 1];
    const [x1, y1] = pts[i];
    const mx = (x0 + x1) / 2;
    d += `C${r(mx)},${r(y0)} ${r(mx)},${r(y1)} ${r(x1)},${r(y1)}`;
  }
  return d;
}

/** A point at fraction t along the last segment of the path (where a label sits). */
export function labelPoint(pts, t = 0.62) {
  const [x0, y0] = pts[pts.length - 2];
  const [x3, y3] = pts[pts.length - 1];
  const mx = (x0 + x3) / 2;
  const u = 1 - t;
  const x = u * u * u * x0 + 3 * u * u * t * mx + 3 * u * t * t * mx + t * t * t * x3;
  const y = u * u * u * y0 + 3 * u * u * t * y0 + 3 * u * t * t * y3 + t * t * t * y3;
  return [x, y];
}

function r(v) {
  return Math.round(v * 10) / 10;
}

/** Colour for a gradient: diverging red (positive) / blue (negative), intensity by size. */
export function gradFill(gradRepr, maxAbs, theme) {
  if (gradRepr === "") return theme.nodeBg;
  const g = Number(gradRepr);
  if (!Number.isFinite(g) || g === 0 || !(maxAbs > 0)) return theme.nodeBg;
  const t = Math.min(1, Math.abs(g) / maxAbs);
  return mix(theme.nodeBg, g > 0 ? theme.gradPos : theme.gradNeg, 0.12 + 0.6 * t);
}

function mix(a, b, t) {
  const ca = parseColor(a);
  const cb = parseColor(b);
  const c = ca.map((v, i) => Math.round(v + (cb[i] - v) * t));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

const colorCache = new Map();
function parseColor(s) {
  let c = colorCache.get(s);
  if (c) return c;
  s = s.trim();
  if (s.startsWith("#")) {
    const h = s.length === 4 ? s.slice(1).split("").map((x) => x + x).join("") : s.slice(1);
    c = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
  } else {
    const m = s.match(/[\d.]+/g) || ["0", "0", "0"];
    c = m.slice(0, 3).map(Number);
  }
  colorCache.set(s, c);
  return c;
}

/** Theme colours from the page's CSS custom properties. */
export function readTheme(el = document.documentElement) {
  const cs = getComputedStyle(el);
  const v = (name, fallback) => cs.getPropertyValue(name).trim() || fallback;
  return {
    nodeBg: v("--node-bg", "#ffffff"),
    gradPos: v("--grad-pos", "#d6604d"),
    gradNeg: v("--grad-neg", "#4393c3"),
    ink: v("--ink", "#1b1f24"),
    muted: v("--muted", "#57606a"),
    edge: v("--edge", "#8c959f"),
    accent: v("--accent", "#8250df"),
    border: v("--node-border", "#57606a"),
    opBg: v("--op-bg", "#f6f8fa"),
    bg: v("--graph-bg", "#ffffff"),
  };
}

/**
 * What the step that led to position p touched: the edges it used and the nodes at
 * their other ends (a forward step's inputs, a backward step's consumers).
 */
export function stepFocus(tl, model, p) {
  const edges = [];
  const related = new Set();
  if (p <= 0 || p > tl.frames.length) return { edges, related };
  const frame = tl.frames[p - 1];
  const i = frame.node;
  if (frame.kind === "forward") {
    for (const e of model.byConsumer.get(i) || []) {
      edges.push(e);
      if (e.sourceIndex != null) related.add(e.sourceIndex);
    }
    const made = model.byProducer.get(i);
    if (made) edges.push(made);
  } else {
    for (const e of model.bySource.get(i) || []) {
      if (e.consumer == null) continue;
      edges.push(e);
      related.add(e.consumer);
    }
  }
  return { edges, related };
}
