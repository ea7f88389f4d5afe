// The overview map of a graph wider or taller than the view: every node as a small
// rectangle, the current step's node in the accent colour, and the part on screen as
// a frame. A click or a drag on the map moves the view there.
//
// The nodes are drawn once per layout into an offscreen canvas; a pan only redraws
// the frame over that image.

const MAX_W = 180;
const MAX_H = 110;
// Above this many nodes the map is painted pixel by pixel into one ImageData: 60,000 canvas
// rectangles of a fraction of a pixel each took 190 ms of one task (a 15,000-line program).
const RASTER_FROM = 3000;

/** The nodes as whole device pixels (at least one each; ops over values), in one putImageData. */
function raster(ctx, W, H, model, b, sd, theme) {
  const cell = new Uint8Array(W * H); // 0 background, 1 a value, 2 an op
  const mark = (nodes, k) => {
    for (const n of nodes) {
      const x0 = Math.min(W - 1, Math.max(0, Math.floor((n.x - b.x) * sd)));
      const y0 = Math.min(H - 1, Math.max(0, Math.floor((n.y - b.y) * sd)));
      const x1 = Math.min(W, Math.max(x0 + 1, Math.round((n.x - b.x + n.width) * sd)));
      const y1 = Math.min(H, Math.max(y0 + 1, Math.round((n.y - b.y + n.height) * sd)));
      for (let y = y0; y < y1; y++) cell.fill(k, y * W + x0, y * W + x1);
    }
  };
  mark(model.values, 1);
  mark(model.ops, 2);
  const colours = [theme.bg, theme.muted, theme.edge].map(rgba);
  const image = ctx.createImageData(W, H);
  const px = new Uint32Array(image.data.buffer);
  for (let i = 0; i < cell.length; i++) px[i] = colours[cell[i]];
  ctx.putImageData(image, 0, 0);
}

/**
 * A CSS colour as the 32-bit pixel ImageData holds (a canvas parses it): on a 1x1 canvas of
 * its own, made to be read from, so the map's canvas is never read back from the GPU (three
 * such reads a paint had Chromium warn, and each waits for the GPU).
 */
let parser = null;
function rgba(colour) {
  parser ??= document.createElement("canvas").getContext("2d", { willReadFrequently: true });
  parser.clearRect(0, 0, 1, 1);
  parser.fillStyle = colour;
  parser.fillRect(0, 0, 1, 1);
  const [r, g, bl, a] = parser.getImageData(0, 0, 1, 1).data;
  return new Uint32Array(new Uint8ClampedArray([r, g, bl, a]).buffer)[0];
}

export class Minimap {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {(gx: number, gy: number) => void} centerOn  moves the view's centre to a graph point
   */
  constructor(canvas, centerOn) {
    this.canvas = canvas;
    this.centerOn = centerOn;
    this.image = null;
    this.bounds = null;
    this.scale = 1;
    this.current = null;
    this.view = null;
    this._bind();
  }

  /** A new layout (or theme): its nodes are drawn into the cached image when the map is first
   * shown (a graph that fits the view never needs it; drawing reads the page's layout). */
  setModel(model, theme) {
    this.bounds = model.bounds;
    this.model = model;
    this.theme = theme;
    this.image = null;
  }

  _paint() {
    const { model, theme, bounds: b } = this;
    // At most about a third of the graph area's width (a phone keeps its graph).
    const host = this.canvas.parentElement;
    const maxW = Math.min(MAX_W, Math.max(60, (host?.clientWidth || 600) * 0.34));
    this.scale = Math.min(maxW / b.width, MAX_H / b.height);
    const w = Math.max(24, Math.ceil(b.width * this.scale));
    const h = Math.max(16, Math.ceil(b.height * this.scale));
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = w * dpr;
    this.canvas.height = h * dpr;
    this.canvas.style.width = w + "px";
    this.canvas.style.height = h + "px";
    const img = document.createElement("canvas");
    img.width = this.canvas.width;
    img.height = this.canvas.height;
    const ctx = img.getContext("2d");
    ctx.scale(dpr, dpr);
    const s = this.scale;
    if (model.values.length + model.ops.length > RASTER_FROM) {
      raster(ctx, img.width, img.height, model, b, s * dpr, theme);
    } else {
      ctx.fillStyle = theme.bg;
      ctx.fillRect(0, 0, w, h);
      ctx.fillStyle = theme.muted;
      for (const n of model.values) {
        ctx.fillRect((n.x - b.x) * s, (n.y - b.y) * s, Math.max(1, n.width * s), Math.max(1, n.height * s));
      }
      ctx.fillStyle = theme.edge;
      for (const n of model.ops) {
        ctx.fillRect((n.x - b.x) * s, (n.y - b.y) * s, Math.max(1, n.width * s), Math.max(1, n.height * s));
      }
    }
    this.image = img;
  }

  /** The graph rectangle on screen and the current node's box (or null); the map is shown. */
  update(view, currentBox) {
    this.view = view;
    this.current = currentBox;
    if (!this.image && this.model) this._paint();
    this.draw();
  }

  draw() {
    if (!this.image || !this.view) return;
    const ctx = this.canvas.getContext("2d");
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.image, 0, 0);
    ctx.scale(dpr, dpr);
    const { bounds: b, scale: s } = this;
    if (this.current) {
      const c = this.current;
      ctx.fillStyle = this.theme.accent;
      const cw = Math.max(4, c.width * s);
      const ch = Math.max(4, c.height * s);
      ctx.fillRect((c.x - b.x) * s + (c.width * s - cw) / 2, (c.y - b.y) * s + (c.height * s - ch) / 2, cw, ch);
    }
    const v = this.view;
    ctx.strokeStyle = this.theme.accent;
    ctx.lineWidth = 1.5;
    ctx.strokeRect((v.x - b.x) * s + 0.75, (v.y - b.y) * s + 0.75, Math.max(3, v.width * s - 1.5), Math.max(3, v.height * s - 1.5));
  }

  _bind() {
    const c = this.canvas;
    let down = false;
    const move = (e) => {
      if (!this.bounds) return;
      const r = c.getBoundingClientRect();
      const gx = this.bounds.x + (e.clientX - r.left) / this.scale;
      const gy = this.bounds.y + (e.clientY - r.top) / this.scale;
      this.centerOn(gx, gy);
    };
    c.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      e.stopPropagation(); // not a drag of the graph underneath
      down = true;
      try { c.setPointerCapture(e.pointerId); } catch { /* pointer gone */ }
      move(e);
    });
    c.addEventListener("pointermove", (e) => {
      if (down) move(e);
    });
    const up = () => (down = false);
    c.addEventListener("pointerup", up);
    c.addEventListener("pointercancel", up);
    c.addEventListener("click", (e) => e.stopPropagation());
  }
}
