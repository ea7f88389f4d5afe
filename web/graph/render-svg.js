// The SVG drawing of a graph (used up to BIG_GRAPH value nodes).
//
// Built once per layout; every step then diffs what each node should show against
// what was last drawn and touches only the elements that changed. Labels and
// numbers go in with textContent / setAttribute only, never as markup.

import { edgeKey, fmtGraph, fmtShort, gradAt, valueAt } from "./scene.js";
import {
  gradFill, isPill, opSymbol, pathD, placeEdgeLabels, shownLabel, stepFocus,
} from "./geometry.js";

const NS = "http://www.w3.org/2000/svg";

function el(name, attrs, parent) {
  const e = document.createElementNS(NS, name);
  if (attrs) for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}


export class SvgGraph {
  constructor(host, handlers) {
    this.host = host;
    this.handlers = handlers;
    this.svg = el("svg", {
      class: "graph-svg",
      "data-testid": "graph",
      role: "group",
      "aria-label": "Computation graph",
    });
    const defs = el("defs", null, this.svg);
    for (const [id, cls] of [["gs-arrow", "arrow"], ["gs-arrow-active", "arrow active"]]) {
      const m = el("marker", {
        id, viewBox: "0 0 10 10", refX: "9", refY: "5",
        markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse",
      }, defs);
      el("path", { d: "M0,1L10,5L0,9z", class: cls }, m);
    }
    this.root = el("g", { class: "viewport" }, this.svg);
    this.gEdges = el("g", { class: "edges" }, this.root);
    this.gOps = el("g", { class: "ops" }, this.root);
    this.gValues = el("g", { class: "values" }, this.root);
    this.gLabels = el("g", { class: "edge-labels" }, this.root);
    host.appendChild(this.svg);
    this._bindEvents();
  }

  destroy() {
    this.svg.remove();
  }

  /** Build every element for a layout (the model is from geometry.buildModel). */
  setScene(model, tl, ix, theme) {
    this.model = model;
    this.theme = theme;
    this.gEdges.replaceChildren();
    this.gOps.replaceChildren();
    this.gValues.replaceChildren();
    this.gLabels.replaceChildren();

    this.edgeEls = new Map(); // edge object -> path
    const fe = document.createDocumentFragment();
    for (const e of model.edges) {
      const p = el("path", { class: "edge", d: pathD(e.pts) });
      if (e.consumer != null) p.setAttribute("marker-end", "url(#gs-arrow)");
      fe.appendChild(p);
      this.edgeEls.set(e, p);
    }
    this.gEdges.appendChild(fe);

    const fo = document.createDocumentFragment();
    for (const n of model.ops) {
      const g = el("g", { class: "op", transform: `translate(${n.x},${n.y})`, "data-op": n.label });
      // Sized to the symbol by the layout: a circle, or a pill for a long symbol.
      if (isPill(n)) {
        el("rect", { class: "op-shape", width: n.width, height: n.height, rx: n.height / 2 }, g);
      } else {
        el("circle", { class: "op-shape", cx: n.width / 2, cy: n.height / 2, r: n.width / 2 }, g);
      }
      const t = el("text", { x: n.width / 2, y: n.height / 2, class: "op-sym" }, g);
      t.textContent = opSymbol(n);
      const title = el("title", null, g);
      title.textContent = n.label;
      fo.appendChild(g);
    }
    this.gOps.appendChild(fo);

    this.records = [];
    this.recordByIndex = new Map();
    const fv = document.createDocumentFragment();
    for (const n of model.values) {
      const i = parseInt(n.id.slice(1), 10);
      const isLeaf = ix.leaves.has(i);
      const g = el("g", {
        class: isLeaf ? "vnode leaf" : "vnode",
        transform: `translate(${n.x},${n.y})`,
        "data-node-id": n.id,
        "data-label": n.label,
        "data-value": "",
        "data-grad": "",
      });
      if (isLeaf) {
        g.setAttribute("tabindex", "0");
        g.setAttribute("role", "button");
      }
      const box = el("rect", { class: "box", width: n.width, height: n.height, rx: 6 }, g);
      const row = Math.min(20, n.height / 3);
      el("line", { class: "sep", x1: 0, x2: n.width, y1: row, y2: row }, g);
      const label = el("text", { class: "lbl", x: n.width / 2, y: row / 2 + 1 }, g);
      label.textContent = shownLabel(n.label);
      // The whole name, or the layout's one-line explanation, on hover and focus. A
      // leaf's accessible name says it already: the title is hidden from assistive tech.
      const title = el("title", isLeaf ? { "aria-hidden": "true" } : null, g);
      title.textContent = n.about || n.label;
      const rest = (n.height - row) / 2;
      const dataT = el("text", { class: "num", x: 8, y: row + rest / 2 + 1 }, g);
      el("tspan", { class: "cap" }, dataT).textContent = "data ";
      const valSpan = el("tspan", null, dataT);
      const gradT = el("text", { class: "num", x: 8, y: row + rest * 1.5 }, g);
      el("tspan", { class: "cap" }, gradT).textContent = "grad ";
      const gradSpan = el("tspan", null, gradT);
      // An undrawn space after each text keeps the words apart for text extraction and
      // accessible names ("a data 2.0000 grad —", not "adata 2.0000grad —").
      for (const t of [label, dataT, gradT]) t.after(" ");
      let lock = null;
      if (isLeaf) {
        lock = el("g", { class: "lock", transform: `translate(${n.width - 15},${row / 2 - 6})` }, g);
        el("path", { d: "M2.5,5V3.5a3.5,3.5 0 0 1 7,0V5", class: "shackle" }, lock);
        el("rect", { x: 0.5, y: 5, width: 11, height: 8, rx: 1.5 }, lock);
      }
      const rec = {
        i, node: n, g, box, valSpan, gradSpan, lock, isLeaf,
        v: null, gr: null, fill: null, cur: false, frz: false, rel: false,
      };
      this.records.push(rec);
      this.recordByIndex.set(i, rec);
      fv.appendChild(g);
    }
    this.gValues.appendChild(fv);

    this.activeEdges = [];
    this.related = [];
    this.setTimeline(tl, ix);
  }

  /** A new timeline for the same layout (after a nudge or a leaf edit). */
  setTimeline(tl, ix) {
    this.tl = tl;
    this.ix = ix;
    // Edge labels (local derivatives), created when first shown.
    for (const lab of this.edgeLabels || []) lab.g?.remove();
    this.edgeLabels = [];
    for (const e of this.model.edges) {
      if (e.consumer == null) continue;
      const info = ix.locals.get(edgeKey(e.consumer, e.input));
      if (info && info.source === e.sourceIndex) {
        this.edgeLabels.push({ e, at: info.at, text: fmtShort(info.local), full: info.local, g: null, shown: false });
      }
    }
    // Where each label goes, clear of the nodes and of each other: once per timeline.
    this.labelPlaces = placeEdgeLabels(this.model, this.edgeLabels.map((lab) => lab.e));
  }

  setTheme(theme) {
    this.theme = theme;
    for (const r of this.records) r.fill = null;
  }

  /** Draw position p: values, gradients, colours, the current node, the step's edges. */
  update(view) {
    const { tl, ix, theme } = this;
    const p = view.position;
    const max = ix.maxAbsGrad;
    for (const r of this.records) {
      const v = valueAt(tl, ix, r.i, p);
      const gr = gradAt(tl, ix, r.i, p);
      if (v !== r.v) {
        r.v = v;
        r.g.setAttribute("data-value", v);
        r.valSpan.textContent = v === "" ? "—" : fmtGraph(v);
      }
      if (gr !== r.gr) {
        r.gr = gr;
        r.g.setAttribute("data-grad", gr);
        r.gradSpan.textContent = gr === "" ? "—" : fmtGraph(gr);
      }
      const fill = gradFill(gr, max, theme);
      if (fill !== r.fill) {
        r.fill = fill;
        r.box.setAttribute("fill", fill);
      }
      const cur = r.i === view.current;
      if (cur !== r.cur) {
        r.cur = cur;
        if (cur) r.g.setAttribute("data-current", "true");
        else r.g.removeAttribute("data-current");
      }
      if (r.isLeaf) {
        const frz = view.frozen.has(r.i);
        if (frz !== r.frz || r.aria == null) {
          r.frz = frz;
          r.g.classList.toggle("frozen", frz);
          if (frz) r.g.setAttribute("data-frozen", "true");
          else r.g.removeAttribute("data-frozen");
        }
        // The name starts with the visible text (WCAG 2.5.3, label in name), then what
        // only a screen reader needs: frozen, the keys, a cut label in full, the
        // node's explanation (so setScene hides the leaf's <title> from assistive tech).
        const shown = shownLabel(r.node.label);
        const aria =
          `${shown}, data ${r.valSpan.textContent}, grad ${r.gradSpan.textContent}` +
          `${frz ? ", frozen" : ""}, leaf: Enter ${frz ? "unfreezes" : "freezes"}, E edits` +
          (shown !== r.node.label ? `; full name ${r.node.label}` : "") +
          (r.node.about ? `; ${r.node.about}` : "");
        if (aria !== r.aria) {
          r.aria = aria;
          r.g.setAttribute("aria-label", aria);
        }
      }
    }

    // The step's edges and the nodes at their other ends.
    const focus = stepFocus(tl, ix, this.model, p);
    for (const e of this.activeEdges) {
      const path = this.edgeEls.get(e);
      path.classList.remove("active");
      if (e.consumer != null) path.setAttribute("marker-end", "url(#gs-arrow)");
    }
    for (const e of focus.edges) {
      const path = this.edgeEls.get(e);
      path.classList.add("active");
      if (e.consumer != null) path.setAttribute("marker-end", "url(#gs-arrow-active)");
      // keep the highlighted edge above the others
      this.gEdges.appendChild(path);
    }
    this.activeEdges = focus.edges;
    for (const r of this.related) r.g.classList.remove("related");
    this.related = [];
    for (const i of focus.related) {
      const r = this.recordByIndex.get(i);
      if (r) {
        r.g.classList.add("related");
        this.related.push(r);
      }
    }

    // Local derivative labels on the edges whose gradient step is done.
    const activeSet = new Set(focus.edges);
    for (const lab of this.edgeLabels) {
      const shown = lab.at <= p;
      if (shown && !lab.g) this._makeLabel(lab);
      if (shown !== lab.shown) {
        lab.shown = shown;
        if (lab.g) lab.g.style.display = shown ? "" : "none";
      }
      if (lab.g) {
        const act = shown && activeSet.has(lab.e);
        if (act !== lab.active) {
          lab.active = act;
          lab.g.classList.toggle("active", act);
        }
      }
    }
  }

  _makeLabel(lab) {
    const { x, y } = this.labelPlaces.get(lab.e);
    const g = el("g", { class: "elabel", transform: `translate(${Math.round(x)},${Math.round(y)})` });
    const w = 6.8 * lab.text.length + 10;
    el("rect", { x: -w / 2, y: -8, width: w, height: 16, rx: 8 }, g);
    const t = el("text", { x: 0, y: 0.5 }, g);
    t.textContent = lab.text;
    const title = el("title", null, g);
    title.textContent = `local derivative: ${lab.full}`;
    this.gLabels.appendChild(g);
    lab.g = g;
    lab.active = false;
  }

  applyTransform(t) {
    this.root.setAttribute("transform", `translate(${t.x},${t.y}) scale(${t.k})`);
  }

  nodeBox(i) {
    const r = this.recordByIndex.get(i);
    return r ? r.node : null;
  }

  focusNode(i) {
    this.recordByIndex.get(i)?.g.focus();
  }

  _bindEvents() {
    const svg = this.svg;
    let clickTimer = null;
    const leafOf = (target) => {
      const g = target.closest?.(".vnode");
      if (!g) return null;
      const r = this.recordByIndex.get(parseInt(g.getAttribute("data-node-id").slice(1), 10));
      return r || null;
    };
    svg.addEventListener("click", (e) => {
      const r = leafOf(e.target);
      if (!r || !r.isLeaf) return;
      // A double click edits the value: wait a moment before a single click freezes.
      clearTimeout(clickTimer);
      if (e.detail > 1) return;
      clickTimer = setTimeout(() => this.handlers.onLeafToggle(r.i), 230);
    });
    svg.addEventListener("dblclick", (e) => {
      const r = leafOf(e.target);
      if (!r || !r.isLeaf) return;
      clearTimeout(clickTimer);
      e.preventDefault();
      this.handlers.onLeafEdit(r.i);
    });
    svg.addEventListener("keydown", (e) => {
      const r = leafOf(e.target);
      if (!r || !r.isLeaf) return;
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        e.stopPropagation();
        this.handlers.onLeafToggle(r.i);
      } else if (e.key === "e" || e.key === "E" || e.key === "F2") {
        e.preventDefault();
        e.stopPropagation();
        this.handlers.onLeafEdit(r.i);
      }
    });
    const inspect = (e) => {
      const g = e.target.closest?.(".vnode");
      this.handlers.onInspect(g ? parseInt(g.getAttribute("data-node-id").slice(1), 10) : null);
    };
    svg.addEventListener("pointerover", inspect);
    svg.addEventListener("focusin", inspect);
  }
}
