// The graph on screen: the renderer (SVG, or canvas above BIG_GRAPH value nodes),
// pan and zoom, the overview map, Follow mode, the pan hint, keyboard access to the
// leaves and the leaf editor. It draws what the store holds; what a click asks for
// (freeze a leaf, set its value, inspect a node) goes to the handlers it is given.

import { readTheme } from "./geometry.js";
import { SvgGraph } from "./render-svg.js";
import { CanvasGraph } from "./render-canvas.js";
import { Viewport } from "./viewport.js";
import { Minimap } from "./minimap.js";

/** Above this many value nodes the graph is drawn on a canvas (no per-node elements). */
export const BIG_GRAPH = 2000;
const LEAF_KEYS_MAX = 5000;
const LEAF_KEYS_SLICE = 500; // leaf buttons made in one task
const PAN = 60; // pixels an arrow key pans (four times with Shift)

const $ = (id) => document.getElementById(id);

export class GraphView {
  /**
   * @param {Store} store
   * @param {{onToggle(i), onSetLeaf(i, value), onInspect(i), toast(text)}} handlers
   * @param {object} [dom] its elements (host, empty, minimap, panHint, follow, leafKeys,
   *   focusRing, editor) and the element carrying the colours (themeRoot); the page's
   *   by id when not given (the notebook widget gives its own: web/notebook/widget.js)
   */
  constructor(store, handlers, dom = null) {
    this.store = store;
    this.handlers = handlers;
    this.page = !dom;
    this.dom = dom || {
      host: $("graph-host"), empty: $("graph-empty"), minimap: $("minimap"), panHint: $("pan-hint"),
      follow: $("follow"), leafKeys: $("leaf-keys"), focusRing: $("focus-ring"), editor: $("leaf-editor"),
      themeRoot: document.documentElement,
    };
    this.theme = readTheme(this.dom.themeRoot);
    this.renderer = null;
    this.follow = false;
    this.lastCurrent = null;
    this.viewport = new Viewport(this.dom.host, (t) => {
      this.renderer?.applyTransform(t);
      if (!this.dom.editor.hidden) this.closeEditor(false);
      this.updateMinimap();
      const b = document.activeElement?.closest?.(".leaf-key");
      if (b) this.ring(Number(b.dataset.leaf));
    });
    this.minimap = new Minimap(this.dom.minimap, (gx, gy) => {
      this.setFollow(false);
      this.viewport.centerOn(gx, gy);
    });
    this.viewport.onUserMove = () => {
      this.setFollow(false);
      this.dom.panHint.hidden = true;
    };
    this._wire();
    store.subscribe((s, changed) => this.draw(s, changed));
  }

  // ---------------------------------------------------------------- drawing

  draw(s, changed) {
    if (!s.scene) return;
    if (changed.has("scene")) this._build(s);
    else if (changed.has("timeline")) this.renderer.setTimeline(s.scene.timeline, s.ix);
    if (!(changed.has("scene") || changed.has("timeline") || changed.has("state"))) return;
    const st = s.scene.state;
    this.renderer.update({ position: st.position, current: st.current, frozen: new Set(st.frozen || []) });
    if (st.current != null && st.current !== this.lastCurrent) {
      const box = this.renderer.nodeBox(st.current);
      if (box && this.follow) this.viewport.centerOn(box.x + box.width / 2, box.y + box.height / 2);
      else if (box) this.viewport.ensureVisible(box);
    }
    this.lastCurrent = st.current;
    this.updateMinimap();
  }

  _build(s) {
    const { model, scene, ix } = s;
    const big = model.values.length > BIG_GRAPH;
    const Kind = big ? CanvasGraph : SvgGraph;
    if (!(this.renderer instanceof Kind)) {
      this.renderer?.destroy();
      this.renderer = new Kind(this.dom.host, {
        onLeafToggle: (i) => this.handlers.onToggle(i),
        onLeafEdit: (i) => this.openEditor(i),
        onInspect: (i) => this.handlers.onInspect(i),
      });
    }
    if (this.page) document.body.dataset.big = String(big);
    this.dom.host.dataset.big = String(big);
    // The SVG itself is no Tab stop: the graph host is (arrow keys pan), then the leaves.
    this.renderer.svg?.setAttribute("tabindex", "-1");
    this.renderer.setScene(model, scene.timeline, ix, this.theme);
    this.minimap.setModel(model, this.theme);
    // A graph too large to read when fitted opens at a readable size at its left end
    // (the leaves), following the steps; "Fit" shows the whole, the map jumps anywhere.
    const tooBig = this.viewport.tooBigToFit(model.bounds);
    this.setFollow(tooBig);
    this.viewport.fit(model.bounds, { readable: true });
    this.showPanHint(tooBig);
    this.fillLeafKeys(big, s);
    this.lastCurrent = null;
    this.dom.empty.hidden = true;
  }

  setTheme() {
    this.theme = readTheme(this.dom.themeRoot);
    const s = this.store.state;
    if (!this.renderer || !s.model) return;
    this.renderer.setTheme(this.theme);
    this.minimap.setModel(s.model, this.theme);
    this.draw(s, new Set(["state"]));
  }

  /** The empty area's message (no graph yet, or why not). */
  setEmpty(text) {
    if (this.store.state.scene) return;
    this.dom.empty.hidden = false;
    this.dom.empty.textContent = text;
  }

  // ---------------------------------------------------------------- the view

  /** The overview map: shown while part of the graph is off screen. */
  updateMinimap() {
    const s = this.store.state;
    if (!s.model) return;
    const all = this.viewport.showsAll(s.model.bounds);
    this.dom.minimap.hidden = all;
    if (all) return;
    const cur = s.scene?.state.current;
    this.minimap.update(this.viewport.visibleRect(), cur != null ? this.renderer.nodeBox(cur) : null);
  }

  /** Follow mode: the view keeps the current step's node in the middle, at a readable size. */
  setFollow(on) {
    this.follow = on;
    this.dom.follow.setAttribute("aria-pressed", String(on));
  }

  toggleFollow() {
    this.setFollow(!this.follow);
    const s = this.store.state;
    if (!this.follow || !s.scene) return;
    const cur = s.scene.state.current;
    const box = this.renderer.nodeBox(cur != null ? cur : s.scene.timeline.output);
    if (box) this.viewport.centerOn(box.x + box.width / 2, box.y + box.height / 2, Math.max(1, this.viewport.t.k));
  }

  /** Centre the view on node `i` (the output when null) at a readable size, Follow off. */
  centerOnNode(i = null) {
    const s = this.store.state;
    if (!s.scene) return;
    this.setFollow(false);
    const box = this.renderer.nodeBox(i ?? s.scene.timeline.output);
    if (box) this.viewport.centerOn(box.x + box.width / 2, box.y + box.height / 2, Math.max(1, this.viewport.t.k));
  }

  /** The whole graph on screen: following the step would move it off again. */
  fit() {
    this.setFollow(false);
    this.viewport.fit();
  }

  zoom(factor) {
    this.viewport.zoomBy(factor);
  }

  /** A graph larger than the view says how to move around it, until the first drag. */
  showPanHint(on) {
    clearTimeout(this.panHintTimer);
    this.dom.panHint.hidden = !on;
    if (on) this.panHintTimer = setTimeout(() => (this.dom.panHint.hidden = true), 8000);
  }

  /**
   * Keyboard access to the leaves of a canvas-drawn graph (no per-node elements
   * there): one button per leaf after the graph in Tab order; focusing one brings
   * its node into view and rings it; Enter freezes, E edits.
   */
  fillLeafKeys(big, s) {
    const box = this.dom.leafKeys;
    box.replaceChildren();
    box.hidden = !big;
    cancelAnimationFrame(this.leafKeysFrame);
    clearTimeout(this.leafKeysTimer);
    if (!big) return;
    // (made once the graph is on screen, a slice of them a task, each after a frame: thousands
    // of buttons at once took as long to make and lay out as the drawing, 100-150 ms here)
    // (`s` is the store's state, which changes in place: this graph's scene and labels are kept)
    const { scene, labelOf } = s;
    const leaves = [...s.ix.leaves].slice(0, LEAF_KEYS_MAX);
    let done = 0;
    const slice = () => {
      this.leafKeysTimer = setTimeout(() => {
        if (this.store.state.scene !== scene) return;
        const frag = document.createDocumentFragment();
        for (const i of leaves.slice(done, done + LEAF_KEYS_SLICE)) {
          const b = document.createElement("button");
          b.type = "button";
          b.className = "leaf-key";
          b.dataset.leaf = String(i);
          b.textContent = labelOf(i);
          frag.append(b);
        }
        box.append(frag);
        done += LEAF_KEYS_SLICE;
        if (done < leaves.length) this.leafKeysFrame = requestAnimationFrame(slice);
      }, 0);
    };
    this.leafKeysFrame = requestAnimationFrame(slice);
  }

  ring(i) {
    const box = i != null ? this.renderer.nodeBox(i) : null;
    const ring = this.dom.focusRing;
    ring.hidden = !box;
    if (!box) return;
    this.viewport.ensureVisible(box);
    const { k, x, y } = this.viewport.t;
    Object.assign(ring.style, {
      left: `${box.x * k + x - 3}px`, top: `${box.y * k + y - 3}px`,
      width: `${box.width * k + 6}px`, height: `${box.height * k + 6}px`,
    });
  }

  // ---------------------------------------------------------------- leaf editor

  openEditor(i) {
    const s = this.store.state;
    if (!s.scene) return;
    if (s.engine !== "ready") {
      this.handlers.toast("Editing a value needs Python, which is still starting: try again in a moment.");
      return;
    }
    const box = this.renderer.nodeBox(i);
    if (!box) return;
    const { k, x, y } = this.viewport.t;
    const ed = this.dom.editor;
    ed.hidden = false;
    const w = Math.max(90, box.width * k);
    ed.style.left = `${box.x * k + x + (box.width * k - w) / 2}px`;
    ed.style.top = `${(box.y + box.height * 0.4) * k + y}px`;
    ed.style.width = `${w}px`;
    ed.value = s.scene.timeline.values[i];
    ed.dataset.node = String(i);
    ed.setAttribute("aria-label", `New value for ${s.labelOf(i)}`);
    ed.removeAttribute("aria-invalid");
    ed.focus();
    ed.select();
  }

  closeEditor(commit) {
    const ed = this.dom.editor;
    if (ed.hidden) return;
    const i = Number(ed.dataset.node);
    if (commit) {
      const v = Number(ed.value.trim());
      if (ed.value.trim() === "" || !Number.isFinite(v)) {
        ed.setAttribute("aria-invalid", "true");
        this.handlers.toast("Type a number, like 2.5 or -1e-3.");
        return;
      }
      if (String(v) !== String(Number(this.store.state.scene.timeline.values[i]))) this.handlers.onSetLeaf(i, v);
    }
    ed.hidden = true;
    const key = this.dom.leafKeys.querySelector(`[data-leaf="${i}"]`);
    if (key) key.focus();
    else this.renderer.focusNode(i);
  }

  // ---------------------------------------------------------------- wiring

  _wire() {
    const { host, leafKeys, editor } = this.dom;
    // Tab to a leaf off screen: the view follows the focus.
    host.addEventListener("focusin", (e) => {
      const g = e.target.closest?.("[data-node-id]");
      if (!g || !this.renderer) return;
      const box = this.renderer.nodeBox(parseInt(g.getAttribute("data-node-id").slice(1), 10));
      if (box) this.viewport.ensureVisible(box);
    });
    // The graph focused: arrow keys pan (before the page's shortcuts see them).
    host.addEventListener("keydown", (e) => {
      if (e.target !== host || e.altKey || e.ctrlKey || e.metaKey) return;
      const step = e.shiftKey ? PAN * 4 : PAN;
      const moves = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
      const m = moves[e.key];
      if (!m) return;
      e.preventDefault();
      this.setFollow(false);
      this.viewport.panBy(m[0], m[1]);
    });
    const leafOf = (e) => e.target.closest?.(".leaf-key");
    leafKeys.addEventListener("focusin", (e) => {
      const b = leafOf(e);
      if (!b) return;
      this.ring(Number(b.dataset.leaf));
      this.handlers.onInspect(Number(b.dataset.leaf));
    });
    leafKeys.addEventListener("focusout", () => (this.dom.focusRing.hidden = true));
    leafKeys.addEventListener("keydown", (e) => {
      const b = leafOf(e);
      if (b && (e.key === "e" || e.key === "E" || e.key === "F2")) {
        e.preventDefault();
        e.stopPropagation();
        this.openEditor(Number(b.dataset.leaf));
      }
    });
    leafKeys.addEventListener("click", (e) => {
      const b = leafOf(e);
      if (b) this.handlers.onToggle(Number(b.dataset.leaf));
    });
    editor.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        this.closeEditor(true);
      } else if (e.key === "Escape") {
        e.preventDefault();
        this.closeEditor(false);
      }
    });
    editor.addEventListener("blur", () => {
      if (!editor.hidden) this.closeEditor(true);
    });
  }
}
