// Geometry shared by the SVG and canvas drawings: where each edge starts, bends and
// ends, the smooth path through those points, and where its label sits.

import { nextTask } from "./frame.js";
import { stepAt, tapeIndex } from "./scene.js";

/** The text drawn inside an op node: the scene's glyph (gradstep.core.ops.GLYPHS, sized by the layout). */
export function opSymbol(node) {
  return node.glyph ?? node.label;
}

/** An op node wider than high (a long symbol) is drawn as a pill, else a circle. */
export function isPill(n) {
  return n.width > n.height + 0.5;
}

/** Longest value-node name drawn whole (gradstep.layout.sizes LABEL_MAX_CHARS). */
export const LABEL_MAX_CHARS = 40;

/** A value node's name as drawn: cut with an ellipsis past LABEL_MAX_CHARS. */
export function shownLabel(label) {
  return label.length > LABEL_MAX_CHARS ? label.slice(0, LABEL_MAX_CHARS - 1) + "…" : label;
}

/**
 * The box reserved for an edge label (a local derivative, fmtShort: at most 8
 * characters of 11 px monospace, plus padding), and the clearance kept from nodes.
 * gradstep.layout leaves a gap this wide in front of op layers.
 */
export const EDGE_LABEL = { width: 66, height: 16, clear: 5, apart: 2 }; // apart: between labels

/**
 * Build the drawable model of a layout: nodes by id, value nodes by tape index,
 * edges with their screen points, and the graph's bounds.
 */
export function buildModel(layout) {
  const steps = modelSteps(layout);
  let r = steps.next();
  while (!r.done) r = steps.next();
  return r.value;
}

/**
 * buildModel a slice at a time: the main thread is given back whenever a slice has
 * taken `sliceMs` (a graph of 60,000 nodes takes about half a second to model,
 * which would freeze the page for as long).
 */
export async function buildModelAsync(layout, sliceMs = 25) {
  const steps = modelSteps(layout);
  let t0 = performance.now();
  let r = steps.next();
  while (!r.done) {
    if (performance.now() - t0 > sliceMs) {
      await nextTask();
      t0 = performance.now();
    }
    r = steps.next();
  }
  return r.value;
}

const SLICE = 2000; // nodes or edges between the points where modelSteps may pause

/** buildModel's work as a generator: it yields every SLICE items and returns the model. */
function* modelSteps(layout) {
  const byId = new Map();
  const values = [];
  const ops = [];
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  let k = 0;
  for (const node of layout.nodes) {
    if (++k % SLICE === 0) yield;
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
    if (++k % SLICE === 0) yield;
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
    // Arrive on the circle's rim (or the pill's round left end), not its box.
    let endX = t.x;
    if (t.kind === "op") {
      const r = Math.min(t.width, t.height) / 2;
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
    if (++k % (4 * SLICE) === 0) yield;
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

/** The point at fraction t of the drawn cubic from a to b (see pathD). */
function curvePoint(a, b, t) {
  const [x0, y0] = a;
  const [x3, y3] = b;
  const mx = (x0 + x3) / 2;
  const u = 1 - t;
  const x = u * u * u * x0 + 3 * u * u * t * mx + 3 * u * t * t * mx + t * t * t * x3;
  const y = (u * u * u + 3 * u * u * t) * y0 + (3 * u * t * t + t * t * t) * y3;
  return [x, y];
}

// Where on a segment a label is tried, best first: from the consumer's end back
// (a label next to the node it feeds reads as that edge's, and labels pack towards
// that end, leaving room behind them for the next). Places too close to a node
// are skipped by the overlap test.
const fractions = (step) => {
  const out = [];
  for (let t = 1 - step / 2; t > 0; t -= step) out.push(t);
  return out;
};
const LAST_FRACTIONS = fractions(0.04); // 0.98, 0.94, ... 0.02
const FRACTIONS = fractions(0.08);

/** Candidate centres for an edge's label: along its whole drawn path, the segment
 * at the consumer's end first, then the others back towards the source. */
export function labelCandidates(pts) {
  const out = [];
  for (let i = pts.length - 1; i >= 1; i--) {
    for (const t of i === pts.length - 1 ? LAST_FRACTIONS : FRACTIONS) out.push(curvePoint(pts[i - 1], pts[i], t));
  }
  return out;
}

/** A grid of boxes ({x0, y0, x1, y1}) for overlap queries: each box sits in every
 * cell it touches, so a query looks at nearby boxes only. */
class BoxGrid {
  constructor(cell) {
    this.cell = cell;
    this.cells = new Map();
    this.stamp = 0;
  }

  _key(cx, cy) {
    return cx * 1048576 + cy; // cx, cy are small integers (graphs < 10^8 px)
  }

  add(b) {
    const c = this.cell;
    for (let cx = Math.floor(b.x0 / c); cx <= Math.floor(b.x1 / c); cx++) {
      for (let cy = Math.floor(b.y0 / c); cy <= Math.floor(b.y1 / c); cy++) {
        const k = this._key(cx, cy);
        const a = this.cells.get(k);
        if (a) a.push(b);
        else this.cells.set(k, [b]);
      }
    }
  }

  /** Total area by which box q overlaps the boxes stored (each counted once);
   * stops early once it exceeds `limit`. */
  overlap(q, limit = Infinity) {
    const c = this.cell;
    let total = 0;
    const stamp = ++this.stamp; // boxes met in an earlier cell of this query carry it
    for (let cx = Math.floor(q.x0 / c); cx <= Math.floor(q.x1 / c); cx++) {
      for (let cy = Math.floor(q.y0 / c); cy <= Math.floor(q.y1 / c); cy++) {
        const a = this.cells.get(this._key(cx, cy));
        if (!a) continue;
        for (const b of a) {
          const w = Math.min(q.x1, b.x1) - Math.max(q.x0, b.x0);
          if (w <= 0) continue;
          const h = Math.min(q.y1, b.y1) - Math.max(q.y0, b.y0);
          if (h <= 0 || b.stamp === stamp) continue;
          b.stamp = stamp;
          total += w * h;
          if (total > limit) return total;
        }
      }
    }
    return total;
  }
}

/**
 * Where each labelled edge's label goes: for each edge (in the order given), the
 * first candidate point along its path (labelCandidates) whose label box
 * (EDGE_LABEL) overlaps no node (with EDGE_LABEL.clear around it) and no label
 * placed before; if none is free, the candidate with the least overlap. Returns a
 * Map edge -> {x, y, overlap} (overlap: the area still covered, 0 when free).
 * Linear in the graph's size: boxes are looked up in a grid.
 */
export function placeEdgeLabels(model, edges, size = EDGE_LABEL) {
  const hw = size.width / 2;
  const hh = size.height / 2;
  const m = size.clear;
  const grid = new BoxGrid(Math.max(size.width, 64));
  for (const n of model.values.concat(model.ops)) {
    grid.add({ x0: n.x - m, y0: n.y - m, x1: n.x + n.width + m, y1: n.y + n.height + m });
  }
  // Each edge's candidate boxes clear of every node; the edges with fewest such
  // places choose first (then in the order given), so a crowded edge is not
  // squeezed out by one that had room elsewhere.
  const jobs = edges.map((e, k) => {
    const boxes = labelCandidates(e.pts).map(([x, y]) => ({ x0: x - hw, y0: y - hh, x1: x + hw, y1: y + hh }));
    const free = boxes.map((q) => grid.overlap(q, 0) === 0);
    let count = 0;
    for (const f of free) if (f) count++;
    return { e, k, boxes, free, count };
  });
  jobs.sort((a, b) => a.count - b.count || a.k - b.k);
  const labels = new BoxGrid(grid.cell);
  const placed = new Map();
  for (const { e, boxes, free } of jobs) {
    let best = null;
    let bestOverlap = Infinity;
    for (let j = 0; j < boxes.length; j++) {
      if (!free[j]) continue;
      if (labels.overlap(boxes[j], 0) === 0) {
        best = boxes[j];
        bestOverlap = 0;
        break;
      }
    }
    if (!best) {
      for (const q of boxes) {
        const o = grid.overlap(q, bestOverlap) + labels.overlap(q, bestOverlap);
        if (o < bestOverlap) {
          best = q;
          bestOverlap = o;
        }
      }
    }
    if (!best) continue;
    const a = size.apart || 0;
    labels.add({ x0: best.x0 - a, y0: best.y0 - a, x1: best.x1 + a, y1: best.y1 + a });
    placed.set(e, { x: (best.x0 + best.x1) / 2, y: (best.y0 + best.y1) / 2, overlap: bestOverlap });
  }
  return placed;
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
export function stepFocus(tl, ix, model, p) {
  const edges = [];
  const related = new Set();
  const frame = stepAt(tl, ix, p);
  if (!frame) return { edges, related };
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
