// Inside the network (issue #18): the network drawn as TensorFlow Playground draws it, a column
// per layer, each hidden neuron a small heat map of what it computes over the input plane and
// each weight a line whose colour is its sign and whose thickness is its size; and the chart
// of each layer's gradient norm against steps, to see gradients vanish or explode.
//
// The numbers come from the worker (gradstep.training.view.TrainingView.network and the step
// replies' grad_norms and dead_relu); this only draws them. The DOM is made once per shape and
// then only its pixels and attributes change, so a frame while training plays stays short.

import { el, niceTicks, PLOT_FONT as FONT, textWidth } from "../graph/plot.js";
import { emptyHint, roundUp, tickText } from "./train-plots.js";

// Playground's colours: orange for negative, blue for positive (weights and neuron outputs).
const NEG = [232, 125, 13];
const POS = [31, 119, 180];
const FEATURE_NAMES = { x: "x", y: "y", x2: "x²", y2: "y²", xy: "xy", sinx: "sin x", siny: "sin y" };
const LAYER_COLORS = ["#2f78b7", "#d6604d", "#2e9e5b", "#8a5cc2", "#c08a00", "#1aa3a3", "#c2477e", "#6b7a89", "#444444"];
const HEIGHT_MAX = 340; // the diagram's tallest column, CSS px
const NEAR_PX = 6; // a pointer this close to a weight's line picks it

/** A neuron map's cell colour: `t` in [-1, 1] from orange through the background to blue. */
export function unitColor(t, dark, out = [0, 0, 0]) {
  const base = dark ? [22, 27, 34] : [255, 255, 255];
  const target = t < 0 ? NEG : POS;
  const a = Math.min(1, Math.abs(t)) * 0.85;
  for (let i = 0; i < 3; i++) out[i] = Math.round(base[i] + (target[i] - base[i]) * a);
  return out;
}

/** The gradient chart's width and height (CSS px) at `width`. */
const chartSize = (width) => {
  const W = Math.max(220, Math.round(width || 420));
  return [W, W < 480 ? 180 : 200];
};

const fmt = (v) => (v == null ? "—" : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toFixed(4));

/**
 * Where each layer's parameters sit in the flat list (parameters() order: each neuron's
 * weights, then its bias): offsets[l][k] is neuron k of layer l+1's first weight.
 */
export function offsets(sizes) {
  const out = [];
  let at = 0;
  for (let l = 1; l < sizes.length; l++) {
    const row = [];
    for (let k = 0; k < sizes[l]; k++) {
      row.push(at);
      at += sizes[l - 1] + 1;
    }
    out.push(row);
  }
  return out;
}

/** The diagram: columns of inputs, hidden neurons (heat maps) and outputs, joined by weights. */
export class NetworkView {
  /**
   * @param {HTMLElement} host   the diagram's box (position: relative)
   * @param {HTMLElement} detail a line under it: what the pointer or focus is on
   * @param {(label: string) => void} open  a weight's or a bias's place in one point's graph
   */
  constructor(host, detail, open) {
    this.host = host;
    this.detail = detail;
    this.open = open;
    this.shape = "";
    this.net = null;
    this.links = []; // [{line, l, k, i, x1, y1, x2, y2}]
    this.neurons = []; // [{canvas, l, k}] hidden neurons, layer by layer
    this.picked = null; // the link or neuron the detail line is about
    host.addEventListener("pointermove", (e) => this.hover(e));
    host.addEventListener("pointerleave", () => this.pick(null));
    host.addEventListener("click", (e) => {
      const link = this.nearest(e);
      if (link) this.open(`w${link.l}_${link.k}[${link.i}]`);
    });
  }

  /**
   * Draw `net` (the worker's network reply) at `width` CSS px: the weights' lines, the
   * neurons' maps or both (`parts`; a new shape draws both). Returns the parts drawn.
   */
  draw(net, width, dark, parts = { links: true, maps: true }) {
    this.net = net;
    let { links, maps } = parts;
    if (!net) return { links: false, maps: false };
    const shape = JSON.stringify([net.sizes, net.features, Math.round(width), net.maps == null]);
    if (shape !== this.shape) {
      this.build(net, width);
      links = maps = true;
    }
    if (links) this.paintLinks(net, dark);
    if (maps) this.paintMaps(net, dark);
    if (this.picked) this.say(this.picked);
    return { links, maps };
  }

  build(net, width) {
    this.shape = JSON.stringify([net.sizes, net.features, Math.round(width), net.maps == null]);
    const host = this.host;
    host.replaceChildren();
    this.links = [];
    this.neurons = [];
    this.picked = null;
    const sizes = net.sizes.map(Number);
    const cols = sizes.length;
    const tallest = Math.max(...sizes);
    const gap = 6;
    const S = Math.max(14, Math.min(40, Math.floor((HEIGHT_MAX - gap * (tallest - 1)) / tallest)));
    const H = tallest * S + (tallest - 1) * gap + 28; // (room for the layers' names above)
    const W = Math.max(240, Math.round(width));
    const inW = Math.max(S, textWidth("sin x") + 10);
    const left = inW / 2 + 2;
    const right = W - S / 2 - 2;
    const cx = (c) => left + (c * (right - left)) / (cols - 1);
    const cy = (c, k) => 28 + (H - 28 - (sizes[c] * S + (sizes[c] - 1) * gap)) / 2 + k * (S + gap) + S / 2;
    host.style.height = `${H + 8}px`; // (room under the last neuron for its focus ring and the border)
    // The weights are drawn on one canvas (hundreds of SVG lines restyled every step stalled
    // the frames while training played); the layers' names are text in an SVG above it.
    const dpr = window.devicePixelRatio || 1;
    const canvas = document.createElement("canvas");
    canvas.className = "train-net-canvas";
    canvas.dataset.testid = "train-weights";
    canvas.setAttribute("aria-hidden", "true");
    canvas.width = Math.round(W * dpr);
    canvas.height = Math.round(H * dpr);
    Object.assign(canvas.style, { width: `${W}px`, height: `${H}px` });
    host.append(canvas);
    this.canvas = canvas;
    this.dpr = dpr;
    const svg = el("svg", { class: "train-net-links", width: W, height: H, viewBox: `0 0 ${W} ${H}`, "aria-hidden": "true" }, host);
    // Layer names over the columns.
    for (let c = 0; c < cols; c++) {
      const name = c === 0 ? "inputs" : c === cols - 1 ? "output" : `layer ${c}`;
      const anchor = c === 0 ? "start" : c === cols - 1 ? "end" : "middle";
      const x = c === 0 ? 2 : c === cols - 1 ? W - 2 : cx(c);
      el("text", { x, y: 12, class: "train-net-name", "text-anchor": anchor }, svg).textContent = name;
    }
    // The weights: from each unit of column c-1 to each neuron of column c.
    const halfW = (c) => (c === 0 ? inW / 2 : S / 2);
    for (let c = 1; c < cols; c++) {
      for (let k = 0; k < sizes[c]; k++) {
        for (let i = 0; i < sizes[c - 1]; i++) {
          const x1 = cx(c - 1) + halfW(c - 1);
          const y1 = cy(c - 1, i);
          const x2 = cx(c) - S / 2;
          const y2 = cy(c, k);
          this.links.push({ link: true, l: c, k, i, x1, y1, x2, y2, color: "", width: 0, alpha: 0 });
        }
      }
    }
    // The inputs, the hidden neurons (a heat map each) and the outputs.
    const box = (tag, c, k, w, cls) => {
      const e = document.createElement(tag);
      e.className = cls;
      Object.assign(e.style, { left: `${cx(c) - w / 2}px`, top: `${cy(c, k) - S / 2}px`, width: `${w}px`, height: `${S}px` });
      host.append(e);
      return e;
    };
    net.features.forEach((f, i) => {
      box("span", 0, i, inW, "train-net-input").textContent = FEATURE_NAMES[f] ?? f;
    });
    const n = Number(net.n);
    for (let c = 1; c < cols - 1; c++) {
      for (let k = 0; k < sizes[c]; k++) {
        const e = box("canvas", c, k, S, "train-net-neuron");
        e.width = n;
        e.height = n;
        e.setAttribute("data-testid", "train-neuron");
        e.dataset.layer = String(c - 1); // (from 0: the first hidden layer is 0)
        e.dataset.index = String(k);
        e.tabIndex = 0;
        e.setAttribute("role", "button");
        // (its values are said in the line under the diagram when it has the focus: role=status)
        e.setAttribute("aria-label", `Layer ${c}, neuron ${k}: its output over the plane. Enter opens its bias in one point's update.`);
        const item = { canvas: e, l: c, k, image: new ImageData(n, n) };
        e.addEventListener("focus", () => this.pick(item));
        e.addEventListener("pointerenter", () => this.pick(item));
        e.addEventListener("click", (ev) => {
          ev.stopPropagation();
          this.open(`b${c}[${k}]`);
        });
        e.addEventListener("keydown", (ev) => {
          if (ev.key === "Enter" || ev.key === " ") {
            ev.preventDefault();
            this.open(`b${c}[${k}]`);
          }
        });
        this.neurons.push(item);
      }
    }
    for (let k = 0; k < sizes[cols - 1]; k++) {
      box("span", cols - 1, k, S, "train-net-output").textContent = sizes[cols - 1] === 1 ? "s" : `s${k}`;
    }
  }

  /** The weights' colours and widths, from `net`. */
  paintLinks(net, dark) {
    const w = net.weights.map(Number);
    const at = offsets(net.sizes.map(Number));
    let big = 0;
    for (const link of this.links) big = Math.max(big, Math.abs(w[at[link.l - 1][link.k] + link.i]));
    for (const link of this.links) {
      const v = w[at[link.l - 1][link.k] + link.i];
      const t = big > 0 ? Math.abs(v) / big : 0;
      link.color = `rgb(${(v < 0 ? NEG : POS).join(" ")})`;
      link.width = 0.4 + 3.6 * t;
      link.alpha = 0.25 + 0.75 * t;
    }
    this.drawLinks(dark);
  }

  /** The neurons' maps, from `net`. */
  paintMaps(net, dark) {
    const maps = net.maps;
    const scale = Number(net.scale) || 1000;
    const rgb = [0, 0, 0];
    this.neurons.forEach((item, u) => {
      const m = maps?.[u];
      const cells = item.image.data;
      let top = 0;
      if (m) for (const v of m) top = Math.max(top, Math.abs(Number(v)));
      item.range = m ? [Math.min(...m.map(Number)) / scale, Math.max(...m.map(Number)) / scale] : null;
      for (let j = 0; j < cells.length / 4; j++) {
        unitColor(m && top ? Number(m[j]) / top : 0, dark, rgb);
        cells[4 * j] = rgb[0];
        cells[4 * j + 1] = rgb[1];
        cells[4 * j + 2] = rgb[2];
        cells[4 * j + 3] = 255;
      }
      item.canvas.getContext("2d").putImageData(item.image, 0, 0);
    });
  }

  /** Every weight's line on the canvas, the picked ones on top with a halo. */
  drawLinks(dark = this.dark) {
    this.dark = dark;
    const ctx = this.canvas.getContext("2d");
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.lineCap = "round";
    const lit = [];
    for (const link of this.links) {
      if (link.lit) {
        lit.push(link);
        continue;
      }
      ctx.globalAlpha = link.alpha;
      ctx.strokeStyle = link.color;
      ctx.lineWidth = link.width;
      ctx.beginPath();
      ctx.moveTo(link.x1, link.y1);
      ctx.lineTo(link.x2, link.y2);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    for (const link of lit) {
      ctx.strokeStyle = dark ? "#e6edf3" : "#24292f";
      ctx.lineWidth = link.width + 3;
      ctx.beginPath();
      ctx.moveTo(link.x1, link.y1);
      ctx.lineTo(link.x2, link.y2);
      ctx.stroke();
      ctx.strokeStyle = link.color;
      ctx.lineWidth = link.width + 1;
      ctx.stroke();
    }
  }

  neuronText(item) {
    const net = this.net;
    const at = offsets(net.sizes.map(Number))[item.l - 1][item.k];
    const nin = Number(net.sizes[item.l - 1]);
    const bias = Number(net.weights[at + nin]);
    const grad = net.grads ? Number(net.grads[at + nin]) : null;
    const range = item.range ? `; over the plane it goes from ${fmt(item.range[0])} to ${fmt(item.range[1])}` : "";
    return `Layer ${item.l}, neuron ${item.k} (h${item.l}[${item.k}]): bias ${fmt(bias)}, gradient ${fmt(grad)}${range}. ` +
      "Enter opens its bias in one point's update.";
  }

  linkText(link) {
    const net = this.net;
    const j = offsets(net.sizes.map(Number))[link.l - 1][link.k] + link.i;
    const from = link.l === 1 ? (FEATURE_NAMES[net.features[link.i]] ?? net.features[link.i]) : `h${link.l - 1}[${link.i}]`;
    const to = link.l === net.sizes.length - 1 ? "the output" : `h${link.l}[${link.k}]`;
    return `Weight w${link.l}_${link.k}[${link.i}], from ${from} to ${to}: ${fmt(Number(net.weights[j]))}, ` +
      `gradient ${fmt(net.grads ? Number(net.grads[j]) : null)} (last step). Click opens it in one point's update.`;
  }

  say(item) {
    this.detail.textContent = item.link ? this.linkText(item) : this.neuronText(item);
  }

  /** The link or neuron the detail line is about (its links lit), or none. */
  pick(item) {
    this.picked = item;
    for (const link of this.links) link.lit = Boolean(item && (item.link ? link === item : link.l === item.l && link.k === item.k));
    if (this.canvas) this.drawLinks();
    if (item) this.say(item);
    else this.detail.textContent = "Point at a weight or a neuron (or Tab to one) for its value and gradient.";
  }

  hover(e) {
    if (e.target.tagName === "CANVAS") return;
    this.pick(this.nearest(e));
  }

  /** The weight's line nearest the pointer, if within NEAR_PX. */
  nearest(e) {
    const r = this.host.getBoundingClientRect();
    const px = e.clientX - r.left;
    const py = e.clientY - r.top;
    let best = null;
    let bestD = NEAR_PX;
    for (const link of this.links) {
      const dx = link.x2 - link.x1;
      const dy = link.y2 - link.y1;
      const t = Math.max(0, Math.min(1, ((px - link.x1) * dx + (py - link.y1) * dy) / (dx * dx + dy * dy || 1)));
      const d = Math.hypot(px - (link.x1 + t * dx), py - (link.y1 + t * dy));
      if (d < bestD) {
        bestD = d;
        best = link;
      }
    }
    return best;
  }
}

/**
 * Each layer's weight-gradient norm against steps, on a log scale (one line a layer), with
 * the last step's share of dead ReLUs in the key: vanishing gradients fall away layer by
 * layer toward the input, exploding ones climb.
 */
export class GradChart {
  constructor(svg, key) {
    this.svg = svg;
    this.keyBox = key;
    this.key = "";
  }

  /** norms: one array a step (a norm a layer, the output layer last); dead: the last step's shares. */
  draw(norms, dead, width) {
    const svg = this.svg;
    if (!norms.length) {
      const [W, H] = chartSize(width); // (empty at its size, as the loss curve)
      if (this.key !== `empty ${W}`) {
        this.key = `empty ${W}`;
        svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
        svg.setAttribute("width", W);
        svg.setAttribute("height", H);
        svg.replaceChildren();
        emptyHint(svg, W, H, "Step or Play to draw the gradients");
        this.keyBox.replaceChildren();
        this.keyItems = null;
      }
      return;
    }
    const layers = norms[0].length;
    const FLOOR = 1e-12; // (a norm of 0 is drawn at the floor: log scales have no 0)
    let lo = Infinity;
    let hi = -Infinity;
    for (const row of norms) {
      for (const v of row) {
        if (!Number.isFinite(v)) continue;
        const g = Math.max(FLOOR, v);
        if (g < lo) lo = g;
        if (g > hi) hi = g;
      }
    }
    if (!Number.isFinite(lo)) [lo, hi] = [1e-3, 1];
    let e0 = Math.floor(Math.log10(lo));
    let e1 = Math.ceil(Math.log10(hi));
    if (e1 <= e0) e1 = e0 + 1;
    const [W, H] = chartSize(width);
    const l = Math.ceil(6 + textWidth("1e-10") + 6 + FONT + 6);
    const box = { l, r: W - 12, t: 10, b: H - (9 + FONT + 2 + 4 + FONT + 6) };
    const last = Math.max(2, norms.length);
    const end = roundUp(last);
    const X = (s) => box.l + (s / end) * (box.r - box.l);
    // (a norm that overflowed, or is not a number, at the top: the chart's own numbers never go there)
    const Y = (v) => (Number.isFinite(v) ? box.t + (1 - (Math.log10(Math.max(FLOOR, v)) - e0) / (e1 - e0)) * (box.b - box.t) : box.t);
    const key = JSON.stringify([W, e0, e1, end, layers]);
    if (key !== this.key) {
      this.key = key;
      svg.replaceChildren();
      svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
      svg.setAttribute("width", W);
      svg.setAttribute("height", H);
      const axes = el("g", { class: "axes" }, svg);
      const every = Math.max(1, Math.ceil((e1 - e0) / 5));
      for (let e = e0; e <= e1; e += every) {
        const y = Y(10 ** e);
        el("line", { x1: box.l, x2: box.r, y1: y, y2: y, class: "grid" }, axes);
        el("text", { x: box.l - 6, y, class: "tick y", "text-anchor": "end", "dominant-baseline": "middle" }, axes)
          .textContent = e === 0 ? "1" : `1e${e}`;
      }
      el("line", { x1: box.l, x2: box.r, y1: box.b, y2: box.b, class: "axis" }, axes);
      for (const k of niceTicks(0, end, Math.max(2, Math.floor((box.r - box.l) / 70))).filter((k) => Number.isInteger(k) && k >= 0)) {
        el("text", { x: X(k), y: box.b + 9, class: "tick x", "text-anchor": "middle", "dominant-baseline": "hanging" }, axes)
          .textContent = tickText(k);
      }
      el("text", { x: (box.l + box.r) / 2, y: H - 4, class: "axis-label", "text-anchor": "middle" }, axes).textContent = "step";
      const my = (box.t + box.b) / 2;
      el("text", { x: FONT, y: my, class: "axis-label", "text-anchor": "middle", transform: `rotate(-90 ${FONT} ${my})` }, axes)
        .textContent = "‖gradient‖ (log)";
      this.lines = [];
      for (let k = 0; k < layers; k++) {
        this.lines.push(el("polyline", { class: "grad-line", stroke: LAYER_COLORS[k % LAYER_COLORS.length] }, svg));
      }
    }
    const stride = Math.max(1, Math.ceil(norms.length / 600));
    this.lines.forEach((line, k) => {
      let pts = "";
      for (let s = 0; s < norms.length; s += stride) pts += `${X(s + 1).toFixed(1)},${Y(norms[s][k]).toFixed(1)} `;
      const endAt = norms.length - 1;
      if (endAt % stride) pts += `${X(endAt + 1).toFixed(1)},${Y(norms[endAt][k]).toFixed(1)}`;
      line.setAttribute("points", pts);
    });
    // The key: a layer a line, its last norm, and its dead ReLUs.
    const now = norms[norms.length - 1];
    const text = now.map((v, k) => {
      const name = k === layers - 1 ? "output layer" : `layer ${k + 1}`;
      const off = dead?.[k] != null ? ` · ${Math.round(Number(dead[k]) * 100)}% of its ReLUs dead` : "";
      return [name, `${fmt(Number(v))}${off}`];
    });
    // (made once per shape; then only its text nodes change: no new elements while training plays)
    if (this.keyItems?.length !== text.length) {
      this.keyItems = text.map((_, k) => {
        const item = document.createElement("span");
        item.className = "train-key-item";
        const sw = document.createElement("span");
        sw.className = "train-key-line";
        sw.style.borderTopColor = LAYER_COLORS[k % LAYER_COLORS.length];
        const words = document.createTextNode("");
        item.append(sw, words);
        return { item, words };
      });
      this.keyBox.replaceChildren(...this.keyItems.map((e) => e.item));
    }
    text.forEach(([name, value], k) => {
      const words = `${name}: ${value}`;
      if (this.keyItems[k].words.data !== words) this.keyItems[k].words.data = words;
    });
  }
}
