// The coarse drawing for big graphs (more than BIG_GRAPH value nodes): one canvas,
// redrawn per frame with only what is on screen, text only when zoomed in enough.
// Same interface as SvgGraph.

import { fmtGraph, gradAt, valueAt } from "./scene.js";
import { gradFill, isPill, opSymbol, shownLabel, stepFocus } from "./geometry.js";
import { perFrame } from "./frame.js";

/**
 * Start a frame of a pan-and-zoom canvas: size it to its host (in device pixels),
 * fill it with `bg`, and set the graph transform t = {k, x, y}. Returns {ctx, dpr, w, h}
 * (w, h: the host's CSS pixels). Shared with the batch graph (batch-view.js).
 */
export function beginFrame(canvas, host, t, bg) {
  const ctx = canvas.getContext("2d");
  const dpr = window.devicePixelRatio || 1;
  const w = host.clientWidth || 1;
  const h = host.clientHeight || 1;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    canvas.style.width = w + "px";
    canvas.style.height = h + "px";
  }
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = bg;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.setTransform(dpr * t.k, 0, 0, dpr * t.k, dpr * t.x, dpr * t.y);
  return { ctx, dpr, w, h };
}

export class CanvasGraph {
  constructor(host, handlers) {
    this.host = host;
    this.handlers = handlers;
    this.canvas = document.createElement("canvas");
    this.canvas.className = "graph-canvas";
    this.canvas.setAttribute("data-testid", "graph");
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", "Computation graph (large: drawn coarsely)");
    host.appendChild(this.canvas);
    this.ctx = this.canvas.getContext("2d");
    this.t = { k: 1, x: 0, y: 0 };
    this.view = { position: 0, current: null, frozen: new Set() };
    this._schedule = perFrame(() => this.draw());
    this._bindEvents();
    this.resizeObserver = new ResizeObserver(() => this._schedule());
    this.resizeObserver.observe(host);
  }

  destroy() {
    this.resizeObserver.disconnect();
    this._schedule.cancel();
    this.canvas.remove();
  }

  setScene(model, tl, ix, theme) {
    this.model = model;
    this.theme = theme;
    this.indexOf = new Map(model.values.map((n) => [n, parseInt(n.id.slice(1), 10)]));
    this.setTimeline(tl, ix);
  }

  setTimeline(tl, ix) {
    this.tl = tl;
    this.ix = ix;
    this._schedule();
  }

  setTheme(theme) {
    this.theme = theme;
    this._schedule();
  }

  update(view) {
    this.view = view;
    this._schedule();
  }

  applyTransform(t) {
    this.t = t;
    this._schedule();
  }

  nodeBox(i) {
    return this.model.byId.get("n" + i) || null;
  }

  focusNode() {}

  /** Draw synchronously (also used by the PNG export of big graphs). */
  draw() {
    if (!this.model) return;
    const { canvas, ctx, theme, tl, ix, model } = this;
    const { dpr, w, h } = beginFrame(canvas, this.host, this.t, theme.bg);
    const { k, x, y } = this.t;
    const vx0 = -x / k, vy0 = -y / k, vx1 = vx0 + w / k, vy1 = vy0 + h / k;
    const visible = (n) => n.x + n.width >= vx0 && n.x <= vx1 && n.y + n.height >= vy0 && n.y <= vy1;
    const p = this.view.position;

    // Edges (straight segments through their points), skipping those fully off screen.
    ctx.lineWidth = 1 / k; // one screen pixel
    ctx.strokeStyle = theme.edge;
    ctx.beginPath();
    for (const e of model.edges) {
      const pts = e.pts;
      let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
      for (const q of pts) {
        if (q[0] < minX) minX = q[0];
        if (q[0] > maxX) maxX = q[0];
        if (q[1] < minY) minY = q[1];
        if (q[1] > maxY) maxY = q[1];
      }
      if (maxX < vx0 || minX > vx1 || maxY < vy0 || minY > vy1) continue;
      ctx.moveTo(pts[0][0], pts[0][1]);
      for (let j = 1; j < pts.length; j++) ctx.lineTo(pts[j][0], pts[j][1]);
    }
    ctx.stroke();
    const focus = stepFocus(tl, this.ix, model, p);
    if (focus.edges.length) {
      ctx.strokeStyle = theme.accent;
      ctx.lineWidth = 3 / k;
      ctx.beginPath();
      for (const e of focus.edges) {
        ctx.moveTo(e.pts[0][0], e.pts[0][1]);
        for (let j = 1; j < e.pts.length; j++) ctx.lineTo(e.pts[j][0], e.pts[j][1]);
      }
      ctx.stroke();
    }

    const text = k >= 0.45;
    ctx.textBaseline = "middle";
    // Op nodes: circles, or pills (round-ended) for long symbols, as the layout sized them.
    ctx.fillStyle = theme.opBg;
    ctx.strokeStyle = theme.border;
    ctx.lineWidth = 1;
    for (const n of model.ops) {
      if (!visible(n)) continue;
      ctx.beginPath();
      if (isPill(n)) {
        const r = n.height / 2;
        const cy = n.y + r;
        ctx.arc(n.x + r, cy, r, Math.PI / 2, (3 * Math.PI) / 2);
        ctx.arc(n.x + n.width - r, cy, r, (3 * Math.PI) / 2, Math.PI / 2);
        ctx.closePath();
      } else {
        ctx.arc(n.x + n.width / 2, n.y + n.height / 2, n.width / 2, 0, 2 * Math.PI);
      }
      ctx.fill();
      ctx.stroke();
    }
    if (text) {
      ctx.fillStyle = theme.ink;
      ctx.textAlign = "center";
      ctx.font = "600 13px ui-monospace, monospace";
      for (const n of model.ops) {
        if (visible(n)) ctx.fillText(opSymbol(n), n.x + n.width / 2, n.y + n.height / 2);
      }
    }
    // Value records, filled by their gradient's sign and size; never smaller than
    // a few screen pixels, so a zoomed-out overview still shows every node.
    const max = ix.maxAbsGrad;
    const minSide = 4 / k;
    for (const n of model.values) {
      if (!visible(n)) continue;
      const i = this.indexOf.get(n);
      const gr = gradAt(tl, ix, i, p);
      const w = Math.max(n.width, minSide);
      const h = Math.max(n.height, minSide);
      ctx.fillStyle = gradFill(gr, max, theme);
      ctx.fillRect(n.x, n.y, w, h);
      const cur = i === this.view.current;
      const frz = this.view.frozen.has(i);
      ctx.strokeStyle = cur ? theme.accent : theme.border;
      ctx.lineWidth = (cur ? 3 : 1) / Math.min(k, 1);
      ctx.setLineDash(frz ? [5, 3] : []);
      ctx.strokeRect(n.x, n.y, w, h);
      ctx.setLineDash([]);
      if (text) {
        const v = valueAt(tl, ix, i, p);
        ctx.fillStyle = theme.ink;
        ctx.textAlign = "center";
        ctx.font = "bold 13px ui-monospace, monospace";
        ctx.fillText(shownLabel(n.label), n.x + n.width / 2, n.y + 11);
        ctx.textAlign = "left";
        ctx.font = "12px ui-monospace, monospace";
        ctx.fillText("data " + (v === "" ? "—" : fmtGraph(v)), n.x + 8, n.y + 29);
        ctx.fillText("grad " + (gr === "" ? "—" : fmtGraph(gr)), n.x + 8, n.y + 46);
      }
    }
  }

  _hit(e) {
    const r = this.canvas.getBoundingClientRect();
    const gx = (e.clientX - r.left - this.t.x) / this.t.k;
    const gy = (e.clientY - r.top - this.t.y) / this.t.k;
    for (const n of this.model?.values || []) {
      if (gx >= n.x && gx <= n.x + n.width && gy >= n.y && gy <= n.y + n.height) return this.indexOf.get(n);
    }
    return null;
  }

  _bindEvents() {
    let clickTimer = null;
    this.canvas.addEventListener("click", (e) => {
      const i = this._hit(e);
      if (i == null || !this.ix.leaves.has(i)) return;
      clearTimeout(clickTimer);
      if (e.detail > 1) return;
      clickTimer = setTimeout(() => this.handlers.onLeafToggle(i), 230);
    });
    this.canvas.addEventListener("dblclick", (e) => {
      const i = this._hit(e);
      if (i == null || !this.ix.leaves.has(i)) return;
      clearTimeout(clickTimer);
      this.handlers.onLeafEdit(i);
    });
  }
}
