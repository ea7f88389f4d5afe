// The whole batch's graph, collapsed (issue #9, "graphs at scale"): the training's
// loss over every point of the batch drawn as groups (a neuron, a folded layer, the
// inputs, the loss) on a canvas with pan and zoom. A click on a neuron opens it into
// its real nodes, fetched from the worker; a click on a folded layer unfolds it into
// its neurons, and a click on a column's header folds or unfolds that layer. The
// totals line adds up what is on screen and says the full graph's own count beside
// it: they are equal whatever is folded. The boxes are of one training step; training
// pauses while a box opens, and a box asked for after training moved on brings the
// new step's graph instead (the worker says "stale").
//
// Keyboard: the groups are buttons after the canvas (Tab reaches them; Enter opens or
// closes one, and a ring on the canvas shows which), the canvas pans with the arrows.

import { BOX, DOT, hitTest, layoutBatch, nodeCell, shownGroups, shownTotals } from "./batch-layout.js";
import { readTheme } from "../graph/geometry.js";
import { beginFrame } from "../graph/render-canvas.js";
import { Viewport } from "../graph/viewport.js";
import { perFrame } from "../graph/frame.js";

const $ = (id) => document.getElementById(id);
// (made at first use: the first Intl.NumberFormat loads ICU's data, tens of ms at start-up)
let numberFormat = null;
const nf = { format: (n) => (numberFormat ??= new Intl.NumberFormat("en")).format(n) };
const PAN = 60;

export class BatchView {
  /**
   * @param {{call(method, args, what): Promise, ready(): boolean}} engine
   * @param {{pause()}} training  (paused while a box opens)
   */
  constructor(engine, training = { pause() {} }) {
    this.engine = engine;
    this.training = training;
    this.hovered = null;
    this.dom = {
      panel: $("batch-graph"), host: $("batch-host"), totals: $("batch-totals"), info: $("batch-info"),
      keys: $("batch-keys"), fold: $("batch-fold"), fit: $("batch-fit"), close: $("batch-close"),
    };
    this.summary = null;
    this.folded = new Set();
    this.expansions = new Map();
    this.layout = null;
    this.focused = null;
    this.schedule = perFrame(() => this.draw());
    this.canvas = document.createElement("canvas");
    this.canvas.className = "batch-canvas";
    this.canvas.dataset.testid = "batch-canvas";
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", "The whole batch's graph, a box per neuron");
    this.dom.host.append(this.canvas);
    this.viewport = new Viewport(this.dom.host, () => this.schedule());
    this._wire();
    new ResizeObserver(() => this.schedule()).observe(this.dom.host);
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
      this.theme = readTheme();
      this.schedule();
    });
  }

  get shown() {
    return !this.dom.panel.hidden;
  }

  /**
   * Show the graph of the batch the next step will use, at the current weights; with `state`
   * (a link's "batch,L2N3,F1": linkState's), its folded layers and open groups as they were.
   */
  async open(state = null) {
    this.dom.panel.hidden = false;
    $("train-open-batch").setAttribute("aria-expanded", "true");
    this.dom.panel.scrollIntoView({ block: "nearest" });
    if (state != null) {
      this.summary = null; // (a fresh start: what the link says, nothing else)
      this.folded.clear();
      this.expansions.clear();
    }
    if (!(await this.refresh())) return;
    if (state != null) await this.restore(state);
    this.training.onChange?.();
  }

  /** What the link keeps of this graph: null when it is closed, else "batch", the open groups, "F" + each folded layer. */
  linkState() {
    if (!this.shown) return null;
    return ["batch", ...this.expansions.keys(), ...[...this.folded].sort((a, b) => a - b).map((l) => `F${l}`)].join(",");
  }

  /** The folded layers and open groups of a link (those this network has; the rest are left out). */
  async restore(state) {
    const s = this.summary;
    const tokens = String(state).split(",").slice(1).filter((t) => /^[A-Za-z0-9_]{1,24}$/.test(t));
    for (const t of tokens) {
      const layer = /^F(\d+)$/.exec(t);
      if (layer && Number(layer[1]) >= 1 && Number(layer[1]) < s.sizes.length) this.folded.add(Number(layer[1]));
    }
    const shown = new Set(shownGroups(s, this.folded).map((g) => g.id));
    for (const t of tokens.slice(0, 12)) if (shown.has(t) && !/^F\d+$/.test(t)) await this.expand(t, false);
    this.relayout(true);
  }

  hide() {
    this.dom.panel.hidden = true;
    $("train-open-batch").setAttribute("aria-expanded", "false");
    $("train-open-batch").focus();
    this.training.onChange?.();
  }

  /** The network is gone (the worker was stopped): nothing shown is current. */
  forget() {
    this.summary = null;
    this.layout = null;
    this.expansions.clear();
    if (this.shown) this.dom.totals.textContent = "Python was restarted: open the batch's graph again.";
  }

  /** Fetch the summary again (after training moved); keeps what is folded and open. */
  async refresh() {
    this.dom.totals.textContent = "Building the whole batch's graph in Python…";
    const reply = await this.engine.call("train", { action: "batch" }, "building the batch's graph");
    if (!reply.ok) {
      this.dom.totals.textContent = reply.error.message;
      return false;
    }
    // (a new network may not have the old one's layers and neurons)
    const same = this.summary && this.summary.sizes.join() === reply.summary.sizes.join();
    const first = !same;
    this.summary = reply.summary;
    if (!same) this.folded.clear();
    const open = same ? [...this.expansions.keys()] : [];
    this.expansions.clear();
    for (const id of open) await this.expand(id, false);
    this.relayout(first);
    return true;
  }

  /** Open a group into its nodes (or close it). */
  async toggle(id) {
    this.training.pause();
    if (this.expansions.has(id)) {
      this.expansions.delete(id);
      this.relayout();
      this.training.onChange?.();
      return;
    }
    if (await this.expand(id)) {
      this.relayout();
      this.showBox(id);
      this.training.onChange?.();
    }
  }

  async expand(id, say = true) {
    if (say) this.dom.info.textContent = `Opening ${this.labelOf(id)}…`;
    const step = this.summary.step;
    const reply = await this.engine.call("train", { action: "expand", group: id, step }, "opening the group");
    if (reply.stale) {
      // Training moved on: show the new step's graph (the boxes would not match it).
      this.dom.info.textContent = "Training moved on since this graph: here is the current step's.";
      await this.refresh();
      return false;
    }
    if (!reply.ok) {
      this.dom.info.textContent = reply.error.message;
      return false;
    }
    if (!this.summary || this.summary.step !== step) return false; // (refreshed meanwhile)
    this.expansions.set(id, reply.expansion);
    const ex = reply.expansion;
    if (say) {
      this.dom.info.textContent = `${this.labelOf(id)} opened: ${nf.format(ex.nodes.length)} nodes, a row per point ` +
        `(${ex.rows}) with its operations in order across, the parameters on top; blue: gradient < 0, red: > 0. ` +
        "A click on a node says what it is; on the title, closes it.";
    }
    return true;
  }

  /** Fold or unfold a layer: its neurons or one box for all of them. */
  fold(layer) {
    if (this.folded.has(layer)) this.folded.delete(layer);
    else this.folded.add(layer);
    for (const id of [...this.expansions.keys()]) {
      if (/^L\d+/.test(id) && !shownGroups(this.summary, this.folded).some((g) => g.id === id)) this.expansions.delete(id);
    }
    this.relayout();
    this.training.onChange?.();
  }

  /** Fold every hidden layer, or unfold them all. */
  foldAll() {
    const hidden = this.summary.sizes.slice(1).map((_, k) => k + 1);
    const all = hidden.every((l) => this.folded.has(l));
    this.folded = all ? new Set() : new Set(hidden);
    this.expansions.clear();
    this.relayout();
    this.training.onChange?.();
  }

  /**
   * An opened group's top on screen, its title in view (issue #15: an opened neuron's title
   * ended off the canvas): the view moves so that the box's top left corner is inside.
   */
  showBox(id) {
    const b = this.layout?.boxes.find((x) => x.id === id);
    if (!b) return;
    const { k, x, y } = this.viewport.t;
    const r = this.dom.host.getBoundingClientRect();
    const left = b.x * k + x;
    const top = b.y * k + y;
    const m = 8;
    let dx = 0;
    let dy = 0;
    if (left < m || left + Math.min(b.width * k, 260) > r.width - m) dx = m - left;
    if (top < m || top + BOX.header * k > r.height - m) dy = m - top;
    if (dx || dy) this.viewport.panBy(dx, dy);
    const t = this.viewport.t;
    this.dom.host.dataset.openTitle = `${(b.x * t.k + t.x).toFixed(1)},${(b.y * t.k + t.y).toFixed(1)}`;
  }

  labelOf(id) {
    const s = this.summary;
    return ([...s.neurons, ...s.layers].find((g) => g.id === id) || { label: id }).label;
  }

  relayout(fit = false) {
    const s = this.summary;
    this.theme = readTheme(); // (once per layout, not per frame: getComputedStyle is not free)
    this.layout = layoutBatch(s, this.folded, this.expansions);
    this.viewport.bounds = this.layout.bounds;
    if (fit) this.viewport.fit(this.layout.bounds);
    const t = shownTotals(s, this.folded);
    const full = s.totals;
    const el = this.dom.totals;
    Object.assign(el.dataset, {
      nodes: String(full.nodes), edges: String(full.edges), parameters: String(full.parameters),
      shownNodes: String(t.nodes), shownEdges: String(t.edges), shownParameters: String(t.parameters),
      groups: String(t.groups), step: String(s.step),
    });
    const same = t.nodes === Number(full.nodes) && t.edges === Number(full.edges) && t.parameters === Number(full.parameters);
    el.textContent = `Step ${s.step}, ${s.points.length} point${s.points.length === 1 ? "" : "s"}: the full graph has ${nf.format(full.nodes)} nodes, ` +
      `${nf.format(full.edges)} edges and ${nf.format(full.parameters)} parameters. The ${t.groups} boxes shown hold ` +
      `${nf.format(t.nodes)} nodes, ${nf.format(t.edges)} edges and ${nf.format(t.parameters)} parameters` +
      (same ? " (the same)." : " (they differ: please report this).");
    this.dom.fold.textContent = s.sizes.slice(1).every((_, k) => this.folded.has(k + 1)) ? "Unfold layers" : "Fold layers";
    this.fillKeys();
    this.schedule();
  }

  /** One button per box (keyboard and screen readers; the canvas is a picture). */
  fillKeys() {
    const keys = this.dom.keys;
    const focused = keys.contains(document.activeElement) ? document.activeElement.dataset.group : null;
    keys.replaceChildren();
    for (const b of this.layout.boxes) {
      const g = b.group;
      const btn = document.createElement("button");
      btn.type = "button";
      btn.className = "batch-key";
      btn.dataset.group = g.id;
      btn.dataset.nodes = String(g.nodes);
      btn.dataset.expanded = String(b.expanded);
      btn.setAttribute("aria-expanded", String(b.expanded));
      // (the name shown, the numbers read out and on the line below the graph: the
      // buttons, shown while one has the focus, stay small over the drawing)
      btn.textContent = g.label;
      btn.setAttribute("aria-label", `${g.label}: ${describe(g)}`);
      btn.addEventListener("focus", () => this.focus(g.id));
      btn.addEventListener("blur", () => this.focus(null));
      btn.addEventListener("click", () => this.activate(g));
      keys.append(btn);
    }
    // The focus stays where it was (a folded layer's button: on its first neuron's).
    if (focused) {
      const again = keys.querySelector(`[data-group="${focused}"]`) ||
        keys.querySelector(`[data-group^="${focused}N"]`) || keys.querySelector(`[data-group^="${focused.replace(/N\d+$/, "")}"]`);
      again?.focus();
    }
  }

  activate(g) {
    if (g.kind === "layer") return this.fold(g.layer); // a folded layer unfolds into its neurons
    return this.toggle(g.id);
  }

  focus(id) {
    this.focused = id;
    const b = id && this.layout.boxes.find((x) => x.id === id);
    if (b) {
      if (b.expanded) this.showBox(id); // (a big open box: its title in view, not its middle)
      else this.viewport.ensureVisible(b);
      this.dom.info.textContent = `${b.group.label}: ${describe(b.group)}`;
    }
    this.schedule();
  }

  draw() {
    if (!this.layout || !this.shown) return;
    const { theme } = this;
    const { ctx, dpr } = beginFrame(this.canvas, this.dom.host, this.viewport.t, theme.bg);
    const { k, x, y } = this.viewport.t;
    const L = this.layout;
    const v = this.viewport.visibleRect();
    const visible = (b) => b.x + b.width >= v.x && b.x <= v.x + v.width && b.y + b.height >= v.y && b.y <= v.y + v.height;

    // Links: a curve per pair of groups, as thick as the log of the edges it stands for.
    ctx.strokeStyle = theme.edge;
    ctx.globalAlpha = 0.35;
    for (const l of L.links) {
      ctx.lineWidth = Math.max(0.6, Math.log10(1 + l.edges)) / Math.max(0.5, k) * 0.9;
      const mid = (l.a[0] + l.b[0]) / 2;
      ctx.beginPath();
      ctx.moveTo(l.a[0], l.a[1]);
      ctx.bezierCurveTo(mid, l.a[1], mid, l.b[1], l.b[0], l.b[1]);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;


    // Boxes, filled by the size of their parameters' gradient (the page's gradient colours).
    const norms = L.boxes.map((b) => Number(b.group.grad_norm) || 0);
    const top = Math.max(1e-300, ...norms);
    for (const b of L.boxes) {
      if (!visible(b)) continue;
      const g = b.group;
      const t = Math.sqrt((Number(g.grad_norm) || 0) / top);
      ctx.fillStyle = theme.nodeBg;
      ctx.fillRect(b.x, b.y, b.width, b.height);
      if (g.parameters > 0) {
        ctx.globalAlpha = 0.15 + 0.6 * t;
        ctx.fillStyle = theme.gradPos;
        ctx.fillRect(b.x, b.y, b.width, Math.min(b.height, BOX.height));
        ctx.globalAlpha = 1;
      }
      ctx.strokeStyle = this.focused === b.id ? theme.accent : theme.border;
      ctx.lineWidth = (this.focused === b.id ? 3 : 1) / Math.max(0.5, k);
      ctx.strokeRect(b.x, b.y, b.width, b.height);
      if (b.expanded) this.drawNodes(ctx, b, theme, k);
    }

    // Text at a fixed screen size (readable at any zoom), as many lines as a box has room for.
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.textBaseline = "middle";
    ctx.fillStyle = theme.muted;
    ctx.font = "600 12px system-ui, sans-serif";
    for (const c of L.columns) {
      // (the short name when the long one would run into the next column)
      const text = ctx.measureText(c.label).width <= (c.width + BOX.column * 0.8) * k ? c.label : c.short;
      ctx.fillText(text, c.x * k + x, (c.y + BOX.header / 2) * k + y);
    }
    for (const b of L.boxes) if (visible(b)) this.drawText(ctx, b, theme, this.viewport.t);
  }

  /** A box's words, in screen pixels: its name, then its numbers while they fit. */
  drawText(ctx, b, theme, { k, x, y }) {
    const g = b.group;
    const sx = b.x * k + x + 6;
    const sy = b.y * k + y;
    const room = Math.min(b.height, b.expanded ? BOX.header : b.height) * k;
    const width = b.width * k - 10;
    if (room < 14 || width < 40) return;
    const lines = [`${g.label}${b.expanded ? " ▾" : ""}`];
    lines.push(g.parameters > 0 ? `‖∇‖ ${Number(g.grad_norm).toPrecision(3)} · ${nf.format(g.nodes)} nodes` : `${nf.format(g.nodes)} nodes`);
    if (g.dead != null) lines.push(`off on ${Math.round(Number(g.dead) * 100)}% of points`);
    else if (g.kind === "loss") lines.push(`loss ${Number(this.summary.loss_value).toFixed(4)}`);
    const fit = Math.max(1, Math.floor((room - 2) / 14));
    ctx.save();
    ctx.beginPath();
    ctx.rect(sx - 4, sy, width + 6, room);
    ctx.clip();
    lines.slice(0, fit).forEach((text, i) => {
      ctx.fillStyle = i ? theme.muted : theme.ink;
      ctx.font = i ? "11px ui-monospace, monospace" : "600 12px system-ui, sans-serif";
      ctx.fillText(text, sx, sy + 9 + i * 14);
    });
    ctx.restore();
  }

  /** An open group's nodes: a cell each, coloured by its gradient's sign and size. */
  drawNodes(ctx, b, theme, k) {
    const ex = this.expansions.get(b.id);
    if (!ex) return;
    let top = 0;
    for (const n of ex.nodes) top = Math.max(top, Math.abs(Number(n.grad)));
    const r = DOT * 0.42;
    const pos = theme.gradPos;
    const neg = theme.gradNeg;
    if (k >= 2.5) {
      // Near enough to follow them: the edges inside the group.
      ctx.strokeStyle = theme.edge;
      ctx.lineWidth = 0.5 / k;
      ctx.globalAlpha = 0.4;
      ctx.beginPath();
      for (const n of ex.nodes) {
        const [x1, y1] = nodeCell(b, n);
        for (const i of n.in) {
          const [x0, y0] = nodeCell(b, ex.nodes[i]);
          ctx.moveTo(x0, y0);
          ctx.lineTo(x1, y1);
        }
      }
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
    for (const n of ex.nodes) {
      const gv = Number(n.grad);
      const [cx, cy] = nodeCell(b, n);
      ctx.globalAlpha = gv === 0 ? 0.25 : 0.35 + 0.65 * Math.sqrt(Math.abs(gv) / (top || 1));
      ctx.fillStyle = gv === 0 ? theme.edge : gv > 0 ? pos : neg;
      ctx.fillRect(cx - r, cy - r, 2 * r, 2 * r);
    }
    ctx.globalAlpha = 1;
  }

  /** The node of an open group under a graph point. */
  nodeAt(box, gx, gy) {
    const ex = this.expansions.get(box.id);
    if (!ex) return null;
    for (const n of ex.nodes) {
      const [cx, cy] = nodeCell(box, n);
      if (Math.abs(gx - cx) <= DOT / 2 && Math.abs(gy - cy) <= DOT / 2) return n;
    }
    return null;
  }

  toGraph(e) {
    const r = this.dom.host.getBoundingClientRect();
    const { k, x, y } = this.viewport.t;
    return [(e.clientX - r.left - x) / k, (e.clientY - r.top - y) / k];
  }

  _wire() {
    const host = this.dom.host;
    host.addEventListener("click", (e) => {
      if (this.viewport.suppressClick || !this.layout) return;
      const [gx, gy] = this.toGraph(e);
      const hit = hitTest(this.layout, gx, gy);
      if (hit?.column) {
        const n = this.summary.sizes.length;
        if (hit.column.layer > 0 && hit.column.layer < n) this.fold(hit.column.layer);
      } else if (hit?.box) {
        // In an open group, a click on a node says what it is; on the header it closes.
        const node = hit.box.expanded && gy > hit.box.y + BOX.header ? this.nodeAt(hit.box, gx, gy) : null;
        if (node) this.dom.info.textContent = describeNode(hit.box.group, node);
        else if (!(hit.box.expanded && gy > hit.box.y + BOX.header)) this.activate(hit.box.group);
      }
    });
    host.addEventListener("pointermove", (e) => {
      if (!this.layout || this.viewport.dragging) return;
      const [gx, gy] = this.toGraph(e);
      const hit = hitTest(this.layout, gx, gy);
      host.style.cursor = hit ? "pointer" : "";
      // (said once per box: the line is read out by screen readers)
      const over = hit?.box && !(hit.box.expanded && gy > hit.box.y + BOX.header) ? hit.box : null;
      if (over && over.id !== this.hovered) this.dom.info.textContent = `${over.group.label}: ${describe(over.group)}`;
      this.hovered = over ? over.id : null;
    });
    host.addEventListener("keydown", (e) => {
      const d = { ArrowLeft: [PAN, 0], ArrowRight: [-PAN, 0], ArrowUp: [0, PAN], ArrowDown: [0, -PAN] }[e.key];
      if (d) {
        e.preventDefault();
        const f = e.shiftKey ? 4 : 1;
        this.viewport.panBy(d[0] * f, d[1] * f);
      } else if (e.key === "+" || e.key === "=" || e.key === "-") {
        e.preventDefault();
        e.stopPropagation(); // (not the main graph's zoom keys too)
        this.viewport.zoomBy(e.key === "-" ? 0.8 : 1.25);
      }
    });
    this.dom.fold.addEventListener("click", () => this.foldAll());
    this.dom.fit.addEventListener("click", () => this.layout && this.viewport.fit(this.layout.bounds));
    this.dom.close.addEventListener("click", () => this.hide());
  }
}

/** A group's numbers in words. */
export function describe(g) {
  const parts = [`${nf.format(g.nodes)} nodes, ${nf.format(g.edges)} edges in`];
  if (g.parameters > 0) parts.push(`${g.parameters} parameters, their gradient's length ${Number(g.grad_norm).toPrecision(4)}`);
  if (g.dead != null) parts.push(`output 0 (no gradient through it) on ${Math.round(Number(g.dead) * 100)}% of the points`);
  if (g.mean_out != null) parts.push(`mean output ${Number(g.mean_out).toPrecision(4)}`);
  parts.push(`sum of gradients ${Number(g.grad_sum).toPrecision(6)}`);
  return parts.join("; ");
}

function describeNode(group, n) {
  const where = n.row < 0 ? "shared by every point" : `point ${n.row + 1} of the batch`;
  const what = n.op ? `${n.op} node` : `leaf ${n.label || ""}`.trim();
  return `${group.label}, ${what} (${where}): value ${n.data}, gradient ${n.grad}`;
}
