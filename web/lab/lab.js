// The gradient lab panel (contract section 4): backprop against the forward, backward
// and central differences at h for every leaf, the error against h, the output against
// one leaf with its tangent and secants, the closed form (sympy, loaded when first
// needed), the paths from the leaf to the output, and forward mode. Everything is
// computed in the engine's worker at the leaf values on screen (gradstep/lab/views.py); this
// draws the replies and asks again when the values, the leaf or h change.

import { drawErrorPlot, drawSlopeView } from "./lab-plots.js";
import { fmtGraph } from "../graph/scene.js";

const $ = (id) => document.getElementById(id);
const H_DEFAULT = "1e-6";

/** h as the user typed it, or null when it is not a positive finite number. */
export function parseH(text) {
  const v = Number(String(text).trim());
  return String(text).trim() !== "" && Number.isFinite(v) && v > 0 ? v : null;
}

export class LabPanel {
  /**
   * @param {Store} store
   * @param {{call(method, args, what): Promise, ready(): boolean, onShow(shown)}} engine
   */
  constructor(store, engine) {
    this.store = store;
    this.engine = engine;
    this.dom = {
      panel: $("lab"), h: $("fd-h"), range: $("fd-h-range"), leaf: $("closed-form-leaf"), rows: $("fd-rows"),
      status: $("lab-status"), errorPlot: $("error-plot"), errorNote: $("error-note"), slope: $("slope-view"),
      slopeNote: $("slope-note"), closed: $("closed-form"), paths: $("paths"), forward: $("forward-mode"),
    };
    this.shown = false;
    this.asked = ""; // what the panel last asked for (version, h, leaf)
    this.packages = new Map(); // name -> Promise of loading it in the worker
    this._wire();
    store.subscribe((s, changed) => {
      // A fresh worker (after Stop) has none of the packages loaded, and knows nothing asked.
      if (changed.has("engine") && s.engine !== "ready") {
        this.packages.clear();
        this.asked = "";
      }
      if (changed.has("scene")) this.fillLeaves();
      if (this.shown && (changed.has("timeline") || changed.has("scene") || changed.has("engine"))) this.refresh();
    });
  }

  get h() {
    return parseH(this.dom.h.value);
  }

  show() {
    if (!this.shown) {
      this.shown = true;
      this.dom.panel.hidden = false;
      this.engine.onShow(true);
    }
    this.dom.panel.scrollIntoView({ block: "nearest" });
    this.refresh();
  }

  hide() {
    this.shown = false;
    this.dom.panel.hidden = true;
    this.engine.onShow(false);
  }

  /** The leaf select: every named leaf of the graph on screen (the first chosen). */
  fillLeaves() {
    const s = this.store.state;
    const sel = this.dom.leaf;
    const keep = sel.value;
    sel.replaceChildren();
    if (!s.scene) return;
    for (const i of s.scene.timeline.leaves) {
      const o = document.createElement("option");
      o.value = s.labelOf(i); // the contract's "select of leaf labels"
      o.dataset.node = String(i);
      o.textContent = s.labelOf(i);
      sel.append(o);
    }
    if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
  }

  setStatus(text) {
    this.dom.status.textContent = text;
  }

  /** Ask the worker for what the panel shows, unless it already has it. */
  async refresh() {
    const s = this.store.state;
    if (!this.shown || !s.scene) return;
    if (!this.engine.ready()) {
      this.setStatus("The lab computes in Python, which is starting: it fills in as soon as it is up.");
      return;
    }
    const h = this.h;
    if (h == null) {
      this.dom.h.setAttribute("aria-invalid", "true");
      this.setStatus("h must be a positive number, like 1e-6 or 0.001.");
      return;
    }
    this.dom.h.removeAttribute("aria-invalid");
    const leaf = Number(this.dom.leaf.selectedOptions[0]?.dataset.node ?? s.scene.timeline.leaves[0]);
    const version = s.scene.timeline.version;
    const key = `${version}|${h}|${leaf}|${s.scene.program.length}`;
    if (key === this.asked) return;
    this.asked = key;
    this.setStatus("");
    const current = () => this.asked === key;
    const ask = async (view, args, label) => {
      const reply = await this.engine.call("lab", { view, ...args }, label);
      if (!current() || reply.stopped) return null;
      if (!reply.ok) {
        this.setStatus(reply.error.message);
        return null;
      }
      return reply.result;
    };
    const table = await ask("compare", { h }, "comparing the gradients");
    if (table) this.drawTable(table);
    if (s.scene.timeline.leaves.length === 0 || Number.isNaN(leaf)) return;
    const [curve, view, fwd] = await Promise.all([
      ask("error_curve", { leaf }, "measuring the error against h"),
      ask("slope_view", { leaf, h }, "drawing the output against the leaf"),
      ask("forward_mode", { leaf }, "running forward mode"),
    ]);
    if (curve) this.drawError(curve, h);
    if (view) {
      this.follow(leaf, view);
      const drawn = drawSlopeView(this.dom.slope, { ...view, label: this.dom.leaf.selectedOptions[0]?.textContent }, this.trail);
      this.dragPoint(drawn, leaf);
      const sec = view.secant_slopes || {};
      this.dom.slopeNote.textContent = `Tangent slope (backprop) ${fmtGraph(view.slope)}; the secants' slopes at h = ${this.dom.h.value.trim()}: ` +
        `forward ${fmtGraph(sec.forward)}, central ${fmtGraph(sec.central)}.` +
        (h < 1e-3 ? " At so small an h they lie on the tangent: try h = 0.5 to see them apart." : "");
    }
    if (fwd) this.drawForward(fwd);
    // The paths and the closed form need networkx and sympy: loaded once, when first shown.
    if (await this.need("networkx") && current()) {
      const paths = await ask("paths", { leaf }, "finding the paths");
      if (paths) this.drawPaths(paths);
    }
    if (await this.need("sympy") && current()) {
      this.dom.closed.textContent = "Deriving…";
      const closed = await ask("closed_form", { leaf }, "deriving the closed form");
      if (closed) this.drawClosed(closed);
    }
  }

  /** The leaf's values so far (nudges and edits), drawn as steps along the curve. */
  follow(leaf, view) {
    const here = { x: Number(view.x), y: Number(view.y) };
    const key = `${this.store.state.scene.program.replace(/[-+\d.e]+/g, "#")}|${leaf}`;
    if (key !== this.trailKey) {
      this.trailKey = key; // another program or leaf: a new trail
      this.trail = [];
    }
    const last = this.trail[this.trail.length - 1];
    if (!last || last.x !== here.x || last.y !== here.y) this.trail.push(here);
    if (this.trail.length > 50) this.trail.shift();
  }

  /** Drag the point (or arrow keys on it) to move the leaf: its new value goes to the engine. */
  dragPoint(drawn, leaf) {
    if (!drawn) return;
    const { point, toX, moveTo, step } = drawn;
    let x = null;
    point.addEventListener("pointerdown", (e) => {
      point.setPointerCapture(e.pointerId);
      x = toX(e.clientX);
    });
    point.addEventListener("pointermove", (e) => {
      if (x == null) return;
      x = toX(e.clientX);
      moveTo(x);
    });
    point.addEventListener("pointerup", () => {
      if (x != null) this.engine.setLeaf(leaf, Number(x.toPrecision(6)));
      x = null;
    });
    point.addEventListener("keydown", (e) => {
      const d = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 }[e.key];
      if (!d) return;
      e.preventDefault();
      e.stopPropagation();
      const now = Number(point.getAttribute("aria-valuenow"));
      this.engine.setLeaf(leaf, Number((now + d * step * (e.shiftKey ? 5 : 1)).toPrecision(6)));
    });
  }

  /** Load a package in the worker once; false (and said) when it cannot be had. */
  need(name) {
    if (!this.packages.has(name)) {
      this.setStatus(`Loading ${name} (the first time only)…`);
      const p = this.engine.call("packages", { names: [name] }, `loading ${name}`).then((reply) => {
        if (reply.ok) {
          this.setStatus("");
          return true;
        }
        this.packages.delete(name);
        this.setStatus(`${name} could not be loaded: ${reply.error?.message || "stopped"}`);
        return false;
      });
      this.packages.set(name, p);
    }
    return this.packages.get(name);
  }

  drawTable(table) {
    const frag = document.createDocumentFragment();
    for (const row of table.leaves) {
      const tr = document.createElement("tr");
      tr.dataset.leaf = row.label;
      for (const k of ["backprop", "forward", "backward", "central"]) tr.dataset[k] = row[k] ?? "";
      tr.dataset.ok = String(!!row.ok);
      const cells = [
        row.label,
        ...["backprop", "forward", "backward", "central"].map((k) => (row[k] == null ? "—" : row[k])),
        row.abs_error?.central == null ? "—" : fmtGraph(row.abs_error.central),
        row.rel_error?.central == null ? "—" : fmtGraph(row.rel_error.central),
      ];
      cells.forEach((text, k) => {
        const td = document.createElement(k === 0 ? "th" : "td");
        if (k === 0) td.scope = "row";
        td.textContent = text;
        if (k >= 1 && k <= 4 && text !== "—") td.title = text;
        tr.append(td);
      });
      const ok = document.createElement("td");
      ok.className = row.ok ? "ok" : "bad";
      ok.textContent = row.ok ? "✓ agree" : `✗ ${row.problem || "differ"}`;
      tr.append(ok);
      frag.append(tr);
    }
    this.dom.rows.replaceChildren(frag);
  }

  drawError(curve, h) {
    drawErrorPlot(this.dom.errorPlot, curve, h);
    const best = curve.best || {};
    const say = (k) => {
      const b = best[k];
      const m = b?.measured ?? b;
      return m == null ? "" : `${k} ${Number(m).toExponential(0)}${b?.theory != null ? ` (theory ${Number(b.theory).toExponential(0)})` : ""}`;
    };
    const parts = ["forward", "central"].map(say).filter(Boolean);
    this.dom.errorNote.textContent = parts.length
      ? `Best h: ${parts.join("; ")}. Too large an h errs by the curvature (falling like h, or h² for central); too small by rounding (rising like 1/h).`
      : "";
  }

  drawClosed(c) {
    const box = this.dom.closed;
    box.dataset.value = c.value ?? "";
    box.replaceChildren();
    if (c.expr == null) {
      box.textContent = c.problem || "No closed form for this program.";
      return;
    }
    if (c.pretty && c.pretty.includes("\n")) { // (one line: the expression below says it)
      const pre = document.createElement("pre");
      pre.className = "closed-pretty";
      pre.setAttribute("aria-hidden", "true"); // the line below says the same, for reading aloud
      pre.textContent = `${c.name} =\n${c.pretty}`;
      box.append(pre);
    }
    const expr = document.createElement("code");
    expr.className = "closed-expr";
    expr.textContent = `${c.name || "d(output)/d(leaf)"} = ${c.expr}`;
    const facts = document.createElement("p");
    facts.className = "help-text";
    facts.textContent = `= ${c.value} at the values on screen; backprop gives ${c.backprop} ` +
      `(${c.agrees ? "they agree" : "they differ"}). ${c.size_note || `${c.ops} operations against ${c.backward_steps} backward steps.`}`;
    box.append(expr, facts);
  }

  /**
   * The paths from the leaf to the output, each the product of the local derivatives
   * along it; pointing at one (or focusing it) marks its nodes on the graph.
   */
  drawPaths(p) {
    const box = this.dom.paths;
    box.replaceChildren();
    const s = this.store.state;
    const list = document.createElement("ol");
    const mark = (nodes) => {
      for (const e of document.querySelectorAll("[data-on-path]")) e.removeAttribute("data-on-path");
      for (const i of nodes || []) document.querySelector(`[data-node-id="n${i}"]`)?.setAttribute("data-on-path", "true");
    };
    for (const path of p.paths || []) {
      const li = document.createElement("li");
      li.tabIndex = 0;
      const names = (path.nodes || []).map((i) => s.labelOf(i)).join(" → ");
      li.textContent = `${names}: ${(path.locals || []).map((x) => fmtGraph(x)).join(" × ")} = ${fmtGraph(path.product)}`;
      li.title = `product ${path.product}`;
      li.addEventListener("pointerenter", () => mark(path.nodes));
      li.addEventListener("focus", () => mark(path.nodes));
      li.addEventListener("pointerleave", () => mark([]));
      li.addEventListener("blur", () => mark([]));
      list.append(li);
    }
    const total = document.createElement("p");
    total.className = "help-text";
    const count = Number(p.count ?? (p.paths || []).length);
    const shown = (p.paths || []).length;
    total.textContent = `${p.count_text ?? count} path${count === 1 ? "" : "s"} from the leaf to the output` +
      (shown < count ? ` (the first ${shown} listed: too many to add up here)` : "") +
      (p.sum != null ? `; the products add up to ${p.sum}, backprop's gradient is ${p.backprop}.` : ".") +
      " Point at a path to see it on the graph.";
    box.append(total, list);
  }

  /**
   * Forward mode: every node as the dual number (value, d/dleaf), computed in forward
   * order with the leaf's tangent 1; "Next" shows one more node, "All" the rest.
   */
  drawForward(f) {
    const box = this.dom.forward;
    box.replaceChildren();
    const steps = f.steps || [];
    const table = document.createElement("table");
    table.className = "fd-table forward-table";
    const head = table.createTHead().insertRow();
    for (const t of ["node", "value", `tangent d/d${f.label}`]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = t;
      head.append(th);
    }
    const body = table.createTBody();
    for (const st of steps) {
      const tr = body.insertRow();
      tr.hidden = true;
      for (const [k, v] of [["th", st.label], ["td", fmtGraph(st.value)], ["td", fmtGraph(st.tangent)]]) {
        const c = document.createElement(k);
        c.textContent = v;
        tr.append(c);
      }
    }
    let shown = 0;
    const show = (n) => {
      shown = Math.min(steps.length, n);
      [...body.rows].forEach((r, k) => (r.hidden = k >= shown));
      next.disabled = all.disabled = shown >= steps.length;
    };
    const next = document.createElement("button");
    next.type = "button";
    next.className = "small";
    next.textContent = "Next node";
    next.addEventListener("click", () => show(shown + 1));
    const all = document.createElement("button");
    all.type = "button";
    all.className = "small";
    all.textContent = "All";
    all.addEventListener("click", () => show(steps.length));
    const p = document.createElement("p");
    p.className = "help-text";
    p.textContent = f.summary || `One forward-mode pass gives d(output)/d(leaf) = ${f.tangent}; ` +
      `${f.leaves} leaves need ${f.leaves} passes, one backward pass gave them all.`;
    const row = document.createElement("div");
    row.className = "row";
    row.append(next, all);
    box.append(p, row, table);
    show(Math.min(3, steps.length));
  }

  _wire() {
    const { h, range, leaf } = this.dom;
    // Typing (or Playwright's fill) updates after a short pause; Enter at once.
    let timer = 0;
    const typed = () => {
      clearTimeout(timer);
      const v = this.h;
      if (v != null) range.value = String(Math.min(12, Math.max(1, Math.round(-Math.log10(v)))));
      this.refresh();
    };
    h.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(typed, 250);
    });
    h.addEventListener("keydown", (e) => {
      if (e.key === "Enter") typed();
    });
    range.addEventListener("input", () => {
      h.value = `1e-${range.value}`;
      this.refresh();
    });
    leaf.addEventListener("change", () => this.refresh());
    $("lab-close").addEventListener("click", () => this.hide());
    if (!h.value) h.value = H_DEFAULT;
  }
}
