// Pan and zoom for the graph: one transform {k, x, y} (screen = k * graph + (x, y)),
// changed by dragging, the wheel, two-finger pinch and the zoom buttons.
// The renderer draws with it through the onChange callback.

const MIN_K = 0.0005;
const MAX_K = 4;
export const READABLE_K = 0.8; // below this the records' text is too small to read
const DRAG_THRESHOLD = 4; // pixels before a press becomes a drag (a click stays a click)

export class Viewport {
  constructor(element, onChange) {
    this.el = element;
    this.onChange = onChange;
    this.t = { k: 1, x: 0, y: 0 };
    this.bounds = { x: 0, y: 0, width: 1, height: 1 };
    this.pointers = new Map();
    this.dragging = false;
    this.suppressClick = false;
    this.onUserMove = null; // called when the user pans or zooms by hand (drag, wheel, pinch)
    this._size = null; // (size(): kept until the next microtask)
    this._bind();
  }

  _bind() {
    const el = this.el;
    el.addEventListener("wheel", (e) => {
      e.preventDefault();
      const r = el.getBoundingClientRect();
      const factor = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.002));
      this.onUserMove?.();
      this.zoomAt(factor, e.clientX - r.left, e.clientY - r.top);
    }, { passive: false });

    el.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      this.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY, x0: e.clientX, y0: e.clientY });
      this.suppressClick = false;
    });
    el.addEventListener("pointermove", (e) => {
      const p = this.pointers.get(e.pointerId);
      if (!p) return;
      if (this.pointers.size === 2) {
        this._pinch(e);
        return;
      }
      const dx = e.clientX - p.x;
      const dy = e.clientY - p.y;
      if (!this.dragging && Math.hypot(e.clientX - p.x0, e.clientY - p.y0) > DRAG_THRESHOLD) {
        this.dragging = true;
        el.classList.add("dragging");
        this.onUserMove?.();
        try { el.setPointerCapture(e.pointerId); } catch { /* pointer already gone */ }
      }
      if (this.dragging) {
        p.x = e.clientX;
        p.y = e.clientY;
        this.set({ k: this.t.k, x: this.t.x + dx, y: this.t.y + dy });
      }
    });
    const end = (e) => {
      if (!this.pointers.has(e.pointerId)) return;
      this.pointers.delete(e.pointerId);
      if (this.dragging && this.pointers.size === 0) {
        this.dragging = false;
        this.suppressClick = true; // the click that ends a drag is not a click on a node
        el.classList.remove("dragging");
      }
      this.pinchDist = null;
    };
    el.addEventListener("pointerup", end);
    el.addEventListener("pointercancel", end);
    // Swallow the click that ends a drag, before nodes see it.
    el.addEventListener("click", (e) => {
      if (this.suppressClick) {
        e.stopPropagation();
        e.preventDefault();
        this.suppressClick = false;
      }
    }, true);
  }

  _pinch(e) {
    const p = this.pointers.get(e.pointerId);
    p.x = e.clientX;
    p.y = e.clientY;
    const [a, b] = [...this.pointers.values()];
    const dist = Math.hypot(a.x - b.x, a.y - b.y);
    const r = this.el.getBoundingClientRect();
    const cx = (a.x + b.x) / 2 - r.left;
    const cy = (a.y + b.y) / 2 - r.top;
    if (this.pinchDist) this.zoomAt(dist / this.pinchDist, cx, cy);
    this.pinchDist = dist;
    this.dragging = true;
  }

  /**
   * The host's size in CSS px, read from the layout once per run of code (until the next
   * microtask): drawing writes the host's children between its reads, and every read after
   * a write made the browser lay the page out again (three times in the task that draws a
   * link's graph, 30 ms: issue #15). The host fills a box of its own size, whatever it holds,
   * so its size cannot change within one run. A hidden host (0 x 0) is not kept: it may be
   * shown before the next read.
   */
  size() {
    if (this._size) return this._size;
    const width = this.el.clientWidth;
    const height = this.el.clientHeight;
    if (!width || !height) return { width: width || 1, height: height || 1 };
    this._size = { width, height };
    queueMicrotask(() => { this._size = null; });
    return this._size;
  }

  set(t) {
    this.t = { k: Math.min(MAX_K, Math.max(MIN_K, t.k)), x: t.x, y: t.y };
    this.onChange(this.t);
  }

  zoomAt(factor, cx, cy) {
    const k = Math.min(MAX_K, Math.max(MIN_K, this.t.k * factor));
    const f = k / this.t.k;
    this.set({ k, x: cx - (cx - this.t.x) * f, y: cy - (cy - this.t.y) * f });
  }

  zoomBy(factor) {
    const { width, height } = this.size();
    this.zoomAt(factor, width / 2, height / 2);
  }

  /**
   * Fit the whole graph, never zooming in past 1.25x. With `readable`, a graph that
   * would shrink below a readable size (on a phone) is shown from its left end at
   * that size instead; the view then follows the steps.
   */
  fit(bounds = this.bounds, { readable = false } = {}) {
    this.bounds = bounds;
    const { width, height } = this.size();
    const pad = 16;
    const k = Math.max(MIN_K, Math.min(1.25, (width - 2 * pad) / bounds.width, (height - 2 * pad) / bounds.height));
    if (readable && k < READABLE_K) {
      const kk = READABLE_K;
      const y = bounds.height * kk < height ? (height - bounds.height * kk) / 2 - bounds.y * kk : pad - bounds.y * kk;
      this.set({ k: kk, x: pad - bounds.x * kk, y });
      return;
    }
    this.set({
      k,
      x: (width - bounds.width * k) / 2 - bounds.x * k,
      y: (height - bounds.height * k) / 2 - bounds.y * k,
    });
  }

  /** Pan (without zooming) so that a graph rectangle is inside the view. */
  ensureVisible(rect) {
    const { width, height } = this.size();
    const { k, x, y } = this.t;
    const sx = rect.x * k + x;
    const sy = rect.y * k + y;
    const sw = rect.width * k;
    const sh = rect.height * k;
    const m = 24;
    let nx = x;
    let ny = y;
    if (sx < m) nx += m - sx;
    else if (sx + sw > width - m) nx -= sx + sw - (width - m);
    if (sy < m) ny += m - sy;
    else if (sy + sh > height - m) ny -= sy + sh - (height - m);
    if (nx !== x || ny !== y) this.set({ k, x: nx, y: ny });
  }

  /** Put a graph point at the centre of the view, at zoom k (default: the current one). */
  centerOn(gx, gy, k = this.t.k) {
    const { width, height } = this.size();
    this.set({ k, x: width / 2 - gx * k, y: height / 2 - gy * k });
  }

  /** Move the drawing by (dx, dy) screen pixels. */
  panBy(dx, dy) {
    this.set({ k: this.t.k, x: this.t.x + dx, y: this.t.y + dy });
  }

  /** True when the whole graph is on screen at the current zoom. */
  showsAll(bounds = this.bounds) {
    const v = this.visibleRect();
    return bounds.x >= v.x - 1 && bounds.y >= v.y - 1 &&
      bounds.x + bounds.width <= v.x + v.width + 1 && bounds.y + bounds.height <= v.y + v.height + 1;
  }

  /** True when fitting the whole graph would make its text too small to read. */
  tooBigToFit(bounds = this.bounds) {
    const { width, height } = this.size();
    return Math.min((width - 32) / bounds.width, (height - 32) / bounds.height) < READABLE_K;
  }

  /** The graph-space rectangle on screen (for culling). */
  visibleRect() {
    const { width, height } = this.size();
    const { k, x, y } = this.t;
    return { x: -x / k, y: -y / k, width: width / k, height: height / k };
  }
}
