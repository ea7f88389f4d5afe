// The gradient lab panel (contract section 4): backprop against the three finite
// differences at h for every leaf (one-sided +h, one-sided −h and central ±h: the
// contract's data-forward, data-backward, data-central, which are not the passes), the error against h, the output against
// one leaf with its tangent and secants, the closed form (sympy, loaded when first
// needed), the paths from the leaf to the output, and forward mode. Everything is
// computed in the engine's worker at the leaf values on screen (gradstep/lab/views.py); this
// draws the replies and asks again when the values, the leaf or h change. h and the
// leaf chosen survive a reload (lab-storage.js). Your derivative, checked, and a teacher's
// challenge are yours.js's; while a challenge hides a leaf's derivative, so does this panel.

import { DIFFERENCES, drawErrorPlot, drawSlopeView } from "./lab-plots.js";
import { readLab, shapeKey, writeLab } from "./lab-storage.js";
import { YoursCard } from "./yours.js";
import { fmtGraph } from "../graph/scene.js";

const $ = (id) => document.getElementById(id);
const H_DEFAULT = "1e-6";
const NUMBER = /^[+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i; // a decimal float, as the command line reads it

/** h as the user typed it, or null when it is not a positive finite number. */
export function parseH(text) {
  const t = String(text).trim();
  const v = Number(t);
  return NUMBER.test(t) && Number.isFinite(v) && v > 0 ? v : null;
}

/** Why h is refused, naming the limit (the command line's words for --h). */
export function hProblem(text) {
  const t = String(text).trim();
  if (t === "") return "Type h: a positive, finite number, like 1e-6 or 0.001.";
  const v = Number(t);
  if (NUMBER.test(t) && v === 0) return `h must be a positive, finite number, not ${t} (which is 0 in float64: the smallest is about 5e-324; try 1e-6).`;
  if (NUMBER.test(t) && !Number.isFinite(v)) return `h must be a positive, finite number, not ${t} (past float64's largest, about 1.8e308; try 1e-6).`;
  return `h must be a positive, finite number, not ${t}: write it like 1e-6 or 0.001.`;
}


export class LabPanel {
  /**
   * @param {Store} store
   * @param {{call(method, args, what): Promise, ready(): boolean, onShow(shown), setLeaf(i, v),
   *          linkFor(challenge): string, toast(text), challenged()}} engine
   */
  constructor(store, engine) {
    this.store = store;
    this.engine = engine;
    this.dom = {
      panel: $("lab"), h: $("fd-h"), range: $("fd-h-range"), leaf: $("closed-form-leaf"), rows: $("fd-rows"),
      status: $("lab-status"), errorPlot: $("error-plot"), errorNote: $("error-note"), slope: $("slope-view"),
      slopeNote: $("slope-note"), closed: $("closed-form"), paths: $("paths"), forward: $("forward-mode"),
      point: $("slope-point"),
    };
    this.stored = readLab();
    this.geom = null; // where the slope view drew the point (drawSlopeView's reply)
    this.shown = false;
    this.asked = ""; // what the panel last asked for (version, h, leaf)
    this.packages = new Map(); // name -> Promise of loading it in the worker
    this.yours = new YoursCard(store, {
      ask: (args, what) => this.engine.call("lab", { view: "yours", ...args }, what),
      need: (name) => this.need(name),
      ready: () => this.engine.ready(),
      linkFor: (challenge) => engine.linkFor(challenge),
      toast: (text) => engine.toast(text),
    }, () => {
      // a challenge answered (or given up): what it hid is shown, and the backward pass may run
      this.asked = "";
      if (this.shown) this.refresh();
      engine.challenged();
    });
    this._wire();
    store.subscribe((s, changed) => {
      // A fresh worker (after Stop) has none of the packages loaded, and knows nothing asked.
      if (changed.has("engine") && s.engine !== "ready") {
        this.packages.clear();
        this.asked = "";
      }
      // (5,000 leaves make 5,000 options: made when the lab is open, not for every graph)
      if (changed.has("scene")) this.leavesFor = null;
      if (this.shown && changed.has("scene")) this.fillLeaves();
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
    if (this.leavesFor !== this.store.state.scene) this.fillLeaves();
    this.yours.fillOptions();
    this.dom.panel.scrollIntoView({ block: "nearest" });
    this.refresh();
    if (!this.yours.result) this.yours.recheck();
  }

  /** A teacher's challenge (the link's "&challenge="): the lab opens asking for these leaves. */
  setChallenge(labels) {
    this.yours.setChallenge(labels);
    if (labels.length) this.show();
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
    this.leavesFor = s.scene;
    if (!s.scene) return;
    for (const i of s.scene.timeline.leaves) {
      const o = document.createElement("option");
      o.value = s.labelOf(i); // the contract's "select of leaf labels"
      o.dataset.node = String(i);
      o.textContent = s.labelOf(i);
      sel.append(o);
    }
    const has = (label) => label != null && [...sel.options].some((o) => o.value === label);
    const stored = this.stored.leaves[shapeKey(s.scene.program)];
    if (has(keep)) sel.value = keep;
    else if (has(stored)) sel.value = stored;
    // No leaf, nothing to choose: the select says so rather than sit empty and enabled.
    sel.disabled = sel.options.length === 0;
    sel.title = sel.disabled ? "This program has no named leaf (a name = a number) to differentiate by." : "";
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
      this.setStatus(hProblem(this.dom.h.value));
      this.hRefused = true;
      return;
    }
    this.dom.h.removeAttribute("aria-invalid");
    if (this.hRefused) { // (the refusal goes with the bad h, even when nothing need be asked again)
      this.hRefused = false;
      this.setStatus("");
    }
    if (!this.dom.leaf.options.length) {
      this.setStatus("This program has no named leaf (a name = a number): the lab differentiates by one.");
      this.dom.rows.replaceChildren();
      return;
    }
    const leaf = Number(this.dom.leaf.selectedOptions[0]?.dataset.node ?? s.scene.timeline.leaves[0]);
    const version = s.scene.timeline.version;
    const hide = this.yours.hides(s.labelOf(leaf));
    const key = `${version}|${h}|${leaf}|${s.scene.program.length}|${hide}`;
    if (key === this.asked) return;
    this.asked = key;
    this.setStatus("");
    const current = () => this.asked === key;
    const ask = async (view, args, label) => {
      const reply = await this.engine.call("lab", { view, ...args }, label);
      if (!current() || reply.stopped || reply.crashed) return null;
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
      const label = this.dom.leaf.selectedOptions[0]?.textContent;
      this.pointLeaf = leaf;
      drawSlopeView(this.dom.slope, { ...view, label, output: s.labelOf(s.scene.timeline.output) }, this.trail,
        (geom) => this.placePoint(geom, label));
      const sec = view.secant_slopes || {};
      this.dom.slopeNote.textContent = `Tangent slope (backprop) ${fmtGraph(view.slope)}; the secants' slopes at h = ${this.dom.h.value.trim()}: ` +
        `one-sided +h ${fmtGraph(sec.forward)}, central ±h ${fmtGraph(sec.central)}.` +
        (h < 1e-3 ? " At so small an h they lie on the tangent: try h = 0.5 to see them apart." : "");
    }
    if (fwd) this.drawForward(fwd);
    if (hide) { // (a challenge asks for this leaf's derivative: what would give it away waits)
      const why = "Hidden: a challenge asks for this derivative. It is shown once you get it, or show the answer, in Your derivative above.";
      for (const box of [this.dom.closed, this.dom.paths, this.dom.forward]) box.replaceChildren(why);
      this.dom.closed.dataset.value = "";
      this.dom.slopeNote.textContent = "The tangent's slope is the derivative the challenge asks for: its number is hidden.";
      return;
    }
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

  /**
   * The point on the slope view: an HTML slider over the plot (not inside the plot's
   * role=img, and not drawn again with it, so it keeps the focus while its arrow keys
   * move the leaf). geom is drawSlopeView's reply for the plot now on screen.
   */
  placePoint(geom, label) {
    const p = this.dom.point;
    this.geom = geom;
    if (!geom) {
      p.hidden = true;
      return;
    }
    p.hidden = false;
    this.pointValue = geom.x;
    const at = geom.at(geom.x);
    p.style.left = `${(at.left * 100).toFixed(3)}%`;
    p.style.top = `${(at.top * 100).toFixed(3)}%`;
    p.setAttribute("aria-label", `${label || "leaf"}: drag, or use the arrow keys, to move it (Shift or Page Up/Down: bigger steps)`);
    p.setAttribute("aria-valuemin", String(geom.lo));
    p.setAttribute("aria-valuemax", String(geom.hi));
    p.setAttribute("aria-valuenow", String(geom.x));
    p.setAttribute("aria-valuetext", `${label || "leaf"} = ${fmtGraph(String(geom.x))}, output ${fmtGraph(String(geom.y))}`);
  }

  /** Show the point at x while dragged or stepped (before the engine answers). */
  movePoint(x) {
    if (!this.geom) return;
    const at = this.geom.at(x);
    this.dom.point.style.left = `${(at.left * 100).toFixed(3)}%`;
    this.dom.point.style.top = `${(at.top * 100).toFixed(3)}%`;
    this.dom.point.setAttribute("aria-valuenow", String(x));
  }

  /** Drag the point, or arrow keys on it, to move the leaf: its new value goes to the engine. */
  _wirePoint() {
    const point = this.dom.point;
    let x = null;
    const send = (v) => {
      if (this.pointLeaf == null || !Number.isFinite(v)) return;
      this.pointValue = v;
      this.movePoint(v);
      this.engine.setLeaf(this.pointLeaf, v);
    };
    point.addEventListener("pointerdown", (e) => {
      if (!this.geom) return;
      point.setPointerCapture(e.pointerId);
      point.focus();
      x = this.geom.toX(e.clientX);
    });
    point.addEventListener("pointermove", (e) => {
      if (x == null || !this.geom) return;
      x = this.geom.toX(e.clientX);
      this.movePoint(x);
    });
    const drop = () => {
      if (x != null) send(Number(x.toPrecision(6)));
      x = null;
    };
    point.addEventListener("pointerup", drop);
    point.addEventListener("pointercancel", () => (x = null));
    point.addEventListener("keydown", (e) => {
      if (!this.geom) return;
      const big = e.shiftKey ? 5 : 1;
      const d = { ArrowRight: big, ArrowUp: big, ArrowLeft: -big, ArrowDown: -big, PageUp: 10, PageDown: -10 }[e.key];
      if (!d) return;
      e.preventDefault();
      e.stopPropagation(); // (the page's own arrow keys step the graph)
      send(Number((this.pointValue + d * this.geom.step).toPrecision(6)));
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
      const hide = this.yours.hides(row.label); // (a challenge asks for it: backprop's number waits)
      if (hide) tr.dataset.hidden = "challenge";
      const cells = [
        row.label,
        hide ? "hidden" : row.backprop ?? "—",
        ...["forward", "backward", "central"].map((k) => (row[k] == null ? "—" : row[k])),
        hide || row.abs_error?.central == null ? "—" : fmtGraph(row.abs_error.central),
        hide || row.rel_error?.central == null ? "—" : fmtGraph(row.rel_error.central),
      ];
      cells.forEach((text, k) => {
        const td = document.createElement(k === 0 ? "th" : "td");
        if (k === 0) td.scope = "row";
        td.textContent = text;
        if (k >= 1 && k <= 4 && text !== "—") td.title = text;
        if (k === 1 && hide) td.title = "A challenge asks for this derivative: backprop's number is shown once you get it or show the answer.";
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
    const parts = ["forward", "central"].map(say).filter(Boolean)
      .map((t) => t.replace(/^forward/, "one-sided +h").replace(/^central/, "central ±h"));
    this.dom.errorNote.textContent = parts.length
      ? `Best h: ${parts.join("; ")}. Too large an h errs by the curvature (falling like h, or h² for central ±h); too small by rounding (rising like 1/h).`
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
    // Labels the page made up for unnamed nodes (t1, t2, ...: an expression too long to
    // write on the node), named nowhere in the program: said below the list.
    const madeUp = new Set();
    const named = (label) => new RegExp(`^\\s*${label}\\s*[-+*/]?=`, "m").test(s.scene.program);
    for (const path of p.paths || []) {
      const li = document.createElement("li");
      li.tabIndex = 0;
      const labels = (path.nodes || []).map((i) => s.labelOf(i));
      for (const l of labels) if (/^t\d+$/.test(l) && !named(l)) madeUp.add(l);
      const names = document.createElement("span");
      names.className = "path-nodes";
      names.textContent = labels.join(" → ");
      const product = document.createElement("span");
      product.className = "path-product";
      product.textContent = `${(path.locals || []).map((x) => fmtGraph(x)).join(" × ")} = ${fmtGraph(path.product)}`;
      li.append(names, product);
      li.title = `The local derivatives along this path, multiplied: ${path.product}`;
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
    const key = document.createElement("p");
    key.className = "help-text paths-key";
    key.textContent = "Each path: its nodes, then the local derivative of each step along it (d next / d this), " +
      "multiplied." + (madeUp.size ? ` ${[...madeUp].join(", ")} ${madeUp.size === 1 ? "is a name" : "are names"} the page ` +
      "gave to unnamed nodes whose expression is too long to write on them (hover a node to see it)." : "");
    box.append(total, key, list);
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
    this._wirePoint();
    // h as kept from the last visit, when it is still a valid one.
    if (this.stored.h != null && parseH(this.stored.h) != null) h.value = this.stored.h;
    // Typing (or Playwright's fill) updates after a short pause; Enter at once.
    let timer = 0;
    const typed = () => {
      clearTimeout(timer);
      const v = this.h;
      if (v != null) {
        range.value = String(Math.min(12, Math.max(1, Math.round(-Math.log10(v)))));
        writeLab({ h: h.value.trim() });
      }
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
      writeLab({ h: h.value });
      this.refresh();
    });
    leaf.addEventListener("change", () => {
      const s = this.store.state;
      if (s.scene) writeLab({ program: shapeKey(s.scene.program), leaf: leaf.value });
      this.refresh();
    });
    $("lab-close").addEventListener("click", () => this.hide());
    if (!h.value) h.value = H_DEFAULT;
    const v = this.h;
    if (v != null) range.value = String(Math.min(12, Math.max(1, Math.round(-Math.log10(v)))));
  }
}
